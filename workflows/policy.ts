/**
 * Activity options and retry policies, declared ONCE: every activity call of the checkout takes its options
 * from `activityOptions(kind, limits)` (through call.ts) and adds only its `summary`, the Web UI's line.
 */
import { ActivityCancellationType } from '@temporalio/common';
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_ACTIVITY_FAILURES } from '../src/failure-types';
import type { CheckoutInput } from './input';

export type ActivityKind = 'create' | 'read' | 'price' | 'precheck' | 'bind' | 'compensate' | 'pay' | 'poll';

/** Temporal's attempts per activity call; the workflow's own loops (durable back-off) come on top. */
const ATTEMPTS: Record<ActivityKind, number> = {
  // `order/ticket/` is not idempotent: an attempt whose answer was lost may have made an order, so the workflow
  // looks for it (findLostOrder) before creating again. Temporal must not retry blindly.
  create: 1,
  // Each `order/voucher/price/` spends one of the user's ~5 daily validations, and a retry after a lost answer
  // spends another for the same answer. The workflow asks again only after a gateway 429.
  precheck: 1,
  // After the pivot nothing is blind: an unclear answer is settled by reading the order.
  pay: 1,
  // The retries are the workflow's loop around it, so it sees every attempt's outcome: an attempt whose answer
  // was lost may have bound (its unbind must not be skipped because a later attempt was refused).
  bind: 1,
  // Idempotent.
  read: 5,
  price: 5,
  poll: 5,
  // Idempotent, and worth more tries; the workflow keeps going after them in NEEDS_ATTENTION.
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
    // The activities also mark these failures non-retryable themselves: a policy edit cannot start retrying a refusal.
    nonRetryableErrorTypes: [...NON_RETRYABLE_ACTIVITY_FAILURES],
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
