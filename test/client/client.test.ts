/**
 * The backend-facing client against the real dev server, a real worker and the sandbox over HTTP:
 * idempotent start, the fast "order created" answer, status, result in every outcome, list, cancel.
 */
import { CheckoutClient, IdempotencyConflict, InvalidArgument, visibilityQuery } from '../../src/client';
import { InvalidInput, parseCheckoutInput, type CheckoutRequest } from '../../workflows/input';
import { assertReleased, checkoutRequest, FIXTURE } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

let client: CheckoutClient;
// Each test orders the same seats; a finished checkout keeps them held, so every test starts from the fixture.
const h = useHarness({ name: 'client', beforeClose: async () => client?.close() });
beforeAll(async () => {
  client = await CheckoutClient.connect({ config: h.config, connection: h.env.connection, namespace: 'default' });
});

const ordersOf = async (requestOrderIds: string[]) =>
  (await h.ledger()).orders.filter((o) => requestOrderIds.includes(o.orderId));

test('start twice with the same request id: one workflow, one Womei order', async () => {
  const request = checkoutRequest();
  const ordersBefore = (await h.ledger()).orders.length;
  const [first, second] = [await client.startCheckout(request), await client.startCheckout(request)];
  expect(first.started).toBe(true);
  expect(second.started).toBe(false);
  expect(second.workflowId).toBe(first.workflowId);
  expect(second.runId).toBe(first.runId);

  const result = await client.waitForResult(request.requestId);
  expect(result.outcome).toBe('COMPLETED');
  // Once finished, the request id still maps to that one checkout (REJECT_DUPLICATE), never a new run.
  const third = await client.startCheckout(request);
  expect(third).toMatchObject({ workflowId: first.workflowId, runId: first.runId, started: false });
  const ledger = await h.ledger();
  expect(ledger.orders.length - ordersBefore).toBe(1);
  expect(ledger.orders.filter((o) => o.orderId === result.orderId)).toHaveLength(1);
});

test.each([
  ['start', { waitForOrder: false }],
  ['start with waitForOrder (update-with-start)', { waitForOrder: true }],
] as const)('20 concurrent %s calls of one request id: exactly one says started, all name the same run and order', async (_name, options) => {
  const request = checkoutRequest();
  const answers = await Promise.all(Array.from({ length: 20 }, () => client.startCheckout(request, options)));
  expect(answers.filter((a) => a.started)).toHaveLength(1);
  expect(new Set(answers.map((a) => a.workflowId))).toEqual(new Set([`checkout-${request.requestId}`]));
  expect(new Set(answers.map((a) => a.runId)).size).toBe(1);
  const result = await client.waitForResult(request.requestId);
  expect(result.outcome).toBe('COMPLETED');
  if (options.waitForOrder) expect(new Set(answers.map((a) => a.orderId))).toEqual(new Set([result.orderId]));
  // The ledger: one order for the request, however many starts.
  const ledger = await h.ledger();
  expect(ledger.orders.filter((o) => o.userId === FIXTURE.userIds.rich && o.live)).toEqual([expect.objectContaining({ orderId: result.orderId })]);
});

test('the same request id for another order is refused, not answered with the wrong checkout', async () => {
  const request = checkoutRequest();
  await client.startCheckout(request);
  await expect(client.startCheckout({ ...request, scheduleId: String(FIXTURE.schedules.beijingLate) })).rejects.toBeInstanceOf(
    IdempotencyConflict,
  );
  await client.waitForResult(request.requestId);
});

test('waitForOrder answers with the order id while the checkout goes on (update-with-start)', async () => {
  const request = checkoutRequest();
  const started = await client.startCheckout(request, { waitForOrder: true });
  expect(started.orderId).toMatch(/^\d{18}$/);
  const result = await client.waitForResult(started.workflowId);
  expect(result.orderId).toBe(started.orderId);
  expect(await ordersOf([started.orderId!])).toHaveLength(1);
});

test('getStatus reports phase, order, vouchers and prices without the token', async () => {
  const request = checkoutRequest();
  const { workflowId } = await client.startCheckout(request);
  await client.waitForResult(workflowId);
  const status = await client.getStatus(request.requestId);
  expect(status.phase).toBe('COMPLETED');
  expect(status.orderId).toMatch(/^\d{18}$/);
  expect(status.vouchers.bound).toEqual((request.vouchers as { codes: string[] }).codes);
  expect(status.prices).toMatchObject({ total: 98, vouchers: 98, payment: 0, ticketNum: 2 });
  expect(JSON.stringify(status)).not.toContain(request.token);
});

test('waitForResult returns a compensated outcome instead of throwing', async () => {
  const request = checkoutRequest({ vouchers: { codes: ['NOSUCHVOUCHER0001'] } });
  await client.startCheckout(request);
  const result = await client.waitForResult(request.requestId);
  expect(result.outcome).toBe('COMPENSATED');
  expect(result.reason?.type).toBe('VoucherNotUsable');
  assertReleased(await h.ledger(), result.orders.map((o) => o.orderId));
});

test('list filters on the search attributes', async () => {
  const request = checkoutRequest();
  await client.startCheckout(request);
  const result = await client.waitForResult(request.requestId);
  // Visibility is eventually consistent on the dev server: poll briefly.
  const until = Date.now() + 10_000;
  let found: Awaited<ReturnType<CheckoutClient['list']>> = [];
  while (Date.now() < until) {
    found = await client.list({ requestId: request.requestId, phase: 'COMPLETED' });
    if (found.length === 1 && found[0]!.orderId === result.orderId) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ phase: 'COMPLETED', cinemaId: request.cinemaId, orderId: result.orderId, status: 'COMPLETED' });
  const byOrder = await client.list({ orderId: result.orderId });
  expect(byOrder.map((c) => c.workflowId)).toEqual([found[0]!.workflowId]);
  expect(await client.list({ requestId: request.requestId, phase: 'BINDING' })).toEqual([]);
});

test('list refuses values that are not ids or phases (no query injection)', async () => {
  await expect(client.list({ cinemaId: '9647" OR WorkflowType != "x' })).rejects.toBeInstanceOf(InvalidArgument);
  await expect(client.list({ phase: 'NOPE' as never })).rejects.toThrow(/phase: must be one of/);
  await expect(client.list({ limit: 0 })).rejects.toThrow(/limit/);
  expect(visibilityQuery({ phase: 'BINDING', cinemaId: '9647' })).toBe(
    'WorkflowType = "checkout" AND CheckoutPhase = "BINDING" AND CheckoutCinemaId = "9647"',
  );
});

test('list filters and checkout ids take exactly the request and cinema ids that the input of a checkout takes', () => {
  const takes = (use: () => unknown) => {
    try {
      use();
      return true;
    } catch {
      return false;
    }
  };
  const inputTakes = (over: Partial<CheckoutRequest>) => takes(() => parseCheckoutInput(checkoutRequest(over)));
  for (const requestId of ['r', 'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(80), 'bad id']) {
    const expected = [requestId, inputTakes({ requestId })];
    expect([requestId, takes(() => visibilityQuery({ requestId }))]).toEqual(expected);
    expect([requestId, takes(() => client.workflowIdOf(requestId))]).toEqual(expected);
    expect([requestId, takes(() => client.workflowIdOf(`checkout-${requestId}`))]).toEqual(expected);
  }
  for (const cinemaId of ['9647', '1'.repeat(12), '1'.repeat(13), '1'.repeat(18), '96a7']) {
    expect([cinemaId, takes(() => visibilityQuery({ cinemaId }))]).toEqual([cinemaId, inputTakes({ cinemaId })]);
  }
  expect(() => visibilityQuery({ requestId: 'a'.repeat(65) })).toThrow('requestId: must be 1-64 of A-Z a-z 0-9 _ -');
  expect(client.workflowIdOf('checkout-r1')).toBe(client.workflowIdOf('r1'));
});

test('cancel compensates: vouchers unbound, order released', async () => {
  // A slow bind whose answer still arrives: shorter than the harness's Womei timeout (3 s). At exactly 3 s the
  // client's timeout raced the sandbox's answer, and a bind the client gave up on could land after the unbind.
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'latency', ms: 2_000, count: 1 });
  try {
    const request = checkoutRequest();
    const { workflowId } = await client.startCheckout(request);
    await h.waitForStatus(h.client.workflow.getHandle(workflowId), (s) => s.phase === 'BINDING');
    await client.cancel(request.requestId);
    const result = await client.waitForResult(workflowId);
    expect(result.outcome).toBe('COMPENSATED');
    expect(result.orders.length).toBeGreaterThan(0);
    assertReleased(await h.ledger(), result.orders.map((o) => o.orderId));
  } finally {
    await h.sandbox.admin.clearFaults();
  }
});

test('bad input is refused before anything starts, naming the field', async () => {
  const request = checkoutRequest({ seats: ['not-a-seat'] });
  const error = await client.startCheckout(request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidInput);
  expect((error as InvalidInput).message).toContain('seats.0');
  expect((error as InvalidInput).message).not.toContain(request.token);
  await expect(client.getStatus(request.requestId)).rejects.toThrow(/no checkout/);
});

test("eagerStart on the worker's own NativeConnection completes a checkout; on any other connection the start is refused and nothing starts", async () => {
  const eager = await CheckoutClient.connect({ config: h.config, connection: h.env.nativeConnection, namespace: 'default', eagerStart: true });
  const request = checkoutRequest();
  const started = await eager.startCheckout(request);
  expect(started.started).toBe(true);
  const result = await eager.waitForResult(started.workflowId);
  expect(result.outcome).toBe('COMPLETED');
  expect(await ordersOf([result.orderId!])).toHaveLength(1);

  const misconfigured = await CheckoutClient.connect({ config: h.config, connection: h.env.connection, namespace: 'default', eagerStart: true });
  const refused = checkoutRequest();
  await expect(misconfigured.startCheckout(refused)).rejects.toThrow(/NativeConnection/);
  await expect(client.getStatus(refused.requestId)).rejects.toThrow(/no checkout/);
});
