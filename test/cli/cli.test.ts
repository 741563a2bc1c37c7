/**
 * The CLI against the real dev server, a real worker and the sandbox. Most cases run `runCli` in-process
 * (same code as the binary, output captured); a few spawn `bin/womei-checkout.js` to prove the binary, its
 * exit codes and its refusal of bad usage as a user meets them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckoutClient } from '../../src/client';
import { spawnCli as spawnBinary, type CliRun } from '../helpers/cli-process';
import { EXIT, runCli, type CliIo } from '../../src/cli';
import { checkoutRequest, FIXTURE } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

let shared: CheckoutClient;
let cliEnv: NodeJS.ProcessEnv;

const h = useHarness({ name: 'cli', beforeClose: async () => shared?.close() });
beforeAll(async () => {
  shared = await CheckoutClient.connect({ config: h.config, connection: h.env.connection, namespace: 'default' });
  cliEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    WOMEI_TOKEN: FIXTURE.tokens.rich,
    // The harness's keys, stated (not read from a clone's LOCAL_KEYS_FILE): readable payloads, its seal key.
    LOCAL_KEYS_FILE: '',
    INSECURE_PLAINTEXT_PAYLOADS: 'true',
    TOKEN_SEAL_PUBLIC_KEY: h.config.seal.publicKey,
  };
});

type Run = CliRun;

async function cli(args: string[], env: NodeJS.ProcessEnv = cliEnv): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env, readStdin: async () => '' };
  // The CLI closes the client it is given when it is done; hand it a fresh one on the shared connection.
  const code = await runCli(args, io, (config) =>
    CheckoutClient.connect({ config, connection: h.env.connection, namespace: 'default' }),
  );
  return { code, out, err };
}

const spawnCli = (args: string[], env: NodeJS.ProcessEnv = cliEnv) => spawnBinary(args, env);

const seats = FIXTURE.seats.beijing;
const codes = FIXTURE.vouchers.rich.unused;
const startArgs = (requestId: string, extra: string[] = []) => [
  'start', '--request-id', requestId, '--cinema', FIXTURE.cinemas.beijing, '--schedule', String(FIXTURE.schedules.beijing),
  '--seat', seats[0]!, '--seat', seats[1]!, ...extra,
];
const uid = () => `cli-${Math.random().toString(36).slice(2, 10)}`;

async function nothingStarted(requestId: string): Promise<boolean> {
  return (await shared.list({ requestId })).length === 0 && (await shared.getStatus(requestId).then(() => false, () => true));
}

test('start --wait prints a line per step and the final prices, exit 0', async () => {
  const run = await cli(startArgs(uid(), ['--voucher', codes[0]!, '--voucher', codes[1]!, '--wait']));
  expect(run.err).toEqual([]);
  expect(run.code).toBe(EXIT.ok);
  const text = run.out.join('\n');
  expect(text).toMatch(/CREATING_ORDER\s+order \d{18} created/);
  expect(text).toMatch(/PRICING/);
  expect(text).toMatch(/COMPLETED — ready to pay: order \d{18}/);
  expect(text).toContain('total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00 (2 × ¥49.00)');
  expect(text).toMatch(/http:\/\/localhost:\d+\/namespaces\/default\/workflows\/checkout-cli-/);
  expect(text).not.toContain(FIXTURE.tokens.rich);
});

test('start --json, status --json, result --json, list --json, cancel --json have stable shapes', async () => {
  const requestId = uid();
  const started = await cli(startArgs(requestId, ['--best', '--json']));
  expect(started.code).toBe(EXIT.ok);
  const startJson = JSON.parse(started.out[0]!);
  expect(startJson).toEqual({ workflowId: `checkout-${requestId}`, runId: expect.any(String), started: true });

  const result = await cli(['result', requestId, '--json']);
  expect(result.code).toBe(EXIT.ok);
  expect(JSON.parse(result.out[0]!)).toMatchObject({ outcome: 'COMPLETED', requestId, orderId: expect.stringMatching(/^\d{18}$/), vouchers: expect.any(Array) });

  const status = await cli(['status', `checkout-${requestId}`, '--json']);
  expect(JSON.parse(status.out[0]!)).toMatchObject({ requestId, phase: 'COMPLETED', timeline: expect.any(Array) });
  expect(status.out[0]).not.toContain(FIXTURE.tokens.rich);

  let listed: { workflowId: string; phase: string }[] = [];
  for (let i = 0; i < 50 && listed.length === 0; i++) {
    listed = JSON.parse((await cli(['list', '--request-id', requestId, '--json'])).out[0]!);
    if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  expect(listed).toEqual([expect.objectContaining({ workflowId: `checkout-${requestId}`, phase: 'COMPLETED', status: 'COMPLETED' })]);

  const cancelled = await cli(['cancel', requestId, '--json']);
  // Cancelling a finished checkout is refused: a clear failure, exit 1, JSON error shape.
  expect(cancelled.code).toBe(EXIT.failure);
  expect(JSON.parse(cancelled.out[0]!)).toEqual({
    error: { type: 'CheckoutFinished', message: `checkout checkout-${requestId} already ended (COMPLETED); nothing to cancel` },
  });
});

test('a compensated checkout exits 3 and says why', async () => {
  const run = await cli(startArgs(uid(), ['--voucher', 'NOSUCHVOUCHER0001', '--wait']));
  expect(run.code).toBe(EXIT.compensated);
  expect(run.out.join('\n')).toMatch(/COMPENSATED: order \d{18}[\s\S]*reason VoucherNotUsable/);
});

test('cancel of a running checkout compensates it', async () => {
  await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'latency', ms: 2_000, count: 1 });
  const requestId = uid();
  expect((await cli(startArgs(requestId, ['--voucher', codes[0]!]))).code).toBe(EXIT.ok);
  await h.waitForStatus(h.client.workflow.getHandle(`checkout-${requestId}`), (s) => s.phase === 'BINDING');
  const cancelled = await cli(['cancel', requestId]);
  expect(cancelled.code).toBe(EXIT.ok);
  expect(cancelled.out[0]).toContain(`cancel requested for checkout-${requestId}`);
  const result = await cli(['result', requestId]);
  expect(result.code).toBe(EXIT.compensated);
});

test('a checkout that needs attention exits 4 and says why', async () => {
  // Token expires after the vouchers were bound and no fresh one comes: compensation cannot unbind.
  const token = await h.sandbox.admin.addToken(FIXTURE.userIds.rich);
  // The bind lands with a garbled answer; the read of the order that settles it is slow.
  await h.sandbox.admin.addFault([
    { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' }, kind: 'garbage', mode: 'truncated', count: 1 },
    { endpoint: 'order/info/', kind: 'latency', ms: 600, count: 1 },
  ]);
  const handle = await h.start(checkoutRequest({ token, limits: { tokenWaitSeconds: 1, attentionWaitSeconds: 1 } }));
  await h.waitForStatus(handle, (s) => s.lastError?.step === 'bindVouchers');
  await h.sandbox.admin.expireToken(token);
  const requestId = handle.workflowId.replace(/^checkout-/, '');
  const run = await cli(['result', requestId]);
  expect(run.code).toBe(EXIT.needsAttention);
  expect(run.out.join('\n')).toMatch(/^NEEDS_ATTENTION: order \d{18}[\s\S]*reason TokenInvalid/);
  expect(run.out.join('\n')).not.toContain(token);
});

test.each([
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['start', '--schedule', '1', '--seat', '1:1:1:a', '--best'], /--cinema is required/],
  [['start', '--cinema', '9647', '--schedule', '1', '--seat', '1:1:1:a', '--best', '--token', 'x'], /--token is not accepted/],
  [['start', '--cinema', '9647', '--schedule', '1', '--seat', '1:1:1:a'], /give --voucher CODE \(repeatable\) or --best/],
  [['start', '--cinema', '96x7', '--schedule', '1', '--seat', '1:1:1:a', '--best'], /cinemaId: must be digits/],
  [['start', '--cinema', '9647', '--schedule', '1', '--seat', 'A-1', '--best'], /seats\.0: must be a seatlable/],
  [['start', '--cinema', '9647', '--schedule', '1', '--seat', '1:1:1:a', '--best', '--max', 'two'], /--max: must be a whole number/],
  [['start', '--cinema', '9647', '--schedule', '1', '--seat', '1:1:1:a', '--best', '--colour', 'red'], /Unknown option '--colour'/],
  [['status'], /exactly one checkout id/],
  [['status', 'a"b'], /id: must be a request id/],
  [['list', '--phase', 'DANCING'], /--phase: must be one of/],
])('bad usage %j exits 2 with a clear message and starts nothing', async (args, message) => {
  const requestId = uid();
  const run = await cli([...args.slice(0, 1), ...(args[0] === 'start' ? ['--request-id', requestId] : []), ...args.slice(1)]);
  expect(run.code).toBe(EXIT.usage);
  expect(run.err.join('\n')).toMatch(message);
  expect(run.out).toEqual([]);
  expect(await nothingStarted(requestId)).toBe(true);
});

test('a missing token variable is bad usage, and the token never comes from arguments', async () => {
  const { WOMEI_TOKEN: _dropped, ...noToken } = cliEnv;
  const run = await cli(startArgs(uid(), ['--best']), noToken);
  expect(run.code).toBe(EXIT.usage);
  expect(run.err.join('\n')).toContain('$WOMEI_TOKEN');
});

describe('keys: fail closed, or found where npm start saved them', () => {
  test('no payload key (and no opt-in): start is refused with one line saying what to set, exit 2, nothing started', async () => {
    const { INSECURE_PLAINTEXT_PAYLOADS: _optIn, ...noKeys } = cliEnv;
    const requestId = uid();
    const run = await cli(startArgs(requestId, ['--best']), noKeys);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^error: no payload encryption key: set CODEC_KEYS .*run `npm start` in this clone.*INSECURE_PLAINTEXT_PAYLOADS=true/);
    expect(run.err[0]).not.toContain(FIXTURE.tokens.rich);
    // Read-only commands too: a CLI without the key could not read the answers.
    expect((await cli(['status', requestId], noKeys)).err[0]).toMatch(/no payload encryption key/);
    expect(await nothingStarted(requestId)).toBe(true);
  });

  test('no token seal key: start is refused naming TOKEN_SEAL_PUBLIC_KEY, nothing started', async () => {
    const { TOKEN_SEAL_PUBLIC_KEY: _seal, ...noSeal } = cliEnv;
    const requestId = uid();
    const run = await cli(startArgs(requestId, ['--best', '--json']), noSeal);
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.out[0]!)).toEqual({ error: { type: 'ConfigError', message: expect.stringMatching(/^no token seal key: set TOKEN_SEAL_PUBLIC_KEY .*npm start/) } });
    expect(await nothingStarted(requestId)).toBe(true);
  });

  test('the seal key saved in LOCAL_KEYS_FILE is found: start works without the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-keys-'));
    try {
      const file = join(dir, 'local-keys.json');
      writeFileSync(file, JSON.stringify({ TOKEN_SEAL_PUBLIC_KEY: h.config.seal.publicKey }), { mode: 0o600 });
      const { TOKEN_SEAL_PUBLIC_KEY: _seal, ...noSeal } = cliEnv;
      const run = await cli(startArgs(uid(), ['--voucher', codes[0]!, '--wait']), { ...noSeal, LOCAL_KEYS_FILE: file });
      expect(run.err).toEqual([]);
      expect(run.code).toBe(EXIT.ok);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the binary: --help everywhere, exit codes, JSON errors', async () => {
  const help = await spawnCli(['--help']);
  expect(help.code).toBe(0);
  expect(help.out.join('\n')).toMatch(/Commands:[\s\S]*start[\s\S]*status[\s\S]*result[\s\S]*list[\s\S]*cancel/);
  for (const command of ['start', 'status', 'result', 'list', 'cancel']) {
    const sub = await spawnCli([command, '--help']);
    expect(sub.code).toBe(0);
    expect(sub.out[0]).toMatch(new RegExp(`^Usage: womei-checkout ${command}`));
  }
  const bad = await spawnCli(['start', '--cinema', 'x', '--json']);
  expect(bad.code).toBe(2);
  expect(JSON.parse(bad.out[0]!)).toEqual({ error: { type: 'UsageError', message: expect.stringContaining('--schedule is required') } });
  const none = await spawnCli([]);
  expect(none.code).toBe(2);
}, 60_000);

test('the binary starts and follows a checkout end to end', async () => {
  const requestId = uid();
  const run = await spawnCli(startArgs(requestId, ['--voucher', codes[0]!, '--wait']));
  expect(run.err).toEqual([]);
  expect(run.code).toBe(0);
  expect(run.out.join('\n')).toMatch(/COMPLETED — ready to pay/);
  // 2 seats, 1 voucher: one ticket left to pay.
  expect(run.out.join('\n')).toContain('to pay ¥49.00');
}, 60_000);
