/**
 * Integration harness of the checkout: the official Temporal dev server (startDevServer), a real sandbox
 * Womei server over HTTP on port 0, the real HTTP client, and an in-process worker started by
 * startCheckoutWorker on a task queue unique to the test file. Nothing of Temporal is mocked.
 *
 * Fast by construction: short back-offs and waits go in through the checkout input's `limits` (the same knobs
 * production callers have), the sandbox clock is advanced instead of waiting for holds to lapse, and the
 * workflow bundle is built once per source version (workflow-bundle.ts).
 */
import { randomUUID } from 'node:crypto';
import { CancelledFailure, ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { Client, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import type { AppConfig } from '../../src/config';
import { FIXTURE, startSandbox } from '../../src/sandbox/server';
import type { RunningSandbox, StartSandboxOptions } from '../../src/sandbox/server';
import type { Ledger } from '../../src/sandbox/ledger';
import { createDataConverter } from '../../src/codec/data-converter';
import { generateSealKeyPair } from '../../src/seal/keys';
import { tokenSealerFor } from '../../src/seal/seal';
import { createWomeiClient } from '../../src/womei/client';
import type { WomeiApi } from '../../src/womei/types';
import { startCheckoutWorker, type RunningCheckoutWorker } from '../../src/worker';
import type { checkout } from '../../workflows/checkout';
import { TOKEN_PATTERN, type CheckoutRequest } from '../../workflows/input';
import { checkoutWorkflowId, statusQuery } from '../../workflows/messages';
import type { CheckoutResult, CheckoutStatus } from '../../workflows/messages';
import { startDevServer } from './temporal-env';
import { checkoutBundlePath } from './workflow-bundle';

export { FIXTURE };

let runtimeInstalled = false;
/** SDK logs at ERROR in tests (expected activity and workflow failures log WARN and drown jest's output). Must run before anything touches Runtime. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Core's own lines too (a test that stops the server would otherwise print every retried call).
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Already installed by an earlier harness in this process.
  }
}

export interface HarnessOptions {
  /** Task queue prefix (the test file's name); a random suffix keeps concurrent runs apart. */
  name: string;
  sandbox?: StartSandboxOptions;
  /** Configure the client with the sandbox's assumed cancel route (default true). */
  cancelRoute?: boolean;
  /** The client's per-request timeout (default 3 s, so a `hang` fault costs 3 s). */
  womeiTimeoutMs?: number;
  /**
   * CODEC_KEYS for payload encryption: the worker (createCheckoutWorker's default) and the harness's client
   * then share `createDataConverter(config)`, as production does.
   */
  codecKeys?: string;
  /** Start the in-process worker right away (default true). */
  startWorker?: boolean;
  /** Wrap the real HTTP client (e.g. to tamper with one answer); Temporal itself is never faked. */
  wrapWomei?: (real: WomeiApi) => WomeiApi;
}

export type Settled =
  | { status: 'COMPLETED'; result: CheckoutResult }
  | { status: 'FAILED'; type: string; message: string; result?: CheckoutResult }
  | { status: 'CANCELLED'; result?: CheckoutResult };

export interface CheckoutHarness {
  env: TestWorkflowEnvironment;
  sandbox: RunningSandbox;
  client: Client;
  config: AppConfig;
  /** The environment `config` was loaded from: a worker process spawned with it runs as the harness's worker. */
  variables: Record<string, string>;
  taskQueue: string;
  /** The prebuilt workflow bundle (for a worker process started with WORKER_WORKFLOW_BUNDLE). */
  bundlePath: string;
  /**
   * Seals a token as a client does (the harness's own TOKEN_SEAL_PUBLIC_KEY; its worker holds the private key).
   * `start` seals the request's token itself; tests seal what they hand to `refreshToken`.
   */
  seal(token: string): string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  start(input: CheckoutRequest): Promise<WorkflowHandle<typeof checkout>>;
  run(input: CheckoutRequest): Promise<{ settled: Settled; status: CheckoutStatus; handle: WorkflowHandle<typeof checkout> }>;
  settle(handle: WorkflowHandle<typeof checkout>): Promise<Settled>;
  status(handle: WorkflowHandle<typeof checkout>): Promise<CheckoutStatus>;
  waitForStatus(handle: WorkflowHandle<typeof checkout>, pred: (s: CheckoutStatus) => boolean, timeoutMs?: number): Promise<CheckoutStatus>;
  ledger(): Promise<Ledger>;
  close(): Promise<void>;
}

export const SEATS = FIXTURE.seats.beijing;
export const RICH = FIXTURE.tokens.rich;
export const RICH_CODES = FIXTURE.vouchers.rich.unused;

/** Fast limits for tests: short back-offs, short waits, short call timeout. */
export const FAST_LIMITS = {
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  tokenWaitSeconds: 3,
  attentionWaitSeconds: 2,
  paymentPollMs: 200,
  callTimeoutMs: 6_000,
} as const;

export function checkoutRequest(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    requestId: `t-${randomUUID().slice(0, 12)}`,
    cinemaId: FIXTURE.cinemas.beijing,
    scheduleId: String(FIXTURE.schedules.beijing),
    seats: [SEATS[0]!, SEATS[1]!],
    token: RICH,
    vouchers: { codes: [RICH_CODES[0]!, RICH_CODES[1]!] },
    ...overrides,
    limits: { ...FAST_LIMITS, ...(overrides.limits ?? {}) },
  };
}

/**
 * The settings a test's worker and clients run with, as `loadConfig` reads them from the environment: the
 * sandbox at `sandboxUrl`, a short Womei timeout (a `hang` fault costs 3 s), a short shutdown grace.
 */
export function harnessVariables(o: { sandboxUrl: string; taskQueue: string; cancelRoute?: boolean; womeiTimeoutMs?: number }): Record<string, string> {
  return {
    // Every key a test needs is given: nothing comes from a clone's .data/local-keys.json (npm start's).
    LOCAL_KEYS_FILE: '',
    WOMEI_BASE_URL: o.sandboxUrl,
    WOMEI_CANCEL_PATH: o.cancelRoute === false ? '' : 'order/cancel/',
    WOMEI_TIMEOUT_MS: String(o.womeiTimeoutMs ?? 3_000),
    TEMPORAL_TASK_QUEUE: o.taskQueue,
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    LOG_LEVEL: 'WARN',
  };
}

export async function startHarness(options: HarnessOptions): Promise<CheckoutHarness> {
  installQuietRuntime();
  const [env, sandbox, bundlePath] = await Promise.all([
    startDevServer(),
    startSandbox({ sweepIntervalMs: 200, ...options.sandbox, port: 0 }),
    checkoutBundlePath(),
  ]);
  const taskQueue = `${options.name}-${randomUUID().slice(0, 8)}`;
  const sealKeys = generateSealKeyPair('harness');
  const variables = {
    ...harnessVariables({ sandboxUrl: sandbox.url, taskQueue, cancelRoute: options.cancelRoute, womeiTimeoutMs: options.womeiTimeoutMs }),
    TOKEN_SEAL_PUBLIC_KEY: sealKeys.publicKey,
    TOKEN_SEAL_PRIVATE_KEYS: sealKeys.privateKey,
    // Without codecKeys the harness runs as a throwaway local setup: readable payloads, sealed token.
    INSECURE_PLAINTEXT_PAYLOADS: String(options.codecKeys === undefined),
    ...(options.codecKeys !== undefined ? { CODEC_KEYS: options.codecKeys } : {}),
  };
  const config = loadConfig(variables, {});
  // The data converter goes to both sides: the worker gets it from createCheckoutWorker's default
  // (createDataConverter(config)), the client here. Without CODEC_KEYS it is the SDK default.
  const dataConverter = createDataConverter(config);
  const sealer = tokenSealerFor(config)!;
  // A malformed token goes in as it is: the workflow's door must refuse it, as it would from any client.
  const seal = (token: string) => (TOKEN_PATTERN.test(token) ? sealer.seal(token) : token);
  const client = options.codecKeys === undefined ? env.client : new Client({ connection: env.connection, dataConverter });
  let worker: RunningCheckoutWorker | undefined;

  const h: CheckoutHarness = {
    env,
    sandbox,
    client,
    config,
    variables,
    taskQueue,
    bundlePath,
    seal,
    async startWorker() {
      if (worker) return;
      worker = await startCheckoutWorker({
        connection: env.nativeConnection,
        config,
        womei: (options.wrapWomei ?? ((w: WomeiApi) => w))(createWomeiClient(config.womei)),
        dataConverter,
        workflowBundle: { codePath: bundlePath },
      });
    },
    async stopWorker() {
      await worker?.stop();
      worker = undefined;
    },
    start(input) {
      return client.workflow.start<typeof checkout>('checkout', {
        taskQueue,
        workflowId: checkoutWorkflowId(input.requestId),
        args: [{ ...input, token: seal(input.token) }],
        staticSummary: `checkout ${input.requestId}`,
      });
    },
    async run(input) {
      const handle = await h.start(input);
      const settled = await h.settle(handle);
      const status = await h.status(handle);
      return { settled, status, handle };
    },
    async settle(handle) {
      try {
        return { status: 'COMPLETED', result: await handle.result() };
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        const cause = err.cause;
        if (cause instanceof CancelledFailure) {
          return { status: 'CANCELLED', result: cause.details?.[0] as CheckoutResult | undefined };
        }
        if (cause instanceof ApplicationFailure) {
          return { status: 'FAILED', type: cause.type ?? '', message: cause.message, result: cause.details?.[0] as CheckoutResult | undefined };
        }
        return { status: 'FAILED', type: cause?.name ?? 'unknown', message: cause?.message ?? err.message };
      }
    },
    status(handle) {
      return handle.query(statusQuery);
    },
    async waitForStatus(handle, pred, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: CheckoutStatus | undefined;
      while (Date.now() < until) {
        try {
          last = await handle.query(statusQuery);
          if (pred(last)) return last;
        } catch {
          // not started yet
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`status condition not met in ${timeoutMs} ms; last phase ${last?.phase}, timeline: ${JSON.stringify(last?.timeline.slice(-5))}`);
    },
    ledger() {
      return sandbox.admin.ledger();
    },
    async close() {
      await h.stopWorker().catch(() => undefined);
      await sandbox.close();
      await env.teardown();
    },
  };
  if (options.startWorker !== false) await h.startWorker();
  return h;
}

/** Ledger facts every failed checkout must satisfy: nothing bound to a dead order, no live order, seats free. */
export function assertReleased(ledger: Ledger, orderIds: readonly string[]): void {
  for (const id of orderIds) {
    const o = ledger.orders.find((x) => x.orderId === id);
    if (!o) throw new Error(`order ${id} not in the ledger`);
    if (o.live) throw new Error(`order ${id} is still live (status ${o.status})`);
    if (o.boundCodes.length > 0) throw new Error(`order ${id} still has vouchers bound: ${o.boundCodes.join(',')}`);
  }
  if (ledger.invariants.boundToDeadOrders.length > 0) throw new Error(`vouchers bound to dead orders: ${JSON.stringify(ledger.invariants.boundToDeadOrders)}`);
  if (!ledger.invariants.ok) throw new Error(`ledger invariants broken: ${JSON.stringify(ledger.invariants)}`);
}
