/**
 * The Temporal server killed -9 in the middle of a burst of checkouts of ONE user, and started again on the
 * same database file: activities whose answers died with it time out, creates look lost, searches and claims
 * race each other. Every order must still be its own checkout's, judged from the sandbox ledger and the claim
 * registry (helpers/ownership.ts). The dev server is the official CLI's `temporal server start-dev --db-filename`
 * started by src/dev-server.ts (TestWorkflowEnvironment cannot restart on the same database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { generateSealKeyPair } from '../../src/seal/keys';
import { tokenSealerFor, type TokenSealer } from '../../src/seal/seal';
import { startDevServer, type RunningDevServer } from '../../src/dev-server';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { startCheckoutWorker, type RunningCheckoutWorker } from '../../src/worker';
import type { checkout } from '../../workflows/checkout';
import type { CheckoutResult } from '../../workflows/messages';
import { checkoutWorkflowId } from '../../workflows/messages';
import { checkoutRequest, FIXTURE, installQuietRuntime, type Settled } from '../helpers/checkout-harness';
import { hall8Seat, ownershipViolations } from '../helpers/ownership';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { checkoutBundlePath } from '../helpers/workflow-bundle';

const CHECKOUTS = 14;

let dir: string;
let address: string;
let server: RunningDevServer | undefined;
let sandbox: RunningSandbox;
let worker: RunningCheckoutWorker | undefined;
let nativeConnection: NativeConnection | undefined;
let connection: Connection | undefined;
let client: Client;
let sealer: TokenSealer;
const taskQueue = `crash-${process.pid}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const startServer = () => startDevServer({ address, namespace: 'default', dbFile: join(dir, 'temporal.sqlite') });

beforeAll(async () => {
  installQuietRuntime();
  dir = mkdtempSync(join(tmpdir(), 'womei-crash-'));
  address = `127.0.0.1:${await freePort()}`;
  const [started, sb, bundlePath] = await Promise.all([
    startServer(),
    startSandbox({ port: 0, sweepIntervalMs: 200, voucherQuota: 1000, rateLimitPerMinute: 100_000 }),
    checkoutBundlePath(),
  ]);
  server = started;
  sandbox = sb;
  const seal = generateSealKeyPair('crash');
  const config = loadConfig(
    {
      // Readable payloads (the client below has no codec); tokens sealed as any client seals them.
      INSECURE_PLAINTEXT_PAYLOADS: 'true',
      TOKEN_SEAL_PUBLIC_KEY: seal.publicKey,
      TOKEN_SEAL_PRIVATE_KEYS: seal.privateKey,
      WOMEI_BASE_URL: sandbox.url,
      WOMEI_CANCEL_PATH: 'order/cancel/',
      WOMEI_TIMEOUT_MS: '3000',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_SHUTDOWN_GRACE_MS: '1000',
      LOG_LEVEL: 'WARN',
    },
    {},
  );
  sealer = tokenSealerFor(config)!;
  nativeConnection = await NativeConnection.connect({ address });
  worker = await startCheckoutWorker({ connection: nativeConnection, config, workflowBundle: { codePath: bundlePath } });
  connection = await Connection.connect({ address });
  client = new Client({ connection });
}, DEV_SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await nativeConnection?.close().catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await sandbox?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The outcome, asked again while the server is away (a result poll in flight dies with it). */
async function settle(handle: WorkflowHandle<typeof checkout>): Promise<Settled> {
  for (;;) {
    try {
      return { status: 'COMPLETED', result: await handle.result() };
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        const cause = err.cause;
        if (cause instanceof CancelledFailure) return { status: 'CANCELLED', result: cause.details?.[0] as CheckoutResult | undefined };
        if (cause instanceof ApplicationFailure) {
          return { status: 'FAILED', type: cause.type ?? '', message: cause.message, result: cause.details?.[0] as CheckoutResult | undefined };
        }
        return { status: 'FAILED', type: cause?.name ?? 'unknown', message: cause?.message ?? err.message };
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

test(`the server killed -9 mid-burst (${CHECKOUTS} checkouts of one user) and restarted on its database: every order stays its own`, async () => {
  const before = await sandbox.admin.ledger();
  const codes = await sandbox.admin.mintVouchers(FIXTURE.userIds.rich, CHECKOUTS);
  await sandbox.admin.addFault([
    { endpoint: 'order/ticket/', kind: 'latency', minMs: 0, maxMs: 600 },
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'latency', minMs: 200, maxMs: 900 },
    { endpoint: 'order/ticket/', kind: 'lostResponse', rate: 0.3 },
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'lostResponse', rate: 0.15 },
  ]);
  const requests = codes.map((code, i) =>
    checkoutRequest({ seats: [hall8Seat(2 + Math.floor(i / 6), 1 + (i % 6) * 2), hall8Seat(2 + Math.floor(i / 6), 2 + (i % 6) * 2)], vouchers: { codes: [code] } }),
  );
  const handles = await Promise.all(
    requests.map((r) => client.workflow.start<typeof checkout>('checkout', { taskQueue, workflowId: checkoutWorkflowId(r.requestId), args: [{ ...r, token: sealer.seal(r.token) }] })),
  );

  // Kill while orders are being made: some creates answered, others in flight.
  for (let i = 0; i < 400; i++) {
    const made = (await sandbox.admin.ledger()).orders.length - before.orders.length;
    if (made >= CHECKOUTS / 3) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await server!.kill();
  const atKill = (await sandbox.admin.ledger()).orders.filter((o) => !before.orders.some((b) => b.orderId === o.orderId));
  await new Promise((r) => setTimeout(r, 1_000));
  server = await startServer();

  const settled = await Promise.all(handles.map((handle) => settle(handle)));
  const ledger = await sandbox.admin.ledger();
  const checkouts = requests.map((r, i) => ({ workflowId: checkoutWorkflowId(r.requestId), seats: r.seats, codes: [codes[i]!], settled: settled[i]! }));
  // The kill came mid-run: orders existed, and some were not bound yet.
  expect(atKill.length).toBeGreaterThan(0);
  expect(atKill.some((o) => o.boundCodes.length === 0)).toBe(true);
  expect(await ownershipViolations(ledger, checkouts, { client, before, releasedWhenCompensated: true })).toEqual([]);
  // Whatever each one's outcome, no voucher is left on a dead order and a completed one is ready to pay.
  expect(ledger.invariants.boundToDeadOrders).toEqual([]);
  expect(settled.filter((s) => s.status === 'COMPLETED').length).toBeGreaterThan(0);
});
