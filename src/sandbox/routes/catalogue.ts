/** Catalogue routes: cities, cinema settings, movies, shows and seat maps, plus the empty promo endpoints. */
import { z } from 'zod';
import { GOODS_CODE_NO_GOODS, GOODS_MSG_NO_GOODS } from '../../womei/catalogue';
import { WOMEI_ENDPOINTS as E } from '../../womei/endpoints';
import { fromFen } from '../../womei/money';
import { cinemaInfoView } from '../cinema-view';
import { formatDayKey, formatMinute } from '../clock';
import type { Schedule, Seat } from '../model';
import type { SandboxStore } from '../store';
import { eggDesc } from '../views';
import { ok, type Reply } from '../wire';
import { cinemaOf, digits, parseFields, reject, scheduleAtCinema, type RouteCtx, type RouteDef } from './common';

function cities(ctx: RouteCtx) {
  const byCity = new Map<string, Record<string, unknown> & { cinemas: unknown[] }>();
  for (const c of ctx.store.cinemas.values()) {
    // city_id is a number on the wire, unlike the cinema ids inside.
    const city = byCity.get(c.cityId) ?? { city_id: Number(c.cityId), city_pinyin: c.cityPinyin, city_name: c.cityName, cinema_total: 0, cinemas: [] };
    city.cinemas.push({ cinema_id: c.cinemaId, cinema_name: c.name, cinema_area_id: c.areaId, cinema_area: c.areaName, cinema_addr: c.address, longitude: c.longitude, latitude: c.latitude });
    city.cinema_total = city.cinemas.length;
    byCity.set(c.cityId, city);
  }
  const all = [...byCity.values()];
  return ok({ hot: all.slice(0, 2), normal: all });
}

function info(ctx: RouteCtx) {
  return ok(cinemaInfoView(ctx.store, cinemaOf(ctx)));
}

function schedulesAt(store: SandboxStore, cinemaId: string): Schedule[] {
  return [...store.schedules.values()].filter((s) => s.cinemaId === cinemaId).sort((a, b) => a.showTime - b.showTime);
}

function movies(ctx: RouteCtx) {
  const schedules = schedulesAt(ctx.store, cinemaOf(ctx).cinemaId);
  const ids = [...new Set(schedules.map((s) => s.movieId))];
  return ok(
    ids.flatMap((id) => {
      const m = ctx.store.movies.get(id);
      if (!m) return [];
      const mine = schedules.filter((s) => s.movieId === id);
      return [{
        movie_id: m.movieId, schedule_num: mine.length, name: m.name, en_name: m.enName, tags: m.tags, country: m.country,
        show_place: '', director: m.director, actor: m.actor, score: m.score, have_video: false, version: [m.showType],
        date: m.releaseDate, today_show: [], after_newest_show: '',
        longs: `${m.durationMin}分钟`, have_marketing: false, is_pre_sale: false, egg_num: m.eggNum, egg_desc: eggDesc(m),
        movie_poster: m.poster, movie_poster_mini: m.poster,
      }];
    }),
  );
}

/**
 * A `shows/` schedule with the captured keys. The captured cinema showed the member price as `selling_price`
 * and the rows "非会员 …元起" / "会员 …元起"; fees are the cinema's service fee, member prices 0 (as captured).
 */
function scheduleView(store: SandboxStore, s: Schedule): Record<string, unknown> {
  const movie = store.movies.get(s.movieId);
  const hall = store.hallOf(s);
  const fee = fromFen(store.cinemas.get(s.cinemaId)?.bisFeeFen ?? 0);
  const price = fromFen(s.priceFen);
  const member = fromFen(s.memberPriceFen);
  const hhmm = (t: number) => formatMinute(t).slice(11);
  return {
    schedule_id: s.scheduleId, show_type: movie?.showType ?? '', language: movie?.language ?? '', hall_id: s.hallId,
    hall_name: hall?.hallName ?? '', movie_name: movie?.name ?? '', show_time: hhmm(s.showTime),
    show_date: formatDayKey(s.showTime), end_time: hhmm(s.showTime + (movie?.durationMin ?? 120) * 60),
    selling_price: member, un_member_ticket_fee: fee,
    member_solid_stored_fee: fee, member_solid_equity_fee: fee, member_virt_stored_fee: fee, member_virt_equity_fee: fee,
    member_solid_stored_price: 0, member_solid_equity_price: 0, member_virt_stored_price: 0, member_virt_equity_price: 0,
    have_first_marketing: false, first_row_prefix_text: '非会员', first_row_price: `${price}元起`,
    have_last_marketing: false, last_row_prefix_text: '会员', last_row_price: `${member}元起`,
    have_third_marketing: false, third_row_prefix_text: '', third_row_price: '',
    commerce_price: '', commerce_price_text: '', marketing_matched_ids: [],
  };
}

/** Keyed by `yyyymmdd`. An unknown movie gets `[]`, PHP's encoding of an empty keyed array. */
function shows(ctx: RouteCtx) {
  const p = parseFields(z.object({ movie_id: digits }), ctx.query);
  const days: Record<string, { marketing: unknown[]; schedules: unknown[] }> = {};
  for (const s of schedulesAt(ctx.store, cinemaOf(ctx).cinemaId).filter((x) => x.movieId === Number(p.movie_id))) {
    const key = formatDayKey(s.showTime);
    (days[key] ??= { marketing: [], schedules: [] }).schedules.push(scheduleView(ctx.store, s));
  }
  return ok(Object.keys(days).length === 0 ? [] : days);
}

/** Rows keyed by row number, as the real seat map nests them: the row a number, its seats' `row` a string. */
function rowsOf(seats: Seat[], status: (s: Seat) => number): Record<string, unknown> | never[] {
  if (seats.length === 0) return [];
  const rows: Record<string, { row: number; desc: string; detail: unknown[] }> = {};
  for (const s of seats) {
    (rows[s.row] ??= { row: Number(s.row), desc: s.row, detail: [] }).detail.push({ seat_no: s.seatNo, row: s.row, col: s.col, x: s.x, y: s.y, type: s.type, status: status(s) });
  }
  return rows;
}

/**
 * ASSUMPTION on seat status codes (only 0 = free is certain, §3.17): `hall/info` marks a locked or sold seat 6,
 * `hall/saleable` marks it 5.
 */
function hallInfo(ctx: RouteCtx) {
  const p = parseFields(z.object({ hall_id: z.string().min(1), schedule_id: digits }), ctx.query);
  const { schedule, hall } = scheduleAtCinema(ctx, p.schedule_id);
  if (hall.hallId !== p.hall_id) reject('badParameter');
  const price = fromFen(schedule.priceFen);
  return ok({
    cinema_id: Number(schedule.cinemaId), hall_no: hall.hallNo, hall_name: hall.hallName,
    room_seat: hall.areas.map((a) => ({
      area_no: a.areaNo, area_name: a.areaName, area_price_normal: true, area_price: price,
      seats: rowsOf(a.seats, (s) => (ctx.store.seatHolder(schedule.scheduleId, s) ? 6 : 0)),
    })),
  });
}

function hallSaleable(ctx: RouteCtx) {
  const p = parseFields(z.object({ schedule_id: digits }), ctx.query);
  const { schedule, hall } = scheduleAtCinema(ctx, p.schedule_id);
  const seats = hall.areas.flatMap((a) => a.seats);
  return ok({
    cinema_id: Number(schedule.cinemaId), hall_no: hall.hallNo, hall_name: hall.hallName,
    room_seat: [{ area_no: '', area_name: '', seats: rowsOf(seats, (s) => (ctx.store.seatHolder(schedule.scheduleId, s) ? 5 : 0)) }],
  });
}

const AD_KEYS: Record<string, string> = { '1': 'index_top_banner', '6': 'ticket_buy_after_banner', '8': 'schedule_index_banner' };

function ads(ctx: RouteCtx) {
  const p = parseFields(z.object({ ad_type: z.enum(['1', '6', '8']) }), ctx.query);
  return ok({ [AD_KEYS[p.ad_type] ?? 'index_top_banner']: [] });
}

/** The goods service is another backend with its own envelope (§1.3); it always had nothing to sell. */
const goods = (): Reply => ({ kind: 'json', status: 200, body: { code: GOODS_CODE_NO_GOODS, msg: GOODS_MSG_NO_GOODS, data: [] } });

export const CATALOGUE_ROUTES: RouteDef[] = [
  { endpoint: E.cities, handler: cities },
  { endpoint: E.cinemaInfo, handler: info },
  { endpoint: E.movies, handler: movies },
  { endpoint: E.shows, handler: shows },
  { endpoint: E.hallInfo, handler: hallInfo },
  { endpoint: E.hallSaleable, handler: hallSaleable },
  { endpoint: E.ads, handler: ads },
  { endpoint: E.publicNotice, handler: () => ok({}) },
  { endpoint: E.vccActivity, handler: () => ok([]) },
  // Captured as HTTP 200 with an empty text/plain body.
  { endpoint: E.vccActivityGift, handler: () => ({ kind: 'raw', status: 200, body: '', contentType: 'text/plain; charset=utf-8' }) },
  { endpoint: E.goodsList, handler: goods },
];
