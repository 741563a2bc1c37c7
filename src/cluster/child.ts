/**
 * One long-running program we start and kill (the cluster's Temporal server, UI server, workers, sandbox and codec
 * server; the chaos run's workers on either topology): started with its output appended to a log file, ready when
 * it prints a line or answers a check, stopped by a signal (a grace period, then SIGKILL), started again as often
 * as asked. Each runs in its own process group, so a terminal's Ctrl-C reaches only the program that started it,
 * which stops them in order (workers before the server before PostgreSQL); whatever still runs when this process
 * exits is SIGKILLed then, so none outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  /** The whole environment: nothing of the caller's shell leaks in unless listed. */
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  /** Ready once the output contains this text… */
  readyLine?: string;
  /** …or once this check answers true (polled). */
  readyCheck?: () => Promise<boolean>;
  startTimeoutMs?: number;
  /**
   * Output that marks a piece of work done (a worker's "womei … ok|failed" line, a global regex): those printed
   * between a stop's signal and the exit are counted in ChildExit.drained, what a graceful drain let finish.
   */
  drainedLine?: RegExp;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the process being gone. */
  ms: number;
  /** With ChildSpec.drainedLine: pieces of work that finished between the signal and the exit. */
  drained?: number;
}

/** Every child running right now, SIGKILLed if this process exits while they do. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
    exitHookInstalled = true;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export class ManagedChild {
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private log: WriteStream | undefined;
  private tail = '';
  /** Counts ChildSpec.drainedLine while a stop is under way. */
  private drained: number | undefined;
  /** How many times it was started. */
  starts = 0;

  constructor(readonly spec: ChildSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Starts it and resolves once it is ready; fails (and kills it) if it exits or times out first. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child?.pid})`);
    const { spec } = this;
    this.starts++;
    this.tail = '';
    this.log ??= createWriteStream(spec.logFile, { flags: 'a' });
    this.log.write(`--- ${new Date().toISOString()} start #${this.starts}: ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    track(child);
    this.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      const text = chunk.toString();
      this.tail = (this.tail + text).slice(-8000);
      if (this.drained !== undefined && spec.drainedLine) this.drained += text.match(spec.drainedLine)?.length ?? 0;
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const spawnError = new Promise<Error>((done) => child.once('error', done));

    const timeoutMs = spec.startTimeoutMs ?? 120_000;
    const until = Date.now() + timeoutMs;
    let failure: Error | undefined;
    void spawnError.then((e) => (failure = e));
    for (;;) {
      if (failure) throw new Error(`${this.name} could not start: ${failure.message}`);
      if (!this.running) throw new Error(`${this.name} exited before it was ready (see ${spec.logFile}):\n${this.tail.trim().slice(-2000)}`);
      if (spec.readyLine !== undefined && this.tail.includes(spec.readyLine)) return;
      if (spec.readyCheck && (await spec.readyCheck().catch(() => false))) return;
      if (Date.now() > until) {
        child.kill('SIGKILL');
        throw new Error(`${this.name} was not ready within ${timeoutMs / 1000} s (see ${spec.logFile}):\n${this.tail.trim().slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends the signal and resolves once the process is gone; a SIGTERM/SIGINT gets `graceMs`, then SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ChildExit> {
    const { child, exited } = this;
    if (!child || !exited || !this.running) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null, ms: 0 };
    const t0 = Date.now();
    this.log?.write(`--- ${new Date().toISOString()} ${signal}\n`);
    this.drained = 0;
    child.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    const ended = await exited;
    const ms = Date.now() - t0;
    clearTimeout(timer);
    if (this.spec.drainedLine) {
      // 'exit' can come before the pipes are drained: let the last lines arrive.
      await new Promise((r) => setTimeout(r, 100));
    }
    const drained = this.drained;
    this.drained = undefined;
    return { ...ended, ms, ...(this.spec.drainedLine ? { drained } : {}) };
  }

  /** Closes the log file (after the last stop). */
  async close(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log) await new Promise<void>((done) => log.end(done));
  }
}
