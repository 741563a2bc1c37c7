/**
 * A checkout's result as a caller reads it: COMPENSATED and NEEDS_ATTENTION end the workflow as a failure (a
 * cancelled one as a cancellation) carrying the CheckoutResult as details[0]; a cancellation whose event
 * carries none is read from the status.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { CheckoutResult, CheckoutStatus } from '../workflows/messages';

/** The result a failed checkout carries, if it carries one. */
export function outcomeOf(error: unknown): CheckoutResult | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  let cause: unknown = error.cause;
  while (cause) {
    if (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) {
      const details = cause.details?.[0] as CheckoutResult | undefined;
      if (details && typeof details === 'object' && 'outcome' in details) return details;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

export function resultFromStatus(status: CheckoutStatus): CheckoutResult {
  return {
    outcome: status.outcome ?? 'COMPENSATED',
    requestId: status.requestId,
    orderId: status.orderId,
    prices: status.prices,
    vouchers: status.vouchers.bound,
    ...(status.vouchers.mayBeBound?.length ? { vouchersMayBeBound: status.vouchers.mayBeBound } : {}),
    reason: status.reason ?? { type: 'Cancelled', message: 'cancelled by the client' },
    orders: status.orders,
    ...(status.foreignOrders !== undefined ? { foreignOrders: status.foreignOrders } : {}),
    attempts: status.attempts,
    timeline: status.timeline,
  };
}
