/**
 * The production topology on one machine, as a program other programs can drive: PostgreSQL in its own data
 * folder, the schemas set up and upgraded by deploy/setup-postgres.sh, the Temporal server from
 * deploy/temporal/config/cluster.yaml, the namespace and search attributes by deploy/init-namespace.sh (the same
 * file and scripts docker-compose.yml uses), N checkout worker processes (src/worker.ts), the sandbox Womei and
 * the codec server as processes, and the standalone Web UI server. Used by `npm run cluster` (src/cluster/main.ts),
 * test/deploy/cluster.test.ts and the chaos run.
 *
 *   const cluster = new ClusterTopology({ env, log });   // settings through src/config.ts (CLUSTER_*, TEMPORAL_*, …)
 *   await cluster.start();                 // resolves when every part is ready; nothing is built here:
 *                                          // scripts/install-temporal-server.sh makes the binaries first
 *   cluster.config                         // the AppConfig its clients run with (CODEC_KEYS, TOKEN_SEAL_PUBLIC_KEY)
 *   cluster.temporalAddress / namespace / sandboxUrl / uiUrl
 *   await cluster.killServer();            // SIGKILL the Temporal server: a crash, not a shutdown
 *   await cluster.startServer();           // again on the same database and ports; resolves when it serves
 *   await cluster.restartServer();         // both (the kill only if it runs)
 *   await cluster.restartDatabase();       // pg_ctl restart -m fast underneath the running server
 *   await cluster.stopWorker(i, 'SIGKILL');// worker i (0-based) gone; resolves with how it ended
 *   await cluster.startWorker(i);          // back; resolves when it polls again (restartWorker: both, the stop
 *                                          // only if it runs)
 *   cluster.processes()                    // [{ name, pid }] of every part (PostgreSQL: the postmaster)
 *   await cluster.stop();                  // workers (gracefully) → UI, codec, sandbox → server → PostgreSQL
 *
 * The database persists in CLUSTER_DATA_DIR across runs (delete the folder for a fresh cluster); logs of every
 * process are appended under `<data dir>/logs/`. A caller that brings its own Womei and keys (the chaos run)
 * passes `womeiBaseUrl` (no sandbox is started), `env` with CLUSTER_DATA_DIR / TEMPORAL_TASK_QUEUE / CODEC_KEYS /
 * free ports (test/helpers/cluster-env.ts picks them), `workflowBundlePath`, `workerEnv`, and `ui: false`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CONFIG_VARIABLES, loadConfig, type AppConfig } from '../config';
import { splitAddress } from '../dev-server';
import { localKeysFor } from '../local-keys';
import { assertPortFree } from '../ports';
import { resolveTemporalCli } from '../temporal-cli';
import { bundleTo } from '../workflow-bundle';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { postgresBinDir, temporalBinaries, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION, type TemporalBinaries } from './binaries';
import { ManagedChild, type ChildExit } from './child';
import { Postgres } from './postgres';
import { FRONTEND_PORT_RANGE, initNamespace, ROOT, SERVER_PORT_OFFSETS, serverPorts, setupSchemas, temporalServerProcess } from './temporal-server';

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

export type WorkerExit = ChildExit;

const READY = { worker: 'checkout worker started', sandbox: 'womei sandbox on', codec: 'codec server on' };

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
  private readonly sealPrivateKeys: string;

  private readonly log: (line: string) => void;
  private readonly childEnv: Record<string, string>;
  private readonly logDir: string;
  private readonly postgres: Postgres;
  private readonly postgresPassword: string;
  private binaries: TemporalBinaries | undefined;
  private server: ManagedChild | undefined;
  private readonly workers: ManagedChild[] = [];
  private readonly services: ManagedChild[] = [];
  private postgresStarted = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly onExit = () => this.killEverythingNow();

  constructor(private readonly options: ClusterOptions = {}) {
    const env = options.env ?? process.env;
    const base = loadConfig({}, env);
    this.log = options.log ?? (() => undefined);
    this.dataDir = resolve(ROOT, base.cluster.dataDir);
    this.logDir = join(this.dataDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.workerCount = options.workers ?? base.cluster.workers;
    // Kept beside the database it encrypts; the seal's private key goes to the worker processes only.
    this.keysFile = join(this.dataDir, 'local-keys.json');
    const keys = localKeysFor(this.keysFile, this.dataDir, env);
    this.codecBearer = keys.CODEC_SERVER_TOKEN;
    this.sealPrivateKeys = keys.TOKEN_SEAL_PRIVATE_KEYS;
    const [host, port] = splitAddress(base.temporal.address);
    this.temporalAddress = `${host}:${port}`;
    this.namespace = base.temporal.namespace;
    const ownSandbox = options.womeiBaseUrl === undefined;
    this.sandboxUrl = ownSandbox ? `http://${base.sandbox.host}:${base.sandbox.port}` : undefined;
    this.codecUrl = options.codecServer === false ? undefined : `http://localhost:${base.codec.serverPort}`;
    this.uiUrl = options.ui === false ? undefined : `http://localhost:${base.temporal.uiPort}`;

    // Only our own settings reach the processes: no TEMPORAL_API_KEY of the caller's shell, and no temporal.toml
    // profile (TEMPORAL_CONFIG_FILE names one in the data folder that does not exist unless someone puts it there).
    const own = Object.fromEntries(
      Object.keys(CONFIG_VARIABLES).flatMap((k) => (env[k] === undefined || k === 'TOKEN_SEAL_PRIVATE_KEYS' ? [] : [[k, env[k] as string]])),
    );
    this.childEnv = {
      PATH: env.PATH ?? process.env.PATH ?? '',
      HOME: env.HOME ?? process.env.HOME ?? '',
      TEMPORAL_CONFIG_FILE: join(this.dataDir, 'temporal.toml'),
      ...own,
      TEMPORAL_ADDRESS: this.temporalAddress,
      CODEC_KEYS: keys.CODEC_KEYS,
      CODEC_SERVER_TOKEN: keys.CODEC_SERVER_TOKEN,
      TOKEN_SEAL_PUBLIC_KEY: keys.TOKEN_SEAL_PUBLIC_KEY,
      // Every key is given: no process of the cluster reads a clone's .data/local-keys.json.
      LOCAL_KEYS_FILE: '',
      WOMEI_BASE_URL: options.womeiBaseUrl ?? this.sandboxUrl!,
      // The sandbox offers the (assumed) cancel route, as with npm start.
      ...(ownSandbox ? { WOMEI_CANCEL_PATH: base.womei.cancelPath ?? 'order/cancel/' } : {}),
      ...(this.uiUrl ? { CODEC_SERVER_ALLOWED_ORIGIN: base.codec.allowedOrigin ?? this.uiUrl } : {}),
      WORKER_WORKFLOW_BUNDLE: options.workflowBundlePath ?? join(this.dataDir, 'workflow-bundle.js'),
    };
    this.config = loadConfig({}, this.childEnv);
    this.postgresPassword = this.savedPostgresPassword();
    this.postgres = new Postgres({
      binDir: postgresBinDir(base.cluster.postgresBin, env),
      dir: this.dataDir,
      port: base.cluster.postgresPort,
      password: this.postgresPassword,
    });
  }

  /** Generated once per data folder (the database keeps it), kept beside it like the codec key. */
  private savedPostgresPassword(): string {
    const file = join(this.dataDir, 'postgres-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    if (existsSync(join(this.dataDir, 'pg', 'PG_VERSION'))) {
      throw new Error(`${file} is missing but ${join(this.dataDir, 'pg')} exists: delete ${this.dataDir} for a fresh cluster`);
    }
    const password = randomBytes(18).toString('base64url');
    writeFileSync(file, password, { mode: 0o600 });
    return password;
  }

  private step(label: string, text: string, since: number): void {
    this.log(`${label.padEnd(15)} ${text} (${((Date.now() - since) / 1000).toFixed(1)} s)`);
  }

  private checkNotStopping(): void {
    if (this.stopping) throw new Error('cluster start interrupted: stopping');
  }

  async start(): Promise<void> {
    this.binaries = temporalBinaries(this.childEnv);
    const cli = resolveTemporalCli(this.childEnv);
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
    await setupSchemas(this.binaries.sqlTool, this.postgres.port, this.postgresPassword, join(this.logDir, 'schema.log'));
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
    for (let i = 0; i < this.workerCount; i++) this.workers.push(this.workerProcess(i));
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
      postgresPassword: this.postgresPassword,
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

  private workerProcess(index: number): ManagedChild {
    const { logLevel: level, metricsPort } = loadConfig({}, { ...this.childEnv, ...this.options.workerEnv }).worker;
    return new ManagedChild({
      name: `worker ${index + 1}`,
      command: process.execPath,
      args: ['--import', 'tsx', 'src/worker.ts'],
      env: {
        ...this.childEnv,
        TOKEN_SEAL_PRIVATE_KEYS: this.sealPrivateKeys,
        ...this.options.workerEnv,
        // The ready line is an INFO entry.
        LOG_LEVEL: ['TRACE', 'DEBUG', 'INFO'].includes(level) ? level : 'INFO',
        WORKER_METRICS_PORT: String(metricsPort > 0 ? metricsPort + index : 0),
      },
      cwd: ROOT,
      logFile: join(this.logDir, `worker-${index + 1}.log`),
      readyLine: READY.worker,
    });
  }

  private worker(index: number): ManagedChild {
    const w = this.workers[index];
    if (!w) throw new Error(`no worker ${index} (the cluster has ${this.workers.length}: 0…${this.workers.length - 1})`);
    return w;
  }

  /** pid of worker `index`, undefined while it is down. */
  workerPid(index: number): number | undefined {
    return this.worker(index).pid;
  }

  /** Sends `signal` to worker `index` and resolves once the process has exited (a SIGTERM gets the shutdown grace). */
  stopWorker(index: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<WorkerExit> {
    return this.worker(index).stop(signal, this.config.worker.shutdownGraceMs + 5_000);
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
    const child = new ManagedChild({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', entry],
      env: this.childEnv,
      cwd: ROOT,
      logFile: join(this.logDir, `${name.replace(/\W+/g, '-')}.log`),
      readyLine,
    });
    this.services.push(child);
    await child.start();
    return began;
  }

  private async startUi(): Promise<void> {
    const port = this.config.temporal.uiPort;
    const child = new ManagedChild({
      name: 'Web UI server',
      command: this.binaries!.uiServer,
      args: ['--root', join(ROOT, 'deploy', 'temporal-ui'), '--config', 'config', '--env', 'cluster', 'start'],
      env: {
        PATH: this.childEnv.PATH!,
        TEMPORAL_ADDRESS: this.temporalAddress,
        TEMPORAL_UI_HOST: '127.0.0.1',
        TEMPORAL_UI_PORT: String(port),
        TEMPORAL_UI_ORIGIN: this.uiUrl!,
        TEMPORAL_DEFAULT_NAMESPACE: this.namespace,
        TEMPORAL_CODEC_ENDPOINT: this.codecUrl ?? '',
      },
      cwd: ROOT,
      logFile: join(this.logDir, 'temporal-ui-server.log'),
      readyCheck: async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })).ok,
    });
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
    const grace = this.config.worker.shutdownGraceMs + 5_000;
    await Promise.all(this.workers.map((w) => w.stop('SIGTERM', grace)));
    await Promise.all([...this.services].reverse().map((s) => s.stop('SIGTERM', 10_000)));
    await this.server?.stop('SIGTERM', 20_000);
    if (this.postgresStarted) await this.postgres.stop();
    this.postgresStarted = false;
    await Promise.all([...this.workers, ...this.services, ...(this.server ? [this.server] : [])].map((c) => c.close()));
    process.removeListener('exit', this.onExit);
  }

  /** Last resort when this process exits without stop(): no child and no PostgreSQL outlives it. */
  private killEverythingNow(): void {
    for (const child of [...this.workers, ...this.services, ...(this.server ? [this.server] : [])]) child.killNow();
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
