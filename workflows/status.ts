/**
 * What a checkout shows the world: its phase, its timeline of notes and the facts a status query returns. The
 * steps write the facts directly; the methods are for what does more than assign (a milestone phase reaches the
 * search attribute, a note is redacted and logged, an order's adoption names it in the search attribute).
 */
import * as wf from '@temporalio/workflow';
import { redactText } from '../src/redact';
import type { CheckoutInput } from './input';
import type {
  CheckoutErrorInfo,
  CheckoutOutcome,
  CheckoutPhase,
  CheckoutStatus,
  CheckoutStep,
  ForeignOrderRecord,
  OrderRecord,
  PricesYuan,
  TimelineEntry,
  VoucherState,
} from './messages';
import type { FailureInfo } from './failures';
import type { SearchAttributePair } from '@temporalio/common';
import { CHECKOUT_ORDER_ID, CHECKOUT_PHASE } from './search-attributes';
import { leanShape } from './shape';

/** The timeline keeps its first entries (how it started) and the most recent ones, so status stays bounded. */
const TIMELINE_HEAD = 20;
const TIMELINE_MAX = 200;

/**
 * The lean shape (shape.ts) moves the `CheckoutPhase` search attribute at milestones only: with the order id once
 * the order exists, as one of these phases begins (and again at the phase after it), and at the outcome. The fine
 * phase stays in the status query and the Web UI's current details. Each upsert is a history event and a
 * visibility write.
 */
const MILESTONE_PHASES: ReadonlySet<CheckoutPhase> = new Set<CheckoutPhase>([
  'WAITING_FOR_TOKEN',
  'PAYING',
  'COMPENSATING',
  'NEEDS_ATTENTION',
  'COMPLETED',
  'COMPENSATED',
]);

/** The status query's answer but the compensations (the saga's) and the codes that may be bound (the binding's). */
export type StatusView = Omit<CheckoutStatus, 'compensations'>;

export class Status {
  readonly requestId: string;
  readonly cinemaId: string;
  readonly scheduleId: string;
  readonly seats: string[];
  readonly orders: OrderRecord[] = [];
  foreignOrders?: ForeignOrderRecord[];
  round = 0;
  readonly vouchers: VoucherState;
  /** The order's latest known prices: as priced, then as the verified binding left them. */
  prices?: PricesYuan;
  readonly attempts: Partial<Record<CheckoutStep, number>> = {};
  lastError?: CheckoutErrorInfo;
  reason?: { type: string; message: string };
  outcome?: CheckoutOutcome;
  readonly deadlineAt: string;
  /** Shown while a durable back-off sleeps. */
  nextAttemptAt?: string;
  payment?: CheckoutStatus['payment'];

  // Private (#) so that `view()` can spread the facts above and nothing else.
  #phase: CheckoutPhase = 'STARTING';
  /** The phase the search attribute shows (set at start). */
  #searchedPhase: CheckoutPhase = 'STARTING';
  #orderId: string | undefined;
  readonly #timeline: TimelineEntry[] = [];
  #dropped = 0;
  /** The secrets to mask in notes and errors (the token, read at each use: refreshToken replaces it). */
  readonly #secrets: () => readonly string[];

  constructor(input: CheckoutInput, deadline: number, secrets: () => readonly string[]) {
    this.requestId = input.requestId;
    this.cinemaId = input.cinemaId;
    this.scheduleId = input.scheduleId;
    this.seats = [...input.seats];
    this.vouchers = { requested: input.vouchers, chosen: [], prechecks: {}, bound: [] };
    this.deadlineAt = new Date(deadline).toISOString();
    this.#secrets = secrets;
  }

  get phase(): CheckoutPhase {
    return this.#phase;
  }

  /** The live (or final) order. */
  get orderId(): string | undefined {
    return this.#orderId;
  }

  setPhase(phase: CheckoutPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    if (!leanShape() || MILESTONE_PHASES.has(phase) || MILESTONE_PHASES.has(this.#searchedPhase)) this.#showPhase();
    wf.setCurrentDetails(`**${phase}**${this.#orderId ? ` · order ${this.#orderId}` : ''}`);
  }

  note(phase: CheckoutPhase, note: string, step?: string): void {
    const entry: TimelineEntry = { at: new Date(Date.now()).toISOString(), phase, ...(step ? { step } : {}), note: redactText(note, this.#secrets()) };
    // The workflow logger adds workflowId/runId and stays silent during replay.
    wf.log.info(entry.note, { phase, ...(step ? { step } : {}), orderId: this.#orderId ?? null });
    const t = this.#timeline;
    t.push(entry);
    if (t.length > TIMELINE_MAX) {
      t.splice(TIMELINE_HEAD, 1);
      this.#dropped++;
    }
  }

  recordError(step: string, f: FailureInfo): void {
    this.lastError = { type: f.type, message: redactText(f.message, this.#secrets()), step, at: new Date(Date.now()).toISOString() };
  }

  /** An order of this checkout: recorded, and (unless an extra of an old run) the one the checkout is about. */
  adoptOrder(orderId: string, round: number, origin: OrderRecord['origin']): void {
    if (!this.orders.some((o) => o.orderId === orderId)) this.orders.push({ orderId, round, state: 'LIVE', origin });
    if (origin !== 'found-extra') {
      this.#orderId = orderId;
      const order = { key: CHECKOUT_ORDER_ID, value: orderId };
      if (leanShape()) this.#showPhase([order]);
      else wf.upsertSearchAttributes([order]);
    }
  }

  /** The current phase (and `also`) to the search attributes. */
  #showPhase(also: SearchAttributePair[] = []): void {
    wf.upsertSearchAttributes([...also, { key: CHECKOUT_PHASE, value: this.#phase }]);
    this.#searchedPhase = this.#phase;
  }

  markOrder(orderId: string, state: OrderRecord['state']): void {
    const o = this.orders.find((r) => r.orderId === orderId);
    if (o) o.state = state;
  }

  /** An order that is another checkout's: shown in the status, never touched. */
  leaveAlone(orderId: string, note: string): void {
    const foreign = (this.foreignOrders ??= []);
    if (foreign.some((f) => f.orderId === orderId)) return;
    foreign.push({ orderId, note });
    this.note(this.#phase, note);
  }

  timeline(): TimelineEntry[] {
    if (this.#dropped === 0) return this.#timeline;
    const t = this.#timeline;
    return [
      ...t.slice(0, TIMELINE_HEAD),
      { at: t[TIMELINE_HEAD]?.at ?? '', phase: this.#phase, note: `… ${this.#dropped} entries omitted …` },
      ...t.slice(TIMELINE_HEAD),
    ];
  }

  view(): StatusView {
    return { ...this, phase: this.#phase, ...(this.#orderId !== undefined ? { orderId: this.#orderId } : {}), timeline: this.timeline() };
  }
}
