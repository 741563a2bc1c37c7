/**
 * Completed checkouts against the real dev server and sandbox: explicit and chosen vouchers, full and partial
 * cover, the 0-yuan pivot, update-with-start's "order created" answer, and input refused at the door.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { CHECKOUT_ORDER_ID, CHECKOUT_PHASE, CHECKOUT_REQUEST_ID } from '../../workflows/search-attributes';
import { checkoutWorkflowId, replaceVouchersUpdate, waitForOrderUpdate } from '../../workflows/messages';
import type { checkout } from '../../workflows/checkout';
import { checkoutRequest, FIXTURE, RICH, RICH_CODES, SEATS } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const h = useHarness({ name: 'happy', sandbox: { paymentSeconds: 0.3 } });

test('2 vouchers on 2 seats: bound, verified, ready to pay 0 yuan', async () => {
  const input = checkoutRequest();
  const { settled, status, handle } = await h.run(input);
  expect(settled.status).toBe('COMPLETED');
  if (settled.status !== 'COMPLETED') return;
  const r = settled.result;
  expect(r).toMatchObject({ outcome: 'COMPLETED', state: 'READY_TO_PAY', vouchers: [RICH_CODES[0], RICH_CODES[1]] });
  expect(r.prices).toEqual({ total: 98, payment: 0, vouchers: 98, ticketPrices: [49, 49], ticketNum: 2 });

  expect(status.phase).toBe('COMPLETED');
  expect(status.orderId).toBe(r.orderId);
  expect(status.attempts).toEqual({ createOrder: 1, listVouchers: 1, priceOrder: 1, bindVouchers: 1 });
  // Bind first: no pre-check; the bind answer is the verification.
  expect(status.vouchers.prechecks).toEqual({});
  expect(status.timeline.map((t) => t.phase)).toEqual(expect.arrayContaining(['CREATING_ORDER', 'PRICING', 'VERIFYING', 'COMPLETED']));
  expect(JSON.stringify(status)).not.toContain(RICH);
  expect(JSON.stringify(r)).not.toContain(RICH);

  const desc = await handle.describe();
  expect(desc.typedSearchAttributes.get(CHECKOUT_PHASE)).toBe('COMPLETED');
  expect(desc.typedSearchAttributes.get(CHECKOUT_ORDER_ID)).toBe(r.orderId);
  expect(desc.typedSearchAttributes.get(CHECKOUT_REQUEST_ID)).toBe(input.requestId);
  // Search attributes at milestones only: at the start, with the order, at the outcome; and the SDK's own
  // TemporalChangeVersion upsert beside the one patch marker of the lean shape.
  const { events } = await handle.fetchHistory();
  expect(events?.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length).toBe(4);
  expect(events?.filter((e) => e.markerRecordedEventAttributes).length).toBe(1);

  const ledger = await h.ledger();
  const order = ledger.orders.find((o) => o.orderId === r.orderId)!;
  expect(order).toMatchObject({ status: 'PENDING', live: true, boundCodes: [RICH_CODES[0], RICH_CODES[1]], prices: { total: 98, voucher: 98, payment: 0 } });
  expect(ledger.invariants.liveOrdersPerUser[FIXTURE.userIds.rich]).toBe(1);
  // Counted by the sandbox, not by the workflow: one bind of two codes spends 2 validations, and the whole
  // checkout makes 4 Womei calls (create, wallet, price, bind).
  expect(ledger.quota[FIXTURE.userIds.rich]!.used).toBe(2);
  expect(ledger.requests.total).toBeLessThanOrEqual(5);
  expect(ledger.requests.byEndpoint).toEqual({ 'POST order/ticket/': 1, 'GET user/voucher/list/': 1, 'POST order/change/': 2 });
});

test('1 voucher on 2 seats: partial cover, one ticket left to pay', async () => {
  const { settled } = await h.run(checkoutRequest({ vouchers: { codes: [RICH_CODES[2]!] } }));
  expect(settled.status).toBe('COMPLETED');
  if (settled.status !== 'COMPLETED') return;
  expect(settled.result.prices).toEqual({ total: 98, payment: 49, vouchers: 49, ticketPrices: [49, 49], ticketNum: 2 });
  const order = (await h.ledger()).orders.find((o) => o.orderId === settled.result.orderId)!;
  expect(order).toMatchObject({ live: true, boundCodes: [RICH_CODES[2]], prices: { payment: 49 } });
});

test('policy best: chooses unexpired wallet vouchers, at most one per ticket, never the expired/used ones', async () => {
  const { settled, status } = await h.run(checkoutRequest({ seats: [SEATS[0]!], vouchers: { policy: 'best' } }));
  expect(settled.status).toBe('COMPLETED');
  if (settled.status !== 'COMPLETED') return;
  // All usable fixture vouchers expire together: ties go by code, so the choice is deterministic.
  expect(settled.result.vouchers).toEqual([RICH_CODES[0]]);
  expect(status.vouchers.chosen).toEqual([RICH_CODES[0]]);
  const { expired, used, disabled } = FIXTURE.vouchers.rich;
  expect(status.vouchers.chosen).not.toEqual(expect.arrayContaining([expired, used, disabled]));

  const two = await h.run(checkoutRequest({ seats: [SEATS[2]!, SEATS[3]!], vouchers: { policy: 'best', max: 1 } }));
  expect(two.settled.status).toBe('COMPLETED');
  if (two.settled.status === 'COMPLETED') expect(two.settled.result.prices?.payment).toBe(49);
});

test('0-yuan pivot: pays, polls to SUCCESS, confirms tickets issued with the vouchers consumed', async () => {
  const { settled, status } = await h.run(checkoutRequest({ payIfFree: true, mobile: FIXTURE.phones.rich }));
  expect(settled.status).toBe('COMPLETED');
  if (settled.status !== 'COMPLETED') return;
  expect(settled.result.state).toBe('ISSUED');
  expect(settled.result.ticketCodes?.length).toBeGreaterThan(0);
  expect(status.payment?.status).toBe('SUCCESS');
  expect(status.compensations.every((c) => c.state !== 'PENDING' && c.state !== 'FAILED')).toBe(true);
  const ledger = await h.ledger();
  const order = ledger.orders.find((o) => o.orderId === settled.result.orderId)!;
  expect(order).toMatchObject({ status: 'SUCCESS', live: false });
  expect(order.ticketCode).not.toBe('');
  for (const code of [RICH_CODES[0]!, RICH_CODES[1]!]) {
    expect(ledger.vouchers.find((v) => v.code === code)).toMatchObject({ state: 'used', consumedBy: order.orderId });
  }
  expect(ledger.invariants.ok).toBe(true);
});

test('update-with-start answers "order created" before the checkout finishes', async () => {
  const input = checkoutRequest();
  const startOp = new WithStartWorkflowOperation<typeof checkout>('checkout', {
    workflowId: checkoutWorkflowId(input.requestId),
    taskQueue: h.taskQueue,
    args: [{ ...input, token: h.seal(input.token) }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const answer = await h.client.workflow.executeUpdateWithStart(waitForOrderUpdate, { startWorkflowOperation: startOp });
  expect(answer.orderId).toMatch(/^\d{18}$/);
  const handle = await startOp.workflowHandle();
  const result = await handle.result();
  expect(result.orderId).toBe(answer.orderId);
});

test('replaceVouchers is refused once binding has started', async () => {
  const input = checkoutRequest();
  const handle = await h.start(input);
  await handle.result();
  await expect(handle.executeUpdate(replaceVouchersUpdate, { args: [{ codes: [RICH_CODES[3]!] }] })).rejects.toThrow();
});

test('replaceVouchers before binding: the new choice is bound', async () => {
  // A slow pricing holds the checkout before binding long enough to replace the choice.
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: 700, count: 1 });
  const handle = await h.start(checkoutRequest({ seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] } }));
  await h.waitForStatus(handle, (s) => s.phase === 'PRICING');
  const answer = await handle.executeUpdate(replaceVouchersUpdate, { args: [{ codes: [RICH_CODES[4]!] }] });
  expect(answer.vouchers).toEqual({ codes: [RICH_CODES[4]] });
  const result = await handle.result();
  expect(result.vouchers).toEqual([RICH_CODES[4]]);
  const order = (await h.ledger()).orders.find((o) => o.orderId === result.orderId)!;
  expect(order.boundCodes).toEqual([RICH_CODES[4]]);
});

test('invalid input fails InvalidInput before any activity, naming the field and never the token', async () => {
  const bad = { ...checkoutRequest(), seats: ['not-a-seat'], token: 'ABCDEF' };
  const handle = await h.start(bad);
  const settled = await h.settle(handle);
  expect(settled).toMatchObject({ status: 'FAILED', type: 'InvalidInput' });
  if (settled.status === 'FAILED') {
    expect(settled.message).toContain('seats.0');
    expect(settled.message).toContain('token');
    expect(settled.message).not.toContain('ABCDEF');
  }
  const history = await handle.fetchHistory();
  expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
});
