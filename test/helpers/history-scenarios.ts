/**
 * Real checkout runs whose histories are saved under test/histories/ (scripts/save-histories.ts) and replayed
 * by test/workflow/replay.test.ts against the current workflow code. Each scenario drives the harness like the
 * integration tests do and returns the finished workflow's handle.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporalOrderClaims } from '../../activities/order-claims';
import type { WomeiApi } from '../../src/womei/types';
import type { checkout } from '../../workflows/checkout';
import { checkoutWorkflowId, refreshTokenUpdate } from '../../workflows/messages';
import { checkoutRequest, FIXTURE, RICH_CODES, SEATS, type CheckoutHarness } from './checkout-harness';

type Handle = WorkflowHandle<typeof checkout>;
const BIND = { endpoint: 'order/change/', when: { discount_type: 'TP_VOUCHER' } } as const;

async function finished(h: CheckoutHarness, handle: Handle): Promise<Handle> {
  await h.settle(handle);
  return handle;
}

/** Set by a scenario: the next order Womei creates is claimed for this checkout id before its creator can. */
let claimNextOrderFor: { id: string; h: CheckoutHarness } | undefined;

/** The harness's Womei wrapper for the scenarios (scripts/save-histories.ts passes it to startHarness). */
export const wrapWomeiForHistories = (real: WomeiApi): WomeiApi => ({
  ...real,
  canCancelOrders: real.canCancelOrders,
  async createOrder(s, p) {
    const created = await real.createOrder(s, p);
    const sibling = claimNextOrderFor;
    claimNextOrderFor = undefined;
    if (sibling) await temporalOrderClaims(sibling.h.client, sibling.h.taskQueue).claim(created.orderId, { workflowId: sibling.id, runId: 'sibling-run' });
    return created;
  },
});

export const HISTORY_SCENARIOS: Record<string, (h: CheckoutHarness) => Promise<Handle>> = {
  'completed-2-vouchers': async (h) => finished(h, await h.start(checkoutRequest({ requestId: 'hist-completed' }))),

  // A caller that skips the client starts with the token in plaintext: refused at the door (TokenNotSealed).
  'plaintext-token-refused': async (h) =>
    finished(
      h,
      await h.client.workflow.start<typeof checkout>('checkout', {
        taskQueue: h.taskQueue,
        workflowId: checkoutWorkflowId('hist-plaintext'),
        args: [checkoutRequest({ requestId: 'hist-plaintext' })],
      }),
    ),

  'completed-best-partial': async (h) =>
    finished(h, await h.start(checkoutRequest({ requestId: 'hist-best', vouchers: { policy: 'best', max: 1 } }))),

  'issued-0-yuan': async (h) =>
    finished(h, await h.start(checkoutRequest({ requestId: 'hist-issued', seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich }))),

  'compensated-voucher-unusable': async (h) =>
    finished(h, await h.start(checkoutRequest({ requestId: 'hist-compensated', vouchers: { codes: [RICH_CODES[0]!, FIXTURE.vouchers.rich.used] } }))),

  'bind-refused-culprit-named': async (h) => {
    await h.sandbox.admin.addFault([
      { ...BIND, kind: 'error', error: 'voucherDataInvalid', count: 1 },
      { endpoint: 'order/voucher/price/', when: { voucher_code: RICH_CODES[1]! }, kind: 'error', error: 'voucherDataInvalid' },
    ]);
    return finished(h, await h.start(checkoutRequest({ requestId: 'hist-bind-refused' })));
  },

  'compensated-seat-taken': async (h) =>
    finished(h, await h.start(checkoutRequest({ requestId: 'hist-seat', seats: [FIXTURE.soldSeat], vouchers: { codes: [RICH_CODES[0]!] } }))),

  'token-refresh': async (h) => {
    const token = await h.sandbox.admin.addToken(FIXTURE.userIds.rich);
    await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: 600, count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-token', token }));
    await h.waitForStatus(handle, (s) => s.phase === 'PRICING');
    await h.sandbox.admin.expireToken(token);
    await h.waitForStatus(handle, (s) => s.phase === 'WAITING_FOR_TOKEN');
    await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(await h.sandbox.admin.addToken(FIXTURE.userIds.rich))] });
    return finished(h, handle);
  },

  'bind-retry-and-lost-create': async (h) => {
    await h.sandbox.admin.addFault([
      { endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 },
      { ...BIND, kind: 'http5xx', count: 2 },
      { ...BIND, kind: 'garbage', mode: 'truncated', count: 1 },
    ]);
    return finished(h, await h.start(checkoutRequest({ requestId: 'hist-retry' })));
  },

  'hold-lapse-new-round': async (h) => {
    await h.sandbox.admin.addFault({ ...BIND, kind: 'http5xx' });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-lapse', limits: { maxBindAttempts: 30 } }));
    await h.waitForStatus(handle, (s) => (s.attempts.bindVouchers ?? 0) >= 2);
    await h.sandbox.admin.advanceClock(16 * 60);
    await h.sandbox.admin.clearFaults();
    return finished(h, handle);
  },

  'cancelled-mid-bind': async (h) => {
    await h.sandbox.admin.addFault({ ...BIND, kind: 'latency', ms: 1_000, count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-cancel' }));
    await h.waitForStatus(handle, (s) => s.phase === 'BINDING');
    await handle.cancel();
    return finished(h, handle);
  },

  'lost-create-adopted-with-claim': async (h) => {
    await h.sandbox.admin.addFault({ endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 });
    return finished(h, await h.start(checkoutRequest({ requestId: 'hist-lost-claimed' })));
  },

  // A checkout of the same user holds these seats; this one's refused create is lost, its search finds the
  // sibling's order (every proof but the claim), leaves it alone, creates again: SeatUnavailable.
  'lost-create-sibling-left-alone': async (h) => {
    await finished(h, await h.start(checkoutRequest({ requestId: 'hist-sibling-holder', vouchers: { codes: [RICH_CODES[2]!, RICH_CODES[3]!] } })));
    await h.sandbox.admin.addFault({ endpoint: 'order/ticket/', kind: 'lostResponse', count: 1 });
    return finished(h, await h.start(checkoutRequest({ requestId: 'hist-sibling-left-alone' })));
  },

  'created-order-claimed-by-sibling': async (h) => {
    claimNextOrderFor = { id: 'checkout-hist-sibling', h };
    return finished(h, await h.start(checkoutRequest({ requestId: 'hist-claimed-first' })));
  },

  'same-seat-twice-refused': async (h) =>
    finished(h, await h.start(checkoutRequest({ requestId: 'hist-same-seat', seats: ['10013:7:5:A1#07#05', '10013:7:5:a1#07#05'] }))),

  'token-refreshed-mid-call': async (h) => {
    const token = await h.sandbox.admin.addToken(FIXTURE.userIds.rich);
    await h.sandbox.admin.addFault({ endpoint: 'order/change/', when: { discount_type: 'MARKETING' }, kind: 'latency', ms: 2_500, count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-token-mid-call', token, limits: { tokenWaitSeconds: 20 } }));
    for (let i = 0; i < 200 && !(await h.sandbox.admin.faults()).some((f) => f.hits > 0); i++) await new Promise((r) => setTimeout(r, 20));
    await h.sandbox.admin.expireToken(token);
    await handle.executeUpdate(refreshTokenUpdate, { args: [h.seal(await h.sandbox.admin.addToken(FIXTURE.userIds.rich))] });
    return finished(h, handle);
  },

  'cancelled-while-paying': async (h) => {
    await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'http5xx', status: 502, count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-pay-cancel', seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich, limits: { backoffInitialMs: 3_000, backoffMaxMs: 3_000 } }));
    await h.waitForStatus(handle, (s) => s.phase === 'PAYING' && s.nextAttemptAt !== undefined);
    await handle.cancel();
    return finished(h, handle);
  },

  'cancel-after-payment': async (h) => {
    await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'latency', ms: 1_500, count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-pay-late-cancel', seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich }));
    await h.waitForStatus(handle, (s) => s.phase === 'PAYING');
    for (let i = 0; i < 100 && !(await h.sandbox.admin.faults()).some((f) => f.hits > 0); i++) await new Promise((r) => setTimeout(r, 20));
    await handle.cancel();
    return finished(h, handle);
  },

  'payment-unclear-order-lapsed': async (h) => {
    await h.sandbox.admin.addFault({ endpoint: 'order/payment/', kind: 'hang', count: 1 });
    const handle = await h.start(checkoutRequest({ requestId: 'hist-pay-lapsed', seats: [SEATS[0]!], vouchers: { codes: [RICH_CODES[0]!] }, payIfFree: true, mobile: FIXTURE.phones.rich }));
    for (let i = 0; i < 300 && !(await h.sandbox.admin.faults()).some((f) => f.hits > 0); i++) await new Promise((r) => setTimeout(r, 20));
    await h.sandbox.admin.advanceClock(16 * 60);
    return finished(h, handle);
  },

  'needs-attention': async (h) => {
    const token = await h.sandbox.admin.addToken(FIXTURE.userIds.rich);
    await h.sandbox.admin.addFault([
      { ...BIND, kind: 'garbage', mode: 'truncated', count: 1 },
      { endpoint: 'order/info/', kind: 'latency', ms: 600, count: 1 },
    ]);
    const handle = await h.start(checkoutRequest({ requestId: 'hist-attention', token, limits: { tokenWaitSeconds: 1, attentionWaitSeconds: 1 } }));
    await h.waitForStatus(handle, (s) => s.lastError?.step === 'bindVouchers');
    await h.sandbox.admin.expireToken(token);
    return finished(h, handle);
  },
};
