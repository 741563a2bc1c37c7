/**
 * Every way a Womei call can fail, over real HTTP against a local server that misbehaves on purpose, and the
 * typed error each one becomes. Each case also checks that the user's token appears nowhere in the error.
 */
import { createWomeiClient } from '../../src/womei/client';
import { WOMEI_ERRORS, KONG_RATE_LIMIT_BODY } from '../../src/womei/catalogue';
import { WomeiError, type WomeiFailureType } from '../../src/womei/errors';
import * as Errors from '../../src/womei/errors';
import type { WomeiApi } from '../../src/womei/types';
import { okData, sendJson, startCannedServer, SUCCESS, type CannedServer, type Handler } from './canned-server';
import * as W from './wire-fixtures';

/** Not token-shaped on purpose: it must be masked because it is the session's token, not by its looks. */
const TOKEN = 'SeCrEt-Token-Value-7c1f';
const HEX_TOKEN = '0123456789abcdef0123456789abcdef';
const session = { token: TOKEN, cinemaId: '9647' };
const TIMEOUT_MS = 300;

let server: CannedServer;
let client: WomeiApi;

beforeAll(async () => {
  server = await startCannedServer();
  client = createWomeiClient({ baseUrl: server.url, tenant: 'wmyc', timeoutMs: TIMEOUT_MS });
});
afterAll(() => server.close());

function expectNoSecret(err: unknown, secret = TOKEN): void {
  expect(err).toBeInstanceOf(WomeiError);
  const e = err as WomeiError;
  const texts = [String(e), e.message, JSON.stringify(e), e.stack ?? ''];
  for (let c: unknown = e.cause; c instanceof Error; c = c.cause) texts.push(String(c), c.message, c.stack ?? '', JSON.stringify(c));
  for (const t of texts) expect(t).not.toContain(secret);
}

async function failure(handler: Handler, run: (api: WomeiApi) => Promise<unknown> = (api) => api.priceOrder(session, W.ORDER_ID)): Promise<WomeiError> {
  server.handle(handler);
  const err = await run(client).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expectNoSecret(err);
  return err as WomeiError;
}

describe('business errors in the envelope map through errorFromEnvelope', () => {
  const expected: Record<keyof typeof WOMEI_ERRORS, WomeiFailureType> = {
    tokenTimeout: 'TokenInvalid',
    badParameter: 'WomeiBadRequest',
    voucherCheckFailed: 'OrderNotPriced',
    voucherDataInvalid: 'VoucherNotUsable',
    voucherAlreadyAdded: 'VoucherNotUsable',
    voucherUnknown: 'VoucherNotUsable',
    voucherWrongPassword: 'VoucherNotUsable',
    urlNotFound: 'WomeiBadRequest',
    seatLockFailed: 'SeatUnavailable',
    orderExpired: 'OrderExpired',
    orderNotFound: 'OrderNotFound',
    voucherQuotaExceeded: 'VoucherQuotaExceeded',
    tooManyVouchers: 'VoucherNotUsable',
    voucherExpired: 'VoucherNotUsable',
    paymentRequired: 'PaymentRequired',
    systemBusy: 'WomeiUnavailable',
  };
  it.each(Object.entries(WOMEI_ERRORS))('%s', async (key, wire) => {
    const err = await failure((_req, res) => sendJson(res, wire));
    expect(err.type).toBe(expected[key as keyof typeof WOMEI_ERRORS]);
    expect(err).toMatchObject({ endpoint: 'order/change/', ret: wire.ret, sub: wire.sub, womeiMsg: wire.msg, httpStatus: 200 });
    expect(err.message).toContain('order/change/');
    expect(err.message).toContain(wire.msg);
  });

  it('sub 1000 on order/voucher/price/ means the order was never priced', async () => {
    const err = await failure(
      (_req, res) => sendJson(res, WOMEI_ERRORS.badParameter),
      (api) => api.priceVoucher(session, { orderId: W.ORDER_ID, voucherCode: 'GZJY01003062558469' }),
    );
    expect(err.type).toBe('OrderNotPriced');
  });

  it('sub 4004: 验券异常 blames the order (never priced), 兑换券数据异常 the voucher; neither is retried', async () => {
    const bind = (api: WomeiApi) => api.bindVouchers(session, W.ORDER_ID, ['GZJY01002948425042']);
    const order = await failure((_req, res) => sendJson(res, WOMEI_ERRORS.voucherCheckFailed), bind);
    expect(order).toMatchObject({ type: 'OrderNotPriced', retryable: false, sub: 4004, endpoint: 'order/change/' });
    expect(order.message).toContain('order not priced before binding vouchers');
    const voucher = await failure((_req, res) => sendJson(res, WOMEI_ERRORS.voucherDataInvalid), bind);
    expect(voucher).toMatchObject({ type: 'VoucherNotUsable', retryable: false, sub: 4004 });
  });

  it('a seat-lock message is a failure even with ret 0 / sub 0', async () => {
    const err = await failure(
      (_req, res) => sendJson(res, { ...SUCCESS, msg: '锁座失败', data: [] }),
      (api) => api.createOrder(session, { scheduleId: '1', seatLabels: ['1:1:1:a'] }),
    );
    expect(err.type).toBe('SeatUnavailable');
  });

  it('a Womei message that echoes the token is redacted', async () => {
    const err = await failure((req, res) => sendJson(res, { ret: 0, sub: 408, msg: `获取TOKEN超时 ${String(req.headers.token)}`, data: [] }));
    expect(err.type).toBe('TokenInvalid');
    expect(err.message).toContain('[redacted]');
  });

  it('an error envelope on a 4xx still maps by its codes and keeps the status', async () => {
    const err = await failure((_req, res) => sendJson(res, WOMEI_ERRORS.tokenTimeout, 401));
    expect(err).toMatchObject({ type: 'TokenInvalid', httpStatus: 401 });
  });
});

describe('HTTP status failures', () => {
  it('429 with ratelimit-reset: WomeiRateLimited, retry after that many seconds', async () => {
    const err = await failure((_req, res) =>
      sendJson(res, KONG_RATE_LIMIT_BODY, 429, { 'ratelimit-reset': '17', 'ratelimit-remaining': '0', 'retry-after': '99' }),
    );
    expect(err).toMatchObject({ type: 'WomeiRateLimited', retryable: true, httpStatus: 429, retryAfterMs: 17_000 });
    expect(err.message).toBe('order/change/: rate limited by the Womei gateway (HTTP 429), retry after 17000 ms');
  });

  it('429 with only retry-after', async () => {
    const err = await failure((_req, res) => sendJson(res, KONG_RATE_LIMIT_BODY, 429, { 'retry-after': '3' }));
    expect(err).toMatchObject({ type: 'WomeiRateLimited', retryAfterMs: 3000 });
  });

  it('429 without advice', async () => {
    const err = await failure((_req, res) => sendJson(res, KONG_RATE_LIMIT_BODY, 429));
    expect(err.type).toBe('WomeiRateLimited');
    expect(err.retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504])('HTTP %i: WomeiUnavailable naming the status', async (status) => {
    const err = await failure((req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html>bad gateway ${String(req.headers.token)}</html>`);
    });
    expect(err).toMatchObject({ type: 'WomeiUnavailable', retryable: true, httpStatus: status });
    expect(err.message).toBe(`order/change/: Womei unavailable: HTTP ${status}`);
  });

  it('other non-200 without an envelope: WomeiProtocolError', async () => {
    const err = await failure((req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html>not found, token ${String(req.headers.token)}</html>`);
    });
    expect(err).toMatchObject({ type: 'WomeiProtocolError', retryable: false, httpStatus: 404 });
    expect(err.message).toMatch(/^order\/change\/: unexpected HTTP 404: "<html>not found, token \[redacted\]<\/html>"$/);
  });

  it('Kong-style 401 JSON without an envelope: WomeiProtocolError naming the missing field', async () => {
    const err = await failure((_req, res) => sendJson(res, { message: 'No API key found in request' }, 401));
    expect(err.type).toBe('WomeiProtocolError');
    expect(err.message).toBe('order/change/: unexpected HTTP 401, response field ret: expected number, received undefined');
  });
});

describe('bodies that do not parse: WomeiProtocolError naming endpoint and field', () => {
  it('garbage instead of JSON', async () => {
    const err = await failure((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"ret":0,"sub":0,"msg":"successfully","data":{"order_id": ${String(req.headers.token)}`);
    });
    expect(err.type).toBe('WomeiProtocolError');
    expect(err.message).toMatch(/^order\/change\/: response is not JSON \(HTTP 200\): /);
  });

  it('empty body', async () => {
    const err = await failure((_req, res) => res.end());
    expect(err.message).toBe('order/change/: response is not JSON (HTTP 200): empty body');
  });

  it('a price sent as a string', async () => {
    const err = await failure(okData({ ...W.priceNoVoucher, order_payment_price: '49' }));
    expect(err.message).toBe('order/change/: response field data.order_payment_price: expected number, received string');
  });

  it('a numeric order id where a digit string is required', async () => {
    const err = await failure(okData({ ...W.createOrder, order_id: 2506241538 }), (api) =>
      api.createOrder(session, { scheduleId: '1', seatLabels: ['1:1:1:a'] }),
    );
    expect(err.message).toBe('order/ticket/: response field data.order_id: expected string, received number');
  });

  it('a bad item deep in a list', async () => {
    const bad = { ...W.userOrders, orders: [W.userOrders.orders[0], { ...W.userOrders.orders[0], order_id: 'A1' }] };
    const err = await failure(okData(bad), (api) => api.listUserOrders(session, { offset: 0 }));
    expect(err.message).toBe('user/orders/: response field data.orders[1].order_id: expected a string of digits');
  });

  it('a half-filled voucher_use', async () => {
    const err = await failure(okData({ ...W.priceTwoVouchers, voucher_use: { use_num: 2 } }));
    expect(err.message).toBe('order/change/: response field data.voucher_use.use_codes: expected array, received undefined');
  });

  it('a missing envelope field', async () => {
    const err = await failure((_req, res) => sendJson(res, { ret: 0, sub: 0, data: {} }));
    expect(err.message).toBe('order/change/: response field msg: expected string, received undefined');
  });

  it('success with empty data where an object is required', async () => {
    const err = await failure(okData([]), (api) => api.createOrder(session, { scheduleId: '1', seatLabels: ['1:1:1:a'] }));
    expect(err.message).toBe('order/ticket/: response field data: expected object, received array');
  });
});

describe('transport failures: WomeiUnavailable saying which', () => {
  it('no answer within the timeout', async () => {
    const started = Date.now();
    const err = await failure(() => undefined);
    expect(err).toMatchObject({ type: 'WomeiUnavailable', retryable: true });
    expect(err.message).toBe(`order/change/: Womei unavailable: timeout after ${TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('headers sent, then the body stalls', async () => {
    const err = await failure((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ret":0,');
    });
    expect(err.message).toBe(`order/change/: Womei unavailable: timeout after ${TIMEOUT_MS} ms`);
  });

  it('connection dropped without an answer', async () => {
    const err = await failure((_req, res) => res.socket?.destroy());
    expect(err.type).toBe('WomeiUnavailable');
    expect(err.message).toMatch(/^order\/change\/: Womei unavailable: (connection reset|connection closed by the server) \((ECONNRESET|UND_ERR_SOCKET)\)$/);
  });

  it('connection dropped half way through the body', async () => {
    const err = await failure((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"ret":0,', () => res.socket?.destroy());
    });
    expect(err.type).toBe('WomeiUnavailable');
    expect(err.message).toMatch(/^order\/change\/: Womei unavailable: /);
  });

  it('connection refused', async () => {
    const closed = await startCannedServer();
    const url = closed.url;
    await closed.close();
    const dead = createWomeiClient({ baseUrl: url, tenant: 'wmyc', timeoutMs: TIMEOUT_MS });
    const err = await dead.listVouchers(session).catch((e: unknown) => e);
    expectNoSecret(err);
    expect((err as WomeiError).message).toBe('user/voucher/list/: Womei unavailable: connection refused (ECONNREFUSED)');
  });
});

describe('secrets', () => {
  it('a token Womei echoes back in its message is masked', async () => {
    server.handle((req, res) => sendJson(res, { ...WOMEI_ERRORS.voucherDataInvalid, msg: `兑换券数据异常 ${String(req.headers.token)}` }));
    const err = await client.listVouchers({ token: HEX_TOKEN, cinemaId: '9647' }).catch((e: unknown) => e);
    expectNoSecret(err, HEX_TOKEN);
    expect((err as WomeiError).type).toBe('VoucherNotUsable');
  });

  it('an unusable token is refused locally as TokenInvalid without echoing it', async () => {
    const before = server.requests.length;
    const err = await client.listVouchers({ token: 'bad token\nwith newline', cinemaId: '9647' }).catch((e: unknown) => e);
    expectNoSecret(err, 'bad token');
    expect((err as WomeiError).type).toBe('TokenInvalid');
    expect(server.requests).toHaveLength(before);
  });
});

describe('the retry policy list agrees with the error classes', () => {
  type Concrete = new (message: string, details: { endpoint: string }) => WomeiError;
  const classes = (Object.values(Errors) as unknown[]).filter(
    (v): v is Concrete => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof WomeiError,
  );

  test('every failure type is non-retryable exactly when it is in NON_RETRYABLE_WOMEI_FAILURES', () => {
    expect(classes.length).toBe(12);
    for (const ErrorClass of classes) {
      const err = new ErrorClass('x', { endpoint: 'order/change/' });
      expect([err.type, err.retryable]).toEqual([err.type, !Errors.NON_RETRYABLE_WOMEI_FAILURES.includes(err.type)]);
    }
  });
});
