/**
 * `npm run build` step: bundles the workflow code once (lib/workflow-bundle.js) so production workers start
 * without webpack (`WORKER_WORKFLOW_BUNDLE=lib/workflow-bundle.js`); see src/workflow-bundle.ts.
 */
import { resolve } from 'node:path';
import { bundleTo } from '../src/workflow-bundle';

if (require.main === module) {
  const out = resolve(__dirname, '..', process.argv[2] ?? 'lib/workflow-bundle.js');
  bundleTo(out)
    .then((file) => process.stdout.write(`workflow bundle written to ${file}\n`))
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
