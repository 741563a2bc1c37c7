import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { generateCodecKey, parseCodecKeys } from '../../src/codec/keys';

const k32 = randomBytes(32).toString('base64');

describe('parseCodecKeys', () => {
  it('parses ids and 32-byte keys in order; the last is current', () => {
    const other = randomBytes(32);
    const keys = parseCodecKeys(` a:${k32} , b-2:${other.toString('base64url')}`);
    expect(keys.map((k) => k.id)).toEqual(['a', 'b-2']);
    expect(keys[1]?.key.equals(other)).toBe(true);
  });

  it('accepts what generateCodecKey prints', () => {
    expect(parseCodecKeys(generateCodecKey('k1'))[0]?.id).toBe('k1');
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /CODEC_KEYS is empty/],
    ['blank', '   ', /CODEC_KEYS is empty/],
    ['empty entry', `a:${k32},,b:${k32}`, /CODEC_KEYS: entry 2 is empty/],
    ['no id', k32, /CODEC_KEYS: entry 1 has no `id:` prefix/],
    ['empty id', `:${k32}`, /CODEC_KEYS: entry 1 has an invalid key id/],
    ['no key', 'a:', /CODEC_KEYS: key 'a' has no key material/],
    ['bad base64', 'a:not*base64!', /CODEC_KEYS: key 'a' is not valid base64/],
    ['short key', `a:${randomBytes(16).toString('base64')}`, /CODEC_KEYS: key 'a' decodes to 16 bytes.*32/],
    ['long key', `a:${randomBytes(33).toString('base64')}`, /CODEC_KEYS: key 'a' decodes to 33 bytes/],
    ['duplicate ids', `a:${k32},a:${randomBytes(32).toString('base64')}`, /CODEC_KEYS: key id 'a' is listed twice/],
  ];
  it.each(bad)('rejects %s with a message naming CODEC_KEYS', (_name, text, message) => {
    expect(() => parseCodecKeys(text)).toThrow(ConfigError);
    expect(() => parseCodecKeys(text)).toThrow(message);
  });

  it('never puts key material in an error', () => {
    const short = randomBytes(31).toString('base64');
    expect(() => parseCodecKeys(`a:${k32},b:${short}`)).toThrow(/key 'b'/);
    try {
      parseCodecKeys(`a:${k32},b:${short}`);
    } catch (error) {
      expect(String(error)).not.toContain(short);
      expect(String(error)).not.toContain(k32);
    }
  });

  it('reads the value from loadConfig().codec', () => {
    expect(loadConfig({ CODEC_KEYS: `x:${k32}` }, {}).codec.keys).toBe(`x:${k32}`);
    expect(loadConfig({}, {}).codec.keys).toBeUndefined();
  });
});
