/** README keeps its promises: the quick-start commands exist, and the configuration table matches src/config.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { README_PATH, readmeWithTable } from '../../scripts/config-table';
import { CONFIG_VARIABLES } from '../../src/config';

const readme = readFileSync(README_PATH, 'utf8');
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8');

test('the quick start is two commands that package.json and CI run', () => {
  expect(readme).toContain('npm install && npm start');
  expect(readme).toMatch(/^npm test\s/m);
  expect(pkg.scripts.start).toBeDefined();
  expect(pkg.scripts.test).toContain('jest');
  expect(pkg.scripts.prestart).toContain('install-temporal-cli.sh');
  expect(pkg.scripts.pretest).toContain('install-temporal-cli.sh');
  expect(ci).toMatch(/^npm test$/m);
});

test('the configuration table lists every variable with its current default (regenerate: tsx scripts/config-table.ts --write)', () => {
  expect(readmeWithTable(readme)).toBe(readme);
  for (const name of Object.keys(CONFIG_VARIABLES)) expect(readme).toContain(`\`${name}\``);
});

test('the CLI binary README shows is the one package.json installs', () => {
  expect(pkg.bin['womei-checkout']).toBe('bin/womei-checkout.js');
  for (const command of ['start', 'status', 'result', 'list', 'cancel']) expect(readme).toContain(`womei-checkout ${command}`);
});
