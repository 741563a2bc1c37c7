/**
 * The `checkout` workflow (README.md, "The checkout"): the input parsed at the door, then the run: the forward
 * path in order rounds (steps/order.ts, steps/vouchers.ts, steps/binding.ts, the pivot in steps/payment.ts),
 * and its outcome. COMPLETED returns the result; COMPENSATED and NEEDS_ATTENTION fail typed, with the result
 * as details[0]; a client cancel ends Canceled, compensated. Only deterministic modules are imported
 * (activities as types); a change of the command sequence goes behind `patched()` (test/workflow/replay.test.ts).
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import { failureIs, traitsOf } from '../src/failure-types';
import { toFen } from '../src/womei/money';
import { isSealedToken } from '../src/seal/format';
import { checkoutFailure, describeFailure, type FailureInfo } from './failures';
import { announce, handlersFinished } from './handlers';
import { InvalidInput, onlySameSeatRefusal, parseCheckoutInput } from './input';
import type { CheckoutInput, CheckoutRequest } from './input';
import { NEEDS_ATTENTION_FAILURE, type CheckoutOutcome, type CheckoutResult } from './messages';
import { createRun, type CheckoutRun } from './run';
import { leanShape } from './shape';
import { bindAndVerify, codesMayBeBound } from './steps/binding';
import { createOrder, priceOrder } from './steps/order';
import { payAndConfirm } from './steps/payment';
import { chooseVouchers, loadWallet } from './steps/vouchers';

export async function checkout(raw: CheckoutRequest): Promise<CheckoutResult> {
  let input: CheckoutInput;
  try {
    input = parseAtTheDoor(raw);
  } catch (err) {
    if (err instanceof InvalidInput) {
      throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true, details: [err.issues] });
    }
    throw err;
  }
  // A plaintext token would sit readable in history and reach activities: refused, nothing is sent to Womei.
  // Histories from before sealing carry plaintext tokens; they have no patch marker here and replay as they ran.
  if (!isSealedToken(input.token) && wf.patched('refuse-plaintext-token')) {
    throw checkoutFailure(
      'TokenNotSealed',
      'the token is not sealed: clients seal it with TOKEN_SEAL_PUBLIC_KEY; a plaintext token is refused and nothing is sent to Womei',
    );
  }
  return runCheckout(createRun(input));
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

/** The forward path, then the outcome: completed, compensated, or needing attention. */
async function runCheckout(run: CheckoutRun): Promise<CheckoutResult> {
  const { status } = run;
  announce(run);
  let completed: CheckoutResult | undefined;
  let forwardError: unknown;
  try {
    completed = await forward(run);
  } catch (err) {
    forwardError = err;
  }
  // Outside the try: nothing that happens after completion (e.g. a late cancel) may compensate it.
  if (completed !== undefined) return finishCompleted(run, completed);
  // A plain Error here is a bug in workflow code, not a checkout failure: let it fail the workflow task (the
  // SDK retries the task) so a fixed worker resumes the checkout where it stopped, instead of compensating.
  if (!(forwardError instanceof TemporalFailure)) throw forwardError;

  const reason = describeFailure(forwardError, [run.token.value]);
  status.reason = { type: reason.type, message: reason.message };
  if (run.pivot !== 'none') {
    // Nothing is compensated after the pivot: the payment may have gone through.
    status.note('NEEDS_ATTENTION', `payment step failed after the pivot (${reason.type}); not compensating: ${reason.message}`);
    throw await finishFailed(run, 'NEEDS_ATTENTION', reason);
  }
  run.compensating = true;
  status.setPhase('COMPENSATING');
  status.note('COMPENSATING', `compensating (${reason.type}): ${reason.message}`);
  if (!(await run.saga.compensate())) throw await finishFailed(run, 'NEEDS_ATTENTION', reason);
  const failure = await finishFailed(run, 'COMPENSATED', reason);
  // A client cancellation ends as Canceled (compensated first); every other reason as the typed failure.
  if (reason.cancelled) throw new CancelledFailure('checkout cancelled; compensated', [resultOf(run, 'COMPENSATED')]);
  throw failure;
}

/** Order rounds: a round whose seat hold lapses releases its order and starts again with a new one. */
async function forward(run: CheckoutRun): Promise<CheckoutResult> {
  const { input, status } = run;
  // The wallet does not need the order: list it beside the create. A failure surfaces where it is awaited.
  const walletLoad = loadWallet(run);
  walletLoad.catch(() => undefined);

  let orderId: string;
  for (let round = 1; ; round++) {
    status.round = round;
    orderId = await createOrder(run, round);
    if (round === 1) await walletLoad;
    try {
      await priceOrder(run, orderId);
      await chooseAndBind(run, orderId);
      break;
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      if (!failureIs(f, 'OrderExpired')) throw err;
      status.markOrder(orderId, 'LAPSED');
      if (round >= input.limits.maxOrderRounds) {
        throw checkoutFailure('OrderExpired', `the seat hold of order ${orderId} lapsed and ${round} order round(s) are used up`);
      }
      if (Date.now() >= run.deadline) throw checkoutFailure('DeadlineExceeded', `the hold of order ${orderId} lapsed at the deadline`);
      status.note(status.phase, `the seat hold of order ${orderId} lapsed; releasing it and starting order round ${round + 1}`);
      if (!(await releaseLapsedOrder(run, orderId))) throw checkoutFailure('CompensationFailed', `could not release lapsed order ${orderId}`);
    }
  }

  if (input.payIfFree && toFen(status.prices!.payment) === 0) {
    return resultOf(run, 'COMPLETED', await payAndConfirm(run, orderId, status.vouchers.bound));
  }
  return resultOf(run, 'COMPLETED', { orderId, state: 'READY_TO_PAY' });
}

/**
 * Chooses the vouchers and binds them. The lean shape (shape.ts) binds first, spending 2 validations on a
 * 2-voucher happy path instead of 4: after a VoucherNotUsable refusal the codes are pre-checked
 * (answers cached) and chosen again: an explicit culprit ends the checkout naming it (compensated), a `best` one
 * is replaced. A refusal no pre-check explains stands as Womei gave it: binding the same codes again would
 * spend validations for the same answer.
 */
async function chooseAndBind(run: CheckoutRun, orderId: string): Promise<void> {
  if (!leanShape()) {
    await bindAndVerify(run, orderId, await chooseVouchers(run, orderId, { precheck: true }));
    return;
  }
  const codes = await chooseVouchers(run, orderId, { precheck: false });
  try {
    await bindAndVerify(run, orderId, codes);
  } catch (err) {
    const f = describeFailure(err, [run.token.value]);
    if (f.cancelled || !traitsOf(f.type).voucherRefused) throw err;
    run.status.note(run.status.phase, `the bind was refused (${f.type}); pre-checking each code to find which`);
    const again = await chooseVouchers(run, orderId, { precheck: true });
    if (again.length === codes.length && again.every((c) => codes.includes(c))) throw err;
    await bindAndVerify(run, orderId, again);
  }
}

/**
 * Runs the lapsed order's undos (unbind, release) before a new round. Each settles its entry and none
 * registers another for this order, so a failure is what can go wrong.
 */
async function releaseLapsedOrder(run: CheckoutRun, orderId: string): Promise<boolean> {
  const wasCompensating = run.compensating;
  run.compensating = true;
  try {
    return await run.saga.compensate(orderId);
  } finally {
    run.compensating = wasCompensating;
  }
}

function resultOf(run: CheckoutRun, outcome: CheckoutOutcome, extra: Partial<CheckoutResult> = {}): CheckoutResult {
  const { status } = run;
  const mayBeBound = outcome === 'COMPLETED' ? [] : codesMayBeBound(run);
  return {
    outcome,
    requestId: run.input.requestId,
    ...(status.orderId !== undefined ? { orderId: status.orderId } : {}),
    ...(status.prices !== undefined ? { prices: status.prices } : {}),
    vouchers: [...status.vouchers.bound],
    ...(mayBeBound.length > 0 ? { vouchersMayBeBound: mayBeBound } : {}),
    ...(status.reason !== undefined ? { reason: status.reason } : {}),
    orders: status.orders.map((o) => ({ ...o })),
    ...(status.foreignOrders !== undefined ? { foreignOrders: status.foreignOrders.map((f) => ({ ...f })) } : {}),
    attempts: { ...status.attempts },
    timeline: status.timeline(),
    ...extra,
  };
}

async function finishCompleted(run: CheckoutRun, result: CheckoutResult): Promise<CheckoutResult> {
  const { status } = run;
  const issued = result.state === 'ISSUED';
  status.outcome = 'COMPLETED';
  run.saga.retireAll(issued ? 'not needed: tickets issued' : 'not needed: checkout completed');
  status.setPhase('COMPLETED');
  status.note('COMPLETED', issued ? 'tickets issued' : 'ready to pay');
  run.finished = true;
  await handlersFinished();
  return { ...result, timeline: status.timeline() };
}

/** The failure the workflow ends with: the reason's type when compensated, NeedsAttention otherwise. */
async function finishFailed(run: CheckoutRun, outcome: 'COMPENSATED' | 'NEEDS_ATTENTION', reason: FailureInfo): Promise<ApplicationFailure> {
  const { status } = run;
  const compensated = outcome === 'COMPENSATED';
  status.outcome = outcome;
  status.setPhase(outcome);
  status.note(outcome, compensated ? `compensated (${reason.type})` : `needs attention (${reason.type})`);
  run.finished = true;
  await handlersFinished();
  const failed = run.saga.failed();
  const attention = failed.length > 0 ? failed.map((c) => `${c.kind} ${c.orderId ?? ''}: ${c.note ?? ''}`).join('; ') : 'the payment could not be confirmed';
  return ApplicationFailure.create({
    type: compensated ? reason.type : NEEDS_ATTENTION_FAILURE,
    message: compensated
      ? `checkout compensated: ${reason.type}: ${reason.message}`
      : `checkout needs attention: ${attention} (cause ${reason.type}: ${reason.message})`,
    nonRetryable: true,
    details: [resultOf(run, outcome)],
  });
}
