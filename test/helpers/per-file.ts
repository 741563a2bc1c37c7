/**
 * A resource one jest test file shares between its tests: started before them, closed after them, optionally
 * reset before each. The stand-in returned is usable from the first test on (it reaches the started resource).
 */
export interface PerFile<T> {
  start: () => Promise<T>;
  close: (started: T) => Promise<void>;
  /** Before each test, e.g. the sandbox back to its fixture. */
  reset?: (started: T) => Promise<void>;
  /** beforeAll's timeout (a dev server's cold start needs more than jest's default). */
  startTimeoutMs?: number;
}

export function perFile<T extends object>(what: string, hooks: PerFile<T>): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await hooks.start();
  }, hooks.startTimeoutMs);
  afterAll(async () => {
    if (started) await hooks.close(started);
  });
  const { reset } = hooks;
  if (reset) beforeEach(() => reset(started!));
  return new Proxy({} as T, {
    get(_target, key) {
      if (!started) throw new Error(`${what}: used before beforeAll started it`);
      return started[key as keyof T];
    },
  });
}
