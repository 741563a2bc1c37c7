/**
 * Codec server for the Temporal Web UI and CLI (`POST …/encode`, `POST …/decode`, body and answer
 * `{payloads: [{metadata: {k: base64}, data: base64}]}` in proto3 JSON). Every request is authorised: the configured
 * bearer token (constant-time compare), or — for a local Web UI that has no identity provider to mint one — a
 * request whose `Origin` is exactly the configured UI origin. An Origin header is trivially forged outside a
 * browser, so origin-only access belongs on a loopback-bound server (the default host). CORS is answered for that
 * origin only, never `*`. Payloads, keys and tokens are never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { CodecError } from './codec';

export interface CodecServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  codec: PayloadCodec;
  bearerToken?: string;
  /** Web UI origin (e.g. http://localhost:8233) allowed without a token, and the only origin CORS answers. */
  allowedOrigin?: string;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface CodecServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'not base64');
const bodySchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })),
});
type JsonPayload = z.output<typeof bodySchema>['payloads'][number];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(data ?? new Uint8Array()),
});

/** Compares digests so neither the content nor the length of the configured token leaks through timing. */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

function normaliseOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    if (url.origin === 'null') throw new Error('opaque');
    return url.origin;
  } catch {
    throw new Error(`codec server: allowed origin '${origin}' is not an http(s) origin like http://localhost:8233`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `request body over ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, `request body over ${limit} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const { codec, bearerToken } = options;
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const allowedOrigin = options.allowedOrigin ? normaliseOrigin(options.allowedOrigin) : undefined;
  if (!bearerToken && !allowedOrigin) {
    throw new Error('codec server: configure a bearer token (CODEC_SERVER_TOKEN) or a UI origin (CODEC_SERVER_ALLOWED_ORIGIN); otherwise every request is refused');
  }

  const corsHeaders = (req: IncomingMessage): Record<string, string> =>
    allowedOrigin !== undefined && req.headers.origin === allowedOrigin
      ? { 'Access-Control-Allow-Origin': allowedOrigin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
      : { Vary: 'Origin' };

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...corsHeaders(req),
      ...extra,
    });
    res.end(text);
  };

  const authorised = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      // Presented credentials must be right: a wrong token is refused even from the allowed origin.
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return bearerToken !== undefined && match?.[1] !== undefined && tokenMatches(match[1], bearerToken);
    }
    return allowedOrigin !== undefined && req.headers.origin === allowedOrigin;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://codec.invalid').pathname.replace(/\/+$/, '');
    // Only the last path segment counts (protocol), so the endpoints may be mounted under any prefix.
    const action = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    if (req.method === 'OPTIONS') {
      if (allowedOrigin === undefined || req.headers.origin !== allowedOrigin) {
        res.writeHead(403, { Vary: 'Origin', 'Content-Length': 0 }).end();
        return;
      }
      res.writeHead(204, {
        ...corsHeaders(req),
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Namespace',
        'Access-Control-Max-Age': '600',
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    if (!authorised(req)) return send(req, res, 401, { error: 'unauthorised' }, { 'WWW-Authenticate': 'Bearer' });
    if (!action) return send(req, res, 404, { error: 'not found: POST /encode or /decode' });
    if (req.method !== 'POST') return send(req, res, 405, { error: 'method not allowed: use POST' }, { Allow: 'POST, OPTIONS' });

    const raw = await readBody(req, maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'body is not valid JSON');
    }
    const parsed = bodySchema.safeParse(json);
    if (!parsed.success) throw new HttpError(400, 'body must be {payloads: [{metadata: {key: base64}, data: base64}]}');
    const payloads = parsed.data.payloads.map(fromJson);
    const result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    send(req, res, 200, { payloads: result.map(toJson) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) {
        send(req, res, error.status, { error: error.message }, error.status === 413 ? { Connection: 'close' } : {});
      } else if (error instanceof CodecError) {
        // Codec messages name key ids and failure kinds only, never payload content or keys.
        send(req, res, 400, { error: error.message });
      } else {
        console.error(`codec server: ${req.method} ${req.url}: internal error (${error instanceof Error ? error.name : typeof error})`);
        send(req, res, 500, { error: 'internal error' });
      }
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
