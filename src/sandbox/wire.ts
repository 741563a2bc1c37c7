/**
 * What Womei's responses look like on the wire: PHP `json_encode` defaults (compact, every non-ASCII UTF-16
 * unit as a lowercase `\uXXXX`, `/` as `\/`), `Content-Type: application/json`, gzip when the client accepts
 * it. Clients that parse with a strict schema must cope with exactly this, so the sandbox does not prettify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { SUCCESS_MSG, WOMEI_ERRORS, type WomeiErrorKey } from '../womei/catalogue';

export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface Envelope {
  ret: number;
  sub: number;
  msg: string;
  data: unknown;
}

/** What a handler or a fault decides to answer; the server turns it into bytes (or into no answer). */
export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; body: string; contentType: string; headers?: Record<string, string> };

export const ok = (data: unknown): Reply => ({ kind: 'json', status: 200, body: { ret: 0, sub: 0, msg: SUCCESS_MSG, data } });

/** Business errors keep HTTP 200: the code is in `sub`, the reason in `msg` (docs/womei-api.md §1.3). */
export const fail = (key: WomeiErrorKey): Reply => {
  const e = WOMEI_ERRORS[key];
  return { kind: 'json', status: 200, body: { ret: e.ret, sub: e.sub, msg: e.msg, data: Array.isArray(e.data) ? [] : {} } };
};

/** Admin answers are ordinary JSON for people and tests, not Womei's wire dialect. */
export const adminJson = (status: number, body: unknown): Reply => ({ kind: 'raw', status, body: JSON.stringify(body), contentType: 'application/json' });

export function nginxErrorPage(status: number): string {
  const reason: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };
  const title = `${status} ${reason[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export function encodeReply(reply: Reply): { body: Buffer; contentType: string } {
  if (reply.kind === 'raw') return { body: Buffer.from(reply.body, 'utf8'), contentType: reply.contentType };
  return { body: Buffer.from(phpJsonEncode(reply.body), 'utf8'), contentType: 'application/json' };
}

export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  const { body, contentType } = encodeReply(reply);
  const headers: Record<string, string> = {
    'content-type': contentType,
    server: 'nginx',
    'x-powered-by': 'PHP/7.1.33',
    via: 'kong/2.3.2.0-enterprise-edition',
    ...extraHeaders,
    ...(reply.headers ?? {}),
  };
  let payload = body;
  if (body.length > 0 && acceptsGzip(req)) {
    payload = gzipSync(body);
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}
