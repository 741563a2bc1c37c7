import { createServer } from 'node:net';
import { createEncryptionCodec, METADATA_KEY_ID } from '../../src/codec/codec';
import { startCodecServer, type CodecServer } from '../../src/codec/server';
import { key, plain } from './helpers';

const TOKEN = 'codec-test-token-7f3a';
const UI = 'http://localhost:8233';
const codec = createEncryptionCodec([key('a')]);
const b64 = (s: string) => Buffer.from(s).toString('base64');

let server: CodecServer;
beforeAll(async () => {
  server = await startCodecServer({ port: 0, codec, bearerToken: TOKEN, allowedOrigin: UI });
});
afterAll(() => server.close());

async function encryptedBody() {
  const payloads = await codec.encode([plain('secret value')]);
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    })),
  };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('codec server', () => {
  it('decodes with the right bearer token', async () => {
    const res = await post('/decode', await encryptedBody(), { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(json.payloads).toHaveLength(1);
    expect(json.payloads[0]?.metadata).toEqual({ encoding: b64('json/plain'), extra: b64('x') });
    expect(Buffer.from(json.payloads[0]!.data, 'base64').toString()).toBe('"secret value"');
  });

  it('encodes, and what it encodes decodes (endpoints may sit under a prefix)', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const body = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"hi"') }] };
    const encoded = (await (await post('/ns/default/encode', body, auth)).json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(encoded.payloads[0]?.metadata[METADATA_KEY_ID]).toBe(b64('a'));
    const decoded = (await (await post('/decode', encoded, auth)).json()) as unknown;
    expect(decoded).toEqual(body);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong token', { Authorization: 'Bearer wrong-token' }],
    ['a token prefix', { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['another scheme', { Authorization: `Basic ${TOKEN}` }],
    ['another origin', { Origin: 'http://evil.example' }],
    ['a wrong token from the allowed origin', { Origin: UI, Authorization: 'Bearer wrong-token' }],
  ])('refuses %s with 401 and no payload content', async (_name, headers: Record<string, string>) => {
    const res = await post('/decode', await encryptedBody(), headers);
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('payloads');
    expect(res.headers.get('access-control-allow-origin')).toBe(headers.Origin === UI ? UI : null);
  });

  it('decodes for the allowed UI origin without a token, with CORS for that origin', async () => {
    const res = await post('/decode', await encryptedBody(), { Origin: UI });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  });

  it('answers preflight only for the allowed origin, never with *', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
      });
    const ok = await preflight(UI);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
    expect(ok.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization, X-Namespace');
    const other = await preflight('http://evil.example');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('refuses a body over the limit with 413', async () => {
    const big = JSON.stringify({ payloads: [{ metadata: {}, data: 'A'.repeat(1024 * 1024 + 16) }] });
    const res = await post('/decode', big, { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(413);
  });

  it('refuses a streamed (chunked) body over the limit with 413', async () => {
    const small = await startCodecServer({ port: 0, codec, bearerToken: TOKEN, maxBodyBytes: 64 * 1024 });
    try {
      const chunk = new TextEncoder().encode('A'.repeat(16 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(`${small.url}/decode`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it.each([
    ['malformed JSON', '{"payloads": ['],
    ['a wrong shape', '{"payload": []}'],
    ['data that is not base64', '{"payloads": [{"metadata": {}, "data": "**"}]}'],
  ])('answers %s with 400', async (_name, body) => {
    const res = await post('/decode', body, { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(400);
  });

  it('answers a payload it cannot decrypt with 400 naming the key id only', async () => {
    const foreign = await createEncryptionCodec([key('zz')]).encode([plain('secret value')]);
    const body = {
      payloads: foreign.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    const res = await post('/decode', body, { Authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/unknown encryption key id 'zz'/);
  });

  it('answers unknown paths with 404 and other methods with 405 (after authorisation)', async () => {
    expect((await post('/other', {}, { Authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect((await post('/other', {})).status).toBe(401);
    const get = await fetch(`${server.url}/decode`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
  });

  it('refuses to start with no way to authorise, or with a bad origin', async () => {
    await expect(startCodecServer({ port: 0, codec })).rejects.toThrow(/CODEC_SERVER_TOKEN.*CODEC_SERVER_ALLOWED_ORIGIN/);
    await expect(startCodecServer({ port: 0, codec, allowedOrigin: 'localhost' })).rejects.toThrow(/not an http\(s\) origin/);
  });

  it('reports a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startCodecServer({ port, codec, bearerToken: TOKEN })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
