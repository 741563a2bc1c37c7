/**
 * Activity options and retry policies, declared ONCE. Every activity call in the checkout takes its options
 * from `activityOptions(kind, limits)` and adds only a per-call `summary` (the Web UI's line).
 *
 * Which failures a retry can fix is decided by the failure type: the Womei client's non-retryable types
 * (src/womei/errors.ts) are listed here as `nonRetryableErrorTypes`, and the activities also mark those
 * failures non-retryable themselves (belt and braces: a policy edit cannot start retrying a refusal).
 *
 * Why the kinds differ:
 * - create: ONE attempt. `order/ticket/` is not idempotent; an attempt whose answer was lost may have made an
 *   order, so the workflow looks for it (findLostOrder) before creating again. Temporal must not retry blindly.
 * - precheck: ONE attempt. Each `order/voucher/price/` spends one of the user's ~5 daily validations, and a
 *   retried call after a lost answer spends another for the same answer. The workflow retries only a gateway
 *   429 (refused before it reached Womei) and otherwise leaves the code "unchecked" for the bind to decide.
 * - bind: ONE attempt per activity; the retries are the workflow's durable back-off loop around it, so the
 *   workflow sees every attempt's outcome (an attempt whose answer was lost may have bound: its unbind must
 *   not be skipped because a later attempt was refused), verifies, watches the hold, stops at the deadline.
 * - pay: ONE attempt (after the pivot nothing is blind); an unclear answer is settled by reading the order.
 * - read / price / poll: idempotent, a handful of attempts with back-off.
 * - compensate: idempotent, more attempts, a longer budget; the workflow keeps going after that in NEEDS_ATTENTION.
 */
import { ActivityCancellationType } from '@temporalio/common';
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_WOMEI_FAILURES } from '../src/womei/errors';
import { TOKEN_NOT_SEALED } from '../src/seal/format';
import type { CheckoutInput } from './input';

export type ActivityKind = 'create' | 'read' | 'price' | 'precheck' | 'bind' | 'compensate' | 'pay' | 'poll';

/**
 * Failure types no retry can fix (Womei's refusals, the checkout's own input refusal, and an unsealed token,
 * which the activity refuses before sending anything).
 */
export const NON_RETRYABLE_FAILURE_TYPES: readonly string[] = [...NON_RETRYABLE_WOMEI_FAILURES, 'InvalidInput', TOKEN_NOT_SEALED];

/** Failure types that mean "refused, nothing was changed on Womei's side": Womei's answers, and an unsealed token. */
export const REFUSAL_FAILURE_TYPES: readonly string[] = [...NON_RETRYABLE_WOMEI_FAILURES.filter((t) => t !== 'WomeiProtocolError'), TOKEN_NOT_SEALED];

/** Failure types that mean "this call changed nothing on Womei's side": a refusal, or the gateway's 429. */
export const NOTHING_APPLIED_FAILURE_TYPES: readonly string[] = [...REFUSAL_FAILURE_TYPES, 'WomeiRateLimited'];

/** A call that failed with these may have landed: its answer was lost or unreadable. */
export const ANSWER_LOST_FAILURE_TYPES: readonly string[] = ['WomeiUnavailable', 'ActivityTimeout', 'UnexpectedActivityError', 'WomeiProtocolError'];

/** The order is gone: its hold lapsed (or Womei no longer knows it). Nothing on it can be changed or consumed. */
export const ORDER_GONE_FAILURE_TYPES: readonly string[] = ['OrderExpired', 'OrderNotFound'];

/** Transient: the workflow's durable loop may try again. `ActivityTimeout` is the workflow's name for a timed-out call. */
export const TRANSIENT_FAILURE_TYPES: readonly string[] = [
  'WomeiUnavailable',
  'WomeiRateLimited',
  'ActivityTimeout',
  'UnexpectedActivityError',
];

const ATTEMPTS: Record<ActivityKind, number> = {
  create: 1,
  precheck: 1,
  pay: 1,
  bind: 1,
  read: 5,
  price: 5,
  poll: 5,
  compensate: 8,
};

/** Per-attempt cap of the activities' own back-off (the workflow's durable loop goes up to `backoffMaxMs`). */
const ACTIVITY_MAX_INTERVAL_MS = 30_000;

type Limits = CheckoutInput['limits'];

export function retryPolicy(kind: ActivityKind, limits: Limits): RetryPolicy {
  return {
    maximumAttempts: ATTEMPTS[kind],
    initialInterval: limits.backoffInitialMs,
    backoffCoefficient: 2,
    maximumInterval: Math.max(limits.backoffInitialMs, Math.min(limits.backoffMaxMs, ACTIVITY_MAX_INTERVAL_MS)),
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  };
}

export function activityOptions(kind: ActivityKind, limits: Limits): ActivityOptions {
  return {
    // Longer than the Womei client's own request timeout (WOMEI_TIMEOUT_MS), so a slow answer is the client's
    // typed WomeiUnavailable, and a dead worker is noticed after this long.
    startToCloseTimeout: limits.callTimeoutMs,
    // Stated explicitly: an unset value reaches the server as TRY_CANCEL. Waiting for the call to finish keeps
    // a cancelled bind from landing after the compensating unbind.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: retryPolicy(kind, limits),
  };
}

/** Durable back-off of the workflow's own retry loops: initial × 2^(n−1), capped. Deterministic (no jitter). */
export function backoffMs(attempt: number, limits: Limits): number {
  const exp = Math.min(30, Math.max(0, attempt - 1));
  return Math.min(limits.backoffMaxMs, limits.backoffInitialMs * 2 ** exp);
}
