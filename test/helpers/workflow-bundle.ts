/**
 * The checkout workflow bundle, built once per source version and cached on disk, so each test file's
 * in-process worker (and a spawned `src/worker.ts` via WORKER_WORKFLOW_BUNDLE) starts without re-running
 * webpack. The cache key hashes every file the bundle can contain; a stale bundle is never reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter';
import { WORKFLOWS_PATH } from '../../src/worker';

const ROOT = resolve(__dirname, '..', '..');
const INPUTS = ['workflows', 'src/failure-types.ts', 'src/redact.ts', 'src/seal/format.ts', 'src/womei', 'src/codec/failure-converter.ts', 'package-lock.json'];

function filesOf(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (!abs.endsWith('.ts') && !abs.endsWith('.json')) {
    return readdirSync(abs, { withFileTypes: true })
      .flatMap((d) => filesOf(join(rel, d.name)))
      .sort();
  }
  return [abs];
}

function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of INPUTS.flatMap(filesOf)) h.update(f).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

let cached: Promise<string> | undefined;

/** Path of a bundle of the current workflow sources (built on first use). */
export function checkoutBundlePath(): Promise<string> {
  cached ??= (async () => {
    const dir = join(tmpdir(), 'womei-checkout-bundles');
    const file = join(dir, `checkout-${sourceHash()}.js`);
    if (existsSync(file)) return file;
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: new DefaultLogger('WARN'),
    });
    mkdirSync(dir, { recursive: true });
    // Several jest workers may build at once: write aside, then rename (atomic on one file system).
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
    return file;
  })();
  return cached;
}
