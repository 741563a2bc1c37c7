/**
 * The per-token limiter in the real client against the sandbox's gateway limit (Kong's per-token minute
 * window) over real HTTP, judged from the sandbox's request log: what the limiter holds back never reaches the
 * gateway, and a 429 that does (two worker processes sharing a token) stops that token until `ratelimit-reset`.
 */
import { createWomeiClient } from '../../src/womei/client';
import { WomeiError } from '../../src/womei/errors';
import { tokenFingerprint } from '../../src/womei/fingerprint';
import { TokenRateLimiter } from '../../src/womei/token-limiter';
import type { WomeiApi, WomeiSession } from '../../src/womei/types';
import { FIXTURE, startSandbox, type RunningSandbox } from '../../src/sandbox/server';

const GATEWAY_LIMIT = 5;
const RICH: WomeiSession = { token: FIXTURE.tokens.rich, cinemaId: FIXTURE.cinemas.beijing };
const FEW: WomeiSession = { token: FIXTURE.tokens.few, cinemaId: FIXTURE.cinemas.beijing };

let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(() => sb.close());
beforeEach(async () => {
  await sb.admin.reset();
  await sb.admin.setConfig({ rateLimitPerMinute: GATEWAY_LIMIT });
  // The gateway counts in clock-minute windows: start each test at the beginning of one, so no window ends
  // (and resets the count) in the middle of it.
  const { now } = await sb.admin.health();
  await sb.admin.advanceClock(60 - (now % 60));
});

/** A worker process's Womei client: the real one, with its own per-token limiter. */
function workerClient(requestsPerMinute: number): WomeiApi {
  const limiter = new TokenRateLimiter({ requestsPerMinute, maxWaitMs: 0 });
  return createWomeiClient({ baseUrl: sb.url, tenant: 'wmyc', timeoutMs: 5_000, limiter });
}

async function rejection(p: Promise<unknown>): Promise<WomeiError> {
  const err = await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WomeiError);
  return err as WomeiError;
}

/** Requests of one session the sandbox saw, by HTTP status. */
async function seen(session: WomeiSession): Promise<Record<string, number>> {
  const { recent } = await sb.admin.requests(1_000);
  const counts: Record<string, number> = {};
  for (const r of recent.filter((x) => x.tokenFingerprint === tokenFingerprint(session.token))) {
    counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
  }
  return counts;
}

it('a worker limited to the gateway limit never meets a 429: the extra calls fail locally, retryable, with the time left', async () => {
  const api = workerClient(GATEWAY_LIMIT);
  for (let i = 0; i < GATEWAY_LIMIT; i++) await api.listVouchers(RICH);
  const errors = [await rejection(api.listVouchers(RICH)), await rejection(api.getUserCards(RICH))];
  for (const err of errors) {
    expect(err).toMatchObject({ type: 'WomeiRateLimited', retryable: true });
    expect(err.httpStatus).toBeUndefined();
    expect(err.retryAfterMs).toBeGreaterThan(55_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
  }
  expect(await seen(RICH)).toEqual({ '200': GATEWAY_LIMIT });
  // Another user's token has its own window, in the limiter as at the gateway.
  await api.listVouchers(FEW);
  expect(await seen(FEW)).toEqual({ '200': 1 });
});

it("two workers sharing a token: the gateway's 429 is the backstop, and the one that got it sends nothing more until ratelimit-reset", async () => {
  const first = workerClient(GATEWAY_LIMIT);
  const second = workerClient(GATEWAY_LIMIT);
  for (let i = 0; i < GATEWAY_LIMIT; i++) await first.listVouchers(RICH);

  const throttled = await rejection(second.listVouchers(RICH));
  expect(throttled).toMatchObject({ type: 'WomeiRateLimited', retryable: true, httpStatus: 429 });
  const reset = throttled.retryAfterMs ?? 0;
  expect(reset).toBeGreaterThan(55_000);
  expect(await seen(RICH)).toEqual({ '200': GATEWAY_LIMIT, '429': 1 });

  const held = await rejection(second.getOrderInfo(RICH, '250101000010009999'));
  expect(held).toMatchObject({ type: 'WomeiRateLimited', retryable: true });
  expect(held.httpStatus).toBeUndefined();
  expect(held.retryAfterMs).toBeGreaterThan(reset - 5_000);
  expect(held.retryAfterMs).toBeLessThanOrEqual(reset);
  // The held call never reached the gateway; the second worker still serves other tokens.
  expect(await seen(RICH)).toEqual({ '200': GATEWAY_LIMIT, '429': 1 });
  await second.listVouchers(FEW);
  expect(await seen(FEW)).toEqual({ '200': 1 });
});
