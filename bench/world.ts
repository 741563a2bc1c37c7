/**
 * The benchmarks' world in the sandbox: one user (the fixture's rich user) whose checkouts each use a fresh
 * token and two of its vouchers, and seats taken two at a time from every schedule and given back once the
 * order is cancelled in the sandbox's store (no Womei call), so a run of any length fits the fixture's halls.
 */
import { FIXTURE, type RunningSandbox } from '../src/sandbox/server';
import { seatLabel } from '../src/sandbox/model';

export const USER_ID = FIXTURE.userIds.rich;
/** Binding does not consume a voucher, so the user's six codes serve any number of unpaid orders. */
export const CODE_PAIRS = [0, 2, 4].map((i) => FIXTURE.vouchers.rich.unused.slice(i, i + 2));

export interface SeatPair {
  cinemaId: string;
  scheduleId: number;
  labels: [string, string];
}

export function seatPairs(sandbox: RunningSandbox): SeatPair[] {
  const store = sandbox.state;
  const pairs: SeatPair[] = [];
  for (const schedule of store.schedules.values()) {
    const hall = store.hallOf(schedule);
    if (!hall) continue;
    for (const area of hall.areas) {
      const free = area.seats.filter((s) => s.type === 0 && store.seatHolder(schedule.scheduleId, s) === null && seatLabel(s) !== FIXTURE.soldSeat);
      for (let i = 0; i + 1 < free.length; i++) {
        const [a, b] = [free[i]!, free[i + 1]!];
        if (a.row !== b.row) continue;
        pairs.push({ cinemaId: schedule.cinemaId, scheduleId: schedule.scheduleId, labels: [seatLabel(a), seatLabel(b)] });
        i++;
      }
    }
  }
  return pairs;
}

export class SeatPool {
  private waiting: ((p: SeatPair) => void)[] = [];

  constructor(
    private readonly free: SeatPair[],
    private readonly sandbox: RunningSandbox,
  ) {}

  get size(): number {
    return this.free.length;
  }

  take(): Promise<SeatPair> {
    const p = this.free.pop();
    return p ? Promise.resolve(p) : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Cancels (in the sandbox's store, no Womei call) whatever order holds the pair, then frees it. */
  release(pair: SeatPair): void {
    const store = this.sandbox.state;
    const schedule = store.schedules.get(pair.scheduleId);
    const hall = schedule ? store.hallOf(schedule) : undefined;
    for (const label of pair.labels) {
      const seat = hall?.areas.flatMap((a) => a.seats).find((s) => seatLabel(s) === label);
      const holder = seat ? store.seatHolder(pair.scheduleId, seat) : null;
      if (holder) store.cancelOrder(holder, 'cancelled');
    }
    const next = this.waiting.shift();
    if (next) next(pair);
    else this.free.push(pair);
  }
}

/** The sandbox's word: the order is PENDING, holds exactly these seats and has exactly these codes chosen. */
export function judged(sandbox: RunningSandbox, orderId: string | undefined, pair: SeatPair, codes: readonly string[]): string | undefined {
  const order = orderId ? sandbox.state.orders.get(orderId) : undefined;
  if (!order) return `order ${orderId ?? '(none)'} unknown to the sandbox`;
  if (order.status !== 'PENDING') return `order ${order.orderId} is ${order.status}`;
  const seats = order.seats.map(seatLabel).sort();
  if (seats.join('|') !== [...pair.labels].sort().join('|')) return `order ${order.orderId} holds other seats`;
  const bound = order.choice?.discountType === 'TP_VOUCHER' ? [...order.choice.codes].sort() : [];
  if (bound.join(',') !== [...codes].sort().join(',')) return `order ${order.orderId} has ${bound.length} code(s) bound, not the ${codes.length} asked`;
  return undefined;
}

