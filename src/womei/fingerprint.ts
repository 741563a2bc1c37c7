/**
 * A user's token names a Womei session and is a secret: logs, ledgers and rate-limit keys identify a session by
 * a short hash of it instead. The sandbox's request log and ledger and the worker's per-token limiter use this
 * one function, so the same session has the same name everywhere.
 */
import { createHash } from 'node:crypto';

export function tokenFingerprint(token: string): string {
  return `tok_${createHash('sha256').update(token).digest('hex').slice(0, 10)}`;
}
