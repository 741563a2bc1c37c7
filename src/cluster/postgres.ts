/**
 * The cluster's PostgreSQL: its own data folder and loopback port, started and stopped with pg_ctl (no system
 * service). The first start runs initdb with the `temporal` superuser and a password (scram-sha-256, TCP only:
 * no Unix socket); later starts reuse the folder. PostgreSQL refuses to run as root, so as root every pg_ctl and
 * initdb runs as the `postgres` system user (setpriv), which then owns the data folder.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const POSTGRES_USER = 'temporal';

export interface PostgresOptions {
  binDir: string;
  /** Parent folder: the cluster lives in `<dir>/pg`, its log in `<dir>/postgres.log`. */
  dir: string;
  port: number;
  password: string;
}

/** uid/gid to run as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    // `id` answers for the system user without parsing /etc/passwd ourselves.
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { stdio: 'pipe' }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { stdio: 'pipe' }).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user to run it as: run npm run cluster as a normal user');
  }
}

export class Postgres {
  readonly dataDir: string;
  readonly logFile: string;
  private readonly user = runAs();

  constructor(private readonly options: PostgresOptions) {
    this.dataDir = join(options.dir, 'pg');
    this.logFile = join(options.dir, 'postgres.log');
  }

  get port(): number {
    return this.options.port;
  }

  /** The command line of a PostgreSQL tool, as the postgres user when we are root. */
  private commandOf(tool: 'initdb' | 'pg_ctl', args: string[]): [string, string[]] {
    const bin = join(this.options.binDir, tool);
    return this.user ? ['setpriv', [`--reuid=${this.user.uid}`, `--regid=${this.user.gid}`, '--init-groups', bin, ...args]] : [bin, args];
  }

  private readonly toolEnv = { PATH: process.env.PATH ?? '', LC_ALL: 'C.UTF-8' };

  private async pg(tool: 'initdb' | 'pg_ctl', args: string[]): Promise<string> {
    const [command, argv] = this.commandOf(tool, args);
    try {
      const { stdout, stderr } = await run(command, argv, { env: this.toolEnv });
      return `${stdout}${stderr}`;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
      const detail = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message;
      const hint = this.user ? ` (PostgreSQL runs as the postgres user here: it must be able to reach ${this.options.dir}; set CLUSTER_DATA_DIR elsewhere if not)` : '';
      throw Object.assign(new Error(`${tool} ${args[0] ?? ''} failed: ${detail} (log: ${this.logFile})${hint}`), { exitCode: e.code });
    }
  }

  private own(path: string): void {
    if (this.user) chownSync(path, this.user.uid, this.user.gid);
  }

  /** The postmaster's pid while it runs (first line of postmaster.pid). */
  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  get initialized(): boolean {
    return existsSync(join(this.dataDir, 'PG_VERSION'));
  }

  /** initdb once: the `temporal` superuser with the password, password authentication for every connection. */
  async init(): Promise<boolean> {
    if (this.initialized) return false;
    mkdirSync(this.options.dir, { recursive: true });
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { mode: 0o700 });
    this.own(this.dataDir);
    const pwfile = join(this.options.dir, '.initdb-password');
    writeFileSync(pwfile, this.options.password, { mode: 0o600 });
    this.own(pwfile);
    try {
      await this.pg('initdb', [
        '-D', this.dataDir,
        '-U', POSTGRES_USER, `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '-E', 'UTF8', '--locale=C.UTF-8',
      ]);
    } catch (error) {
      rmSync(this.dataDir, { recursive: true, force: true });
      throw error;
    } finally {
      rmSync(pwfile, { force: true });
    }
    return true;
  }

  /** True when a postmaster runs on this data folder (a crashed earlier run can leave one). */
  async isRunning(): Promise<boolean> {
    try {
      await this.pg('pg_ctl', ['status', '-D', this.dataDir]);
      return true;
    } catch (error) {
      // pg_ctl status: 3 = not running, 4 = no data folder.
      if ([3, 4].includes((error as { exitCode?: number }).exitCode ?? -1)) return false;
      throw error;
    }
  }

  async start(): Promise<void> {
    if (!existsSync(this.logFile)) writeFileSync(this.logFile, '');
    chmodSync(this.logFile, 0o640);
    this.own(this.logFile);
    const settings = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${this.options.port}`,
      `-c unix_socket_directories=''`,
      // One server process opens pools for persistence (20) and visibility (10) per service.
      `-c max_connections=200`,
    ].join(' ');
    await this.pg('pg_ctl', ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-o', settings]);
  }

  /** Fast shutdown: open transactions roll back, connections drop; what the chaos run calls a database restart. */
  async restart(): Promise<void> {
    // -l again: without it the new postmaster would inherit pg_ctl's output pipes and hold them open.
    await this.pg('pg_ctl', ['restart', '-D', this.dataDir, '-l', this.logFile, '-m', 'fast', '-w', '-t', '60']);
  }

  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    await this.pg('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60']);
  }

  /** Synchronous fast stop, for a process that is exiting without having stopped the cluster. */
  stopNow(): void {
    const [command, argv] = this.commandOf('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '30']);
    try {
      execFileSync(command, argv, { env: this.toolEnv, stdio: 'ignore' });
    } catch {
      // not running, or exiting anyway
    }
  }
}
