/**
 * A worker process killed (SIGKILL) in the middle of a bind whose request has reached Womei: another worker
 * takes over after the activity's startToCloseTimeout, binds again (idempotent), and the checkout finishes
 * once — one order, one binding. The first worker is the real `src/worker.ts` started like `npm run worker`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { checkoutRequest, FIXTURE, RICH_CODES } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const ROOT = resolve(__dirname, '..', '..');
let child: ChildProcess | undefined;
const h = useHarness({
  name: 'restart',
  startWorker: false,
  resetEachTest: false,
  beforeClose: async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  },
});

function spawnWorker(): { proc: ChildProcess; started: Promise<void>; output: () => string } {
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...h.variables,
      TEMPORAL_ADDRESS: h.env.address,
      WORKER_WORKFLOW_BUNDLE: h.bundlePath,
      LOG_LEVEL: 'INFO',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((res, rej) => {
    const t = setInterval(() => {
      if (out.includes('checkout worker started')) {
        clearInterval(t);
        res();
      } else if (proc.exitCode !== null) {
        clearInterval(t);
        rej(new Error(`worker exited ${proc.exitCode}: ${out}`));
      }
    }, 50);
  });
  return { proc, started, output: () => out };
}

test('worker SIGKILLed mid-bind: another worker finishes the checkout exactly once', async () => {
  const w = spawnWorker();
  child = w.proc;
  await w.started;
  // The bind's request reaches the sandbox and is applied 2.5 s later, after its worker is dead.
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'latency', ms: 2_500, count: 1 });
  const handle = await h.start(checkoutRequest({ limits: { callTimeoutMs: 4_000 } }));
  await h.waitForStatus(handle, (s) => s.phase === 'BINDING', 30_000);
  // Kill only once the bind request is at the sandbox (the latency rule has fired) and the worker has written a
  // log line with workflow context: the SDK flushes logs every ~100-200 ms, and a kill before that would leave
  // nothing to check below.
  const bindArrived = async () => (await h.sandbox.admin.faults()).some((f) => f.hits > 0);
  for (let i = 0; i < 200 && !((await bindArrived()) && w.output().includes('"workflowId"')); i++) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGKILL');
  // 'close', not 'exit': the pipes are drained by then.
  await new Promise((r) => child!.once('close', r));
  // Logs are JSON lines carrying workflow/activity context, and never the token.
  expect(w.output()).toContain('"workflowId"');
  expect(w.output()).not.toContain(FIXTURE.tokens.rich);

  await h.startWorker();
  const result = await handle.result();
  expect(result).toMatchObject({ outcome: 'COMPLETED', vouchers: [RICH_CODES[0], RICH_CODES[1]] });
  const status = await h.status(handle);
  // The timed-out bind had landed: the order shows it, so it is not bought (quota) a second time.
  expect(status.attempts).toMatchObject({ bindVouchers: 1, checkBinding: 1 });
  expect(status.lastError?.type).toBe('ActivityTimeout');

  const ledger = await h.ledger();
  expect(ledger.requests.byEndpoint['POST order/ticket/']).toBe(1);
  const live = ledger.orders.filter((o) => o.live);
  expect(live).toHaveLength(1);
  expect(live[0]).toMatchObject({ orderId: result.orderId, boundCodes: [RICH_CODES[0], RICH_CODES[1]] });
  expect(ledger.invariants.ok).toBe(true);
  // One bind of two codes, validated once (bind first: no pre-check).
  expect(ledger.quota[FIXTURE.userIds.rich]!.used).toBe(2);
}, 60_000);
