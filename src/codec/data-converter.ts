/**
 * The data converter shared by the client and the worker (`new Client({ dataConverter })`,
 * `Worker.create({ dataConverter })`). Payload codecs run in-process outside the workflow sandbox, so nothing here
 * is bundled into workflow code except the failure converter, which the bundler loads from its path.
 *
 * A prebuilt workflow bundle (`bundleWorkflowCode`) must be given `failureConverterPath: FAILURE_CONVERTER_PATH` too,
 * or failures raised in workflow code keep their messages in plain text.
 */
import type { DataConverter } from '@temporalio/common';
import { ConfigError, LOCAL_KEYS_HINT, type AppConfig } from '../config';
import { createEncryptionCodec } from './codec';
import { parseCodecKeys } from './keys';

/** Absolute path of the module exporting `failureConverter` (DefaultFailureConverter, encodeCommonAttributes). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export const MISSING_PAYLOAD_KEY =
  `no payload encryption key: set CODEC_KEYS (a new one: npx tsx src/codec/main.ts generate-key), ${LOCAL_KEYS_HINT}; INSECURE_PLAINTEXT_PAYLOADS=true runs unencrypted (throwaway local use only)`;

/**
 * Fails closed: without CODEC_KEYS a client or worker refuses to run (ConfigError), unless
 * INSECURE_PLAINTEXT_PAYLOADS says otherwise; then seats, voucher codes, results, error messages and stack traces
 * sit readable in Temporal's history. The user's token is sealed either way (src/seal/).
 */
export function createDataConverter(config: { codec: Pick<AppConfig['codec'], 'keys' | 'insecurePlaintextPayloads'> }): DataConverter {
  if (config.codec.keys === undefined) {
    if (!config.codec.insecurePlaintextPayloads) throw new ConfigError(MISSING_PAYLOAD_KEY);
    return {};
  }
  return {
    payloadCodecs: [createEncryptionCodec(parseCodecKeys(config.codec.keys))],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
