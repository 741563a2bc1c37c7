import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { phpJsonEncode } from '../../src/sandbox/wire';
import { FEW, FIXTURE, RICH, call, cinemaPath, get, useTestSandbox } from './helpers';

const sb = useTestSandbox();

function raw(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sb.url}${path}`, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('phpJsonEncode', () => {
  it('escapes non-ASCII as lowercase \\uXXXX, astral characters as surrogate pairs, and / as \\/', () => {
    expect(phpJsonEncode({ s: '未支付', u: 'https://a/b', e: '🎬' })).toBe('{"s":"\\u672a\\u652f\\u4ed8","u":"https:\\/\\/a\\/b","e":"\\ud83c\\udfac"}');
  });

  it('is compact and round-trips through JSON.parse', () => {
    const v = { a: [1, 35.9, { b: '兑换券' }], c: {}, d: [] };
    const text = phpJsonEncode(v);
    expect(text).not.toMatch(/\s/);
    expect(JSON.parse(text)).toEqual(v);
  });
});

describe('responses on the wire', () => {
  it('are compact, ASCII-only JSON with PHP escapes and Content-Type application/json', async () => {
    const r = await raw(cinemaPath('order/info/?version=tp_version&order_id=1'), { token: RICH });
    const text = r.body.toString('utf8');
    expect(r.headers['content-type']).toBe('application/json');
    expect(text).toBe('{"ret":0,"sub":4100,"msg":"\\u8ba2\\u5355\\u4e0d\\u5b58\\u5728","data":{}}');
    const info = await raw(cinemaPath('user/info/'), { token: RICH });
    const infoText = info.body.toString('utf8');
    expect(infoText).toMatch(/^[\x20-\x7e]+$/);
    expect(infoText).toContain('"avatar":"https:\\/\\/sandbox.invalid\\/avatar.png"');
  });

  it('are gzipped when the client accepts gzip, and plain otherwise', async () => {
    const zipped = await raw(cinemaPath('movies/'), { token: RICH, 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const unzipped = JSON.parse(gunzipSync(zipped.body).toString('utf8'));
    expect(unzipped.sub).toBe(0);
    const plain = await raw(cinemaPath('movies/'), { token: RICH });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8'))).toEqual(unzipped);
    const refused = await raw(cinemaPath('movies/'), { token: RICH, 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });
});

describe('Kong rate limiting', () => {
  // Start each test at the top of a sandbox-clock minute so no window boundary falls between its calls.
  beforeEach(async () => {
    const { now } = await sb.admin.health();
    await sb.admin.advanceClock(60 - (now % 60));
  });

  it('puts the rate-limit headers on every ticket response, errors included, counting down per token', async () => {
    const a = await get(sb, 'info/');
    const b = await get(sb, 'info/', {}, FIXTURE.tokens.expired);
    const c = await get(sb, 'user/info/');
    for (const r of [a, b, c]) {
      expect(r.headers.get('x-ratelimit-limit-minute')).toBe('200');
      expect(r.headers.get('ratelimit-limit')).toBe('200');
      const reset = Number(r.headers.get('ratelimit-reset'));
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
    }
    expect(a.headers.get('x-ratelimit-remaining-minute')).toBe('199');
    expect(c.headers.get('x-ratelimit-remaining-minute')).toBe('198');
    expect(c.headers.get('ratelimit-remaining')).toBe('198');
    expect(b.headers.get('ratelimit-remaining')).toBe('199');
  });

  it('answers HTTP 429 with Kong’s body and retry-after once a token passes the per-minute limit', async () => {
    await sb.admin.setConfig({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await get(sb, 'info/')).status).toBe(200);
    const r = await get(sb, 'info/');
    expect(r.status).toBe(429);
    expect(JSON.parse(r.text)).toEqual({ message: 'API rate limit exceeded' });
    expect(r.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another token has its own window; a new minute opens a new one.
    expect((await get(sb, 'info/', {}, FEW)).status).toBe(200);
    await sb.admin.advanceClock(60);
    expect((await get(sb, 'info/')).status).toBe(200);
  });

  it('does not throttle the goods service or the admin API', async () => {
    await sb.admin.setConfig({ rateLimitPerMinute: 1 });
    for (let i = 0; i < 3; i++) {
      const r = await call(sb, 'GET', `/qrgoods/api/goods/list/${FIXTURE.cinemas.beijing}/routine/`);
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-limit')).toBeNull();
    }
    await expect(sb.admin.health()).resolves.toMatchObject({ ok: true });
  });
});
