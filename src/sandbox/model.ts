/** The sandbox's in-memory world. Money is kept in integer fen and converted to yuan only on the wire. */
import type { ORDER_STATUS } from '../womei/catalogue';

export interface Cinema {
  cinemaId: string;
  name: string;
  address: string;
  cityId: string;
  cityName: string;
  cityPinyin: string;
  areaId: string;
  areaName: string;
  longitude: string;
  latitude: string;
  /** `ticket_bis_fee` shown by `order/change/`; it never changed totals in captures. */
  bisFeeFen: number;
}

export interface Movie {
  movieId: number;
  name: string;
  enName: string;
  language: string;
  showType: string;
  poster: string;
  durationMin: number;
  director: string;
  actor: string;
  score: string;
  tags: string;
  country: string;
  /** Release date, `YYYY-MM-DD` (movies/ `date`). */
  releaseDate: string;
  /** Post-credits scenes (彩蛋): movies/ `egg_num`; order/info/ shows `""` for none. */
  eggNum: number;
}

export interface Seat {
  areaNo: string;
  row: string;
  col: string;
  seatNo: string;
  x: number;
  y: number;
  /** 0 normal, 1/2 the halves of a couple seat. */
  type: number;
}

/** A seat's `seatlable` part, `areaNo:row:col:seatNo` (what `order/ticket/` takes and the ledger shows). */
export const seatLabel = (s: Pick<Seat, 'areaNo' | 'row' | 'col' | 'seatNo'>): string => `${s.areaNo}:${s.row}:${s.col}:${s.seatNo}`;

export interface HallArea {
  areaNo: string;
  areaName: string;
  seats: Seat[];
}

export interface Hall {
  hallId: string;
  cinemaId: string;
  hallNo: string;
  hallName: string;
  areas: HallArea[];
}

export interface Schedule {
  scheduleId: number;
  cinemaId: string;
  movieId: number;
  hallId: string;
  /** Unix seconds of the show start. */
  showTime: number;
  /** One price per ticket for WECHAT (the "single price" of the cinema in the captures). */
  priceFen: number;
  memberPriceFen: number;
}

export interface MemberCard {
  cardId: number;
  cardNo: string;
  cardName: string;
  balanceFen: number;
  /** The card's grade in the cinema chain's card catalogue (`card_grade_id`). */
  gradeId: number;
  /** Unix seconds; `expiration_date` and `expire_day` are derived from it. */
  expireTime: number;
  /** Where the card was opened (`open_cinema_name`). */
  openCinemaId: string;
}

export interface User {
  userId: string;
  nickname: string;
  /** Unmasked; the account's `order_phone`. */
  phone: string;
  card: MemberCard | null;
}

export type VoucherState = 'unused' | 'used' | 'disabled';

export interface Voucher {
  code: string;
  password: string;
  name: string;
  /** Wallet owner; null for a code not yet added to any wallet (`user/voucher/add/`). */
  ownerId: string | null;
  /** Unix seconds. An `unused` voucher past this time is expired but still listed as unused (see views). */
  expireTime: number;
  state: VoucherState;
  /** When it entered the wallet (unix seconds). */
  bindTime: number;
  useTime: number;
  /** The paid order that consumed it. Binding never sets this; only payment does. */
  consumedBy: string | null;
}

/** The wire's status strings (womei/catalogue.ts), so the sandbox cannot invent one the client does not know. */
export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];

export interface OrderChoice {
  payType: 'WECHAT' | 'MEMBER';
  discountType: '' | 'MARKETING' | 'TP_VOUCHER';
  cardId: string;
  /** Codes currently applied, in the order they were sent. Kept after the order dies so the ledger can tell. */
  codes: string[];
}

export interface Order {
  orderId: string;
  userId: string;
  cinemaId: string;
  scheduleId: number;
  seats: Seat[];
  createdAt: number;
  expiresAt: number;
  status: OrderStatus;
  /** Why a CANCEL order is dead. */
  cancelReason: 'expired' | 'cancelled' | null;
  /** Womei refuses voucher calls until the order had one `order/change/` (docs/womei-api.md §4). */
  priced: boolean;
  choice: OrderChoice | null;
  paidAt: number | null;
  issuedAt: number | null;
  ticketCode: string;
  verifyCode: string;
  /** Codes consumed by payment (frozen at payment time). */
  paidCodes: string[];
  /** Every code any `order/change/` ever applied to this order, first-applied first (the ledger's history). */
  codesEverBound: string[];
}
