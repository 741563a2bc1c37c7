/**
 * The checkout's activities: one small function per Womei call the checkout makes. Built by a factory so the
 * Womei client and the order-claim registry are injected: the worker passes the real HTTP client and claims on
 * Temporal, unit tests pass hand-written fakes. Each activity maps failures through `toActivityFailure`
 * (activities/failures.ts), logs through the activity context logger (which carries workflow and activity ids)
 * and never logs the token.
 *
 * OWNERSHIP. A checkout acts only on orders it owns, and it owns an order only by holding its claim
 * (order-claims.ts): the creator claims the order inside `createOrder`, before answering; a checkout whose
 * create answer was lost claims the order `findLostOrder` proves to be the lost attempt's. An order claimed by
 * another checkout is never adopted, bound, unbound or released; it is reported and left alone.
 *
 * The token arrives SEALED (src/seal/): it is opened in `call`, just before the one Womei request that needs it,
 * and the plaintext is never returned, logged or put into an error. An unsealed token is refused there
 * (TokenNotSealed) with nothing sent to Womei.
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
import { parseSeatLabel, positionsOfAreaSeats, rowColsOfSeatInfo, sameSeats } from '../src/womei/seats';
import type { TokenOpener } from '../src/seal/seal';
import { isWomeiError, toActivityFailure } from './failures';
import type { OrderClaims } from './order-claims';

export { beijingMinuteKey };
export type { OrderClaims };

export interface CheckoutActivityDeps {
  womei: WomeiApi;
  /** Who owns which order: claims on Temporal in the worker (order-claims.ts). */
  claims: OrderClaims;
  /** Opens the sealed token (TOKEN_SEAL_PRIVATE_KEYS): only workers hold it. */
  tokens: Pick<TokenOpener, 'open'>;
  /** Margin for clock skew between us and Womei when looking for an order a lost create made. */
  lostOrderSkewMs?: number;
  /** Most `user/orders/` pages to read when looking for a lost order. */
  lostOrderMaxPages?: number;
}

export interface SessionArg {
  /** Its token is SEALED (`sealed:v1:…`); `call` opens it for the request. Never logged. */
  session: WomeiSession;
}
export interface OrderArg extends SessionArg {
  orderId: string;
}
export interface CreateOrderArg extends SessionArg {
  scheduleId: string;
  seatLabels: string[];
}
/** What `createOrder` answers: the order, and whose it is when it is not this checkout's. */
export interface CreateOrderAnswer extends CreatedOrder {
  /**
   * Set when another checkout had claimed the order first (it found it as the order of its own lost create,
   * in the moment between Womei's answer and our claim): the order is that checkout's, never ours to touch.
   */
  claimedBy?: string;
}
export interface FindLostOrderArg extends CreateOrderArg {
  /** Epoch ms when the first create attempt whose answer may be lost began. */
  sinceMs: number;
  /** Epoch ms when the last such attempt ended (failed); absent: it may still be landing, search up to now. */
  untilMs?: number;
  /** Orders this checkout already knows (its own, and others' it left alone): never adopted. */
  excludeOrderIds: string[];
}
export interface ForeignOrder {
  orderId: string;
  /** The checkout that holds its claim. */
  owner: string;
}
export interface LostOrderSearch {
  /** The lost attempt's order, proven and claimed by this checkout; null when none is. */
  orderId: string | null;
  /** Orders that hold exactly this request's seats but are claimed by another checkout: left alone. */
  foreignOrders?: ForeignOrder[];
  /**
   * Only in histories from before ownership was proven: further matching orders, which that version
   * released. Never set now (workflows gate it behind `patched('claim-owned-orders')`).
   */
  extraOrderIds?: string[];
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

/** This activity's checkout: the claim owner. */
function currentCheckout(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('a checkout activity runs only for a checkout workflow (no workflow execution in its context)');
  return { workflowId: execution.workflowId, runId: execution.runId };
}

export function createActivities(deps: CheckoutActivityDeps) {
  const { womei, claims, tokens } = deps;
  const skewMs = deps.lostOrderSkewMs ?? 120_000;
  const maxPages = deps.lostOrderMaxPages ?? 5;

  /**
   * Runs one Womei call with the token opened (`fn` gets the session Womei needs): logs (never the token), maps
   * failures. A token that does not open fails the call before anything is sent.
   */
  async function call<T>(
    name: string,
    sealed: WomeiSession,
    fields: Record<string, unknown>,
    fn: (session: WomeiSession) => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    const ctx = { ...fields, cinemaId: sealed.cinemaId };
    let token: string | undefined;
    try {
      token = tokens.open(sealed.token);
      const result = await fn({ token, cinemaId: sealed.cinemaId });
      log.info(`womei ${name} ok`, { ...ctx, ms: Date.now() - started });
      return result;
    } catch (err) {
      const failure = toActivityFailure(err, [token]);
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
    /**
     * `order/ticket/`: creates the order and locks the seats, then claims it for this checkout before answering
     * (one Temporal call). Not idempotent: the workflow never lets Temporal retry it blindly. A claim that
     * cannot be made fails the activity: the workflow then treats the attempt as one whose answer was lost, and
     * its search claims the order (or finds it claimed) once the registry answers again.
     */
    async createOrder({ session, scheduleId, seatLabels }: CreateOrderArg): Promise<CreateOrderAnswer> {
      const created = await call('createOrder', session, { scheduleId, seats: seatLabels.length }, (opened) =>
        womei.createOrder(opened, { scheduleId, seatLabels }),
      );
      const me = currentCheckout();
      let owner: string;
      try {
        owner = await claims.claim(created.orderId, me);
      } catch (err) {
        log.warn('womei createOrder: order created but its claim failed; the workflow will look for it', { orderId: created.orderId, cinemaId: session.cinemaId });
        throw toActivityFailure(err, [session.token]);
      }
      if (owner === me.workflowId) return created;
      log.warn('womei createOrder: the new order was already claimed by another checkout; leaving it to it', {
        orderId: created.orderId,
        owner,
        cinemaId: session.cinemaId,
      });
      return { ...created, claimedBy: owner };
    },

    /**
     * Finds the order a create attempt made when its answer was lost, and claims it. An order is the lost
     * attempt's only when every one of these holds:
     * - `user/orders/` lists it PENDING, created inside the attempts' window (order id prefix `YYMMDDHHmm`,
     *   Beijing time, widened by the skew margin), with exactly the request's seats by row and column;
     * - `order/info/` confirms it PENDING, at this cinema, on this schedule, and its `area_seats` are exactly
     *   the request's seats (area, row, column: src/womei/seats.ts);
     * - its claim is this checkout's (won now, or already ours).
     * An exact seat set has one live holder at most, so at most one order can pass; one that passes all but
     * the claim belongs to another checkout of the same user and is reported, never touched.
     */
    async findLostOrder(arg: FindLostOrderArg): Promise<LostOrderSearch> {
      const { session, scheduleId, seatLabels, sinceMs, untilMs, excludeOrderIds } = arg;
      return call('findLostOrder', session, { scheduleId, seats: seatLabels.length }, async (opened) => {
        const ctx = Context.current();
        const wanted = seatLabels.map(parseSeatLabel);
        // A label we cannot read cannot be matched: nothing can be proven to be this request's order.
        if (wanted.some((w) => w === null)) return { orderId: null, foreignOrders: [], pagesRead: 0 };
        const positions = wanted.map((w) => w!.position);
        const rowCols = wanted.map((w) => w!.rowCol);
        const fromKey = beijingMinuteKey(sinceMs - skewMs);
        const toKey = untilMs === undefined ? undefined : beijingMinuteKey(untilMs + skewMs);
        const exclude = new Set(excludeOrderIds);
        const candidates: string[] = [];
        let offset = 0;
        let pagesRead = 0;
        for (let page = 0; page < maxPages; page++) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('findLostOrder cancelled');
          ctx.heartbeat({ page, offset });
          const { orders, nextOffset } = await womei.listUserOrders(opened, { offset });
          pagesRead++;
          for (const o of orders) {
            const minute = o.orderId.slice(0, 10);
            if (exclude.has(o.orderId) || o.status !== 'PENDING') continue;
            if (minute < fromKey || (toKey !== undefined && minute > toKey)) continue;
            const listed = rowColsOfSeatInfo(o.seatInfo);
            if (o.ticketNum !== seatLabels.length || listed === null || !sameSeats(listed, rowCols)) continue;
            candidates.push(o.orderId);
          }
          const reachedOlder = orders.some((o) => o.orderId.slice(0, 10) < fromKey);
          if (orders.length === 0 || reachedOlder || !(nextOffset > offset)) break;
          offset = nextOffset;
        }
        // Order ids start with the creation minute and then a counter: the lexically largest is the newest.
        candidates.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
        const me = currentCheckout();
        const foreignOrders: LostOrderSearch['foreignOrders'] = [];
        for (const orderId of candidates) {
          ctx.heartbeat({ confirming: orderId });
          let info: OrderInfo;
          try {
            info = await womei.getOrderInfo(opened, orderId);
          } catch (err) {
            // An order of another cinema (or one that vanished) is not ours to adopt.
            if (isWomeiError(err) && (err.type === 'OrderNotFound' || err.type === 'OrderExpired')) continue;
            throw err;
          }
          const held = positionsOfAreaSeats(info.ticketItems.areaSeats);
          const proven =
            info.status === 'PENDING' &&
            info.cinemaId === session.cinemaId &&
            String(info.ticketItems.scheduleId) === scheduleId &&
            held !== null &&
            sameSeats(held, positions);
          if (!proven) continue;
          const owner = await claims.claim(orderId, me);
          if (owner === me.workflowId) return { orderId, foreignOrders, pagesRead };
          log.warn('womei findLostOrder: a matching order belongs to another checkout; leaving it alone', { orderId, owner, cinemaId: session.cinemaId });
          foreignOrders.push({ orderId, owner });
        }
        return { orderId: null, foreignOrders, pagesRead };
      });
    },

    /** Init pricing (`order/change/`, WECHAT/MARKETING, no voucher). Womei refuses voucher calls before it. */
    async priceOrder({ session, orderId }: OrderArg): Promise<OrderPrice> {
      return call('priceOrder', session, { orderId }, (opened) => womei.priceOrder(opened, orderId));
    },

    /** The wallet (`user/voucher/list/`). */
    async listVouchers({ session }: SessionArg): Promise<VoucherWallet> {
      return call('listVouchers', session, {}, (opened) => womei.listVouchers(opened));
    },

    /** `order/voucher/price/` for ONE code. Spends one of the user's daily validations. */
    async precheckVoucher({ session, orderId, voucherCode }: PrecheckArg): Promise<VoucherPriceCheck> {
      return call('precheckVoucher', session, { orderId }, (opened) => womei.priceVoucher(opened, { orderId, voucherCode }));
    },

    /** `order/change/` TP_VOUCHER with the codes comma-joined. Replace semantics: idempotent. */
    async bindVouchers({ session, orderId, codes }: BindArg): Promise<OrderPrice> {
      return call('bindVouchers', session, { orderId, vouchers: codes.length }, (opened) => womei.bindVouchers(opened, orderId, codes));
    },

    /** `order/change/` with empty voucher fields: paying the order later cannot consume the vouchers. Idempotent. */
    async unbindVouchers({ session, orderId }: OrderArg): Promise<OrderPrice> {
      return call('unbindVouchers', session, { orderId }, (opened) => womei.unbindVouchers(opened, orderId));
    },

    async getOrderInfo({ session, orderId }: OrderArg): Promise<OrderInfo> {
      return call('getOrderInfo', session, { orderId }, (opened) => womei.getOrderInfo(opened, orderId));
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
      await call('releaseOrder', session, { orderId }, (opened) => womei.cancelOrder(opened, orderId));
      return 'cancelled';
    },

    /** `order/payment/` (only ever for a 0-yuan order). */
    async payOrder({ session, orderId, mobile }: PayArg): Promise<PaymentStarted> {
      return call('payOrder', session, { orderId }, (opened) => womei.payOrder(opened, { orderId, mobile }));
    },

    /** `order/query/`: PROCESSING → SUCCESS. */
    async queryPayment({ session, orderId }: OrderArg): Promise<PaymentQuery> {
      return call('queryPayment', session, { orderId }, (opened) => womei.queryPayment(opened, orderId));
    },
  };
}

/** The activities' interface, for `proxyActivities<CheckoutActivities>()` in the workflow (type-only import). */
export type CheckoutActivities = ReturnType<typeof createActivities>;
