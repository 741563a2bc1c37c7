/**
 * Settings for a throwaway `npm run cluster` topology (the cluster test and bench/cluster.ts): a scratch data
 * folder and free ports for every listener, so it runs beside anything else on the machine.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRONTEND_PORT_RANGE, serverPorts } from '../../src/cluster/temporal-server';
import { assertPortFree } from '../../src/ports';
import { freePort } from './main-job';

/**
 * A frontend port whose whole server layout (−300 … +10) is free right now. Not from the OS's ephemeral range:
 * Temporal stores membership ports as SMALLINT (FRONTEND_PORT_RANGE).
 */
async function freeServerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * (FRONTEND_PORT_RANGE.max - 20_000));
    try {
      for (const p of Object.values(serverPorts(port))) await assertPortFree(p, '127.0.0.1', 'TEMPORAL_ADDRESS');
      return port;
    } catch {
      // taken: another try
    }
  }
  throw new Error('no free port layout for the Temporal server');
}

export async function scratchClusterEnv(extra: Record<string, string> = {}): Promise<{ env: NodeJS.ProcessEnv; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'womei-cluster-'));
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
