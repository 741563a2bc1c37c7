/**
 * Binding the chosen vouchers to the order: bind with the long-running retry, verify (the bind answer proves
 * the binding; runs from before the lean shape also read the order to see it still holds its seats); and its
 * undo, unbind, which waits in NEEDS_ATTENTION for a fresh token when it must. Also what may still be bound on
 * Womei's side (`mayBeBound` in the status).
 */
import * as wf from '@temporalio/workflow';
import { CancelledFailure } from '@temporalio/common';
import type { OrderInfo, OrderPrice } from '../../src/womei/types';
import { traitsOf, type FailureTraits } from '../../src/failure-types';
import { backoff, call, TOKEN_REFRESHED_MID_CALL } from '../call';
import { checkoutFailure, describeFailure, type FailureInfo } from '../failures';
import type { PricesYuan } from '../messages';
import { backoffMs } from '../policy';
import type { CheckoutRun } from '../run';
import { settle, type Undo } from '../saga';
import { leanShape } from '../shape';
import { pricesOf, pricesOfInfo, verifyBinding, verifyVoucherUse } from '../voucher-rules';

/** What one attempt left the checkout knowing. */
type Known =
  | { kind: 'bound' }
  /** Its answer was lost or unreadable: it may have bound. Read the order before binding again. */
  | { kind: 'unknown'; failure: FailureInfo }
  /** A readable answer that does not prove the binding: unbind before binding again. */
  | { kind: 'unproven'; failure: FailureInfo }
  /** Failed for a passing reason, nothing to look at first: bind again. */
  | { kind: 'failed'; failure: FailureInfo };

/**
 * Binds `codes` to the order and verifies, retrying on durable timers until the deadline. Every attempt, a
 * bind or a look at the order after a lost answer, counts towards `maxBindAttempts`. Throws OrderExpired for
 * the round loop when the hold lapsed.
 */
export async function bindAndVerify(run: CheckoutRun, orderId: string, codes: readonly string[]): Promise<void> {
  const { saga, status, input } = run;
  const max = input.limits.maxBindAttempts;
  if (!saga.pending('unbindVouchers', orderId)) {
    // Registered before the first bind: a bind that landed but whose answer was lost is still unbound.
    saga.add('unbindVouchers', orderId, (undo) => unbind(run, undo));
  }
  let known: Known | undefined;
  for (let attempt = 1; ; attempt++) {
    status.setPhase('BINDING');
    if (++run.bindAttempts > max) {
      const last = status.lastError;
      throw checkoutFailure('BindAttemptsExhausted', `binding failed ${max} time(s)${last ? `; last: ${last.type}: ${last.message}` : ''}`);
    }
    known = await attemptBinding(run, orderId, codes, known?.kind === 'unknown');
    if (known.kind === 'bound') return;
    if (known.kind === 'unproven') await unbindBeforeRetry(run, orderId);
    const f = known.failure;
    if (run.bindAttempts >= max) throw checkoutFailure('BindAttemptsExhausted', `binding failed ${max} time(s); last: ${f.type}: ${f.message}`);
    await backoff(run, 'bindVouchers', attempt, f);
  }
}

/** One attempt: look first when the last answer was lost, bind, verify. Throws what no retry can help. */
async function attemptBinding(run: CheckoutRun, orderId: string, codes: readonly string[], lookFirst: boolean): Promise<Known> {
  const { status } = run;
  if (lookFirst) {
    const looked = await lookAtLostBind(run, orderId, codes);
    if (looked !== undefined) return looked;
  }
  const before = mayBeBound(run, orderId);
  run.binds.set(orderId, { mayHaveLanded: true, codes: [...codes] });
  let price: OrderPrice;
  try {
    price = await call(run, 'bindVouchers', { orderId, codes: [...codes] }, `bind ${codes.length} voucher(s) to order ${orderId} (attempt ${run.bindAttempts})`);
  } catch (err) {
    // Womei answered and refused: the order's voucher choice is as it was, and with nothing bound before,
    // there is nothing to unbind.
    if (traitsOf(describeFailure(err).type).refusal && !before) markUnbound(run, orderId);
    return retryAs(run, err, (t) => (t.answerLost ? 'unknown' : t.transient ? 'failed' : undefined));
  }
  const problems = verifyBinding(price, codes);
  if (problems.length > 0) {
    status.recordError('bindVouchers', { type: 'BindMismatch', message: problems.join('; '), cancelled: false });
    return { kind: 'unproven', failure: { type: 'BindMismatch', message: `bind answer does not prove the binding: ${problems.join('; ')}`, cancelled: false } };
  }
  status.setPhase('VERIFYING');
  // The lean shape (shape.ts): Womei binds only to a PENDING order, and the answer carries the voucher use and
  // the prices verified above; order/info/ is read only after a bind answer was lost or unclear.
  if (leanShape()) {
    // A cancel that came while the bind was out still wins (the order/info read used to carry it): the bind may
    // have landed, so compensation unbinds.
    if (wf.CancellationScope.current().consideredCancelled) throw new CancelledFailure('the checkout was cancelled during the bind');
    acceptBinding(run, codes, pricesOf(price));
    status.note('VERIFYING', `${codes.length} voucher(s) bound to order ${orderId}, as the bind answer shows; ${price.orderPaymentPrice} yuan left to pay`);
    return { kind: 'bound' };
  }
  let info: OrderInfo;
  try {
    info = await call(run, 'verifyOrder', { orderId }, `verify order ${orderId} is still PENDING`);
  } catch (err) {
    return retryAs(run, err, (t) => (t.transient ? 'failed' : undefined));
  }
  requirePending(orderId, info);
  acceptBinding(run, codes, pricesOf(price));
  status.note('VERIFYING', `${codes.length} voucher(s) bound to order ${orderId}; ${price.orderPaymentPrice} yuan left to pay`);
  return { kind: 'bound' };
}

/**
 * After a bind whose answer was lost: does the order show it? Bound (taken, not bought twice: a bind spends
 * validations), or still unknown; undefined when it does not, unbound first if it holds other codes.
 */
async function lookAtLostBind(run: CheckoutRun, orderId: string, codes: readonly string[]): Promise<Known | undefined> {
  const { status } = run;
  let info: OrderInfo;
  try {
    info = await call(run, 'checkBinding', { orderId }, `check whether the last bind of order ${orderId} landed`);
  } catch (err) {
    // Still unknown: look again next time rather than bind blindly.
    return retryAs(run, err, (t) => (t.transient ? 'unknown' : undefined));
  }
  requirePending(orderId, info);
  const use = { total: info.orderTotalPrice, payment: info.orderPaymentPrice, use: info.voucherUse };
  if (verifyVoucherUse(use, codes).length === 0) {
    // order/info has no per-ticket prices: keep the ones this round's pricing found.
    acceptBinding(run, codes, pricesOfInfo(info, status.prices?.ticketPrices ?? []));
    status.note('VERIFYING', `the bind whose answer was lost had landed: order ${orderId} shows the ${codes.length} voucher(s)`);
    return { kind: 'bound' };
  }
  if ((info.voucherUse?.useCodes.length ?? 0) > 0) {
    try {
      await unbindBeforeRetry(run, orderId);
    } catch (err) {
      return retryAs(run, err, (t) => (t.transient ? 'failed' : undefined));
    }
  }
  status.setPhase('BINDING');
  return undefined;
}

/** What a failed call leaves known, when `as` names a retry for its traits; anything else is thrown. */
function retryAs(run: CheckoutRun, err: unknown, as: (t: FailureTraits) => 'unknown' | 'failed' | undefined): Known {
  const failure = describeFailure(err, [run.token.value]);
  const kind = failure.cancelled ? undefined : as(traitsOf(failure.type));
  if (kind === undefined) throw err;
  return { kind, failure };
}

/** Only once verified: status and result report exactly what the order proved to hold. */
function acceptBinding(run: CheckoutRun, codes: readonly string[], prices: PricesYuan): void {
  run.status.prices = prices;
  run.status.vouchers.bound = [...codes];
}

/** An order that is no longer PENDING cannot take vouchers: lapsed (new round) or, oddly, paid. */
function requirePending(orderId: string, info: OrderInfo): void {
  if (info.status === 'PENDING') return;
  if (info.status === 'SUCCESS' || info.status === 'PROCESSING') {
    throw checkoutFailure('OrderStateUnexpected', `order ${orderId} is ${info.status}, not PENDING`);
  }
  throw checkoutFailure('OrderExpired', `order ${orderId} is ${info.status} (hold lapsed)`);
}

/** Unbind during the forward path (after an unproven bind answer), before binding again. */
async function unbindBeforeRetry(run: CheckoutRun, orderId: string): Promise<void> {
  await call(run, 'unbindVouchers', { orderId }, `unbind vouchers from order ${orderId} before binding again`);
  markUnbound(run, orderId);
  run.status.note(run.status.phase, `vouchers unbound from order ${orderId} after an unproven bind answer`);
}

/**
 * The undo of a bind, needed only if one may have landed. Retried on durable timers while Womei fails; when
 * the token has expired, waits (phase NEEDS_ATTENTION) for `refreshToken`. Gives up after `attentionWaitSeconds`.
 */
async function unbind(run: CheckoutRun, undo: Undo): Promise<void> {
  const { status, token } = run;
  const orderId = undo.orderId!;
  if (!mayBeBound(run, orderId)) {
    settle(undo, 'SKIPPED', 'no bind can have landed');
    return;
  }
  // A lapsed order can no longer consume its vouchers, and Womei refuses to unbind it (OrderExpired): skip the
  // call. Patched: runs before the patch made the call and got that refusal.
  if (status.orders.find((o) => o.orderId === orderId)?.state === 'LAPSED' && wf.patched('skip-unbind-of-lapsed-order')) {
    markUnbound(run, orderId);
    settle(undo, 'DONE', 'order hold lapsed: its vouchers can no longer be consumed');
    return;
  }
  const attentionUntil = Date.now() + run.input.limits.attentionWaitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const tokenAtCall = token.version;
    try {
      await call(run, 'unbindVouchers', { orderId }, `unbind vouchers from order ${orderId}`);
      markUnbound(run, orderId);
      status.vouchers.bound = [];
      settle(undo, 'DONE', 'vouchers unbound');
      status.note(status.phase, `vouchers unbound from order ${orderId}`);
      if (status.phase === 'NEEDS_ATTENTION') status.setPhase('COMPENSATING');
      return;
    } catch (err) {
      const f = describeFailure(err, [token.value]);
      const t = traitsOf(f.type);
      if (t.orderGone) {
        markUnbound(run, orderId);
        status.markOrder(orderId, 'LAPSED');
        settle(undo, 'DONE', 'order hold lapsed: its vouchers can no longer be consumed');
        return;
      }
      // A fresh token that came while this call went out with the old one: unbind again with it at once.
      if (t.needsFreshToken && token.version > tokenAtCall && wf.patched(TOKEN_REFRESHED_MID_CALL)) continue;
      const left = attentionUntil - Date.now();
      if (left <= 0) {
        settle(undo, 'FAILED', `unbind failed (${f.type}): ${f.message}`);
        status.note('NEEDS_ATTENTION', `could not unbind vouchers from order ${orderId}: ${f.type}`);
        return;
      }
      status.setPhase('NEEDS_ATTENTION');
      const tokenBefore = token.version;
      const wait = t.needsFreshToken ? left : Math.min(left, backoffMs(attempt, run.input.limits));
      status.note(
        'NEEDS_ATTENTION',
        t.needsFreshToken
          ? `unbinding order ${orderId} needs a fresh token (refreshToken); waiting up to ${Math.round(wait / 1000)} s`
          : `unbinding order ${orderId} failed (${f.type}); retrying in ${wait} ms`,
      );
      await wf.condition(() => token.version > tokenBefore, wait);
    }
  }
}

/** False only while no bind can have landed on the order: then its unbind is skipped. */
function mayBeBound(run: CheckoutRun, orderId: string): boolean {
  return run.binds.get(orderId)?.mayHaveLanded ?? false;
}

/** Proven: nothing of this checkout is bound to the order (unbound, refused, or the order is gone). */
function markUnbound(run: CheckoutRun, orderId: string): void {
  const bind = run.binds.get(orderId);
  if (bind) bind.mayHaveLanded = false;
}

/** Codes that may be bound on Womei's side: sent to an order by a bind that no unbind (or lapse) has undone. */
export function codesMayBeBound(run: CheckoutRun): string[] {
  const codes = new Set<string>();
  for (const { mayHaveLanded, codes: sent } of run.binds.values()) if (mayHaveLanded) for (const c of sent) codes.add(c);
  return [...codes];
}
