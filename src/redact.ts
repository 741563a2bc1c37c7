/**
 * The one redaction helper. Secrets (the user's Womei token, voucher passwords, bearer tokens) are replaced
 * before anything reaches a log line, an error message, a query result or the CLI. Pure and free of Node
 * built-ins so workflow code can use it too.
 */

export const REDACTED = '[redacted]';

/**
 * A key is secret when, with `-`, `_` and spaces removed, it ENDS in a secret word, in any case style: `token`,
 * `userToken`, `refresh_token`, `CODEC_SERVER_TOKEN`, `voucherPassword`, `clientSecret`, `x-api-key`, `CODEC_KEYS`.
 * `tokenFingerprint` or `tokenWaitSeconds` do not end in one and stay readable.
 */
const SECRET_KEY = /(token|password|passwd|secret|authorization|apikey|codeckeys?|cookie)$/;
const isSecretKey = (key: string): boolean => SECRET_KEY.test(key.replace(/[-_\s]/g, '').toLowerCase());
/**
 * Womei tokens are 32 lowercase hex chars; any such run in free text is masked, also when glued to other word
 * characters (`session_<token>`), but not inside a longer hex run (a sha256 digest).
 */
const TOKEN_SHAPE = /(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])/g;

/** Masks token-shaped strings and each listed secret in free text (error messages, log lines, URLs). */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(TOKEN_SHAPE, REDACTED);
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Deep copy with every secret-named field replaced and token-shaped strings masked. Cycles are cut. */
export function redact<T>(value: T, secrets: readonly (string | undefined)[] = []): T {
  // Only the objects on the current path: a cycle is cut, a shared (non-cyclic) object is printed each time.
  const ancestors = new WeakSet<object>();
  const walk = (v: unknown, key?: string): unknown => {
    if (key !== undefined && isSecretKey(key) && v !== undefined && v !== null && v !== '') return REDACTED;
    if (typeof v === 'string') return redactText(v, secrets);
    if (v === null || typeof v !== 'object') return v;
    if (ancestors.has(v)) return '[circular]';
    ancestors.add(v);
    try {
      if (Array.isArray(v)) return v.map((item) => walk(item));
      if (v instanceof Error) {
        return { name: v.name, message: redactText(v.message, secrets) };
      }
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
    } finally {
      ancestors.delete(v);
    }
  };
  return walk(value) as T;
}
