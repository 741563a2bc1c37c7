/**
 * Failures inside the workflow: reading what type an activity (or the workflow's own check) failed with,
 * whether it was a cancellation and the server's advised wait; and raising the workflow's own. What a type
 * means is src/failure-types.ts.
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';
import { traitsOf, type FailureType } from '../src/failure-types';
import { redactText } from '../src/redact';

export interface FailureInfo {
  /** A type of src/failure-types.ts, or the name of something it does not know (an SDK failure, a bug). */
  type: string;
  /** Redacted (token-shaped strings and the given secrets masked). */
  message: string;
  cancelled: boolean;
  /** Womei's `ratelimit-reset`, when it sent one. */
  retryAfterMs?: number;
}

function retryAfterOf(f: ApplicationFailure): number | undefined {
  const d = f.details?.[0] as { retryAfterMs?: unknown } | undefined;
  if (d && typeof d.retryAfterMs === 'number' && d.retryAfterMs > 0) return d.retryAfterMs;
  return undefined;
}

export function describeFailure(err: unknown, secrets: readonly string[] = []): FailureInfo {
  const clean = (m: string) => redactText(m, secrets);
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const retryAfterMs = retryAfterOf(cause);
      return {
        type: cause.type ?? 'ApplicationFailure',
        message: clean(cause.message),
        cancelled: false,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (cause instanceof TimeoutFailure) return { type: named('ActivityTimeout'), message: clean(`${err.activityType}: ${cause.message}`), cancelled: false };
    if (cause instanceof CancelledFailure) return { type: named('Cancelled'), message: clean(cause.message), cancelled: true };
    return { type: cause?.name ?? 'ActivityFailure', message: clean(cause?.message ?? err.message), cancelled: false };
  }
  if (err instanceof ApplicationFailure) {
    const retryAfterMs = retryAfterOf(err);
    return { type: err.type ?? 'ApplicationFailure', message: clean(err.message), cancelled: false, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if (isCancellation(err)) return { type: named('Cancelled'), message: 'the checkout was cancelled', cancelled: true };
  if (err instanceof Error) return { type: err.name, message: clean(err.message), cancelled: false };
  return { type: 'Error', message: clean(String(err)), cancelled: false };
}

const named = (type: FailureType): FailureType => type;

/** A failure the workflow raises itself (a check of its own, not an activity). */
export function checkoutFailure(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !traitsOf(type).retryable });
}
