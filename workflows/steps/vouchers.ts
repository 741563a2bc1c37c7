/**
 * The voucher choice: list the wallet, choose the codes (explicit ones checked in the wallet, or the best
 * ones), and either leave them to the bind (bind first: the bind validates each code anyway) or pre-check each
 * code once (runs from before the lean shape, shape.ts, and after a refused bind, to name the culprit). Nothing here changes
 * Womei's side, so there is nothing to undo; binding the chosen codes is binding.ts. The pure decisions are
 * voucher-rules.ts.
 */
import type { VoucherWallet } from '../../src/womei/types';
import { traitsOf } from '../../src/failure-types';
import { backoff, call } from '../call';
import { checkoutFailure, describeFailure } from '../failures';
import type { CheckoutRun } from '../run';
import { bestCandidates, checkExplicitCodes, maskCode, wantedCount } from '../voucher-rules';

/** Pre-check attempts of one code refused at the gateway (429): asking again spends no validation. */
const MAX_PRECHECK_ATTEMPTS = 3;

/** Lists the wallet under the current voucher choice (started beside the create: it needs no order). */
export async function loadWallet(run: CheckoutRun): Promise<VoucherWallet> {
  const version = run.voucherChoice.version;
  const listed = await call(run, 'listVouchers', {}, 'list the voucher wallet');
  run.wallet = { listed, version };
  return listed;
}

/** `precheck`: pre-check each chosen code before binding; without it the codes go to the bind unchecked. */
export type ChoiceMode = { precheck: boolean };

/**
 * Decides the codes, and with `precheck` pre-checks each once. Pre-check answers are cached by code for the
 * whole checkout (a validation is never spent twice for the same answer, not even for a new order round), and a
 * cached refusal rules a code out in both modes. A replaceVouchers update that lands meanwhile restarts the
 * choice; once this returns, binding has started and the update is refused.
 */
export async function chooseVouchers(run: CheckoutRun, orderId: string, mode: ChoiceMode): Promise<string[]> {
  const choice = run.voucherChoice;
  for (;;) {
    const version = choice.version;
    const codes = await chooseOnce(run, orderId, mode);
    if (version === choice.version) {
      choice.bindStarted = true;
      return codes;
    }
    run.status.note(run.status.phase, 'voucher choice replaced while checking; choosing again');
  }
}

async function chooseOnce(run: CheckoutRun, orderId: string, mode: ChoiceMode): Promise<string[]> {
  const { status } = run;
  status.setPhase('CHOOSING_VOUCHERS');
  if (run.wallet === undefined || run.wallet.version < run.voucherChoice.version) await loadWallet(run);
  const wallet = run.wallet!.listed;
  const spec = run.voucherChoice.spec;
  const now = Date.now();
  const want = wantedCount(spec, run.input.seats.length);
  let candidates: string[];
  if ('codes' in spec) {
    const problems = checkExplicitCodes(spec.codes, wallet, now);
    if (problems.length > 0) {
      throw checkoutFailure('VoucherNotUsable', `voucher(s) not usable: ${problems.map((p) => `${maskCode(p.code)} ${p.problem}`).join('; ')}`);
    }
    candidates = [...spec.codes];
  } else {
    candidates = bestCandidates(wallet, now);
    if (candidates.length === 0) throw checkoutFailure('VoucherNotUsable', 'no usable voucher in the wallet (unused and unexpired)');
  }
  if (!mode.precheck) return chooseUnchecked(run, 'codes' in spec, candidates, want);

  status.setPhase('PRECHECKING');
  const pre = status.vouchers.prechecks;
  const chosen: string[] = [];
  let next = 0;
  while (chosen.length < want && next < candidates.length) {
    const wave = candidates.slice(next, next + (want - chosen.length));
    next += wave.length;
    await Promise.all(wave.filter((c) => pre[c] === undefined).map((c) => precheck(run, orderId, c)));
    for (const c of wave) {
      if (pre[c] === 'NOT_USABLE') {
        if ('codes' in spec) throw checkoutFailure('VoucherNotUsable', `voucher ${maskCode(c)} was refused by the pre-check`);
        continue;
      }
      chosen.push(c);
    }
  }
  if (chosen.length === 0) throw checkoutFailure('VoucherNotUsable', 'none of the wallet vouchers passed the pre-check');
  status.vouchers.chosen = chosen;
  status.note('PRECHECKING', `vouchers chosen: ${chosen.map(maskCode).join(', ')}`);
  return chosen;
}

/**
 * Bind first: the wanted codes go to the bind unchecked (it validates each code, so a pre-check would spend a
 * second validation on the same answer). Only a code a pre-check has already refused in this checkout is
 * ruled out: an explicit one ends the checkout, a `best` one is skipped.
 */
function chooseUnchecked(run: CheckoutRun, explicit: boolean, candidates: readonly string[], want: number): string[] {
  const { status } = run;
  const pre = status.vouchers.prechecks;
  if (explicit) {
    const refused = candidates.slice(0, want).find((c) => pre[c] === 'NOT_USABLE');
    if (refused !== undefined) throw checkoutFailure('VoucherNotUsable', `voucher ${maskCode(refused)} was refused by the pre-check`);
  }
  const chosen = candidates.filter((c) => pre[c] !== 'NOT_USABLE').slice(0, want);
  if (chosen.length === 0) throw checkoutFailure('VoucherNotUsable', 'none of the wallet vouchers passed the pre-check');
  status.vouchers.chosen = chosen;
  status.note(status.phase, `vouchers chosen: ${chosen.map(maskCode).join(', ')} (bound without a pre-check)`);
  return chosen;
}

/** One code's pre-check, recorded as OK, NOT_USABLE or UNCHECKED; throws only what stops the checkout. */
async function precheck(run: CheckoutRun, orderId: string, code: string): Promise<void> {
  const { status } = run;
  const prechecks = status.vouchers.prechecks;
  for (let attempt = 1; ; attempt++) {
    try {
      await call(run, 'precheckVoucher', { orderId, voucherCode: code }, `pre-check voucher ${maskCode(code)} on order ${orderId}`);
      prechecks[code] = 'OK';
      return;
    } catch (err) {
      const f = describeFailure(err, [run.token.value]);
      if (f.cancelled) throw err;
      const t = traitsOf(f.type);
      if (t.voucherRefused) {
        prechecks[code] = 'NOT_USABLE';
        return;
      }
      if (t.stopsPrecheck) throw err;
      // Refused before Womei counted a validation, and passing: safe to ask again.
      if (t.nothingApplied && t.transient && attempt < MAX_PRECHECK_ATTEMPTS) {
        await backoff(run, 'precheckVoucher', attempt, f);
        continue;
      }
      // Unclear answer (lost, 5xx, garbage): asking again could spend another validation for the same answer.
      // Leave it unchecked; the bind answer is the truth anyway.
      prechecks[code] = 'UNCHECKED';
      status.note(status.phase, `pre-check of ${maskCode(code)} unclear (${f.type}); leaving it to the bind`);
      return;
    }
  }
}
