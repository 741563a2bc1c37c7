/**
 * Which checkout owns a Womei order: one tiny workflow per claimed order, id `womei-order-<orderId>`, its memo
 * naming the owner. Temporal starts a workflow id once (conflict policy FAIL, reuse policy REJECT_DUPLICATE),
 * so starting it IS the claim: atomic across workers, durable across a server crash, readable by anyone.
 * activities/order-claims.ts makes and reads claims.
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

/**
 * The record is the id and memo, kept as long as the namespace retains closed workflows. That outlives any claim
 * question: only a PENDING order is claimed or asked about, and a seat hold lasts minutes (ASSUMPTION, 15 in the
 * sandbox), retention at least a day. Claims are started so that the server closes them before their first
 * workflow task (activities/order-claims.ts): this function runs only for claims made before that, or should a
 * server ever deliver the delayed task anyway. It does nothing and returns at once.
 */
export async function orderClaim(record: OrderClaimRecord): Promise<OrderClaimRecord> {
  return record;
}
