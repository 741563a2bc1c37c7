/**
 * Response `data` bodies used to check parsing and to feed the canned server. Every one that a real capture
 * exists for IS that capture (test/contract/womei-samples); the two without one are built from a real body
 * and say so.
 */
import { sampleData } from '../contract/samples';

type Body = Record<string, unknown>;
const body = (file: string) => sampleData(file) as Body;
const list = (file: string) => sampleData(file) as Body[];

/** The order of the captured 1-seat checkout at cinema 9647 (H1659). */
export const ORDER_ID = '250624153810000654';

export const createOrder = body('order-ticket-success-1seat.json');

/** 1 ticket, WECHAT, no voucher (cinema 9647): 49 to pay, `ticket_single_price: [49]`. */
export const priceNoVoucher = body('order-change-init-wechat-marketing.json');

/** 1 ticket fully covered by 1 voucher (cinema 9647): 49 → 0. */
export const priceOneVoucher = body('order-change-voucher-1of1-full.json');

/** 1 ticket at the member-card price (38). */
export const priceMemberCard = body('order-change-member-card.json');

/**
 * 2 tickets at 35.9, 2 vouchers comma-joined (cinema 400303). No byte-exact body of it is in the repo: this is
 * the real 1-voucher body with the figures docs/womei-api.md §3.7 records for that capture.
 */
export const priceTwoVouchers = {
  ...priceOneVoucher,
  order_total_price: 71.8,
  order_unfee_total_price: 71.8,
  order_payment_price: 0,
  ticket_total_price: 71.8,
  ticket_unfee_total_price: 71.8,
  ticket_payment_total_price: 0,
  ticket_single_price: [35.9, 35.9],
  ticket_num: 2,
  fee_ticket_num: 2,
  voucher_use: {
    use_num: 2,
    use_codes: ['GZJY01003062558469', 'GZJY01002948416827'],
    use_total_price: 71.8,
    use_detail: [35.9, 35.9],
    extra_price: 0,
    extra_detail: [],
  },
  voucher_discounts: ['GZJY01003062558469', 'GZJY01002948416827'],
};

export const orderInfoPending = body('order-info-pending-1ticket.json');
export const orderInfoIssued = body('order-info-success-voucher-paid.json');

/** The wallet: 2 unused (GZJY01002948425042 first), 0 used, 46 disabled. */
export const wallet = body('user-voucher-list-large.json');
/** A flat VGC_T list of 48: UN_USE and DISABLED items. */
export const typedVouchers = list('user-vouchers-vgc_t-large.json');
/** Page 1 of 5 of the same list. */
export const voucherPage = body('user-vouchers_page-vgc_t-multi-page.json');

export const voucherPrice = body('order-voucher-price-success.json');

/**
 * `/ticket/{tenant}/user/orders/`: known only from client code, never captured. Built from the captured
 * order's own `order/info/` values, with `seat_info` in the multi-seat form (`5排8座 | 5排9座`) the 2-seat
 * captures show.
 */
export const userOrders = {
  orders: [
    {
      order_id: ORDER_ID,
      movie_name: '碟中谍8：最终清算',
      status: 'PENDING',
      status_desc: '未支付',
      cinema_name: '北京沃美影城(回龙观店)',
      show_date: '2025-06-24 16:25',
      ticket_num: 2,
      hall_name: '8号ALPD Pro Dolby Atmos杜比厅',
      seat_info: '5排8座 | 5排9座',
    },
  ],
  next_offset: 10,
};

export const payment = body('order-payment-wechat-zero.json');
export const paymentQuery = body('order-query-processing.json');
export const paymentQuerySuccess = body('order-query-success.json');
export const userInfo = body('user-info.json');
export const userCards = body('user-cards.json');
