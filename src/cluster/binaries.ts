/**
 * Where `npm run cluster` finds the programs it runs: the Temporal server, its SQL tool and the Web UI server
 * (built into the cache by scripts/install-temporal-server.sh; keep the versions in step with it), the Temporal
 * CLI (src/temporal-cli.ts) and PostgreSQL's initdb/pg_ctl.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cacheRoot, isExecutable } from '../temporal-cli';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';

export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
}

export interface TemporalBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
}

/** The cached builds, or one error naming the script that makes them. */
export function temporalBinaries(env: NodeJS.ProcessEnv = process.env): TemporalBinaries {
  const serverDir = join(cacheRoot(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
  const uiDir = join(cacheRoot(env), 'temporal-ui-server', TEMPORAL_UI_SERVER_VERSION);
  const binaries = {
    server: { path: join(serverDir, 'temporal-server'), version: TEMPORAL_SERVER_VERSION },
    sqlTool: { path: join(serverDir, 'temporal-sql-tool'), version: TEMPORAL_SERVER_VERSION },
    uiServer: { path: join(uiDir, 'temporal-ui-server'), version: TEMPORAL_UI_SERVER_VERSION },
  };
  for (const { path, version } of Object.values(binaries)) {
    if (!isInstalled(path, version)) {
      throw new MissingBinaryError(`${path} (${version}) is not built: run \`bash scripts/install-temporal-server.sh\` (npm run cluster runs it first)`);
    }
  }
  return { server: binaries.server.path, sqlTool: binaries.sqlTool.path, uiServer: binaries.uiServer.path };
}

/** A binary is installed when it is executable and the marker the install script writes after it names the version. */
function isInstalled(path: string, version: string): boolean {
  const marker = join(path, '..', `.installed-${path.split('/').at(-1)}`);
  return isExecutable(path) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === version;
}

/** True when every cached build is there (`.ci/run` turns the cluster test on then). */
export function temporalBinariesInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    temporalBinaries(env);
    return true;
  } catch (error) {
    if (error instanceof MissingBinaryError) return false;
    throw error;
  }
}

/** CLUSTER_POSTGRES_BIN, else the newest /usr/lib/postgresql/<major>/bin (Debian's layout), else PATH. */
export function postgresBinDir(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const hasTools = (dir: string) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'pg_ctl'));
  if (configured) {
    if (!hasTools(configured)) throw new MissingBinaryError(`CLUSTER_POSTGRES_BIN=${configured} has no initdb and pg_ctl`);
    return configured;
  }
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian)
    ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) if (hasTools(join(debian, major, 'bin'))) return join(debian, major, 'bin');
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && hasTools(dir)) return dir;
  throw new MissingBinaryError(
    'PostgreSQL not found (initdb and pg_ctl in /usr/lib/postgresql/*/bin or on PATH): install it, or set CLUSTER_POSTGRES_BIN',
  );
}
