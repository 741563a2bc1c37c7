/**
 * The 0-yuan pay step settled by the order (found by the chaos run). A client cancel that reaches it: not paid
 * yet, the checkout compensates as cancelled (vouchers unbound, order released); already paid, the cancel came
 * too late and the checkout finishes ISSUED. An unclear payment of an order whose hold lapsed meanwhile is not
 * taken for paid: the checkout compensates (OrderExpired). Before, all three ended NEEDS_ATTENTION.
 */
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { assertReleased, checkoutRequest, FIXTURE, RICH_CODES, SEATS, startHarness, type CheckoutHarness } from '../helpers/checkout-harness';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'pay-cancel', sandbox: { paymentSeconds: 0.3 } });
}, DEV_SERVER_START_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.sandbox.admin.reset());

const free = (overrides: Parameters<typeof checkoutRequest>[0] = {}) =>
  checkoutRequest({ seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich, ...overrides });

test('cancelled while the pay step backs off after an unclear answer (not paid): compensated as cancelled, vouchers unbound, order released', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'http5xx', status: 502, count: 1 });
  const handle = await h.start(free({ limits: { backoffInitialMs: 5_000, backoffMaxMs: 5_000 } }));
  await h.waitForStatus(handle, (s) => s.phase === 'PAYING' && s.nextAttemptAt !== undefined);
  await handle.cancel();
  const settled = await h.settle(handle);
  // Temporal's cancellation carries no details: the status tells how it ended.
  expect(settled.status).toBe('CANCELLED');
  const status = await h.status(handle);
  expect(status).toMatchObject({ phase: 'COMPENSATED', outcome: 'COMPENSATED', reason: { type: 'Cancelled' } });
  const ledger = await h.ledger();
  assertReleased(ledger, [status.orderId!]);
  expect(ledger.orders.find((o) => o.orderId === status.orderId)).toMatchObject({ status: 'CANCEL', paidAt: null });
  expect(ledger.vouchers.find((v) => v.code === RICH_CODES[0])).toMatchObject({ state: 'unused', consumedBy: null });
}, 60_000);

test('cancelled while the payment request is on its way and lands: the cancel is too late, the checkout finishes ISSUED', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'latency', ms: 1_500, count: 1 });
  const handle = await h.start(free());
  await h.waitForStatus(handle, (s) => s.phase === 'PAYING');
  // The request is at the sandbox (its latency rule fired): the payment will be applied.
  for (let i = 0; i < 100 && !(await h.sandbox.admin.faults()).some((f) => f.hits > 0); i++) await new Promise((r) => setTimeout(r, 20));
  await handle.cancel();
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'COMPLETED', result: { outcome: 'COMPLETED', state: 'ISSUED', vouchers: [RICH_CODES[0]] } });
  const ledger = await h.ledger();
  const orderId = settled.status === 'COMPLETED' ? settled.result.orderId : undefined;
  expect(ledger.orders.find((o) => o.orderId === orderId)).toMatchObject({ status: 'SUCCESS' });
  expect(ledger.vouchers.find((v) => v.code === RICH_CODES[0])).toMatchObject({ consumedBy: orderId });
}, 60_000);

test('an unclear payment of an order whose hold lapsed meanwhile is not a payment: compensated OrderExpired, the voucher unspent', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'hang', count: 1 });
  const handle = await h.start(free());
  // The pay request hangs at Womei (never applied) while the hold runs out.
  for (let i = 0; i < 300 && !(await h.sandbox.admin.faults()).some((f) => f.hits > 0); i++) await new Promise((r) => setTimeout(r, 20));
  await h.sandbox.admin.advanceClock(16 * 60);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'OrderExpired' });
  const status = await h.status(handle);
  expect(status).toMatchObject({ outcome: 'COMPENSATED', orders: [expect.objectContaining({ state: 'LAPSED' })] });
  expect(status.attempts.queryPayment ?? 0).toBe(0);
  const ledger = await h.ledger();
  expect(ledger.orders.find((o) => o.orderId === status.orderId)).toMatchObject({ status: 'CANCEL', cancelReason: 'expired', paidAt: null });
  expect(ledger.vouchers.find((v) => v.code === RICH_CODES[0])).toMatchObject({ state: 'unused', consumedBy: null });
}, 60_000);
