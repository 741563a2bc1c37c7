import { BJ, BJ_SCHEDULE, FIXTURE, call, cinemaPath, createOrder, get, post, startTestSandbox, type RunningSandbox } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

describe('catalogue endpoints', () => {
  it('info/ words the voucher rules as the real cinema does, with the configured daily quota', async () => {
    await sb.admin.setConfig({ voucherQuota: 3 });
    const d = (await get(sb, 'info/')).body.data;
    expect(d).toMatchObject({ cinema_id: BJ, sell_system: 'VISTA', stop_selling_time: 1, bind_card_way: 'CARD_PIN', valid_card_way: 'CARD_PIN' });
    expect(d.voucher_tips).toBe('1、添加的兑换券需全部使用\r\n2、添加的兑换券不做存储，意外退出再次进入后需重新添加\r\n3、兑换券只可抵扣票款金额，不可抵扣服务费\r\n4、兑换券请求验证次数 3次/人/天');
    expect(d.member_card_setting.solid_card.map((c: { card_grade_id: number }) => c.card_grade_id)).toEqual([117, 118]);
    expect(d.member_card_setting.solid_card[0].use_cinema_ids).toEqual(Object.values(FIXTURE.cinemas));
  });

  it('movies/ gives the release date and the post-credits scenes', async () => {
    const d = (await get(sb, 'movies/')).body.data;
    expect(d.map((m: { movie_id: number; egg_num: number; date: string }) => [m.movie_id, m.egg_num, m.date])).toEqual([
      [FIXTURE.movies.mission, 0, '2025-05-30'],
      [FIXTURE.movies.sandbox, 1, '2025-06-06'],
    ]);
    expect(d[0].egg_desc).toBe('温馨提示：本影片有0个彩蛋哦~');
  });

  it('citys/ lists hot and normal cities with their cinemas', async () => {
    const r = await get(sb, '/ticket/wmyc/citys/');
    expect(r.body.sub).toBe(0);
    const all = [...r.body.data.hot, ...r.body.data.normal].flatMap((c: { cinemas: { cinema_id: string }[] }) => c.cinemas.map((x) => x.cinema_id));
    expect(new Set(all)).toEqual(new Set(Object.values(FIXTURE.cinemas)));
    expect(r.body.data.normal[0]).toEqual(expect.objectContaining({ city_id: expect.any(Number), city_pinyin: expect.any(String), city_name: expect.any(String), cinema_total: expect.any(Number) }));
    expect(Object.keys(r.body.data.normal[0].cinemas[0]).sort()).toEqual(['cinema_addr', 'cinema_area', 'cinema_area_id', 'cinema_id', 'cinema_name', 'latitude', 'longitude']);
  });

  it('info/ carries the cinema settings and the voucher quota tip', async () => {
    const d = (await get(sb, 'info/')).body.data;
    expect(d).toMatchObject({ sell_system: 'VISTA', stop_selling_time: 1, stop_selling_time_text: '开场前1分钟停止售票', bind_card_way: 'CARD_PIN' });
    expect(d.pay_way).toContain('WECHAT');
    expect(d.voucher_tips).toContain('兑换券请求验证次数 5次/人/天');
  });

  it('movies/ lists the movies showing at the cinema', async () => {
    const d = (await get(sb, 'movies/')).body.data as { movie_id: number; schedule_num: number; name: string }[];
    expect(d.map((m) => m.movie_id).sort()).toEqual([FIXTURE.movies.mission, FIXTURE.movies.sandbox].sort());
    expect(d.find((m) => m.movie_id === FIXTURE.movies.mission)).toMatchObject({ name: '碟中谍8：最终清算', schedule_num: 1 });
  });

  it('shows/ is keyed by yyyymmdd with numeric schedule ids and prices', async () => {
    const d = (await get(sb, 'shows/', { movie_id: String(FIXTURE.movies.mission) })).body.data;
    const [day] = Object.keys(d);
    expect(day).toMatch(/^\d{8}$/);
    const s = d[day ?? ''].schedules[0];
    // As captured: selling_price is the member price; the rows say from what price non-members and members pay.
    expect(s).toMatchObject({ schedule_id: FIXTURE.schedules.beijing, selling_price: 38, first_row_price: '49元起', last_row_price: '38元起', hall_id: FIXTURE.halls.beijing });
    expect(d[day ?? ''].marketing).toEqual([]);
    expect((await get(sb, 'shows/', { movie_id: '1' })).body.data).toEqual([]);
    expect((await get(sb, 'shows/')).body.sub).toBe(1000);
  });

  it('hall/info/ gives a seat map whose labels order/ticket/ accepts, and marks taken seats', async () => {
    const before = (await get(sb, 'hall/info/', { hall_id: FIXTURE.halls.beijing, schedule_id: BJ_SCHEDULE })).body.data;
    expect(before).toMatchObject({ cinema_id: 9647, hall_no: '8', hall_name: '8号ALPD Pro Dolby Atmos杜比厅' });
    const area = before.room_seat.find((a: { area_no: string }) => a.area_no === '10013');
    expect(area).toMatchObject({ area_name: '普通区', area_price: 49, area_price_normal: true });
    expect(before.room_seat.find((a: { area_no: string }) => a.area_no === '10016').seats).toEqual([]);
    const seat = area.seats['3'].detail[2];
    expect(seat).toMatchObject({ row: '3', col: '3', status: 0, type: 0 });
    const label = `${area.area_no}:${seat.row}:${seat.col}:${seat.seat_no}`;
    await createOrder(sb, [label]);
    const after = (await get(sb, 'hall/info/', { hall_id: FIXTURE.halls.beijing, schedule_id: BJ_SCHEDULE })).body.data;
    const taken = after.room_seat.find((a: { area_no: string }) => a.area_no === '10013').seats['3'].detail[2];
    expect(taken.status).toBe(6);
    expect(after.room_seat.find((a: { area_no: string }) => a.area_no === '10013').seats['1'].detail[0].status).toBe(6);
  });

  it('hall/info/ answers 参数错误 for a hall that is not the schedule’s', async () => {
    expect((await get(sb, 'hall/info/', { hall_id: '3', schedule_id: BJ_SCHEDULE })).body.sub).toBe(1000);
  });

  it('hall/saleable/ has one unnamed area without prices', async () => {
    const d = (await get(sb, 'hall/saleable/', { schedule_id: BJ_SCHEDULE })).body.data;
    expect(d.room_seat).toHaveLength(1);
    expect(d.room_seat[0]).toMatchObject({ area_no: '', area_name: '' });
    expect(d.room_seat[0]).not.toHaveProperty('area_price');
    expect(d.room_seat[0].seats['1'].detail[0].status).toBe(5);
  });

  it('ads/, public_notice/, vcc/activity/ answer their empty shapes', async () => {
    expect((await get(sb, 'ads/', { ad_type: '1' })).body.data).toEqual({ index_top_banner: [] });
    expect((await get(sb, 'ads/', { ad_type: '6' })).body.data).toEqual({ ticket_buy_after_banner: [] });
    expect((await get(sb, 'ads/', { ad_type: '8' })).body.data).toEqual({ schedule_index_banner: [] });
    expect((await get(sb, 'public_notice/')).text).toBe('{"ret":0,"sub":0,"msg":"successfully","data":{}}');
    expect((await get(sb, 'vcc/activity/')).text).toBe('{"ret":0,"sub":0,"msg":"successfully","data":[]}');
  });

  it('vcc/activity/gift/ answers HTTP 200 with an empty text/plain body', async () => {
    const r = await get(sb, 'vcc/activity/gift/');
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('the goods service answers its own envelope without a token', async () => {
    const r = await get(sb, `/qrgoods/api/goods/list/${BJ}/routine/`, { flag: 'duplicate' }, null);
    expect(JSON.parse(r.text)).toEqual({ code: '10006', msg: '暂无卖品', data: [] });
  });

  it('user/info/ and user/cards/ describe the account and its member card', async () => {
    const info = (await get(sb, 'user/info/', { version: '1750750721000', fact: 'Y' })).body.data;
    expect(info).toMatchObject({ phone: '13*****0000', order_phone: FIXTURE.phones.rich, is_member: true, identity_show: false });
    expect(info.member_info.solid_card).toMatchObject({
      card_id: FIXTURE.cardIds.rich, card_no: '96*******0001', card_name: '钻石卡', card_desc: '钻石卡优惠购票', card_balance: 1.1,
      card_type: 'SOLID_STORED_CARD', card_status: 'USABLE', card_grade_id: 117, expiration_date: '2030-01-01 00:00:00', is_expire: false,
      is_usable: true, rewards_num: null, open_cinema_name: '北京沃美影城(回龙观店)', recharge_price_item: [{ id: '202203230001171', value: 200 }],
    });
    expect(info.member_info.solid_card.expire_day).toBeGreaterThan(365);
    const cards = (await get(sb, 'user/cards/')).body.data;
    expect(cards.solid_card[0]).toEqual({ ...info.member_info.solid_card, is_owner: 'Y', member_benefits: [] });
    const plain = (await get(sb, 'user/info/', {}, FIXTURE.tokens.empty)).body.data;
    expect(plain).toMatchObject({ is_member: false, identity_show: false, member_info: { solid_card: {}, virtual_card: [] } });
    expect((await get(sb, 'user/cards/', {}, FIXTURE.tokens.empty)).body.data).toEqual({ solid_card: [] });
  });

  it('member/card/auto_solid/ and user/check_phone/ accept the literal {} body', async () => {
    const a = await call(sb, 'POST', cinemaPath('member/card/auto_solid/'), { rawBody: '{}' });
    expect(a.body.data).toEqual({ normal_use: true, go_bind_card: false, go_open_card: false });
    const c = await call(sb, 'POST', '/ticket/wmyc/user/check_phone/', { rawBody: '{}' });
    expect(c.body.data).toEqual({ is_bind: true });
  });
});

describe('routing', () => {
  it.each([
    ['a doubled tenant prefix', 'GET', '/ticket/wmyc/ticket/wmyc/cinema/9647/info/'],
    ['order/info without its slash', 'GET', cinemaPath('order/info')],
    ['user/vouchers_page with a slash', 'GET', cinemaPath('user/vouchers_page/')],
    ['order/vcc/usable/count with a slash', 'GET', cinemaPath('order/vcc/usable/count/')],
    ['GET on a POST route', 'GET', cinemaPath('order/ticket/')],
    ['another tenant', 'GET', '/ticket/other/cinema/9647/info/'],
    ['speculative paths (seat/lock/)', 'POST', cinemaPath('seat/lock/')],
    ['a path outside /ticket', 'GET', '/'],
  ])('answers HTTP 200 url not found on %s', async (_n, method, path) => {
    const r = await call(sb, method as 'GET' | 'POST', path);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ret: 404, sub: 0, msg: 'url not found', data: {} });
  });

  it('answers 参数错误 for an unknown cinema id (ASSUMPTION)', async () => {
    expect((await get(sb, cinemaPath('info/', '123'))).body.sub).toBe(1000);
  });
});

describe('authentication', () => {
  const ENDPOINTS: [string, 'GET' | 'POST', string][] = [
    ['order/ticket/', 'POST', cinemaPath('order/ticket/')],
    ['order/info/', 'GET', cinemaPath('order/info/')],
    ['order/change/', 'POST', cinemaPath('order/change/')],
    ['order/voucher/price/', 'POST', cinemaPath('order/voucher/price/')],
    ['order/payment/', 'POST', cinemaPath('order/payment/')],
    ['order/query/', 'POST', cinemaPath('order/query/')],
    ['order/template/', 'POST', cinemaPath('order/template/')],
    ['order/cancel/', 'POST', cinemaPath('order/cancel/')],
    ['order/vcc/list/', 'GET', cinemaPath('order/vcc/list/')],
    ['order/vcc/usable/count', 'GET', cinemaPath('order/vcc/usable/count')],
    ['sublists/info', 'GET', '/ticket/order/sublists/info'],
    ['user/voucher/list/', 'GET', cinemaPath('user/voucher/list/')],
    ['user/vouchers', 'GET', cinemaPath('user/vouchers')],
    ['user/vouchers_page', 'GET', cinemaPath('user/vouchers_page')],
    ['user/voucher/add/', 'POST', cinemaPath('user/voucher/add/')],
    ['user/info/', 'GET', cinemaPath('user/info/')],
    ['user/cards/', 'GET', cinemaPath('user/cards/')],
    ['user/orders/', 'GET', '/ticket/wmyc/user/orders/'],
    ['user/check_phone/', 'POST', '/ticket/wmyc/user/check_phone/'],
    ['member/card/auto_solid/', 'POST', cinemaPath('member/card/auto_solid/')],
    ['citys/', 'GET', '/ticket/wmyc/citys/'],
    ['info/', 'GET', cinemaPath('info/')],
    ['movies/', 'GET', cinemaPath('movies/')],
    ['shows/', 'GET', cinemaPath('shows/')],
    ['hall/info/', 'GET', cinemaPath('hall/info/')],
    ['hall/saleable/', 'GET', cinemaPath('hall/saleable/')],
    ['ads/', 'GET', cinemaPath('ads/')],
    ['public_notice/', 'GET', cinemaPath('public_notice/')],
    ['vcc/activity/', 'GET', cinemaPath('vcc/activity/')],
  ];
  const TIMEOUT = { ret: 0, sub: 408, msg: '获取TOKEN超时 [5105A]', data: [] };

  it.each(ENDPOINTS)('%s answers sub 408 with data [] for the fixture’s expired token', async (_n, method, path) => {
    const r = await call(sb, method, path, { token: FIXTURE.tokens.expired });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(TIMEOUT);
  });

  it('answers 408 for a missing token and for an unknown one', async () => {
    expect((await get(sb, 'user/info/', {}, null)).body).toEqual(TIMEOUT);
    expect((await get(sb, 'user/info/', {}, 'ffffffffffffffffffffffffffffffff')).body).toEqual(TIMEOUT);
  });

  it('checks the token before the parameters (no state change on 408)', async () => {
    const r = await post(sb, 'order/ticket/', { seatlable: FIXTURE.seats.beijing[0] ?? '', schedule_id: BJ_SCHEDULE }, FIXTURE.tokens.expired);
    expect(r.body.sub).toBe(408);
    expect((await sb.admin.ledger()).orders).toHaveLength(1);
  });
});
