/**
 * `npm run chaos -- --cluster`: the chaos run against the production topology of `npm run cluster`
 * (src/cluster/topology.ts): PostgreSQL, the schemas, the Temporal server from deploy/, the namespace, N worker
 * processes and the codec server, in the run's own folder on free ports. The sandbox is the run's own (it injects
 * the faults and keeps the ledger), so the cluster starts none; nothing drives a Web UI, so it starts none.
 * Beyond the dev server's disruptions it restarts PostgreSQL (fast shutdown) under the running server.
 */
import { join } from 'node:path';
import { TEMPORAL_SERVER_VERSION } from '../src/cluster/binaries';
import { ClusterTopology } from '../src/cluster/topology';
import { scratchClusterEnv } from '../test/helpers/cluster-env';
import { assertPortFree } from '../src/ports';
import { freePort } from './dev-topology';
import type { ChaosTopology, TopologyOptions, WorkerExit } from './topology';
import { activityTasksInFlight } from './worker-metrics';

/** A port p with p … p + count − 1 all free: the workers' metrics ports (WORKER_METRICS_PORT + index). */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    try {
      for (let i = 1; i < count; i++) await assertPortFree(base + i, '127.0.0.1', 'WORKER_METRICS_PORT');
      return base;
    } catch {
      // one of them is taken: another base
    }
  }
  throw new Error(`no ${count} free ports in a row for the workers' metrics`);
}

export class ClusterChaosTopology implements ChaosTopology {
  readonly name = 'cluster';
  private cluster: ClusterTopology | undefined;

  constructor(
    private readonly options: TopologyOptions,
    readonly workerCount = 3,
  ) {}

  get temporalAddress(): string {
    return this.started().temporalAddress;
  }

  get namespace(): string {
    return this.started().namespace;
  }

  private started(): ClusterTopology {
    if (!this.cluster) throw new Error('the cluster has not been started');
    return this.cluster;
  }

  async start(): Promise<void> {
    const { options } = this;
    const metricsBase = await freePortRun(this.workerCount);
    const { env } = await scratchClusterEnv(
      {
        ...(process.env.CLUSTER_POSTGRES_BIN ? { CLUSTER_POSTGRES_BIN: process.env.CLUSTER_POSTGRES_BIN } : {}),
        TEMPORAL_TASK_QUEUE: options.taskQueue,
        // The run's keys: its client seals and encodes with them, the codec server decodes with them.
        CODEC_KEYS: options.codecKeys,
        TOKEN_SEAL_PUBLIC_KEY: options.tokenSealPublicKey,
        TOKEN_SEAL_PRIVATE_KEYS: options.tokenSealPrivateKeys,
      },
      join(options.dataDir, 'cluster'),
    );
    this.cluster = new ClusterTopology({
      env,
      workers: this.workerCount,
      womeiBaseUrl: options.womeiBaseUrl,
      ui: false,
      workflowBundlePath: options.workflowBundlePath,
      workerEnv: { ...options.workerEnv, WORKER_METRICS_PORT: String(metricsBase) },
      log: (line) => options.log(`cluster: ${line}`),
    });
    await this.cluster.start();
  }

  async stop(): Promise<void> {
    await this.cluster?.stop();
  }

  async killServer(): Promise<void> {
    await this.started().killServer();
  }

  async restartServer(): Promise<void> {
    await this.started().startServer();
  }

  stopWorker(index: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<WorkerExit> {
    return this.started().stopWorker(index, signal);
  }

  restartWorker(index: number): Promise<void> {
    return this.started().startWorker(index);
  }

  async tasksInFlight(index: number): Promise<number | undefined> {
    const cluster = this.started();
    const port = cluster.workerMetricsPort(index);
    return cluster.workerPid(index) === undefined || port === undefined ? undefined : activityTasksInFlight(port);
  }

  restartDatabase(): Promise<void> {
    return this.started().restartDatabase();
  }

  describe(): string[] {
    return [
      `Temporal: temporal-server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (npm run cluster's topology, deploy/temporal/config/cluster.yaml), SIGKILLed and restarted; PostgreSQL restarted with a fast shutdown`,
      `workers: ${this.workerCount} processes of src/worker.ts; codec server`,
    ];
  }
}
