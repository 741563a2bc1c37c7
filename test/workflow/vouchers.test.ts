/** Pure voucher decisions of the workflow (workflows/vouchers.ts): wallet checks, best choice, bind verification in fen. */
import { bestCandidates, checkExplicitCodes, maskCode, pricesOf, pricesOfInfo, verifyBinding, verifyVoucherUse } from '../../workflows/vouchers';
import type { VoucherWallet, WalletVoucher } from '../../src/womei/types';
import { orderInfo, orderPrice } from '../helpers/fake-womei';

const v = (code: string, expireTime: number): WalletVoucher => ({
  voucherCode: code, voucherCodeMask: maskCode(code), voucherName: 'n', expireTime, expireTimeString: '', voucherNum: 1, voucherDesc: '',
});
const NOW = 1_750_000_000_000;
const wallet: VoucherWallet = {
  unused: [v('LATE0001', 1_800_000_000), v('SOON0001', 1_760_000_000), v('GONE0001', 1_700_000_000), v('SOON0000', 1_760_000_000)],
  used: [v('USED0001', 1_800_000_000)],
  disabled: [v('DEAD0001', 1_800_000_000)],
};

test('explicit codes must be unused and unexpired in the wallet', () => {
  expect(checkExplicitCodes(['LATE0001', 'USED0001', 'DEAD0001', 'GONE0001', 'NOPE0001'], wallet, NOW)).toEqual([
    { code: 'USED0001', problem: 'used' },
    { code: 'DEAD0001', problem: 'disabled' },
    { code: 'GONE0001', problem: 'expired' },
    { code: 'NOPE0001', problem: 'not in the wallet' },
  ]);
});

test('best: unexpired, soonest-expiring first, ties by code', () => {
  expect(bestCandidates(wallet, NOW)).toEqual(['SOON0000', 'SOON0001', 'LATE0001']);
});

test('a bind answer proves the binding only when codes, use_num and payment (in fen) all agree', () => {
  const use = { useNum: 2, useCodes: ['A1', 'B2'], useTotalPrice: 71.8, useDetail: [35.9, 35.9], extraPrice: 0 };
  const good = orderPrice({ orderTotalPrice: 71.8, orderPaymentPrice: 0, voucherUse: use, voucherDiscounts: ['A1', 'B2'] });
  expect(verifyBinding(good, ['A1', 'B2'])).toEqual([]);
  // 115.8 − 57.9 = 57.9 exactly in fen (floats would drift).
  const partial = orderPrice({ orderTotalPrice: 115.8, orderPaymentPrice: 57.9, voucherUse: { ...use, useNum: 1, useCodes: ['A1'], useTotalPrice: 57.9 }, voucherDiscounts: ['A1'] });
  expect(verifyBinding(partial, ['A1'])).toEqual([]);
  expect(verifyBinding({ ...good, voucherUse: null }, ['A1', 'B2'])).toHaveLength(1);
  expect(verifyBinding({ ...good, voucherDiscounts: ['A1'] }, ['A1', 'B2']).join()).toMatch(/voucher_discounts lacks/);
  expect(verifyBinding({ ...good, voucherUse: { ...use, useNum: 3 } }, ['A1', 'B2']).join()).toMatch(/use_num/);
  expect(verifyBinding({ ...good, orderPaymentPrice: 0.01 }, ['A1', 'B2']).join()).toMatch(/order_payment_price/);
  expect(verifyVoucherUse({ total: 71.8, payment: 0, use }, ['A1']).join()).toMatch(/unexpected code/);
});

test('prices show one price per ticket, from the pricing answer (order/info has none: the pricing\'s are kept)', () => {
  const priced = pricesOf(orderPrice({ ticketPrices: [35.9, 36], ticketNum: 2, orderTotalPrice: 71.9, orderPaymentPrice: 71.9 }));
  expect(priced).toEqual({ total: 71.9, payment: 71.9, vouchers: 0, ticketPrices: [35.9, 36], ticketNum: 2 });
  const info = orderInfo({ orderTotalPrice: 71.9, orderPaymentPrice: 0, voucherUse: { useNum: 2, useCodes: ['A1', 'B2'], useTotalPrice: 71.9, useDetail: [35.9, 36], extraPrice: 0 } });
  expect(pricesOfInfo(info, priced.ticketPrices)).toEqual({ total: 71.9, payment: 0, vouchers: 71.9, ticketPrices: [35.9, 36], ticketNum: 2 });
});

test('an activity result recorded before per-ticket prices (ticketSinglePrice: 49) still reads, for replay', () => {
  const { ticketPrices: _dropped, ...rest } = orderPrice({ ticketNum: 2 });
  expect(pricesOf({ ...rest, ticketSinglePrice: 49 })).toMatchObject({ ticketPrices: [49, 49], ticketNum: 2 });
});
