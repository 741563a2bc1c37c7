/**
 * The failure-type table (src/failure-types.ts) and what is derived from it: the Womei errors' retryable flag,
 * the retry policy's non-retryable list (which every scheduled activity records in history), and traits that
 * must agree with each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURE_TYPES, failureIs, NON_RETRYABLE_ACTIVITY_FAILURES, traitsOf, type FailureType } from '../src/failure-types';
import * as Errors from '../src/womei/errors';
import { retryPolicy } from '../workflows/policy';
import { limitsSchema } from '../workflows/input';

const TYPES = Object.keys(FAILURE_TYPES) as FailureType[];

test('every Womei failure type has its error class, whose retryable flag is the table’s', () => {
  type Concrete = new (message: string, details: { endpoint: string }) => Errors.WomeiError;
  const classes = (Object.values(Errors) as unknown[]).filter(
    (v): v is Concrete => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Errors.WomeiError,
  );
  const byType = new Map(classes.map((C) => [new C('x', { endpoint: 'order/change/' }).type as string, new C('x', { endpoint: 'order/change/' })]));
  const womei = TYPES.filter((t) => FAILURE_TYPES[t].origin === 'womei');
  expect([...byType.keys()].sort()).toEqual([...womei].sort());
  for (const t of womei) expect([t, byType.get(t)!.retryable]).toEqual([t, traitsOf(t).retryable]);
});

test('traits agree: a refusal is final and changed nothing; a lost answer is not "nothing applied"', () => {
  for (const t of TYPES) {
    const x = traitsOf(t);
    if (x.refusal) expect([t, x.retryable, x.nothingApplied, x.answerLost]).toEqual([t, false, true, false]);
    if (x.gatewayRefusal) expect([t, x.transient, x.nothingApplied]).toEqual([t, true, true]);
    if (x.answerLost) expect([t, x.nothingApplied]).toEqual([t, false]);
    if (x.orderGone || x.voucherRefused || x.needsFreshToken) expect([t, x.refusal]).toEqual([t, true]);
  }
});

test('a type the table does not know has no trait', () => {
  expect(Object.values(traitsOf('ServerFailure')).some(Boolean)).toBe(false);
  // @ts-expect-error a misspelt type does not compile
  expect(failureIs({ type: 'OrderExpired' }, 'OrderExpird')).toBe(false);
  expect(failureIs({ type: 'OrderExpired' }, 'OrderExpired')).toBe(true);
});

test('the retry policy lists every non-retryable type an activity can raise, and none of the workflow’s own', () => {
  const listed = retryPolicy('read', limitsSchema.parse({})).nonRetryableErrorTypes;
  expect(listed).toEqual(NON_RETRYABLE_ACTIVITY_FAILURES);
  for (const t of TYPES) {
    const activityMayRaise = FAILURE_TYPES[t].origin !== 'workflow';
    expect([t, listed!.includes(t)]).toEqual([t, activityMayRaise && !traitsOf(t).retryable]);
  }
});

test('every type a saved history lists as non-retryable is still in the table (a failure type is never renamed)', () => {
  const dir = join(__dirname, 'histories');
  const recorded = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const events = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { events: Record<string, { retryPolicy?: { nonRetryableErrorTypes?: string[] } }>[] }).events;
    for (const e of events) for (const t of e.activityTaskScheduledEventAttributes?.retryPolicy?.nonRetryableErrorTypes ?? []) recorded.add(t);
  }
  expect(recorded.size).toBeGreaterThan(0);
  expect([...recorded].filter((t) => !(t in FAILURE_TYPES))).toEqual([]);
});
