/**
 * `npm run build` step: bundles the workflow code once (lib/workflow-bundle.js) so production workers start
 * without webpack (`WORKER_WORKFLOW_BUNDLE=lib/workflow-bundle.js`). The failure converter of the payload codec
 * is bundled in, as src/codec/data-converter.ts requires for prebuilt bundles.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../src/codec/data-converter';
import { WORKFLOWS_PATH } from '../src/worker';

export async function bundleTo(outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH });
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return outFile;
}

if (require.main === module) {
  const out = resolve(__dirname, '..', process.argv[2] ?? 'lib/workflow-bundle.js');
  bundleTo(out)
    .then((file) => process.stdout.write(`workflow bundle written to ${file}\n`))
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
