/**
 * `npm run cluster`: the production topology on this machine (src/cluster/topology.ts) — PostgreSQL, the Temporal
 * server, CLUSTER_WORKERS checkout worker processes, the sandbox Womei, the codec server and the Web UI — with a
 * line per step, then one demo checkout through it (as `npm start` prints it), then up until Ctrl-C, which stops
 * everything in order (a second Ctrl-C kills what is left at once).
 *   npm run cluster [-- --no-demo]
 * The npm script first runs scripts/install-temporal-cli.sh and scripts/install-temporal-server.sh (no-ops once built).
 */
import { parseArgs } from 'node:util';
import { CheckoutClient, describeError } from '../client';
import { cliExample, runDemo } from '../demo-checkout';
import { resolveTemporalCli } from '../temporal-cli';
import { ClusterTopology } from './topology';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'no-demo': { type: 'boolean' } } });
  const started = Date.now();
  const cluster = new ClusterTopology({ log: say });
  say(`cluster         ${cluster.name}, ${cluster.workerCount} workers; data and logs in ${cluster.dataDir}`);

  let signals = 0;
  let firstSignalAt = 0;
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stopRequested = done));
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal and relayed by the tsx wrapper.
    if (signals > 0 && Date.now() - firstSignalAt < 1_500) return;
    signals++;
    firstSignalAt ||= Date.now();
    if (signals > 1) {
      say(`${signal} again: killing what is left`);
      process.exit(130); // exit hooks kill the children (ManagedChild) and stop PostgreSQL (ClusterTopology)
    }
    say(`${signal}: stopping workers, Web UI, codec server, sandbox, Temporal server, PostgreSQL…`);
    stopRequested();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  let client: CheckoutClient | undefined;
  try {
    // A Ctrl-C while starting makes start() fail at its next step; stop() below then ends what did start.
    void stopped.then(() => cluster.stop());
    await cluster.start();
    say(`ready           in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (!values['no-demo']) {
      client = await CheckoutClient.connect({ config: cluster.config });
      await runDemo(client, cluster.config, say);
    }
    say('');
    say(`Everything stays up${cluster.uiUrl ? `: open ${cluster.uiUrl}` : ''}. More checkouts with the CLI (its keys are in ${cluster.keysFile}):`);
    say(`  export LOCAL_KEYS_FILE=${cluster.keysFile} TEMPORAL_ADDRESS=${cluster.temporalAddress}${cluster.sandboxUrl ? ` WOMEI_BASE_URL=${cluster.sandboxUrl}` : ''}`);
    for (const line of cliExample()) say(`  ${line}`);
    say(`Decode payloads with the Temporal CLI (the token stays sealed):`);
    say(`  ${resolveTemporalCli()} workflow show -w <id> --address ${cluster.temporalAddress} --codec-endpoint ${cluster.codecUrl} --codec-auth 'Bearer ${cluster.codecBearer}'`);
    say(`Workers, server and PostgreSQL log to ${cluster.dataDir}/logs. Press Ctrl-C to stop.`);
    await stopped;
  } catch (error) {
    if (signals === 0) throw error;
  } finally {
    await client?.close();
    await cluster.stop();
  }
  say('stopped');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`npm run cluster failed: ${describeError(error)}\n`);
  process.exitCode = 1;
});
