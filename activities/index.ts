/**
 * The checkout's activities, one small function per Womei call, built by `createActivities({ womei, claims, tokens })`
 * (the worker injects the HTTP client, the claims on Temporal and the token opener; unit tests fakes). An order
 * is a checkout's only when it holds the order's claim (order-claims.ts): `createOrder` claims before answering,
 * `findLostOrder` claims the order it proves; an order claimed by another checkout is reported and never touched.
 * The token arrives sealed (src/seal/) and is opened in `call`, just before the request that needs it.
 */
import { Context, log } from '@temporalio/activity';
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
import type { TokenOpener } from '../src/seal/seal';
import { isWomeiError, toActivityFailure } from './failures';
import { searchLostOrder, type FindLostOrderArg, type LostOrderSearch } from './lost-order';
import type { OrderClaims } from './order-claims';

export { beijingMinuteKey };
export type { OrderClaims };
export type { FindLostOrderArg, ForeignOrder, LostOrderSearch } from './lost-order';

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
   * failures. A token that does not open fails the call before anything is sent; the plaintext is never
   * returned, logged or put into an error. A cancelled activity does not abort its request (the client takes no
   * abort signal): a cancelled bind that still lands would race the compensating unbind, so the workflow waits
   * for the call (WAIT_CANCELLATION_COMPLETED) and startToCloseTimeout bounds it. Only findLostOrder stops
   * between its pages.
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

    /** Finds the order a create attempt made when its answer was lost, and claims it (lost-order.ts). */
    async findLostOrder(arg: FindLostOrderArg): Promise<LostOrderSearch> {
      const { session, scheduleId, seatLabels } = arg;
      return call('findLostOrder', session, { scheduleId, seats: seatLabels.length }, (opened) =>
        searchLostOrder({ womei, claims, skewMs, maxPages }, arg, opened, currentCheckout()),
      );
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
