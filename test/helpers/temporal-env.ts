/**
 * Starts the official Temporal CLI dev server through the SDK (never a mock of Temporal), with the checkout's
 * search attributes registered. A cold start on two cores takes several seconds: give beforeAll a long timeout.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { resolveTemporalCli } from '../../src/temporal-cli';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

export const DEV_SERVER_START_TIMEOUT_MS = 120_000;

/**
 * `dbFilename`: persist history in that SQLite file (the security suite greps it); default in memory.
 * `dynamicConfig`: server settings (`--dynamic-config-value`), e.g. for a benchmark that varies them.
 */
export async function startDevServer(options: { dbFilename?: string; dynamicConfig?: Record<string, string | number> } = {}): Promise<TestWorkflowEnvironment> {
  const extraArgs = Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalCli() },
      ...(options.dbFilename !== undefined ? { dbFilename: options.dbFilename } : {}),
      searchAttributes: CHECKOUT_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs,
    },
  });
}
