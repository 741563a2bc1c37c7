/**
 * A tiny real HTTP server for client tests that need exact control of the wire: it records each request and
 * answers with whatever the test's handler does (canned JSON, a status, a hang, a dropped socket).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse) => void;

export interface CannedServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler for the following requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export const SUCCESS = { ret: 0, sub: 0, msg: 'successfully' } as const;

/** Answers like Womei: HTTP 200, compact JSON, non-ASCII escaped the way PHP's json_encode does. */
export function sendJson(res: http.ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** What Kong and nginx put on every captured `ticket` answer (docs/womei-api.md §1.4). */
const CAPTURED_HEADERS = {
  server: 'nginx',
  'x-powered-by': 'PHP/7.1.33',
  via: 'kong/2.3.2.0-enterprise-edition',
  'x-ratelimit-limit-minute': '200',
  'x-ratelimit-remaining-minute': '170',
  'ratelimit-limit': '200',
  'ratelimit-remaining': '170',
  'ratelimit-reset': '43',
};

/**
 * Answers with a captured body's exact bytes, delivered as the real gateway did: HTTP 200, application/json,
 * gzip-encoded when the client accepts it, Kong's rate-limit headers. `onServed` says whether gzip was used.
 */
export function capturedBody(bytes: Buffer, onServed: (gzipped: boolean) => void = () => undefined): Handler {
  return (req, res) => {
    const gzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    const payload = gzip ? gzipSync(bytes) : bytes;
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(payload.length),
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'Accept-Encoding' } : {}),
      ...CAPTURED_HEADERS,
    });
    res.end(payload);
    onServed(gzip);
  };
}

export function okData(data: unknown): Handler {
  return (_req, res) => sendJson(res, { ...SUCCESS, data });
}

export async function startCannedServer(initial: Handler = okData({})): Promise<CannedServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
