/**
 * One checkout worker as a child process: `src/worker.ts` started the way `npm run worker` starts it, its JSON
 * log lines appended to a file. Ready once it logs "checkout worker started"; stopped by a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { WorkerExit } from './topology';

const ROOT = resolve(__dirname, '..');
const READY_LINE = 'checkout worker started';
/** An activity's own log line when its Womei call ends (activities/index.ts). */
const CALL_ENDED = /"msg":"womei \w+ (ok|failed)/g;
const START_TIMEOUT_MS = 120_000;

export class WorkerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private log: WriteStream | undefined;
  /** Counts finished Womei calls from the log while a stop is under way. */
  private drained: number | undefined;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`--- ${new Date().toISOString()} start #${this.starts}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: ROOT,
      // Only what the worker needs: nothing from the caller's shell leaks into the run.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    let ready = false;
    let tail = '';
    const onData = (d: Buffer) => {
      this.log?.write(d);
      if (this.drained !== undefined) this.drained += d.toString().match(CALL_ENDED)?.length ?? 0;
      if (!ready) {
        tail = (tail + d.toString()).slice(-4000);
        if (tail.includes(READY_LINE)) ready = true;
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const until = Date.now() + START_TIMEOUT_MS;
    while (!ready) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready: ${tail.trim().slice(-1000)}`);
      if (Date.now() > until) {
        child.kill('SIGKILL');
        throw new Error(`${this.name} was not ready within ${START_TIMEOUT_MS / 1000} s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends the signal and waits for the process to be gone (a SIGTERM gets `graceMs` before a SIGKILL). */
  async stop(signal: 'SIGKILL' | 'SIGTERM', graceMs = 60_000): Promise<WorkerExit> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited || !this.running) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null, ms: 0 };
    const t0 = Date.now();
    this.log?.write(`--- ${new Date().toISOString()} ${signal}\n`);
    this.drained = 0;
    child.kill(signal);
    const timer = signal === 'SIGTERM' ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
    const { code, signal: endSignal } = await exited;
    const ms = Date.now() - t0;
    clearTimeout(timer);
    // 'exit' can come before the pipes are drained: let the last lines arrive.
    await new Promise((r) => setTimeout(r, 100));
    const drained = this.drained;
    this.drained = undefined;
    return { code, signal: endSignal, ms, drained };
  }

  async close(): Promise<void> {
    await new Promise<void>((done) => (this.log ? this.log.end(done) : done()));
    this.log = undefined;
  }
}
