/**
 * Every setting, read from the environment and parsed with zod. A bad value stops the process with one
 * error that names the variable. Parts take the slice they need (`loadConfig().womei`, `.worker`, ...), and
 * tests build configs with `loadConfig({ ...overrides })` instead of mutating process.env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
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
  TEMPORAL_UI_PORT: { schema: port.default(8233), doc: 'Web UI port (`npm start`: the dev server\'s; `npm run cluster`: the UI server\'s)' },
  TEMPORAL_DEV_DB: { schema: z.string().default('.data/temporal.sqlite'), doc: 'dev server SQLite file (`npm start`)' },
  // `npm run cluster`: the production topology on this machine (src/cluster/)
  CLUSTER_DATA_DIR: {
    schema: z.string().min(1).default('.data/cluster'),
    doc: '`npm run cluster`: PostgreSQL data, logs, the payload key and the workflow bundle (git-ignored)',
  },
  CLUSTER_POSTGRES_PORT: { schema: port.default(55432), doc: '`npm run cluster`: PostgreSQL port on 127.0.0.1' },
  CLUSTER_POSTGRES_BIN: {
    schema: optionalString,
    doc: '`npm run cluster`: folder with initdb and pg_ctl; unset = the newest /usr/lib/postgresql/*/bin, then PATH',
  },
  CLUSTER_WORKERS: { schema: positiveInt.max(32).default(3), doc: '`npm run cluster`: checkout worker processes' },
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
    doc: 'payload keys `id:base64key,id2:base64key` (32-byte AES-256); the last one encrypts; unset = clients and workers refuse to run (see `INSECURE_PLAINTEXT_PAYLOADS`)',
  },
  INSECURE_PLAINTEXT_PAYLOADS: {
    schema: bool.default(false),
    doc: 'throwaway local use only: run without `CODEC_KEYS`, so seats, voucher codes, results and error messages sit readable in history; the token stays sealed',
  },
  CODEC_SERVER_PORT: { schema: port.default(8888), doc: 'codec server port (`npm start`)' },
  CODEC_SERVER_HOST: { schema: z.string().default('127.0.0.1'), doc: 'address the codec server listens on' },
  CODEC_SERVER_TOKEN: { schema: optionalString, doc: 'bearer token the codec server requires' },
  CODEC_SERVER_ALLOWED_ORIGIN: {
    schema: optionalString,
    doc: 'Web UI origin allowed without a bearer token (local dev UI), e.g. http://localhost:8233',
  },
  // Token seal
  TOKEN_SEAL_PUBLIC_KEY: {
    schema: optionalString,
    doc: "clients: the X25519 public key `id:base64url` the user's token is sealed with before it enters a checkout; unset = a start is refused",
  },
  TOKEN_SEAL_PRIVATE_KEYS: {
    schema: optionalString,
    doc: 'workers only: X25519 private keys `id:base64url,id2:…` that open sealed tokens (the last pairs with the public key); unset = the worker refuses to run',
  },
  LOCAL_KEYS_FILE: {
    schema: z.string().default('.data/local-keys.json'),
    doc: 'keys `npm start` generates and saves (mode 0600, path relative to the clone); the CLI, client and worker read the variables above from it when they are unset; empty = never',
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

/** The variables `npm start` saves in LOCAL_KEYS_FILE, and the only ones read back from it. */
export const LOCAL_KEY_VARIABLES = ['CODEC_KEYS', 'CODEC_SERVER_TOKEN', 'TOKEN_SEAL_PUBLIC_KEY', 'TOKEN_SEAL_PRIVATE_KEYS'] as const;
export type LocalKeys = Record<(typeof LOCAL_KEY_VARIABLES)[number], string>;

/** Where keys come from, in one line: every refusal for a missing key ends with it. */
export const LOCAL_KEYS_HINT =
  'or run `npm start` in this clone once: it saves local keys (LOCAL_KEYS_FILE, .data/local-keys.json) that the CLI, client and worker of the clone read';

/** The clone (the folder with package.json above this file), so a path means the same from any working folder. */
export function cloneRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** LOCAL_KEYS_FILE as an absolute path (relative ones are relative to the clone); undefined when set empty. */
function localKeysPath(raw: string): string | undefined {
  if (raw.trim() === '') return undefined;
  return isAbsolute(raw) ? raw : resolve(cloneRoot(), raw);
}

/**
 * `env` with the keys `npm start` saved filled in where `env` leaves them unset, so a CLI or worker in the same
 * clone finds them. Entry points (CLI, `CheckoutClient.connect()` without a config, worker, codec server) call
 * it; `loadConfig` itself reads no file, which keeps tests hermetic.
 */
export function withLocalKeys(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = localKeysPath(CONFIG_VARIABLES.LOCAL_KEYS_FILE.schema.parse(env.LOCAL_KEYS_FILE));
  if (file === undefined || !existsSync(file)) return env;
  let saved: Partial<Record<string, unknown>>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<string, unknown>>;
  } catch {
    throw new ConfigError(`LOCAL_KEYS_FILE ${file} is not valid JSON; delete it and run npm start again to make new local keys`);
  }
  const filled: NodeJS.ProcessEnv = { ...env };
  for (const name of LOCAL_KEY_VARIABLES) {
    const value = saved[name];
    if ((env[name] === undefined || env[name].trim() === '') && typeof value === 'string') filled[name] = value;
  }
  return filled;
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
    cluster: {
      dataDir: v.CLUSTER_DATA_DIR,
      postgresPort: v.CLUSTER_POSTGRES_PORT,
      postgresBin: v.CLUSTER_POSTGRES_BIN,
      workers: v.CLUSTER_WORKERS,
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
      insecurePlaintextPayloads: v.INSECURE_PLAINTEXT_PAYLOADS,
    },
    seal: {
      publicKey: v.TOKEN_SEAL_PUBLIC_KEY,
      privateKeys: v.TOKEN_SEAL_PRIVATE_KEYS,
    },
    /** Absolute; undefined when LOCAL_KEYS_FILE is set empty. */
    localKeysFile: localKeysPath(v.LOCAL_KEYS_FILE),
  };
}

export type AppConfig = ReturnType<typeof loadConfig>;
