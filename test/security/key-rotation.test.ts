/**
 * Key rotation on a real worker and dev server, payload keys and token seal keys together. Checkouts run under
 * CODEC_KEYS=A and seal key sec1; then the worker moves to CODEC_KEYS=A,B and TOKEN_SEAL_PRIVATE_KEYS=sec1,sec2,
 * the client to A,B and the public key sec2 (B and sec2 current): the old checkouts' results, status queries (a
 * replay of A-encrypted history on the new worker) and histories still decode; a checkout that was waiting across
 * the switch finishes, its history holding A payloads and a sec1-sealed token before, B payloads and a
 * sec2-sealed token after; a new checkout's payloads carry key id B only and its token is sealed with sec2. A
 * client with only B cannot read A's payloads and says which key id it lacks, without printing any key material.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { CheckoutClient } from '../../src/client';
import { CodecError, ENCRYPTED_ENCODING, METADATA_KEY_ID, createEncryptionCodec } from '../../src/codec/codec';
import { generateCodecKey, parseCodecKeys } from '../../src/codec/keys';
import { generateSealKeyPair } from '../../src/seal/keys';
import type { CheckoutInput } from '../../workflows/input';
import type { CheckoutStatus } from '../../workflows/messages';
import { DEV_SERVER_START_TIMEOUT_MS } from '../helpers/temporal-env';
import {
  eventsOf,
  findSecrets,
  FIXTURE,
  fromPayload,
  installRuntime,
  metaText,
  payloadsOf,
  request,
  startSecureEnv,
  type NamedSecret,
  type SecureEnv,
} from './secure-env';

installRuntime();

const KEY_A = generateCodecKey('A');
const KEY_B = generateCodecKey('B');
const KEYS_AB = `${KEY_A},${KEY_B}`;
const SEAL_2 = generateSealKeyPair('sec2');
const SEATS = FIXTURE.seats.beijing;
const CODES = FIXTURE.vouchers.rich.unused;
const KEY_MATERIAL: NamedSecret[] = parseCodecKeys(KEYS_AB).flatMap(({ id, key }) => [
  { name: `key ${id} (base64)`, value: key.toString('base64') },
  { name: `key ${id} (hex)`, value: key.toString('hex') },
]);

let e: SecureEnv;
let clientA: CheckoutClient;
let clientAB: CheckoutClient;
/** Completed under A only. */
let oldId: string;
/** Started under A, waiting for a token while the keys rotate. */
let spanningId: string;

async function waitForPhase(client: CheckoutClient, id: string, phase: CheckoutStatus['phase']): Promise<void> {
  const until = Date.now() + 20_000;
  let last: string | undefined;
  while (Date.now() < until) {
    last = (await client.getStatus(id).catch(() => undefined))?.phase;
    if (last === phase) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`checkout ${id} did not reach ${phase} (last ${last})`);
}

const encryptedPayloads = (history: unknown): Payload[] =>
  payloadsOf(history).filter((p) => metaText(p, 'encoding') === ENCRYPTED_ENCODING);
const keyIds = (payloads: Payload[]): string[] => [...new Set(payloads.map((p) => metaText(p, METADATA_KEY_ID) ?? '(none)'))].sort();

async function startedInput(client: CheckoutClient, workflowId: string): Promise<Payload> {
  const history = await client.temporal.workflow.getHandle(workflowId).fetchHistory();
  const started = eventsOf(history, 'workflowExecutionStartedEventAttributes')[0] as { input: { payloads: Payload[] } };
  return started.input.payloads[0]!;
}

beforeAll(async () => {
  e = await startSecureEnv({ name: 'sec-rotation' });
  // Phase 1: keys A only.
  await e.startWorker(KEY_A);
  clientA = await e.client(KEY_A);
  const old = request({ seats: [SEATS[0]!, SEATS[1]!], vouchers: { codes: [CODES[0]!, CODES[1]!] } });
  oldId = (await clientA.startCheckout(old)).workflowId;
  expect(await clientA.waitForResult(old.requestId)).toMatchObject({ outcome: 'COMPLETED' });

  const dead = await e.sandbox.admin.addToken(FIXTURE.userIds.rich);
  await e.sandbox.admin.expireToken(dead);
  const spanning = request({ token: dead, seats: [SEATS[2]!], vouchers: { codes: [CODES[2]!] }, limits: { tokenWaitSeconds: 120 } });
  spanningId = (await clientA.startCheckout(spanning)).workflowId;
  await waitForPhase(clientA, spanningId, 'WAITING_FOR_TOKEN');

  // Phase 2: the worker restarts with A,B and both seal keys; the client seals with sec2. B and sec2 are current.
  await e.stopWorker();
  await e.startWorker(KEYS_AB, `${e.sealKeys.privateKey},${SEAL_2.privateKey}`);
  clientAB = await e.client(KEYS_AB, SEAL_2.publicKey);
}, DEV_SERVER_START_TIMEOUT_MS);

afterAll(async () => {
  await e?.close();
});

test('the old checkout: result, status (a replay on the A,B worker) and history decode; its payloads carry key id A', async () => {
  const result = await clientAB.waitForResult(oldId);
  expect(result).toMatchObject({ outcome: 'COMPLETED', vouchers: [CODES[0], CODES[1]] });
  const status = await clientAB.getStatus(oldId);
  expect(status).toMatchObject({ phase: 'COMPLETED', cinemaId: FIXTURE.cinemas.beijing });

  const history = await clientAB.temporal.workflow.getHandle(oldId).fetchHistory();
  const payloads = encryptedPayloads(history);
  expect(payloads.length).toBeGreaterThan(5);
  expect(keyIds(payloads)).toEqual(['A']);
  const codecAB = createEncryptionCodec(parseCodecKeys(KEYS_AB));
  const [input] = await codecAB.decode([await startedInput(clientAB, oldId)]);
  expect(fromPayload<CheckoutInput>(input!).cinemaId).toBe(FIXTURE.cinemas.beijing);
  expect(fromPayload<CheckoutInput>(input!).token).toMatch(/^sealed:v1:sec1:/);
  // Every payload of the old history decodes with A,B.
  const decoded = await codecAB.decode(payloads);
  expect(decoded.every((p) => metaText(p, 'encoding') !== ENCRYPTED_ENCODING)).toBe(true);
});

test('a checkout waiting across the rotation finishes; A payloads and a sec1 seal before the switch, B and sec2 after', async () => {
  const fresh = await e.sandbox.admin.addToken(FIXTURE.userIds.rich);
  const answer = await clientAB.refreshToken(spanningId, fresh);
  expect(answer.resumed).toBe(true);
  expect(await clientAB.waitForResult(spanningId)).toMatchObject({ outcome: 'COMPLETED', vouchers: [CODES[2]] });

  const history = await clientAB.temporal.workflow.getHandle(spanningId).fetchHistory();
  expect(keyIds(encryptedPayloads(history))).toEqual(['A', 'B']);
  expect(metaText(await startedInput(clientAB, spanningId), METADATA_KEY_ID)).toBe('A');
  const update = eventsOf(history, 'workflowExecutionUpdateAcceptedEventAttributes')[0] as {
    acceptedRequest: { input: { args: { payloads: Payload[] } } };
  };
  const [arg] = update.acceptedRequest.input.args.payloads;
  expect(metaText(arg!, METADATA_KEY_ID)).toBe('B');
  const [plain] = await createEncryptionCodec(parseCodecKeys(KEYS_AB)).decode([arg!]);
  expect(fromPayload<string>(plain!)).toMatch(/^sealed:v1:sec2:/);
  const [input] = await createEncryptionCodec(parseCodecKeys(KEYS_AB)).decode([await startedInput(clientAB, spanningId)]);
  expect(fromPayload<CheckoutInput>(input!).token).toMatch(/^sealed:v1:sec1:/);
});

test('a new checkout under A,B carries key id B only, its token sealed with sec2', async () => {
  const next = request({ seats: [SEATS[3]!], vouchers: { codes: [CODES[3]!] } });
  const { workflowId } = await clientAB.startCheckout(next);
  expect(await clientAB.waitForResult(next.requestId)).toMatchObject({ outcome: 'COMPLETED' });
  const history = await clientAB.temporal.workflow.getHandle(workflowId).fetchHistory();
  const payloads = encryptedPayloads(history);
  expect(payloads.length).toBeGreaterThan(5);
  expect(keyIds(payloads)).toEqual(['B']);
  const [input] = await createEncryptionCodec(parseCodecKeys(KEYS_AB)).decode([await startedInput(clientAB, workflowId)]);
  expect(fromPayload<CheckoutInput>(input!).requestId).toBe(next.requestId);
  expect(fromPayload<CheckoutInput>(input!).token).toMatch(/^sealed:v1:sec2:/);
});

test('only key B: A payloads cannot be decoded; the error names key id A and holds no key material', async () => {
  const codecB = createEncryptionCodec(parseCodecKeys(KEY_B));
  const payload = await startedInput(clientAB, oldId);
  const error = await codecB.decode([payload]).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(CodecError);
  expect((error as Error).message).toMatch(/unknown encryption key id 'A'/);
  expect((error as Error).message).toMatch(/configured in CODEC_KEYS: B\b/);
  expect(findSecrets(error, KEY_MATERIAL)).toEqual([]);

  // Through a client with only B: reading the old result fails with the same clear message.
  const clientB = await e.client(KEY_B);
  const viaClient = await clientB.temporal.workflow.getHandle(oldId).result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(viaClient).toBeInstanceOf(Error);
  expect(viaClient).not.toBeInstanceOf(WorkflowFailedError);
  expect(String((viaClient as Error).message)).toMatch(/key id 'A'/);
  expect(findSecrets(viaClient, KEY_MATERIAL)).toEqual([]);
  expect(findSecrets(String(viaClient), KEY_MATERIAL)).toEqual([]);
});
