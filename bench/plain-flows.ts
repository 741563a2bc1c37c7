/**
 * The two plain-code checkouts the workflow is measured against: no Temporal, no retries, no compensation, over
 * real HTTP through the production request pipeline (`createWomeiHttp`: headers, envelope, error mapping), each
 * call awaited before the next.
 *
 * - A, `replayMiniProgram`: the original mini-program's flow as captured (docs/womei-api.md §2, H1659), 24 of
 *   its 27 calls: everything up to the voucher bind, then `order/info/`; the payment phase (`order/payment/`,
 *   `order/template/`, `order/query/`) left out, as the checkout leaves it to the user. The four GETs the app
 *   fires "at once" after the create are sent together, everything else one after the other, in the captured
 *   order; the two vouchers are pre-checked one per call, as the user ticks them. The calls the checkout never
 *   makes (sub-lists, member price, vcc lists, vouchers by type, ...) are not methods of the Womei client; they go
 *   through the same pipeline with the catalogue's endpoints and a loose reader, since nothing reads them.
 * - B, `neededCalls`: the 7 calls a checkout needs, in sequence, with the production client: create, wallet,
 *   price, one pre-check per voucher, bind, order info.
 *
 * Both end with the same check as the workflow's verification: every code in the bind's `voucher_use`, and the
 * order still PENDING. A failed check throws.
 */
import { changeOrderRequest, createWomeiClient, type WomeiClientConfig } from '../src/womei/client';
import { WOMEI_ENDPOINTS as E, type EndpointDef } from '../src/womei/endpoints';
import { createWomeiHttp } from '../src/womei/http';
import { ignoredData } from '../src/womei/schemas';
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

/** What both flows call through: the production client, and the raw pipeline for the app's other calls. */
export interface PlainWomei {
  api: WomeiApi;
  /** One request to a catalogue endpoint through the production pipeline; the answer is not read. */
  raw(endpoint: EndpointDef, session: WomeiSession, query?: Record<string, string>): Promise<unknown>;
  changeOrder(session: WomeiSession, p: Parameters<typeof changeOrderRequest>[1]): Promise<OrderPrice>;
}

export function plainWomei(config: WomeiClientConfig): PlainWomei {
  const call = createWomeiHttp(config);
  return {
    api: createWomeiClient(config),
    raw: (endpoint, session, query) => call({ endpoint, session, ...(query ? { query } : {}), data: ignoredData }),
    changeOrder: (session, p) => call(changeOrderRequest(session, p)),
  };
}

function verifyBound(bound: OrderPrice, codes: readonly string[], status: string): void {
  const used = bound.voucherUse?.useCodes ?? [];
  const missing = codes.filter((c) => !used.includes(c));
  if (missing.length > 0) throw new Error(`bind answer lacks ${missing.length} of the codes`);
  if (status !== 'PENDING') throw new Error(`order is ${status} after the bind, not PENDING`);
}

/** B: the 7 needed calls, one after the other. */
export async function neededCalls(womei: PlainWomei, c: PlainCheckout): Promise<PlainResult> {
  const { api } = womei;
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
  return { orderId, calls: 5 + c.codes.length };
}

/** A: the mini-program's own sequence (H1659), up to the bind and the order read after it: 24 calls for 2 vouchers. */
export async function replayMiniProgram(womei: PlainWomei, c: PlainCheckout): Promise<PlainResult> {
  const { api, raw } = womei;
  const s = c.session;
  const sid = c.scheduleId;
  let calls = 0;
  const n = <T>(p: Promise<T>) => {
    calls++;
    return p;
  };
  // 1. create
  const { orderId } = await n(api.createOrder(s, { scheduleId: sid, seatLabels: c.seats }));
  // 2. at once: sub-lists, the (unpriced) order, the wallet, the user
  const [, , wallet] = await Promise.all([
    n(raw(E.orderSublists, s, { order_id: orderId })),
    n(api.getOrderInfo(s, orderId)),
    n(api.listVouchers(s)),
    n(api.getUserInfo(s)),
  ]);
  const unused = new Set(wallet.unused.map((v) => v.voucherCode));
  if (c.codes.some((code) => !unused.has(code))) throw new Error('a code is not in the wallet');
  // 3. member cards, then the member price
  const cards = await n(api.getUserCards(s));
  const cardId = cards[0]?.cardId ?? '';
  await n(womei.changeOrder(s, { orderId, discountType: 'MARKETING', payType: 'MEMBER', cardId, voucherCodes: [], voucherCodeType: '' }));
  // 4. what the order could use
  const usable = async (card: string) => {
    await n(raw(E.vccList, s, { order_id: orderId, type: 'EVGC_VOUCHER', card_id: card }));
    await n(raw(E.vccUsableCount, s, { order_id: orderId, type: 'EVGC_VOUCHER', card_id: card }));
    await n(raw(E.vouchersByType, s, { voucher_type: 'VGC_T', schedule_id: sid, goods_id: '' }));
    await n(raw(E.vouchersByType, s, { voucher_type: 'VGC_P', schedule_id: sid, goods_id: '' }));
  };
  await usable(cardId);
  // 5. the user picks WeChat pay: the full price, and the four GETs again
  await n(womei.changeOrder(s, { orderId, discountType: 'MARKETING', payType: 'WECHAT', cardId: '', voucherCodes: [], voucherCodeType: '' }));
  await usable('');
  // 6. the voucher picker opens
  await n(api.listVouchersPage(s, { voucherType: 'VGC_T', scheduleId: sid, pageIndex: 1 }));
  await n(womei.changeOrder(s, { orderId, discountType: '', payType: 'WECHAT', cardId: '', voucherCodes: [], voucherCodeType: '' }));
  // 7. the user ticks each voucher
  for (const voucherCode of c.codes) await n(api.priceVoucher(s, { orderId, voucherCode }));
  // 8. confirm
  await n(api.getUserInfo(s));
  await n(api.getUserCards(s));
  const bound = await n(api.bindVouchers(s, orderId, c.codes));
  // The order as the app reads it afterwards (the capture reads it after paying).
  const info = await n(api.getOrderInfo(s, orderId));
  verifyBound(bound, c.codes, info.status);
  return { orderId, calls };
}
