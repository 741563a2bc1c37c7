/**
 * AES-256-GCM payload codec. Each payload is replaced by one whose data is `iv (12 bytes) || ciphertext || tag
 * (16 bytes)` of the whole original payload (metadata and data) serialized as a `temporal.api.common.v1.Payload`
 * protobuf, the layout of Temporal's encryption sample. The replacement's metadata carries only
 * `encoding: binary/encrypted` and `encryption-key-id: <id>`. Payloads without that encoding decode unchanged.
 * Error messages name key ids, never keys or payload content.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKey } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = temporal.api.common.v1.Payload;

/** A payload that cannot be decoded (unknown key id, tampered data, malformed envelope). */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

const text = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;

export class EncryptionCodec implements PayloadCodec {
  /** Key material stays in a private field: not enumerable, not printed by console.log or JSON.stringify. */
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** The id new payloads are encrypted with (the last configured key). */
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];

  constructor(keys: readonly CodecKey[]) {
    const last = keys[keys.length - 1];
    if (!last) throw new CodecError('EncryptionCodec needs at least one key (CODEC_KEYS)');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new CodecError(`key '${id}' must be 32 bytes for AES-256-GCM`);
      if (map.has(id)) throw new CodecError(`key id '${id}' is listed twice`);
      map.set(id, Buffer.from(key));
    }
    this.#keys = map;
    this.currentKeyId = last.id;
    this.keyIds = [...map.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.#keys.get(this.currentKeyId) as Buffer;
    return payloads.map((payload) => {
      const plaintext = ProtoPayload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [METADATA_KEY_ID]: Buffer.from(this.currentKeyId),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    if (!keyId) throw new CodecError(`encrypted payload has no '${METADATA_KEY_ID}' metadata`);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new CodecError(
        `cannot decrypt payload: unknown encryption key id '${keyId}' (configured in CODEC_KEYS: ${this.keyIds.join(', ')})`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new CodecError(`encrypted payload (key id '${keyId}') is truncated: ${data.byteLength} bytes`);
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new CodecError(
        `payload authentication failed (key id '${keyId}'): the encrypted data was altered or the key is not the one it was encrypted with`,
      );
    }
    try {
      return ProtoPayload.decode(plaintext);
    } catch {
      throw new CodecError(`decrypted payload (key id '${keyId}') is not a valid Temporal Payload`);
    }
  }
}

/** The codec for a parsed key list (see `parseCodecKeys`): the last key encrypts, every key decrypts. */
export function createEncryptionCodec(keys: readonly CodecKey[]): EncryptionCodec {
  return new EncryptionCodec(keys);
}
