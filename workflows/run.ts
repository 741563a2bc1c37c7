/**
 * One checkout run: everything its steps share, in one object passed to each of them. The input and the
 * deadline are fixed at the start; the rest is what the run knows so far, written by the steps and the
 * handlers (handlers.ts).
 */
import * as wf from '@temporalio/workflow';
import type { VoucherWallet } from '../src/womei/types';
import { deadlineOf } from './input';
import type { CheckoutInput, VoucherSpec } from './input';
import type { CheckoutPhase } from './messages';
import { Saga } from './saga';
import { Status } from './status';

export interface CheckoutRun {
  readonly input: CheckoutInput;
  /** Epoch ms; fixed at the start so a replay computes the same one. */
  readonly deadline: number;
  readonly status: Status;
  readonly saga: Saga;
  readonly token: {
    /** A secret: only ever used for calls and to redact; never stored in status, result or timeline. */
    value: string;
    /** Grows with every refreshToken: a waiter resumes once it is past the value it started with. */
    version: number;
    /** Calls waiting for a fresh token: the first shows WAITING_FOR_TOKEN, the last restores `phaseBefore`. */
    waiters: number;
    phaseBefore?: CheckoutPhase;
  };
  readonly voucherChoice: {
    spec: VoucherSpec;
    /** Grows with every replaceVouchers: a choice made under an older version is made again. */
    version: number;
    /** From here on replaceVouchers is refused: the codes are about to be bound. */
    bindStarted: boolean;
  };
  /** The wallet as last listed, and the voucher choice version it was listed under. */
  wallet?: { listed: VoucherWallet; version: number };
  /** Across all rounds: `maxBindAttempts` bounds the whole checkout, not one order. */
  bindAttempts: number;
  /**
   * Per order, the latest bind sent to it: whether it may have landed (set before the bind, cleared only by
   * proof) and its codes (a bind replaces the order's whole choice). What `mayBeBound` shows.
   */
  readonly binds: Map<string, { mayHaveLanded: boolean; codes: readonly string[] }>;
  /** Set while compensating: a call then does not wait for a fresh token (call.ts). */
  compensating: boolean;
  /** 'none' → 'attempting' (pay sent, outcome unclear) → 'passed' (paid): no compensation from 'attempting' on. */
  pivot: 'none' | 'attempting' | 'passed';
  /** The outcome is decided: updates are refused from here on. */
  finished: boolean;
}

export function createRun(input: CheckoutInput): CheckoutRun {
  const deadline = deadlineOf(input, wf.workflowInfo().startTime.getTime());
  const token = { value: input.token, version: 0, waiters: 0 };
  return {
    input,
    deadline,
    status: new Status(input, deadline, () => [token.value]),
    saga: new Saga(),
    token,
    voucherChoice: { spec: input.vouchers, version: 0, bindStarted: false },
    bindAttempts: 0,
    binds: new Map(),
    compensating: false,
    pivot: 'none',
    finished: false,
  };
}
