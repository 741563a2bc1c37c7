/**
 * Turning what came back over HTTP into data or one typed error. Pure functions (no I/O), so each rule is unit
 * tested on its own; `http.ts` calls them in order: `failureFromStatus` before the body is read, then the
 * endpoint's body reader (`parseResponseBody` for Womei's envelope, `parseGoodsBody`, `parseEmptyBody`).
 * Every message goes through `redactText` because a body or header can echo anything.
 */
import type { z } from 'zod';
import { redactText } from '../redact';
import { GOODS_CODE_NO_GOODS } from './catalogue';
import { errorFromEnvelope, errorFromGoodsEnvelope, WomeiProtocolError, WomeiRateLimited, WomeiUnavailable, type WomeiError } from './errors';
import { envelopeSchema, goodsEnvelopeSchema, type Envelope } from './schemas';

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

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Reads one kind of body (`ResponseBody` in endpoints.ts) into the endpoint's data, or throws one typed error. */
export type BodyReader = <S extends z.ZodType>(endpoint: string, response: HttpAnswer, dataSchema: S, secrets: readonly string[]) => z.output<S>;

/**
 * Parses a body whose status was not a transport failure: envelope first, then `ret`/`sub` (the one mapping
 * in errors.ts), then `data` through the endpoint's schema.
 */
export function parseResponseBody<S extends z.ZodType>(
  endpoint: string,
  response: HttpAnswer,
  dataSchema: S,
  secrets: readonly string[],
): z.output<S> {
  const { status } = response;
  const ok = isOk(status);
  const json = parseJson(endpoint, response, secrets);

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const head = ok ? 'response' : `unexpected HTTP ${status}, response`;
    throw protocolError(endpoint, status, `${head} ${describeZodError(envelope.error, [])}`, secrets);
  }
  const failure = envelopeFailure(endpoint, status, envelope.data, secrets);
  if (failure) throw failure;
  if (!ok) throw protocolError(endpoint, status, `unexpected HTTP ${status} with a success envelope`, secrets);
  return parseData(endpoint, status, dataSchema, envelope.data.data, secrets);
}

/**
 * The goods service (`/qrgoods/…`) has its own envelope, `{code, msg, data}`, with a string code. What a code
 * means here:
 * - `10006` (`暂无卖品`, nothing for sale): the only answer ever captured. `data` goes through the endpoint's
 *   schema, which wants it empty: goods listed under "no goods" would be a contradiction, not a list.
 * - any code whose msg says busy (`繁忙`, `稍后再试`): WomeiUnavailable, retryable, as on the ticket routes.
 * - any other code, a would-be success code included: WomeiProtocolError naming the code and msg. No answer
 *   that lists goods was ever captured, so neither the success code nor an item's shape is known, and a guess
 *   would pass unknown data off as goods. The service is not behind the ticket gateway's session check, so
 *   no code here means "token expired".
 * A Womei `{ret, sub}` failure on this route (a gateway `url not found`, say) keeps its usual typed error.
 */
export function parseGoodsBody<S extends z.ZodType>(
  endpoint: string,
  response: HttpAnswer,
  dataSchema: S,
  secrets: readonly string[],
): z.output<S> {
  const { status } = response;
  const ok = isOk(status);
  const json = parseJson(endpoint, response, secrets);
  throwEnvelopeFailure(endpoint, status, json, secrets);

  const goods = goodsEnvelopeSchema.safeParse(json);
  if (!goods.success) {
    const head = ok ? 'goods service response' : `unexpected HTTP ${status}, goods service response`;
    throw protocolError(endpoint, status, `${head} ${describeZodError(goods.error, [])}`, secrets);
  }
  const { code, msg, data } = goods.data;
  if (ok && code === GOODS_CODE_NO_GOODS) return parseData(endpoint, status, dataSchema, data, secrets);
  throw errorFromGoodsEnvelope(endpoint, code, redactText(msg, secrets), status);
}

/**
 * `vcc/activity/gift/` was captured as HTTP 200 with an empty text/plain body: no envelope at all. That is its
 * success (whitespace alone counts as empty), and its data is `undefined`, checked by the endpoint's schema.
 * A Womei failure envelope keeps its typed error: an expired token is TokenInvalid here as on every other
 * authenticated route. Anything else, a success envelope included, is not the documented answer:
 * WomeiProtocolError naming the endpoint.
 */
export function parseEmptyBody<S extends z.ZodType>(
  endpoint: string,
  response: HttpAnswer,
  dataSchema: S,
  secrets: readonly string[],
): z.output<S> {
  const { status, text } = response;
  const ok = isOk(status);
  if (ok && text.trim() === '') return parseData(endpoint, status, dataSchema, undefined, secrets);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  throwEnvelopeFailure(endpoint, status, json, secrets);
  const head = ok ? 'expected an empty body, got' : `unexpected HTTP ${status}:`;
  throw protocolError(endpoint, status, `${head} ${snippet(text)}`, secrets);
}

function isOk(status: number): boolean {
  return status >= 200 && status < 300;
}

function protocolError(endpoint: string, status: number, what: string, secrets: readonly string[]): WomeiProtocolError {
  return new WomeiProtocolError(redactText(`${endpoint}: ${what}`, secrets), { endpoint, httpStatus: status });
}

function parseJson(endpoint: string, response: HttpAnswer, secrets: readonly string[]): unknown {
  const { status, text } = response;
  try {
    return JSON.parse(text);
  } catch {
    const head = isOk(status) ? `response is not JSON (HTTP ${status})` : `unexpected HTTP ${status}`;
    throw protocolError(endpoint, status, `${head}: ${snippet(text)}`, secrets);
  }
}

/** The typed error of a Womei envelope that is not a success; undefined for a success. */
function envelopeFailure(endpoint: string, status: number, envelope: Envelope, secrets: readonly string[]): WomeiError | undefined {
  return errorFromEnvelope(endpoint, envelope.ret, envelope.sub, redactText(envelope.msg, secrets), { httpStatus: status });
}

/** For bodies that are not Womei envelopes when all is well: a Womei failure envelope still means its error. */
function throwEnvelopeFailure(endpoint: string, status: number, json: unknown, secrets: readonly string[]): void {
  const envelope = envelopeSchema.safeParse(json);
  const failure = envelope.success ? envelopeFailure(endpoint, status, envelope.data, secrets) : undefined;
  if (failure) throw failure;
}

function parseData<S extends z.ZodType>(endpoint: string, status: number, dataSchema: S, data: unknown, secrets: readonly string[]): z.output<S> {
  const parsed = dataSchema.safeParse(data);
  if (!parsed.success) throw protocolError(endpoint, status, `response ${describeZodError(parsed.error, ['data'])}`, secrets);
  return parsed.data;
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
