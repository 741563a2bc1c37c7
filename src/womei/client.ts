/**
 * `createWomeiClient`: the `WomeiApi` contract over HTTP. Each method is one request shaped exactly as the
 * mini-program sends it (docs/womei-api.md §3); parsing and error mapping live in `http.ts` / `response.ts`.
 */
import { WomeiBadRequest } from './errors';
import { cancelEndpoint, WOMEI_ENDPOINTS as E } from './endpoints';
import { createWomeiHttp, type WomeiRequest } from './http';
import * as S from './schemas';
import type { TokenRateLimiter } from './token-limiter';
import type { WomeiApi, WomeiSession } from './types';

export interface WomeiClientConfig {
  baseUrl: string;
  tenant: string;
  timeoutMs: number;
  /** Relative path of an order-cancel route (the sandbox's assumption); unset for the real API. */
  cancelPath?: string;
  fetch?: typeof fetch;
  /** The worker's per-token limit towards Kong (src/womei/token-limiter.ts); absent: no limit. */
  limiter?: TokenRateLimiter;
}

/** One `order/change/` call: the payment choice; the order is recomputed from it (replace semantics). */
export interface ChangeOrderParams {
  orderId: string;
  discountType: '' | 'MARKETING' | 'TP_VOUCHER';
  payType: 'WECHAT' | 'MEMBER';
  cardId?: string;
  voucherCodes: string[];
  voucherCodeType: '' | 'VGC_T';
}

/** The `order/change/` fields the app sends on every call besides the choice itself (§3.7). */
const CHANGE_ORDER_CONSTANTS = { rewards: '[]', use_rewards: 'Y', use_limit_cards: 'N', limit_cards: '[]' } as const;
const TP_VERSION = { version: 'tp_version' } as const;

const NO_VOUCHER: Omit<ChangeOrderParams, 'orderId'> = {
  discountType: 'MARKETING',
  payType: 'WECHAT',
  cardId: '',
  voucherCodes: [],
  voucherCodeType: '',
};

/**
 * The `order/change/` request for one choice, as the app sends it. The checkout sends two of them (init price,
 * vouchers); the benchmark's replay of the app (bench/plain-flows.ts) sends the app's others (member price, no
 * discount) through the same builder.
 */
export function changeOrderRequest(s: WomeiSession, p: ChangeOrderParams): WomeiRequest<typeof S.orderPriceData> {
  checkVoucherCodes(E.changeOrder.path, p.voucherCodes);
  return {
    endpoint: E.changeOrder,
    session: s,
    query: TP_VERSION,
    form: {
      order_id: p.orderId,
      discount_id: '0',
      discount_type: p.discountType,
      card_id: p.cardId ?? '',
      pay_type: p.payType,
      ...CHANGE_ORDER_CONSTANTS,
      voucher_code: p.voucherCodes.join(','),
      voucher_code_type: p.voucherCodeType,
      // The app sends one space when binding vouchers and nothing otherwise; mirrored as captured.
      ticket_pack_goods: p.voucherCodes.length > 0 ? ' ' : '',
    },
    data: S.orderPriceData,
  };
}

export function createWomeiClient(config: WomeiClientConfig): WomeiApi {
  const call = createWomeiHttp(config);
  const cancelPath = config.cancelPath?.trim();
  const cancel = cancelPath ? cancelEndpoint(cancelPath) : undefined;

  const changeOrder = (s: WomeiSession, p: ChangeOrderParams) => call(changeOrderRequest(s, p));

  return {
    canCancelOrders: cancel !== undefined,

    createOrder: async (s, p) => {
      if (p.seatLabels.length === 0 || p.seatLabels.some((l) => l === '' || l.includes('|'))) {
        throw new WomeiBadRequest(`${E.createOrder.path}: seat labels must be non-empty and contain no "|"`, { endpoint: E.createOrder.path });
      }
      return call({
        endpoint: E.createOrder,
        session: s,
        form: { seatlable: p.seatLabels.join('|'), schedule_id: p.scheduleId },
        data: S.createOrderData,
      });
    },

    getOrderInfo: (s, orderId) =>
      call({ endpoint: E.orderInfo, session: s, query: { ...TP_VERSION, order_id: orderId }, data: S.orderInfoData }),

    priceOrder: async (s, orderId) => changeOrder(s, { orderId, ...NO_VOUCHER }),
    bindVouchers: async (s, orderId, codes) =>
      changeOrder(s, { orderId, discountType: 'TP_VOUCHER', payType: 'WECHAT', cardId: '', voucherCodes: codes, voucherCodeType: 'VGC_T' }),
    // Womei recomputes the order from each call's fields, so "no voucher" replaces whatever was bound.
    unbindVouchers: async (s, orderId) => changeOrder(s, { orderId, ...NO_VOUCHER }),

    priceVoucher: async (s, p) => {
      checkVoucherCodes(E.voucherPrice.path, [p.voucherCode]);
      return call({
        endpoint: E.voucherPrice,
        session: s,
        form: { voucher_code: p.voucherCode, order_id: p.orderId },
        data: S.voucherPriceData,
      });
    },

    listVouchers: (s) => call({ endpoint: E.voucherWallet, session: s, data: S.voucherWalletData }),

    listVouchersPage: (s, p) =>
      call({
        endpoint: E.vouchersPage,
        session: s,
        query: { voucher_type: p.voucherType, schedule_id: p.scheduleId, goods_id: '', page_index: String(p.pageIndex) },
        data: S.voucherPageData,
      }),

    listUserOrders: async (s, p) => {
      const page = await call({ endpoint: E.userOrders, session: s, query: { offset: String(p.offset) }, data: S.userOrdersData });
      return { orders: page.orders, nextOffset: page.nextOffset ?? p.offset };
    },

    payOrder: (s, p) =>
      call({
        endpoint: E.payment,
        session: s,
        form: { order_id: p.orderId, mobile: p.mobile, pay_type: 'WECHAT' },
        data: S.paymentData,
      }),

    queryPayment: (s, orderId) => call({ endpoint: E.paymentQuery, session: s, form: { order_id: orderId }, data: S.paymentQueryData }),

    cancelOrder: async (s, orderId) => {
      if (cancel === undefined) {
        throw new WomeiBadRequest('order cancel: no cancel route is configured (the real Womei API has none; set WOMEI_CANCEL_PATH)', {
          endpoint: 'order/cancel',
        });
      }
      await call({ endpoint: cancel, session: s, form: { order_id: orderId }, data: S.ignoredData });
    },

    getUserInfo: (s) =>
      call({ endpoint: E.userInfo, session: s, query: { version: String(Date.now()), fact: 'Y' }, data: S.userInfoData }),
    getUserCards: (s) => call({ endpoint: E.userCards, session: s, data: S.userCardsData }),
    getHallInfo: (s, p) =>
      call({ endpoint: E.hallInfo, session: s, query: { hall_id: p.hallId, schedule_id: p.scheduleId }, data: S.hallInfoData }),
  };
}

/** Comma-joined on the wire: an empty code, a comma or a space inside one would change the request. */
function checkVoucherCodes(endpoint: string, codes: readonly string[]): void {
  if (codes.some((c) => !S.COMMA_JOINABLE.test(c))) {
    throw new WomeiBadRequest(`${endpoint}: voucher codes must be non-empty with no spaces or commas`, { endpoint });
  }
}
