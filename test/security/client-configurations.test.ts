/**
 * Whatever a client is configured with, no plaintext token is written anywhere: the dev server persists its
 * history in a SQLite file here, and that file, the histories, the SDK's log entries (and the production
 * jsonLogger's lines), errors and CLI output are searched for every token the checkouts used.
 *
 * - no key at all: the client and the CLI refuse (ConfigError / exit 2, one line naming CODEC_KEYS); nothing starts;
 * - a payload key but no seal key: a start and a token refresh are refused naming TOKEN_SEAL_PUBLIC_KEY;
 * - both keys: the checkout completes; a token handed in later through `refreshToken` is sealed too;
 * - INSECURE_PLAINTEXT_PAYLOADS=true (throwaway local use) on client and worker: payloads sit readable in the
 *   database (seats, request id, the SEALED token), the token itself does not;
 * - a caller that skips the client and starts with a plaintext token (a bare SDK client, no codec): the worker
 *   refuses it (TokenNotSealed, nothing sent to Womei). That token is in the database, written by that caller:
 *   the positive control that this search finds a plaintext token where there is one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { LogEntry } from '@temporalio/worker';
import { CheckoutClient } from '../../src/client';
import { EXIT, runCli, type CliIo } from '../../src/cli';
import { generateCodecKey } from '../../src/codec/keys';
import { ConfigError } from '../../src/config';
import { tokenFingerprint } from '../../src/sandbox/store';
import { SEALED_TOKEN_PATTERN } from '../../src/seal/format';
import { checkoutWorkflowId } from '../../workflows/messages';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import { findSecrets, FIXTURE, installRuntime, jsonLoggerLines, request, startSecureEnv, type NamedSecret, type SecureEnv } from './secure-env';

const logs: LogEntry[] = [];
installRuntime(logs);

const KEYS = generateCodecKey('cfg1');
const SEATS = FIXTURE.seats.beijing;
const CODES = FIXTURE.vouchers.rich.unused;

let scratch: string;
let dbFile: string;
let e: SecureEnv;
/** Tokens our clients handled: none may be anywhere. */
const tokens: NamedSecret[] = [];
/** Workflow ids of the checkouts our clients ran. */
const runs: string[] = [];
const errors: { what: string; error: unknown }[] = [];
const cliOutput: string[] = [];
let bypass: { token: string; workflowId: string } | undefined;
let optIn: { requestId: string; sealed: string } | undefined;

async function freshToken(name: string): Promise<string> {
  const value = await e.sandbox.admin.addToken(FIXTURE.userIds.rich);
  tokens.push({ name: `token:${name}`, value });
  return value;
}

async function nothingStarted(client: CheckoutClient, requestId: string): Promise<boolean> {
  return client.temporal.workflow
    .getHandle(checkoutWorkflowId(requestId))
    .describe()
    .then(
      () => false,
      () => true,
    );
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const io: CliIo = { out: (l) => cliOutput.push(l), err: (l) => cliOutput.push(l), env, readStdin: async () => '' };
  return runCli(args, io, (config) => CheckoutClient.connect({ config, connection: e.env.connection, namespace: 'default' }));
}

/** Every SQLite file of the dev server's database, as text. */
function database(): string {
  return ['', '-wal', '-shm']
    .map((suffix) => `${dbFile}${suffix}`)
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'sec-config-'));
  dbFile = join(scratch, 'temporal.sqlite');
  e = await startSecureEnv({ name: 'sec-config', dbFilename: dbFile });
  await e.startWorker(KEYS);
}, DEV_SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await e?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('client configurations', () => {
  test('no key at all: the client refuses to run, the CLI exits 2 with one line saying what to set; nothing starts', async () => {
    const token = await freshToken('no-key');
    const refused = await e.clientWith({}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/^no payload encryption key: set CODEC_KEYS .*npm start.*INSECURE_PLAINTEXT_PAYLOADS=true/);
    errors.push({ what: 'no-key client', error: refused });

    const requestId = `cfg-${randomUUID().slice(0, 8)}`;
    const before = cliOutput.length;
    const code = await cli(
      ['start', '--request-id', requestId, '--cinema', FIXTURE.cinemas.beijing, '--schedule', String(FIXTURE.schedules.beijing), '--seat', SEATS[0]!, '--best'],
      { TEMPORAL_ADDRESS: e.env.address, TEMPORAL_TASK_QUEUE: e.taskQueue, LOCAL_KEYS_FILE: '', WOMEI_TOKEN: token },
    );
    expect(code).toBe(EXIT.usage);
    expect(cliOutput.slice(before)).toEqual([expect.stringMatching(/^error: no payload encryption key: set CODEC_KEYS/)]);
    expect(await nothingStarted(await e.client(KEYS), requestId)).toBe(true);
  });

  test('a payload key but no seal key: a start and a token refresh are refused naming TOKEN_SEAL_PUBLIC_KEY; nothing starts', async () => {
    const token = await freshToken('no-seal');
    const client = await e.clientWith({ CODEC_KEYS: KEYS });
    const req = request({ token, seats: [SEATS[0]!], vouchers: { codes: [CODES[0]!] } });
    const refused = await client.startCheckout(req).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/^no token seal key: set TOKEN_SEAL_PUBLIC_KEY/);
    const refresh = await client.refreshToken(req.requestId, token).catch((err: unknown) => err);
    expect(refresh).toBeInstanceOf(ConfigError);
    errors.push({ what: 'no-seal start', error: refused }, { what: 'no-seal refresh', error: refresh });
    expect(await nothingStarted(client, req.requestId)).toBe(true);
  });

  test('both keys: the checkout completes', async () => {
    const client = await e.client(KEYS);
    const req = request({ token: await freshToken('keys'), seats: [SEATS[0]!, SEATS[1]!], vouchers: { codes: [CODES[0]!, CODES[1]!] } });
    const { workflowId } = await client.startCheckout(req);
    expect(await client.waitForResult(workflowId)).toMatchObject({ outcome: 'COMPLETED' });
    runs.push(workflowId);
  });

  test('refreshToken: an expired token, then a fresh one handed in through the client (sealed there): completes', async () => {
    const client = await e.client(KEYS);
    const first = await freshToken('refresh-first');
    const second = await freshToken('refresh-second');
    await e.sandbox.admin.expireToken(first);
    const req = request({ token: first, seats: [SEATS[2]!], vouchers: { codes: [CODES[2]!] } });
    const { workflowId } = await client.startCheckout(req);
    const until = Date.now() + 20_000;
    while ((await client.getStatus(workflowId).catch(() => undefined))?.phase !== 'WAITING_FOR_TOKEN') {
      if (Date.now() > until) throw new Error('the checkout never waited for a token');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await client.refreshToken(workflowId, second)).toMatchObject({ resumed: true });
    expect(await client.waitForResult(workflowId)).toMatchObject({ outcome: 'COMPLETED' });
    runs.push(workflowId);
  });

  test('a caller that skips the client (bare SDK client, no codec, plaintext token): the worker refuses it, nothing reaches Womei', async () => {
    const token = await e.sandbox.admin.addToken(FIXTURE.userIds.rich);
    const req = request({ token, seats: [SEATS[3]!], vouchers: { codes: [CODES[3]!] } });
    const started = await e.env.client.workflow.start('checkout', { taskQueue: e.taskQueue, workflowId: checkoutWorkflowId(req.requestId), args: [req] });
    // Read back with the keys: the worker encrypted its failure.
    const handle = (await e.client(KEYS)).temporal.workflow.getHandle(started.workflowId);
    const failed = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    const cause = (failed as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toMatchObject({ type: 'TokenNotSealed', nonRetryable: true });
    expect(cause.message).not.toContain(token);
    const requests = await e.sandbox.admin.requests(1000);
    expect(requests.recent.filter((r) => r.tokenFingerprint === tokenFingerprint(token))).toEqual([]);
    bypass = { token, workflowId: handle.workflowId };
  });

  test('INSECURE_PLAINTEXT_PAYLOADS=true on client and worker: readable payloads, the token still sealed', async () => {
    await e.stopWorker();
    await e.startWorker(undefined);
    const client = await e.client(undefined);
    const req = request({
      token: await freshToken('opt-in'),
      scheduleId: String(FIXTURE.schedules.beijingLate),
      seats: [FIXTURE.seats.beijingLate[0]!],
      vouchers: { codes: [CODES[4]!] },
    });
    const { workflowId } = await client.startCheckout(req);
    expect(await client.waitForResult(workflowId)).toMatchObject({ outcome: 'COMPLETED' });
    const history = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
    const input = JSON.parse(Buffer.from(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString('utf8')) as { token: string };
    expect(input.token).toMatch(SEALED_TOKEN_PATTERN);
    runs.push(workflowId);
    optIn = { requestId: req.requestId, sealed: input.token };
  });
});

describe('searched for the tokens', () => {
  test('every scenario ran', () => {
    expect(tokens.map((t) => t.name)).toEqual(['token:no-key', 'token:no-seal', 'token:keys', 'token:refresh-first', 'token:refresh-second', 'token:opt-in']);
    expect(runs).toHaveLength(3);
    expect(bypass).toBeDefined();
    expect(optIn).toBeDefined();
  });

  test("the dev server's SQLite database: none of our tokens; the bare caller's plaintext and the opt-in payloads are readable there", () => {
    const db = database();
    // Positive controls: the search finds a plaintext token where one was written, and readable payloads.
    expect(db).toContain(bypass!.token);
    expect(db).toContain(optIn!.requestId);
    expect(db).toContain(FIXTURE.seats.beijingLate[0]!);
    expect(db).toContain(optIn!.sealed);
    expect(tokens.filter((t) => db.includes(t.value)).map((t) => t.name)).toEqual([]);
  });

  test('histories (SDK fetchHistory): none of our tokens', async () => {
    const client = await e.client(KEYS);
    for (const workflowId of runs) {
      const history = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
      expect({ workflowId, found: findSecrets(history, tokens) }).toEqual({ workflowId, found: [] });
    }
  });

  test('errors and CLI output: no token', () => {
    expect(errors).toHaveLength(3);
    for (const { what, error } of errors) expect({ what, found: findSecrets(error, tokens) }).toEqual({ what, found: [] });
    expect(cliOutput.length).toBeGreaterThan(0);
    expect(findSecrets(cliOutput, tokens)).toEqual([]);
  });

  test("the SDK's log entries and the production jsonLogger's lines: no token, the bare caller's included", () => {
    const all = [...tokens, { name: 'bypass', value: bypass!.token }];
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l) => /^womei createOrder ok/.test(l.message))).toBe(true);
    expect(findSecrets(logs.map((l) => ({ level: l.level, message: l.message, meta: l.meta })), all)).toEqual([]);
    const lines = jsonLoggerLines(logs);
    expect(findSecrets(lines.join(''), all)).toEqual([]);
  });
});
