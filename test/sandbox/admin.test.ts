import { startSandbox } from '../../src/sandbox/server';
import { tokenFingerprint } from '../../src/sandbox/store';
import { BJ_SCHEDULE, FEW, FIXTURE, RICH, change, cinemaPath, createOrder, get, post, startTestSandbox, type RunningSandbox } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

const [SEAT_A = '', SEAT_B = ''] = FIXTURE.seats.beijing;
const [C1 = '', C2 = ''] = FIXTURE.vouchers.rich.unused;

describe('ledger', () => {
  it('lists every order and voucher with their state, and holds for the fixture', async () => {
    const l = await sb.admin.ledger();
    expect(l.orders).toHaveLength(1);
    expect(l.orders[0]).toMatchObject({ userId: FIXTURE.userIds.rich, status: 'SUCCESS', seats: [FIXTURE.soldSeat], boundCodes: [FIXTURE.vouchers.rich.used], live: false });
    expect(l.vouchers.find((v) => v.code === FIXTURE.vouchers.rich.used)).toMatchObject({ state: 'used', consumedBy: l.orders[0]?.orderId });
    expect(l.vouchers.find((v) => v.code === FIXTURE.vouchers.rich.expired)).toMatchObject({ state: 'unused', expired: true });
    expect(l.vouchers.find((v) => v.code === FIXTURE.vouchers.rich.disabled)).toMatchObject({ state: 'disabled' });
    expect(l.vouchers.find((v) => v.code === FIXTURE.vouchers.loose[0]?.code)).toMatchObject({ ownerId: null });
    expect(l.invariants).toMatchObject({ ok: true, seatsHeldByDeadOrders: [], doubleBookedSeats: [], vouchersConsumedTwice: [], boundToDeadOrders: [], liveOrdersPerUser: {} });
  });

  it('records a checkout: prices, bound codes, created/expiry times, priced flag, live counts and request counts', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    let o = (await sb.admin.ledger()).orders.find((x) => x.orderId === id);
    expect(o).toMatchObject({ status: 'PENDING', priced: false, prices: null, boundCodes: [], live: true });
    expect((o?.expiresAt ?? 0) - (o?.createdAt ?? 0)).toBe(900);
    await change(sb, id);
    await change(sb, id, [C1]);
    const l = await sb.admin.ledger();
    o = l.orders.find((x) => x.orderId === id);
    expect(o).toMatchObject({ priced: true, boundCodes: [C1], discountType: 'TP_VOUCHER', payType: 'WECHAT', prices: { total: 49, voucher: 49, payment: 0 } });
    expect(l.vouchers.find((v) => v.code === C1)?.boundOrders).toEqual([id]);
    expect(l.invariants.liveOrdersPerUser).toEqual({ [FIXTURE.userIds.rich]: 1 });
    expect(l.requests.byEndpoint).toMatchObject({ 'POST order/ticket/': 1, 'POST order/change/': 2 });
    expect(l.requests.internalErrors).toBe(0);
  });

  it('keeps every code an order ever had bound (codesEverBound), unbound since or not', async () => {
    const id = await createOrder(sb, [SEAT_A, SEAT_B]);
    await change(sb, id);
    await change(sb, id, [C1]);
    await change(sb, id, [C2]);
    await change(sb, id); // unbind
    const o = (await sb.admin.ledger()).orders.find((x) => x.orderId === id);
    expect(o).toMatchObject({ boundCodes: [], codesEverBound: [C1, C2] });
  });

  it('mints unused vouchers into a wallet: listed, bindable, never repeated', async () => {
    const codes = await sb.admin.mintVouchers(FIXTURE.userIds.rich, 3);
    expect(codes).toHaveLength(3);
    expect(new Set([...codes, ...(await sb.admin.mintVouchers(FIXTURE.userIds.rich, 2))]).size).toBe(5);
    const wallet = await get(sb, cinemaPath('user/voucher/list/'));
    expect(wallet.body.data.unused.map((v: { voucher_code: string }) => v.voucher_code)).toEqual(expect.arrayContaining(codes));
    const id = await createOrder(sb, [SEAT_A]);
    await change(sb, id);
    expect((await change(sb, id, [codes[0]!])).body.ret).toBe(0);
    await expect(sb.admin.mintVouchers('u-nobody', 1)).rejects.toThrow(/404/);
  });

  it('reports vouchers left bound to an order that lapsed (boundToDeadOrders), and nothing when it was unbound first', async () => {
    const lapsed = await createOrder(sb, [SEAT_A]);
    await change(sb, lapsed);
    await change(sb, lapsed, [C1]);
    const compensated = await createOrder(sb, [SEAT_B]);
    await change(sb, compensated);
    await change(sb, compensated, [C2]);
    await change(sb, compensated); // unbind, as compensation does
    await sb.admin.advanceClock(901);
    const inv = (await sb.admin.ledger()).invariants;
    expect(inv.boundToDeadOrders).toEqual([{ code: C1, orderId: lapsed, cancelReason: 'expired' }]);
    expect(inv.ok).toBe(true);
    expect(inv.liveOrdersPerUser).toEqual({});
  });

  it('detects a seat still held by a dead order and a voucher consumed twice', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    await post(sb, 'order/cancel/', { order_id: id });
    // Corrupt the state behind the server's back: the checks must notice.
    const order = sb.state.orders.get(id);
    if (!order) throw new Error('order missing');
    sb.state.holdSeats(order);
    const past = [...sb.state.orders.values()].find((o) => o.status === 'SUCCESS');
    order.paidCodes = [...(past?.paidCodes ?? [])];
    const inv = (await sb.admin.ledger()).invariants;
    expect(inv.ok).toBe(false);
    expect(inv.seatsHeldByDeadOrders).toEqual([{ scheduleId: FIXTURE.schedules.beijing, seatNo: '11112211#07#05', orderId: id }]);
    expect(inv.vouchersConsumedTwice).toEqual([{ code: FIXTURE.vouchers.rich.used, orderIds: expect.arrayContaining([id]) }]);
  });
});

describe('request log', () => {
  it('records endpoint, method, status and envelope code with a token fingerprint, never the token', async () => {
    await get(sb, 'info/');
    await get(sb, 'info/', {}, FIXTURE.tokens.expired);
    await get(sb, cinemaPath('nope/'));
    const log = await sb.admin.requests();
    expect(log.total).toBe(3);
    expect(log.recent[0]).toMatchObject({ method: 'GET', endpoint: 'info/', status: 200, ret: 0, sub: 0, tokenFingerprint: tokenFingerprint(RICH) });
    expect(log.recent[1]).toMatchObject({ sub: 408, tokenFingerprint: tokenFingerprint(FIXTURE.tokens.expired) });
    expect(log.recent[2]).toMatchObject({ endpoint: 'unknown', ret: 404 });
    expect(log.byEndpoint).toEqual({ 'GET info/': 2, 'GET unknown': 1 });
    const everything = JSON.stringify([log, await sb.admin.ledger()]);
    for (const token of Object.values(FIXTURE.tokens)) expect(everything).not.toContain(token);
  });

  it('keeps at most requestLogSize entries but counts them all', async () => {
    const small = await startTestSandbox({ requestLogSize: 3 });
    try {
      for (let i = 0; i < 5; i++) await fetch(`${small.url}${cinemaPath('info/')}`, { headers: { token: RICH } });
      const log = await small.admin.requests();
      expect(log.recent).toHaveLength(3);
      expect(log.total).toBe(5);
      expect(log.recent.map((e) => e.seq)).toEqual([3, 4, 5]);
    } finally {
      await small.close();
    }
  });
});

describe('tokens', () => {
  it('expireToken makes every call answer 408', async () => {
    await sb.admin.expireToken(FEW);
    expect((await get(sb, 'user/info/', {}, FEW)).body.sub).toBe(408);
  });

  it('refreshToken expires the old token and hands a fresh one that sees the same orders', async () => {
    const id = await createOrder(sb, [SEAT_A], { token: FEW });
    const fresh = await sb.admin.refreshToken(FEW);
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect((await get(sb, 'user/info/', {}, FEW)).body.sub).toBe(408);
    const info = await get(sb, 'order/info/', { version: 'tp_version', order_id: id }, fresh);
    expect(info.body.data.status).toBe('PENDING');
  });

  it('addToken opens a session for a user, with a chosen token if given', async () => {
    const chosen = 'abcdefabcdefabcdefabcdefabcdef12';
    expect(await sb.admin.addToken(FIXTURE.userIds.expired, chosen)).toBe(chosen);
    expect((await get(sb, 'user/info/', {}, chosen)).body.data.order_phone).toBe(FIXTURE.phones.expired);
    await expect(sb.admin.addToken('nobody')).rejects.toThrow(/HTTP 404/);
  });
});

describe('config, clock and reset', () => {
  it('setConfig patches runtime settings and rejects unknown or invalid ones', async () => {
    const cfg = await sb.admin.setConfig({ holdSeconds: 60, voucherQuota: 9 });
    expect(cfg).toMatchObject({ holdSeconds: 60, voucherQuota: 9, rateLimitPerMinute: 200, cancelRoute: true, paymentSeconds: 5 });
    const id = await createOrder(sb);
    const o = (await sb.admin.ledger()).orders.find((x) => x.orderId === id);
    expect((o?.expiresAt ?? 0) - (o?.createdAt ?? 0)).toBe(60);
    await expect(sb.admin.setConfig({ holdSeconds: -1 })).rejects.toThrow(/HTTP 400/);
    await expect(sb.admin.setConfig({ bogus: 1 } as never)).rejects.toThrow(/HTTP 400/);
  });

  it('advanceClock moves the sandbox time forward', async () => {
    const before = (await sb.admin.health()).now;
    const after = await sb.admin.advanceClock(3600);
    expect(after - before).toBeGreaterThanOrEqual(3600);
    expect(after - before).toBeLessThan(3605);
  });

  it('reset returns to the fixture: orders, vouchers, clock, faults, quota, counters and config', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    await change(sb, id);
    await post(sb, 'order/voucher/price/', { order_id: id, voucher_code: C1 });
    await sb.admin.addFault({ endpoint: 'info/', kind: 'busy' });
    await sb.admin.setConfig({ voucherQuota: 1 });
    await sb.admin.expireToken(RICH);
    const moved = await sb.admin.advanceClock(86_400 * 3);
    await sb.admin.reset();
    const l = await sb.admin.ledger();
    expect(l.orders).toHaveLength(1);
    expect(l.quota[FIXTURE.userIds.rich]).toEqual({ used: 0, limit: 5 });
    expect(l.requests.total).toBe(0);
    expect(l.now).toBeLessThan(moved - 86_400);
    expect(await sb.admin.faults()).toEqual([]);
    expect((await get(sb, 'info/')).body.sub).toBe(0);
    // Order ids keep counting across resets, so an id from before never names a new order.
    const fresh = (await post(sb, 'order/ticket/', { seatlable: SEAT_A, schedule_id: BJ_SCHEDULE })).body.data.order_id as string;
    expect(fresh.slice(10)).not.toBe(id.slice(10));
    expect(Number(fresh.slice(10))).toBeGreaterThan(Number(id.slice(10)));
  });

  it('answers 404 for an unknown admin route and health for a liveness probe', async () => {
    expect((await fetch(`${sb.url}/__sandbox/nope`)).status).toBe(404);
    await expect(sb.admin.health()).resolves.toMatchObject({ ok: true });
  });
});

describe('lifecycle', () => {
  it('close() finishes even with a request hanging, and the port is free afterwards', async () => {
    const other = await startTestSandbox();
    await other.admin.addFault({ kind: 'hang' });
    const pending = fetch(`${other.url}${cinemaPath('info/')}`, { headers: { token: RICH } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await other.close();
    // A fetch failure (TypeError from undici's realm, so no instanceof check across jest's sandbox).
    expect(await pending).toMatchObject({ name: 'TypeError' });
    const again = await startSandbox({ port: other.port });
    expect(again.port).toBe(other.port);
    await again.close();
  });

  it('names SANDBOX_PORT when the port is taken', async () => {
    await expect(startSandbox({ port: sb.port })).rejects.toThrow(/SANDBOX_PORT/);
  });
});
