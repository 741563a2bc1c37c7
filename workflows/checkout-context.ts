/**
 * What the parts of one checkout run share, passed to each explicitly: the parsed input, the deadline, the
 * state (sole owner of the mutable status, token and voucher choice), the step runner every Womei call goes
 * through, and the saga record of what must be undone.
 */
import * as wf from '@temporalio/workflow';
import { deadlineOf } from './input';
import type { CheckoutInput } from './input';
import { Saga } from './compensation';
import { CheckoutState } from './checkout-state';
import { StepRunner } from './checkout-steps';

export interface RunContext {
  readonly input: CheckoutInput;
  /** Epoch ms; fixed at the start so a replay computes the same one. */
  readonly deadline: number;
  readonly state: CheckoutState;
  readonly steps: StepRunner;
  readonly saga: Saga;
}

/** The order of the current round. Its prices are the state's (`state.prices`): kept in one place. */
export interface LiveOrder {
  orderId: string;
}

export function createRunContext(input: CheckoutInput): RunContext {
  const deadline = deadlineOf(input, wf.workflowInfo().startTime.getTime());
  const saga = new Saga();
  const state = new CheckoutState(input, deadline, saga);
  return { input, deadline, state, steps: new StepRunner(input, deadline, state), saga };
}
