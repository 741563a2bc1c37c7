/**
 * Wire views of the state: the JSON shapes of docs/womei-api.md §3, built from the store's objects. Every key
 * the real bodies have, in their order and with their kinds (test/contract/sandbox-fidelity.test.ts).
 */
import { ORDER_STATUS_DESC } from '../womei/catalogue';
import { fromFen } from '../womei/money';
import { formatChineseDate, formatMinute, formatSecond, formatShowDateStyle, formatTrackTime } from './clock';
import { CARD_GRADES } from './fixture';
import type { MemberCard, Movie, Order, Seat, User, Voucher } from './model';
import { orderPrice } from './pricing';
import type { SandboxStore } from './store';

/** `order/info` shows `138****0000`, `user/info` shows `13*****0000` (both captured). */
export const maskPhone = (phone: string, keep = 3) => `${phone.slice(0, keep)}${'*'.repeat(phone.length - keep - 4)}${phone.slice(-4)}`;
const maskCode = (code: string) => `${code.slice(0, 4)}${'*'.repeat(Math.max(0, code.length - 6))}${code.slice(-2)}`;
export const seatText = (s: Seat) => `${s.row}排${s.col}座`;

const VOUCHER_DESC = '本兑换券不可与优惠活动同时使用，且不支持退票';

/** `user/voucher/list/` item. */
export function walletItem(v: Voucher): Record<string, unknown> {
  return {
    voucher_code: v.code,
    voucher_code_mask: maskCode(v.code),
    voucher_name: v.name,
    expire_time: v.expireTime,
    expire_time_string: formatChineseDate(v.expireTime),
    voucher_num: 1,
    voucher_desc: VOUCHER_DESC,
  };
}

/** `user/vouchers` / `user/vouchers_page` item; disabled ones get `(已作废)` after the expiry string. */
export function typedItem(v: Voucher): Record<string, unknown> {
  const disabled = v.state === 'disabled';
  return {
    voucher_code: v.code,
    voucher_code_mask: maskCode(v.code),
    voucher_name: v.name,
    expire_time: v.expireTime,
    expire_time_string: `${formatChineseDate(v.expireTime)}${disabled ? '(已作废)' : ''}`,
    voucher_desc: VOUCHER_DESC,
    bind_time: v.bindTime,
    bind_time_str: formatSecond(v.bindTime),
    use_time: 0,
    use_time_str: '',
    status: disabled ? 'DISABLED' : 'UN_USE',
    voucher_balance: 1,
    voucher_balance_type: 'NT',
    voucher_balance_str: '1次',
    use_desc: '',
    use_rule_desc: '',
    scope_desc: '',
    douyin_code_resault: [],
  };
}

export const cardImage = (gradeId: number) => `https://sandbox.invalid/cardpic/${gradeId}`;

/** A grade's recharge amounts (`recharge_price_item`): ids are Womei's long digit strings, values yuan. */
export function rechargeItems(gradeId: number): { id: string; value: number }[] {
  const grade = CARD_GRADES.find((g) => g.gradeId === gradeId);
  return (grade?.rechargeFen ?? []).map((fen, i) => ({ id: `2022032300${String(gradeId).padStart(4, '0')}${i + 1}`, value: fromFen(fen) }));
}

/**
 * A member card as `user/info/` (`member_info.solid_card`) and `user/cards/` show it. ASSUMPTION: a card past
 * its expiry reads `is_expire: true`, `is_usable: false`; the capture only shows a valid one.
 */
export function cardView(store: SandboxStore, card: MemberCard): Record<string, unknown> {
  const now = store.now();
  const expired = card.expireTime <= now;
  const grade = CARD_GRADES.find((g) => g.gradeId === card.gradeId);
  return {
    card_id: card.cardId,
    card_no: maskPhone(card.cardNo, 2),
    card_no_show: card.cardNo,
    card_name: card.cardName,
    card_desc: grade?.desc ?? '',
    card_status: 'USABLE',
    tip: '',
    expiration_date: formatSecond(card.expireTime),
    expire_day: Math.max(0, Math.floor((card.expireTime - now) / 86_400)),
    card_grade_id: card.gradeId,
    card_limit_balance: 0,
    is_limit_card: false,
    limit_member_wechat_pay: false,
    card_balance: fromFen(card.balanceFen),
    card_score: 0,
    card_image: cardImage(card.gradeId),
    card_type: 'SOLID_STORED_CARD',
    is_expire: expired,
    is_forbid: false,
    is_pay_show: true,
    is_usable: !expired,
    is_recharge: (grade?.rechargeFen.length ?? 0) > 0,
    is_active_show: false,
    is_store_money: true,
    // Captured as null; what a non-null value holds is unknown.
    rewards_num: null,
    active_expire_time: '',
    open_cinema_name: store.cinemas.get(card.openCinemaId)?.name ?? '',
    recharge_price_item: rechargeItems(card.gradeId),
    renewal_price: 0,
  };
}

export function userInfoView(store: SandboxStore, user: User): Record<string, unknown> {
  return {
    is_new_user: false,
    is_risk_user: false,
    is_auth_expire: true,
    is_delete: 0,
    is_bind_mobile: true,
    is_member: user.card !== null,
    // Captured `false` for a member; what makes it true is unknown (ASSUMPTION: never in the sandbox).
    identity_show: false,
    sex: 'MEN',
    avatar: 'https://sandbox.invalid/avatar.png',
    nickname: user.nickname,
    phone: maskPhone(user.phone, 2),
    order_phone: user.phone,
    member_info: { solid_card: user.card ? cardView(store, user.card) : {}, virtual_open_card: true, virtual_card: [] },
  };
}

/** `movie_egg_num` of order/info/: `""` for a film without post-credits scenes, their number otherwise (captured). */
export const eggNumView = (m: Movie | undefined): number | '' => (m && m.eggNum > 0 ? m.eggNum : '');
/** `egg_desc` as movies/ words it (captured for 0); order/info/'s `movie_egg_dec` is `""` without eggs. */
export const eggDesc = (m: Movie) => `温馨提示：本影片有${m.eggNum}个彩蛋哦~`;

const STATUS_INFO: Record<string, string> = {
  PENDING: '欢迎在本影院观影',
  // ASSUMPTION: PROCESSING and CANCEL texts were not captured.
  PROCESSING: '正在出票，请稍候',
  SUCCESS: '请到自助取票机上完成取票',
  CANCEL: '订单已取消',
};

/**
 * `order/info/` data, every field of §3.3. Before the first `order/change/` all prices are 0 and
 * `voucher_use` is `{}` (captured). ASSUMPTION (not captured, §6): once priced, an unpaid order reports the
 * current choice's prices and `voucher_use`, in the same shape as after payment, so verification can read it.
 */
export function orderInfoView(store: SandboxStore, order: Order): Record<string, unknown> {
  const schedule = store.schedules.get(order.scheduleId);
  const cinema = store.cinemas.get(order.cinemaId);
  const movie = schedule ? store.movies.get(schedule.movieId) : undefined;
  const hall = schedule ? store.hallOf(schedule) : undefined;
  const user = store.users.get(order.userId);
  const price = orderPrice(store, order);
  const success = order.status === 'SUCCESS';
  const areaName = (areaNo: string) => hall?.areas.find((a) => a.areaNo === areaNo)?.areaName ?? '';
  const track = [{ title: '提交订单', mark: '欢迎在本影院观影', time: formatTrackTime(order.createdAt) }];
  if (order.paidAt !== null) {
    track.push({ title: '支付成功', mark: '', time: formatTrackTime(order.paidAt) });
    track.push({ title: '出票中', mark: '', time: formatTrackTime(order.paidAt) });
  }
  if (order.issuedAt !== null) track.push({ title: '已出票', mark: '请到自助取票机上完成取票', time: formatTrackTime(order.issuedAt) });
  const voucherUse =
    price && price.codes.length > 0
      ? {
          use_num: price.codes.length,
          use_total_price: fromFen(price.useTotalFen),
          use_total_desc: `本订单使用了${price.codes.length}张兑换券，抵扣金额为：${fromFen(price.useTotalFen)}元`,
          use_codes: price.codes,
          use_detail: price.useDetailFen.map(fromFen),
        }
      : {};
  return {
    order_id: order.orderId,
    status: order.status,
    status_desc: ORDER_STATUS_DESC[order.status] ?? '',
    status_info: STATUS_INFO[order.status] ?? '',
    status_show_exception: order.status === 'PENDING',
    order_total_price: price ? fromFen(price.totalFen) : 0,
    order_payment_price: price ? fromFen(price.paymentFen) : 0,
    // Captured: the ticket count while PENDING, 0 once issued.
    order_total_fee: success ? 0 : order.seats.length,
    ticket_total_price: price ? fromFen(price.totalFen) : 0,
    pay_time: formatMinute(order.paidAt ?? order.createdAt),
    phone: user ? maskPhone(user.phone) : '',
    cinema_id: order.cinemaId,
    cinema_name: cinema?.name ?? '',
    cinema_address: cinema?.address ?? '',
    movie_name: movie?.name ?? '',
    movie_language: movie?.language ?? '',
    movie_show_type: movie?.showType ?? '',
    movie_poster: movie?.poster ?? '',
    // ASSUMPTION: with eggs, the same words as movies/ `egg_desc` (only the empty case was captured).
    movie_egg_dec: movie && movie.eggNum > 0 ? eggDesc(movie) : '',
    movie_egg_num: eggNumView(movie),
    ticket_code: success ? order.ticketCode : '',
    ticket_code_arr: success
      ? [{ name: '序列号', code: order.ticketCode }, { name: '验证码', code: order.verifyCode }]
      : [{ name: '取票码', code: '' }],
    show_date: schedule ? formatMinute(schedule.showTime) : '',
    show_date_style: schedule ? formatShowDateStyle(schedule.showTime) : '',
    card_type: 'NO_CARD',
    card_no: '',
    pay_way: '微信支付',
    is_more_area: new Set(order.seats.map((s) => s.areaNo)).size > 1,
    is_marketing: false,
    own_refund: false,
    voucher_use: voucherUse,
    rewards_use: {},
    goods_order: {},
    ticket_items: {
      ticket_num: order.seats.length,
      schedule_id: order.scheduleId,
      schedule_sell_price: schedule ? fromFen(schedule.priceFen) : 0,
      schedule_member_price: 0,
      hall_no: hall?.hallNo ?? '',
      hall_name: hall?.hallName ?? '',
      seat_info: order.seats.map(seatText).join(' | '),
      area_seats: order.seats.map((s) => ({ area_id: s.areaNo, area_name: areaName(s.areaNo), seat: seatText(s) })),
    },
    order_track: track,
    voucher_coupon: '',
    voucher_goods_coupon: '',
    evgc_limit_coupon_use: '',
    msg: '',
    msg_desc: '',
    ticket_package_goods_msg: '',
  };
}

/** `/ticket/wmyc/user/orders/` item (fields the client reads, docs/womei-api.md §3.17). */
export function orderSummaryView(store: SandboxStore, order: Order): Record<string, unknown> {
  const schedule = store.schedules.get(order.scheduleId);
  const hall = schedule ? store.hallOf(schedule) : undefined;
  return {
    order_id: order.orderId,
    movie_name: schedule ? (store.movies.get(schedule.movieId)?.name ?? '') : '',
    status: order.status,
    status_desc: ORDER_STATUS_DESC[order.status] ?? '',
    cinema_name: store.cinemas.get(order.cinemaId)?.name ?? '',
    show_date: schedule ? formatMinute(schedule.showTime) : '',
    ticket_num: order.seats.length,
    hall_name: hall?.hallName ?? '',
    seat_info: order.seats.map(seatText).join(' | '),
  };
}
