/**
 * What the client puts on the wire for every endpoint, checked against a local HTTP server that records each
 * request: method, exact path (trailing slashes), query, headers, and the form body field by field.
 */
import { createWomeiClient } from '../../src/womei/client';
import { REFERER, WECHAT_USER_AGENT } from '../../src/womei/headers';
import type { WomeiApi } from '../../src/womei/types';
import { okData, startCannedServer, type CannedServer, type Handler, type RecordedRequest } from './canned-server';
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

  it('user/vouchers_page (no trailing slash)', async () => {
    const { req, result } = await sent(W.voucherPage, () =>
      client.listVouchersPage(session, { voucherType: 'VGC_T', scheduleId: '16701886', pageIndex: 2 }),
    );
    expect(req.url).toBe(`${CINEMA}user/vouchers_page?voucher_type=VGC_T&schedule_id=16701886&goods_id=&page_index=2`);
    expect(result.page).toEqual({ dataTotal: 48, totalPage: 5, pageNum: 1, offsetNum: 10, prePage: 1, nextPage: 2 });
  });

  it('/ticket/{tenant}/user/orders/ with offset; next_offset read, echoed when absent', async () => {
    const { req, result } = await sent(W.userOrders, () => client.listUserOrders(session, { offset: 0 }));
    expect(req.url).toBe('/ticket/wmyc/user/orders/?offset=0');
    expect(result).toMatchObject({ nextOffset: 10, orders: [{ orderId: W.ORDER_ID, ticketNum: 2, status: 'PENDING', seatInfo: '5排8座 | 5排9座' }] });
    const { result: last } = await sent({ orders: [] }, () => client.listUserOrders(session, { offset: 10 }));
    expect(last).toEqual({ orders: [], nextOffset: 10 });
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

  it('user/info/ and user/cards/', async () => {
    const { req: info, result: user } = await sent(W.userInfo, () => client.getUserInfo(session));
    expect(info.url).toMatch(new RegExp(`^${CINEMA}user/info/\\?version=\\d{13}&fact=Y$`));
    // What becomes of the body: test/contract/client-contract.test.ts.
    expect(user).toMatchObject({ nickname: 'A用户', isMember: true });
    const { req: cards, result: cardList } = await sent(W.userCards, () => client.getUserCards(session));
    expect(cards.url).toBe(`${CINEMA}user/cards/`);
    expect(cardList).toHaveLength(1);
  });
});

describe('configuration', () => {
  it('keeps a base URL path prefix and a custom tenant', async () => {
    const other = createWomeiClient({ baseUrl: `${server.url}/proxy/`, tenant: 'abc', timeoutMs: 2000 });
    const { req } = await sent(W.userOrders, () => other.listUserOrders(session, { offset: 0 }));
    expect(req.url).toBe('/proxy/ticket/abc/user/orders/?offset=0');
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
    await sent(W.userOrders, () => withFetch.listUserOrders(session, { offset: 0 }));
    expect(seen).toEqual([`${server.url}/ticket/wmyc/user/orders/?offset=0`]);
  });

  it('refuses a non-digit cinema id before sending (it becomes a path segment)', async () => {
    await expect(client.listVouchers({ token: TOKEN, cinemaId: '../x' })).rejects.toMatchObject({ type: 'WomeiBadRequest' });
  });
});
