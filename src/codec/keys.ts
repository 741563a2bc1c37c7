/**
 * CODEC_KEYS parsing: `id:base64key,id2:base64key`, each key exactly 32 bytes (AES-256). The last key encrypts new
 * payloads; every listed key decrypts, so rotating means appending a new key and keeping the old ones until no
 * history that needs them is left. Errors name the variable and the key id, never the key material.
 */
import { randomBytes } from 'node:crypto';
import { checkKeyId, parseKeyEntries, type KeyEntry } from '../key-entries';

export const KEY_BYTES = 32;

export type CodecKey = KeyEntry;

/** Parses CODEC_KEYS. Returns at least one key; the last one is the current (encrypting) key. */
export function parseCodecKeys(text: string | undefined): CodecKey[] {
  return parseKeyEntries('CODEC_KEYS', text, KEY_BYTES, 'AES-256');
}

/** A fresh random key in CODEC_KEYS form (`id:base64`), for `main.ts generate-key`. */
export function generateCodecKey(id: string): string {
  return `${checkKeyId(id)}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
