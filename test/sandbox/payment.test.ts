import { FEW, FIXTURE, RICH, change, createOrder, get, orderInfo, post, useTestSandbox } from './helpers';

const sb = useTestSandbox();

const [C1 = ''] = FIXTURE.vouchers.rich.unused;
const [SEAT_A = '', SEAT_B = ''] = FIXTURE.seats.beijing;
const pay = (orderId: string, token: string = RICH) => post(sb, 'order/payment/', { order_id: orderId, mobile: FIXTURE.phones.rich, pay_type: 'WECHAT' }, token);
const query = (orderId: string) => post(sb, 'order/query/', { order_id: orderId });

async function boundFreeOrder(seat = SEAT_A, code = C1): Promise<string> {
  const id = await createOrder(sb, [seat]);
  await change(sb, id);
  const r = await change(sb, id, [code]);
  if (r.body.data?.order_payment_price !== 0) throw new Error(`not free: ${r.text}`);
  return id;
}

describe('0-yuan payment', () => {
  it('pays through order/payment/, goes PROCESSING → SUCCESS after paymentSeconds, issues tickets and consumes the voucher', async () => {
    const id = await boundFreeOrder();
    const p = await pay(id);
    expect(p.body).toEqual({ ret: 0, sub: 0, msg: 'successfully', data: { order_id: id, pay_type: 'WECHAT', total_fee: 0, total_price: 0, wechat_pay_certificate: [] } });
    expect((await post(sb, 'order/template/', { order_id: id, template_ids: 'a,b,c' })).body.data).toEqual([]);
    expect((await query(id)).body.data).toEqual({ order_id: id, status: 'PROCESSING', msg: '', msg_desc: '' });
    await sb.admin.advanceClock(5);
    expect((await query(id)).body.data.status).toBe('SUCCESS');

    const info = (await orderInfo(sb, id)).body.data;
    expect(info).toMatchObject({ status: 'SUCCESS', status_desc: '已出票', status_info: '请到自助取票机上完成取票', status_show_exception: false, order_total_price: 49, order_payment_price: 0, order_total_fee: 0, ticket_total_price: 49 });
    expect(info.ticket_code).toMatch(/^\d{9}$/);
    expect(info.ticket_code_arr).toEqual([{ name: '序列号', code: info.ticket_code }, { name: '验证码', code: expect.stringMatching(/^\d{7}$/) }]);
    expect(info.voucher_use).toEqual({ use_num: 1, use_total_price: 49, use_total_desc: '本订单使用了1张兑换券，抵扣金额为：49元', use_codes: [C1], use_detail: [49] });
    expect(info.order_track.map((t: { title: string }) => t.title)).toEqual(['提交订单', '支付成功', '出票中', '已出票']);

    const wallet = (await get(sb, 'user/voucher/list/')).body.data;
    expect(wallet.used.map((v: { voucher_code: string }) => v.voucher_code)).toContain(C1);
    expect(wallet.unused.map((v: { voucher_code: string }) => v.voucher_code)).not.toContain(C1);
    const ledger = await sb.admin.ledger();
    expect(ledger.vouchers.find((v) => v.code === C1)).toMatchObject({ state: 'used', consumedBy: id });
    expect(ledger.orders.find((o) => o.orderId === id)).toMatchObject({ status: 'SUCCESS', live: false });
  });

  it('refuses a new bind of a consumed code with 4004 兑换券数据异常', async () => {
    const id = await boundFreeOrder();
    await pay(id);
    const other = await createOrder(sb, [SEAT_B]);
    await change(sb, other);
    expect((await change(sb, other, [C1])).body).toMatchObject({ sub: 4004, msg: '兑换券数据异常，请重新添加' });
  });

  it('keeps the seat sold after payment (no hold expiry)', async () => {
    const id = await boundFreeOrder();
    await pay(id);
    await sb.admin.advanceClock(3600);
    expect(sb.state.orders.get(id)?.status).toBe('SUCCESS');
    expect((await post(sb, 'order/ticket/', { seatlable: SEAT_A, schedule_id: String(FIXTURE.schedules.beijing) }, FEW)).body.sub).toBe(2001);
  });

  it('repeats the first answer when an already paid order is paid again (ASSUMPTION)', async () => {
    const id = await boundFreeOrder();
    const first = await pay(id);
    const second = await pay(id);
    expect(second.body).toEqual(first.body);
    expect((await sb.admin.ledger()).invariants.vouchersConsumedTwice).toEqual([]);
  });

  it('fails the second order’s payment when both had the same code bound and the first was paid', async () => {
    const a = await boundFreeOrder(SEAT_A);
    const b = await boundFreeOrder(SEAT_B);
    expect((await pay(a)).body.sub).toBe(0);
    expect((await pay(b)).body).toMatchObject({ sub: 4004, msg: '兑换券数据异常，请重新添加' });
    expect(sb.state.orders.get(b)?.status).toBe('PENDING');
    expect((await sb.admin.ledger()).invariants.vouchersConsumedTwice).toEqual([]);
  });

  it('is SUCCESS on the next query when paymentSeconds is 0', async () => {
    await sb.admin.setConfig({ paymentSeconds: 0 });
    const id = await boundFreeOrder();
    await pay(id);
    expect((await query(id)).body.data.status).toBe('SUCCESS');
  });
});

describe('payment refusals', () => {
  it('answers paymentRequired for a priced order with something to pay, and changes nothing', async () => {
    const id = await createOrder(sb);
    await change(sb, id);
    const r = await pay(id);
    expect(r.body).toEqual({ ret: 0, sub: 4201, msg: '订单需支付金额不为0，请使用微信支付', data: {} });
    expect(sb.state.orders.get(id)?.status).toBe('PENDING');
  });

  it('answers paymentRequired for an order never priced (its real price is not 0)', async () => {
    const id = await createOrder(sb);
    expect((await pay(id)).body.sub).toBe(4201);
  });

  it('answers orderExpired for a lapsed order', async () => {
    const id = await boundFreeOrder();
    await sb.admin.advanceClock(901);
    expect((await pay(id)).body.sub).toBe(4101);
    expect((await sb.admin.ledger()).vouchers.find((v) => v.code === C1)?.state).toBe('unused');
  });

  it('answers orderNotFound for another user’s order', async () => {
    const id = await boundFreeOrder();
    expect((await pay(id, FEW)).body.sub).toBe(4100);
  });
});
