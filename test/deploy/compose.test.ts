/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked against what the code reads:
 * services and official images, every environment variable known to src/config.ts, ports that line up,
 * commands that point at files the Dockerfile's build produces, and the search attributes registered.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const root = join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const appServices = ['worker', 'sandbox', 'codec-server'];
/** Host port published for a container port (`[ip:]host:container`). */
const publishedPort = (s: Service, containerPort: number) =>
  s.ports?.map((p) => p.split(':')).find((parts) => Number(parts.at(-1)) === containerPort)?.at(-2);

test('has Temporal on PostgreSQL, the Web UI, the worker, the sandbox and the codec server', () => {
  expect(Object.keys(services)).toEqual(
    expect.arrayContaining(['postgresql', 'temporal-schema', 'temporal', 'temporal-init', 'temporal-ui', ...appServices]),
  );
  expect(service('temporal').environment?.DB).toBe('postgres12');
  expect(service('temporal').environment?.POSTGRES_SEEDS).toBe('postgresql');
});

test('Temporal services use the official images, server and admin-tools at one version', () => {
  expect(service('temporal').image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
  expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
  const serverVersion = service('temporal').image?.split(':')[1];
  for (const name of ['temporal-schema', 'temporal-init']) {
    expect(service(name).image).toBe(`temporalio/admin-tools:${serverVersion}`);
  }
  expect(service('postgresql').image).toMatch(/^postgres:\d+$/);
});

test('our services build the project image and run files its build produces', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  for (const src of dockerfile.matchAll(/^COPY (?!--from)(.+) \.\/?\S*$/gm)) {
    for (const path of src[1]!.split(' ')) expect(existsSync(join(root, path))).toBe(true);
  }
  expect(dockerfile).toMatch(/npm run build/);
  for (const name of appServices) {
    const s = service(name);
    expect(s.build).toBe('.');
    const command = Array.isArray(s.command) ? s.command : [];
    expect(command[0]).toBe('node');
    const built = command[1]!;
    expect(built).toMatch(/^lib\/.+\.js$/);
    expect(existsSync(join(root, built.replace(/^lib\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  }
});

test('every variable our services set is one src/config.ts reads, and each parses', () => {
  for (const name of appServices) {
    const env = service(name).environment ?? {};
    for (const key of Object.keys(env)) expect(Object.keys(CONFIG_VARIABLES)).toContain(key);
    const concrete = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:?[-?][^}]*\}/g, (m) => defaultOf(m))]),
    );
    expect(() => loadConfig(concrete, {})).not.toThrow();
  }
});

function defaultOf(expression: string): string {
  if (expression.includes(':?')) return 'k1:' + Buffer.alloc(32, 7).toString('base64');
  const match = /\$\{[A-Z_]+:?-([^}]*)\}/.exec(expression);
  return match?.[1] ?? '';
}

test('ports line up: worker → temporal:7233, worker → sandbox, UI → codec server', () => {
  const worker = service('worker').environment ?? {};
  expect(worker.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(publishedPort(service('temporal'), 7233)).toBe('7233');
  const sandboxPort = service('sandbox').environment?.SANDBOX_PORT;
  expect(worker.WOMEI_BASE_URL).toContain(`http://sandbox:${sandboxPort}`);
  expect(service('sandbox').environment?.SANDBOX_HOST).toBe('0.0.0.0');
  const codecPort = service('codec-server').environment?.CODEC_SERVER_PORT;
  expect(service('temporal-ui').environment?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${codecPort}`);
  expect(publishedPort(service('codec-server'), Number(codecPort))).toBe(codecPort);
  const uiPort = publishedPort(service('temporal-ui'), 8080);
  expect(service('codec-server').environment?.CODEC_SERVER_ALLOWED_ORIGIN).toBe(`http://localhost:${uiPort}`);
  expect(service('worker').depends_on?.['temporal-init']?.condition).toBe('service_completed_successfully');
});

test('the init script registers exactly the search attributes the workflow upserts', () => {
  const script = readFileSync(join(root, 'deploy', 'init-namespace.sh'), 'utf8');
  const listed = /for name in ([A-Za-z ]+); do/.exec(script)?.[1]?.trim().split(/\s+/);
  expect(listed?.sort()).toEqual(CHECKOUT_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
  expect(script).toContain('--type Keyword');
  for (const key of CHECKOUT_SEARCH_ATTRIBUTES) expect(key.type).toBe('KEYWORD');
  for (const file of ['setup-postgres.sh', 'init-namespace.sh', 'dynamicconfig/development-sql.yaml']) {
    expect(existsSync(join(root, 'deploy', file))).toBe(true);
  }
});
