/**
 * A fresh token handed in while a call is still on its way with the old one (found by the chaos run): the
 * call's TokenInvalid answer is not a reason to wait for another token. The step is called again with the fresh
 * one at once, forward and in compensation. Before, the checkout waited for a token that would never come and
 * compensated (TokenInvalid) or ended NEEDS_ATTENTION.
 */
import { refreshTokenUpdate } from '../../workflows/messages';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { assertReleased, checkoutRequest, FIXTURE, RICH_CODES, startHarness, type CheckoutHarness } from '../helpers/checkout-harness';

let h: CheckoutHarness;
beforeAll(async () => {
  // Calls may take a while here: the slow call below must outlast the refresh by a wide margin.
  h = await startHarness({ name: 'token-mid-call', womeiTimeoutMs: 10_000 });
}, DEV_SERVER_START_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.sandbox.admin.reset());

const freshToken = () => h.sandbox.admin.addToken(FIXTURE.userIds.rich);

/** The slow call: long enough that the refresh (one update) is surely accepted before its answer. */
const SLOW_MS = 5_000;
const LIMITS = { callTimeoutMs: 15_000 };

/** Waits until the sandbox holds the `n`-th request of the latency rule (that call is on its way). */
async function callArrived(n = 1): Promise<void> {
  for (let i = 0; i < 500 && !(await h.sandbox.admin.faults()).some((f) => f.kind === 'latency' && f.hits >= n); i++) await new Promise((r) => setTimeout(r, 20));
}

test('forward: the token expires and a fresh one comes while the pricing is at Womei; it is asked again with it and the checkout completes', async () => {
  const token = await freshToken();
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: SLOW_MS, count: 1 });
  // A token wait long enough that waiting for yet another token would show.
  const handle = await h.start(checkoutRequest({ token, limits: { ...LIMITS, tokenWaitSeconds: 20 } }));
  await callArrived();
  await h.sandbox.admin.expireToken(token);
  await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(await freshToken())] });
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'COMPLETED', vouchers: [RICH_CODES[0], RICH_CODES[1]] });
  const status = await h.status(handle);
  expect(status.timeline.some((t) => t.phase === 'WAITING_FOR_TOKEN')).toBe(false);
  expect(status.lastError?.type).toBe('TokenInvalid');
});

test('compensation: the token expires and a fresh one comes while the unbind is at Womei; the unbind is sent again with it → COMPENSATED, not NEEDS_ATTENTION', async () => {
  const token = await freshToken();
  // The bind lands but its answer is lost, then the read of the order that settles it is refused (a refusal:
  // compensate). Voucher-less changes are slow: the first is the pricing, the second the compensating unbind.
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 },
    { endpoint: 'order/info/', kind: 'error', error: 'badParameter', count: 1 },
    { endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: SLOW_MS, count: 2 },
  ]);
  const handle = await h.start(checkoutRequest({ token, limits: { ...LIMITS, attentionWaitSeconds: 20 } }));
  await callArrived(2);
  expect((await h.status(handle)).phase).toBe('COMPENSATING');
  await h.sandbox.admin.expireToken(token);
  await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(await freshToken())] });
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'WomeiBadRequest' });
  const status = await h.status(handle);
  expect(status).toMatchObject({ outcome: 'COMPENSATED', phase: 'COMPENSATED' });
  expect(status.attempts.unbindVouchers).toBe(2);
  expect(status.timeline.some((t) => t.phase === 'NEEDS_ATTENTION')).toBe(false);
  assertReleased(await h.ledger(), [status.orderId!]);
});
