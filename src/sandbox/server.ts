/**
 * The sandbox over real HTTP: admin API, Kong's throttle, fault injection, then Womei's routes. One
 * `startSandbox()` per test file on port 0 keeps concurrent test runs apart.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleAdmin } from './admin';
import { SandboxAdmin } from './admin-client';
import { SandboxCore } from './core';
import { mangleBody, type FaultRule } from './faults';
import { defaultSandboxOptions, type SandboxOptions } from './options';
import { rateHeaders, throttled, type RateState } from './ratelimit';
import type { RequestRecord } from './requestlog';
import { resolveRoute, type ResolvedRoute } from './router';
import { WomeiReject, type RouteCtx } from './routes/common';
import { tokenFingerprint, type SandboxStore } from './store';
import { encodeReply, fail, nginxErrorPage, writeReply, type Envelope, type Reply } from './wire';

export { FIXTURE } from './fixture';

export interface RunningSandbox {
  /** Base URL, e.g. `http://127.0.0.1:40123`: what WOMEI_BASE_URL should be. */
  url: string;
  port: number;
  /** The in-memory store, for direct inspection in tests. */
  state: SandboxStore;
  admin: SandboxAdmin;
  close(): Promise<void>;
}

export type StartSandboxOptions = Partial<SandboxOptions> & { port?: number; host?: string };

const MAX_BODY_BYTES = 1 << 20;

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form-urlencoded, or the literal `{}` the mini-program sends on parameterless POSTs. */
function parseForm(text: string): Record<string, string> {
  const t = text.trim();
  if (t === '' || t === '{}') return {};
  return Object.fromEntries(new URLSearchParams(t));
}

/** The first half of the encoded JSON: a 200 whose body does not even parse. */
function truncated(reply: Reply): Reply {
  const text = encodeReply(reply).body.toString('utf8');
  return { kind: 'raw', status: 200, body: text.slice(0, Math.floor(text.length / 2)), contentType: 'application/json' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function dispatch(core: SandboxCore, resolved: ResolvedRoute, token: string | undefined, query: Record<string, string>, form: Record<string, string>): Reply {
  const { store } = core;
  const { route } = resolved;
  let user = null;
  // Every ticket route is authenticated, catalogue ones included: the app always sends the token, so a
  // client with an expired token learns it on its first call, whatever that call is. The goods service
  // (`qrgoods`) is another backend, not behind the ticket gateway's session check, so it never asks.
  if (route.endpoint.scope !== 'qrgoods') {
    user = store.userForToken(token);
    if (!user) return fail('tokenTimeout');
  }
  const cinema = resolved.cinemaId !== null ? (store.cinemas.get(resolved.cinemaId) ?? null) : null;
  // ASSUMPTION: an unknown cinema id in the path answers `badParameter`.
  if (route.endpoint.scope === 'cinema' && !cinema) return fail('badParameter');
  // Unauthenticated routes (the goods service) never read the user; they get an empty stand-in.
  const ctx: RouteCtx = {
    store, query, form, cinema,
    user: user ?? { userId: '', nickname: '', phone: '', card: null },
    session: token ? tokenFingerprint(token) : null,
  };
  try {
    return route.handler(ctx);
  } catch (e) {
    if (e instanceof WomeiReject) return e.reply();
    throw e;
  }
}

class SandboxHttp {
  readonly hanging = new Set<Socket>();

  constructor(private readonly core: SandboxCore) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const bodyText = await readBody(req);
    if (url.pathname.startsWith('/__sandbox/')) {
      writeReply(req, res, handleAdmin(this.core, method, url.pathname.slice('/__sandbox/'.length).replace(/\/$/, '').replace(/^faults\/(.+)$/, 'faults'), bodyText ?? '', this.faultIdQuery(url)));
      return;
    }
    const { store, faults, log, limiter } = this.core;
    const rawToken = req.headers.token;
    const token = typeof rawToken === 'string' && rawToken !== '' ? rawToken : undefined;
    const resolved = resolveRoute(method, url.pathname, { tenant: this.core.options.tenant, cancelRoute: store.config.cancelRoute });
    const endpoint = resolved?.route.endpoint.path ?? 'unknown';
    const query = Object.fromEntries(url.searchParams);
    const form = method === 'POST' && bodyText !== null ? parseForm(bodyText) : {};
    const record = (status: RequestRecord['status'], extra: Partial<RequestRecord> = {}) =>
      log.record({ at: store.clock.nowMs(), method, endpoint, status, tokenFingerprint: token ? tokenFingerprint(token) : null, durationMs: Date.now() - started, ...extra });

    // Kong sits in front of everything under /ticket: it counts and throttles before Womei sees the call.
    let rate: RateState | null = null;
    if (url.pathname.startsWith('/ticket/')) {
      rate = limiter.hit(token ?? 'anonymous', store.clock.nowMs(), store.config.rateLimitPerMinute);
      if (rate.exceeded) {
        writeReply(req, res, throttled(rate));
        record(429);
        return;
      }
    }
    const headers = rate ? rateHeaders(rate) : {};

    const decision = faults.decide({ endpoint, pathname: url.pathname, method, fields: { ...query, ...form } });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const fault = decision.terminal;
    const faultTag = fault ? { fault: { id: fault.id, kind: fault.kind } } : {};

    if (fault?.kind === 'drop') {
      req.socket.destroy();
      record('dropped', faultTag);
      return;
    }
    if (fault?.kind === 'hang') {
      const socket = req.socket;
      this.hanging.add(socket);
      // The client giving up is the only way out; free the socket then so nothing leaks.
      res.on('close', () => {
        this.hanging.delete(socket);
        socket.destroy();
      });
      record('hung', faultTag);
      return;
    }

    let reply: Reply;
    const preempted = fault ? this.preemptiveReply(fault, rate) : null;
    if (preempted) {
      reply = preempted;
    } else if (bodyText === null) {
      reply = fail('badParameter');
    } else if (!resolved) {
      reply = fail('urlNotFound');
    } else {
      store.sweep();
      try {
        reply = dispatch(this.core, resolved, token, query, form);
      } catch (e) {
        // A sandbox bug, not Womei behaviour: answer like a crashed upstream and count it for the ledger.
        log.internalErrors += 1;
        process.stderr.write(`sandbox: internal error on ${method} ${endpoint}: ${(e as Error).message}\n`);
        reply = { kind: 'raw', status: 500, body: nginxErrorPage(500), contentType: 'text/html' };
      }
    }

    if (fault?.kind === 'lostResponse') {
      req.socket.destroy();
      record('dropped', faultTag);
      return;
    }
    if (fault?.kind === 'garbage' && reply.kind === 'json') {
      reply = fault.mode === 'truncated' ? truncated(reply) : { ...reply, body: mangleBody(reply.body, fault.mode, fault.field) };
    }
    writeReply(req, res, reply, headers);
    const env = reply.kind === 'json' ? (reply.body as Partial<Envelope>) : undefined;
    record(reply.status, { ret: typeof env?.ret === 'number' ? env.ret : undefined, sub: typeof env?.sub === 'number' ? env.sub : undefined, ...faultTag });
  }

  /** Faults that answer instead of Womei, without touching state. */
  private preemptiveReply(fault: FaultRule, rate: RateState | null): Reply | null {
    switch (fault.kind) {
      case 'http5xx':
        return { kind: 'raw', status: fault.status, body: nginxErrorPage(fault.status), contentType: 'text/html' };
      case 'busy':
        return fail('systemBusy');
      case 'error':
        return fail(fault.error);
      case 'rateLimit': {
        const retry = fault.retryAfterSeconds ?? rate?.resetSec ?? 60;
        const limit = this.core.store.config.rateLimitPerMinute;
        return throttled({ limit, remaining: 0, resetSec: retry, exceeded: true });
      }
      default:
        return null;
    }
  }

  /** `DELETE /__sandbox/faults/{id}` is the same as `?id=`. */
  private faultIdQuery(url: URL): URLSearchParams {
    const m = /^\/__sandbox\/faults\/(.+?)\/?$/.exec(url.pathname);
    const q = new URLSearchParams(url.searchParams);
    if (m?.[1]) q.set('id', decodeURIComponent(m[1]));
    return q;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') {
        reject(new Error(`sandbox: port ${port} on ${host} is already in use; set SANDBOX_PORT to a free port (0 picks one)`));
      } else reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const { port: wantedPort = 0, host = '127.0.0.1', ...rest } = options;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<SandboxOptions>;
  const core = new SandboxCore({ ...defaultSandboxOptions(), ...defined });
  const http = new SandboxHttp(core);
  const server = createServer((req, res) => {
    http.handle(req, res).catch((e: unknown) => {
      core.log.internalErrors += 1;
      process.stderr.write(`sandbox: request failed: ${(e as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/html' }).end(nginxErrorPage(500));
      else res.destroy();
    });
  });
  await listen(server, wantedPort, host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : wantedPort;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;
  // Holds must lapse and tickets issue even when nobody calls; unref so the timer never keeps a process alive.
  const timer = setInterval(() => core.store.sweep(), core.options.sweepIntervalMs);
  timer.unref();
  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    state: core.store,
    admin: new SandboxAdmin(url),
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const s of http.hanging) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
