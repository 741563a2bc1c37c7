/**
 * `womei-checkout`: start, status, result, list and cancel checkouts from a shell, and read a user's Womei
 * account (wallet, account, orders) straight from Womei.
 * Human output by default (a line per step while `start --wait` runs), `--json` for scripts.
 * Exit codes: 0 ok / completed, 1 failure (Temporal unreachable, not found, ...), 2 bad usage (nothing started),
 * 3 compensated, 4 needs attention.
 * The user's token is read from an environment variable (or stdin), never from an argument: arguments are
 * visible to every user of the machine (`ps`) and stay in shell history.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig, withLocalKeys, type AppConfig } from './config';
import { CheckoutClient, InvalidArgument, IdempotencyConflict, type ListFilter } from './client';
import { redactText } from './redact';
import { formatResult, formatStatus, formatSummaries, ProgressPrinter, workflowUiLink } from './cli-format';
import { formatAccount, formatOrders, formatWallet, formatWalletPage, readAccount, readOrders, readWallet, readWalletPage } from './cli-account';
import { createWomeiClient } from './womei/client';
import type { VoucherType, WomeiSession } from './womei/types';
import { InvalidInput, parseCheckoutInput, type CheckoutRequest } from '../workflows/input';
import { CHECKOUT_PHASES, type CheckoutPhase, type CheckoutResult } from '../workflows/messages';

export const EXIT = { ok: 0, failure: 1, usage: 2, compensated: 3, needsAttention: 4 } as const;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  readStdin(): Promise<string>;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TOKEN_OPTIONS = `  --token-env NAME        environment variable holding the user's Womei token (default WOMEI_TOKEN)
  --token-stdin           read the token from standard input instead`;

const HELP: Record<string, string> = {
  main: `womei-checkout — durable Womei cinema checkouts on Temporal

Usage: womei-checkout <command> [options]

Commands:
  start    start a checkout (idempotent on --request-id)
  status   show where a checkout is (phase, order, vouchers, prices, timeline)
  result   wait for a checkout to end and show its outcome
  list     list checkouts, filtered by phase, cinema, order or request id
  cancel   cancel a checkout (it unbinds its vouchers and releases its order)

  wallet   the user's vouchers, usable first, with expiry (read from Womei)
  account  the user's profile and member cards (read from Womei)
  orders   the user's recent orders and their state (read from Womei)

Run 'womei-checkout <command> --help' for a command's options.
Exit codes: 0 ok/completed, 1 failure, 2 bad usage, 3 compensated, 4 needs attention.
Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE (see README).
Keys: CODEC_KEYS and TOKEN_SEAL_PUBLIC_KEY, or the ones \`npm start\` saved in this clone (LOCAL_KEYS_FILE).
Womei (wallet, account, orders): WOMEI_BASE_URL, WOMEI_TENANT; the token from $WOMEI_TOKEN or --token-stdin.`,
  start: `Usage: womei-checkout start --cinema ID --schedule ID --seat LABEL [--seat LABEL ...]
                           (--voucher CODE [--voucher CODE ...] | --best [--max N]) [options]

  --request-id ID         idempotency key (default: a new random one, printed); the same id never starts twice
  --cinema ID             Womei cinema id (digits)
  --schedule ID           schedule id (digits)
  --seat LABEL            seat as Womei's seatlable {area_no}:{row}:{col}:{seat_no}; repeat per seat
  --voucher CODE          voucher code to bind; repeat per voucher
  --best                  choose the best vouchers in the wallet instead (one per seat)
  --max N                 with --best: at most N vouchers
  --token-env NAME        environment variable holding the user's Womei token (default WOMEI_TOKEN)
  --token-stdin           read the token from standard input instead
  --pay-if-free           pay when the vouchers cover the whole price (tickets are issued)
  --mobile NUMBER         the account's phone number (needed with --pay-if-free)
  --deadline-minutes N    give up (and compensate) after N minutes (default 30)
  --wait                  follow the checkout, a line per step, until it ends
  --json                  machine-readable output`,
  status: `Usage: womei-checkout status <request-id | workflow-id> [--json]`,
  result: `Usage: womei-checkout result <request-id | workflow-id> [--json]   (waits for the end)`,
  list: `Usage: womei-checkout list [--phase PHASE] [--cinema ID] [--order ID] [--request-id ID] [--running | --closed] [--limit N] [--json]
  PHASE is one of ${CHECKOUT_PHASES.join(', ')}`,
  cancel: `Usage: womei-checkout cancel <request-id | workflow-id> [--json]`,
  wallet: `Usage: womei-checkout wallet --cinema ID [--type VGC_T|VGC_P [--schedule ID] [--page N]] [--json]
  Without --type: the whole wallet (user/voucher/list/): usable first, soonest expiry first, then expired,
  disabled and used vouchers. With --type: one page of that voucher type as the app's picker pages it
  (user/vouchers_page, 10 a page; --schedule asks for the vouchers of one schedule).
${TOKEN_OPTIONS}`,
  account: `Usage: womei-checkout account --cinema ID [--json]
  The user's profile (user/info/: nickname, masked phone, membership) and member cards (user/cards/).
${TOKEN_OPTIONS}`,
  orders: `Usage: womei-checkout orders [--offset N] [--pages N] [--json]
  The user's orders at every cinema, newest first (user/orders/, 10 a page), with their state.
${TOKEN_OPTIONS}`,
};

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const TOKEN = { 'token-env': { type: 'string' }, 'token-stdin': { type: 'boolean' } } as const;
const OPTIONS = {
  start: {
    ...COMMON,
    'request-id': { type: 'string' },
    cinema: { type: 'string' },
    schedule: { type: 'string' },
    seat: { type: 'string', multiple: true },
    voucher: { type: 'string', multiple: true },
    best: { type: 'boolean' },
    max: { type: 'string' },
    'token-env': { type: 'string' },
    'token-stdin': { type: 'boolean' },
    'pay-if-free': { type: 'boolean' },
    mobile: { type: 'string' },
    'deadline-minutes': { type: 'string' },
    wait: { type: 'boolean' },
  },
  status: COMMON,
  result: COMMON,
  cancel: COMMON,
  list: {
    ...COMMON,
    phase: { type: 'string' },
    cinema: { type: 'string' },
    order: { type: 'string' },
    'request-id': { type: 'string' },
    running: { type: 'boolean' },
    closed: { type: 'boolean' },
    limit: { type: 'string' },
  },
  wallet: { ...COMMON, ...TOKEN, cinema: { type: 'string' }, type: { type: 'string' }, schedule: { type: 'string' }, page: { type: 'string' } },
  account: { ...COMMON, ...TOKEN, cinema: { type: 'string' } },
  orders: { ...COMMON, ...TOKEN, offset: { type: 'string' }, pages: { type: 'string' } },
} satisfies Record<string, ParseArgsConfig['options']>;

/** Commands that read the user's Womei account directly (no Temporal). */
const ACCOUNT_COMMANDS = ['wallet', 'account', 'orders'] as const;
type AccountCommand = (typeof ACCOUNT_COMMANDS)[number];
const isAccountCommand = (command: string): command is AccountCommand => (ACCOUNT_COMMANDS as readonly string[]).includes(command);

type Command = keyof typeof OPTIONS;

function parse(command: Command, argv: string[]) {
  if (argv.some((a) => a === '--token' || a.startsWith('--token='))) {
    throw new UsageError('--token is not accepted (arguments are visible to other users); use --token-env NAME or --token-stdin');
  }
  try {
    const positionals = command === 'status' || command === 'result' || command === 'cancel';
    return parseArgs({ args: argv, options: OPTIONS[command], allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

function integerOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name}: must be a whole number`);
  return Number(raw);
}

function onePositional(command: Command, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one checkout id (request id or workflow id)`);
  return positionals[0]!;
}

async function readToken(values: { 'token-env'?: string; 'token-stdin'?: boolean }, io: CliIo): Promise<string> {
  if (values['token-stdin']) return (await io.readStdin()).trim();
  const name = values['token-env'] ?? 'WOMEI_TOKEN';
  const token = io.env[name];
  if (!token) throw new UsageError(`the user's token is read from $${name}, which is not set (or use --token-stdin)`);
  return token.trim();
}

/** What parseArgs gives for `start` (OPTIONS.start). */
interface StartValues {
  'request-id'?: string; cinema?: string; schedule?: string; seat?: string[]; voucher?: string[]; best?: boolean; max?: string;
  'pay-if-free'?: boolean; mobile?: string; 'deadline-minutes'?: string; 'token-env'?: string; 'token-stdin'?: boolean;
}

async function buildStartRequest(v: StartValues, io: CliIo): Promise<CheckoutRequest> {
  if (!v.cinema) throw new UsageError('--cinema is required');
  if (!v.schedule) throw new UsageError('--schedule is required');
  if (!v.seat?.length) throw new UsageError('--seat is required (repeat it per seat)');
  if (v.voucher?.length && v.best) throw new UsageError('give --voucher codes or --best, not both');
  if (!v.voucher?.length && !v.best) throw new UsageError('give --voucher CODE (repeatable) or --best');
  if (v.max !== undefined && !v.best) throw new UsageError('--max only goes with --best');
  const max = integerOption('max', v.max);
  const deadlineMinutes = integerOption('deadline-minutes', v['deadline-minutes']);
  return {
    requestId: v['request-id'] ?? `cli-${randomUUID()}`,
    cinemaId: v.cinema,
    scheduleId: v.schedule,
    seats: v.seat,
    token: await readToken(v, io),
    vouchers: v.best ? { policy: 'best', ...(max !== undefined ? { max } : {}) } : { codes: v.voucher! },
    ...(deadlineMinutes !== undefined ? { limits: { deadlineMinutes } } : {}),
    ...(v['pay-if-free'] ? { payIfFree: true } : {}),
    ...(v.mobile !== undefined ? { mobile: v.mobile } : {}),
  };
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

/** What parseArgs gives for `wallet`, `account` and `orders`. */
interface AccountValues {
  cinema?: string; type?: string; schedule?: string; page?: string; offset?: string; pages?: string;
  'token-env'?: string; 'token-stdin'?: boolean;
}

const VOUCHER_TYPES: readonly VoucherType[] = ['VGC_T', 'VGC_P'];

/** wallet / account / orders: straight to Womei with the user's token (src/womei/client.ts). */
async function runAccountCommand(command: AccountCommand, v: AccountValues, io: CliIo, config: AppConfig, json: boolean): Promise<number> {
  // Everything checked before the token is read and before Womei is called.
  if (command !== 'orders' && !v.cinema) throw new UsageError('--cinema is required (Womei scopes the account by cinema)');
  if (v.cinema !== undefined && !/^\d{1,12}$/.test(v.cinema)) throw new UsageError('--cinema: must be digits');
  if (v.type !== undefined && !(VOUCHER_TYPES as readonly string[]).includes(v.type)) throw new UsageError(`--type: must be one of ${VOUCHER_TYPES.join(', ')}`);
  if ((v.schedule !== undefined || v.page !== undefined) && v.type === undefined) throw new UsageError('--schedule and --page go with --type');
  if (v.schedule !== undefined && !/^\d{1,15}$/.test(v.schedule)) throw new UsageError('--schedule: must be digits');
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

function listFilter(values: Record<string, unknown>): ListFilter {
  const phase = values.phase as string | undefined;
  if (phase !== undefined && !(CHECKOUT_PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`--phase: must be one of ${CHECKOUT_PHASES.join(', ')}`);
  }
  if (values.running && values.closed) throw new UsageError('give --running or --closed, not both');
  return {
    phase: phase as CheckoutPhase | undefined,
    cinemaId: values.cinema as string | undefined,
    orderId: values.order as string | undefined,
    requestId: values['request-id'] as string | undefined,
    running: values.running ? true : values.closed ? false : undefined,
    limit: integerOption('limit', values.limit as string | undefined),
  };
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
