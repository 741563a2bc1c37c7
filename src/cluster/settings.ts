/**
 * What a cluster runs with, resolved once from its settings (src/config.ts: CLUSTER_*, TEMPORAL_*, …) before
 * anything starts: the data folder, the addresses of every part, and the environment its processes get.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CONFIG_VARIABLES, loadConfig, type AppConfig } from '../config';
import { splitAddress } from '../dev-server';
import { localKeysFor } from '../local-keys';
import { postgresBinDir } from './binaries';
import { ROOT } from './temporal-server';

export interface ClusterOptions {
  /** Settings as environment variables, read through src/config.ts; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines; default none. */
  log?: (line: string) => void;
  /** Worker processes; default CLUSTER_WORKERS. */
  workers?: number;
  /** Womei the workers call; unset = the cluster starts the sandbox on SANDBOX_PORT and uses it. */
  womeiBaseUrl?: string;
  /** Start the Web UI server (default true) and the codec server (default true). */
  ui?: boolean;
  codecServer?: boolean;
  /** A prebuilt workflow bundle; unset = bundled into the data folder on start. */
  workflowBundlePath?: string;
  /** More settings for the worker processes only (e.g. WOMEI_TOKEN_REQUESTS_PER_MINUTE). */
  workerEnv?: Record<string, string>;
}

export interface ClusterSettings {
  /** What the cluster's processes run with: CODEC_KEYS, WOMEI_BASE_URL, the bundle… */
  config: AppConfig;
  /** The environment of every process the cluster starts. */
  childEnv: Record<string, string>;
  dataDir: string;
  logDir: string;
  temporalAddress: string;
  namespace: string;
  workerCount: number;
  sandboxUrl: string | undefined;
  uiUrl: string | undefined;
  codecUrl: string | undefined;
  codecBearer: string;
  /** The cluster's keys (CODEC_KEYS, TOKEN_SEAL_*, CODEC_SERVER_TOKEN): a CLI points LOCAL_KEYS_FILE at it. */
  keysFile: string;
  /** The seal's private key: given to the worker processes only. */
  sealPrivateKeys: string;
  postgres: { binDir: string; dir: string; port: number; password: string };
}

export function clusterSettings(options: ClusterOptions): ClusterSettings {
  const env = options.env ?? process.env;
  const base = loadConfig({}, env);
  const dataDir = resolve(ROOT, base.cluster.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // Kept beside the database it encrypts; the seal's private key goes to the worker processes only.
  const keysFile = join(dataDir, 'local-keys.json');
  const keys = localKeysFor(keysFile, dataDir, env);
  const [host, port] = splitAddress(base.temporal.address);
  const temporalAddress = `${host}:${port}`;
  const ownSandbox = options.womeiBaseUrl === undefined;
  const sandboxUrl = ownSandbox ? `http://${base.sandbox.host}:${base.sandbox.port}` : undefined;
  const codecUrl = options.codecServer === false ? undefined : `http://localhost:${base.codec.serverPort}`;
  const uiUrl = options.ui === false ? undefined : `http://localhost:${base.temporal.uiPort}`;

  // Only our own settings reach the processes: no TEMPORAL_API_KEY of the caller's shell, and no temporal.toml
  // profile (TEMPORAL_CONFIG_FILE names one in the data folder that does not exist unless someone puts it there).
  const own = Object.fromEntries(
    Object.keys(CONFIG_VARIABLES).flatMap((k) => (env[k] === undefined || k === 'TOKEN_SEAL_PRIVATE_KEYS' ? [] : [[k, env[k] as string]])),
  );
  const childEnv: Record<string, string> = {
    PATH: env.PATH ?? process.env.PATH ?? '',
    HOME: env.HOME ?? process.env.HOME ?? '',
    TEMPORAL_CONFIG_FILE: join(dataDir, 'temporal.toml'),
    ...own,
    TEMPORAL_ADDRESS: temporalAddress,
    CODEC_KEYS: keys.CODEC_KEYS,
    CODEC_SERVER_TOKEN: keys.CODEC_SERVER_TOKEN,
    TOKEN_SEAL_PUBLIC_KEY: keys.TOKEN_SEAL_PUBLIC_KEY,
    // Every key is given: no process of the cluster reads a clone's .data/local-keys.json.
    LOCAL_KEYS_FILE: '',
    WOMEI_BASE_URL: options.womeiBaseUrl ?? sandboxUrl!,
    // The sandbox offers the (assumed) cancel route, as with npm start.
    ...(ownSandbox ? { WOMEI_CANCEL_PATH: base.womei.cancelPath ?? 'order/cancel/' } : {}),
    ...(uiUrl ? { CODEC_SERVER_ALLOWED_ORIGIN: base.codec.allowedOrigin ?? uiUrl } : {}),
    WORKER_WORKFLOW_BUNDLE: options.workflowBundlePath ?? join(dataDir, 'workflow-bundle.js'),
  };
  return {
    config: loadConfig({}, childEnv),
    childEnv,
    dataDir,
    logDir,
    temporalAddress,
    namespace: base.temporal.namespace,
    workerCount: options.workers ?? base.cluster.workers,
    sandboxUrl,
    uiUrl,
    codecUrl,
    codecBearer: keys.CODEC_SERVER_TOKEN,
    keysFile,
    sealPrivateKeys: keys.TOKEN_SEAL_PRIVATE_KEYS,
    postgres: { binDir: postgresBinDir(base.cluster.postgresBin, env), dir: dataDir, port: base.cluster.postgresPort, password: savedPostgresPassword(dataDir) },
  };
}

/** Generated once per data folder (the database keeps it), kept beside it like the codec key. */
function savedPostgresPassword(dataDir: string): string {
  const file = join(dataDir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (existsSync(join(dataDir, 'pg', 'PG_VERSION'))) {
    throw new Error(`${file} is missing but ${join(dataDir, 'pg')} exists: delete ${dataDir} for a fresh cluster`);
  }
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}
