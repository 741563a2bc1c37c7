/**
 * What the client puts on the wire for every endpoint, checked against a local HTTP server that records each
 * request: method, exact path (trailing slashes), query, headers, and the form body field by field.
 */
import { createWomeiClient } from '../../src/womei/client';
import { REFERER, WECHAT_USER_AGENT } from '../../src/womei/headers';
import type { WomeiApi } from '../../src/womei/types';
import { okData, sendJson, startCannedServer, type CannedServer, type Handler, type RecordedRequest } from './canned-server';
import * as W from './wire-fixtures';

const TOKEN = '0123456789abcdef0123456789abcdef';
const session = { token: TOKEN, cinemaId: '9647' };
const CINEMA = '/ticket/wmyc/cinema/9647/';

let server: CannedServer;
let client: WomeiApi;

beforeAll(async () => {
  server = await startCannedServer();
  client = createWomeiClient({ baseUrl: server.url, tenant: 'wmyc', timeoutMs: 2000, cancelPath: 'order/cancel/' });
});
afterAll(() => server.close());

async function sent<T>(data: unknown, run: () => Promise<T>): Promise<{ req: RecordedRequest; result: T }> {
  return answered(okData(data), run);
}

/** Like `sent`, for answers that are not a success envelope. */
async function answered<T>(handler: Handler, run: () => Promise<T>): Promise<{ req: RecordedRequest; result: T }> {
  server.handle(handler);
  const before = server.requests.length;
  const result = await run();
  expect(server.requests).toHaveLength(before + 1);
  return { req: server.requests[before]!, result };
}

/** Form fields in the order sent (order matters for fidelity, not for PHP). */
function fields(body: string): [string, string][] {
  return [...new URLSearchParams(body).entries()];
}

describe('headers', () => {
  it('sends every mini-program header on a GET, with no body', async () => {
    const { req } = await sent(W.wallet, () => client.listVouchers(session));
    expect(req.method).toBe('GET');
    expect(req.body).toBe('');
    expect(req.headers).toMatchObject({
      token: TOKEN,
      'x-channel-id': '40000',
      'tenant-short': 'wmyc',
      'client-version': '4.0',
      'content-type': 'multipart/form-data',
      xweb_xhr: '1',
      'x-requested-with': 'wxapp',
      referer: REFERER,
      'user-agent': WECHAT_USER_AGENT,
    });
    expect(req.headers['user-agent']).toContain('MicroMessenger/7.0.20.1781(0x6700143B)');
    expect(req.headers['user-agent']).toContain('MiniProgramEnv/Windows WindowsWechat/WMPF');
  });

  it('sends POST bodies form-urlencoded with the same headers', async () => {
    const { req } = await sent(W.paymentQuery, () => client.queryPayment(session, W.ORDER_ID));
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.token).toBe(TOKEN);
    expect(req.headers.referer).toBe(REFERER);
  });
});

describe('order/change/', () => {
  it('priceOrder sends every field, WECHAT/MARKETING, empty voucher fields, ?version=tp_version', async () => {
    const { req, result } = await sent(W.priceNoVoucher, () => client.priceOrder(session, W.ORDER_ID));
    expect(req.url).toBe(`${CINEMA}order/change/?version=tp_version`);
    expect(fields(req.body)).toEqual([
      ['order_id', W.ORDER_ID],
      ['discount_id', '0'],
      ['discount_type', 'MARKETING'],
      ['card_id', ''],
      ['pay_type', 'WECHAT'],
      ['rewards', '[]'],
      ['use_rewards', 'Y'],
      ['use_limit_cards', 'N'],
      ['limit_cards', '[]'],
      ['voucher_code', ''],
      ['voucher_code_type', ''],
      ['ticket_pack_goods', ''],
    ]);
    expect(result).toMatchObject({ orderId: W.ORDER_ID, orderTotalPrice: 49, orderPaymentPrice: 49, ticketPrices: [49], voucherUse: null, voucherDiscounts: [] });
  });

  it('bindVouchers comma-joins the codes (wire %2C) and sends ticket_pack_goods as one space (wire %20)', async () => {
    const codes = ['GZJY01003062558469', 'GZJY01002948416827'];
    const { req, result } = await sent(W.priceTwoVouchers, () => client.bindVouchers(session, W.ORDER_ID, codes));
    expect(req.body).toContain('voucher_code=GZJY01003062558469%2CGZJY01002948416827');
    expect(req.body).toContain('ticket_pack_goods=%20');
    expect(req.body).not.toContain('+');
    expect(Object.fromEntries(fields(req.body))).toMatchObject({
      discount_type: 'TP_VOUCHER',
      pay_type: 'WECHAT',
      card_id: '',
      voucher_code_type: 'VGC_T',
      ticket_pack_goods: ' ',
      discount_id: '0',
      rewards: '[]',
    });
    expect(result.voucherUse).toEqual({ useNum: 2, useCodes: codes, useTotalPrice: 71.8, useDetail: [35.9, 35.9], extraPrice: 0 });
    expect(result).toMatchObject({ orderPaymentPrice: 0, ticketPrices: [35.9, 35.9] });
  });

  it('unbindVouchers sends the no-voucher choice again (replace semantics)', async () => {
    const { req, result } = await sent(W.priceNoVoucher, () => client.unbindVouchers(session, W.ORDER_ID));
    expect(result).toMatchObject({ voucherUse: null, ticketPrices: [49] });
    expect(Object.fromEntries(fields(req.body))).toMatchObject({ discount_type: 'MARKETING', voucher_code: '', voucher_code_type: '', ticket_pack_goods: '' });
  });

  it('changeOrder passes a member card through', async () => {
    const { req, result } = await sent(W.priceMemberCard, () =>
      client.changeOrder(session, { orderId: W.ORDER_ID, discountType: 'MARKETING', payType: 'MEMBER', cardId: '376354', voucherCodes: [], voucherCodeType: '' }),
    );
    expect(Object.fromEntries(fields(req.body))).toMatchObject({ pay_type: 'MEMBER', card_id: '376354' });
    expect(result).toMatchObject({ orderTotalPrice: 38, ticketPrices: [38] });
  });

  it('refuses a voucher code with a comma or space before sending anything', async () => {
    const before = server.requests.length;
    await expect(client.bindVouchers(session, W.ORDER_ID, ['A,B'])).rejects.toMatchObject({ type: 'WomeiBadRequest' });
    await expect(client.bindVouchers(session, W.ORDER_ID, [' '])).rejects.toMatchObject({ type: 'WomeiBadRequest' });
    expect(server.requests).toHaveLength(before);
  });
});

describe('every other endpoint: path, query, body, parsed result', () => {
  it('order/ticket/', async () => {
    const { req, result } = await sent(W.createOrder, () =>
      client.createOrder(session, { scheduleId: '16701886', seatLabels: ['10013:7:5:11112211#04#10', '10013:7:4:11112211#04#09'] }),
    );
    expect(req.url).toBe(`${CINEMA}order/ticket/`);
    expect(fields(req.body)).toEqual([
      ['seatlable', '10013:7:5:11112211#04#10|10013:7:4:11112211#04#09'],
      ['schedule_id', '16701886'],
    ]);
    expect(result).toEqual({ orderId: W.ORDER_ID, serverTime: 1750750721 });
  });

  it('order/info/', async () => {
    const { req, result } = await sent(W.orderInfoPending, () => client.getOrderInfo(session, W.ORDER_ID));
    expect(req.method).toBe('GET');
    expect(req.url).toBe(`${CINEMA}order/info/?version=tp_version&order_id=${W.ORDER_ID}`);
    expect(result).toMatchObject({ status: 'PENDING', voucherUse: null, ticketItems: { scheduleId: 16701886, ticketNum: 1 } });
  });

  it('order/voucher/price/', async () => {
    const { req, result } = await sent(W.voucherPrice, () => client.priceVoucher(session, { orderId: W.ORDER_ID, voucherCode: 'GZJY01003062558469' }));
    expect(req.url).toBe(`${CINEMA}order/voucher/price/`);
    expect(fields(req.body)).toEqual([
      ['voucher_code', 'GZJY01003062558469'],
      ['order_id', W.ORDER_ID],
    ]);
    expect(result).toEqual({ surchargePrice: 0, payPrice: 0, surchargeMsg: '' });
  });

  it('user/voucher/list/', async () => {
    const { req, result } = await sent(W.wallet, () => client.listVouchers(session));
    expect(req.url).toBe(`${CINEMA}user/voucher/list/`);
    expect(result.unused[0]).toMatchObject({ voucherCode: 'GZJY01002948425042', expireTime: 1767196800 });
  });

  it('user/vouchers (no trailing slash)', async () => {
    const { req, result } = await sent(W.typedVouchers, () => client.listVouchersByType(session, { voucherType: 'VGC_T', scheduleId: '16701886' }));
    expect(req.url).toBe(`${CINEMA}user/vouchers?voucher_type=VGC_T&schedule_id=16701886&goods_id=`);
    expect(result[0]).toMatchObject({ voucherCode: 'GZJY01002948416827', status: 'UN_USE', voucherBalanceType: 'NT' });
  });

  it('user/vouchers_page (no trailing slash)', async () => {
    const { req, result } = await sent(W.voucherPage, () =>
      client.listVouchersPage(session, { voucherType: 'VGC_T', scheduleId: '16701886', pageIndex: 2 }),
    );
    expect(req.url).toBe(`${CINEMA}user/vouchers_page?voucher_type=VGC_T&schedule_id=16701886&goods_id=&page_index=2`);
    expect(result.page).toEqual({ dataTotal: 48, totalPage: 5, pageNum: 1, offsetNum: 10, prePage: 1, nextPage: 2 });
  });

  it('user/voucher/add/', async () => {
    const { req } = await sent({}, () => client.addVoucher(session, { voucherCode: 'GZJY01003062558469', voucherPassword: '3594' }));
    expect(req.url).toBe(`${CINEMA}user/voucher/add/`);
    expect(fields(req.body)).toEqual([
      ['voucher_code', 'GZJY01003062558469'],
      ['voucher_password', '3594'],
      ['voucher_type', 'VOUCHER'],
    ]);
  });

  it('/ticket/{tenant}/user/orders/ with offset; next_offset read, echoed when absent', async () => {
    const { req, result } = await sent(W.userOrders, () => client.listUserOrders(session, { offset: 0 }));
    expect(req.url).toBe('/ticket/wmyc/user/orders/?offset=0');
    expect(result).toMatchObject({ nextOffset: 10, orders: [{ orderId: W.ORDER_ID, ticketNum: 2, status: 'PENDING', seatInfo: '5排8座 | 5排9座' }] });
    const { result: last } = await sent({ orders: [] }, () => client.listUserOrders(session, { offset: 10 }));
    expect(last).toEqual({ orders: [], nextOffset: 10 });
  });

  it('/ticket/order/sublists/info (no tenant, no cinema, no trailing slash)', async () => {
    const { req, result } = await sent([], () => client.getOrderSublists(session, W.ORDER_ID));
    expect(req.url).toBe(`/ticket/order/sublists/info?order_id=${W.ORDER_ID}`);
    expect(result).toEqual([]);
  });

  it('order/payment/', async () => {
    const { req, result } = await sent(W.payment, () => client.payOrder(session, { orderId: W.ORDER_ID, mobile: '13800000000' }));
    expect(req.url).toBe(`${CINEMA}order/payment/`);
    expect(fields(req.body)).toEqual([
      ['order_id', W.ORDER_ID],
      ['mobile', '13800000000'],
      ['pay_type', 'WECHAT'],
    ]);
    expect(result).toEqual({ orderId: W.ORDER_ID, payType: 'WECHAT', totalFee: 0, totalPrice: 0 });
  });

  it('order/query/', async () => {
    const { req, result } = await sent(W.paymentQuery, () => client.queryPayment(session, W.ORDER_ID));
    expect(req.url).toBe(`${CINEMA}order/query/`);
    expect(fields(req.body)).toEqual([['order_id', W.ORDER_ID]]);
    expect(result).toEqual({ orderId: W.ORDER_ID, status: 'PROCESSING', msg: '' });
  });

  it('the configured cancel route', async () => {
    expect(client.canCancelOrders).toBe(true);
    const { req } = await sent([], () => client.cancelOrder(session, W.ORDER_ID));
    expect(req.url).toBe(`${CINEMA}order/cancel/`);
    expect(fields(req.body)).toEqual([['order_id', W.ORDER_ID]]);
  });

  it('order/vcc/list/ and order/vcc/usable/count', async () => {
    const { req: list, result: listed } = await sent(W.vccList, () => client.getVccList(session, { orderId: W.ORDER_ID }));
    expect(list.url).toBe(`${CINEMA}order/vcc/list/?order_id=${W.ORDER_ID}&type=EVGC_VOUCHER&card_id=`);
    expect(listed).toEqual({ orderId: W.ORDER_ID, usable: [], disable: [] });
    const { req: count, result: counted } = await sent(W.vccCount, () => client.getVccUsableCount(session, { orderId: W.ORDER_ID, cardId: '100001' }));
    expect(count.url).toBe(`${CINEMA}order/vcc/usable/count?order_id=${W.ORDER_ID}&type=EVGC_VOUCHER&card_id=100001`);
    expect(counted).toEqual({ orderId: W.ORDER_ID, count: 0 });
  });

  it('user/info/ and user/cards/', async () => {
    const { req: info, result: user } = await sent(W.userInfo, () => client.getUserInfo(session));
    expect(info.url).toMatch(new RegExp(`^${CINEMA}user/info/\\?version=\\d{13}&fact=Y$`));
    expect(user).toMatchObject({ nickname: 'A用户', identity_show: false });
    const { req: cards, result: cardList } = await sent(W.userCards, () => client.getUserCards(session));
    expect(cards.url).toBe(`${CINEMA}user/cards/`);
    expect(cardList.solidCard[0]).toMatchObject({ card_id: 376354, card_type: 'SOLID_STORED_CARD' });
  });

  it('catalogue: citys/, info/, movies/, shows/, hall/info/, hall/saleable/', async () => {
    const { req: c, result: cities } = await sent(W.cities, () => client.listCities(session));
    expect(c.url).toBe('/ticket/wmyc/citys/');
    expect(cities.hot).toHaveLength(4);
    const { req: i } = await sent(W.cinemaInfo, () => client.getCinemaInfo(session));
    expect(i.url).toBe(`${CINEMA}info/`);
    const { req: m, result: movies } = await sent(W.movies, () => client.listMovies(session));
    expect(m.url).toBe(`${CINEMA}movies/`);
    expect(movies).toHaveLength(15);
    const { req: s, result: shows } = await sent(W.shows, () => client.getShows(session, '1'));
    expect(s.url).toBe(`${CINEMA}shows/?movie_id=1`);
    expect(shows['20250615']?.schedules[0]).toMatchObject({ schedule_id: 16607207 });
    const { req: h } = await sent(W.hallInfo, () => client.getHallInfo(session, { hallId: '8', scheduleId: '16701886' }));
    expect(h.url).toBe(`${CINEMA}hall/info/?hall_id=8&schedule_id=16701886`);
    const { req: hs } = await sent(W.hallSaleable, () => client.getHallSaleable(session, '16701886'));
    expect(hs.url).toBe(`${CINEMA}hall/saleable/?schedule_id=16701886`);
  });
});

describe('side calls and catalogue (§3.10, §3.17)', () => {
  const TEMPLATE_IDS = ['tmplA-1_x', 'tmplB-2_y', 'tmplC-3_z'];

  it('order/template/ comma-joins the template ids and returns nothing', async () => {
    const { req, result } = await sent([], () => client.registerOrderTemplates(session, { orderId: W.ORDER_ID, templateIds: TEMPLATE_IDS }));
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`${CINEMA}order/template/`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.body).toBe(`order_id=${W.ORDER_ID}&template_ids=tmplA-1_x%2CtmplB-2_y%2CtmplC-3_z`);
    expect(fields(req.body)).toEqual([
      ['order_id', W.ORDER_ID],
      ['template_ids', TEMPLATE_IDS.join(',')],
    ]);
    expect(result).toBeUndefined();
  });

  it('order/template/ refuses no ids, or an id with a comma or space, before sending', async () => {
    const before = server.requests.length;
    for (const templateIds of [[], ['a,b'], ['a b'], ['']]) {
      await expect(client.registerOrderTemplates(session, { orderId: W.ORDER_ID, templateIds })).rejects.toMatchObject({
        type: 'WomeiBadRequest',
        endpoint: 'order/template/',
      });
    }
    expect(server.requests).toHaveLength(before);
  });

  it('member/card/auto_solid/ sends the literal {} with the form content type', async () => {
    const { req, result } = await sent({ normal_use: true, go_bind_card: false, go_open_card: false }, () => client.checkMemberCard(session));
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`${CINEMA}member/card/auto_solid/`);
    expect(req.body).toBe('{}');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.token).toBe(TOKEN);
    expect(result).toEqual({ normalUse: true, goBindCard: false, goOpenCard: false });
  });

  it('/ticket/{tenant}/user/check_phone/ (tenant scope) sends the literal {} with the form content type', async () => {
    const { req, result } = await sent({ is_bind: true }, () => client.checkPhone(session));
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/ticket/wmyc/user/check_phone/');
    expect(req.body).toBe('{}');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(result).toEqual({ isBind: true });
  });

  it('ads/?ad_type= for each placement', async () => {
    const cases = [
      [1, 'index_top_banner'],
      [6, 'ticket_buy_after_banner'],
      [8, 'schedule_index_banner'],
    ] as const;
    for (const [adType, key] of cases) {
      const { req, result } = await sent({ [key]: [] }, () => client.getAds(session, adType));
      expect(req.method).toBe('GET');
      expect(req.url).toBe(`${CINEMA}ads/?ad_type=${adType}`);
      expect(req.body).toBe('');
      expect(result).toEqual({ [key]: [] });
    }
  });

  it('public_notice/ and vcc/activity/', async () => {
    const { req: n, result: notice } = await sent({}, () => client.getPublicNotice(session));
    expect(n.method).toBe('GET');
    expect(n.url).toBe(`${CINEMA}public_notice/`);
    expect(notice).toEqual({});
    const { req: a, result: activities } = await sent([], () => client.listVccActivities(session));
    expect(a.method).toBe('GET');
    expect(a.url).toBe(`${CINEMA}vcc/activity/`);
    expect(activities).toEqual([]);
  });

  it('vcc/activity/gift/: HTTP 200 with an empty text/plain body resolves; a body there is a protocol error', async () => {
    const empty: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('');
    };
    const { req, result } = await answered(empty, () => client.getVccActivityGift(session));
    expect(req.method).toBe('GET');
    expect(req.url).toBe(`${CINEMA}vcc/activity/gift/`);
    expect(req.headers['content-type']).toBe('multipart/form-data');
    expect(result).toBeUndefined();

    server.handle(okData({}));
    await expect(client.getVccActivityGift(session)).rejects.toMatchObject({
      type: 'WomeiProtocolError',
      endpoint: 'vcc/activity/gift/',
      message: expect.stringMatching(/^vcc\/activity\/gift\/: expected an empty body, got /),
    });
  });

  it('the goods service: /qrgoods/api/goods/list/{cinema}/routine/?flag=duplicate, its own envelope, same headers', async () => {
    const noGoods: Handler = (_req, res) => sendJson(res, { code: '10006', msg: '暂无卖品', data: [] });
    const { req, result } = await answered(noGoods, () => client.listGoods(session));
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/qrgoods/api/goods/list/9647/routine/?flag=duplicate');
    expect(req.body).toBe('');
    expect(req.headers).toMatchObject({ token: TOKEN, 'tenant-short': 'wmyc', 'content-type': 'multipart/form-data', referer: REFERER });
    expect(result).toEqual([]);
  });

  it('the goods service: a non-digit cinema id is refused before sending (it is a path segment there too)', async () => {
    const before = server.requests.length;
    await expect(client.listGoods({ token: TOKEN, cinemaId: '../x' })).rejects.toMatchObject({ type: 'WomeiBadRequest', endpoint: 'goods/list/routine/' });
    expect(server.requests).toHaveLength(before);
  });
});

describe('configuration', () => {
  it('keeps a base URL path prefix and a custom tenant', async () => {
    const other = createWomeiClient({ baseUrl: `${server.url}/proxy/`, tenant: 'abc', timeoutMs: 2000 });
    const { req } = await sent(W.cities, () => other.listCities(session));
    expect(req.url).toBe('/proxy/ticket/abc/citys/');
    expect(req.headers['tenant-short']).toBe('abc');
  });

  it('without a cancel route, cancelOrder refuses without a request', async () => {
    const noCancel = createWomeiClient({ baseUrl: server.url, tenant: 'wmyc', timeoutMs: 2000 });
    expect(noCancel.canCancelOrders).toBe(false);
    const before = server.requests.length;
    await expect(noCancel.cancelOrder(session, W.ORDER_ID)).rejects.toMatchObject({
      type: 'WomeiBadRequest',
      message: expect.stringContaining('no cancel route is configured'),
    });
    expect(server.requests).toHaveLength(before);
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const withFetch = createWomeiClient({ baseUrl: server.url, tenant: 'wmyc', timeoutMs: 2000, fetch: spy });
    await sent(W.cities, () => withFetch.listCities(session));
    expect(seen).toEqual([`${server.url}/ticket/wmyc/citys/`]);
  });

  it('refuses a non-digit cinema id before sending (it becomes a path segment)', async () => {
    await expect(client.listVouchers({ token: TOKEN, cinemaId: '../x' })).rejects.toMatchObject({ type: 'WomeiBadRequest' });
  });
});
