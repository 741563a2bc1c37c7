/** What every route handler gets, and the helpers that turn bad input into Womei's `参数错误`. */
import { z } from 'zod';
import type { WomeiErrorKey } from '../../womei/catalogue';
import type { EndpointDef } from '../../womei/endpoints';
import type { Cinema, Hall, Order, Schedule, User } from '../model';
import type { SandboxStore } from '../store';
import { fail, type Reply } from '../wire';

export interface RouteCtx {
  store: SandboxStore;
  /** Query-string parameters (GET) — the `?version=` of `order/change/` too. */
  query: Record<string, string>;
  /** Form body fields (POST). */
  form: Record<string, string>;
  /** The cinema of a cinema-scoped path; checked to exist before the handler runs. */
  cinema: Cinema | null;
  /** Present on every authenticated route. */
  user: User;
  /** Fingerprint of the request's token (never the token), for the order history; null without one. */
  session: string | null;
}

/**
 * A served route: the client's own endpoint definition (method, scope, path exactly as on the wire) and what
 * answers it. `endpoint.path` is also the endpoint name in logs and fault rules.
 */
export interface RouteDef {
  endpoint: EndpointDef;
  handler: (ctx: RouteCtx) => Reply;
}

/** Thrown by helpers to stop a handler with a Womei error; the router turns it into the reply. */
export class WomeiReject extends Error {
  constructor(readonly key: WomeiErrorKey) {
    super(key);
  }
  reply(): Reply {
    return fail(this.key);
  }
}

export const reject = (key: WomeiErrorKey): never => {
  throw new WomeiReject(key);
};

/** Missing or malformed parameters are `badParameter` (sub 1000), never a 500 and never a state change. */
export function parseFields<S extends z.ZodType>(schema: S, fields: Record<string, string>): z.output<S> {
  const result = schema.safeParse(fields);
  if (!result.success) return reject('badParameter');
  return result.data;
}

export const digits = z.string().regex(/^\d{1,20}$/);
export const orderIdField = digits;

export function cinemaOf(ctx: RouteCtx): Cinema {
  return ctx.cinema ?? reject('badParameter');
}

/** The schedule `raw` names, if it plays at the path's cinema, and its hall; anything else is `badParameter`. */
export function scheduleAtCinema(ctx: RouteCtx, raw: string | number): { schedule: Schedule; hall: Hall } {
  const schedule = ctx.store.schedules.get(Number(raw));
  if (!schedule || schedule.cinemaId !== cinemaOf(ctx).cinemaId) return reject('badParameter');
  const hall = ctx.store.hallOf(schedule) ?? reject('badParameter');
  return { schedule, hall };
}

/**
 * ASSUMPTION: an order id that does not exist, belongs to another user, or was made at another cinema all
 * answer `orderNotFound` (the real behaviour is not captured).
 */
export function orderOf(ctx: RouteCtx, orderId: string): Order {
  return ctx.store.findOrder(ctx.user, orderId, ctx.cinema?.cinemaId) ?? reject('orderNotFound');
}

/**
 * The order must still be an unpaid, live checkout. ASSUMPTION: a lapsed or cancelled order answers
 * `orderExpired`; a paid one answers `badParameter` (nothing about it may change any more).
 */
export function requirePending(order: Order): void {
  if (order.status === 'CANCEL') reject('orderExpired');
  if (order.status !== 'PENDING') reject('badParameter');
}

/** `a,b,c` → codes; empty items are ignored, duplicates are a malformed request. */
export function splitCodes(raw: string): string[] {
  const codes = raw
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (new Set(codes).size !== codes.length) reject('badParameter');
  return codes;
}
