/**
 * README's main job as a user runs it: `npm start`'s program in its own process with its embedded default
 * (dev server + codec server + sandbox + worker + demo checkout), on free ports and a scratch database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function portsEnv(): Promise<NodeJS.ProcessEnv> {
  const [temporal, ui, sandbox, codec] = [await freePort(), await freePort(), await freePort(), await freePort()];
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    TEMPORAL_UI_PORT: String(ui),
    SANDBOX_PORT: String(sandbox),
    CODEC_SERVER_PORT: String(codec),
    TEMPORAL_DEV_DB: join(mkdtempSync(join(tmpdir(), 'womei-main-')), 'temporal.sqlite'),
  };
}

function startMain(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ['src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitFor(output: () => string, pattern: RegExp, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (gone) throw new Error(`main job exited before ${pattern}:\n${output()}`);
    if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('npm start runs a demo checkout to COMPLETED, prints each step and a Web UI link, and stops on Ctrl-C', async () => {
  const env = await portsEnv();
  const main = startMain(env);
  try {
    await waitFor(main.output, /Press Ctrl-C to stop/, main.exited, 120_000);
    const out = main.output();
    expect(out).toMatch(/order \d{18} created — workflow checkout-demo-/);
    for (const phase of ['CREATING_ORDER', 'PRICING', 'VERIFYING', 'COMPLETED']) expect(out).toContain(phase);
    expect(out).toMatch(/COMPLETED — ready to pay: order \d{18}/);
    expect(out).toContain('total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00 (2 × ¥49.00)');
    expect(out).not.toMatch(/\b[0-9a-f]{32}\b/);

    const link = /Web UI: (http:\/\/localhost:\d+\/namespaces\/default\/workflows\/checkout-demo-[\w-]+)/.exec(out)?.[1];
    expect(link).toContain(`localhost:${env.TEMPORAL_UI_PORT}`);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    main.child.kill('SIGINT');
    expect(await main.exited).toBe(0);
    expect(main.output()).toMatch(/stopped\s*$/);
  } finally {
    if (main.child.exitCode === null) main.child.kill('SIGKILL');
  }
}, 180_000);

test('a port already taken stops npm start with one error naming the setting', async () => {
  const env = await portsEnv();
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(Number(env.SANDBOX_PORT), '127.0.0.1', () => r()));
  try {
    const main = startMain(env);
    expect(await main.exited).toBe(1);
    expect(main.output()).toContain(`port ${env.SANDBOX_PORT} on 127.0.0.1 is already in use: stop what holds it or set SANDBOX_PORT to another port`);
  } finally {
    blocker.close();
  }
}, 60_000);
