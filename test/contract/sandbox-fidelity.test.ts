/**
 * The sandbox against the real Womei's own answers. For every captured body (womei-samples/), the sandbox is
 * asked the same request, in the same order as the capture (H1659's checkout: create, price, pre-check, bind,
 * pay, issued; HV's browsing), over real HTTP. Its answer must have the real body's shape: the same key paths
 * with the same kinds of value (see shape.ts for what "same" means with PHP's empties). Values differ (the
 * sandbox has its own cinemas, orders and vouchers); error bodies must be the real ones exactly.
 *
 * Exceptions are listed in KNOWN_DIFFERENCES below, each with its reason. There are none today.
 */
import { FIXTURE } from '../../src/sandbox/server';
import { call, changeForm, cinemaPath, startTestSandbox, type RunningSandbox } from '../sandbox/helpers';
import { SAMPLE_FILES, isErrorSample, sample, sampleBytes } from './samples';
import { shapeDifferences, shapeOf } from './shape';

const RICH = FIXTURE.tokens.rich;
const BJ = FIXTURE.cinemas.beijing;
const SCHEDULE = String(FIXTURE.schedules.beijing);
const VOUCHER = FIXTURE.vouchers.rich.unused[0]!;
const CARD = String(FIXTURE.cardIds.rich);

/**
 * Differences accepted on purpose: `file → path → why`. A path listed here is left out of that file's
 * comparison; anything else that differs fails the test.
 */
const KNOWN_DIFFERENCES: Record<string, Record<string, string>> = {};

interface Answer {
  text: string;
  body: unknown;
}

let sb: RunningSandbox;
/** The sandbox's answer to each captured request, by sample file. */
const answers = new Map<string, Answer>();

async function ask(file: string, method: 'GET' | 'POST', path: string, o: { query?: Record<string, string>; form?: Record<string, string>; token?: string } = {}) {
  const r = await call(sb, method, path, { token: o.token ?? RICH, query: o.query, form: o.form });
  answers.set(file, { text: r.text, body: r.body });
  return r.body;
}

/** H1659: a 1-seat checkout with one voucher, paid 0 yuan, issued; then HV's browsing. */
async function replayCaptures(): Promise<void> {
  const c = (rel: string) => cinemaPath(rel, BJ);
  const created = await ask('order-ticket-success-1seat.json', 'POST', c('order/ticket/'), {
    form: { seatlable: FIXTURE.seats.beijingMassage[0]!, schedule_id: SCHEDULE },
  });
  const orderId = (created as { data: { order_id: string } }).data.order_id;
  const order = { order_id: orderId };
  const info = { version: 'tp_version', order_id: orderId };
  const change = (form: Record<string, string>) => ({ query: { version: 'tp_version' }, form });

  await ask('order-sublists-info-empty.json', 'GET', '/ticket/order/sublists/info', { query: order });
  await ask('order-info-pending-1ticket.json', 'GET', c('order/info/'), { query: info });
  // The pre-check before any order/change/ (the capture of a script that skipped the init pricing).
  await ask('order-voucher-price-error-1000-param.json', 'POST', c('order/voucher/price/'), { form: { voucher_code: VOUCHER, order_id: orderId } });
  await ask('user-voucher-list-large.json', 'GET', c('user/voucher/list/'));
  await ask('user-info.json', 'GET', c('user/info/'), { query: { version: '1750750721936', fact: 'Y' } });
  await ask('user-cards.json', 'GET', c('user/cards/'));
  await ask('order-change-member-card.json', 'POST', c('order/change/'), change(changeForm(orderId, [], { pay_type: 'MEMBER', card_id: CARD })));
  await ask('order-vcc-list-empty.json', 'GET', c('order/vcc/list/'), { query: { order_id: orderId, type: 'EVGC_VOUCHER', card_id: CARD } });
  await ask('order-vcc-usable-count-zero.json', 'GET', c('order/vcc/usable/count'), { query: { order_id: orderId, type: 'EVGC_VOUCHER', card_id: '' } });
  await ask('user-vouchers-vgc_t-large.json', 'GET', c('user/vouchers'), { query: { voucher_type: 'VGC_T', schedule_id: SCHEDULE, goods_id: '' } });
  await ask('order-change-init-wechat-marketing.json', 'POST', c('order/change/'), change(changeForm(orderId)));
  await ask('user-vouchers_page-vgc_t-multi-page.json', 'GET', c('user/vouchers_page'), {
    query: { voucher_type: 'VGC_T', schedule_id: SCHEDULE, goods_id: '', page_index: '1' },
  });
  await ask('order-change-wechat-empty-discount.json', 'POST', c('order/change/'), change(changeForm(orderId, [], { discount_type: '' })));
  await ask('order-voucher-price-success.json', 'POST', c('order/voucher/price/'), { form: { voucher_code: VOUCHER, order_id: orderId } });
  await ask('order-change-voucher-error-4004-invalid-code.json', 'POST', c('order/change/'), change(changeForm(orderId, ['INVALID123456789'])));
  await ask('order-change-voucher-1of1-full.json', 'POST', c('order/change/'), change(changeForm(orderId, [VOUCHER])));
  await ask('order-payment-wechat-zero.json', 'POST', c('order/payment/'), { form: { order_id: orderId, mobile: FIXTURE.phones.rich, pay_type: 'WECHAT' } });
  await ask('order-template-empty.json', 'POST', c('order/template/'), { form: { order_id: orderId, template_ids: 'tmplA,tmplB,tmplC' } });
  await ask('order-query-processing.json', 'POST', c('order/query/'), { form: order });
  await ask('ads-ticket-buy-after.json', 'GET', c('ads/'), { query: { ad_type: '6' } });
  await sb.admin.advanceClock(6);
  await ask('order-query-success.json', 'POST', c('order/query/'), { form: order });
  await ask('order-info-success-voucher-paid.json', 'GET', c('order/info/'), { query: info });
  await ask('any-error-408-token-timeout.json', 'GET', c('user/voucher/list/'), { token: FIXTURE.tokens.expired });

  // HV: browsing a cinema's catalogue down to a seat map.
  await ask('citys.json', 'GET', '/ticket/wmyc/citys/');
  await ask('cinema-info.json', 'GET', c('info/'));
  await ask('movies.json', 'GET', c('movies/'));
  await ask('shows.json', 'GET', c('shows/'), { query: { movie_id: String(FIXTURE.movies.mission) } });
  await ask('hall-info.json', 'GET', c('hall/info/'), { query: { hall_id: FIXTURE.halls.beijing, schedule_id: SCHEDULE } });
  await ask('hall-saleable.json', 'GET', c('hall/saleable/'), { query: { schedule_id: SCHEDULE } });
}

beforeAll(async () => {
  sb = await startTestSandbox();
  await replayCaptures();
});
afterAll(() => sb.close());

test('every captured body was asked of the sandbox', () => {
  expect([...answers.keys()].sort()).toEqual([...SAMPLE_FILES]);
});

describe('success answers have the real bodies’ key paths and value kinds', () => {
  it.each(SAMPLE_FILES.filter((f) => !isErrorSample(f)))('%s', (file) => {
    const answer = answers.get(file)!;
    expect(answer.body).toMatchObject({ ret: 0, sub: 0, msg: 'successfully' });
    const accepted = KNOWN_DIFFERENCES[file] ?? {};
    const problems = shapeDifferences(shapeOf(sample(file)), shapeOf(answer.body)).filter((p) => !Object.keys(accepted).some((path) => p.startsWith(`${path}:`)));
    expect(problems).toEqual([]);
  });
});

describe('error answers are the real bodies', () => {
  it.each(SAMPLE_FILES.filter(isErrorSample))('%s', (file) => {
    expect(answers.get(file)!.body).toEqual(sample(file));
  });
});

describe('the wire dialect: where the capture is byte-exact, the sandbox escapes as PHP does', () => {
  const isAscii = (b: Buffer) => b.every((x) => x < 0x80);
  it.each(SAMPLE_FILES.filter((f) => isAscii(sampleBytes(f)) && !isErrorSample(f)))('%s', (file) => {
    const { text } = answers.get(file)!;
    // Compact, every non-ASCII character as \uXXXX, and `/` as `\/` wherever the real body has a slash.
    expect([...text].every((ch) => ch.charCodeAt(0) < 0x80)).toBe(true);
    expect(text).not.toMatch(/[^\\]\//);
    expect(text).toBe(JSON.stringify(JSON.parse(text)).replace(/\//g, '\\/').replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
  });
});
