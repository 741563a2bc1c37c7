/**
 * The data converter shared by the client and the worker (`new Client({ dataConverter })`,
 * `Worker.create({ dataConverter })`). Payload codecs run in-process outside the workflow sandbox, so nothing here
 * is bundled into workflow code except the failure converter, which the bundler loads from its path.
 *
 * A prebuilt workflow bundle (`bundleWorkflowCode`) must be given `failureConverterPath: FAILURE_CONVERTER_PATH` too,
 * or failures raised in workflow code keep their messages in plain text.
 */
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../config';
import { createEncryptionCodec } from './codec';
import { parseCodecKeys } from './keys';

/** Absolute path of the module exporting `failureConverter` (DefaultFailureConverter, encodeCommonAttributes). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function createDataConverter(config: { codec: Pick<AppConfig['codec'], 'keys'> }): DataConverter {
  if (config.codec.keys === undefined) {
    // Development only: without CODEC_KEYS, payloads (the user's token included), error messages and stack traces
    // are stored in Temporal's history in plain text.
    return {};
  }
  return {
    payloadCodecs: [createEncryptionCodec(parseCodecKeys(config.codec.keys))],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
