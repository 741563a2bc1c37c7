/**
 * The order-claim registry the activities prove ownership with (`OrderClaims`), and its implementation on
 * Temporal: claiming order X starts the `orderClaim` workflow `womei-order-X` (workflows/order-claim.ts) with
 * the owner in its memo. Started → the claim is ours. Already started (running or closed) → the description
 * names the owner, which may be us again (a retried activity, an answer that was lost, a zombie attempt).
 * Anything else (Temporal unreachable, an unreadable record) throws `OrderClaimUnavailable`: ownership is then
 * unknown, and an order whose ownership is unknown is never taken.
 *
 * No worker ever runs a claim (README.md, "Which order is whose"): it starts with a first-task delay longer
 * than its execution timeout, so the server closes it (TimedOut) before its first workflow task is ever
 * scheduled. A claim costs the server a start and a close and the worker nothing; the id and memo stay exactly
 * as durable and exclusive as those of a claim that ran.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { traitsOf, type FailureType } from '../src/failure-types';
import {
  ORDER_CLAIM_WORKFLOW_TYPE,
  orderClaimWorkflowId,
  type OrderClaimMemo,
  type OrderClaimRecord,
} from '../workflows/order-claim';

/** Failure type of a claim that could not be made or read. Retryable: the registry may be back soon. */
export const ORDER_CLAIM_UNAVAILABLE = 'OrderClaimUnavailable' satisfies FailureType;

export interface OrderClaims {
  /**
   * Claims `orderId` for `owner` (a checkout workflow id) unless another checkout holds it. Returns the
   * checkout that owns it afterwards: `owner` itself when the claim is (or already was) ours.
   */
  claim(orderId: string, owner: { workflowId: string; runId: string }): Promise<string>;
}

function unavailable(orderId: string, cause: unknown): ApplicationFailure {
  const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return ApplicationFailure.create({
    type: ORDER_CLAIM_UNAVAILABLE,
    message: `cannot claim order ${orderId} or read its claim: ${why}`,
    nonRetryable: !traitsOf(ORDER_CLAIM_UNAVAILABLE).retryable,
  });
}

/**
 * How long a claim stays open before the server closes it, and how long its first workflow task is delayed: the
 * task would come only after the close, so it never comes. Should one ever run anyway (a server processing its
 * timers out of order), the worker still registers the trivial `orderClaim` type on `taskQueue`.
 */
export const CLAIM_OPEN_FOR = '1s';
export const CLAIM_FIRST_TASK_DELAY = '1m';

/** Claims as workflows on `taskQueue` (the checkout worker's, which registers the trivial `orderClaim` type). */
export function temporalOrderClaims(client: Client, taskQueue: string): OrderClaims {
  return {
    async claim(orderId, owner) {
      const workflowId = orderClaimWorkflowId(orderId);
      const record: OrderClaimRecord = { orderId, owner: owner.workflowId, ownerRunId: owner.runId };
      try {
        await client.workflow.start(ORDER_CLAIM_WORKFLOW_TYPE, {
          taskQueue,
          workflowId,
          args: [record],
          memo: { orderClaim: record } satisfies OrderClaimMemo,
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowExecutionTimeout: CLAIM_OPEN_FOR,
          startDelay: CLAIM_FIRST_TASK_DELAY,
          staticSummary: `order ${orderId} belongs to ${owner.workflowId} (a claim record: it closes as timed out by design)`,
        });
        return owner.workflowId;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw unavailable(orderId, err);
      }
      let holder: unknown;
      try {
        const description = await client.workflow.getHandle(workflowId).describe();
        holder = (description.memo as Partial<OrderClaimMemo> | undefined)?.orderClaim?.owner;
      } catch (err) {
        throw unavailable(orderId, err);
      }
      if (typeof holder !== 'string' || holder === '') throw unavailable(orderId, new Error(`the claim record of ${workflowId} names no owner`));
      return holder;
    },
  };
}
