/**
 * The checkout worker: connects, registers the `checkout` workflow (and the `orderClaim` records of who owns
 * which order) and its activities, tunes itself from config, shuts down gracefully.
 *
 * - `createCheckoutWorker({ connection, config, ... })` builds a Worker (tests create in-process workers
 *   against the dev server with it, passing their own Womei client, task queue and prebuilt bundle).
 * - `main()` runs when this file is executed (`npm run worker`): installs the Runtime (JSON logs at LOG_LEVEL,
 *   Prometheus metrics when WORKER_METRICS_PORT > 0), connects to TEMPORAL_ADDRESS and runs until SIGINT or
 *   SIGTERM, giving running activities WORKER_SHUTDOWN_GRACE_MS to finish.
 *
 * Rate towards Womei: Kong limits each user token (200 requests a minute), not our traffic as a whole, so the
 * worker's Womei client limits per token (src/womei/token-limiter.ts, WOMEI_TOKEN_REQUESTS_PER_MINUTE) and
 * the task queue has no activities-per-second cap: such a cap throttles every user for one user's sake, and
 * setting `maxTaskQueueActivitiesPerSecond` at all turns the SDK's eager activity dispatch off.
 */
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { LogLevel, LogMetadata, WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities } from '../activities';
import { temporalOrderClaims, type OrderClaims } from '../activities/order-claims';
import { loadConfig, withLocalKeys } from './config';
import type { AppConfig } from './config';
import { createDataConverter } from './codec/data-converter';
import { redact } from './redact';
import { tokenOpenerFor, type TokenOpener } from './seal/seal';
import { temporalTarget } from './temporal-connection';
import { createWomeiClient } from './womei/client';
import { TokenRateLimiter } from './womei/token-limiter';
import type { WomeiApi } from './womei/types';

/** Source of the workflows, bundled by the worker when no prebuilt bundle is given. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface CheckoutWorkerOptions {
  connection: NativeConnection;
  config: AppConfig;
  /** Womei client; default `createWomeiClient(config.womei)` with the per-token limit of `config.womei`. */
  womei?: WomeiApi;
  /**
   * Order-claim registry; default claims on this Temporal namespace through the worker's own connection, with
   * the worker's data converter, on its task queue (where the worker registers the `orderClaim` type, although the server closes
   * every claim before its first workflow task: activities/order-claims.ts).
   */
  claims?: OrderClaims;
  /**
   * Payload codec / failure converter. Default `createDataConverter(config)`: encrypts with CODEC_KEYS, refuses to
   * run without them (unless INSECURE_PLAINTEXT_PAYLOADS). Client and worker must use the same one.
   */
  dataConverter?: DataConverter;
  /** Opens sealed tokens. Default `tokenOpenerFor(config)`: TOKEN_SEAL_PRIVATE_KEYS, refuses to run without them. */
  tokens?: TokenOpener;
  /** Default `config.temporal.taskQueue`; tests pass a unique one per file. */
  taskQueue?: string;
  /** Prebuilt workflow bundle code (tests bundle once per run); default: WORKER_WORKFLOW_BUNDLE or source. */
  workflowBundle?: { code: string } | { codePath: string };
  /** Anything else Worker.create takes (interceptors, identity, ...). */
  overrides?: Partial<WorkerOptions>;
}

export async function createCheckoutWorker(options: CheckoutWorkerOptions): Promise<Worker> {
  const { connection, config } = options;
  const womei = options.womei ?? createWomeiClient({ ...config.womei, limiter: tokenLimiterOf(config.womei) });
  // Fail closed, before anything connects: no payload key or no seal key, no worker.
  const dataConverter = options.dataConverter ?? createDataConverter(config);
  const tokens = options.tokens ?? tokenOpenerFor(config);
  const taskQueue = options.taskQueue ?? config.temporal.taskQueue;
  const claims =
    options.claims ?? temporalOrderClaims(new Client({ connection, namespace: config.temporal.namespace, dataConverter }), taskQueue);
  const bundlePath = config.worker.workflowBundlePath;
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : bundlePath
      ? { workflowBundle: { codePath: bundlePath } }
      : { workflowsPath: WORKFLOWS_PATH };

  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    ...workflowSource,
    activities: createActivities({ womei, claims, tokens }),
    dataConverter,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    shutdownGraceTime: config.worker.shutdownGraceMs,
    ...options.overrides,
  });
}

/** The per-token limit this worker process keeps towards Kong; none when set to 0. */
export function tokenLimiterOf(womei: AppConfig['womei']): TokenRateLimiter | undefined {
  if (womei.tokenRequestsPerMinute === 0) return undefined;
  return new TokenRateLimiter({ requestsPerMinute: womei.tokenRequestsPerMinute, maxWaitMs: womei.rateLimitMaxWaitMs });
}

export interface RunningCheckoutWorker {
  worker: Worker;
  /** Graceful: no new tasks, running activities get the shutdown grace time; resolves when run() has ended. */
  stop(): Promise<void>;
}

/** Builds a checkout worker and runs it in this process (`npm start`, tests, the benchmark). */
export async function startCheckoutWorker(options: CheckoutWorkerOptions): Promise<RunningCheckoutWorker> {
  const worker = await createCheckoutWorker(options);
  const running = worker.run();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    stop() {
      stopped ??= (async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      })();
      return stopped;
    },
  };
}

const LEVELS: Record<AppConfig['worker']['logLevel'], LogLevel> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  ERROR: 'ERROR',
};

/**
 * One JSON line per entry on stderr. The SDK's context loggers add workflow and activity ids (workflowId,
 * runId, activityType, ...) to `meta`; `redact` masks anything secret-named or token-shaped on the way out.
 */
export function jsonLogger(level: AppConfig['worker']['logLevel']): DefaultLogger {
  return new DefaultLogger(LEVELS[level], (entry) => {
    const meta: LogMetadata = entry.meta ? redact(entry.meta) : {};
    const line = {
      time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
      level: entry.level,
      msg: redact(entry.message),
      ...meta,
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  });
}

/** Installs the process-wide Runtime: logs and, when asked, Prometheus metrics. Call once, before connecting. */
export function installRuntime(config: AppConfig): void {
  const { metricsPort, logLevel } = config.worker;
  Runtime.install({
    logger: jsonLogger(logLevel),
    telemetryOptions: {
      logging: { filter: { core: logLevel === 'TRACE' ? 'DEBUG' : logLevel, other: 'WARN' }, forward: {} },
      ...(metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort}` } } } : {}),
    },
  });
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const base = loadConfig({}, withLocalKeys(env));
  installRuntime(base);
  const log = Runtime.instance().logger;
  // Same resolution as the client (src/temporal-connection.ts): TEMPORAL_* env and temporal.toml profiles, so
  // Temporal Cloud (TLS, API key) needs no code change.
  const target = temporalTarget(base, env);
  const config: AppConfig = { ...base, temporal: { ...base.temporal, namespace: target.namespace } };
  const connection = await NativeConnection.connect(target.connectionOptions);
  try {
    const worker = await createCheckoutWorker({ connection, config });
    log.info('checkout worker started', {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      address: target.connectionOptions.address,
      womeiBaseUrl: config.womei.baseUrl,
      cancelRoute: config.womei.cancelPath ?? null,
      womeiTokenRequestsPerMinute: config.womei.tokenRequestsPerMinute || null,
      metricsPort: config.worker.metricsPort || null,
      workflowBundle: config.worker.workflowBundlePath ?? 'from source',
    });
    // Runtime's default shutdownSignals (SIGINT, SIGTERM, SIGQUIT, SIGUSR2) start a graceful shutdown: no new
    // tasks, running activities get shutdownGraceTime, then run() resolves.
    await worker.run();
    log.info('checkout worker stopped');
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${JSON.stringify({ level: 'ERROR', msg: 'checkout worker failed', error: redact(err) })}\n`);
    process.exit(1);
  });
}
