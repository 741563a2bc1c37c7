/**
 * The order step: create the order of a round (or adopt the one a create whose answer was lost made) and
 * price it once; and its undo, release: cancel where a cancel route exists, else abandon the order to its
 * hold's lapse and confirm it. An order is this checkout's only when it holds its claim (activities/index.ts):
 * never two live orders for one request, never another checkout's.
 */
import * as wf from '@temporalio/workflow';
import type { LostOrderSearch } from '../../activities';
import { traitsOf } from '../../src/failure-types';
import { backoff, call } from '../call';
import { checkoutFailure, describeFailure } from '../failures';
import type { CheckoutPhase } from '../messages';
import { backoffMs } from '../policy';
import type { CheckoutRun } from '../run';
import { settle, type Undo } from '../saga';
import { pricesOf } from '../voucher-rules';

/** Create attempts per order round (an ambiguous attempt is followed by a search before the next). */
const MAX_CREATE_ATTEMPTS = 5;

/** The create attempts of a round whose outcome is unknown: the time window a search for their order covers. */
interface LostCreates {
  /** When the first such attempt began; unset while no attempt's outcome is unknown. */
  since?: number;
  /** When the last such attempt ended (its failure came); unset: it may still be landing, search up to now. */
  until?: number;
}

/** One order round's order: created, or adopted after a lost create answer. Returns its id. */
export async function createOrder(run: CheckoutRun, round: number): Promise<string> {
  const { input, status, saga } = run;
  status.setPhase('CREATING_ORDER');
  const lost: LostCreates = {};
  // Registered before the create: if the answer is lost, compensation still finds and releases the order.
  const release = saga.add('releaseOrder', undefined, (undo) => releaseOrder(run, undo, lost));
  for (let attempt = 1; ; attempt++) {
    if (lost.since !== undefined) {
      const found = await findLostOrder(run, lost);
      if (found.orderId !== null) {
        const note = `adopted order ${found.orderId}, made by a create attempt whose answer was lost`;
        adoptLostOrder(run, release, lost, found.orderId, round, 'CREATING_ORDER', note);
        return found.orderId;
      }
      status.note('CREATING_ORDER', 'no order of this checkout from the lost create attempt; creating again');
    }
    const since = Date.now();
    // Until an answer comes, this attempt may have made an order (lost answer, worker death, cancellation).
    lost.since ??= since;
    try {
      const created = await call(
        run,
        'createOrder',
        { scheduleId: input.scheduleId, seatLabels: [...input.seats] },
        `create order: ${input.seats.length} seat(s) on schedule ${input.scheduleId}`,
      );
      if (created.claimedBy !== undefined) {
        // Womei made the order for us, but another checkout of this user claimed it first (it found it while
        // looking for its own lost order): it is that checkout's now. Never release or bind it; create again,
        // which Womei refuses while that order holds the seats.
        status.leaveAlone(
          created.orderId,
          `order ${created.orderId} came from this checkout's create, but checkout ${created.claimedBy} claimed it first; left to it`,
        );
        if (lost.since === since) delete lost.since;
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw checkoutFailure('SeatUnavailable', `every order created for these seats was claimed by another checkout (${attempt} attempt(s))`);
        }
        continue;
      }
      release.orderId = created.orderId;
      delete lost.since;
      delete lost.until;
      status.adoptOrder(created.orderId, round, 'created');
      status.note('CREATING_ORDER', `order ${created.orderId} created (round ${round})`);
      return created.orderId;
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      const t = traitsOf(f.type);
      if (t.nothingApplied) {
        // Womei answered "no" (or the gateway refused): this attempt made nothing.
        if (lost.since === since) delete lost.since;
      } else {
        // This attempt may have made an order until now: the search window reaches this far.
        lost.until = Date.now();
      }
      if (f.cancelled) throw err;
      // A refusal ends the checkout; the gateway's 429 is retried below.
      if (t.refusal) throw err;
      if (attempt >= MAX_CREATE_ATTEMPTS) throw err;
      await backoff(run, 'createOrder', attempt, f);
    }
  }
}

/** Prices the order once without vouchers: Womei refuses voucher calls on an order never priced. */
export async function priceOrder(run: CheckoutRun, orderId: string): Promise<void> {
  const { status } = run;
  status.setPhase('PRICING');
  const price = await call(run, 'priceOrder', { orderId }, `price order ${orderId} without vouchers`);
  status.prices = pricesOf(price);
  status.note('PRICING', `order ${orderId} priced: ${price.orderTotalPrice} yuan for ${price.ticketNum} ticket(s)`);
}

/**
 * Looks for the order of the lost create attempt(s) and claims it (activities/lost-order.ts: proven by schedule,
 * cinema, exact seats and time window, and owned by claim). Orders that match but belong to another checkout
 * are recorded as left alone: an exact seat set has one live holder, so a second match is someone else's.
 */
async function findLostOrder(run: CheckoutRun, lost: LostCreates): Promise<LostOrderSearch> {
  const { input, status, saga } = run;
  const exclude = [...status.orders.map((o) => o.orderId), ...(status.foreignOrders ?? []).map((f) => f.orderId)];
  const found = await call(
    run,
    'findLostOrder',
    {
      scheduleId: input.scheduleId,
      seatLabels: [...input.seats],
      sinceMs: lost.since!,
      ...(lost.until !== undefined ? { untilMs: lost.until } : {}),
      excludeOrderIds: exclude,
    },
    `find the order a lost create made (schedule ${input.scheduleId})`,
  );
  for (const foreign of found.foreignOrders ?? []) {
    status.leaveAlone(foreign.orderId, `order ${foreign.orderId} holds exactly this request's seats but belongs to checkout ${foreign.owner}; left alone`);
  }
  // Only a history recorded before ownership was proven can hold extras (and the releases that followed).
  const extras = found.extraOrderIds ?? [];
  if (extras.length > 0 && !wf.patched('claim-owned-orders')) {
    for (const extra of extras) {
      status.adoptOrder(extra, status.round, 'found-extra');
      const undo = saga.add('releaseOrder', extra, (u) => releaseOrder(run, u, {}));
      status.note(status.phase, `order ${extra} is a second order of this request; releasing it`);
      await wf.CancellationScope.nonCancellable(() => releaseOrder(run, undo, {}));
    }
  }
  return found;
}

/** The order a lost create answer made becomes the release's order (and the run's current order). */
function adoptLostOrder(run: CheckoutRun, release: Undo, lost: LostCreates, orderId: string, round: number, phase: CheckoutPhase, note: string): void {
  release.orderId = orderId;
  delete lost.since;
  delete lost.until;
  run.status.adoptOrder(orderId, round, 'adopted');
  run.status.note(phase, note);
}

/**
 * The undo of a create: cancel where configured, else abandon to the hold expiry and, where the deadline
 * allows, confirm on order/info that it lapsed. A release can always fall back to "abandoned" (the hold lapses
 * on its own), so it never needs attention. With no known order id but a lost create, look for the order first.
 */
async function releaseOrder(run: CheckoutRun, undo: Undo, lost: LostCreates): Promise<void> {
  const { status } = run;
  let orderId = undo.orderId;
  if (orderId === undefined) {
    if (lost.since === undefined) {
      settle(undo, 'SKIPPED', 'no order was created');
      return;
    }
    let found: LostOrderSearch;
    try {
      found = await findLostOrder(run, lost);
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      settle(undo, 'DONE', `could not look for the order of a lost create (${f.type}); any such order lapses with its hold`);
      return;
    }
    if (found.orderId === null) {
      const foreign = found.foreignOrders?.length ?? 0;
      settle(
        undo,
        'SKIPPED',
        foreign > 0 ? `no order of this checkout from the lost create; ${foreign} matching order(s) of other checkouts left alone` : 'the lost create attempt made no order',
      );
      return;
    }
    orderId = found.orderId;
    adoptLostOrder(run, undo, lost, orderId, status.round, status.phase, `found order ${orderId} made by a lost create attempt; releasing it`);
  }
  const record = status.orders.find((o) => o.orderId === orderId);
  if (record?.state === 'LAPSED' || record?.state === 'CANCELLED') {
    settle(undo, 'DONE', `order ${record.state === 'LAPSED' ? 'hold lapsed' : 'already cancelled'}`);
    return;
  }
  let result: 'cancelled' | 'abandoned';
  try {
    result = await call(run, 'releaseOrder', { orderId }, `release order ${orderId}`);
  } catch (err) {
    const f = describeFailure(err, [run.token.value]);
    if (traitsOf(f.type).orderGone) {
      status.markOrder(orderId, 'LAPSED');
      settle(undo, 'DONE', 'order hold had already lapsed');
      return;
    }
    status.markOrder(orderId, 'ABANDONED');
    settle(undo, 'DONE', `cancel failed (${f.type}); order abandoned to its hold expiry`);
    status.note(status.phase, `could not cancel order ${orderId} (${f.type}); abandoned to its hold expiry`);
    return;
  }
  if (result === 'cancelled') {
    status.markOrder(orderId, 'CANCELLED');
    settle(undo, 'DONE', 'order cancelled');
    status.note(status.phase, `order ${orderId} cancelled`);
    return;
  }
  status.markOrder(orderId, 'ABANDONED');
  settle(undo, 'DONE', 'no cancel route: order abandoned to its hold expiry');
  status.note(status.phase, `order ${orderId} abandoned to its hold expiry (no cancel route)`);
  await confirmLapse(run, orderId);
}

/** Bounded by the deadline: poll order/info on durable timers until the order is no longer PENDING. */
async function confirmLapse(run: CheckoutRun, orderId: string): Promise<void> {
  const { status } = run;
  for (let attempt = 1; ; attempt++) {
    const wait = backoffMs(attempt, run.input.limits);
    if (Date.now() + wait > run.deadline) {
      status.note(status.phase, `deadline reached before order ${orderId} lapsed; it stays abandoned to its hold expiry`);
      return;
    }
    await wf.sleep(wait, { summary: `wait for the hold of order ${orderId} to lapse` });
    try {
      const info = await call(run, 'confirmLapse', { orderId }, `check whether order ${orderId} has lapsed`);
      if (info.status !== 'PENDING') {
        status.markOrder(orderId, 'LAPSED');
        status.note(status.phase, `order ${orderId} has lapsed (${info.status})`);
        return;
      }
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      if (traitsOf(f.type).orderGone) {
        status.markOrder(orderId, 'LAPSED');
        status.note(status.phase, `order ${orderId} has lapsed`);
        return;
      }
      status.note(status.phase, `cannot check order ${orderId} (${f.type}); it stays abandoned to its hold expiry`);
      return;
    }
  }
}
