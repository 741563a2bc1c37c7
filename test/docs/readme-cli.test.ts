/**
 * README's promise to a new user: with `npm start` running, the CLI example it prints works as pasted, and
 * README's CLI block runs as written, in order, and succeeds, in another shell of the same clone, with no key
 * exported (the CLI finds the ones `npm start` saved). The main job runs as a user runs it (its own process, free
 * ports, a scratch database); the shells get only what a second terminal would have plus the ports.
 *
 * The run is judged from the sandbox ledger (who holds which seat and voucher, quota spent), and then searched for
 * the plaintext token, as the security suite asks: the dev server's SQLite files, the main job's log (it prints the
 * example's sandbox token in its `export` line and nowhere else), every CLI output, and the history as
 * `temporal workflow show` decodes it through the codec server, where the token is sealed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SandboxAdmin } from '../../src/sandbox/admin-client';
import { FIXTURE } from '../../src/sandbox/server';
import { resolveTemporalCli } from '../../src/temporal-cli';
import { README_PATH } from '../../scripts/config-table';
import { mainJobEnv, startMainJob, type MainJob } from '../helpers/main-job';

const ROOT = join(__dirname, '..', '..');
const MARKER = '<!-- readme-cli:';
const TOKENS = Object.entries(FIXTURE.tokens).map(([name, value]) => ({ name, value }));

/** The ```sh block right after the marker. */
function readmeBlock(): string {
  const readme = readFileSync(README_PATH, 'utf8');
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error(`README.md lacks the ${MARKER} marker`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('no ```sh block after the readme-cli marker');
  return block[1]!;
}

/** The lines `npm start` printed under "Try the CLI", unindented. */
function printedExample(out: string): string {
  const lines = out.split('\n');
  const from = lines.findIndex((l) => l.startsWith('Try the CLI'));
  if (from < 0) throw new Error(`npm start printed no CLI example:\n${out}`);
  const example: string[] = [];
  for (const line of lines.slice(from + 1)) {
    if (!line.startsWith('  ')) break;
    example.push(line.slice(2));
  }
  return `${example.join('\n')}\n`;
}

/** A shell script as a user's second terminal runs it: `sh -e`, stopping at the first command that fails. */
function shell(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e', '-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Where each token occurs in `text` (its name, never its value). */
function tokensIn(text: string): string[] {
  return TOKENS.filter((t) => text.includes(t.value)).map((t) => t.name);
}

let main: MainJob | undefined;
let env: NodeJS.ProcessEnv;
let scratch: string;
let terminal: NodeJS.ProcessEnv;
const outputs: { what: string; out: string }[] = [];

beforeAll(async () => {
  ({ env, scratch } = await mainJobEnv());
  main = startMainJob(env, scratch);
  await main.waitFor(/Press Ctrl-C to stop/, 120_000);
  // A second terminal: PATH and HOME; the ports this test moved; nothing about keys.
  terminal = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
    TEMPORAL_UI_PORT: env.TEMPORAL_UI_PORT,
    WOMEI_BASE_URL: `http://127.0.0.1:${env.SANDBOX_PORT}`,
    LOCAL_KEYS_FILE: env.LOCAL_KEYS_FILE,
  };
}, 150_000);

afterAll(() => {
  // Only when a test failed before the last one stopped it.
  if (main) {
    main.kill();
    rmSync(scratch, { recursive: true, force: true });
  }
});

describe('README CLI, as written, with npm start running', () => {
  test('the example npm start prints works as pasted: the checkout completes', async () => {
    const example = printedExample(main!.output());
    expect(example).toMatch(/^export WOMEI_TOKEN=/);
    const run = await shell(example, terminal);
    outputs.push({ what: 'printed example', out: run.out });
    expect({ code: run.code, out: run.out }).toEqual({ code: 0, out: expect.stringContaining('COMPLETED — ready to pay: order') });
    expect(run.out).toContain('total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00 (2 × ¥49.00)');
    expect(run.out).toMatch(/wallet at cinema 9647: 2 usable, 0 expired, 0 disabled, 0 used/);
  }, 120_000);

  test("README's block runs in order and every command succeeds", async () => {
    const block = readmeBlock();
    // The printed example is README's first checkout, so pasting both answers with the same checkout.
    expect(block.replace(/ +#.*$/gm, '')).toContain(printedExample(main!.output()).split('\n').slice(1, 3).join('\n'));
    const run = await shell(block, terminal);
    outputs.push({ what: 'README block', out: run.out });
    expect({ code: run.code, tail: run.out.slice(-2000) }).toEqual({ code: 0, tail: expect.any(String) });
    const out = run.out;
    expect(out).toContain('following existing checkout-r1');
    expect(out).toMatch(/COMPLETED — ready to pay: order \d{18}/);
    expect(out).toMatch(/checkout r1: COMPLETED \(COMPLETED\)/);
    expect(out).toMatch(/"outcome":"COMPLETED"/);
    expect(out).toMatch(/checkout-r1 +COMPLETED +COMPLETED/);
    expect(out).toMatch(/wallet at cinema 9647: 2 usable/);
    expect(out).toMatch(/VGC_T vouchers at cinema 9647: page 1 of 1 \(2 in all\)/);
    expect(out).toMatch(/account at cinema 9647: 沙盒用户乙, phone 13\*+0001, member/);
    expect(out).toMatch(/^\d{18} +PENDING +unpaid /m);
  }, 180_000);

  test('the sandbox ledger: r1 holds its two seats and the user\'s two vouchers; the demo\'s user keeps its own; quota left', async () => {
    const ledger = await new SandboxAdmin(`http://127.0.0.1:${env.SANDBOX_PORT}`).ledger();
    const live = ledger.orders.filter((o) => o.live);
    const r1 = live.find((o) => o.userId === FIXTURE.userIds.few);
    expect(r1).toMatchObject({ boundCodes: [...FIXTURE.vouchers.few.unused] });
    expect(live.filter((o) => o.userId === FIXTURE.userIds.few)).toHaveLength(1);
    const demo = live.find((o) => o.userId === FIXTURE.userIds.rich);
    expect(demo?.boundCodes).toEqual(FIXTURE.vouchers.rich.unused.slice(0, 2));
    // Bind first: one validation per code, no pre-check.
    expect(ledger.quota[FIXTURE.userIds.few]).toEqual({ used: 2, limit: 5 });
    expect(ledger.quota[FIXTURE.userIds.rich]).toEqual({ used: 2, limit: 5 });
    expect(ledger.invariants.ok).toBe(true);
  });
});

describe('no plaintext token anywhere the run left something (security)', () => {
  test('the dev server database files: no token; the checkouts are in them', () => {
    const files = ['', '-wal', '-shm'].map((suffix) => `${env.TEMPORAL_DEV_DB}${suffix}`).filter((f) => existsSync(f));
    const bytes = files.map((f) => readFileSync(f).toString('latin1')).join('\n');
    // Positive control: the checkouts' workflow ids (plain search attributes) are there, so this is their history.
    expect(bytes).toContain('checkout-r1');
    expect(bytes).toContain('checkout-demo-');
    expect(tokensIn(bytes)).toEqual([]);
  });

  test("the main job's log: only the example's fake token, only in its export line", () => {
    const log = main!.output();
    const lines = log.split('\n').filter((line) => tokensIn(line).length > 0);
    expect(lines).toEqual([`  export WOMEI_TOKEN=${FIXTURE.tokens.few}   # the sandbox user "few" (a fake fixture token)`]);
  });

  test('CLI outputs: no token', () => {
    expect(outputs.map((o) => o.what)).toEqual(['printed example', 'README block']);
    for (const { what, out } of outputs) expect({ what, found: tokensIn(out) }).toEqual({ what, found: [] });
  });

  test('`temporal workflow show` through the codec server: the input decodes, its token sealed', async () => {
    const keys = JSON.parse(readFileSync(env.LOCAL_KEYS_FILE!, 'utf8')) as { CODEC_SERVER_TOKEN: string };
    const { stdout } = await promisify(execFile)(
      resolveTemporalCli(),
      ['workflow', 'show', '-w', 'checkout-r1', '--address', env.TEMPORAL_ADDRESS!, '--output', 'json',
        '--codec-endpoint', `http://127.0.0.1:${env.CODEC_SERVER_PORT}`, '--codec-auth', `Bearer ${keys.CODEC_SERVER_TOKEN}`],
      { maxBuffer: 64 << 20 },
    );
    const text = [...stdout.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    expect(text).toContain(FIXTURE.seats.beijing[2]!);
    expect(text).toMatch(/"token":"sealed:v1:local1:[A-Za-z0-9_-]+"/);
    expect(tokensIn(text)).toEqual([]);
    expect(tokensIn(stdout)).toEqual([]);
  });

  test('npm start stops cleanly on Ctrl-C', async () => {
    const stopping = main!;
    main = undefined;
    expect(await stopping.stop()).toBe(0);
  }, 40_000);
});
