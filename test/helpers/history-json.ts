/**
 * JSON history files → History objects for `Worker.runReplayHistories`.
 *
 * Why not `historyFromJSON` from @temporalio/common: in this install npm could not dedupe protobufjs (grpc's
 * proto-loader pins 7.x at the top level), so @temporalio/common and @temporalio/proto each got their own
 * nested protobufjs 8 copy, and common's `protojson` refuses proto's `Type` ("type must be a Type"). Using the
 * protojson of the SAME copy that @temporalio/proto's types were built with does the identical conversion.
 * Files are the official CLI's `temporal workflow show --output json` (enum names already in constant case).
 */
import { dirname } from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;
interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): History | null;
}

const protoDir = dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyFromJsonFile(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('invalid history JSON');
  return history;
}
