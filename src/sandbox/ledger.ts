/**
 * The audit view tests assert on: every order and voucher, quota spent, request counts, and invariant checks
 * computed from the live state. Users appear by id and token fingerprints only.
 */
import { fromFen } from '../womei/money';
import { seatLabel, type OrderStatus, type VoucherState } from './model';
import type { RuntimeConfig } from './options';
import { choiceCodes, orderPrice } from './pricing';
import type { RequestLog } from './requestlog';
import { parseSeatKey, seatKey, tokenFingerprint, type SandboxStore } from './store';

export interface LedgerOrder {
  orderId: string;
  userId: string;
  cinemaId: string;
  scheduleId: number;
  status: OrderStatus;
  cancelReason: 'expired' | 'cancelled' | null;
  /** `seatlable` parts. */
  seats: string[];
  /** Codes of the current choice (kept on dead orders: that is what `boundToDeadOrders` reports). */
  boundCodes: string[];
  /** Every code ever applied to the order, unbound since or not: who bound what, for ownership checks. */
  codesEverBound: string[];
  payType: string | null;
  discountType: string | null;
  priced: boolean;
  /** Yuan; null until the first `order/change/`. */
  prices: { total: number; voucher: number; payment: number } | null;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
  issuedAt: number | null;
  ticketCode: string;
  /** Holding its seats for an unpaid checkout. */
  live: boolean;
}

export interface LedgerVoucher {
  code: string;
  ownerId: string | null;
  state: VoucherState;
  expired: boolean;
  expireTime: number;
  /** Orders whose current choice applies this code, live or dead. */
  boundOrders: string[];
  consumedBy: string | null;
}

export interface LedgerInvariants {
  /** True when no server-side rule was broken (seats and consumption). Compensation is checked separately. */
  ok: boolean;
  seatsHeldByDeadOrders: { scheduleId: number; seatNo: string; orderId: string }[];
  /** Seats two live/sold orders both contain. */
  doubleBookedSeats: { scheduleId: number; seatNo: string; orderIds: string[] }[];
  vouchersConsumedTwice: { code: string; orderIds: string[] }[];
  /** Vouchers still chosen on a lapsed/cancelled order: empty when every checkout unbound before releasing. */
  boundToDeadOrders: { code: string; orderId: string; cancelReason: string | null }[];
  liveOrdersPerUser: Record<string, number>;
}

export interface Ledger {
  now: number;
  config: RuntimeConfig;
  orders: LedgerOrder[];
  vouchers: LedgerVoucher[];
  /** userId → validations spent today (Beijing day). */
  quota: Record<string, { used: number; limit: number }>;
  tokens: { fingerprint: string; userId: string; expired: boolean }[];
  requests: { total: number; byEndpoint: Record<string, number>; internalErrors: number };
  invariants: LedgerInvariants;
}

/** `now` is the instant the caller swept at: every liveness, expiry and quota check reads that one time. */
export function buildLedger(store: SandboxStore, log: RequestLog, now: number): Ledger {
  const orders = [...store.orders.values()].sort((a, b) => a.orderId.localeCompare(b.orderId));
  const ledgerOrders: LedgerOrder[] = orders.map((o) => {
    const p = orderPrice(store, o);
    return {
      orderId: o.orderId, userId: o.userId, cinemaId: o.cinemaId, scheduleId: o.scheduleId, status: o.status,
      cancelReason: o.cancelReason, seats: o.seats.map(seatLabel),
      boundCodes: choiceCodes(o.choice), codesEverBound: [...o.codesEverBound],
      payType: o.choice?.payType ?? null, discountType: o.choice?.discountType ?? null, priced: o.priced,
      prices: p ? { total: fromFen(p.totalFen), voucher: fromFen(p.useTotalFen), payment: fromFen(p.paymentFen) } : null,
      createdAt: o.createdAt, expiresAt: o.expiresAt, paidAt: o.paidAt, issuedAt: o.issuedAt, ticketCode: o.ticketCode,
      live: store.isLive(o, now),
    };
  });

  const vouchers: LedgerVoucher[] = [...store.vouchers.values()].map((v) => ({
    code: v.code, ownerId: v.ownerId, state: v.state, expired: store.isExpired(v, now), expireTime: v.expireTime,
    boundOrders: ledgerOrders.filter((o) => o.boundCodes.includes(v.code)).map((o) => o.orderId),
    consumedBy: v.consumedBy,
  }));

  const seatsHeldByDeadOrders: LedgerInvariants['seatsHeldByDeadOrders'] = [];
  for (const [key, orderId] of store.seatHolders) {
    const o = store.orders.get(orderId);
    if (!o || o.status === 'CANCEL' || (o.status === 'PENDING' && !store.isLive(o, now))) {
      seatsHeldByDeadOrders.push({ ...parseSeatKey(key), orderId });
    }
  }

  const seatOwners = new Map<string, string[]>();
  for (const o of orders) {
    if (o.status === 'CANCEL') continue;
    for (const s of o.seats) {
      const key = seatKey(o.scheduleId, s);
      seatOwners.set(key, [...(seatOwners.get(key) ?? []), o.orderId]);
    }
  }
  const doubleBookedSeats = [...seatOwners.entries()]
    .filter(([, ids]) => ids.length > 1)
    .map(([key, orderIds]) => ({ ...parseSeatKey(key), orderIds }));

  const paidBy = new Map<string, string[]>();
  for (const o of orders) for (const code of o.paidCodes) paidBy.set(code, [...(paidBy.get(code) ?? []), o.orderId]);
  const vouchersConsumedTwice = [...paidBy.entries()].filter(([, ids]) => ids.length > 1).map(([code, orderIds]) => ({ code, orderIds }));

  const boundToDeadOrders = ledgerOrders
    .filter((o) => o.status === 'CANCEL')
    .flatMap((o) => o.boundCodes.map((code) => ({ code, orderId: o.orderId, cancelReason: o.cancelReason })));

  const liveOrdersPerUser: Record<string, number> = {};
  for (const o of ledgerOrders) if (o.live) liveOrdersPerUser[o.userId] = (liveOrdersPerUser[o.userId] ?? 0) + 1;

  return {
    now,
    config: { ...store.config },
    orders: ledgerOrders,
    vouchers,
    quota: Object.fromEntries([...store.users.keys()].map((id) => [id, { used: store.quotaUsed(id, now), limit: store.config.voucherQuota }])),
    tokens: [...store.tokens.entries()].map(([token, e]) => ({ fingerprint: tokenFingerprint(token), userId: e.userId, expired: e.expired })),
    requests: { total: log.total, byEndpoint: log.byEndpoint(), internalErrors: log.internalErrors },
    invariants: {
      ok: seatsHeldByDeadOrders.length === 0 && doubleBookedSeats.length === 0 && vouchersConsumedTwice.length === 0,
      seatsHeldByDeadOrders,
      doubleBookedSeats,
      vouchersConsumedTwice,
      boundToDeadOrders,
      liveOrdersPerUser,
    },
  };
}
