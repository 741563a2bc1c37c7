/**
 * Sandbox settings. Defaults come from `src/config.ts` (its defaults, not the environment), so a test that
 * starts a sandbox without options gets the documented behaviour regardless of the shell it runs in.
 */
import { z } from 'zod';
import { loadConfig } from '../config';
import type { FaultRuleInput } from './faults';

export interface SandboxOptions {
  /** Seat hold of an unpaid order (ASSUMPTION: the real lifetime is unknown, womei-api.md §6). */
  holdSeconds: number;
  /** Voucher validations per user per Beijing day; 0 means none are allowed. */
  voucherQuota: number;
  /** Whether a TP_VOUCHER bind spends quota (one per code) as well as `order/voucher/price/`. */
  quotaCountsBind: boolean;
  rateLimitPerMinute: number;
  /** Serve the assumed `POST order/cancel/`; when off it is an unknown route like every other. */
  cancelRoute: boolean;
  /** PROCESSING → SUCCESS delay of a 0-yuan payment. */
  paymentSeconds: number;
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
}

export type RuntimeConfig = Pick<
  SandboxOptions,
  'holdSeconds' | 'voucherQuota' | 'quotaCountsBind' | 'rateLimitPerMinute' | 'cancelRoute' | 'paymentSeconds'
>;

export function defaultSandboxOptions(): SandboxOptions {
  const s = loadConfig({}, {}).sandbox;
  return {
    holdSeconds: s.holdSeconds,
    voucherQuota: s.voucherQuota,
    quotaCountsBind: true,
    rateLimitPerMinute: s.rateLimitPerMinute,
    cancelRoute: s.cancelRoute,
    paymentSeconds: s.paymentSeconds,
    faults: undefined,
    seed: 1,
    tenant: 'wmyc',
    requestLogSize: 1000,
    sweepIntervalMs: 1000,
  };
}

/** Body of `POST /__sandbox/config`: any subset of the runtime settings. */
export const configPatchSchema = z
  .object({
    holdSeconds: z.number().int().positive(),
    voucherQuota: z.number().int().min(0),
    quotaCountsBind: z.boolean(),
    rateLimitPerMinute: z.number().int().positive(),
    cancelRoute: z.boolean(),
    paymentSeconds: z.number().min(0),
  })
  .partial()
  .strict();

export type ConfigPatch = z.infer<typeof configPatchSchema>;
