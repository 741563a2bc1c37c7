/**
 * The processes a benchmark measures, and how it reads them from /proc (Linux): the checkout worker as a child
 * process of its own (the production entry point, compiled once with the production tsconfig and cached by
 * source hash), the Temporal dev server (the CLI the SDK spawned), and this process (client, sandbox, plain
 * flows).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of a process, in ms; undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), 1-based from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Current and peak (high-water mark) resident set, in bytes. */
export function processMemory(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** This process's CPU (user + system), in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Child processes of this one whose command name matches, e.g. the `temporal` dev server the SDK started. */
export function childPids(commMatch: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && commMatch.test(comm)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const BUILD_INPUTS = ['src', 'workflows', 'activities', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function filesUnder(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (/\.(ts|json)$/.test(rel)) return [abs];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((d) => filesUnder(join(rel, d.name)))
    .sort();
}

/**
 * The worker as production runs it (`npm run build`'s tsc output), built into `dir` once per source version:
 * the loader `npm run worker` uses (tsx) would add its own memory to the worker's.
 */
export function compiledWorker(dir: string, log: (line: string) => void): string {
  const h = createHash('sha256');
  for (const f of BUILD_INPUTS.flatMap(filesUnder)) h.update(relative(ROOT, f)).update(readFileSync(f));
  const out = join(dir, `worker-${h.digest('hex').slice(0, 12)}`);
  const entry = join(out, 'src', 'worker.js');
  if (existsSync(entry)) return entry;
  log(`compiling the worker (tsc -p tsconfig.build.json) into ${relative(ROOT, out)}: once per source version`);
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', tmp, '--sourceMap', 'false'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  renameSync(tmp, out);
  return entry;
}

export interface WorkerProcess {
  pid: number;
  /** SIGTERM (graceful), then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node <entry>` with only `env` (plus PATH and HOME), its stdout and stderr appended to `logFile` as a
 * deployment would keep them. Ready once `ready()` says so (the caller checks the task queue's pollers).
 */
export async function startWorkerProcess(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  ready: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<WorkerProcess> {
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const until = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (!alive()) throw new Error(`the worker exited before it polled (code ${child.exitCode}); see ${logFile}`);
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not poll within ${timeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    async stop(graceMs = 15_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
