/**
 * Replays the saved histories of real checkout runs (test/histories/, written by scripts/save-histories.ts)
 * against the current workflow code. A change that alters the sequence of commands of a shipped shape without
 * `patched()` fails here with a non-determinism error. Old history files are never deleted or regenerated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { installQuietRuntime } from '../helpers/checkout-harness';
import { historyFromJsonFile } from '../helpers/history-json';
import { checkoutBundlePath } from '../helpers/workflow-bundle';

const DIR = join(__dirname, '..', 'histories');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('there are saved histories of the happy path, a compensation and a token refresh', () => {
  const names = FILES.join(' ');
  expect(names).toMatch(/completed-2-vouchers/);
  expect(names).toMatch(/compensated-voucher-unusable/);
  expect(names).toMatch(/token-refresh/);
});

test('every saved history replays deterministically on the current workflow code', async () => {
  installQuietRuntime();
  const codePath = await checkoutBundlePath();
  const histories = FILES.map((f) => ({ workflowId: f.replace(/\.json$/, ''), history: historyFromJsonFile(JSON.parse(readFileSync(join(DIR, f), 'utf8'))) }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath } }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(FILES.length);
}, 60_000);
