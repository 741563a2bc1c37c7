/**
 * The real API's configuration: no cancel route (WOMEI_CANCEL_PATH unset, the sandbox serving none). A failed
 * checkout unbinds its vouchers, abandons the order to its hold expiry and, within the deadline, confirms on
 * order/info that the hold lapsed.
 */
import { assertReleased, checkoutRequest, FIXTURE } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const h = useHarness({ name: 'no-cancel', cancelRoute: false, sandbox: { cancelRoute: false } });

test('voucher unusable without a cancel route → order abandoned, then confirmed lapsed', async () => {
  const handle = await h.start(checkoutRequest({ vouchers: { codes: [FIXTURE.vouchers.rich.used] } }));
  const abandoned = await h.waitForStatus(handle, (s) => s.orders[0]?.state === 'ABANDONED');
  expect(abandoned.phase).toBe('COMPENSATING');
  expect((await h.ledger()).orders.find((o) => o.orderId === abandoned.orderId)?.live).toBe(true);
  await h.sandbox.admin.advanceClock(16 * 60);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  const status = await h.status(handle);
  expect(status.orders[0]!.state).toBe('LAPSED');
  expect(status.attempts.confirmLapse).toBeGreaterThanOrEqual(1);
  expect(status.compensations[0]).toMatchObject({ kind: 'releaseOrder', state: 'DONE', note: expect.stringContaining('abandoned') });
  const ledger = await h.ledger();
  expect(ledger.orders.find((o) => o.orderId === status.orderId)).toMatchObject({ status: 'CANCEL', cancelReason: 'expired' });
  assertReleased(ledger, [status.orderId!]);
});

test('bind failing for good without a cancel route → vouchers unbound before the order is abandoned', async () => {
  // The first bind lands but its answer is lost, and the order cannot be read to recover it (Womei down).
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 },
    { endpoint: 'order/info/', kind: 'http5xx' },
  ]);
  const handle = await h.start(checkoutRequest({ limits: { maxBindAttempts: 3 } }));
  const abandoned = await h.waitForStatus(handle, (s) => s.orders[0]?.state === 'ABANDONED');
  // Unbound first: the abandoned order, should anyone pay it before it lapses, consumes no voucher.
  expect(abandoned.compensations.find((c) => c.kind === 'unbindVouchers')?.state).toBe('DONE');
  expect((await h.ledger()).orders.find((o) => o.orderId === abandoned.orderId)?.boundCodes).toEqual([]);
  await h.sandbox.admin.advanceClock(16 * 60);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'BindAttemptsExhausted' });
  expect((await h.status(handle)).attempts).toMatchObject({ bindVouchers: 1, checkBinding: 2 });
  assertReleased(await h.ledger(), [abandoned.orderId!]);
});

test('a deadline too close for the lapse check: the order stays abandoned, the checkout still ends compensated', async () => {
  const deadlineAt = new Date(Date.now() + 3_000).toISOString();
  const { settled, status } = await h.run(checkoutRequest({ vouchers: { codes: [FIXTURE.vouchers.rich.used] }, limits: { deadlineAt, backoffInitialMs: 2_000, backoffMaxMs: 5_000 } }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  expect(status.orders[0]!.state).toBe('ABANDONED');
  expect(status.timeline.some((t) => /deadline reached before order/.test(t.note))).toBe(true);
  // The sandbox lapses it on its own once the hold ends.
  await h.sandbox.admin.advanceClock(16 * 60);
  assertReleased(await h.ledger(), [status.orderId!]);
});
