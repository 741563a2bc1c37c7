/**
 * `npm start`'s local keys (src/local-keys.ts) and how the CLI, client and worker of the same clone find them
 * (`withLocalKeys`, src/config.ts): saved owner-only, kept across restarts, never overriding the environment.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneRoot, ConfigError, loadConfig, withLocalKeys } from '../../src/config';
import { ensureLocalKeys } from '../../src/local-keys';
import { parseCodecKeys } from '../../src/codec/keys';
import { parseSealPrivateKeys, parseSealPublicKey, publicKeyOf } from '../../src/seal/keys';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureLocalKeys (npm start)', () => {
  test('makes every key once, saves them owner-only, and returns the same ones on the next start', () => {
    const file = join(dir, 'sub', 'local-keys.json');
    const first = ensureLocalKeys(file, dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseCodecKeys(first.CODEC_KEYS)[0]!.id).toBe('local1');
    expect(parseSealPrivateKeys(first.TOKEN_SEAL_PRIVATE_KEYS)[0]!.id).toBe('local1');
    expect(parseSealPublicKey(first.TOKEN_SEAL_PUBLIC_KEY).id).toBe('local1');
    expect(publicKeyOf(first.TOKEN_SEAL_PRIVATE_KEYS)).toBe(first.TOKEN_SEAL_PUBLIC_KEY);
    expect(first.CODEC_SERVER_TOKEN.length).toBeGreaterThanOrEqual(32);
    const text = readFileSync(file, 'utf8');
    expect(ensureLocalKeys(file, dir)).toEqual(first);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  test('completes a partial file, keeps what it holds, and tightens its mode', () => {
    const file = join(dir, 'local-keys.json');
    const full = ensureLocalKeys(join(dir, 'other.json'), dir);
    writeFileSync(file, JSON.stringify({ TOKEN_SEAL_PRIVATE_KEYS: full.TOKEN_SEAL_PRIVATE_KEYS }), { mode: 0o644 });
    const keys = ensureLocalKeys(file, dir);
    expect(keys.TOKEN_SEAL_PRIVATE_KEYS).toBe(full.TOKEN_SEAL_PRIVATE_KEYS);
    // The public half is derived from the saved private key, not made anew.
    expect(keys.TOKEN_SEAL_PUBLIC_KEY).toBe(full.TOKEN_SEAL_PUBLIC_KEY);
    expect(keys.CODEC_KEYS).not.toBe(full.CODEC_KEYS);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('carries over the payload key and bearer token of a clone from before the seal (.data/codec.json)', () => {
    const old = ensureLocalKeys(join(dir, 'x.json'), dir);
    writeFileSync(join(dir, 'codec.json'), JSON.stringify({ keys: old.CODEC_KEYS, bearer: 'old-bearer-token-old-bearer-token' }));
    const keys = ensureLocalKeys(join(dir, 'local-keys.json'), dir);
    expect(keys.CODEC_KEYS).toBe(old.CODEC_KEYS);
    expect(keys.CODEC_SERVER_TOKEN).toBe('old-bearer-token-old-bearer-token');
  });

  test('LOCAL_KEYS_FILE empty: keys for this run, saved nowhere', () => {
    const keys = ensureLocalKeys(undefined, dir);
    expect(parseCodecKeys(keys.CODEC_KEYS)).toHaveLength(1);
  });
});

describe('withLocalKeys (CLI, client, worker)', () => {
  test('fills in what the environment leaves unset; what it sets wins; only key variables are read', () => {
    const file = join(dir, 'local-keys.json');
    const saved = ensureLocalKeys(file, dir);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify({ ...raw, TEMPORAL_ADDRESS: 'evil.example:7233' }));
    const env = withLocalKeys({ LOCAL_KEYS_FILE: file, CODEC_KEYS: '', TOKEN_SEAL_PUBLIC_KEY: 'mine:AAAA' });
    expect(env).toMatchObject({ CODEC_KEYS: saved.CODEC_KEYS, TOKEN_SEAL_PUBLIC_KEY: 'mine:AAAA', TOKEN_SEAL_PRIVATE_KEYS: saved.TOKEN_SEAL_PRIVATE_KEYS });
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
    const config = loadConfig({}, withLocalKeys({ LOCAL_KEYS_FILE: file }));
    expect(config.codec.keys).toBe(saved.CODEC_KEYS);
    expect(config.seal.publicKey).toBe(saved.TOKEN_SEAL_PUBLIC_KEY);
    expect(config.codec.serverToken).toBe(saved.CODEC_SERVER_TOKEN);
  });

  test('no file, or LOCAL_KEYS_FILE empty: the environment as it is', () => {
    const env = { LOCAL_KEYS_FILE: join(dir, 'missing.json') };
    expect(withLocalKeys(env)).toBe(env);
    ensureLocalKeys(join(dir, 'k.json'), dir);
    const off = { LOCAL_KEYS_FILE: '' };
    expect(withLocalKeys(off)).toBe(off);
    expect(loadConfig({ LOCAL_KEYS_FILE: '' }, {}).localKeysFile).toBeUndefined();
  });

  test('a relative LOCAL_KEYS_FILE is relative to the clone, whatever the working folder', () => {
    expect(loadConfig({}, {}).localKeysFile).toBe(join(cloneRoot(), '.data', 'local-keys.json'));
    expect(readFileSync(join(cloneRoot(), 'package.json'), 'utf8')).toContain('"name": "womei-checkout"');
  });

  test('a file that is not JSON: one ConfigError naming it', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{not json');
    expect(() => withLocalKeys({ LOCAL_KEYS_FILE: file })).toThrow(ConfigError);
    expect(() => withLocalKeys({ LOCAL_KEYS_FILE: file })).toThrow(`LOCAL_KEYS_FILE ${file} is not valid JSON`);
  });
});
