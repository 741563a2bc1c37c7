/**
 * `npm run bench:overhead`: where the orchestration time of one checkout goes, hop by hop, read from each
 * checkout's own history (event times are the server's clock, the same host's as ours). It PRINTS FIGURES and
 * asserts nothing. docs/performance.md explains what they show.
 *
 *   npm run bench:overhead [-- --checkouts 15 --latencies 0,50]
 *
 * One checkout at a time (2 seats, 2 vouchers), the worker IN this process (eager workflow start needs the
 * client and the worker on one NativeConnection), for each combination of:
 * - the Temporal dev server as shipped; with eager dispatch enabled (`system.enableActivityEagerExecution`, off by
 *   default in the server, and `system.enableEagerWorkflowStart`), as deploy/dynamicconfig sets them; and with
 *   that plus `history.transferProcessorMaxPollRPS=1000`: the history service reads each shard's transfer queue
 *   (where "dispatch this workflow task / activity" waits for matching) at most 20 times a second by default,
 *   and the dev server has ONE shard;
 * - the worker as this project configured it before (a task-queue activity cap, `maxTaskQueueActivitiesPerSecond`,
 *   which turns eager activity dispatch off; 10 workflow-task slots, all held by the 10 pollers, so no eager
 *   workflow start), with today's defaults, and with the defaults plus eager workflow start (`CheckoutClient`
 *   `eagerStart` on the worker's connection);
 * - every Womei call answered at once, or delayed (50 ms).
 *
 * Per combination: p50 of start → result, and per checkout (means over the run) the number of workflow tasks,
 * how long each waited between scheduled and started (dispatch) and ran (started → completed: the worker's
 * work and its answer), how long activity tasks waited to start and ran, the time before the first event
 * (the client's start call) and after the last (the result reaching the client).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CheckoutClient } from '../src/client';
import { generateCodecKey } from '../src/codec/keys';
import { generateSealKeyPair } from '../src/seal/keys';
import { loadConfig } from '../src/config';
import { startSandbox, type RunningSandbox } from '../src/sandbox/server';
import { startCheckoutWorker } from '../src/worker';
import { checkoutWorkflowId } from '../workflows/messages';
import { startDevServer } from '../test/helpers/temporal-env';
import { checkoutBundlePath } from '../test/helpers/workflow-bundle';
import { fixed, ms, spread, table } from './stats';
import { hops, meanHops, type Hops } from './history';
import { CODE_PAIRS, judged, SeatPool, seatPairs, USER_ID } from './world';

const out = (line = '') => process.stdout.write(`${line}\n`);

interface WorkerVariant {
  name: string;
  overrides: Partial<WorkerOptions>;
  eagerStart: boolean;
}

const WORKER_VARIANTS: WorkerVariant[] = [
  {
    name: 'before: task-queue cap, 10 WFT slots',
    overrides: { maxTaskQueueActivitiesPerSecond: 1000, maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentActivityTaskExecutions: 20 },
    eagerStart: false,
  },
  { name: 'defaults now', overrides: {}, eagerStart: false },
  { name: 'defaults + eager workflow start', overrides: {}, eagerStart: true },
];

const EAGER = { 'system.enableActivityEagerExecution': 'true', 'system.enableEagerWorkflowStart': 'true' };
const SERVER_VARIANTS: { name: string; dynamicConfig: Record<string, string> }[] = [
  { name: 'server as shipped', dynamicConfig: {} },
  { name: 'server: eager on', dynamicConfig: EAGER },
  { name: 'server: eager on, transfer reads 1000/s', dynamicConfig: { ...EAGER, 'history.transferProcessorMaxPollRPS': '1000' } },
];

interface Row {
  server: string;
  worker: string;
  latencyMs: number;
  p50: number;
  hops: Hops;
}

async function measure(env: TestWorkflowEnvironment, sandbox: RunningSandbox, pool: SeatPool, bundlePath: string, variant: WorkerVariant, checkouts: number, tag: string): Promise<{ p50: number; hops: Hops }> {
  const taskQueue = `overhead-${tag}`;
  const seal = generateSealKeyPair('overhead');
  const config = loadConfig(
    {
      CODEC_KEYS: generateCodecKey('overhead'),
      TOKEN_SEAL_PUBLIC_KEY: seal.publicKey,
      TOKEN_SEAL_PRIVATE_KEYS: seal.privateKey,
      LOCAL_KEYS_FILE: '',
      WOMEI_BASE_URL: sandbox.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'WARN',
    },
    {},
  );
  const worker = await startCheckoutWorker({ connection: env.nativeConnection, config, workflowBundle: { codePath: bundlePath }, overrides: variant.overrides });
  const client = await CheckoutClient.connect({
    config,
    connection: variant.eagerStart ? env.nativeConnection : env.connection,
    namespace: env.namespace ?? 'default',
    eagerStart: variant.eagerStart,
  });
  const all: Hops[] = [];
  const latencies: number[] = [];
  try {
    for (let i = -2; i < checkouts; i++) {
      const pair = await pool.take();
      const codes = CODE_PAIRS[(i + 3) % CODE_PAIRS.length]!;
      const token = sandbox.state.issueToken(USER_ID);
      const requestId = `${tag}-${i + 2}`;
      const t0 = Date.now();
      const p0 = performance.now();
      const started = await client.startCheckout({ requestId, cinemaId: pair.cinemaId, scheduleId: String(pair.scheduleId), seats: [...pair.labels], token, vouchers: { codes } });
      const result = await client.waitForResult(started.workflowId);
      const elapsed = performance.now() - p0;
      const problem = result.outcome !== 'COMPLETED' ? `${result.outcome} ${result.reason?.type ?? ''}` : judged(sandbox, result.orderId, pair, codes);
      pool.release(pair);
      if (problem) throw new Error(`checkout ${requestId}: ${problem}`);
      if (i < 0) continue; // warm-up
      const history = await client.temporal.workflow.getHandle(checkoutWorkflowId(requestId)).fetchHistory();
      all.push(hops(history.events ?? [], t0, t0 + elapsed));
      latencies.push(elapsed);
    }
  } finally {
    await client.close();
    await worker.stop();
  }
  return { p50: spread(latencies).p50, hops: meanHops(all) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { checkouts: { type: 'string' }, latencies: { type: 'string' } }, strict: true });
  const checkouts = Number(values.checkouts ?? 15);
  const latencies = (values.latencies ?? '0,50').split(',').map(Number);
  if (!Number.isInteger(checkouts) || checkouts < 1 || latencies.some((l) => !Number.isInteger(l) || l < 0)) {
    throw new Error('usage: npm run bench:overhead [-- --checkouts N --latencies 0,50]');
  }
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundlePath = await checkoutBundlePath();
  const rows: Row[] = [];
  out(`== orchestration overhead: ${checkouts} checkouts per combination, one at a time, 2 seats, 2 vouchers ==`);
  for (const server of SERVER_VARIANTS) {
    const env = await startDevServer({ dynamicConfig: server.dynamicConfig });
    const sandbox = await startSandbox({ port: 0, voucherQuota: 1_000_000_000 });
    const pool = new SeatPool(seatPairs(sandbox), sandbox);
    try {
      for (const latencyMs of latencies) {
        await sandbox.admin.clearFaults();
        if (latencyMs > 0) await sandbox.admin.addFault({ id: 'latency', kind: 'latency', ms: latencyMs });
        for (const variant of WORKER_VARIANTS) {
          const tag = `o${rows.length}-${Date.now().toString(36)}`;
          const r = await measure(env, sandbox, pool, bundlePath, variant, checkouts, tag);
          rows.push({ server: server.name, worker: variant.name, latencyMs, ...r });
          out(`  ${server.name} · ${latencyMs} ms per call · ${variant.name}: p50 ${ms(r.p50)}`);
        }
      }
    } finally {
      await sandbox.close();
      await env.teardown();
    }
  }
  out('');
  out('means per checkout; dispatch = scheduled → started, run = started → completed (sums over the checkout\'s tasks)');
  out(
    table([
      ['server', 'Womei call', 'worker', 'p50', 'WFTs', 'WFT dispatch', '1st WFT dispatch', 'WFT run', '1st WFT run', 'activities', 'act. dispatch', 'act. run', 'start call', 'result'],
      ...rows.map((r) => [
        r.server,
        `${r.latencyMs} ms`,
        r.worker,
        ms(r.p50),
        fixed(r.hops.workflowTasks),
        ms(r.hops.wftDispatchMs),
        ms(r.hops.firstWftDispatchMs),
        ms(r.hops.wftRunMs),
        ms(r.hops.firstWftRunMs),
        fixed(r.hops.activityTasks),
        ms(r.hops.activityDispatchMs),
        ms(r.hops.activityRunMs),
        ms(r.hops.beforeFirstEventMs),
        ms(r.hops.afterLastEventMs),
      ]),
    ]),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:overhead: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
