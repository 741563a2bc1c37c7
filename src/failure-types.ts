/**
 * Every failure type of the checkout and what it means, in ONE table: the Womei client's errors, the
 * activities' own, the refusal at the workflow's door, and the workflow's names and checks. The retry policy,
 * the Womei errors' `retryable` flag and every decision the workflow takes on a failure are read from here.
 * Pure (no imports): the workflow bundle and src/womei both load it.
 */

/** What a failure type says about the call that failed. */
export type FailureTrait =
  /** Another attempt may succeed: Temporal's activity retry tries again (`retryable` of a Womei error). */
  | 'retryable'
  /** Refused, Womei's side as it was: Womei answered no, or the token was refused before anything was sent. */
  | 'refusal'
  /** Refused at the gateway (Kong) before Womei saw the call; its `ratelimit-reset` says when to ask again. */
  | 'gatewayRefusal'
  /** The call may have landed, but its answer was lost or unreadable: look before doing it again. */
  | 'answerLost'
  /** The cause passes by itself: the workflow's durable loops try again, on timers, until the deadline. */
  | 'transient'
  /** The order's hold lapsed, or Womei does not know the order: nothing on it can change or be consumed. */
  | 'orderGone'
  /** The user's session token expired: a fresh one (`refreshToken`) is the only cure. */
  | 'needsFreshToken'
  /** The voucher itself is refused (unknown, consumed, expired, someone else's). */
  | 'voucherRefused'
  /**
   * A voucher pre-check that gets it stops the checkout (no token, the day's quota spent, the order gone),
   * where any other unclear pre-check leaves the code to the bind.
   */
  | 'stopsPrecheck';

/**
 * Who raises it: `womei` the Womei client (src/womei/errors.ts has a class of each), `activity` the activities'
 * own, `door` a refusal of the input, `workflow` the workflow (its names for the SDK's timeout and
 * cancellation, and its own checks). Activities can raise all but `workflow`'s.
 */
export type FailureOrigin = 'womei' | 'activity' | 'door' | 'workflow';

interface FailureRow {
  readonly origin: FailureOrigin;
  readonly traits: readonly FailureTrait[];
}

const row = <O extends FailureOrigin>(origin: O, ...traits: FailureTrait[]) => ({ origin, traits });

/**
 * The table, in the order the retry policy lists its non-retryable types (every scheduled activity records
 * that list in history: a type, once recorded, keeps its name).
 */
export const FAILURE_TYPES = {
  TokenInvalid: row('womei', 'refusal', 'needsFreshToken', 'stopsPrecheck'),
  SeatUnavailable: row('womei', 'refusal'),
  VoucherNotUsable: row('womei', 'refusal', 'voucherRefused'),
  VoucherQuotaExceeded: row('womei', 'refusal', 'stopsPrecheck'),
  OrderExpired: row('womei', 'refusal', 'orderGone', 'stopsPrecheck'),
  OrderNotFound: row('womei', 'refusal', 'orderGone', 'stopsPrecheck'),
  // Womei refuses voucher calls on an order never priced; the checkout prices first, so a pre-check that gets
  // it is left to the bind like any other unclear answer.
  OrderNotPriced: row('womei', 'refusal'),
  PaymentRequired: row('womei', 'refusal'),
  WomeiBadRequest: row('womei', 'refusal'),
  WomeiRateLimited: row('womei', 'retryable', 'transient', 'gatewayRefusal'),
  WomeiUnavailable: row('womei', 'retryable', 'transient', 'answerLost'),
  // An unreadable answer (a body cut short, a field missing): as often a glitch on the way as a changed API, so
  // the idempotent calls try again; a one-shot call takes it as an answer that may have been lost.
  WomeiProtocolError: row('womei', 'retryable', 'answerLost'),

  // A bug in activity code, not Womei: retryable, so a fixed worker heals it.
  UnexpectedActivityError: row('activity', 'retryable', 'transient', 'answerLost'),
  // The order-claim registry (Temporal) could not be reached: ownership unknown, ask again.
  OrderClaimUnavailable: row('activity', 'retryable', 'transient'),

  InvalidInput: row('door'),
  // A token not in the sealed form, refused at the workflow's door and by the activity before Womei is called.
  TokenNotSealed: row('door', 'refusal'),
  // A sealed token this worker holds no key for: a worker that has it (mid-rotation) may open it.
  TokenSealKeyUnknown: row('activity', 'retryable'),
  // A sealed token that does not open (altered, or sealed to another key of the same id).
  TokenSealBroken: row('activity'),

  // The workflow's name for an activity that timed out (the SDK's TimeoutFailure): it may have landed.
  ActivityTimeout: row('workflow', 'retryable', 'transient', 'answerLost'),
  Cancelled: row('workflow'),
  // A readable bind answer that does not prove the binding: unbound, then bound again.
  BindMismatch: row('workflow', 'retryable'),
  BindAttemptsExhausted: row('workflow'),
  DeadlineExceeded: row('workflow'),
  OrderStateUnexpected: row('workflow'),
  CompensationFailed: row('workflow'),
  PaymentUnconfirmed: row('workflow'),
  IssueUnconfirmed: row('workflow'),
  NeedsAttention: row('workflow'),
  // waitForOrder's answer when the checkout ended before it had an order.
  NoOrder: row('workflow'),
} as const satisfies Record<string, FailureRow>;

export type FailureType = keyof typeof FAILURE_TYPES;

type Table = typeof FAILURE_TYPES;
/** The types of one origin, e.g. `FailureTypeFrom<'womei'>` for the Womei client's. */
export type FailureTypeFrom<O extends FailureOrigin> = { [T in FailureType]: Table[T]['origin'] extends O ? T : never }[FailureType];

/** Every trait as a flag, plus the one derived from two of them. */
export type FailureTraits = Readonly<Record<FailureTrait, boolean>> & {
  /** The call changed nothing on Womei's side: refused by Womei, or by the gateway before Womei saw it. */
  readonly nothingApplied: boolean;
};

function flags(traits: readonly FailureTrait[]): FailureTraits {
  const has = (t: FailureTrait) => traits.includes(t);
  return {
    retryable: has('retryable'),
    refusal: has('refusal'),
    gatewayRefusal: has('gatewayRefusal'),
    answerLost: has('answerLost'),
    transient: has('transient'),
    orderGone: has('orderGone'),
    needsFreshToken: has('needsFreshToken'),
    voucherRefused: has('voucherRefused'),
    stopsPrecheck: has('stopsPrecheck'),
    nothingApplied: has('refusal') || has('gatewayRefusal'),
  };
}

const KNOWN = new Map<string, FailureTraits>(Object.entries(FAILURE_TYPES).map(([type, r]) => [type, flags((r as FailureRow).traits)]));
/** A type the table does not know (an SDK failure's name, a bug's error name) has none of the traits. */
const UNKNOWN = flags([]);

/** The traits of any failure type string (as read from a failure); unknown types have none. */
export function traitsOf(type: string): FailureTraits {
  return KNOWN.get(type) ?? UNKNOWN;
}

export function isFailureType(type: string): type is FailureType {
  return KNOWN.has(type);
}

/** `failureIs(f, 'OrderExpired')`: a comparison with a type the table knows (a typo does not compile). */
export function failureIs(failure: { type: string }, type: FailureType): boolean {
  return failure.type === type;
}

/**
 * The retry policy's `nonRetryableErrorTypes`: every type an activity can raise that a retry cannot fix, in
 * the table's order.
 */
export const NON_RETRYABLE_ACTIVITY_FAILURES: readonly FailureType[] = (Object.keys(FAILURE_TYPES) as FailureType[]).filter(
  (t) => FAILURE_TYPES[t].origin !== 'workflow' && !traitsOf(t).retryable,
);
