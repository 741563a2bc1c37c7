/**
 * The one ky instance and the request pipeline every endpoint goes through: build the URL and headers, send,
 * classify the status, read the body within the same deadline, parse envelope and data (with the reader the
 * endpoint's `body` names: Womei's envelope, the goods service's, or an empty body). No retries here:
 * Temporal owns them, and a silently repeated `order/ticket/` could create a second order.
 */
import ky from 'ky';
import type { z } from 'zod';
import { TokenInvalid, WomeiBadRequest, WomeiError } from './errors';
import { formBody, PARAMETERLESS_POST_BODY, womeiHeaders } from './headers';
import { routePath, scopeHasCinema, type EndpointDef, type ResponseBody } from './endpoints';
import { failureFromThrown } from './network';
import { failureFromStatus, parseEmptyBody, parseGoodsBody, parseResponseBody, type BodyReader } from './response';
import type { WomeiSession } from './types';
import { DIGITS } from './schemas';
import { RATE_WINDOW_MS, type TokenRateLimiter } from './token-limiter';

export interface WomeiHttpConfig {
  baseUrl: string;
  tenant: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Per-token limit towards Kong (the worker's); absent: requests go out unthrottled (tools, tests). */
  limiter?: TokenRateLimiter;
}

export interface WomeiRequest<S extends z.ZodType> {
  endpoint: EndpointDef;
  session: WomeiSession;
  query?: Record<string, string>;
  /** Form fields of a POST, or `PARAMETERLESS_POST_BODY` for the two POSTs that send the literal `{}`. */
  form?: Record<string, string> | typeof PARAMETERLESS_POST_BODY;
  /** Schema of the envelope's `data` (for an `empty` body: of `undefined`). */
  data: S;
}

export type WomeiCall = <S extends z.ZodType>(request: WomeiRequest<S>) => Promise<z.output<S>>;

/** How each kind of body is read; the endpoint's `body` picks one. */
const BODY_READERS: Record<ResponseBody, BodyReader> = {
  envelope: parseResponseBody,
  goodsEnvelope: parseGoodsBody,
  empty: parseEmptyBody,
};

/** A token is sent as a header: anything that is not one visible-ASCII word cannot be a Womei token. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

export function createWomeiHttp(config: WomeiHttpConfig): WomeiCall {
  const api = ky.create({
    prefixUrl: config.baseUrl,
    // The AbortSignal below bounds headers and body alike; ky's own timer (headers only) would be a second one.
    timeout: false,
    retry: 0,
    throwHttpErrors: false,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });

  return async function call<S extends z.ZodType>(request: WomeiRequest<S>): Promise<z.output<S>> {
    const { endpoint, session } = request;
    const name = endpoint.path;
    checkSession(name, endpoint, session);
    const secrets = [session.token];
    const query = request.query ? `?${formBody(request.query)}` : '';
    const url = routePath(endpoint, config.tenant, session.cinemaId) + query;
    // Before the timer: waiting for the token's slot is not the server being slow.
    await config.limiter?.acquire(session.token, name);
    // One timer for the whole exchange, headers and body.
    const signal = AbortSignal.timeout(config.timeoutMs);

    let response: Response;
    let text: string;
    try {
      response = await api(url, {
        method: endpoint.method,
        headers: womeiHeaders(session.token, config.tenant, endpoint.method),
        ...(endpoint.method === 'POST' ? { body: postBody(request.form) } : {}),
        signal,
      });
      const failure = failureFromStatus(name, response.status, response.headers);
      if (failure) {
        void response.body?.cancel().catch(() => undefined);
        if (response.status === 429) config.limiter?.throttled(session.token, failure.retryAfterMs ?? RATE_WINDOW_MS);
        throw failure;
      }
      text = await response.text();
    } catch (error) {
      if (error instanceof WomeiError) throw error;
      throw failureFromThrown(name, error, config.timeoutMs, secrets);
    }
    return BODY_READERS[endpoint.body](name, { status: response.status, text }, request.data, secrets);
  };
}

function postBody(form: WomeiRequest<z.ZodType>['form']): string {
  return form === PARAMETERLESS_POST_BODY ? form : formBody(form ?? {});
}

function checkSession(name: string, endpoint: EndpointDef, session: WomeiSession): void {
  if (typeof session.token !== 'string' || !HEADER_SAFE_TOKEN.test(session.token)) {
    throw new TokenInvalid(`${name}: the user token is empty or not a valid header value`, { endpoint: name });
  }
  if (scopeHasCinema(endpoint.scope) && !DIGITS.test(session.cinemaId)) {
    throw new WomeiBadRequest(`${name}: cinema id must be a string of digits`, { endpoint: name });
  }
}
