/**
 * Token seal keys from a shell:
 *   tsx src/seal/main.ts generate-key [ID]   a new X25519 pair: the TOKEN_SEAL_PRIVATE_KEYS entry for workers
 *                                            and the TOKEN_SEAL_PUBLIC_KEY for clients
 *   tsx src/seal/main.ts public-key          the TOKEN_SEAL_PUBLIC_KEY of the current (last) key in
 *                                            TOKEN_SEAL_PRIVATE_KEYS, read from the environment
 */
import { loadConfig, withLocalKeys } from '../config';
import { generateSealKeyPair, publicKeyOf } from './keys';

function main(argv: string[]): void {
  if (argv[0] === 'generate-key') {
    const pair = generateSealKeyPair(argv[1] ?? `s${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`);
    console.log(`# workers: append to TOKEN_SEAL_PRIVATE_KEYS (comma-separated; keep older keys while their seals are in flight)`);
    console.log(`TOKEN_SEAL_PRIVATE_KEYS=${pair.privateKey}`);
    console.log(`# clients (CLI, backends): the public half; switch to it once every worker has the private key`);
    console.log(`TOKEN_SEAL_PUBLIC_KEY=${pair.publicKey}`);
    return;
  }
  if (argv[0] === 'public-key') {
    const { seal } = loadConfig({}, withLocalKeys());
    if (seal.privateKeys === undefined) throw new Error('TOKEN_SEAL_PRIVATE_KEYS is not set');
    console.log(`TOKEN_SEAL_PUBLIC_KEY=${publicKeyOf(seal.privateKeys)}`);
    return;
  }
  throw new Error('usage: tsx src/seal/main.ts generate-key [ID] | public-key');
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
