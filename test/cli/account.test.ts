/**
 * The operator commands `wallet`, `account` and `orders`: the CLI reads the user's account straight from Womei
 * (here the sandbox over real HTTP; Temporal is not involved, so TEMPORAL_ADDRESS points nowhere). What they show
 * is judged against the sandbox ledger; the paging of `wallet --type` against a canned server answering in the
 * captured multi-page shape. The token is read from the environment or stdin, never printed; bad usage calls
 * nothing.
 */
import { EXIT, runCli, type CliIo } from '../../src/cli';
import { FIXTURE, startSandbox, type RunningSandbox } from '../../src/sandbox/server';
import { createWomeiClient } from '../../src/womei/client';
import { spawnCli, type CliRun } from '../helpers/cli-process';
import { okData, startCannedServer, type CannedServer } from '../womei/canned-server';
import * as W from '../womei/wire-fixtures';

let sandbox: RunningSandbox;
let env: NodeJS.ProcessEnv;
const RICH = FIXTURE.tokens.rich;
const CINEMA = FIXTURE.cinemas.beijing;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  env = {
    PATH: process.env.PATH,
    WOMEI_BASE_URL: sandbox.url,
    WOMEI_TOKEN: RICH,
    // Nothing listens there: these commands never touch Temporal.
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    LOCAL_KEYS_FILE: '',
  };
});
beforeEach(async () => {
  await sandbox.admin.reset();
});
afterAll(async () => {
  await sandbox?.close();
});

type Run = CliRun;

async function cli(args: string[], over: NodeJS.ProcessEnv = {}, stdin = ''): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...env, ...over }, readStdin: async () => stdin };
  const code = await runCli(args, io, () => Promise.reject(new Error('these commands must not connect to Temporal')));
  return { code, out, err };
}

const json = <T>(run: Run): T => JSON.parse(run.out[0]!) as T;
const requests = async () => (await sandbox.admin.ledger()).requests.total;

describe('wallet', () => {
  test('the whole wallet, usable first with expiry, each voucher in the state the ledger has it', async () => {
    const run = await cli(['wallet', '--cinema', CINEMA, '--json']);
    expect(run).toMatchObject({ code: EXIT.ok, err: [] });
    const view = json<{ counts: Record<string, number>; vouchers: { code: string; state: string; expiresAt: string }[] }>(run);
    const ledger = await sandbox.admin.ledger();
    const mine = ledger.vouchers.filter((v) => v.ownerId === FIXTURE.userIds.rich);
    const expected = (v: (typeof mine)[number]) => (v.state === 'unused' ? (v.expired ? 'expired' : 'usable') : v.state);
    expect(Object.fromEntries(view.vouchers.map((v) => [v.code, v.state]))).toEqual(Object.fromEntries(mine.map((v) => [v.code, expected(v)])));
    expect(view.counts).toEqual({ usable: 6, expired: 1, disabled: 1, used: 1 });
    const order = ['usable', 'expired', 'disabled', 'used'];
    const states = view.vouchers.map((v) => order.indexOf(v.state));
    expect(states).toEqual([...states].sort((a, b) => a - b));
    for (const v of view.vouchers) expect(v.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);

    const human = await cli(['wallet', '--cinema', CINEMA]);
    expect(human.out[0]).toBe(`wallet at cinema ${CINEMA}: 6 usable, 1 expired, 1 disabled, 1 used`);
    expect(human.out[1]).toMatch(new RegExp(`^  usable +${FIXTURE.vouchers.rich.unused[0]} +expires 2030-01-01 00:00 \\(Beijing\\)`));
    expect(human.out.join('\n')).not.toContain(RICH);
  });

  test('--type: the picker list of one type (consumed vouchers absent), usable first', async () => {
    const run = await cli(['wallet', '--cinema', CINEMA, '--type', 'VGC_T', '--schedule', String(FIXTURE.schedules.beijing), '--json']);
    expect(run.code).toBe(EXIT.ok);
    const view = json<{ page: unknown; next: number | null; vouchers: { code: string; state: string }[] }>(run);
    expect(view.page).toEqual({ number: 1, pages: 1, total: 8 });
    expect(view.next).toBeNull();
    expect(view.vouchers.map((v) => v.code)).not.toContain(FIXTURE.vouchers.rich.used);
    expect(view.vouchers.slice(0, 6).map((v) => v.state)).toEqual(Array(6).fill('usable'));
  });

  test('--type pages as Womei does: page N of M, the request carries page_index, the next page is named', async () => {
    const canned: CannedServer = await startCannedServer(
      okData({ ...W.voucherPage, page: { data_total: 48, total_page: 5, page_num: 2, offset_num: 10, pre_page: 1, next_page: 3 } }),
    );
    try {
      const run = await cli(['wallet', '--cinema', CINEMA, '--type', 'VGC_T', '--page', '2'], { WOMEI_BASE_URL: canned.url });
      expect(run.code).toBe(EXIT.ok);
      expect(canned.requests[0]!.url).toBe(`/ticket/wmyc/cinema/${CINEMA}/user/vouchers_page?voucher_type=VGC_T&schedule_id=&goods_id=&page_index=2`);
      expect(run.out[0]).toBe(`VGC_T vouchers at cinema ${CINEMA}: page 2 of 5 (48 in all)`);
      expect(run.out.at(-1)).toBe(`next page: womei-checkout wallet --cinema ${CINEMA} --type VGC_T --page 3`);
    } finally {
      await canned.close();
    }
  });
});

describe('account', () => {
  test('profile and member cards; the phone only masked', async () => {
    const run = await cli(['account', '--cinema', CINEMA, '--json']);
    expect(run.code).toBe(EXIT.ok);
    expect(json(run)).toMatchObject({
      user: { nickname: '沙盒用户甲', isMember: true, memberCard: { cardId: String(FIXTURE.cardIds.rich), balance: 1.1 } },
      cards: [{ cardId: String(FIXTURE.cardIds.rich) }],
    });
    const human = await cli(['account', '--cinema', CINEMA]);
    expect(human.out[0]).toBe(`account at cinema ${CINEMA}: 沙盒用户甲, phone 13*****0000, member`);
    expect(human.out.join('\n')).toContain('balance ¥1.10');
    for (const text of [run.out.join('\n'), human.out.join('\n')]) {
      expect(text).not.toContain(FIXTURE.phones.rich);
      expect(text).not.toContain(RICH);
    }
  });

  test('a user without a card', async () => {
    const run = await cli(['account', '--cinema', CINEMA], { WOMEI_TOKEN: FIXTURE.tokens.empty });
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toEqual([`account at cinema ${CINEMA}: 沙盒用户丁, phone 13*****0003, not a member`, 'member cards (user/cards/): 0']);
  });
});

describe('orders', () => {
  test('newest first, each in the state the ledger has it', async () => {
    const womei = createWomeiClient({ baseUrl: sandbox.url, tenant: 'wmyc', timeoutMs: 3_000 });
    const { orderId } = await womei.createOrder({ token: RICH, cinemaId: CINEMA }, { scheduleId: String(FIXTURE.schedules.beijing), seatLabels: [FIXTURE.seats.beijing[0]!] });
    const run = await cli(['orders', '--json']);
    expect(run.code).toBe(EXIT.ok);
    const view = json<{ orders: { orderId: string; status: string }[]; nextOffset: number | null }>(run);
    expect(view.orders[0]!.orderId).toBe(orderId);
    const ledger = await sandbox.admin.ledger();
    const mine = ledger.orders.filter((o) => o.userId === FIXTURE.userIds.rich);
    expect(Object.fromEntries(view.orders.map((o) => [o.orderId, o.status]))).toEqual(Object.fromEntries(mine.map((o) => [o.orderId, o.status])));
    expect(view.nextOffset).toBeNull();
    const human = await cli(['orders']);
    expect(human.out[0]).toMatch(new RegExp(`^${orderId}  PENDING +unpaid +碟中谍8：最终清算 · .* · 1 ticket\\(s\\)`));
    expect(human.out[1]).toMatch(/ SUCCESS +issued /);
  });
});

describe('the token and bad usage', () => {
  test('from stdin as well; an expired token fails with its type (exit 1); the token never printed', async () => {
    const viaStdin = await cli(['orders', '--token-stdin', '--json'], { WOMEI_TOKEN: undefined }, `${FIXTURE.tokens.few}\n`);
    expect(viaStdin.code).toBe(EXIT.ok);
    const expired = await cli(['wallet', '--cinema', CINEMA, '--json'], { WOMEI_TOKEN: FIXTURE.tokens.expired });
    expect(expired.code).toBe(EXIT.failure);
    expect(json(expired)).toEqual({ error: { type: 'TokenInvalid', message: expect.stringContaining('user token expired or invalid') } });
    const human = await cli(['account', '--cinema', CINEMA], { WOMEI_TOKEN: FIXTURE.tokens.expired });
    expect(human.code).toBe(EXIT.failure);
    for (const run of [viaStdin, expired, human]) {
      const text = [...run.out, ...run.err].join('\n');
      for (const token of Object.values(FIXTURE.tokens)) expect(text).not.toContain(token);
    }
  });

  test.each([
    [['wallet'], /--cinema is required/],
    [['wallet', '--cinema', '96x7'], /--cinema: must be digits/],
    [['wallet', '--cinema', CINEMA, '--type', 'VGC_X'], /--type: must be one of VGC_T, VGC_P/],
    [['wallet', '--cinema', CINEMA, '--page', '2'], /--schedule and --page go with --type/],
    [['wallet', '--cinema', CINEMA, '--type', 'VGC_T', '--page', '0'], /--page: pages start at 1/],
    [['account'], /--cinema is required/],
    [['account', '--cinema', CINEMA, '--token', 'x'], /--token is not accepted/],
    [['orders', '--pages', '99'], /--pages: must be 1-20/],
    [['orders', 'extra'], /Unexpected argument 'extra'/],
  ])('%j exits 2, says why and calls nothing', async (args, message) => {
    const before = await requests();
    const run = await cli(args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err.join('\n')).toMatch(message);
    expect(run.err.join('\n')).not.toContain(RICH);
    expect(await requests()).toBe(before);
  });

  test('no token in the environment is bad usage', async () => {
    const run = await cli(['orders'], { WOMEI_TOKEN: undefined });
    expect(run.code).toBe(EXIT.usage);
    expect(run.err.join('\n')).toContain('$WOMEI_TOKEN');
  });

  test('the binary: --help for each, and a real read', async () => {
    const spawnBin = (args: string[]) => spawnCli(args, env);
    const main = await spawnBin(['--help']);
    expect(main.out.join('\n')).toMatch(/wallet +the user's vouchers[\s\S]*account +the user's profile[\s\S]*orders +the user's recent orders/);
    for (const command of ['wallet', 'account', 'orders']) {
      const help = await spawnBin([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.out[0]).toMatch(new RegExp(`^Usage: womei-checkout ${command}`));
      expect(help.out.join('\n')).toContain('--token-stdin');
    }
    const wallet = await spawnBin(['wallet', '--cinema', CINEMA]);
    expect(wallet.code).toBe(0);
    expect(wallet.out[0]).toBe(`wallet at cinema ${CINEMA}: 6 usable, 1 expired, 1 disabled, 1 used`);
  }, 60_000);
});
