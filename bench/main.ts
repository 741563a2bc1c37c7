/**
 * `npm run bench`: the checkout against plain code, in ONE run, every Womei call delayed the same (50 ms by
 * default), 2 seats and 2 vouchers per checkout. It PRINTS FIGURES and asserts nothing (never a timed test).
 *
 *   npm run bench [-- --latency-ms 50 --rounds 20 --levels 1,10,50,100 --no-plain-load --no-tuned]
 *
 * Contenders (bench/plain-flows.ts for A and B):
 * - A: plain code replaying the mini-program's own flow, 24 calls (docs/womei-api.md §2, H1659, no payment).
 * - B: plain code making the 7 needed calls in sequence.
 * - workflow: `CheckoutClient.startCheckout` → `waitForResult`, through the Temporal dev server and the checkout
 *   worker, which runs as a CHILD PROCESS of its own (compiled as production runs it, default settings), so its
 *   CPU and peak RSS are its own.
 *
 * Parts of the run:
 * 1. side by side at concurrency 1: A, B and the workflow interleaved, round after round; p50/p95, the ratios,
 *    and per checkout the Womei calls (the sandbox's request log) and voucher validations (the sandbox's quota
 *    count), each read before and after every checkout.
 * 2. load: each contender at concurrency 1, 10, 50, 100 (4 × concurrency checkouts, at least 20): throughput,
 *    p50/p95, Womei calls and validations per checkout, CPU per checkout of the worker process, the dev server
 *    and this process (client + sandbox + plain flows), and peak RSS of each.
 * 3. the workflow at concurrency 50 on the default worker again, then on a TUNED worker (see TUNED_WORKER_ENV)
 *    after a warm-up: back to back, so the comparison is not skewed by the order of the parts.
 *
 * The world: the sandbox in this process, every Womei route delayed by one latency fault; one user (the
 * fixture's rich user) with a voucher quota large enough for the run, and a FRESH token per checkout (each
 * checkout is another person's session, so Kong's 200/min per token never binds; the sandbox enforces it as
 * usual). Seats: every ordinary seat of the fixture's schedules, two adjacent ones per checkout; after each
 * checkout the order is checked in the sandbox's store (PENDING, both seats, both codes bound) and then
 * cancelled there, so its seats go back to the pool without a Womei call.
 *
 * Writes bench/results/bench-<time>.json and .svg/.png (and latest.*): git-ignored. docs/performance.md shows
 * a chosen run's table and chart.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CheckoutClient } from '../src/client';
import { loadConfig } from '../src/config';
import { startSandbox, type RunningSandbox } from '../src/sandbox/server';

import { generateCodecKey } from '../src/codec/keys';
import { generateSealKeyPair } from '../src/seal/keys';
import { checkoutWorkflowId } from '../workflows/messages';
import { startDevServer } from '../test/helpers/temporal-env';
import { checkoutBundlePath } from '../test/helpers/workflow-bundle';
import { chartSvg, writePng, writeSvg, type ChartSeries } from './chart';
import { fixed, mib, ms, ratio, spread, table, type Spread } from './stats';
import { historyShape, hops, meanHops, type Hops } from './history';
import { neededCalls, plainWomei, replayMiniProgram, type PlainWomei } from './plain-flows';
import { CODE_PAIRS, judged, SeatPool, seatPairs, USER_ID } from './world';
import { childPids, compiledWorker, processCpuMs, processMemory, ROOT, selfCpuMs, startWorkerProcess, type WorkerProcess } from './processes';
import { intOption, UsageError } from '../scripts/cli-options';

// ---------------------------------------------------------------------------------------------------------
// Settings

const USAGE = `usage: npm run bench [-- options]
  --latency-ms N      delay of every Womei call in the sandbox (default 50)
  --rounds N          side-by-side rounds at concurrency 1, one checkout of each contender per round (default 20)
  --levels L          concurrency levels of the load part, comma-separated (default 1,10,50,100)
  --no-plain-load     load part: the workflow only (A and B only side by side)
  --no-tuned          skip the tuned-worker run at concurrency 50
  --tuned-env K=V     the tuned worker's environment instead of the built-in one, comma-separated
  --server-config K=V dev server dynamic config on top of the deployment's (deploy/dynamicconfig), comma-separated,
                      e.g. history.transferProcessorMaxPollRPS=1000 or system.enableActivityEagerExecution=false
  --timeout-s S       abort after S seconds (default 1200)`;

interface Settings {
  latencyMs: number;
  rounds: number;
  levels: number[];
  plainLoad: boolean;
  tuned: boolean;
  serverConfig: Record<string, string>;
  tunedEnv: Record<string, string>;
  timeoutS: number;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      'latency-ms': { type: 'string' },
      rounds: { type: 'string' },
      levels: { type: 'string' },
      'no-plain-load': { type: 'boolean' },
      'no-tuned': { type: 'boolean' },
      'server-config': { type: 'string' },
      'tuned-env': { type: 'string' },
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
  const levels = (values.levels ?? '1,10,50,100').split(',').map((l) => intOption('levels', l.trim(), 1, 1));
  const pairs = (flag: string, raw: string | undefined): Record<string, string> => {
    const kvs: Record<string, string> = {};
    for (const kv of (raw ?? '').split(',').filter(Boolean)) {
      const m = /^([\w.]+)=(\S+)$/.exec(kv.trim());
      if (!m) throw new UsageError(`--${flag} takes KEY=VALUE pairs, got ${JSON.stringify(kv)}`);
      kvs[m[1]!] = m[2]!;
    }
    return kvs;
  };
  return {
    latencyMs: intOption('latency-ms', values['latency-ms'], 50, 0),
    rounds: intOption('rounds', values.rounds, 20, 1),
    levels,
    plainLoad: !values['no-plain-load'],
    tuned: !values['no-tuned'],
    serverConfig: pairs('server-config', values['server-config']),
    tunedEnv: values['tuned-env'] === undefined ? TUNED_WORKER_ENV : pairs('tuned-env', values['tuned-env']),
    timeoutS: intOption('timeout-s', values['timeout-s'], 1200, 10),
  };
}

/**
 * The tuned worker: what this machine's measurements favoured over the defaults (docs/performance.md says
 * why). Everything else stays default in both runs.
 */
const TUNED_WORKER_ENV: Record<string, string> = {
  LOG_LEVEL: 'WARN',
};

type Contender = 'A' | 'B' | 'workflow';
const CONTENDERS: readonly Contender[] = ['A', 'B', 'workflow'];
const LABEL: Record<Contender, string> = {
  A: 'A: plain, mini-program replay',
  B: 'B: plain, 7 needed calls',
  workflow: 'workflow: start → result',
};

const out = (line = '') => process.stdout.write(`${line}\n`);
/** Peak RSS (VmHWM) of the default worker process, and of the last one started. */
const workerPeak: { default?: number; last?: number } = {};

// ---------------------------------------------------------------------------------------------------------
// One checkout of each contender

interface Outcome {
  ok: boolean;
  latencyMs: number;
  /** Epoch ms of the start (to line up with history event times). */
  startedAt: number;
  workflowId?: string;
  error?: string;
}

interface Bench {
  sandbox: RunningSandbox;
  womei: PlainWomei;
  client: CheckoutClient;
  pool: SeatPool;
  tag: string;
  seq: number;
}

async function runOne(b: Bench, who: Contender): Promise<Outcome> {
  const pair = await b.pool.take();
  const n = b.seq++;
  const codes = CODE_PAIRS[n % CODE_PAIRS.length]!;
  // Each checkout is another person's session: Kong's per-token minute never binds a whole benchmark.
  const token = b.sandbox.state.issueToken(USER_ID);
  const session = { token, cinemaId: pair.cinemaId };
  const scheduleId = String(pair.scheduleId);
  const startedAt = Date.now();
  const t0 = performance.now();
  let orderId: string | undefined;
  let error: string | undefined;
  const requestId = `bench-${b.tag}-${n}`;
  try {
    if (who === 'workflow') {
      const started = await b.client.startCheckout({ requestId, cinemaId: pair.cinemaId, scheduleId, seats: [...pair.labels], token, vouchers: { codes } });
      const result = await b.client.waitForResult(started.workflowId);
      orderId = result.orderId;
      if (result.outcome !== 'COMPLETED') error = `${result.outcome}: ${result.reason?.type ?? ''} ${result.reason?.message ?? ''}`;
    } else {
      const flow = who === 'A' ? replayMiniProgram : neededCalls;
      orderId = (await flow(b.womei, { session, scheduleId, seats: [...pair.labels], codes })).orderId;
    }
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const latencyMs = performance.now() - t0;
  error ??= judged(b.sandbox, orderId, pair, codes);
  b.pool.release(pair);
  return {
    ok: error === undefined,
    latencyMs,
    startedAt,
    ...(who === 'workflow' ? { workflowId: checkoutWorkflowId(requestId) } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Measuring: CPU and memory of the three processes, Womei calls and validations from the sandbox

interface Procs {
  worker: () => number | undefined;
  devServer: number | undefined;
}

interface CpuSnapshot {
  worker: number;
  devServer: number;
  bench: number;
}

function cpuNow(p: Procs): CpuSnapshot {
  const w = p.worker();
  return {
    worker: (w !== undefined ? processCpuMs(w) : undefined) ?? Number.NaN,
    devServer: (p.devServer !== undefined ? processCpuMs(p.devServer) : undefined) ?? Number.NaN,
    bench: selfCpuMs(),
  };
}

/** Largest RSS of each process while a part runs (sampled every 100 ms). */
class RssSampler {
  peak = { worker: 0, devServer: 0, bench: 0 };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly p: Procs) {}

  start(): void {
    this.peak = { worker: 0, devServer: 0, bench: 0 };
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const w = this.p.worker();
    const worker = w !== undefined ? processMemory(w)?.rss : undefined;
    const dev = this.p.devServer !== undefined ? processMemory(this.p.devServer)?.rss : undefined;
    this.peak = {
      worker: Math.max(this.peak.worker, worker ?? 0),
      devServer: Math.max(this.peak.devServer, dev ?? 0),
      bench: Math.max(this.peak.bench, process.memoryUsage().rss),
    };
  }
}

interface Counters {
  requests: number;
  validations: number;
}

async function counters(sandbox: RunningSandbox): Promise<Counters> {
  const { total } = await sandbox.admin.requests(0);
  return { requests: total, validations: sandbox.state.quotaUsed(USER_ID) };
}

interface LoadResult {
  who: Contender;
  concurrency: number;
  worker: 'default' | 'tuned';
  checkouts: number;
  failed: number;
  errors: string[];
  wallMs: number;
  throughput: number;
  latency: Spread;
  womeiCallsPerCheckout: number;
  validationsPerCheckout: number;
  cpuMsPerCheckout: CpuSnapshot;
  cpuCoresBusy: CpuSnapshot;
  peakRss: CpuSnapshot;
}

async function loadRun(b: Bench, procs: Procs, who: Contender, concurrency: number, count: number, worker: 'default' | 'tuned'): Promise<LoadResult> {
  const sampler = new RssSampler(procs);
  const before = await counters(b.sandbox);
  const cpu0 = cpuNow(procs);
  sampler.start();
  const outcomes: Outcome[] = [];
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < count) {
      next++;
      outcomes.push(await runOne(b, who));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const wallMs = performance.now() - t0;
  sampler.stop();
  const cpu1 = cpuNow(procs);
  const after = await counters(b.sandbox);
  const ok = outcomes.filter((o) => o.ok);
  const per = (v: number) => v / Math.max(1, ok.length);
  const delta = (k: keyof CpuSnapshot) => cpu1[k] - cpu0[k];
  return {
    who,
    concurrency,
    worker,
    checkouts: ok.length,
    failed: outcomes.length - ok.length,
    errors: [...new Set(outcomes.filter((o) => !o.ok).map((o) => o.error ?? ''))].slice(0, 5),
    wallMs,
    throughput: ok.length / (wallMs / 1000),
    latency: spread(ok.map((o) => o.latencyMs)),
    womeiCallsPerCheckout: per(after.requests - before.requests),
    validationsPerCheckout: per(after.validations - before.validations),
    cpuMsPerCheckout: { worker: per(delta('worker')), devServer: per(delta('devServer')), bench: per(delta('bench')) },
    cpuCoresBusy: { worker: delta('worker') / wallMs, devServer: delta('devServer') / wallMs, bench: delta('bench') / wallMs },
    peakRss: sampler.peak,
  };
}

function loadLine(r: LoadResult): string[] {
  const c = r.cpuMsPerCheckout;
  return [
    r.who === 'workflow' ? `workflow (${r.worker} worker)` : r.who,
    String(r.concurrency),
    `${r.checkouts}${r.failed ? ` (+${r.failed} failed)` : ''}`,
    `${fixed(r.throughput)}/s`,
    ms(r.latency.p50),
    ms(r.latency.p95),
    fixed(r.womeiCallsPerCheckout),
    fixed(r.validationsPerCheckout),
    `${fixed(c.worker, 0)} · ${fixed(c.devServer, 0)} · ${fixed(c.bench, 0)}`,
    `${fixed(r.cpuCoresBusy.worker + r.cpuCoresBusy.devServer + r.cpuCoresBusy.bench, 2)}`,
    r.who === 'workflow' ? mib(r.peakRss.worker) : '—',
  ];
}

const LOAD_HEADER = ['contender', 'conc.', 'checkouts', 'throughput', 'p50', 'p95', 'calls', 'valid.', 'CPU ms/checkout: worker · dev server · bench', 'cores busy', 'worker RSS peak'];

// ---------------------------------------------------------------------------------------------------------
// The run

interface Resources {
  env?: TestWorkflowEnvironment;
  sandbox?: RunningSandbox;
  worker?: WorkerProcess;
  client?: CheckoutClient;
}

/** The compose deployment's Temporal dynamic config (deploy/dynamicconfig), as `--dynamic-config-value` values. */
function deploymentDynamicConfig(): Record<string, string> {
  const doc = parseYaml(readFileSync(join(ROOT, 'deploy', 'dynamicconfig', 'development-sql.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
  return Object.fromEntries(Object.entries(doc).map(([key, values]) => [key, JSON.stringify(values[0]?.value)]));
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}

async function bench(settings: Settings, r: Resources): Promise<void> {
  const startedAt = new Date();
  const tag = startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const m = machine();
  const loadBefore = loadavg();
  out(`== womei-checkout benchmark ${tag} (commit ${gitCommit()}) ==`);
  out(`machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  out(`every Womei call delayed ${settings.latencyMs} ms; 2 seats and 2 vouchers per checkout`);
  // The dev server runs with the compose deployment's dynamic config (eager dispatch on), then any overrides.
  const dynamicConfig = { ...deploymentDynamicConfig(), ...settings.serverConfig };
  const serverConfig = Object.entries(dynamicConfig).map(([k, v]) => `${k}=${v}`).join(' ');
  out(`dev server dynamic config: ${serverConfig}`);

  const workerEntry = compiledWorker(join(resultsDir, '.build'), out);
  const tSetup = performance.now();
  const [env, sandbox, bundlePath] = await Promise.all([
    startDevServer({ dynamicConfig }).then((e) => (r.env = e)),
    startSandbox({
      port: 0,
      host: '127.0.0.1',
      // Enough validations for the whole run; Kong's per-token limit stays as it is.
      voucherQuota: 1_000_000_000,
      faults: settings.latencyMs > 0 ? [{ id: 'bench-latency', kind: 'latency', ms: settings.latencyMs }] : undefined,
    }).then((s) => (r.sandbox = s)),
    checkoutBundlePath(),
  ]);
  const devServer = childPids(/^temporal/)[0];
  const taskQueue = `bench-${tag}`;
  // Keys as production has them: payloads encrypted, the token sealed to the workers' key. Fresh for each run.
  const seal = generateSealKeyPair('bench');
  const codecKeys = generateCodecKey('bench');
  const workerEnv: Record<string, string> = {
    CODEC_KEYS: codecKeys,
    TOKEN_SEAL_PRIVATE_KEYS: seal.privateKey,
    LOCAL_KEYS_FILE: '',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    WOMEI_BASE_URL: sandbox.url,
    WORKER_WORKFLOW_BUNDLE: bundlePath,
  };
  const config = loadConfig(
    {
      CODEC_KEYS: codecKeys,
      TOKEN_SEAL_PUBLIC_KEY: seal.publicKey,
      LOCAL_KEYS_FILE: '',
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      WOMEI_BASE_URL: sandbox.url,
    },
    {},
  );
  r.client = await CheckoutClient.connect({ config, connection: env.connection, namespace: config.temporal.namespace });
  const client = r.client;
  const polled = async () => {
    const pollers = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) =>
      (await client.temporal.workflowService.describeTaskQueue({ namespace: config.temporal.namespace, taskQueue: { name: taskQueue }, taskQueueType })).pollers?.length ?? 0;
    const T = temporal.api.enums.v1.TaskQueueType;
    return (await pollers(T.TASK_QUEUE_TYPE_WORKFLOW)) > 0 && (await pollers(T.TASK_QUEUE_TYPE_ACTIVITY)) > 0;
  };
  const workerLog = join(resultsDir, `worker-${tag}.log`);
  const startWorker = async (extra: Record<string, string>) => {
    r.worker = await startWorkerProcess(workerEntry, { ...workerEnv, ...extra }, workerLog, polled);
  };
  await startWorker({});
  const procs: Procs = { worker: () => r.worker?.pid, devServer };
  out(`setup ${ms(performance.now() - tSetup)}: dev server pid ${devServer ?? '?'} at ${env.address}, sandbox ${sandbox.url}, worker pid ${r.worker?.pid} (${relative(ROOT, workerEntry)}, default settings; log ${relative(ROOT, workerLog)})`);

  const pairs = seatPairs(sandbox);
  // The plain flows use the production client as it is (no limiter: each of their checkouts is another token).
  const b: Bench = { sandbox, womei: plainWomei(config.womei), client, pool: new SeatPool(pairs, sandbox), tag, seq: 0 };
  const maxLevel = Math.max(...settings.levels, 1);
  if (pairs.length < maxLevel) throw new UsageError(`only ${pairs.length} seat pairs in the sandbox: concurrency ${maxLevel} needs as many`);
  out(`seats: ${pairs.length} pairs; user ${USER_ID}, a fresh token per checkout`);

  // Warm-up (not measured): connections, JIT, the worker's workflow cache.
  for (let i = 0; i < 3; i++) for (const who of CONTENDERS) await runOne(b, who);

  // --- 1. side by side at concurrency 1
  out('');
  out(`== 1. side by side, concurrency 1: ${settings.rounds} rounds, each A, B and the workflow once, order rotating ==`);
  const side: Record<Contender, { latency: number[]; calls: number[]; validations: number[]; failed: string[] }> = {
    A: { latency: [], calls: [], validations: [], failed: [] },
    B: { latency: [], calls: [], validations: [], failed: [] },
    workflow: { latency: [], calls: [], validations: [], failed: [] },
  };
  const workflowRuns: Outcome[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    const line: string[] = [];
    for (const who of order) {
      const before = await counters(sandbox);
      const o = await runOne(b, who);
      if (who === 'workflow' && o.ok) workflowRuns.push(o);
      const after = await counters(sandbox);
      if (!o.ok) {
        side[who].failed.push(o.error ?? '');
        line.push(`${who} FAILED`);
        continue;
      }
      side[who].latency.push(o.latencyMs);
      side[who].calls.push(after.requests - before.requests);
      side[who].validations.push(after.validations - before.validations);
      line.push(`${who} ${ms(o.latencyMs)}`);
    }
    out(`  [${String(round + 1).padStart(String(settings.rounds).length)}/${settings.rounds}] ${line.join(' · ')}`);
  }
  const sideFig = Object.fromEntries(
    CONTENDERS.map((who) => [who, { latency: spread(side[who].latency), calls: spread(side[who].calls), validations: spread(side[who].validations), failed: side[who].failed }]),
  ) as Record<Contender, { latency: Spread; calls: Spread; validations: Spread; failed: string[] }>;
  const p50 = (who: Contender) => sideFig[who].latency.p50;
  const range = (s: Spread) => (s.min === s.max ? fixed(s.min, 0) : `${fixed(s.min, 0)}–${fixed(s.max, 0)}`);
  out('');
  out(
    table([
      ['', 'Womei calls', 'validations', 'p50', 'p95', '÷ B (p50)', '÷ A (p50)'],
      ...CONTENDERS.map((who) => [LABEL[who], range(sideFig[who].calls), range(sideFig[who].validations), ms(p50(who)), ms(sideFig[who].latency.p95), ratio(p50(who), p50('B')), ratio(p50(who), p50('A'))]),
    ]),
  );
  for (const who of CONTENDERS) if (side[who].failed.length) out(`  ${who}: ${side[who].failed.length} FAILED, e.g. ${side[who].failed[0]}`);
  // The workflow's current shape and where its time went, from each side-by-side checkout's history.
  const histories = await Promise.all(workflowRuns.map(async (o) => (await client.temporal.workflow.getHandle(o.workflowId!).fetchHistory()).events ?? []));
  const shape = histories.length > 0 ? historyShape(histories[histories.length - 1]!) : {};
  const hopMeans: Hops | undefined = histories.length > 0 ? meanHops(histories.map((h, i) => hops(h, workflowRuns[i]!.startedAt, workflowRuns[i]!.startedAt + workflowRuns[i]!.latencyMs))) : undefined;
  out(`  one workflow's history: ${Object.entries(shape).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (hopMeans) {
    const hm = hopMeans;
    out(
      `  per checkout (means): ${fixed(hm.workflowTasks)} workflow tasks, dispatch ${ms(hm.wftDispatchMs)} and run ${ms(hm.wftRunMs)} (the first ${ms(hm.firstWftRunMs)}); ` +
        `${fixed(hm.activityTasks)} activities, dispatch ${ms(hm.activityDispatchMs)}, run ${ms(hm.activityRunMs)}; start call ${ms(hm.beforeFirstEventMs)}, result ${ms(hm.afterLastEventMs)}`,
    );
  }

  // --- 2. load
  out('');
  out(`== 2. load: concurrency ${settings.levels.join(', ')}; 4 × concurrency checkouts each (at least 20) ==`);
  const loads: LoadResult[] = [];
  const who2: Contender[] = settings.plainLoad ? ['workflow', 'B', 'A'] : ['workflow'];
  for (const c of settings.levels) {
    for (const who of who2) {
      const res = await loadRun(b, procs, who, c, Math.max(20, 4 * c), 'default');
      loads.push(res);
      out(`  ${who.padEnd(8)} concurrency ${String(c).padStart(3)}: ${res.checkouts} in ${ms(res.wallMs)} → ${fixed(res.throughput)}/s, p50 ${ms(res.latency.p50)}, p95 ${ms(res.latency.p95)}${res.failed ? `, ${res.failed} FAILED (${res.errors[0]})` : ''}`);
    }
  }

  // --- 3. tuned worker, back to back with the default one (the dev server's store grows through the run, and a
  // new worker process starts cold: both would skew a comparison with part 2)
  let tuned: LoadResult | undefined;
  let defaultAgain: LoadResult | undefined;
  const tunedLevel = 50;
  if (settings.tuned) {
    out('');
    out(`== 3. concurrency ${tunedLevel}, back to back: the default worker again, then a tuned worker (${Object.entries(settings.tunedEnv).map(([k, v]) => `${k}=${v}`).join(' ')}) after a warm-up ==`);
    defaultAgain = await loadRun(b, procs, 'workflow', tunedLevel, 4 * tunedLevel, 'default');
    out(`  default: ${defaultAgain.checkouts} in ${ms(defaultAgain.wallMs)} → ${fixed(defaultAgain.throughput)}/s, p50 ${ms(defaultAgain.latency.p50)}, p95 ${ms(defaultAgain.latency.p95)}`);
    const defaultPeak = processMemory(r.worker!.pid)?.peakRss ?? Number.NaN;
    await r.worker?.stop();
    await startWorker(settings.tunedEnv);
    await loadRun(b, procs, 'workflow', 10, 40, 'tuned');
    tuned = await loadRun(b, procs, 'workflow', tunedLevel, 4 * tunedLevel, 'tuned');
    out(`  tuned:   ${tuned.checkouts} in ${ms(tuned.wallMs)} → ${fixed(tuned.throughput)}/s, p50 ${ms(tuned.latency.p50)}, p95 ${ms(tuned.latency.p95)}`);
    out(`  (the default worker's peak RSS over its whole life: ${mib(defaultPeak)})`);
    workerPeak.default = defaultPeak;
  }
  workerPeak.last = r.worker ? (processMemory(r.worker.pid)?.peakRss ?? Number.NaN) : Number.NaN;

  // --- summary
  const loadAfter = loadavg();
  out('');
  out('== load table (CPU: ms of CPU per completed checkout; cores busy: CPU time ÷ wall time, all three processes) ==');
  out(table([LOAD_HEADER, ...loads.map(loadLine), ...(defaultAgain && tuned ? [loadLine(defaultAgain), loadLine(tuned)] : [])]));
  if (tuned && defaultAgain) out(`default ÷ tuned throughput at concurrency ${tunedLevel}, back to back: ${ratio(defaultAgain.throughput, tuned.throughput)}`);
  out(`worker process peak RSS (VmHWM): default worker ${mib(workerPeak.default ?? workerPeak.last)}${tuned ? `, tuned worker ${mib(workerPeak.last)}` : ''}`);
  out(`load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after (other work on the machine skews the figures)`);

  // --- files
  const report = {
    startedAt: startedAt.toISOString(),
    commit: gitCommit(),
    machine: { ...m, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    settings: {
      ...settings,
      devServerDynamicConfig: dynamicConfig,
      seatsPerCheckout: 2,
      vouchersPerCheckout: 2,
      tunedWorkerEnv: settings.tunedEnv,
      workerEnv: 'defaults (only address, task queue, Womei URL, bundle and fresh keys set)',
    },
    sideBySide: {
      ...sideFig,
      ratios: { workflowOverB: p50('workflow') / p50('B'), workflowOverA: p50('workflow') / p50('A') },
    },
    historyShape: shape,
    workflowHops: hopMeans,
    load: loads,
    defaultAgain,
    tuned,
    workerPeakRss: workerPeak,
  };
  const base = join(resultsDir, `bench-${tag}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  copyFileSync(`${base}.json`, join(resultsDir, 'latest.json'));
  const series: ChartSeries[] = [
    { who: 'workflow' as const, color: '#1f6feb' },
    { who: 'B' as const, color: '#2da44e' },
    { who: 'A' as const, color: '#cf222e' },
  ]
    .filter((s) => loads.some((l) => l.who === s.who))
    .map((s) => ({
      name: LABEL[s.who],
      color: s.color,
      points: loads.filter((l) => l.who === s.who).map((l) => ({ concurrency: l.concurrency, p50: l.latency.p50, p95: l.latency.p95, throughput: l.throughput })),
    }));
  const svg = chartSvg({
    title: 'womei-checkout: latency and throughput against concurrency',
    subtitle: `${m.cpus} CPUs, load average ${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)}; Womei call ${settings.latencyMs} ms; 2 seats, 2 vouchers; default worker; ${startedAt.toISOString().slice(0, 16)}Z, ${gitCommit()}`,
    levels: settings.levels,
    series,
  });
  writeSvg(svg, `${base}.svg`);
  try {
    await writePng(svg, `${base}.png`);
    copyFileSync(`${base}.png`, join(resultsDir, 'latest.png'));
    out(`wrote ${relative(ROOT, base)}.json, .svg, .png (and latest.*)`);
  } catch (e) {
    out(`wrote ${relative(ROOT, base)}.json and .svg; no PNG: ${(e as Error).message}`);
  }
}

async function cleanup(r: Resources): Promise<void> {
  const steps: [string, () => Promise<void>][] = [
    ['worker', async () => r.worker?.stop()],
    ['client', async () => r.client?.close()],
    ['sandbox', async () => r.sandbox?.close()],
    ['dev server', async () => r.env?.teardown()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`bench: stopping the ${name} failed: ${(error as Error).message}\n`);
    }
  }
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = parseSettings(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
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
  const hardStop = setTimeout(() => {
    process.stderr.write('bench: cleanup did not finish in 30 s; exiting\n');
    process.exit(code || 1);
  }, 30_000);
  hardStop.unref();
  await cleanup(resources);
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
