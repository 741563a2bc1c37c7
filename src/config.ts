/**
 * Every setting, read from the environment and parsed with zod. A bad value stops the process with one
 * error that names the variable. Parts take the slice they need (`loadConfig().womei`, `.worker`, ...), and
 * tests build configs with `loadConfig({ ...overrides })` instead of mutating process.env.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** One row per variable: the name, its schema (with default) and what it means (README's table comes from here). */
export const CONFIG_VARIABLES = {
  // Womei client
  WOMEI_BASE_URL: { schema: z.string().url().default('http://127.0.0.1:4010'), doc: 'Womei API root; the real one is https://ct.womovie.cn' },
  WOMEI_TENANT: { schema: z.string().regex(/^[a-z]+$/).default('wmyc'), doc: 'tenant path segment and `tenant-short` header' },
  WOMEI_TIMEOUT_MS: { schema: positiveInt.default(10_000), doc: 'per-request timeout towards Womei' },
  WOMEI_CANCEL_PATH: {
    schema: optionalString,
    doc: 'relative path of an order-cancel route, e.g. `order/cancel/`; unset for the real API, which shows none',
  },
  WOMEI_TOKEN_REQUESTS_PER_MINUTE: {
    schema: nonNegativeInt.default(200),
    doc: "requests one user token may send from this worker process in any 60 s (Kong's limit is 200/min per token, none on the whole); 0 = no limit. Workers count separately: Kong's 429 and its `ratelimit-reset` are honoured as the backstop",
  },
  WOMEI_RATE_LIMIT_MAX_WAIT_MS: {
    schema: nonNegativeInt.default(1_000),
    doc: "longest a request waits in the worker for its token's next slot; a later slot fails the call at once as `WomeiRateLimited`, retried by Temporal after the time left",
  },
  // Sandbox
  SANDBOX_PORT: { schema: port.default(4010), doc: 'port of the sandbox Womei server' },
  SANDBOX_HOST: { schema: z.string().default('127.0.0.1'), doc: 'address the sandbox listens on' },
  SANDBOX_HOLD_SECONDS: { schema: positiveInt.default(900), doc: 'seat hold of an unpaid sandbox order (assumption: 15 min)' },
  SANDBOX_VOUCHER_QUOTA: { schema: nonNegativeInt.default(5), doc: 'voucher validations per person per day' },
  SANDBOX_RATE_LIMIT_PER_MINUTE: { schema: positiveInt.default(200), doc: 'gateway requests per token per minute' },
  SANDBOX_CANCEL_ROUTE: { schema: bool.default(true), doc: 'serve the assumed `order/cancel/` route' },
  SANDBOX_PAYMENT_SECONDS: { schema: z.coerce.number().min(0).default(5), doc: 'PROCESSING → SUCCESS delay of a 0-yuan payment' },
  SANDBOX_FAULTS: { schema: optionalString, doc: 'JSON array of fault rules loaded at start (see src/sandbox/faults.ts)' },
  // Temporal
  TEMPORAL_ADDRESS: { schema: z.string().default('127.0.0.1:7233'), doc: 'Temporal frontend host:port' },
  TEMPORAL_NAMESPACE: { schema: z.string().default('default'), doc: 'Temporal namespace' },
  TEMPORAL_TASK_QUEUE: { schema: z.string().min(1).default('womei-checkout'), doc: 'task queue of checkout workflows and activities' },
  TEMPORAL_UI_PORT: { schema: port.default(8233), doc: 'dev server Web UI port (`npm start`)' },
  TEMPORAL_DEV_DB: { schema: z.string().default('.data/temporal.sqlite'), doc: 'dev server SQLite file (`npm start`)' },
  // Worker
  WORKER_MAX_CONCURRENT_ACTIVITIES: {
    schema: positiveInt.default(100),
    doc: 'activity task slots: Womei calls one worker process has in flight at once (each mostly waits on the network, so slots cost little; too few cap throughput below what the CPU does)',
  },
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: {
    schema: positiveInt.default(40),
    doc: 'workflow task slots (the SDK default; the SDK polls with up to 10 of them, so fewer than 11 leaves none for eager workflow start)',
  },
  WORKER_WORKFLOW_BUNDLE: { schema: optionalString, doc: 'prebuilt workflow bundle (production); unset = bundle from source' },
  WORKER_METRICS_PORT: { schema: nonNegativeInt.default(0), doc: 'Prometheus metrics port; 0 = off' },
  WORKER_SHUTDOWN_GRACE_MS: { schema: positiveInt.default(10_000), doc: 'how long running activities get to finish on SIGTERM' },
  LOG_LEVEL: { schema: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'), doc: 'log level' },
  // Payload codec
  CODEC_KEYS: {
    schema: optionalString,
    doc: 'payload keys `id:base64key,id2:base64key` (32-byte AES-256); the last one encrypts; unset = no encryption',
  },
  CODEC_SERVER_PORT: { schema: port.default(8888), doc: 'codec server port (`npm start`)' },
  CODEC_SERVER_HOST: { schema: z.string().default('127.0.0.1'), doc: 'address the codec server listens on' },
  CODEC_SERVER_TOKEN: { schema: optionalString, doc: 'bearer token the codec server requires' },
  CODEC_SERVER_ALLOWED_ORIGIN: {
    schema: optionalString,
    doc: 'Web UI origin allowed without a bearer token (local dev UI), e.g. http://localhost:8233',
  },
} as const;

type Vars = typeof CONFIG_VARIABLES;
export type RawConfig = { [K in keyof Vars]: z.output<Vars[K]['schema']> };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parseVariables(env: Record<string, string | undefined>): RawConfig {
  const shape = Object.fromEntries(Object.entries(CONFIG_VARIABLES).map(([k, v]) => [k, v.schema])) as {
    [K in keyof Vars]: Vars[K]['schema'];
  };
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return result.data as RawConfig;
}

export function loadConfig(overrides: Partial<Record<keyof Vars, string>> = {}, env: NodeJS.ProcessEnv = process.env) {
  const v = parseVariables({ ...env, ...overrides });
  return {
    womei: {
      baseUrl: v.WOMEI_BASE_URL,
      tenant: v.WOMEI_TENANT,
      timeoutMs: v.WOMEI_TIMEOUT_MS,
      cancelPath: v.WOMEI_CANCEL_PATH,
      tokenRequestsPerMinute: v.WOMEI_TOKEN_REQUESTS_PER_MINUTE,
      rateLimitMaxWaitMs: v.WOMEI_RATE_LIMIT_MAX_WAIT_MS,
    },
    sandbox: {
      port: v.SANDBOX_PORT,
      host: v.SANDBOX_HOST,
      holdSeconds: v.SANDBOX_HOLD_SECONDS,
      voucherQuota: v.SANDBOX_VOUCHER_QUOTA,
      rateLimitPerMinute: v.SANDBOX_RATE_LIMIT_PER_MINUTE,
      cancelRoute: v.SANDBOX_CANCEL_ROUTE,
      paymentSeconds: v.SANDBOX_PAYMENT_SECONDS,
      faults: v.SANDBOX_FAULTS,
    },
    temporal: {
      address: v.TEMPORAL_ADDRESS,
      namespace: v.TEMPORAL_NAMESPACE,
      taskQueue: v.TEMPORAL_TASK_QUEUE,
      uiPort: v.TEMPORAL_UI_PORT,
      devDbFile: v.TEMPORAL_DEV_DB,
    },
    worker: {
      maxConcurrentActivities: v.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: v.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      workflowBundlePath: v.WORKER_WORKFLOW_BUNDLE,
      metricsPort: v.WORKER_METRICS_PORT,
      shutdownGraceMs: v.WORKER_SHUTDOWN_GRACE_MS,
      logLevel: v.LOG_LEVEL,
    },
    codec: {
      keys: v.CODEC_KEYS,
      serverPort: v.CODEC_SERVER_PORT,
      serverHost: v.CODEC_SERVER_HOST,
      serverToken: v.CODEC_SERVER_TOKEN,
      allowedOrigin: v.CODEC_SERVER_ALLOWED_ORIGIN,
    },
  };
}

export type AppConfig = ReturnType<typeof loadConfig>;
