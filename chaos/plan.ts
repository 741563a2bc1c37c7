/**
 * The chaos plan: everything a run will do, drawn from one seed before anything starts, so the same seed
 * replays the same users, requests, fault rules and disruption schedule (the timing of a real machine decides
 * the rest). Pure: no I/O.
 *
 * The mix: a few heavy users with bursts of concurrent checkouts on one schedule (what a lost create answer
 * needs to pick the wrong order) and many users with one; 1–4 seats; explicit codes and `best`; unusable
 * vouchers; the same seats or the same voucher wanted twice; client cancels; duplicate starts of one request
 * id; token expiry with and without refreshToken; payIfFree on 0-yuan orders.
 */
import type { FaultRuleInput } from '../src/sandbox/faults';
import { prng } from '../src/sandbox/random';
import { derivedToken, generateWorld, type GeneratedWorld, type WorldSpec, type WorldUser } from '../src/sandbox/world';
import type { CheckoutRequest } from '../workflows/input';

export interface ChaosSettings {
  seed: number;
  checkouts: number;
  concurrency: number;
  /** Worker SIGKILLs (each followed by a restart). */
  workerKills: number;
  /** Worker SIGTERMs (graceful shutdown, then a restart). */
  workerTerms: number;
  /** Temporal server SIGKILLs (each restarted on the same database). */
  serverKills: number;
  /** Restarts of the database under the Temporal server (fast shutdown); only a topology with its own database. */
  databaseRestarts: number;
  /** Worker processes the topology runs: the worker disruptions go round them. */
  workers: number;
  /** Seat hold of the sandbox, seconds: short, so holds lapse under outages. */
  holdSeconds: number;
}

/** What every chaos checkout asks for besides its own fields: short waits so the run ends by itself. */
export const CHAOS_LIMITS = {
  backoffInitialMs: 250,
  backoffMaxMs: 3_000,
  maxBindAttempts: 12,
  maxOrderRounds: 3,
  tokenWaitSeconds: 8,
  attentionWaitSeconds: 20,
  paymentPollMs: 500,
  maxPaymentPolls: 40,
  callTimeoutMs: 12_000,
  deadlineMinutes: 6,
} as const;

export type CheckoutTag =
  | 'heavy-user'
  | 'single-user'
  | 'best'
  | 'codes'
  | 'unusable-voucher'
  | 'same-seats'
  | 'same-voucher'
  | 'client-cancel'
  | 'duplicate-start'
  | 'token-expiry-refreshed'
  | 'token-expiry-no-refresh'
  | 'pay-if-free'
  | 'wait-for-order';

export interface ExtraStart {
  afterMs: number;
  waitForOrder: boolean;
}

export interface PlannedCheckout {
  index: number;
  requestId: string;
  userId: string;
  /** The checkout's own session of its user: the sandbox ledger tells checkouts apart by it. */
  token: string;
  request: CheckoutRequest;
  tags: CheckoutTag[];
  waitForOrder: boolean;
  /** More starts of the same request id, this long after the first one. */
  extraStarts: ExtraStart[];
  cancelAfterMs?: number;
  /** The session expires this long after the start; with `refresh`, a new session is handed in later. */
  tokenExpiry?: { afterMs: number; refresh?: { afterMs: number; token: string } };
}

export type DisruptionKind = 'killWorker' | 'termWorker' | 'killServer' | 'restartDatabase';

export interface PlannedDisruption {
  kind: DisruptionKind;
  /** Fires once this many checkouts have been started, `delayMs` later. */
  afterStarts: number;
  delayMs: number;
  worker: number;
  /** How long the killed part stays down before it is restarted. */
  downMs: number;
}

export interface ChaosPlan {
  settings: ChaosSettings;
  world: WorldSpec;
  generated: GeneratedWorld;
  /** Validations per user per day: raised for the chaos users (heavy users make dozens of checkouts). */
  voucherQuota: number;
  checkouts: PlannedCheckout[];
  faults: FaultRuleInput[];
  disruptions: PlannedDisruption[];
}

/** Fault rules on every endpoint; the first terminal rule that fires decides, latency adds up before it. */
export function chaosFaults(): FaultRuleInput[] {
  return [
    { id: 'latency', kind: 'latency', rate: 0.15, minMs: 20, maxMs: 1_500 },
    // The lost create answer, more often: it is what the checkout must survive without taking another's order.
    { id: 'lostResponse-create', endpoint: 'order/ticket/', kind: 'lostResponse', rate: 0.08 },
    { id: 'lostResponse', kind: 'lostResponse', rate: 0.02 },
    { id: 'http5xx', kind: 'http5xx', status: 502, rate: 0.02 },
    { id: 'http503', kind: 'http5xx', status: 503, rate: 0.005 },
    { id: 'drop', kind: 'drop', rate: 0.01 },
    { id: 'hang', kind: 'hang', rate: 0.004 },
    { id: 'busy', kind: 'busy', rate: 0.015 },
    { id: 'rateLimit', kind: 'rateLimit', rate: 0.01, retryAfterSeconds: 1 },
    { id: 'garbage', kind: 'garbage', mode: 'truncated', rate: 0.004 },
    { id: 'garbage-field', kind: 'garbage', mode: 'dropField', rate: 0.003 },
    // Womei refusing a request it should have taken (a refusal: the checkout compensates, a release abandons).
    { id: 'error', kind: 'error', error: 'badParameter', rate: 0.003 },
  ];
}

/** The fault kind of a rule id above (ids carry a suffix where a kind has several rules). */
export function faultKindOf(rules: readonly FaultRuleInput[], id: string): string {
  return rules.find((r) => r.id === id)?.kind ?? id;
}

class Dice {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  float(): number {
    return this.next();
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((a, [, w]) => a + w, 0);
    let r = this.next() * total;
    for (const [value, w] of choices) if ((r -= w) < 0) return value;
    return choices[choices.length - 1]![0];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A user's slot in the submission order; heavy users come in bursts of concurrent checkouts. */
interface Slot {
  user: WorldUser;
  heavy: boolean;
  /** Heavy bursts share one schedule. */
  burst?: number;
}

export function makePlan(settings: ChaosSettings): ChaosPlan {
  const { seed, checkouts: n } = settings;
  const dice = new Dice(seed);
  const heavyUsers = Math.max(1, Math.round(n / 100));
  const heavyShare = Math.round(n * 0.4);
  const perHeavy = Math.ceil(heavyShare / heavyUsers);
  const singleUsers = n - heavyShare;
  const seatsNeeded = n * 3;
  const world: WorldSpec = {
    seed,
    users: [
      { group: 'heavy', count: heavyUsers, usable: Math.max(12, Math.ceil(perHeavy * 1.5)), expired: 2, disabled: 2 },
      { group: 'single', count: Math.max(1, singleUsers), usable: 5, expired: 1, disabled: 1 },
    ],
    schedules: { count: Math.max(3, Math.ceil(seatsNeeded / 120)), rows: 10, cols: 12 },
  };
  const generated = generateWorld(world, 0);
  const heavy = generated.users.filter((u) => u.group === 'heavy');
  const single = generated.users.filter((u) => u.group === 'single');

  // Submission order: single users shuffled, heavy users' checkouts in bursts of 4–8 dropped in at random places.
  const slots: Slot[] = dice.shuffle(single.slice(0, n - heavyShare).map((user) => ({ user, heavy: false })));
  let burstId = 0;
  for (const user of heavy) {
    let left = Math.min(perHeavy, heavyShare - (heavy.indexOf(user) * perHeavy));
    while (left > 0) {
      const size = Math.min(left, dice.int(4, 8));
      const burst: Slot[] = Array.from({ length: size }, () => ({ user, heavy: true, burst: burstId }));
      burstId++;
      slots.splice(dice.int(0, slots.length), 0, ...burst);
      left -= size;
    }
  }

  // Seats: each schedule hands out its seats in order; a heavy burst stays on one schedule.
  const schedules = generated.schedules;
  const cursors = schedules.map(() => 0);
  let nextSchedule = 0;
  const burstSchedule = new Map<number, number>();
  const takeSeats = (preferred: number, count: number): { schedule: number; seats: string[] } => {
    for (let k = 0; k < schedules.length; k++) {
      const s = (preferred + k) % schedules.length;
      const sched = schedules[s]!;
      if (cursors[s]! + count <= sched.seats.length) {
        const seats = sched.seats.slice(cursors[s]!, cursors[s]! + count);
        cursors[s]! += count;
        return { schedule: s, seats };
      }
    }
    throw new Error(`chaos plan: the generated world has too few seats for ${n} checkouts`);
  };

  const codeCursor = new Map<string, number>();
  const lastCodes = new Map<string, string[]>();
  const planned: PlannedCheckout[] = [];
  for (const [index, slot] of slots.entries()) {
    const { user } = slot;
    const requestId = `chaos-${seed}-${pad(index, 4)}`;
    const tags: CheckoutTag[] = [slot.heavy ? 'heavy-user' : 'single-user'];
    const seatCount = dice.weighted([[1, 35], [2, 35], [3, 20], [4, 10]] as const);

    // Seats: usually fresh; sometimes the seats of a checkout submitted just before (so both are in flight).
    let scheduleIndex: number;
    let seats: string[];
    const recent = planned.slice(-Math.max(2, Math.floor(settings.concurrency / 2)));
    if (recent.length > 0 && dice.chance(0.05)) {
      const other = dice.pick(recent);
      scheduleIndex = schedules.findIndex((s) => s.scheduleId === other.request.scheduleId);
      seats = [...other.request.seats];
      tags.push('same-seats');
    } else {
      let preferred: number;
      if (slot.burst !== undefined) {
        if (!burstSchedule.has(slot.burst)) burstSchedule.set(slot.burst, nextSchedule++ % schedules.length);
        preferred = burstSchedule.get(slot.burst)!;
      } else {
        preferred = nextSchedule++ % schedules.length;
      }
      ({ schedule: scheduleIndex, seats } = takeSeats(preferred, seatCount));
    }
    const schedule = schedules[scheduleIndex]!;

    // Vouchers: explicit codes (the next ones of the wallet, or the same as this user's last checkout) or best.
    const wanted = seats.length;
    const payIfFree = dice.chance(0.15);
    const codeCount = payIfFree ? wanted : dice.chance(0.7) ? wanted : Math.max(1, wanted - 1);
    let vouchers: CheckoutRequest['vouchers'];
    if (dice.chance(0.45)) {
      vouchers = codeCount === wanted && dice.chance(0.5) ? { policy: 'best' } : { policy: 'best', max: codeCount };
      tags.push('best');
    } else {
      let codes: string[];
      const previous = lastCodes.get(user.userId);
      if (previous && previous.length >= codeCount && dice.chance(0.35)) {
        codes = previous.slice(0, codeCount);
        tags.push('same-voucher');
      } else {
        const at = codeCursor.get(user.userId) ?? 0;
        codes = Array.from({ length: codeCount }, (_, k) => user.usable[(at + k) % user.usable.length]!);
        codeCursor.set(user.userId, at + codeCount);
      }
      if (dice.chance(0.08)) {
        const others = generated.users.filter((u) => u.userId !== user.userId);
        const bad = dice.weighted([
          [user.expired[0], 1],
          [user.disabled[0], 1],
          [dice.pick(others).usable[0], 1],
          [`WRLD99${pad(index, 4)}9000`, 1],
        ] as const);
        codes = [...codes.slice(0, -1), bad ?? `WRLD99${pad(index, 4)}9001`];
        tags.push('unusable-voucher');
      }
      vouchers = { codes: [...new Set(codes)] };
      lastCodes.set(user.userId, codes);
      tags.push('codes');
    }
    if (payIfFree) tags.push('pay-if-free');

    const token = derivedToken(seed, requestId);
    const checkout: PlannedCheckout = {
      index,
      requestId,
      userId: user.userId,
      token,
      request: {
        requestId,
        cinemaId: schedule.cinemaId,
        scheduleId: schedule.scheduleId,
        seats,
        token,
        vouchers,
        limits: { ...CHAOS_LIMITS },
        ...(payIfFree ? { payIfFree: true, mobile: user.phone } : {}),
      },
      tags,
      waitForOrder: dice.chance(0.2),
      extraStarts: [],
    };
    if (checkout.waitForOrder) tags.push('wait-for-order');
    if (dice.chance(0.08)) {
      checkout.extraStarts = Array.from({ length: dice.int(1, 2) }, () => ({ afterMs: dice.chance(0.5) ? 0 : dice.int(50, 3_000), waitForOrder: dice.chance(0.5) }));
      tags.push('duplicate-start');
    }
    if (dice.chance(0.06)) {
      checkout.cancelAfterMs = dice.int(0, 5_000);
      tags.push('client-cancel');
    }
    const expiry = dice.float();
    if (expiry < 0.04) {
      const afterMs = dice.int(300, 4_000);
      checkout.tokenExpiry = { afterMs, refresh: { afterMs: afterMs + dice.int(300, 3_000), token: derivedToken(seed, `${requestId}-refresh`) } };
      tags.push('token-expiry-refreshed');
    } else if (expiry < 0.07) {
      checkout.tokenExpiry = { afterMs: dice.int(300, 4_000) };
      tags.push('token-expiry-no-refresh');
    }
    planned.push(checkout);
  }

  return {
    settings,
    world,
    generated,
    voucherQuota: Math.max(20, perHeavy * 5),
    checkouts: planned,
    faults: chaosFaults(),
    disruptions: planDisruptions(settings, dice),
  };
}

/**
 * Kills spread over the submissions (each fires once that many checkouts have started, plus a small delay, so
 * checkouts are in flight): worker SIGKILLs go round the workers, the server kill comes mid-run, database
 * restarts between the worker disruptions after it.
 */
function planDisruptions(settings: ChaosSettings, dice: Dice): PlannedDisruption[] {
  const n = settings.checkouts;
  const list: PlannedDisruption[] = [];
  const total = settings.workerKills + settings.workerTerms + settings.serverKills + settings.databaseRestarts;
  const kinds: DisruptionKind[] = [
    ...Array<DisruptionKind>(settings.workerKills).fill('killWorker'),
    ...Array<DisruptionKind>(settings.workerTerms).fill('termWorker'),
  ];
  dice.shuffle(kinds);
  // The server kill goes in the middle of the worker disruptions.
  for (let k = 0; k < settings.serverKills; k++) kinds.splice(Math.floor(((k + 1) * kinds.length) / (settings.serverKills + 1)), 0, 'killServer');
  // Database restarts in the last third, apart from the server kill (each is its own outage).
  for (let k = 0; k < settings.databaseRestarts; k++) {
    kinds.splice(Math.ceil(kinds.length * (2 / 3 + k / (3 * (settings.databaseRestarts + 1)))), 0, 'restartDatabase');
  }
  kinds.forEach((kind, k) => {
    const centre = ((k + 1) / (total + 1)) * n;
    const afterStarts = Math.max(1, Math.min(n, Math.round(centre + dice.int(-1, 1) * Math.max(1, n / (4 * (total + 1))))));
    list.push({
      kind,
      afterStarts,
      delayMs: dice.int(200, 1_500),
      worker: k % Math.max(1, settings.workers),
      downMs: kind === 'killServer' ? dice.int(2_000, 5_000) : kind === 'restartDatabase' ? 0 : dice.int(500, 3_000),
    });
  });
  return list;
}

/** How many planned checkouts carry each tag (the report's "mix" line). */
export function planMix(plan: ChaosPlan): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const c of plan.checkouts) for (const t of c.tags) mix[t] = (mix[t] ?? 0) + 1;
  return mix;
}
