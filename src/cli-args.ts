/**
 * Reading a command line: the options of each command, parsed strictly, the user's token from an environment
 * variable or stdin (never an argument: `ps` and shell history show those), and the start request and list
 * filter built from them. Everything here is checked before anything connects: bad usage starts nothing.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { ListFilter } from './client';
import type { CliIo } from './cli';
import type { CheckoutRequest } from '../workflows/input';
import { CHECKOUT_PHASES, type CheckoutPhase } from '../workflows/messages';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const TOKEN = { 'token-env': { type: 'string' }, 'token-stdin': { type: 'boolean' } } as const;
export const OPTIONS = {
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
export const ACCOUNT_COMMANDS = ['wallet', 'account', 'orders'] as const;
export type AccountCommand = (typeof ACCOUNT_COMMANDS)[number];
export const isAccountCommand = (command: string): command is AccountCommand => (ACCOUNT_COMMANDS as readonly string[]).includes(command);

export type Command = keyof typeof OPTIONS;

export function parse(command: Command, argv: string[]) {
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

export function integerOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name}: must be a whole number`);
  return Number(raw);
}

export function onePositional(command: Command, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one checkout id (request id or workflow id)`);
  return positionals[0]!;
}

export async function readToken(values: { 'token-env'?: string; 'token-stdin'?: boolean }, io: CliIo): Promise<string> {
  if (values['token-stdin']) return (await io.readStdin()).trim();
  const name = values['token-env'] ?? 'WOMEI_TOKEN';
  const token = io.env[name];
  if (!token) throw new UsageError(`the user's token is read from $${name}, which is not set (or use --token-stdin)`);
  return token.trim();
}

/** What parseArgs gives for `start` (OPTIONS.start). */
export interface StartValues {
  'request-id'?: string; cinema?: string; schedule?: string; seat?: string[]; voucher?: string[]; best?: boolean; max?: string;
  'pay-if-free'?: boolean; mobile?: string; 'deadline-minutes'?: string; 'token-env'?: string; 'token-stdin'?: boolean;
}

export async function buildStartRequest(v: StartValues, io: CliIo): Promise<CheckoutRequest> {
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

/** What parseArgs gives for `wallet`, `account` and `orders`. */
export interface AccountValues {
  cinema?: string; type?: string; schedule?: string; page?: string; offset?: string; pages?: string;
  'token-env'?: string; 'token-stdin'?: boolean;
}

export function listFilter(values: Record<string, unknown>): ListFilter {
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
