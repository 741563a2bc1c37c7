import { BJ_SCHEDULE, FEW, FIXTURE, RICH, call, change, cinemaPath, createOrder, get, orderInfo, post, startTestSandbox, type RunningSandbox } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

const V = FIXTURE.vouchers;
const [C1 = '', C2 = '', C3 = ''] = V.rich.unused;
const codesOf = (items: { voucher_code: string }[]) => items.map((i) => i.voucher_code);

async function pricedOrder(seats = 1, opts: { token?: string } = {}): Promise<string> {
  const id = await createOrder(sb, FIXTURE.seats.beijing.slice(0, seats), opts);
  await change(sb, id, [], { token: opts.token });
  return id;
}

const precheck = (orderId: string, code: string, token: string = RICH) => post(sb, 'order/voucher/price/', { voucher_code: code, order_id: orderId }, token);

describe('user/voucher/list/', () => {
  it('splits the wallet into unused / used / disabled with the §3.4 item fields', async () => {
    const r = await get(sb, 'user/voucher/list/');
    const { unused, used, disabled } = r.body.data;
    expect(codesOf(unused).sort()).toEqual([...V.rich.unused, V.rich.expired].sort());
    expect(codesOf(used)).toEqual([V.rich.used]);
    expect(codesOf(disabled)).toEqual([V.rich.disabled]);
    expect(Object.keys(unused[0]).sort()).toEqual(['expire_time', 'expire_time_string', 'voucher_code', 'voucher_code_mask', 'voucher_desc', 'voucher_name', 'voucher_num'].sort());
    expect(unused[0]).toMatchObject({ voucher_num: 1, expire_time: 1893427200, expire_time_string: '2030年1月1日 00:00' });
    expect(unused[0].voucher_code_mask).toMatch(/^SBJY\*{12}\d\d$/);
  });

  it('shows only the caller’s vouchers', async () => {
    const r = await get(sb, 'user/voucher/list/', {}, FEW);
    expect(codesOf(r.body.data.unused)).toEqual([...V.few.unused]);
    const empty = await get(sb, 'user/voucher/list/', {}, FIXTURE.tokens.empty);
    expect(empty.body.data).toEqual({ unused: [], used: [], disabled: [] });
  });
});

describe('user/vouchers and user/vouchers_page', () => {
  it('lists UN_USE and DISABLED VGC_T vouchers (consumed ones absent), newest bind_time first', async () => {
    const r = await get(sb, 'user/vouchers', { voucher_type: 'VGC_T', schedule_id: BJ_SCHEDULE, goods_id: '' });
    const items = r.body.data as { voucher_code: string; status: string; bind_time: number; expire_time_string: string }[];
    expect(codesOf(items)).not.toContain(V.rich.used);
    expect(items).toHaveLength(8);
    const bindTimes = items.map((i) => i.bind_time);
    expect(bindTimes).toEqual([...bindTimes].sort((a, b) => b - a));
    const disabled = items.find((i) => i.voucher_code === V.rich.disabled);
    expect(disabled).toMatchObject({ status: 'DISABLED' });
    expect(disabled?.expire_time_string).toMatch(/\(已作废\)$/);
    expect(items[0]).toMatchObject({ status: 'UN_USE', voucher_balance: 1, voucher_balance_type: 'NT', voucher_balance_str: '1次', use_time: 0, use_time_str: '', douyin_code_resault: [] });
  });

  it('answers [] for VGC_P and 参数错误 without voucher_type', async () => {
    expect((await get(sb, 'user/vouchers', { voucher_type: 'VGC_P', schedule_id: BJ_SCHEDULE, goods_id: '' })).body.data).toEqual([]);
    expect((await get(sb, 'user/vouchers', { schedule_id: BJ_SCHEDULE })).body.sub).toBe(1000);
  });

  it('pages 10 a page; a single page has pre_page = next_page = 1', async () => {
    const r = await get(sb, 'user/vouchers_page', { voucher_type: 'VGC_T', schedule_id: BJ_SCHEDULE, goods_id: '', page_index: '1' });
    expect(r.body.data.page).toEqual({ data_total: 8, total_page: 1, page_num: 1, offset_num: 10, pre_page: 1, next_page: 1 });
    expect(r.body.data.result).toHaveLength(8);
  });

  it('is a different route from user/vouchers/ (trailing slash → url not found)', async () => {
    const r = await get(sb, 'user/vouchers/', { voucher_type: 'VGC_T' });
    expect(r.body.msg).toBe('url not found');
  });
});

describe('order/voucher/price/', () => {
  it('answers 参数错误 (sub 1000) on an order never priced', async () => {
    const id = await createOrder(sb);
    const r = await precheck(id, C1);
    expect(r.body).toEqual({ ret: 0, sub: 1000, msg: '参数错误', data: {} });
  });

  it('answers 0/0/"" for a usable voucher once the order was priced', async () => {
    const id = await pricedOrder();
    const r = await precheck(id, C1);
    expect(r.body).toEqual({ ret: 0, sub: 0, msg: 'successfully', data: { surcharge_price: 0, pay_price: 0, surcharge_msg: '' } });
  });

  it.each([
    ['a nonexistent code', 'SBJY09999999999999', 4004, '兑换券数据异常，请重新添加'],
    ['a used code', V.rich.used, 4004, '兑换券数据异常，请重新添加'],
    ['another user’s code', V.few.unused[0] ?? '', 4004, '兑换券数据异常，请重新添加'],
    ['an expired code', V.rich.expired, 4008, '兑换券已过期或已作废'],
    ['a disabled code', V.rich.disabled, 4008, '兑换券已过期或已作废'],
  ])('refuses %s', async (_n, code, sub, msg) => {
    const id = await pricedOrder();
    expect((await precheck(id, code)).body).toMatchObject({ ret: 0, sub, msg, data: {} });
  });
});

describe('binding (order/change/ TP_VOUCHER)', () => {
  it('answers 4004 获取兑换券验券异常 on an order never priced, and binds nothing', async () => {
    const id = await createOrder(sb);
    const r = await change(sb, id, [C1]);
    expect(r.body).toEqual({ ret: 0, sub: 4004, msg: '获取兑换券验券异常，请联系影院', data: {} });
    expect(sb.state.orders.get(id)?.choice).toBeNull();
  });

  it('answers 4004 验券异常 when the bind is sent without ?version=tp_version (ASSUMPTION)', async () => {
    const id = await pricedOrder();
    const r = await call(sb, 'POST', cinemaPath('order/change/'), { form: { order_id: id, pay_type: 'WECHAT', discount_type: 'TP_VOUCHER', voucher_code: C1, voucher_code_type: 'VGC_T' } });
    expect(r.body.msg).toBe('获取兑换券验券异常，请联系影院');
  });

  it('binds one voucher to a one-ticket order: 49 covered, 0 to pay', async () => {
    const id = await pricedOrder();
    const r = await change(sb, id, [C1]);
    expect(r.body.data).toMatchObject({
      order_total_price: 49, order_payment_price: 0, ticket_payment_total_price: 0, ticket_single_price: [49], fee_ticket_num: 1,
      voucher_use: { use_num: 1, use_codes: [C1], use_total_price: 49, use_detail: [49], extra_price: 0, extra_detail: [] },
      voucher_discounts: [C1],
    });
  });

  it('binds several comma-joined codes, in the order sent, one per ticket (400303: 71.8 − 71.8)', async () => {
    const id = await createOrder(sb, FIXTURE.seats.guangzhou, { cinema: FIXTURE.cinemas.guangzhou, schedule: String(FIXTURE.schedules.guangzhou) });
    await change(sb, id, [], { cinema: FIXTURE.cinemas.guangzhou });
    const r = await change(sb, id, [C2, C1], { cinema: FIXTURE.cinemas.guangzhou });
    const d = r.body.data;
    expect(d).toMatchObject({ order_total_price: 71.8, order_payment_price: 0, ticket_single_price: [35.9, 35.9], ticket_num: 2, fee_ticket_num: 2, voucher_discounts: [C2, C1] });
    expect(d.voucher_use).toMatchObject({ use_num: 2, use_codes: [C2, C1], use_total_price: 71.8, use_detail: [35.9, 35.9] });
    expect(d.order_payment_price).toBe(d.order_total_price - d.voucher_use.use_total_price);
  });

  it('leaves the remainder payable when vouchers cover fewer tickets (400028: 115.8 − 57.9 = 57.9)', async () => {
    const id = await createOrder(sb, FIXTURE.seats.shenzhen, { cinema: FIXTURE.cinemas.shenzhen, schedule: String(FIXTURE.schedules.shenzhen) });
    await change(sb, id, [], { cinema: FIXTURE.cinemas.shenzhen });
    const r = await change(sb, id, [C1], { cinema: FIXTURE.cinemas.shenzhen });
    expect(r.body.data).toMatchObject({ order_total_price: 115.8, order_payment_price: 57.9, voucher_use: { use_total_price: 57.9, use_detail: [57.9] } });
  });

  it('replaces the previous choice: an empty-code change unbinds and order/info shows voucher_use {}', async () => {
    const id = await pricedOrder();
    await change(sb, id, [C1]);
    expect((await orderInfo(sb, id)).body.data.voucher_use).toMatchObject({ use_codes: [C1], use_num: 1 });
    const r = await change(sb, id);
    expect(r.body.data).toMatchObject({ order_payment_price: 49, voucher_use: {}, voucher_discounts: [] });
    expect((await orderInfo(sb, id)).text).toContain('"voucher_use":{}');
    expect((await sb.admin.ledger()).vouchers.find((v) => v.code === C1)?.boundOrders).toEqual([]);
  });

  it('does not reserve: the same code binds to two unpaid orders and stays unused', async () => {
    const a = await pricedOrder();
    const b = await createOrder(sb, [FIXTURE.seats.beijing[2] ?? '']);
    await change(sb, b);
    expect((await change(sb, a, [C1])).body.sub).toBe(0);
    expect((await change(sb, b, [C1])).body.sub).toBe(0);
    const v = (await sb.admin.ledger()).vouchers.find((x) => x.code === C1);
    expect(v).toMatchObject({ state: 'unused', consumedBy: null });
    expect(v?.boundOrders.sort()).toEqual([a, b].sort());
  });

  it.each([
    ['a nonexistent code', 'SBJY09999999999999', 4004, '兑换券数据异常，请重新添加'],
    ['a code consumed by a paid order', V.rich.used, 4004, '兑换券数据异常，请重新添加'],
    ['an expired code', V.rich.expired, 4008, '兑换券已过期或已作废'],
    ['a disabled code', V.rich.disabled, 4008, '兑换券已过期或已作废'],
  ])('refuses %s and keeps the previous choice', async (_n, code, sub, msg) => {
    const id = await pricedOrder();
    const r = await change(sb, id, [code]);
    expect(r.body).toEqual({ ret: 0, sub, msg, data: {} });
    expect(sb.state.orders.get(id)?.choice?.codes).toEqual([]);
  });

  it('refuses more codes than tickets with tooManyVouchers (ASSUMPTION) and spends no quota', async () => {
    const id = await pricedOrder(1);
    const r = await change(sb, id, [C1, C2]);
    expect(r.body).toMatchObject({ sub: 4007, msg: '兑换券数量超过可抵扣影票数量' });
    expect((await sb.admin.ledger()).quota[FIXTURE.userIds.rich]?.used).toBe(0);
  });

  it('refuses duplicate codes in one bind with 参数错误', async () => {
    const id = await pricedOrder(2);
    expect((await change(sb, id, [C1, C1])).body.sub).toBe(1000);
  });
});

describe('daily voucher validation quota (ASSUMPTION: one unit per code, pre-check and bind)', () => {
  it('allows voucherQuota validations, then answers voucherQuotaExceeded; the ledger shows the count', async () => {
    await sb.admin.setConfig({ voucherQuota: 3 });
    const id = await pricedOrder(2);
    expect((await precheck(id, C1)).body.sub).toBe(0);
    expect((await change(sb, id, [C1, C2])).body.sub).toBe(0);
    expect((await sb.admin.ledger()).quota[FIXTURE.userIds.rich]).toEqual({ used: 3, limit: 3 });
    const r = await precheck(id, C3);
    expect(r.body).toMatchObject({ ret: 0, sub: 4006, msg: '兑换券验证次数已达上限，请明日再试' });
    expect((await change(sb, id, [C3])).body.sub).toBe(4006);
    expect((await sb.admin.ledger()).quota[FIXTURE.userIds.rich]?.used).toBe(3);
  });

  it('counts per user', async () => {
    await sb.admin.setConfig({ voucherQuota: 1 });
    const mine = await pricedOrder();
    expect((await precheck(mine, C1)).body.sub).toBe(0);
    const theirs = await createOrder(sb, [FIXTURE.seats.beijing[3] ?? ''], { token: FEW });
    await change(sb, theirs, [], { token: FEW });
    expect((await precheck(theirs, V.few.unused[0] ?? '', FEW)).body.sub).toBe(0);
  });

  it('resets on the next Beijing day', async () => {
    await sb.admin.setConfig({ voucherQuota: 1 });
    const id = await pricedOrder();
    expect((await precheck(id, C1)).body.sub).toBe(0);
    expect((await precheck(id, C1)).body.sub).toBe(4006);
    await sb.admin.advanceClock(86_400);
    const next = await createOrder(sb, [FIXTURE.seats.beijing[1] ?? '']);
    await change(sb, next);
    expect((await precheck(next, C1)).body.sub).toBe(0);
  });

  it('does not count binds when quotaCountsBind is off', async () => {
    await sb.admin.setConfig({ voucherQuota: 1, quotaCountsBind: false });
    const id = await pricedOrder();
    expect((await change(sb, id, [C1])).body.sub).toBe(0);
    expect((await change(sb, id, [C2])).body.sub).toBe(0);
    expect((await sb.admin.ledger()).quota[FIXTURE.userIds.rich]?.used).toBe(0);
  });
});

describe('user/voucher/add/', () => {
  const [L1 = { code: '', password: '' }] = V.loose;
  const add = (code: string, password: string, token: string = FEW) => post(sb, 'user/voucher/add/', { voucher_code: code, voucher_password: password, voucher_type: 'VOUCHER' }, token);

  it('adds a loose code to the wallet', async () => {
    expect((await add(L1.code, L1.password)).body).toEqual({ ret: 0, sub: 0, msg: 'successfully', data: {} });
    const w = await get(sb, 'user/voucher/list/', {}, FEW);
    expect(codesOf(w.body.data.unused)).toContain(L1.code);
  });

  it('answers 4017 for a code already in a wallet', async () => {
    await add(L1.code, L1.password);
    expect((await add(L1.code, L1.password, RICH)).body).toMatchObject({ sub: 4017, msg: '该券已被绑定，不可重复添加' });
  });

  it('answers 4001 for an unknown code and 4002 for a wrong password', async () => {
    expect((await add('SBJY09999999999999', '0000')).body).toMatchObject({ sub: 4001, msg: '券码不存在' });
    expect((await add(L1.code, '0000')).body).toMatchObject({ sub: 4002, msg: '券码密码错误' });
  });
});
