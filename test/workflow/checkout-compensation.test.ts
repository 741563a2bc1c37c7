/**
 * Checkouts that cannot finish end COMPENSATED (a non-retryable failure typed with the reason, details[0] the
 * result), with the sandbox's cancel route configured: vouchers unbound, order cancelled, seats free.
 */
import { randomUUID } from 'node:crypto';
import { assertReleased, checkoutRequest, FIXTURE, RICH_CODES, SEATS } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';
import type { WomeiApi } from '../../src/womei/types';
import { maskCode } from '../../workflows/voucher-rules';

/** Tampers with the first bind answer of a checkout: use_num off by one (a well-formed answer that proves nothing). */
let tamperNextBind = false;
const wrapWomei = (real: WomeiApi): WomeiApi => ({
  ...real,
  canCancelOrders: real.canCancelOrders,
  async bindVouchers(s, orderId, codes) {
    const answer = await real.bindVouchers(s, orderId, codes);
    if (!tamperNextBind || !answer.voucherUse) return answer;
    tamperNextBind = false;
    return { ...answer, voucherUse: { ...answer.voucherUse, useNum: answer.voucherUse.useNum + 1 } };
  },
});

const h = useHarness({ name: 'compensation', wrapWomei });
beforeEach(() => {
  tamperNextBind = false;
});

async function ordersOf(orderIds: string[]) {
  const ledger = await h.ledger();
  return { ledger, orders: ledger.orders.filter((o) => orderIds.includes(o.orderId)) };
}

test.each([
  ['not in the wallet', FIXTURE.vouchers.loose[0]!.code],
  ['already used by a paid order', FIXTURE.vouchers.rich.used],
  ['expired', FIXTURE.vouchers.rich.expired],
])('voucher %s → COMPENSATED VoucherNotUsable, order cancelled', async (_what, code) => {
  const { settled, status } = await h.run(checkoutRequest({ vouchers: { codes: [RICH_CODES[0]!, code] } }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  expect(status).toMatchObject({ phase: 'COMPENSATED', outcome: 'COMPENSATED', reason: { type: 'VoucherNotUsable' } });
  expect(status.orders).toEqual([expect.objectContaining({ state: 'CANCELLED' })]);
  // Refused from the wallet: no pre-check spent, no bind attempted.
  expect(status.attempts.precheckVoucher ?? 0).toBe(0);
  expect(status.attempts.bindVouchers ?? 0).toBe(0);
  const { ledger, orders } = await ordersOf([status.orderId!]);
  expect(orders[0]).toMatchObject({ status: 'CANCEL', cancelReason: 'cancelled', boundCodes: [] });
  assertReleased(ledger, [status.orderId!]);
  if (settled.status === 'FAILED') expect(settled.result?.outcome).toBe('COMPENSATED');
});

test('a bind refused as VoucherNotUsable: pre-checks name the bad code, and the checkout compensates', async () => {
  const [good, bad] = [RICH_CODES[0]!, RICH_CODES[1]!];
  // The cinema refuses `bad` although the wallet lists it unused: the bind (one request for both codes) and the
  // pre-check of `bad` are refused; the pre-check of `good` passes.
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'error', error: 'voucherDataInvalid' });
  await h.sandbox.admin.addFault({ endpoint: 'order/voucher/price/', when: { voucher_code: bad }, kind: 'error', error: 'voucherDataInvalid' });
  const { settled, status } = await h.run(checkoutRequest({ vouchers: { codes: [good, bad] } }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  if (settled.status !== 'FAILED') return;
  expect(settled.message).toContain(maskCode(bad));
  expect(settled.message).not.toContain(maskCode(good));
  expect(status).toMatchObject({ phase: 'COMPENSATED', reason: { type: 'VoucherNotUsable' } });
  expect(status.vouchers.prechecks).toEqual({ [good]: 'OK', [bad]: 'NOT_USABLE' });
  // Refused, not bound again: one bind, then one pre-check per code.
  expect(status.attempts).toMatchObject({ bindVouchers: 1, precheckVoucher: 2 });
  const { ledger, orders } = await ordersOf([status.orderId!]);
  expect(orders[0]).toMatchObject({ status: 'CANCEL', cancelReason: 'cancelled', boundCodes: [] });
  assertReleased(ledger, [status.orderId!]);
  for (const code of [good, bad]) expect(ledger.vouchers.find((v) => v.code === code)).toMatchObject({ boundOrders: [], consumedBy: null });
});

test('seat taken → COMPENSATED SeatUnavailable, no order made', async () => {
  const before = (await h.ledger()).orders.length;
  const { settled, status } = await h.run(checkoutRequest({ seats: [SEATS[0]!, FIXTURE.soldSeat] }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'SeatUnavailable' });
  expect(status.orders).toEqual([]);
  expect(status.compensations).toEqual([expect.objectContaining({ kind: 'releaseOrder', state: 'SKIPPED' })]);
  const ledger = await h.ledger();
  expect(ledger.orders.length).toBe(before);
  expect(ledger.invariants.ok).toBe(true);
});

test('voucher quota spent → COMPENSATED VoucherQuotaExceeded', async () => {
  await h.sandbox.admin.setConfig({ voucherQuota: 0 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherQuotaExceeded' });
  expect(status.lastError?.type).toBe('VoucherQuotaExceeded');
  const { ledger } = await ordersOf([status.orderId!]);
  assertReleased(ledger, [status.orderId!]);
});

test('bind refused with 4004 验券异常 (order not priced) → COMPENSATED OrderNotPriced: the vouchers are not blamed', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'error', error: 'voucherCheckFailed' });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled).toMatchObject({ status: 'FAILED', type: 'OrderNotPriced' });
  expect(status).toMatchObject({ phase: 'COMPENSATED', reason: { type: 'OrderNotPriced' }, lastError: { type: 'OrderNotPriced' } });
  // Refused, not retried: a retry would send the same bind to the same order.
  expect(status.attempts.bindVouchers).toBe(1);
  // Not a voucher refusal: no pre-check is spent looking for a culprit; both stay in the wallet, unbound.
  expect(status.attempts.precheckVoucher ?? 0).toBe(0);
  expect(status.vouchers.prechecks).toEqual({});
  const { ledger, orders } = await ordersOf([status.orderId!]);
  expect(orders[0]).toMatchObject({ status: 'CANCEL', boundCodes: [] });
  assertReleased(ledger, [status.orderId!]);
});

test('bind failing for good → COMPENSATED BindAttemptsExhausted, vouchers unbound, order cancelled', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'http5xx' });
  const { settled, status } = await h.run(checkoutRequest({ limits: { maxBindAttempts: 3 } }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'BindAttemptsExhausted' });
  expect(status.attempts.bindVouchers).toBe(3);
  expect(status.timeline.filter((t) => /bindVouchers failed \(WomeiUnavailable\); retrying/.test(t.note))).toHaveLength(2);
  expect(status.lastError?.type).toBe('WomeiUnavailable');
  expect(status.compensations).toEqual([
    expect.objectContaining({ kind: 'releaseOrder', state: 'DONE' }),
    expect.objectContaining({ kind: 'unbindVouchers', state: 'DONE' }),
  ]);
  const { ledger } = await ordersOf([status.orderId!]);
  assertReleased(ledger, [status.orderId!]);
});

test('bind whose answer was lost, then a failure → the landed binding is still unbound', async () => {
  // The first bind lands but its answer is lost; reading the order to recover the answer is then refused.
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 },
    { endpoint: 'order/info/', kind: 'error', error: 'badParameter' },
  ]);
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled).toMatchObject({ status: 'FAILED', type: 'WomeiBadRequest' });
  expect(status.attempts).toMatchObject({ bindVouchers: 1, checkBinding: 1 });
  expect(status.compensations.find((c) => c.kind === 'unbindVouchers')?.state).toBe('DONE');
  const { ledger } = await ordersOf([status.orderId!]);
  assertReleased(ledger, [status.orderId!]);
});

test('verify mismatch (bind answer proves nothing) → unbind, bind again, completed', async () => {
  tamperNextBind = true;
  // One voucher: the sandbox counts each bound code against the daily validation quota too.
  const { settled, status } = await h.run(checkoutRequest({ vouchers: { codes: [RICH_CODES[1]!] } }));
  expect(settled.status).toBe('COMPLETED');
  expect(status.attempts).toMatchObject({ bindVouchers: 2, unbindVouchers: 1 });
  expect(status.timeline.some((t) => /unproven bind answer/.test(t.note))).toBe(true);
  const order = (await h.ledger()).orders.find((o) => o.orderId === status.orderId)!;
  expect(order.boundCodes).toEqual([RICH_CODES[1]]);
});

test('garbage bind answer (protocol error) → the order shows the binding landed; taken without binding again', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'garbage', mode: 'truncated', count: 1 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled.status).toBe('COMPLETED');
  expect(status.attempts).toMatchObject({ bindVouchers: 1, checkBinding: 1 });
  expect(status.attempts.unbindVouchers ?? 0).toBe(0);
  expect(status.lastError?.type).toBe('WomeiProtocolError');
  expect(status.vouchers.bound).toEqual([RICH_CODES[0], RICH_CODES[1]]);
  expect(status.prices).toMatchObject({ total: 98, payment: 0, vouchers: 98 });
  // One bind of two codes, bought once: 2 bind validations, no pre-check.
  expect((await h.ledger()).quota[FIXTURE.userIds.rich]!.used).toBe(2);
});

test('client cancellation mid-bind → compensated (Canceled), vouchers unbound, order cancelled', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'latency', ms: 1_500, count: 1 });
  const handle = await h.start(checkoutRequest({ requestId: `cancel-${randomUUID().slice(0, 8)}` }));
  await h.waitForStatus(handle, (s) => s.phase === 'BINDING');
  await handle.cancel();
  const settled = await h.settle(handle);
  expect(settled.status).toBe('CANCELLED');
  const status = await h.status(handle);
  expect(status).toMatchObject({ phase: 'COMPENSATED', outcome: 'COMPENSATED', reason: { type: 'Cancelled' } });
  const { ledger, orders } = await ordersOf([status.orderId!]);
  expect(orders[0]).toMatchObject({ status: 'CANCEL', cancelReason: 'cancelled', boundCodes: [] });
  assertReleased(ledger, [status.orderId!]);
});
