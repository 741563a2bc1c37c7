import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import type { CodecKey } from '../../src/codec/keys';

export const key = (id: string): CodecKey => ({ id, key: randomBytes(32) });
export const keysText = (...keys: CodecKey[]): string => keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
export const meta = (payload: Payload, name: string): string | undefined => {
  const value = payload.metadata?.[name];
  return value ? Buffer.from(value).toString('utf8') : undefined;
};
export const plain = (text: string): Payload => ({
  metadata: { encoding: Buffer.from('json/plain'), extra: Buffer.from('x') },
  data: Buffer.from(JSON.stringify(text)),
});
