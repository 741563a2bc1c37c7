/**
 * What Womei says on the wire: envelope codes and messages. The sandbox answers with these and the client's
 * error mapping reads them, so both sides stay on one catalogue. Entries marked ASSUMPTION are not in any
 * capture (docs/womei-api.md §4, §6); each records the choice we made for the real service's likely behaviour.
 */

export const SUCCESS_MSG = 'successfully';

export interface WireError {
  readonly ret: number;
  readonly sub: number;
  readonly msg: string;
  /** `data` of the error body: `{}` for most business errors, `[]` for the token timeout. */
  readonly data: Record<string, never> | never[];
}

const err = (ret: number, sub: number, msg: string, data: WireError['data'] = {}): WireError => ({ ret, sub, msg, data });

export const WOMEI_ERRORS = {
  /** [RUN]+[FIXTURE] any authenticated call with an expired or unknown token. */
  tokenTimeout: err(0, 408, '获取TOKEN超时 [5105A]', []),
  /** [RUN] voucher pricing before the order was priced once; also any missing/malformed parameter. */
  badParameter: err(0, 1000, '参数错误'),
  /** [RUN] TP_VOUCHER bind on an order that never had an init `order/change/` (the voucher was fine). */
  voucherCheckFailed: err(0, 4004, '获取兑换券验券异常，请联系影院'),
  /** [RUN] TP_VOUCHER bind with a nonexistent code, or one already consumed by a paid order. */
  voucherDataInvalid: err(0, 4004, '兑换券数据异常，请重新添加'),
  /** [FIXTURE] `user/voucher/add/` with a code already in a wallet. */
  voucherAlreadyAdded: err(0, 4017, '该券已被绑定，不可重复添加'),
  /** [FIXTURE] `user/voucher/add/` unknown code / wrong password. */
  voucherUnknown: err(0, 4001, '券码不存在'),
  voucherWrongPassword: err(0, 4002, '券码密码错误'),
  /** [RUN] unknown route; ret/sub were not captured. ASSUMPTION: ret 404, sub 0. */
  urlNotFound: err(404, 0, 'url not found'),
  /**
   * [CODE] seat already locked or sold on `order/ticket/`: the client looked for `锁座失败` in msg.
   * ASSUMPTION: sub 2001, Vista's usual wording after the prefix.
   */
  seatLockFailed: err(0, 2001, '锁座失败，座位已被占用'),
  /** ASSUMPTION (§6 unknown): an order whose seat hold lapsed, on `order/change/`, voucher price, payment. */
  orderExpired: err(0, 4101, '订单已失效，请重新下单'),
  /** ASSUMPTION: an order id that is not this user's or does not exist. */
  orderNotFound: err(0, 4100, '订单不存在'),
  /** ASSUMPTION: the cinema's "5 validations per person per day" quota (`voucher_tips`) is spent. */
  voucherQuotaExceeded: err(0, 4006, '兑换券验证次数已达上限，请明日再试'),
  /** ASSUMPTION: more VGC_T codes than tickets in one bind (§5 "behaviour unknown"). */
  tooManyVouchers: err(0, 4007, '兑换券数量超过可抵扣影票数量'),
  /** ASSUMPTION: expired or disabled voucher in a bind or pre-check. */
  voucherExpired: err(0, 4008, '兑换券已过期或已作废'),
  /** ASSUMPTION: payment of an order whose payable amount is not 0 without a WeChat payment. */
  paymentRequired: err(0, 4201, '订单需支付金额不为0，请使用微信支付'),
  /** ASSUMPTION: transient upstream trouble (Vista/cinema system busy). */
  systemBusy: err(0, 5000, '系统繁忙，请稍后再试'),
} as const satisfies Record<string, WireError>;

export type WomeiErrorKey = keyof typeof WOMEI_ERRORS;

/** Kong's stock throttling answer (ASSUMPTION: not observed, §1.4): HTTP 429 with this body. */
export const KONG_RATE_LIMIT_BODY = { message: 'API rate limit exceeded' } as const;

/**
 * The goods service's one captured answer, `{"code":"10006","msg":"暂无卖品","data":[]}` (docs/womei-api.md §1.3):
 * nothing for sale. The sandbox answers with it and the client's goods parser recognises the code.
 */
export const GOODS_CODE_NO_GOODS = '10006';
export const GOODS_MSG_NO_GOODS = '暂无卖品';

/** Order status strings. PENDING/SUCCESS are captured; PROCESSING is from `order/query/`. */
export const ORDER_STATUS = {
  pending: 'PENDING',
  processing: 'PROCESSING',
  success: 'SUCCESS',
  /** ASSUMPTION: a lapsed or cancelled unpaid order; not captured. */
  cancelled: 'CANCEL',
} as const;

export const ORDER_STATUS_DESC: Record<string, string> = {
  PENDING: '未支付',
  PROCESSING: '出票中',
  SUCCESS: '已出票',
  CANCEL: '已取消',
};
