/**
 * The checkout's activities: one small function per Womei call the checkout makes. Built by a factory so the
 * Womei client (and anything else they need) is injected: the worker passes the real HTTP client, unit tests
 * pass a hand-written fake. Each activity maps failures through `toActivityFailure` (activities/failures.ts),
 * logs through the activity context logger (which carries workflow and activity ids) and never logs the token.
 *
 * None of these abort an in-flight request when the activity is cancelled: the client takes no abort signal,
 * and a cancelled `bind` whose request still lands would race the compensating `unbind`. The workflow waits
 * for each call to finish (WAIT_CANCELLATION_COMPLETED) and bounds it with startToCloseTimeout instead.
 * Only `findLostOrder`, which pages, heartbeats and stops between pages when cancelled.
 */
import { Context, log } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type {
  CreatedOrder,
  OrderInfo,
  OrderPrice,
  PaymentQuery,
  PaymentStarted,
  VoucherPriceCheck,
  VoucherWallet,
  WomeiApi,
  WomeiSession,
} from '../src/womei/types';
import { beijingMinuteKey } from '../src/womei/order-id';
import { isWomeiError, toActivityFailure } from './failures';

export { beijingMinuteKey };

export interface CheckoutActivityDeps {
  womei: WomeiApi;
  /** Margin for clock skew between us and Womei when looking for an order a lost create made. */
  lostOrderSkewMs?: number;
  /** Most `user/orders/` pages to read when looking for a lost order. */
  lostOrderMaxPages?: number;
}

export interface SessionArg {
  /** Carries the token: encrypted in history by the payload codec, never logged. */
  session: WomeiSession;
}
export interface OrderArg extends SessionArg {
  orderId: string;
}
export interface CreateOrderArg extends SessionArg {
  scheduleId: string;
  seatLabels: string[];
}
export interface FindLostOrderArg extends CreateOrderArg {
  /** Epoch ms when the first create attempt whose answer may be lost began. */
  sinceMs: number;
  /** Orders this checkout already knows (adopted, released): never adopted again. */
  excludeOrderIds: string[];
}
export interface LostOrderSearch {
  /** The newest matching live order, to adopt; null when the lost attempt created nothing. */
  orderId: string | null;
  /** Further matching live orders (several lost attempts): the workflow releases them at once. */
  extraOrderIds: string[];
  /** Pages read (for the status). */
  pagesRead: number;
}
export interface PrecheckArg extends OrderArg {
  voucherCode: string;
}
export interface BindArg extends OrderArg {
  codes: string[];
}
export interface PayArg extends OrderArg {
  mobile: string;
}
export type ReleaseResult = 'cancelled' | 'abandoned';

/** `5排8座 | 5排9座` → 2. Womei joins several seats with " | " (docs/womei-api.md §3.3). */
export function seatCountOf(seatInfo: string): number {
  return seatInfo.split('|').filter((s) => s.trim() !== '').length;
}

export function createActivities(deps: CheckoutActivityDeps) {
  const { womei } = deps;
  const skewMs = deps.lostOrderSkewMs ?? 120_000;
  const maxPages = deps.lostOrderMaxPages ?? 5;

  /** Runs one Womei call: logs (never the token), maps failures. */
  async function call<T>(name: string, session: WomeiSession, fields: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const ctx = { ...fields, cinemaId: session.cinemaId };
    try {
      const result = await fn();
      log.info(`womei ${name} ok`, { ...ctx, ms: Date.now() - started });
      return result;
    } catch (err) {
      const failure = toActivityFailure(err, [session.token]);
      log.warn(`womei ${name} failed`, {
        ...ctx,
        ms: Date.now() - started,
        type: isWomeiError(err) ? err.type : failure.name,
        error: failure.message,
      });
      throw failure;
    }
  }

  return {
    /** `order/ticket/`: creates the order and locks the seats. Not idempotent: the workflow never lets Temporal retry it blindly. */
    async createOrder({ session, scheduleId, seatLabels }: CreateOrderArg): Promise<CreatedOrder> {
      return call('createOrder', session, { scheduleId, seats: seatLabels.length }, () =>
        womei.createOrder(session, { scheduleId, seatLabels }),
      );
    },

    /**
     * Finds the order a create attempt made when its answer was lost: PENDING orders in `user/orders/` created
     * since the attempt began (order id prefix `YYMMDDHHmm`, Beijing time, with a skew margin), for the same
     * schedule and number of seats, confirmed on `order/info/`. Newest first.
     */
    async findLostOrder(arg: FindLostOrderArg): Promise<LostOrderSearch> {
      const { session, scheduleId, seatLabels, sinceMs, excludeOrderIds } = arg;
      return call('findLostOrder', session, { scheduleId, seats: seatLabels.length }, async () => {
        const ctx = Context.current();
        const sinceKey = beijingMinuteKey(sinceMs - skewMs);
        const exclude = new Set(excludeOrderIds);
        const candidates: string[] = [];
        let offset = 0;
        let pagesRead = 0;
        for (let page = 0; page < maxPages; page++) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('findLostOrder cancelled');
          ctx.heartbeat({ page, offset });
          const { orders, nextOffset } = await womei.listUserOrders(session, { offset });
          pagesRead++;
          for (const o of orders) {
            if (exclude.has(o.orderId) || o.status !== 'PENDING') continue;
            if (o.orderId.slice(0, 10) < sinceKey) continue;
            if (o.ticketNum !== seatLabels.length) continue;
            candidates.push(o.orderId);
          }
          const reachedOlder = orders.some((o) => o.orderId.slice(0, 10) < sinceKey);
          if (orders.length === 0 || reachedOlder || !(nextOffset > offset)) break;
          offset = nextOffset;
        }
        const confirmed: string[] = [];
        for (const orderId of candidates) {
          ctx.heartbeat({ confirming: orderId });
          let info: OrderInfo;
          try {
            info = await womei.getOrderInfo(session, orderId);
          } catch (err) {
            // An order of another cinema (or one that vanished) is not ours to adopt.
            if (isWomeiError(err) && (err.type === 'OrderNotFound' || err.type === 'OrderExpired')) continue;
            throw err;
          }
          if (
            info.status === 'PENDING' &&
            String(info.ticketItems.scheduleId) === scheduleId &&
            info.ticketItems.ticketNum === seatLabels.length &&
            seatCountOf(info.ticketItems.seatInfo) === seatLabels.length &&
            (info.cinemaId === '' || info.cinemaId === session.cinemaId)
          ) {
            confirmed.push(orderId);
          }
        }
        // Order ids start with the creation minute and then a counter: the lexically largest is the newest.
        confirmed.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
        return { orderId: confirmed[0] ?? null, extraOrderIds: confirmed.slice(1), pagesRead };
      });
    },

    /** Init pricing (`order/change/`, WECHAT/MARKETING, no voucher). Womei refuses voucher calls before it. */
    async priceOrder({ session, orderId }: OrderArg): Promise<OrderPrice> {
      return call('priceOrder', session, { orderId }, () => womei.priceOrder(session, orderId));
    },

    /** The wallet (`user/voucher/list/`). */
    async listVouchers({ session }: SessionArg): Promise<VoucherWallet> {
      return call('listVouchers', session, {}, () => womei.listVouchers(session));
    },

    /** `order/voucher/price/` for ONE code. Spends one of the user's daily validations. */
    async precheckVoucher({ session, orderId, voucherCode }: PrecheckArg): Promise<VoucherPriceCheck> {
      return call('precheckVoucher', session, { orderId }, () => womei.priceVoucher(session, { orderId, voucherCode }));
    },

    /** `order/change/` TP_VOUCHER with the codes comma-joined. Replace semantics: idempotent. */
    async bindVouchers({ session, orderId, codes }: BindArg): Promise<OrderPrice> {
      return call('bindVouchers', session, { orderId, vouchers: codes.length }, () => womei.bindVouchers(session, orderId, codes));
    },

    /** `order/change/` with empty voucher fields: paying the order later cannot consume the vouchers. Idempotent. */
    async unbindVouchers({ session, orderId }: OrderArg): Promise<OrderPrice> {
      return call('unbindVouchers', session, { orderId }, () => womei.unbindVouchers(session, orderId));
    },

    async getOrderInfo({ session, orderId }: OrderArg): Promise<OrderInfo> {
      return call('getOrderInfo', session, { orderId }, () => womei.getOrderInfo(session, orderId));
    },

    /**
     * Releases the seats: the cancel call where one is configured (an assumption of the sandbox), otherwise
     * 'abandoned' (the real API has no cancel; the hold lapses on its own).
     */
    async releaseOrder({ session, orderId }: OrderArg): Promise<ReleaseResult> {
      if (!womei.canCancelOrders) {
        log.info('womei releaseOrder: no cancel route, order abandoned to its hold expiry', { orderId, cinemaId: session.cinemaId });
        return 'abandoned';
      }
      await call('releaseOrder', session, { orderId }, () => womei.cancelOrder(session, orderId));
      return 'cancelled';
    },

    /** `order/payment/` (only ever for a 0-yuan order). */
    async payOrder({ session, orderId, mobile }: PayArg): Promise<PaymentStarted> {
      return call('payOrder', session, { orderId }, () => womei.payOrder(session, { orderId, mobile }));
    },

    /** `order/query/`: PROCESSING → SUCCESS. */
    async queryPayment({ session, orderId }: OrderArg): Promise<PaymentQuery> {
      return call('queryPayment', session, { orderId }, () => womei.queryPayment(session, orderId));
    },
  };
}

/** The activities' interface, for `proxyActivities<CheckoutActivities>()` in the workflow (type-only import). */
export type CheckoutActivities = ReturnType<typeof createActivities>;
