/**
 * The chaos audit: judges a run from the sandbox LEDGER (every order, who changed it and when, what is bound,
 * what was paid) and from each checkout's end as its client saw it, never from what a workflow says alone.
 * Pure: the same inputs always give the same violations. docs/reliability.md explains every rule.
 *
 * Who is who: every checkout runs on its own session (token) of its user, so an order's history names, by
 * token fingerprint, the checkout that created it and every checkout that changed it afterwards.
 */
import type { Ledger, LedgerOrder } from '../src/sandbox/ledger';
import type { OrderEvent } from '../src/sandbox/model';
import { toFen } from '../src/womei/money';
import type { CheckoutResult } from '../workflows/messages';
import type { WorkerExit } from './topology';

export const RULES = {
  'not-terminal': 'every checkout ended (COMPLETED, COMPENSATED, NEEDS_ATTENTION) or waits visibly in NEEDS_ATTENTION',
  'completed-order': 'a COMPLETED result names its own order: live at completion (or issued; or lapsed on its own after the checkout last read it live) holding exactly its vouchers at the promised payment, and untouched afterwards',
  'orphan-hold': 'no order is left held unless it is a COMPLETED result, or its checkout says it left it to lapse (or could not release it)',
  'bound-after-failure': 'no voucher is left bound to an order whose checkout did not complete',
  'two-live-orders': 'no request id had two live orders at once',
  'voucher-consumed-twice': 'no voucher was consumed by two paid orders',
  'unowned-payment': 'every paid order is the ISSUED result of its checkout',
  'foreign-touch': 'no checkout changed an order another checkout created',
  'sandbox-rules': 'the sandbox itself stayed consistent (no double-booked seat, no seat held by a dead order, no internal error)',
  'graceful-shutdown': 'a SIGTERMed worker exited cleanly within its shutdown grace',
} as const;

export type RuleId = keyof typeof RULES;

export interface Violation {
  rule: RuleId;
  requestId?: string;
  orderId?: string;
  detail: string;
}

/** How a checkout ended, as the run's client learned it. */
export type CheckoutEnd =
  /** `endedAt`: epoch ms when the client had the result. */
  | { kind: 'result'; result: CheckoutResult; endedAt: number }
  /** Still running when the run stopped waiting, in this phase (undefined: the status query failed too). */
  | { kind: 'running'; phase?: string }
  /** The client could not learn an end (never started, or ended without an outcome). */
  | { kind: 'error'; message: string };

export interface AuditCheckout {
  requestId: string;
  /** Token fingerprints of every session the checkout was given: the start's and each refreshToken's. */
  sessions: string[];
  /** Epoch ms from which the checkout had no live session left (expired by the run and none handed in). */
  sessionsGoneAt?: number;
  end: CheckoutEnd;
}

export interface AuditInput {
  checkouts: AuditCheckout[];
  ledger: Ledger;
  /** Worker SIGTERMs: how each ended, against the grace the worker was given. */
  shutdowns: { worker: number; exit: WorkerExit; graceMs: number }[];
}

export interface AuditResult {
  violations: Violation[];
  byRule: Record<RuleId, number>;
  /**
   * Orders made by the run's checkouts, those still live at the audit instant, those paid, and the READY_TO_PAY
   * results whose hold lapsed on its own between the checkout's last read and its result.
   */
  orders: { made: number; liveAtEnd: number; paid: number; lapsedAfterLastRead: number };
}

/** A SIGTERMed worker must be gone this long after its grace at the latest (connection close, process exit). */
export const SHUTDOWN_MARGIN_MS = 15_000;

const CHANGES: ReadonlySet<OrderEvent['op']> = new Set(['priced', 'prechecked', 'bound', 'unbound', 'cancelled', 'paid']);
const PRICING: ReadonlySet<OrderEvent['op']> = new Set(['priced', 'bound', 'unbound']);
const ENDS: ReadonlySet<OrderEvent['op']> = new Set(['cancelled', 'expired', 'paid']);

/** What the order was at instant `t` (epoch ms), replayed from its history. */
export function orderAt(order: LedgerOrder, t: number): { exists: boolean; live: boolean; codes: string[]; paymentFen?: number } {
  let exists = false;
  let live = false;
  let codes: string[] = [];
  let paymentFen: number | undefined;
  for (const e of order.history) {
    if (e.at > t) break;
    if (e.op === 'created') {
      exists = true;
      live = true;
    }
    if (ENDS.has(e.op)) live = false;
    if (PRICING.has(e.op)) {
      codes = e.codes;
      paymentFen = e.paymentFen;
    }
  }
  return { exists, live: live && order.expiresAt * 1000 > t, codes, ...(paymentFen !== undefined ? { paymentFen } : {}) };
}

/** When the order stopped holding its seats for an unpaid checkout (cancel, lapse, payment); Infinity if it still does. */
function liveUntil(order: LedgerOrder): number {
  const end = order.history.find((e) => ENDS.has(e.op));
  return end ? end.at : order.live ? Infinity : order.expiresAt * 1000;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

/** The instant the workflow completed: its COMPLETED timeline entry, else when the client had the result. */
function completedAt(end: Extract<CheckoutEnd, { kind: 'result' }>): number {
  const entry = [...end.result.timeline].reverse().find((t) => t.phase === 'COMPLETED');
  return entry ? Date.parse(entry.at) : end.endedAt;
}

/**
 * A live order its checkout owns and left to lapse on purpose: the checkout's result lists it as ABANDONED (a
 * release that could not cancel), or the checkout lost every session before it ended (nothing can cancel it).
 */
function leftToLapse(o: LedgerOrder, creator: AuditCheckout): boolean {
  const end = creator.end;
  if (end.kind !== 'result') return false;
  if (end.result.orders.some((r) => r.orderId === o.orderId && r.state === 'ABANDONED')) return true;
  return creator.sessionsGoneAt !== undefined && creator.sessionsGoneAt <= end.endedAt;
}

function needsAttention(end: CheckoutEnd): boolean {
  return (end.kind === 'result' && end.result.outcome === 'NEEDS_ATTENTION') || (end.kind === 'running' && end.phase === 'NEEDS_ATTENTION');
}

export function audit(input: AuditInput): AuditResult {
  const { ledger } = input;
  const violations: Violation[] = [];
  const add = (v: Violation) => violations.push(v);

  const owner = new Map<string, AuditCheckout>();
  for (const c of input.checkouts) for (const s of c.sessions) owner.set(s, c);
  const byRequest = new Map(input.checkouts.map((c) => [c.requestId, c]));
  const creatorOf = (o: LedgerOrder) => {
    const created = o.history[0];
    return created?.op === 'created' && created.by !== null ? owner.get(created.by) : undefined;
  };
  // Orders made during the run: every order with a recorded creation (the fixture's past orders have none).
  const made = ledger.orders.filter((o) => o.history[0]?.op === 'created');
  const ordersById = new Map(ledger.orders.map((o) => [o.orderId, o]));
  const completedOwner = new Map<string, AuditCheckout[]>();
  for (const c of input.checkouts) {
    if (c.end.kind === 'result' && c.end.result.outcome === 'COMPLETED' && c.end.result.orderId) {
      completedOwner.set(c.end.result.orderId, [...(completedOwner.get(c.end.result.orderId) ?? []), c]);
    }
  }
  /** The order is the COMPLETED result of the checkout that created it. */
  const isCompletedResultOf = (o: LedgerOrder, c: AuditCheckout | undefined, state: 'READY_TO_PAY' | 'ISSUED') =>
    c !== undefined && c.end.kind === 'result' && c.end.result.outcome === 'COMPLETED' && c.end.result.orderId === o.orderId && c.end.result.state === state;

  // not-terminal
  for (const c of input.checkouts) {
    if (c.end.kind === 'result' || needsAttention(c.end)) continue;
    add({
      rule: 'not-terminal',
      requestId: c.requestId,
      detail: c.end.kind === 'running' ? `still running in phase ${c.end.phase ?? 'unknown'}` : `no outcome: ${c.end.message}`,
    });
  }

  // completed-order
  let lapsedAfterLastRead = 0;
  for (const c of input.checkouts) {
    const end = c.end;
    if (end.kind !== 'result' || end.result.outcome !== 'COMPLETED') continue;
    const r = end.result;
    const say = (detail: string) => add({ rule: 'completed-order', requestId: c.requestId, ...(r.orderId ? { orderId: r.orderId } : {}), detail });
    const order = r.orderId ? ordersById.get(r.orderId) : undefined;
    if (!r.orderId || !order) {
      say(`COMPLETED names ${r.orderId ? `order ${r.orderId}, which the ledger does not know` : 'no order'}`);
      continue;
    }
    const creator = creatorOf(order);
    if (creator !== c) say(`COMPLETED names an order created by ${creator ? creator.requestId : 'no checkout of this run'}`);
    const claims = completedOwner.get(order.orderId) ?? [];
    if (claims.length > 1) say(`order also named COMPLETED by ${claims.filter((x) => x !== c).map((x) => x.requestId).join(', ')}`);
    const t = completedAt(end);
    if (r.state === 'ISSUED') {
      const paid = order.history.find((e) => e.op === 'paid');
      if (order.status !== 'SUCCESS') say(`ISSUED but the order is ${order.status}`);
      if (!paid || !sameSet(paid.codes, r.vouchers)) say(`ISSUED with vouchers [${r.vouchers.join(',')}] but the payment consumed [${paid?.codes.join(',') ?? 'nothing'}]`);
      if (!(r.ticketCodes ?? []).some((tc) => tc.code === order.ticketCode)) say(`ISSUED ticket codes do not include the order's ${order.ticketCode}`);
      continue;
    }
    const at = orderAt(order, t);
    if (!at.live) {
      // Womei shows no hold end, so a checkout cannot see a hold run out after its last look: a hold that lapsed
      // on its own after the checkout last read the order live is counted, not a violation.
      const lastRead = [...order.history].reverse().find((e) => e.op === 'read' && e.at <= t && c.sessions.includes(e.by ?? ''));
      const killedBy = order.history.find((e) => (e.op === 'cancelled' || e.op === 'paid') && e.at <= t);
      if (!killedBy && lastRead && orderAt(order, lastRead.at).live) lapsedAfterLastRead++;
      else say(`READY_TO_PAY at ${new Date(t).toISOString()} but the order was not live then (${order.status}${order.cancelReason ? `/${order.cancelReason}` : ''})${lastRead ? '' : ' and the checkout never read it'}`);
    }
    if (!sameSet(at.codes, r.vouchers)) say(`result vouchers [${r.vouchers.join(',')}] but the order held [${at.codes.join(',')}] at completion`);
    const promised = r.prices ? toFen(r.prices.payment) : undefined;
    if (promised === undefined || at.paymentFen !== promised) say(`promised payment ${promised ?? '?'} fen but the order asked ${at.paymentFen ?? '?'} fen at completion`);
    const later = order.history.filter((e) => e.at > t && CHANGES.has(e.op));
    if (later.length > 0) say(`changed after completion: ${later.map((e) => `${e.op} by ${owner.get(e.by ?? '')?.requestId ?? e.by ?? 'sandbox'}`).join(', ')}`);
  }

  // orphan-hold and bound-after-failure
  for (const o of made) {
    const creator = creatorOf(o);
    const ownedAsResult = isCompletedResultOf(o, creator, 'READY_TO_PAY') || isCompletedResultOf(o, creator, 'ISSUED');
    if (ownedAsResult || (creator && needsAttention(creator.end))) continue;
    const who = creator ? `${creator.requestId} (${endText(creator.end)})` : 'no checkout of this run';
    const cancelled = o.status === 'CANCEL' && o.cancelReason === 'cancelled';
    if (o.boundCodes.length > 0 && (o.live || cancelled)) {
      add({ rule: 'bound-after-failure', requestId: creator?.requestId, orderId: o.orderId, detail: `[${o.boundCodes.join(',')}] still bound to the ${o.live ? 'live' : 'cancelled'} order of ${who}` });
    }
    if (o.live && o.boundCodes.length === 0 && creator && leftToLapse(o, creator)) continue;
    if (o.live) add({ rule: 'orphan-hold', requestId: creator?.requestId, orderId: o.orderId, detail: `order still held at the end; made by ${who}` });
  }

  // two-live-orders
  const madeBy = new Map<AuditCheckout, LedgerOrder[]>();
  for (const o of made) {
    const creator = creatorOf(o);
    if (creator) madeBy.set(creator, [...(madeBy.get(creator) ?? []), o]);
  }
  for (const [c, orders] of madeBy) {
    for (let i = 0; i < orders.length; i++) {
      for (let j = i + 1; j < orders.length; j++) {
        const a = orders[i]!;
        const b = orders[j]!;
        const from = Math.max(a.history[0]!.at, b.history[0]!.at);
        const until = Math.min(liveUntil(a), liveUntil(b));
        if (from < until) {
          add({ rule: 'two-live-orders', requestId: c.requestId, orderId: `${a.orderId}+${b.orderId}`, detail: `both live for ${until === Infinity ? 'the rest of the run' : `${until - from} ms`}` });
        }
      }
    }
  }

  // voucher-consumed-twice and unowned-payment
  for (const v of ledger.invariants.vouchersConsumedTwice) {
    add({ rule: 'voucher-consumed-twice', orderId: v.orderIds.join('+'), detail: `voucher ${v.code} consumed by ${v.orderIds.length} orders` });
  }
  for (const o of made) {
    if (!o.history.some((e) => e.op === 'paid')) continue;
    const creator = creatorOf(o);
    if (isCompletedResultOf(o, creator, 'ISSUED') || (creator && needsAttention(creator.end))) continue;
    add({ rule: 'unowned-payment', requestId: creator?.requestId, orderId: o.orderId, detail: `paid [${o.history.find((e) => e.op === 'paid')!.codes.join(',')}], but ${creator ? `its checkout ended ${endText(creator.end)}` : 'no checkout of this run made it'}` });
  }

  // foreign-touch
  for (const o of made) {
    const creator = creatorOf(o);
    const touchers = new Map<string, string[]>();
    for (const e of o.history) {
      if (!CHANGES.has(e.op) || e.by === null) continue;
      const who = owner.get(e.by);
      if (who === creator && who !== undefined) continue;
      const name = who?.requestId ?? `unknown session ${e.by}`;
      touchers.set(name, [...(touchers.get(name) ?? []), e.op]);
    }
    for (const [name, ops] of touchers) {
      add({ rule: 'foreign-touch', requestId: byRequest.has(name) ? name : undefined, orderId: o.orderId, detail: `${name} did ${ops.join(', ')} on the order of ${creator?.requestId ?? 'no checkout of this run'}` });
    }
  }

  // sandbox-rules
  const inv = ledger.invariants;
  for (const s of inv.doubleBookedSeats) add({ rule: 'sandbox-rules', orderId: s.orderIds.join('+'), detail: `seat ${s.seatNo} of schedule ${s.scheduleId} double-booked` });
  for (const s of inv.seatsHeldByDeadOrders) add({ rule: 'sandbox-rules', orderId: s.orderId, detail: `seat ${s.seatNo} of schedule ${s.scheduleId} held by a dead order` });
  if (ledger.requests.internalErrors > 0) add({ rule: 'sandbox-rules', detail: `${ledger.requests.internalErrors} internal error(s) in the sandbox` });

  // graceful-shutdown
  for (const s of input.shutdowns) {
    if (s.exit.code !== 0 || s.exit.ms > s.graceMs + SHUTDOWN_MARGIN_MS) {
      add({ rule: 'graceful-shutdown', detail: `worker ${s.worker + 1} after SIGTERM: exit code ${s.exit.code}, signal ${s.exit.signal}, ${s.exit.ms} ms (grace ${s.graceMs} ms)` });
    }
  }

  const byRule = Object.fromEntries(Object.keys(RULES).map((k) => [k, 0])) as Record<RuleId, number>;
  for (const v of violations) byRule[v.rule]++;
  return {
    violations,
    byRule,
    orders: {
      made: made.length,
      liveAtEnd: made.filter((o) => o.live).length,
      paid: made.filter((o) => o.history.some((e) => e.op === 'paid')).length,
      lapsedAfterLastRead,
    },
  };
}

export function endText(end: CheckoutEnd): string {
  if (end.kind === 'result') return `${end.result.outcome}${end.result.reason ? ` (${end.result.reason.type})` : end.result.state ? ` (${end.result.state})` : ''}`;
  if (end.kind === 'running') return `RUNNING in ${end.phase ?? 'an unknown phase'}`;
  return `without an outcome (${end.message})`;
}
