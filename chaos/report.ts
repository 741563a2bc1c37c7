/** The chaos run's table: what was submitted, how it ended, what was injected, and the audit by rule. */
import { RULES, type RuleId } from './audit';
import type { ChaosReport } from './run';

function countBy<T>(items: readonly T[], key: (t: T) => string | undefined): [string, number][] {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const list = (pairs: readonly [string, number][]) => (pairs.length === 0 ? 'none' : pairs.map(([k, v]) => `${k} ${v}`).join(', '));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The table as lines (markdown-friendly: `| what | figures |`). */
export function reportTable(r: ChaosReport): string[] {
  const ends = r.checkouts.map((c) => c.end);
  const results = ends.flatMap((e) => (e?.kind === 'result' ? [e.result] : []));
  const completed = results.filter((x) => x.outcome === 'COMPLETED');
  const compensated = results.filter((x) => x.outcome === 'COMPENSATED');
  const attention = results.filter((x) => x.outcome === 'NEEDS_ATTENTION');
  const runningAttention = ends.filter((e) => e?.kind === 'running' && e.phase === 'NEEDS_ATTENTION').length;
  const notEnded = ends.length - results.length - runningAttention;
  const starts = r.checkouts.flatMap((c) => c.starts);
  const duplicates = r.checkouts.filter((c) => c.starts.length > 1);
  const claimedStart = duplicates.filter((c) => c.starts.filter((s) => s.started === true).length > 1).length;
  const faultKinds = countBy(r.faults.flatMap((f) => Array<string>(f.hits).fill(f.kind)), (k) => k);
  const injected = r.faults.filter((f) => f.kind !== 'latency').reduce((a, f) => a + f.hits, 0);
  const d = r.disruptions;
  const kills = d.filter((x) => x.kind === 'killWorker').length;
  const terms = d.filter((x) => x.kind === 'termWorker');
  const serverKills = d.filter((x) => x.kind === 'killServer');
  const databaseRestarts = d.filter((x) => x.kind === 'restartDatabase');
  const held = d.filter((x) => x.kind === 'killWorker').map((x) => x.inFlight);
  const restarts = d.filter((x) => x.restartMs !== undefined).length;
  const latencies = r.checkouts.map((c) => c.latencyMs).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const total = r.audit.violations.length;
  const rows: [string, string][] = [
    ['seed', `${r.seed} (replay: npm run chaos -- --seed ${r.seed} --checkouts ${r.settings.checkouts} --concurrency ${r.settings.concurrency}${r.topologyName === 'cluster' ? ' --cluster' : ''})`],
    ['topology', r.topology.join('; ')],
    ['submitted', `${r.checkouts.length} checkouts, ${r.settings.concurrency} at a time; ${starts.length} start calls (${duplicates.length} request ids started more than once; ${claimedStart} of them answered started=true twice)`],
    ['completed', `${completed.length} (ready to pay ${completed.filter((x) => x.state === 'READY_TO_PAY').length}, issued ${completed.filter((x) => x.state === 'ISSUED').length})`],
    ['compensated', `${compensated.length}: ${list(countBy(compensated, (x) => x.reason?.type))}`],
    ['needs attention', `${attention.length + runningAttention}${attention.length + runningAttention > 0 ? `: ${list(countBy(attention, (x) => x.reason?.type))}${runningAttention ? `, still waiting ${runningAttention}` : ''}` : ''}`],
    ['not ended', String(notEnded)],
    ['faults injected', `${injected} (${list(faultKinds.filter(([k]) => k !== 'latency'))}); latency added to ${faultKinds.find(([k]) => k === 'latency')?.[1] ?? 0} requests`],
    ['kills', `worker SIGKILL ${kills}${held.some((h) => h !== undefined) ? ` (holding ${held.map((h) => h ?? '?').join(', ')} activity task(s))` : ''}, worker SIGTERM ${terms.length}${terms.length ? ` (${terms.map((t) => (t.exit ? `exit ${t.exit.code ?? t.exit.signal} in ${seconds(t.exit.ms)}, ${t.exit.drained ?? 0} running call(s) finished first` : t.error ?? '?')).join(', ')})` : ''}, Temporal server SIGKILL ${serverKills.length}${serverKills.length ? ` (down ${serverKills.map((s) => seconds(s.downMs + (s.restartMs ?? 0))).join(', ')})` : ''}${databaseRestarts.length ? `, database restart (fast shutdown) ${databaseRestarts.length} (${databaseRestarts.map((x) => (x.restartMs !== undefined ? seconds(x.restartMs) : x.error ?? '?')).join(', ')})` : ''}`],
    ['restarts', `${restarts}${d.some((x) => x.error) ? ` (failed: ${d.filter((x) => x.error).map((x) => x.error).join('; ')})` : ''}`],
    ['womei requests', `${r.requests.total}; orders made ${r.audit.orders.made}, paid ${r.audit.orders.paid}, live at the end ${r.audit.orders.liveAtEnd}; ready-to-pay holds that lapsed between the last read and the result ${r.audit.orders.lapsedAfterLastRead}`],
    ['time', `wall ${seconds(r.wallMs)} (drive ${seconds(r.driveMs)}); per checkout p50 ${seconds(percentile(latencies, 50))}, p95 ${seconds(percentile(latencies, 95))}, max ${seconds(latencies[latencies.length - 1] ?? 0)}`],
    ...Object.keys(RULES).map((rule): [string, string] => [`violations: ${rule}`, String(r.audit.byRule[rule as RuleId])]),
    ['violations', `${total}${total === 0 ? '' : ' — see below and the JSON'}`],
  ];
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

/** The first violations, one line each. */
export function violationLines(r: ChaosReport, max = 40): string[] {
  const v = r.audit.violations;
  return [
    ...v.slice(0, max).map((x) => `  ${x.rule}: ${x.requestId ?? '-'} ${x.orderId ? `order ${x.orderId}` : ''} — ${x.detail}`),
    ...(v.length > max ? [`  … ${v.length - max} more in ${r.jsonFile}`] : []),
  ];
}
