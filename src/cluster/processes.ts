/**
 * The cluster's own processes as ManagedChild definitions: a checkout worker (src/worker.ts), a service of this
 * repository (the sandbox, the codec server) and the standalone Web UI server, each logging into the data folder.
 */
import { join } from 'node:path';
import { loadConfig } from '../config';
import { ManagedChild } from './child';
import type { ClusterSettings } from './settings';
import { ROOT } from './temporal-server';

/** The line each process logs when it is ready. */
export const READY = { worker: 'checkout worker started', sandbox: 'womei sandbox on', codec: 'codec server on' };

/** Worker `index` (0-based), with `workerEnv` on top of the cluster's environment. */
export function workerProcess(s: ClusterSettings, index: number, workerEnv: Record<string, string> = {}): ManagedChild {
  const { logLevel: level, metricsPort } = loadConfig({}, { ...s.childEnv, ...workerEnv }).worker;
  return new ManagedChild({
    name: `worker ${index + 1}`,
    command: process.execPath,
    args: ['--import', 'tsx', 'src/worker.ts'],
    env: {
      ...s.childEnv,
      TOKEN_SEAL_PRIVATE_KEYS: s.sealPrivateKeys,
      ...workerEnv,
      // The ready line is an INFO entry.
      LOG_LEVEL: ['TRACE', 'DEBUG', 'INFO'].includes(level) ? level : 'INFO',
      WORKER_METRICS_PORT: String(metricsPort > 0 ? metricsPort + index : 0),
    },
    cwd: ROOT,
    logFile: join(s.logDir, `worker-${index + 1}.log`),
    readyLine: READY.worker,
  });
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
