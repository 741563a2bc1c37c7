/**
 * The Temporal server of the cluster and the deploy/ scripts around it, exactly as docker-compose.yml runs them:
 * deploy/setup-postgres.sh (databases and schemas, with the SQL tool), deploy/temporal/start.sh (the server from
 * deploy/temporal/config/cluster.yaml), then deploy/init-namespace.sh (namespace and search attributes, with the
 * Temporal CLI). What differs from compose is only the environment: the cached binaries, loopback addresses and
 * ports; test/deploy/compose.test.ts checks that compose runs the same scripts with the same variables.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { assertPortFree } from '../ports';
import { ManagedChild } from './child';
import { POSTGRES_USER } from './postgres';

export const ROOT = join(__dirname, '..', '..');
export const DEPLOY_DIR = join(ROOT, 'deploy');
/** Paths under deploy/ (docker-compose mounts deploy/ at /deploy and runs the same ones). */
export const DEPLOY_SCRIPTS = {
  schema: 'setup-postgres.sh',
  server: 'temporal/start.sh',
  namespace: 'init-namespace.sh',
} as const;
export const DYNAMIC_CONFIG = 'dynamicconfig/development-sql.yaml';

/**
 * The server's listeners, laid out around the frontend port as Temporal's defaults are around 7233 (history 7234,
 * matching 7235, worker 7239, HTTP 7243, membership 6933…6939), so one setting (TEMPORAL_ADDRESS) moves them all.
 */
export const SERVER_PORT_OFFSETS = {
  FRONTEND_GRPC_PORT: { offset: 0, role: 'frontend gRPC' },
  HISTORY_GRPC_PORT: { offset: 1, role: 'history gRPC' },
  MATCHING_GRPC_PORT: { offset: 2, role: 'matching gRPC' },
  WORKER_GRPC_PORT: { offset: 6, role: 'worker gRPC' },
  FRONTEND_HTTP_PORT: { offset: 10, role: 'frontend HTTP' },
  FRONTEND_MEMBERSHIP_PORT: { offset: -300, role: 'frontend membership' },
  HISTORY_MEMBERSHIP_PORT: { offset: -299, role: 'history membership' },
  MATCHING_MEMBERSHIP_PORT: { offset: -298, role: 'matching membership' },
  WORKER_MEMBERSHIP_PORT: { offset: -294, role: 'worker membership' },
} as const;
export type ServerPortVariable = keyof typeof SERVER_PORT_OFFSETS;

/**
 * The frontend ports whose whole layout fits: every port positive, and the membership ports (stored in the
 * cluster_membership table's SMALLINT rpc_port column) at most 32767 — so not in Linux's ephemeral range.
 */
export const FRONTEND_PORT_RANGE = { min: 1 + 300, max: 32_767 + 294 } as const;

export function serverPorts(frontendPort: number): Record<ServerPortVariable, number> {
  return Object.fromEntries(
    Object.entries(SERVER_PORT_OFFSETS).map(([name, { offset }]) => [name, frontendPort + offset]),
  ) as Record<ServerPortVariable, number>;
}

/**
 * A frontend port whose whole server layout (−300 … +10) is free right now. Not from the OS's ephemeral range:
 * Temporal stores membership ports as SMALLINT (FRONTEND_PORT_RANGE).
 */
export async function freeServerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (FRONTEND_PORT_RANGE.max - 20_000));
    try {
      for (const p of Object.values(serverPorts(port))) await assertPortFree(p, '127.0.0.1', 'TEMPORAL_ADDRESS');
      return port;
    } catch {
      // taken: another try
    }
  }
  throw new Error('no free port layout for the Temporal server');
}

export interface ServerSettings {
  binary: string;
  host: string;
  frontendPort: number;
  postgresPort: number;
  postgresPassword: string;
  logFile: string;
}

/** The variables deploy/temporal/config/cluster.yaml reads (the names of the official image's template). */
export function serverEnvironment(s: Omit<ServerSettings, 'logFile'>): Record<string, string> {
  return {
    TEMPORAL_SERVER: s.binary,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(s.postgresPort),
    POSTGRES_USER,
    POSTGRES_PWD: s.postgresPassword,
    BIND_ON_IP: s.host,
    TEMPORAL_BROADCAST_ADDRESS: s.host,
    DYNAMIC_CONFIG_FILE_PATH: join(DEPLOY_DIR, DYNAMIC_CONFIG),
    ...Object.fromEntries(Object.entries(serverPorts(s.frontendPort)).map(([k, v]) => [k, String(v)])),
  };
}

/** True once the frontend answers a health check. */
export async function frontendServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    const answer = await connection.healthService.check({});
    return answer.status === 1; // SERVING
  } finally {
    await connection.close();
  }
}

export function temporalServerProcess(s: ServerSettings): ManagedChild {
  const address = `${s.host}:${s.frontendPort}`;
  return new ManagedChild({
    name: 'temporal server',
    // start.sh execs the server, so this process is the server itself (a SIGKILL is a server crash).
    command: 'sh',
    args: [join(DEPLOY_DIR, DEPLOY_SCRIPTS.server)],
    env: { PATH: process.env.PATH ?? '', ...serverEnvironment(s) },
    cwd: ROOT,
    logFile: s.logFile,
    readyCheck: () => frontendServing(address),
    startTimeoutMs: 120_000,
  });
}

/** Runs one deploy/ script with `sh`, its output appended to the log; fails with the output's end. */
export async function runDeployScript(script: string, env: Record<string, string>, logFile: string): Promise<void> {
  appendFileSync(logFile, `--- ${new Date().toISOString()} sh deploy/${script}\n`);
  const child = spawn('sh', [join(DEPLOY_DIR, script)], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onData = (chunk: Buffer) => {
    appendFileSync(logFile, chunk);
    tail = (tail + chunk.toString()).slice(-3000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', done);
  });
  if (code !== 0) throw new Error(`deploy/${script} failed (exit ${code}; log ${logFile}):\n${tail.trim()}`);
}

/** What deploy/setup-postgres.sh reads: the SQL tool's own connection variables. */
export function schemaEnvironment(sqlTool: string, postgresPort: number, password: string): Record<string, string> {
  return { TEMPORAL_SQL_TOOL: sqlTool, SQL_HOST: '127.0.0.1', SQL_PORT: String(postgresPort), SQL_USER: POSTGRES_USER, SQL_PASSWORD: password };
}

/** What deploy/init-namespace.sh reads: the Temporal CLI's own variables. */
export function namespaceEnvironment(cli: string, address: string, namespace: string): Record<string, string> {
  return { TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, HOME: process.env.HOME ?? '' };
}

export function setupSchemas(sqlTool: string, postgresPort: number, password: string, logFile: string): Promise<void> {
  return runDeployScript(DEPLOY_SCRIPTS.schema, schemaEnvironment(sqlTool, postgresPort, password), logFile);
}

export function initNamespace(cli: string, address: string, namespace: string, logFile: string): Promise<void> {
  return runDeployScript(DEPLOY_SCRIPTS.namespace, namespaceEnvironment(cli, address, namespace), logFile);
}
