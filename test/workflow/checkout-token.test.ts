/**
 * The user's token expiring mid-checkout: a fresh one handed in through `refreshToken` lets the checkout carry
 * on; without one it compensates (COMPENSATED when nothing can be consumed; NEEDS_ATTENTION when vouchers stay
 * bound to a payable order), and a token handed in during NEEDS_ATTENTION lets the compensation finish. Tokens
 * travel sealed: a plaintext one is refused at the workflow's door and by refreshToken's validator.
 */
import type { checkout } from '../../workflows/checkout';
import { CHECKOUT_PHASE } from '../../workflows/search-attributes';
import { checkoutWorkflowId, refreshTokenUpdate } from '../../workflows/messages';
import { formatStatus } from '../../src/cli-format';
import { assertReleased, checkoutRequest, FIXTURE, RICH_CODES } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const h = useHarness({ name: 'token' });

test('a plaintext token (a caller that skipped the client) is refused at the door: TokenNotSealed, nothing sent to Womei', async () => {
  const before = (await h.ledger()).requests.total;
  const input = checkoutRequest({ token: await freshToken() });
  const handle = await h.client.workflow.start<typeof checkout>('checkout', {
    taskQueue: h.taskQueue,
    workflowId: checkoutWorkflowId(input.requestId),
    args: [input],
  });
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'TokenNotSealed', message: expect.stringMatching(/not sealed.*TOKEN_SEAL_PUBLIC_KEY/) });
  if (settled.status === 'FAILED') expect(settled.message).not.toContain(input.token);
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
  expect((await h.ledger()).requests.total).toBe(before);
});

/** A session of the rich user that this test alone uses (and expires). */
const freshToken = () => h.sandbox.admin.addToken(FIXTURE.userIds.rich);

test('token expires during pricing; refreshToken hands in a new one; the checkout carries on', async () => {
  const token = await freshToken();
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: 600, count: 1 });
  const handle = await h.start(checkoutRequest({ token }));
  await h.waitForStatus(handle, (s) => s.phase === 'PRICING');
  await h.sandbox.admin.expireToken(token);
  const waiting = await h.waitForStatus(handle, (s) => s.phase === 'WAITING_FOR_TOKEN');
  expect(waiting.lastError?.type).toBe('TokenInvalid');
  expect((await handle.describe()).typedSearchAttributes.get(CHECKOUT_PHASE)).toBe('WAITING_FOR_TOKEN');

  await expect(handle.executeUpdate(refreshTokenUpdate, { args: ['not-a-token'] })).rejects.toThrow();
  const next = await freshToken();
  // Only a sealed token gets past the update's validator (a refused update leaves nothing in history).
  await expect(handle.executeUpdate(refreshTokenUpdate, { args: [next] })).rejects.toMatchObject({
    cause: { message: expect.stringMatching(/token: must be sealed/) },
  });
  const answer = await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(next)] });
  expect(answer.resumed).toBe(true);

  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'COMPLETED', vouchers: [RICH_CODES[0], RICH_CODES[1]] });
  const status = await h.status(handle);
  expect(status.timeline.some((t) => /fresh token received/.test(t.note))).toBe(true);
  const everything = JSON.stringify({ status, result, history: await handle.fetchHistory() });
  expect(JSON.stringify({ status, result })).not.toContain(token);
  expect(JSON.stringify({ status, result })).not.toContain(next);
  expect(everything.length).toBeGreaterThan(0);
  const order = (await h.ledger()).orders.find((o) => o.orderId === result.orderId)!;
  expect(order).toMatchObject({ live: true, boundCodes: [RICH_CODES[0], RICH_CODES[1]] });
});

test('token expires before binding and none comes → COMPENSATED TokenInvalid; order abandoned to its hold', async () => {
  const token = await freshToken();
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: 600, count: 1 });
  const handle = await h.start(checkoutRequest({ token, limits: { tokenWaitSeconds: 1 } }));
  await h.waitForStatus(handle, (s) => s.phase === 'PRICING');
  await h.sandbox.admin.expireToken(token);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'TokenInvalid' });
  const status = await h.status(handle);
  expect(status).toMatchObject({ phase: 'COMPENSATED', outcome: 'COMPENSATED' });
  // Binding never started (nothing to unbind); the cancel needs a token, so the order is left to lapse.
  expect(status.compensations).toEqual([expect.objectContaining({ kind: 'releaseOrder', state: 'DONE' })]);
  expect(status.orders[0]!.state).toBe('ABANDONED');
  let ledger = await h.ledger();
  expect(ledger.orders.find((o) => o.orderId === status.orderId)).toMatchObject({ live: true, boundCodes: [] });
  await h.sandbox.admin.advanceClock(16 * 60);
  ledger = await h.ledger();
  assertReleased(ledger, [status.orderId!]);
});

async function bindThenExpire(attentionWaitSeconds: number) {
  const token = await freshToken();
  // The bind lands but its answer is garbled, and the read of the order that settles it (order/info/) is
  // slow: the token expires after the vouchers were bound.
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'garbage', mode: 'truncated', count: 1 },
    { endpoint: 'order/info/', kind: 'latency', ms: 600, count: 1 },
  ]);
  const handle = await h.start(checkoutRequest({ token, limits: { tokenWaitSeconds: 1, attentionWaitSeconds } }));
  await h.waitForStatus(handle, (s) => s.lastError?.step === 'bindVouchers');
  await h.sandbox.admin.expireToken(token);
  return handle;
}

test('token expires after binding and none comes → NEEDS_ATTENTION (vouchers still bound, loudly visible)', async () => {
  const handle = await bindThenExpire(1);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'NeedsAttention' });
  if (settled.status === 'FAILED') expect(settled.result?.outcome).toBe('NEEDS_ATTENTION');
  const status = await h.status(handle);
  expect(status).toMatchObject({ phase: 'NEEDS_ATTENTION', outcome: 'NEEDS_ATTENTION', reason: { type: 'TokenInvalid' } });
  expect(status.compensations.find((c) => c.kind === 'unbindVouchers')?.state).toBe('FAILED');
  expect((await handle.describe()).typedSearchAttributes.get(CHECKOUT_PHASE)).toBe('NEEDS_ATTENTION');
  const order = (await h.ledger()).orders.find((o) => o.orderId === status.orderId)!;
  expect(order.boundCodes).toEqual([RICH_CODES[0], RICH_CODES[1]]);
});

test('NEEDS_ATTENTION: a fresh token lets the compensation finish → COMPENSATED, vouchers unbound, order cancelled', async () => {
  const handle = await bindThenExpire(30);
  await h.waitForStatus(handle, (s) => s.phase === 'NEEDS_ATTENTION');
  const answer = await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(await freshToken())] });
  expect(answer).toMatchObject({ phase: 'NEEDS_ATTENTION', resumed: true });
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'TokenInvalid' });
  const status = await h.status(handle);
  expect(status.phase).toBe('COMPENSATED');
  expect(status.orders[0]!.state).toBe('CANCELLED');
  assertReleased(await h.ledger(), [status.orderId!]);
});

test('a bind whose answer was lost, then the token expires: NEEDS_ATTENTION shows the codes that may still be bound', async () => {
  const token = await freshToken();
  // The bind lands but its answer is lost; the check of the order (order/info/) arrives after the token expired.
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 },
    { endpoint: 'order/info/', kind: 'latency', ms: 800, count: 1 },
  ]);
  const handle = await h.start(checkoutRequest({ token, limits: { tokenWaitSeconds: 1, attentionWaitSeconds: 1 } }));
  await h.waitForStatus(handle, (s) => s.lastError?.step === 'bindVouchers');
  await h.sandbox.admin.expireToken(token);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'NeedsAttention' });
  const status = await h.status(handle);
  // The ledger: both codes sit on the live order.
  const order = (await h.ledger()).orders.find((o) => o.orderId === status.orderId)!;
  expect(order).toMatchObject({ live: true, boundCodes: [RICH_CODES[0], RICH_CODES[1]] });
  // None was verified, and the status says so, but it names both as possibly bound.
  expect(status.vouchers.bound).toEqual([]);
  expect(status.vouchers.mayBeBound).toEqual([RICH_CODES[0], RICH_CODES[1]]);
  if (settled.status === 'FAILED') expect(settled.result?.vouchersMayBeBound).toEqual([RICH_CODES[0], RICH_CODES[1]]);
  expect(formatStatus(status).join('\n')).toContain(`may still be bound on Womei: ${RICH_CODES[0]}, ${RICH_CODES[1]}`);
});
