/** `npm run sandbox`: the sandbox on SANDBOX_HOST:SANDBOX_PORT until SIGINT/SIGTERM. */
import { loadConfig } from '../config';
import { FIXTURE } from './fixture';
import { startSandbox } from './server';
import { tokenFingerprint } from './store';

async function main(): Promise<void> {
  const cfg = loadConfig().sandbox;
  const sandbox = await startSandbox(cfg);
  process.stdout.write(
    `womei sandbox on ${sandbox.url} (WOMEI_BASE_URL) | demo user ${FIXTURE.userIds.rich} token ${tokenFingerprint(FIXTURE.tokens.rich)} ` +
      `(FIXTURE.tokens.rich) | cinema ${FIXTURE.cinemas.beijing} schedule ${FIXTURE.schedules.beijing} seat ${FIXTURE.seats.beijing[0]}\n`,
  );
  const stop = (signal: string) => {
    process.stdout.write(`sandbox: ${signal}, shutting down\n`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
