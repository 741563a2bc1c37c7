/**
 * Typed failures of the Womei client. Each class is named after a failure type; `type` is what the Temporal
 * activities put on `ApplicationFailure.type`, and `retryable` (from src/failure-types.ts) says whether trying
 * again can help. The one mapping from Womei's envelope (`ret`/`sub`/`msg`) to these classes is `errorFromEnvelope`.
 */
import { FAILURE_TYPES, NON_RETRYABLE_ACTIVITY_FAILURES, traitsOf, type FailureTypeFrom } from '../failure-types';

export type WomeiFailureType = FailureTypeFrom<'womei'>;

export interface WomeiErrorDetails {
  /** Endpoint path relative to the tenant/cinema root, e.g. `order/change/`. */
  endpoint: string;
  ret?: number;
  sub?: number;
  /** Womei's own message (Chinese), kept so operators can read what the server said. */
  womeiMsg?: string;
  httpStatus?: number;
  /** Server-advised wait before retrying (from `ratelimit-reset` / `retry-after`). */
  retryAfterMs?: number;
}

export abstract class WomeiError extends Error {
  abstract readonly type: WomeiFailureType;
  readonly endpoint: string;
  readonly ret?: number;
  readonly sub?: number;
  readonly womeiMsg?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(message: string, details: WomeiErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.endpoint = details.endpoint;
    this.ret = details.ret;
    this.sub = details.sub;
    this.womeiMsg = details.womeiMsg;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }

  override get name(): string {
    return this.type;
  }

  get retryable(): boolean {
    return traitsOf(this.type).retryable;
  }
}

/** sub 408: the user's session token expired or is unknown. A fresh token is needed; retrying cannot help. */
export class TokenInvalid extends WomeiError {
  readonly type = 'TokenInvalid';
}
/** `锁座失败`: a requested seat is locked by another order or sold. */
export class SeatUnavailable extends WomeiError {
  readonly type = 'SeatUnavailable';
}
/** sub 4004 `兑换券数据异常` and friends: the voucher is unknown, consumed, expired, or not this user's. */
export class VoucherNotUsable extends WomeiError {
  readonly type = 'VoucherNotUsable';
}
/** The per-person daily voucher validation quota is spent; only tomorrow helps. */
export class VoucherQuotaExceeded extends WomeiError {
  readonly type = 'VoucherQuotaExceeded';
}
/** The order's seat hold lapsed: a new order is needed. */
export class OrderExpired extends WomeiError {
  readonly type = 'OrderExpired';
}
export class OrderNotFound extends WomeiError {
  readonly type = 'OrderNotFound';
}
/**
 * The order was never priced with an init `order/change/`, so Womei refuses voucher calls on it: sub 1000
 * `参数错误` on `order/voucher/price/`, sub 4004 `获取兑换券验券异常` on a bind. The voucher is not at fault.
 */
export class OrderNotPriced extends WomeiError {
  readonly type = 'OrderNotPriced';
}
/** Payment asked for an order whose payable amount is not 0 (only 0-yuan orders are paid by this service). */
export class PaymentRequired extends WomeiError {
  readonly type = 'PaymentRequired';
}
/** sub 1000 `参数错误` elsewhere, or an unknown route: our request is wrong; retrying sends the same. */
export class WomeiBadRequest extends WomeiError {
  readonly type = 'WomeiBadRequest';
}
/** Kong throttled us (HTTP 429). Retry after `retryAfterMs`. */
export class WomeiRateLimited extends WomeiError {
  readonly type = 'WomeiRateLimited';
}
/** Network failure, timeout, HTTP 5xx, or a "busy" business answer: transient. */
export class WomeiUnavailable extends WomeiError {
  readonly type = 'WomeiUnavailable';
}
/**
 * A response that does not parse as the documented shape. Names the endpoint and the failing field. Retryable:
 * a body cut short or missing a field is as often a glitch on the way as a changed API, and every call with
 * more than one attempt is idempotent (reads, pricing, compensations); the one-shot calls (create, pre-check,
 * bind, pay) take it as an answer that may have been lost.
 */
export class WomeiProtocolError extends WomeiError {
  readonly type = 'WomeiProtocolError';
}

/** The Womei failure types a retry cannot fix (the retry policy lists them, src/failure-types.ts). */
export const NON_RETRYABLE_WOMEI_FAILURES: readonly WomeiFailureType[] = NON_RETRYABLE_ACTIVITY_FAILURES.filter(
  (t): t is WomeiFailureType => FAILURE_TYPES[t].origin === 'womei',
);

const VOUCHER_ENDPOINTS = new Set(['order/voucher/price/']);

/**
 * `获取兑换券验券异常，请联系影院` (sub 4004) was captured on a bind to an order that had never been priced
 * (docs/womei-api.md §4), with a voucher that was fine: it blames the order, unlike `兑换券数据异常`.
 */
const VOUCHER_CHECK_BEFORE_PRICING = '验券异常';

/** Womei's "try again later" wording (`系统繁忙`, `请稍后再试`), on the ticket routes and the goods service alike. */
function isBusyMessage(msg: string): boolean {
  return msg.includes('繁忙') || msg.includes('稍后再试');
}

/** Seat-lock failures were recognised by this text in the author's client, even with ret/sub 0 (§3.1). */
const SEAT_LOCK_FAILED = '锁座失败';

/**
 * Maps an envelope to its typed error, or undefined when it is a success. Womei keeps HTTP 200 and `ret 0` for
 * business errors and puts the reason in `sub` and a Chinese `msg`; where the code was never captured, the
 * message decides.
 */
export function errorFromEnvelope(
  endpoint: string,
  ret: number,
  sub: number,
  msg: string,
  extra: Pick<WomeiErrorDetails, 'httpStatus'> = {},
): WomeiError | undefined {
  if (ret === 0 && sub === 0 && !msg.includes(SEAT_LOCK_FAILED)) return undefined;
  const details: WomeiErrorDetails = { endpoint, ret, sub, womeiMsg: msg, ...extra };
  const say = (what: string) => `${endpoint}: ${what} (ret ${ret}, sub ${sub}, msg "${msg}")`;

  if (sub === 408 || msg.includes('TOKEN超时')) return new TokenInvalid(say('user token expired or invalid'), details);
  if (msg.includes(SEAT_LOCK_FAILED)) return new SeatUnavailable(say('seat lock failed'), details);
  if (msg.includes('验证次数')) return new VoucherQuotaExceeded(say('daily voucher validation quota spent'), details);
  if (msg.includes('订单已失效') || msg.includes('订单已过期')) return new OrderExpired(say('order hold expired'), details);
  if (msg.includes('订单不存在')) return new OrderNotFound(say('order not found'), details);
  if (isBusyMessage(msg) || sub >= 5000) {
    return new WomeiUnavailable(say('Womei busy'), details);
  }
  if (sub === 1000 && VOUCHER_ENDPOINTS.has(endpoint)) {
    return new OrderNotPriced(say('order not priced before voucher pre-check'), details);
  }
  if (msg.includes(VOUCHER_CHECK_BEFORE_PRICING)) {
    return new OrderNotPriced(say('order not priced before binding vouchers'), details);
  }
  if (sub === 4004 || sub === 4001 || sub === 4002 || sub === 4007 || sub === 4008 || sub === 4017 || msg.includes('兑换券')) {
    return new VoucherNotUsable(say('voucher not usable'), details);
  }
  if (sub === 4201) return new PaymentRequired(say('order is not free to pay'), details);
  if (sub === 1000 || msg === 'url not found') return new WomeiBadRequest(say('request refused'), details);
  return new WomeiProtocolError(say('unrecognised Womei error'), details);
}

/**
 * The goods service (`/qrgoods/…`) answers `{code, msg, data}`. Code `10006` (nothing for sale) is its only
 * captured answer and is handled by the caller as data; for any other code: a busy msg is WomeiUnavailable, as on
 * the ticket routes; anything else, a would-be success code included, is WomeiProtocolError naming code and msg
 * (no answer listing goods was ever captured, so neither the success code nor an item's shape is known). The
 * service is not behind the ticket gateway's session check, so no code here means "token expired".
 */
export function errorFromGoodsEnvelope(endpoint: string, code: string, msg: string, httpStatus: number): WomeiError {
  const said = `code "${code}", msg "${msg}"`;
  if (isBusyMessage(msg)) {
    return new WomeiUnavailable(`${endpoint}: goods service busy (${said})`, { endpoint, womeiMsg: msg, httpStatus });
  }
  const ok = httpStatus >= 200 && httpStatus < 300;
  const head = ok ? 'unrecognised goods service answer' : `unexpected HTTP ${httpStatus} from the goods service`;
  return new WomeiProtocolError(`${endpoint}: ${head} (${said})`, { endpoint, httpStatus });
}
