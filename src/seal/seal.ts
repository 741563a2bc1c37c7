/**
 * Sealing the user's Womei token so that only workers can read it: the client encrypts it to the workers'
 * X25519 public key (ECDH with a fresh ephemeral key, HKDF-SHA256, AES-256-GCM), and the string that travels
 * through Temporal (workflow input, activity arguments, `refreshToken`) is `sealed:v1:<keyId>:<base64url of
 * ephemeral public key ‖ IV ‖ ciphertext ‖ tag>`. The codec server and the Web UI decode payloads but hold no
 * private key, so they show the token sealed. A worker opens it inside the activity that sends it to Womei.
 *
 * Errors name key ids and what went wrong, never a token or a key.
 */
import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { TOKEN_PATTERN } from '../../workflows/input';
import { ConfigError, LOCAL_KEYS_HINT } from '../config';
import { isSealedToken, SEALED_TOKEN_PREFIX, TOKEN_NOT_SEALED } from './format';
import {
  parseSealPrivateKeys,
  parseSealPublicKey,
  publicKeyFromRaw,
  rawPublicKey,
  SEAL_KEY_BYTES,
  type SealPrivateKey,
  type SealPublicKey,
} from './keys';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const INFO = Buffer.from('womei-checkout token seal v1');

/** A token a worker cannot open. `type` is the activity failure type; `retryable` whether another worker might. */
export abstract class TokenSealError extends Error {
  abstract readonly type: string;
  abstract readonly retryable: boolean;
  override get name(): string {
    return this.type;
  }
}

/** The token is not in the sealed form: plaintext, or anything else. Refused before Womei is called. */
export class TokenNotSealed extends TokenSealError {
  readonly type = TOKEN_NOT_SEALED;
  readonly retryable = false;
}

/** Sealed with a key this worker does not hold: a worker that has it (mid-rotation) may open it. */
export class TokenSealKeyUnknown extends TokenSealError {
  readonly type = 'TokenSealKeyUnknown';
  readonly retryable = true;
}

/** Sealed form, but it does not open: altered, truncated, or sealed to another key with the same id. */
export class TokenSealBroken extends TokenSealError {
  readonly type = 'TokenSealBroken';
  readonly retryable = false;
}

function contentKey(shared: Buffer, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralRaw, recipientRaw]), INFO, 32));
}

/** Seals tokens to one public key (the client's TOKEN_SEAL_PUBLIC_KEY). */
export class TokenSealer {
  readonly keyId: string;
  readonly #recipient: KeyObject;
  readonly #recipientRaw: Buffer;

  constructor(publicKey: SealPublicKey) {
    this.keyId = publicKey.id;
    this.#recipient = publicKey.key;
    this.#recipientRaw = publicKey.raw;
  }

  seal(token: string): string {
    const ephemeral = generateKeyPairSync('x25519');
    const ephemeralRaw = rawPublicKey(ephemeral.publicKey);
    const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: this.#recipient });
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', contentKey(shared, ephemeralRaw, this.#recipientRaw), iv);
    const header = `${SEALED_TOKEN_PREFIX}${this.keyId}`;
    cipher.setAAD(Buffer.from(header));
    const body = Buffer.concat([ephemeralRaw, iv, cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${header}:${body.toString('base64url')}`;
  }
}

/** Opens sealed tokens with the worker's private keys (TOKEN_SEAL_PRIVATE_KEYS), any of them by id. */
export class TokenOpener {
  readonly #keys: ReadonlyMap<string, SealPrivateKey>;
  readonly keyIds: readonly string[];

  constructor(privateKeys: readonly SealPrivateKey[]) {
    this.#keys = new Map(privateKeys.map((k) => [k.id, k]));
    this.keyIds = privateKeys.map((k) => k.id);
  }

  /** The Womei token inside `sealed`; throws a TokenSealError (never carrying the value) otherwise. */
  open(sealed: string): string {
    if (!isSealedToken(sealed)) {
      throw new TokenNotSealed('the token is not sealed: clients seal it with TOKEN_SEAL_PUBLIC_KEY; a plaintext token is refused and nothing is sent to Womei');
    }
    const rest = sealed.slice(SEALED_TOKEN_PREFIX.length);
    const colon = rest.lastIndexOf(':');
    const keyId = rest.slice(0, colon);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new TokenSealKeyUnknown(`token sealed with key '${keyId}', which this worker does not hold (TOKEN_SEAL_PRIVATE_KEYS: ${this.keyIds.join(', ')})`);
    }
    const body = Buffer.from(rest.slice(colon + 1), 'base64url');
    if (body.length < SEAL_KEY_BYTES + IV_BYTES + TAG_BYTES + 1) throw new TokenSealBroken(`sealed token (key '${keyId}') is truncated`);
    const ephemeralRaw = body.subarray(0, SEAL_KEY_BYTES);
    let token: string;
    try {
      const shared = diffieHellman({ privateKey: key.privateKey, publicKey: publicKeyFromRaw(ephemeralRaw) });
      const decipher = createDecipheriv('aes-256-gcm', contentKey(shared, ephemeralRaw, key.raw), body.subarray(SEAL_KEY_BYTES, SEAL_KEY_BYTES + IV_BYTES));
      decipher.setAAD(Buffer.from(`${SEALED_TOKEN_PREFIX}${keyId}`));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      token = Buffer.concat([decipher.update(body.subarray(SEAL_KEY_BYTES + IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenSealBroken(`sealed token (key '${keyId}') does not open: it was altered, or sealed to another key with that id`);
    }
    if (!TOKEN_PATTERN.test(token)) throw new TokenSealBroken(`sealed token (key '${keyId}') holds no Womei token`);
    return token;
  }
}

type SealConfig = { seal: { publicKey?: string; privateKeys?: string } };

/** The client's sealer: TOKEN_SEAL_PUBLIC_KEY; undefined when unset (a start is then refused, see `missingSealKey`). */
export function tokenSealerFor(config: SealConfig): TokenSealer | undefined {
  return config.seal.publicKey === undefined ? undefined : new TokenSealer(parseSealPublicKey(config.seal.publicKey));
}

/** The refusal of a client that has no public key, naming what to set. */
export function missingSealKey(): ConfigError {
  return new ConfigError(
    `no token seal key: set TOKEN_SEAL_PUBLIC_KEY (a pair for it and the workers' TOKEN_SEAL_PRIVATE_KEYS: npx tsx src/seal/main.ts generate-key), ${LOCAL_KEYS_HINT}`,
  );
}

/** The worker's opener: TOKEN_SEAL_PRIVATE_KEYS; a worker without it refuses to run. */
export function tokenOpenerFor(config: SealConfig): TokenOpener {
  if (config.seal.privateKeys === undefined) {
    throw new ConfigError(
      `no token seal keys: a worker needs TOKEN_SEAL_PRIVATE_KEYS to open the tokens clients seal (a new pair: npx tsx src/seal/main.ts generate-key), ${LOCAL_KEYS_HINT}`,
    );
  }
  return new TokenOpener(parseSealPrivateKeys(config.seal.privateKeys));
}
