/**
 * zod schemas of Womei's wire format (docs/womei-api.md §1.3, §3). Each endpoint has a `…Wire` schema (the
 * snake_case shape as sent) and a `…Data` schema that parses the envelope's `data` and turns it into the
 * camelCase contract of `types.ts`. The real bodies in test/contract/womei-samples must all parse.
 *
 * Strict where a wrong value would mislead the checkout (ids, prices, counts, status, voucher codes, ticket
 * codes); tolerant of what it does not read: unknown keys pass (zod objects strip them), display texts may be
 * absent, null or a number, and PHP may send `[]` or `{}` for "empty" (and a list as an object keyed "0", "1"…).
 */
import { z } from 'zod';
import type {
  CreatedOrder,
  MemberCard,
  OrderInfo,
  OrderPrice,
  PaymentQuery,
  PaymentStarted,
  TypedVoucher,
  UserInfo,
  UserOrderSummary,
  VoucherPage,
  VoucherPriceCheck,
  VoucherUse,
  VoucherWallet,
  WalletVoucher,
} from './types';

// ---- building blocks ---------------------------------------------------------------------------------------

/** Order and cinema ids: strings of digits (`"250624153810000654"`, `"9647"`). */
export const DIGITS = /^\d+$/;
export const digitId = z.string().regex(DIGITS, 'expected a string of digits');
/**
 * A short id sent as a digit string in one answer and as a number in another (`cinema_id` is `"9647"` in
 * `order/info/` and `400115` in `hall/info/`), read as its digits. Order ids are never accepted as numbers: 18
 * digits do not survive a JSON number.
 */
export const shortId = z.union([digitId, z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).transform(String)]);
/** Yuan as a JSON number (49, 35.9). z.number() already refuses NaN and Infinity. */
export const money = z.number().nonnegative();
export const count = z.number().int().nonnegative();
/** Some integers arrive as numbers in one place and digit strings in another (`schedule_id`, `ticket_num`). */
export const intLike = z.union([count, digitId.transform(Number)]);
export const unixSeconds = intLike;
/**
 * Text the checkout only shows or ignores (names, descriptions, display dates): absent or null reads as "",
 * a number as its digits, so a cinema that fills one differently cannot stop a checkout.
 */
export const displayText = z
  .union([z.string(), z.number().transform(String)])
  .nullish()
  .transform((v) => v ?? '');
/** An item Womei receives comma-joined (voucher codes, template ids): a comma or whitespace inside would corrupt it. */
export const COMMA_JOINABLE = /^[^\s,]+$/;
export const voucherCode = z.string().regex(COMMA_JOINABLE, 'expected a voucher code (no spaces or commas)');

function isEmptyContainer(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

/** PHP's `json_encode` writes an empty array as `[]` even where an object is meant (and vice versa). */
export function emptyAs<T extends z.ZodType>(empty: z.input<T>, schema: T) {
  return z.preprocess((v) => (isEmptyContainer(v) ? empty : v), schema);
}

/** `voucher_use: {}` means "no voucher": null, never a voucher use of 0. */
export function emptyAsNull<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (isEmptyContainer(v) ? null : v), schema.nullable());
}

/** `{"0":49,"1":49}` → `[49, 49]`: PHP encodes a list whose keys are not 0…n−1 in order as an object. */
function phpListValues(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (!keys.every((k) => /^\d+$/.test(k))) return v;
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => (v as Record<string, unknown>)[k]);
}

/** A list the checkout reads: `[]`, `{}`, or PHP's keyed-object form of a list. */
export function phpList<T extends z.ZodType>(item: T) {
  return z.preprocess(phpListValues, z.array(item));
}

// ---- envelope ----------------------------------------------------------------------------------------------

export const envelopeSchema = z.object({
  ret: z.number().int(),
  sub: z.number().int(),
  msg: z.string(),
  data: z.unknown(),
});
export type Envelope = z.output<typeof envelopeSchema>;

/**
 * The goods service's own envelope (`/qrgoods/…`, §1.3): `{"code":"10006","msg":"暂无卖品","data":[]}`. The code
 * was captured as a string; a number is read as its digits. What each code means: `parseGoodsBody`.
 */
export const goodsEnvelopeSchema = z.object({
  code: z.union([z.string().min(1), z.number().int().transform(String)]),
  msg: z.string(),
  data: z.unknown(),
});
export type GoodsEnvelope = z.output<typeof goodsEnvelopeSchema>;

// ---- order/ticket/ -----------------------------------------------------------------------------------------

export const createOrderWire = z.object({ order_id: digitId, server_time: unixSeconds });
export const createOrderData = createOrderWire.transform(
  (w): CreatedOrder => ({ orderId: w.order_id, serverTime: w.server_time }),
);

// ---- order/change/ -----------------------------------------------------------------------------------------

export const voucherUseWire = z.object({
  use_num: intLike,
  use_codes: phpList(voucherCode),
  use_total_price: money,
  /** One amount per code, in the order of `use_codes` (`[35.9, 35.9]`). */
  use_detail: phpList(money),
  extra_price: money,
});

const toVoucherUse = (w: Omit<z.output<typeof voucherUseWire>, 'extra_price'> & { extra_price?: number }): VoucherUse => ({
  useNum: w.use_num,
  useCodes: w.use_codes,
  useTotalPrice: w.use_total_price,
  useDetail: w.use_detail,
  // order/info/'s voucher_use was captured without extra_price; Womei then adds nothing on top.
  extraPrice: w.extra_price ?? 0,
});

export const orderPriceWire = z
  .object({
    order_id: digitId,
    order_total_price: money,
    order_payment_price: money,
    ticket_total_price: money,
    ticket_payment_total_price: money,
    /** One price per ticket, always a list (`[49]`, `[35.9,35.9]`), never one number (§3.7). */
    ticket_single_price: phpList(money),
    ticket_num: intLike,
    voucher_use: emptyAsNull(voucherUseWire),
    voucher_discounts: phpList(voucherCode),
  })
  .superRefine((w, ctx) => {
    if (w.ticket_single_price.length !== w.ticket_num) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticket_single_price'],
        message: `expected one price per ticket (ticket_num ${w.ticket_num}), got ${w.ticket_single_price.length}`,
      });
    }
  });
export const orderPriceData = orderPriceWire.transform(
  (w): OrderPrice => ({
    orderId: w.order_id,
    orderTotalPrice: w.order_total_price,
    orderPaymentPrice: w.order_payment_price,
    ticketTotalPrice: w.ticket_total_price,
    ticketPaymentTotalPrice: w.ticket_payment_total_price,
    ticketPrices: w.ticket_single_price,
    ticketNum: w.ticket_num,
    voucherUse: w.voucher_use === null ? null : toVoucherUse(w.voucher_use),
    voucherDiscounts: w.voucher_discounts,
  }),
);

// ---- order/info/ -------------------------------------------------------------------------------------------

export const orderInfoVoucherUseWire = voucherUseWire.extend({
  extra_price: money.optional(),
  use_total_desc: displayText,
});

/** `area_id` was captured as a digit string; a number is read as its digits. */
export const areaSeatWire = z.object({ area_id: z.union([digitId, count.transform(String)]), seat: z.string() });

export const orderInfoWire = z.object({
  order_id: digitId,
  status: z.string().min(1),
  status_desc: displayText,
  cinema_id: shortId,
  order_total_price: money,
  order_payment_price: money,
  ticket_total_price: money,
  ticket_code: z.string(),
  ticket_code_arr: phpList(z.object({ name: displayText, code: z.string() })),
  voucher_use: emptyAsNull(orderInfoVoucherUseWire),
  ticket_items: z.object({
    ticket_num: intLike,
    schedule_id: intLike,
    /** `10排12座`, several seats joined by ` | ` (read to count the seats of a lost order). */
    seat_info: z.string(),
    hall_name: displayText,
    /** Captured one entry per seat (`{area_id:"10014", seat:"10排12座"}`); absent reads as "seats unknown". */
    area_seats: emptyAs([], z.array(areaSeatWire)).optional(),
  }),
  pay_time: displayText,
  movie_name: displayText,
  show_date: displayText,
});
export const orderInfoData = orderInfoWire.transform(
  (w): OrderInfo => ({
    orderId: w.order_id,
    status: w.status,
    statusDesc: w.status_desc,
    cinemaId: w.cinema_id,
    orderTotalPrice: w.order_total_price,
    orderPaymentPrice: w.order_payment_price,
    ticketTotalPrice: w.ticket_total_price,
    ticketCode: w.ticket_code,
    ticketCodes: w.ticket_code_arr,
    voucherUse:
      w.voucher_use === null
        ? null
        : { ...toVoucherUse(w.voucher_use), ...(w.voucher_use.use_total_desc === '' ? {} : { useTotalDesc: w.voucher_use.use_total_desc }) },
    ticketItems: {
      ticketNum: w.ticket_items.ticket_num,
      scheduleId: w.ticket_items.schedule_id,
      seatInfo: w.ticket_items.seat_info,
      hallName: w.ticket_items.hall_name,
      areaSeats: (w.ticket_items.area_seats ?? []).map((a) => ({ areaId: a.area_id, seat: a.seat })),
    },
    payTime: w.pay_time,
    movieName: w.movie_name,
    showDate: w.show_date,
  }),
);

// ---- order/voucher/price/ ----------------------------------------------------------------------------------

export const voucherPriceWire = z.object({ surcharge_price: money, pay_price: money, surcharge_msg: displayText });
export const voucherPriceData = voucherPriceWire.transform(
  (w): VoucherPriceCheck => ({ surchargePrice: w.surcharge_price, payPrice: w.pay_price, surchargeMsg: w.surcharge_msg }),
);

// ---- user/voucher/list/ ------------------------------------------------------------------------------------

export const walletVoucherWire = z.object({
  voucher_code: voucherCode,
  voucher_code_mask: displayText,
  voucher_name: displayText,
  expire_time: unixSeconds,
  expire_time_string: displayText,
  voucher_num: intLike,
  voucher_desc: displayText,
});
const toWalletVoucher = (w: z.output<typeof walletVoucherWire>): WalletVoucher => ({
  voucherCode: w.voucher_code,
  voucherCodeMask: w.voucher_code_mask,
  voucherName: w.voucher_name,
  expireTime: w.expire_time,
  expireTimeString: w.expire_time_string,
  voucherNum: w.voucher_num,
  voucherDesc: w.voucher_desc,
});
const walletList = phpList(walletVoucherWire);

export const voucherWalletWire = z.object({ unused: walletList, used: walletList, disabled: walletList });
export const voucherWalletData = emptyAs({ unused: [], used: [], disabled: [] }, voucherWalletWire).transform(
  (w): VoucherWallet => ({
    unused: w.unused.map(toWalletVoucher),
    used: w.used.map(toWalletVoucher),
    disabled: w.disabled.map(toWalletVoucher),
  }),
);

// ---- user/vouchers_page ---------------------------------------------------------------------------------------

export const typedVoucherWire = z.object({
  voucher_code: voucherCode,
  voucher_code_mask: displayText,
  voucher_name: displayText,
  expire_time: unixSeconds,
  expire_time_string: displayText,
  voucher_desc: displayText,
  bind_time: unixSeconds,
  bind_time_str: displayText,
  use_time: unixSeconds,
  status: z.string().min(1),
  voucher_balance: z.number().nonnegative(),
  voucher_balance_type: displayText,
  voucher_balance_str: displayText,
});
const toTypedVoucher = (w: z.output<typeof typedVoucherWire>): TypedVoucher => ({
  voucherCode: w.voucher_code,
  voucherCodeMask: w.voucher_code_mask,
  voucherName: w.voucher_name,
  expireTime: w.expire_time,
  expireTimeString: w.expire_time_string,
  voucherDesc: w.voucher_desc,
  bindTime: w.bind_time,
  bindTimeStr: w.bind_time_str,
  useTime: w.use_time,
  status: w.status,
  voucherBalance: w.voucher_balance,
  voucherBalanceType: w.voucher_balance_type,
  voucherBalanceStr: w.voucher_balance_str,
});
const typedVoucherList = phpList(typedVoucherWire);

export const voucherPageWire = z.object({
  page: z.object({
    data_total: count,
    total_page: count,
    page_num: count,
    offset_num: count,
    pre_page: count,
    next_page: count,
  }),
  result: typedVoucherList,
});
export const voucherPageData = voucherPageWire.transform(
  (w): VoucherPage => ({
    page: {
      dataTotal: w.page.data_total,
      totalPage: w.page.total_page,
      pageNum: w.page.page_num,
      offsetNum: w.page.offset_num,
      prePage: w.page.pre_page,
      nextPage: w.page.next_page,
    },
    result: w.result.map(toTypedVoucher),
  }),
);

// ---- user/info/, user/cards/ (§3.14, §3.15) ------------------------------------------------------------------

/** The card object both routes send (user/cards/ adds `is_owner`, `member_benefits`). Only the fields the CLI shows. */
export const memberCardWire = z.object({
  card_id: z.union([count, digitId]).transform(String),
  card_no: z.string(),
  card_name: z.string(),
  card_status: z.string(),
  card_type: z.string(),
  card_balance: money,
  card_score: z.number().nullish(),
  expiration_date: z.string(),
  is_usable: z.boolean(),
});
const toMemberCard = (w: z.output<typeof memberCardWire>): MemberCard => ({
  cardId: w.card_id,
  cardNoMasked: w.card_no,
  name: w.card_name,
  status: w.card_status,
  type: w.card_type,
  balance: w.card_balance,
  score: w.card_score ?? null,
  expires: w.expiration_date,
  usable: w.is_usable,
});

export const userInfoWire = z.object({
  nickname: z.string(),
  phone: z.string(),
  is_member: z.boolean(),
  /** `solid_card: {}` when the user has no card (PHP's empty object). */
  member_info: z.object({ solid_card: emptyAsNull(memberCardWire) }),
});
export const userInfoData = userInfoWire.transform(
  (w): UserInfo => ({
    nickname: w.nickname,
    phoneMasked: w.phone,
    isMember: w.is_member,
    memberCard: w.member_info.solid_card === null ? null : toMemberCard(w.member_info.solid_card),
  }),
);

export const userCardsWire = z.object({ solid_card: emptyAs([], z.array(memberCardWire)) });
export const userCardsData = emptyAs({ solid_card: [] }, userCardsWire).transform((w): MemberCard[] => w.solid_card.map(toMemberCard));

// ---- /ticket/{tenant}/user/orders/ -------------------------------------------------------------------------

export const userOrderWire = z.object({
  order_id: digitId,
  movie_name: displayText,
  status: z.string().min(1),
  status_desc: displayText,
  cinema_name: displayText,
  show_date: displayText,
  ticket_num: intLike,
  hall_name: displayText,
  seat_info: displayText,
});
export const userOrdersWire = z.object({
  orders: phpList(userOrderWire),
  /** Only in client code, never captured: absent means "no more" (the client then echoes the offset sent). */
  next_offset: intLike.optional(),
});
export const userOrdersData = emptyAs({ orders: [] }, userOrdersWire).transform((w) => ({
  orders: w.orders.map(
    (o): UserOrderSummary => ({
      orderId: o.order_id,
      movieName: o.movie_name,
      status: o.status,
      statusDesc: o.status_desc,
      cinemaName: o.cinema_name,
      showDate: o.show_date,
      ticketNum: o.ticket_num,
      hallName: o.hall_name,
      seatInfo: o.seat_info,
    }),
  ),
  nextOffset: w.next_offset,
}));

// ---- payment -----------------------------------------------------------------------------------------------

export const paymentWire = z.object({ order_id: digitId, pay_type: z.string().min(1), total_fee: money, total_price: money });
export const paymentData = paymentWire.transform(
  (w): PaymentStarted => ({ orderId: w.order_id, payType: w.pay_type, totalFee: w.total_fee, totalPrice: w.total_price }),
);

export const paymentQueryWire = z.object({ order_id: digitId, status: z.string().min(1), msg: displayText });
export const paymentQueryData = paymentQueryWire.transform(
  (w): PaymentQuery => ({ orderId: w.order_id, status: w.status, msg: w.msg }),
);

// ---- hall/info/ (§3.17) -------------------------------------------------------------------------------------

/** The seat map, loosely typed: its one reader (bench/cluster.ts) walks `room_seat` itself. */
export const hallInfoData = emptyAs({}, z.record(z.string(), z.unknown()));

// ---- the assumed cancel route -------------------------------------------------------------------------------

/** Success is the envelope; `data` is not read. */
export const ignoredData = z.unknown();
