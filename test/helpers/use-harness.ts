/**
 * The checkout harness (checkout-harness.ts) shared by one jest test file: started before its tests, closed
 * after them, the sandbox reset before each test unless told otherwise.
 */
import { startHarness, type CheckoutHarness, type HarnessOptions } from './checkout-harness';
import { perFile } from './per-file';
import { DEV_SERVER_START_TIMEOUT_MS } from './temporal-env';

export interface UseHarnessOptions extends HarnessOptions {
  /** Reset the sandbox before each test (default true): every test orders from the fixture as it was. */
  resetEachTest?: boolean;
  /** Runs before the harness closes: what the test file opened on it (a client, a child process). */
  beforeClose?: (h: CheckoutHarness) => Promise<void>;
}

export function useHarness(options: UseHarnessOptions): CheckoutHarness {
  const { resetEachTest = true, beforeClose, ...harnessOptions } = options;
  return perFile(`harness ${options.name}`, {
    start: () => startHarness(harnessOptions),
    close: async (h) => {
      await beforeClose?.(h);
      await h.close();
    },
    ...(resetEachTest ? { reset: (h: CheckoutHarness) => h.sandbox.admin.reset() } : {}),
    startTimeoutMs: DEV_SERVER_START_TIMEOUT_MS,
  });
}
