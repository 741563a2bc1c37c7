/**
 * `/__sandbox/*`: the test and operator API. Plain JSON, no Womei token, never faulted or throttled. Token
 * answers carry plaintext tokens because they are the sandbox's own fakes handed to the test that asked.
 */
import { z } from 'zod';
import type { SandboxCore } from './core';
import { FaultRuleError } from './faults';
import { tokenFingerprint } from './store';
import { adminJson, type Reply } from './wire';

const tokenAction = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('expire'), token: z.string().min(1) }),
  /** A new session for a user; `token` lets a test choose it (32 hex), otherwise a random one is made. */
  z.strictObject({ action: z.literal('add'), userId: z.string().min(1), token: z.string().regex(/^[0-9a-f]{32}$/).optional() }),
  /** Expire `token` and hand out a fresh one for the same user (a re-login). */
  z.strictObject({ action: z.literal('refresh'), token: z.string().min(1) }),
]);

const clockBody = z.strictObject({ advanceSeconds: z.number().min(0) });
const vouchersBody = z.strictObject({ userId: z.string().min(1), count: z.number().int().min(1).max(200) });

function badRequest(e: unknown): Reply {
  if (e instanceof z.ZodError) return adminJson(400, { error: e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
  if (e instanceof FaultRuleError || e instanceof SyntaxError) return adminJson(400, { error: e.message });
  throw e;
}

function faultsView(core: SandboxCore) {
  return { faults: core.faults.list().map((a) => ({ ...a.rule, remaining: a.remaining, hits: a.hits })) };
}

function tokens(core: SandboxCore, body: unknown): Reply {
  const a = tokenAction.parse(body);
  const { store } = core;
  if (a.action === 'add') {
    if (!store.users.has(a.userId)) return adminJson(404, { error: `unknown user ${a.userId}` });
    const token = store.issueToken(a.userId, a.token);
    return adminJson(200, { token, fingerprint: tokenFingerprint(token), userId: a.userId });
  }
  const entry = store.tokens.get(a.token);
  if (!entry) return adminJson(404, { error: `unknown token ${tokenFingerprint(a.token)}` });
  store.expireToken(a.token);
  if (a.action === 'expire') return adminJson(200, { fingerprint: tokenFingerprint(a.token), userId: entry.userId, expired: true });
  const token = store.issueToken(entry.userId);
  return adminJson(200, { token, fingerprint: tokenFingerprint(token), userId: entry.userId });
}

export function handleAdmin(core: SandboxCore, method: string, sub: string, bodyText: string, query: URLSearchParams): Reply {
  try {
    const body: unknown = bodyText.trim() === '' ? {} : JSON.parse(bodyText);
    const route = `${method} ${sub}`;
    switch (route) {
      case 'GET health':
        return adminJson(200, { ok: true, now: core.store.now(), config: core.store.config });
      case 'POST reset':
        core.reset();
        return adminJson(200, { ok: true });
      case 'GET faults':
        return adminJson(200, faultsView(core));
      case 'POST faults':
        return adminJson(200, { faults: core.faults.add(body) });
      case 'DELETE faults': {
        const id = query.get('id');
        if (id === null) {
          core.faults.reset();
          return adminJson(200, faultsView(core));
        }
        return core.faults.remove(id) ? adminJson(200, faultsView(core)) : adminJson(404, { error: `no fault ${id}` });
      }
      case 'GET ledger':
        return adminJson(200, core.ledger());
      case 'GET requests': {
        const limit = Number(query.get('limit') ?? '100');
        return adminJson(200, { total: core.log.total, byEndpoint: core.log.byEndpoint(), internalErrors: core.log.internalErrors, recent: core.log.recent(Number.isFinite(limit) ? limit : 100) });
      }
      case 'POST tokens':
        return tokens(core, body);
      case 'POST config':
        return adminJson(200, { config: core.patchConfig(body) });
      case 'POST vouchers': {
        const b = vouchersBody.parse(body);
        if (!core.store.users.has(b.userId)) return adminJson(404, { error: `unknown user ${b.userId}` });
        return adminJson(200, { codes: core.store.mintVouchers(b.userId, b.count) });
      }
      case 'POST clock': {
        const b = clockBody.parse(body);
        core.store.clock.advance(b.advanceSeconds);
        core.store.sweep();
        return adminJson(200, { now: core.store.now() });
      }
      default:
        return adminJson(404, { error: `no admin route ${route}` });
    }
  } catch (e) {
    return badRequest(e);
  }
}
