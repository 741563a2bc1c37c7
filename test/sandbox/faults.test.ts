import { BJ_SCHEDULE, FIXTURE, call, change, cinemaPath, createOrder, get, post, startTestSandbox, useTestSandbox } from './helpers';

const sb = useTestSandbox();

const [SEAT_A = ''] = FIXTURE.seats.beijing;
const [C1 = ''] = FIXTURE.vouchers.rich.unused;
const createForm = { seatlable: SEAT_A, schedule_id: BJ_SCHEDULE };
const create = () => post(sb, 'order/ticket/', createForm);
const ordersInLedger = async () => (await sb.admin.ledger()).orders.length;

describe('fault kinds', () => {
  it('http5xx answers an nginx error page with the given status (502 by default) and changes nothing', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'http5xx', count: 1 });
    await sb.admin.addFault({ endpoint: 'info/', kind: 'http5xx', status: 503 });
    const r = await create();
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('text/html');
    expect(r.text).toContain('<center>nginx</center>');
    expect(r.text).toContain('502 Bad Gateway');
    expect(await ordersInLedger()).toBe(1);
    expect((await get(sb, 'info/')).status).toBe(503);
  });

  it('hang never answers; the client times out, the socket is released and the server keeps serving', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'hang', count: 1 });
    const started = Date.now();
    await expect(fetch(`${sb.url}${cinemaPath('order/ticket/')}`, {
      method: 'POST', headers: { token: FIXTURE.tokens.rich, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(createForm).toString(), signal: AbortSignal.timeout(300),
    })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await ordersInLedger()).toBe(1);
    expect((await create()).body.sub).toBe(0);
    const log = await sb.admin.requests();
    expect(log.recent.some((e) => e.endpoint === 'order/ticket/' && e.status === 'hung')).toBe(true);
  });

  it('drop destroys the connection without answering and without applying the request', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'drop', count: 1 });
    await expect(create()).rejects.toThrow();
    expect(await ordersInLedger()).toBe(1);
  });

  it('busy answers the systemBusy envelope and changes nothing', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'busy', count: 1 });
    const r = await create();
    expect(r.body).toEqual({ ret: 0, sub: 5000, msg: '系统繁忙，请稍后再试', data: {} });
    expect(await ordersInLedger()).toBe(1);
  });

  it('lostResponse applies a create fully and then drops the connection: the order exists and is listed', async () => {
    await sb.admin.addFault({ endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 });
    await expect(create()).rejects.toThrow();
    const ledger = await sb.admin.ledger();
    const made = ledger.orders.filter((o) => o.status === 'PENDING');
    expect(made).toHaveLength(1);
    expect(made[0]?.seats).toEqual([SEAT_A]);
    const list = await get(sb, '/ticket/wmyc/user/orders/', { offset: '0' });
    expect(list.body.data.orders[0].order_id).toBe(made[0]?.orderId);
    // The seat is locked by the order the caller never heard about.
    expect((await create()).body.sub).toBe(2001);
  });

  it('lostResponse applies a bind fully: the codes are on the order though the caller saw a failure', async () => {
    const id = await createOrder(sb);
    await change(sb, id);
    await sb.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', count: 1 });
    await expect(change(sb, id, [C1])).rejects.toThrow();
    expect((await sb.admin.ledger()).orders.find((o) => o.orderId === id)?.boundCodes).toEqual([C1]);
  });

  it('latency delays a normal answer by a fixed ms, or uniformly within minMs..maxMs', async () => {
    await sb.admin.addFault({ endpoint: 'info/', kind: 'latency', ms: 300, count: 1 });
    let t = Date.now();
    expect((await get(sb, 'info/')).body.sub).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    await sb.admin.addFault({ endpoint: 'movies/', kind: 'latency', minMs: 100, maxMs: 200, count: 1 });
    t = Date.now();
    expect((await get(sb, 'movies/')).body.sub).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(90);
  });

  it('latency combines with a later rule on the same request', async () => {
    await sb.admin.addFault([{ endpoint: 'info/', kind: 'latency', ms: 150 }, { endpoint: 'info/', kind: 'busy' }]);
    const t = Date.now();
    expect((await get(sb, 'info/')).body.sub).toBe(5000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(130);
  });

  it('rateLimit answers Kong’s 429 with retry-after', async () => {
    await sb.admin.addFault({ endpoint: 'order/change/', kind: 'rateLimit', retryAfterSeconds: 7 });
    const r = await post(sb, 'order/change/', { order_id: '1', pay_type: 'WECHAT' });
    expect(r.status).toBe(429);
    expect(JSON.parse(r.text)).toEqual({ message: 'API rate limit exceeded' });
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.headers.get('x-ratelimit-remaining-minute')).toBe('0');
  });

  it('error answers the named catalogue entry (tokenTimeout → sub 408, data [])', async () => {
    await sb.admin.addFault({ endpoint: 'user/voucher/list/', kind: 'error', error: 'tokenTimeout' });
    expect((await get(sb, 'user/voucher/list/')).body).toEqual({ ret: 0, sub: 408, msg: '获取TOKEN超时 [5105A]', data: [] });
  });

  it('garbage breaks the schema: drops a field, flips a type, nulls data, or truncates the JSON', async () => {
    await sb.admin.addFault({ id: 'g', endpoint: 'order/ticket/', kind: 'garbage', count: 1 });
    const dropped = await create();
    expect(dropped.status).toBe(200);
    expect(dropped.body.data).not.toHaveProperty('order_id');
    expect(dropped.body.data).toHaveProperty('server_time');

    await sb.admin.addFault({ endpoint: 'info/', kind: 'garbage', mode: 'wrongType', field: 'data.stop_selling_time', count: 1 });
    expect((await get(sb, 'info/')).body.data.stop_selling_time).toBe('1');

    await sb.admin.addFault({ endpoint: 'movies/', kind: 'garbage', mode: 'nullData', count: 1 });
    expect((await get(sb, 'movies/')).body.data).toBeNull();

    await sb.admin.addFault({ endpoint: 'user/info/', kind: 'garbage', mode: 'truncated', count: 1 });
    const cut = await get(sb, 'user/info/');
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text)).toThrow();
  });
});

describe('rule matching', () => {
  it('count applies N times then stops, and the rule reports hits and remaining', async () => {
    const [rule] = await sb.admin.addFault({ endpoint: 'info/', kind: 'busy', count: 2 });
    expect(rule?.id).toMatch(/^f\d+$/);
    expect((await get(sb, 'info/')).body.sub).toBe(5000);
    expect((await get(sb, 'info/')).body.sub).toBe(5000);
    expect((await get(sb, 'info/')).body.sub).toBe(0);
    expect(await sb.admin.faults()).toEqual([expect.objectContaining({ id: rule?.id, hits: 2, remaining: 0 })]);
  });

  it('when matches form fields: only the TP_VOUCHER change is hit, not the init change', async () => {
    const id = await createOrder(sb);
    await sb.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'busy' });
    expect((await change(sb, id)).body.sub).toBe(0);
    expect((await change(sb, id, [C1])).body.sub).toBe(5000);
  });

  it('method and endpoint narrow the rule; an endpoint suffix matches at a path segment', async () => {
    await sb.admin.addFault({ endpoint: 'hall/info/', method: 'POST', kind: 'busy' });
    expect((await get(sb, 'hall/info/', { hall_id: '8', schedule_id: BJ_SCHEDULE })).body.sub).toBe(0);
    await sb.admin.clearFaults();
    await sb.admin.addFault({ endpoint: '/cinema/9647/info/', kind: 'busy' });
    expect((await get(sb, 'info/')).body.sub).toBe(5000);
    expect((await get(sb, 'user/info/')).body.sub).toBe(0);
  });

  it('rate uses a seeded PRNG: the same requests fail after every reset', async () => {
    const pattern = async () => {
      await sb.admin.reset();
      await sb.admin.addFault({ endpoint: 'info/', kind: 'busy', rate: 0.5 });
      const subs: number[] = [];
      for (let i = 0; i < 20; i++) subs.push((await get(sb, 'info/')).body.sub);
      return subs;
    };
    const first = await pattern();
    expect(first).toContain(5000);
    expect(first).toContain(0);
    expect(await pattern()).toEqual(first);
  });

  it('removeFault deletes one rule by id and clearFaults all', async () => {
    await sb.admin.addFault([{ id: 'a', endpoint: 'info/', kind: 'busy' }, { id: 'b', endpoint: 'movies/', kind: 'busy' }]);
    await sb.admin.removeFault('a');
    expect((await get(sb, 'info/')).body.sub).toBe(0);
    expect((await get(sb, 'movies/')).body.sub).toBe(5000);
    await sb.admin.clearFaults();
    expect(await sb.admin.faults()).toEqual([]);
  });

  it('refuses an invalid rule with HTTP 400', async () => {
    await expect(sb.admin.addFault({ kind: 'explode' } as never)).rejects.toThrow(/HTTP 400/);
    await expect(sb.admin.addFault({ kind: 'error', error: 'noSuchKey' } as never)).rejects.toThrow(/HTTP 400/);
    await expect(sb.admin.addFault({ kind: 'latency' })).rejects.toThrow(/HTTP 400/);
  });

  it('never faults the admin API', async () => {
    await sb.admin.addFault({ kind: 'drop' });
    await expect(sb.admin.ledger()).resolves.toHaveProperty('orders');
  });
});

describe('faults from SANDBOX_FAULTS', () => {
  it('loads a JSON rule list given at start', async () => {
    const other = await startTestSandbox({ faults: JSON.stringify([{ endpoint: 'info/', kind: 'busy', count: 1 }]) });
    try {
      expect((await call(other, 'GET', cinemaPath('info/'))).body.sub).toBe(5000);
      expect((await call(other, 'GET', cinemaPath('info/'))).body.sub).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('rejects an invalid SANDBOX_FAULTS at start with a clear error', async () => {
    await expect(startTestSandbox({ faults: '[{"kind":"nope"}]' })).rejects.toThrow(/fault rule 0/);
    await expect(startTestSandbox({ faults: 'not json' })).rejects.toThrow(/SANDBOX_FAULTS is not valid JSON/);
  });
});
