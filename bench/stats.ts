/** Figures the benchmarks print: latency percentiles. */
export const ms = (v: number) => `${Math.round(v)} ms`;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function latencyLine(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `p50 ${ms(percentile(s, 50))} · p95 ${ms(percentile(s, 95))} · max ${ms(s[s.length - 1] ?? 0)} · min ${ms(s[0] ?? 0)} · mean ${ms(mean)} (n=${s.length})`;
}
