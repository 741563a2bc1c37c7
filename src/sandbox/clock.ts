/**
 * The sandbox's own clock: real time plus an offset that tests advance through `/__sandbox/clock`, so hold
 * expiry, payment issuing and the daily quota can be exercised without waiting. Womei shows times in Beijing
 * time (UTC+8, no DST), whatever the host's zone.
 */

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export class SandboxClock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  nowSec(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

export interface BeijingParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function beijingParts(unixSec: number): BeijingParts {
  const d = new Date(unixSec * 1000 + BEIJING_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2025-06-24 15:38` */
export function formatMinute(unixSec: number): string {
  const p = beijingParts(unixSec);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `2025-06-19 19:30:20` */
export function formatSecond(unixSec: number): string {
  return `${formatMinute(unixSec)}:${pad(beijingParts(unixSec).second)}`;
}

/** `2026年1月1日 00:00` */
export function formatChineseDate(unixSec: number): string {
  const p = beijingParts(unixSec);
  return `${p.year}年${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `6月24日 15:38` (order_track) */
export function formatTrackTime(unixSec: number): string {
  const p = beijingParts(unixSec);
  return `${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** `周二 6月24日 16:25` */
export function formatShowDateStyle(unixSec: number): string {
  const p = beijingParts(unixSec);
  return `${WEEKDAYS[p.weekday] ?? ''} ${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`;
}

/** `20250624`, the key of `shows/` */
export function formatDayKey(unixSec: number): string {
  const p = beijingParts(unixSec);
  return `${p.year}${pad(p.month)}${pad(p.day)}`;
}

/** Days since the epoch in Beijing time: the quota resets at Beijing midnight. */
export function beijingDayNumber(unixSec: number): number {
  return Math.floor((unixSec * 1000 + BEIJING_OFFSET_MS) / 86_400_000);
}

/** Unix seconds of a Beijing wall-clock time. */
export function beijingTime(year: number, month: number, day: number, hour = 0, minute = 0): number {
  return Math.floor((Date.UTC(year, month - 1, day, hour, minute) - BEIJING_OFFSET_MS) / 1000);
}
