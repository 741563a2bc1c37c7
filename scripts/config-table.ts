/**
 * README's configuration table, generated from src/config.ts (the one place settings are defined).
 *   tsx scripts/config-table.ts          print it
 *   tsx scripts/config-table.ts --write  rewrite README.md between the config-table markers
 * test/docs/readme.test.ts fails when README's table is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES } from '../src/config';

export const README_PATH = join(__dirname, '..', 'README.md');
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function configTable(): string {
  const rows = Object.entries(CONFIG_VARIABLES).map(([name, v]) => {
    const parsed = v.schema.safeParse(undefined);
    const shown = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '(unset)';
    return `| \`${name}\` | ${shown} | ${v.doc} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export function readmeWithTable(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, from + START.length)}\n${configTable()}\n${readme.slice(to)}`;
}

if (require.main === module) {
  if (process.argv.includes('--write')) writeFileSync(README_PATH, readmeWithTable(readFileSync(README_PATH, 'utf8')));
  else console.log(configTable());
}
