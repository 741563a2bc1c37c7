/**
 * The checkout's public surface: message definitions, status and result shapes. The client imports these, the
 * workflow registers handlers for them. Pure: no Node modules (the workflow bundles this file).
 *
 * Nothing here ever carries the user's token: status, result, timeline and errors are built from workflow
 * state that never stores it, and every error text passes through `redactText` first.
 *
 * Shape discipline: these names and shapes are part of running histories. Once shipped, rename nothing;
 * add optional fields only, and gate behaviour changes in the workflow behind `patched()`.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CheckoutInput, VoucherSpec } from './input';

export const CHECKOUT_WORKFLOW_TYPE = 'checkout';

/** The idempotency key becomes the workflow id: a second start with the same request id is refused/attached. */
export function checkoutWorkflowId(requestId: string): string {
  return `checkout-${requestId}`;
}

/** Where a checkout is. Also the `CheckoutPhase` search attribute (keyword) value. */
export const CHECKOUT_PHASES = [
  'STARTING',
  'CREATING_ORDER',
  'PRICING',
  'CHOOSING_VOUCHERS',
  'PRECHECKING',
  'BINDING',
  'VERIFYING',
  'WAITING_FOR_TOKEN',
  'PAYING',
  'COMPENSATING',
  'COMPLETED',
  'COMPENSATED',
  'NEEDS_ATTENTION',
] as const;
export type CheckoutPhase = (typeof CHECKOUT_PHASES)[number];

export type CheckoutOutcome = 'COMPLETED' | 'COMPENSATED' | 'NEEDS_ATTENTION';

/** Steps counted in `attempts` (one count per activity call the workflow makes, retries inside an activity excluded). */
export type CheckoutStep =
  | 'createOrder'
  | 'findLostOrder'
  | 'listVouchers'
  | 'priceOrder'
  | 'precheckVoucher'
  | 'bindVouchers'
  | 'verifyOrder'
  | 'checkBinding'
  | 'unbindVouchers'
  | 'releaseOrder'
  | 'confirmLapse'
  | 'payOrder'
  | 'queryPayment'
  | 'confirmIssued';

export interface PricesYuan {
  /** `order_total_price`. */
  total: number;
  /** `order_payment_price`: what is left to pay. */
  payment: number;
  /** `voucher_use.use_total_price` (0 without vouchers). */
  vouchers: number;
  /** One price per ticket (`ticket_single_price`), e.g. `[49, 49]`. */
  ticketPrices: number[];
  ticketNum: number;
}

export type PrecheckResult = 'OK' | 'NOT_USABLE' | 'UNCHECKED';

export interface VoucherState {
  /** What the caller asked for (codes or policy). */
  requested: VoucherSpec;
  /** The codes this checkout decided to bind. */
  chosen: string[];
  /** Pre-check answers, by code (cached: a validation is never spent twice for the same answer). */
  prechecks: Record<string, PrecheckResult>;
  /** Codes bound and verified on the current order. */
  bound: string[];
  /**
   * Codes that may be bound on Womei's side, verified or not: sent by a bind that nothing has undone yet (an
   * answer lost, an unbind that failed). What to check before anyone pays the order. Absent when none.
   */
  mayBeBound?: string[];
}

export type OrderRecordState = 'LIVE' | 'CANCELLED' | 'ABANDONED' | 'LAPSED' | 'PAID';

export interface OrderRecord {
  orderId: string;
  round: number;
  state: OrderRecordState;
  /**
   * How we came to know it: created (and claimed), or adopted (proven and claimed) after a lost create answer.
   * `found-extra` only in runs recorded before ownership was proven (they released such orders).
   */
  origin: 'created' | 'adopted' | 'found-extra';
}

/** An order this checkout met but could not prove its own (another checkout holds its claim): never touched. */
export interface ForeignOrderRecord {
  orderId: string;
  note: string;
}

export interface CheckoutErrorInfo {
  type: string;
  /** Redacted. */
  message: string;
  step?: string;
  at: string;
}

export interface TimelineEntry {
  at: string;
  phase: CheckoutPhase;
  step?: string;
  note: string;
}

export interface CompensationView {
  kind: 'unbindVouchers' | 'releaseOrder';
  orderId?: string;
  state: 'PENDING' | 'DONE' | 'SKIPPED' | 'FAILED';
  note?: string;
}

export interface CheckoutStatus {
  requestId: string;
  cinemaId: string;
  scheduleId: string;
  seats: string[];
  phase: CheckoutPhase;
  outcome?: CheckoutOutcome;
  /** The live (or final) order. */
  orderId?: string;
  /** Every order this checkout created or adopted, with what became of it. */
  orders: OrderRecord[];
  /** Orders it met that belong to another checkout of the same user, left alone (absent when none). */
  foreignOrders?: ForeignOrderRecord[];
  round: number;
  vouchers: VoucherState;
  prices?: PricesYuan;
  attempts: Partial<Record<CheckoutStep, number>>;
  lastError?: CheckoutErrorInfo;
  /** Why the checkout was compensated / needs attention. */
  reason?: { type: string; message: string };
  compensations: CompensationView[];
  deadlineAt: string;
  /** When the next durable retry fires (long-running retry). */
  nextAttemptAt?: string;
  payment?: { status: string; ticketCodes: { name: string; code: string }[] };
  /** Bounded: the first entries and the most recent ones. */
  timeline: TimelineEntry[];
}

/**
 * The workflow's value. COMPLETED is returned; COMPENSATED and NEEDS_ATTENTION end the workflow as a failure
 * whose `details[0]` is this same object (see the outcome note in checkout.ts).
 */
export interface CheckoutResult {
  outcome: CheckoutOutcome;
  requestId: string;
  orderId?: string;
  /** READY_TO_PAY: vouchers bound and verified, the user pays the rest in the app. ISSUED: paid (0 yuan), tickets issued. */
  state?: 'READY_TO_PAY' | 'ISSUED';
  prices?: PricesYuan;
  vouchers: string[];
  /** Not COMPLETED: codes that may still be bound on Womei's side (see VoucherState.mayBeBound). Absent when none. */
  vouchersMayBeBound?: string[];
  ticketCodes?: { name: string; code: string }[];
  reason?: { type: string; message: string };
  orders: OrderRecord[];
  /** As in the status: orders of other checkouts this one met and left alone. */
  foreignOrders?: ForeignOrderRecord[];
  attempts: Partial<Record<CheckoutStep, number>>;
  timeline: TimelineEntry[];
}

/** Failure type of a workflow whose compensation could not finish. */
export const NEEDS_ATTENTION_FAILURE = 'NeedsAttention';

export interface ReplaceVouchersAnswer {
  vouchers: VoucherSpec;
  phase: CheckoutPhase;
}

export interface RefreshTokenAnswer {
  phase: CheckoutPhase;
  /** True when a step (or a compensation) was waiting for it and resumes now. */
  resumed: boolean;
}

export interface OrderCreatedAnswer {
  orderId: string;
  phase: CheckoutPhase;
}

/** Phase, order, vouchers, prices, attempts, last error (redacted) and the timeline. */
export const statusQuery = defineQuery<CheckoutStatus>('status');

/** Replace the voucher choice. Refused (validator) once binding has started or the checkout has finished. */
export const replaceVouchersUpdate = defineUpdate<ReplaceVouchersAnswer, [VoucherSpec]>('replaceVouchers');

/**
 * Hand in a fresh Womei token, e.g. when the checkout waits in WAITING_FOR_TOKEN or NEEDS_ATTENTION.
 * The validator checks its format and refuses after the checkout finished.
 */
export const refreshTokenUpdate = defineUpdate<RefreshTokenAnswer, [string]>('refreshToken');

/**
 * Resolves as soon as the order id is known ("order created, id X"): the fast answer of update-with-start.
 * Fails if the checkout ends without an order.
 */
export const waitForOrderUpdate = defineUpdate<OrderCreatedAnswer, []>('waitForOrder');

/** The memo of a checkout, under one key. The client writes it at start, the workflow adds the deadline. */
export type CheckoutMemo = {
  checkout: {
    requestId: string;
    cinemaId: string;
    scheduleId: string;
    seats: number;
    vouchers: string;
    payIfFree: boolean;
    deadlineAt?: string;
  };
};

export function checkoutMemo(input: CheckoutInput, deadlineAt?: string): CheckoutMemo {
  return {
    checkout: {
      requestId: input.requestId,
      cinemaId: input.cinemaId,
      scheduleId: input.scheduleId,
      seats: input.seats.length,
      vouchers: 'codes' in input.vouchers ? `${input.vouchers.codes.length} explicit` : 'best from wallet',
      payIfFree: input.payIfFree,
      ...(deadlineAt !== undefined ? { deadlineAt } : {}),
    },
  };
}
