/**
 * CODEC_KEYS parsing: `id:base64key,id2:base64key`, each key exactly 32 bytes (AES-256). The last key encrypts new
 * payloads; every listed key decrypts, so rotating means appending a new key and keeping the old ones until no
 * history that needs them is left. Errors name the variable and the key id, never the key material.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config';

export const KEY_BYTES = 32;
const VARIABLE = 'CODEC_KEYS';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard or URL-safe alphabet, optional padding (proto3 JSON accepts both). */
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

export interface CodecKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Parses CODEC_KEYS. Returns at least one key; the last one is the current (encrypting) key. */
export function parseCodecKeys(text: string | undefined): CodecKey[] {
  if (text === undefined || text.trim() === '') {
    throw new ConfigError(`${VARIABLE} is empty: expected \`id:base64key[,id2:base64key]\``);
  }
  const keys: CodecKey[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    if (entry === '') throw new ConfigError(`${VARIABLE}: entry ${index + 1} is empty`);
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ConfigError(`${VARIABLE}: entry ${index + 1} has no \`id:\` prefix (expected id:base64key)`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      throw new ConfigError(`${VARIABLE}: entry ${index + 1} has an invalid key id (1-64 chars of A-Z a-z 0-9 . _ -)`);
    }
    if (seen.has(id)) throw new ConfigError(`${VARIABLE}: key id '${id}' is listed twice`);
    if (encoded === '') throw new ConfigError(`${VARIABLE}: key '${id}' has no key material`);
    if (!BASE64.test(encoded)) throw new ConfigError(`${VARIABLE}: key '${id}' is not valid base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new ConfigError(`${VARIABLE}: key '${id}' decodes to ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`);
    }
    seen.add(id);
    keys.push({ id, key });
  });
  return keys;
}

/** A fresh random key in CODEC_KEYS form (`id:base64`), for `main.ts generate-key`. */
export function generateCodecKey(id: string): string {
  if (!KEY_ID.test(id)) throw new ConfigError(`invalid key id '${id}' (1-64 chars of A-Z a-z 0-9 . _ -)`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
