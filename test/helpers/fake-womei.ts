/**
 * A hand-written fake of the Womei client contract (`WomeiApi`) for activity unit tests: canned answers per
 * call, scripted failures, and a record of every call (with the session, so tests can check what was sent).
 * Temporal is never faked; only Womei is, and only in unit tests.
 */
import type { OrderInfo, OrderPrice, UserOrdersPage, VoucherWallet, WomeiApi, WomeiSession } from '../../src/womei/types';

export interface FakeCall {
  method: string;
  session: WomeiSession;
  args: unknown[];
}

type Answers = {
  [K in keyof WomeiApi]?: WomeiApi[K] extends (...a: infer A) => Promise<infer R> ? R | Error | ((...a: A) => R | Promise<R>) : never;
};

export function orderPrice(overrides: Partial<OrderPrice> = {}): OrderPrice {
  return {
    orderId: '250624153810000654',
    orderTotalPrice: 98,
    orderPaymentPrice: 98,
    ticketTotalPrice: 98,
    ticketPaymentTotalPrice: 98,
    ticketPrices: [49, 49],
    ticketNum: 2,
    voucherUse: null,
    voucherDiscounts: [],
    ...overrides,
  };
}

export function orderInfo(overrides: Partial<OrderInfo> = {}): OrderInfo {
  return {
    orderId: '250624153810000654',
    status: 'PENDING',
    statusDesc: '未支付',
    cinemaId: '9647',
    orderTotalPrice: 0,
    orderPaymentPrice: 0,
    ticketTotalPrice: 0,
    ticketCode: '',
    ticketCodes: [],
    voucherUse: null,
    ticketItems: {
      ticketNum: 2,
      scheduleId: 16701886,
      seatInfo: '7排5座 | 7排4座',
      hallName: '8号厅',
      areaSeats: [
        { areaId: '10013', seat: '7排5座' },
        { areaId: '10013', seat: '7排4座' },
      ],
    },
    payTime: '2025-06-24 15:38',
    movieName: '碟中谍8：最终清算',
    showDate: '2025-06-24 16:25',
    ...overrides,
  };
}

export const EMPTY_WALLET: VoucherWallet = { unused: [], used: [], disabled: [] };
export const NO_ORDERS: UserOrdersPage = { orders: [], nextOffset: 0 };

export class FakeWomei {
  readonly calls: FakeCall[] = [];
  constructor(
    private readonly answers: Answers = {},
    readonly canCancelOrders = true,
  ) {}

  private answer<T>(method: keyof WomeiApi, session: WomeiSession, args: unknown[]): Promise<T> {
    this.calls.push({ method, session, args });
    const a = this.answers[method] as unknown;
    if (a === undefined) return Promise.reject(new Error(`FakeWomei: no answer for ${method}`));
    if (a instanceof Error) return Promise.reject(a);
    if (typeof a === 'function') return Promise.resolve().then(() => (a as (...x: unknown[]) => T)(...args));
    return Promise.resolve(a as T);
  }

  api(): WomeiApi {
    const call =
      (method: keyof WomeiApi) =>
      (s: WomeiSession, ...args: unknown[]) =>
        this.answer(method, s, args);
    const api: Record<string, unknown> = { canCancelOrders: this.canCancelOrders };
    const methods: (keyof WomeiApi)[] = [
      'createOrder', 'getOrderInfo', 'priceOrder', 'bindVouchers', 'unbindVouchers', 'priceVoucher', 'listVouchers',
      'listVouchersPage', 'listUserOrders', 'payOrder', 'queryPayment', 'cancelOrder', 'getUserInfo', 'getUserCards',
      'getHallInfo',
    ];
    for (const m of methods) api[m] = call(m);
    return api as unknown as WomeiApi;
  }
}
