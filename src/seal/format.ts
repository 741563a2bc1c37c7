/**
 * What a sealed token looks like: `sealed:v1:<keyId>:<base64url>`. Pure (no Node built-ins), so the workflow's
 * input schema can recognise the form inside the workflow sandbox; sealing and opening live in seal.ts.
 */

export const SEALED_TOKEN_PREFIX = 'sealed:v1:';
/** Key ids: the same alphabet as payload key ids (CODEC_KEYS). */
export const SEAL_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * The whole sealed form. The body is ephemeral public key (32 bytes) + IV (12) + ciphertext + tag (16): 123
 * characters for a 32-character Womei token; the bounds leave room without accepting anything unbounded.
 */
export const SEALED_TOKEN_PATTERN = /^sealed:v1:[A-Za-z0-9._-]{1,64}:[A-Za-z0-9_-]{80,400}$/;

/** The failure type of a token that arrives unsealed (plaintext) or not in the sealed form. */
export const TOKEN_NOT_SEALED = 'TokenNotSealed';

export function isSealedToken(value: unknown): value is string {
  return typeof value === 'string' && SEALED_TOKEN_PATTERN.test(value);
}
