/**
 * Test environment of the security suite: the official Temporal CLI dev server, the sandbox over real HTTP on
 * port 0, the real Womei client, and in-process workers and CheckoutClients configured as an operator would:
 * through `loadConfig` (CODEC_KEYS, TOKEN_SEAL_*, INSECURE_PLAINTEXT_PAYLOADS), so their fail-closed defaults
 * run. Built from the same parts as test/helpers/checkout-harness.ts.
 *
 * Also: a secret scanner that walks anything (proto objects with byte arrays, proto3 JSON with base64 data, CLI
 * output) and reports WHERE a secret occurs, never the secret itself, and a wrapper around `temporal workflow show`.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { LogEntry } from '@temporalio/worker';
import { CheckoutClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import type { AppConfig } from '../../src/config';
import { generateSealKeyPair } from '../../src/seal/keys';
import { FIXTURE, startSandbox } from '../../src/sandbox/server';
import type { RunningSandbox, StartSandboxOptions } from '../../src/sandbox/server';
import { resolveTemporalCli } from '../../src/temporal-cli';
import { createWomeiClient } from '../../src/womei/client';
import { jsonLogger, startCheckoutWorker, type RunningCheckoutWorker } from '../../src/worker';
import type { CheckoutRequest } from '../../workflows/input';
import { startDevServer } from '../helpers/temporal-env';
import { checkoutBundlePath } from '../helpers/workflow-bundle';
import { checkoutRequest } from '../helpers/checkout-harness';

export { FIXTURE };

const run = promisify(execFile);

/**
 * The harness's request with a longer token wait: the token-refresh scenario hands in its fresh token from the
 * test, which must not race the wait.
 */
export function request(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return checkoutRequest({ requestId: `sec-${randomUUID().slice(0, 12)}`, ...overrides, limits: { tokenWaitSeconds: 20, ...overrides.limits } });
}

let runtimeInstalled = false;
/**
 * Installs the process Runtime once, before the dev server starts. With `capture`, every SDK log entry (worker,
 * workflow and activity context loggers, core) lands in `capture` unredacted, so a test can prove that nothing
 * logs a secret in the first place (the production jsonLogger redacts on top of that).
 */
export function installRuntime(capture?: LogEntry[]): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = capture
    ? new DefaultLogger('DEBUG', (entry) => {
        capture.push(entry);
        if (entry.level === 'ERROR') process.stderr.write(`[sdk ${entry.level}] ${entry.message}\n`);
      })
    : new DefaultLogger('WARN');
  try {
    Runtime.install({
      logger,
      telemetryOptions: { logging: { filter: { core: capture ? 'INFO' : 'WARN', other: 'WARN' }, forward: {} } },
    });
  } catch {
    // Already installed in this process.
  }
}

/**
 * The key variables of one client or worker. Unset ones stay unset (no LOCAL_KEYS_FILE either): a test states
 * exactly the configuration it means.
 */
export interface KeyVariables {
  CODEC_KEYS?: string;
  TOKEN_SEAL_PUBLIC_KEY?: string;
  TOKEN_SEAL_PRIVATE_KEYS?: string;
  INSECURE_PLAINTEXT_PAYLOADS?: 'true';
}

export interface SecureEnv {
  env: TestWorkflowEnvironment;
  sandbox: RunningSandbox;
  config: AppConfig;
  taskQueue: string;
  /** This env's token seal pair (TOKEN_SEAL_PRIVATE_KEYS and TOKEN_SEAL_PUBLIC_KEY entries). */
  sealKeys: { privateKey: string; publicKey: string };
  /** `config` with these key variables instead of none. */
  configWith(keys: KeyVariables): AppConfig;
  /**
   * Starts the in-process worker configured with `codecKeys` (CODEC_KEYS; undefined = INSECURE_PLAINTEXT_PAYLOADS)
   * and this env's TOKEN_SEAL_PRIVATE_KEYS unless others are given.
   */
  startWorker(codecKeys: string | undefined, sealPrivateKeys?: string): Promise<void>;
  stopWorker(): Promise<void>;
  /**
   * A CheckoutClient configured with `codecKeys` (undefined = INSECURE_PLAINTEXT_PAYLOADS) and this env's
   * TOKEN_SEAL_PUBLIC_KEY unless another is given; closed with the env.
   */
  client(codecKeys: string | undefined, sealPublicKey?: string): Promise<CheckoutClient>;
  /** A CheckoutClient configured with exactly `keys`, through CheckoutClient.connect's own defaults (may refuse). */
  clientWith(keys: KeyVariables): Promise<CheckoutClient>;
  close(): Promise<void>;
}

export async function startSecureEnv(options: { name: string; sandbox?: StartSandboxOptions; dbFilename?: string }): Promise<SecureEnv> {
  const [env, sandbox, bundlePath] = await Promise.all([
    startDevServer({ dbFilename: options.dbFilename }),
    startSandbox({ sweepIntervalMs: 200, voucherQuota: 1000, ...options.sandbox, port: 0 }),
    checkoutBundlePath(),
  ]);
  const taskQueue = `${options.name}-${randomUUID().slice(0, 8)}`;
  const sealKeys = generateSealKeyPair('sec1');
  const baseVariables = {
    LOCAL_KEYS_FILE: '',
    WOMEI_BASE_URL: sandbox.url,
    WOMEI_CANCEL_PATH: 'order/cancel/',
    WOMEI_TIMEOUT_MS: '3000',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    LOG_LEVEL: 'WARN',
  };
  const configWith = (keys: KeyVariables): AppConfig => loadConfig({ ...baseVariables, ...keys }, {});
  const config = configWith({});
  const codecVariables = (codecKeys: string | undefined): KeyVariables =>
    codecKeys === undefined ? { INSECURE_PLAINTEXT_PAYLOADS: 'true' } : { CODEC_KEYS: codecKeys };
  let worker: RunningCheckoutWorker | undefined;
  const clients: CheckoutClient[] = [];

  const self: SecureEnv = {
    env,
    sandbox,
    config,
    taskQueue,
    sealKeys,
    configWith,
    async startWorker(codecKeys, sealPrivateKeys = sealKeys.privateKey) {
      if (worker) throw new Error('a worker is already running');
      const workerConfig = configWith({ ...codecVariables(codecKeys), TOKEN_SEAL_PRIVATE_KEYS: sealPrivateKeys });
      // No dataConverter or tokens given: the worker's own defaults read them from its config, as in production.
      worker = await startCheckoutWorker({
        connection: env.nativeConnection,
        config: workerConfig,
        womei: createWomeiClient(workerConfig.womei),
        taskQueue,
        workflowBundle: { codePath: bundlePath },
      });
    },
    async stopWorker() {
      await worker?.stop();
      worker = undefined;
    },
    client(codecKeys, sealPublicKey = sealKeys.publicKey) {
      return self.clientWith({ ...codecVariables(codecKeys), TOKEN_SEAL_PUBLIC_KEY: sealPublicKey });
    },
    async clientWith(keys) {
      const c = await CheckoutClient.connect({ config: configWith(keys), connection: env.connection, namespace: env.namespace ?? 'default' });
      clients.push(c);
      return c;
    },
    async close() {
      await self.stopWorker().catch(() => undefined);
      for (const c of clients) await c.close().catch(() => undefined);
      await sandbox.close();
      await env.teardown();
    },
  };
  return self;
}

/** Gives every sandbox voucher a random, distinctive password, so a scan for it cannot match by chance. */
export function randomiseVoucherPasswords(sandbox: RunningSandbox): string[] {
  const passwords: string[] = [];
  for (const v of sandbox.state.vouchers.values()) {
    v.password = `pw${randomUUID().replace(/-/g, '').slice(0, 14)}`;
    passwords.push(v.password);
  }
  return passwords;
}

// ------------------------------------------------------------------------------------------- secret scanning

/** What the production jsonLogger (src/worker.ts) writes for these SDK log entries, line by line. */
export function jsonLoggerLines(entries: readonly LogEntry[]): string[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const logger = jsonLogger('TRACE');
    for (const l of entries) logger.log(l.level, l.message, l.meta);
  } finally {
    write.mockRestore();
  }
  return lines;
}

export interface NamedSecret {
  /** How a hit is reported (never the value). */
  name: string;
  value: string;
}

const BASE64ISH = /^[A-Za-z0-9+/_-]{8,}={0,2}$/;

/**
 * Where the secrets occur in `value`: strings as they are and, when base64-shaped, base64-decoded; byte arrays as
 * text. Answers `name @ path` lines and never the secret itself, so a failing assertion prints no secret.
 */
export function findSecrets(value: unknown, secrets: readonly NamedSecret[]): string[] {
  const hits: string[] = [];
  const seen = new WeakSet<object>();
  const check = (text: string, path: string, how: string) => {
    for (const s of secrets) if (text.includes(s.value)) hits.push(`${s.name} @ ${path || '(root)'}${how}`);
  };
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      check(v, path, '');
      if (BASE64ISH.test(v)) check(Buffer.from(v, 'base64').toString('latin1'), path, ' (base64-decoded)');
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (v instanceof Uint8Array) {
      check(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'), path, ' (bytes)');
      return;
    }
    if (seen.has(v)) return;
    seen.add(v);
    if (v instanceof Error) {
      walk(v.message, `${path}.message`);
      walk(v.stack, `${path}.stack`);
      walk((v as { cause?: unknown }).cause, `${path}.cause`);
      walk((v as { details?: unknown }).details, `${path}.details`);
    }
    for (const [k, item] of Object.entries(v)) {
      check(k, `${path}.${k}`, ' (key)');
      walk(item, `${path}.${k}`);
    }
  };
  walk(value, '');
  return hits;
}

// ------------------------------------------------------------------------------------------- history helpers

export type History = temporal.api.history.v1.IHistory;

/** `temporal workflow show --output json` through the official CLI, as text (plus codec flags when given). */
export async function cliShow(env: TestWorkflowEnvironment, workflowId: string, codec?: { endpoint: string; auth?: string }): Promise<string> {
  const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', env.address, '--namespace', env.namespace ?? 'default', '--output', 'json'];
  if (codec) {
    args.push('--codec-endpoint', codec.endpoint);
    if (codec.auth) args.push('--codec-auth', codec.auth);
  }
  const { stdout } = await run(resolveTemporalCli(), args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TEMPORAL_ADDRESS: env.address } });
  return stdout;
}

/** Every payload in a history (proto object form), wherever it sits. */
export function payloadsOf(history: unknown): Payload[] {
  const out: Payload[] = [];
  const seen = new WeakSet<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
    if (seen.has(v)) return;
    seen.add(v);
    const maybe = v as { metadata?: unknown; data?: unknown };
    if (maybe.metadata && typeof maybe.metadata === 'object' && !(maybe.metadata instanceof Uint8Array)) {
      const values = Object.values(maybe.metadata);
      if (values.length > 0 && values.every((x) => x instanceof Uint8Array)) {
        out.push(v as Payload);
        return;
      }
    }
    for (const item of Object.values(v)) walk(item);
  };
  walk(history);
  return out;
}

export function metaText(payload: Payload, key: string): string | undefined {
  const value = payload.metadata?.[key];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/** The attributes of every event of one kind (`workflowExecutionStartedEventAttributes`, ...), in order. */
export function eventsOf(history: History, attribute: string): Record<string, unknown>[] {
  return (history.events ?? [])
    .map((e) => (e as unknown as Record<string, unknown>)[attribute] as Record<string, unknown> | undefined | null)
    .filter((a): a is Record<string, unknown> => a !== undefined && a !== null);
}

/** The value of a decrypted payload (default payload converter). */
export function fromPayload<T>(payload: Payload): T {
  return defaultPayloadConverter.fromPayload(payload) as T;
}
