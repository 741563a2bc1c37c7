/**
 * Which checkout owns a Womei order, recorded where every checkout can see it: one tiny workflow per claimed
 * order, id `womei-order-<orderId>`. Temporal lets a workflow id start once (conflict policy FAIL, reuse
 * policy REJECT_DUPLICATE), so starting it IS the claim: atomic across workers and processes, durable across a
 * server crash, readable by anyone (the memo names the owner). activities/order-claims.ts makes and reads
 * claims; the checkout decides with them that an order is its own (activities/index.ts).
 *
 * The workflow itself does nothing and returns at once: the record is its id and memo, kept as long as the
 * namespace retains closed workflows. That outlives any claim question: only a PENDING order is ever claimed
 * or asked about, and a seat hold lasts minutes (ASSUMPTION, 15 in the sandbox), retention at least a day.
 */

export const ORDER_CLAIM_WORKFLOW_TYPE = 'orderClaim';

export function orderClaimWorkflowId(orderId: string): string {
  return `womei-order-${orderId}`;
}

export interface OrderClaimRecord {
  orderId: string;
  /** The owning checkout's workflow id (`checkout-<requestId>`): a checkout is its request. */
  owner: string;
  /** The run that claimed it (for people reading the record; ownership is the workflow id's). */
  ownerRunId: string;
}

/** The memo key of the record (the memo is what a description returns without reading history). */
export type OrderClaimMemo = { orderClaim: OrderClaimRecord };

export async function orderClaim(record: OrderClaimRecord): Promise<OrderClaimRecord> {
  return record;
}
