/**
 * `npm start`: the whole thing on its embedded default, in one process tree.
 *   1. the official Temporal dev server (persistent SQLite under .data/, Web UI, search attributes registered,
 *      the codec server as the UI's codec endpoint),
 *   2. the codec server (payloads in history are encrypted; the local UI decodes them through it),
 *   3. the sandbox Womei server,
 *   4. a checkout worker,
 *   5. one demo checkout (2 seats, 2 vouchers) started through the client, printed step by step,
 * then stays up until Ctrl-C and shuts everything down in reverse order.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { LOCAL_KEY_VARIABLES, loadConfig, type AppConfig } from './config';
import { ensureLocalKeys } from './local-keys';
import { CheckoutClient, describeError } from './client';
import { formatResult, ProgressPrinter, workflowUiLink } from './cli-format';
import { createEncryptionCodec } from './codec/codec';
import { parseCodecKeys } from './codec/keys';
import { parseSealPublicKey } from './seal/keys';
import { startCodecServer } from './codec/server';
import { splitAddress, startDevServer } from './dev-server';
import { assertPortFree } from './ports';
import { resolveTemporalCli } from './temporal-cli';
import { FIXTURE, startSandbox } from './sandbox/server';
import { jsonLogger, startCheckoutWorker } from './worker';
import type { CheckoutRequest } from '../workflows/input';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The demo spends 4 of its user's 5 daily voucher validations (2 pre-checks, 2 bound codes). */
function demoRequest(): CheckoutRequest {
  return {
    requestId: `demo-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`,
    cinemaId: FIXTURE.cinemas.beijing,
    scheduleId: String(FIXTURE.schedules.beijing),
    seats: FIXTURE.seats.beijing.slice(0, 2),
    token: FIXTURE.tokens.rich,
    vouchers: { codes: FIXTURE.vouchers.rich.unused.slice(0, 2) },
  };
}

/**
 * What `npm start` prints last, and README shows: a checkout for ANOTHER sandbox user ("few", whose quota the
 * demo leaves alone) on two other seats, then the operator commands. Works as pasted in a second terminal of
 * this clone (the CLI reads LOCAL_KEYS_FILE); the same request id makes a second paste answer with the same
 * checkout instead of a new one. The token is the sandbox's fake fixture token of that user.
 */
function cliExample(): string[] {
  const seats = FIXTURE.seats.beijing.slice(2, 4);
  return [
    `export WOMEI_TOKEN=${FIXTURE.tokens.few}   # the sandbox user "few" (a fake fixture token)`,
    `npx womei-checkout start --request-id r1 --cinema ${FIXTURE.cinemas.beijing} --schedule ${FIXTURE.schedules.beijing} \\`,
    `  --seat '${seats[0]}' --seat '${seats[1]}' --voucher ${FIXTURE.vouchers.few.unused[0]} --voucher ${FIXTURE.vouchers.few.unused[1]} --wait`,
    'npx womei-checkout status r1',
    `npx womei-checkout wallet --cinema ${FIXTURE.cinemas.beijing}`,
  ];
}

async function main(): Promise<void> {
  const base = loadConfig();
  const [temporalHost, temporalPort] = splitAddress(base.temporal.address);
  await assertPortFree(temporalPort, temporalHost, 'TEMPORAL_ADDRESS');
  await assertPortFree(base.temporal.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  await assertPortFree(base.sandbox.port, base.sandbox.host, 'SANDBOX_PORT');
  await assertPortFree(base.codec.serverPort, base.codec.serverHost, 'CODEC_SERVER_PORT');

  const dbFile = resolve(base.temporal.devDbFile);
  mkdirSync(dirname(dbFile), { recursive: true });
  const saved = ensureLocalKeys(base.localKeysFile, dirname(dbFile));
  const unset = Object.fromEntries(LOCAL_KEY_VARIABLES.filter((name) => !process.env[name]?.trim()).map((name) => [name, saved[name]]));
  const uiOrigin = `http://localhost:${base.temporal.uiPort}`;
  const config = loadConfig({
    ...unset,
    // The worker talks to the embedded sandbox, which offers the (assumed) cancel route.
    WOMEI_BASE_URL: `http://127.0.0.1:${base.sandbox.port}`,
    WOMEI_CANCEL_PATH: base.womei.cancelPath ?? 'order/cancel/',
  });
  const bearer = config.codec.serverToken!;
  Runtime.install({ logger: jsonLogger('WARN') });

  const stops: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const codec = createEncryptionCodec(parseCodecKeys(config.codec.keys));
    const codecServer = await startCodecServer({
      port: config.codec.serverPort,
      host: config.codec.serverHost,
      codec,
      bearerToken: bearer,
      allowedOrigin: config.codec.allowedOrigin ?? uiOrigin,
    });
    stops.push(() => codecServer.close());
    say(`keys            ${base.localKeysFile ?? '(not saved: LOCAL_KEYS_FILE is empty)'} (payload key ${codec.currentKeyId}, token seal key ${parseSealPublicKey(config.seal.publicKey).id}; the CLI in this clone reads it)`);
    say(`codec server    ${codecServer.url} (key ${codec.currentKeyId}; Web UI origin ${uiOrigin} allowed)`);

    const devServer = await startDevServer({
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      uiPort: config.temporal.uiPort,
      dbFile,
      codecEndpoint: `http://localhost:${config.codec.serverPort}`,
    });
    stops.push(() => devServer.stop());
    say(`temporal        ${config.temporal.address} (dev server, history in ${base.temporal.devDbFile}); Web UI ${devServer.uiUrl}`);

    const sandbox = await startSandbox({ ...config.sandbox, port: config.sandbox.port, host: config.sandbox.host });
    stops.push(() => sandbox.close());
    say(`womei sandbox   ${sandbox.url}`);

    const connection = await NativeConnection.connect({ address: config.temporal.address });
    stops.push(() => connection.close());
    const worker = await startCheckoutWorker({ connection, config });
    stops.push(() => worker.stop());
    say(`worker          task queue ${config.temporal.taskQueue}`);

    const client = await CheckoutClient.connect({ config });
    stops.push(() => client.close());
    await runDemo(client, config);
    say('');
    say(`Everything stays up: open ${devServer.uiUrl} · decode payloads with the CLI (the token stays sealed):`);
    say(`  ${resolveTemporalCli()} workflow show -w <id> --address ${config.temporal.address} --codec-endpoint http://localhost:${config.codec.serverPort} --codec-auth 'Bearer ${bearer}'`);
    say('');
    say('Try the CLI in a second terminal of this clone:');
    for (const line of cliExample()) say(`  ${line}`);
    say('');
    say('Press Ctrl-C to stop.');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    say('stopping: worker, sandbox, Temporal, codec server…');
  } finally {
    await shutdown();
  }
  say('stopped');
}

async function runDemo(client: CheckoutClient, config: AppConfig): Promise<void> {
  const request = demoRequest();
  say('');
  say(`demo checkout   ${request.seats.length} seats, ${'codes' in request.vouchers ? request.vouchers.codes.length : 0} vouchers at cinema ${request.cinemaId}, schedule ${request.scheduleId}`);
  const started = await client.startCheckout(request, { waitForOrder: true });
  say(`  order ${started.orderId} created — workflow ${started.workflowId}`);
  say(`  Web UI: ${workflowUiLink(config, started.workflowId)}`);
  const progress = new ProgressPrinter(say);
  const result = await client.follow(started.workflowId, (status) => progress.update(status), 300);
  say('');
  for (const line of formatResult(result)) say(line);
  say(`  Web UI: ${workflowUiLink(config, started.workflowId)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${describeError(error)}\n`);
  process.exit(1);
});
