/**
 * Womei's gateway (Kong) limits each session token to 200 requests a minute (docs/womei-api.md §1.4); there is
 * no limit on the whole of our traffic. So the worker limits per TOKEN, in the Womei client path: every request
 * first takes a slot for its token here.
 *
 * - Sliding window: at most `requestsPerMinute` requests of one token in ANY 60 s. That is stricter than Kong's
 *   fixed clock-minute windows, so one worker never trips them whatever the clock skew between us and Kong.
 * - A request whose slot comes within `maxWaitMs` waits for it (the slot is reserved at once, so concurrent
 *   callers never share one); a later slot is refused at once with a retryable `WomeiRateLimited` carrying the
 *   time left, which the activities turn into Temporal's `nextRetryDelay`: no activity slot is held meanwhile.
 * - A 429 that reaches us anyway (several worker processes serve the same user, each keeping only its own
 *   count) holds the token until Kong's `ratelimit-reset`: no further request of that token leaves this worker
 *   before then. Kong's 429 is the backstop; this limiter is the worker's own share.
 *
 * Keys are token fingerprints, never tokens: the limiter's memory holds no secret.
 */
import { WomeiRateLimited } from './errors';
import { tokenFingerprint } from './fingerprint';

export const RATE_WINDOW_MS = 60_000;

export interface TokenRateLimitOptions {
  /** Requests one token may send from this process in any 60 s. */
  requestsPerMinute: number;
  /** Longest a request waits here for its token's next slot; a later slot fails at once with the time left. */
  maxWaitMs: number;
  /** Injected in unit tests (a manual clock); real time otherwise. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface TokenWindow {
  /** Send times of the latest requests (at most `requestsPerMinute`), ascending; future ones are reservations. */
  stamps: number[];
  /** A 429's `ratelimit-reset`: nothing is sent for this token before then. */
  blockedUntil: number;
}

/** How many `acquire` calls between sweeps of idle tokens (keeps memory bounded by the active tokens). */
const SWEEP_EVERY = 1_000;

export class TokenRateLimiter {
  private readonly windows = new Map<string, TokenWindow>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private sinceSweep = 0;

  constructor(private readonly options: TokenRateLimitOptions) {
    if (!Number.isInteger(options.requestsPerMinute) || options.requestsPerMinute < 1) {
      throw new RangeError('requestsPerMinute must be an integer >= 1');
    }
    if (!(options.maxWaitMs >= 0)) throw new RangeError('maxWaitMs must be >= 0');
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Takes the token's next slot: resolves when the request may be sent (at once, or after a wait of at most
   * `maxWaitMs`), or throws WomeiRateLimited with `retryAfterMs` = the time until a slot frees.
   */
  async acquire(token: string, endpoint: string): Promise<void> {
    const key = tokenFingerprint(token);
    const now = this.now();
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    const window = this.windows.get(key) ?? { stamps: [], blockedUntil: 0 };
    this.windows.set(key, window);
    const { requestsPerMinute: limit, maxWaitMs } = this.options;
    const { stamps } = window;
    // The request `limit` places back must be a full window old before another may go.
    const windowFree = stamps.length >= limit ? stamps[stamps.length - limit]! + RATE_WINDOW_MS : now;
    const at = Math.max(now, windowFree, window.blockedUntil, stamps[stamps.length - 1] ?? now);
    const waitMs = at - now;
    if (waitMs > maxWaitMs) {
      const why = window.blockedUntil > now ? 'the gateway answered 429 for this token' : `${limit} requests per minute for this token`;
      throw new WomeiRateLimited(`${endpoint}: held back by the worker's rate limit (${why}); retry after ${waitMs} ms`, {
        endpoint,
        retryAfterMs: waitMs,
      });
    }
    stamps.push(at);
    if (stamps.length > limit) stamps.splice(0, stamps.length - limit);
    if (waitMs > 0) await this.sleep(waitMs);
  }

  /** The gateway answered 429 for this token: send nothing more for it until `retryAfterMs` has passed. */
  throttled(token: string, retryAfterMs: number): void {
    const key = tokenFingerprint(token);
    const window = this.windows.get(key) ?? { stamps: [], blockedUntil: 0 };
    window.blockedUntil = Math.max(window.blockedUntil, this.now() + Math.max(0, retryAfterMs));
    this.windows.set(key, window);
  }

  /** Tokens with state (for tests and the memory bound). */
  get trackedTokens(): number {
    return this.windows.size;
  }

  /** Forgets tokens that sent nothing in the last window and are not blocked. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const [key, w] of this.windows) {
      const newest = w.stamps[w.stamps.length - 1] ?? 0;
      if (newest + RATE_WINDOW_MS <= now && w.blockedUntil <= now) this.windows.delete(key);
    }
  }
}
