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

/** `user/vouchers` / `user/vouchers_page` item. */
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

export interface ChangeOrderParams {
  orderId: string;
  discountType: '' | 'MARKETING' | 'TP_VOUCHER';
  payType: 'WECHAT' | 'MEMBER';
  cardId?: string;
  voucherCodes: string[];
  voucherCodeType: '' | 'VGC_T';
}

/** `member/card/auto_solid/`: whether the user's solid member card can be used as is. */
export interface MemberCardCheck {
  normalUse: boolean;
  goBindCard: boolean;
  goOpenCard: boolean;
}

/** `/ticket/{tenant}/user/check_phone/`. */
export interface PhoneCheck {
  isBind: boolean;
}

/** `ads/?ad_type=`: 1 → `index_top_banner`, 6 → `ticket_buy_after_banner`, 8 → `schedule_index_banner` (§3.17). */
export type AdType = 1 | 6 | 8;

/** Banner lists keyed by placement, e.g. `{ index_top_banner: [] }`. */
export type AdBanners = Record<string, unknown[]>;

/** Every call the checkout and its tools make. Catalogue calls return parsed but loosely typed data. */
export interface WomeiApi {
  createOrder(s: WomeiSession, p: { scheduleId: string; seatLabels: string[] }): Promise<CreatedOrder>;
  getOrderInfo(s: WomeiSession, orderId: string): Promise<OrderInfo>;
  changeOrder(s: WomeiSession, p: ChangeOrderParams): Promise<OrderPrice>;
  /** Init pricing with no voucher (WECHAT/MARKETING, empty voucher fields); Womei refuses vouchers before it. */
  priceOrder(s: WomeiSession, orderId: string): Promise<OrderPrice>;
  bindVouchers(s: WomeiSession, orderId: string, codes: string[]): Promise<OrderPrice>;
  /** `order/change/` with empty voucher fields: replaces the previous choice with none. */
  unbindVouchers(s: WomeiSession, orderId: string): Promise<OrderPrice>;
  priceVoucher(s: WomeiSession, p: { orderId: string; voucherCode: string }): Promise<VoucherPriceCheck>;
  listVouchers(s: WomeiSession): Promise<VoucherWallet>;
  listVouchersByType(s: WomeiSession, p: { voucherType: VoucherType; scheduleId: string }): Promise<TypedVoucher[]>;
  listVouchersPage(s: WomeiSession, p: { voucherType: VoucherType; scheduleId: string; pageIndex: number }): Promise<VoucherPage>;
  addVoucher(s: WomeiSession, p: { voucherCode: string; voucherPassword: string }): Promise<void>;
  listUserOrders(s: WomeiSession, p: { offset: number }): Promise<UserOrdersPage>;
  getOrderSublists(s: WomeiSession, orderId: string): Promise<unknown[]>;
  payOrder(s: WomeiSession, p: { orderId: string; mobile: string }): Promise<PaymentStarted>;
  queryPayment(s: WomeiSession, orderId: string): Promise<PaymentQuery>;
  /** Only when a cancel route is configured (the real API shows none); otherwise throws WomeiBadRequest. */
  cancelOrder(s: WomeiSession, orderId: string): Promise<void>;
  readonly canCancelOrders: boolean;
  getUserInfo(s: WomeiSession): Promise<Record<string, unknown>>;
  getUserCards(s: WomeiSession): Promise<{ solidCard: Record<string, unknown>[] }>;
  getVccList(s: WomeiSession, p: { orderId: string; cardId?: string }): Promise<{ orderId: string; usable: unknown[]; disable: unknown[] }>;
  getVccUsableCount(s: WomeiSession, p: { orderId: string; cardId?: string }): Promise<{ orderId: string; count: number }>;
  listCities(s: WomeiSession): Promise<{ hot: unknown[]; normal: unknown[] }>;
  getCinemaInfo(s: WomeiSession): Promise<Record<string, unknown>>;
  listMovies(s: WomeiSession): Promise<Record<string, unknown>[]>;
  getShows(s: WomeiSession, movieId: string): Promise<Record<string, { schedules: Record<string, unknown>[] }>>;
  getHallInfo(s: WomeiSession, p: { hallId: string; scheduleId: string }): Promise<Record<string, unknown>>;
  getHallSaleable(s: WomeiSession, scheduleId: string): Promise<Record<string, unknown>>;
  /** `order/template/`: subscribes the order to WeChat notification templates (the app sends three ids). */
  registerOrderTemplates(s: WomeiSession, p: { orderId: string; templateIds: string[] }): Promise<void>;
  /** `member/card/auto_solid/` (a parameterless POST: literal `{}` body). */
  checkMemberCard(s: WomeiSession): Promise<MemberCardCheck>;
  /** `/ticket/{tenant}/user/check_phone/` (a parameterless POST: literal `{}` body). */
  checkPhone(s: WomeiSession): Promise<PhoneCheck>;
  getAds(s: WomeiSession, adType: AdType): Promise<AdBanners>;
  getPublicNotice(s: WomeiSession): Promise<Record<string, unknown>>;
  listVccActivities(s: WomeiSession): Promise<unknown[]>;
  /** `vcc/activity/gift/` answers an empty body, not an envelope: resolves when it is empty. */
  getVccActivityGift(s: WomeiSession): Promise<void>;
  /** The goods service: code 10006 (nothing for sale, the only answer known) is an empty list. */
  listGoods(s: WomeiSession): Promise<unknown[]>;
}
