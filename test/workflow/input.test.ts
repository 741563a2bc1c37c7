/** The one checkout input schema (workflows/input.ts): defaults, refusals naming the field, never the token. */
import { InvalidInput, onlySameSeatRefusal, parseCheckoutInput, parseToken, parseVoucherSpec, deadlineOf, SAME_SEAT_RULE } from '../../workflows/input';

const TOKEN = '0123456789abcdef0123456789abcdef';
const valid = {
  requestId: 'req-1',
  cinemaId: '9647',
  scheduleId: '16701886',
  seats: ['10013:7:5:11112211#07#05', '10013:7:4:11112211#07#04'],
  token: TOKEN,
  vouchers: { codes: ['GZJY01002948425042'] },
};

function refusal(raw: unknown, now?: number): InvalidInput {
  try {
    parseCheckoutInput(raw, now === undefined ? {} : { now });
  } catch (err) {
    if (err instanceof InvalidInput) return err;
    throw err;
  }
  throw new Error('expected InvalidInput');
}

test('fills in the defaults', () => {
  const input = parseCheckoutInput(valid);
  expect(input.payIfFree).toBe(false);
  expect(input.limits).toMatchObject({ maxBindAttempts: 12, maxOrderRounds: 3, backoffMaxMs: 300_000, callTimeoutMs: 30_000 });
  expect(deadlineOf(input, 1_000)).toBe(1_000 + 30 * 60_000);
});

test.each([
  ['requestId', { requestId: 'has space' }, 'requestId'],
  ['cinemaId', { cinemaId: 'abc' }, 'cinemaId'],
  ['seat label', { seats: ['7-5'] }, 'seats.0'],
  ['duplicate seats', { seats: ['1:1:1:a', '1:1:1:a'] }, 'seats.1'],
  ['the same seat in another letter case', { seats: ['10013:7:5:A1#07#05', '10013:7:5:a1#07#05'] }, 'seats.1'],
  ['the same position with a leading zero', { seats: ['10013:7:4:11112211#07#04', '10013:07:4:11112211#07#04'] }, 'seats.1'],
  ['the same seat_no at another position', { seats: ['10013:7:5:11112211#07#05', '10013:7:6:11112211#07#05'] }, 'seats.1'],
  ['too many seats', { seats: ['1:1:1:a', '1:1:2:a', '1:1:3:a', '1:1:4:a', '1:1:5:a', '1:1:6:a', '1:1:7:a'] }, 'seats'],
  ['bad token', { token: 'ABCDEFABCDEFABCDEFABCDEFABCDEFAB' }, 'token'],
  ['more codes than seats', { vouchers: { codes: ['AAAA1111', 'BBBB2222', 'CCCC3333'] } }, 'vouchers.codes'],
  ['duplicate codes', { vouchers: { codes: ['AAAA1111', 'AAAA1111'] } }, 'vouchers'],
  ['unknown voucher policy', { vouchers: { policy: 'cheapest' } }, 'vouchers'],
  ['unknown field', { extra: 1 }, ''],
  ['unknown limit', { limits: { retries: 3 } }, 'limits'],
  ['both deadlines', { limits: { deadlineMinutes: 5, deadlineAt: '2999-01-01T00:00:00Z' } }, 'limits'],
  ['payIfFree without mobile', { payIfFree: true }, 'mobile'],
])('refuses %s, naming the field', (_name, patch, path) => {
  const err = refusal({ ...valid, ...patch });
  expect(err.type).toBe('InvalidInput');
  expect(err.issues.some((i) => i.path === path || (path !== '' && i.path.startsWith(path)))).toBe(true);
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).not.toContain('ABCDEFABCDEFABCDEFABCDEFABCDEFAB');
});

test('a deadline must be in the future relative to the given now', () => {
  const input = { ...valid, limits: { deadlineAt: '2025-06-24T08:00:00+08:00' } };
  expect(refusal(input, Date.parse('2025-06-24T09:00:00+08:00')).issues[0]!.path).toBe('limits.deadlineAt');
  expect(parseCheckoutInput(input, { now: Date.parse('2025-06-24T07:30:00+08:00') }).limits.deadlineAt).toBeDefined();
});

test('replaceVouchers and refreshToken arguments use the same rules', () => {
  expect(parseVoucherSpec({ policy: 'best', max: 1 }, 2)).toEqual({ policy: 'best', max: 1 });
  expect(() => parseVoucherSpec({ codes: ['AAAA1111', 'BBBB2222'] }, 1)).toThrow(InvalidInput);
  expect(parseToken(TOKEN)).toBe(TOKEN);
  expect(() => parseToken('nope')).toThrow(InvalidInput);
});

test('a seat named twice: refused naming the later label; labels are kept exactly as given otherwise', () => {
  const err = refusal({ ...valid, seats: ['10013:7:5:A1#07#05', '10013:7:4:11112211#07#04', '10013:7:5:a1#07#05'] });
  expect(err.issues).toEqual([{ path: 'seats.2', message: SAME_SEAT_RULE }]);
  expect(err.message).toContain('seats.2: ');
  expect(onlySameSeatRefusal(err, { seats: ['10013:7:5:A1#07#05', '10013:7:4:11112211#07#04', '10013:7:5:a1#07#05'] })).toBe(true);
  // An exact repeat was refused before the canonical rule too: never let through as "older".
  expect(onlySameSeatRefusal(refusal({ ...valid, seats: ['1:1:1:a', '1:1:1:a'] }), { seats: ['1:1:1:a', '1:1:1:a'] })).toBe(false);
  const input = parseCheckoutInput({ ...valid, seats: ['10013:7:5:a1#07#05', '10013:7:4:11112211#07#04'] });
  expect(input.seats).toEqual(['10013:7:5:a1#07#05', '10013:7:4:11112211#07#04']);
  // The switch the workflow door uses for a history that began before the rule.
  expect(parseCheckoutInput({ ...valid, seats: ['10013:7:5:A1#07#05', '10013:7:5:a1#07#05'] }, { sameSeatTwice: 'allow' }).seats).toHaveLength(2);
});
