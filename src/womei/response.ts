/**
 * Turning what came back over HTTP into data or one typed error. Pure functions (no I/O), so each rule is unit
 * tested on its own; `http.ts` calls them in order: `failureFromStatus` before the body is read, then
 * `parseResponseBody`. Every message goes through `redactText` because a body or header can echo anything.
 */
import type { z } from 'zod';
import { redactText } from '../redact';
import { errorFromEnvelope, WomeiProtocolError, WomeiRateLimited, WomeiUnavailable, type WomeiError } from './errors';
import { envelopeSchema } from './schemas';

/** Failure decided by the status line alone (the body of a 429 or 5xx is not read: it might never arrive). */
export function failureFromStatus(endpoint: string, status: number, headers: Headers): WomeiError | undefined {
  if (status === 429) {
    const retryAfterMs = retryAfterFromHeaders(headers);
    const when = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`;
    return new WomeiRateLimited(`${endpoint}: rate limited by the Womei gateway (HTTP 429)${when}`, {
      endpoint,
      httpStatus: status,
      retryAfterMs,
    });
  }
  if (status >= 500) {
    return new WomeiUnavailable(`${endpoint}: Womei unavailable: HTTP ${status}`, { endpoint, httpStatus: status });
  }
  return undefined;
}

/** Kong's `ratelimit-reset` (seconds to the window's end), else the standard `retry-after` (seconds or a date). */
export function retryAfterFromHeaders(headers: Headers, now = Date.now()): number | undefined {
  const seconds = (v: string | null) => (v !== null && /^\d+(\.\d+)?$/.test(v.trim()) ? Math.round(Number(v) * 1000) : undefined);
  const reset = seconds(headers.get('ratelimit-reset'));
  if (reset !== undefined) return reset;
  const retryAfter = headers.get('retry-after');
  const inSeconds = seconds(retryAfter);
  if (inSeconds !== undefined) return inSeconds;
  const date = retryAfter === null ? NaN : Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Parses a body whose status was not a transport failure: envelope first, then `ret`/`sub` (the one mapping
 * in errors.ts), then `data` through the endpoint's schema.
 */
export function parseResponseBody<S extends z.ZodType>(
  endpoint: string,
  response: { status: number; text: string },
  dataSchema: S,
  secrets: readonly string[],
): z.output<S> {
  const { status, text } = response;
  const ok = status >= 200 && status < 300;
  const protocolError = (what: string) =>
    new WomeiProtocolError(redactText(`${endpoint}: ${what}`, secrets), { endpoint, httpStatus: status });

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const head = ok ? `response is not JSON (HTTP ${status})` : `unexpected HTTP ${status}`;
    return throwIt(protocolError(`${head}: ${snippet(text)}`));
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const head = ok ? 'response' : `unexpected HTTP ${status}, response`;
    return throwIt(protocolError(`${head} ${describeZodError(envelope.error, [])}`));
  }
  const { ret, sub, msg, data } = envelope.data;
  // Seat-lock failures were recognised by msg in the author's client even with ret/sub 0, so msg wins there.
  const success = ret === 0 && sub === 0 && !msg.includes('锁座失败');
  if (!success) throw errorFromEnvelope(endpoint, ret, sub, redactText(msg, secrets), { httpStatus: status });
  if (!ok) return throwIt(protocolError(`unexpected HTTP ${status} with a success envelope`));

  const parsed = dataSchema.safeParse(data);
  if (!parsed.success) return throwIt(protocolError(`response ${describeZodError(parsed.error, ['data'])}`));
  return parsed.data;
}

function throwIt(error: Error): never {
  throw error;
}

function snippet(text: string): string {
  if (text.trim() === '') return 'empty body';
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 80)}…` : flat);
}

type Issue = z.core.$ZodIssue;

/** `field data.order_payment_price: expected number, received string` for the first (most telling) issue. */
export function describeZodError(error: z.ZodError, prefix: PropertyKey[]): string {
  const first = error.issues[0];
  if (first === undefined) return 'does not match the expected shape';
  const { path, text } = describeIssue(first, prefix);
  return `field ${formatPath(path)}: ${text}`;
}

function describeIssue(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; text: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const firsts = issue.errors.map((branch) => branch[0]).filter((i): i is Issue => i !== undefined);
    // The branch that got deepest into the value is the shape the server meant: report its complaint.
    const deepest = firsts.reduce<Issue | undefined>((best, i) => (best === undefined || i.path.length > best.path.length ? i : best), undefined);
    if (deepest !== undefined && deepest.path.length > 0) return describeIssue(deepest, path);
    // A branch that accepted the type but not the value (a digit string that is not digits) is the one meant.
    const rightType = firsts.find((i) => i.code !== 'invalid_type');
    if (rightType !== undefined) return describeIssue(rightType, path);
    const expected = firsts.map((i) => (i.code === 'invalid_type' ? i.expected : cleanMessage(i.message)));
    const received = firsts.map((i) => /received (\w+)/.exec(i.message)?.[1]).find((r) => r !== undefined);
    return { path, text: `expected ${expected.join(' or ')}${received ? `, received ${received}` : ''}` };
  }
  return { path, text: cleanMessage(issue.message) };
}

function cleanMessage(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
