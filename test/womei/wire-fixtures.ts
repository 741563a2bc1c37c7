/** Response `data` bodies as captured (womei-api.md §3), used to check parsing and to feed the canned server. */

export const ORDER_ID = '250624153810000654';

export const createOrder = { order_id: ORDER_ID, server_time: 1750750721 };

const priceBase = {
  order_id: ORDER_ID,
  order_total_price: 49,
  order_unfee_total_price: 49,
  order_payment_price: 49,
  order_payment_limit_balance: 0,
  order_payment_after_limit_balance: 0,
  limit_sub_card_pay: true,
  ticket_total_price: 49,
  ticket_unfee_total_price: 49,
  ticket_bis_fee: 2,
  ticket_payment_total_price: 49,
  ticket_total_fee: 0,
  ticket_single_price: 49,
  ticket_single_fee: 0,
  ticket_num: 1,
  fee_ticket_num: 0,
  limit_card_use: {},
  marketing_use: {},
  voucher_use: {},
  voucher_use_goods: {},
  coupon_use: {},
  rewards_use: {},
  marketing_discounts: [],
  voucher_discounts: [],
  coupon_discounts: [],
  rewards_discounts: { usable_rewards: [], unusable_rewards: [] },
  goods: {},
  order_msg: '',
  evgc_voucher_use: [],
  evgc_limit_use: [],
  ticket_package_goods: [],
  is_match_gift_coupon_activity: false,
};

/** 1 ticket, WECHAT, no voucher (cinema 9647). */
export const priceNoVoucher = priceBase;

/** 2 tickets at 35.9, 2 vouchers comma-joined (cinema 400303). */
export const priceTwoVouchers = {
  ...priceBase,
  order_total_price: 71.8,
  order_payment_price: 0,
  ticket_total_price: 71.8,
  ticket_payment_total_price: 0,
  ticket_single_price: 35.9,
  ticket_num: 2,
  voucher_use: {
    use_num: 2,
    use_codes: ['GZJY01003062558469', 'GZJY01002948416827'],
    use_total_price: 71.8,
    use_detail: [35.9, 35.9],
    extra_price: 0,
    extra_detail: [],
  },
  voucher_discounts: ['GZJY01003062558469', 'GZJY01002948416827'],
};

export const orderInfoPending = {
  order_id: ORDER_ID,
  status: 'PENDING',
  status_desc: '未支付',
  status_info: '欢迎在本影院观影',
  status_show_exception: true,
  order_total_price: 0,
  order_payment_price: 0,
  order_total_fee: 1,
  ticket_total_price: 0,
  pay_time: '2025-06-24 15:38',
  phone: '138****0000',
  cinema_id: '9647',
  cinema_name: '北京沃美影城(回龙观店)',
  cinema_address: '',
  movie_name: '碟中谍8：最终清算',
  movie_language: '原版',
  movie_show_type: '2D',
  movie_poster: '',
  movie_egg_dec: '',
  movie_egg_num: 2,
  ticket_code: '',
  ticket_code_arr: [{ name: '取票码', code: '' }],
  show_date: '2025-06-24 16:25',
  show_date_style: '周二 6月24日 16:25',
  card_type: 'NO_CARD',
  card_no: '',
  pay_way: '微信支付',
  is_more_area: false,
  is_marketing: false,
  own_refund: false,
  voucher_use: {},
  rewards_use: {},
  goods_order: {},
  ticket_items: {
    ticket_num: 1,
    schedule_id: 16701886,
    schedule_sell_price: 18,
    schedule_member_price: 0,
    hall_no: '8',
    hall_name: '8号ALPD Pro Dolby Atmos杜比厅',
    seat_info: '10排12座',
    area_seats: [{ area_id: '10014', area_name: '按摩区域', seat: '10排12座' }],
  },
  order_track: [{ title: '提交订单', mark: '欢迎在本影院观影', time: '6月24日 15:38' }],
  voucher_coupon: '',
  voucher_goods_coupon: '',
  evgc_limit_coupon_use: '',
  msg: '',
  msg_desc: '',
  ticket_package_goods_msg: '',
};

export const orderInfoIssued = {
  ...orderInfoPending,
  status: 'SUCCESS',
  status_desc: '已出票',
  status_show_exception: false,
  order_total_price: 49,
  ticket_total_price: 49,
  movie_egg_num: '2',
  ticket_code: '130148823',
  ticket_code_arr: [
    { name: '序列号', code: '130148823' },
    { name: '验证码', code: '1269074' },
  ],
  voucher_use: {
    use_num: 1,
    use_total_price: 49,
    use_total_desc: '本订单使用了1张兑换券，抵扣金额为：49元',
    use_codes: ['GZJY01002948425042'],
    use_detail: [49],
  },
};

export const walletVoucher = {
  voucher_code: 'GZJY01003062558469',
  voucher_code_mask: 'GZJY************69',
  voucher_name: '广州佳意--电影票',
  expire_time: 1767196800,
  expire_time_string: '2026年1月1日 00:00',
  voucher_num: 1,
  voucher_desc: '本兑换券不可与优惠活动同时使用，且不支持退票',
};

export const wallet = { unused: [walletVoucher], used: [], disabled: [] };

export const typedVoucher = {
  voucher_code: 'GZJY01003062558469',
  voucher_code_mask: 'GZJY************69',
  voucher_name: '广州佳意--电影票',
  expire_time: 1767196800,
  expire_time_string: '2026年1月1日 00:00',
  voucher_desc: '本兑换券不可与优惠活动同时使用，且不支持退票',
  bind_time: 1750332620,
  bind_time_str: '2025-06-19 19:30:20',
  use_time: 0,
  use_time_str: '',
  status: 'UN_USE',
  voucher_balance: 1,
  voucher_balance_type: 'NT',
  voucher_balance_str: '1次',
  use_desc: '',
  use_rule_desc: '',
  scope_desc: '',
  douyin_code_resault: [],
};

export const voucherPage = {
  page: { data_total: 1, total_page: 1, page_num: 1, offset_num: 10, pre_page: 1, next_page: 1 },
  result: [typedVoucher],
};

export const voucherPrice = { surcharge_price: 0, pay_price: 0, surcharge_msg: '' };

export const userOrders = {
  orders: [
    {
      order_id: ORDER_ID,
      movie_name: '碟中谍8：最终清算',
      status: 'PENDING',
      status_desc: '未支付',
      cinema_name: '北京沃美影城(回龙观店)',
      show_date: '2025-06-24 16:25',
      ticket_num: 1,
      hall_name: '8号厅',
      seat_info: '10排12座',
    },
  ],
  next_offset: 10,
};

export const payment = { order_id: ORDER_ID, pay_type: 'WECHAT', total_fee: 0, total_price: 0, wechat_pay_certificate: [] };
export const paymentQuery = { order_id: ORDER_ID, status: 'PROCESSING', msg: '', msg_desc: '' };
/** The card object of user/info/ and user/cards/ as captured (§3.14), the card number masked. */
const card = {
  card_id: 376354, card_no: '80*******9220', card_no_show: '8000000000000', card_name: '钻石卡', card_desc: '钻石卡优惠购票', card_status: 'USABLE',
  tip: '', expiration_date: '2073-11-07 12:52:34', expire_day: 17668, card_grade_id: 117, card_limit_balance: 0, is_limit_card: false,
  card_balance: 1.1, card_score: 48039, card_type: 'SOLID_STORED_CARD', is_expire: false, is_forbid: false, is_usable: true, rewards_num: null,
};
export const userInfo = {
  is_new_user: false, is_risk_user: false, is_auth_expire: true, is_delete: 0, is_bind_mobile: true, is_member: true, identity_show: false,
  sex: 'MEN', avatar: 'https://example.invalid/avatar/132', nickname: 'x', phone: '13*****0000', order_phone: '13800000000',
  member_info: { solid_card: card, virtual_open_card: true, virtual_card: [] },
};
export const userCards = { solid_card: [{ ...card, is_owner: 'Y', member_benefits: [] }] };
