/**
 * Every Womei call of the checkout goes through `call`: one activity per call, named by the step it serves,
 * counted in `attempts`, its failure recorded (redacted) as `lastError`; a forward call whose token expired
 * waits for `refreshToken` and calls again. Also the durable back-off of the workflow's own retry loops.
 */
import * as wf from '@temporalio/workflow';
import type { CheckoutActivities } from '../activities';
import { traitsOf } from '../src/failure-types';
import type { CheckoutStep } from './messages';
import { activityOptions, backoffMs } from './policy';
import type { ActivityKind } from './policy';
import { checkoutFailure, describeFailure } from './failures';
import type { FailureInfo } from './failures';
import type { CheckoutRun } from './run';

/**
 * What each call is: the step its attempts count under, the activity it runs and its kind of options. A later
 * change of how a kind is scheduled (e.g. as a local activity) is made in `schedule` below, for every call.
 */
const CALLS = {
  createOrder: { step: 'createOrder', activity: 'createOrder', kind: 'create' },
  findLostOrder: { step: 'findLostOrder', activity: 'findLostOrder', kind: 'read' },
  listVouchers: { step: 'listVouchers', activity: 'listVouchers', kind: 'read' },
  priceOrder: { step: 'priceOrder', activity: 'priceOrder', kind: 'price' },
  precheckVoucher: { step: 'precheckVoucher', activity: 'precheckVoucher', kind: 'precheck' },
  bindVouchers: { step: 'bindVouchers', activity: 'bindVouchers', kind: 'bind' },
  checkBinding: { step: 'checkBinding', activity: 'getOrderInfo', kind: 'read' },
  verifyOrder: { step: 'verifyOrder', activity: 'getOrderInfo', kind: 'read' },
  unbindVouchers: { step: 'unbindVouchers', activity: 'unbindVouchers', kind: 'compensate' },
  releaseOrder: { step: 'releaseOrder', activity: 'releaseOrder', kind: 'compensate' },
  confirmLapse: { step: 'confirmLapse', activity: 'getOrderInfo', kind: 'read' },
  payOrder: { step: 'payOrder', activity: 'payOrder', kind: 'pay' },
  // Counted as payOrder: reading the order is how an unclear payment answer is settled.
  checkPaid: { step: 'payOrder', activity: 'getOrderInfo', kind: 'read' },
  queryPayment: { step: 'queryPayment', activity: 'queryPayment', kind: 'poll' },
  confirmIssued: { step: 'confirmIssued', activity: 'getOrderInfo', kind: 'read' },
} as const satisfies Record<string, { step: CheckoutStep; activity: keyof CheckoutActivities; kind: ActivityKind }>;

/**
 * Patch id: a TokenInvalid answer to a call that went out before a fresh token arrived is retried with the
 * fresh token at once (forward calls here, the compensating unbind in steps/binding.ts), instead of waiting for
 * yet another token that will not come.
 */
export const TOKEN_REFRESHED_MID_CALL = 'token-refreshed-mid-call';

export type CallName = keyof typeof CALLS;
type ActivityOf<C extends CallName> = CheckoutActivities[(typeof CALLS)[C]['activity']];
/** The activity's argument but the session, which `call` adds (read at each call: refreshToken replaces it). */
export type CallArgs<C extends CallName> = Omit<Parameters<ActivityOf<C>>[0], 'session'>;
export type CallResult<C extends CallName> = Awaited<ReturnType<ActivityOf<C>>>;

/** Every call overrides these with `activityOptions(kind, limits)` and its own summary. */
const acts = wf.proxyActivities<CheckoutActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

function schedule<C extends CallName>(run: CheckoutRun, name: C, args: CallArgs<C>, summary: string): Promise<CallResult<C>> {
  const { activity, kind } = CALLS[name];
  const session = { token: run.token.value, cinemaId: run.input.cinemaId };
  const options = { ...activityOptions(kind, run.input.limits), summary };
  // One activity per name by construction (CALLS); TypeScript cannot follow the index through the union.
  const fn = acts[activity] as unknown as { executeWithOptions(o: typeof options, a: [unknown]): Promise<CallResult<C>> };
  return fn.executeWithOptions(options, [{ session, ...args }]);
}

/**
 * One Womei call: counts the attempt, records a failure (redacted) as lastError, and on an expired token in the
 * forward path waits for `refreshToken` and calls again with the new one.
 */
export async function call<C extends CallName>(run: CheckoutRun, name: C, args: CallArgs<C>, summary: string): Promise<CallResult<C>> {
  const { step } = CALLS[name];
  const { status } = run;
  for (;;) {
    status.attempts[step] = (status.attempts[step] ?? 0) + 1;
    const tokenAtCall = run.token.version;
    try {
      return await schedule(run, name, args, summary);
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      if (!f.cancelled) status.recordError(step, f);
      // While compensating the undo decides (an unbind waits in NEEDS_ATTENTION, a release abandons the order).
      // A run-wide switch rather than a per-call option on purpose: a forward call still in flight when
      // compensation begins (the wallet listing, a sibling pre-check) must not enter a token wait either.
      if (traitsOf(f.type).needsFreshToken && !run.compensating) {
        // A fresh token that came while this call was on its way with the old one: call again with it at once.
        if (run.token.version > tokenAtCall && wf.patched(TOKEN_REFRESHED_MID_CALL)) continue;
        if (await waitForToken(run, step)) continue;
      }
      throw err;
    }
  }
}

/** Durable back-off before a workflow-level retry; refuses to sleep past the deadline. */
export async function backoff(run: CheckoutRun, step: CheckoutStep, attempt: number, f: FailureInfo): Promise<void> {
  const { status } = run;
  const wait = Math.max(backoffMs(attempt, run.input.limits), f.retryAfterMs ?? 0);
  const at = Date.now() + wait;
  if (at >= run.deadline) {
    throw checkoutFailure('DeadlineExceeded', `${step} still failing at the deadline (last: ${f.type}: ${f.message})`);
  }
  status.nextAttemptAt = new Date(at).toISOString();
  status.note(status.phase, `${step} failed (${f.type}); retrying in ${wait} ms`, step);
  try {
    await wf.sleep(wait, { summary: `back off ${wait} ms before retrying ${step}` });
  } finally {
    // Also when the sleep is cancelled: status must not keep showing a next attempt that will not come.
    delete status.nextAttemptAt;
  }
}

/** The first waiter shows WAITING_FOR_TOKEN; the last one to finish restores the phase it interrupted. */
async function waitForToken(run: CheckoutRun, step: CheckoutStep): Promise<boolean> {
  const { status, token } = run;
  const wait = Math.min(run.input.limits.tokenWaitSeconds * 1000, run.deadline - Date.now());
  if (wait <= 0) return false;
  const before = token.version;
  if (token.waiters++ === 0) {
    token.phaseBefore = status.phase;
    status.setPhase('WAITING_FOR_TOKEN');
  }
  status.note('WAITING_FOR_TOKEN', `${step}: the token expired; waiting up to ${Math.round(wait / 1000)} s for refreshToken`, step);
  try {
    const got = await wf.condition(() => token.version > before, wait);
    status.note('WAITING_FOR_TOKEN', got ? `${step}: fresh token received; carrying on` : `${step}: no fresh token came`, step);
    return got;
  } finally {
    if (--token.waiters === 0 && token.phaseBefore !== undefined) status.setPhase(token.phaseBefore);
  }
}
