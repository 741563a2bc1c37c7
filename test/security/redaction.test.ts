/**
 * The one redaction helper (src/redact.ts) and the worker's JSON logger built on it: secret-named keys at any depth
 * (snake, camel and kebab case), token-shaped strings in free text, an explicit secrets list, Error objects, cycles;
 * and what `jsonLogger` actually writes to stderr.
 */
import { randomBytes } from 'node:crypto';
import { REDACTED, redact, redactText } from '../../src/redact';
import { jsonLogger } from '../../src/worker';

const TOKEN = randomBytes(16).toString('hex');
const OTHER = randomBytes(16).toString('hex');

const text = (v: unknown) => JSON.stringify(v);

describe('redactText', () => {
  test.each([
    ['alone', TOKEN],
    ['in a sentence', `womei refused token ${TOKEN} (sub 408)`],
    ['in a query string', `https://ct.womovie.cn/ticket/wmyc/order/info/?token=${TOKEN}&order_id=1`],
    ['in a header dump', `{ token: '${TOKEN}', 'tenant-short': 'wmyc' }`],
    ['in JSON', JSON.stringify({ token: TOKEN })],
    ['after an underscore', `session_${TOKEN}`],
    ['glued to a non-hex letter', `tok${TOKEN}x`],
    ['twice', `${TOKEN} and again ${TOKEN}`],
    ['beside another token', `${TOKEN} ${OTHER}`],
  ])('masks a token %s', (_name, input) => {
    const out = redactText(input);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(OTHER);
    expect(out).toContain(REDACTED);
  });

  test('leaves text without secrets alone (ids, longer hex such as a sha256, short hex)', () => {
    const sha256 = randomBytes(32).toString('hex');
    const plain = `order 2506011234567890 seat 10013:7:5:11112211#07#05 digest ${sha256} id deadbeef`;
    expect(redactText(plain)).toBe(plain);
  });

  test('masks each listed secret whatever its shape; ignores empty, undefined and very short entries', () => {
    const password = 'Pa55-word!';
    const bearer = 'codec.bearer.XYZ';
    const out = redactText(`password ${password} bearer ${bearer} pin 12`, [password, bearer, undefined, '', '12']);
    expect(out).toBe(`password ${REDACTED} bearer ${REDACTED} pin 12`);
  });

  test('a listed secret with regex metacharacters is matched literally', () => {
    expect(redactText('a.*b and aXXb', ['a.*b'])).toBe(`${REDACTED} and aXXb`);
  });
});

describe('redact', () => {
  test.each([
    'token',
    'Token',
    'TOKEN',
    'user_token',
    'userToken',
    'accessToken',
    'refresh_token',
    'serverToken',
    'bearerToken',
    'CODEC_SERVER_TOKEN',
    'password',
    'voucher_password',
    'voucherPassword',
    'secret',
    'clientSecret',
    'client-secret',
    'authorization',
    'Authorization',
    'apiKey',
    'api_key',
    'x-api-key',
    'codecKeys',
    'CODEC_KEYS',
  ])('masks the value of a key named %s, at any depth', (key) => {
    const value = 'not-token-shaped-secret-value';
    const input = { [key]: value, nested: { deeper: [{ [key]: value, keep: 'visible' }] } };
    const out = redact(input);
    expect(text(out)).not.toContain(value);
    expect(out.nested.deeper[0]!.keep).toBe('visible');
    expect((out as Record<string, unknown>)[key]).toBe(REDACTED);
  });

  test.each(['tokenFingerprint', 'tokenWaitSeconds', 'cinemaId', 'orderId', 'voucherCode', 'keyId'])('keeps a key named %s', (key) => {
    expect(redact({ [key]: 'value-1' })).toEqual({ [key]: 'value-1' });
  });

  test('masks token-shaped strings in values and arrays wherever they are; leaves other values as they were', () => {
    const input = {
      message: `bind failed for ${TOKEN}`,
      list: ['a', TOKEN, { url: `/x?token=${TOKEN}` }],
      count: 3,
      ok: true,
      nothing: null,
      missing: undefined,
    };
    const out = redact(input);
    expect(text(out)).not.toContain(TOKEN);
    expect(out).toMatchObject({ count: 3, ok: true, nothing: null });
    expect(out.list[0]).toBe('a');
    expect(redact(TOKEN)).toBe(REDACTED);
  });

  test('masks an explicit secrets list in values (and leaves the input untouched)', () => {
    const input = { note: 'voucher password 3594x ok', deep: [{ s: 'pw=3594x' }] };
    const out = redact(input, ['3594x']);
    expect(text(out)).not.toContain('3594x');
    expect(input.note).toContain('3594x');
  });

  test('an empty secret-named value stays empty (nothing to hide), null and undefined too', () => {
    expect(redact({ token: '', password: null, secret: undefined })).toEqual({ token: '', password: null, secret: undefined });
  });

  test('Error objects: name and masked message only (stack, cause and own fields dropped)', () => {
    const error = Object.assign(new Error(`womei refused ${TOKEN}`, { cause: new Error(`cause ${OTHER}`) }), {
      token: OTHER,
      request: { headers: { token: OTHER } },
    });
    const out = redact({ error, list: [new TypeError(`bad ${TOKEN}`)] });
    expect(text(out)).not.toContain(TOKEN);
    expect(text(out)).not.toContain(OTHER);
    expect(out.error).toEqual({ name: 'Error', message: `womei refused ${REDACTED}` });
    expect(out.list[0]).toEqual({ name: 'TypeError', message: `bad ${REDACTED}` });
    expect(redact(new Error('x', { cause: TOKEN }))).toEqual({ name: 'Error', message: 'x' });
  });

  test('an Error message with a listed secret', () => {
    expect(redact(new Error('wrong password hunter22'), ['hunter22'])).toEqual({ name: 'Error', message: `wrong password ${REDACTED}` });
  });

  test('cycles are cut, without losing the secrets masking', () => {
    const a: Record<string, unknown> = { name: 'a', token: TOKEN };
    const b: Record<string, unknown> = { name: 'b', a, note: TOKEN };
    a.b = b;
    a.self = a;
    const out = redact(a) as Record<string, unknown>;
    expect(() => JSON.stringify(out)).not.toThrow();
    expect(text(out)).not.toContain(TOKEN);
    expect(out.self).toBe('[circular]');
    expect((out.b as Record<string, unknown>).a).toBe('[circular]');
    const list: unknown[] = [TOKEN];
    list.push(list);
    expect(redact(list)).toEqual([REDACTED, '[circular]']);
  });

  test('a shared (not cyclic) object is printed wherever it appears', () => {
    const session = { token: TOKEN, cinemaId: '9647' };
    const out = redact({ first: session, second: session, list: [session, session] });
    const expected = { token: REDACTED, cinemaId: '9647' };
    expect(out).toEqual({ first: expected, second: expected, list: [expected, expected] });
  });
});

describe('jsonLogger (src/worker.ts)', () => {
  function capture(run: () => void): string[] {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      run();
    } finally {
      spy.mockRestore();
    }
    return lines;
  }

  test('an entry whose message and meta hold the token prints one JSON line without it', () => {
    const bearer = 'codec-bearer-not-token-shaped';
    const lines = capture(() => {
      const logger = jsonLogger('DEBUG');
      logger.warn(`womei bindVouchers failed for ${TOKEN}`, {
        workflowId: 'checkout-r1',
        activityType: 'bindVouchers',
        session: { token: TOKEN, cinemaId: '9647' },
        headers: { token: TOKEN, Authorization: `Bearer ${bearer}`, 'tenant-short': 'wmyc' },
        url: `https://ct.womovie.cn/ticket/wmyc/order/change/?token=${TOKEN}`,
        error: new Error(`sub 408 for ${TOKEN}`),
        serverToken: bearer,
        args: [{ session: { token: TOKEN } }],
      });
    });
    expect(lines).toHaveLength(1);
    const out = lines[0]!;
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(bearer);
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'WARN',
      msg: `womei bindVouchers failed for ${REDACTED}`,
      workflowId: 'checkout-r1',
      activityType: 'bindVouchers',
      session: { token: REDACTED, cinemaId: '9647' },
      error: { name: 'Error', message: `sub 408 for ${REDACTED}` },
    });
    expect(typeof line.time).toBe('string');
  });

  test('entries below the level are not printed at all', () => {
    const lines = capture(() => jsonLogger('WARN').info(`quiet ${TOKEN}`, { token: TOKEN }));
    expect(lines).toEqual([]);
  });
});
