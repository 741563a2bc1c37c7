/**
 * With CODEC_KEYS on the worker and the client, real checkouts (completed, compensated, token refreshed through
 * `refreshToken`, 0-yuan issued) leave no plaintext token, voucher password, codec key or codec bearer token
 * anywhere in their histories: payloads (input, activity arguments and results, update arguments), failures
 * (messages and stack traces), memo, user metadata, search attributes. Histories are read twice: through the SDK
 * (`fetchHistory`) and through the official CLI (`temporal workflow show --output json`). The codec server then
 * decodes for an authorised caller (HTTP and the CLI's `--codec-endpoint`) and refuses everyone else, and even
 * decoded the token is only there SEALED (only workers hold the key that opens it). Status, results, client
 * errors and the worker's logs never carry a token either.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { LogEntry } from '@temporalio/worker';
import { CheckoutClient, describeError } from '../../src/client';
import { ENCRYPTED_ENCODING, METADATA_KEY_ID, createEncryptionCodec } from '../../src/codec/codec';
import { generateCodecKey, parseCodecKeys } from '../../src/codec/keys';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import { SEALED_TOKEN_PATTERN } from '../../src/seal/format';
import { InvalidInput } from '../../workflows/input';
import { refreshTokenUpdate } from '../../workflows/messages';
import type { CheckoutResult, CheckoutStatus } from '../../workflows/messages';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import {
  cliShow,
  eventsOf,
  findSecrets,
  FIXTURE,
  installRuntime,
  jsonLoggerLines,
  metaText,
  payloadsOf,
  randomiseVoucherPasswords,
  request,
  startSecureEnv,
  type History,
  type NamedSecret,
  type SecureEnv,
} from './secure-env';

const logs: LogEntry[] = [];
installRuntime(logs);

const KEYS = generateCodecKey('hist1');
const BEARER = randomBytes(24).toString('hex');
const UI_ORIGIN = 'http://localhost:8233';
const CODES = FIXTURE.vouchers.rich.unused;
const SEATS = FIXTURE.seats.beijing;

let e: SecureEnv;
let client: CheckoutClient;
let codecServer: CodecServer;
/** Every token any checkout here used, passwords, key material, the codec bearer token. */
const secrets: NamedSecret[] = [];
const tokens: NamedSecret[] = [];
const runs: { name: string; workflowId: string; token: string }[] = [];

async function freshToken(name: string): Promise<string> {
  const value = await e.sandbox.admin.addToken(FIXTURE.userIds.rich);
  const secret = { name: `token:${name}`, value };
  tokens.push(secret);
  secrets.push(secret);
  return value;
}

async function waitForPhase(id: string, phase: CheckoutStatus['phase'], timeoutMs = 20_000): Promise<CheckoutStatus> {
  const until = Date.now() + timeoutMs;
  let last: CheckoutStatus | undefined;
  while (Date.now() < until) {
    last = await client.getStatus(id).catch(() => undefined);
    if (last?.phase === phase) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`checkout ${id} did not reach ${phase}; last phase ${last?.phase}`);
}

function expectClean(value: unknown, what: string, among: readonly NamedSecret[] = secrets): void {
  const hits = findSecrets(value, among);
  if (hits.length > 0) throw new Error(`${what}: secrets found at\n  ${hits.join('\n  ')}`);
}

beforeAll(async () => {
  e = await startSecureEnv({ name: 'sec-history', sandbox: { paymentSeconds: 0.3 } });
  await e.startWorker(KEYS);
  client = await e.client(KEYS);
  for (const [i, value] of randomiseVoucherPasswords(e.sandbox).entries()) secrets.push({ name: `voucher-password-${i}`, value });
  const key = parseCodecKeys(KEYS)[0]!.key;
  secrets.push(
    { name: 'codec-key(base64)', value: key.toString('base64') },
    { name: 'codec-key(hex)', value: key.toString('hex') },
    { name: 'codec-bearer', value: BEARER },
    // The fixture tokens are well known; none of them may show up either.
    ...Object.entries(FIXTURE.tokens).map(([name, value]) => ({ name: `fixture-token:${name}`, value })),
  );
  codecServer = await startCodecServer({
    port: 0,
    codec: createEncryptionCodec(parseCodecKeys(KEYS)),
    bearerToken: BEARER,
    allowedOrigin: UI_ORIGIN,
  });
}, DEV_SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await codecServer?.close();
  await e?.close();
});

describe('checkouts with CODEC_KEYS on worker and client', () => {
  test('COMPLETED with 2 vouchers: result and status carry no token', async () => {
    const token = await freshToken('completed');
    const req = request({ token, seats: [SEATS[0]!, SEATS[1]!], vouchers: { codes: [CODES[0]!, CODES[1]!] } });
    const started = await client.startCheckout(req);
    const result = await client.waitForResult(req.requestId);
    expect(result).toMatchObject({ outcome: 'COMPLETED', state: 'READY_TO_PAY', vouchers: [CODES[0], CODES[1]] });
    const status = await client.getStatus(req.requestId);
    expectClean({ started, result, status }, 'completed checkout: result/status');
    runs.push({ name: 'completed', workflowId: started.workflowId, token });
  });

  test('COMPENSATED (unknown voucher): result, status and the raw WorkflowFailedError carry no token', async () => {
    const token = await freshToken('compensated');
    const req = request({ token, seats: [SEATS[2]!], vouchers: { codes: ['SBJY01000000009999'] } });
    const started = await client.startCheckout(req);
    const result: CheckoutResult = await client.waitForResult(req.requestId);
    expect(result).toMatchObject({ outcome: 'COMPENSATED', reason: { type: 'VoucherNotUsable' } });
    const status = await client.getStatus(req.requestId);
    const error = await client.temporal.workflow.getHandle(started.workflowId).result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    // Decoded on the client (the history only holds "Encoded failure"): the message is there, the token is not.
    expect((error as WorkflowFailedError).cause?.message).toMatch(/VoucherNotUsable/);
    expectClean({ started, result, status, error, described: describeError(error) }, 'compensated checkout');
    runs.push({ name: 'compensated', workflowId: started.workflowId, token });
  });

  test('TokenInvalid, then a fresh token through refreshToken: neither token leaks', async () => {
    const first = await freshToken('expired-first');
    const second = await freshToken('refreshed');
    const req = request({ token: first, seats: [SEATS[3]!], vouchers: { codes: [CODES[2]!] } });
    // The token dies before the checkout starts: its first Womei calls answer sub 408 → TokenInvalid.
    await e.sandbox.admin.expireToken(first);
    const started = await client.startCheckout(req);
    const waiting = await waitForPhase(req.requestId, 'WAITING_FOR_TOKEN');
    expect(waiting.lastError?.type).toBe('TokenInvalid');

    const handle = client.temporal.workflow.getHandle(started.workflowId);
    // A malformed token is refused by the validator; the refusal does not echo it.
    const malformed = second.toUpperCase();
    const refused = await handle.executeUpdate(refreshTokenUpdate, { args: [malformed] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expectClean(refused, 'refused refreshToken', [...secrets, { name: 'malformed-token', value: malformed }]);
    // So is a well-formed plaintext token from a caller that skipped the client: only sealed tokens get in.
    const plain = await handle.executeUpdate(refreshTokenUpdate, { args: [second] }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(plain).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((plain as WorkflowUpdateFailedError).cause?.message)).toMatch(/token: must be sealed/);
    expectClean(plain, 'plaintext refreshToken');

    // The client seals what it hands in.
    const answer = await client.refreshToken(started.workflowId, second);
    expect(answer.resumed).toBe(true);
    const result = await client.waitForResult(req.requestId);
    expect(result).toMatchObject({ outcome: 'COMPLETED', vouchers: [CODES[2]] });
    const status = await client.getStatus(req.requestId);
    expect(status.timeline.some((t) => /fresh token received/.test(t.note))).toBe(true);
    expectClean({ waiting, answer, result, status }, 'refreshed checkout');
    runs.push({ name: 'refreshed', workflowId: started.workflowId, token: first });
  });

  test('0-yuan payIfFree (tickets issued): no token', async () => {
    const token = await freshToken('issued');
    const req = request({
      token,
      scheduleId: String(FIXTURE.schedules.beijingLate),
      seats: [FIXTURE.seats.beijingLate[0]!],
      vouchers: { codes: [CODES[3]!] },
      payIfFree: true,
      mobile: FIXTURE.phones.rich,
    });
    const started = await client.startCheckout(req);
    const result = await client.waitForResult(req.requestId);
    expect(result).toMatchObject({ outcome: 'COMPLETED', state: 'ISSUED' });
    expectClean({ result, status: await client.getStatus(req.requestId) }, 'issued checkout');
    runs.push({ name: 'issued', workflowId: started.workflowId, token });
  });

  test('client errors carry no token (InvalidInput, IdempotencyConflict)', async () => {
    const token = tokens[0]!.value;
    const bad = request({ token, seats: ['not a seat'] });
    const invalid = await client.startCheckout(bad).catch((err: unknown) => err);
    expect(invalid).toBeInstanceOf(InvalidInput);
    const wrongCase = request({ token: token.toUpperCase() });
    const invalidToken = await client.startCheckout(wrongCase).catch((err: unknown) => err);
    expect(invalidToken).toBeInstanceOf(InvalidInput);
    expect((invalidToken as InvalidInput).message).toMatch(/token/);
    const first = runs[0]!;
    const conflict = await client
      .startCheckout(request({ token, requestId: first.workflowId.replace(/^checkout-/, ''), cinemaId: FIXTURE.cinemas.guangzhou }))
      .catch((err: unknown) => err);
    expect((conflict as Error).name).toBe('IdempotencyConflict');
    expectClean({ invalid, invalidToken, conflict, texts: [invalid, invalidToken, conflict].map(describeError) }, 'client errors', [
      ...secrets,
      { name: 'uppercase-token', value: token.toUpperCase() },
    ]);
  });
});

describe('histories', () => {
  const histories = new Map<string, History>();
  const historyOf = async (workflowId: string): Promise<History> => {
    let h = histories.get(workflowId);
    if (!h) {
      h = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
      histories.set(workflowId, h);
    }
    return h;
  };

  test('the four checkouts ran', () => {
    expect(runs.map((r) => r.name)).toEqual(['completed', 'compensated', 'refreshed', 'issued']);
    expect(secrets.filter((s) => s.name.startsWith('token:'))).toHaveLength(5);
    // Positive controls of the scanner: a plain payload (bytes) and its base64 form are caught.
    const plain = defaultPayloadConverter.toPayload({ token: tokens[0]!.value })!;
    expect(findSecrets(plain, tokens)).not.toEqual([]);
    expect(findSecrets({ data: Buffer.from(plain.data!).toString('base64') }, tokens)).not.toEqual([]);
  });

  /** Voucher codes are bearer values: fine in the status and result a client asks for, never in plain history. */
  const historySecrets = () => [...secrets, ...CODES.slice(0, 4).map((value, i) => ({ name: `voucher-code-${i}`, value }))];

  test('SDK fetchHistory: no secret in any event (proto form and JSON with base64 bytes)', async () => {
    for (const run of runs) {
      const history = await historyOf(run.workflowId);
      expect(history.events?.length).toBeGreaterThan(5);
      expectClean(history, `${run.name}: fetchHistory`, historySecrets());
      // Proto3-JSON-like form: bytes as base64 (what the Web UI and the CLI see on the wire).
      const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
        bytes: String,
        longs: String,
        enums: String,
        defaults: false,
      });
      expectClean(json, `${run.name}: history as JSON`, historySecrets());
      expectClean(JSON.stringify(json), `${run.name}: history JSON text`, historySecrets());
    }
  });

  test('CLI `temporal workflow show --output json`: no secret', async () => {
    for (const run of runs) {
      const text = await cliShow(e.env, run.workflowId);
      const json = JSON.parse(text) as { events?: unknown[] };
      expect(json.events?.length).toBeGreaterThan(5);
      expectClean(text, `${run.name}: CLI text`, historySecrets());
      expectClean(json, `${run.name}: CLI JSON`, historySecrets());
    }
  });

  test('every payload is encrypted with the key id, except search attribute values; failures are encoded', async () => {
    for (const run of runs) {
      const history = await historyOf(run.workflowId);
      const payloads = payloadsOf(history);
      const encrypted = payloads.filter((p) => metaText(p, 'encoding') === ENCRYPTED_ENCODING);
      expect(encrypted.length).toBeGreaterThan(5);
      for (const p of encrypted) expect(metaText(p, METADATA_KEY_ID)).toBe('hist1');
      // Search attributes are indexed by the server and never pass a codec: each carries its `type` metadata.
      const plain = payloads.filter((p) => metaText(p, 'encoding') !== ENCRYPTED_ENCODING);
      for (const p of plain) expect(metaText(p, 'type')).toBeDefined();

      const startedAttrs = eventsOf(history, 'workflowExecutionStartedEventAttributes')[0] as {
        input: { payloads: { metadata: Record<string, Uint8Array> }[] };
        memo?: { fields: Record<string, { metadata: Record<string, Uint8Array> }> };
      };
      expect(metaText(startedAttrs.input.payloads[0]!, 'encoding')).toBe(ENCRYPTED_ENCODING);
      const memo = Object.values(startedAttrs.memo?.fields ?? {});
      expect(memo.length).toBeGreaterThan(0);
      for (const p of memo) expect(metaText(p, 'encoding')).toBe(ENCRYPTED_ENCODING);
      const firstEvent = history.events![0]! as { userMetadata?: { summary?: { metadata: Record<string, Uint8Array> }; details?: { metadata: Record<string, Uint8Array> } } };
      expect(metaText(firstEvent.userMetadata!.summary!, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(metaText(firstEvent.userMetadata!.details!, 'encoding')).toBe(ENCRYPTED_ENCODING);
      // Activity summaries ("bind 1 voucher to order …") are encrypted too.
      for (const ev of history.events ?? []) {
        if (ev.activityTaskScheduledEventAttributes && ev.userMetadata?.summary) {
          expect(metaText(ev.userMetadata.summary, 'encoding')).toBe(ENCRYPTED_ENCODING);
        }
      }

      // Failures keep only "Encoded failure" in clear; message and stack trace sit in the encrypted attributes.
      const failures: { message?: string | null; stackTrace?: string | null; encodedAttributes?: unknown }[] = [];
      const collect = (v: unknown): void => {
        if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
        const f = v as { failure?: { message?: string; stackTrace?: string; encodedAttributes?: unknown; cause?: unknown } };
        if (f.failure && typeof f.failure === 'object') {
          let cur: typeof f.failure | undefined = f.failure;
          while (cur) {
            failures.push(cur);
            cur = cur.cause as typeof f.failure | undefined;
          }
        }
        for (const item of Object.values(v)) collect(item);
      };
      collect(history);
      for (const f of failures) {
        expect(f.message).toBe('Encoded failure');
        expect(f.stackTrace ?? '').toBe('');
        expect(f.encodedAttributes).toBeTruthy();
      }
      if (run.name === 'compensated' || run.name === 'refreshed') expect(failures.length).toBeGreaterThan(0);
    }
  });

  test('search attributes hold no secret (describe)', async () => {
    for (const run of runs) {
      const description = await client.temporal.workflow.getHandle(run.workflowId).describe();
      expectClean(
        { sa: description.searchAttributes, typed: description.typedSearchAttributes.getAll(), memo: await description.memo, raw: description.raw },
        `${run.name}: describe`,
      );
    }
  });
});

describe('codec server over HTTP', () => {
  const body = async (workflowId: string) => {
    const history = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
    const startedAttrs = eventsOf(history, 'workflowExecutionStartedEventAttributes')[0] as {
      input: { payloads: { metadata: Record<string, Uint8Array>; data: Uint8Array }[] };
    };
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    return JSON.stringify({
      payloads: startedAttrs.input.payloads.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, b64(v)])),
        data: b64(p.data),
      })),
    });
  };
  const decode = (text: string, headers: Record<string, string>) =>
    fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });

  test('the right bearer token decodes the input, and in it the token is sealed', async () => {
    const run = runs[0]!;
    const res = await decode(await body(run.workflowId), { authorization: `Bearer ${BEARER}`, 'x-namespace': 'default' });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(answer.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    const input = JSON.parse(Buffer.from(answer.payloads[0]!.data, 'base64').toString('utf8')) as { token: string; cinemaId: string };
    expect(input.cinemaId).toBe(FIXTURE.cinemas.beijing);
    expect(input.token).toMatch(SEALED_TOKEN_PATTERN);
    expect(input.token.startsWith('sealed:v1:sec1:')).toBe(true);
    expectClean(answer, 'decoded input');
  });

  test('refused (401, nothing echoed) without a token, with a wrong token, and from an origin that is not allowed', async () => {
    const text = await body(runs[0]!.workflowId);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${BEARER}x` },
      { origin: 'http://evil.example' },
      { origin: 'http://localhost:8234' },
      // A presented wrong token is refused even from the allowed origin.
      { origin: UI_ORIGIN, authorization: 'Bearer wrong-token' },
    ];
    for (const headers of attempts) {
      const res = await decode(text, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      const answer = await res.text();
      expect(answer).not.toContain('payloads');
      expectClean(answer, 'refused answer');
      // CORS answers the allowed UI origin only (so its browser can read the 401), never anyone else.
      expect(res.headers.get('access-control-allow-origin')).toBe(headers.origin === UI_ORIGIN ? UI_ORIGIN : null);
    }
  });

  test('the allowed Web UI origin decodes without a token (local UI), with CORS for that origin only', async () => {
    const res = await decode(await body(runs[1]!.workflowId), { origin: UI_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });

  test('the official CLI decodes through the codec server with --codec-auth: both tokens (input, refreshToken) show sealed', async () => {
    const run = runs[2]!;
    const decoded = await cliShow(e.env, run.workflowId, { endpoint: codecServer.url, auth: `Bearer ${BEARER}` });
    expectClean(JSON.parse(decoded), 'decoded CLI history');
    // Payload data stays base64 in the CLI's JSON: read every data field as text.
    const text = [...decoded.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    // Decoded: the seats are readable now, the tokens are not.
    expect(text).toContain(SEATS[3]!);
    expectClean(text, 'decoded CLI payloads');
    const sealed = new Set(text.match(/sealed:v1:sec1:[A-Za-z0-9_-]+/g) ?? []);
    // The start's token and the refreshed one, each sealed (activity arguments repeat them).
    expect(sealed.size).toBe(2);
  });
});

describe('logs', () => {
  test('the SDK logger (worker, workflow and activity loggers) received entries and none holds a secret', () => {
    // The activities' own lines are there (so the scan covers them), including the TokenInvalid failures.
    expect(logs.some((l) => /^womei createOrder ok/.test(l.message))).toBe(true);
    expect(logs.some((l) => /^womei \w+ failed/.test(l.message) && l.meta?.type === 'TokenInvalid')).toBe(true);
    expectClean(
      logs.map((l) => ({ level: l.level, message: l.message, meta: l.meta })),
      'SDK log entries',
    );
  });

  test('the production jsonLogger prints those entries without secrets', () => {
    const lines = jsonLoggerLines(logs);
    expect(lines.length).toBe(logs.length);
    expectClean(lines.join(''), 'jsonLogger output');
  });
});
