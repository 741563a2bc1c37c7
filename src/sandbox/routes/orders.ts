/** Order routes: create (locks seats), info, change (price/bind), voucher pre-check, pay, query, cancel. */
import { z } from 'zod';
import { cancelEndpoint, WOMEI_ENDPOINTS as E } from '../../womei/endpoints';
import type { Order, OrderChoice, Seat } from '../model';
import { changePayload, computePrice } from '../pricing';
import { orderInfoView } from '../views';
import { ok } from '../wire';
import { cinemaOf, digits, orderIdField, orderOf, parseFields, reject, requirePending, scheduleAtCinema, splitCodes, type RouteCtx, type RouteDef } from './common';

/** ASSUMPTION: the mini-program caps a purchase at a few seats; the server's limit is unknown. */
export const MAX_SEATS_PER_ORDER = 6;

const SEAT_LABEL = /^(\d+):(\d+):(\d+):([^:|\s]+)$/;

function parseSeats(ctx: RouteCtx, raw: string, scheduleId: number): Seat[] {
  const { hall } = scheduleAtCinema(ctx, scheduleId);
  const parts = raw.split('|');
  if (parts.length === 0 || parts.length > MAX_SEATS_PER_ORDER) reject('badParameter');
  const seats = parts.map((part) => {
    const m = SEAT_LABEL.exec(part) ?? reject('badParameter');
    const [, areaNo, row, col, seatNo] = m;
    const seat = hall.areas
      .find((a) => a.areaNo === areaNo)
      ?.seats.find((s) => s.row === row && s.col === col && s.seatNo === seatNo);
    return seat ?? reject('badParameter');
  });
  if (new Set(seats.map((s) => s.seatNo)).size !== seats.length) reject('badParameter');
  return seats;
}

function createOrder(ctx: RouteCtx) {
  const p = parseFields(z.object({ seatlable: z.string().min(1), schedule_id: digits }), ctx.form);
  const scheduleId = Number(p.schedule_id);
  const seats = parseSeats(ctx, p.seatlable, scheduleId);
  const { store } = ctx;
  // ASSUMPTION: a seat locked by any live order (the caller's own included) or sold answers `seatLockFailed`.
  if (seats.some((s) => store.seatHolder(scheduleId, s) !== null)) reject('seatLockFailed');
  const now = store.now();
  const order: Order = {
    orderId: store.nextOrderId(now),
    userId: ctx.user.userId,
    cinemaId: cinemaOf(ctx).cinemaId,
    scheduleId,
    seats,
    createdAt: now,
    expiresAt: now + store.config.holdSeconds,
    status: 'PENDING',
    cancelReason: null,
    priced: false,
    choice: null,
    paidAt: null,
    issuedAt: null,
    ticketCode: '',
    verifyCode: '',
    paidCodes: [],
    codesEverBound: [],
  };
  store.orders.set(order.orderId, order);
  store.holdSeats(order);
  return ok({ order_id: order.orderId, server_time: now });
}

function orderInfo(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField }), ctx.query);
  return ok(orderInfoView(ctx.store, orderOf(ctx, p.order_id)));
}

const changeSchema = z.object({
  order_id: orderIdField,
  pay_type: z.enum(['WECHAT', 'MEMBER']),
  discount_type: z.enum(['', 'MARKETING', 'TP_VOUCHER']).default(''),
  card_id: z.string().regex(/^\d*$/).default(''),
  voucher_code: z.string().default(''),
  voucher_code_type: z.enum(['', 'VGC_T', 'VGC_P']).default(''),
});

/**
 * Replace semantics: each call recomputes the whole order from the fields sent (empty codes = unbound).
 * Binding validates but does not reserve: the same code may sit on two unpaid orders; only payment consumes.
 */
function changeOrder(ctx: RouteCtx) {
  const p = parseFields(changeSchema, ctx.form);
  const { store, user } = ctx;
  const order = orderOf(ctx, p.order_id);
  requirePending(order);
  if (p.pay_type === 'MEMBER' && (user.card === null || p.card_id !== String(user.card.cardId))) reject('badParameter');
  let codes: string[] = [];
  if (p.discount_type === 'TP_VOUCHER') {
    codes = splitCodes(p.voucher_code);
    // Captured: binding on an order never priced answers 4004 验券异常. ASSUMPTION: so does a bind sent
    // without `?version=tp_version`, the other cause the author suspected (docs/womei-api.md §4).
    if (!order.priced || ctx.query.version !== 'tp_version') reject('voucherCheckFailed');
    if (codes.length === 0 || p.voucher_code_type !== 'VGC_T') reject('badParameter');
    // ASSUMPTION: more codes than tickets is refused before any validation is spent.
    if (codes.length > order.seats.length) reject('tooManyVouchers');
    // ASSUMPTION: a bind validates each code with the cinema system, one quota unit per code (configurable).
    if (store.config.quotaCountsBind && !store.spendQuota(user.userId, codes.length)) reject('voucherQuotaExceeded');
    for (const code of codes) {
      const problem = store.voucherProblem(user, code);
      if (problem) reject(problem);
    }
  }
  // ASSUMPTION: codes sent with MARKETING or an empty discount type are ignored, not an error.
  const choice: OrderChoice = { payType: p.pay_type, discountType: p.discount_type, cardId: p.card_id, codes };
  order.choice = choice;
  order.priced = true;
  for (const code of codes) if (!order.codesEverBound.includes(code)) order.codesEverBound.push(code);
  const schedule = store.schedules.get(order.scheduleId) ?? reject('badParameter');
  return ok(changePayload(order, cinemaOf(ctx), computePrice(order, schedule, choice)));
}

/**
 * One code per call in the real app. ASSUMPTION: comma-joined codes are accepted (the author's client sent
 * them) and each one spends a quota unit; the answer is always 0/0/"" as captured.
 */
function voucherPrice(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField, voucher_code: z.string().min(1) }), ctx.form);
  const { store, user } = ctx;
  const order = orderOf(ctx, p.order_id);
  requirePending(order);
  if (!order.priced) reject('badParameter');
  const codes = splitCodes(p.voucher_code);
  if (codes.length === 0) reject('badParameter');
  if (!store.spendQuota(user.userId, codes.length)) reject('voucherQuotaExceeded');
  for (const code of codes) {
    const problem = store.voucherProblem(user, code);
    if (problem) reject(problem);
  }
  return ok({ surcharge_price: 0, pay_price: 0, surcharge_msg: '' });
}

const paymentData = (order: Order) => ({ order_id: order.orderId, pay_type: 'WECHAT', total_fee: 0, total_price: 0, wechat_pay_certificate: [] });

function payment(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField, pay_type: z.literal('WECHAT').default('WECHAT'), mobile: z.string().optional() }), ctx.form);
  const { store, user } = ctx;
  const order = orderOf(ctx, p.order_id);
  // ASSUMPTION: paying an already paid order repeats the first answer, so a retry after a lost response is safe.
  if (order.status === 'PROCESSING' || order.status === 'SUCCESS') return ok(paymentData(order));
  requirePending(order);
  const schedule = store.schedules.get(order.scheduleId) ?? reject('badParameter');
  // An order never priced costs its full price; only a voucher-covered order is free.
  const price = computePrice(order, schedule, order.priced ? order.choice : null);
  // ASSUMPTION: a non-zero order cannot be paid here (no WeChat payment in the sandbox).
  if (price.paymentFen > 0) reject('paymentRequired');
  // The codes may have been consumed by another order since they were bound here (binding never reserves).
  for (const code of price.codes) {
    const problem = store.voucherProblem(user, code);
    if (problem) reject(problem);
  }
  const now = store.now();
  for (const code of price.codes) {
    const v = store.vouchers.get(code);
    if (v) {
      v.state = 'used';
      v.consumedBy = order.orderId;
      v.useTime = now;
    }
  }
  const serial = order.orderId.slice(-5);
  order.status = 'PROCESSING';
  order.paidAt = now;
  order.paidCodes = price.codes;
  order.ticketCode = `1301${serial}`;
  order.verifyCode = `12${serial}`;
  return ok(paymentData(order));
}

function query(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField }), ctx.form);
  const order = orderOf(ctx, p.order_id);
  // ASSUMPTION: an unpaid or dead order reports its own status (PENDING / CANCEL); only paid ones were captured.
  return ok({ order_id: order.orderId, status: order.status, msg: '', msg_desc: '' });
}

function template(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField, template_ids: z.string().optional() }), ctx.form);
  orderOf(ctx, p.order_id);
  return ok([]);
}

function vccQuery(ctx: RouteCtx): string {
  const p = parseFields(z.object({ order_id: orderIdField, type: z.string().optional(), card_id: z.string().optional() }), ctx.query);
  return orderOf(ctx, p.order_id).orderId;
}

/**
 * ASSUMPTION: the real API shows no cancel route (docs/womei-api.md §3.1). This one releases the seats at once and
 * is idempotent on an already dead order; a paid order cannot be cancelled (`badParameter`).
 */
function cancel(ctx: RouteCtx) {
  const p = parseFields(z.object({ order_id: orderIdField }), ctx.form);
  const order = orderOf(ctx, p.order_id);
  if (order.status === 'PROCESSING' || order.status === 'SUCCESS') reject('badParameter');
  ctx.store.cancelOrder(order, 'cancelled');
  return ok({ order_id: order.orderId, status: order.status });
}

/** Served only when `cancelRoute` is on; a client reaches it with `WOMEI_CANCEL_PATH=order/cancel/`. */
export const CANCEL_ROUTE: RouteDef = { endpoint: cancelEndpoint('order/cancel/'), handler: cancel };

export const ORDER_ROUTES: RouteDef[] = [
  { endpoint: E.createOrder, handler: createOrder },
  { endpoint: E.orderInfo, handler: orderInfo },
  { endpoint: E.changeOrder, handler: changeOrder },
  { endpoint: E.voucherPrice, handler: voucherPrice },
  { endpoint: E.payment, handler: payment },
  { endpoint: E.paymentQuery, handler: query },
  { endpoint: E.orderTemplate, handler: template },
  { endpoint: E.vccList, handler: (ctx) => ok({ order_id: vccQuery(ctx), usable: [], disable: [] }) },
  { endpoint: E.vccUsableCount, handler: (ctx) => ok({ order_id: vccQuery(ctx), count: 0 }) },
  {
    endpoint: E.orderSublists,
    handler: (ctx) => {
      parseFields(z.object({ order_id: orderIdField }), ctx.query);
      return ok([]);
    },
  },
];
