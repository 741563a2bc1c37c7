import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter, type FailureConverter, type PayloadCodec } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { ConfigError, loadConfig } from '../../src/config';
import { EncryptionCodec } from '../../src/codec/codec';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter';

const keys = `a:${randomBytes(32).toString('base64')}`;

describe('createDataConverter', () => {
  it('without CODEC_KEYS: refused, naming what to set (fail closed)', () => {
    expect(() => createDataConverter(loadConfig({}, {}))).toThrow(ConfigError);
    expect(() => createDataConverter(loadConfig({}, {}))).toThrow(/no payload encryption key: set CODEC_KEYS .*npm start.*INSECURE_PLAINTEXT_PAYLOADS=true/);
  });

  it('without CODEC_KEYS but with INSECURE_PLAINTEXT_PAYLOADS=true: no codec, default converters (throwaway local use)', () => {
    const converter = createDataConverter(loadConfig({ INSECURE_PLAINTEXT_PAYLOADS: 'true' }, {}));
    expect(converter.payloadCodecs).toBeUndefined();
    expect(converter.failureConverterPath).toBeUndefined();
  });

  it('rejects a bad CODEC_KEYS with a message naming it', () => {
    expect(() => createDataConverter(loadConfig({ CODEC_KEYS: 'a:short' }, {}))).toThrow(/CODEC_KEYS: key 'a'/);
  });

  it('with keys: the encryption codec and a failure converter that encodes messages and stack traces', async () => {
    const converter = createDataConverter(loadConfig({ CODEC_KEYS: keys }, {}));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs?.[0]).toBeInstanceOf(EncryptionCodec);
    expect(converter.failureConverterPath).toBe(FAILURE_CONVERTER_PATH);

    // The SDK loads it the way the client and worker do.
    const loaded = loadDataConverter(converter);
    const failureConverter: FailureConverter = loaded.failureConverter;
    const token = '0123456789abcdef0123456789abcdef';
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable(`token ${token} expired`, 'TokenInvalid'),
      defaultPayloadConverter,
    );
    expect(failure.message).not.toContain(token);
    expect(failure.stackTrace ?? '').not.toContain(token);
    expect(failure.encodedAttributes).toBeDefined();

    const codec = loaded.payloadCodecs[0] as PayloadCodec;
    const [encrypted] = await codec.encode([failure.encodedAttributes!]);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain(token);
    const [decrypted] = await codec.decode([encrypted!]);
    const back = failureConverter.failureToError({ ...failure, encodedAttributes: decrypted }, defaultPayloadConverter);
    expect(back.message).toBe(`token ${token} expired`);
  });
});
