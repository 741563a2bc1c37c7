/** The schemas against captured bodies (docs/womei-api.md §3) and the wire quirks, with no server involved. */
import { z } from 'zod';
import { routePath, WOMEI_ENDPOINTS } from '../../src/womei/endpoints';
import { WomeiError } from '../../src/womei/errors';
import { describeZodError, parseEmptyBody, parseGoodsBody, retryAfterFromHeaders } from '../../src/womei/response';
import * as S from '../../src/womei/schemas';
import * as W from './wire-fixtures';

function problem(schema: z.ZodType, value: unknown): string {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a parse failure');
  return describeZodError(r.error, ['data']);
}

describe('order/change/', () => {
  it('the captured init pricing: one price per ticket as a list, voucher_use {} is null', () => {
    expect(S.orderPriceData.parse(W.priceNoVoucher)).toMatchObject({ orderTotalPrice: 49, ticketPrices: [49], ticketNum: 1, voucherUse: null, voucherDiscounts: [] });
    expect(S.orderPriceData.parse({ ...W.priceNoVoucher, voucher_use: [] }).voucherUse).toBeNull();
    expect(S.orderPriceData.parse(W.priceMemberCard).ticketPrices).toEqual([38]);
  });

  it('the captured 1-voucher bind, and 2 vouchers on 2 tickets keep their prices and codes in order', () => {
    expect(S.orderPriceData.parse(W.priceOneVoucher)).toMatchObject({
      orderPaymentPrice: 0,
      ticketPrices: [49],
      voucherUse: { useNum: 1, useCodes: ['GZJY01002948425042'], useTotalPrice: 49, useDetail: [49], extraPrice: 0 },
      voucherDiscounts: ['GZJY01002948425042'],
    });
    const two = S.orderPriceData.parse(W.priceTwoVouchers);
    expect(two).toEqual({
      orderId: W.ORDER_ID,
      orderTotalPrice: 71.8,
      orderPaymentPrice: 0,
      ticketTotalPrice: 71.8,
      ticketPaymentTotalPrice: 0,
      ticketPrices: [35.9, 35.9],
      ticketNum: 2,
      voucherUse: { useNum: 2, useCodes: ['GZJY01003062558469', 'GZJY01002948416827'], useTotalPrice: 71.8, useDetail: [35.9, 35.9], extraPrice: 0 },
      voucherDiscounts: ['GZJY01003062558469', 'GZJY01002948416827'],
    });
  });

  it('tickets of different prices, and PHP variants of lists and counts', () => {
    const mixed = { ...W.priceTwoVouchers, ticket_single_price: [35.9, 36], ticket_num: '2', order_total_price: 71.9, ticket_total_price: 71.9 };
    expect(S.orderPriceData.parse(mixed)).toMatchObject({ ticketPrices: [35.9, 36], ticketNum: 2 });
    // A PHP list whose keys are not 0…n−1 in order is encoded as an object.
    const keyed = { ...W.priceTwoVouchers, ticket_single_price: { 1: 36, 0: 35.9 }, voucher_discounts: { 0: 'GZJY01003062558469', 1: 'GZJY01002948416827' } };
    expect(S.orderPriceData.parse(keyed)).toMatchObject({ ticketPrices: [35.9, 36], voucherDiscounts: ['GZJY01003062558469', 'GZJY01002948416827'] });
    expect(S.orderPriceData.parse({ ...W.priceNoVoucher, voucher_discounts: {} }).voucherDiscounts).toEqual([]);
  });

  it('is strict on prices, per-ticket prices and codes', () => {
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_total_price: -1 })).toBe('field data.order_total_price: Too small: expected number to be >=0');
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_total_price: null })).toBe('field data.order_total_price: expected number, received null');
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_payment_price: '49' })).toBe('field data.order_payment_price: expected number, received string');
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, ticket_single_price: 49 })).toBe('field data.ticket_single_price: expected array, received number');
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, ticket_single_price: ['49'] })).toBe('field data.ticket_single_price[0]: expected number, received string');
    expect(problem(S.orderPriceData, { ...W.priceTwoVouchers, ticket_single_price: [35.9] })).toBe(
      'field data.ticket_single_price: expected one price per ticket (ticket_num 2), got 1',
    );
    expect(problem(S.orderPriceData, { ...W.priceNoVoucher, order_id: 2506241538 })).toBe('field data.order_id: expected string, received number');
    expect(problem(S.orderPriceData, { ...W.priceTwoVouchers, voucher_discounts: ['A B'] })).toBe(
      'field data.voucher_discounts[0]: expected a voucher code (no spaces or commas)',
    );
    expect(problem(S.orderPriceData, { ...W.priceTwoVouchers, voucher_use: { ...W.priceTwoVouchers.voucher_use, extra_price: undefined } })).toBe(
      'field data.voucher_use.extra_price: expected number, received undefined',
    );
  });

  it('ignores the fields it does not read, whatever their kind', () => {
    const odd = { ...W.priceNoVoucher, fee_ticket_num: '1', ticket_bis_fee: null, goods: [], order_msg: 0, surprise: { deep: [1] } };
    expect(S.orderPriceData.parse(odd)).toEqual(S.orderPriceData.parse(W.priceNoVoucher));
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
      ticketItems: {
        ticketNum: 1,
        scheduleId: 16701886,
        seatInfo: '10排12座',
        hallName: '8号ALPD Pro Dolby Atmos杜比厅',
        areaSeats: [{ areaId: '10014', seat: '10排12座' }],
      },
      payTime: '2025-06-24 15:38',
      movieName: '碟中谍8：最终清算',
      showDate: '2025-06-24 16:25',
    });
  });

  it('parses the SUCCESS capture: voucher_use without extra_price, ticket codes', () => {
    const info = S.orderInfoData.parse(W.orderInfoIssued);
    expect(info.status).toBe('SUCCESS');
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

  it('a film with a post-credits scene (movie_egg_num 1), a numeric cinema id, several seats', () => {
    const items = W.orderInfoPending.ticket_items as Record<string, unknown>;
    const twoSeats = { ...W.orderInfoPending, movie_egg_num: 1, cinema_id: 9647, ticket_items: { ...items, ticket_num: 2, seat_info: '5排8座 | 5排9座' } };
    expect(S.orderInfoData.parse(twoSeats)).toMatchObject({ cinemaId: '9647', ticketItems: { ticketNum: 2, seatInfo: '5排8座 | 5排9座' } });
  });

  it('accepts schedule_id as a digit string, refuses anything else', () => {
    const items = W.orderInfoPending.ticket_items as Record<string, unknown>;
    const asString = { ...W.orderInfoPending, ticket_items: { ...items, schedule_id: '16701886' } };
    expect(S.orderInfoData.parse(asString).ticketItems.scheduleId).toBe(16701886);
    const asBool = { ...W.orderInfoPending, ticket_items: { ...items, schedule_id: true } };
    expect(problem(S.orderInfoData, asBool)).toBe('field data.ticket_items.schedule_id: expected number or string, received boolean');
    const asWord = { ...W.orderInfoPending, ticket_items: { ...items, schedule_id: 'x1' } };
    expect(problem(S.orderInfoData, asWord)).toBe('field data.ticket_items.schedule_id: expected a string of digits');
  });

  it('refuses an empty status', () => {
    expect(problem(S.orderInfoData, { ...W.orderInfoPending, status: '' })).toMatch(/^field data\.status: /);
  });

  it('display texts it does not read may be absent or null', () => {
    const sparse = { ...W.orderInfoPending, status_desc: null, movie_name: undefined, pay_time: undefined };
    expect(S.orderInfoData.parse(sparse)).toMatchObject({ statusDesc: '', movieName: '', payTime: '' });
  });
});

describe('empty answers: PHP sends [] or {}', () => {
  it('wallet, voucher page, orders, cards, a user without a card', () => {
    expect(S.voucherWalletData.parse([])).toEqual({ unused: [], used: [], disabled: [] });
    expect(S.voucherWalletData.parse({ unused: {}, used: [], disabled: [] })).toEqual({ unused: [], used: [], disabled: [] });
    expect(S.voucherPageData.parse({ ...W.voucherPage, result: {} }).result).toEqual([]);
    expect(S.userOrdersData.parse([])).toEqual({ orders: [], nextOffset: undefined });
    expect(S.userCardsData.parse([])).toEqual([]);
    expect(S.userCardsData.parse({ solid_card: {} })).toEqual([]);
    const noCard = { ...W.userInfo, is_member: false, member_info: { solid_card: {}, virtual_open_card: true, virtual_card: [] } };
    expect(S.userInfoData.parse(noCard).memberCard).toBeNull();
  });

  it('but a non-empty wrong shape is still refused', () => {
    expect(problem(S.userCardsData, { solid_card: [{ card_id: 1 }] })).toBe('field data.solid_card[0].card_no: expected string, received undefined');
    expect(problem(S.voucherWalletData, { unused: [] })).toBe('field data.used: expected array, received undefined');
  });
});

describe('vouchers and other bodies', () => {
  it('parse the captures', () => {
    const w = S.voucherWalletData.parse(W.wallet);
    expect([w.unused.length, w.used.length, w.disabled.length]).toEqual([2, 0, 46]);
    expect(w.unused[0]).toEqual({
      voucherCode: 'GZJY01002948425042',
      voucherCodeMask: 'GZJY************42',
      voucherName: '广州佳意--电影票',
      expireTime: 1767196800,
      expireTimeString: '2026年1月1日 00:00',
      voucherNum: 1,
      voucherDesc: '本兑换券不可与优惠活动同时使用，且不支持退票',
    });
    // The flat typed list (user/vouchers) holds the same items vouchers_page pages.
    const typed = S.voucherPageData.parse({ ...W.voucherPage, result: W.typedVouchers }).result;
    expect(typed).toHaveLength(48);
    expect(new Set(typed.map((v) => v.status))).toEqual(new Set(['UN_USE', 'DISABLED']));
    const page = S.voucherPageData.parse(W.voucherPage);
    expect(page.page).toEqual({ dataTotal: 48, totalPage: 5, pageNum: 1, offsetNum: 10, prePage: 1, nextPage: 2 });
    expect(page.result[0]?.bindTimeStr).toBe('2025-06-23 11:51:27');
    expect(S.voucherPriceData.parse(W.voucherPrice)).toEqual({ surchargePrice: 0, payPrice: 0, surchargeMsg: '' });
    expect(S.paymentData.parse(W.payment)).toEqual({ orderId: W.ORDER_ID, payType: 'WECHAT', totalFee: 0, totalPrice: 0 });
    expect(S.userOrdersData.parse({ ...W.userOrders, next_offset: '20' }).nextOffset).toBe(20);
  });

  it('ignore fields we do not read', () => {
    const parsed = S.createOrderData.parse({ ...W.createOrder, surprise: { deep: 1 } });
    expect(parsed).toEqual({ orderId: W.ORDER_ID, serverTime: 1750750721 });
  });
});

const TOKEN = '0123456789abcdef0123456789abcdef';
const GOODS = WOMEI_ENDPOINTS.goodsList.path;
const GIFT = WOMEI_ENDPOINTS.vccActivityGift.path;
/**
 * The readers of the two answers that are not Womei envelopes, as the captures show them (no client method calls
 * these routes; the sandbox serves them): the goods list, which must be empty with code 10006, and the gift's
 * empty body.
 */
const NO_GOODS = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && Object.keys(v).length === 0 ? [] : v),
  z.array(z.unknown()).max(0, 'expected no goods with code 10006 (暂无卖品)'),
);
const NOTHING = z.undefined();

/** The typed error a reader throws (and that it never echoes the token). */
function thrown(read: () => unknown): WomeiError {
  let caught: unknown;
  try {
    read();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WomeiError);
  const e = caught as WomeiError;
  expect(e.message).not.toContain(TOKEN);
  expect(e.womeiMsg ?? '').not.toContain(TOKEN);
  return e;
}

describe('the goods service envelope (parseGoodsBody)', () => {
  const goods = (text: string, status = 200) => parseGoodsBody(GOODS, { status, text }, NO_GOODS, [TOKEN]);
  /** As captured: PHP-escaped, code a string. */
  const CAPTURED = '{"code":"10006","msg":"\\u6682\\u65e0\\u5356\\u54c1","data":[]}';

  it('the envelope schema reads the capture; a numeric code becomes its digits', () => {
    expect(S.goodsEnvelopeSchema.parse(JSON.parse(CAPTURED))).toEqual({ code: '10006', msg: '暂无卖品', data: [] });
    expect(S.goodsEnvelopeSchema.parse({ code: 10006, msg: '', data: [] }).code).toBe('10006');
  });

  it('code 10006 (暂无卖品) is an empty list, with data [] or {}', () => {
    expect(goods(CAPTURED)).toEqual([]);
    expect(goods('{"code":"10006","msg":"暂无卖品","data":{}}')).toEqual([]);
    expect(goods('{"code":10006,"msg":"暂无卖品","data":[]}')).toEqual([]);
  });

  it('code 10006 listing goods is a contradiction → WomeiProtocolError', () => {
    const e = thrown(() => goods('{"code":"10006","msg":"暂无卖品","data":[{"goods_id":1}]}'));
    expect(e).toMatchObject({ type: 'WomeiProtocolError', endpoint: GOODS });
    expect(e.message).toBe('goods/list/routine/: response field data: expected no goods with code 10006 (暂无卖品)');
  });

  it('any other code, a would-be success included → WomeiProtocolError naming endpoint, code and msg', () => {
    const e = thrown(() => goods('{"code":"0","msg":"ok","data":[{"goods_id":1}]}'));
    expect(e).toMatchObject({ type: 'WomeiProtocolError', endpoint: GOODS, retryable: false, httpStatus: 200 });
    expect(e.message).toBe('goods/list/routine/: unrecognised goods service answer (code "0", msg "ok")');
    expect(thrown(() => goods('{"code":"10001","msg":"参数错误","data":[]}')).type).toBe('WomeiProtocolError');
  });

  it('a msg that says busy → WomeiUnavailable (retryable)', () => {
    const e = thrown(() => goods('{"code":"10500","msg":"系统繁忙，请稍后再试","data":[]}'));
    expect(e).toMatchObject({ type: 'WomeiUnavailable', retryable: true, endpoint: GOODS, womeiMsg: '系统繁忙，请稍后再试' });
    expect(e.message).toBe('goods/list/routine/: goods service busy (code "10500", msg "系统繁忙，请稍后再试")');
  });

  it('a Womei ret/sub failure on the route keeps its typed error', () => {
    expect(thrown(() => goods('{"ret":0,"sub":408,"msg":"获取TOKEN超时 [5105A]","data":[]}'))).toMatchObject({ type: 'TokenInvalid', sub: 408 });
    expect(thrown(() => goods('{"ret":1,"sub":1,"msg":"url not found","data":{}}')).type).toBe('WomeiBadRequest');
  });

  it('not the goods envelope, not JSON, or not HTTP 2xx → WomeiProtocolError', () => {
    expect(thrown(() => goods('{"ret":0,"sub":0,"msg":"successfully","data":[]}')).message).toBe(
      'goods/list/routine/: goods service response field code: expected string or number, received undefined',
    );
    expect(thrown(() => goods('')).message).toBe('goods/list/routine/: response is not JSON (HTTP 200): empty body');
    expect(thrown(() => goods(CAPTURED, 404)).message).toBe('goods/list/routine/: unexpected HTTP 404 from the goods service (code "10006", msg "暂无卖品")');
  });

  it('never echoes the token in a message', () => {
    const e = thrown(() => goods(`{"code":"1","msg":"bad token ${TOKEN}","data":[]}`));
    expect(e.message).toContain('msg "bad token [redacted]"');
  });
});

describe('the empty gift body (parseEmptyBody)', () => {
  const gift = (text: string, status = 200) => parseEmptyBody(GIFT, { status, text }, NOTHING, [TOKEN]);

  it('HTTP 200 with an empty body (whitespace alone counts as empty) is the answer: undefined', () => {
    expect(gift('')).toBeUndefined();
    expect(gift('\r\n')).toBeUndefined();
  });

  it('any body → WomeiProtocolError naming the endpoint, a success envelope included', () => {
    const e = thrown(() => gift('{"ret":0,"sub":0,"msg":"successfully","data":[]}'));
    expect(e).toMatchObject({ type: 'WomeiProtocolError', endpoint: GIFT, httpStatus: 200 });
    expect(e.message).toBe('vcc/activity/gift/: expected an empty body, got "{\\"ret\\":0,\\"sub\\":0,\\"msg\\":\\"successfully\\",\\"data\\":[]}"');
    expect(thrown(() => gift('<html>gift</html>')).message).toBe('vcc/activity/gift/: expected an empty body, got "<html>gift</html>"');
  });

  it('an empty body with a non-2xx status → WomeiProtocolError', () => {
    expect(thrown(() => gift('', 404)).message).toBe('vcc/activity/gift/: unexpected HTTP 404: empty body');
  });

  it('a Womei failure envelope keeps its typed error (an expired token is TokenInvalid here too)', () => {
    expect(thrown(() => gift('{"ret":0,"sub":408,"msg":"获取TOKEN超时 [5105A]","data":[]}'))).toMatchObject({ type: 'TokenInvalid', endpoint: GIFT });
  });

  it('never echoes the token', () => {
    expect(thrown(() => gift(`token=${TOKEN}`)).message).not.toContain(TOKEN);
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
  it('builds every scope\'s path in one place, the goods service with the cinema before the last segment', () => {
    const at = (name: keyof typeof WOMEI_ENDPOINTS) => routePath(WOMEI_ENDPOINTS[name], 'wmyc', '9647');
    expect(at('orderTemplate')).toBe('ticket/wmyc/cinema/9647/order/template/');
    expect(at('checkPhone')).toBe('ticket/wmyc/user/check_phone/');
    expect(at('orderSublists')).toBe('ticket/order/sublists/info');
    expect(at('goodsList')).toBe('qrgoods/api/goods/list/9647/routine/');
  });

  it('names the answers that are not Womei envelopes', () => {
    const special = Object.entries(WOMEI_ENDPOINTS)
      .filter(([, e]) => e.body !== 'envelope')
      .map(([name, e]) => [name, e.body]);
    expect(special).toEqual([
      ['vccActivityGift', 'empty'],
      ['goodsList', 'goodsEnvelope'],
    ]);
  });

  it('keeps the captured trailing slashes', () => {
    const noSlash = Object.values(WOMEI_ENDPOINTS)
      .map((e) => e.path)
      .filter((p) => !p.endsWith('/'));
    expect(noSlash.sort()).toEqual(['order/sublists/info', 'order/vcc/usable/count', 'user/vouchers', 'user/vouchers_page']);
  });
});
