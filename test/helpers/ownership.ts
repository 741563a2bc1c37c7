/**
 * Judging many checkouts of ONE user from the sandbox ledger (who holds which seat and voucher) and the claim
 * registry, never from what the workflows say about themselves. The tests give every checkout its own seats and
 * its own voucher codes, so each order in the ledger has exactly one checkout it can belong to (the one that
 * asked for exactly its seats), and each bound code names the checkout that bound it.
 *
 * The rules (each violation is one line, so a failing test lists them all):
 * - every order made during the run holds exactly the seats of one checkout (its creator);
 * - no order ever had a code of another checkout bound (`codesEverBound`: rebinding by a sibling);
 * - every COMPLETED result names a distinct, live order of its own seats holding exactly its own codes, and
 *   that checkout holds the order's claim;
 * - one live order per completed request, none left live for a compensated one (when `releasedWhenCompensated`);
 * - an order's claim, where it has one, is its creator's: no order is claimed by another checkout;
 * - the sandbox's own invariants (no seat held by a dead order, none double-booked, no voucher consumed twice).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Ledger, LedgerOrder } from '../../src/sandbox/ledger';
import { orderClaimWorkflowId, type OrderClaimMemo } from '../../workflows/order-claim';
import type { Settled } from './checkout-harness';

export interface JudgedCheckout {
  workflowId: string;
  seats: readonly string[];
  codes: readonly string[];
  settled: Settled;
}

/** `10013:{row}:{col}:11112211#RR#CC`: a seat of the fixture's hall 8, ordinary area (row 1 col 1 is sold). */
export function hall8Seat(row: number, col: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `10013:${row}:${col}:11112211#${two(row)}#${two(col)}`;
}

/** The checkout the claim registry names as the order's owner, or undefined when nobody claimed it. */
export async function claimOwner(client: Client, orderId: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(orderClaimWorkflowId(orderId)).describe();
    return (d.memo as Partial<OrderClaimMemo> | undefined)?.orderClaim?.owner;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const key = (xs: readonly string[]) => [...xs].sort().join('|');
const setEqual = (a: readonly string[], b: readonly string[]) => key(a) === key(b) && new Set(a).size === a.length;

export interface JudgeOptions {
  /** Reads claims (omit to skip the registry checks). */
  client?: Client;
  /** A compensated checkout must leave no live order of its seats (true where the cancel route is on). */
  releasedWhenCompensated?: boolean;
  /** Orders that existed before the run (the fixture's), ignored. */
  before?: Ledger;
}

export async function ownershipViolations(ledger: Ledger, checkouts: readonly JudgedCheckout[], opts: JudgeOptions = {}): Promise<string[]> {
  const v: string[] = [];
  const old = new Set((opts.before?.orders ?? []).map((o) => o.orderId));
  const orders = ledger.orders.filter((o) => !old.has(o.orderId));
  const creatorOf = new Map<string, JudgedCheckout>();
  for (const o of orders) {
    const creator = checkouts.find((c) => setEqual(o.seats, c.seats));
    if (!creator) {
      v.push(`order ${o.orderId} holds seats ${o.seats.join(',')}: no checkout asked for exactly these`);
      continue;
    }
    creatorOf.set(o.orderId, creator);
    const foreign = o.codesEverBound.filter((code) => !creator.codes.includes(code));
    if (foreign.length > 0) v.push(`order ${o.orderId} of ${creator.workflowId} had codes of another checkout bound: ${foreign.join(',')}`);
  }

  const named = new Map<string, string>();
  for (const c of checkouts) {
    const mine = orders.filter((o) => creatorOf.get(o.orderId) === c);
    const live = mine.filter((o) => o.live);
    if (c.settled.status !== 'COMPLETED') {
      if (opts.releasedWhenCompensated && live.length > 0) v.push(`${c.workflowId} ended ${c.settled.status} but left live order(s) ${live.map((o) => o.orderId).join(',')}`);
      continue;
    }
    const orderId = c.settled.result.orderId;
    const order: LedgerOrder | undefined = orders.find((o) => o.orderId === orderId);
    if (!orderId || !order) {
      v.push(`${c.workflowId} COMPLETED naming order ${orderId ?? '—'}, which the ledger does not have`);
      continue;
    }
    if (named.has(orderId)) v.push(`order ${orderId} is named by two COMPLETED results: ${named.get(orderId)} and ${c.workflowId}`);
    named.set(orderId, c.workflowId);
    if (creatorOf.get(orderId) !== c) v.push(`${c.workflowId} COMPLETED naming order ${orderId}, which holds other seats (${order.seats.join(',')})`);
    if (!order.live) v.push(`${c.workflowId} COMPLETED naming order ${orderId}, which is ${order.status}${order.cancelReason ? ` (${order.cancelReason})` : ''}`);
    if (!setEqual(order.boundCodes, c.codes)) v.push(`${c.workflowId} COMPLETED naming order ${orderId}, which holds codes [${order.boundCodes.join(',')}], not [${c.codes.join(',')}]`);
    if (!setEqual(c.settled.result.vouchers, c.codes)) v.push(`${c.workflowId} COMPLETED saying vouchers [${c.settled.result.vouchers.join(',')}], not [${c.codes.join(',')}]`);
    if (live.length !== 1) v.push(`${c.workflowId} COMPLETED with ${live.length} live orders of its seats (${live.map((o) => o.orderId).join(',')})`);
  }

  if (opts.client) {
    for (const o of orders) {
      const creator = creatorOf.get(o.orderId);
      const owner = await claimOwner(opts.client, o.orderId);
      if (owner !== undefined && creator && owner !== creator.workflowId) v.push(`order ${o.orderId} of ${creator.workflowId} is claimed by ${owner}`);
      if (creator && named.get(o.orderId) === creator.workflowId && owner !== creator.workflowId) {
        v.push(`${creator.workflowId} COMPLETED naming order ${o.orderId} without holding its claim (claim: ${owner ?? 'none'})`);
      }
    }
  }

  if (!ledger.invariants.ok) v.push(`sandbox invariants broken: ${JSON.stringify(ledger.invariants)}`);
  return v;
}
