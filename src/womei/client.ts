/**
 * `createWomeiClient`: the `WomeiApi` contract over HTTP. Each method is one request shaped exactly as the
 * mini-program sends it (docs/womei-api.md §3); parsing and error mapping live in `http.ts` / `response.ts`.
 */
import { WomeiBadRequest } from './errors';
import { cancelEndpoint, WOMEI_ENDPOINTS as E } from './endpoints';
import { PARAMETERLESS_POST_BODY } from './headers';
import { createWomeiHttp } from './http';
import * as S from './schemas';
import type { TokenRateLimiter } from './token-limiter';
import type { ChangeOrderParams, WomeiApi, WomeiSession } from './types';

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

/** The `order/change/` fields the app sends on every call besides the choice itself (§3.7). */
const CHANGE_ORDER_CONSTANTS = { rewards: '[]', use_rewards: 'Y', use_limit_cards: 'N', limit_cards: '[]' } as const;
const TP_VERSION = { version: 'tp_version' } as const;
const EVGC = 'EVGC_VOUCHER';

const NO_VOUCHER: Omit<ChangeOrderParams, 'orderId'> = {
  discountType: 'MARKETING',
  payType: 'WECHAT',
  cardId: '',
  voucherCodes: [],
  voucherCodeType: '',
};

export function createWomeiClient(config: WomeiClientConfig): WomeiApi {
  const call = createWomeiHttp(config);
  const cancelPath = config.cancelPath?.trim();
  const cancel = cancelPath ? cancelEndpoint(cancelPath) : undefined;

  const changeOrder = (s: WomeiSession, p: ChangeOrderParams) => {
    checkVoucherCodes(E.changeOrder.path, p.voucherCodes);
    return call({
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
    });
  };

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

    changeOrder: async (s, p) => changeOrder(s, p),
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

    listVouchersByType: (s, p) =>
      call({
        endpoint: E.vouchersByType,
        session: s,
        query: { voucher_type: p.voucherType, schedule_id: p.scheduleId, goods_id: '' },
        data: S.typedVouchersData,
      }),

    listVouchersPage: (s, p) =>
      call({
        endpoint: E.vouchersPage,
        session: s,
        query: { voucher_type: p.voucherType, schedule_id: p.scheduleId, goods_id: '', page_index: String(p.pageIndex) },
        data: S.voucherPageData,
      }),

    addVoucher: async (s, p) => {
      await call({
        endpoint: E.addVoucher,
        session: s,
        form: { voucher_code: p.voucherCode, voucher_password: p.voucherPassword, voucher_type: 'VOUCHER' },
        data: S.ignoredData,
        secrets: [p.voucherPassword],
      });
    },

    listUserOrders: async (s, p) => {
      const page = await call({ endpoint: E.userOrders, session: s, query: { offset: String(p.offset) }, data: S.userOrdersData });
      return { orders: page.orders, nextOffset: page.nextOffset ?? p.offset };
    },

    getOrderSublists: (s, orderId) => call({ endpoint: E.orderSublists, session: s, query: { order_id: orderId }, data: S.orderSublistsData }),

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
      call({ endpoint: E.userInfo, session: s, query: { version: String(Date.now()), fact: 'Y' }, data: S.recordData }),
    getUserCards: (s) => call({ endpoint: E.userCards, session: s, data: S.userCardsData }),
    getVccList: (s, p) =>
      call({ endpoint: E.vccList, session: s, query: { order_id: p.orderId, type: EVGC, card_id: p.cardId ?? '' }, data: S.vccListData }),
    getVccUsableCount: (s, p) =>
      call({
        endpoint: E.vccUsableCount,
        session: s,
        query: { order_id: p.orderId, type: EVGC, card_id: p.cardId ?? '' },
        data: S.vccUsableCountData,
      }),
    listCities: (s) => call({ endpoint: E.cities, session: s, data: S.citiesData }),
    getCinemaInfo: (s) => call({ endpoint: E.cinemaInfo, session: s, data: S.recordData }),
    listMovies: (s) => call({ endpoint: E.movies, session: s, data: S.recordListData }),
    getShows: (s, movieId) => call({ endpoint: E.shows, session: s, query: { movie_id: movieId }, data: S.showsData }),
    getHallInfo: (s, p) =>
      call({ endpoint: E.hallInfo, session: s, query: { hall_id: p.hallId, schedule_id: p.scheduleId }, data: S.recordData }),
    getHallSaleable: (s, scheduleId) =>
      call({ endpoint: E.hallSaleable, session: s, query: { schedule_id: scheduleId }, data: S.recordData }),

    registerOrderTemplates: async (s, p) => {
      checkCommaJoined(E.orderTemplate.path, 'template ids', p.templateIds);
      await call({
        endpoint: E.orderTemplate,
        session: s,
        form: { order_id: p.orderId, template_ids: p.templateIds.join(',') },
        data: S.orderTemplateData,
      });
    },
    checkMemberCard: (s) => call({ endpoint: E.memberCardAutoSolid, session: s, form: PARAMETERLESS_POST_BODY, data: S.memberCardCheckData }),
    checkPhone: (s) => call({ endpoint: E.checkPhone, session: s, form: PARAMETERLESS_POST_BODY, data: S.phoneCheckData }),
    getAds: (s, adType) => call({ endpoint: E.ads, session: s, query: { ad_type: String(adType) }, data: S.adsData }),
    getPublicNotice: (s) => call({ endpoint: E.publicNotice, session: s, data: S.publicNoticeData }),
    listVccActivities: (s) => call({ endpoint: E.vccActivity, session: s, data: S.vccActivityData }),
    getVccActivityGift: (s) => call({ endpoint: E.vccActivityGift, session: s, data: S.vccActivityGiftData }),
    listGoods: (s) => call({ endpoint: E.goodsList, session: s, query: { flag: 'duplicate' }, data: S.goodsListData }),
  };
}

function checkVoucherCodes(endpoint: string, codes: readonly string[]): void {
  checkCommaJoined(endpoint, 'voucher codes', codes, { allowNone: true });
}

/** Comma-joined on the wire: an empty item, a comma or a space inside one would change the request. */
function checkCommaJoined(endpoint: string, what: string, items: readonly string[], opts: { allowNone?: boolean } = {}): void {
  if (!opts.allowNone && items.length === 0) {
    throw new WomeiBadRequest(`${endpoint}: no ${what} given`, { endpoint });
  }
  if (items.some((c) => !S.COMMA_JOINABLE.test(c))) {
    throw new WomeiBadRequest(`${endpoint}: ${what} must be non-empty with no spaces or commas`, { endpoint });
  }
}
