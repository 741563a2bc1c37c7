/**
 * What the chaos run drives: a Temporal service and checkout workers it can kill and bring back. The dev-server
 * topology (dev-topology.ts) is the default; `--cluster` plugs in the production one (Temporal server on
 * PostgreSQL, several workers) behind the same interface, so the plan, the driver and the audit stay the same.
 *
 * Workers run as child processes (`src/worker.ts`, exactly as `npm run worker` starts it), started and stopped
 * the same way on every topology: src/cluster/processes.ts's checkoutWorkerProcess, a ManagedChild.
 */
import type { ChildExit } from '../src/cluster/child';

/** How a worker process ended; `drained` counts the Womei calls that finished between the signal and the exit. */
export type WorkerExit = ChildExit;

/** What the run hands every topology: where Womei is and what the workers need besides their Temporal target. */
export interface TopologyOptions {
  /** The sandbox the chaos run owns (it injects the faults and keeps the ledger the audit reads). */
  womeiBaseUrl: string;
  taskQueue: string;
  /** CODEC_KEYS shared by the workers and the run's client. */
  codecKeys: string;
  /** TOKEN_SEAL_PRIVATE_KEYS of the workers (the run's client seals tokens with the matching public key). */
  tokenSealPrivateKeys: string;
  /** TOKEN_SEAL_PUBLIC_KEY: the key the run's client seals with (a topology's own clients, e.g. a codec server). */
  tokenSealPublicKey: string;
  /** Prebuilt workflow bundle (WORKER_WORKFLOW_BUNDLE) so a restarted worker is up in seconds. */
  workflowBundlePath: string;
  /** Further worker environment (timeouts, rates, shutdown grace). */
  workerEnv: Record<string, string>;
  /** A folder of this run (database files, worker logs). */
  dataDir: string;
  /** Progress lines. */
  log: (line: string) => void;
}

export interface ChaosTopology {
  readonly name: string;
  /** host:port of the Temporal frontend, valid again after restartServer(). */
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly workerCount: number;
  /** Starts the service and every worker; resolves when all are ready. */
  start(): Promise<void>;
  /** Stops everything it started (workers gracefully first). Safe to call twice or after a failed start. */
  stop(): Promise<void>;
  /** SIGKILL the Temporal server (all of it: a crash, not a shutdown). */
  killServer(): Promise<void>;
  /** Start it again on the same database and address; resolves when it serves. */
  restartServer(): Promise<void>;
  /** Sends `signal` to worker `index` and resolves once the process has exited. */
  stopWorker(index: number, signal: 'SIGKILL' | 'SIGTERM'): Promise<WorkerExit>;
  /** Starts worker `index` again; resolves when it polls. */
  restartWorker(index: number): Promise<void>;
  /** Activity tasks worker `index` is running right now; undefined while it does not say (down, starting). */
  tasksInFlight(index: number): Promise<number | undefined>;
  /** Restart the database underneath (only topologies with a separate one, e.g. PostgreSQL). */
  restartDatabase?(): Promise<void>;
  /** One line per part, for the report. */
  describe(): string[];
}
