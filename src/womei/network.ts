/**
 * Maps what fetch/ky throw (timeouts, resets, refused connections, a body cut off half way) to WomeiUnavailable,
 * which is retryable: Temporal decides whether to try again. The original error is not kept as `cause`: ky's
 * errors carry the Request, whose headers hold the user's token. A redacted summary is kept instead.
 */
import { redactText } from '../redact';
import { WomeiUnavailable } from './errors';

const CODE_MEANING: Record<string, string> = {
  ECONNRESET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  EPIPE: 'connection broken',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connect timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'response body stalled',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the response ended',
};

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Duck-typed: fetch's errors come from Node's own realm, so `instanceof Error` fails for them under jest/vm. */
function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The error and its causes, outermost first (bounded: a cause chain can be cyclic). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  for (let e = asErrorLike(error); e !== undefined && chain.length < 5 && !chain.includes(e); e = asErrorLike(e.cause)) chain.push(e);
  return chain;
}

function isTimeout(error: unknown): boolean {
  // ky's TimeoutError and the DOMException of AbortSignal.timeout both carry this name.
  return asErrorLike(error)?.name === 'TimeoutError';
}

/** The first `code` down the cause chain (undici hides the socket error under `TypeError: fetch failed`). */
function networkCode(error: unknown): string | undefined {
  const code = causeChain(error).find((e) => typeof e.code === 'string')?.code;
  return typeof code === 'string' ? code : undefined;
}

function summary(error: unknown): string {
  const chain = causeChain(error);
  if (chain.length === 0) return String(error);
  return chain.map((e) => `${String(e.name)}: ${String(e.message)}`).join(' <- ');
}

export function failureFromThrown(endpoint: string, error: unknown, timeoutMs: number, secrets: readonly string[]): WomeiUnavailable {
  const cause = new Error(redactText(summary(error), secrets));
  if (isTimeout(error)) {
    return new WomeiUnavailable(`${endpoint}: Womei unavailable: timeout after ${timeoutMs} ms`, { endpoint }, { cause });
  }
  const code = networkCode(error);
  const what = code === undefined ? redactText(summary(error), secrets) : `${CODE_MEANING[code] ?? 'network error'} (${code})`;
  return new WomeiUnavailable(`${endpoint}: Womei unavailable: ${what}`, { endpoint }, { cause });
}
