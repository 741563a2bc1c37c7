/**
 * The checkout workflows bundled once into a file, so workers start without webpack
 * (`WORKER_WORKFLOW_BUNDLE=<file>`): `npm run build` (scripts/bundle-workflows.ts) and `npm run cluster`. The
 * failure converter of the payload codec is bundled in, as src/codec/data-converter.ts requires for prebuilt bundles.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './codec/data-converter';
import { WORKFLOWS_PATH } from './worker';

export async function bundleTo(outFile: string, options: { quiet?: boolean } = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(options.quiet ? { logger: new DefaultLogger('WARN') } : {}),
  });
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return outFile;
}
