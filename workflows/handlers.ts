/**
 * How a run shows itself and takes messages: the start's search attributes, memo and first note, and the
 * handlers of the status query and the replaceVouchers, refreshToken and waitForOrder updates (messages.ts).
 */
import * as wf from '@temporalio/workflow';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureType } from '../src/failure-types';
import { parseSealedToken, parseToken, parseVoucherSpec } from './input';
import { checkoutMemo, refreshTokenUpdate, replaceVouchersUpdate, statusQuery, waitForOrderUpdate } from './messages';
import type { CheckoutStatus } from './messages';
import type { CheckoutRun } from './run';
import { codesMayBeBound } from './steps/binding';
import { startSearchAttributes } from './search-attributes';

/** Handlers first, so a query or update that arrives with the first task already finds them. */
export function announce(run: CheckoutRun): void {
  const { input, status } = run;
  registerHandlers(run);
  wf.upsertSearchAttributes(startSearchAttributes(input));
  wf.upsertMemo(checkoutMemo(input, status.deadlineAt));
  status.note('STARTING', `checkout of ${input.seats.length} seat(s) on schedule ${input.scheduleId}, deadline ${status.deadlineAt}`);
}

export function statusOf(run: CheckoutRun): CheckoutStatus {
  const view = run.status.view();
  const mayBeBound = codesMayBeBound(run);
  const vouchers = mayBeBound.length > 0 ? { ...view.vouchers, mayBeBound } : view.vouchers;
  return { ...view, vouchers, compensations: run.saga.view() };
}

/** Let running update handlers (waitForOrder) answer before the workflow closes; a late cancel cannot cut in. */
export function handlersFinished(): Promise<void> {
  return wf.CancellationScope.nonCancellable(() => wf.condition(wf.allHandlersFinished));
}

const NO_ORDER: FailureType = 'NoOrder';

function registerHandlers(run: CheckoutRun): void {
  const { input, status, token, voucherChoice } = run;
  const refuseWhenFinished = () => {
    if (run.finished) throw new Error('the checkout has finished');
  };

  wf.setHandler(statusQuery, () => statusOf(run));

  wf.setHandler(
    replaceVouchersUpdate,
    (spec) => {
      const parsed = parseVoucherSpec(spec, input.seats.length);
      voucherChoice.spec = parsed;
      voucherChoice.version++;
      status.vouchers.requested = parsed;
      status.note(status.phase, 'voucher choice replaced (replaceVouchers)');
      return { vouchers: parsed, phase: status.phase };
    },
    {
      validator: (spec) => {
        refuseWhenFinished();
        if (voucherChoice.bindStarted) throw new Error('binding has started: vouchers can no longer be replaced');
        parseVoucherSpec(spec, input.seats.length);
      },
    },
  );

  wf.setHandler(
    refreshTokenUpdate,
    (fresh) => {
      const resumed = token.waiters > 0 || status.phase === 'NEEDS_ATTENTION';
      token.value = parseToken(fresh);
      token.version++;
      status.note(status.phase, 'fresh token received (refreshToken)');
      return { phase: status.phase, resumed };
    },
    {
      validator: (fresh) => {
        refuseWhenFinished();
        // Validators do not run on replay, so histories from before sealing still replay their plaintext update.
        parseSealedToken(fresh);
      },
    },
  );

  wf.setHandler(waitForOrderUpdate, async () => {
    await wf.condition(() => status.orderId !== undefined || run.finished);
    if (status.orderId === undefined) {
      const type = status.reason?.type ?? NO_ORDER;
      throw ApplicationFailure.create({
        type,
        message: `the checkout ended without an order${status.reason ? `: ${status.reason.message}` : ''}`,
        nonRetryable: true,
      });
    }
    return { orderId: status.orderId, phase: status.phase };
  });
}
