/**
 * Finds the official Temporal CLI (it carries the dev server). Order: TEMPORAL_CLI_PATH, then the cached build
 * that scripts/install-temporal-cli.sh makes, then `temporal` on PATH. Keep the version in step with that script.
 */
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the install scripts build into: outside the clone, shared by every clone on the machine. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.WOMEI_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'womei-checkout');
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'temporal-cli', env.TEMPORAL_CLI_VERSION ?? TEMPORAL_CLI_VERSION, 'temporal');
}

export function resolveTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return cached;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'temporal');
    if (dir && isExecutable(candidate)) return candidate;
  }
  throw new Error(
    `Temporal CLI not found (looked at TEMPORAL_CLI_PATH, ${cached}, PATH). Run \`npm run setup\` to build it.`,
  );
}
