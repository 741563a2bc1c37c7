/** The schemas against captured bodies (womei-api.md §3) and the wire quirks, with no server involved. */
import { z } from 'zod';
import { WOMEI_ENDPOINTS } from '../../src/womei/endpoints';
import { describeZodError, retryAfterFromHeaders } from '../../src/womei/response';
import * as S from '../../src/womei/schemas';
import * as W from './wire-fixtures';

function problem(schema: z.ZodType, value: unknown): string {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a parse failure');
  return describeZodError(r.error, ['data']);
}

describe('order/change/', () => {
  it('voucher_use {} is null, and the 2-voucher capture keeps its prices and codes in order', () => {
    expect(S.orderPriceData.parse(W.priceNoVoucher)).toMatchObject({ voucherUse: null, voucherDiscounts: [], ticketSinglePrice: 49 });
    expect(S.orderPriceData.parse({ ...W.priceNoVoucher, voucher_use: [] }).voucherUse).toBeNull();
    const two = S.orderPriceData.parse(W.priceTwoVouchers);
    expect(two).toEqual({
      orderId: W.ORDER_ID,
      orderTotalPrice: 71.8,
      orderPaymentPrice: 0,
      ticketTotalPrice: 71.8,
      ticketPaymentTotalPrice: 0,
      ticketSinglePrice: 35.9,
      ticketNum: 2,
      voucherUse: { useNum: 2, useCodes: ['GZJY01003062558469', 'GZJY01002948416827'], useTotalPrice: 71.8, useDetail: [35.9, 35.9], extraPrice: 0 },
      voucherDiscounts: ['GZJY01003062558469', 'GZJY01002948416827'],
    });
  });

  it('is strict on prices and codes', () => {
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_total_price: -1 })).toBe('field data.order_total_price: Too small: expected number to be >=0');
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_total_price: null })).toBe('field data.order_total_price: expected number, received null');
    expect(problem(S.orderPriceData, { ...W.priceTwoVouchers, voucher_discounts: ['A B'] })).toBe(
      'field data.voucher_discounts[0]: expected a voucher code (no spaces or commas)',
    );
    expect(problem(S.orderPriceData, { ...W.priceTwoVouchers, voucher_use: { ...W.priceTwoVouchers.voucher_use, extra_price: undefined } })).toBe(
      'field data.voucher_use.extra_price: expected number, received undefined',
    );
  });
});

describe('order/info/', () => {
  it('parses the PENDING capture: schedule_id as a number, movie_egg_num as an int', () => {
    expect(S.orderInfoData.parse(W.orderInfoPending)).toEqual({
      orderId: W.ORDER_ID,
      status: 'PENDING',
      statusDesc: '未支付',
      cinemaId: '9647',
      orderTotalPrice: 0,
      orderPaymentPrice: 0,
      ticketTotalPrice: 0,
      ticketCode: '',
      ticketCodes: [{ name: '取票码', code: '' }],
      voucherUse: null,
      ticketItems: { ticketNum: 1, scheduleId: 16701886, seatInfo: '10排12座', hallName: '8号ALPD Pro Dolby Atmos杜比厅' },
      payTime: '2025-06-24 15:38',
      movieName: '碟中谍8：最终清算',
      showDate: '2025-06-24 16:25',
    });
  });

  it('parses the SUCCESS capture: voucher_use without extra_price, movie_egg_num as a string, ticket codes', () => {
    const info = S.orderInfoData.parse(W.orderInfoIssued);
    expect(info.voucherUse).toEqual({
      useNum: 1,
      useCodes: ['GZJY01002948425042'],
      useTotalPrice: 49,
      useDetail: [49],
      extraPrice: 0,
      useTotalDesc: '本订单使用了1张兑换券，抵扣金额为：49元',
    });
    expect(info.ticketCodes.map((c) => c.code)).toEqual(['130148823', '1269074']);
  });

  it('accepts schedule_id as a digit string, refuses anything else', () => {
    const asString = { ...W.orderInfoPending, ticket_items: { ...W.orderInfoPending.ticket_items, schedule_id: '16701886' } };
    expect(S.orderInfoData.parse(asString).ticketItems.scheduleId).toBe(16701886);
    const asBool = { ...W.orderInfoPending, ticket_items: { ...W.orderInfoPending.ticket_items, schedule_id: true } };
    expect(problem(S.orderInfoData, asBool)).toBe('field data.ticket_items.schedule_id: expected number or string, received boolean');
    const asWord = { ...W.orderInfoPending, ticket_items: { ...W.orderInfoPending.ticket_items, schedule_id: 'x1' } };
    expect(problem(S.orderInfoData, asWord)).toBe('field data.ticket_items.schedule_id: expected a string of digits');
  });

  it('refuses an empty status', () => {
    expect(problem(S.orderInfoData, { ...W.orderInfoPending, status: '' })).toMatch(/^field data\.status: /);
  });
});

describe('empty answers: PHP sends [] or {}', () => {
  it('wallet, typed list, orders, sublists, vcc, cards, shows', () => {
    expect(S.voucherWalletData.parse([])).toEqual({ unused: [], used: [], disabled: [] });
    expect(S.voucherWalletData.parse({ unused: {}, used: [], disabled: [] })).toEqual({ unused: [], used: [], disabled: [] });
    expect(S.typedVouchersData.parse({})).toEqual([]);
    expect(S.userOrdersData.parse([])).toEqual({ orders: [], nextOffset: undefined });
    expect(S.orderSublistsData.parse({})).toEqual([]);
    expect(S.vccListData.parse({ order_id: '1', usable: {}, disable: [] })).toEqual({ orderId: '1', usable: [], disable: [] });
    expect(S.userCardsData.parse([])).toEqual({ solidCard: [] });
    expect(S.showsData.parse([])).toEqual({});
    expect(S.recordData.parse([])).toEqual({});
  });

  it('but a non-empty wrong shape is still refused', () => {
    expect(problem(S.orderSublistsData, { a: 1 })).toBe('field data: expected array, received object');
    expect(problem(S.voucherWalletData, { unused: [] })).toBe('field data.used: expected array, received undefined');
  });
});

describe('vouchers and other bodies', () => {
  it('parse the captures', () => {
    expect(S.voucherWalletData.parse(W.wallet).unused).toHaveLength(1);
    expect(S.typedVouchersData.parse([W.typedVoucher, { ...W.typedVoucher, status: 'DISABLED' }]).map((v) => v.status)).toEqual(['UN_USE', 'DISABLED']);
    expect(S.voucherPageData.parse(W.voucherPage).result[0]?.bindTimeStr).toBe('2025-06-19 19:30:20');
    expect(S.voucherPriceData.parse(W.voucherPrice)).toEqual({ surchargePrice: 0, payPrice: 0, surchargeMsg: '' });
    expect(S.paymentData.parse(W.payment)).toEqual({ orderId: W.ORDER_ID, payType: 'WECHAT', totalFee: 0, totalPrice: 0 });
    expect(S.userOrdersData.parse({ ...W.userOrders, next_offset: '20' }).nextOffset).toBe(20);
  });

  it('ignore fields we do not read', () => {
    const parsed = S.createOrderData.parse({ ...W.createOrder, surprise: { deep: 1 } });
    expect(parsed).toEqual({ orderId: W.ORDER_ID, serverTime: 1750750721 });
  });
});

describe('retry advice from headers', () => {
  it('reads seconds from ratelimit-reset first, then retry-after seconds or date', () => {
    const now = Date.parse('2025-06-24T08:00:00Z');
    expect(retryAfterFromHeaders(new Headers({ 'ratelimit-reset': '12', 'retry-after': '30' }), now)).toBe(12_000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '1.5' }), now)).toBe(1500);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Tue, 24 Jun 2025 08:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined();
  });
});

describe('WOMEI_ENDPOINTS', () => {
  it('keeps the captured trailing slashes', () => {
    const noSlash = Object.values(WOMEI_ENDPOINTS)
      .map((e) => e.path)
      .filter((p) => !p.endsWith('/'));
    expect(noSlash.sort()).toEqual(['order/sublists/info', 'order/vcc/usable/count', 'user/vouchers', 'user/vouchers_page']);
  });
});
