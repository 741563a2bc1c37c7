/**
 * Finding checkouts: a list filter, each value checked against the rule the checkout's own input has
 * (workflows/input.ts) before it becomes a visibility query (no query injection), and the id a caller names a
 * checkout by (its request id or its workflow id).
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { CINEMA_ID_PATTERN, DIGITS_RULE, REQUEST_ID_PATTERN, REQUEST_ID_RULE } from '../workflows/input';
import { CHECKOUT_PHASES, CHECKOUT_WORKFLOW_TYPE, checkoutWorkflowId, type CheckoutPhase } from '../workflows/messages';
import { CHECKOUT_CINEMA_ID, CHECKOUT_ORDER_ID, CHECKOUT_PHASE, CHECKOUT_REQUEST_ID } from '../workflows/search-attributes';

export interface CheckoutSummary {
  workflowId: string;
  runId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT... */
  status: string;
  phase?: string;
  requestId?: string;
  cinemaId?: string;
  orderId?: string;
  startTime: Date;
  closeTime?: Date;
}

export interface ListFilter {
  phase?: CheckoutPhase;
  cinemaId?: string;
  orderId?: string;
  requestId?: string;
  /** Only running (true) or only closed (false) checkouts. */
  running?: boolean;
  limit?: number;
}

/** A list filter or checkout id that cannot be used. Names the field. */
export class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument';
}

/** Womei order ids: 18 digits, the creation minute first (src/womei/order-id.ts). */
const ORDER_ID_PATTERN = /^\d{1,18}$/;
const WORKFLOW_ID_PREFIX = checkoutWorkflowId('');

/** The visibility query for a filter; every value is checked against its format first. */
export function visibilityQuery(filter: ListFilter): string {
  const clauses = [`WorkflowType = "${CHECKOUT_WORKFLOW_TYPE}"`];
  if (filter.phase !== undefined) {
    if (!(CHECKOUT_PHASES as readonly string[]).includes(filter.phase)) {
      throw new InvalidArgument(`phase: must be one of ${CHECKOUT_PHASES.join(', ')}`);
    }
    clauses.push(`${CHECKOUT_PHASE.name} = "${filter.phase}"`);
  }
  if (filter.cinemaId !== undefined) {
    if (!CINEMA_ID_PATTERN.test(filter.cinemaId)) throw new InvalidArgument(`cinemaId: ${DIGITS_RULE}`);
    clauses.push(`${CHECKOUT_CINEMA_ID.name} = "${filter.cinemaId}"`);
  }
  if (filter.orderId !== undefined) {
    if (!ORDER_ID_PATTERN.test(filter.orderId)) throw new InvalidArgument(`orderId: ${DIGITS_RULE}`);
    clauses.push(`${CHECKOUT_ORDER_ID.name} = "${filter.orderId}"`);
  }
  if (filter.requestId !== undefined) {
    if (!REQUEST_ID_PATTERN.test(filter.requestId)) throw new InvalidArgument(`requestId: ${REQUEST_ID_RULE}`);
    clauses.push(`${CHECKOUT_REQUEST_ID.name} = "${filter.requestId}"`);
  }
  if (filter.running !== undefined) clauses.push(filter.running ? 'ExecutionStatus = "Running"' : 'ExecutionStatus != "Running"');
  return clauses.join(' AND ');
}

export function summaryOf(execution: WorkflowExecutionInfo): CheckoutSummary {
  const attributes = execution.typedSearchAttributes;
  return {
    workflowId: execution.workflowId,
    runId: execution.runId,
    status: execution.status.name,
    phase: attributes.get(CHECKOUT_PHASE),
    requestId: attributes.get(CHECKOUT_REQUEST_ID),
    cinemaId: attributes.get(CHECKOUT_CINEMA_ID),
    orderId: attributes.get(CHECKOUT_ORDER_ID),
    startTime: execution.startTime,
    closeTime: execution.closeTime,
  };
}

/** The workflow id of a checkout named by its request id or its workflow id (`checkout-<requestId>`). */
export function checkoutWorkflowIdOf(id: string): string {
  const requestId = id.startsWith(WORKFLOW_ID_PREFIX) ? id.slice(WORKFLOW_ID_PREFIX.length) : id;
  if (!REQUEST_ID_PATTERN.test(requestId)) {
    throw new InvalidArgument(`id: must be a request id (${REQUEST_ID_RULE.replace(/^must be /, '')}) or its checkout workflow id`);
  }
  return checkoutWorkflowId(requestId);
}
