/**
 * Finding the order a create made when its answer was lost: the candidates `user/orders/` lists, each proven on
 * `order/info/`, then claimed. Only an order proven and claimed becomes the checkout's (activities/index.ts).
 */
import { Context, log } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { traitsOf } from '../src/failure-types';
import { beijingMinuteKey } from '../src/womei/order-id';
import { parseSeatLabel, positionsOfAreaSeats, rowColsOfSeatInfo, sameSeats } from '../src/womei/seats';
import type { OrderInfo, WomeiApi, WomeiSession } from '../src/womei/types';
import { isWomeiError } from './failures';
import type { CreateOrderArg } from './index';
import type { OrderClaims } from './order-claims';

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
/**
 * An order is the lost attempt's only when every one of these holds:
 * - `user/orders/` lists it PENDING, created inside the attempts' window (order id prefix `YYMMDDHHmm`, Beijing
 *   time, widened by the skew margin), with exactly the request's seats by row and column;
 * - `order/info/` confirms it PENDING, at this cinema, on this schedule, and its `area_seats` are exactly the
 *   request's seats (area, row, column: src/womei/seats.ts);
 * - its claim is this checkout's (won now, or already ours).
 * An exact seat set has one live holder at most, so at most one order can pass; one that passes all but the
 * claim belongs to another checkout of the same user and is reported, never touched. Pages heartbeat and stop
 * when the activity is cancelled.
 */
export async function searchLostOrder(
  deps: { womei: WomeiApi; claims: OrderClaims; skewMs: number; maxPages: number },
  arg: FindLostOrderArg,
  opened: WomeiSession,
  me: { workflowId: string; runId: string },
): Promise<LostOrderSearch> {
  const { womei, claims, skewMs, maxPages } = deps;
  const { session, scheduleId, seatLabels, sinceMs, untilMs, excludeOrderIds } = arg;
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
  const foreignOrders: LostOrderSearch['foreignOrders'] = [];
  for (const orderId of candidates) {
    ctx.heartbeat({ confirming: orderId });
    let info: OrderInfo;
    try {
      info = await womei.getOrderInfo(opened, orderId);
    } catch (err) {
      // An order of another cinema (or one that vanished) is not ours to adopt.
      if (isWomeiError(err) && traitsOf(err.type).orderGone) continue;
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
}
