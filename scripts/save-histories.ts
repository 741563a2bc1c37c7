/**
 * Saves histories of real checkout runs (dev server + sandbox + in-process worker) under test/histories/, for
 * the replay test. Run after a deliberate, patched() change to the workflow's shape, and commit the new files
 * NEXT to the old ones (old histories must keep replaying):
 *
 *   npx tsx scripts/save-histories.ts            # every scenario, file names prefixed with today's date
 *   npx tsx scripts/save-histories.ts token-refresh
 *   npx tsx scripts/save-histories.ts --stamp=20261203b   # a second shape on one day: never overwrite a saved one
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { resolveTemporalCli } from '../src/temporal-cli';
import { startHarness } from '../test/helpers/checkout-harness';
import { HISTORY_SCENARIOS, wrapWomeiForHistories } from '../test/helpers/history-scenarios';

async function main(args: string[]): Promise<void> {
  const stampOption = args.find((a) => a.startsWith('--stamp='))?.slice('--stamp='.length);
  if (stampOption !== undefined && !/^\d{8}[a-z]?$/.test(stampOption)) throw new Error(`--stamp: must be a date like 20261203, optionally a letter after it; got ${stampOption}`);
  const only = args.filter((a) => !a.startsWith('--'));
  const dir = resolve(__dirname, '..', 'test', 'histories');
  await mkdir(dir, { recursive: true });
  const stamp = stampOption ?? new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const h = await startHarness({ name: 'save-histories', sandbox: { paymentSeconds: 0.3 }, wrapWomei: wrapWomeiForHistories });
  try {
    for (const [name, scenario] of Object.entries(HISTORY_SCENARIOS)) {
      if (only.length > 0 && !only.includes(name)) continue;
      await h.sandbox.admin.reset();
      const handle = await scenario(h);
      // The official CLI writes the JSON form `historyFromJSON` reads (the same as the Web UI's download).
      const { stdout } = await promisify(execFile)(
        resolveTemporalCli(),
        ['workflow', 'show', '--address', h.env.address, '--workflow-id', handle.workflowId, '--output', 'json'],
        { maxBuffer: 64 << 20 },
      );
      const events = (JSON.parse(stdout) as { events: unknown[] }).events.length;
      const file = join(dir, `${stamp}-${name}.json`);
      if (existsSync(file)) throw new Error(`${file} exists: saved histories are never overwritten (give --stamp=…)`);
      await writeFile(file, stdout.endsWith('\n') ? stdout : `${stdout}\n`);
      process.stdout.write(`saved ${file} (${events} events)\n`);
    }
  } finally {
    await h.close();
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
