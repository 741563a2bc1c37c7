/**
 * An in-memory order-claim registry for activity unit tests, with the contract of the real one
 * (activities/order-claims.ts, on Temporal), which the integration tests use: first claim wins, a claim again by
 * its owner is the owner's, anything else answers the owner; `unavailable` makes every claim fail as the real
 * one does when Temporal cannot be reached.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ORDER_CLAIM_UNAVAILABLE, type OrderClaims } from '../../activities/order-claims';

export class MemoryClaims implements OrderClaims {
  readonly owners = new Map<string, string>();
  unavailable = false;

  async claim(orderId: string, owner: { workflowId: string; runId: string }): Promise<string> {
    if (this.unavailable) {
      throw ApplicationFailure.create({ type: ORDER_CLAIM_UNAVAILABLE, message: `cannot claim order ${orderId}`, nonRetryable: false });
    }
    const held = this.owners.get(orderId);
    if (held !== undefined) return held;
    this.owners.set(orderId, owner.workflowId);
    return owner.workflowId;
  }
}
