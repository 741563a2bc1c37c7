/**
 * Settings for a throwaway `npm run cluster` topology (the cluster test, bench/cluster.ts, the chaos run): a scratch data
 * folder and free ports for every listener, so it runs beside anything else on the machine.
 */
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeServerPort } from '../../src/cluster/temporal-server';
import { freePort } from './main-job';

/** `dataDir`: the folder to use (the chaos run's), else a new one under the OS's temp folder. */
export async function scratchClusterEnv(extra: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'womei-cluster-'))): Promise<{ env: NodeJS.ProcessEnv; dataDir: string }> {
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when we are root: it must reach its folder
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.WOMEI_CACHE_DIR ? { WOMEI_CACHE_DIR: process.env.WOMEI_CACHE_DIR } : {}),
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    CLUSTER_DATA_DIR: dataDir,
    CLUSTER_POSTGRES_PORT: String(await freePort()),
    TEMPORAL_ADDRESS: `127.0.0.1:${await freeServerPort()}`,
    TEMPORAL_UI_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    CODEC_SERVER_PORT: String(await freePort()),
    ...extra,
  };
  return { env, dataDir };
}
