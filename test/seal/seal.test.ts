/**
 * Token sealing (src/seal/): X25519 + HKDF + AES-256-GCM with node:crypto. A client holding only the public key
 * seals; only the private key opens; rotation keeps old seals openable; every refusal is typed and carries no
 * token and no key material; the variables parse with errors that name them.
 */
import { ConfigError, loadConfig } from '../../src/config';
import { isSealedToken, SEALED_TOKEN_PATTERN } from '../../src/seal/format';
import { generateSealKeyPair, parseSealPrivateKeys, parseSealPublicKey, publicKeyOf } from '../../src/seal/keys';
import {
  TokenNotSealed,
  TokenOpener,
  TokenSealBroken,
  TokenSealer,
  TokenSealKeyUnknown,
  tokenOpenerFor,
  tokenSealerFor,
} from '../../src/seal/seal';

const TOKEN = '0123456789abcdef0123456789abcdef';
const K1 = generateSealKeyPair('k1');
const K2 = generateSealKeyPair('k2');
const sealerFor = (pair: { publicKey: string }) => new TokenSealer(parseSealPublicKey(pair.publicKey));
const openerFor = (privateKeys: string) => new TokenOpener(parseSealPrivateKeys(privateKeys));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('seal and open', () => {
  test('a sealed token opens with the private key, names its key id, and looks nothing like the token', () => {
    const sealed = sealerFor(K1).seal(TOKEN);
    expect(sealed).toMatch(SEALED_TOKEN_PATTERN);
    expect(sealed.startsWith('sealed:v1:k1:')).toBe(true);
    expect(isSealedToken(sealed)).toBe(true);
    expect(sealed).not.toContain(TOKEN);
    expect(Buffer.from(sealed.split(':').at(-1)!, 'base64url').toString('latin1')).not.toContain(TOKEN);
    expect(openerFor(K1.privateKey).open(sealed)).toBe(TOKEN);
  });

  test('every seal of the same token differs (fresh ephemeral key and IV), and each opens', () => {
    const sealer = sealerFor(K1);
    const seals = Array.from({ length: 20 }, () => sealer.seal(TOKEN));
    expect(new Set(seals).size).toBe(20);
    const opener = openerFor(K1.privateKey);
    for (const s of seals) expect(opener.open(s)).toBe(TOKEN);
  });

  test('rotation: a worker with k1,k2 opens seals of both; new seals use the public key the client has', () => {
    const opener = openerFor(`${K1.privateKey},${K2.privateKey}`);
    expect(opener.keyIds).toEqual(['k1', 'k2']);
    expect(opener.open(sealerFor(K1).seal(TOKEN))).toBe(TOKEN);
    expect(opener.open(sealerFor(K2).seal(TOKEN))).toBe(TOKEN);
    expect(sealerFor(K2).seal(TOKEN).startsWith('sealed:v1:k2:')).toBe(true);
    // The public key of the current (last) private key is the one to hand to clients.
    expect(publicKeyOf(`${K1.privateKey},${K2.privateKey}`)).toBe(K2.publicKey);
  });

  test('a plaintext token (or anything not sealed) is refused: TokenNotSealed, not retryable, token not echoed', () => {
    const opener = openerFor(K1.privateKey);
    for (const value of [TOKEN, '', 'sealed:v1:k1:short', `sealed:v2:k1:${'A'.repeat(123)}`]) {
      const error = thrown(() => opener.open(value));
      expect(error).toBeInstanceOf(TokenNotSealed);
      expect(error).toMatchObject({ type: 'TokenNotSealed', retryable: false, name: 'TokenNotSealed' });
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).toMatch(/TOKEN_SEAL_PUBLIC_KEY/);
    }
  });

  test('a key id the worker lacks is TokenSealKeyUnknown (retryable: a worker that has it may open it)', () => {
    const error = thrown(() => openerFor(K1.privateKey).open(sealerFor(K2).seal(TOKEN)));
    expect(error).toBeInstanceOf(TokenSealKeyUnknown);
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/'k2'.*TOKEN_SEAL_PRIVATE_KEYS: k1/);
  });

  test('an altered seal, a relabelled key id, or another key under the same id: TokenSealBroken', () => {
    const sealed = sealerFor(K1).seal(TOKEN);
    const body = Buffer.from(sealed.split(':').at(-1)!, 'base64url');
    const opener = openerFor(`${K1.privateKey},${K2.privateKey}`);
    for (const i of [0, 32, 40, body.length - 1]) {
      const altered = Buffer.from(body);
      altered[i] = altered[i]! ^ 0x01;
      expect(thrown(() => opener.open(`sealed:v1:k1:${altered.toString('base64url')}`))).toBeInstanceOf(TokenSealBroken);
    }
    // The key id is authenticated: moving a seal to another id does not open it.
    expect(thrown(() => opener.open(sealed.replace('sealed:v1:k1:', 'sealed:v1:k2:')))).toBeInstanceOf(TokenSealBroken);
    const impostor = generateSealKeyPair('k1');
    expect(thrown(() => openerFor(impostor.privateKey).open(sealed))).toBeInstanceOf(TokenSealBroken);
  });
});

describe('key variables', () => {
  const bad: [string, () => unknown, RegExp][] = [
    ['empty public key', () => parseSealPublicKey(''), /TOKEN_SEAL_PUBLIC_KEY is empty/],
    ['two public keys', () => parseSealPublicKey(`${K1.publicKey},${K2.publicKey}`), /TOKEN_SEAL_PUBLIC_KEY: give exactly one key/],
    ['short public key', () => parseSealPublicKey('k1:AAAA'), /TOKEN_SEAL_PUBLIC_KEY: key 'k1' decodes to 3 bytes; an X25519 public key needs exactly 32/],
    ['duplicate private ids', () => parseSealPrivateKeys(`${K1.privateKey},${K1.privateKey}`), /TOKEN_SEAL_PRIVATE_KEYS: key id 'k1' is listed twice/],
    ['private key without id', () => parseSealPrivateKeys(K1.privateKey.split(':')[1]), /TOKEN_SEAL_PRIVATE_KEYS: entry 1 has no `id:` prefix/],
  ];
  test.each(bad)('%s → ConfigError naming the variable, no key material', (_name, fn, message) => {
    const error = thrown(fn);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    for (const material of [K1.privateKey, K2.privateKey, K1.publicKey, K2.publicKey].map((e) => e.split(':')[1]!)) {
      expect(error.message).not.toContain(material);
    }
  });

  test('from the config: a client without TOKEN_SEAL_PUBLIC_KEY has no sealer; a worker without private keys refuses to run', () => {
    expect(tokenSealerFor(loadConfig({}, {}))).toBeUndefined();
    expect(tokenSealerFor(loadConfig({ TOKEN_SEAL_PUBLIC_KEY: K1.publicKey }, {}))?.keyId).toBe('k1');
    const error = thrown(() => tokenOpenerFor(loadConfig({}, {})));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/TOKEN_SEAL_PRIVATE_KEYS/);
    expect(error.message).toMatch(/npm start/);
    expect(tokenOpenerFor(loadConfig({ TOKEN_SEAL_PRIVATE_KEYS: K1.privateKey }, {})).keyIds).toEqual(['k1']);
  });
});
