/**
 * `npm run chaos [-- --seed S --checkouts N --concurrency C ...]`: hundreds of checkouts through faults on
 * every Womei endpoint, worker kills and a Temporal server kill, then the audit; `--cluster` runs it against
 * `npm run cluster`'s topology (Temporal server on PostgreSQL, 3 workers) and also restarts PostgreSQL. Prints
 * progress, the table and the violations; writes .data/chaos/<seed>.json; exits 1 on any violation (2 on bad usage).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ClusterChaosTopology } from './cluster-topology';
import { DevServerTopology } from './dev-topology';
import { reportTable, violationLines } from './report';
import { runChaos } from './run';
import type { ChaosSettings } from './plan';
import { intOption } from '../scripts/cli-options';

const USAGE = `usage: npm run chaos -- [--seed S] [--checkouts N] [--concurrency C] [--worker-kills K] [--worker-terms T]
                        [--server-kills K] [--database-restarts R] [--workers W] [--hold-seconds H]
                        [--timeout-s S] [--keep] [--cluster]
  --seed S          plan seed (default: a random one, printed first); the same seed replays the same plan
  --checkouts N     checkouts to submit (default 300)
  --concurrency C   checkouts in flight at once (default 24)
  --worker-kills K  worker SIGKILLs, each restarted (default 4)
  --worker-terms T  worker SIGTERMs (graceful shutdown), each restarted (default 1)
  --server-kills K  Temporal server SIGKILLs, restarted on the same database (default 1)
  --database-restarts R
                    PostgreSQL restarts with a fast shutdown under the running server (--cluster only; default 1)
  --workers W       worker processes (default 2; with --cluster 3)
  --hold-seconds H  sandbox seat hold (default 60)
  --timeout-s S     stop waiting after S seconds and audit what there is (default 780)
  --keep            keep .data/chaos/<seed>/ (database, worker logs) even when clean
  --cluster         drive the production topology (npm run cluster: Temporal server on PostgreSQL, the codec
                    server, 3 workers; scripts/install-temporal-server.sh builds the server) instead of the dev server`;

function parse(argv: string[]): { settings: ChaosSettings; timeoutS: number; keep: boolean; cluster: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      checkouts: { type: 'string' },
      concurrency: { type: 'string' },
      'worker-kills': { type: 'string' },
      'worker-terms': { type: 'string' },
      'server-kills': { type: 'string' },
      'database-restarts': { type: 'string' },
      workers: { type: 'string' },
      'hold-seconds': { type: 'string' },
      'timeout-s': { type: 'string' },
      keep: { type: 'boolean' },
      cluster: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const cluster = values.cluster ?? false;
  const databaseRestarts = intOption('database-restarts', values['database-restarts'], cluster ? 1 : 0, 0);
  if (databaseRestarts > 0 && !cluster) throw new Error('--database-restarts: only the cluster topology (--cluster) has a database of its own to restart');
  return {
    settings: {
      seed: intOption('seed', values.seed, randomInt(1, 1_000_000), 0),
      checkouts: intOption('checkouts', values.checkouts, 300, 1),
      concurrency: intOption('concurrency', values.concurrency, 24, 1),
      workerKills: intOption('worker-kills', values['worker-kills'], 4, 0),
      workerTerms: intOption('worker-terms', values['worker-terms'], 1, 0),
      serverKills: intOption('server-kills', values['server-kills'], 1, 0),
      databaseRestarts,
      workers: intOption('workers', values.workers, cluster ? 3 : 2, 1),
      holdSeconds: intOption('hold-seconds', values['hold-seconds'], 60, 5),
    },
    timeoutS: intOption('timeout-s', values['timeout-s'], 780, 10),
    keep: values.keep ?? false,
    cluster,
  };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const report = await runChaos({
    settings: args.settings,
    timeoutS: args.timeoutS,
    topology: (options) => (args.cluster ? new ClusterChaosTopology(options, args.settings.workers) : new DevServerTopology(options, args.settings.workers)),
    log: say,
    keepData: args.keep,
  });
  say('');
  for (const line of reportTable(report)) say(line);
  if (report.audit.violations.length > 0) {
    say('');
    say('violations:');
    for (const line of violationLines(report)) say(line);
    say(`database and worker logs kept in ${report.dataDir}`);
  }
  say(`JSON: ${report.jsonFile}`);
  return report.audit.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
