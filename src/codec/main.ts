/**
 * Runs the codec server standalone from the environment:
 *   tsx src/codec/main.ts               serve on CODEC_SERVER_PORT with CODEC_KEYS
 *   tsx src/codec/main.ts generate-key ID   print a new `ID:base64key` entry to append to CODEC_KEYS
 * It listens on CODEC_SERVER_HOST (default 127.0.0.1). Point the Web UI at it (Settings → Codec Server, or `--ui-codec-endpoint` on the dev server).
 */
import { loadConfig, withLocalKeys } from '../config';
import { createEncryptionCodec } from './codec';
import { generateCodecKey, parseCodecKeys } from './keys';
import { startCodecServer } from './server';

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'generate-key') {
    console.log(generateCodecKey(argv[1] ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`));
    return;
  }
  const { codec: config } = loadConfig({}, withLocalKeys());
  if (config.keys === undefined) {
    throw new Error('CODEC_KEYS is not set: the codec server needs the keys payloads were encrypted with (id:base64key,...)');
  }
  const codec = createEncryptionCodec(parseCodecKeys(config.keys));
  let server;
  try {
    server = await startCodecServer({
      port: config.serverPort,
      host: config.serverHost,
      codec,
      bearerToken: config.serverToken,
      allowedOrigin: config.allowedOrigin,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`CODEC_SERVER_PORT ${config.serverPort} is already in use; choose another port`);
    if (code === 'EACCES') throw new Error(`CODEC_SERVER_PORT ${config.serverPort} needs privileges; choose a port above 1023`);
    throw error;
  }
  const access = [config.serverToken ? 'bearer token' : undefined, config.allowedOrigin ? `origin ${config.allowedOrigin}` : undefined]
    .filter(Boolean)
    .join(' or ');
  console.log(`codec server on ${server.url} (keys: ${codec.keyIds.join(', ')}; encrypting with '${codec.currentKeyId}'; access: ${access})`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
