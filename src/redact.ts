/**
 * The one redaction helper. Secrets (the user's Womei token, voucher passwords, bearer tokens) are replaced
 * before anything reaches a log line, an error message, a query result or the CLI. Pure and free of Node
 * built-ins so workflow code can use it too.
 */

export const REDACTED = '[redacted]';

const SECRET_KEY = /^(token|user_?token|voucher_?password|password|authorization|api_?key|secret|codec_?keys?)$/i;
/** Womei tokens are 32 lowercase hex chars; anything shaped like one in free text is masked. */
const TOKEN_SHAPE = /\b[0-9a-f]{32}\b/g;

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
  const seen = new WeakSet<object>();
  const walk = (v: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && v !== undefined && v !== null && v !== '') return REDACTED;
    if (typeof v === 'string') return redactText(v, secrets);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (Array.isArray(v)) return v.map((item) => walk(item));
    if (v instanceof Error) {
      return { name: v.name, message: redactText(v.message, secrets) };
    }
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
  };
  return walk(value) as T;
}
