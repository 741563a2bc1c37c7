/**
 * Keys of a local deployment whose history persists on disk (`npm start`'s SQLite in .data/, `npm run cluster`'s
 * PostgreSQL): the payload key, the token seal pair and the codec server's bearer token are generated once and
 * saved (mode 0600, git-ignored), for `npm start` in LOCAL_KEYS_FILE, where the CLI, client and worker of this
 * clone find them (`withLocalKeys` in config.ts). A data folder from before the seal kept its payload key and
 * bearer token in codec.json: they are carried over, so its history still decodes.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateCodecKey } from './codec/keys';
import { ConfigError, LOCAL_KEY_VARIABLES, type LocalKeys } from './config';
import { generateSealKeyPair, publicKeyOf } from './seal/keys';

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    throw new ConfigError(`${file} is not valid JSON; delete it and run npm start again to make new local keys`);
  }
}

/**
 * The saved keys, completed with new ones where missing and written back (owner-only) when anything changed.
 * `file` undefined (LOCAL_KEYS_FILE set empty): fresh keys for this run, saved nowhere.
 */
export function ensureLocalKeys(file: string | undefined, dataDir: string): LocalKeys {
  const saved = file !== undefined && existsSync(file) ? readJson<Partial<LocalKeys>>(file) : {};
  const legacyFile = join(dataDir, 'codec.json');
  const legacy = existsSync(legacyFile) ? readJson<{ keys?: string; bearer?: string }>(legacyFile) : {};
  const pair = saved.TOKEN_SEAL_PRIVATE_KEYS === undefined ? generateSealKeyPair('local1') : undefined;
  const keys: LocalKeys = {
    CODEC_KEYS: saved.CODEC_KEYS ?? legacy.keys ?? generateCodecKey('local1'),
    CODEC_SERVER_TOKEN: saved.CODEC_SERVER_TOKEN ?? legacy.bearer ?? randomBytes(24).toString('base64url'),
    TOKEN_SEAL_PRIVATE_KEYS: saved.TOKEN_SEAL_PRIVATE_KEYS ?? pair!.privateKey,
    TOKEN_SEAL_PUBLIC_KEY: saved.TOKEN_SEAL_PUBLIC_KEY ?? pair?.publicKey ?? publicKeyOf(saved.TOKEN_SEAL_PRIVATE_KEYS!),
  };
  if (file !== undefined) {
    mkdirSync(dirname(file), { recursive: true });
    if (LOCAL_KEY_VARIABLES.some((name) => saved[name] !== keys[name])) writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    // Also when the file was there already: whatever made it, only its owner may read keys.
    chmodSync(file, 0o600);
  }
  return keys;
}

/**
 * The keys a local deployment runs with: each variable the environment sets wins (and is never written to the
 * file); the others come from `file` (made once). `npm start` and `npm run cluster` call it.
 */
export function localKeysFor(file: string | undefined, dataDir: string, env: NodeJS.ProcessEnv): LocalKeys {
  const saved = ensureLocalKeys(file, dataDir);
  const pick = (name: (typeof LOCAL_KEY_VARIABLES)[number]) => (env[name]?.trim() ? env[name]! : saved[name]);
  return Object.fromEntries(LOCAL_KEY_VARIABLES.map((name) => [name, pick(name)])) as LocalKeys;
}
