/**
 * The embedded default Temporal: the official CLI's dev server with a persistent SQLite file, the Web UI, the
 * checkout's search attributes, and (when configured) the codec server as the UI's codec endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from './temporal-cli';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

export interface DevServerOptions {
  address: string;
  namespace: string;
  /** Web UI port; absent: no UI (`--headless`). */
  uiPort?: number;
  dbFile: string;
  codecEndpoint?: string;
}

export interface RunningDevServer {
  /** Absent when started headless. */
  uiUrl?: string;
  stop(): Promise<void>;
  /** SIGKILL, no shutdown: what a crash looks like to everything else (the database file stays as it was). */
  kill(): Promise<void>;
}

const SEARCH_ATTRIBUTE_TYPE_FLAG: Record<string, string> = { KEYWORD: 'Keyword', TEXT: 'Text', INT: 'Int', BOOL: 'Bool' };

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const [ip, port] = splitAddress(options.address);
  const dbFile = resolve(options.dbFile);
  mkdirSync(dirname(dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', ip, '--port', String(port),
    ...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    '--db-filename', dbFile,
    '--namespace', options.namespace,
    '--log-level', 'error',
    ...CHECKOUT_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SEARCH_ATTRIBUTE_TYPE_FLAG[k.type]}`]),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
  ];
  const child = spawn(resolveTemporalCli(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await waitUntilServing(options.address, child, exited, () => stderr);
  return {
    ...(options.uiPort !== undefined ? { uiUrl: `http://localhost:${options.uiPort}` } : {}),
    stop: () => stopChild(child, exited),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `host:port` → [host, port]. */
export function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`Temporal dev server exited (code ${exitCode}): ${stderr().trim()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`Temporal dev server did not answer on ${address} within 60 s: ${stderr().trim()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
