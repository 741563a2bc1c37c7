/**
 * The `checkout` workflow: create order → (wallet in parallel) → price → choose vouchers → pre-check → bind →
 * verify → optional 0-yuan pivot, as a saga (DESIGN.md, "The checkout, step by step").
 *
 * OUTCOMES. A checkout ends in exactly one of:
 * - COMPLETED: the workflow *returns* a CheckoutResult (state READY_TO_PAY, or ISSUED with ticket codes).
 * - COMPENSATED: everything done was undone. The workflow *fails* with a non-retryable ApplicationFailure whose
 *   `type` is the reason (VoucherNotUsable, SeatUnavailable, DeadlineExceeded, TokenInvalid, ...) and whose
 *   `details[0]` is the CheckoutResult (orders and what became of them, attempts, timeline). Chosen because the
 *   checkout did not do what it was asked: the Web UI shows it red with the reason in one glance,
 *   `ExecutionStatus="Failed"` finds them, and a backend awaiting `result()` gets a typed error to branch on
 *   (`err.cause.type`) instead of having to remember to inspect a success value. A client cancellation ends
 *   as Canceled (after compensating), the reason being obvious.
 * - NEEDS_ATTENTION: a compensation could not finish (typically: vouchers bound to a payable order and the
 *   token expired). The workflow first waits in phase NEEDS_ATTENTION (search attribute too) for a fresh token
 *   (`refreshToken`), retrying on a durable timer meanwhile; if none comes within `attentionWaitSeconds` it
 *   fails with type `NeedsAttention` (details[0] the CheckoutResult). Also the end of a pivot whose payment
 *   could not be confirmed (nothing is compensated after the pivot).
 *
 * DETERMINISM. Only deterministic modules are imported (activities as TYPES only). Once a version of this
 * workflow has shipped, any change to the sequence of commands (activities, timers, search attribute
 * upserts) must be gated with `patched('<id>')` (and later `deprecatePatch`), and the replay tests in
 * test/workflow/replay.test.ts must keep passing on the saved histories under test/histories/.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import type { CheckoutActivities, LostOrderSearch } from '../activities';
import type { OrderInfo, OrderPrice, VoucherWallet, WomeiSession } from '../src/womei/types';
import { toFen } from '../src/womei/money';
import { redactText } from '../src/redact';
import { deadlineOf, InvalidInput, parseCheckoutInput, parseToken, parseVoucherSpec } from './input';
import type { CheckoutInput, CheckoutRequest, VoucherSpec } from './input';
import {
  NEEDS_ATTENTION_FAILURE,
  refreshTokenUpdate,
  replaceVouchersUpdate,
  statusQuery,
  waitForOrderUpdate,
} from './messages';
import type {
  CheckoutErrorInfo,
  CheckoutOutcome,
  CheckoutPhase,
  CheckoutResult,
  CheckoutStatus,
  CheckoutStep,
  OrderRecord,
  PricesYuan,
  TimelineEntry,
  VoucherState,
} from './messages';
import { activityOptions, backoffMs, REFUSAL_FAILURE_TYPES, TRANSIENT_FAILURE_TYPES } from './policy';
import type { ActivityKind } from './policy';
import { Saga } from './compensation';
import type { CompensationEntry } from './compensation';
import { checkoutFailure, describeFailure } from './failures';
import type { FailureInfo } from './failures';
import { bestCandidates, checkExplicitCodes, maskCode, verifyBinding, verifyVoucherUse, wantedCount } from './vouchers';
import { CHECKOUT_CINEMA_ID, CHECKOUT_ORDER_ID, CHECKOUT_PHASE, CHECKOUT_REQUEST_ID } from './search-attributes';

/** Every call overrides these with `activityOptions(kind, limits)` and its own summary. */
const acts = wf.proxyActivities<CheckoutActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

const TIMELINE_HEAD = 20;
const TIMELINE_MAX = 200;
/** Create attempts per order round (an ambiguous attempt is followed by a search before the next). */
const MAX_CREATE_ATTEMPTS = 5;
/** Pay attempts on a 0-yuan order whose payment answer was unclear. */
const MAX_PAY_ATTEMPTS = 3;

/** A bind that failed with these may have landed: its answer was lost or unreadable. */
const BIND_ANSWER_LOST_TYPES = ['WomeiUnavailable', 'ActivityTimeout', 'UnexpectedActivityError', 'WomeiProtocolError'];

export async function checkout(raw: CheckoutRequest): Promise<CheckoutResult> {
  let input: CheckoutInput;
  try {
    input = parseCheckoutInput(raw, { now: wf.workflowInfo().startTime.getTime() });
  } catch (err) {
    if (err instanceof InvalidInput) {
      throw ApplicationFailure.create({ type: 'InvalidInput', message: err.message, nonRetryable: true, details: [err.issues] });
    }
    throw err;
  }
  return new CheckoutRun(input).run();
}

interface LiveOrder {
  orderId: string;
  round: number;
  price?: OrderPrice;
}

class CheckoutRun {
  private token: string;
  private tokenVersion = 0;
  private tokenWaiters = 0;
  private phaseBeforeWait: CheckoutPhase | undefined;
  private readonly deadline: number;
  private readonly saga = new Saga();
  private readonly maybeBound = new Map<string, boolean>();
  private wallet: VoucherWallet | undefined;
  private walletVersion = -1;
  private voucherSpec: VoucherSpec;
  private voucherSpecVersion = 0;
  private bindStarted = false;
  private bindAttempts = 0;
  private compensating = false;
  /** 'none' → 'attempting' (pay sent, outcome unclear) → 'passed' (paid): no compensation from 'attempting' on. */
  private pivot: 'none' | 'attempting' | 'passed' = 'none';
  private finished = false;
  private timelineDropped = 0;
  private readonly s: CheckoutStatus;

  constructor(private readonly input: CheckoutInput) {
    this.token = input.token;
    this.deadline = deadlineOf(input, wf.workflowInfo().startTime.getTime());
    this.voucherSpec = input.vouchers;
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
      compensations: [],
      deadlineAt: new Date(this.deadline).toISOString(),
      timeline: [],
    };
  }

  // ---------------------------------------------------------------- entry

  async run(): Promise<CheckoutResult> {
    this.registerHandlers();
    wf.upsertSearchAttributes([
      { key: CHECKOUT_REQUEST_ID, value: this.input.requestId },
      { key: CHECKOUT_CINEMA_ID, value: this.input.cinemaId },
      { key: CHECKOUT_PHASE, value: 'STARTING' },
    ]);
    wf.upsertMemo({
      checkout: {
        requestId: this.input.requestId,
        cinemaId: this.input.cinemaId,
        scheduleId: this.input.scheduleId,
        seats: this.input.seats.length,
        vouchers: 'codes' in this.input.vouchers ? `${this.input.vouchers.codes.length} explicit` : 'best from wallet',
        payIfFree: this.input.payIfFree,
        deadlineAt: this.s.deadlineAt,
      },
    });
    this.note('STARTING', `checkout of ${this.input.seats.length} seat(s) on schedule ${this.input.scheduleId}, deadline ${this.s.deadlineAt}`);

    let completed: CheckoutResult | undefined;
    let forwardError: unknown;
    try {
      completed = await this.forward();
    } catch (err) {
      forwardError = err;
    }
    // Outside the try: nothing that happens after completion (e.g. a late cancel) may compensate it.
    if (completed !== undefined) return this.finishCompleted(completed);
    // A plain Error here is a bug in workflow code, not a checkout failure: let it fail the workflow task (the
    // SDK retries the task) so a fixed worker resumes the checkout where it stopped, instead of compensating.
    if (!(forwardError instanceof TemporalFailure)) throw forwardError;

    const reason = describeFailure(forwardError, [this.token]);
    this.s.reason = { type: reason.type, message: reason.message };
    if (this.pivot !== 'none') {
      // Nothing is compensated after the pivot: the payment may have gone through.
      this.note('NEEDS_ATTENTION', `payment step failed after the pivot (${reason.type}); not compensating: ${reason.message}`);
      throw await this.finishFailed('NEEDS_ATTENTION', reason);
    }
    const clean = await wf.CancellationScope.nonCancellable(() => this.compensateAll(reason));
    if (!clean) throw await this.finishFailed('NEEDS_ATTENTION', reason);
    const failure = await this.finishFailed('COMPENSATED', reason);
    // A client cancellation ends as Canceled (compensated first); every other reason as the typed failure.
    if (reason.cancelled) throw new CancelledFailure('checkout cancelled; compensated', [this.result('COMPENSATED')]);
    throw failure;
  }

  // ---------------------------------------------------------------- forward path

  private async forward(): Promise<CheckoutResult> {
    const walletLoad = this.loadWallet();
    // The wallet does not need the order: list it beside the create. A failure surfaces where it is awaited.
    walletLoad.catch(() => undefined);

    let order: LiveOrder | undefined;
    for (let round = 1; ; round++) {
      this.s.round = round;
      order = await this.createOrderRound(round);
      if (round === 1) await walletLoad;
      try {
        await this.priceOrder(order);
        const codes = await this.chooseAndPrecheck(order);
        await this.bindAndVerify(order, codes);
        break;
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.type !== 'OrderExpired') throw err;
        this.markOrder(order.orderId, 'LAPSED');
        if (round >= this.input.limits.maxOrderRounds) {
          throw checkoutFailure('OrderExpired', `the seat hold of order ${order.orderId} lapsed and ${round} order round(s) are used up`);
        }
        if (Date.now() >= this.deadline) throw checkoutFailure('DeadlineExceeded', `the hold of order ${order.orderId} lapsed at the deadline`);
        this.note(this.s.phase, `the seat hold of order ${order.orderId} lapsed; releasing it and starting order round ${round + 1}`);
        const done = await wf.CancellationScope.nonCancellable(() => this.compensateOrder(order!.orderId));
        if (!done) throw checkoutFailure('CompensationFailed', `could not release lapsed order ${order.orderId}`);
      }
    }

    const bound = this.s.vouchers.bound;
    const price = order.price!;
    if (this.input.payIfFree && toFen(price.orderPaymentPrice) === 0) {
      return this.payAndConfirm(order, bound);
    }
    return this.result('COMPLETED', { orderId: order.orderId, state: 'READY_TO_PAY' });
  }

  /** One order round: create, or adopt the order a lost create answer made. Never two live orders. */
  private async createOrderRound(round: number): Promise<LiveOrder> {
    this.setPhase('CREATING_ORDER');
    // Registered before the create: if the answer is lost, compensation still finds and releases the order.
    const release = this.saga.register('releaseOrder');
    this.syncCompensations();
    for (let attempt = 1; ; attempt++) {
      if (release.lostCreateSince !== undefined) {
        const found = await this.findLostOrder(release.lostCreateSince);
        if (found.orderId !== null) {
          release.orderId = found.orderId;
          delete release.lostCreateSince;
          this.adoptOrder(found.orderId, round, 'adopted');
          this.note('CREATING_ORDER', `adopted order ${found.orderId}, made by a create attempt whose answer was lost`);
          return { orderId: found.orderId, round };
        }
        this.note('CREATING_ORDER', 'no order from the lost create attempt; creating again');
      }
      const since = Date.now();
      // Until an answer comes, this attempt may have made an order (lost answer, worker death, cancellation).
      release.lostCreateSince ??= since;
      try {
        const created = await this.step('createOrder', () =>
          acts.createOrder.executeWithOptions(this.opts('create', `create order: ${this.input.seats.length} seat(s) on schedule ${this.input.scheduleId}`), [
            { session: this.session(), scheduleId: this.input.scheduleId, seatLabels: [...this.input.seats] },
          ]),
        );
        release.orderId = created.orderId;
        delete release.lostCreateSince;
        this.adoptOrder(created.orderId, round, 'created');
        this.note('CREATING_ORDER', `order ${created.orderId} created (round ${round})`);
        return { orderId: created.orderId, round };
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.cancelled) throw err;
        if (REFUSAL_FAILURE_TYPES.includes(f.type) || f.type === 'WomeiRateLimited') {
          // Womei answered "no" (or the gateway refused): this attempt made nothing.
          if (release.lostCreateSince === since) delete release.lostCreateSince;
          if (f.type !== 'WomeiRateLimited') throw err;
        }
        if (attempt >= MAX_CREATE_ATTEMPTS) throw err;
        await this.backoff('createOrder', attempt, f);
      }
    }
  }

  private async findLostOrder(sinceMs: number): Promise<LostOrderSearch> {
    const exclude = this.s.orders.map((o) => o.orderId);
    const found = await this.step('findLostOrder', () =>
      acts.findLostOrder.executeWithOptions(this.opts('read', `find the order a lost create made (schedule ${this.input.scheduleId})`), [
        {
          session: this.session(),
          scheduleId: this.input.scheduleId,
          seatLabels: [...this.input.seats],
          sinceMs,
          excludeOrderIds: exclude,
        },
      ]),
    );
    for (const extra of found.extraOrderIds) {
      // Several lost attempts each made an order: keep one, release the others at once.
      this.adoptOrder(extra, this.s.round, 'found-extra');
      const entry = this.saga.register('releaseOrder', extra);
      this.note(this.s.phase, `order ${extra} is a second order of this request; releasing it`);
      await wf.CancellationScope.nonCancellable(() => this.runRelease(entry));
    }
    return found;
  }

  private async loadWallet(): Promise<VoucherWallet> {
    const version = this.voucherSpecVersion;
    const wallet = await this.step('listVouchers', () =>
      acts.listVouchers.executeWithOptions(this.opts('read', 'list the voucher wallet'), [{ session: this.session() }]),
    );
    this.wallet = wallet;
    this.walletVersion = version;
    return wallet;
  }

  private async priceOrder(order: LiveOrder): Promise<void> {
    this.setPhase('PRICING');
    const price = await this.step('priceOrder', () =>
      acts.priceOrder.executeWithOptions(this.opts('price', `price order ${order.orderId} without vouchers`), [
        { session: this.session(), orderId: order.orderId },
      ]),
    );
    order.price = price;
    this.s.prices = pricesOf(price);
    this.note('PRICING', `order ${order.orderId} priced: ${price.orderTotalPrice} yuan for ${price.ticketNum} ticket(s)`);
  }

  /**
   * Decide the codes and pre-check each once. Pre-check answers are cached by code for the whole checkout (a
   * validation is never spent twice for the same answer, not even for a new order round). A replaceVouchers
   * update that lands meanwhile restarts the choice; once this returns, binding has started and the update
   * validator refuses.
   */
  private async chooseAndPrecheck(order: LiveOrder): Promise<string[]> {
    for (;;) {
      const version = this.voucherSpecVersion;
      const codes = await this.chooseVouchers(order);
      if (version === this.voucherSpecVersion) {
        this.bindStarted = true;
        return codes;
      }
      this.note(this.s.phase, 'voucher choice replaced while checking; choosing again');
    }
  }

  private async chooseVouchers(order: LiveOrder): Promise<string[]> {
    this.setPhase('CHOOSING_VOUCHERS');
    if (this.wallet === undefined || this.walletVersion < this.voucherSpecVersion) await this.loadWallet();
    const wallet = this.wallet!;
    const spec = this.voucherSpec;
    const seats = this.input.seats.length;
    const now = Date.now();
    const want = wantedCount(spec, seats);
    let candidates: string[];
    if ('codes' in spec) {
      const problems = checkExplicitCodes(spec.codes, wallet, now);
      if (problems.length > 0) {
        throw checkoutFailure(
          'VoucherNotUsable',
          `voucher(s) not usable: ${problems.map((p) => `${maskCode(p.code)} ${p.problem}`).join('; ')}`,
        );
      }
      candidates = [...spec.codes];
    } else {
      candidates = bestCandidates(wallet, now);
      if (candidates.length === 0) throw checkoutFailure('VoucherNotUsable', 'no usable voucher in the wallet (unused and unexpired)');
    }

    this.setPhase('PRECHECKING');
    const pre = this.s.vouchers.prechecks;
    const chosen: string[] = [];
    let next = 0;
    while (chosen.length < want && next < candidates.length) {
      const wave = candidates.slice(next, next + (want - chosen.length));
      next += wave.length;
      await Promise.all(wave.filter((c) => pre[c] === undefined).map((c) => this.precheck(order, c)));
      for (const c of wave) {
        if (pre[c] === 'NOT_USABLE') {
          if ('codes' in spec) throw checkoutFailure('VoucherNotUsable', `voucher ${maskCode(c)} was refused by the pre-check`);
          continue;
        }
        chosen.push(c);
      }
    }
    if (chosen.length === 0) throw checkoutFailure('VoucherNotUsable', 'none of the wallet vouchers passed the pre-check');
    this.s.vouchers.chosen = chosen;
    this.note('PRECHECKING', `vouchers chosen: ${chosen.map(maskCode).join(', ')}`);
    return chosen;
  }

  private async precheck(order: LiveOrder, code: string): Promise<void> {
    const pre = this.s.vouchers.prechecks;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.step('precheckVoucher', () =>
          acts.precheckVoucher.executeWithOptions(this.opts('precheck', `pre-check voucher ${maskCode(code)} on order ${order.orderId}`), [
            { session: this.session(), orderId: order.orderId, voucherCode: code },
          ]),
        );
        pre[code] = 'OK';
        return;
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.cancelled) throw err;
        switch (f.type) {
          case 'VoucherNotUsable':
            pre[code] = 'NOT_USABLE';
            return;
          case 'VoucherQuotaExceeded':
          case 'OrderExpired':
          case 'TokenInvalid':
          case 'OrderNotFound':
            throw err;
          case 'WomeiRateLimited':
            // Refused at the gateway, before Womei counted a validation: safe to ask again.
            if (attempt < 3) {
              await this.backoff('precheckVoucher', attempt, f);
              continue;
            }
            break;
        }
        // Unclear answer (lost, 5xx, garbage): asking again could spend another validation for the same
        // answer. Leave it unchecked; the bind answer is the truth anyway.
        pre[code] = 'UNCHECKED';
        this.note(this.s.phase, `pre-check of ${maskCode(code)} unclear (${f.type}); leaving it to the bind`);
        return;
      }
    }
  }

  /**
   * Bind with the long-running retry, then verify. Throws OrderExpired for the round loop.
   *
   * An attempt whose answer was lost or unreadable (timeout, network, garbage) may have bound: before binding
   * again, the next attempt reads order/info and, when it proves the binding, takes it (a bind spends
   * validation quota; the same answer is not bought twice). A readable answer that does not prove the binding
   * (BindMismatch) is unbound before trying again. Every attempt, bind or answer check, counts towards
   * maxBindAttempts; the waits between them are durable timers, bounded by the deadline.
   */
  private async bindAndVerify(order: LiveOrder, codes: string[]): Promise<void> {
    const { limits } = this.input;
    if (!this.saga.find('unbindVouchers', order.orderId)) {
      // Registered before the first bind: a bind that landed but whose answer was lost is still unbound.
      this.saga.register('unbindVouchers', order.orderId);
      this.syncCompensations();
    }
    let answerLost = false;
    for (let attempt = 1; ; attempt++) {
      this.setPhase('BINDING');
      this.bindAttempts++;
      if (this.bindAttempts > limits.maxBindAttempts) {
        const last = this.s.lastError;
        throw checkoutFailure(
          'BindAttemptsExhausted',
          `binding failed ${limits.maxBindAttempts} time(s)${last ? `; last: ${last.type}: ${last.message}` : ''}`,
        );
      }
      try {
        if (answerLost) {
          answerLost = false;
          let info: OrderInfo;
          try {
            info = await this.orderInfo(order.orderId, 'checkBinding', `check whether the last bind of order ${order.orderId} landed`);
          } catch (err) {
            // Still unknown: check again next time rather than bind blindly.
            if (TRANSIENT_FAILURE_TYPES.includes(describeFailure(err).type)) answerLost = true;
            throw err;
          }
          this.requirePending(order.orderId, info);
          const problems = verifyVoucherUse(
            { total: info.orderTotalPrice, payment: info.orderPaymentPrice, use: info.voucherUse },
            codes,
          );
          if (problems.length === 0) {
            this.acceptBinding(order, codes, {
              total: info.orderTotalPrice,
              payment: info.orderPaymentPrice,
              vouchers: info.voucherUse?.useTotalPrice ?? 0,
              ticketSingle: order.price?.ticketSinglePrice ?? 0,
              ticketNum: info.ticketItems.ticketNum,
            });
            this.note('VERIFYING', `the bind whose answer was lost had landed: order ${order.orderId} shows the ${codes.length} voucher(s)`);
            return;
          }
          if ((info.voucherUse?.useCodes.length ?? 0) > 0) await this.unbindNow(order.orderId);
          this.setPhase('BINDING');
        }

        const before = this.maybeBound.get(order.orderId) ?? false;
        this.maybeBound.set(order.orderId, true);
        let price: OrderPrice;
        try {
          price = await this.step('bindVouchers', () =>
            acts.bindVouchers.executeWithOptions(
              this.opts('bind', `bind ${codes.length} voucher(s) to order ${order.orderId} (attempt ${this.bindAttempts})`),
              [{ session: this.session(), orderId: order.orderId, codes }],
            ),
          );
        } catch (err) {
          const t = describeFailure(err).type;
          if (REFUSAL_FAILURE_TYPES.includes(t) && !before) {
            // Womei answered this bind and refused it: the order's voucher choice is unchanged (and nothing was
            // bound before), so there is nothing to unbind.
            this.maybeBound.set(order.orderId, false);
          }
          if (BIND_ANSWER_LOST_TYPES.includes(t)) answerLost = true;
          throw err;
        }
        const problems = verifyBinding(price, codes);
        if (problems.length > 0) {
          this.recordError('bindVouchers', { type: 'BindMismatch', message: problems.join('; '), cancelled: false });
          throw checkoutFailure('BindMismatch', `bind answer does not prove the binding: ${problems.join('; ')}`, false);
        }
        this.setPhase('VERIFYING');
        const info = await this.orderInfo(order.orderId, 'verifyOrder', `verify order ${order.orderId} is still PENDING`);
        this.requirePending(order.orderId, info);
        order.price = price;
        this.acceptBinding(order, codes, pricesOf(price));
        this.note('VERIFYING', `${codes.length} voucher(s) bound to order ${order.orderId}; ${price.orderPaymentPrice} yuan left to pay`);
        return;
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.cancelled) throw err;
        if (f.type === 'BindMismatch') {
          await this.unbindNow(order.orderId);
        } else if (!TRANSIENT_FAILURE_TYPES.includes(f.type) && !answerLost) {
          throw err;
        }
        if (this.bindAttempts >= limits.maxBindAttempts) {
          throw checkoutFailure('BindAttemptsExhausted', `binding failed ${limits.maxBindAttempts} time(s); last: ${f.type}: ${f.message}`);
        }
        await this.backoff('bindVouchers', attempt, f);
      }
    }
  }

  /** An order that is no longer PENDING cannot take vouchers: lapsed (new round) or, oddly, paid. */
  private requirePending(orderId: string, info: OrderInfo): void {
    if (info.status === 'PENDING') return;
    if (info.status === 'SUCCESS' || info.status === 'PROCESSING') {
      throw checkoutFailure('OrderStateUnexpected', `order ${orderId} is ${info.status}, not PENDING`);
    }
    throw checkoutFailure('OrderExpired', `order ${orderId} is ${info.status} (hold lapsed)`);
  }

  private acceptBinding(order: LiveOrder, codes: string[], prices: PricesYuan): void {
    if (order.price) order.price = { ...order.price, orderTotalPrice: prices.total, orderPaymentPrice: prices.payment };
    this.s.prices = prices;
    this.s.vouchers.bound = [...codes];
    delete this.s.nextAttemptAt;
  }

  /** Unbind during the forward path (after an unproven bind answer), before trying again. */
  private async unbindNow(orderId: string): Promise<void> {
    await this.step('unbindVouchers', () =>
      acts.unbindVouchers.executeWithOptions(this.opts('compensate', `unbind vouchers from order ${orderId} before binding again`), [
        { session: this.session(), orderId },
      ]),
    );
    this.maybeBound.set(orderId, false);
    this.note(this.s.phase, `vouchers unbound from order ${orderId} after an unproven bind answer`);
  }

  /** The pivot: pay a 0-yuan order, poll until SUCCESS, confirm the tickets. Nothing is compensated after it. */
  private async payAndConfirm(order: LiveOrder, codes: string[]): Promise<CheckoutResult> {
    const { limits } = this.input;
    this.setPhase('PAYING');
    for (let attempt = 1; ; attempt++) {
      this.pivot = 'attempting';
      try {
        await this.step('payOrder', () =>
          acts.payOrder.executeWithOptions(this.opts('pay', `pay 0-yuan order ${order.orderId}`), [
            { session: this.session(), orderId: order.orderId, mobile: this.input.mobile ?? '' },
          ]),
        );
        break;
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (REFUSAL_FAILURE_TYPES.includes(f.type)) {
          this.pivot = 'none'; // refused: no payment happened, compensation is still right
          throw err;
        }
        // Unclear: did it go through? The order says.
        const info = await this.orderInfo(order.orderId, 'payOrder', `check whether order ${order.orderId} was paid`);
        if (info.status !== 'PENDING') break;
        if (attempt >= MAX_PAY_ATTEMPTS) throw err;
        await this.backoff('payOrder', attempt, f);
      }
    }
    this.pivot = 'passed';
    this.markOrder(order.orderId, 'PAID');
    this.note('PAYING', `payment of order ${order.orderId} sent; polling until issued`);

    let status = '';
    for (let poll = 1; poll <= limits.maxPaymentPolls; poll++) {
      const q = await this.step('queryPayment', () =>
        acts.queryPayment.executeWithOptions(this.opts('poll', `poll payment of order ${order.orderId} (${poll})`), [
          { session: this.session(), orderId: order.orderId },
        ]),
      );
      status = q.status;
      this.s.payment = { status, ticketCodes: [] };
      if (status === 'SUCCESS') break;
      await wf.sleep(limits.paymentPollMs, { summary: `wait before polling payment of order ${order.orderId} again` });
    }
    if (status !== 'SUCCESS') {
      throw checkoutFailure('PaymentUnconfirmed', `order ${order.orderId} payment still ${status || 'unknown'} after ${limits.maxPaymentPolls} polls`);
    }
    const info = await this.orderInfo(order.orderId, 'confirmIssued', `confirm order ${order.orderId} is issued`);
    const missing = codes.filter((c) => !(info.voucherUse?.useCodes ?? []).includes(c));
    const ticketCodes = info.ticketCodes.filter((t) => t.code !== '');
    if (info.status !== 'SUCCESS' || missing.length > 0 || ticketCodes.length === 0) {
      throw checkoutFailure(
        'IssueUnconfirmed',
        `order ${order.orderId} is ${info.status}; ${missing.length} voucher(s) missing from voucher_use; ${ticketCodes.length} ticket code(s)`,
      );
    }
    this.s.payment = { status: 'SUCCESS', ticketCodes };
    this.note('PAYING', `order ${order.orderId} issued with ${ticketCodes.length} ticket code(s)`);
    return this.result('COMPLETED', { orderId: order.orderId, state: 'ISSUED', ticketCodes });
  }

  private orderInfo(orderId: string, step: CheckoutStep, summary: string): Promise<OrderInfo> {
    return this.step(step, () =>
      acts.getOrderInfo.executeWithOptions(this.opts('read', summary), [{ session: this.session(), orderId }]),
    );
  }

  // ---------------------------------------------------------------- compensation

  /** Runs every pending compensation, newest first. True when all finished (or were not needed). */
  private async compensateAll(reason: FailureInfo): Promise<boolean> {
    this.compensating = true;
    this.setPhase('COMPENSATING');
    this.note('COMPENSATING', `compensating (${reason.type}): ${reason.message}`);
    for (const entry of this.saga.pendingReversed()) await this.runCompensation(entry);
    this.syncCompensations();
    return !this.saga.hasFailures;
  }

  /** Compensates one order (a lapsed hold before a new round). */
  private async compensateOrder(orderId: string): Promise<boolean> {
    const wasCompensating = this.compensating;
    this.compensating = true;
    try {
      for (const entry of this.saga.pendingReversed(orderId)) await this.runCompensation(entry);
      this.syncCompensations();
      return this.saga.pendingReversed(orderId).length === 0 && !this.saga.hasFailures;
    } finally {
      this.compensating = wasCompensating;
    }
  }

  private async runCompensation(entry: CompensationEntry): Promise<void> {
    if (entry.kind === 'unbindVouchers') await this.runUnbind(entry);
    else await this.runRelease(entry);
    this.syncCompensations();
  }

  /**
   * Unbind: needed only if a bind may have landed. Retried on durable timers while Womei fails; when the token
   * has expired, wait (phase NEEDS_ATTENTION) for `refreshToken`. Gives up after `attentionWaitSeconds`.
   */
  private async runUnbind(entry: CompensationEntry): Promise<void> {
    const orderId = entry.orderId!;
    if (!(this.maybeBound.get(orderId) ?? false)) {
      this.saga.settle(entry, 'SKIPPED', 'no bind can have landed');
      return;
    }
    const attentionUntil = Date.now() + this.input.limits.attentionWaitSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.step('unbindVouchers', () =>
          acts.unbindVouchers.executeWithOptions(this.opts('compensate', `unbind vouchers from order ${orderId}`), [
            { session: this.session(), orderId },
          ]),
        );
        this.maybeBound.set(orderId, false);
        this.s.vouchers.bound = [];
        this.saga.settle(entry, 'DONE', 'vouchers unbound');
        this.note(this.s.phase, `vouchers unbound from order ${orderId}`);
        if (this.s.phase === 'NEEDS_ATTENTION') this.setPhase('COMPENSATING');
        return;
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.type === 'OrderExpired' || f.type === 'OrderNotFound') {
          this.maybeBound.set(orderId, false);
          this.markOrder(orderId, 'LAPSED');
          this.saga.settle(entry, 'DONE', 'order hold lapsed: its vouchers can no longer be consumed');
          return;
        }
        const left = attentionUntil - Date.now();
        if (left <= 0) {
          this.saga.settle(entry, 'FAILED', `unbind failed (${f.type}): ${f.message}`);
          this.note('NEEDS_ATTENTION', `could not unbind vouchers from order ${orderId}: ${f.type}`);
          return;
        }
        this.setPhase('NEEDS_ATTENTION');
        const tokenBefore = this.tokenVersion;
        const wait = f.type === 'TokenInvalid' ? left : Math.min(left, backoffMs(attempt, this.input.limits));
        this.note(
          'NEEDS_ATTENTION',
          f.type === 'TokenInvalid'
            ? `unbinding order ${orderId} needs a fresh token (refreshToken); waiting up to ${Math.round(wait / 1000)} s`
            : `unbinding order ${orderId} failed (${f.type}); retrying in ${wait} ms`,
        );
        await wf.condition(() => this.tokenVersion > tokenBefore, wait);
      }
    }
  }

  /**
   * Release: cancel where configured, else abandon to the hold expiry and, where the deadline allows, confirm
   * on order/info that it lapsed. A release can always fall back to "abandoned" (the hold lapses on its own),
   * so it never needs attention. With no known order id but a lost create, look for the order first.
   */
  private async runRelease(entry: CompensationEntry): Promise<void> {
    if (entry.orderId === undefined) {
      if (entry.lostCreateSince === undefined) {
        this.saga.settle(entry, 'SKIPPED', 'no order was created');
        return;
      }
      let found: LostOrderSearch;
      try {
        found = await this.findLostOrder(entry.lostCreateSince);
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        this.saga.settle(entry, 'DONE', `could not look for the order of a lost create (${f.type}); any such order lapses with its hold`);
        return;
      }
      if (found.orderId === null) {
        this.saga.settle(entry, 'SKIPPED', 'the lost create attempt made no order');
        return;
      }
      entry.orderId = found.orderId;
      delete entry.lostCreateSince;
      this.adoptOrder(found.orderId, this.s.round, 'adopted');
      this.note(this.s.phase, `found order ${found.orderId} made by a lost create attempt; releasing it`);
    }
    const orderId = entry.orderId;
    const record = this.s.orders.find((o) => o.orderId === orderId);
    if (record?.state === 'LAPSED' || record?.state === 'CANCELLED') {
      this.saga.settle(entry, 'DONE', `order ${record.state === 'LAPSED' ? 'hold lapsed' : 'already cancelled'}`);
      return;
    }
    let result: 'cancelled' | 'abandoned';
    try {
      result = await this.step('releaseOrder', () =>
        acts.releaseOrder.executeWithOptions(this.opts('compensate', `release order ${orderId}`), [{ session: this.session(), orderId }]),
      );
    } catch (err) {
      const f = describeFailure(err, [this.token]);
      if (f.type === 'OrderExpired' || f.type === 'OrderNotFound') {
        this.markOrder(orderId, 'LAPSED');
        this.saga.settle(entry, 'DONE', 'order hold had already lapsed');
        return;
      }
      this.markOrder(orderId, 'ABANDONED');
      this.saga.settle(entry, 'DONE', `cancel failed (${f.type}); order abandoned to its hold expiry`);
      this.note(this.s.phase, `could not cancel order ${orderId} (${f.type}); abandoned to its hold expiry`);
      return;
    }
    if (result === 'cancelled') {
      this.markOrder(orderId, 'CANCELLED');
      this.saga.settle(entry, 'DONE', 'order cancelled');
      this.note(this.s.phase, `order ${orderId} cancelled`);
      return;
    }
    this.markOrder(orderId, 'ABANDONED');
    this.saga.settle(entry, 'DONE', 'no cancel route: order abandoned to its hold expiry');
    this.note(this.s.phase, `order ${orderId} abandoned to its hold expiry (no cancel route)`);
    await this.confirmLapse(orderId);
  }

  /** Bounded by the deadline: poll order/info on durable timers until the order is no longer PENDING. */
  private async confirmLapse(orderId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const wait = backoffMs(attempt, this.input.limits);
      if (Date.now() + wait > this.deadline) {
        this.note(this.s.phase, `deadline reached before order ${orderId} lapsed; it stays abandoned to its hold expiry`);
        return;
      }
      await wf.sleep(wait, { summary: `wait for the hold of order ${orderId} to lapse` });
      try {
        const info = await this.step('confirmLapse', () =>
          acts.getOrderInfo.executeWithOptions(this.opts('read', `check whether order ${orderId} has lapsed`), [
            { session: this.session(), orderId },
          ]),
        );
        if (info.status !== 'PENDING') {
          this.markOrder(orderId, 'LAPSED');
          this.note(this.s.phase, `order ${orderId} has lapsed (${info.status})`);
          return;
        }
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (f.type === 'OrderExpired' || f.type === 'OrderNotFound') {
          this.markOrder(orderId, 'LAPSED');
          this.note(this.s.phase, `order ${orderId} has lapsed`);
          return;
        }
        this.note(this.s.phase, `cannot check order ${orderId} (${f.type}); it stays abandoned to its hold expiry`);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- steps, tokens, back-off

  private session(): WomeiSession {
    return { token: this.token, cinemaId: this.input.cinemaId };
  }

  private opts(kind: ActivityKind, summary: string) {
    return { ...activityOptions(kind, this.input.limits), summary };
  }

  /**
   * One activity call: counts the attempt, records a failure (redacted) as lastError, and on TokenInvalid in
   * the forward path waits for `refreshToken` and calls again with the new token.
   */
  private async step<T>(step: CheckoutStep, call: () => Promise<T>): Promise<T> {
    for (;;) {
      this.s.attempts[step] = (this.s.attempts[step] ?? 0) + 1;
      try {
        return await call();
      } catch (err) {
        const f = describeFailure(err, [this.token]);
        if (!f.cancelled) this.recordError(step, f);
        if (f.type === 'TokenInvalid' && !this.compensating && (await this.waitForToken(step))) continue;
        throw err;
      }
    }
  }

  private async waitForToken(step: CheckoutStep): Promise<boolean> {
    const wait = Math.min(this.input.limits.tokenWaitSeconds * 1000, this.deadline - Date.now());
    if (wait <= 0) return false;
    const before = this.tokenVersion;
    if (this.tokenWaiters++ === 0) {
      this.phaseBeforeWait = this.s.phase;
      this.setPhase('WAITING_FOR_TOKEN');
    }
    this.note('WAITING_FOR_TOKEN', `${step}: the token expired; waiting up to ${Math.round(wait / 1000)} s for refreshToken`, step);
    try {
      const got = await wf.condition(() => this.tokenVersion > before, wait);
      this.note('WAITING_FOR_TOKEN', got ? `${step}: fresh token received; carrying on` : `${step}: no fresh token came`, step);
      return got;
    } finally {
      if (--this.tokenWaiters === 0 && this.phaseBeforeWait !== undefined) this.setPhase(this.phaseBeforeWait);
    }
  }

  /** Durable back-off before a workflow-level retry; refuses to sleep past the deadline. */
  private async backoff(step: CheckoutStep, attempt: number, f: FailureInfo): Promise<void> {
    const wait = Math.max(backoffMs(attempt, this.input.limits), f.retryAfterMs ?? 0);
    const at = Date.now() + wait;
    if (at >= this.deadline) {
      throw checkoutFailure('DeadlineExceeded', `${step} still failing at the deadline (last: ${f.type}: ${f.message})`);
    }
    this.s.nextAttemptAt = new Date(at).toISOString();
    this.note(this.s.phase, `${step} failed (${f.type}); retrying in ${wait} ms`, step);
    await wf.sleep(wait, { summary: `back off ${wait} ms before retrying ${step}` });
    delete this.s.nextAttemptAt;
  }

  // ---------------------------------------------------------------- state, status, handlers

  private setPhase(phase: CheckoutPhase): void {
    if (this.s.phase === phase) return;
    this.s.phase = phase;
    wf.upsertSearchAttributes([{ key: CHECKOUT_PHASE, value: phase }]);
    wf.setCurrentDetails(`**${phase}**${this.s.orderId ? ` · order ${this.s.orderId}` : ''}`);
  }

  private note(phase: CheckoutPhase, note: string, step?: string): void {
    const entry: TimelineEntry = { at: new Date(Date.now()).toISOString(), phase, ...(step ? { step } : {}), note: redactText(note, [this.token]) };
    // The workflow logger adds workflowId/runId and stays silent during replay.
    wf.log.info(entry.note, { phase, ...(step ? { step } : {}), orderId: this.s.orderId ?? null });
    const t = this.s.timeline;
    t.push(entry);
    if (t.length > TIMELINE_MAX) {
      t.splice(TIMELINE_HEAD, 1);
      this.timelineDropped++;
    }
  }

  private recordError(step: string, f: FailureInfo): void {
    const e: CheckoutErrorInfo = { type: f.type, message: redactText(f.message, [this.token]), step, at: new Date(Date.now()).toISOString() };
    this.s.lastError = e;
  }

  private adoptOrder(orderId: string, round: number, origin: OrderRecord['origin']): void {
    if (!this.s.orders.some((o) => o.orderId === orderId)) this.s.orders.push({ orderId, round, state: 'LIVE', origin });
    if (origin !== 'found-extra') {
      this.s.orderId = orderId;
      wf.upsertSearchAttributes([{ key: CHECKOUT_ORDER_ID, value: orderId }]);
    }
  }

  private markOrder(orderId: string, state: OrderRecord['state']): void {
    const o = this.s.orders.find((r) => r.orderId === orderId);
    if (o) o.state = state;
  }

  private syncCompensations(): void {
    this.s.compensations = this.saga.view();
  }

  private status(): CheckoutStatus {
    this.syncCompensations();
    const timeline =
      this.timelineDropped > 0
        ? [
            ...this.s.timeline.slice(0, TIMELINE_HEAD),
            { at: this.s.timeline[TIMELINE_HEAD]?.at ?? '', phase: this.s.phase, note: `… ${this.timelineDropped} entries omitted …` },
            ...this.s.timeline.slice(TIMELINE_HEAD),
          ]
        : this.s.timeline;
    return { ...this.s, timeline };
  }

  private result(outcome: CheckoutOutcome, extra: Partial<CheckoutResult> = {}): CheckoutResult {
    return {
      outcome,
      requestId: this.input.requestId,
      ...(this.s.orderId !== undefined ? { orderId: this.s.orderId } : {}),
      ...(this.s.prices !== undefined ? { prices: this.s.prices } : {}),
      vouchers: [...this.s.vouchers.bound],
      ...(this.s.reason !== undefined ? { reason: this.s.reason } : {}),
      orders: this.s.orders.map((o) => ({ ...o })),
      attempts: { ...this.s.attempts },
      timeline: this.status().timeline,
      ...extra,
    };
  }

  private async finishCompleted(result: CheckoutResult): Promise<CheckoutResult> {
    this.s.outcome = 'COMPLETED';
    this.saga.retireAll(result.state === 'ISSUED' ? 'not needed: tickets issued' : 'not needed: checkout completed');
    this.setPhase('COMPLETED');
    this.note('COMPLETED', result.state === 'ISSUED' ? 'tickets issued' : 'ready to pay');
    this.finished = true;
    await this.handlersFinished();
    return { ...result, timeline: this.status().timeline };
  }

  private async finishFailed(outcome: 'COMPENSATED' | 'NEEDS_ATTENTION', reason: FailureInfo): Promise<ApplicationFailure> {
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

  private registerHandlers(): void {
    wf.setHandler(statusQuery, () => this.status());

    wf.setHandler(
      replaceVouchersUpdate,
      (spec) => {
        const parsed = parseVoucherSpec(spec, this.input.seats.length);
        this.voucherSpec = parsed;
        this.voucherSpecVersion++;
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
        this.token = parseToken(token);
        this.tokenVersion++;
        this.note(this.s.phase, 'fresh token received (refreshToken)');
        return { phase: this.s.phase, resumed };
      },
      {
        validator: (token) => {
          if (this.finished) throw new Error('the checkout has finished');
          parseToken(token);
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

function pricesOf(p: OrderPrice): PricesYuan {
  return {
    total: p.orderTotalPrice,
    payment: p.orderPaymentPrice,
    vouchers: p.voucherUse?.useTotalPrice ?? 0,
    ticketSingle: p.ticketSinglePrice,
    ticketNum: p.ticketNum,
  };
}
