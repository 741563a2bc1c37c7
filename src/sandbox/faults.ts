/**
 * Fault injection: rules that make chosen requests fail the ways a real network and a real Womei do. Rules come
 * from SANDBOX_FAULTS at start and from `/__sandbox/faults` at runtime. `rate` draws from a seeded PRNG so a
 * run that fails "30% of binds" fails the same binds every time.
 */
import { z } from 'zod';
import { WOMEI_ERRORS, type WomeiErrorKey } from '../womei/catalogue';
import { prng } from './random';

const errorKeys = Object.keys(WOMEI_ERRORS) as [WomeiErrorKey, ...WomeiErrorKey[]];

const base = {
  id: z.string().min(1).max(64).optional(),
  /** Endpoint name (`order/change/`) or a path suffix; absent or `*` matches every Womei route. */
  endpoint: z.string().min(1).optional(),
  method: z.enum(['GET', 'POST']).optional(),
  /** Every listed field must equal the request's query/form value, e.g. `{discount_type: 'TP_VOUCHER'}`. */
  when: z.record(z.string(), z.string()).optional(),
  /** Fire this many times, then stop (the rule stays listed with `remaining: 0`). */
  count: z.number().int().positive().optional(),
  /** Probability 0..1 that a matching request is hit. */
  rate: z.number().min(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('kind', [
  /** nginx-style error page with this status. */
  z.strictObject({ ...base, kind: z.literal('http5xx'), status: z.number().int().min(500).max(599).default(502) }),
  /** Never answer; the socket is released when the client gives up. */
  z.strictObject({ ...base, kind: z.literal('hang') }),
  /** Destroy the socket without answering and without touching state. */
  z.strictObject({ ...base, kind: z.literal('drop') }),
  /** The catalogue's `systemBusy` envelope; no state change. */
  z.strictObject({ ...base, kind: z.literal('busy') }),
  /** Apply the request fully, then destroy the socket: the caller cannot know it succeeded. */
  z.strictObject({ ...base, kind: z.literal('lostResponse') }),
  /** Wait, then handle normally (and let later rules still apply). Fixed `ms` or uniform `minMs..maxMs`. */
  z
    .strictObject({ ...base, kind: z.literal('latency'), ms: z.number().int().min(0).optional(), minMs: z.number().int().min(0).optional(), maxMs: z.number().int().min(0).optional() })
    .refine((r) => r.ms !== undefined || (r.minMs !== undefined && r.maxMs !== undefined && r.minMs <= r.maxMs), {
      message: 'latency needs ms, or minMs <= maxMs',
    }),
  /** Kong's HTTP 429; `retryAfterSeconds` defaults to the seconds left in the minute window. */
  z.strictObject({ ...base, kind: z.literal('rateLimit'), retryAfterSeconds: z.number().int().positive().optional() }),
  /** Answer this catalogue error with no state change, e.g. `{kind:'error', error:'tokenTimeout'}`. */
  z.strictObject({ ...base, kind: z.literal('error'), error: z.enum(errorKeys) }),
  /**
   * HTTP 200 whose body breaks the schema, after the request was applied. `dropField` deletes `field`,
   * `wrongType` flips its type (`field` is a dotted path from the envelope root, default the first key of
   * `data`), `nullData` sets `data` to null, `truncated` cuts the JSON text in half.
   */
  z.strictObject({
    ...base,
    kind: z.literal('garbage'),
    mode: z.enum(['dropField', 'wrongType', 'nullData', 'truncated']).default('dropField'),
    field: z.string().min(1).optional(),
  }),
]);

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.output<typeof faultRuleSchema> & { id: string };

export interface ActiveFault {
  rule: FaultRule;
  /** Firings left, null = unlimited. */
  remaining: number | null;
  hits: number;
}

export class FaultRuleError extends Error {
  override readonly name = 'FaultRuleError';
}

type ParsedRule = z.output<typeof faultRuleSchema>;

/** Validates one rule or a list; ids stay optional until the engine assigns them. */
export function parseFaultRules(input: unknown): ParsedRule[] {
  const list: unknown[] = Array.isArray(input) ? input : [input];
  return list.map((item, i) => {
    const r = faultRuleSchema.safeParse(item);
    if (!r.success) {
      const issues = r.error.issues.map((x) => `${x.path.join('.') || '(rule)'}: ${x.message}`).join('; ');
      throw new FaultRuleError(`fault rule ${i}: ${issues}`);
    }
    return r.data;
  });
}

/** SANDBOX_FAULTS: a JSON array (or one rule). */
export function parseFaultsEnv(text: string): ParsedRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FaultRuleError(`SANDBOX_FAULTS is not valid JSON: ${(e as Error).message}`);
  }
  return parseFaultRules(parsed);
}

export interface FaultRequest {
  endpoint: string;
  pathname: string;
  method: string;
  fields: Record<string, string>;
}

export interface FaultDecision {
  latencyMs: number;
  /** The rule that decides the answer (anything but latency), or null for normal handling. */
  terminal: FaultRule | null;
  /** Ids of every rule that fired, latency included. */
  fired: string[];
}

function endpointMatches(rule: FaultRule, req: FaultRequest): boolean {
  const e = rule.endpoint;
  if (e === undefined || e === '*' || e === req.endpoint) return true;
  if (!req.pathname.endsWith(e)) return false;
  // A suffix must start at a path segment: `info/` matches `hall/info/`, not `/userinfo/`.
  return e.startsWith('/') || req.pathname.charAt(req.pathname.length - e.length - 1) === '/';
}

export class FaultEngine {
  private active: ActiveFault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private seed: number) {
    this.random = prng(seed);
  }

  reset(): void {
    this.active = [];
    this.nextId = 1;
    this.random = prng(this.seed);
  }

  add(input: unknown): FaultRule[] {
    const rules: FaultRule[] = parseFaultRules(input).map((r) => ({ ...r, id: r.id ?? `f${this.nextId++}` }));
    for (const rule of rules) {
      // Re-adding an id replaces the old rule, so a test can tune a rule without clearing the others.
      this.active = this.active.filter((a) => a.rule.id !== rule.id);
      this.active.push({ rule, remaining: rule.count ?? null, hits: 0 });
    }
    return rules;
  }

  remove(id: string): boolean {
    const before = this.active.length;
    this.active = this.active.filter((a) => a.rule.id !== id);
    return this.active.length !== before;
  }

  list(): ActiveFault[] {
    return this.active.map((a) => ({ ...a }));
  }

  decide(req: FaultRequest): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, terminal: null, fired: [] };
    for (const a of this.active) {
      const r = a.rule;
      if (a.remaining === 0) continue;
      if (r.method !== undefined && r.method !== req.method) continue;
      if (!endpointMatches(r, req)) continue;
      if (r.when && !Object.entries(r.when).every(([k, v]) => req.fields[k] === v)) continue;
      if (r.rate !== undefined && this.random() >= r.rate) continue;
      if (a.remaining !== null) a.remaining -= 1;
      a.hits += 1;
      decision.fired.push(r.id);
      if (r.kind === 'latency') {
        decision.latencyMs += r.ms ?? Math.round((r.minMs ?? 0) + this.random() * ((r.maxMs ?? 0) - (r.minMs ?? 0)));
        continue;
      }
      decision.terminal = r;
      break;
    }
    return decision;
  }
}

function flip(value: unknown): unknown {
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'string') return 12345;
  if (typeof value === 'boolean') return value ? 'Y' : 0;
  if (value === null || value === undefined) return 'null';
  return 'garbage';
}

/** The envelope with one field broken as the rule says; returns null for `truncated` (the caller cuts text). */
export function mangleBody(body: unknown, mode: 'dropField' | 'wrongType' | 'nullData', field?: string): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  if (mode === 'nullData') {
    copy.data = null;
    return copy;
  }
  const data = copy.data;
  const firstKey = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data)[0] : undefined;
  const path = (field ?? (firstKey !== undefined ? `data.${firstKey}` : 'data')).split('.');
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (next === null || typeof next !== 'object') return copy;
    parent = next as Record<string, unknown>;
  }
  const last = path[path.length - 1] ?? 'data';
  if (mode === 'dropField') delete parent[last];
  else parent[last] = flip(parent[last]);
  return copy;
}
