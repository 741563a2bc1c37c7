/**
 * The cluster's own processes as ManagedChild definitions: a checkout worker (src/worker.ts; the chaos run's dev
 * topology starts its workers with the same definition), a service of this repository (the sandbox, the codec
 * server) and the standalone Web UI server, each logging into the data folder.
 */
import { join } from 'node:path';
import { loadConfig } from '../config';
import { ManagedChild } from './child';
import type { ClusterSettings } from './settings';
import { ROOT } from './temporal-server';

/** The line each process logs when it is ready. */
export const READY = { worker: 'checkout worker started', sandbox: 'womei sandbox on', codec: 'codec server on' };

/** An activity's own log line when its Womei call ends (activities/index.ts): what a graceful drain finishes. */
const CALL_ENDED = /"msg":"womei \w+ (ok|failed)/g;

/**
 * A checkout worker process: `src/worker.ts` started as `npm run worker` starts it, with exactly `env` (nothing of
 * the caller's shell), ready once it logs that it started. Its stops count the Womei calls that end meanwhile.
 */
export function checkoutWorkerProcess(name: string, env: Record<string, string>, logFile: string): ManagedChild {
  const level = loadConfig({}, env).worker.logLevel;
  return new ManagedChild({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', 'src/worker.ts'],
    // The ready line is an INFO entry.
    env: { ...env, LOG_LEVEL: ['TRACE', 'DEBUG', 'INFO'].includes(level) ? level : 'INFO' },
    cwd: ROOT,
    logFile,
    readyLine: READY.worker,
    drainedLine: CALL_ENDED,
  });
}

/** What worker `index` (0-based) of a cluster runs with: the cluster's environment, `workerEnv` on top. */
export function clusterWorkerEnv(s: ClusterSettings, index: number, workerEnv: Record<string, string> = {}): Record<string, string> {
  const { metricsPort } = loadConfig({}, { ...s.childEnv, ...workerEnv }).worker;
  return {
    ...s.childEnv,
    TOKEN_SEAL_PRIVATE_KEYS: s.sealPrivateKeys,
    ...workerEnv,
    WORKER_METRICS_PORT: String(metricsPort > 0 ? metricsPort + index : 0),
  };
}

/** Worker `index` (0-based) of a cluster, logging into its data folder. */
export function workerProcess(s: ClusterSettings, index: number, workerEnv: Record<string, string> = {}): ManagedChild {
  return checkoutWorkerProcess(`worker ${index + 1}`, clusterWorkerEnv(s, index, workerEnv), join(s.logDir, `worker-${index + 1}.log`));
}

/** A TypeScript entry point of this repository run as a process (the sandbox, the codec server). */
export function serviceProcess(s: ClusterSettings, name: string, entry: string, readyLine: string): ManagedChild {
  return new ManagedChild({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', entry],
    env: s.childEnv,
    cwd: ROOT,
    logFile: join(s.logDir, `${name.replace(/\W+/g, '-')}.log`),
    readyLine,
  });
}

/** The standalone Web UI server (deploy/temporal-ui), pointed at the server and the codec server. */
export function uiProcess(s: ClusterSettings, uiServerBinary: string): ManagedChild {
  const port = s.config.temporal.uiPort;
  return new ManagedChild({
    name: 'Web UI server',
    command: uiServerBinary,
    args: ['--root', join(ROOT, 'deploy', 'temporal-ui'), '--config', 'config', '--env', 'cluster', 'start'],
    env: {
      PATH: s.childEnv.PATH!,
      TEMPORAL_ADDRESS: s.temporalAddress,
      TEMPORAL_UI_HOST: '127.0.0.1',
      TEMPORAL_UI_PORT: String(port),
      TEMPORAL_UI_ORIGIN: s.uiUrl!,
      TEMPORAL_DEFAULT_NAMESPACE: s.namespace,
      TEMPORAL_CODEC_ENDPOINT: s.codecUrl ?? '',
    },
    cwd: ROOT,
    logFile: join(s.logDir, 'temporal-ui-server.log'),
    readyCheck: async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })).ok,
  });
}
