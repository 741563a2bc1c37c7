/**
 * The ONE mapping from what the Womei client throws to what Temporal sees. A typed `WomeiError` becomes an
 * `ApplicationFailure` whose `type` is the error's type (the workflow and the retry policies branch on it),
 * non-retryable when a retry cannot help, and, for a gateway 429, with `nextRetryDelay` set to the server's
 * `ratelimit-reset` so the next attempt waits exactly as long as Womei asked. Messages are redacted.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { redactText } from '../src/redact';
import { TokenSealError } from '../src/seal/seal';
import type { WomeiError, WomeiErrorDetails } from '../src/womei/errors';

type WomeiErrorLike = Pick<WomeiError, 'type' | 'retryable' | 'message'> & Partial<WomeiErrorDetails>;

/**
 * Duck-typed rather than `instanceof`: jest module registries and bundles can load errors.ts twice, and the
 * contract is the `type`/`retryable` pair, not the class identity.
 */
export function isWomeiError(err: unknown): err is WomeiErrorLike {
  return (
    err instanceof Error &&
    typeof (err as Partial<WomeiErrorLike>).type === 'string' &&
    typeof (err as Partial<WomeiErrorLike>).retryable === 'boolean'
  );
}

/** Failure type of an unexpected error in activity code (a bug, not Womei): retryable, so a fix heals it. */
export const UNEXPECTED_ACTIVITY_ERROR = 'UnexpectedActivityError';

/**
 * Converts anything an activity caught into what it should throw. `secrets` (the token) are masked out of
 * messages even if a lower layer forgot to.
 */
export function toActivityFailure(err: unknown, secrets: readonly (string | undefined)[] = []): Error {
  if (err instanceof ApplicationFailure || err instanceof CancelledFailure) return err;
  // A token that does not open: nothing reached Womei. Its message names a key id at most.
  if (err instanceof TokenSealError) return ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: !err.retryable });
  if (isWomeiError(err)) {
    // Attached to every mapped failure: Womei's own message and codes and the endpoint, no secrets.
    const details: WomeiErrorDetails = {
      endpoint: err.endpoint ?? 'unknown',
      ...(err.ret !== undefined ? { ret: err.ret } : {}),
      ...(err.sub !== undefined ? { sub: err.sub } : {}),
      ...(err.womeiMsg !== undefined ? { womeiMsg: redactText(err.womeiMsg, secrets) } : {}),
      ...(err.httpStatus !== undefined ? { httpStatus: err.httpStatus } : {}),
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
    const nextRetryDelay =
      err.type === 'WomeiRateLimited' && err.retryAfterMs !== undefined && err.retryAfterMs > 0 ? err.retryAfterMs : undefined;
    return ApplicationFailure.create({
      type: err.type,
      message: redactText(err.message, secrets),
      nonRetryable: !err.retryable,
      details: [details],
      ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}),
    });
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return ApplicationFailure.create({ type: UNEXPECTED_ACTIVITY_ERROR, message: redactText(message, secrets), nonRetryable: false });
}
