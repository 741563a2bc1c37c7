/** The order's endpoints: create (`order/ticket/`), price and bind (`order/change/`), `order/info/`, payment, cancel. */
import { z } from 'zod';
import type { CreatedOrder, OrderInfo, OrderPrice, PaymentQuery, PaymentStarted, VoucherUse } from '../types';
import { digitId, shortId, money, count, intLike, unixSeconds, displayText, voucherCode, emptyAs, emptyAsNull, phpList } from './common';

// ---- order/ticket/ -----------------------------------------------------------------------------------------

export const createOrderWire = z.object({ order_id: digitId, server_time: unixSeconds });
export const createOrderData = createOrderWire.transform(
  (w): CreatedOrder => ({ orderId: w.order_id, serverTime: w.server_time }),
);

// ---- order/change/ -----------------------------------------------------------------------------------------

export const voucherUseWire = z.object({
  use_num: intLike,
  use_codes: phpList(voucherCode),
  use_total_price: money,
  /** One amount per code, in the order of `use_codes` (`[35.9, 35.9]`). */
  use_detail: phpList(money),
  extra_price: money,
});

const toVoucherUse = (w: Omit<z.output<typeof voucherUseWire>, 'extra_price'> & { extra_price?: number }): VoucherUse => ({
  useNum: w.use_num,
  useCodes: w.use_codes,
  useTotalPrice: w.use_total_price,
  useDetail: w.use_detail,
  // order/info/'s voucher_use was captured without extra_price; Womei then adds nothing on top.
  extraPrice: w.extra_price ?? 0,
});

export const orderPriceWire = z
  .object({
    order_id: digitId,
    order_total_price: money,
    order_payment_price: money,
    ticket_total_price: money,
    ticket_payment_total_price: money,
    /** One price per ticket, always a list (`[49]`, `[35.9,35.9]`), never one number (§3.7). */
    ticket_single_price: phpList(money),
    ticket_num: intLike,
    voucher_use: emptyAsNull(voucherUseWire),
    voucher_discounts: phpList(voucherCode),
  })
  .superRefine((w, ctx) => {
    if (w.ticket_single_price.length !== w.ticket_num) {
      ctx.addIssue({
        code: 'custom',
        path: ['ticket_single_price'],
        message: `expected one price per ticket (ticket_num ${w.ticket_num}), got ${w.ticket_single_price.length}`,
      });
    }
  });
export const orderPriceData = orderPriceWire.transform(
  (w): OrderPrice => ({
    orderId: w.order_id,
    orderTotalPrice: w.order_total_price,
    orderPaymentPrice: w.order_payment_price,
    ticketTotalPrice: w.ticket_total_price,
    ticketPaymentTotalPrice: w.ticket_payment_total_price,
    ticketPrices: w.ticket_single_price,
    ticketNum: w.ticket_num,
    voucherUse: w.voucher_use === null ? null : toVoucherUse(w.voucher_use),
    voucherDiscounts: w.voucher_discounts,
  }),
);

// ---- order/info/ -------------------------------------------------------------------------------------------

export const orderInfoVoucherUseWire = voucherUseWire.extend({
  extra_price: money.optional(),
  use_total_desc: displayText,
});

/** `area_id` was captured as a digit string; a number is read as its digits. */
export const areaSeatWire = z.object({ area_id: z.union([digitId, count.transform(String)]), seat: z.string() });

export const orderInfoWire = z.object({
  order_id: digitId,
  status: z.string().min(1),
  status_desc: displayText,
  cinema_id: shortId,
  order_total_price: money,
  order_payment_price: money,
  ticket_total_price: money,
  ticket_code: z.string(),
  ticket_code_arr: phpList(z.object({ name: displayText, code: z.string() })),
  voucher_use: emptyAsNull(orderInfoVoucherUseWire),
  ticket_items: z.object({
    ticket_num: intLike,
    schedule_id: intLike,
    /** `10排12座`, several seats joined by ` | ` (read to count the seats of a lost order). */
    seat_info: z.string(),
    hall_name: displayText,
    /** Captured one entry per seat (`{area_id:"10014", seat:"10排12座"}`); absent reads as "seats unknown". */
    area_seats: emptyAs([], z.array(areaSeatWire)).optional(),
  }),
  pay_time: displayText,
  movie_name: displayText,
  show_date: displayText,
});
export const orderInfoData = orderInfoWire.transform(
  (w): OrderInfo => ({
    orderId: w.order_id,
    status: w.status,
    statusDesc: w.status_desc,
    cinemaId: w.cinema_id,
    orderTotalPrice: w.order_total_price,
    orderPaymentPrice: w.order_payment_price,
    ticketTotalPrice: w.ticket_total_price,
    ticketCode: w.ticket_code,
    ticketCodes: w.ticket_code_arr,
    voucherUse:
      w.voucher_use === null
        ? null
        : { ...toVoucherUse(w.voucher_use), ...(w.voucher_use.use_total_desc === '' ? {} : { useTotalDesc: w.voucher_use.use_total_desc }) },
    ticketItems: {
      ticketNum: w.ticket_items.ticket_num,
      scheduleId: w.ticket_items.schedule_id,
      seatInfo: w.ticket_items.seat_info,
      hallName: w.ticket_items.hall_name,
      areaSeats: (w.ticket_items.area_seats ?? []).map((a) => ({ areaId: a.area_id, seat: a.seat })),
    },
    payTime: w.pay_time,
    movieName: w.movie_name,
    showDate: w.show_date,
  }),
);

// ---- payment -----------------------------------------------------------------------------------------------

export const paymentWire = z.object({ order_id: digitId, pay_type: z.string().min(1), total_fee: money, total_price: money });
export const paymentData = paymentWire.transform(
  (w): PaymentStarted => ({ orderId: w.order_id, payType: w.pay_type, totalFee: w.total_fee, totalPrice: w.total_price }),
);

export const paymentQueryWire = z.object({ order_id: digitId, status: z.string().min(1), msg: displayText });
export const paymentQueryData = paymentQueryWire.transform(
  (w): PaymentQuery => ({ orderId: w.order_id, status: w.status, msg: w.msg }),
);

// ---- the assumed cancel route -------------------------------------------------------------------------------

/** Success is the envelope; `data` is not read. */
export const ignoredData = z.unknown();
