/**
 * Several checkouts of ONE user at once, with create answers lost: a checkout takes, binds or releases only an
 * order it proved and claimed (issue 9). Judged from the sandbox ledger and the claim registry (helpers/
 * ownership.ts), never from what a workflow says about itself. Real dev server, real sandbox over HTTP.
 */
import type { CheckoutRequest } from '../../workflows/input';
import { temporalOrderClaims } from '../../activities/order-claims';
import type { WomeiApi } from '../../src/womei/types';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { checkoutRequest, FIXTURE, RICH_CODES, SEATS, startHarness, type CheckoutHarness, type Settled } from '../helpers/checkout-harness';
import { claimOwner, hall8Seat, ownershipViolations, type JudgedCheckout } from '../helpers/ownership';

/** When set, the next order Womei creates is claimed for this checkout id before the creator can claim it. */
let claimNextOrderFor: string | undefined;
let h: CheckoutHarness;

const wrapWomei = (real: WomeiApi): WomeiApi => ({
  ...real,
  canCancelOrders: real.canCancelOrders,
  async createOrder(s, p) {
    const created = await real.createOrder(s, p);
    const sibling = claimNextOrderFor;
    if (sibling !== undefined) {
      claimNextOrderFor = undefined;
      // A sibling that found this order while looking for its own lost one, in the moment before our claim.
      await temporalOrderClaims(h.client, h.taskQueue).claim(created.orderId, { workflowId: sibling, runId: 'sibling-run' });
    }
    return created;
  },
});

beforeAll(async () => {
  // Many checkouts of one user: the quota and Kong's limit are per user and per token, raised here.
  h = await startHarness({ name: 'ownership', wrapWomei, sandbox: { voucherQuota: 1000, rateLimitPerMinute: 100_000 } });
}, DEV_SERVER_START_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  claimNextOrderFor = undefined;
  await h.sandbox.admin.reset();
});

const LOST_CREATE = { endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 } as const;

function judged(request: CheckoutRequest, settled: Settled): JudgedCheckout {
  const codes = 'codes' in request.vouchers ? request.vouchers.codes : [];
  return { workflowId: `checkout-${request.requestId}`, seats: request.seats, codes, settled };
}

test("the issue's reproduction: a lost create never touches the user's completed checkout", async () => {
  const before = await h.ledger();
  const e = checkoutRequest({ seats: [SEATS[2]!, SEATS[3]!], vouchers: { codes: [RICH_CODES[2]!, RICH_CODES[3]!] } });
  const runE = await h.run(e);
  expect(runE.settled.status).toBe('COMPLETED');
  const orderE = runE.status.orderId!;

  await h.sandbox.admin.addFault(LOST_CREATE);
  const n = checkoutRequest({ seats: [SEATS[0]!, SEATS[1]!], vouchers: { codes: [RICH_CODES[0]!, RICH_CODES[1]!] } });
  const runN = await h.run(n);
  expect(runN.settled.status).toBe('COMPLETED');
  expect(runN.status.orders).toEqual([expect.objectContaining({ origin: 'adopted', state: 'LIVE' })]);

  const ledger = await h.ledger();
  // E's order: live, E's vouchers and only ever E's.
  expect(ledger.orders.find((o) => o.orderId === orderE)).toMatchObject({
    status: 'PENDING',
    live: true,
    cancelReason: null,
    boundCodes: [RICH_CODES[2], RICH_CODES[3]],
    codesEverBound: [RICH_CODES[2], RICH_CODES[3]],
  });
  expect(await ownershipViolations(ledger, [judged(e, runE.settled), judged(n, runN.settled)], { client: h.client, before })).toEqual([]);
  expect(await claimOwner(h.client, orderE)).toBe(`checkout-${e.requestId}`);
});

test('a sibling order matching every proof but the claim (same seats): left alone, shown, never cancelled', async () => {
  const e = checkoutRequest({ vouchers: { codes: [RICH_CODES[2]!, RICH_CODES[3]!] } });
  const runE = await h.run(e);
  expect(runE.settled.status).toBe('COMPLETED');
  const orderE = runE.status.orderId!;

  // N asks for the same seats; Womei refuses its create (E holds them) and the refusal is lost on the way back:
  // N must look, and finds E's order: PENDING, same schedule, exactly its seats, inside the window.
  await h.sandbox.admin.addFault(LOST_CREATE);
  const runN = await h.run(checkoutRequest({ vouchers: { codes: [RICH_CODES[0]!, RICH_CODES[1]!] } }));
  expect(runN.settled).toMatchObject({ status: 'FAILED', type: 'SeatUnavailable' });
  expect(runN.status.foreignOrders).toEqual([{ orderId: orderE, note: expect.stringContaining(`belongs to checkout checkout-${e.requestId}`) }]);
  expect(runN.status.orders).toEqual([]);

  const order = (await h.ledger()).orders.find((o) => o.orderId === orderE);
  expect(order).toMatchObject({ live: true, cancelReason: null, boundCodes: [RICH_CODES[2], RICH_CODES[3]], codesEverBound: [RICH_CODES[2], RICH_CODES[3]] });
  expect(await claimOwner(h.client, orderE)).toBe(`checkout-${e.requestId}`);
});

test('concurrent: A loses its create answer while B of the same user creates; each keeps its own order', async () => {
  const before = await h.ledger();
  // A's create lands but its answer is lost; A's search is slow, so B's order exists by the time A looks.
  await h.sandbox.admin.addFault([LOST_CREATE, { endpoint: 'user/orders/', kind: 'latency', ms: 1_500, count: 1 }]);
  const a = checkoutRequest({ seats: [SEATS[0]!, SEATS[1]!], vouchers: { codes: [RICH_CODES[0]!, RICH_CODES[1]!] } });
  const b = checkoutRequest({ seats: [SEATS[2]!, SEATS[3]!], vouchers: { codes: [RICH_CODES[2]!, RICH_CODES[3]!] } });
  const handleA = await h.start(a);
  await h.waitForStatus(handleA, (s) => s.lastError?.step === 'createOrder');
  const runB = await h.run(b);
  const settledA = await h.settle(handleA);
  expect(settledA.status).toBe('COMPLETED');
  expect(runB.settled.status).toBe('COMPLETED');
  const statusA = await h.status(handleA);
  expect(statusA.orders).toEqual([expect.objectContaining({ origin: 'adopted', state: 'LIVE' })]);
  // B's order was created inside A's window with the same seat count: A looked past it without reading it.
  expect(statusA.foreignOrders).toBeUndefined();

  const ledger = await h.ledger();
  expect(await ownershipViolations(ledger, [judged(a, settledA), judged(b, runB.settled)], { client: h.client, before, releasedWhenCompensated: true })).toEqual([]);
  expect(ledger.orders.filter((o) => o.live && o.userId === FIXTURE.userIds.rich)).toHaveLength(2);
});

test("a sibling claimed the creator's order first: the creator leaves it untouched and ends SeatUnavailable", async () => {
  claimNextOrderFor = 'checkout-sibling';
  const { settled, status } = await h.run(checkoutRequest());
  expect(settled).toMatchObject({ status: 'FAILED', type: 'SeatUnavailable' });
  expect(status.attempts.createOrder).toBe(2);
  const [foreign] = status.foreignOrders ?? [];
  expect(foreign?.note).toContain('checkout checkout-sibling claimed it first');
  expect(status.orders).toEqual([]);
  // The ledger: the order is whole (live, nothing bound, never cancelled); the claim is still the sibling's.
  const order = (await h.ledger()).orders.find((o) => o.orderId === foreign!.orderId);
  expect(order).toMatchObject({ live: true, cancelReason: null, boundCodes: [], codesEverBound: [] });
  expect(await claimOwner(h.client, foreign!.orderId)).toBe('checkout-sibling');
});

test('a burst of 16 checkouts of one user with lost and dropped creates and lost binds: every order stays its own', async () => {
  const before = await h.ledger();
  const codes = await h.sandbox.admin.mintVouchers(FIXTURE.userIds.rich, 16);
  await h.sandbox.admin.addFault([
    // Spread creates out so they land while siblings are searching.
    { endpoint: 'order/ticket/', kind: 'latency', minMs: 0, maxMs: 400 },
    { endpoint: 'user/orders/', kind: 'latency', minMs: 50, maxMs: 400 },
    // Counted, not drawn: the first 7 creates land with their answers lost, the next 3 never reach Womei.
    { endpoint: 'order/ticket/', kind: 'lostResponse', count: 7 },
    { endpoint: 'order/ticket/', kind: 'drop', count: 3 },
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 4 },
  ]);
  // Two seats each (every checkout the same count on the same schedule: the old matching's blind spot).
  const requests = codes.map((code, i) =>
    checkoutRequest({ seats: [hall8Seat(2 + Math.floor(i / 6), 1 + (i % 6) * 2), hall8Seat(2 + Math.floor(i / 6), 2 + (i % 6) * 2)], vouchers: { codes: [code] } }),
  );
  const handles = await Promise.all(requests.map((r) => h.start(r)));
  const settled = await Promise.all(handles.map((x) => h.settle(x)));

  const faults = await h.sandbox.admin.faults();
  expect(faults.filter((f) => f.kind !== 'latency').map((f) => f.hits)).toEqual([7, 3, 4]);
  expect(settled.map((s) => s.status)).toEqual(requests.map(() => 'COMPLETED'));
  const ledger = await h.ledger();
  const checkouts = requests.map((r, i) => judged(r, settled[i]!));
  expect(await ownershipViolations(ledger, checkouts, { client: h.client, before, releasedWhenCompensated: true })).toEqual([]);
  expect(ledger.invariants.liveOrdersPerUser[FIXTURE.userIds.rich]).toBe(16);
  expect(ledger.invariants.boundToDeadOrders).toEqual([]);
});
