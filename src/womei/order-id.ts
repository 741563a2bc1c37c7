/**
 * Womei order ids start with the Beijing-time minute they were created in, `YYMMDDHHmm` (then a counter).
 * `findLostOrder` relies on that to tell which orders a lost create may have made, and the sandbox builds its
 * ids with the same function so the two cannot drift. Pure: no Node built-ins, safe in any context.
 */

/** `YYMMDDHHmm` in Beijing time (UTC+8, no DST): the prefix of Womei order ids created in that minute. */
export function beijingMinuteKey(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}
