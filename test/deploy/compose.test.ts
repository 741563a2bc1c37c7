/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked against what the code reads:
 * services and official images, every environment variable known to src/config.ts, ports that line up,
 * commands that point at files the Dockerfile's build produces, and the search attributes registered. Its
 * Temporal part is checked against `npm run cluster` (src/cluster/), which does run here: the same versions, the
 * same deploy/ scripts and server config, given the same variables.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from '../../src/cluster/binaries';
import {
  DEPLOY_SCRIPTS,
  DYNAMIC_CONFIG,
  namespaceEnvironment,
  schemaEnvironment,
  serverEnvironment,
} from '../../src/cluster/temporal-server';
import { CHECKOUT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

const root = join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const serverConfig = readFileSync(join(root, 'deploy', 'temporal', 'config', 'cluster.yaml'), 'utf8');
/** Variables a deploy/ file reads: `env "X"` in a template, `${X…}` in a shell script. */
const variablesOf = (text: string) =>
  new Set([...text.matchAll(/env "([A-Z_]+)"/g), ...text.matchAll(/\$\{([A-Z_]+)[:}]/g)].map((m) => m[1]!));
const commandOf = (s: Service) =>
  [s.entrypoint ?? [], s.command ?? []].flatMap((part) => (Array.isArray(part) ? part : part.split(' ')));

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
  expect(serverConfig).toMatch(/^\s+pluginName: postgres12$/m);
  expect(service('temporal').environment?.POSTGRES_SEEDS).toBe('postgresql');
});

test('Temporal services use the official images at the versions npm run cluster builds (server, admin-tools, UI)', () => {
  const serverVersion = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
  expect(service('temporal').image).toBe(`temporalio/server:${serverVersion}`);
  expect(service('temporal-ui').image).toBe(`temporalio/ui:${TEMPORAL_UI_SERVER_VERSION.replace(/^v/, '')}`);
  for (const name of ['temporal-schema', 'temporal-init']) {
    expect(service(name).image).toMatch(new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}-tctl-[\\d.]+-cli-[\\d.]+$`));
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

describe('the Temporal part is what npm run cluster runs', () => {
  const deployFile = (path: string) => readFileSync(join(root, 'deploy', path), 'utf8');

  test('deploy/ is mounted at /deploy wherever a deploy/ script runs', () => {
    for (const name of ['temporal-schema', 'temporal', 'temporal-init']) {
      expect(service(name).volumes).toContain('./deploy:/deploy:ro');
    }
  });

  test('the same scripts: schema setup, server start (with the same config file), namespace and search attributes', () => {
    expect(commandOf(service('temporal-schema'))).toContain(`/deploy/${DEPLOY_SCRIPTS.schema}`);
    expect(commandOf(service('temporal'))).toEqual(['/bin/sh', `/deploy/${DEPLOY_SCRIPTS.server}`]);
    expect(commandOf(service('temporal-init'))).toContain(`/deploy/${DEPLOY_SCRIPTS.namespace}`);
    expect(deployFile(DEPLOY_SCRIPTS.server)).toMatch(/--config config --env cluster .*start$/m);
    expect(existsSync(join(root, 'deploy', 'temporal', 'config', 'cluster.yaml'))).toBe(true);
  });

  test('the server gets the same variables, each one the config template or start script reads', () => {
    const read = new Set([...variablesOf(serverConfig), ...variablesOf(deployFile(DEPLOY_SCRIPTS.server))]);
    const cluster = serverEnvironment({ binary: '/x', host: '127.0.0.1', frontendPort: 7233, postgresPort: 5432, postgresPassword: 'p' });
    const composed = service('temporal').environment ?? {};
    for (const key of [...Object.keys(cluster), ...Object.keys(composed)]) expect([key, read.has(key)]).toEqual([key, true]);
    // What the template cannot default (where the database is and how to log in) both set.
    for (const key of ['POSTGRES_SEEDS', 'DB_PORT', 'POSTGRES_USER', 'POSTGRES_PWD', 'BIND_ON_IP', 'DYNAMIC_CONFIG_FILE_PATH']) {
      expect([key, key in cluster, key in composed]).toEqual([key, true, true]);
    }
    expect(composed.DYNAMIC_CONFIG_FILE_PATH).toBe(`/deploy/${DYNAMIC_CONFIG}`);
    expect(cluster.DYNAMIC_CONFIG_FILE_PATH).toBe(join(root, 'deploy', DYNAMIC_CONFIG));
  });

  test('the schema and namespace scripts get the same variables, each one the script (or its tool) reads', () => {
    const schema = schemaEnvironment('/x', 5432, 'p');
    const composedSchema = service('temporal-schema').environment ?? {};
    expect(Object.keys(composedSchema).sort()).toEqual(Object.keys(schema).filter((k) => k !== 'TEMPORAL_SQL_TOOL').sort());
    expect(variablesOf(deployFile(DEPLOY_SCRIPTS.schema)).has('TEMPORAL_SQL_TOOL')).toBe(true);
    const namespace = namespaceEnvironment('/x', '127.0.0.1:7233', 'default');
    for (const key of Object.keys(service('temporal-init').environment ?? {})) expect(Object.keys(namespace)).toContain(key);
    expect(variablesOf(deployFile(DEPLOY_SCRIPTS.namespace))).toEqual(new Set(['TEMPORAL_CLI', 'TEMPORAL_NAMESPACE']));
  });
});
