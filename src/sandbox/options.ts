/**
 * Sandbox settings. Defaults come from `src/config.ts` (its defaults, not the environment), so a test that
 * starts a sandbox without options gets the documented behaviour regardless of the shell it runs in.
 */
import { z } from 'zod';
import { loadConfig } from '../config';
import type { FaultRuleInput } from './faults';
import type { WorldSpec } from './world';

/**
 * The settings `POST /__sandbox/config` may change while the sandbox runs (the store reads them on every
 * request). The one list of them: `RuntimeConfig`, the patch schema and `runtimeConfigOf` all derive from it.
 */
const runtimeConfigSchema = z.object({
  /** Seat hold of an unpaid order (ASSUMPTION: the real lifetime is unknown, docs/womei-api.md §6). */
  holdSeconds: z.number().int().positive(),
  /** Voucher validations per user per Beijing day; 0 means none are allowed. */
  voucherQuota: z.number().int().min(0),
  /** Whether a TP_VOUCHER bind spends quota (one per code) as well as `order/voucher/price/`. */
  quotaCountsBind: z.boolean(),
  rateLimitPerMinute: z.number().int().positive(),
  /** Serve the assumed `POST order/cancel/`; when off it is an unknown route like every other. */
  cancelRoute: z.boolean(),
  /** PROCESSING → SUCCESS delay of a 0-yuan payment. */
  paymentSeconds: z.number().min(0),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export interface SandboxOptions extends RuntimeConfig {
  /** Fault rules loaded at start: a JSON string (SANDBOX_FAULTS) or parsed rules. */
  faults: string | readonly FaultRuleInput[] | undefined;
  /** Seed of the fault PRNG, so `rate` rules fire on the same requests every run. */
  seed: number;
  /** Tenant path segment the server answers for. */
  tenant: string;
  /** How many requests the request log keeps. */
  requestLogSize: number;
  /** Period of the background sweep that lapses holds and issues tickets even when nobody asks. */
  sweepIntervalMs: number;
  /** A generated world (many users, vouchers, schedules) loaded beside the fixture; none by default. */
  world?: WorldSpec;
}

const RUNTIME_CONFIG_KEYS = runtimeConfigSchema.keyof().options;

/** The runtime part of the options (a copy: patching the store's config never changes the start options). */
export function runtimeConfigOf(o: SandboxOptions): RuntimeConfig {
  return Object.fromEntries(RUNTIME_CONFIG_KEYS.map((k) => [k, o[k]])) as RuntimeConfig;
}

export function defaultSandboxOptions(): SandboxOptions {
  const config = loadConfig({}, {});
  const s = config.sandbox;
  return {
    holdSeconds: s.holdSeconds,
    voucherQuota: s.voucherQuota,
    quotaCountsBind: true,
    rateLimitPerMinute: s.rateLimitPerMinute,
    cancelRoute: s.cancelRoute,
    paymentSeconds: s.paymentSeconds,
    faults: undefined,
    seed: 1,
    tenant: config.womei.tenant,
    requestLogSize: 1000,
    sweepIntervalMs: 1000,
  };
}

/** Body of `POST /__sandbox/config`: any subset of the runtime settings. */
export const configPatchSchema = runtimeConfigSchema.partial().strict();

export type ConfigPatch = z.infer<typeof configPatchSchema>;
