/**
 * `womei-checkout`: start, status, result, list and cancel checkouts from a shell, and read a user's Womei
 * account (wallet, account, orders) straight from Womei. Human output by default (a line per step while
 * `start --wait` runs), `--json` for scripts. Its command lines are read by cli-args.ts, its help is cli-help.ts.
 */
import { ConfigError, loadConfig, withLocalKeys, type AppConfig } from './config';
import { CheckoutClient, InvalidArgument, IdempotencyConflict } from './client';
import { redactText } from './redact';
import {
  buildStartRequest,
  integerOption,
  isAccountCommand,
  listFilter,
  onePositional,
  OPTIONS,
  parse,
  readToken,
  UsageError,
  type AccountCommand,
  type AccountValues,
  type Command,
  type StartValues,
} from './cli-args';
import { HELP } from './cli-help';
import { formatResult, formatStatus, formatSummaries, ProgressPrinter, workflowUiLink } from './cli-format';
import { formatAccount, formatOrders, formatWallet, formatWalletPage, readAccount, readOrders, readWallet, readWalletPage } from './cli-account';
import { createWomeiClient } from './womei/client';
import type { VoucherType, WomeiSession } from './womei/types';
import { CINEMA_ID_PATTERN, DIGITS_RULE, InvalidInput, parseCheckoutInput, SCHEDULE_ID_PATTERN } from '../workflows/input';
import type { CheckoutResult } from '../workflows/messages';

/** 1: Temporal unreachable, not found, …; 2: bad usage, nothing started. */
export const EXIT = { ok: 0, failure: 1, usage: 2, compensated: 3, needsAttention: 4 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  readStdin(): Promise<string>;
}

function exitCodeOf(result: CheckoutResult): number {
  if (result.outcome === 'COMPLETED') return EXIT.ok;
  return result.outcome === 'COMPENSATED' ? EXIT.compensated : EXIT.needsAttention;
}

/** Runs one CLI invocation and returns its exit code. `connect` is injectable so tests reuse one connection. */
export async function runCli(
  argv: string[],
  io: CliIo,
  connect: (config: AppConfig) => Promise<CheckoutClient> = (config) => CheckoutClient.connect({ config }),
): Promise<number> {
  const [commandName, ...rest] = argv;
  if (!commandName || commandName === '--help' || commandName === '-h' || commandName === 'help') {
    (commandName ? io.out : io.err)(HELP.main!);
    return commandName ? EXIT.ok : EXIT.usage;
  }
  const json = rest.includes('--json');
  const fail = (code: number, type: string, message: string): number => {
    if (json) io.out(JSON.stringify({ error: { type, message } }));
    else io.err(`error: ${message}`);
    return code;
  };
  if (!(commandName in OPTIONS)) return fail(EXIT.usage, 'UsageError', `unknown command '${commandName}'. Run 'womei-checkout --help'.`);
  const command = commandName as Command;

  let client: CheckoutClient | undefined;
  try {
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      io.out(HELP[command]!);
      return EXIT.ok;
    }
    // Keys come from the environment, else from the ones `npm start` saved in this clone (LOCAL_KEYS_FILE).
    const config = loadConfig({}, withLocalKeys(io.env));
    if (isAccountCommand(command)) return await runAccountCommand(command, values as AccountValues, io, config, json);
    // Validate everything that can be validated before connecting: bad usage starts nothing.
    const request = command === 'start' ? await buildStartRequest(values as StartValues, io) : undefined;
    const id = command === 'status' || command === 'result' || command === 'cancel' ? onePositional(command, positionals) : undefined;
    const filter = command === 'list' ? listFilter(values as Record<string, unknown>) : undefined;
    if (request) parseCheckoutInput(request);

    client = await connect(config);
    switch (command) {
      case 'start': {
        const started = await client.startCheckout(request!);
        if (!(values as { wait?: boolean }).wait) {
          if (json) io.out(JSON.stringify(started));
          else {
            io.out(`${started.started ? 'started' : 'already exists:'} ${started.workflowId} (request id ${request!.requestId})`);
            io.out(`follow it: womei-checkout status ${request!.requestId}   Web UI: ${workflowUiLink(config, started.workflowId)}`);
          }
          return EXIT.ok;
        }
        if (!json) io.out(`${started.started ? 'started' : 'following existing'} ${started.workflowId} — ${workflowUiLink(config, started.workflowId)}`);
        const progress = new ProgressPrinter(io.out);
        const result = json
          ? await client.waitForResult(started.workflowId)
          : await client.follow(started.workflowId, (status) => progress.update(status));
        if (json) io.out(JSON.stringify({ ...started, result }));
        else formatResult(result).forEach((line) => io.out(line));
        return exitCodeOf(result);
      }
      case 'status': {
        const status = await client.getStatus(id!);
        if (json) io.out(JSON.stringify(status));
        else formatStatus(status).forEach((line) => io.out(line));
        return EXIT.ok;
      }
      case 'result': {
        const result = await client.waitForResult(id!);
        if (json) io.out(JSON.stringify(result));
        else formatResult(result).forEach((line) => io.out(line));
        return exitCodeOf(result);
      }
      case 'list': {
        const summaries = await client.list(filter);
        if (json) io.out(JSON.stringify(summaries));
        else formatSummaries(summaries).forEach((line) => io.out(line));
        return EXIT.ok;
      }
      case 'cancel': {
        const workflowId = client.workflowIdOf(id!);
        await client.cancel(id!);
        if (json) io.out(JSON.stringify({ workflowId, cancelRequested: true }));
        else io.out(`cancel requested for ${workflowId}; it compensates (unbinds vouchers, releases the order) before it ends`);
        return EXIT.ok;
      }
      default:
        return fail(EXIT.usage, 'UsageError', `unknown command '${command satisfies never}'`);
    }
  } catch (error) {
    // A missing or bad setting is the caller's to fix, like bad usage: nothing was started.
    const usage = [UsageError, InvalidInput, InvalidArgument, IdempotencyConflict, ConfigError].some((kind) => error instanceof kind);
    if (usage) return fail(EXIT.usage, (error as Error).name, redactText((error as Error).message));
    const name = error instanceof Error ? error.name : 'Error';
    return fail(EXIT.failure, name, redactText(error instanceof Error ? error.message : String(error)));
  } finally {
    await client?.close();
  }
}

const VOUCHER_TYPES: readonly VoucherType[] = ['VGC_T', 'VGC_P'];

/** wallet / account / orders: straight to Womei with the user's token (src/womei/client.ts). */
async function runAccountCommand(command: AccountCommand, v: AccountValues, io: CliIo, config: AppConfig, json: boolean): Promise<number> {
  // Everything checked before the token is read and before Womei is called.
  if (command !== 'orders' && !v.cinema) throw new UsageError('--cinema is required (Womei scopes the account by cinema)');
  if (v.cinema !== undefined && !CINEMA_ID_PATTERN.test(v.cinema)) throw new UsageError(`--cinema: ${DIGITS_RULE}`);
  if (v.type !== undefined && !(VOUCHER_TYPES as readonly string[]).includes(v.type)) throw new UsageError(`--type: must be one of ${VOUCHER_TYPES.join(', ')}`);
  if ((v.schedule !== undefined || v.page !== undefined) && v.type === undefined) throw new UsageError('--schedule and --page go with --type');
  if (v.schedule !== undefined && !SCHEDULE_ID_PATTERN.test(v.schedule)) throw new UsageError(`--schedule: ${DIGITS_RULE}`);
  const page = integerOption('page', v.page) ?? 1;
  const offset = integerOption('offset', v.offset) ?? 0;
  const pages = integerOption('pages', v.pages) ?? 1;
  if (page < 1) throw new UsageError('--page: pages start at 1');
  if (pages < 1 || pages > 20) throw new UsageError('--pages: must be 1-20');
  const token = await readToken(v, io);
  const session: WomeiSession = { token, cinemaId: v.cinema ?? '' };
  const womei = createWomeiClient(config.womei);
  const print = (value: unknown, lines: () => string[]) => (json ? io.out(JSON.stringify(value)) : lines().forEach((line) => io.out(line)));
  try {
    if (command === 'wallet' && v.type !== undefined) {
      const view = await readWalletPage(womei, session, { voucherType: v.type as VoucherType, scheduleId: v.schedule ?? '', pageIndex: page }, Date.now());
      print(view, () => formatWalletPage(view, session.cinemaId));
    } else if (command === 'wallet') {
      const view = await readWallet(womei, session, Date.now());
      print(view, () => formatWallet(view, session.cinemaId));
    } else if (command === 'account') {
      const view = await readAccount(womei, session);
      print(view, () => formatAccount(view, session.cinemaId));
    } else {
      const view = await readOrders(womei, session, { offset, pages });
      print(view, () => formatOrders(view));
    }
    return EXIT.ok;
  } catch (error) {
    // Womei's typed errors (TokenInvalid, WomeiUnavailable, ...) keep their name; the token never shows.
    const message = redactText(error instanceof Error ? error.message : String(error), [token]);
    if (json) io.out(JSON.stringify({ error: { type: error instanceof Error ? error.name : 'Error', message } }));
    else io.err(`error: ${message}`);
    return EXIT.failure;
  }
}

export async function main(): Promise<void> {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
  process.exitCode = await runCli(process.argv.slice(2), io);
}

if (require.main === module) void main();
