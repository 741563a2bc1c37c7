/**
 * The world the sandbox starts in and returns to on reset. Every token, code and phone number here is FAKE:
 * real Womei tokens are secrets and never belong in the repository. Tests import `FIXTURE` instead of
 * repeating literals, so the fixture can grow without breaking them.
 */
import { beijingParts, beijingTime } from './clock';
import { seatLabel, type Cinema, type Hall, type HallArea, type Movie, type Order, type Schedule, type Seat, type User, type Voucher } from './model';

const TOKENS = {
  /** Many vouchers: six usable, one expired, one disabled, one used by a past paid order. */
  rich: '0123456789abcdef0123456789abcdef',
  /** Two usable vouchers. */
  few: 'fedcba9876543210fedcba9876543210',
  /** A known user whose session has timed out: every call answers sub 408. */
  expired: 'deadbeefdeadbeefdeadbeefdeadbeef',
  /** No vouchers and no member card. */
  empty: '00112233445566778899aabbccddeeff',
} as const;

const SCHEDULES = { beijing: 16701886, beijingLate: 16701887, guangzhou: 16607189, shenzhen: 16812345 } as const;

const seatNo = (prefix: string, row: number, col: number) => `${prefix}#${String(row).padStart(2, '0')}#${String(col).padStart(2, '0')}`;
const label = (areaNo: string, row: number, col: number, prefix: string) => seatLabel({ areaNo, row: String(row), col: String(col), seatNo: seatNo(prefix, row, col) });

export const FIXTURE = {
  tokens: TOKENS,
  userIds: { rich: 'u-rich', few: 'u-few', expired: 'u-expired', empty: 'u-empty' },
  phones: { rich: '13800000000', few: '13900000001', expired: '13700000002', empty: '13600000003' },
  cardIds: { rich: 100001, few: 100002 },
  cinemas: { beijing: '9647', guangzhou: '400303', shenzhen: '400028' },
  movies: { mission: 1475863, sandbox: 1480001 },
  schedules: SCHEDULES,
  halls: { beijing: '8', beijingLate: '3', guangzhou: '5', shenzhen: '1' },
  /** Free seats (`seatlable` parts) ready to order; each list's labels are distinct seats of that schedule. */
  seats: {
    beijing: [label('10013', 7, 5, '11112211'), label('10013', 7, 4, '11112211'), label('10013', 7, 6, '11112211'), label('10013', 6, 5, '11112211')],
    beijingMassage: [label('10014', 10, 12, '11112211')],
    beijingLate: [label('10021', 4, 3, '11113311'), label('10021', 4, 4, '11113311')],
    guangzhou: [label('20013', 5, 8, '22221111'), label('20013', 5, 9, '22221111')],
    shenzhen: [label('30013', 3, 3, '33331111'), label('30013', 3, 4, '33331111')],
  },
  /** Sold to the rich user's past order: ordering it fails with `seatLockFailed`. */
  soldSeat: label('10013', 1, 1, '11112211'),
  vouchers: {
    rich: {
      unused: ['SBJY01000000000101', 'SBJY01000000000102', 'SBJY01000000000103', 'SBJY01000000000104', 'SBJY01000000000105', 'SBJY01000000000106'],
      expired: 'SBJY01000000000107',
      disabled: 'SBJY01000000000108',
      used: 'SBJY01000000000109',
    },
    few: { unused: ['SBJY01000000000201', 'SBJY01000000000202'] },
    /** In no wallet yet: `user/voucher/add/` with these codes and passwords succeeds once. */
    loose: [
      { code: 'SBJY01000000000301', password: '3594' },
      { code: 'SBJY01000000000302', password: '7788' },
    ],
  },
  voucherPasswords: '1234',
};

const POSTER = 'https://sandbox.invalid/poster/';

function buildCinemas(): Cinema[] {
  return [
    { cinemaId: '9647', name: '北京沃美影城(回龙观店)', address: '北京市昌平区回龙观示例路1号', cityId: '110100', cityName: '北京', cityPinyin: 'beijing', areaId: '110114', areaName: '昌平区', longitude: '116.336', latitude: '40.079', bisFeeFen: 200 },
    { cinemaId: '400303', name: '广州沃美影城(示例店)', address: '广州市天河区示例大道2号', cityId: '440100', cityName: '广州', cityPinyin: 'guangzhou', areaId: '440106', areaName: '天河区', longitude: '113.361', latitude: '23.124', bisFeeFen: 180 },
    { cinemaId: '400028', name: '深圳沃美影城(示例店)', address: '深圳市南山区示例街3号', cityId: '440300', cityName: '深圳', cityPinyin: 'shenzhen', areaId: '440305', areaName: '南山区', longitude: '113.930', latitude: '22.533', bisFeeFen: 400 },
  ];
}

function buildMovies(): Movie[] {
  return [
    { movieId: FIXTURE.movies.mission, name: '碟中谍8：最终清算', enName: 'Mission: Impossible - The Final Reckoning', language: '原版', showType: '2D', poster: `${POSTER}1475863.jpg`, durationMin: 169, director: '克里斯托弗·麦奎里', actor: '汤姆·克鲁斯', score: '8.6', tags: '动作/冒险', country: '美国', releaseDate: '2025-05-30', eggNum: 0 },
    { movieId: FIXTURE.movies.sandbox, name: '沙盒奇遇记', enName: 'Sandbox Adventures', language: '国语', showType: '2D', poster: `${POSTER}1480001.jpg`, durationMin: 101, director: '示例导演', actor: '示例演员', score: '7.9', tags: '喜剧', country: '中国大陆', releaseDate: '2025-06-06', eggNum: 1 },
  ];
}

function grid(areaNo: string, prefix: string, rows: number[], cols: number[], type = 0): Seat[] {
  const seats: Seat[] = [];
  for (const row of rows) {
    for (const col of cols) {
      seats.push({ areaNo, row: String(row), col: String(col), seatNo: seatNo(prefix, row, col), x: col, y: row, type: type === 0 ? 0 : col % 2 === 1 ? 1 : 2 });
    }
  }
  return seats;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function area(areaNo: string, areaName: string, seats: Seat[]): HallArea {
  return { areaNo, areaName, seats };
}

function buildHalls(): Hall[] {
  return [
    {
      hallId: '8', cinemaId: '9647', hallNo: '8', hallName: '8号ALPD Pro Dolby Atmos杜比厅',
      areas: [
        area('10013', '普通区', grid('10013', '11112211', range(1, 8), range(1, 12))),
        area('10015', '情侣区', grid('10015', '11112211', [9], range(1, 4), 1)),
        area('10014', '按摩区域', grid('10014', '11112211', [10], range(11, 14))),
        // Real halls list areas with no seats as `seats: []` (docs/womei-api.md §3.17).
        area('10016', '贵宾区', []),
      ],
    },
    { hallId: '3', cinemaId: '9647', hallNo: '3', hallName: '3号厅', areas: [area('10021', '普通区', grid('10021', '11113311', range(1, 6), range(1, 10)))] },
    { hallId: '5', cinemaId: '400303', hallNo: '5', hallName: '5号激光厅', areas: [area('20013', '普通区', grid('20013', '22221111', range(1, 8), range(1, 10)))] },
    { hallId: '1', cinemaId: '400028', hallNo: '1', hallName: '1号IMAX厅', areas: [area('30013', '普通区', grid('30013', '33331111', range(1, 8), range(1, 12)))] },
  ];
}

/** Shows are tomorrow (Beijing) so they stay in the future however far a test advances the clock within a day. */
function buildSchedules(nowSec: number): Schedule[] {
  const t = beijingParts(nowSec + 86_400);
  const at = (h: number, m: number) => beijingTime(t.year, t.month, t.day, h, m);
  return [
    { scheduleId: SCHEDULES.beijing, cinemaId: '9647', movieId: FIXTURE.movies.mission, hallId: '8', showTime: at(16, 25), priceFen: 4900, memberPriceFen: 3800 },
    { scheduleId: SCHEDULES.beijingLate, cinemaId: '9647', movieId: FIXTURE.movies.sandbox, hallId: '3', showTime: at(19, 30), priceFen: 4900, memberPriceFen: 3800 },
    { scheduleId: SCHEDULES.guangzhou, cinemaId: '400303', movieId: FIXTURE.movies.mission, hallId: '5', showTime: at(18, 40), priceFen: 3590, memberPriceFen: 2990 },
    { scheduleId: SCHEDULES.shenzhen, cinemaId: '400028', movieId: FIXTURE.movies.mission, hallId: '1', showTime: at(20, 10), priceFen: 5790, memberPriceFen: 4590 },
  ];
}

const CARD_EXPIRY = beijingTime(2030, 1, 1);

/** The chain's member-card grades (cinema info's card catalogue); users' cards point at one by `gradeId`. */
export const CARD_GRADES: readonly { gradeId: number; name: string; desc: string; rechargeFen: readonly number[] }[] = [
  { gradeId: 117, name: '钻石卡', desc: '钻石卡优惠购票', rechargeFen: [20_000] },
  { gradeId: 118, name: '金卡', desc: '金卡优惠购票', rechargeFen: [10_000, 20_000] },
];

function buildUsers(): User[] {
  return [
    { userId: FIXTURE.userIds.rich, nickname: '沙盒用户甲', phone: FIXTURE.phones.rich, card: { cardId: FIXTURE.cardIds.rich, cardNo: '9647000100001', cardName: '钻石卡', balanceFen: 110, gradeId: 117, expireTime: CARD_EXPIRY, openCinemaId: '9647' } },
    { userId: FIXTURE.userIds.few, nickname: '沙盒用户乙', phone: FIXTURE.phones.few, card: { cardId: FIXTURE.cardIds.few, cardNo: '9647000100002', cardName: '金卡', balanceFen: 0, gradeId: 118, expireTime: CARD_EXPIRY, openCinemaId: '9647' } },
    { userId: FIXTURE.userIds.expired, nickname: '沙盒用户丙', phone: FIXTURE.phones.expired, card: null },
    { userId: FIXTURE.userIds.empty, nickname: '沙盒用户丁', phone: FIXTURE.phones.empty, card: null },
  ];
}

const FAR_EXPIRY = beijingTime(2030, 1, 1);
const PAST_EXPIRY = beijingTime(2025, 1, 1);

function buildVouchers(nowSec: number): Voucher[] {
  const v = FIXTURE.vouchers;
  const make = (code: string, ownerId: string | null, ageHours: number, extra: Partial<Voucher> = {}): Voucher => ({
    code, password: FIXTURE.voucherPasswords, name: '沙盒影业--电影票', ownerId, expireTime: FAR_EXPIRY, state: 'unused',
    bindTime: ownerId ? nowSec - ageHours * 3600 : 0, useTime: 0, consumedBy: null, ...extra,
  });
  return [
    ...v.rich.unused.map((c, i) => make(c, FIXTURE.userIds.rich, 10 + i)),
    make(v.rich.expired, FIXTURE.userIds.rich, 400, { expireTime: PAST_EXPIRY }),
    make(v.rich.disabled, FIXTURE.userIds.rich, 300, { state: 'disabled' }),
    // consumedBy is filled in by buildFixture with the past order's id.
    make(v.rich.used, FIXTURE.userIds.rich, 200, { state: 'used' }),
    ...v.few.unused.map((c, i) => make(c, FIXTURE.userIds.few, 5 + i)),
    ...v.loose.map((l) => make(l.code, null, 0, { password: l.password })),
  ];
}

export interface FixtureWorld {
  cinemas: Cinema[];
  movies: Movie[];
  halls: Hall[];
  schedules: Schedule[];
  users: User[];
  tokens: { token: string; userId: string; expired: boolean }[];
  vouchers: Voucher[];
  orders: Order[];
}

/** `makeOrderId` hands out ids from the store's counter, so ids never repeat within one sandbox, resets included. */
export function buildFixture(nowSec: number, makeOrderId: (createdAt: number) => string): FixtureWorld {
  const halls = buildHalls();
  const schedules = buildSchedules(nowSec);
  const vouchers = buildVouchers(nowSec);
  const hall8 = halls.find((h) => h.hallId === '8');
  const sold = hall8?.areas[0]?.seats.find((s) => s.row === '1' && s.col === '1');
  if (!sold) throw new Error('fixture: sold seat missing from hall 8');
  const createdAt = nowSec - 86_400;
  const pastId = makeOrderId(createdAt);
  const usedVoucher = vouchers.find((x) => x.code === FIXTURE.vouchers.rich.used);
  if (usedVoucher) {
    usedVoucher.consumedBy = pastId;
    usedVoucher.useTime = createdAt + 60;
  }
  const pastOrder: Order = {
    orderId: pastId, userId: FIXTURE.userIds.rich, cinemaId: '9647', scheduleId: SCHEDULES.beijing, seats: [sold],
    createdAt, expiresAt: createdAt + 900, status: 'SUCCESS', cancelReason: null, priced: true,
    choice: { payType: 'WECHAT', discountType: 'TP_VOUCHER', cardId: '', codes: [FIXTURE.vouchers.rich.used] },
    paidAt: createdAt + 60, issuedAt: createdAt + 65, ticketCode: '130100001', verifyCode: '1200001', paidCodes: [FIXTURE.vouchers.rich.used],
    codesEverBound: [FIXTURE.vouchers.rich.used],
  };
  return {
    cinemas: buildCinemas(),
    movies: buildMovies(),
    halls,
    schedules,
    users: buildUsers(),
    tokens: [
      { token: TOKENS.rich, userId: FIXTURE.userIds.rich, expired: false },
      { token: TOKENS.few, userId: FIXTURE.userIds.few, expired: false },
      { token: TOKENS.expired, userId: FIXTURE.userIds.expired, expired: true },
      { token: TOKENS.empty, userId: FIXTURE.userIds.empty, expired: false },
    ],
    vouchers,
    orders: [pastOrder],
  };
}
