/**
 * A catalogue of malformed checkout inputs, each refused at both doors:
 * (a) the client (`CheckoutClient.startCheckout`) throws `InvalidInput` naming the field path, never the token, and
 *     starts nothing;
 * (b) sent straight to the workflow with the Temporal client (bypassing CheckoutClient), the workflow fails at once
 *     with a non-retryable ApplicationFailure of type `InvalidInput` naming the field, before any activity (no
 *     ActivityTaskScheduled in its history);
 * (c) the sandbox ledger (orders, vouchers, quota, tokens, request counts per endpoint) is the same after the whole
 *     catalogue as before it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { CheckoutClient } from '../../src/client';
import type { Ledger } from '../../src/sandbox/ledger';
import { InvalidInput, parseCheckoutInput, REQUEST_ID_PATTERN } from '../../workflows/input';
import { checkoutWorkflowId } from '../../workflows/messages';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { FIXTURE, installRuntime, startSecureEnv, type SecureEnv } from './secure-env';

installRuntime();

/** A token-shaped secret of this run: no refusal may echo it. */
const TOKEN = randomBytes(16).toString('hex');
const SEAT = FIXTURE.seats.beijing;
const CODE = FIXTURE.vouchers.rich.unused;
const FAR_PAST = '2020-01-01T00:00:00Z';

type Raw = Record<string, unknown>;
const valid = (): Raw => ({
  requestId: `mal-${randomUUID().slice(0, 13)}`,
  cinemaId: FIXTURE.cinemas.beijing,
  scheduleId: String(FIXTURE.schedules.beijing),
  seats: [SEAT[0], SEAT[1]],
  token: TOKEN,
  vouchers: { codes: [CODE[0], CODE[1]] },
  limits: { deadlineMinutes: 10 },
});
const withField = (key: string, value: unknown): Raw => ({ ...valid(), [key]: value });
const without = (key: string): Raw => {
  const r = valid();
  delete r[key];
  return r;
};
const withLimits = (limits: unknown): Raw => ({ ...valid(), limits });

interface Case {
  name: string;
  /** The field path the refusal must name (`(root)` for the input as a whole). */
  field: string;
  input: unknown;
  /** Something else the message must mention (e.g. the name of an unknown key). */
  mentions?: string;
}

const CASES: Case[] = [
  // request id
  { name: 'requestId empty', field: 'requestId', input: withField('requestId', '') },
  { name: 'requestId with spaces', field: 'requestId', input: withField('requestId', 'has spaces in it') },
  { name: 'requestId too long (65)', field: 'requestId', input: withField('requestId', 'r'.repeat(65)) },
  { name: 'requestId with a control character', field: 'requestId', input: withField('requestId', 'abc\u0000def') },
  { name: 'requestId a number', field: 'requestId', input: withField('requestId', 42) },
  // ids
  { name: 'cinemaId not numeric', field: 'cinemaId', input: withField('cinemaId', 'beijing') },
  { name: 'cinemaId empty', field: 'cinemaId', input: withField('cinemaId', '') },
  { name: 'cinemaId a number instead of a string', field: 'cinemaId', input: withField('cinemaId', 9647) },
  { name: 'cinemaId with CR LF', field: 'cinemaId', input: withField('cinemaId', '9647\r\n') },
  { name: 'scheduleId oversized (16 digits)', field: 'scheduleId', input: withField('scheduleId', '1'.repeat(16)) },
  { name: 'scheduleId missing', field: 'scheduleId', input: without('scheduleId') },
  // seats
  { name: 'seats empty', field: 'seats', input: withField('seats', []) },
  { name: 'seat label malformed', field: 'seats.0', input: withField('seats', ['7排5座']) },
  { name: 'seat label with a trailing newline', field: 'seats.0', input: withField('seats', [`${SEAT[0]}\n`]) },
  { name: 'seat label oversized', field: 'seats.1', input: withField('seats', [SEAT[0], `10013:7:5:${'9'.repeat(5000)}`]) },
  { name: 'seats duplicated', field: 'seats.1', input: withField('seats', [SEAT[0], SEAT[0]]) },
  { name: 'one seat in two letter cases', field: 'seats.1', input: withField('seats', ['10013:7:5:A1#07#05', '10013:7:5:a1#07#05']) },
  { name: 'too many seats (7)', field: 'seats', input: withField('seats', Array.from({ length: 7 }, (_, i) => `10013:5:${i + 1}:11112211#05#0${i + 1}`)) },
  { name: 'seats a string instead of an array', field: 'seats', input: withField('seats', SEAT[0]) },
  { name: 'seats null', field: 'seats', input: withField('seats', null) },
  // token
  { name: 'token empty', field: 'token', input: withField('token', '') },
  { name: 'token missing', field: 'token', input: without('token') },
  { name: 'token 31 characters', field: 'token', input: withField('token', TOKEN.slice(1)) },
  { name: 'token 33 characters', field: 'token', input: withField('token', `${TOKEN}0`) },
  { name: 'token uppercase', field: 'token', input: withField('token', TOKEN.toUpperCase()) },
  { name: 'token with a control character', field: 'token', input: withField('token', `${TOKEN.slice(0, 31)}\u0007`) },
  { name: 'token a number', field: 'token', input: withField('token', 1234567890) },
  { name: 'token a 1 MB string', field: 'token', input: withField('token', 'a'.repeat(1024 * 1024)) },
  // vouchers
  { name: 'voucher code malformed', field: 'vouchers.codes.0', input: withField('vouchers', { codes: ['GZ-JY!'] }) },
  { name: 'voucher code too short', field: 'vouchers.codes.0', input: withField('vouchers', { codes: ['AB1'] }) },
  { name: 'voucher codes duplicated', field: 'vouchers.codes', input: withField('vouchers', { codes: [CODE[0], CODE[0]] }) },
  { name: 'voucher codes empty', field: 'vouchers.codes', input: withField('vouchers', { codes: [] }) },
  { name: 'more codes than seats', field: 'vouchers.codes', input: { ...withField('seats', [SEAT[0]]), vouchers: { codes: [CODE[0], CODE[1]] } } },
  { name: 'codes and policy both', field: 'vouchers', input: withField('vouchers', { codes: [CODE[0]], policy: 'best' }) },
  { name: "policy 'best' with max 0", field: 'vouchers.max', input: withField('vouchers', { policy: 'best', max: 0 }) },
  { name: 'unknown policy', field: 'vouchers', input: withField('vouchers', { policy: 'cheapest' }) },
  { name: 'vouchers an array instead of an object', field: 'vouchers', input: withField('vouchers', [CODE[0]]) },
  { name: 'vouchers a string', field: 'vouchers', input: withField('vouchers', 'best') },
  { name: 'vouchers null', field: 'vouchers', input: withField('vouchers', null) },
  { name: 'vouchers missing', field: 'vouchers', input: without('vouchers') },
  { name: 'unknown nested field in vouchers', field: 'vouchers', input: withField('vouchers', { codes: [CODE[0]], password: '1234' }), mentions: 'password' },
  // limits
  { name: 'unknown nested field in limits', field: 'limits', input: withLimits({ retries: 3 }), mentions: 'retries' },
  { name: 'limits an array', field: 'limits', input: withLimits([10]) },
  { name: 'negative maxBindAttempts', field: 'limits.maxBindAttempts', input: withLimits({ maxBindAttempts: -1 }) },
  { name: 'fractional maxOrderRounds', field: 'limits.maxOrderRounds', input: withLimits({ maxOrderRounds: 1.5 }) },
  { name: 'tokenWaitSeconds 0', field: 'limits.tokenWaitSeconds', input: withLimits({ tokenWaitSeconds: 0 }) },
  { name: 'deadlineMinutes NaN', field: 'limits.deadlineMinutes', input: withLimits({ deadlineMinutes: NaN }) },
  { name: 'deadlineMinutes Infinity', field: 'limits.deadlineMinutes', input: withLimits({ deadlineMinutes: Infinity }) },
  { name: 'deadlineMinutes a string', field: 'limits.deadlineMinutes', input: withLimits({ deadlineMinutes: '10' }) },
  { name: 'deadlineAt in the past', field: 'limits.deadlineAt', input: withLimits({ deadlineAt: FAR_PAST }) },
  { name: 'deadlineAt not a date', field: 'limits.deadlineAt', input: withLimits({ deadlineAt: 'tomorrow' }) },
  { name: 'deadlineAt and deadlineMinutes both', field: 'limits', input: withLimits({ deadlineAt: '2099-01-01T00:00:00Z', deadlineMinutes: 5 }) },
  { name: 'backoffInitialMs above backoffMaxMs', field: 'limits.backoffInitialMs', input: withLimits({ backoffInitialMs: 5_000, backoffMaxMs: 100 }) },
  // payment
  { name: 'payIfFree without mobile', field: 'mobile', input: withField('payIfFree', true) },
  { name: 'mobile malformed', field: 'mobile', input: withField('mobile', '12345') },
  { name: 'payIfFree a string', field: 'payIfFree', input: withField('payIfFree', 'yes') },
  // the whole input
  { name: 'unknown top-level field', field: '(root)', input: withField('tokenCopy', TOKEN), mentions: 'tokenCopy' },
  { name: 'unknown top-level field named like a token', field: '(root)', input: withField(TOKEN, true) },
  { name: 'input null', field: '(root)', input: null },
  { name: 'input an array', field: '(root)', input: [valid()] },
  { name: 'input a string', field: '(root)', input: 'checkout please' },
  { name: 'input a number', field: '(root)', input: 7 },
];

/** Every string in the input that could be a secret: the token field, whatever its shape, and the run's token. */
function secretsOf(input: unknown): string[] {
  const out = [TOKEN, TOKEN.toUpperCase()];
  const t = input && typeof input === 'object' && !Array.isArray(input) ? (input as Raw).token : undefined;
  if (typeof t === 'string' && t.length >= 4) out.push(t);
  return out;
}

function requestIdOf(input: unknown): string | undefined {
  const id = input && typeof input === 'object' && !Array.isArray(input) ? (input as Raw).requestId : undefined;
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id) ? id : undefined;
}

function expectNamesField(message: string, c: Case): void {
  expect(message).toContain(`${c.field}: `);
  if (c.mentions) expect(message).toContain(c.mentions);
  for (const secret of secretsOf(c.input)) expect(message.includes(secret)).toBe(false);
}

let e: SecureEnv;
let client: CheckoutClient;
let ledgerBefore: Ledger;

const comparable = (l: Ledger) => ({ ...l, now: undefined });

beforeAll(async () => {
  e = await startSecureEnv({ name: 'sec-malformed' });
  await e.startWorker(undefined);
  client = await e.client(undefined);
  ledgerBefore = await e.sandbox.admin.ledger();
}, DEV_SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await e?.close();
});

test('the catalogue is large, its names are unique, and the base input it mutates is valid', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(30);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  expect(() => parseCheckoutInput(valid())).not.toThrow();
  expect(() => parseCheckoutInput({ ...valid(), payIfFree: true, mobile: FIXTURE.phones.rich })).not.toThrow();
});

describe('(a) the client refuses before anything starts', () => {
  test.each(CASES)('$name → InvalidInput naming $field', async (c) => {
    const error = await client.startCheckout(c.input as never).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(InvalidInput);
    const invalid = error as InvalidInput;
    expect(invalid.type).toBe('InvalidInput');
    expect(invalid.issues.map((i) => i.path || '(root)')).toContain(c.field);
    expectNamesField(invalid.message, c);
    for (const secret of secretsOf(c.input)) expect(JSON.stringify(invalid.issues).includes(secret)).toBe(false);
    const requestId = requestIdOf(c.input);
    if (requestId) {
      await expect(client.temporal.workflow.getHandle(checkoutWorkflowId(requestId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });
});

function onlyChangeVersion(ev: { upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, unknown> | null } | null } | null }): boolean {
  const fields = ev.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
  return fields != null && Object.keys(fields).length > 0 && Object.keys(fields).every((k) => k === 'TemporalChangeVersion');
}

describe('(b) straight to the workflow: InvalidInput before any activity', () => {
  interface Outcome {
    error: unknown;
    activitiesScheduled: number;
    events: number;
  }
  const outcomes = new Map<string, Outcome>();
  const BATCH = 12;

  beforeAll(async () => {
    for (let i = 0; i < CASES.length; i += BATCH) {
      await Promise.all(
        CASES.slice(i, i + BATCH).map(async (c, j) => {
          const handle = await client.temporal.workflow.start('checkout', {
            taskQueue: e.taskQueue,
            workflowId: `malformed-${i + j}-${randomUUID().slice(0, 8)}`,
            args: [c.input],
          });
          const error = await handle.result().then(
            () => undefined,
            (err: unknown) => err,
          );
          const history = await handle.fetchHistory();
          outcomes.set(c.name, {
            error,
            // A patch decision (its marker and the TemporalChangeVersion it records) is bookkeeping, not an action.
            events: (history.events ?? []).filter((ev) => !ev.markerRecordedEventAttributes && !onlyChangeVersion(ev)).length,
            activitiesScheduled: (history.events ?? []).filter((ev) => ev.activityTaskScheduledEventAttributes).length,
          });
        }),
      );
    }
  }, 60_000);

  test.each(CASES)('$name → non-retryable ApplicationFailure InvalidInput naming $field', (c) => {
    const outcome = outcomes.get(c.name);
    expect(outcome).toBeDefined();
    const { error, activitiesScheduled, events } = outcome!;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    const failure = cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expectNamesField(failure.message, c);
    expect(activitiesScheduled).toBe(0);
    // Started, one workflow task (scheduled, started, completed), failed: nothing else happened.
    expect(events).toBeLessThanOrEqual(5);
  });
});

describe('(c) nothing reached Womei', () => {
  test('the sandbox ledger is identical before and after the whole catalogue', async () => {
    const after = await e.sandbox.admin.ledger();
    expect(after.requests.total).toBe(ledgerBefore.requests.total);
    expect(after.requests.byEndpoint).toEqual(ledgerBefore.requests.byEndpoint);
    expect(comparable(after)).toEqual(comparable(ledgerBefore));
  });

  test('the only workflows on the task queue are the straight-to-workflow ones', async () => {
    const query = `TaskQueue = "${e.taskQueue}"`;
    let counted = -1;
    for (let i = 0; i < 50 && counted !== CASES.length; i++) {
      counted = (await client.temporal.workflow.count(query)).count;
      if (counted !== CASES.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(counted).toBe(CASES.length);
    const ids: string[] = [];
    for await (const w of client.temporal.workflow.list({ query })) ids.push(w.workflowId);
    expect(ids.every((id) => id.startsWith('malformed-'))).toBe(true);
  });
});
