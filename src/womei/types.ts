/**
 * The Womei client's contract: what each call takes and returns, in our names (camelCase, money in yuan as
 * Womei sends it). The zod schemas in `schemas.ts` parse the wire shapes into these types. Activities and the
 * workflow depend on this file only, never on the HTTP details.
 */

/** Who is calling and where: Womei scopes almost every path by cinema, and authenticates by the user's token. */
export interface WomeiSession {
  /** The WeChat user's session token (32 hex chars). A secret: never log it. */
  token: string;
  /** Digits, e.g. "9647". */
  cinemaId: string;
}

export interface CreatedOrder {
  orderId: string;
  /** Unix seconds, the server's clock when it created the order. */
  serverTime: number;
}

export interface VoucherUse {
  useNum: number;
  useCodes: string[];
  useTotalPrice: number;
  useDetail: number[];
  extraPrice: number;
}

/** `order/change/` answer: the order priced with the choice sent (replace semantics). */
export interface OrderPrice {
  orderId: string;
  orderTotalPrice: number;
  orderPaymentPrice: number;
  ticketTotalPrice: number;
  ticketPaymentTotalPrice: number;
  /** `ticket_single_price`: one price per ticket (`[49]`, `[35.9, 35.9]`); as many as `ticketNum`. */
  ticketPrices: number[];
  ticketNum: number;
  /** null when Womei answered `voucher_use: {}` (no voucher applied). */
  voucherUse: VoucherUse | null;
  voucherDiscounts: string[];
}

export type OrderStatus = 'PENDING' | 'PROCESSING' | 'SUCCESS' | 'CANCEL' | (string & {});

export interface OrderInfo {
  orderId: string;
  status: OrderStatus;
  statusDesc: string;
  cinemaId: string;
  orderTotalPrice: number;
  orderPaymentPrice: number;
  ticketTotalPrice: number;
  ticketCode: string;
  ticketCodes: { name: string; code: string }[];
  voucherUse: (VoucherUse & { useTotalDesc?: string }) | null;
  ticketItems: {
    ticketNum: number;
    scheduleId: number;
    seatInfo: string;
    hallName: string;
    /** Which seats, by area: `10排12座` in area `10014` (src/womei/seats.ts reads them). Empty when Womei sent none. */
    areaSeats: { areaId: string; seat: string }[];
  };
  /** While PENDING: the creation time, `YYYY-MM-DD HH:mm` Beijing time. */
  payTime: string;
  movieName: string;
  showDate: string;
}

export interface WalletVoucher {
  voucherCode: string;
  voucherCodeMask: string;
  voucherName: string;
  /** Unix seconds. */
  expireTime: number;
  expireTimeString: string;
  voucherNum: number;
  voucherDesc: string;
}

/** `user/voucher/list/`: the wallet. A voucher moves to `used` only when an order it is bound to is paid. */
export interface VoucherWallet {
  unused: WalletVoucher[];
  used: WalletVoucher[];
  disabled: WalletVoucher[];
}

export type VoucherType = 'VGC_T' | 'VGC_P';

/** `user/vouchers_page` item (the same item `user/vouchers` lists). */
export interface TypedVoucher {
  voucherCode: string;
  voucherCodeMask: string;
  voucherName: string;
  expireTime: number;
  expireTimeString: string;
  voucherDesc: string;
  bindTime: number;
  bindTimeStr: string;
  useTime: number;
  status: 'UN_USE' | 'DISABLED' | (string & {});
  voucherBalance: number;
  voucherBalanceType: string;
  voucherBalanceStr: string;
}

export interface VoucherPage {
  page: { dataTotal: number; totalPage: number; pageNum: number; offsetNum: number; prePage: number; nextPage: number };
  result: TypedVoucher[];
}

/** `order/voucher/price/`: pre-check of one voucher against an order. */
export interface VoucherPriceCheck {
  surchargePrice: number;
  /** Not the order's payable amount: the top-up this voucher would need (docs/womei-api.md §3.8, inferred). */
  payPrice: number;
  surchargeMsg: string;
}

export interface UserOrderSummary {
  orderId: string;
  movieName: string;
  status: OrderStatus;
  statusDesc: string;
  cinemaName: string;
  showDate: string;
  ticketNum: number;
  hallName: string;
  seatInfo: string;
}

export interface UserOrdersPage {
  orders: UserOrderSummary[];
  /** Offset for the next page; equal to the one sent (or 0/absent) when there is no more. */
  nextOffset: number;
}

/** A member card as `user/info/` and `user/cards/` show it. Womei sends the card number masked (`80*******9220`). */
export interface MemberCard {
  cardId: string;
  cardNoMasked: string;
  name: string;
  /** `USABLE`, … */
  status: string;
  /** `SOLID_STORED_CARD`, … */
  type: string;
  /** Stored value, yuan. */
  balance: number;
  score: number | null;
  /** `expiration_date` as sent (`2073-11-07 12:52:34`). */
  expires: string;
  usable: boolean;
}

/** `user/info/`: who the token belongs to. The unmasked order phone Womei also sends is not kept. */
export interface UserInfo {
  nickname: string;
  /** Masked by Womei (`13*****0000`). */
  phoneMasked: string;
  isMember: boolean;
  /** The solid card in `member_info`; null when the user has none (`{}`). */
  memberCard: MemberCard | null;
}

export interface PaymentStarted {
  orderId: string;
  payType: string;
  totalFee: number;
  totalPrice: number;
}

export interface PaymentQuery {
  orderId: string;
  status: 'PROCESSING' | 'SUCCESS' | (string & {});
  msg: string;
}

/**
 * Every call the checkout (activities/), the operator CLI (wallet, account, orders) and the cluster benchmark
 * (hall/info/) make, and nothing else: an endpoint no part of the project calls has no method here.
 */
export interface WomeiApi {
  createOrder(s: WomeiSession, p: { scheduleId: string; seatLabels: string[] }): Promise<CreatedOrder>;
  getOrderInfo(s: WomeiSession, orderId: string): Promise<OrderInfo>;
  /** Init pricing with no voucher (WECHAT/MARKETING, empty voucher fields); Womei refuses vouchers before it. */
  priceOrder(s: WomeiSession, orderId: string): Promise<OrderPrice>;
  bindVouchers(s: WomeiSession, orderId: string, codes: string[]): Promise<OrderPrice>;
  /** `order/change/` with empty voucher fields: replaces the previous choice with none. */
  unbindVouchers(s: WomeiSession, orderId: string): Promise<OrderPrice>;
  priceVoucher(s: WomeiSession, p: { orderId: string; voucherCode: string }): Promise<VoucherPriceCheck>;
  listVouchers(s: WomeiSession): Promise<VoucherWallet>;
  listVouchersPage(s: WomeiSession, p: { voucherType: VoucherType; scheduleId: string; pageIndex: number }): Promise<VoucherPage>;
  listUserOrders(s: WomeiSession, p: { offset: number }): Promise<UserOrdersPage>;
  payOrder(s: WomeiSession, p: { orderId: string; mobile: string }): Promise<PaymentStarted>;
  queryPayment(s: WomeiSession, orderId: string): Promise<PaymentQuery>;
  /** Only when a cancel route is configured (the real API shows none); otherwise throws WomeiBadRequest. */
  cancelOrder(s: WomeiSession, orderId: string): Promise<void>;
  readonly canCancelOrders: boolean;
  getUserInfo(s: WomeiSession): Promise<UserInfo>;
  /** `user/cards/`: the user's solid member cards. */
  getUserCards(s: WomeiSession): Promise<MemberCard[]>;
  /** `hall/info/`: the hall's seat map for a schedule, loosely typed (bench/cluster.ts picks free seats from it). */
  getHallInfo(s: WomeiSession, p: { hallId: string; scheduleId: string }): Promise<Record<string, unknown>>;
}
