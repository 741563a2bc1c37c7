/**
 * A large world generated from a seed, loaded beside the fixture (which stays small and hand-written): many
 * users with their own tokens and wallets, one more cinema with many schedules of ordinary seats. The same
 * spec always gives the same ids, tokens, codes and seats, so a run that plans against `generateWorld(spec)`
 * finds exactly that world in a sandbox started with `{ world: spec }`. Every token and code is FAKE.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { beijingParts, beijingTime } from './clock';
import { FIXTURE } from './fixture';
import { seatLabel, type Cinema, type Hall, type Schedule, type Seat, type User, type Voucher } from './model';
import { prng } from './random';

export const worldSpecSchema = z.strictObject({
  seed: z.number().int().min(0),
  /** Groups of users; each user gets `usable` unexpired vouchers, `expired` expired ones and `disabled` voided ones. */
  users: z
    .array(
      z.strictObject({
        group: z.string().regex(/^[a-z]{1,12}$/),
        count: z.number().int().min(1).max(5_000),
        usable: z.number().int().min(0).max(500),
        expired: z.number().int().min(0).max(20).default(0),
        disabled: z.number().int().min(0).max(20).default(0),
      }),
    )
    .min(1)
    .max(20),
  /** Schedules at the generated cinema, each in its own hall of `rows` × `cols` ordinary seats. */
  schedules: z.strictObject({
    count: z.number().int().min(1).max(200),
    rows: z.number().int().min(1).max(30),
    cols: z.number().int().min(1).max(40),
  }),
});

export type WorldSpec = z.input<typeof worldSpecSchema>;

/** The generated cinema (Beijing, the fixture's city). */
export const WORLD_CINEMA_ID = '900001';
const FIRST_SCHEDULE_ID = 17_000_001;
const MOVIE_ID = FIXTURE.movies.sandbox;
const PRICE_FEN = 3900;
const MEMBER_PRICE_FEN = 2900;
const FAR_EXPIRY = beijingTime(2030, 1, 1);
const PAST_EXPIRY = beijingTime(2025, 1, 1);

export interface WorldUser {
  userId: string;
  group: string;
  token: string;
  phone: string;
  /** Unexpired, unused codes, soonest-expiring first. */
  usable: string[];
  expired: string[];
  disabled: string[];
}

export interface WorldSchedule {
  cinemaId: string;
  scheduleId: string;
  /** `seatlable` parts of every seat, row by row. */
  seats: string[];
}

export interface GeneratedWorld {
  users: WorldUser[];
  schedules: WorldSchedule[];
  /** The objects the store loads. */
  load: { cinemas: Cinema[]; halls: Hall[]; schedules: Schedule[]; users: User[]; tokens: { token: string; userId: string; expired: boolean }[]; vouchers: Voucher[] };
}

/** 32 lowercase hex characters, like a Womei token, derived from the seed and a name. */
export function derivedToken(seed: number, name: string): string {
  return createHash('sha256').update(`womei-world:${seed}:${name}`).digest('hex').slice(0, 32);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `nowSec` places show times (tomorrow, Beijing) and wallet ages; ids, tokens and codes do not depend on it. */
export function generateWorld(input: WorldSpec, nowSec = Math.floor(Date.now() / 1000)): GeneratedWorld {
  const spec = worldSpecSchema.parse(input);
  const random = prng(spec.seed);
  const cinema: Cinema = {
    cinemaId: WORLD_CINEMA_ID, name: '北京沃美影城(压力测试店)', address: '北京市海淀区示例路9号', cityId: '110100', cityName: '北京',
    cityPinyin: 'beijing', areaId: '110108', areaName: '海淀区', longitude: '116.298', latitude: '39.959', bisFeeFen: 200,
  };

  const tomorrow = beijingParts(nowSec + 86_400);
  const halls: Hall[] = [];
  const schedules: Schedule[] = [];
  const worldSchedules: WorldSchedule[] = [];
  for (let i = 0; i < spec.schedules.count; i++) {
    const hallId = String(101 + i);
    const areaNo = `9${pad(i, 4)}`;
    const prefix = `9999${pad(i, 4)}`;
    const seats: Seat[] = [];
    for (let row = 1; row <= spec.schedules.rows; row++) {
      for (let col = 1; col <= spec.schedules.cols; col++) {
        seats.push({ areaNo, row: String(row), col: String(col), seatNo: `${prefix}#${pad(row, 2)}#${pad(col, 2)}`, x: col, y: row, type: 0 });
      }
    }
    halls.push({ hallId, cinemaId: cinema.cinemaId, hallNo: hallId, hallName: `${hallId}号厅`, areas: [{ areaNo, areaName: '普通区', seats }] });
    const scheduleId = FIRST_SCHEDULE_ID + i;
    const minutes = 9 * 60 + ((i * 25) % (14 * 60));
    schedules.push({
      scheduleId, cinemaId: cinema.cinemaId, movieId: MOVIE_ID, hallId,
      showTime: beijingTime(tomorrow.year, tomorrow.month, tomorrow.day, Math.floor(minutes / 60), minutes % 60),
      priceFen: PRICE_FEN, memberPriceFen: MEMBER_PRICE_FEN,
    });
    worldSchedules.push({ cinemaId: cinema.cinemaId, scheduleId: String(scheduleId), seats: seats.map(seatLabel) });
  }

  const users: User[] = [];
  const tokens: GeneratedWorld['load']['tokens'] = [];
  const vouchers: Voucher[] = [];
  const worldUsers: WorldUser[] = [];
  let phone = 0;
  spec.users.forEach((g, gi) => {
    for (let ui = 1; ui <= g.count; ui++) {
      const userId = `w-${g.group}-${pad(ui, 4)}`;
      const token = derivedToken(spec.seed, userId);
      const userPhone = `15${pad(++phone, 9)}`;
      users.push({ userId, nickname: `压测用户${g.group}${ui}`, phone: userPhone, card: null });
      tokens.push({ token, userId, expired: false });
      const code = (kind: number, n: number) => `WRLD${pad(gi, 2)}${pad(ui, 4)}${kind}${pad(n, 3)}`;
      const make = (c: string, extra: Partial<Voucher>): Voucher => ({
        code: c, password: FIXTURE.voucherPasswords, name: '压测影业--电影票', ownerId: userId, expireTime: FAR_EXPIRY, state: 'unused',
        bindTime: nowSec - Math.floor(random() * 30 * 86_400), useTime: 0, consumedBy: null, ...extra,
      });
      // Different expiries, so `best` (soonest-expiring first) has a real order to follow.
      const usable = Array.from({ length: g.usable }, (_, n) => make(code(1, n), { expireTime: FAR_EXPIRY - Math.floor(random() * 365) * 86_400 }));
      usable.sort((a, b) => a.expireTime - b.expireTime || a.code.localeCompare(b.code));
      const expired = Array.from({ length: g.expired }, (_, n) => make(code(2, n), { expireTime: PAST_EXPIRY }));
      const disabled = Array.from({ length: g.disabled }, (_, n) => make(code(3, n), { state: 'disabled' }));
      vouchers.push(...usable, ...expired, ...disabled);
      worldUsers.push({
        userId, group: g.group, token, phone: userPhone,
        usable: usable.map((v) => v.code), expired: expired.map((v) => v.code), disabled: disabled.map((v) => v.code),
      });
    }
  });

  return { users: worldUsers, schedules: worldSchedules, load: { cinemas: [cinema], halls, schedules, users, tokens, vouchers } };
}
