/**
 * Checkouts through `npm run cluster`'s topology: it PRINTS FIGURES, it asserts nothing (never a timed test).
 *
 *   npx tsx bench/cluster.ts [--checkouts N] [--concurrency C] [--workers W] [--single S]
 *
 * A scratch cluster (src/cluster/topology.ts: PostgreSQL, the Temporal server v1.29.1, W worker processes, the
 * sandbox and codec server as processes; own data folder and free ports; the server build comes from
 * scripts/install-temporal-server.sh). First S checkouts one at a time (the latency of a checkout alone), then N
 * checkouts C at a time, each on its own free seat (read from `hall/info` like the app does) with one voucher of
 * the sandbox's rich user. Printed: start-up time, latency, throughput, and the CPU each process spent during the
 * burst (from /proc: the Temporal server; PostgreSQL with its backends; each worker; the sandbox), as cores used
 * and as CPU milliseconds per checkout — what docs/deployment.md sizes from. Womei is not the limit here: the
 * sandbox's quota and gateway limit are lifted, and so is the workers' per-token limit (every checkout here is the
 * same user's token).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import { CheckoutClient } from '../src/client';
import { ClusterTopology } from '../src/cluster/topology';
import { FIXTURE } from '../src/sandbox/fixture';
import { createWomeiClient } from '../src/womei/client';
import type { CheckoutRequest } from '../workflows/input';
import { latencyLine, ms } from './stats';
import { scratchClusterEnv } from '../test/helpers/cluster-env';
import { checkoutBundlePath } from '../test/helpers/workflow-bundle';

const out = (line = '') => process.stdout.write(`${line}\n`);

function settings(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { checkouts: { type: 'string' }, concurrency: { type: 'string' }, workers: { type: 'string' }, single: { type: 'string' } },
  });
  const int = (name: keyof typeof values, fallback: number) => {
    const raw = values[name];
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  return { checkouts: int('checkouts', 60), concurrency: int('concurrency', 10), workers: int('workers', 3), single: int('single', 5) };
}

// ---- Seats, as the app finds them

interface Slot {
  cinemaId: string;
  scheduleId: string;
  label: string;
}

const SCHEDULES = [
  { cinemaId: FIXTURE.cinemas.beijing, scheduleId: FIXTURE.schedules.beijing, hallId: FIXTURE.halls.beijing },
  { cinemaId: FIXTURE.cinemas.beijing, scheduleId: FIXTURE.schedules.beijingLate, hallId: FIXTURE.halls.beijingLate },
  { cinemaId: FIXTURE.cinemas.guangzhou, scheduleId: FIXTURE.schedules.guangzhou, hallId: FIXTURE.halls.guangzhou },
  { cinemaId: FIXTURE.cinemas.shenzhen, scheduleId: FIXTURE.schedules.shenzhen, hallId: FIXTURE.halls.shenzhen },
];

interface HallSeat {
  seat_no: string;
  row: string;
  col: string;
  type: number;
  status: number;
}
interface HallInfo {
  room_seat: { area_no: string; seats: Record<string, { detail: HallSeat[] }> }[];
}

/** Free ordinary seats (type 0, status 0) of every fixture schedule, as `{area}:{row}:{col}:{seat_no}` labels. */
async function freeSeats(womeiBaseUrl: string): Promise<Slot[]> {
  const womei = createWomeiClient({ baseUrl: womeiBaseUrl, tenant: 'wmyc', timeoutMs: 10_000, cancelPath: undefined });
  const slots: Slot[] = [];
  for (const s of SCHEDULES) {
    const info = (await womei.getHallInfo({ token: FIXTURE.tokens.rich, cinemaId: s.cinemaId }, { hallId: s.hallId, scheduleId: String(s.scheduleId) })) as unknown as HallInfo;
    for (const area of info.room_seat) {
      for (const row of Object.values(area.seats)) {
        for (const seat of row.detail) {
          if (seat.type === 0 && seat.status === 0) {
            slots.push({ cinemaId: s.cinemaId, scheduleId: String(s.scheduleId), label: `${area.area_no}:${seat.row}:${seat.col}:${seat.seat_no}` });
          }
        }
      }
    }
  }
  return slots;
}

function request(tag: string, i: number, slot: Slot): CheckoutRequest {
  const codes = FIXTURE.vouchers.rich.unused;
  return {
    requestId: `bench-${tag}-${i}`,
    cinemaId: slot.cinemaId,
    scheduleId: slot.scheduleId,
    seats: [slot.label],
    token: FIXTURE.tokens.rich,
    vouchers: { codes: [codes[i % codes.length]!] },
  };
}

// ---- CPU from /proc

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime+stime of a process, and with `children` the reaped children's too (PostgreSQL's exited backends). */
function cpuTicks(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14)
    const own = Number(fields[11]) + Number(fields[12]);
    return children ? own + Number(fields[13]) + Number(fields[14]) : own;
  } catch {
    return 0;
  }
}

/** Resident memory in MiB (VmRSS). */
function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) kids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return kids;
}

/** CPU ticks per part of the cluster right now; PostgreSQL is the postmaster, its live backends and reaped ones. */
function cpuSample(cluster: ClusterTopology): Map<string, number> {
  const sample = new Map<string, number>();
  for (const { name, pid } of cluster.processes()) {
    if (pid === undefined) continue;
    sample.set(name, name === 'postgres' ? cpuTicks(pid, true) + childrenOf(pid).reduce((n, kid) => n + cpuTicks(kid), 0) : cpuTicks(pid));
  }
  return sample;
}

// ---- The run

async function main(): Promise<void> {
  const s = settings(process.argv.slice(2));
  const { env, dataDir } = await scratchClusterEnv({
    SANDBOX_VOUCHER_QUOTA: '1000000',
    SANDBOX_RATE_LIMIT_PER_MINUTE: '1000000',
    WOMEI_TOKEN_REQUESTS_PER_MINUTE: '0',
    LOG_LEVEL: 'WARN',
  });
  const loadBefore = loadavg()[0]!;
  const cluster = new ClusterTopology({ env, workers: s.workers, ui: false, workflowBundlePath: await checkoutBundlePath(), log: (line) => out(`  ${line}`) });
  let connection: Connection | undefined;
  try {
    out(`cluster: ${s.workers} workers, scratch data in ${dataDir}`);
    let t = performance.now();
    await cluster.start();
    out(`cluster start    ${ms(performance.now() - t)} (new database: initdb, schemas, server, namespace, processes)`);
    connection = await Connection.connect({ address: cluster.temporalAddress });
    const client = await CheckoutClient.connect({ config: cluster.config, connection });
    const slots = await freeSeats(cluster.sandboxUrl!);
    if (slots.length < s.single + s.checkouts) throw new Error(`only ${slots.length} free seats for ${s.single + s.checkouts} checkouts`);

    const runOne = async (r: CheckoutRequest) => {
      const t0 = performance.now();
      const started = await client.startCheckout(r);
      const result = await client.waitForResult(started.workflowId);
      return { outcome: result.outcome, latencyMs: performance.now() - t0 };
    };

    const single: number[] = [];
    for (let i = 0; i < s.single; i++) {
      const run = await runOne(request('single', i, slots[i]!));
      if (run.outcome !== 'COMPLETED') throw new Error(`single checkout ${i}: ${run.outcome}`);
      single.push(run.latencyMs);
    }
    out(`one at a time    ${latencyLine(single)} (start → result; the first includes warming up)`);

    const burst = slots.slice(s.single, s.single + s.checkouts).map((slot, i) => request('burst', i, slot));
    const before = cpuSample(cluster);
    t = performance.now();
    const latencies: number[] = [];
    const outcomes = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: s.concurrency }, async () => {
        while (next < burst.length) {
          const run = await runOne(burst[next++]!);
          latencies.push(run.latencyMs);
          outcomes.set(run.outcome, (outcomes.get(run.outcome) ?? 0) + 1);
          if (latencies.length % 10 === 0 || latencies.length === burst.length) out(`  [${latencies.length}/${burst.length}]`);
        }
      }),
    );
    const wallMs = performance.now() - t;
    const after = cpuSample(cluster);
    const memory = cluster.processes().flatMap(({ name, pid }) =>
      pid === undefined ? [] : [[name, name === 'postgres' ? [pid, ...childrenOf(pid)].reduce((n, p) => n + rssMiB(p), 0) : rssMiB(pid)] as const],
    );

    out(`burst            ${burst.length} checkouts, ${s.concurrency} at a time, in ${ms(wallMs)}: ${(burst.length / (wallMs / 1000)).toFixed(1)} checkouts/s`);
    out(`latency          ${latencyLine(latencies)}`);
    out(`outcomes         ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out('CPU during the burst (cores used = CPU seconds / wall seconds; per checkout = CPU ms / checkout):');
    let total = 0;
    for (const [name, ticks] of after) {
      const used = (ticks - (before.get(name) ?? 0)) / TICKS_PER_SECOND;
      total += used;
      out(`  ${name.padEnd(16)} ${(used / (wallMs / 1000)).toFixed(2)} cores · ${((used * 1000) / burst.length).toFixed(0)} CPU ms per checkout`);
    }
    out(`  ${'all'.padEnd(16)} ${(total / (wallMs / 1000)).toFixed(2)} cores of ${cpus().length}`);
    out(`memory (RSS) after the burst: ${memory.map(([name, mib]) => `${name} ${mib.toFixed(0)} MiB`).join(' · ')} (PostgreSQL: postmaster + backends, shared memory counted per process)`);
    out(`machine          ${cpus().length} CPUs, node ${process.version}; 1-min load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after (other work on the machine skews the figures)`);
  } finally {
    await connection?.close();
    const stopping = performance.now();
    await cluster.stop();
    out(`cluster stop     ${ms(performance.now() - stopping)}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/cluster: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
