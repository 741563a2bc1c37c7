/**
 * The real Womei bodies in `womei-samples/` (see its README): read as the exact bytes the server sent, or
 * parsed. Tests that need "a body as captured" take it from here, never from a hand-written copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SAMPLES_DIR = join(__dirname, 'womei-samples');

/** Every sample file name, sorted. */
export const SAMPLE_FILES: readonly string[] = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

export type SampleName = string;

/** The body's bytes exactly as captured (what a server sends after gzip is undone). */
export function sampleBytes(name: SampleName): Buffer {
  return readFileSync(join(SAMPLES_DIR, name));
}

export interface SampleEnvelope {
  ret: number;
  sub: number;
  msg: string;
  // The bodies' shapes are what the tests explore; `any` keeps each test's reads short.
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The body parsed. */
export function sample(name: SampleName): SampleEnvelope {
  return JSON.parse(sampleBytes(name).toString('utf8')) as SampleEnvelope;
}

/** The body's `data`, for tests that check a schema on its own. */
export function sampleData(name: SampleName): unknown {
  return sample(name).data;
}

/** A success body is `ret 0, sub 0`; the others are captured business errors. */
export function isErrorSample(name: SampleName): boolean {
  const body = sample(name);
  return body.ret !== 0 || body.sub !== 0;
}
