/** Option parsing shared by the figure-printing scripts (bench, chaos): one usage error, one integer rule. */

/** Bad command-line usage: the script prints it with its usage text and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--name` as an integer of at least `min`, or `fallback` when absent. */
export function intOption(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}
