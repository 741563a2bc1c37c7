import { beijingMinuteKey } from '../../src/womei/order-id';
import { BJ, BJ_SCHEDULE, FEW, FIXTURE, RICH, call, change, cinemaPath, createOrder, get, orderInfo, post, startTestSandbox, type RunningSandbox } from './helpers';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

const [SEAT_A = '', SEAT_B = ''] = FIXTURE.seats.beijing;
const seatInRow2 = (col: number) => `10013:2:${col}:11112211#02#${String(col).padStart(2, '0')}`;

async function orderCount(): Promise<number> {
  return (await sb.admin.ledger()).orders.length;
}

describe('order/ticket/', () => {
  it('creates an order with an 18-digit Womei id (Beijing YYMMDDHHmm + counter 1000xxxx) and the server time', async () => {
    const r = await post(sb, 'order/ticket/', { seatlable: SEAT_A, schedule_id: BJ_SCHEDULE });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ret: 0, sub: 0, msg: 'successfully' });
    const { order_id, server_time } = r.body.data;
    expect(Object.keys(r.body.data).sort()).toEqual(['order_id', 'server_time']);
    expect(order_id).toMatch(/^\d{18}$/);
    expect(order_id.slice(0, 10)).toBe(beijingMinuteKey(server_time * 1000));
    expect(order_id.slice(10, 14)).toBe('1000');
    expect(typeof server_time).toBe('number');
  });

  it('locks the seats: a second order for a locked seat fails with 锁座失败 and creates nothing', async () => {
    await createOrder(sb, [SEAT_A]);
    const before = await orderCount();
    const r = await post(sb, 'order/ticket/', { seatlable: `${SEAT_B}|${SEAT_A}`, schedule_id: BJ_SCHEDULE }, FEW);
    expect(r.body).toMatchObject({ ret: 0, sub: 2001, data: {} });
    expect(r.body.msg).toContain('锁座失败');
    expect(await orderCount()).toBe(before);
    // The other seat of the refused request stays free.
    await expect(createOrder(sb, [SEAT_B], { token: FEW })).resolves.toMatch(/^\d{18}$/);
  });

  it('refuses a sold seat with seatLockFailed', async () => {
    const r = await post(sb, 'order/ticket/', { seatlable: FIXTURE.soldSeat, schedule_id: BJ_SCHEDULE });
    expect(r.body.sub).toBe(2001);
  });

  it.each([
    ['missing seatlable', { schedule_id: BJ_SCHEDULE }],
    ['missing schedule_id', { seatlable: SEAT_A }],
    ['seat without seat_no', { seatlable: '10013:7:5', schedule_id: BJ_SCHEDULE }],
    ['comma instead of pipe', { seatlable: `${SEAT_A},${SEAT_B}`, schedule_id: BJ_SCHEDULE }],
    ['trailing pipe', { seatlable: `${SEAT_A}|`, schedule_id: BJ_SCHEDULE }],
    ['non-numeric row', { seatlable: '10013:x:5:11112211#07#05', schedule_id: BJ_SCHEDULE }],
    ['seat_no not matching row/col', { seatlable: '10013:7:5:11112211#07#06', schedule_id: BJ_SCHEDULE }],
    ['seat not in the hall', { seatlable: '10013:99:1:11112211#99#01', schedule_id: BJ_SCHEDULE }],
    ['unknown area', { seatlable: '99999:7:5:11112211#07#05', schedule_id: BJ_SCHEDULE }],
    ['duplicate seats', { seatlable: `${SEAT_A}|${SEAT_A}`, schedule_id: BJ_SCHEDULE }],
    ['unknown schedule', { seatlable: SEAT_A, schedule_id: '99999999' }],
    ['schedule of another cinema', { seatlable: FIXTURE.seats.guangzhou[0] ?? '', schedule_id: String(FIXTURE.schedules.guangzhou) }],
    ['non-numeric schedule', { seatlable: SEAT_A, schedule_id: 'abc' }],
    ['too many seats', { seatlable: [1, 2, 3, 4, 5, 6, 7].map(seatInRow2).join('|'), schedule_id: BJ_SCHEDULE }],
  ])('answers 参数错误 (sub 1000) and changes nothing on %s', async (_name, form) => {
    const before = await sb.admin.ledger();
    const r = await post(sb, 'order/ticket/', form as Record<string, string>);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ret: 0, sub: 1000, msg: '参数错误', data: {} });
    const after = await sb.admin.ledger();
    expect(after.orders).toEqual(before.orders);
    expect(sb.state.seatHolders.size).toBe(1); // only the fixture's sold seat
  });
});

describe('order/info/', () => {
  it('shows a fresh order PENDING with every §3.3 field, zero prices and voucher_use {} before any order/change/', async () => {
    const id = await createOrder(sb, [SEAT_A, SEAT_B]);
    const r = await orderInfo(sb, id);
    const d = r.body.data;
    for (const f of ['order_id', 'status', 'status_desc', 'status_info', 'status_show_exception', 'order_total_price', 'order_payment_price', 'order_total_fee', 'ticket_total_price', 'pay_time', 'phone', 'cinema_id', 'cinema_name', 'cinema_address', 'movie_name', 'movie_language', 'movie_show_type', 'movie_poster', 'movie_egg_dec', 'movie_egg_num', 'ticket_code', 'ticket_code_arr', 'show_date', 'show_date_style', 'card_type', 'card_no', 'pay_way', 'is_more_area', 'is_marketing', 'own_refund', 'voucher_use', 'rewards_use', 'goods_order', 'ticket_items', 'order_track', 'voucher_coupon', 'voucher_goods_coupon', 'evgc_limit_coupon_use', 'msg', 'msg_desc', 'ticket_package_goods_msg']) {
      expect(d).toHaveProperty(f);
    }
    expect(d).toMatchObject({
      order_id: id, status: 'PENDING', status_desc: '未支付', status_info: '欢迎在本影院观影', status_show_exception: true,
      order_total_price: 0, order_payment_price: 0, order_total_fee: 2, ticket_total_price: 0, phone: '138****0000',
      cinema_id: BJ, ticket_code: '', ticket_code_arr: [{ name: '取票码', code: '' }], card_type: 'NO_CARD', pay_way: '微信支付', voucher_use: {},
    });
    expect(r.text).toContain('"voucher_use":{}');
    expect(d.pay_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(d.ticket_items).toMatchObject({ ticket_num: 2, schedule_id: FIXTURE.schedules.beijing, seat_info: '7排5座 | 7排4座' });
    expect(d.ticket_items.area_seats).toHaveLength(2);
    expect(d.order_track[0]).toMatchObject({ title: '提交订单' });
  });

  it('movie_egg_num is "" for a film without post-credits scenes and their number for one with (as captured)', async () => {
    const plain = (await orderInfo(sb, await createOrder(sb))).body.data;
    expect(plain).toMatchObject({ movie_egg_num: '', movie_egg_dec: '' });
    const late = await createOrder(sb, [FIXTURE.seats.beijingLate[0]!], { schedule: String(FIXTURE.schedules.beijingLate) });
    const withEgg = (await orderInfo(sb, late)).body.data;
    expect(withEgg).toMatchObject({ movie_egg_num: 1, movie_egg_dec: '温馨提示：本影片有1个彩蛋哦~' });
  });

  it('reflects the current choice once priced (ASSUMPTION)', async () => {
    const id = await createOrder(sb);
    await change(sb, id);
    const d = (await orderInfo(sb, id)).body.data;
    expect(d).toMatchObject({ order_total_price: 49, order_payment_price: 49, ticket_total_price: 49, voucher_use: {} });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['an unknown order', async () => '261231235910009999', RICH],
    ['another user’s order', () => createOrder(sb), FEW],
  ])('answers orderNotFound for %s', async (_n, make, token) => {
    const id = await make();
    const r = await orderInfo(sb, id, token);
    expect(r.body).toMatchObject({ ret: 0, sub: 4100, msg: '订单不存在' });
  });

  it('answers orderNotFound for an order made at another cinema', async () => {
    const id = await createOrder(sb);
    const r = await orderInfo(sb, id, RICH, FIXTURE.cinemas.guangzhou);
    expect(r.body.sub).toBe(4100);
  });

  it('answers 参数错误 without order_id', async () => {
    const r = await get(sb, 'order/info/', { version: 'tp_version' });
    expect(r.body.sub).toBe(1000);
  });
});

describe('order/change/', () => {
  const FIELDS = ['order_id', 'order_total_price', 'order_unfee_total_price', 'order_payment_price', 'order_payment_limit_balance', 'order_payment_after_limit_balance', 'limit_sub_card_pay', 'ticket_total_price', 'ticket_unfee_total_price', 'ticket_bis_fee', 'ticket_payment_total_price', 'ticket_total_fee', 'ticket_single_price', 'ticket_single_fee', 'ticket_num', 'fee_ticket_num', 'limit_card_use', 'marketing_use', 'voucher_use', 'voucher_use_goods', 'coupon_use', 'rewards_use', 'marketing_discounts', 'voucher_discounts', 'coupon_discounts', 'rewards_discounts', 'goods', 'order_msg', 'evgc_voucher_use', 'evgc_limit_use', 'ticket_package_goods', 'is_match_gift_coupon_activity'];

  it('prices the order (WECHAT, no voucher) with exactly the §3.7 fields', async () => {
    const id = await createOrder(sb);
    const r = await change(sb, id);
    expect(r.body).toMatchObject({ ret: 0, sub: 0, msg: 'successfully' });
    expect(Object.keys(r.body.data)).toEqual(FIELDS);
    expect(r.body.data).toMatchObject({
      order_id: id, order_total_price: 49, order_unfee_total_price: 49, order_payment_price: 49, ticket_total_price: 49,
      ticket_payment_total_price: 49, ticket_single_price: [49], ticket_num: 1, fee_ticket_num: 1, ticket_bis_fee: 2, voucher_use: {}, voucher_discounts: [],
      rewards_discounts: { usable_rewards: [], unusable_rewards: [] }, limit_sub_card_pay: true, is_match_gift_coupon_activity: false,
    });
  });

  it('prices a MEMBER choice with the member price when the card is the user’s', async () => {
    const id = await createOrder(sb);
    const r = await change(sb, id, [], { extra: { pay_type: 'MEMBER', card_id: String(FIXTURE.cardIds.rich) } });
    expect(r.body.data).toMatchObject({ order_total_price: 38, order_payment_price: 38 });
  });

  it('refuses MEMBER with a card that is not the user’s (参数错误)', async () => {
    const id = await createOrder(sb);
    const r = await change(sb, id, [], { extra: { pay_type: 'MEMBER', card_id: '999' } });
    expect(r.body.sub).toBe(1000);
  });

  it('accepts an empty discount type and a call without ?version (empty-code case, captured)', async () => {
    const id = await createOrder(sb);
    const r = await call(sb, 'POST', cinemaPath('order/change/'), { form: { order_id: id, pay_type: 'WECHAT', discount_type: '', voucher_code: '' } });
    expect(r.body.sub).toBe(0);
    expect(r.body.data.order_payment_price).toBe(49);
  });

  it.each([
    ['missing order_id', { pay_type: 'WECHAT' }],
    ['missing pay_type', { order_id: 'X' }],
    ['unknown discount type', { pay_type: 'WECHAT', discount_type: 'COUPON' }],
  ])('answers 参数错误 on %s and leaves the order unpriced', async (_n, form) => {
    const id = await createOrder(sb);
    const f = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v === 'X' ? id : v]));
    const r = await call(sb, 'POST', cinemaPath('order/change/'), { query: { version: 'tp_version' }, form: f });
    expect(r.body.sub).toBe(1000);
    expect(sb.state.orders.get(id)?.priced).toBe(false);
  });
});

describe('catalogue of small order endpoints', () => {
  it('sublists/info answers [] for an order', async () => {
    const id = await createOrder(sb);
    const r = await get(sb, '/ticket/order/sublists/info', { order_id: id });
    expect(r.body).toEqual({ ret: 0, sub: 0, msg: 'successfully', data: [] });
  });

  it('order/vcc/list/ and order/vcc/usable/count answer the empty EVGC shapes', async () => {
    const id = await createOrder(sb);
    const list = await get(sb, 'order/vcc/list/', { order_id: id, type: 'EVGC_VOUCHER', card_id: '' });
    expect(list.body.data).toEqual({ order_id: id, usable: [], disable: [] });
    const count = await get(sb, 'order/vcc/usable/count', { order_id: id, type: 'EVGC_VOUCHER', card_id: '' });
    expect(count.body.data).toEqual({ order_id: id, count: 0 });
  });

  it('order/template/ answers [] and order/query/ reports PENDING for an unpaid order', async () => {
    const id = await createOrder(sb);
    expect((await post(sb, 'order/template/', { order_id: id, template_ids: 'a,b,c' })).body.data).toEqual([]);
    expect((await post(sb, 'order/query/', { order_id: id })).body.data).toEqual({ order_id: id, status: 'PENDING', msg: '', msg_desc: '' });
  });
});

describe('seat hold expiry', () => {
  it('lapses the hold after holdSeconds on the sandbox clock: seats released, order CANCEL, order/change/ → orderExpired', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    await change(sb, id);
    await sb.admin.advanceClock(FIXTURE_HOLD + 1);
    const ledger = await sb.admin.ledger();
    expect(ledger.orders.find((o) => o.orderId === id)).toMatchObject({ status: 'CANCEL', cancelReason: 'expired', live: false });
    expect(ledger.invariants.seatsHeldByDeadOrders).toEqual([]);
    const again = await change(sb, id);
    expect(again.body).toMatchObject({ ret: 0, sub: 4101, msg: '订单已失效，请重新下单' });
    expect((await orderInfo(sb, id)).body.data).toMatchObject({ status: 'CANCEL', status_desc: '已取消' });
    // Another user can take the released seat.
    await expect(createOrder(sb, [SEAT_A], { token: FEW })).resolves.toMatch(/^\d{18}$/);
  });

  it('keeps the hold until holdSeconds have passed', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    await sb.admin.advanceClock(FIXTURE_HOLD - 5);
    expect((await change(sb, id)).body.sub).toBe(0);
  });

  it('releases seats from the background timer without any request', async () => {
    await sb.admin.setConfig({ holdSeconds: 1 });
    const id = await createOrder(sb, [SEAT_A]);
    expect(sb.state.seatHolders.size).toBe(2);
    await new Promise((r) => setTimeout(r, 1600));
    expect(sb.state.orders.get(id)?.status).toBe('CANCEL');
    expect(sb.state.seatHolders.size).toBe(1);
  });
});

const FIXTURE_HOLD = 900;

describe('order/cancel/ (ASSUMPTION route)', () => {
  it('cancels a pending order, releases its seats, and is idempotent', async () => {
    const id = await createOrder(sb, [SEAT_A]);
    const r = await post(sb, 'order/cancel/', { order_id: id });
    expect(r.body).toMatchObject({ sub: 0, data: { order_id: id, status: 'CANCEL' } });
    expect((await post(sb, 'order/cancel/', { order_id: id })).body.sub).toBe(0);
    const o = (await sb.admin.ledger()).orders.find((x) => x.orderId === id);
    expect(o).toMatchObject({ status: 'CANCEL', cancelReason: 'cancelled' });
    await expect(createOrder(sb, [SEAT_A], { token: FEW })).resolves.toMatch(/^\d{18}$/);
    expect((await change(sb, id)).body.sub).toBe(4101);
  });

  it('answers orderNotFound for another user’s order', async () => {
    const id = await createOrder(sb);
    expect((await post(sb, 'order/cancel/', { order_id: id }, FEW)).body.sub).toBe(4100);
  });

  it('is an unknown route when cancelRoute is off', async () => {
    await sb.admin.setConfig({ cancelRoute: false });
    const id = await createOrder(sb);
    const r = await post(sb, 'order/cancel/', { order_id: id });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ret: 404, msg: 'url not found' });
    expect(sb.state.orders.get(id)?.status).toBe('PENDING');
  });
});

describe('/ticket/wmyc/user/orders/', () => {
  it('lists the user’s orders newest first, 10 a page, with next_offset', async () => {
    const ids: string[] = [];
    for (let col = 1; col <= 11; col++) ids.push(await createOrder(sb, [seatInRow2(col)]));
    const p1 = await get(sb, '/ticket/wmyc/user/orders/', { offset: '0' });
    expect(p1.body.data.orders).toHaveLength(10);
    expect(p1.body.data.next_offset).toBe(10);
    expect(p1.body.data.orders[0].order_id).toBe(ids[10]);
    expect(p1.body.data.orders[0]).toMatchObject({ status: 'PENDING', status_desc: '未支付', ticket_num: 1, seat_info: '2排11座' });
    for (const f of ['order_id', 'movie_name', 'status', 'status_desc', 'cinema_name', 'show_date', 'ticket_num', 'hall_name', 'seat_info']) {
      expect(p1.body.data.orders[0]).toHaveProperty(f);
    }
    const p2 = await get(sb, '/ticket/wmyc/user/orders/', { offset: '10' });
    // 11 new orders + the fixture's past paid order.
    expect(p2.body.data.orders.map((o: { order_id: string }) => o.order_id)).toEqual([ids[0], expect.any(String)]);
    expect(p2.body.data.orders[1].status).toBe('SUCCESS');
    expect(p2.body.data.next_offset).toBe(10);
  });

  it('shows only the caller’s orders', async () => {
    await createOrder(sb);
    const r = await get(sb, '/ticket/wmyc/user/orders/', { offset: '0' }, FEW);
    expect(r.body.data).toEqual({ orders: [], next_offset: 0 });
  });
});
