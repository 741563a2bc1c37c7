/**
 * Patch id of the lean checkout shape (docs/performance.md, "Plan for the workflow"): the codes are bound without a
 * pre-check (pre-checks only name the code of a bind refused as VoucherNotUsable), a bind answer that proves the
 * binding is the verification (no `order/info/` read unless a bind answer was lost or unclear), and the
 * `CheckoutPhase` search attribute moves at milestones only. One id for the three changes on purpose: the SDK
 * records a marker and upserts the `TemporalChangeVersion` search attribute for every patch id a run takes, so
 * three ids would add three history events and visibility writes to every checkout, the cost the milestone change
 * removes. A history from before it replays the old shape throughout (its first use is the first phase change).
 */
import * as wf from '@temporalio/workflow';

export const LEAN_SHAPE = 'lean-checkout-shape';

export function leanShape(): boolean {
  return wf.patched(LEAN_SHAPE);
}
