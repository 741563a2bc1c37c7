/**
 * Activity unit tests: MockActivityEnvironment (the SDK's activity context, not a mock of Temporal's server)
 * around activities built with a fake Womei client. Checks the failure mapping, the lost-order search, the
 * release fallback, and that nothing secret reaches a log line or an error.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { beijingMinuteKey, createActivities, type CheckoutActivityDeps, type LostOrderSearch } from '../../activities';
import { toActivityFailure, UNEXPECTED_ACTIVITY_ERROR } from '../../activities/failures';
import {
  OrderExpired,
  SeatUnavailable,
  TokenInvalid,
  VoucherNotUsable,
  WomeiProtocolError,
  WomeiRateLimited,
  WomeiUnavailable,
} from '../../src/womei/errors';
import type { UserOrderSummary } from '../../src/womei/types';
import { generateSealKeyPair, parseSealPrivateKeys, parseSealPublicKey } from '../../src/seal/keys';
import { TokenOpener, TokenSealer } from '../../src/seal/seal';
import { EMPTY_WALLET, FakeWomei, orderInfo, orderPrice } from '../helpers/fake-womei';
import { MemoryClaims } from '../helpers/memory-claims';

const TOKEN = '0123456789abcdef0123456789abcdef';
const KEYS = generateSealKeyPair('w1');
const tokens = new TokenOpener(parseSealPrivateKeys(KEYS.privateKey));
const sealer = new TokenSealer(parseSealPublicKey(KEYS.publicKey));
/** What activities receive: the token sealed, as the workflow carries it. */
const session = { token: sealer.seal(TOKEN), cinemaId: '9647' };

/** The checkout the activities run for (their claim owner). */
const ME = 'checkout-me';

function env(workflowId = ME) {
  const lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const log = (level: LogLevel) => (message: string, meta?: LogMetadata) => lines.push({ level, message, meta });
  const logger = { log: (level: LogLevel, message: string, meta?: LogMetadata) => lines.push({ level, message, meta }), trace: log('TRACE'), debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
  return { env: new MockActivityEnvironment({ workflowExecution: { workflowId, runId: `${workflowId}-run` } }, { logger }), lines };
}

/** Activities over a fake Womei, with in-memory claims unless the test brings its own. */
function activities(womei: FakeWomei, extra: Partial<CheckoutActivityDeps> = {}) {
  return createActivities({ womei: womei.api(), claims: new MemoryClaims(), tokens, ...extra });
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('failure mapping (activities/failures.ts)', () => {
  test('typed Womei errors keep their type; retryable decides nonRetryable', () => {
    const cases = [
      [new TokenInvalid(`x token ${TOKEN}`, { endpoint: 'order/change/', sub: 408 }), 'TokenInvalid', true],
      [new SeatUnavailable('x', { endpoint: 'order/ticket/' }), 'SeatUnavailable', true],
      [new VoucherNotUsable('x', { endpoint: 'order/change/', sub: 4004, womeiMsg: '兑换券数据异常，请重新添加' }), 'VoucherNotUsable', true],
      [new OrderExpired('x', { endpoint: 'order/change/' }), 'OrderExpired', true],
      [new WomeiProtocolError('x', { endpoint: 'order/change/' }), 'WomeiProtocolError', true],
      [new WomeiUnavailable('x', { endpoint: 'order/change/', httpStatus: 502 }), 'WomeiUnavailable', false],
    ] as const;
    for (const [err, type, nonRetryable] of cases) {
      const f = toActivityFailure(err, [TOKEN]) as ApplicationFailure;
      expect(f).toBeInstanceOf(ApplicationFailure);
      expect(f.type).toBe(type);
      expect(f.nonRetryable).toBe(nonRetryable);
      expect(f.message).not.toContain(TOKEN);
      expect(f.details?.[0]).toMatchObject({ endpoint: err.endpoint });
    }
  });

  test('a gateway 429 is retryable after exactly the server-advised delay', () => {
    const f = toActivityFailure(new WomeiRateLimited('throttled', { endpoint: 'order/change/', httpStatus: 429, retryAfterMs: 7_000 })) as ApplicationFailure;
    expect(f).toMatchObject({ type: 'WomeiRateLimited', nonRetryable: false, nextRetryDelay: 7_000 });
    expect(f.details?.[0]).toMatchObject({ retryAfterMs: 7_000, httpStatus: 429 });
  });

  test('anything else is a retryable UnexpectedActivityError, redacted', () => {
    const f = toActivityFailure(new TypeError(`boom with ${TOKEN}`), [TOKEN]) as ApplicationFailure;
    expect(f).toMatchObject({ type: UNEXPECTED_ACTIVITY_ERROR, nonRetryable: false });
    expect(f.message).not.toContain(TOKEN);
  });
});

describe('activities', () => {
  test('each activity makes its one Womei call with the session and returns the answer', async () => {
    const fake = new FakeWomei({
      createOrder: { orderId: '250624153810000654', serverTime: 1750750721 },
      priceOrder: orderPrice(),
      listVouchers: EMPTY_WALLET,
      priceVoucher: { surchargePrice: 0, payPrice: 0, surchargeMsg: '' },
      bindVouchers: orderPrice({ orderPaymentPrice: 0 }),
      unbindVouchers: orderPrice(),
      getOrderInfo: orderInfo(),
      payOrder: { orderId: '250624153810000654', payType: 'WECHAT', totalFee: 0, totalPrice: 0 },
      queryPayment: { orderId: '250624153810000654', status: 'SUCCESS', msg: '' },
    });
    const a = activities(fake);
    const { env: e } = env();
    const orderId = '250624153810000654';
    await expect(e.run(a.createOrder, { session, scheduleId: '16701886', seatLabels: ['1:2:3:4'] })).resolves.toMatchObject({ orderId });
    await expect(e.run(a.priceOrder, { session, orderId })).resolves.toMatchObject({ orderTotalPrice: 98 });
    await expect(e.run(a.listVouchers, { session })).resolves.toEqual(EMPTY_WALLET);
    await expect(e.run(a.precheckVoucher, { session, orderId, voucherCode: 'GZJY01' })).resolves.toMatchObject({ payPrice: 0 });
    await expect(e.run(a.bindVouchers, { session, orderId, codes: ['A1', 'B2'] })).resolves.toMatchObject({ orderPaymentPrice: 0 });
    await expect(e.run(a.unbindVouchers, { session, orderId })).resolves.toMatchObject({ orderPaymentPrice: 98 });
    await expect(e.run(a.getOrderInfo, { session, orderId })).resolves.toMatchObject({ status: 'PENDING' });
    await expect(e.run(a.releaseOrder, { session, orderId })).rejects.toThrow(); // cancelOrder has no answer: it was called
    await expect(e.run(a.payOrder, { session, orderId, mobile: '13800000000' })).resolves.toMatchObject({ totalPrice: 0 });
    await expect(e.run(a.queryPayment, { session, orderId })).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(fake.calls.map((c) => c.method)).toEqual([
      'createOrder', 'priceOrder', 'listVouchers', 'priceVoucher', 'bindVouchers', 'unbindVouchers', 'getOrderInfo', 'cancelOrder', 'payOrder', 'queryPayment',
    ]);
    // Womei gets the opened token; the sealed one never leaves the activity.
    expect(fake.calls.every((c) => c.session.token === TOKEN && c.session.cinemaId === '9647')).toBe(true);
    expect(fake.calls.find((c) => c.method === 'bindVouchers')?.args).toEqual([orderId, ['A1', 'B2']]);
  });

  test('releaseOrder: cancels where a cancel route is configured, otherwise abandons without a call', async () => {
    const withCancel = new FakeWomei({ cancelOrder: () => undefined }, true);
    const { env: e1 } = env();
    await expect(e1.run(activities(withCancel).releaseOrder, { session, orderId: '1' })).resolves.toBe('cancelled');
    const without = new FakeWomei({}, false);
    const { env: e2 } = env();
    await expect(e2.run(activities(without).releaseOrder, { session, orderId: '1' })).resolves.toBe('abandoned');
    expect(without.calls).toEqual([]);
  });

  test('a Womei failure becomes a typed ApplicationFailure; logs carry ids but never the token', async () => {
    const fake = new FakeWomei({ bindVouchers: new VoucherNotUsable(`order/change/: voucher not usable (token ${TOKEN})`, { endpoint: 'order/change/', sub: 4004 }) });
    const { env: e, lines } = env();
    const f = await failureOf(e.run(activities(fake).bindVouchers, { session, orderId: '42', codes: ['A1'] }));
    expect(f).toMatchObject({ type: 'VoucherNotUsable', nonRetryable: true });
    expect(f.message).not.toContain(TOKEN);
    expect(lines.some((l) => l.message === 'womei bindVouchers failed' && l.meta?.orderId === '42' && l.meta?.type === 'VoucherNotUsable')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

describe('sealed tokens', () => {
  test('a plaintext token is refused (TokenNotSealed, non-retryable) before anything reaches Womei', async () => {
    const fake = new FakeWomei({ priceOrder: orderPrice() });
    const { env: e, lines } = env();
    const f = await failureOf(e.run(activities(fake).priceOrder, { session: { token: TOKEN, cinemaId: '9647' }, orderId: '42' }));
    expect(f).toMatchObject({ type: 'TokenNotSealed', nonRetryable: true });
    expect(fake.calls).toEqual([]);
    expect(JSON.stringify({ f: { message: f.message, stack: f.stack }, lines })).not.toContain(TOKEN);
  });

  test('a token sealed with a key this worker lacks is retryable (a worker that has it may open it); an altered one is not', async () => {
    const other = new TokenSealer(parseSealPublicKey(generateSealKeyPair('w2').publicKey));
    const fake = new FakeWomei({ priceOrder: orderPrice() });
    const a = activities(fake);
    const unknown = await failureOf(env().env.run(a.priceOrder, { session: { token: other.seal(TOKEN), cinemaId: '9647' }, orderId: '42' }));
    expect(unknown).toMatchObject({ type: 'TokenSealKeyUnknown', nonRetryable: false });
    expect(unknown.message).toContain("'w2'");
    const sealed = session.token;
    const altered = `${sealed.slice(0, -3)}${sealed.at(-3) === 'A' ? 'B' : 'A'}${sealed.slice(-2)}`;
    const broken = await failureOf(env().env.run(a.priceOrder, { session: { token: altered, cinemaId: '9647' }, orderId: '42' }));
    expect(broken).toMatchObject({ type: 'TokenSealBroken', nonRetryable: true });
    expect(fake.calls).toEqual([]);
  });
});

describe('createOrder claims the order it made', () => {
  const orderId = '250624153810000654';
  const create = (claims: MemoryClaims) => {
    const fake = new FakeWomei({ createOrder: { orderId, serverTime: 1750750721 } });
    return { fake, a: activities(fake, { claims }) };
  };
  const arg = { session, scheduleId: '16701886', seatLabels: ['10013:7:5:11112211#07#05'] };

  test('a new order is claimed for this checkout before the answer', async () => {
    const claims = new MemoryClaims();
    const { env: e } = env();
    await expect(e.run(create(claims).a.createOrder, arg)).resolves.toEqual({ orderId, serverTime: 1750750721 });
    expect(claims.owners.get(orderId)).toBe(ME);
  });

  test('claimed by another checkout first: answered as theirs, the claim untouched', async () => {
    const claims = new MemoryClaims();
    claims.owners.set(orderId, 'checkout-sibling');
    const { env: e, lines } = env();
    await expect(e.run(create(claims).a.createOrder, arg)).resolves.toEqual({ orderId, serverTime: 1750750721, claimedBy: 'checkout-sibling' });
    expect(claims.owners.get(orderId)).toBe('checkout-sibling');
    expect(lines.some((l) => l.level === 'WARN' && l.meta?.owner === 'checkout-sibling')).toBe(true);
  });

  test('the registry unreachable: the activity fails (retryable), so the workflow looks for the order', async () => {
    const claims = new MemoryClaims();
    claims.unavailable = true;
    const { env: e } = env();
    const f = await failureOf(e.run(create(claims).a.createOrder, arg));
    expect(f).toMatchObject({ type: 'OrderClaimUnavailable', nonRetryable: false });
    expect(f.message).not.toContain(TOKEN);
  });
});

describe('findLostOrder proves and claims', () => {
  const since = Date.UTC(2025, 5, 24, 7, 38, 30); // 15:38:30 Beijing
  const SEATS = ['10013:7:5:11112211#07#05', '10013:7:4:11112211#07#04'];
  const arg = { session, scheduleId: '16701886', seatLabels: SEATS, sinceMs: since, excludeOrderIds: [] as string[] };
  const summary = (orderId: string, over: Partial<UserOrderSummary> = {}): UserOrderSummary => ({
    orderId, movieName: 'm', status: 'PENDING', statusDesc: '未支付', cinemaName: 'c', showDate: 'd', ticketNum: 2, hallName: 'h', seatInfo: '7排5座 | 7排4座', ...over,
  });
  const areaSeats = (...seats: [string, string][]) => seats.map(([areaId, seat]) => ({ areaId, seat }));
  const info = (orderId: string, seats = areaSeats(['10013', '7排5座'], ['10013', '7排4座']), over: Parameters<typeof orderInfo>[0] = {}) =>
    orderInfo({ orderId, ticketItems: { ticketNum: seats.length, scheduleId: 16701886, seatInfo: seats.map((x) => x.seat).join(' | '), hallName: 'h', areaSeats: seats }, ...over });

  test('order ids are keyed by their Beijing creation minute', () => {
    expect(beijingMinuteKey(since)).toBe('2506241538');
  });

  test('only the order with exactly these seats, in the window, is read and claimed', async () => {
    const fake = new FakeWomei({
      listUserOrders: (p: unknown) =>
        (p as { offset: number }).offset === 0
          ? {
              orders: [
                summary('250624153910000004', { seatInfo: '7排6座 | 6排5座' }), // a sibling's: same count, other seats
                summary('250624153910000003', { seatInfo: '7排5座' , ticketNum: 1 }),
                summary('250624153910000002'),
                summary('250624153810000009', { status: 'SUCCESS' }),
                summary('250624153810000007'), // known to the workflow: excluded
              ],
              nextOffset: 5,
            }
          : { orders: [summary('250624120010000001')], nextOffset: 6 },
      getOrderInfo: (id: unknown) => info(id as string),
    });
    const claims = new MemoryClaims();
    const { env: e } = env();
    const a = activities(fake, { claims, lostOrderSkewMs: 60_000 });
    const found = await e.run(a.findLostOrder, { ...arg, excludeOrderIds: ['250624153810000007'] });
    expect(found).toEqual({ orderId: '250624153910000002', foreignOrders: [], pagesRead: 2 });
    expect(fake.calls.filter((c) => c.method === 'getOrderInfo').map((c) => c.args[0])).toEqual(['250624153910000002']);
    expect(claims.owners.get('250624153910000002')).toBe(ME);
  });

  test('a matching order claimed by another checkout is reported, never taken', async () => {
    const fake = new FakeWomei({ listUserOrders: { orders: [summary('250624153910000002')], nextOffset: 0 }, getOrderInfo: info('250624153910000002') });
    const claims = new MemoryClaims();
    claims.owners.set('250624153910000002', 'checkout-sibling');
    const { env: e } = env();
    const found = await e.run(activities(fake, { claims }).findLostOrder, arg);
    expect(found).toEqual({ orderId: null, foreignOrders: [{ orderId: '250624153910000002', owner: 'checkout-sibling' }], pagesRead: 1 });
    expect(claims.owners.get('250624153910000002')).toBe('checkout-sibling');
  });

  test('claimed by this checkout already (a retried search, a zombie create): it is ours', async () => {
    const fake = new FakeWomei({ listUserOrders: { orders: [summary('250624153910000002')], nextOffset: 0 }, getOrderInfo: info('250624153910000002') });
    const claims = new MemoryClaims();
    claims.owners.set('250624153910000002', ME);
    const { env: e } = env();
    await expect(e.run(activities(fake, { claims }).findLostOrder, arg)).resolves.toMatchObject({ orderId: '250624153910000002' });
  });

  test.each([
    ['another area', areaSeats(['10014', '7排5座'], ['10013', '7排4座']), {}],
    ['a seat more', areaSeats(['10013', '7排5座'], ['10013', '7排4座'], ['10013', '7排3座']), {}],
    ['no area_seats', [], {}],
    ['another schedule', undefined, { ticketItems: { ticketNum: 2, scheduleId: 999, seatInfo: '7排5座 | 7排4座', hallName: 'h', areaSeats: areaSeats(['10013', '7排5座'], ['10013', '7排4座']) } }],
    ['another cinema', undefined, { cinemaId: '400303' }],
    ['an unknown cinema', undefined, { cinemaId: '' }],
    ['no longer PENDING', undefined, { status: 'CANCEL' }],
  ] as const)('order/info showing %s proves nothing: not claimed', async (_name, seats, over) => {
    const fake = new FakeWomei({
      listUserOrders: { orders: [summary('250624153910000002')], nextOffset: 0 },
      getOrderInfo: info('250624153910000002', seats === undefined ? undefined : [...seats], over as Parameters<typeof orderInfo>[0]),
    });
    const claims = new MemoryClaims();
    const { env: e } = env();
    await expect(e.run(activities(fake, { claims }).findLostOrder, arg)).resolves.toMatchObject({ orderId: null, foreignOrders: [] });
    expect(claims.owners.size).toBe(0);
  });

  test('outside the window: before the attempt (minus skew) or after its end (plus skew) is not looked at', async () => {
    const until = since + 60_000; // the attempt failed at 15:39:30
    const fake = new FakeWomei({
      listUserOrders: { orders: [summary('250624154210000003'), summary('250624153510000001')], nextOffset: 0 },
      getOrderInfo: (id: unknown) => info(id as string),
    });
    const { env: e } = env();
    const found: LostOrderSearch = await e.run(activities(fake, { lostOrderSkewMs: 60_000 }).findLostOrder, { ...arg, untilMs: until });
    expect(found.orderId).toBeNull();
    expect(fake.calls.filter((c) => c.method === 'getOrderInfo')).toEqual([]);
  });

  test('the registry unreachable: the search fails rather than guess', async () => {
    const fake = new FakeWomei({ listUserOrders: { orders: [summary('250624153910000002')], nextOffset: 0 }, getOrderInfo: info('250624153910000002') });
    const claims = new MemoryClaims();
    claims.unavailable = true;
    const { env: e } = env();
    await expect(failureOf(e.run(activities(fake, { claims }).findLostOrder, arg))).resolves.toMatchObject({ type: 'OrderClaimUnavailable' });
  });

  test('stops paging when cancelled', async () => {
    const fake = new FakeWomei({ listUserOrders: { orders: [summary('250624153910000002')], nextOffset: 1 }, getOrderInfo: info('250624153910000002') });
    const { env: e } = env();
    e.cancel();
    const search: Promise<LostOrderSearch> = e.run(activities(fake).findLostOrder, arg);
    await expect(search).rejects.toThrow();
    expect(fake.calls).toEqual([]);
  });
});
