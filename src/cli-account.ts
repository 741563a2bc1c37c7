/**
 * The operator's view of one user's Womei account, read straight from Womei through the client
 * (src/womei/client.ts), not through Temporal: `wallet` (vouchers, usable first, with expiry), `account`
 * (profile and member cards) and `orders` (recent orders and their state). Read-only: nothing here spends a
 * voucher validation or changes an order. The token is used for the requests and never printed; voucher
 * passwords are not in these answers at all.
 */
import type { MemberCard, OrderStatus, TypedVoucher, UserInfo, UserOrderSummary, VoucherType, WalletVoucher, WomeiApi, WomeiSession } from './womei/types';

/** How a voucher stands for a checkout now. */
export type VoucherState = 'usable' | 'expired' | 'disabled' | 'used';
const STATE_ORDER: readonly VoucherState[] = ['usable', 'expired', 'disabled', 'used'];

export interface WalletEntry {
  code: string;
  name: string;
  state: VoucherState;
  /** ISO 8601, Beijing time. */
  expiresAt: string;
}

export interface WalletView {
  source: 'user/voucher/list/';
  counts: Record<VoucherState, number>;
  /** Usable first (soonest expiry first), then expired, disabled, used. */
  vouchers: WalletEntry[];
}

export interface WalletPageView {
  source: 'user/vouchers_page';
  type: VoucherType;
  /** The schedule the list was asked for ('' = none). */
  scheduleId: string;
  page: { number: number; pages: number; total: number };
  /** Next page number, null on the last one. */
  next: number | null;
  /** This page, usable first. */
  vouchers: WalletEntry[];
}

export interface AccountView {
  user: UserInfo;
  cards: MemberCard[];
}

export interface OrdersView {
  orders: UserOrderSummary[];
  /** Offset of the next page, null when there is none. */
  nextOffset: number | null;
}

const BEIJING_OFFSET_S = 8 * 3600;
/** Womei's clock is Beijing time: expiries are shown in it. */
const beijingIso = (seconds: number) => `${new Date((seconds + BEIJING_OFFSET_S) * 1000).toISOString().slice(0, 19)}+08:00`;

function entry(v: { voucherCode: string; voucherName: string; expireTime: number }, state: VoucherState): WalletEntry {
  return { code: v.voucherCode, name: v.voucherName, state, expiresAt: beijingIso(v.expireTime) };
}

/** Usable first, each state soonest expiry first (the checkout's "best" order). */
function sortEntries(entries: WalletEntry[]): WalletEntry[] {
  return [...entries].sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || a.expiresAt.localeCompare(b.expiresAt));
}

/** `user/voucher/list/`: the whole wallet. An unused voucher past its expiry is listed as expired. */
export async function readWallet(womei: WomeiApi, session: WomeiSession, nowMs: number): Promise<WalletView> {
  const wallet = await womei.listVouchers(session);
  const nowS = Math.floor(nowMs / 1000);
  const unusedState = (v: WalletVoucher): VoucherState => (v.expireTime > nowS ? 'usable' : 'expired');
  const vouchers = sortEntries([
    ...wallet.unused.map((v) => entry(v, unusedState(v))),
    ...wallet.disabled.map((v) => entry(v, 'disabled')),
    ...wallet.used.map((v) => entry(v, 'used')),
  ]);
  const counts = Object.fromEntries(STATE_ORDER.map((s) => [s, vouchers.filter((v) => v.state === s).length])) as Record<VoucherState, number>;
  return { source: 'user/voucher/list/', counts, vouchers };
}

/** `user/vouchers_page`: one page of one voucher type, as the app's voucher picker pages them (10 a page). */
export async function readWalletPage(
  womei: WomeiApi,
  session: WomeiSession,
  p: { voucherType: VoucherType; scheduleId: string; pageIndex: number },
  nowMs: number,
): Promise<WalletPageView> {
  const answer = await womei.listVouchersPage(session, p);
  const nowS = Math.floor(nowMs / 1000);
  const stateOf = (v: TypedVoucher): VoucherState => (v.status !== 'UN_USE' ? 'disabled' : v.expireTime > nowS ? 'usable' : 'expired');
  const { pageNum, totalPage, dataTotal } = answer.page;
  return {
    source: 'user/vouchers_page',
    type: p.voucherType,
    scheduleId: p.scheduleId,
    page: { number: pageNum, pages: totalPage, total: dataTotal },
    next: pageNum < totalPage ? pageNum + 1 : null,
    vouchers: sortEntries(answer.result.map((v) => entry(v, stateOf(v)))),
  };
}

export async function readAccount(womei: WomeiApi, session: WomeiSession): Promise<AccountView> {
  const [user, cards] = await Promise.all([womei.getUserInfo(session), womei.getUserCards(session)]);
  return { user, cards };
}

/** `user/orders/`: `pages` pages from `offset` (10 orders a page, newest first, every cinema). */
export async function readOrders(womei: WomeiApi, session: WomeiSession, p: { offset: number; pages: number }): Promise<OrdersView> {
  const orders: UserOrderSummary[] = [];
  let offset = p.offset;
  for (let page = 0; page < p.pages; page++) {
    const answer = await womei.listUserOrders(session, { offset });
    orders.push(...answer.orders);
    if (answer.orders.length === 0 || !(answer.nextOffset > offset)) return { orders, nextOffset: null };
    offset = answer.nextOffset;
  }
  return { orders, nextOffset: offset };
}

// ------------------------------------------------------------------------------------------------ human output

const yuan = (n: number) => `¥${n.toFixed(2)}`;

function walletLines(vouchers: readonly WalletEntry[]): string[] {
  if (vouchers.length === 0) return ['  no vouchers'];
  const width = Math.max(...vouchers.map((v) => v.code.length));
  return vouchers.map((v) => `  ${v.state.padEnd(9)}${v.code.padEnd(width + 2)}expires ${v.expiresAt.slice(0, 16).replace('T', ' ')} (Beijing)  ${v.name}`);
}

export function formatWallet(view: WalletView, cinemaId: string): string[] {
  const c = view.counts;
  return [`wallet at cinema ${cinemaId}: ${c.usable} usable, ${c.expired} expired, ${c.disabled} disabled, ${c.used} used`, ...walletLines(view.vouchers)];
}

export function formatWalletPage(view: WalletPageView, cinemaId: string): string[] {
  const lines = [
    `${view.type} vouchers at cinema ${cinemaId}${view.scheduleId ? ` for schedule ${view.scheduleId}` : ''}: page ${view.page.number} of ${view.page.pages} (${view.page.total} in all)`,
    ...walletLines(view.vouchers),
  ];
  if (view.next !== null) {
    lines.push(`next page: womei-checkout wallet --cinema ${cinemaId} --type ${view.type}${view.scheduleId ? ` --schedule ${view.scheduleId}` : ''} --page ${view.next}`);
  }
  return lines;
}

function cardLine(card: MemberCard): string {
  return `  card ${card.cardNoMasked} ${card.name} (${card.type}): ${card.status}${card.usable ? '' : ', not usable'}, balance ${yuan(card.balance)}${card.score !== null ? `, score ${card.score}` : ''}, expires ${card.expires}`;
}

export function formatAccount(view: AccountView, cinemaId: string): string[] {
  const { user, cards } = view;
  const lines = [`account at cinema ${cinemaId}: ${user.nickname}, phone ${user.phoneMasked}, ${user.isMember ? 'member' : 'not a member'}`];
  if (user.memberCard) lines.push(cardLine(user.memberCard));
  lines.push(`member cards (user/cards/): ${cards.length}`);
  lines.push(...cards.map(cardLine));
  return lines;
}

const STATE_WORD: Record<string, string> = { PENDING: 'unpaid', PROCESSING: 'paying', SUCCESS: 'issued', CANCEL: 'cancelled' };
const stateWord = (status: OrderStatus) => STATE_WORD[status] ?? status.toLowerCase();

export function formatOrders(view: OrdersView): string[] {
  if (view.orders.length === 0) return ['no orders'];
  const lines = view.orders.map(
    (o) =>
      `${o.orderId}  ${o.status.padEnd(10)} ${stateWord(o.status).padEnd(9)} ${o.movieName} · ${o.showDate} · ${o.ticketNum} ticket(s) · ${o.hallName} ${o.seatInfo} · ${o.cinemaName}`,
  );
  if (view.nextOffset !== null) lines.push(`more: womei-checkout orders --offset ${view.nextOffset}`);
  return lines;
}
