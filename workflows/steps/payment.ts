/**
 * The pivot: pay a 0-yuan order, poll until SUCCESS, confirm the tickets were issued. Nothing is undone after
 * it: once the payment may have gone through (`run.pivot`), a failure ends the checkout as NEEDS_ATTENTION.
 */
import * as wf from '@temporalio/workflow';
import { traitsOf } from '../../src/failure-types';
import { backoff, call } from '../call';
import { checkoutFailure, describeFailure } from '../failures';
import type { CheckoutResult } from '../messages';
import type { CheckoutRun } from '../run';

/** Pay attempts on a 0-yuan order whose payment answer was unclear. */
const MAX_PAY_ATTEMPTS = 3;
/**
 * Patch id: the pay step's uncertainty is settled by the order: a cancel is honoured unless it is paid, and an
 * unclear payment of an order that lapsed meanwhile is not taken for paid.
 */
const PAYMENT_SETTLED_BY_ORDER = 'payment-settled-by-order';

export type Issued = Pick<CheckoutResult, 'orderId' | 'state' | 'ticketCodes'>;

/**
 * A cancel that reaches the pay step is settled by the order itself (patched: payment-settled-by-order): not
 * paid, the checkout compensates as cancelled; paid, the cancel came too late and the checkout finishes.
 */
export async function payAndConfirm(run: CheckoutRun, orderId: string, codes: readonly string[]): Promise<Issued> {
  const { status } = run;
  status.setPhase('PAYING');
  try {
    await pay(run, orderId);
  } catch (err) {
    if (!describeFailure(err).cancelled || !wf.patched(PAYMENT_SETTLED_BY_ORDER)) throw err;
    const info = await wf.CancellationScope.nonCancellable(() =>
      call(run, 'checkPaid', { orderId }, `check whether order ${orderId} was paid before the cancel`),
    );
    if (info.status !== 'PROCESSING' && info.status !== 'SUCCESS') {
      run.pivot = 'none'; // not paid: compensation is still right
      throw err;
    }
    status.note('PAYING', `cancel requested while paying, but order ${orderId} is already paid (${info.status}); finishing`);
  }
  run.pivot = 'passed';
  status.markOrder(orderId, 'PAID');
  status.note('PAYING', `payment of order ${orderId} sent; polling until issued`);
  // After the payment nothing is undone, so a cancel no longer stops the checkout either.
  if (wf.patched(PAYMENT_SETTLED_BY_ORDER)) return wf.CancellationScope.nonCancellable(() => confirmIssued(run, orderId, codes));
  return confirmIssued(run, orderId, codes);
}

async function pay(run: CheckoutRun, orderId: string): Promise<void> {
  const { input, status } = run;
  for (let attempt = 1; ; attempt++) {
    run.pivot = 'attempting';
    try {
      await call(run, 'payOrder', { orderId, mobile: input.mobile ?? '' }, `pay 0-yuan order ${orderId}`);
      return;
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      if (traitsOf(f.type).refusal) {
        run.pivot = 'none'; // refused: no payment happened, compensation is still right
        throw err;
      }
      // Unclear: did it go through? The order says.
      const info = await call(run, 'checkPaid', { orderId }, `check whether order ${orderId} was paid`);
      if (info.status !== 'PENDING') {
        if (info.status === 'PROCESSING' || info.status === 'SUCCESS' || !wf.patched(PAYMENT_SETTLED_BY_ORDER)) return;
        // Not paid and no longer payable: the hold lapsed before the payment could land.
        run.pivot = 'none';
        status.markOrder(orderId, 'LAPSED');
        throw checkoutFailure('OrderExpired', `order ${orderId} lapsed (${info.status}) before it was paid`);
      }
      if (attempt >= MAX_PAY_ATTEMPTS) throw err;
      await backoff(run, 'payOrder', attempt, f);
    }
  }
}

/** Polls the payment until SUCCESS, then confirms on the order that the tickets were issued with the vouchers. */
async function confirmIssued(run: CheckoutRun, orderId: string, codes: readonly string[]): Promise<Issued> {
  const { input, status } = run;
  const { limits } = input;
  let paid = '';
  for (let poll = 1; poll <= limits.maxPaymentPolls; poll++) {
    const q = await call(run, 'queryPayment', { orderId }, `poll payment of order ${orderId} (${poll})`);
    paid = q.status;
    status.payment = { status: paid, ticketCodes: [] };
    if (paid === 'SUCCESS') break;
    await wf.sleep(limits.paymentPollMs, { summary: `wait before polling payment of order ${orderId} again` });
  }
  if (paid !== 'SUCCESS') {
    throw checkoutFailure('PaymentUnconfirmed', `order ${orderId} payment still ${paid || 'unknown'} after ${limits.maxPaymentPolls} polls`);
  }
  const info = await call(run, 'confirmIssued', { orderId }, `confirm order ${orderId} is issued`);
  const missing = codes.filter((c) => !(info.voucherUse?.useCodes ?? []).includes(c));
  const ticketCodes = info.ticketCodes.filter((t) => t.code !== '');
  if (info.status !== 'SUCCESS' || missing.length > 0 || ticketCodes.length === 0) {
    throw checkoutFailure(
      'IssueUnconfirmed',
      `order ${orderId} is ${info.status}; ${missing.length} voucher(s) missing from voucher_use; ${ticketCodes.length} ticket code(s)`,
    );
  }
  status.payment = { status: 'SUCCESS', ticketCodes };
  status.note('PAYING', `order ${orderId} issued with ${ticketCodes.length} ticket code(s)`);
  return { orderId, state: 'ISSUED', ticketCodes };
}
