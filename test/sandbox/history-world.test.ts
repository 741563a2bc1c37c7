/**
 * The ledger's per-order history (who changed which order, when) and the generated world (many users, vouchers
 * and schedules from a seed), both over real HTTP.
 */
import { tokenFingerprint } from '../../src/sandbox/store';
import { generateWorld, WORLD_CINEMA_ID, type WorldSpec } from '../../src/sandbox/world';
import { BJ, FEW, FIXTURE, RICH, call, change, cinemaPath, createOrder, orderInfo, post, startTestSandbox, type RunningSandbox } from './helpers';

const SPEC: WorldSpec = {
  seed: 7,
  users: [
    { group: 'heavy', count: 2, usable: 12, expired: 1, disabled: 1 },
    { group: 'light', count: 5, usable: 3 },
  ],
  schedules: { count: 3, rows: 4, cols: 5 },
};

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ world: SPEC, cancelRoute: true, paymentSeconds: 0 });
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

const [SEAT_A = '', SEAT_B = ''] = FIXTURE.seats.beijing;
const RICH_CODES = FIXTURE.vouchers.rich.unused;

async function historyOf(orderId: string) {
  const order = (await sb.admin.ledger()).orders.find((o) => o.orderId === orderId);
  if (!order) throw new Error(`order ${orderId} not in the ledger`);
  return order.history;
}

describe('order history in the ledger', () => {
  it('records create, price, pre-check, bind, unbind and cancel with the fingerprint of the session that asked', async () => {
    const t0 = Date.now();
    const orderId = await createOrder(sb, [SEAT_A, SEAT_B]);
    await change(sb, orderId);
    await post(sb, 'order/voucher/price/', { order_id: orderId, voucher_code: RICH_CODES[0]! });
    await change(sb, orderId, [RICH_CODES[0]!, RICH_CODES[1]!]);
    await change(sb, orderId);
    await post(sb, 'order/cancel/', { order_id: orderId });
    const history = await historyOf(orderId);
    const me = tokenFingerprint(RICH);
    expect(history.map((e) => [e.op, e.by, e.codes])).toEqual([
      ['created', me, []],
      ['priced', me, []],
      ['prechecked', me, [RICH_CODES[0]]],
      ['bound', me, [RICH_CODES[0], RICH_CODES[1]]],
      ['unbound', me, []],
      ['cancelled', me, []],
    ]);
    expect(history.map((e) => e.paymentFen)).toEqual([undefined, 9800, undefined, 0, 9800, undefined]);
    for (const e of history) expect(e.at).toBeGreaterThanOrEqual(t0 - 1000);
    // Never the token itself.
    expect(JSON.stringify(history)).not.toContain(RICH);
  });

  it('a refused request leaves no event; another user cannot touch the order; an order/info answer is a read', async () => {
    const orderId = await createOrder(sb, [SEAT_A]);
    const r = await change(sb, orderId, [], { token: FEW });
    expect(r.body.sub).not.toBe(0);
    expect((await orderInfo(sb, orderId, FEW)).body.sub).not.toBe(0);
    expect((await historyOf(orderId)).map((e) => e.op)).toEqual(['created']);
    expect((await orderInfo(sb, orderId)).body.sub).toBe(0);
    expect((await historyOf(orderId)).map((e) => [e.op, e.by])).toEqual([['created', tokenFingerprint(RICH)], ['read', tokenFingerprint(RICH)]]);
  });

  it('a lapsed hold is recorded at the instant it ran out, by nobody; payment and issue by their actors', async () => {
    const lapsing = await createOrder(sb, [SEAT_A]);
    const { expiresAt } = (await sb.admin.ledger()).orders.find((o) => o.orderId === lapsing)!;
    await sb.admin.advanceClock(901);
    const lapsed = await historyOf(lapsing);
    expect(lapsed[1]).toEqual({ at: expiresAt * 1000, op: 'expired', by: null, codes: [] });

    const paid = await createOrder(sb, [SEAT_B]);
    await change(sb, paid);
    await change(sb, paid, [RICH_CODES[2]!]);
    const pay = await post(sb, 'order/payment/', { order_id: paid, pay_type: 'WECHAT', mobile: FIXTURE.phones.rich });
    expect(pay.body.sub).toBe(0);
    await new Promise((r) => setTimeout(r, 300)); // the background sweep issues the ticket
    const history = await historyOf(paid);
    expect(history.map((e) => [e.op, e.by])).toEqual([
      ['created', tokenFingerprint(RICH)],
      ['priced', tokenFingerprint(RICH)],
      ['bound', tokenFingerprint(RICH)],
      ['paid', tokenFingerprint(RICH)],
      ['issued', null],
    ]);
    expect(history[3]!.codes).toEqual([RICH_CODES[2]]);
  });
});

describe('generated world', () => {
  it('is the same for the same spec, whatever the time, and differs with the seed', () => {
    const a = generateWorld(SPEC, 1_800_000_000);
    const b = generateWorld(SPEC, 1_900_000_000);
    expect(a.users).toEqual(b.users);
    expect(a.schedules).toEqual(b.schedules);
    const other = generateWorld({ ...SPEC, seed: 8 });
    expect(other.users[0]!.token).not.toBe(a.users[0]!.token);
    expect(a.users).toHaveLength(7);
    expect(a.users[0]).toMatchObject({ group: 'heavy' });
    expect(a.users[0]!.usable).toHaveLength(12);
    expect(a.schedules).toHaveLength(3);
    expect(a.schedules[0]!.seats).toHaveLength(20);
    const codes = a.users.flatMap((u) => [...u.usable, ...u.expired, ...u.disabled]);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('is served by a sandbox started with it, beside the fixture: a generated user orders and binds at the generated cinema', async () => {
    const world = generateWorld(SPEC);
    const user = world.users[0]!;
    const schedule = world.schedules[1]!;
    const created = await call(sb, 'POST', cinemaPath('order/ticket/', WORLD_CINEMA_ID), {
      token: user.token,
      form: { seatlable: schedule.seats.slice(0, 2).join('|'), schedule_id: schedule.scheduleId },
    });
    expect(created.body.sub).toBe(0);
    const orderId = created.body.data.order_id as string;
    await change(sb, orderId, [], { token: user.token, cinema: WORLD_CINEMA_ID });
    const bound = await change(sb, orderId, user.usable.slice(0, 2), { token: user.token, cinema: WORLD_CINEMA_ID });
    expect(bound.body).toMatchObject({ sub: 0, data: { order_payment_price: 0, order_total_price: 78 } });
    // An expired code of the generated wallet is refused like the fixture's.
    const refused = await change(sb, orderId, [user.expired[0]!], { token: user.token, cinema: WORLD_CINEMA_ID });
    expect(refused.body.sub).toBe(4008);
    // The fixture is still there.
    expect((await createOrder(sb, [SEAT_A])).length).toBe(18);
    const wallet = await call(sb, 'GET', cinemaPath('user/voucher/list/', WORLD_CINEMA_ID), { token: user.token });
    expect(wallet.body.data.unused.map((v: { voucher_code: string }) => v.voucher_code).sort()).toEqual([...user.usable, ...user.expired].sort());
    expect(BJ).toBe(FIXTURE.cinemas.beijing);
  });
});
