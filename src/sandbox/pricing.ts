/**
 * Order arithmetic as captured (docs/womei-api.md §3.7): `ticket_single_price` lists one price per ticket, each
 * VGC_T voucher covers exactly one ticket's price, and
 * `order_payment_price = order_total_price − voucher_use.use_total_price`.
 * Everything is computed in fen and converted once, so 71.8 − 35.9 is 35.9 and not 35.900000000000006.
 */
import { fromFen } from '../womei/money';
import type { Cinema, Order, OrderChoice, Schedule } from './model';
import type { SandboxStore } from './store';

export interface PriceBreakdown {
  /** One price per ticket, in seat order (every seat of a schedule costs the same in the sandbox). */
  ticketFen: number[];
  ticketNum: number;
  totalFen: number;
  /** Codes applied, in the order sent. Empty unless the choice is TP_VOUCHER. */
  codes: string[];
  useDetailFen: number[];
  useTotalFen: number;
  paymentFen: number;
}

/** Codes a choice applies: only a TP_VOUCHER choice applies any (codes sent with another type are ignored). */
export function choiceCodes(choice: OrderChoice | null): string[] {
  return choice?.discountType === 'TP_VOUCHER' ? [...choice.codes] : [];
}

export function computePrice(order: Order, schedule: Schedule, choice: OrderChoice | null): PriceBreakdown {
  const singleFen = choice?.payType === 'MEMBER' ? schedule.memberPriceFen : schedule.priceFen;
  const ticketFen = order.seats.map(() => singleFen);
  const totalFen = ticketFen.reduce((a, b) => a + b, 0);
  const codes = choiceCodes(choice);
  // Each code covers the next ticket's price.
  const useDetailFen = codes.map((_, i) => ticketFen[i] ?? 0);
  const useTotalFen = useDetailFen.reduce((a, b) => a + b, 0);
  return { ticketFen, ticketNum: ticketFen.length, totalFen, codes, useDetailFen, useTotalFen, paymentFen: totalFen - useTotalFen };
}

/**
 * What an order's prices are as `order/info/` and the ledger report them: null until the first `order/change/`
 * (or if its schedule is gone), else the current choice's. A paid order's choice is the one it was paid with:
 * `order/change/` refuses a paid order, and an unpriced order cannot be paid (its full price is not 0).
 */
export function orderPrice(store: SandboxStore, order: Order): PriceBreakdown | null {
  const schedule = store.schedules.get(order.scheduleId);
  return order.priced && schedule ? computePrice(order, schedule, order.choice) : null;
}

/** `voucher_use` of `order/change/`: `{}` when no voucher applies. */
export function changeVoucherUse(p: PriceBreakdown): Record<string, unknown> {
  if (p.codes.length === 0) return {};
  return {
    use_num: p.codes.length,
    use_codes: p.codes,
    use_total_price: fromFen(p.useTotalFen),
    use_detail: p.useDetailFen.map(fromFen),
    extra_price: 0,
    extra_detail: [],
  };
}

/** The full `order/change/` data, every field of §3.7 in the captured order (test/contract/sandbox-fidelity.test.ts compares it with the real bodies). */
export function changePayload(order: Order, cinema: Cinema, p: PriceBreakdown): Record<string, unknown> {
  const total = fromFen(p.totalFen);
  const payment = fromFen(p.paymentFen);
  return {
    order_id: order.orderId,
    order_total_price: total,
    order_unfee_total_price: total,
    order_payment_price: payment,
    order_payment_limit_balance: 0,
    order_payment_after_limit_balance: 0,
    limit_sub_card_pay: true,
    ticket_total_price: total,
    ticket_unfee_total_price: total,
    ticket_bis_fee: fromFen(cinema.bisFeeFen),
    ticket_payment_total_price: payment,
    ticket_total_fee: 0,
    ticket_single_price: p.ticketFen.map(fromFen),
    ticket_single_fee: 0,
    ticket_num: p.ticketNum,
    fee_ticket_num: p.ticketNum,
    limit_card_use: {},
    marketing_use: {},
    voucher_use: changeVoucherUse(p),
    voucher_use_goods: {},
    coupon_use: {},
    rewards_use: {},
    marketing_discounts: [],
    voucher_discounts: p.codes,
    coupon_discounts: [],
    rewards_discounts: { usable_rewards: [], unusable_rewards: [] },
    goods: {},
    order_msg: '',
    evgc_voucher_use: [],
    evgc_limit_use: [],
    ticket_package_goods: [],
    is_match_gift_coupon_activity: false,
  };
}
