/**
 * `npm start`'s program (src/main.ts) run as a user runs it: its own process, free ports, a scratch database.
 * Shared by the main-job test and the Web UI test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Environment for one main job: free ports for every listener, a scratch SQLite file, the CLI cache settings. */
export async function mainJobEnv(): Promise<{ env: NodeJS.ProcessEnv; scratch: string }> {
  const [temporal, ui, sandbox, codec] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const scratch = mkdtempSync(join(tmpdir(), 'womei-main-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    ...(process.env.WOMEI_CACHE_DIR ? { WOMEI_CACHE_DIR: process.env.WOMEI_CACHE_DIR } : {}),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
    TEMPORAL_UI_PORT: String(ui),
    SANDBOX_PORT: String(sandbox),
    CODEC_SERVER_PORT: String(codec),
    TEMPORAL_DEV_DB: join(scratch, 'temporal.sqlite'),
    // Its keys stay in the scratch folder too, never in the clone's .data/.
    LOCAL_KEYS_FILE: join(scratch, 'local-keys.json'),
  };
  return { env, scratch };
}

export interface MainJob {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches; fails if the process exits first or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Ctrl-C (SIGKILL to its process group after 20 s), removes the scratch folder, resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL to its whole process group (main.ts, dev server), for a test that failed midway. */
  kill(): void;
}

export function startMainJob(env: NodeJS.ProcessEnv, scratch?: string): MainJob {
  // Its own process group: tsx runs main.ts in a child process, so a SIGKILL must reach the whole group, not
  // only tsx (which would leave main.ts and its dev server running).
  const child = spawn(TSX, ['src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    child,
    output: () => text,
    exited,
    async waitFor(pattern, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (gone) throw new Error(`main job exited before ${pattern}:\n${text}`);
        if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    kill: killGroup,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(killGroup, 20_000);
      const code = await exited;
      clearTimeout(timer);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      return code;
    },
  };
}
