/**
 * Token seal keys: X25519 key pairs, written as `id:base64url` of the raw 32-byte key.
 * - TOKEN_SEAL_PUBLIC_KEY (clients: CLI, backends): one public key; new seals use it.
 * - TOKEN_SEAL_PRIVATE_KEYS (workers only): every private key whose seals may still be in flight, by id; the
 *   last one is the pair of the current public key. Rotating: append the new private key on every worker
 *   first, then give clients the new public key; drop an old private key once no running checkout holds a
 *   token sealed with it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config';
import { checkKeyId, parseKeyEntries } from '../key-entries';

export const SEAL_KEY_BYTES = 32;
const PUBLIC_VARIABLE = 'TOKEN_SEAL_PUBLIC_KEY';
const PRIVATE_VARIABLE = 'TOKEN_SEAL_PRIVATE_KEYS';
// DER headers of an X25519 key (RFC 8410): a raw key is the 32 bytes that follow.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface SealPublicKey {
  readonly id: string;
  readonly key: KeyObject;
  /** The raw 32 bytes, bound into every seal's key derivation. */
  readonly raw: Buffer;
}

export interface SealPrivateKey extends SealPublicKey {
  readonly privateKey: KeyObject;
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function privateKeyFromRaw(raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** Parses TOKEN_SEAL_PUBLIC_KEY: exactly one `id:base64url` entry. */
export function parseSealPublicKey(text: string | undefined): SealPublicKey {
  const entries = parseKeyEntries(PUBLIC_VARIABLE, text, SEAL_KEY_BYTES, 'an X25519 public key');
  if (entries.length !== 1) throw new ConfigError(`${PUBLIC_VARIABLE}: give exactly one key (the newest); workers keep the old ones`);
  const { id, key } = entries[0]!;
  try {
    return { id, key: publicKeyFromRaw(key), raw: key };
  } catch {
    throw new ConfigError(`${PUBLIC_VARIABLE}: key '${id}' is not an X25519 public key`);
  }
}

/** Parses TOKEN_SEAL_PRIVATE_KEYS: at least one entry; the last is the current key pair. */
export function parseSealPrivateKeys(text: string | undefined): SealPrivateKey[] {
  return parseKeyEntries(PRIVATE_VARIABLE, text, SEAL_KEY_BYTES, 'an X25519 private key').map(({ id, key }) => {
    let privateKey: KeyObject;
    try {
      privateKey = privateKeyFromRaw(key);
    } catch {
      throw new ConfigError(`${PRIVATE_VARIABLE}: key '${id}' is not an X25519 private key`);
    }
    const publicKey = createPublicKey(privateKey);
    return { id, privateKey, key: publicKey, raw: rawPublicKey(publicKey) };
  });
}

/** A fresh key pair, as the two variables' entries. */
export function generateSealKeyPair(id: string): { privateKey: string; publicKey: string } {
  checkKeyId(id);
  const pair = generateKeyPairSync('x25519');
  const privateRaw = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { privateKey: `${id}:${privateRaw.toString('base64url')}`, publicKey: `${id}:${rawPublicKey(pair.publicKey).toString('base64url')}` };
}

/** The TOKEN_SEAL_PUBLIC_KEY entry that pairs with the current (last) private key. */
export function publicKeyOf(privateKeys: string): string {
  const current = parseSealPrivateKeys(privateKeys).at(-1)!;
  return `${current.id}:${current.raw.toString('base64url')}`;
}
