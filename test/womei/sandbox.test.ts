/**
 * The client against the sandbox over real HTTP: every method's happy path, the business errors the checkout
 * branches on, and each injected fault, each ending in the typed error the activities expect.
 */
import { createWomeiClient } from '../../src/womei/client';
import { cancelEndpoint, WOMEI_ENDPOINTS, type EndpointDef } from '../../src/womei/endpoints';
import { WomeiError } from '../../src/womei/errors';
import type { WomeiApi, WomeiSession } from '../../src/womei/types';
import { FIXTURE, startSandbox, type RunningSandbox } from '../../src/sandbox/server';

const RICH: WomeiSession = { token: FIXTURE.tokens.rich, cinemaId: FIXTURE.cinemas.beijing };
const GZ: WomeiSession = { token: FIXTURE.tokens.rich, cinemaId: FIXTURE.cinemas.guangzhou };
const BJ_SCHEDULE = String(FIXTURE.schedules.beijing);
const GZ_SCHEDULE = String(FIXTURE.schedules.guangzhou);
const [SEAT_A = '', SEAT_B = ''] = FIXTURE.seats.beijing;
const [CODE_1 = '', CODE_2 = ''] = FIXTURE.vouchers.rich.unused;
const FAST_TIMEOUT_MS = 400;

let sb: RunningSandbox;
let api: WomeiApi;
/** A short timeout for hang faults; otherwise the same client. */
let fastApi: WomeiApi;

beforeAll(async () => {
  sb = await startSandbox({ port: 0, sweepIntervalMs: 200 });
  api = createWomeiClient({ baseUrl: sb.url, tenant: 'wmyc', timeoutMs: 5000, cancelPath: 'order/cancel/' });
  fastApi = createWomeiClient({ baseUrl: sb.url, tenant: 'wmyc', timeoutMs: FAST_TIMEOUT_MS });
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

async function rejection(promise: Promise<unknown>): Promise<WomeiError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WomeiError);
  const e = err as WomeiError;
  for (const text of [String(e), e.message, JSON.stringify(e), e.stack ?? '']) expect(text).not.toContain(RICH.token);
  return e;
}

async function newPricedOrder(seats = [SEAT_A]): Promise<string> {
  const { orderId } = await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: seats });
  await api.priceOrder(RICH, orderId);
  return orderId;
}

describe('the checkout sequence, endpoint by endpoint', () => {
  it('create → info → price → pre-check → bind → verify → pay → query → issued', async () => {
    const created = await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
    expect(created.orderId).toMatch(/^\d{18}$/);
    expect(created.serverTime).toBeGreaterThan(0);

    const fresh = await api.getOrderInfo(RICH, created.orderId);
    expect(fresh).toMatchObject({ orderId: created.orderId, status: 'PENDING', orderTotalPrice: 0, voucherUse: null, cinemaId: RICH.cinemaId });
    expect(fresh.ticketItems).toMatchObject({ ticketNum: 1, scheduleId: FIXTURE.schedules.beijing });

    const priced = await api.priceOrder(RICH, created.orderId);
    expect(priced).toMatchObject({ orderTotalPrice: 49, orderPaymentPrice: 49, ticketNum: 1, ticketPrices: [49], voucherUse: null, voucherDiscounts: [] });

    expect(await api.priceVoucher(RICH, { orderId: created.orderId, voucherCode: CODE_1 })).toEqual({ surchargePrice: 0, payPrice: 0, surchargeMsg: '' });

    const bound = await api.bindVouchers(RICH, created.orderId, [CODE_1]);
    expect(bound.voucherUse).toMatchObject({ useNum: 1, useCodes: [CODE_1], useTotalPrice: 49, extraPrice: 0 });
    expect(bound.voucherDiscounts).toEqual([CODE_1]);
    expect(bound.orderPaymentPrice).toBe(0);
    expect((await api.getOrderInfo(RICH, created.orderId)).status).toBe('PENDING');

    const paid = await api.payOrder(RICH, { orderId: created.orderId, mobile: FIXTURE.phones.rich });
    expect(paid).toEqual({ orderId: created.orderId, payType: 'WECHAT', totalFee: 0, totalPrice: 0 });
    expect((await api.queryPayment(RICH, created.orderId)).status).toBe('PROCESSING');
    await sb.admin.advanceClock(10);
    expect(await api.queryPayment(RICH, created.orderId)).toEqual({ orderId: created.orderId, status: 'SUCCESS', msg: '' });

    const issued = await api.getOrderInfo(RICH, created.orderId);
    expect(issued.status).toBe('SUCCESS');
    expect(issued.voucherUse?.useCodes).toEqual([CODE_1]);
    expect(issued.ticketCode).not.toBe('');
    expect(issued.ticketCodes.length).toBeGreaterThan(0);
    const wallet = await api.listVouchers(RICH);
    expect(wallet.used.map((v) => v.voucherCode)).toContain(CODE_1);
  });

  it('2 tickets at 35.9: one voucher leaves one ticket payable, two cover it, unbind restores the full price', async () => {
    const [s1 = '', s2 = ''] = FIXTURE.seats.guangzhou;
    const { orderId } = await api.createOrder(GZ, { scheduleId: GZ_SCHEDULE, seatLabels: [s1, s2] });
    expect(await api.priceOrder(GZ, orderId)).toMatchObject({ orderTotalPrice: 71.8, ticketNum: 2, ticketPrices: [35.9, 35.9] });
    const one = await api.bindVouchers(GZ, orderId, [CODE_1]);
    expect(one).toMatchObject({ orderTotalPrice: 71.8, orderPaymentPrice: 35.9, voucherUse: { useNum: 1, useDetail: [35.9] } });
    const two = await api.bindVouchers(GZ, orderId, [CODE_1, CODE_2]);
    expect(two).toMatchObject({ orderPaymentPrice: 0, voucherDiscounts: [CODE_1, CODE_2], voucherUse: { useNum: 2, useTotalPrice: 71.8 } });
    const unbound = await api.unbindVouchers(GZ, orderId);
    expect(unbound).toMatchObject({ orderPaymentPrice: 71.8, voucherUse: null, voucherDiscounts: [] });
  });

  it('cancel (the sandbox assumption) releases the order; later calls see it expired', async () => {
    const orderId = await newPricedOrder();
    expect(api.canCancelOrders).toBe(true);
    await api.cancelOrder(RICH, orderId);
    expect((await api.getOrderInfo(RICH, orderId)).status).toBe('CANCEL');
    expect((await rejection(api.priceOrder(RICH, orderId))).type).toBe('OrderExpired');
    // The seat is free again.
    await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
  });
});

describe('wallet, orders, account', () => {
  it('user/voucher/list/, user/vouchers_page', async () => {
    const wallet = await api.listVouchers(RICH);
    expect(wallet.unused.map((v) => v.voucherCode)).toEqual(expect.arrayContaining([...FIXTURE.vouchers.rich.unused]));
    expect(wallet.used.map((v) => v.voucherCode)).toContain(FIXTURE.vouchers.rich.used);
    const page = await api.listVouchersPage(RICH, { voucherType: 'VGC_T', scheduleId: BJ_SCHEDULE, pageIndex: 1 });
    // Consumed vouchers are absent from the picker's list; the others are there, UN_USE or DISABLED.
    const notUsed = [...wallet.unused, ...wallet.disabled].map((v) => v.voucherCode).sort();
    expect(page.page).toMatchObject({ pageNum: 1, totalPage: 1, offsetNum: 10, dataTotal: notUsed.length });
    expect(page.result.map((v) => v.voucherCode).sort()).toEqual(notUsed);
    expect(page.result.every((v) => v.status === 'UN_USE' || v.status === 'DISABLED')).toBe(true);
    expect((await api.listVouchersPage(RICH, { voucherType: 'VGC_P', scheduleId: BJ_SCHEDULE, pageIndex: 1 })).result).toEqual([]);
    expect(await api.listVouchers({ token: FIXTURE.tokens.empty, cinemaId: RICH.cinemaId })).toEqual({ unused: [], used: [], disabled: [] });
  });

  it('/ticket/wmyc/user/orders/ lists the new order and the past one', async () => {
    const { orderId } = await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
    const page = await api.listUserOrders(RICH, { offset: 0 });
    expect(page.orders.map((o) => o.orderId)).toContain(orderId);
    expect(page.orders.some((o) => o.status === 'SUCCESS')).toBe(true);
    expect(page.orders.find((o) => o.orderId === orderId)).toMatchObject({ status: 'PENDING', ticketNum: 1 });
    expect(page.nextOffset).toBe(0);
  });

  it('user/info/ and user/cards/', async () => {
    expect(await api.getUserInfo(RICH)).toMatchObject({ isMember: true, memberCard: { cardId: String(FIXTURE.cardIds.rich) } });
    expect(await api.getUserCards(RICH)).toEqual([expect.objectContaining({ cardId: String(FIXTURE.cardIds.rich) })]);
    // A user without a card: member_info.solid_card is `{}` and the card list empty.
    expect(await api.getUserInfo({ ...RICH, token: FIXTURE.tokens.empty })).toMatchObject({ isMember: false, memberCard: null });
    expect(await api.getUserCards({ ...RICH, token: FIXTURE.tokens.empty })).toEqual([]);
  });

});

/**
 * One call per client method, checked against the sandbox's own request log: the endpoint it logged, the method,
 * HTTP 200 and no Womei error. A client method added without a line here fails to compile (the `satisfies`) and
 * fails the completeness check.
 */
describe('every client method reaches its sandbox route', () => {
  interface Ready {
    /** Created, priced, and with CODE_1 bound: free to pay. */
    orderId: string;
  }
  type Method = Exclude<keyof WomeiApi, 'canCancelOrders'>;
  const E = WOMEI_ENDPOINTS;
  const CALL_ONCE = {
    createOrder: [E.createOrder, () => api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_B] })],
    getOrderInfo: [E.orderInfo, (r: Ready) => api.getOrderInfo(RICH, r.orderId)],
    priceOrder: [E.changeOrder, (r: Ready) => api.priceOrder(RICH, r.orderId)],
    bindVouchers: [E.changeOrder, (r: Ready) => api.bindVouchers(RICH, r.orderId, [CODE_1])],
    unbindVouchers: [E.changeOrder, (r: Ready) => api.unbindVouchers(RICH, r.orderId)],
    priceVoucher: [E.voucherPrice, (r: Ready) => api.priceVoucher(RICH, { orderId: r.orderId, voucherCode: CODE_2 })],
    listVouchers: [E.voucherWallet, () => api.listVouchers(RICH)],
    listVouchersPage: [E.vouchersPage, () => api.listVouchersPage(RICH, { voucherType: 'VGC_T', scheduleId: BJ_SCHEDULE, pageIndex: 1 })],
    listUserOrders: [E.userOrders, () => api.listUserOrders(RICH, { offset: 0 })],
    payOrder: [E.payment, (r: Ready) => api.payOrder(RICH, { orderId: r.orderId, mobile: FIXTURE.phones.rich })],
    queryPayment: [E.paymentQuery, (r: Ready) => api.queryPayment(RICH, r.orderId)],
    cancelOrder: [cancelEndpoint('order/cancel/'), (r: Ready) => api.cancelOrder(RICH, r.orderId)],
    getUserInfo: [E.userInfo, () => api.getUserInfo(RICH)],
    getUserCards: [E.userCards, () => api.getUserCards(RICH)],
    getHallInfo: [E.hallInfo, () => api.getHallInfo(RICH, { hallId: FIXTURE.halls.beijing, scheduleId: BJ_SCHEDULE })],
  } satisfies Record<Method, [EndpointDef, (ready: Ready) => Promise<unknown>]>;

  it('the table lists exactly the client\'s methods', () => {
    const methods = Object.keys(api).filter((k) => k !== 'canCancelOrders');
    expect(Object.keys(CALL_ONCE).sort()).toEqual(methods.sort());
  });

  it.each(Object.keys(CALL_ONCE) as Method[])('%s', async (name) => {
    const orderId = await newPricedOrder();
    await api.bindVouchers(RICH, orderId, [CODE_1]);
    const [def, call] = CALL_ONCE[name];
    const before = (await sb.admin.requests(1)).total;

    await call({ orderId });

    const log = await sb.admin.requests(5);
    expect(log.total).toBe(before + 1);
    const entry = log.recent[log.recent.length - 1];
    expect(entry).toMatchObject({ method: def.method, endpoint: def.path, status: 200 });
    expect([entry?.ret ?? 0, entry?.sub ?? 0]).toEqual([0, 0]);
    expect(log.internalErrors).toBe(0);
  });
});

describe('business errors the checkout branches on', () => {
  it('expired token → TokenInvalid, on any endpoint', async () => {
    const expired = { token: FIXTURE.tokens.expired, cinemaId: RICH.cinemaId };
    expect((await rejection(api.listVouchers(expired))).type).toBe('TokenInvalid');
    await sb.admin.expireToken(RICH.token);
    expect(await rejection(api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] }))).toMatchObject({ type: 'TokenInvalid', sub: 408 });
  });

  it('a sold or held seat → SeatUnavailable', async () => {
    expect((await rejection(api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [FIXTURE.soldSeat] }))).type).toBe('SeatUnavailable');
    await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
    const few = { token: FIXTURE.tokens.few, cinemaId: RICH.cinemaId };
    expect((await rejection(api.createOrder(few, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A, SEAT_B] }))).type).toBe('SeatUnavailable');
  });

  it('binding or pre-checking before the init price → OrderNotPriced (4004 验券异常 / 1000 参数错误)', async () => {
    const { orderId } = await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
    expect(await rejection(api.bindVouchers(RICH, orderId, [CODE_1]))).toMatchObject({ type: 'OrderNotPriced', sub: 4004, retryable: false });
    expect(await rejection(api.priceVoucher(RICH, { orderId, voucherCode: CODE_1 }))).toMatchObject({ type: 'OrderNotPriced', sub: 1000 });
  });

  it('unknown, used, expired, disabled vouchers → VoucherNotUsable; more codes than tickets → VoucherNotUsable', async () => {
    await sb.admin.setConfig({ voucherQuota: 100 });
    const { rich } = FIXTURE.vouchers;
    for (const code of ['INVALID123456789', rich.used, rich.expired, rich.disabled]) {
      const orderId = await newPricedOrder();
      expect(await rejection(api.bindVouchers(RICH, orderId, [code]))).toMatchObject({ type: 'VoucherNotUsable', endpoint: 'order/change/' });
      await api.cancelOrder(RICH, orderId);
    }
    const orderId = await newPricedOrder();
    expect((await rejection(api.bindVouchers(RICH, orderId, [CODE_1, CODE_2]))).type).toBe('VoucherNotUsable');
  });

  it('the daily validation quota → VoucherQuotaExceeded', async () => {
    await sb.admin.setConfig({ voucherQuota: 2 });
    const orderId = await newPricedOrder();
    await api.priceVoucher(RICH, { orderId, voucherCode: CODE_1 });
    await api.priceVoucher(RICH, { orderId, voucherCode: CODE_2 });
    expect((await rejection(api.priceVoucher(RICH, { orderId, voucherCode: CODE_1 }))).type).toBe('VoucherQuotaExceeded');
  });

  it('a lapsed seat hold → OrderExpired; an unknown order → OrderNotFound; a non-zero payment → PaymentRequired', async () => {
    const orderId = await newPricedOrder();
    expect((await rejection(api.payOrder(RICH, { orderId, mobile: FIXTURE.phones.rich }))).type).toBe('PaymentRequired');
    await sb.admin.advanceClock(24 * 3600);
    expect((await rejection(api.bindVouchers(RICH, orderId, [CODE_1]))).type).toBe('OrderExpired');
    expect((await rejection(api.getOrderInfo(RICH, '250101000010009999'))).type).toBe('OrderNotFound');
  });

  it('a doubled /ticket/wmyc prefix → url not found → WomeiBadRequest', async () => {
    const doubled = createWomeiClient({ baseUrl: `${sb.url}/ticket/wmyc`, tenant: 'wmyc', timeoutMs: 5000 });
    expect((await rejection(doubled.listVouchers(RICH))).type).toBe('WomeiBadRequest');
  });

  it('no cancel route configured → WomeiBadRequest without a request', async () => {
    const realistic = createWomeiClient({ baseUrl: sb.url, tenant: 'wmyc', timeoutMs: 5000 });
    expect(realistic.canCancelOrders).toBe(false);
    expect((await rejection(realistic.cancelOrder(RICH, '250101000010009999'))).message).toContain('no cancel route is configured');
  });
});

describe('injected faults', () => {
  it('http5xx → WomeiUnavailable naming the status', async () => {
    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'http5xx', status: 502, count: 1 });
    const { orderId } = await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] });
    const err = await rejection(api.priceOrder(RICH, orderId));
    expect(err).toMatchObject({ type: 'WomeiUnavailable', retryable: true, httpStatus: 502 });
    expect(err.message).toBe('order/change/: Womei unavailable: HTTP 502');
    expect((await api.priceOrder(RICH, orderId)).orderTotalPrice).toBe(49);
  });

  it('hang → WomeiUnavailable timeout after the configured ms', async () => {
    await sb.admin.addFault({ endpoint: 'user/voucher/list/', kind: 'hang', count: 1 });
    const err = await rejection(fastApi.listVouchers(RICH));
    expect(err.message).toBe(`user/voucher/list/: Womei unavailable: timeout after ${FAST_TIMEOUT_MS} ms`);
  });

  it('drop → WomeiUnavailable, and nothing was created', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'drop', count: 1 });
    const err = await rejection(api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] }));
    expect(err.type).toBe('WomeiUnavailable');
    expect((await api.listUserOrders(RICH, { offset: 0 })).orders.filter((o) => o.status === 'PENDING')).toEqual([]);
  });

  it('lostResponse on order/ticket/ → WomeiUnavailable, but the order exists and user/orders/ finds it', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 });
    const err = await rejection(api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] }));
    expect(err.type).toBe('WomeiUnavailable');
    const pending = (await api.listUserOrders(RICH, { offset: 0 })).orders.filter((o) => o.status === 'PENDING');
    expect(pending).toHaveLength(1);
  });

  it('busy → WomeiUnavailable (retryable)', async () => {
    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'busy', count: 1 });
    const orderId = (await api.createOrder(RICH, { scheduleId: BJ_SCHEDULE, seatLabels: [SEAT_A] })).orderId;
    expect(await rejection(api.priceOrder(RICH, orderId))).toMatchObject({ type: 'WomeiUnavailable', retryable: true, sub: 5000 });
  });

  it('rateLimit → WomeiRateLimited with the advised wait', async () => {
    await sb.admin.addFault({ endpoint: 'order/info/', kind: 'rateLimit', retryAfterSeconds: 7, count: 1 });
    const err = await rejection(api.getOrderInfo(RICH, '250101000010009999'));
    expect(err).toMatchObject({ type: 'WomeiRateLimited', retryable: true, httpStatus: 429, retryAfterMs: 7000 });
  });

  it('the gateway limit itself → WomeiRateLimited', async () => {
    await sb.admin.setConfig({ rateLimitPerMinute: 2 });
    await api.listVouchers(RICH);
    await api.listVouchers(RICH);
    const err = await rejection(api.listVouchers(RICH));
    expect(err.type).toBe('WomeiRateLimited');
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it('error fault with a catalogue entry → that entry’s typed error', async () => {
    await sb.admin.addFault({ endpoint: 'order/voucher/price/', kind: 'error', error: 'voucherQuotaExceeded', count: 1 });
    const orderId = await newPricedOrder();
    expect((await rejection(api.priceVoucher(RICH, { orderId, voucherCode: CODE_1 }))).type).toBe('VoucherQuotaExceeded');
  });

  it('garbage → WomeiProtocolError naming the endpoint and the field', async () => {
    const orderId = await newPricedOrder();
    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'garbage', mode: 'wrongType', field: 'data.order_payment_price', count: 1 });
    const wrongType = await rejection(api.priceOrder(RICH, orderId));
    expect(wrongType.type).toBe('WomeiProtocolError');
    expect(wrongType.message).toMatch(/^order\/change\/: response field data\.order_payment_price: expected number, received \w+$/);

    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'garbage', mode: 'dropField', field: 'data.voucher_use', count: 1 });
    expect((await rejection(api.priceOrder(RICH, orderId))).message).toMatch(/^order\/change\/: response field data\.voucher_use: /);

    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'garbage', mode: 'truncated', count: 1 });
    expect((await rejection(api.priceOrder(RICH, orderId))).message).toMatch(/^order\/change\/: response is not JSON \(HTTP 200\): /);

    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'garbage', mode: 'nullData', count: 1 });
    expect((await rejection(api.priceOrder(RICH, orderId))).message).toBe('order/change/: response field data: expected object, received null');
  });

  it('latency under the timeout still succeeds', async () => {
    await sb.admin.addFault({ endpoint: 'user/voucher/list/', kind: 'latency', ms: 100, count: 1 });
    expect((await fastApi.listVouchers(RICH)).unused.length).toBeGreaterThan(0);
  });
});
