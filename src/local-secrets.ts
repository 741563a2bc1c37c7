/**
 * Secrets of a local deployment whose history persists on disk (`npm start`'s SQLite, `npm run cluster`'s
 * PostgreSQL): the payload key must outlive the process, or saved histories could no longer be decoded. Without
 * CODEC_KEYS / CODEC_SERVER_TOKEN, they are generated once and kept (0600, git-ignored) in the data folder.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from './config';
import { generateCodecKey } from './codec/keys';

export function localCodecSecrets(dataDir: string, config: AppConfig): { keys: string; bearer: string } {
  const file = join(dataDir, 'codec.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { keys: string; bearer: string }) : undefined;
  const secrets = {
    keys: config.codec.keys ?? saved?.keys ?? generateCodecKey('local1'),
    bearer: config.codec.serverToken ?? saved?.bearer ?? randomBytes(24).toString('base64url'),
  };
  if (!saved) writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}
