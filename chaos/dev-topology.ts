/**
 * The default chaos topology: the official CLI's dev server (src/dev-server.ts) on a fresh SQLite file in the
 * run's folder, killed with SIGKILL and restarted on the same file and port, and N worker processes.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ManagedChild } from '../src/cluster/child';
import { checkoutWorkerProcess } from '../src/cluster/processes';
import { startDevServer, type RunningDevServer } from '../src/dev-server';
import type { ChaosTopology, TopologyOptions, WorkerExit } from './topology';
import { activityTasksInFlight } from './worker-metrics';

/** A SIGTERMed worker gets this long to drain before it is SIGKILLed (the audit judges a slow drain itself). */
const STOP_GRACE_MS = 60_000;

/** A port nobody listens on right now (the dev server takes no port 0). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export class DevServerTopology implements ChaosTopology {
  readonly name = 'dev server';
  readonly namespace = 'default';
  temporalAddress = '';
  private server: RunningDevServer | undefined;
  private readonly workers: ManagedChild[] = [];
  /** Each worker's Prometheus port (what tasksInFlight reads). */
  private readonly metricsPorts: number[] = [];
  private readonly dbFile: string;

  constructor(
    private readonly options: TopologyOptions,
    readonly workerCount = 2,
  ) {
    this.dbFile = join(options.dataDir, 'temporal.sqlite');
  }

  async start(): Promise<void> {
    const { log } = this.options;
    rmSync(this.dbFile, { force: true });
    this.temporalAddress = `127.0.0.1:${await freePort()}`;
    await this.startServer();
    log(`temporal      dev server on ${this.temporalAddress}, database ${this.dbFile}`);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: this.namespace,
      TEMPORAL_TASK_QUEUE: this.options.taskQueue,
      WOMEI_BASE_URL: this.options.womeiBaseUrl,
      WORKER_WORKFLOW_BUNDLE: this.options.workflowBundlePath,
      CODEC_KEYS: this.options.codecKeys,
      TOKEN_SEAL_PRIVATE_KEYS: this.options.tokenSealPrivateKeys,
      ...this.options.workerEnv,
    };
    for (let i = 0; i < this.workerCount; i++) {
      const metricsPort = await freePort();
      this.metricsPorts.push(metricsPort);
      this.workers.push(
        checkoutWorkerProcess(`worker ${i + 1}`, { ...env, WORKER_METRICS_PORT: String(metricsPort) }, join(this.options.dataDir, `worker-${i + 1}.log`)),
      );
    }
    await Promise.all(this.workers.map((w) => w.start()));
    log(`workers       ${this.workers.map((w) => `${w.name} pid ${w.pid}`).join(', ')} (src/worker.ts, logs in ${this.options.dataDir})`);
  }

  private async startServer(): Promise<void> {
    this.server = await startDevServer({ address: this.temporalAddress, namespace: this.namespace, dbFile: this.dbFile });
  }

  async killServer(): Promise<void> {
    await this.server?.kill();
    this.server = undefined;
  }

  async restartServer(): Promise<void> {
    if (this.server) throw new Error('the dev server is running');
    await this.startServer();
  }

  stopWorker(index: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<WorkerExit> {
    return this.worker(index).stop(signal, STOP_GRACE_MS);
  }

  restartWorker(index: number): Promise<void> {
    return this.worker(index).start();
  }

  async tasksInFlight(index: number): Promise<number | undefined> {
    return this.worker(index).running ? activityTasksInFlight(this.metricsPorts[index]!) : undefined;
  }

  private worker(index: number): ManagedChild {
    const w = this.workers[index];
    if (!w) throw new Error(`no worker ${index}`);
    return w;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map(async (w) => {
      await w.stop('SIGTERM', 15_000);
      await w.close();
    }));
    await this.server?.stop();
    this.server = undefined;
  }

  describe(): string[] {
    return [
      `Temporal: the official CLI dev server (SQLite file, one process), SIGKILLed and restarted on the same file`,
      `workers: ${this.workerCount} processes of src/worker.ts`,
    ];
  }
}
