/**
 * The two plain-code checkouts the workflow is measured against: no Temporal, no retries, no compensation, the
 * production Womei client (`createWomeiClient`) over real HTTP, each call awaited before the next.
 *
 * - A, `replayMiniProgram`: the original mini-program's flow as captured (docs/womei-api.md §2, H1659), 24 of
 *   its 27 calls: everything up to the voucher bind, then `order/info/`; the payment phase (`order/payment/`,
 *   `order/template/`, `order/query/`) left out, as the checkout leaves it to the user. The four GETs the app
 *   fires "at once" after the create are sent together, everything else one after the other, in the captured
 *   order; the two vouchers are pre-checked one per call, as the user ticks them.
 * - B, `neededCalls`: the 7 calls a checkout needs, in sequence: create, wallet, price, one pre-check per
 *   voucher, bind, order info.
 *
 * Both end with the same check as the workflow's verification: every code in the bind's `voucher_use`, and the
 * order still PENDING. A failed check throws.
 */
import type { OrderPrice, WomeiApi, WomeiSession } from '../src/womei/types';

export interface PlainCheckout {
  session: WomeiSession;
  scheduleId: string;
  seats: string[];
  codes: string[];
}

export interface PlainResult {
  orderId: string;
  calls: number;
}

/** Counts the calls a flow makes (the sandbox's request log is the judge; this is the flow's own tally). */
function counted(api: WomeiApi): { api: WomeiApi; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { api: wrapped, calls: () => calls };
}

function verifyBound(bound: OrderPrice, codes: readonly string[], status: string): void {
  const used = bound.voucherUse?.useCodes ?? [];
  const missing = codes.filter((c) => !used.includes(c));
  if (missing.length > 0) throw new Error(`bind answer lacks ${missing.length} of the codes`);
  if (status !== 'PENDING') throw new Error(`order is ${status} after the bind, not PENDING`);
}

/** B: the 7 needed calls, one after the other. */
export async function neededCalls(womei: WomeiApi, c: PlainCheckout): Promise<PlainResult> {
  const { api, calls } = counted(womei);
  const s = c.session;
  const { orderId } = await api.createOrder(s, { scheduleId: c.scheduleId, seatLabels: c.seats });
  const wallet = await api.listVouchers(s);
  const unused = new Set(wallet.unused.map((v) => v.voucherCode));
  if (c.codes.some((code) => !unused.has(code))) throw new Error('a code is not in the wallet');
  await api.priceOrder(s, orderId);
  for (const voucherCode of c.codes) await api.priceVoucher(s, { orderId, voucherCode });
  const bound = await api.bindVouchers(s, orderId, c.codes);
  const info = await api.getOrderInfo(s, orderId);
  verifyBound(bound, c.codes, info.status);
  return { orderId, calls: calls() };
}

/** A: the mini-program's own sequence (H1659), up to the bind and the order read after it: 24 calls for 2 vouchers. */
export async function replayMiniProgram(womei: WomeiApi, c: PlainCheckout): Promise<PlainResult> {
  const { api, calls } = counted(womei);
  const s = c.session;
  const sid = c.scheduleId;
  // 1. create
  const { orderId } = await api.createOrder(s, { scheduleId: sid, seatLabels: c.seats });
  // 2. at once: sub-lists, the (unpriced) order, the wallet, the user
  const [, , wallet] = await Promise.all([
    api.getOrderSublists(s, orderId),
    api.getOrderInfo(s, orderId),
    api.listVouchers(s),
    api.getUserInfo(s),
  ]);
  const unused = new Set(wallet.unused.map((v) => v.voucherCode));
  if (c.codes.some((code) => !unused.has(code))) throw new Error('a code is not in the wallet');
  // 3. member cards, then the member price
  const cards = await api.getUserCards(s);
  const cardId = String(cards.solidCard[0]?.card_id ?? '');
  await api.changeOrder(s, { orderId, discountType: 'MARKETING', payType: 'MEMBER', cardId, voucherCodes: [], voucherCodeType: '' });
  // 4. what the order could use
  const usable = async (card: string) => {
    await api.getVccList(s, { orderId, cardId: card });
    await api.getVccUsableCount(s, { orderId, cardId: card });
    await api.listVouchersByType(s, { voucherType: 'VGC_T', scheduleId: sid });
    await api.listVouchersByType(s, { voucherType: 'VGC_P', scheduleId: sid });
  };
  await usable(cardId);
  // 5. the user picks WeChat pay: the full price, and the four GETs again
  await api.changeOrder(s, { orderId, discountType: 'MARKETING', payType: 'WECHAT', cardId: '', voucherCodes: [], voucherCodeType: '' });
  await usable('');
  // 6. the voucher picker opens
  await api.listVouchersPage(s, { voucherType: 'VGC_T', scheduleId: sid, pageIndex: 1 });
  await api.changeOrder(s, { orderId, discountType: '', payType: 'WECHAT', cardId: '', voucherCodes: [], voucherCodeType: '' });
  // 7. the user ticks each voucher
  for (const voucherCode of c.codes) await api.priceVoucher(s, { orderId, voucherCode });
  // 8. confirm
  await api.getUserInfo(s);
  await api.getUserCards(s);
  const bound = await api.bindVouchers(s, orderId, c.codes);
  // The order as the app reads it afterwards (the capture reads it after paying).
  const info = await api.getOrderInfo(s, orderId);
  verifyBound(bound, c.codes, info.status);
  return { orderId, calls: calls() };
}
