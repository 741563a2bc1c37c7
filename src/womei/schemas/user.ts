/** The user's endpoints: `user/info/`, `user/cards/` and the order list (`user/orders/`). */
import { z } from 'zod';
import type { MemberCard, UserInfo, UserOrderSummary } from '../types';
import { digitId, money, count, intLike, displayText, emptyAs, emptyAsNull, phpList } from './common';

// ---- user/info/, user/cards/ (§3.14, §3.15) ------------------------------------------------------------------

/** The card object both routes send (user/cards/ adds `is_owner`, `member_benefits`). Only the fields the CLI shows. */
export const memberCardWire = z.object({
  card_id: z.union([count, digitId]).transform(String),
  card_no: z.string(),
  card_name: z.string(),
  card_status: z.string(),
  card_type: z.string(),
  card_balance: money,
  card_score: z.number().nullish(),
  expiration_date: z.string(),
  is_usable: z.boolean(),
});
const toMemberCard = (w: z.output<typeof memberCardWire>): MemberCard => ({
  cardId: w.card_id,
  cardNoMasked: w.card_no,
  name: w.card_name,
  status: w.card_status,
  type: w.card_type,
  balance: w.card_balance,
  score: w.card_score ?? null,
  expires: w.expiration_date,
  usable: w.is_usable,
});

export const userInfoWire = z.object({
  nickname: z.string(),
  phone: z.string(),
  is_member: z.boolean(),
  /** `solid_card: {}` when the user has no card (PHP's empty object). */
  member_info: z.object({ solid_card: emptyAsNull(memberCardWire) }),
});
export const userInfoData = userInfoWire.transform(
  (w): UserInfo => ({
    nickname: w.nickname,
    phoneMasked: w.phone,
    isMember: w.is_member,
    memberCard: w.member_info.solid_card === null ? null : toMemberCard(w.member_info.solid_card),
  }),
);

export const userCardsWire = z.object({ solid_card: emptyAs([], z.array(memberCardWire)) });
export const userCardsData = emptyAs({ solid_card: [] }, userCardsWire).transform((w): MemberCard[] => w.solid_card.map(toMemberCard));

// ---- /ticket/{tenant}/user/orders/ -------------------------------------------------------------------------

export const userOrderWire = z.object({
  order_id: digitId,
  movie_name: displayText,
  status: z.string().min(1),
  status_desc: displayText,
  cinema_name: displayText,
  show_date: displayText,
  ticket_num: intLike,
  hall_name: displayText,
  seat_info: displayText,
});
export const userOrdersWire = z.object({
  orders: phpList(userOrderWire),
  /** Only in client code, never captured: absent means "no more" (the client then echoes the offset sent). */
  next_offset: intLike.optional(),
});
export const userOrdersData = emptyAs({ orders: [] }, userOrdersWire).transform((w) => ({
  orders: w.orders.map(
    (o): UserOrderSummary => ({
      orderId: o.order_id,
      movieName: o.movie_name,
      status: o.status,
      statusDesc: o.status_desc,
      cinemaName: o.cinema_name,
      showDate: o.show_date,
      ticketNum: o.ticket_num,
      hallName: o.hall_name,
      seatInfo: o.seat_info,
    }),
  ),
  nextOffset: w.next_offset,
}));
