/**
 * Undoing a checkout, newest first: unbind the vouchers (waiting in NEEDS_ATTENTION for a fresh token when it
 * must) and release the orders (cancel, or abandon to the hold expiry and confirm it lapsed). Also finding the
 * order a lost create answer made, since both a new create and a release must know of it first: only an order
 * this checkout proved and claimed is ever released (activities/index.ts). The saga record these runners work
 * through is compensation.ts.
 */
import * as wf from '@temporalio/workflow';
import type { LostOrderSearch } from '../activities';
import type { CompensationEntry } from './compensation';
import { describeFailure } from './failures';
import type { FailureInfo } from './failures';
import { backoffMs, ORDER_GONE_FAILURE_TYPES } from './policy';
import type { CheckoutPhase } from './messages';
import type { RunContext } from './checkout-context';
import { acts } from './checkout-steps';

export class Compensator {
  constructor(private readonly ctx: RunContext) {}

  /** Runs every pending compensation, newest first. True when all finished (or were not needed). */
  async compensateAll(reason: FailureInfo): Promise<boolean> {
    const { state, steps, saga } = this.ctx;
    steps.compensating = true;
    state.setPhase('COMPENSATING');
    state.note('COMPENSATING', `compensating (${reason.type}): ${reason.message}`);
    for (const entry of saga.pendingReversed()) await this.runCompensation(entry);
    return !saga.hasFailures;
  }

  /**
   * Compensates one order (a lapsed hold before a new round). Every run settles its entry and none registers
   * another for this order, so nothing of this order is left pending afterwards: a failure is what can go wrong.
   */
  async compensateOrder(orderId: string): Promise<boolean> {
    const { steps, saga } = this.ctx;
    const wasCompensating = steps.compensating;
    steps.compensating = true;
    try {
      for (const entry of saga.pendingReversed(orderId)) await this.runCompensation(entry);
      return !saga.hasFailures;
    } finally {
      steps.compensating = wasCompensating;
    }
  }

  /**
   * Looks for the order of the entry's lost create attempt(s) and claims it (activities/index.ts: proven by
   * schedule, cinema, exact seats and time window, and owned by claim). Orders that match but belong to
   * another checkout are recorded as left alone. Releasing "extra" matches is gone: an exact seat set has one
   * live holder, so a second match is always someone else's.
   */
  async findLostOrder(entry: CompensationEntry): Promise<LostOrderSearch> {
    const { input, state, steps, saga } = this.ctx;
    const exclude = [...state.orders.map((o) => o.orderId), ...state.foreignOrderIds];
    const found = await steps.step('findLostOrder', () =>
      acts.findLostOrder.executeWithOptions(steps.opts('read', `find the order a lost create made (schedule ${input.scheduleId})`), [
        {
          session: steps.session(),
          scheduleId: input.scheduleId,
          seatLabels: [...input.seats],
          sinceMs: entry.lostCreateSince!,
          ...(entry.lostCreateUntil !== undefined ? { untilMs: entry.lostCreateUntil } : {}),
          excludeOrderIds: exclude,
        },
      ]),
    );
    for (const foreign of found.foreignOrders ?? []) {
      state.leaveAlone(foreign.orderId, `order ${foreign.orderId} holds exactly this request's seats but belongs to checkout ${foreign.owner}; left alone`);
    }
    // Only a history recorded before ownership was proven can hold extras (and the releases that followed).
    const extras = found.extraOrderIds ?? [];
    if (extras.length > 0 && !wf.patched('claim-owned-orders')) {
      for (const extra of extras) {
        state.adoptOrder(extra, state.round, 'found-extra');
        const extraEntry = saga.register('releaseOrder', extra);
        state.note(state.phase, `order ${extra} is a second order of this request; releasing it`);
        await wf.CancellationScope.nonCancellable(() => this.runRelease(extraEntry));
      }
    }
    return found;
  }

  /** The order a lost create answer made becomes the entry's order (and the run's current order). */
  adoptLostOrder(entry: CompensationEntry, orderId: string, round: number, phase: CheckoutPhase, note: string): void {
    const { state } = this.ctx;
    entry.orderId = orderId;
    delete entry.lostCreateSince;
    delete entry.lostCreateUntil;
    state.adoptOrder(orderId, round, 'adopted');
    state.note(phase, note);
  }

  private async runCompensation(entry: CompensationEntry): Promise<void> {
    if (entry.kind === 'unbindVouchers') await this.runUnbind(entry);
    else await this.runRelease(entry);
  }

  /**
   * Unbind: needed only if a bind may have landed. Retried on durable timers while Womei fails; when the token
   * has expired, wait (phase NEEDS_ATTENTION) for `refreshToken`. Gives up after `attentionWaitSeconds`.
   */
  private async runUnbind(entry: CompensationEntry): Promise<void> {
    const { input, state, steps, saga } = this.ctx;
    const orderId = entry.orderId!;
    if (!saga.mayBeBound(orderId)) {
      saga.settle(entry, 'SKIPPED', 'no bind can have landed');
      return;
    }
    // A lapsed order can no longer consume its vouchers, and Womei refuses to unbind it (OrderExpired): skip the
    // call. Patched: runs before the patch made the call and got that refusal.
    if (state.orders.find((o) => o.orderId === orderId)?.state === 'LAPSED' && wf.patched('skip-unbind-of-lapsed-order')) {
      saga.setMayBeBound(orderId, false);
      saga.settle(entry, 'DONE', 'order hold lapsed: its vouchers can no longer be consumed');
      return;
    }
    const attentionUntil = Date.now() + input.limits.attentionWaitSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await steps.unbind(orderId, `unbind vouchers from order ${orderId}`);
        saga.setMayBeBound(orderId, false);
        state.clearBound();
        saga.settle(entry, 'DONE', 'vouchers unbound');
        state.note(state.phase, `vouchers unbound from order ${orderId}`);
        if (state.phase === 'NEEDS_ATTENTION') state.setPhase('COMPENSATING');
        return;
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (ORDER_GONE_FAILURE_TYPES.includes(f.type)) {
          saga.setMayBeBound(orderId, false);
          state.markOrder(orderId, 'LAPSED');
          saga.settle(entry, 'DONE', 'order hold lapsed: its vouchers can no longer be consumed');
          return;
        }
        const left = attentionUntil - Date.now();
        if (left <= 0) {
          saga.settle(entry, 'FAILED', `unbind failed (${f.type}): ${f.message}`);
          state.note('NEEDS_ATTENTION', `could not unbind vouchers from order ${orderId}: ${f.type}`);
          return;
        }
        state.setPhase('NEEDS_ATTENTION');
        const tokenBefore = state.tokenVersion;
        const wait = f.type === 'TokenInvalid' ? left : Math.min(left, backoffMs(attempt, input.limits));
        state.note(
          'NEEDS_ATTENTION',
          f.type === 'TokenInvalid'
            ? `unbinding order ${orderId} needs a fresh token (refreshToken); waiting up to ${Math.round(wait / 1000)} s`
            : `unbinding order ${orderId} failed (${f.type}); retrying in ${wait} ms`,
        );
        await wf.condition(() => state.tokenVersion > tokenBefore, wait);
      }
    }
  }

  /**
   * Release: cancel where configured, else abandon to the hold expiry and, where the deadline allows, confirm
   * on order/info that it lapsed. A release can always fall back to "abandoned" (the hold lapses on its own),
   * so it never needs attention. With no known order id but a lost create, look for the order first.
   */
  private async runRelease(entry: CompensationEntry): Promise<void> {
    const { state, steps, saga } = this.ctx;
    let orderId = entry.orderId;
    if (orderId === undefined) {
      if (entry.lostCreateSince === undefined) {
        saga.settle(entry, 'SKIPPED', 'no order was created');
        return;
      }
      let found: LostOrderSearch;
      try {
        found = await this.findLostOrder(entry);
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        saga.settle(entry, 'DONE', `could not look for the order of a lost create (${f.type}); any such order lapses with its hold`);
        return;
      }
      if (found.orderId === null) {
        const foreign = found.foreignOrders?.length ?? 0;
        saga.settle(
          entry,
          'SKIPPED',
          foreign > 0 ? `no order of this checkout from the lost create; ${foreign} matching order(s) of other checkouts left alone` : 'the lost create attempt made no order',
        );
        return;
      }
      orderId = found.orderId;
      this.adoptLostOrder(entry, orderId, state.round, state.phase, `found order ${orderId} made by a lost create attempt; releasing it`);
    }
    const record = state.orders.find((o) => o.orderId === orderId);
    if (record?.state === 'LAPSED' || record?.state === 'CANCELLED') {
      saga.settle(entry, 'DONE', `order ${record.state === 'LAPSED' ? 'hold lapsed' : 'already cancelled'}`);
      return;
    }
    let result: 'cancelled' | 'abandoned';
    try {
      result = await steps.step('releaseOrder', () =>
        acts.releaseOrder.executeWithOptions(steps.opts('compensate', `release order ${orderId}`), [{ session: steps.session(), orderId }]),
      );
    } catch (err) {
      const f = describeFailure(err, [state.token]);
      if (ORDER_GONE_FAILURE_TYPES.includes(f.type)) {
        state.markOrder(orderId, 'LAPSED');
        saga.settle(entry, 'DONE', 'order hold had already lapsed');
        return;
      }
      state.markOrder(orderId, 'ABANDONED');
      saga.settle(entry, 'DONE', `cancel failed (${f.type}); order abandoned to its hold expiry`);
      state.note(state.phase, `could not cancel order ${orderId} (${f.type}); abandoned to its hold expiry`);
      return;
    }
    if (result === 'cancelled') {
      state.markOrder(orderId, 'CANCELLED');
      saga.settle(entry, 'DONE', 'order cancelled');
      state.note(state.phase, `order ${orderId} cancelled`);
      return;
    }
    state.markOrder(orderId, 'ABANDONED');
    saga.settle(entry, 'DONE', 'no cancel route: order abandoned to its hold expiry');
    state.note(state.phase, `order ${orderId} abandoned to its hold expiry (no cancel route)`);
    await this.confirmLapse(orderId);
  }

  /** Bounded by the deadline: poll order/info on durable timers until the order is no longer PENDING. */
  private async confirmLapse(orderId: string): Promise<void> {
    const { input, deadline, state, steps } = this.ctx;
    for (let attempt = 1; ; attempt++) {
      const wait = backoffMs(attempt, input.limits);
      if (Date.now() + wait > deadline) {
        state.note(state.phase, `deadline reached before order ${orderId} lapsed; it stays abandoned to its hold expiry`);
        return;
      }
      await wf.sleep(wait, { summary: `wait for the hold of order ${orderId} to lapse` });
      try {
        const info = await steps.orderInfo(orderId, 'confirmLapse', `check whether order ${orderId} has lapsed`);
        if (info.status !== 'PENDING') {
          state.markOrder(orderId, 'LAPSED');
          state.note(state.phase, `order ${orderId} has lapsed (${info.status})`);
          return;
        }
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (ORDER_GONE_FAILURE_TYPES.includes(f.type)) {
          state.markOrder(orderId, 'LAPSED');
          state.note(state.phase, `order ${orderId} has lapsed`);
          return;
        }
        state.note(state.phase, `cannot check order ${orderId} (${f.type}); it stays abandoned to its hold expiry`);
        return;
      }
    }
  }
}
