/**
 * Runs a chaos plan: the sandbox (world, short hold, faults on every endpoint) in this process, a topology
 * (Temporal and worker processes) it kills and restarts, N checkouts through the real CheckoutClient at a
 * chosen concurrency with their duplicate starts, cancels and token expiries, then the audit. Bounded: it
 * stops waiting at the deadline and audits what it has.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CheckoutClient, CheckoutFinished, CheckoutNotFound, IdempotencyConflict } from '../src/client';
import { generateCodecKey } from '../src/codec/keys';
import { generateSealKeyPair } from '../src/seal/keys';
import { loadConfig } from '../src/config';
import type { FaultStatus } from '../src/sandbox/admin-client';
import type { Ledger } from '../src/sandbox/ledger';
import { startSandbox, type RunningSandbox } from '../src/sandbox/server';
import { tokenFingerprint } from '../src/sandbox/store';
import { InvalidInput } from '../workflows/input';
import { checkoutWorkflowId, statusQuery, type CheckoutResult } from '../workflows/messages';
import { checkoutBundlePath } from '../test/helpers/workflow-bundle';
import { audit, type AuditCheckout, type AuditResult, type CheckoutEnd } from './audit';
import { makePlan, planMix, type ChaosPlan, type ChaosSettings, type PlannedCheckout, type PlannedDisruption } from './plan';
import type { ChaosTopology, TopologyOptions, WorkerExit } from './topology';

export const CHAOS_DATA_DIR = resolve(__dirname, '..', '.data', 'chaos');

/** What each worker process runs with (besides its Temporal target, Womei URL, bundle and codec keys). */
export const CHAOS_WORKER_ENV = {
  WOMEI_CANCEL_PATH: 'order/cancel/',
  WOMEI_TIMEOUT_MS: '4000',
  WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10',
  WORKER_SHUTDOWN_GRACE_MS: '5000',
  LOG_LEVEL: 'INFO',
} as const;

export interface ChaosRunOptions {
  settings: ChaosSettings;
  /** The whole drive (starts, results, disruptions) ends by then; the audit follows. */
  timeoutS: number;
  topology: (options: TopologyOptions) => ChaosTopology;
  log: (line: string) => void;
  /** Keep the run's folder (database, worker logs) even without violations. */
  keepData?: boolean;
}

/** What happened to one checkout, as the run saw it. */
export interface CheckoutRecord {
  index: number;
  requestId: string;
  tags: string[];
  /** Every start call of this request id: whether it said it started one, the order it answered with. */
  starts: { started?: boolean; orderId?: string; error?: string; ms: number }[];
  actions: string[];
  sessions: string[];
  sessionsGoneAt?: number;
  submittedAt?: number;
  end?: CheckoutEnd;
  latencyMs?: number;
}

export interface DisruptionRecord {
  kind: PlannedDisruption['kind'];
  worker?: number;
  at: string;
  afterStarts: number;
  downMs: number;
  /** Worker SIGTERM: how the process ended. */
  exit?: WorkerExit;
  /** Worker SIGKILL: activity tasks the worker was running when it was killed (undefined: it did not say). */
  inFlight?: number;
  restartMs?: number;
  error?: string;
}

export interface ChaosReport {
  seed: number;
  settings: ChaosSettings;
  timeoutS: number;
  /** ChaosTopology.name: 'dev server' or 'cluster'. */
  topologyName: string;
  topology: string[];
  startedAt: string;
  wallMs: number;
  driveMs: number;
  mix: Record<string, number>;
  voucherQuota: number;
  holdSeconds: number;
  checkouts: CheckoutRecord[];
  disruptions: DisruptionRecord[];
  faults: { id: string; kind: string; hits: number }[];
  requests: { total: number; byEndpoint: Record<string, number> };
  audit: AuditResult;
  dataDir: string;
  jsonFile: string;
}

/** How long a worker SIGKILL waits for the worker to hold activity tasks (under load it holds some at once). */
const WAIT_FOR_TASKS_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An error the next attempt may not see: the service or the connection was away. */
function transient(error: unknown): boolean {
  return !(
    error instanceof WorkflowUpdateFailedError ||
    error instanceof WorkflowFailedError ||
    error instanceof IdempotencyConflict ||
    error instanceof InvalidInput ||
    error instanceof CheckoutFinished
  );
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const { settings, log } = options;
  const t0 = Date.now();
  const plan = makePlan(settings);
  const dataDir = join(CHAOS_DATA_DIR, String(settings.seed));
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const mix = planMix(plan);
  log(`chaos seed ${settings.seed}: ${settings.checkouts} checkouts, ${settings.concurrency} at a time; ${settings.workerKills} worker SIGKILL(s), ${settings.workerTerms} worker SIGTERM(s), ${settings.serverKills} server SIGKILL(s), ${settings.databaseRestarts} database restart(s); ${settings.workers} workers; bounded at ${options.timeoutS} s`);
  log(`mix           ${Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`world         ${plan.generated.users.length} users, ${plan.generated.schedules.length} schedules; seat hold ${settings.holdSeconds} s, voucher quota ${plan.voucherQuota}/user/day (raised for the chaos users; the rule stays on)`);

  let sandbox: RunningSandbox | undefined;
  let topology: ChaosTopology | undefined;
  let connection: Connection | undefined;
  try {
    sandbox = await startSandbox({
      port: 0,
      world: plan.world,
      seed: settings.seed,
      holdSeconds: settings.holdSeconds,
      voucherQuota: plan.voucherQuota,
      cancelRoute: true,
      paymentSeconds: 1,
      requestLogSize: 100,
      sweepIntervalMs: 500,
    });
    for (const c of plan.checkouts) await sandbox.admin.addToken(c.userId, c.token);
    log(`sandbox       ${sandbox.url} (${plan.checkouts.length} sessions, one per checkout)`);

    const codecKeys = generateCodecKey('chaos');
    const sealKeys = generateSealKeyPair('chaos');
    const taskQueue = `chaos-${settings.seed}`;
    topology = options.topology({
      womeiBaseUrl: sandbox.url,
      taskQueue,
      codecKeys,
      tokenSealPrivateKeys: sealKeys.privateKey,
      tokenSealPublicKey: sealKeys.publicKey,
      workflowBundlePath: await checkoutBundlePath(),
      workerEnv: { ...CHAOS_WORKER_ENV },
      dataDir,
      log,
    });
    if (settings.databaseRestarts > 0 && !topology.restartDatabase) throw new Error(`the ${topology.name} topology has no database to restart (--database-restarts)`);
    if (topology.workerCount !== settings.workers) throw new Error(`the plan is for ${settings.workers} workers, the ${topology.name} topology runs ${topology.workerCount}`);
    await topology.start();
    const config = loadConfig(
      { TEMPORAL_ADDRESS: topology.temporalAddress, TEMPORAL_NAMESPACE: topology.namespace, TEMPORAL_TASK_QUEUE: taskQueue, CODEC_KEYS: codecKeys, TOKEN_SEAL_PUBLIC_KEY: sealKeys.publicKey },
      {},
    );
    connection = await Connection.connect({ address: topology.temporalAddress });
    const client = await CheckoutClient.connect({ config, connection, namespace: topology.namespace });

    await sandbox.admin.addFault(plan.faults);
    log(`faults        ${plan.faults.map((f) => `${f.id} ${Math.round((f.rate ?? 1) * 1000) / 10}%`).join(', ')}`);

    const driver = new Driver(plan, client, sandbox, topology, log, t0 + options.timeoutS * 1000);
    const tDrive = Date.now();
    await driver.run();
    const driveMs = Date.now() - tDrive;

    // Requests still in flight (latency faults) land within a couple of seconds; then the ledger is final.
    await sleep(2_000);
    const ledger: Ledger = await sandbox.admin.ledger();
    const faults: FaultStatus[] = await sandbox.admin.faults();
    const result = audit({
      checkouts: driver.records.map(toAuditCheckout),
      ledger,
      shutdowns: driver.disruptions
        .filter((d) => d.kind === 'termWorker' && d.exit)
        .map((d) => ({ worker: d.worker ?? 0, exit: d.exit!, graceMs: Number(CHAOS_WORKER_ENV.WORKER_SHUTDOWN_GRACE_MS) })),
    });
    const jsonFile = join(CHAOS_DATA_DIR, `${settings.seed}.json`);
    const report: ChaosReport = {
      seed: settings.seed,
      settings,
      timeoutS: options.timeoutS,
      topologyName: topology.name,
      topology: topology.describe(),
      startedAt: new Date(t0).toISOString(),
      wallMs: Date.now() - t0,
      driveMs,
      mix,
      voucherQuota: plan.voucherQuota,
      holdSeconds: settings.holdSeconds,
      checkouts: driver.records,
      disruptions: driver.disruptions,
      faults: faults.map((f) => ({ id: f.id, kind: f.kind, hits: f.hits })),
      requests: { total: ledger.requests.total, byEndpoint: ledger.requests.byEndpoint },
      audit: result,
      dataDir,
      jsonFile,
    };
    writeFileSync(jsonFile, `${JSON.stringify({ ...report, ledger }, null, 1)}\n`);
    if (result.violations.length === 0 && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
    return report;
  } finally {
    await topology?.stop().catch((e: unknown) => log(`stopping the topology failed: ${describe(e)}`));
    await connection?.close().catch(() => undefined);
    await sandbox?.close();
  }
}

function toAuditCheckout(r: CheckoutRecord): AuditCheckout {
  return {
    requestId: r.requestId,
    sessions: r.sessions,
    ...(r.sessionsGoneAt !== undefined ? { sessionsGoneAt: r.sessionsGoneAt } : {}),
    end: r.end ?? { kind: 'error', message: 'never started' },
  };
}

/** Submits the checkouts, performs their side actions and the disruptions, collects every end. */
class Driver {
  readonly records: CheckoutRecord[];
  readonly disruptions: DisruptionRecord[] = [];
  private started = 0;
  private finished = 0;
  private disruptionQueue: Promise<void> = Promise.resolve();
  private readonly pending: PlannedDisruption[];

  constructor(
    private readonly plan: ChaosPlan,
    private readonly client: CheckoutClient,
    private readonly sandbox: RunningSandbox,
    private readonly topology: ChaosTopology,
    private readonly log: (line: string) => void,
    private readonly deadline: number,
  ) {
    this.records = plan.checkouts.map((c) => ({
      index: c.index,
      requestId: c.requestId,
      tags: c.tags,
      starts: [],
      actions: [],
      sessions: [tokenFingerprint(c.token)],
    }));
    this.pending = [...plan.disruptions].sort((a, b) => a.afterStarts - b.afterStarts);
  }

  async run(): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (;;) {
        const i = next++;
        const c = this.plan.checkouts[i];
        if (!c || Date.now() > this.deadline) return;
        await this.drive(c);
      }
    };
    await Promise.all(Array.from({ length: this.plan.settings.concurrency }, lane));
    // Disruptions planned past the last start (never, by construction) still run, so the counts hold.
    for (const d of this.pending.splice(0)) this.enqueue(d);
    await this.disruptionQueue;
    // Checkouts whose end is unknown (deadline, or no outcome): ask where they are.
    for (const r of this.records) if (!r.end || r.end.kind !== 'result') r.end = await this.finalState(r);
  }

  private async drive(c: PlannedCheckout): Promise<void> {
    const record = this.records[c.index]!;
    record.submittedAt = Date.now();
    this.onStarted();
    const workflowId = checkoutWorkflowId(c.requestId);
    const first = this.start(c, c.waitForOrder, record);
    const side: Promise<void>[] = c.extraStarts.map(async (extra) => {
      await sleep(extra.afterMs);
      await this.start(c, extra.waitForOrder, record);
    });
    const ok = await first;
    if (ok) {
      if (c.cancelAfterMs !== undefined) side.push(this.cancelLater(c, record, c.cancelAfterMs));
      if (c.tokenExpiry) side.push(this.expireLater(c, record));
      record.end = await this.waitForEnd(workflowId, record);
    } else {
      record.end = { kind: 'error', message: record.starts.map((s) => s.error).filter(Boolean).join('; ') || 'not started' };
    }
    await Promise.all(side);
    record.latencyMs = Date.now() - record.submittedAt;
    this.finished++;
    const end = record.end;
    const width = String(this.plan.checkouts.length).length;
    const text = end.kind === 'result' ? `${end.result.outcome} ${end.result.state ?? end.result.reason?.type ?? ''}` : end.kind === 'running' ? `RUNNING ${end.phase ?? ''}` : `ERROR ${end.message}`;
    this.log(`[${String(this.finished).padStart(width)}/${this.plan.checkouts.length}] ${c.requestId} ${text.trim()} in ${(record.latencyMs / 1000).toFixed(1)} s${c.tags.length > 1 ? ` (${c.tags.filter((t) => t !== 'single-user').join(', ')})` : ''}`);
  }

  /** One start call, retried while the service is away; true once the workflow exists. */
  private async start(c: PlannedCheckout, waitForOrder: boolean, record: CheckoutRecord): Promise<boolean> {
    const t = Date.now();
    for (;;) {
      try {
        const s = await this.client.startCheckout(c.request, { waitForOrder });
        record.starts.push({ started: s.started, ...(s.orderId ? { orderId: s.orderId } : {}), ms: Date.now() - t });
        return true;
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          // waitForOrder answered that the checkout ended without an order: it exists all the same.
          record.starts.push({ error: describe(error), ms: Date.now() - t });
          return true;
        }
        if (!transient(error) || Date.now() > this.deadline) {
          record.starts.push({ error: describe(error), ms: Date.now() - t });
          return false;
        }
        await sleep(1_000);
      }
    }
  }

  private async waitForEnd(workflowId: string, record: CheckoutRecord): Promise<CheckoutEnd> {
    let notFound = 0;
    for (;;) {
      try {
        const result: CheckoutResult = await this.client.waitForResult(workflowId);
        return { kind: 'result', result, endedAt: Date.now() };
      } catch (error) {
        if ((error instanceof CheckoutNotFound || error instanceof WorkflowNotFoundError) && ++notFound > 5) return { kind: 'error', message: describe(error) };
        if (error instanceof WorkflowFailedError) return { kind: 'error', message: `ended without an outcome: ${describe(error.cause ?? error)}` };
        if (Date.now() > this.deadline) {
          record.actions.push(`stopped waiting at the deadline: ${describe(error)}`);
          return { kind: 'running' };
        }
        await sleep(1_000);
      }
    }
  }

  private async cancelLater(c: PlannedCheckout, record: CheckoutRecord, afterMs: number): Promise<void> {
    await sleep(afterMs);
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        await this.client.cancel(c.requestId);
        record.actions.push(`cancelled after ${afterMs} ms`);
        return;
      } catch (error) {
        if (error instanceof CheckoutFinished) {
          record.actions.push(`cancel after ${afterMs} ms: already ended`);
          return;
        }
        if (attempt === 10) record.actions.push(`cancel failed: ${describe(error)}`);
        await sleep(1_000);
      }
    }
  }

  private async expireLater(c: PlannedCheckout, record: CheckoutRecord): Promise<void> {
    const expiry = c.tokenExpiry!;
    await sleep(expiry.afterMs);
    await this.sandbox.admin.expireToken(c.token);
    record.actions.push(`session expired after ${expiry.afterMs} ms`);
    if (!expiry.refresh) {
      record.sessionsGoneAt = Date.now();
      return;
    }
    await sleep(expiry.refresh.afterMs - expiry.afterMs);
    await this.sandbox.admin.addToken(c.userId, expiry.refresh.token);
    record.sessions.push(tokenFingerprint(expiry.refresh.token));
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        await this.client.refreshToken(c.requestId, expiry.refresh.token);
        record.actions.push(`fresh session handed in after ${expiry.refresh.afterMs} ms`);
        return;
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError || !transient(error) || attempt === 10) {
          record.actions.push(`refreshToken after ${expiry.refresh.afterMs} ms refused: ${describe(error)}`);
          return;
        }
        await sleep(1_000);
      }
    }
  }

  private async finalState(record: CheckoutRecord): Promise<CheckoutEnd> {
    if (record.end?.kind === 'error') return record.end;
    try {
      const handle = this.client.temporal.workflow.getHandle(checkoutWorkflowId(record.requestId));
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return { kind: 'error', message: `${description.status.name} without a result` };
      const status = await handle.query(statusQuery);
      return { kind: 'running', phase: status.phase };
    } catch (error) {
      return { kind: 'error', message: `no end known and no status: ${describe(error)}` };
    }
  }

  // ----------------------------------------------------------------------------- disruptions

  private onStarted(): void {
    this.started++;
    while (this.pending[0] && this.pending[0].afterStarts <= this.started) this.enqueue(this.pending.shift()!);
  }

  /** One disruption at a time, in plan order. */
  private enqueue(d: PlannedDisruption): void {
    this.disruptionQueue = this.disruptionQueue.then(() => this.disrupt(d));
  }

  /**
   * Waits (up to WAIT_FOR_TASKS_MS) until worker `index` runs at least one activity task, so its SIGKILL lands on
   * calls in flight; answers how many it ran at the last look (undefined: it never said).
   */
  private async whenHoldingTasks(index: number): Promise<number | undefined> {
    const until = Date.now() + WAIT_FOR_TASKS_MS;
    let held: number | undefined;
    for (;;) {
      held = await this.topology.tasksInFlight(index);
      if ((held ?? 0) > 0 || Date.now() > until) return held;
      await sleep(100);
    }
  }

  private async disrupt(d: PlannedDisruption): Promise<void> {
    await sleep(d.delayMs);
    const record: DisruptionRecord = { kind: d.kind, at: new Date().toISOString(), afterStarts: d.afterStarts, downMs: d.downMs };
    if (d.kind === 'killWorker' || d.kind === 'termWorker') record.worker = d.worker;
    this.disruptions.push(record);
    const where = `(after ${this.started} starts, ${this.finished} done)`;
    try {
      if (d.kind === 'killServer') {
        await this.topology.killServer();
        this.log(`!! Temporal server SIGKILLed ${where}; down for ${d.downMs} ms`);
        await sleep(d.downMs);
        const t = Date.now();
        await this.topology.restartServer();
        record.restartMs = Date.now() - t;
        this.log(`!! Temporal server restarted on the same database in ${record.restartMs} ms`);
        return;
      }
      if (d.kind === 'restartDatabase') {
        if (!this.topology.restartDatabase) throw new Error(`the ${this.topology.name} topology has no database to restart`);
        const t = Date.now();
        await this.topology.restartDatabase();
        record.restartMs = Date.now() - t;
        this.log(`!! database restarted (fast shutdown) ${where} in ${record.restartMs} ms`);
        return;
      }
      const signal = d.kind === 'killWorker' ? 'SIGKILL' : 'SIGTERM';
      if (signal === 'SIGKILL') record.inFlight = await this.whenHoldingTasks(d.worker);
      const exit = await this.topology.stopWorker(d.worker, signal);
      record.exit = exit;
      const drained = signal === 'SIGTERM' ? `, ${exit.drained ?? 0} running call(s) finished first` : '';
      const held = record.inFlight !== undefined ? ` holding ${record.inFlight} activity task(s)` : '';
      this.log(`!! worker ${d.worker + 1} ${signal}${held} ${where}: exited ${exit.signal ?? `code ${exit.code}`} after ${exit.ms} ms${drained}; down for ${d.downMs} ms`);
      await sleep(d.downMs);
      const t = Date.now();
      await this.topology.restartWorker(d.worker);
      record.restartMs = Date.now() - t;
      this.log(`!! worker ${d.worker + 1} restarted in ${record.restartMs} ms`);
    } catch (error) {
      record.error = describe(error);
      this.log(`!! ${d.kind} failed: ${record.error}`);
    }
  }
}
