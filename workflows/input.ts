/**
 * The checkout's input: ONE zod schema, parsed by the client at its door and again by the workflow at its
 * door (zod is pure and deterministic, so it runs inside the workflow sandbox; `test/workflow` proves it
 * bundles). The raw shape (`CheckoutRequest`) is what callers send and what history stores; the parsed shape
 * (`CheckoutInput`) has every default filled in.
 *
 * Nothing here may echo a value back in an error message: the token is a secret, and voucher codes are
 * bearer values. Messages name the field path and the rule, never the value.
 */
import { z } from 'zod';
import { redactText } from '../src/redact';
import { SEALED_TOKEN_PATTERN } from '../src/seal/format';
import { repeatedSeats } from '../src/womei/seats';

/** Most tickets one checkout buys (one Womei order). The mini-program caps a selection at 6 seats too. */
export const MAX_SEATS = 6;

/**
 * `{area_no}:{row}:{col}:{seat_no}` as `hall/info` gives them (docs/womei-api.md §3.1), e.g. `10013:7:5:11112211#04#10`.
 * Two labels naming one seat (same canonical position or seat_no, src/womei/seats.ts) are refused by
 * `parseCheckoutInput`, naming the later one (`seats.1`).
 */
export const SEAT_LABEL_PATTERN = /^\d{1,12}:\d{1,4}:\d{1,4}:[0-9A-Za-z#_-]{1,40}$/;
/** Womei session token: 32 lowercase hex characters (docs/womei-api.md §1.2). */
export const TOKEN_PATTERN = /^[0-9a-f]{32}$/;
/** Exchange-voucher codes as the wallet lists them (`GZJY01002948425042`): letters and digits. */
export const VOUCHER_CODE_PATTERN = /^[A-Za-z0-9]{4,40}$/;
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longest deadline a checkout may ask for: a seat hold lasts minutes, a checkout should not outlive a day. */
export const MAX_DEADLINE_MINUTES = 24 * 60;
export const DEFAULT_DEADLINE_MINUTES = 30;

function noDuplicates(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const voucherCode = z.string().regex(VOUCHER_CODE_PATTERN, 'must be 4-40 letters or digits');

const TOKEN_RULE = 'must be 32 lowercase hex characters, or that token sealed (sealed:v1:…)';
/**
 * The user's Womei session token, at the start and in `refreshToken`: sealed (`sealed:v1:<keyId>:…`, what the
 * client sends and the workflow carries), or plaintext, which a caller hands the client to seal and which
 * histories from before sealing hold. The workflow refuses a plaintext one (TokenNotSealed).
 */
const tokenSchema = z.string().refine((t) => TOKEN_PATTERN.test(t) || SEALED_TOKEN_PATTERN.test(t), TOKEN_RULE);
const SEALED_RULE = 'must be sealed (sealed:v1:…): the client seals the token with TOKEN_SEAL_PUBLIC_KEY';

const CODES_EXCEED_SEATS = 'more codes than seats (one voucher covers one ticket)';
/** Explicit codes beyond one per seat: one voucher covers one ticket. */
function codesExceedSeats(spec: VoucherSpec, seatCount: number): boolean {
  return 'codes' in spec && spec.codes.length > seatCount;
}

export const explicitVouchersSchema = z
  .object({
    codes: z
      .array(voucherCode)
      .min(1, 'needs at least one code')
      .max(MAX_SEATS, `at most ${MAX_SEATS} codes`)
      .refine(noDuplicates, 'codes must not repeat'),
  })
  .strict();

export const voucherPolicySchema = z
  .object({
    /** Choose from the wallet: unexpired, soonest-expiring first, at most one per ticket. */
    policy: z.literal('best'),
    /** At most this many vouchers (default: one per seat). */
    max: z.number().int().min(1).max(MAX_SEATS).optional(),
  })
  .strict();

/** How the vouchers are chosen: explicit codes, or the best ones in the wallet. Also the `replaceVouchers` argument. */
export const voucherSpecSchema = z.union([explicitVouchersSchema, voucherPolicySchema]);
export type VoucherSpec = z.output<typeof voucherSpecSchema>;

export const limitsSchema = z
  .object({
    /** Absolute deadline (ISO 8601 with offset), in the future. Give this or `deadlineMinutes`, not both. */
    deadlineAt: z.iso.datetime({ offset: true }).optional(),
    /** Deadline relative to the workflow's start. Default 30 minutes when neither is given. */
    deadlineMinutes: z.number().positive().max(MAX_DEADLINE_MINUTES).optional(),
    /** Bind attempts across the whole checkout (each attempt is one activity with its own short retries). */
    maxBindAttempts: z.number().int().min(1).max(200).default(12),
    /** Orders one checkout may create when seat holds lapse during a long outage. */
    maxOrderRounds: z.number().int().min(1).max(5).default(3),
    /** How long a forward step waits for `refreshToken` after TokenInvalid (also bounded by the deadline). */
    tokenWaitSeconds: z.number().positive().max(86_400).default(600),
    /**
     * How long compensation that is blocked (token expired, Womei refusing) waits in NEEDS_ATTENTION for a
     * fresh token before the workflow ends as NEEDS_ATTENTION.
     */
    attentionWaitSeconds: z.number().min(0).max(7 * 86_400).default(3_600),
    /** First durable back-off between workflow-level retries (bind, re-create); doubles up to `backoffMaxMs`. */
    backoffInitialMs: z.number().int().min(10).max(60_000).default(2_000),
    /** Cap of the durable back-off (also the cap of activity retry intervals). */
    backoffMaxMs: z.number().int().min(10).max(3_600_000).default(300_000),
    /** Pause between `order/query/` polls after a 0-yuan payment. */
    paymentPollMs: z.number().int().min(10).max(60_000).default(2_000),
    maxPaymentPolls: z.number().int().min(1).max(200).default(30),
    /**
     * startToCloseTimeout of one Womei call. Keep it above the client's WOMEI_TIMEOUT_MS; it is also how long
     * Temporal takes to notice a worker that died mid-call.
     */
    callTimeoutMs: z.number().int().min(1_000).max(300_000).default(30_000),
  })
  .strict();

export const checkoutInputSchema = z
  .object({
    /** Idempotency key: the workflow id is `checkout-${requestId}`. */
    requestId: z.string().regex(REQUEST_ID_PATTERN, 'must be 1-64 of A-Z a-z 0-9 _ -'),
    cinemaId: z.string().regex(/^\d{1,12}$/, 'must be digits'),
    scheduleId: z.string().regex(/^\d{1,15}$/, 'must be digits'),
    seats: z
      .array(z.string().regex(SEAT_LABEL_PATTERN, 'must be a seatlable {area_no}:{row}:{col}:{seat_no}'))
      .min(1, 'needs at least one seat')
      .max(MAX_SEATS, `at most ${MAX_SEATS} seats`),
    /** The user's Womei session token, sealed by the client. A secret: never logged, never in status, result or errors. */
    token: tokenSchema,
    vouchers: voucherSpecSchema,
    limits: limitsSchema.default(() => limitsSchema.parse({})),
    /** Pay when the vouchers cover the whole price (0 yuan), so the tickets are issued. */
    payIfFree: z.boolean().default(false),
    /** The account's phone number, sent with `order/payment/`; required with `payIfFree`. */
    mobile: z
      .string()
      .regex(/^1\d{10}$/, 'must be an 11-digit mainland mobile number')
      .optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (codesExceedSeats(input.vouchers, input.seats.length)) {
      ctx.addIssue({ code: 'custom', path: ['vouchers', 'codes'], message: CODES_EXCEED_SEATS });
    }
    if (input.limits.deadlineAt !== undefined && input.limits.deadlineMinutes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['limits'], message: 'give deadlineAt or deadlineMinutes, not both' });
    }
    if (input.limits.backoffInitialMs > input.limits.backoffMaxMs) {
      ctx.addIssue({ code: 'custom', path: ['limits', 'backoffInitialMs'], message: 'must not exceed backoffMaxMs' });
    }
    if (input.payIfFree && input.mobile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['mobile'], message: 'is required when payIfFree is set (order/payment/ needs it)' });
    }
  });

/** What callers send (defaults optional). */
export type CheckoutRequest = z.input<typeof checkoutInputSchema>;
/** What the workflow works with (defaults filled in). */
export type CheckoutInput = z.output<typeof checkoutInputSchema>;

export interface InputIssue {
  path: string;
  message: string;
}

/** The input was refused. `type` matches the workflow's ApplicationFailure type. */
export class InvalidInput extends Error {
  readonly type = 'InvalidInput' as const;
  readonly retryable = false;
  constructor(readonly issues: InputIssue[]) {
    super(`invalid checkout input: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
  override get name(): string {
    return 'InvalidInput';
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

function tokenOf(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && 'token' in raw) {
    const t = (raw as { token?: unknown }).token;
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

/** The refusal of a label naming a seat an earlier label named. */
export const SAME_SEAT_RULE = 'names the same seat as an earlier label (same area:row:col or seat_no, letter case ignored)';

/** True when the only fault of the input is a seat named twice by labels that differ as strings (a newer rule). */
export function onlySameSeatRefusal(err: InvalidInput, raw: unknown): boolean {
  const seats = raw && typeof raw === 'object' ? (raw as { seats?: unknown }).seats : undefined;
  return (
    err.issues.length > 0 &&
    err.issues.every((i) => i.message === SAME_SEAT_RULE) &&
    Array.isArray(seats) &&
    new Set(seats).size === seats.length
  );
}

/**
 * Parses and checks a checkout request. `now` (ms) is the reference for "deadline in the future": the client
 * passes nothing (the clock), the workflow passes its start time so a replay decides the same way.
 * `sameSeatTwice: 'allow'` skips the canonical repeated-seat rule: only for a workflow whose history began
 * before the rule (see checkout.ts). Throws `InvalidInput` naming each bad field; the message never carries a value.
 */
export function parseCheckoutInput(raw: unknown, opts: { now?: number; sameSeatTwice?: 'allow' } = {}): CheckoutInput {
  const result = checkoutInputSchema.safeParse(raw);
  const secret = tokenOf(raw);
  if (!result.success) {
    throw new InvalidInput(
      result.error.issues.map((i) => ({ path: pathOf(i.path), message: redactText(i.message, [secret]) })),
    );
  }
  const input = result.data;
  if (opts.sameSeatTwice !== 'allow') {
    const repeats = repeatedSeats(input.seats);
    if (repeats.length > 0) throw new InvalidInput(repeats.map((r) => ({ path: `seats.${r.index}`, message: SAME_SEAT_RULE })));
  }
  const now = opts.now ?? Date.now();
  if (input.limits.deadlineAt !== undefined) {
    const at = Date.parse(input.limits.deadlineAt);
    if (!(at > now)) throw new InvalidInput([{ path: 'limits.deadlineAt', message: 'must be in the future' }]);
    if (at - now > MAX_DEADLINE_MINUTES * 60_000) {
      throw new InvalidInput([{ path: 'limits.deadlineAt', message: `must be within ${MAX_DEADLINE_MINUTES} minutes` }]);
    }
  }
  return input;
}

/** Absolute deadline (epoch ms) of a checkout that started at `startedAt`. */
export function deadlineOf(input: CheckoutInput, startedAt: number): number {
  if (input.limits.deadlineAt !== undefined) return Date.parse(input.limits.deadlineAt);
  return startedAt + (input.limits.deadlineMinutes ?? DEFAULT_DEADLINE_MINUTES) * 60_000;
}

/** Checks a `replaceVouchers` argument against the checkout's seats; returns the spec or throws InvalidInput. */
export function parseVoucherSpec(raw: unknown, seatCount: number): VoucherSpec {
  const result = voucherSpecSchema.safeParse(raw);
  if (!result.success) {
    throw new InvalidInput(result.error.issues.map((i) => ({ path: pathOf(['vouchers', ...i.path]), message: i.message })));
  }
  if (codesExceedSeats(result.data, seatCount)) throw new InvalidInput([{ path: 'vouchers.codes', message: CODES_EXCEED_SEATS }]);
  return result.data;
}

/** Checks a token handed in by `refreshToken` (format only; Womei decides whether it is live). */
export function parseToken(raw: unknown): string {
  const result = tokenSchema.safeParse(raw);
  // One message whatever the issue (not a string, wrong format): it names the rule, never the value.
  if (!result.success) throw new InvalidInput([{ path: 'token', message: TOKEN_RULE }]);
  return result.data;
}

/** `refreshToken`'s door: only a sealed token gets into the workflow's history. */
export function parseSealedToken(raw: unknown): string {
  if (typeof raw !== 'string' || !SEALED_TOKEN_PATTERN.test(raw)) throw new InvalidInput([{ path: 'token', message: SEALED_RULE }]);
  return raw;
}
