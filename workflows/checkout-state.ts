/**
 * What a checkout run knows about itself and shows the world: its status (phase, orders, vouchers, prices,
 * attempts, timeline), the search attributes and memo it is found by, the result it ends with, and the
 * query/update handlers together with the state they change (token, voucher choice). The single owner of
 * that mutable state: the other parts of the run read it and change it only through this class, so every
 * change of phase also reaches the search attribute, and every note is redacted.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import { redactText } from '../src/redact';
import { parseSealedToken, parseToken, parseVoucherSpec } from './input';
import type { CheckoutInput, VoucherSpec } from './input';
import { checkoutMemo, NEEDS_ATTENTION_FAILURE, refreshTokenUpdate, replaceVouchersUpdate, statusQuery, waitForOrderUpdate } from './messages';
import type {
  CheckoutErrorInfo,
  CheckoutOutcome,
  CheckoutPhase,
  CheckoutResult,
  CheckoutStatus,
  CheckoutStep,
  OrderRecord,
  PrecheckResult,
  PricesYuan,
  TimelineEntry,
  VoucherState,
} from './messages';
import type { Saga } from './compensation';
import type { FailureInfo } from './failures';
import { CHECKOUT_ORDER_ID, CHECKOUT_PHASE, startSearchAttributes } from './search-attributes';

/** The timeline keeps its first entries (how it started) and the most recent ones, so status stays bounded. */
const TIMELINE_HEAD = 20;
const TIMELINE_MAX = 200;

export class CheckoutState {
  /** A secret: only ever used for calls and to redact; never stored in status, result or timeline. */
  private liveToken: string;
  private tokensReceived = 0;
  private tokenWaiters = 0;
  private phaseBeforeWait: CheckoutPhase | undefined;
  private spec: VoucherSpec;
  private specVersion = 0;
  private bindStarted = false;
  private finished = false;
  private timelineDropped = 0;
  /** Everything status shows but the compensations, which status reads from the saga each time. */
  private readonly s: Omit<CheckoutStatus, 'compensations'>;

  constructor(
    private readonly input: CheckoutInput,
    deadline: number,
    private readonly saga: Saga,
  ) {
    this.liveToken = input.token;
    this.spec = input.vouchers;
    const vouchers: VoucherState = { requested: input.vouchers, chosen: [], prechecks: {}, bound: [] };
    this.s = {
      requestId: input.requestId,
      cinemaId: input.cinemaId,
      scheduleId: input.scheduleId,
      seats: [...input.seats],
      phase: 'STARTING',
      orders: [],
      round: 0,
      vouchers,
      attempts: {},
      deadlineAt: new Date(deadline).toISOString(),
      timeline: [],
    };
  }

  // ---------------------------------------------------------------- start

  /** Handlers first, so a query or update that arrives with the first task already finds them. */
  start(): void {
    this.registerHandlers();
    wf.upsertSearchAttributes(startSearchAttributes(this.input));
    wf.upsertMemo(checkoutMemo(this.input, this.s.deadlineAt));
    this.note('STARTING', `checkout of ${this.input.seats.length} seat(s) on schedule ${this.input.scheduleId}, deadline ${this.s.deadlineAt}`);
  }

  // ---------------------------------------------------------------- token and voucher choice (set by updates)

  get token(): string {
    return this.liveToken;
  }

  /** Grows with every refreshToken: a waiter resumes once it is past the value it started with. */
  get tokenVersion(): number {
    return this.tokensReceived;
  }

  /** The first waiter shows WAITING_FOR_TOKEN; the last one to finish restores the phase it interrupted. */
  beginTokenWait(): void {
    if (this.tokenWaiters++ === 0) {
      this.phaseBeforeWait = this.s.phase;
      this.setPhase('WAITING_FOR_TOKEN');
    }
  }

  endTokenWait(): void {
    if (--this.tokenWaiters === 0 && this.phaseBeforeWait !== undefined) this.setPhase(this.phaseBeforeWait);
  }

  get voucherSpec(): VoucherSpec {
    return this.spec;
  }

  /** Grows with every replaceVouchers: a choice made under an older version is made again. */
  get voucherSpecVersion(): number {
    return this.specVersion;
  }

  /** From here on replaceVouchers is refused: the codes are about to be bound. */
  startBinding(): void {
    this.bindStarted = true;
  }

  // ---------------------------------------------------------------- status

  get phase(): CheckoutPhase {
    return this.s.phase;
  }

  get round(): number {
    return this.s.round;
  }

  get orders(): readonly OrderRecord[] {
    return this.s.orders;
  }

  get lastError(): CheckoutErrorInfo | undefined {
    return this.s.lastError;
  }

  get prechecks(): Readonly<Record<string, PrecheckResult>> {
    return this.s.vouchers.prechecks;
  }

  get bound(): readonly string[] {
    return this.s.vouchers.bound;
  }

  /** The order's latest known prices: as priced, then as the verified binding left them. */
  get prices(): PricesYuan | undefined {
    return this.s.prices;
  }

  setPhase(phase: CheckoutPhase): void {
    if (this.s.phase === phase) return;
    this.s.phase = phase;
    wf.upsertSearchAttributes([{ key: CHECKOUT_PHASE, value: phase }]);
    wf.setCurrentDetails(`**${phase}**${this.s.orderId ? ` · order ${this.s.orderId}` : ''}`);
  }

  note(phase: CheckoutPhase, note: string, step?: string): void {
    const entry: TimelineEntry = { at: new Date(Date.now()).toISOString(), phase, ...(step ? { step } : {}), note: redactText(note, [this.liveToken]) };
    // The workflow logger adds workflowId/runId and stays silent during replay.
    wf.log.info(entry.note, { phase, ...(step ? { step } : {}), orderId: this.s.orderId ?? null });
    const t = this.s.timeline;
    t.push(entry);
    if (t.length > TIMELINE_MAX) {
      t.splice(TIMELINE_HEAD, 1);
      this.timelineDropped++;
    }
  }

  countAttempt(step: CheckoutStep): void {
    this.s.attempts[step] = (this.s.attempts[step] ?? 0) + 1;
  }

  recordError(step: string, f: FailureInfo): void {
    const e: CheckoutErrorInfo = { type: f.type, message: redactText(f.message, [this.liveToken]), step, at: new Date(Date.now()).toISOString() };
    this.s.lastError = e;
  }

  /** Shown while a durable back-off sleeps. */
  setNextAttempt(at: number): void {
    this.s.nextAttemptAt = new Date(at).toISOString();
  }

  clearNextAttempt(): void {
    delete this.s.nextAttemptAt;
  }

  startRound(round: number): void {
    this.s.round = round;
  }

  adoptOrder(orderId: string, round: number, origin: OrderRecord['origin']): void {
    if (!this.s.orders.some((o) => o.orderId === orderId)) this.s.orders.push({ orderId, round, state: 'LIVE', origin });
    if (origin !== 'found-extra') {
      this.s.orderId = orderId;
      wf.upsertSearchAttributes([{ key: CHECKOUT_ORDER_ID, value: orderId }]);
    }
  }

  /** An order that is another checkout's: shown in the status, never touched. */
  leaveAlone(orderId: string, note: string): void {
    const foreign = (this.s.foreignOrders ??= []);
    if (foreign.some((f) => f.orderId === orderId)) return;
    foreign.push({ orderId, note });
    this.note(this.s.phase, note);
  }

  get foreignOrderIds(): string[] {
    return (this.s.foreignOrders ?? []).map((f) => f.orderId);
  }

  markOrder(orderId: string, state: OrderRecord['state']): void {
    const o = this.s.orders.find((r) => r.orderId === orderId);
    if (o) o.state = state;
  }

  setPrices(prices: PricesYuan): void {
    this.s.prices = prices;
  }

  recordPrecheck(code: string, result: PrecheckResult): void {
    this.s.vouchers.prechecks[code] = result;
  }

  setChosen(codes: string[]): void {
    this.s.vouchers.chosen = codes;
  }

  /** Only once verified: status and result report exactly what the order proved to hold. */
  acceptBinding(codes: readonly string[], prices: PricesYuan): void {
    this.s.prices = prices;
    this.s.vouchers.bound = [...codes];
  }

  clearBound(): void {
    this.s.vouchers.bound = [];
  }

  setPayment(payment: NonNullable<CheckoutStatus['payment']>): void {
    this.s.payment = payment;
  }

  setReason(reason: FailureInfo): void {
    this.s.reason = { type: reason.type, message: reason.message };
  }

  status(): CheckoutStatus {
    const timeline =
      this.timelineDropped > 0
        ? [
            ...this.s.timeline.slice(0, TIMELINE_HEAD),
            { at: this.s.timeline[TIMELINE_HEAD]?.at ?? '', phase: this.s.phase, note: `… ${this.timelineDropped} entries omitted …` },
            ...this.s.timeline.slice(TIMELINE_HEAD),
          ]
        : this.s.timeline;
    const mayBeBound = this.saga.codesMayBeBound();
    const vouchers = mayBeBound.length > 0 ? { ...this.s.vouchers, mayBeBound } : this.s.vouchers;
    return { ...this.s, vouchers, compensations: this.saga.view(), timeline };
  }

  // ---------------------------------------------------------------- end

  result(outcome: CheckoutOutcome, extra: Partial<CheckoutResult> = {}): CheckoutResult {
    const mayBeBound = outcome === 'COMPLETED' ? [] : this.saga.codesMayBeBound();
    return {
      outcome,
      requestId: this.input.requestId,
      ...(this.s.orderId !== undefined ? { orderId: this.s.orderId } : {}),
      ...(this.s.prices !== undefined ? { prices: this.s.prices } : {}),
      vouchers: [...this.s.vouchers.bound],
      ...(mayBeBound.length > 0 ? { vouchersMayBeBound: mayBeBound } : {}),
      ...(this.s.reason !== undefined ? { reason: this.s.reason } : {}),
      orders: this.s.orders.map((o) => ({ ...o })),
      ...(this.s.foreignOrders !== undefined ? { foreignOrders: this.s.foreignOrders.map((f) => ({ ...f })) } : {}),
      attempts: { ...this.s.attempts },
      timeline: this.status().timeline,
      ...extra,
    };
  }

  async finishCompleted(result: CheckoutResult): Promise<CheckoutResult> {
    this.s.outcome = 'COMPLETED';
    this.saga.retireAll(result.state === 'ISSUED' ? 'not needed: tickets issued' : 'not needed: checkout completed');
    this.setPhase('COMPLETED');
    this.note('COMPLETED', result.state === 'ISSUED' ? 'tickets issued' : 'ready to pay');
    this.finished = true;
    await this.handlersFinished();
    return { ...result, timeline: this.status().timeline };
  }

  async finishFailed(outcome: 'COMPENSATED' | 'NEEDS_ATTENTION', reason: FailureInfo): Promise<ApplicationFailure> {
    this.s.outcome = outcome;
    this.setPhase(outcome);
    this.note(outcome, outcome === 'COMPENSATED' ? `compensated (${reason.type})` : `needs attention (${reason.type})`);
    this.finished = true;
    await this.handlersFinished();
    const result = this.result(outcome);
    const type = outcome === 'COMPENSATED' ? reason.type : NEEDS_ATTENTION_FAILURE;
    const message =
      outcome === 'COMPENSATED'
        ? `checkout compensated: ${reason.type}: ${reason.message}`
        : `checkout needs attention: ${this.attentionSummary()} (cause ${reason.type}: ${reason.message})`;
    return ApplicationFailure.create({ type, message, nonRetryable: true, details: [result] });
  }

  /** Let running update handlers (waitForOrder) answer before the workflow closes; a late cancel cannot cut in. */
  private handlersFinished(): Promise<void> {
    return wf.CancellationScope.nonCancellable(() => wf.condition(wf.allHandlersFinished));
  }

  private attentionSummary(): string {
    const failed = this.saga.view().filter((c) => c.state === 'FAILED');
    if (failed.length > 0) return failed.map((c) => `${c.kind} ${c.orderId ?? ''}: ${c.note ?? ''}`).join('; ');
    return 'the payment could not be confirmed';
  }

  // ---------------------------------------------------------------- handlers

  private registerHandlers(): void {
    wf.setHandler(statusQuery, () => this.status());

    wf.setHandler(
      replaceVouchersUpdate,
      (spec) => {
        const parsed = parseVoucherSpec(spec, this.input.seats.length);
        this.spec = parsed;
        this.specVersion++;
        this.s.vouchers.requested = parsed;
        this.note(this.s.phase, 'voucher choice replaced (replaceVouchers)');
        return { vouchers: parsed, phase: this.s.phase };
      },
      {
        validator: (spec) => {
          if (this.finished) throw new Error('the checkout has finished');
          if (this.bindStarted) throw new Error('binding has started: vouchers can no longer be replaced');
          parseVoucherSpec(spec, this.input.seats.length);
        },
      },
    );

    wf.setHandler(
      refreshTokenUpdate,
      (token) => {
        const resumed = this.tokenWaiters > 0 || this.s.phase === 'NEEDS_ATTENTION';
        this.liveToken = parseToken(token);
        this.tokensReceived++;
        this.note(this.s.phase, 'fresh token received (refreshToken)');
        return { phase: this.s.phase, resumed };
      },
      {
        validator: (token) => {
          if (this.finished) throw new Error('the checkout has finished');
          // Validators do not run on replay, so histories from before sealing still replay their plaintext update.
          parseSealedToken(token);
        },
      },
    );

    wf.setHandler(waitForOrderUpdate, async () => {
      await wf.condition(() => this.s.orderId !== undefined || this.finished);
      if (this.s.orderId === undefined) {
        throw ApplicationFailure.create({
          type: this.s.reason?.type ?? 'NoOrder',
          message: `the checkout ended without an order${this.s.reason ? `: ${this.s.reason.message}` : ''}`,
          nonRetryable: true,
        });
      }
      return { orderId: this.s.orderId, phase: this.s.phase };
    });
  }
}
