/**
 * Checkout benchmarks: they PRINT FIGURES, they assert nothing (never a timed test).
 *
 *   npx tsx bench/checkouts.ts [--checkouts N] [--concurrency C] [--scenario default|outage] [--failures K]
 *   npm run bench:checkouts -- --scenario outage
 *
 * Everything runs in this process over loopback: the official Temporal CLI dev server (startDevServer), the
 * sandbox Womei server on port 0 (high voucher quota and gateway limit, so neither throttles), ONE checkout
 * worker (startCheckoutWorker, the real HTTP client) and the real
 * CheckoutClient. N checkouts run C at a time, each on its own seat (one seat, one voucher); binding does not
 * consume vouchers, so the rich user's six codes are reused across the unpaid orders.
 *
 * Scenarios:
 * - default: no faults.
 * - outage: the sandbox answers the first K voucher binds (`order/change/` with discount_type=TP_VOUCHER)
 *   with HTTP 502; checkouts retry on their durable back-off (short limits below) and recover.
 *
 * Printed: one progress line per checkout, then wall time, throughput, latency (start → result), outcomes,
 * Womei requests per checkout (sandbox request log), worker process memory, ledger invariants, settings;
 * for the outage, bind attempts and recovery times. Bounded: aborts after --timeout-s (default 300 s).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CheckoutClient } from '../src/client';
import { loadConfig } from '../src/config';
import { generateCodecKey } from '../src/codec/keys';
import { generateSealKeyPair } from '../src/seal/keys';
import { FIXTURE, startSandbox } from '../src/sandbox/server';
import type { RunningSandbox } from '../src/sandbox/server';
import type { RequestRecord } from '../src/sandbox/requestlog';
import { startCheckoutWorker, type RunningCheckoutWorker } from '../src/worker';
import type { CheckoutRequest } from '../workflows/input';
import { checkoutWorkflowId } from '../workflows/messages';
import type { CheckoutResult } from '../workflows/messages';
import { latencyLine, ms } from './stats';
import { startDevServer } from '../test/helpers/temporal-env';
import { checkoutBundlePath } from '../test/helpers/workflow-bundle';
import { intOption, UsageError } from '../scripts/cli-options';

// ---------------------------------------------------------------------------------------------------------
// Settings

const USAGE = `usage: npx tsx bench/checkouts.ts [--checkouts N] [--concurrency C] [--scenario default|outage]
                                  [--failures K] [--warmup W] [--timeout-s S]
  --checkouts N     measured checkouts (default 60)
  --concurrency C   checkouts in flight at once (default 10)
  --scenario        default (no faults) or outage (first K binds answer HTTP 502)
  --failures K      outage: how many TP_VOUCHER binds fail (default 30)
  --warmup W        unmeasured checkouts run first, one at a time (default 1)
  --timeout-s S     abort the whole run after S seconds (default 300)`;

interface Settings {
  checkouts: number;
  concurrency: number;
  scenario: 'default' | 'outage';
  failures: number;
  warmup: number;
  timeoutS: number;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      checkouts: { type: 'string' },
      concurrency: { type: 'string' },
      scenario: { type: 'string' },
      failures: { type: 'string' },
      warmup: { type: 'string' },
      'timeout-s': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scenario = values.scenario ?? 'default';
  if (scenario !== 'default' && scenario !== 'outage') throw new UsageError(`--scenario must be default or outage, got ${JSON.stringify(scenario)}`);
  return {
    checkouts: intOption('checkouts', values.checkouts, 60),
    concurrency: intOption('concurrency', values.concurrency, 10),
    scenario,
    failures: intOption('failures', values.failures, 30),
    warmup: intOption('warmup', values.warmup, 1, 0),
    timeoutS: intOption('timeout-s', values['timeout-s'], 300),
  };
}

/** Limits every benchmark checkout sends: short back-off so an outage is recovered from in seconds. */
const LIMITS = {
  backoffInitialMs: 100,
  backoffMaxMs: 1_000,
  maxBindAttempts: 12,
  deadlineMinutes: 10,
  callTimeoutMs: 15_000,
} as const;

const WORKER_ENV = {
  WORKER_MAX_CONCURRENT_ACTIVITIES: '20',
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10',
  WORKER_SHUTDOWN_GRACE_MS: '2000',
  WOMEI_TIMEOUT_MS: '10000',
} as const;

const SANDBOX_OPTIONS = {
  voucherQuota: 1_000_000,
  rateLimitPerMinute: 1_000_000,
  requestLogSize: 500_000,
} as const;

const BIND_MATCH = { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' } };
const BIND_COUNTER_ID = 'bench-bind-counter';
const BIND_OUTAGE_ID = 'bench-bind-outage';

// ---------------------------------------------------------------------------------------------------------
// Small helpers

/** SDK and activity log warnings by message, printed as counts in the summary. */
const warnings = new Map<string, number>();

const out = (line = '') => process.stdout.write(`${line}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

interface MemorySample {
  rss: number;
  heapUsed: number;
}

function memory(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

// ---------------------------------------------------------------------------------------------------------
// Seats

interface SeatSlot {
  cinemaId: string;
  scheduleId: number;
  label: string;
}

/**
 * Every free ordinary seat of the sandbox's schedules, from the halls the fixture built (area, row, col and
 * seat-number prefix as in `{area}:{row}:{col}:{prefix}#{rr}#{cc}`). Skips the fixture's sold seat, anything
 * held, and couple-seat halves (type 1/2).
 */
function freeSeats(sandbox: RunningSandbox): SeatSlot[] {
  const store = sandbox.state;
  const slots: SeatSlot[] = [];
  for (const schedule of store.schedules.values()) {
    const hall = store.hallOf(schedule);
    if (!hall) continue;
    for (const area of hall.areas) {
      for (const seat of area.seats) {
        const label = `${seat.areaNo}:${seat.row}:${seat.col}:${seat.seatNo}`;
        if (seat.type !== 0) continue;
        if (label === FIXTURE.soldSeat && schedule.scheduleId === FIXTURE.schedules.beijing) continue;
        if (store.seatHolder(schedule.scheduleId, seat) !== null) continue;
        slots.push({ cinemaId: schedule.cinemaId, scheduleId: schedule.scheduleId, label });
      }
    }
  }
  return slots;
}

// ---------------------------------------------------------------------------------------------------------
// Running checkouts

interface Run {
  index: number;
  workflowId: string;
  scheduleId: number;
  /** COMPLETED / COMPENSATED / NEEDS_ATTENTION, or ERROR when the client call itself threw. */
  outcome: string;
  detail?: string;
  latencyMs: number;
  startAckMs: number;
  endedAt: number;
  result?: CheckoutResult;
}

function requestFor(tag: string, index: number, seat: SeatSlot): CheckoutRequest {
  const codes = FIXTURE.vouchers.rich.unused;
  return {
    requestId: `bench-${tag}-${String(index).padStart(4, '0')}`,
    cinemaId: seat.cinemaId,
    scheduleId: String(seat.scheduleId),
    seats: [seat.label],
    token: FIXTURE.tokens.rich,
    vouchers: { codes: [codes[index % codes.length]!] },
    limits: { ...LIMITS },
  };
}

async function runOne(client: CheckoutClient, request: CheckoutRequest, index: number, scheduleId: number): Promise<Run> {
  const t0 = performance.now();
  const workflowId = checkoutWorkflowId(request.requestId);
  let startAckMs = Number.NaN;
  try {
    const started = await client.startCheckout(request);
    startAckMs = performance.now() - t0;
    const result = await client.waitForResult(started.workflowId);
    return {
      index,
      workflowId,
      scheduleId,
      outcome: result.outcome,
      detail: result.reason ? `${result.reason.type}: ${result.reason.message}` : result.state,
      latencyMs: performance.now() - t0,
      startAckMs,
      endedAt: Date.now(),
      result,
    };
  } catch (error) {
    const e = error as Error;
    return { index, workflowId, scheduleId, outcome: 'ERROR', detail: `${e.name}: ${e.message}`, latencyMs: performance.now() - t0, startAckMs, endedAt: Date.now() };
  }
}

async function runPool(
  client: CheckoutClient,
  tag: string,
  seats: readonly SeatSlot[],
  concurrency: number,
  onDone: (run: Run, done: number) => void,
): Promise<Run[]> {
  const runs: Run[] = [];
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= seats.length) return;
      const seat = seats[i]!;
      const run = await runOne(client, requestFor(tag, i, seat), i, seat.scheduleId);
      runs.push(run);
      onDone(run, runs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, seats.length) }, lane));
  return runs.sort((a, b) => a.index - b.index);
}

// ---------------------------------------------------------------------------------------------------------
// Figures

function diffCounts(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const n = v - (before[k] ?? 0);
    if (n > 0) d[k] = n;
  }
  return d;
}

function bindFailureTimes(result: CheckoutResult | undefined): number[] {
  if (!result) return [];
  return result.timeline.filter((t) => t.step === 'bindVouchers' && / failed /.test(t.note)).map((t) => Date.parse(t.at));
}

function finishedAt(result: CheckoutResult | undefined): number | undefined {
  const last = result?.timeline[result.timeline.length - 1];
  return last ? Date.parse(last.at) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Main

interface Resources {
  env?: TestWorkflowEnvironment;
  pendingEnv?: Promise<TestWorkflowEnvironment>;
  sandbox?: RunningSandbox;
  pendingSandbox?: Promise<RunningSandbox>;
  worker?: RunningCheckoutWorker;
  client?: CheckoutClient;
}

/** A setup step still in flight when the run was aborted: wait a little for it, so it can be stopped too. */
async function settled<T>(value: T | undefined, pending: Promise<T> | undefined, waitMs = 15_000): Promise<T | undefined> {
  if (value !== undefined || pending === undefined) return value;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  try {
    return await Promise.race([pending.catch(() => undefined), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

async function cleanup(r: Resources): Promise<void> {
  const steps: [string, () => Promise<void>][] = [
    ['client', async () => r.client?.close()],
    [
      'worker',
      async () => r.worker?.stop(),
    ],
    ['sandbox', async () => (await settled(r.sandbox, r.pendingSandbox))?.close()],
    ['dev server', async () => (await settled(r.env, r.pendingEnv))?.teardown()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`bench: stopping the ${name} failed: ${(error as Error).message}\n`);
    }
  }
}

async function bench(settings: Settings, r: Resources): Promise<void> {
  const tag = randomUUID().slice(0, 8);
  out(`== womei-checkout benchmark: scenario ${settings.scenario}, ${settings.checkouts} checkouts, concurrency ${settings.concurrency} ==`);
  const memBoot = memory();

  const tSetup = performance.now();
  // Each piece is recorded as soon as it is up, so an abort mid-setup still stops what did start.
  r.pendingEnv = startDevServer().then((e) => (r.env = e));
  r.pendingSandbox = startSandbox({ port: 0, host: '127.0.0.1', ...SANDBOX_OPTIONS }).then((s) => (r.sandbox = s));
  const [env, sandbox, bundlePath] = await Promise.all([r.pendingEnv, r.pendingSandbox, checkoutBundlePath()]);
  const setupMs = performance.now() - tSetup;

  const taskQueue = `checkout-bench-${tag}`;
  // As in production: payloads encrypted, tokens sealed by the client and opened by the worker.
  const seal = generateSealKeyPair('bench');
  const config = loadConfig(
    {
      CODEC_KEYS: generateCodecKey('bench'),
      TOKEN_SEAL_PUBLIC_KEY: seal.publicKey,
      TOKEN_SEAL_PRIVATE_KEYS: seal.privateKey,
      WOMEI_BASE_URL: sandbox.url,
      WOMEI_CANCEL_PATH: 'order/cancel/',
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      LOG_LEVEL: 'WARN',
      ...WORKER_ENV,
    },
    {},
  );

  const tWorker = performance.now();
  r.worker = await startCheckoutWorker({ connection: env.nativeConnection, config, workflowBundle: { codePath: bundlePath } });
  r.client = await CheckoutClient.connect({ config, connection: env.connection, namespace: config.temporal.namespace });
  const client = r.client;
  const workerMs = performance.now() - tWorker;
  const memWorker = memory();
  out(`setup: dev server + sandbox + bundle ${ms(setupMs)}, worker + client ${ms(workerMs)}; sandbox ${sandbox.url}, task queue ${taskQueue}`);

  const seats = freeSeats(sandbox);
  const needed = settings.warmup + settings.checkouts;
  if (seats.length < needed) {
    throw new UsageError(`only ${seats.length} free seats across the fixture's schedules; ask for at most ${seats.length - settings.warmup} checkouts`);
  }
  const warmSeats = seats.slice(0, settings.warmup);
  const runSeats = seats.slice(settings.warmup, needed);

  if (warmSeats.length > 0) {
    const t = performance.now();
    const warm = await runPool(client, `${tag}-warm`, warmSeats, 1, () => undefined);
    const bad = warm.filter((w) => w.outcome !== 'COMPLETED');
    out(`warm-up: ${warm.length} checkout(s) in ${ms(performance.now() - t)} (not measured)${bad.length ? `; NOT completed: ${bad.map((b) => `${b.outcome} ${b.detail ?? ''}`).join('; ')}` : ''}`);
  }

  if (settings.scenario === 'outage') {
    // The counter (latency 0 ms, never terminal) sees every bind; the outage rule then fails the first K.
    await sandbox.admin.addFault([
      { id: BIND_COUNTER_ID, ...BIND_MATCH, kind: 'latency', ms: 0 },
      { id: BIND_OUTAGE_ID, ...BIND_MATCH, kind: 'http5xx', status: 502, count: settings.failures },
    ]);
    out(`outage: the first ${settings.failures} TP_VOUCHER binds answer HTTP 502`);
  }

  const before = await sandbox.admin.requests(0);
  const seqBefore = before.total;
  const memBefore = memory();
  const loadBefore = loadavg()[0] ?? 0;
  let peak = { ...memBefore };
  const sampler = setInterval(() => {
    const m = memory();
    peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
  }, 100);
  sampler.unref();

  out('');
  const tRun = performance.now();
  const width = String(settings.checkouts).length;
  const runs = await runPool(client, tag, runSeats, settings.concurrency, (run, done) => {
    const binds = run.result?.attempts.bindVouchers;
    const extra = settings.scenario === 'outage' && binds !== undefined ? ` (bind attempts ${binds})` : '';
    const detail = run.outcome === 'COMPLETED' ? '' : ` — ${run.detail ?? ''}`;
    out(`[${String(done).padStart(width)}/${settings.checkouts}] ${run.workflowId} ${run.outcome} in ${ms(run.latencyMs)}${extra}${detail}`);
  });
  const wallMs = performance.now() - tRun;
  clearInterval(sampler);
  const memAfter = memory();
  peak = { rss: Math.max(peak.rss, memAfter.rss), heapUsed: Math.max(peak.heapUsed, memAfter.heapUsed) };

  const after = await sandbox.admin.requests(SANDBOX_OPTIONS.requestLogSize);
  const records: RequestRecord[] = after.recent.filter((x) => x.seq > seqBefore);
  const ledger = await sandbox.admin.ledger();
  const faults = settings.scenario === 'outage' ? await sandbox.admin.faults() : [];

  // --- summary ---
  const n = runs.length;
  out('');
  out('== summary ==');
  out(`wall time        ${ms(wallMs)} for ${n} checkouts`);
  out(`throughput       ${(n / (wallMs / 1000)).toFixed(2)} checkouts/s`);
  out(`latency          ${latencyLine(runs.map((x) => x.latencyMs))}   (start → result)`);
  out(`start ack        ${latencyLine(runs.map((x) => x.startAckMs).filter((x) => Number.isFinite(x)))}   (startCheckout returned)`);
  const outcomes = countBy(runs, (x) => (x.outcome === 'COMPLETED' ? `COMPLETED ${x.result?.state ?? ''}`.trim() : `${x.outcome} (${(x.detail ?? '').split(':')[0]})`));
  out(`outcomes         ${[...outcomes.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  const failedRuns = runs.filter((x) => x.outcome !== 'COMPLETED');
  for (const f of failedRuns.slice(0, 5)) out(`                 ${f.workflowId}: ${f.outcome} ${f.detail ?? ''}`);

  const byEndpoint = diffCounts(after.byEndpoint, before.byEndpoint);
  const totalRequests = after.total - before.total;
  out(`Womei requests   ${totalRequests} in total, ${(totalRequests / n).toFixed(2)} per checkout`);
  for (const [endpoint, count] of Object.entries(byEndpoint)) {
    out(`                 ${endpoint.padEnd(32)} ${String(count).padStart(6)}  ${(count / n).toFixed(2)}/checkout`);
  }
  const statuses = countBy(records, (x) => String(x.status));
  out(`HTTP statuses    ${[...statuses.entries()].map(([k, v]) => `${k}: ${v}`).join(', ')}${records.length < totalRequests ? ` (of the last ${records.length} logged)` : ''}`);
  const durations = records.map((x) => x.durationMs);
  out(`sandbox handling ${latencyLine(durations)}   (per request, inside the sandbox)`);
  const attemptSums = new Map<string, number>();
  for (const run of runs) for (const [step, c] of Object.entries(run.result?.attempts ?? {})) attemptSums.set(step, (attemptSums.get(step) ?? 0) + (c ?? 0));
  out(`activity calls   ${[...attemptSums.entries()].map(([k, v]) => `${k} ${(v / n).toFixed(2)}`).join(', ')}   (per checkout, workflow's own counts)`);

  out(`log warnings     ${warnings.size === 0 ? 'none' : [...warnings.entries()].map(([k, v]) => `${JSON.stringify(k)} ×${v}`).join(', ')}   (SDK + activity logs, whole run)`);
  out(
    `worker memory    RSS ${mib(memBefore.rss)} before → ${mib(memAfter.rss)} after (peak ${mib(peak.rss)}); heap used ${mib(memBefore.heapUsed)} → ${mib(memAfter.heapUsed)} (peak ${mib(peak.heapUsed)})`,
  );
  out(`                 (process start RSS ${mib(memBoot.rss)}, after worker start ${mib(memWorker.rss)}; one process hosts worker, client and sandbox; the dev server is a separate process)`);

  const inv = ledger.invariants;
  const liveOrders = ledger.orders.filter((o) => o.live).length;
  out(
    `ledger           invariants ${inv.ok ? 'ok' : 'BROKEN'}; ${liveOrders} live unpaid orders; ${inv.doubleBookedSeats.length} double-booked seats; ${inv.boundToDeadOrders.length} vouchers bound to dead orders; internal errors ${after.internalErrors}`,
  );

  if (settings.scenario === 'outage') {
    const counter = faults.find((f) => f.id === BIND_COUNTER_ID);
    const outage = faults.find((f) => f.id === BIND_OUTAGE_ID);
    const bindRequests = counter?.hits ?? 0;
    const failedBinds = outage?.hits ?? 0;
    const workflowBinds = runs.reduce((a, x) => a + (x.result?.attempts.bindVouchers ?? 0), 0);
    out('');
    out('== outage ==');
    out(`bind requests    ${bindRequests} TP_VOUCHER binds reached the sandbox: ${failedBinds} answered 502, ${bindRequests - failedBinds} handled (workflows count ${workflowBinds} bind attempts)`);
    const perCheckout = countBy(runs, (x) => String(x.result?.attempts.bindVouchers ?? '?'));
    out(`attempts/checkout ${[...perCheckout.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([k, v]) => `${k} attempt(s): ${v}`).join(', ')}`);
    const affected = runs.filter((x) => bindFailureTimes(x.result).length > 0 || (x.result?.attempts.bindVouchers ?? 0) > 1);
    const unaffected = runs.filter((x) => !affected.includes(x));
    out(`checkouts hit    ${affected.length} of ${n}`);
    out(`latency hit      ${latencyLine(affected.map((x) => x.latencyMs))}`);
    out(`latency unhit    ${latencyLine(unaffected.map((x) => x.latencyMs))}`);
    const recoveries = affected
      .map((x) => {
        const first = bindFailureTimes(x.result)[0];
        const end = finishedAt(x.result);
        return first !== undefined && end !== undefined ? end - first : Number.NaN;
      })
      .filter((x) => Number.isFinite(x));
    out(`recovery         ${latencyLine(recoveries)}   (first failed bind → checkout done, workflow time)`);
    const faultTimes = records.filter((x) => x.fault?.id === BIND_OUTAGE_ID).map((x) => x.at);
    if (faultTimes.length > 0) {
      const firstFault = Math.min(...faultTimes);
      const lastFault = Math.max(...faultTimes);
      const lastAffectedEnd = Math.max(...affected.map((x) => x.endedAt));
      out(`outage window    ${ms(lastFault - firstFault)} from the first to the last 502`);
      out(`all recovered    ${ms(lastAffectedEnd - lastFault)} after the last 502 (last hit checkout's result reached the client)`);
    }
    if (outage && outage.remaining !== 0) out(`note             the outage rule still had ${outage.remaining} failures left: fewer binds than K happened`);
  }

  out('');
  out('== settings ==');
  out(`scenario ${settings.scenario}${settings.scenario === 'outage' ? ` (K=${settings.failures} binds → HTTP 502)` : ''}; checkouts ${settings.checkouts}; concurrency ${settings.concurrency}; warm-up ${settings.warmup}`);
  out(`checkout: 1 seat + 1 voucher (rich user's ${FIXTURE.vouchers.rich.unused.length} codes reused), payIfFree false; limits ${JSON.stringify(LIMITS)}`);
  out(`schedules used: ${[...countBy(runSeats, (s) => String(s.scheduleId)).entries()].map(([k, v]) => `${k}×${v}`).join(', ')}`);
  out(`worker: ${Object.entries(WORKER_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}; prebuilt bundle; real HTTP client (ky)`);
  out(`sandbox: voucherQuota ${SANDBOX_OPTIONS.voucherQuota}, rateLimitPerMinute ${SANDBOX_OPTIONS.rateLimitPerMinute}, hold ${ledger.config.holdSeconds} s, cancel route on`);
  out(
    `machine: ${cpus().length} CPUs, node ${process.version}, ${process.platform}/${process.arch}; 1-min load average ${loadBefore.toFixed(2)} before the run, ${loadavg()[0]!.toFixed(2)} after (other work on the machine skews the figures)`,
  );
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  // Before anything touches the Runtime. Warnings (e.g. every failed bind attempt in the outage) are counted
  // and summarised at the end instead of flooding the figures; errors are printed as they come.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.level === 'WARN') {
        warnings.set(entry.message, (warnings.get(entry.message) ?? 0) + 1);
        return;
      }
      const workflowId = typeof entry.meta?.workflowId === 'string' ? ` (${entry.meta.workflowId})` : '';
      process.stderr.write(`[${entry.level}] ${entry.message}${workflowId}\n`);
    }),
  });

  const resources: Resources = {};
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), settings.timeoutS * 1000);
  });
  let code = 0;
  try {
    const outcome = await Promise.race([bench(settings, resources).then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') {
      process.stderr.write(`\nbench: ABORTED after ${settings.timeoutS} s (--timeout-s); stopping everything\n`);
      code = 1;
    }
  } catch (error) {
    process.stderr.write(`\nbench: failed: ${(error as Error).stack ?? String(error)}\n`);
    code = error instanceof UsageError ? 2 : 1;
  } finally {
    clearTimeout(timer);
  }
  // Cleanup is bounded too: a stuck teardown must not hang the run.
  const hardStop = setTimeout(() => {
    process.stderr.write('bench: cleanup did not finish in 30 s; exiting\n');
    process.exit(code || 1);
  }, 30_000);
  hardStop.unref();
  const tStop = performance.now();
  await cleanup(resources);
  out(`stopped cleanly in ${ms(performance.now() - tStop)} (worker shutdown, sandbox close, dev server teardown)`);
  // After an abort, checkouts still awaited by the pool would keep the event loop busy: leave now.
  if (code !== 0) process.exit(code);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
