/**
 * Key lists in the environment, `id:base64key[,id2:base64key]` (CODEC_KEYS, TOKEN_SEAL_PRIVATE_KEYS,
 * TOKEN_SEAL_PUBLIC_KEY): ids tell which key made a ciphertext, so rotating means appending a key and keeping
 * the old ones. Errors name the variable and the key id, never the key material.
 */
import { ConfigError } from './config';

/** 1-64 chars of A-Z a-z 0-9 . _ - (also the form a sealed token and an encrypted payload name their key by). */
export const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe alphabet, optional padding. */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface KeyEntry {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * Parses `variable`'s value into at least one entry, each exactly `bytes` long (`algorithm` names what needs
 * that length, for the error). Order is kept: callers treat the last entry as the current one.
 */
export function parseKeyEntries(variable: string, text: string | undefined, bytes: number, algorithm: string): KeyEntry[] {
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(`${variable} is empty: expected \`id:base64key[,id2:base64key]\``);
  }
  const entries: KeyEntry[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    if (entry === '') throw new ConfigError(`${variable}: entry ${index + 1} is empty`);
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ConfigError(`${variable}: entry ${index + 1} has no \`id:\` prefix (expected id:base64key)`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      throw new ConfigError(`${variable}: entry ${index + 1} has an invalid key id (1-64 chars of A-Z a-z 0-9 . _ -)`);
    }
    if (seen.has(id)) throw new ConfigError(`${variable}: key id '${id}' is listed twice`);
    if (encoded === '') throw new ConfigError(`${variable}: key '${id}' has no key material`);
    if (!BASE64.test(encoded)) throw new ConfigError(`${variable}: key '${id}' is not valid base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== bytes) {
      throw new ConfigError(`${variable}: key '${id}' decodes to ${key.length} bytes; ${algorithm} needs exactly ${bytes}`);
    }
    seen.add(id);
    entries.push({ id, key });
  });
  return entries;
}

/** Checks an id for a key about to be generated. */
export function checkKeyId(id: string): string {
  if (!KEY_ID.test(id)) throw new ConfigError(`invalid key id '${id}' (1-64 chars of A-Z a-z 0-9 . _ -)`);
  return id;
}
