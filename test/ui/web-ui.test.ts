/**
 * The Temporal Web UI as a person sees it, in headless Chromium: `npm start`'s program runs in its own process on
 * free ports and a scratch database (dev server + codec server + sandbox + worker + demo checkout); the browser
 * opens the Web UI link it prints for the demo checkout. The page must tell the checkout's story (workflow summary,
 * activity summaries in the timeline, Completed) and show DECODED input and result — readable only because the UI
 * calls the codec server from the browser, since every payload (summaries included) is AES-GCM encrypted in
 * history — with the user's token SEALED even there (only workers can open it). The same history fetched without
 * the codec reveals nothing. A compensated checkout, started with the client next to it, tells why it failed.
 * No page's text ever holds a plaintext token.
 *
 * Chromium comes from Debian (scripts/install-chromium.sh, run by `npm test`'s pretest); CHROMIUM_PATH overrides.
 * Screenshots land in test/ui/__output__/ (git-ignored); README shows copies of them from docs/img/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CheckoutClient } from '../../src/client';
import { loadConfig, withLocalKeys } from '../../src/config';
import { FIXTURE } from '../../src/sandbox/server';
import { mainJobEnv, startMainJob, type MainJob } from '../helpers/main-job';

const OUTPUT = join(__dirname, '__output__');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = FIXTURE.tokens.rich;
const TOKENS = Object.values(FIXTURE.tokens);
/** SvelteKit's first load plus the codec round trips; generous because other suites share the two cores. */
const UI_WAIT_MS = 30_000;

/** What `npm start` printed, read the way a user reads it. */
function parseDemo(out: string) {
  const pick = (re: RegExp, what: string): string => {
    const found = re.exec(out)?.[1];
    if (found === undefined) throw new Error(`npm start did not print ${what}:\n${out}`);
    return found;
  };
  const links = [...out.matchAll(/Web UI: (http:\/\/localhost:\d+\/namespaces\/default\/workflows\/\S+)/g)].map((m) => m[1]!);
  if (links.length === 0) throw new Error(`npm start printed no Web UI link:\n${out}`);
  return {
    codecPort: pick(/^codec server\s+http:\/\/[^:\s]+:(\d+)/m, 'the codec server'),
    scheduleId: pick(/^demo checkout .* schedule (\d+)$/m, 'the demo schedule'),
    orderId: pick(/order (\d{18}) created — workflow /, 'the order id'),
    workflowId: pick(/created — workflow (checkout-demo-[\w-]+)/, 'the workflow id'),
    link: links[links.length - 1]!,
  };
}

/** Every string in a JSON value, and every base64 string decoded as UTF-8, so nothing hides behind base64. */
function readableStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) into.push(Buffer.from(value, 'base64').toString('utf8'));
  } else if (Array.isArray(value)) value.forEach((v) => readableStrings(v, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => readableStrings(v, into));
  return into;
}

/** The text of the page section headed `heading` (the UI's Input / Result cards), once it shows JSON. */
async function sectionText(page: Page, heading: string): Promise<string> {
  const section = page.locator(`xpath=//h2[normalize-space()="${heading}"]/ancestor::*[contains(., "{")][1]`);
  await section.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  return section.innerText();
}

async function seeText(page: Page, text: string): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });
}

/** Everything the page shows as text, its frames included: what a screenshot of it can hold. */
async function pageText(page: Page): Promise<string> {
  const texts = await Promise.all(page.frames().map((f) => f.evaluate('document.body ? document.body.innerText : ""').catch(() => '')));
  return texts.join('\n');
}

/** Fixture tokens found in the page's text (none may be). */
const tokensOn = async (page: Page) => {
  const text = await pageText(page);
  return TOKENS.filter((t) => text.includes(t));
};

let main: MainJob | undefined;
let launching: Promise<Browser> | undefined;

afterAll(async () => {
  const browser = await launching?.catch(() => undefined);
  await browser?.close();
  if (main) await main.stop();
}, 40_000);

test('the Web UI link npm start prints opens the checkout as a story, decoded through the codec server', async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run 'bash scripts/install-chromium.sh' (or set CHROMIUM_PATH)`);
  launching = chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const { env, scratch } = await mainJobEnv();
  main = startMainJob(env, scratch);
  await main.waitFor(/Press Ctrl-C to stop/, 90_000);
  const browser = await launching;
  const demo = parseDemo(main.output());
  const uiOrigin = new URL(demo.link).origin;
  const summary = `Checkout 2 seats with 2 vouchers at cinema ${FIXTURE.cinemas.beijing}, schedule ${demo.scheduleId}`;
  const seats = FIXTURE.seats.beijing.slice(0, 2);
  expect(demo.link).toBe(`${uiOrigin}/namespaces/default/workflows/${demo.workflowId}`);

  // Without the codec, the history the UI's server hands out is ciphertext: no token, no seats, no summary.
  const raw = await fetch(`${uiOrigin}/api/v1/namespaces/default/workflows/${encodeURIComponent(demo.workflowId)}/history`);
  expect(raw.status).toBe(200);
  const history = (await raw.json()) as { history: { events: { userMetadata?: unknown; workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string> }[] } } }[] } };
  const started = history.history.events[0]!;
  expect(started.workflowExecutionStartedEventAttributes).toBeDefined();
  const encoding = started.workflowExecutionStartedEventAttributes!.input.payloads[0]!.metadata.encoding!;
  expect(Buffer.from(encoding, 'base64').toString()).toBe('binary/encrypted');
  expect(started.userMetadata).toBeDefined();
  const plain = readableStrings(history).join('\n');
  expect(plain).toContain(demo.workflowId);
  expect(plain).not.toContain(TOKEN);
  expect(plain).not.toContain(summary);
  for (const seat of seats) expect(plain).not.toContain(seat);

  // The browser: every payload it shows went through the codec server's /decode from the UI's origin.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1300 } });
  const page = await context.newPage();
  const decodeStatuses: number[] = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.port === demo.codecPort && url.pathname.endsWith('/decode')) decodeStatuses.push(r.status());
  });
  await page.goto(demo.link, { waitUntil: 'domcontentloaded' });

  // The link opens that workflow (the UI redirects to its latest run's history), Completed.
  const heading = page.locator('h1').filter({ hasText: demo.workflowId });
  await heading.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  expect(page.url()).toMatch(new RegExp(`/namespaces/default/workflows/${demo.workflowId}/[0-9a-f-]{36}/history$`));
  await page.getByText('Completed', { exact: true }).first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });

  // Input and Result, decoded.
  await seeText(page, `"cinemaId": "${FIXTURE.cinemas.beijing}"`);
  const input = await sectionText(page, 'Input');
  expect(input).toContain(`"cinemaId": "${FIXTURE.cinemas.beijing}"`);
  expect(input).toContain(`"scheduleId": "${demo.scheduleId}"`);
  for (const seat of seats) expect(input).toContain(`"${seat}"`);
  // An authorised UI user reads the input, but the token only sealed: only workers hold the key that opens it.
  expect(input).toMatch(/"token": "sealed:v1:local1:[A-Za-z0-9_-]+"/);
  expect(input).not.toContain(TOKEN);
  expect(input).not.toContain('"outcome"'); // the Input card alone, not the Result beside it
  await seeText(page, `"orderId": "${demo.orderId}"`);
  const result = await sectionText(page, 'Result');
  expect(result).toContain('"outcome": "COMPLETED"');
  expect(result).toContain(`"orderId": "${demo.orderId}"`);
  expect(result).toContain('"state": "READY_TO_PAY"');
  expect(result).not.toContain('"cinemaId"');

  // The story: the workflow's summary on its start event, and each activity's summary in the timeline.
  await seeText(page, summary);
  const story = [
    'listVouchers • list the voucher wallet',
    `createOrder • create order: 2 seat(s) on schedule ${demo.scheduleId}`,
    `priceOrder • price order ${demo.orderId} without vouchers`,
    `bindVouchers • bind 2 voucher(s) to order ${demo.orderId} (attempt 1)`,
  ];
  for (const line of story) await seeText(page, line);

  mkdirSync(OUTPUT, { recursive: true });
  expect(await tokensOn(page)).toEqual([]);
  await page.locator('xpath=//h2[normalize-space()="Input"]/ancestor::*[contains(., "{")][1]').screenshot({ path: join(OUTPUT, 'input-sealed.png') });
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(OUTPUT, 'completed.png') });

  // User Metadata: the summary and the markdown details, rendered by the UI in frames.
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const frames = page.locator('iframe[title="output"]');
  await frames.first().contentFrame().getByText(summary).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await frames.nth(1).contentFrame().getByText(`Seats ${seats.join(', ')}`).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await seeText(page, `bind 2 voucher(s) to order ${demo.orderId} (attempt 1)`);
  expect(await tokensOn(page)).toEqual([]);
  await page.screenshot({ path: join(OUTPUT, 'user-metadata.png') });

  // A compensated checkout, started by a client in this clone (the keys npm start saved): a voucher Womei does
  // not know. The UI shows it Failed with the reason; its timeline ends with the order released.
  const config = loadConfig({}, withLocalKeys(env));
  const client = await CheckoutClient.connect({ config });
  let compensatedId: string;
  try {
    const started = await client.startCheckout({
      requestId: `ui-compensated-${Date.now()}`,
      cinemaId: FIXTURE.cinemas.beijing,
      scheduleId: demo.scheduleId,
      seats: [FIXTURE.seats.beijing[3]!],
      token: FIXTURE.tokens.few,
      vouchers: { codes: ['SBJY01000000009999'] },
    });
    compensatedId = started.workflowId;
    expect(await client.waitForResult(compensatedId)).toMatchObject({ outcome: 'COMPENSATED', reason: { type: 'VoucherNotUsable' } });
  } finally {
    await client.close();
  }
  await page.goto(`${uiOrigin}/namespaces/default/workflows/${compensatedId}`, { waitUntil: 'domcontentloaded' });
  await page.locator('h1').filter({ hasText: compensatedId }).waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.getByText('Failed', { exact: true }).first().waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await seeText(page, 'VoucherNotUsable');
  await seeText(page, 'releaseOrder');
  const compensatedInput = await sectionText(page, 'Input');
  expect(compensatedInput).toMatch(/"token": "sealed:v1:local1:/);
  expect(await tokensOn(page)).toEqual([]);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(OUTPUT, 'compensated.png') });

  expect(decodeStatuses.length).toBeGreaterThan(0);
  expect(decodeStatuses.filter((s) => s !== 200)).toEqual([]);

  await context.close();
  const stopping = main;
  main = undefined;
  expect(await stopping.stop()).toBe(0);
}, 150_000);
