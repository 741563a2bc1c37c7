/**
 * Kong's per-consumer minute window (docs/womei-api.md §1.4): fixed windows aligned to the clock minute, counted per
 * token across all endpoints. Uses the sandbox clock so advancing it also opens a new window.
 */
import { KONG_RATE_LIMIT_BODY } from '../womei/catalogue';
import type { Reply } from './wire';

export interface RateState {
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  resetSec: number;
  exceeded: boolean;
}

export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  reset(): void {
    this.windows.clear();
  }

  hit(key: string, nowMs: number, limit: number): RateState {
    const start = Math.floor(nowMs / 60_000) * 60_000;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    return {
      limit,
      remaining: Math.max(0, limit - w.count),
      resetSec: Math.max(1, Math.ceil((start + 60_000 - nowMs) / 1000)),
      exceeded: w.count > limit,
    };
  }
}

export function rateHeaders(s: RateState): Record<string, string> {
  return {
    'x-ratelimit-limit-minute': String(s.limit),
    'x-ratelimit-remaining-minute': String(s.remaining),
    'ratelimit-limit': String(s.limit),
    'ratelimit-remaining': String(s.remaining),
    'ratelimit-reset': String(s.resetSec),
  };
}

/**
 * Kong's stock 429 (ASSUMPTION: never captured): the window's rate headers plus `retry-after` (the seconds
 * until the window resets). Its body is plain JSON, not Womei's envelope.
 */
export function throttled(s: RateState): Reply {
  return {
    kind: 'raw',
    status: 429,
    body: JSON.stringify(KONG_RATE_LIMIT_BODY),
    contentType: 'application/json; charset=utf-8',
    headers: { ...rateHeaders(s), 'retry-after': String(s.resetSec) },
  };
}
