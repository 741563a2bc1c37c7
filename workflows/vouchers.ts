/**
 * Pure voucher decisions of the checkout: which wallet vouchers to use, and whether a bind answer proves the
 * binding. Money is compared in integer fen (src/womei/money.ts), never as yuan floats.
 */
import { toFen } from '../src/womei/money';
import type { OrderInfo, OrderPrice, VoucherUse, VoucherWallet, WalletVoucher } from '../src/womei/types';
import type { VoucherSpec } from './input';
import type { PricesYuan } from './messages';

/** A voucher must stay valid at least this long past "now" to be chosen by the `best` policy. */
export const EXPIRY_MARGIN_MS = 60_000;

/** `GZJY01002948425042` → `GZJY…5042`: enough for a person, not a usable code. */
export function maskCode(code: string): string {
  return code.length <= 8 ? `${code.slice(0, 2)}…` : `${code.slice(0, 4)}…${code.slice(-4)}`;
}

export type WalletProblem = { code: string; problem: 'used' | 'disabled' | 'expired' | 'not in the wallet' };

/** Explicit codes: each must be unused and unexpired in the wallet. Returns the problems (empty = fine). */
export function checkExplicitCodes(codes: readonly string[], wallet: VoucherWallet, nowMs: number): WalletProblem[] {
  const problems: WalletProblem[] = [];
  for (const code of codes) {
    const unused = wallet.unused.find((v) => v.voucherCode === code);
    if (unused) {
      if (unused.expireTime * 1000 <= nowMs) problems.push({ code, problem: 'expired' });
      continue;
    }
    if (wallet.used.some((v) => v.voucherCode === code)) problems.push({ code, problem: 'used' });
    else if (wallet.disabled.some((v) => v.voucherCode === code)) problems.push({ code, problem: 'disabled' });
    else problems.push({ code, problem: 'not in the wallet' });
  }
  return problems;
}

/**
 * `best` policy candidates: unused, valid past now + margin, soonest-expiring first (use what would be lost
 * first), ties by code so the choice is deterministic. The caller takes as many as it needs.
 */
export function bestCandidates(wallet: VoucherWallet, nowMs: number): string[] {
  const usable = wallet.unused.filter((v: WalletVoucher) => v.expireTime * 1000 > nowMs + EXPIRY_MARGIN_MS && v.voucherNum > 0);
  usable.sort((a, b) => a.expireTime - b.expireTime || (a.voucherCode < b.voucherCode ? -1 : a.voucherCode > b.voucherCode ? 1 : 0));
  return usable.map((v) => v.voucherCode);
}

/** How many vouchers a spec wants on an order of `seatCount` tickets (at most one per ticket). */
export function wantedCount(spec: VoucherSpec, seatCount: number): number {
  if ('codes' in spec) return Math.min(spec.codes.length, seatCount);
  return Math.min(spec.max ?? seatCount, seatCount);
}

/**
 * Does an order's voucher use prove the binding of exactly `codes`? `use_codes` lists every code (and no
 * other), `use_num` matches, and payment = total − voucher total (+ extra) in fen. Returns the mismatches.
 * Used on the bind answer (with `voucher_discounts`) and on order/info (which has no voucher_discounts).
 */
export function verifyVoucherUse(
  p: { total: number; payment: number; use: VoucherUse | null; discounts?: readonly string[] },
  codes: readonly string[],
): string[] {
  const problems: string[] = [];
  const use = p.use;
  if (!use) return ['voucher_use is empty: no voucher applied'];
  const missingUse = codes.filter((c) => !use.useCodes.includes(c));
  if (missingUse.length > 0) problems.push(`voucher_use.use_codes lacks ${missingUse.map(maskCode).join(', ')}`);
  if (p.discounts !== undefined) {
    const missingDiscount = codes.filter((c) => !p.discounts!.includes(c));
    if (missingDiscount.length > 0) problems.push(`voucher_discounts lacks ${missingDiscount.map(maskCode).join(', ')}`);
  }
  const extra = use.useCodes.filter((c) => !codes.includes(c));
  if (extra.length > 0) problems.push(`voucher_use.use_codes has ${extra.length} unexpected code(s)`);
  if (use.useNum !== codes.length) problems.push(`use_num is ${use.useNum}, expected ${codes.length}`);
  const expectedPayment = toFen(p.total) - toFen(use.useTotalPrice) + toFen(use.extraPrice);
  if (toFen(p.payment) !== expectedPayment) {
    problems.push(`order_payment_price ${p.payment} ≠ order_total_price ${p.total} − use_total_price ${use.useTotalPrice}`);
  }
  if (toFen(use.useTotalPrice) <= 0) problems.push('use_total_price is not positive');
  return problems;
}

/** Does a bind answer (`order/change/` TP_VOUCHER) prove the binding? Returns the mismatches. */
export function verifyBinding(price: OrderPrice, codes: readonly string[]): string[] {
  return verifyVoucherUse(
    { total: price.orderTotalPrice, payment: price.orderPaymentPrice, use: price.voucherUse, discounts: price.voucherDiscounts },
    codes,
  );
}

/**
 * An `OrderPrice` as activity results carry it. Histories recorded before per-ticket prices hold
 * `ticketSinglePrice` (one number) instead of `ticketPrices`; replaying them must still work.
 */
export type RecordedOrderPrice = OrderPrice | (Omit<OrderPrice, 'ticketPrices'> & { ticketSinglePrice: number });

function ticketPricesOf(p: RecordedOrderPrice): number[] {
  if ('ticketPrices' in p && Array.isArray(p.ticketPrices)) return [...p.ticketPrices];
  if ('ticketSinglePrice' in p && typeof p.ticketSinglePrice === 'number') return Array.from({ length: p.ticketNum }, () => p.ticketSinglePrice);
  return [];
}

/** The prices status and result show, from a price answer (pricing, or a bind that applied vouchers). */
export function pricesOf(p: RecordedOrderPrice): PricesYuan {
  return {
    total: p.orderTotalPrice,
    payment: p.orderPaymentPrice,
    vouchers: p.voucherUse?.useTotalPrice ?? 0,
    ticketPrices: ticketPricesOf(p),
    ticketNum: p.ticketNum,
  };
}

/** The same from order/info, which has no per-ticket prices: `ticketPrices` come from the order's pricing. */
export function pricesOfInfo(info: OrderInfo, ticketPrices: readonly number[]): PricesYuan {
  return {
    total: info.orderTotalPrice,
    payment: info.orderPaymentPrice,
    vouchers: info.voucherUse?.useTotalPrice ?? 0,
    ticketPrices: [...ticketPrices],
    ticketNum: info.ticketItems.ticketNum,
  };
}
