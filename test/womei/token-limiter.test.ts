/**
 * The worker's per-token limit towards Kong, on a manual clock: `sleep` advances it, so nothing here waits for
 * real time and nothing is timed.
 */
import { inspect } from 'node:util';
import { loadConfig } from '../../src/config';
import { tokenLimiterOf } from '../../src/worker';
import { WomeiRateLimited } from '../../src/womei/errors';
import { tokenFingerprint } from '../../src/womei/fingerprint';
import { RATE_WINDOW_MS, TokenRateLimiter } from '../../src/womei/token-limiter';

const TOKEN_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = 1_750_000_000_000;

/** A limiter on a manual clock; `slept` lists every wait it asked for, `at` when each acquire resolved. */
function limiter(requestsPerMinute: number, maxWaitMs: number) {
  let now = T0;
  const slept: number[] = [];
  const l = new TokenRateLimiter({
    requestsPerMinute,
    maxWaitMs,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return {
    l,
    slept,
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

async function refusal(p: Promise<void>): Promise<WomeiRateLimited> {
  const err = await p.then(
    () => {
      throw new Error('expected the limiter to refuse');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WomeiRateLimited);
  return err as WomeiRateLimited;
}

describe('TokenRateLimiter', () => {
  it('lets a token send its limit at once, then makes the next request wait for the oldest to be a window old', async () => {
    const c = limiter(3, RATE_WINDOW_MS);
    for (let i = 0; i < 3; i++) {
      await c.l.acquire(TOKEN_A, 'order/info/');
      c.advance(1_000);
    }
    expect(c.slept).toEqual([]);
    // Now T0+3s; the first request went at T0, so the fourth may go at T0+60s: 57 s from now.
    await c.l.acquire(TOKEN_A, 'order/info/');
    expect(c.slept).toEqual([RATE_WINDOW_MS - 3_000]);
  });

  it('refuses at once, with the time left and retryable, when the slot is further away than the longest wait', async () => {
    const c = limiter(2, 5_000);
    await c.l.acquire(TOKEN_A, 'order/change/');
    c.advance(10_000);
    await c.l.acquire(TOKEN_A, 'order/change/');
    const err = await refusal(c.l.acquire(TOKEN_A, 'order/change/'));
    expect(err).toMatchObject({ type: 'WomeiRateLimited', retryable: true, endpoint: 'order/change/', retryAfterMs: RATE_WINDOW_MS - 10_000 });
    expect(err.httpStatus).toBeUndefined();
    expect(err.message).toMatch(/^order\/change\/: held back by the worker's rate limit \(2 requests per minute for this token\); retry after 50000 ms$/);
    // A refusal reserves nothing: once the window has moved, the request goes at once.
    c.advance(RATE_WINDOW_MS - 10_000);
    await c.l.acquire(TOKEN_A, 'order/change/');
    expect(c.slept).toEqual([]);
  });

  it('waits when the slot comes within the longest wait', async () => {
    const c = limiter(1, 2_000);
    await c.l.acquire(TOKEN_A, 'order/info/');
    c.advance(RATE_WINDOW_MS - 1_500);
    await c.l.acquire(TOKEN_A, 'order/info/');
    expect(c.slept).toEqual([1_500]);
  });

  it('keeps each token to its own window', async () => {
    const c = limiter(1, 0);
    await c.l.acquire(TOKEN_A, 'order/info/');
    await c.l.acquire(TOKEN_B, 'order/info/');
    await refusal(c.l.acquire(TOKEN_A, 'order/info/'));
    await refusal(c.l.acquire(TOKEN_B, 'order/info/'));
    expect(c.l.trackedTokens).toBe(2);
  });

  it('gives concurrent callers distinct slots: never more than the limit in any window', async () => {
    const c = limiter(2, 3 * RATE_WINDOW_MS);
    await Promise.all(Array.from({ length: 6 }, () => c.l.acquire(TOKEN_A, 'order/info/')));
    // Two now, two a window later, two two windows later.
    expect(c.slept).toEqual([RATE_WINDOW_MS, RATE_WINDOW_MS, 2 * RATE_WINDOW_MS, 2 * RATE_WINDOW_MS]);
  });

  it("after the gateway's 429 holds the token until ratelimit-reset, other tokens untouched", async () => {
    const c = limiter(200, 1_000);
    await c.l.acquire(TOKEN_A, 'order/info/');
    c.l.throttled(TOKEN_A, 20_000);
    const err = await refusal(c.l.acquire(TOKEN_A, 'order/info/'));
    expect(err.retryAfterMs).toBe(20_000);
    expect(err.message).toMatch(/the gateway answered 429 for this token/);
    await c.l.acquire(TOKEN_B, 'order/info/');
    c.advance(19_500);
    // Within the longest wait now: it waits out the rest of the reset.
    await c.l.acquire(TOKEN_A, 'order/info/');
    expect(c.slept).toEqual([500]);
  });

  it('a shorter 429 never shortens a hold already in force', async () => {
    const c = limiter(200, 0);
    c.l.throttled(TOKEN_A, 30_000);
    c.l.throttled(TOKEN_A, 5_000);
    expect((await refusal(c.l.acquire(TOKEN_A, 'order/info/'))).retryAfterMs).toBe(30_000);
  });

  it('holds no token, only fingerprints', async () => {
    const c = limiter(5, 0);
    await c.l.acquire(TOKEN_A, 'order/info/');
    c.l.throttled(TOKEN_B, 1_000);
    const dump = inspect(c.l, { depth: 10, showHidden: true });
    expect(dump).not.toContain(TOKEN_A);
    expect(dump).not.toContain(TOKEN_B);
    expect(dump).toContain(tokenFingerprint(TOKEN_A));
  });

  it('forgets tokens idle for a whole window (memory bounded by the active tokens)', async () => {
    const c = limiter(5, 0);
    await c.l.acquire(TOKEN_A, 'order/info/');
    c.advance(RATE_WINDOW_MS);
    // Sweeps run every thousand acquires; all of these are one other token, within its limit per window.
    for (let i = 0; i < 1_000; i++) {
      await c.l.acquire(TOKEN_B, 'order/info/');
      c.advance(RATE_WINDOW_MS / 5);
    }
    expect(c.l.trackedTokens).toBe(1);
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenRateLimiter({ requestsPerMinute: 0, maxWaitMs: 0 })).toThrow(RangeError);
    expect(() => new TokenRateLimiter({ requestsPerMinute: 1.5, maxWaitMs: 0 })).toThrow(RangeError);
    expect(() => new TokenRateLimiter({ requestsPerMinute: 1, maxWaitMs: -1 })).toThrow(RangeError);
  });
});

describe('the worker default', () => {
  it("limits each token to Kong's 200 a minute, waiting at most a second; 0 turns the limit off", async () => {
    const womei = loadConfig({}, {}).womei;
    expect(womei).toMatchObject({ tokenRequestsPerMinute: 200, rateLimitMaxWaitMs: 1_000 });
    expect(tokenLimiterOf(womei)).toBeInstanceOf(TokenRateLimiter);
    expect(tokenLimiterOf(loadConfig({ WOMEI_TOKEN_REQUESTS_PER_MINUTE: '0' }, {}).womei)).toBeUndefined();
    expect(() => loadConfig({ WOMEI_TOKEN_REQUESTS_PER_MINUTE: '-1' }, {})).toThrow(/WOMEI_TOKEN_REQUESTS_PER_MINUTE/);
  });
});
