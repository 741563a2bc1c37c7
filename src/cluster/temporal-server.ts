/**
 * The Temporal server of the cluster and the two deploy/ scripts around it, exactly as docker-compose.yml runs
 * them: deploy/setup-postgres.sh (databases and schemas, with the SQL tool), the server from
 * deploy/temporal/config/cluster.yaml, then deploy/init-namespace.sh (namespace and search attributes, with the
 * Temporal CLI). What differs from compose is only the environment: loopback addresses and free ports.
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { ManagedChild } from './child';
import { POSTGRES_USER } from './postgres';

export const ROOT = join(__dirname, '..', '..');
export const DEPLOY_DIR = join(ROOT, 'deploy');

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

export function serverPorts(frontendPort: number): Record<ServerPortVariable, number> {
  return Object.fromEntries(
    Object.entries(SERVER_PORT_OFFSETS).map(([name, { offset }]) => [name, frontendPort + offset]),
  ) as Record<ServerPortVariable, number>;
}

export interface ServerSettings {
  binary: string;
  host: string;
  frontendPort: number;
  postgresPort: number;
  postgresPassword: string;
  logFile: string;
  /** Where the server's Prometheus metrics listen (host:port); unset = none. */
  metricsEndpoint?: string;
}

/** The variables deploy/temporal/config/cluster.yaml reads (the names of the official image's template). */
export function serverEnvironment(s: Omit<ServerSettings, 'binary' | 'logFile'>): Record<string, string> {
  return {
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(s.postgresPort),
    POSTGRES_USER,
    POSTGRES_PWD: s.postgresPassword,
    BIND_ON_IP: s.host,
    TEMPORAL_BROADCAST_ADDRESS: s.host,
    DYNAMIC_CONFIG_FILE_PATH: join(DEPLOY_DIR, 'dynamicconfig', 'development-sql.yaml'),
    ...Object.fromEntries(Object.entries(serverPorts(s.frontendPort)).map(([k, v]) => [k, String(v)])),
    ...(s.metricsEndpoint ? { PROMETHEUS_ENDPOINT: s.metricsEndpoint } : {}),
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
    command: s.binary,
    args: ['--root', join(DEPLOY_DIR, 'temporal'), '--config', 'config', '--env', 'cluster', '--allow-no-auth', 'start'],
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

export function setupSchemas(sqlTool: string, postgresPort: number, password: string, logFile: string): Promise<void> {
  return runDeployScript(
    'setup-postgres.sh',
    { TEMPORAL_SQL_TOOL: sqlTool, SQL_HOST: '127.0.0.1', SQL_PORT: String(postgresPort), SQL_USER: POSTGRES_USER, SQL_PASSWORD: password },
    logFile,
  );
}

export function initNamespace(cli: string, address: string, namespace: string, logFile: string): Promise<void> {
  return runDeployScript('init-namespace.sh', { TEMPORAL_CLI: cli, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, HOME: process.env.HOME ?? '' }, logFile);
}
