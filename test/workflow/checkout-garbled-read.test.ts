/**
 * A garbled answer (a body cut short, a field missing) to a call that may be repeated is retried like any
 * transient failure (found by the chaos run: one such answer compensated a checkout, or left a paid one in
 * NEEDS_ATTENTION). One-shot calls still take it as an answer that may have been lost.
 */
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { checkoutRequest, FIXTURE, RICH_CODES, SEATS, startHarness, type CheckoutHarness } from '../helpers/checkout-harness';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startHarness({ name: 'garbled-read', sandbox: { paymentSeconds: 0.3 } });
}, DEV_SERVER_START_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.sandbox.admin.reset());

test('a truncated order/info answer while settling a lost bind answer is read again: COMPLETED', async () => {
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 },
    { endpoint: 'order/info/', kind: 'garbage', mode: 'truncated', count: 1 },
  ]);
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled).toMatchObject({ status: 'COMPLETED', result: { state: 'READY_TO_PAY', vouchers: [RICH_CODES[0], RICH_CODES[1]] } });
  // One look at the order, its garbled answer retried inside the activity; the bind was not sent again.
  expect(status.attempts).toMatchObject({ bindVouchers: 1, checkBinding: 1 });
  expect(status.lastError?.step).toBe('bindVouchers');
  expect((await h.ledger()).requests.byEndpoint['GET order/info/']).toBe(2);
});

test('a payment poll answer missing a field is polled again: the paid checkout finishes ISSUED', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/query/', kind: 'garbage', mode: 'dropField', field: 'data.order_id', count: 1 });
  const { settled } = await h.run(checkoutRequest({ seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich }));
  expect(settled).toMatchObject({ status: 'COMPLETED', result: { state: 'ISSUED' } });
});
