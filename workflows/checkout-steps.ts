/**
 * How every part of the checkout calls Womei: one activity call per step, counted, its failure recorded
 * (redacted) as lastError; a forward step whose token expired waits for `refreshToken` and calls again; and
 * the workflow's own retry loops back off on durable timers that never sleep past the deadline.
 */
import * as wf from '@temporalio/workflow';
import type { CheckoutActivities } from '../activities';
import type { OrderInfo, WomeiSession } from '../src/womei/types';
import type { CheckoutInput } from './input';
import type { CheckoutStep } from './messages';
import { activityOptions, backoffMs } from './policy';
import type { ActivityKind } from './policy';
import { checkoutFailure, describeFailure } from './failures';
import type { FailureInfo } from './failures';
import type { CheckoutState } from './checkout-state';

/**
 * Patch id: a TokenInvalid answer to a call that went out before a fresh token arrived is retried with the
 * fresh token at once (forward steps) or the unbind is retried at once (compensation), instead of waiting for
 * yet another token that will not come.
 */
export const TOKEN_REFRESHED_MID_CALL = 'token-refreshed-mid-call';

/** Every call overrides these with `activityOptions(kind, limits)` and its own summary. */
export const acts = wf.proxyActivities<CheckoutActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

export class StepRunner {
  /**
   * While compensating, a TokenInvalid is not waited out here: the compensation decides (an unbind waits in
   * NEEDS_ATTENTION, a release falls back to abandoning the order). A run-wide switch rather than a per-call
   * option on purpose: it also keeps a forward call still in flight when compensation begins (the wallet
   * listing, a sibling pre-check) from entering a token wait, which would change the phase mid-compensation.
   */
  compensating = false;

  constructor(
    private readonly input: CheckoutInput,
    private readonly deadline: number,
    private readonly state: CheckoutState,
  ) {}

  /** Read at each call, so a call after refreshToken uses the fresh token. */
  session(): WomeiSession {
    return { token: this.state.token, cinemaId: this.input.cinemaId };
  }

  opts(kind: ActivityKind, summary: string) {
    return { ...activityOptions(kind, this.input.limits), summary };
  }

  /**
   * One activity call: counts the attempt, records a failure (redacted) as lastError, and on TokenInvalid in
   * the forward path waits for `refreshToken` and calls again with the new token.
   */
  async step<T>(step: CheckoutStep, call: () => Promise<T>): Promise<T> {
    for (;;) {
      this.state.countAttempt(step);
      const tokenAtCall = this.state.tokenVersion;
      try {
        return await call();
      } catch (err) {
        const f = describeFailure(err, [this.state.token]);
        if (!f.cancelled) this.state.recordError(step, f);
        if (f.type === 'TokenInvalid' && !this.compensating) {
          // A fresh token that came while this call was on its way with the old one: call again with it at once.
          if (this.state.tokenVersion > tokenAtCall && wf.patched(TOKEN_REFRESHED_MID_CALL)) continue;
          if (await this.waitForToken(step)) continue;
        }
        throw err;
      }
    }
  }

  orderInfo(orderId: string, step: CheckoutStep, summary: string): Promise<OrderInfo> {
    return this.step(step, () =>
      acts.getOrderInfo.executeWithOptions(this.opts('read', summary), [{ session: this.session(), orderId }]),
    );
  }

  /** Unbind the order's vouchers (forward, before binding again, and as a compensation). Idempotent on Womei's side. */
  async unbind(orderId: string, summary: string): Promise<void> {
    await this.step('unbindVouchers', () =>
      acts.unbindVouchers.executeWithOptions(this.opts('compensate', summary), [{ session: this.session(), orderId }]),
    );
  }

  /** Durable back-off before a workflow-level retry; refuses to sleep past the deadline. */
  async backoff(step: CheckoutStep, attempt: number, f: FailureInfo): Promise<void> {
    const wait = Math.max(backoffMs(attempt, this.input.limits), f.retryAfterMs ?? 0);
    const at = Date.now() + wait;
    if (at >= this.deadline) {
      throw checkoutFailure('DeadlineExceeded', `${step} still failing at the deadline (last: ${f.type}: ${f.message})`);
    }
    this.state.setNextAttempt(at);
    this.state.note(this.state.phase, `${step} failed (${f.type}); retrying in ${wait} ms`, step);
    try {
      await wf.sleep(wait, { summary: `back off ${wait} ms before retrying ${step}` });
    } finally {
      // Also when the sleep is cancelled: status must not keep showing a next attempt that will not come.
      this.state.clearNextAttempt();
    }
  }

  private async waitForToken(step: CheckoutStep): Promise<boolean> {
    const wait = Math.min(this.input.limits.tokenWaitSeconds * 1000, this.deadline - Date.now());
    if (wait <= 0) return false;
    const before = this.state.tokenVersion;
    this.state.beginTokenWait();
    this.state.note('WAITING_FOR_TOKEN', `${step}: the token expired; waiting up to ${Math.round(wait / 1000)} s for refreshToken`, step);
    try {
      const got = await wf.condition(() => this.state.tokenVersion > before, wait);
      this.state.note('WAITING_FOR_TOKEN', got ? `${step}: fresh token received; carrying on` : `${step}: no fresh token came`, step);
      return got;
    } finally {
      this.state.endTokenWait();
    }
  }
}
