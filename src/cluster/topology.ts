/**
 * The production topology on one machine, as a program other programs drive (`npm run cluster`, the cluster
 * test, bench/cluster.ts, the chaos run): PostgreSQL, the schemas, the Temporal server, the namespace (the same
 * deploy/ config and scripts as docker-compose.yml), N worker processes, the sandbox, the codec server and the
 * Web UI server; start() resolves when every part is ready, and each part can be killed and brought back. The
 * database persists in CLUSTER_DATA_DIR across runs; every process logs under `<data dir>/logs/`. Its API is
 * described in docs/deployment.md ("Driving it from a program").
 */
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../config';
import { splitAddress } from '../dev-server';
import { assertPortFree } from '../ports';
import { resolveTemporalCli } from '../temporal-cli';
import { bundleTo } from '../workflow-bundle';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { temporalBinaries, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION, type TemporalBinaries } from './binaries';
import type { ChildExit, ManagedChild } from './child';
import { Postgres } from './postgres';
import { clusterWorkerEnv, READY, serviceProcess, uiProcess, workerProcess } from './processes';
import { clusterSettings, type ClusterOptions, type ClusterSettings } from './settings';
import { FRONTEND_PORT_RANGE, initNamespace, SERVER_PORT_OFFSETS, serverPorts, setupSchemas, temporalServerProcess } from './temporal-server';

export type { ClusterOptions };

export type WorkerExit = ChildExit;

export class ClusterTopology {
  readonly name = 'Temporal server on PostgreSQL';
  /** What the cluster's processes run with: CODEC_KEYS, WOMEI_BASE_URL, the bundle… Build clients from it. */
  readonly config: AppConfig;
  readonly dataDir: string;
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly workerCount: number;
  readonly sandboxUrl: string | undefined;
  readonly uiUrl: string | undefined;
  readonly codecUrl: string | undefined;
  /** Bearer token of the codec server (for `temporal workflow show --codec-auth`). */
  readonly codecBearer: string;
  /** The cluster's keys (CODEC_KEYS, TOKEN_SEAL_*, CODEC_SERVER_TOKEN): a CLI points LOCAL_KEYS_FILE at it. */
  readonly keysFile: string;

  private readonly log: (line: string) => void;
  private readonly settings: ClusterSettings;
  private readonly logDir: string;
  private readonly postgres: Postgres;
  private binaries: TemporalBinaries | undefined;
  private server: ManagedChild | undefined;
  private readonly workers: ManagedChild[] = [];
  private readonly services: ManagedChild[] = [];
  /** The workers' own WORKER_SHUTDOWN_GRACE_MS (the workerEnv option can set it). */
  private readonly workerGraceMs: number;
  private postgresStarted = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly onExit = () => this.killEverythingNow();

  constructor(private readonly options: ClusterOptions = {}) {
    const s = clusterSettings(options);
    this.settings = s;
    this.log = options.log ?? (() => undefined);
    this.config = s.config;
    this.dataDir = s.dataDir;
    this.logDir = s.logDir;
    this.temporalAddress = s.temporalAddress;
    this.namespace = s.namespace;
    this.workerCount = s.workerCount;
    this.sandboxUrl = s.sandboxUrl;
    this.uiUrl = s.uiUrl;
    this.codecUrl = s.codecUrl;
    this.codecBearer = s.codecBearer;
    this.keysFile = s.keysFile;
    this.postgres = new Postgres(s.postgres);
    this.workerGraceMs = loadConfig({}, clusterWorkerEnv(s, 0, options.workerEnv)).worker.shutdownGraceMs;
  }

  private step(label: string, text: string, since: number): void {
    this.log(`${label.padEnd(15)} ${text} (${((Date.now() - since) / 1000).toFixed(1)} s)`);
  }

  private checkNotStopping(): void {
    if (this.stopping) throw new Error('cluster start interrupted: stopping');
  }

  async start(): Promise<void> {
    this.binaries = temporalBinaries(this.settings.childEnv);
    const cli = resolveTemporalCli(this.settings.childEnv);
    await this.assertPortsFree();
    process.once('exit', this.onExit);
    const { config } = this;

    // The workflow bundle, the sandbox and the codec server need nothing from Temporal: they start beside it.
    const begun = Date.now();
    const bundling = this.options.workflowBundlePath
      ? Promise.resolve(this.options.workflowBundlePath)
      : bundleTo(this.config.worker.workflowBundlePath!, { quiet: true });
    const sideServices = this.startSideServices();
    for (const p of [bundling, sideServices]) p.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

    let t = Date.now();
    if (await this.postgres.isRunning()) {
      this.log(`postgres        still running on ${this.postgres.dataDir} from an earlier run: stopping it`);
      await this.postgres.stop();
    }
    await assertPortFree(this.postgres.port, '127.0.0.1', 'CLUSTER_POSTGRES_PORT');
    const created = await this.postgres.init();
    this.checkNotStopping();
    await this.postgres.start();
    this.postgresStarted = true;
    this.step('postgres', `127.0.0.1:${this.postgres.port}, data in ${this.postgres.dataDir}${created ? ' (new)' : ''}`, t);

    t = Date.now();
    await setupSchemas(this.binaries.sqlTool, this.postgres.port, this.settings.postgres.password, join(this.logDir, 'schema.log'));
    this.step('schemas', `temporal, temporal_visibility up to date (deploy/setup-postgres.sh, temporal-sql-tool ${TEMPORAL_SERVER_VERSION})`, t);
    this.checkNotStopping();

    t = Date.now();
    await this.startServer();
    this.step('temporal', `${this.temporalAddress} (temporal-server ${TEMPORAL_SERVER_VERSION}, deploy/temporal/config/cluster.yaml)`, t);

    t = Date.now();
    await initNamespace(cli, this.temporalAddress, this.namespace, join(this.logDir, 'namespace.log'));
    this.step('namespace', `${this.namespace}, search attributes ${CHECKOUT_SEARCH_ATTRIBUTES.map((a) => a.name).join(', ')} (deploy/init-namespace.sh)`, t);
    this.checkNotStopping();

    await sideServices;
    await bundling;
    this.step('workflows', `bundled into ${config.worker.workflowBundlePath}`, begun);
    this.checkNotStopping();

    t = Date.now();
    for (let i = 0; i < this.workerCount; i++) this.workers.push(workerProcess(this.settings, i, this.options.workerEnv));
    await Promise.all(this.workers.map((w) => w.start()));
    this.step('workers', `${this.workerCount} × src/worker.ts on task queue ${config.temporal.taskQueue}, pids ${this.workers.map((w) => w.pid).join(', ')}`, t);

    if (this.uiUrl) {
      t = Date.now();
      await this.startUi();
      this.step('Web UI', `${this.uiUrl} (temporal-ui-server ${TEMPORAL_UI_SERVER_VERSION}${this.codecUrl ? `, codec endpoint ${this.codecUrl}` : ''})`, t);
    }
    this.log(`logs            ${this.logDir}`);
  }

  /** Every listener of the cluster, checked before anything starts; a taken one names the setting to change. */
  private async assertPortsFree(): Promise<void> {
    const [host, port] = splitAddress(this.temporalAddress);
    if (port < FRONTEND_PORT_RANGE.min || port > FRONTEND_PORT_RANGE.max) {
      throw new Error(
        `TEMPORAL_ADDRESS port ${port} does not fit the server's port layout (membership ports at port − 300 … − 294 must lie in 1…32767, Temporal stores them as SMALLINT): choose a port in ${FRONTEND_PORT_RANGE.min}…${FRONTEND_PORT_RANGE.max}`,
      );
    }
    for (const [name, p] of Object.entries(serverPorts(port))) {
      const { offset, role } = SERVER_PORT_OFFSETS[name as keyof typeof SERVER_PORT_OFFSETS];
      const setting = offset === 0 ? 'TEMPORAL_ADDRESS' : `TEMPORAL_ADDRESS (the server's ${role} port is its port ${offset > 0 ? '+' : '−'} ${Math.abs(offset)})`;
      await assertPortFree(p, host, setting);
    }
    const { config } = this;
    if (this.sandboxUrl) await assertPortFree(config.sandbox.port, config.sandbox.host, 'SANDBOX_PORT');
    if (this.codecUrl) await assertPortFree(config.codec.serverPort, config.codec.serverHost, 'CODEC_SERVER_PORT');
    if (this.uiUrl) await assertPortFree(config.temporal.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  }

  // ---- Temporal server

  async startServer(): Promise<void> {
    const [host, port] = splitAddress(this.temporalAddress);
    this.server ??= temporalServerProcess({
      binary: this.binaries!.server,
      host,
      frontendPort: port,
      postgresPort: this.postgres.port,
      postgresPassword: this.settings.postgres.password,
      logFile: join(this.logDir, 'temporal-server.log'),
    });
    await this.server.start();
  }

  async killServer(): Promise<ChildExit> {
    if (!this.server) throw new Error('the Temporal server was never started');
    return this.server.stop('SIGKILL');
  }

  /** SIGKILL the server if it runs (after killServer() it does not), then start it again. */
  async restartServer(): Promise<void> {
    await this.killServer();
    await this.startServer();
  }

  // ---- PostgreSQL

  async restartDatabase(): Promise<void> {
    await this.postgres.restart();
  }

  // ---- Workers

  private worker(index: number): ManagedChild {
    const w = this.workers[index];
    if (!w) throw new Error(`no worker ${index} (the cluster has ${this.workers.length}: 0…${this.workers.length - 1})`);
    return w;
  }

  /** pid of worker `index`, undefined while it is down. */
  workerPid(index: number): number | undefined {
    return this.worker(index).pid;
  }

  /** Prometheus port of worker `index` (WORKER_METRICS_PORT + index), undefined when metrics are off. */
  workerMetricsPort(index: number): number | undefined {
    this.worker(index);
    const port = Number(clusterWorkerEnv(this.settings, index, this.options.workerEnv).WORKER_METRICS_PORT);
    return port > 0 ? port : undefined;
  }

  /**
   * Sends `signal` to worker `index` and resolves once the process has exited. A SIGTERM gets the worker's shutdown
   * grace and 20 s more before a SIGKILL: a drain slower than its grace shows as such, rather than as a kill.
   */
  stopWorker(index: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<WorkerExit> {
    return this.worker(index).stop(signal, this.workerGraceMs + 20_000);
  }

  startWorker(index: number): Promise<void> {
    return this.worker(index).start();
  }

  /** Stops worker `index` if it runs (after stopWorker() it does not), then starts it again. */
  async restartWorker(index: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    await this.stopWorker(index, signal);
    await this.startWorker(index);
  }

  // ---- Sandbox, codec server, Web UI

  private async startSideServices(): Promise<void> {
    const { config } = this;
    await Promise.all([
      this.sandboxUrl &&
        this.startService('womei sandbox', 'src/sandbox/main.ts', READY.sandbox).then((t) => this.step('womei sandbox', this.sandboxUrl!, t)),
      this.codecUrl &&
        this.startService('codec server', 'src/codec/main.ts', READY.codec).then((t) =>
          this.step('codec server', `${this.codecUrl} (Web UI origin ${config.codec.allowedOrigin ?? 'none'} allowed)`, t),
        ),
    ]);
  }

  /** Resolves with the time it began, once ready. */
  private async startService(name: string, entry: string, readyLine: string): Promise<number> {
    const began = Date.now();
    const child = serviceProcess(this.settings, name, entry, readyLine);
    this.services.push(child);
    await child.start();
    return began;
  }

  private async startUi(): Promise<void> {
    const child = uiProcess(this.settings, this.binaries!.uiServer);
    this.services.push(child);
    await child.start();
  }

  // ---- Stopping

  /** Stops everything it started, workers first (gracefully) and PostgreSQL last. Safe to call twice or after a failed start. */
  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    const grace = this.workerGraceMs + 5_000;
    await Promise.all(this.workers.map((w) => w.stop('SIGTERM', grace)));
    await Promise.all([...this.services].reverse().map((s) => s.stop('SIGTERM', 10_000)));
    await this.server?.stop('SIGTERM', 20_000);
    if (this.postgresStarted) await this.postgres.stop();
    this.postgresStarted = false;
    await Promise.all([...this.workers, ...this.services, ...(this.server ? [this.server] : [])].map((c) => c.close()));
    process.removeListener('exit', this.onExit);
  }

  /** Last resort when this process exits without stop(): no PostgreSQL outlives it (ManagedChild kills the rest). */
  private killEverythingNow(): void {
    if (this.postgresStarted) this.postgres.stopNow();
  }

  /** Every process of the cluster with its pid (undefined while down), PostgreSQL as its postmaster. */
  processes(): { name: string; pid: number | undefined }[] {
    return [
      { name: 'postgres', pid: this.postgres.pid },
      ...(this.server ? [{ name: this.server.name, pid: this.server.pid }] : []),
      ...[...this.workers, ...this.services].map((c) => ({ name: c.name, pid: c.pid })),
    ];
  }

  /** One line per part, for reports. */
  describe(): string[] {
    return [
      `postgres        127.0.0.1:${this.postgres.port} (${this.postgres.dataDir})`,
      `temporal        ${this.temporalAddress} (temporal-server ${TEMPORAL_SERVER_VERSION} pid ${this.server?.pid ?? '-'})`,
      `workers         ${this.workers.map((w, i) => `${i + 1}: pid ${w.pid ?? 'down'}`).join(', ')}`,
      ...(this.sandboxUrl ? [`womei sandbox   ${this.sandboxUrl}`] : []),
      ...(this.codecUrl ? [`codec server    ${this.codecUrl}`] : []),
      ...(this.uiUrl ? [`Web UI          ${this.uiUrl}`] : []),
      `logs            ${this.logDir}`,
    ];
  }
}
