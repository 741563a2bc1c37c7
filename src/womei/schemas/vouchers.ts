/** The vouchers' endpoints: the pre-check (`order/voucher/price/`), the wallet and its typed pages. */
import { z } from 'zod';
import type { TypedVoucher, VoucherPage, VoucherPriceCheck, VoucherWallet, WalletVoucher } from '../types';
import { money, count, intLike, unixSeconds, displayText, voucherCode, emptyAs, phpList } from './common';

// ---- order/voucher/price/ ----------------------------------------------------------------------------------

export const voucherPriceWire = z.object({ surcharge_price: money, pay_price: money, surcharge_msg: displayText });
export const voucherPriceData = voucherPriceWire.transform(
  (w): VoucherPriceCheck => ({ surchargePrice: w.surcharge_price, payPrice: w.pay_price, surchargeMsg: w.surcharge_msg }),
);

// ---- user/voucher/list/ ------------------------------------------------------------------------------------

export const walletVoucherWire = z.object({
  voucher_code: voucherCode,
  voucher_code_mask: displayText,
  voucher_name: displayText,
  expire_time: unixSeconds,
  expire_time_string: displayText,
  voucher_num: intLike,
  voucher_desc: displayText,
});
const toWalletVoucher = (w: z.output<typeof walletVoucherWire>): WalletVoucher => ({
  voucherCode: w.voucher_code,
  voucherCodeMask: w.voucher_code_mask,
  voucherName: w.voucher_name,
  expireTime: w.expire_time,
  expireTimeString: w.expire_time_string,
  voucherNum: w.voucher_num,
  voucherDesc: w.voucher_desc,
});
const walletList = phpList(walletVoucherWire);

export const voucherWalletWire = z.object({ unused: walletList, used: walletList, disabled: walletList });
export const voucherWalletData = emptyAs({ unused: [], used: [], disabled: [] }, voucherWalletWire).transform(
  (w): VoucherWallet => ({
    unused: w.unused.map(toWalletVoucher),
    used: w.used.map(toWalletVoucher),
    disabled: w.disabled.map(toWalletVoucher),
  }),
);

// ---- user/vouchers_page ---------------------------------------------------------------------------------------

export const typedVoucherWire = z.object({
  voucher_code: voucherCode,
  voucher_code_mask: displayText,
  voucher_name: displayText,
  expire_time: unixSeconds,
  expire_time_string: displayText,
  voucher_desc: displayText,
  bind_time: unixSeconds,
  bind_time_str: displayText,
  use_time: unixSeconds,
  status: z.string().min(1),
  voucher_balance: z.number().nonnegative(),
  voucher_balance_type: displayText,
  voucher_balance_str: displayText,
});
const toTypedVoucher = (w: z.output<typeof typedVoucherWire>): TypedVoucher => ({
  voucherCode: w.voucher_code,
  voucherCodeMask: w.voucher_code_mask,
  voucherName: w.voucher_name,
  expireTime: w.expire_time,
  expireTimeString: w.expire_time_string,
  voucherDesc: w.voucher_desc,
  bindTime: w.bind_time,
  bindTimeStr: w.bind_time_str,
  useTime: w.use_time,
  status: w.status,
  voucherBalance: w.voucher_balance,
  voucherBalanceType: w.voucher_balance_type,
  voucherBalanceStr: w.voucher_balance_str,
});
const typedVoucherList = phpList(typedVoucherWire);

export const voucherPageWire = z.object({
  page: z.object({
    data_total: count,
    total_page: count,
    page_num: count,
    offset_num: count,
    pre_page: count,
    next_page: count,
  }),
  result: typedVoucherList,
});
export const voucherPageData = voucherPageWire.transform(
  (w): VoucherPage => ({
    page: {
      dataTotal: w.page.data_total,
      totalPage: w.page.total_page,
      pageNum: w.page.page_num,
      offsetNum: w.page.offset_num,
      prePage: w.page.pre_page,
      nextPage: w.page.next_page,
    },
    result: w.result.map(toTypedVoucher),
  }),
);
