/**
 * The sandbox's state and the rules that touch more than one piece of it: seat locks, hold expiry, payment
 * issuing, voucher usability and the daily quota. Routes call these; the ledger reads the same maps, so what
 * tests inspect is what the server acts on.
 */
import { randomBytes } from 'node:crypto';
import { SandboxClock, beijingDayNumber } from './clock';
import { buildFixture } from './fixture';
import type { Cinema, Hall, Movie, Order, OrderEvent, Schedule, Seat, User, Voucher } from './model';
import type { RuntimeConfig } from './options';
import type { WomeiErrorKey } from '../womei/catalogue';
import { beijingMinuteKey } from '../womei/order-id';
import { generateWorld, type WorldSpec } from './world';

/** Tokens are secrets even in the sandbox's logs: a short hash identifies a session without revealing it. */
export { tokenFingerprint } from '../womei/fingerprint';

/** Key of `seatHolders`: a seat of one schedule. `parseSeatKey` reads it back. */
export function seatKey(scheduleId: number, seat: Pick<Seat, 'seatNo'>): string {
  return `${scheduleId}|${seat.seatNo}`;
}

export function parseSeatKey(key: string): { scheduleId: number; seatNo: string } {
  const [scheduleId, seatNo] = key.split('|');
  return { scheduleId: Number(scheduleId), seatNo: seatNo ?? '' };
}

export interface TokenEntry {
  userId: string;
  expired: boolean;
}

export class SandboxStore {
  readonly clock = new SandboxClock();
  cinemas = new Map<string, Cinema>();
  movies = new Map<number, Movie>();
  /** Keyed `${cinemaId}/${hallId}`. */
  halls = new Map<string, Hall>();
  schedules = new Map<number, Schedule>();
  users = new Map<string, User>();
  tokens = new Map<string, TokenEntry>();
  vouchers = new Map<string, Voucher>();
  orders = new Map<string, Order>();
  /** `${scheduleId}|${seatNo}` → the order holding the seat (locked while PENDING, sold once paid). */
  seatHolders = new Map<string, string>();
  /** `${userId}` → validations spent on one Beijing day. */
  quota = new Map<string, { day: number; count: number }>();
  /**
   * The 8-digit tail of order ids (Womei's start at 1000…). Not reset with the fixture: a workflow left over
   * from an earlier test must never find its old order id pointing at a new order.
   */
  private orderCounter = 10_000_001;
  /** Tail of minted voucher codes; like the order counter, never reset, so a code is never handed out twice. */
  private voucherCounter = 1;

  /** `world`: a generated world loaded beside the fixture, at start and on every reset. */
  constructor(
    public config: RuntimeConfig,
    private readonly world?: WorldSpec,
  ) {
    this.loadFixture();
  }

  /** Back to the fixture: world, clock and counters. Config is reset by the caller (it owns the defaults). */
  reset(config: RuntimeConfig): void {
    this.config = { ...config };
    this.clock.reset();
    this.loadFixture();
  }

  private loadFixture(): void {
    const now = this.clock.nowSec();
    const w = buildFixture(now, (at) => this.nextOrderId(at));
    if (this.world) {
      const g = generateWorld(this.world, now).load;
      w.cinemas.push(...g.cinemas);
      w.halls.push(...g.halls);
      w.schedules.push(...g.schedules);
      w.users.push(...g.users);
      w.tokens.push(...g.tokens);
      w.vouchers.push(...g.vouchers);
    }
    this.cinemas = new Map(w.cinemas.map((c) => [c.cinemaId, c]));
    this.movies = new Map(w.movies.map((m) => [m.movieId, m]));
    this.halls = new Map(w.halls.map((h) => [`${h.cinemaId}/${h.hallId}`, h]));
    this.schedules = new Map(w.schedules.map((s) => [s.scheduleId, s]));
    this.users = new Map(w.users.map((u) => [u.userId, u]));
    this.tokens = new Map(w.tokens.map((t) => [t.token, { userId: t.userId, expired: t.expired }]));
    this.vouchers = new Map(w.vouchers.map((v) => [v.code, v]));
    this.orders = new Map(w.orders.map((o) => [o.orderId, o]));
    this.seatHolders = new Map();
    for (const o of w.orders) if (o.status !== 'CANCEL') this.holdSeats(o);
    this.quota = new Map();
  }

  now(): number {
    return this.clock.nowSec();
  }

  /** The client's own `beijingMinuteKey` makes the prefix: finding an order a lost create made relies on it. */
  nextOrderId(createdAt: number): string {
    return `${beijingMinuteKey(createdAt * 1000)}${String(this.orderCounter++).padStart(8, '0')}`;
  }

  /** The user behind a live token, or null (unknown and timed-out tokens look the same to the caller). */
  userForToken(token: string | undefined): User | null {
    if (!token) return null;
    const entry = this.tokens.get(token);
    if (!entry || entry.expired) return null;
    return this.users.get(entry.userId) ?? null;
  }

  expireToken(token: string): boolean {
    const entry = this.tokens.get(token);
    if (!entry) return false;
    entry.expired = true;
    return true;
  }

  /** A new session for a user (fresh 32-hex token, like the mini-program would get after logging in again). */
  issueToken(userId: string, token = randomBytes(16).toString('hex')): string {
    if (!this.users.has(userId)) throw new Error(`unknown user ${userId}`);
    this.tokens.set(token, { userId, expired: false });
    return token;
  }

  /**
   * New unused vouchers in a user's wallet (tests that run many checkouts of one user, each with codes of its
   * own). Codes `SBJY09…`: the fixture's never start so.
   */
  mintVouchers(userId: string, count: number): string[] {
    if (!this.users.has(userId)) throw new Error(`unknown user ${userId}`);
    const now = this.now();
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      const code = `SBJY09${String(this.voucherCounter++).padStart(12, '0')}`;
      this.vouchers.set(code, {
        code, password: '1234', name: '沙盒影业--电影票', ownerId: userId, expireTime: now + 365 * 86_400,
        state: 'unused', bindTime: now, useTime: 0, consumedBy: null,
      });
      codes.push(code);
    }
    return codes;
  }

  hallOf(schedule: Schedule): Hall | undefined {
    return this.halls.get(`${schedule.cinemaId}/${schedule.hallId}`);
  }

  /** The order holding a seat, if that order is not dead (a sweep runs before every request). */
  seatHolder(scheduleId: number, seat: Seat): Order | null {
    const id = this.seatHolders.get(seatKey(scheduleId, seat));
    const order = id ? this.orders.get(id) : undefined;
    return order && order.status !== 'CANCEL' ? order : null;
  }

  holdSeats(order: Order): void {
    for (const s of order.seats) this.seatHolders.set(seatKey(order.scheduleId, s), order.orderId);
  }

  releaseSeats(order: Order): void {
    for (const s of order.seats) {
      const key = seatKey(order.scheduleId, s);
      if (this.seatHolders.get(key) === order.orderId) this.seatHolders.delete(key);
    }
  }

  /** Appends to the order's history (the audit trail of who changed it). */
  recordEvent(order: Order, event: Omit<OrderEvent, 'at' | 'codes'> & Partial<Pick<OrderEvent, 'at' | 'codes'>>): void {
    order.history.push({ at: this.clock.nowMs(), codes: order.choice?.discountType === 'TP_VOUCHER' ? [...order.choice.codes] : [], ...event });
  }

  /**
   * Kills an unpaid order. Its voucher choice is left as it was so the ledger can show unbinding was skipped.
   * `by` is the fingerprint of the session that cancelled (null: the hold lapsed).
   */
  cancelOrder(order: Order, reason: 'expired' | 'cancelled', by: string | null = null): void {
    if (order.status !== 'PENDING') return;
    order.status = 'CANCEL';
    order.cancelReason = reason;
    this.releaseSeats(order);
    this.recordEvent(order, reason === 'expired' ? { op: 'expired', by: null, at: order.expiresAt * 1000 } : { op: 'cancelled', by });
  }

  /**
   * Lapses holds and issues paid tickets whose time has come. Runs before every request (so a test that moved
   * the clock sees the effect at once) and on a timer (so seats free up even when nobody asks). `now` lets the
   * ledger sweep and then judge liveness at one instant.
   */
  sweep(now = this.now()): void {
    for (const order of this.orders.values()) {
      if (order.status === 'PENDING' && now >= order.expiresAt) this.cancelOrder(order, 'expired');
      if (order.status === 'PROCESSING' && order.paidAt !== null && now >= order.paidAt + this.config.paymentSeconds) {
        order.status = 'SUCCESS';
        order.issuedAt = now;
        this.recordEvent(order, { op: 'issued', by: null });
      }
    }
  }

  /** An order the caller may act on: exists, belongs to this user, and was made at this cinema. */
  findOrder(user: User, orderId: string, cinemaId?: string): Order | null {
    const order = this.orders.get(orderId);
    if (!order || order.userId !== user.userId) return null;
    if (cinemaId !== undefined && order.cinemaId !== cinemaId) return null;
    return order;
  }

  isExpired(v: Voucher, now = this.now()): boolean {
    return v.expireTime <= now;
  }

  /**
   * Why a code cannot be applied by this user now, or null. Nonexistent, not in this wallet, and consumed all
   * read as "voucher data invalid" (docs/womei-api.md §4); expired/disabled is an ASSUMPTION (`voucherExpired`).
   */
  voucherProblem(user: User, code: string): WomeiErrorKey | null {
    const v = this.vouchers.get(code);
    if (!v || v.ownerId !== user.userId || v.state === 'used' || v.consumedBy !== null) return 'voucherDataInvalid';
    if (v.state === 'disabled' || this.isExpired(v)) return 'voucherExpired';
    return null;
  }

  quotaUsed(userId: string, now = this.now()): number {
    const q = this.quota.get(userId);
    return q && q.day === beijingDayNumber(now) ? q.count : 0;
  }

  /** Spends `n` validations, or returns false (spending nothing) when that would pass the daily quota. */
  spendQuota(userId: string, n: number): boolean {
    const used = this.quotaUsed(userId);
    if (used + n > this.config.voucherQuota) return false;
    this.quota.set(userId, { day: beijingDayNumber(this.now()), count: used + n });
    return true;
  }

  /** Orders still holding their seats for an unpaid checkout. */
  isLive(order: Order, now = this.now()): boolean {
    return order.status === 'PENDING' && order.expiresAt > now;
  }
}
