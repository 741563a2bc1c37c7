import { inspect } from 'node:util';
import { DefaultPayloadConverter } from '@temporalio/common';
import { CodecError, createEncryptionCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID } from '../../src/codec/codec';
import { key, meta, plain } from './helpers';

describe('EncryptionCodec', () => {
  const a = key('a');
  const b = key('b');

  it('round-trips metadata and data', async () => {
    const codec = createEncryptionCodec([a]);
    const original = [plain('hello'), { metadata: {}, data: new Uint8Array() }, plain('')];
    const encoded = await codec.encode(original);
    expect(encoded).toHaveLength(3);
    for (const payload of encoded) {
      expect(meta(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(payload, METADATA_KEY_ID)).toBe('a');
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID]);
    }
    const decoded = await codec.decode(encoded);
    decoded.forEach((payload, i) => {
      expect(Buffer.from(payload.data ?? []).equals(Buffer.from(original[i]?.data ?? []))).toBe(true);
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(Object.keys(original[i]?.metadata ?? {}).sort());
    });
    expect(meta(decoded[0]!, 'extra')).toBe('x');
    expect(await codec.encode([])).toEqual([]);
  });

  it('uses a fresh IV each time: the same payload encrypts differently', async () => {
    const codec = createEncryptionCodec([a]);
    const [one, two] = await codec.encode([plain('same'), plain('same')]);
    const iv = (p: typeof one) => Buffer.from(p!.data!).subarray(0, 12);
    expect(iv(one).equals(iv(two))).toBe(false);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('detects tampering (GCM authentication)', async () => {
    const codec = createEncryptionCodec([a]);
    const [encoded] = await codec.encode([plain('secret')]);
    for (const offset of [0, 20, encoded!.data!.length - 1]) {
      const data = Buffer.from(encoded!.data!);
      data[offset] = (data[offset] ?? 0) ^ 1;
      await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(CodecError);
      await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/authentication failed \(key id 'a'\)/);
    }
    await expect(codec.decode([{ ...encoded, data: Buffer.alloc(10) }])).rejects.toThrow(/truncated/);
  });

  it('rotation: keys A,B decodes A payloads and encrypts with B', async () => {
    const [oldPayload] = await createEncryptionCodec([a]).encode([plain('before rotation')]);
    const rotated = createEncryptionCodec([a, b]);
    expect(rotated.currentKeyId).toBe('b');
    const [decoded] = await rotated.decode([oldPayload!]);
    expect(Buffer.from(decoded!.data!).toString()).toBe('"before rotation"');
    const [fresh] = await rotated.encode([plain('after rotation')]);
    expect(meta(fresh!, METADATA_KEY_ID)).toBe('b');
    await expect(createEncryptionCodec([b]).decode([oldPayload!])).rejects.toThrow(/unknown encryption key id 'a'/);
  });

  it('unknown key id: clear error naming the id, never a key', async () => {
    const [encoded] = await createEncryptionCodec([b]).encode([plain('x')]);
    const codec = createEncryptionCodec([a]);
    const error = await codec.decode([encoded!]).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(CodecError);
    expect((error as Error).message).toMatch(/unknown encryption key id 'b'/);
    expect((error as Error).message).not.toContain(a.key.toString('base64'));
    expect((error as Error).message).not.toContain(b.key.toString('base64'));
  });

  it('a key with the same id but other material fails authentication', async () => {
    const [encoded] = await createEncryptionCodec([a]).encode([plain('x')]);
    await expect(createEncryptionCodec([key('a')]).decode([encoded!])).rejects.toThrow(/authentication failed/);
  });

  it('passes payloads that are not encrypted through decode unchanged', async () => {
    const original = plain('clear');
    const [decoded] = await createEncryptionCodec([a]).decode([original]);
    expect(decoded).toBe(original);
    const bare = {};
    expect((await createEncryptionCodec([a]).decode([bare]))[0]).toBe(bare);
  });

  it('does not expose key material when printed', () => {
    const codec = createEncryptionCodec([a]);
    expect(JSON.stringify(codec)).not.toContain(a.key.toString('base64'));
    expect(inspect(codec, { depth: 5 })).not.toContain(a.key.toString('hex').slice(0, 8));
  });

  it('rejects an empty key list', () => {
    expect(() => createEncryptionCodec([])).toThrow(/at least one key/);
  });

  it('hides a real Temporal payload: the token is absent from the encoded bytes (raw and base64)', async () => {
    const token = '0123456789abcdef0123456789abcdef';
    const converter = new DefaultPayloadConverter();
    const payload = converter.toPayload({ token });
    expect(Buffer.from(payload.data!).toString()).toContain(token); // sanity: the converter output holds it
    const codec = createEncryptionCodec([a]);
    const [encoded] = await codec.encode([payload]);
    const bytes = Buffer.concat([
      ...Object.entries(encoded!.metadata ?? {}).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
      Buffer.from(encoded!.data!),
    ]);
    expect(bytes.includes(Buffer.from(token))).toBe(false);
    expect(bytes.toString('latin1')).not.toContain(token);
    // base64 of the token at each of the three byte alignments, as it would appear inside a longer base64 text
    const tokenBase64 = [0, 1, 2].map((shift) => Buffer.concat([Buffer.alloc(shift), Buffer.from(token)]).toString('base64').slice(4, 40));
    for (const text of [bytes.toString('base64'), Buffer.from(encoded!.data!).toString('base64')]) {
      expect(text).not.toContain(token);
      for (const variant of tokenBase64) expect(text).not.toContain(variant);
    }
    // and the check itself would catch the plain payload
    expect(tokenBase64.some((v) => Buffer.from(payload.data!).toString('base64').includes(v))).toBe(true);
    const [decoded] = await codec.decode([encoded!]);
    expect(converter.fromPayload(decoded!)).toEqual({ token });
  });
});
