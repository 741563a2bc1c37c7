/**
 * The chaos audit against ledgers a real sandbox produced: each rule stays quiet on a clean story and fires on
 * the broken one it names. Orders are made over HTTP with one session per "checkout" (as the chaos run does);
 * the checkouts' ends are what a client would have received.
 */
import { audit, type AuditCheckout, type CheckoutEnd, type RuleId } from '../../chaos/audit';
import { tokenFingerprint } from '../../src/sandbox/store';
import type { CheckoutResult } from '../../workflows/messages';
import { FIXTURE, call, change, cinemaPath, createOrder, post, startTestSandbox, type RunningSandbox } from '../sandbox/helpers';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ cancelRoute: true, paymentSeconds: 0 });
});
afterAll(() => sb.close());
beforeEach(() => sb.admin.reset());

const SEATS = FIXTURE.seats.beijing;
const CODES = FIXTURE.vouchers.rich.unused;
const USER = FIXTURE.userIds.rich;
const tokenOf = (n: number) => n.toString(16).padStart(32, 'a');

/** A checkout of the rich user on its own session. */
async function checkout(n: number): Promise<{ requestId: string; token: string; sessions: string[] }> {
  const token = await sb.admin.addToken(USER, tokenOf(n));
  return { requestId: `r${n}`, token, sessions: [tokenFingerprint(token)] };
}

function completed(requestId: string, orderId: string, vouchers: string[], payment: number, extra: Partial<CheckoutResult> = {}): CheckoutEnd {
  const now = Date.now();
  const result: CheckoutResult = {
    outcome: 'COMPLETED', requestId, orderId, state: 'READY_TO_PAY', vouchers,
    prices: { total: 98, payment, vouchers: 98 - payment, ticketPrices: [49, 49], ticketNum: 2 },
    orders: [], attempts: {}, timeline: [{ at: new Date(now).toISOString(), phase: 'COMPLETED', note: 'ready to pay' }], ...extra,
  };
  return { kind: 'result', result, endedAt: now };
}

function failed(requestId: string, outcome: 'COMPENSATED' | 'NEEDS_ATTENTION', type = 'SeatUnavailable'): CheckoutEnd {
  return { kind: 'result', endedAt: Date.now(), result: { outcome, requestId, vouchers: [], orders: [], attempts: {}, timeline: [], reason: { type, message: type } } };
}

async function run(checkouts: AuditCheckout[], shutdowns: Parameters<typeof audit>[0]['shutdowns'] = []) {
  // Events are stamped in ms: keep "after completion" strictly after.
  await new Promise((r) => setTimeout(r, 5));
  return audit({ checkouts, ledger: await sb.admin.ledger(), shutdowns });
}

const only = (byRule: Record<RuleId, number>) => Object.fromEntries(Object.entries(byRule).filter(([, n]) => n > 0));

/** A: created, priced, bound two codes, completed. Returns its order id and end. */
async function completedCheckout(n: number, seats = SEATS.slice(0, 2), codes = CODES.slice(0, 2)) {
  const c = await checkout(n);
  const orderId = await createOrder(sb, seats, { token: c.token });
  await change(sb, orderId, [], { token: c.token });
  await change(sb, orderId, codes, { token: c.token });
  await new Promise((r) => setTimeout(r, 5));
  return { c, orderId, end: completed(c.requestId, orderId, codes, 0) };
}

describe('chaos audit', () => {
  it('a clean story has no violation: one completed, one compensated (unbound then cancelled), one still waiting in NEEDS_ATTENTION', async () => {
    const a = await completedCheckout(1);
    const b = await checkout(2);
    const bOrder = await createOrder(sb, [SEATS[2]!], { token: b.token });
    await change(sb, bOrder, [], { token: b.token });
    await change(sb, bOrder, [CODES[2]!], { token: b.token });
    await change(sb, bOrder, [], { token: b.token });
    await post(sb, 'order/cancel/', { order_id: bOrder }, b.token);
    const c = await checkout(3);
    const cOrder = await createOrder(sb, [SEATS[3]!], { token: c.token });
    const result = await run([
      { ...a.c, end: a.end },
      { ...b, end: failed(b.requestId, 'COMPENSATED', 'VoucherNotUsable') },
      { ...c, end: { kind: 'running', phase: 'NEEDS_ATTENTION' } },
    ]);
    expect(result.violations).toEqual([]);
    expect(result.orders).toEqual({ made: 3, liveAtEnd: 2, paid: 0, lapsedAfterLastRead: 0 });
    expect(cOrder).toMatch(/^\d{18}$/);
  });

  it('not-terminal: a checkout still running outside NEEDS_ATTENTION, or with no outcome', async () => {
    const a = await checkout(1);
    const b = await checkout(2);
    const result = await run([
      { ...a, end: { kind: 'running', phase: 'BINDING' } },
      { ...b, end: { kind: 'error', message: 'TERMINATED without a result' } },
    ]);
    expect(only(result.byRule)).toEqual({ 'not-terminal': 2 });
  });

  it('foreign-touch and completed-order: another checkout of the same user cancels a completed order (the lost-create adoption bug)', async () => {
    const a = await completedCheckout(1);
    const b = await checkout(2);
    await change(sb, a.orderId, [], { token: b.token });
    await post(sb, 'order/cancel/', { order_id: a.orderId }, b.token);
    const result = await run([{ ...a.c, end: a.end }, { ...b, end: failed(b.requestId, 'COMPENSATED') }]);
    expect(only(result.byRule)).toEqual({ 'foreign-touch': 1, 'completed-order': 1 });
    expect(result.violations.find((v) => v.rule === 'foreign-touch')).toMatchObject({ requestId: 'r2', orderId: a.orderId, detail: 'r2 did unbound, cancelled on the order of r1' });
    expect(result.violations.find((v) => v.rule === 'completed-order')?.detail).toContain('changed after completion: unbound by r2, cancelled by r2');
  });

  it('completed-order: the result names another checkout\'s order, two results name one order, the vouchers or payment differ', async () => {
    const a = await completedCheckout(1);
    const b = await checkout(2);
    const c = await completedCheckout(3, SEATS.slice(2, 4), CODES.slice(2, 4));
    const result = await run([
      { ...a.c, end: a.end },
      { ...b, end: completed(b.requestId, a.orderId, CODES.slice(0, 2), 0) },
      { ...c.c, end: completed(c.c.requestId, c.orderId, [CODES[2]!], 49) },
    ]);
    const details = result.violations.filter((v) => v.rule === 'completed-order').map((v) => `${v.requestId}: ${v.detail}`);
    expect(details).toEqual([
      'r1: order also named COMPLETED by r2',
      'r2: COMPLETED names an order created by r1',
      'r2: order also named COMPLETED by r1',
      `r3: result vouchers [${CODES[2]}] but the order held [${CODES[2]},${CODES[3]}] at completion`,
      'r3: promised payment 4900 fen but the order asked 0 fen at completion',
    ]);
    expect(only(result.byRule)).toEqual({ 'completed-order': 5 });
  });

  it('completed-order: READY_TO_PAY on an order that was no longer live at completion', async () => {
    const a = await completedCheckout(1);
    await post(sb, 'order/cancel/', { order_id: a.orderId }, a.c.token);
    const end = a.end as Extract<CheckoutEnd, { kind: 'result' }>;
    const late = { ...end, result: { ...end.result, timeline: [{ at: new Date(Date.now() + 10).toISOString(), phase: 'COMPLETED' as const, note: '' }] } };
    const result = await run([{ ...a.c, end: late }]);
    expect(result.violations).toEqual([
      expect.objectContaining({ rule: 'completed-order', detail: expect.stringMatching(/^READY_TO_PAY at .* but the order was not live then \(CANCEL\/cancelled\) and the checkout never read it$/) }),
    ]);
  });

  it('completed-order: a hold that lapsed on its own after the checkout last read the order live is counted, not a violation; unread, it is one', async () => {
    const a = await completedCheckout(1);
    const b = await completedCheckout(2, SEATS.slice(2, 4), CODES.slice(2, 4));
    await call(sb, 'GET', cinemaPath('order/info/'), { token: a.c.token, query: { order_id: a.orderId } });
    await sb.admin.advanceClock(901);
    const at = (end: CheckoutEnd): CheckoutEnd => {
      if (end.kind !== 'result') return end;
      return { ...end, result: { ...end.result, timeline: [{ at: new Date(Date.now() + 902_000).toISOString(), phase: 'COMPLETED', note: '' }] } };
    };
    const result = await run([{ ...a.c, end: at(a.end) }, { ...b.c, end: at(b.end) }]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'completed-order', requestId: 'r2', detail: expect.stringContaining('(CANCEL/expired) and the checkout never read it') })]);
    expect(result.orders.lapsedAfterLastRead).toBe(1);
  });

  it('orphan-hold and bound-after-failure: a compensated checkout left its order live with codes; an order nobody of the run made', async () => {
    const a = await checkout(1);
    const order = await createOrder(sb, SEATS.slice(0, 2), { token: a.token });
    await change(sb, order, [], { token: a.token });
    await change(sb, order, CODES.slice(0, 2), { token: a.token });
    const stranger = await createOrder(sb, [SEATS[2]!], { token: FIXTURE.tokens.few });
    const result = await run([{ ...a, end: failed(a.requestId, 'COMPENSATED') }]);
    expect(only(result.byRule)).toEqual({ 'orphan-hold': 2, 'bound-after-failure': 1 });
    expect(result.violations.find((v) => v.orderId === stranger)).toMatchObject({ rule: 'orphan-hold', detail: 'order still held at the end; made by no checkout of this run' });
  });

  it('orphan-hold: an order is not an orphan when its checkout lost every session before it ended (nothing can release it), nor with NEEDS_ATTENTION', async () => {
    const a = await checkout(1);
    await createOrder(sb, [SEATS[0]!], { token: a.token });
    const b = await checkout(2);
    const bOrder = await createOrder(sb, [SEATS[1]!], { token: b.token });
    await change(sb, bOrder, [], { token: b.token });
    await change(sb, bOrder, [CODES[0]!], { token: b.token });
    const result = await run([
      { ...a, sessionsGoneAt: Date.now() - 1, end: failed(a.requestId, 'COMPENSATED', 'TokenInvalid') },
      { ...b, sessionsGoneAt: Date.now() - 1, end: failed(b.requestId, 'NEEDS_ATTENTION', 'TokenInvalid') },
    ]);
    expect(result.violations).toEqual([]);
    // The same order after the checkout ended with its session alive: it should have released it.
    const again = audit({ checkouts: [{ ...a, sessionsGoneAt: Date.now() + 60_000, end: failed(a.requestId, 'COMPENSATED', 'TokenInvalid') }], ledger: await sb.admin.ledger(), shutdowns: [] });
    expect(again.violations.filter((v) => v.rule === 'orphan-hold' && v.requestId === 'r1')).toHaveLength(1);
  });

  it('orphan-hold: a live order its checkout lists as ABANDONED (its cancel was refused) is left to lapse; one it claims CANCELLED is an orphan', async () => {
    const a = await checkout(1);
    const abandoned = await createOrder(sb, [SEATS[0]!], { token: a.token });
    const b = await checkout(2);
    const claimed = await createOrder(sb, [SEATS[1]!], { token: b.token });
    const listing = (end: CheckoutEnd, orderId: string, state: 'ABANDONED' | 'CANCELLED'): CheckoutEnd =>
      end.kind === 'result' ? { ...end, result: { ...end.result, orders: [{ orderId, round: 1, state, origin: 'created' }] } } : end;
    const result = await run([
      { ...a, end: listing(failed(a.requestId, 'COMPENSATED', 'WomeiBadRequest'), abandoned, 'ABANDONED') },
      { ...b, end: listing(failed(b.requestId, 'COMPENSATED', 'WomeiBadRequest'), claimed, 'CANCELLED') },
    ]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'orphan-hold', requestId: 'r2', orderId: claimed })]);
  });

  it('a lapsed order may keep its codes (they can no longer be consumed); a cancelled one may not', async () => {
    const a = await checkout(1);
    const lapsed = await createOrder(sb, [SEATS[0]!], { token: a.token });
    await change(sb, lapsed, [], { token: a.token });
    await change(sb, lapsed, [CODES[0]!], { token: a.token });
    await sb.admin.advanceClock(901);
    const b = await checkout(2);
    const cancelled = await createOrder(sb, [SEATS[1]!], { token: b.token });
    await change(sb, cancelled, [], { token: b.token });
    await change(sb, cancelled, [CODES[1]!], { token: b.token });
    await post(sb, 'order/cancel/', { order_id: cancelled }, b.token);
    const result = await run([
      { ...a, end: failed(a.requestId, 'COMPENSATED', 'OrderExpired') },
      { ...b, end: failed(b.requestId, 'COMPENSATED') },
    ]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'bound-after-failure', orderId: cancelled })]);
  });

  it('two-live-orders: one request held two live orders at once; one after the other is fine', async () => {
    const a = await checkout(1);
    const first = await createOrder(sb, [SEATS[0]!], { token: a.token });
    const second = await createOrder(sb, [SEATS[1]!], { token: a.token });
    await post(sb, 'order/cancel/', { order_id: first }, a.token);
    await post(sb, 'order/cancel/', { order_id: second }, a.token);
    const b = await checkout(2);
    const third = await createOrder(sb, [SEATS[2]!], { token: b.token });
    await post(sb, 'order/cancel/', { order_id: third }, b.token);
    await createOrder(sb, [SEATS[3]!], { token: b.token }).then((id) => post(sb, 'order/cancel/', { order_id: id }, b.token));
    const result = await run([
      { ...a, end: failed(a.requestId, 'COMPENSATED') },
      { ...b, end: failed(b.requestId, 'COMPENSATED') },
    ]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'two-live-orders', requestId: 'r1', orderId: `${first}+${second}` })]);
  });

  it('unowned-payment: a compensated checkout paid its order; an ISSUED result is fine', async () => {
    const pay = async (token: string, seat: string, code: string) => {
      const id = await createOrder(sb, [seat], { token });
      await change(sb, id, [], { token });
      await change(sb, id, [code], { token });
      const r = await post(sb, 'order/payment/', { order_id: id, pay_type: 'WECHAT', mobile: FIXTURE.phones.rich }, token);
      expect(r.body.sub).toBe(0);
      return id;
    };
    const a = await checkout(1);
    const issued = await pay(a.token, SEATS[0]!, CODES[0]!);
    const b = await checkout(2);
    const paid = await pay(b.token, SEATS[1]!, CODES[1]!);
    await new Promise((r) => setTimeout(r, 400)); // the sweep issues the tickets
    const ticket = (await sb.admin.ledger()).orders.find((o) => o.orderId === issued)!.ticketCode;
    const aEnd = completed(a.requestId, issued, [CODES[0]!], 0, { state: 'ISSUED', ticketCodes: [{ name: '1', code: ticket }] });
    const result = await run([{ ...a, end: aEnd }, { ...b, end: failed(b.requestId, 'COMPENSATED') }]);
    expect(result.violations).toEqual([expect.objectContaining({ rule: 'unowned-payment', requestId: 'r2', orderId: paid })]);
    expect(result.orders.paid).toBe(2);
  });

  it('voucher-consumed-twice and sandbox-rules report the sandbox\'s own invariants (which its rules keep true)', async () => {
    const ledger = await sb.admin.ledger();
    expect(audit({ checkouts: [], ledger, shutdowns: [] }).violations).toEqual([]);
    ledger.invariants.vouchersConsumedTwice.push({ code: CODES[0]!, orderIds: ['1', '2'] });
    ledger.invariants.doubleBookedSeats.push({ scheduleId: 1, seatNo: 'x', orderIds: ['1', '2'] });
    ledger.requests.internalErrors = 1;
    expect(only(audit({ checkouts: [], ledger, shutdowns: [] }).byRule)).toEqual({ 'voucher-consumed-twice': 1, 'sandbox-rules': 2 });
  });

  it('graceful-shutdown: a SIGTERMed worker must exit with code 0 within its grace (plus a margin)', async () => {
    const result = await run([], [
      { worker: 0, exit: { code: 0, signal: null, ms: 1_200 }, graceMs: 5_000 },
      { worker: 1, exit: { code: null, signal: 'SIGKILL', ms: 60_000 }, graceMs: 5_000 },
    ]);
    expect(only(result.byRule)).toEqual({ 'graceful-shutdown': 1 });
    expect(result.violations[0]!.detail).toBe('worker 2 after SIGTERM: exit code null, signal SIGKILL, 60000 ms (grace 5000 ms)');
  });
});
