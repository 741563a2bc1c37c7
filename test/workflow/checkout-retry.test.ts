/**
 * Transient Womei failures: the gateway's 429, a bind outage that ends, a create whose answer is lost, and a
 * seat hold lapsing during a long bind outage (new order round; the old one released).
 */
import { assertReleased, checkoutRequest, FIXTURE, RICH_CODES } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const h = useHarness({ name: 'retry' });

const BIND = { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' } } as const;

test('gateway 429 on bind: retried after ratelimit-reset, then completed', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'rateLimit', retryAfterSeconds: 1, count: 1 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled.status).toBe('COMPLETED');
  expect(status.attempts.bindVouchers).toBe(2);
  const retry = status.timeline.find((t) => /bindVouchers failed \(WomeiRateLimited\); retrying in (\d+) ms/.test(t.note));
  expect(retry).toBeDefined();
  // The server's ratelimit-reset (1 s) wins over the short test back-off (50 ms).
  expect(Number(/retrying in (\d+) ms/.exec(retry!.note)![1])).toBeGreaterThanOrEqual(1_000);
  const binds = status.timeline.filter((t) => t.step === 'bindVouchers' || /bound to order/.test(t.note));
  expect(Date.parse(binds[binds.length - 1]!.at) - Date.parse(retry!.at)).toBeGreaterThanOrEqual(1_000);
});

test('bind failing 3 times then succeeding: durable back-off, one binding', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'http5xx', count: 3 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled.status).toBe('COMPLETED');
  expect(status.attempts.bindVouchers).toBe(4);
  expect(status.timeline.filter((t) => /retrying in/.test(t.note)).map((t) => /in (\d+) ms/.exec(t.note)![1])).toEqual(['50', '100', '200']);
  const ledger = await h.ledger();
  const live = ledger.orders.filter((o) => o.live);
  expect(live).toHaveLength(1);
  expect(live[0]!.boundCodes).toEqual([RICH_CODES[0], RICH_CODES[1]]);
});

test('create answer lost: the order it made is found and adopted — exactly one live order', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled.status).toBe('COMPLETED');
  expect(status.orders).toEqual([expect.objectContaining({ origin: 'adopted', state: 'LIVE' })]);
  expect(status.attempts).toMatchObject({ createOrder: 1, findLostOrder: 1 });
  const ledger = await h.ledger();
  const mine = ledger.orders.filter((o) => o.scheduleId === FIXTURE.schedules.beijing && o.status === 'PENDING');
  expect(mine).toHaveLength(1);
  expect(mine[0]!.orderId).toBe(status.orderId);
  expect(ledger.invariants.liveOrdersPerUser[FIXTURE.userIds.rich]).toBe(1);
});

test('create failing before reaching Womei (5xx): nothing to adopt, created again', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/ticket/', kind: 'http5xx', count: 1 });
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled.status).toBe('COMPLETED');
  expect(status.orders).toEqual([expect.objectContaining({ origin: 'created' })]);
  expect(status.attempts).toMatchObject({ createOrder: 2, findLostOrder: 1 });
  expect((await h.ledger()).invariants.liveOrdersPerUser[FIXTURE.userIds.rich]).toBe(1);
});

test('hold lapses during a long bind outage: new order round, old order released, vouchers on the new one', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'http5xx' });
  const handle = await h.start(checkoutRequest({ limits: { maxBindAttempts: 30 } }));
  await h.waitForStatus(handle, (s) => (s.attempts.bindVouchers ?? 0) >= 2);
  // Past the 15-minute hold: the sandbox's clock moves, ours does not need to.
  await h.sandbox.admin.advanceClock(16 * 60);
  await h.sandbox.admin.clearFaults();
  const settled = await h.settle(handle);
  expect(settled.status).toBe('COMPLETED');
  const status = await h.status(handle);
  expect(status.round).toBe(2);
  expect(status.orders).toHaveLength(2);
  const [first, second] = status.orders;
  expect(first).toMatchObject({ round: 1, state: 'LAPSED' });
  expect(second).toMatchObject({ round: 2, state: 'LIVE' });
  expect(status.orderId).toBe(second!.orderId);
  // The lapsed order's vouchers are not unbound: Womei would only refuse it (OrderExpired).
  expect(status.attempts.unbindVouchers).toBeUndefined();
  // Bind first: no pre-check in either round, the bind validates the codes.
  expect(status.attempts.precheckVoucher).toBeUndefined();
  const ledger = await h.ledger();
  assertReleased(ledger, [first!.orderId]);
  expect(ledger.orders.find((o) => o.orderId === second!.orderId)).toMatchObject({ live: true, boundCodes: [RICH_CODES[0], RICH_CODES[1]] });
});

test('deadline reached during a bind outage → COMPENSATED DeadlineExceeded', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'http5xx' });
  const deadlineAt = new Date(Date.now() + 4_000).toISOString();
  const { settled, status } = await h.run(checkoutRequest({ limits: { deadlineAt, maxBindAttempts: 100, backoffMaxMs: 1_000 } }));
  expect(settled).toMatchObject({ status: 'FAILED', type: 'DeadlineExceeded' });
  expect(status.lastError?.type).toBe('WomeiUnavailable');
  assertReleased(await h.ledger(), [status.orderId!]);
});

test('unclear pre-check (5xx) after a refused bind is not asked again (quota); the refusal stands, compensated', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'error', error: 'voucherDataInvalid', count: 1 });
  await h.sandbox.admin.addFault({ endpoint: 'order/voucher/price/', kind: 'http5xx', count: 1 });
  const { settled, status } = await h.run(checkoutRequest());
  // No pre-check blames a code, so the same codes are not bound again for the same answer.
  expect(settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  expect(status.attempts).toMatchObject({ bindVouchers: 1, precheckVoucher: 2 });
  expect(Object.values(status.vouchers.prechecks).sort()).toEqual(['OK', 'UNCHECKED']);
  assertReleased(await h.ledger(), [status.orderId!]);
});

test('policy best: a bind refused as VoucherNotUsable: the code its pre-check refuses is replaced by the next one', async () => {
  await h.sandbox.admin.addFault({ ...BIND, kind: 'error', error: 'voucherDataInvalid', count: 1 });
  await h.sandbox.admin.addFault({ endpoint: 'order/voucher/price/', kind: 'error', error: 'voucherDataInvalid', count: 1 });
  const { settled, status } = await h.run(checkoutRequest({ vouchers: { policy: 'best' } }));
  expect(settled.status).toBe('COMPLETED');
  expect(Object.values(status.vouchers.prechecks).sort()).toEqual(['NOT_USABLE', 'OK', 'OK']);
  expect(status.vouchers.chosen).toHaveLength(2);
  expect(status.vouchers.chosen).toContain(RICH_CODES[2]);
  const refused = Object.entries(status.vouchers.prechecks).find(([, r]) => r === 'NOT_USABLE')![0];
  expect(status.vouchers.bound).not.toContain(refused);
  expect(status.attempts.bindVouchers).toBe(2);
  const order = (await h.ledger()).orders.find((o) => o.orderId === status.orderId)!;
  expect(order).toMatchObject({ live: true });
  expect([...order.boundCodes].sort()).toEqual([...status.vouchers.chosen].sort());
});
