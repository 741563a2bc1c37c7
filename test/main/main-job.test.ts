/**
 * README's main job as a user runs it: `npm start`'s program in its own process with its embedded default
 * (dev server + codec server + sandbox + worker + demo checkout), on free ports and a scratch database.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { FIXTURE } from '../../src/sandbox/server';
import { mainJobEnv, startMainJob } from '../helpers/main-job';

test('npm start runs a demo checkout to COMPLETED, prints each step and a Web UI link, and stops on Ctrl-C', async () => {
  const { env, scratch } = await mainJobEnv();
  const main = startMainJob(env, scratch);
  try {
    await main.waitFor(/Press Ctrl-C to stop/, 120_000);
    const out = main.output();
    expect(out).toMatch(/order \d{18} created — workflow checkout-demo-/);
    for (const phase of ['CREATING_ORDER', 'PRICING', 'VERIFYING', 'COMPLETED']) expect(out).toContain(phase);
    expect(out).toMatch(/COMPLETED — ready to pay: order \d{18}/);
    expect(out).toContain('total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00 (2 × ¥49.00)');
    // The only token it prints is the CLI example's: the sandbox's fake token of ANOTHER user than the demo's.
    expect(out).not.toContain(FIXTURE.tokens.rich);
    const tokenLines = out.split('\n').filter((line) => /[0-9a-f]{32}/.test(line));
    expect(tokenLines).toEqual([expect.stringMatching(new RegExp(`^  export WOMEI_TOKEN=${FIXTURE.tokens.few} `))]);
    expect(out).toContain('npx womei-checkout start --request-id r1');

    // Its keys, saved where LOCAL_KEYS_FILE says, readable by the owner only.
    const keysFile = env.LOCAL_KEYS_FILE!;
    expect(out).toContain(`keys            ${keysFile}`);
    expect(existsSync(keysFile)).toBe(true);
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(keys).sort()).toEqual(['CODEC_KEYS', 'CODEC_SERVER_TOKEN', 'TOKEN_SEAL_PRIVATE_KEYS', 'TOKEN_SEAL_PUBLIC_KEY']);
    expect(keys.TOKEN_SEAL_PUBLIC_KEY).toMatch(/^local1:[A-Za-z0-9_-]{43}$/);

    const link = /Web UI: (http:\/\/localhost:\d+\/namespaces\/default\/workflows\/checkout-demo-[\w-]+)/.exec(out)?.[1];
    expect(link).toContain(`localhost:${env.TEMPORAL_UI_PORT}`);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    expect(await main.stop()).toBe(0);
    expect(main.output()).toMatch(/stopped\s*$/);
  } finally {
    if (main.child.exitCode === null) main.kill();
  }
}, 180_000);

test('a port already taken stops npm start with one error naming the setting', async () => {
  const { env, scratch } = await mainJobEnv();
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(Number(env.SANDBOX_PORT), '127.0.0.1', () => r()));
  try {
    const main = startMainJob(env, scratch);
    expect(await main.exited).toBe(1);
    await main.stop();
    expect(main.output()).toContain(`port ${env.SANDBOX_PORT} on 127.0.0.1 is already in use: stop what holds it or set SANDBOX_PORT to another port`);
  } finally {
    blocker.close();
  }
}, 60_000);
