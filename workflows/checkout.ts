/**
 * The `checkout` workflow: create order → (wallet in parallel) → price → choose vouchers → pre-check → bind →
 * verify → optional 0-yuan pivot, as a saga (README.md, "The checkout").
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
 * PARTS. This file is the entry and the forward path. checkout-state.ts owns the status, search attributes,
 * memo, result and handlers; checkout-steps.ts makes every Womei call (token wait, back-off);
 * checkout-vouchers.ts chooses, pre-checks, binds and verifies vouchers; checkout-compensation.ts undoes;
 * checkout-context.ts is what they share.
 *
 * DETERMINISM. Only deterministic modules are imported, here and in every checkout-*.ts part (activities as
 * TYPES only). Once a version of this workflow has shipped, any change to the sequence of commands
 * (activities, timers, search attribute upserts) must be gated with `patched('<id>')` (and later
 * `deprecatePatch`), and the replay tests in test/workflow/replay.test.ts must keep passing on the saved
 * histories under test/histories/.
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import { toFen } from '../src/womei/money';
import { isSealedToken, TOKEN_NOT_SEALED } from '../src/seal/format';
import { InvalidInput, onlySameSeatRefusal, parseCheckoutInput } from './input';
import type { CheckoutInput, CheckoutRequest } from './input';
import type { CheckoutResult } from './messages';
import { NOTHING_APPLIED_FAILURE_TYPES, REFUSAL_FAILURE_TYPES } from './policy';
import { checkoutFailure, describeFailure } from './failures';
import { pricesOf } from './vouchers';
import { createRunContext } from './checkout-context';
import type { LiveOrder, RunContext } from './checkout-context';
import { acts } from './checkout-steps';
import { VoucherStages } from './checkout-vouchers';
import { Compensator } from './checkout-compensation';

/** Create attempts per order round (an ambiguous attempt is followed by a search before the next). */
const MAX_CREATE_ATTEMPTS = 5;
/** Pay attempts on a 0-yuan order whose payment answer was unclear. */
const MAX_PAY_ATTEMPTS = 3;

export async function checkout(raw: CheckoutRequest): Promise<CheckoutResult> {
  let input: CheckoutInput;
  try {
    input = parseAtTheDoor(raw);
  } catch (err) {
    if (err instanceof InvalidInput) {
      throw ApplicationFailure.create({ type: 'InvalidInput', message: err.message, nonRetryable: true, details: [err.issues] });
    }
    throw err;
  }
  // A plaintext token would sit readable in history and reach activities: refused, nothing is sent to Womei.
  // Histories from before sealing carry plaintext tokens; they have no patch marker here and replay as they ran.
  if (!isSealedToken(input.token) && wf.patched('refuse-plaintext-token')) {
    throw ApplicationFailure.create({
      type: TOKEN_NOT_SEALED,
      message: 'the token is not sealed: clients seal it with TOKEN_SEAL_PUBLIC_KEY; a plaintext token is refused and nothing is sent to Womei',
      nonRetryable: true,
    });
  }
  return new CheckoutRun(createRunContext(input)).run();
}

function parseAtTheDoor(raw: CheckoutRequest): CheckoutInput {
  const now = wf.workflowInfo().startTime.getTime();
  try {
    return parseCheckoutInput(raw, { now });
  } catch (err) {
    // Two differently written labels of one seat were accepted before the canonical rule: a run that began
    // then carries on as it did (patched() is false only when replaying such a history).
    if (err instanceof InvalidInput && onlySameSeatRefusal(err, raw) && !wf.patched('refuse-same-seat-twice')) {
      return parseCheckoutInput(raw, { now, sameSeatTwice: 'allow' });
    }
    throw err;
  }
}

/** Orchestrates the forward path and decides, when it fails, between compensating and needing attention. */
class CheckoutRun {
  private readonly vouchers: VoucherStages;
  private readonly compensation: Compensator;
  /** 'none' → 'attempting' (pay sent, outcome unclear) → 'passed' (paid): no compensation from 'attempting' on. */
  private pivot: 'none' | 'attempting' | 'passed' = 'none';

  constructor(private readonly ctx: RunContext) {
    this.vouchers = new VoucherStages(ctx);
    this.compensation = new Compensator(ctx);
  }

  async run(): Promise<CheckoutResult> {
    const { state } = this.ctx;
    state.start();

    let completed: CheckoutResult | undefined;
    let forwardError: unknown;
    try {
      completed = await this.forward();
    } catch (err) {
      forwardError = err;
    }
    // Outside the try: nothing that happens after completion (e.g. a late cancel) may compensate it.
    if (completed !== undefined) return state.finishCompleted(completed);
    // A plain Error here is a bug in workflow code, not a checkout failure: let it fail the workflow task (the
    // SDK retries the task) so a fixed worker resumes the checkout where it stopped, instead of compensating.
    if (!(forwardError instanceof TemporalFailure)) throw forwardError;

    const reason = describeFailure(forwardError, [state.token]);
    state.setReason(reason);
    if (this.pivot !== 'none') {
      // Nothing is compensated after the pivot: the payment may have gone through.
      state.note('NEEDS_ATTENTION', `payment step failed after the pivot (${reason.type}); not compensating: ${reason.message}`);
      throw await state.finishFailed('NEEDS_ATTENTION', reason);
    }
    const clean = await wf.CancellationScope.nonCancellable(() => this.compensation.compensateAll(reason));
    if (!clean) throw await state.finishFailed('NEEDS_ATTENTION', reason);
    const failure = await state.finishFailed('COMPENSATED', reason);
    // A client cancellation ends as Canceled (compensated first); every other reason as the typed failure.
    if (reason.cancelled) throw new CancelledFailure('checkout cancelled; compensated', [state.result('COMPENSATED')]);
    throw failure;
  }

  private async forward(): Promise<CheckoutResult> {
    const { input, deadline, state } = this.ctx;
    const walletLoad = this.vouchers.loadWallet();
    // The wallet does not need the order: list it beside the create. A failure surfaces where it is awaited.
    walletLoad.catch(() => undefined);

    let order: LiveOrder | undefined;
    for (let round = 1; ; round++) {
      state.startRound(round);
      order = await this.createOrderRound(round);
      if (round === 1) await walletLoad;
      try {
        await this.priceOrder(order);
        const codes = await this.vouchers.chooseAndPrecheck(order);
        await this.vouchers.bindAndVerify(order, codes);
        break;
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (f.type !== 'OrderExpired') throw err;
        state.markOrder(order.orderId, 'LAPSED');
        if (round >= input.limits.maxOrderRounds) {
          throw checkoutFailure('OrderExpired', `the seat hold of order ${order.orderId} lapsed and ${round} order round(s) are used up`);
        }
        if (Date.now() >= deadline) throw checkoutFailure('DeadlineExceeded', `the hold of order ${order.orderId} lapsed at the deadline`);
        state.note(state.phase, `the seat hold of order ${order.orderId} lapsed; releasing it and starting order round ${round + 1}`);
        const done = await wf.CancellationScope.nonCancellable(() => this.compensation.compensateOrder(order!.orderId));
        if (!done) throw checkoutFailure('CompensationFailed', `could not release lapsed order ${order.orderId}`);
      }
    }

    const bound = state.bound;
    if (input.payIfFree && toFen(state.prices!.payment) === 0) {
      return this.payAndConfirm(order, bound);
    }
    return state.result('COMPLETED', { orderId: order.orderId, state: 'READY_TO_PAY' });
  }

  /**
   * One order round: create, or adopt the order a lost create answer made. Never two live orders, and never
   * another checkout's: an order is this checkout's only when it holds its claim (activities/index.ts).
   */
  private async createOrderRound(round: number): Promise<LiveOrder> {
    const { input, state, steps, saga } = this.ctx;
    state.setPhase('CREATING_ORDER');
    // Registered before the create: if the answer is lost, compensation still finds and releases the order.
    const release = saga.register('releaseOrder');
    for (let attempt = 1; ; attempt++) {
      if (release.lostCreateSince !== undefined) {
        const found = await this.compensation.findLostOrder(release);
        if (found.orderId !== null) {
          const note = `adopted order ${found.orderId}, made by a create attempt whose answer was lost`;
          this.compensation.adoptLostOrder(release, found.orderId, round, 'CREATING_ORDER', note);
          return { orderId: found.orderId };
        }
        state.note('CREATING_ORDER', 'no order of this checkout from the lost create attempt; creating again');
      }
      const since = Date.now();
      // Until an answer comes, this attempt may have made an order (lost answer, worker death, cancellation).
      release.lostCreateSince ??= since;
      try {
        const created = await steps.step('createOrder', () =>
          acts.createOrder.executeWithOptions(steps.opts('create', `create order: ${input.seats.length} seat(s) on schedule ${input.scheduleId}`), [
            { session: steps.session(), scheduleId: input.scheduleId, seatLabels: [...input.seats] },
          ]),
        );
        if (created.claimedBy !== undefined) {
          // Womei made the order for us, but another checkout of this user claimed it first (it found it while
          // looking for its own lost order): it is that checkout's now. Never release or bind it; create again,
          // which Womei refuses while that order holds the seats.
          state.leaveAlone(
            created.orderId,
            `order ${created.orderId} came from this checkout's create, but checkout ${created.claimedBy} claimed it first; left to it`,
          );
          if (release.lostCreateSince === since) delete release.lostCreateSince;
          if (attempt >= MAX_CREATE_ATTEMPTS) {
            throw checkoutFailure('SeatUnavailable', `every order created for these seats was claimed by another checkout (${attempt} attempt(s))`);
          }
          continue;
        }
        release.orderId = created.orderId;
        delete release.lostCreateSince;
        delete release.lostCreateUntil;
        state.adoptOrder(created.orderId, round, 'created');
        state.note('CREATING_ORDER', `order ${created.orderId} created (round ${round})`);
        return { orderId: created.orderId };
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (NOTHING_APPLIED_FAILURE_TYPES.includes(f.type)) {
          // Womei answered "no" (or the gateway refused): this attempt made nothing.
          if (release.lostCreateSince === since) delete release.lostCreateSince;
        } else {
          // This attempt may have made an order until now: the search window reaches this far.
          release.lostCreateUntil = Date.now();
        }
        if (f.cancelled) throw err;
        // A refusal ends the checkout; the gateway's 429 is retried below.
        if (REFUSAL_FAILURE_TYPES.includes(f.type)) throw err;
        if (attempt >= MAX_CREATE_ATTEMPTS) throw err;
        await steps.backoff('createOrder', attempt, f);
      }
    }
  }

  private async priceOrder(order: LiveOrder): Promise<void> {
    const { state, steps } = this.ctx;
    state.setPhase('PRICING');
    const price = await steps.step('priceOrder', () =>
      acts.priceOrder.executeWithOptions(steps.opts('price', `price order ${order.orderId} without vouchers`), [
        { session: steps.session(), orderId: order.orderId },
      ]),
    );
    state.setPrices(pricesOf(price));
    state.note('PRICING', `order ${order.orderId} priced: ${price.orderTotalPrice} yuan for ${price.ticketNum} ticket(s)`);
  }

  /** The pivot: pay a 0-yuan order, poll until SUCCESS, confirm the tickets. Nothing is compensated after it. */
  private async payAndConfirm(order: LiveOrder, codes: readonly string[]): Promise<CheckoutResult> {
    const { input, state, steps } = this.ctx;
    const { limits } = input;
    state.setPhase('PAYING');
    for (let attempt = 1; ; attempt++) {
      this.pivot = 'attempting';
      try {
        await steps.step('payOrder', () =>
          acts.payOrder.executeWithOptions(steps.opts('pay', `pay 0-yuan order ${order.orderId}`), [
            { session: steps.session(), orderId: order.orderId, mobile: input.mobile ?? '' },
          ]),
        );
        break;
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (REFUSAL_FAILURE_TYPES.includes(f.type)) {
          this.pivot = 'none'; // refused: no payment happened, compensation is still right
          throw err;
        }
        // Unclear: did it go through? The order says.
        const info = await steps.orderInfo(order.orderId, 'payOrder', `check whether order ${order.orderId} was paid`);
        if (info.status !== 'PENDING') break;
        if (attempt >= MAX_PAY_ATTEMPTS) throw err;
        await steps.backoff('payOrder', attempt, f);
      }
    }
    this.pivot = 'passed';
    state.markOrder(order.orderId, 'PAID');
    state.note('PAYING', `payment of order ${order.orderId} sent; polling until issued`);

    let status = '';
    for (let poll = 1; poll <= limits.maxPaymentPolls; poll++) {
      const q = await steps.step('queryPayment', () =>
        acts.queryPayment.executeWithOptions(steps.opts('poll', `poll payment of order ${order.orderId} (${poll})`), [
          { session: steps.session(), orderId: order.orderId },
        ]),
      );
      status = q.status;
      state.setPayment({ status, ticketCodes: [] });
      if (status === 'SUCCESS') break;
      await wf.sleep(limits.paymentPollMs, { summary: `wait before polling payment of order ${order.orderId} again` });
    }
    if (status !== 'SUCCESS') {
      throw checkoutFailure('PaymentUnconfirmed', `order ${order.orderId} payment still ${status || 'unknown'} after ${limits.maxPaymentPolls} polls`);
    }
    const info = await steps.orderInfo(order.orderId, 'confirmIssued', `confirm order ${order.orderId} is issued`);
    const missing = codes.filter((c) => !(info.voucherUse?.useCodes ?? []).includes(c));
    const ticketCodes = info.ticketCodes.filter((t) => t.code !== '');
    if (info.status !== 'SUCCESS' || missing.length > 0 || ticketCodes.length === 0) {
      throw checkoutFailure(
        'IssueUnconfirmed',
        `order ${order.orderId} is ${info.status}; ${missing.length} voucher(s) missing from voucher_use; ${ticketCodes.length} ticket code(s)`,
      );
    }
    state.setPayment({ status: 'SUCCESS', ticketCodes });
    state.note('PAYING', `order ${order.orderId} issued with ${ticketCodes.length} ticket code(s)`);
    return state.result('COMPLETED', { orderId: order.orderId, state: 'ISSUED', ticketCodes });
  }
}
