/** The real bodies stay as captured: unchanged bytes, each one described in the README. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_FILES, SAMPLES_DIR, sampleBytes } from './samples';

const sums = new Map(
  readFileSync(join(SAMPLES_DIR, 'SHA256SUMS'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [hash, name] = line.split(/\s+/);
      return [name ?? '', hash ?? ''] as const;
    }),
);
const readme = readFileSync(join(SAMPLES_DIR, 'README.md'), 'utf8');

test('there are the 30 captured bodies, each with a checksum and a README row', () => {
  expect(SAMPLE_FILES).toHaveLength(30);
  expect([...sums.keys()].sort()).toEqual([...SAMPLE_FILES]);
  for (const file of SAMPLE_FILES) expect(readme).toContain(`| ${file}`);
});

test.each(SAMPLE_FILES)('%s is byte-for-byte the captured body', (file) => {
  const bytes = sampleBytes(file);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(sums.get(file));
  // Compact PHP json_encode output: one line, no trailing newline.
  expect(bytes.includes(0x0a)).toBe(false);
  expect(() => JSON.parse(bytes.toString('utf8'))).not.toThrow();
});
