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
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from './config';
import { localKeysFor } from './local-keys';
import { CheckoutClient, describeError } from './client';
import { createEncryptionCodec } from './codec/codec';
import { parseCodecKeys } from './codec/keys';
import { cliExample, runDemo } from './demo-checkout';
import { parseSealPublicKey } from './seal/keys';
import { startCodecServer } from './codec/server';
import { splitAddress, startDevServer } from './dev-server';
import { assertPortFree } from './ports';
import { resolveTemporalCli } from './temporal-cli';
import { startSandbox } from './sandbox/server';
import { jsonLogger, startCheckoutWorker } from './worker';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const base = loadConfig();
  const [temporalHost, temporalPort] = splitAddress(base.temporal.address);
  await assertPortFree(temporalPort, temporalHost, 'TEMPORAL_ADDRESS');
  await assertPortFree(base.temporal.uiPort, '127.0.0.1', 'TEMPORAL_UI_PORT');
  await assertPortFree(base.sandbox.port, base.sandbox.host, 'SANDBOX_PORT');
  await assertPortFree(base.codec.serverPort, base.codec.serverHost, 'CODEC_SERVER_PORT');

  const dbFile = resolve(base.temporal.devDbFile);
  mkdirSync(dirname(dbFile), { recursive: true });
  // The dev server's history persists in .data/, so its keys persist too (src/local-keys.ts).
  const keys = localKeysFor(base.localKeysFile, dirname(dbFile), process.env);
  const uiOrigin = `http://localhost:${base.temporal.uiPort}`;
  const config = loadConfig({
    ...keys,
    // The worker talks to the embedded sandbox, which offers the (assumed) cancel route.
    WOMEI_BASE_URL: `http://127.0.0.1:${base.sandbox.port}`,
    WOMEI_CANCEL_PATH: base.womei.cancelPath ?? 'order/cancel/',
  });
  Runtime.install({ logger: jsonLogger('WARN') });

  const stops: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const codec = createEncryptionCodec(parseCodecKeys(keys.CODEC_KEYS));
    const codecServer = await startCodecServer({
      port: config.codec.serverPort,
      host: config.codec.serverHost,
      codec,
      bearerToken: keys.CODEC_SERVER_TOKEN,
      allowedOrigin: config.codec.allowedOrigin ?? uiOrigin,
    });
    stops.push(() => codecServer.close());
    say(`keys            ${base.localKeysFile ?? '(not saved: LOCAL_KEYS_FILE is empty)'} (payload key ${codec.currentKeyId}, token seal key ${parseSealPublicKey(keys.TOKEN_SEAL_PUBLIC_KEY).id}; the CLI in this clone reads it)`);
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
    await runDemo(client, config, say);
    say('');
    say(`Everything stays up: open ${devServer.uiUrl} · decode payloads with the CLI (the token stays sealed):`);
    say(`  ${resolveTemporalCli()} workflow show -w <id> --address ${config.temporal.address} --codec-endpoint http://localhost:${config.codec.serverPort} --codec-auth 'Bearer ${keys.CODEC_SERVER_TOKEN}'`);
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

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${describeError(error)}\n`);
  process.exit(1);
});
