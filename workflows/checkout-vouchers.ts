/**
 * The voucher stages of an order round: load the wallet, choose the codes and pre-check each once, then bind
 * them with the long-running retry and verify the order still holds its seats. The pure decisions (which
 * codes, does an answer prove a binding) are vouchers.ts; this is where they meet Womei.
 */
import type { OrderInfo, OrderPrice, VoucherWallet } from '../src/womei/types';
import { ANSWER_LOST_FAILURE_TYPES, REFUSAL_FAILURE_TYPES, TRANSIENT_FAILURE_TYPES } from './policy';
import { checkoutFailure, describeFailure } from './failures';
import {
  bestCandidates,
  checkExplicitCodes,
  maskCode,
  pricesOf,
  pricesOfInfo,
  verifyBinding,
  verifyVoucherUse,
  wantedCount,
} from './vouchers';
import type { LiveOrder, RunContext } from './checkout-context';
import { acts } from './checkout-steps';

export class VoucherStages {
  private wallet: VoucherWallet | undefined;
  /** The voucher spec version the wallet was listed under: a replaced spec lists it again. */
  private walletVersion = -1;
  /** Across all rounds: `maxBindAttempts` bounds the whole checkout, not one order. */
  private bindAttempts = 0;

  constructor(private readonly ctx: RunContext) {}

  async loadWallet(): Promise<VoucherWallet> {
    const { state, steps } = this.ctx;
    const version = state.voucherSpecVersion;
    const wallet = await steps.step('listVouchers', () =>
      acts.listVouchers.executeWithOptions(steps.opts('read', 'list the voucher wallet'), [{ session: steps.session() }]),
    );
    this.wallet = wallet;
    this.walletVersion = version;
    return wallet;
  }

  /**
   * Decide the codes and pre-check each once. Pre-check answers are cached by code for the whole checkout (a
   * validation is never spent twice for the same answer, not even for a new order round). A replaceVouchers
   * update that lands meanwhile restarts the choice; once this returns, binding has started and the update
   * validator refuses.
   */
  async chooseAndPrecheck(order: LiveOrder): Promise<string[]> {
    const { state } = this.ctx;
    for (;;) {
      const version = state.voucherSpecVersion;
      const codes = await this.chooseVouchers(order);
      if (version === state.voucherSpecVersion) {
        state.startBinding();
        return codes;
      }
      state.note(state.phase, 'voucher choice replaced while checking; choosing again');
    }
  }

  private async chooseVouchers(order: LiveOrder): Promise<string[]> {
    const { input, state } = this.ctx;
    state.setPhase('CHOOSING_VOUCHERS');
    if (this.wallet === undefined || this.walletVersion < state.voucherSpecVersion) await this.loadWallet();
    const wallet = this.wallet!;
    const spec = state.voucherSpec;
    const seats = input.seats.length;
    const now = Date.now();
    const want = wantedCount(spec, seats);
    let candidates: string[];
    if ('codes' in spec) {
      const problems = checkExplicitCodes(spec.codes, wallet, now);
      if (problems.length > 0) {
        throw checkoutFailure(
          'VoucherNotUsable',
          `voucher(s) not usable: ${problems.map((p) => `${maskCode(p.code)} ${p.problem}`).join('; ')}`,
        );
      }
      candidates = [...spec.codes];
    } else {
      candidates = bestCandidates(wallet, now);
      if (candidates.length === 0) throw checkoutFailure('VoucherNotUsable', 'no usable voucher in the wallet (unused and unexpired)');
    }

    state.setPhase('PRECHECKING');
    const pre = state.prechecks;
    const chosen: string[] = [];
    let next = 0;
    while (chosen.length < want && next < candidates.length) {
      const wave = candidates.slice(next, next + (want - chosen.length));
      next += wave.length;
      await Promise.all(wave.filter((c) => pre[c] === undefined).map((c) => this.precheck(order, c)));
      for (const c of wave) {
        if (pre[c] === 'NOT_USABLE') {
          if ('codes' in spec) throw checkoutFailure('VoucherNotUsable', `voucher ${maskCode(c)} was refused by the pre-check`);
          continue;
        }
        chosen.push(c);
      }
    }
    if (chosen.length === 0) throw checkoutFailure('VoucherNotUsable', 'none of the wallet vouchers passed the pre-check');
    state.setChosen(chosen);
    state.note('PRECHECKING', `vouchers chosen: ${chosen.map(maskCode).join(', ')}`);
    return chosen;
  }

  private async precheck(order: LiveOrder, code: string): Promise<void> {
    const { state, steps } = this.ctx;
    for (let attempt = 1; ; attempt++) {
      try {
        await steps.step('precheckVoucher', () =>
          acts.precheckVoucher.executeWithOptions(steps.opts('precheck', `pre-check voucher ${maskCode(code)} on order ${order.orderId}`), [
            { session: steps.session(), orderId: order.orderId, voucherCode: code },
          ]),
        );
        state.recordPrecheck(code, 'OK');
        return;
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (f.cancelled) throw err;
        switch (f.type) {
          case 'VoucherNotUsable':
            state.recordPrecheck(code, 'NOT_USABLE');
            return;
          case 'VoucherQuotaExceeded':
          case 'OrderExpired':
          case 'TokenInvalid':
          case 'OrderNotFound':
            throw err;
          case 'WomeiRateLimited':
            // Refused at the gateway, before Womei counted a validation: safe to ask again.
            if (attempt < 3) {
              await steps.backoff('precheckVoucher', attempt, f);
              continue;
            }
            break;
        }
        // Unclear answer (lost, 5xx, garbage): asking again could spend another validation for the same
        // answer. Leave it unchecked; the bind answer is the truth anyway.
        state.recordPrecheck(code, 'UNCHECKED');
        state.note(state.phase, `pre-check of ${maskCode(code)} unclear (${f.type}); leaving it to the bind`);
        return;
      }
    }
  }

  /**
   * Bind with the long-running retry, then verify. Throws OrderExpired for the round loop.
   *
   * An attempt whose answer was lost or unreadable (timeout, network, garbage) may have bound: before binding
   * again, the next attempt reads order/info and, when it proves the binding, takes it (a bind spends
   * validation quota; the same answer is not bought twice). A readable answer that does not prove the binding
   * (BindMismatch) is unbound before trying again. Every attempt, bind or answer check, counts towards
   * maxBindAttempts; the waits between them are durable timers, bounded by the deadline.
   */
  async bindAndVerify(order: LiveOrder, codes: string[]): Promise<void> {
    const { input, state, steps, saga } = this.ctx;
    const { limits } = input;
    if (!saga.find('unbindVouchers', order.orderId)) {
      // Registered before the first bind: a bind that landed but whose answer was lost is still unbound.
      saga.register('unbindVouchers', order.orderId);
    }
    let answerLost = false;
    for (let attempt = 1; ; attempt++) {
      state.setPhase('BINDING');
      this.bindAttempts++;
      if (this.bindAttempts > limits.maxBindAttempts) {
        const last = state.lastError;
        throw checkoutFailure(
          'BindAttemptsExhausted',
          `binding failed ${limits.maxBindAttempts} time(s)${last ? `; last: ${last.type}: ${last.message}` : ''}`,
        );
      }
      try {
        if (answerLost) {
          answerLost = false;
          let info: OrderInfo;
          try {
            info = await steps.orderInfo(order.orderId, 'checkBinding', `check whether the last bind of order ${order.orderId} landed`);
          } catch (err) {
            // Still unknown: check again next time rather than bind blindly.
            if (TRANSIENT_FAILURE_TYPES.includes(describeFailure(err).type)) answerLost = true;
            throw err;
          }
          requirePending(order.orderId, info);
          const problems = verifyVoucherUse(
            { total: info.orderTotalPrice, payment: info.orderPaymentPrice, use: info.voucherUse },
            codes,
          );
          if (problems.length === 0) {
            // order/info has no per-ticket prices: keep the ones this round's pricing found.
            state.acceptBinding(codes, pricesOfInfo(info, state.prices?.ticketPrices ?? []));
            state.note('VERIFYING', `the bind whose answer was lost had landed: order ${order.orderId} shows the ${codes.length} voucher(s)`);
            return;
          }
          if ((info.voucherUse?.useCodes.length ?? 0) > 0) await this.unbindNow(order.orderId);
          state.setPhase('BINDING');
        }

        const before = saga.mayBeBound(order.orderId);
        saga.setMayBeBound(order.orderId, true, codes);
        let price: OrderPrice;
        try {
          price = await steps.step('bindVouchers', () =>
            acts.bindVouchers.executeWithOptions(
              steps.opts('bind', `bind ${codes.length} voucher(s) to order ${order.orderId} (attempt ${this.bindAttempts})`),
              [{ session: steps.session(), orderId: order.orderId, codes }],
            ),
          );
        } catch (err) {
          const t = describeFailure(err).type;
          if (REFUSAL_FAILURE_TYPES.includes(t) && !before) {
            // Womei answered this bind and refused it: the order's voucher choice is unchanged (and nothing was
            // bound before), so there is nothing to unbind.
            saga.setMayBeBound(order.orderId, false);
          }
          if (ANSWER_LOST_FAILURE_TYPES.includes(t)) answerLost = true;
          throw err;
        }
        const problems = verifyBinding(price, codes);
        if (problems.length > 0) {
          state.recordError('bindVouchers', { type: 'BindMismatch', message: problems.join('; '), cancelled: false });
          throw checkoutFailure('BindMismatch', `bind answer does not prove the binding: ${problems.join('; ')}`, false);
        }
        state.setPhase('VERIFYING');
        const info = await steps.orderInfo(order.orderId, 'verifyOrder', `verify order ${order.orderId} is still PENDING`);
        requirePending(order.orderId, info);
        state.acceptBinding(codes, pricesOf(price));
        state.note('VERIFYING', `${codes.length} voucher(s) bound to order ${order.orderId}; ${price.orderPaymentPrice} yuan left to pay`);
        return;
      } catch (err) {
        const f = describeFailure(err, [state.token]);
        if (f.cancelled) throw err;
        if (f.type === 'BindMismatch') {
          await this.unbindNow(order.orderId);
        } else if (!TRANSIENT_FAILURE_TYPES.includes(f.type) && !answerLost) {
          throw err;
        }
        if (this.bindAttempts >= limits.maxBindAttempts) {
          throw checkoutFailure('BindAttemptsExhausted', `binding failed ${limits.maxBindAttempts} time(s); last: ${f.type}: ${f.message}`);
        }
        await steps.backoff('bindVouchers', attempt, f);
      }
    }
  }

  /** Unbind during the forward path (after an unproven bind answer), before trying again. */
  private async unbindNow(orderId: string): Promise<void> {
    const { state, steps, saga } = this.ctx;
    await steps.unbind(orderId, `unbind vouchers from order ${orderId} before binding again`);
    saga.setMayBeBound(orderId, false);
    state.note(state.phase, `vouchers unbound from order ${orderId} after an unproven bind answer`);
  }
}

/** An order that is no longer PENDING cannot take vouchers: lapsed (new round) or, oddly, paid. */
function requirePending(orderId: string, info: OrderInfo): void {
  if (info.status === 'PENDING') return;
  if (info.status === 'SUCCESS' || info.status === 'PROCESSING') {
    throw checkoutFailure('OrderStateUnexpected', `order ${orderId} is ${info.status}, not PENDING`);
  }
  throw checkoutFailure('OrderExpired', `order ${orderId} is ${info.status} (hold lapsed)`);
}
