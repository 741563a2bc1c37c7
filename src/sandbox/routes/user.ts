/** Account routes: profile, member cards, the order list (used to find an order whose create answer was lost). */
import { z } from 'zod';
import { WOMEI_ENDPOINTS as E } from '../../womei/endpoints';
import { cardView, orderSummaryView, userInfoView } from '../views';
import { ok } from '../wire';
import { parseFields, type RouteCtx, type RouteDef } from './common';

const ORDERS_PAGE_SIZE = 10;

/**
 * All of the user's orders at every cinema, newest first, 10 a page. ASSUMPTION (only the client code is
 * known): `next_offset` is the offset of the next page, or the offset sent when there is no further page.
 */
function orders(ctx: RouteCtx) {
  const p = parseFields(z.object({ offset: z.coerce.number().int().min(0).default(0) }), ctx.query);
  const mine = [...ctx.store.orders.values()]
    .filter((o) => o.userId === ctx.user.userId)
    // Ids grow with time, so they break ties within one second.
    .sort((a, b) => b.createdAt - a.createdAt || b.orderId.localeCompare(a.orderId));
  const pageItems = mine.slice(p.offset, p.offset + ORDERS_PAGE_SIZE);
  const more = p.offset + pageItems.length < mine.length;
  return ok({ orders: pageItems.map((o) => orderSummaryView(ctx.store, o)), next_offset: more ? p.offset + pageItems.length : p.offset });
}

export const USER_ROUTES: RouteDef[] = [
  {
    endpoint: E.userInfo,
    handler: (ctx) => {
      parseFields(z.object({ version: z.string().optional(), fact: z.enum(['Y', '']).optional() }), ctx.query);
      return ok(userInfoView(ctx.store, ctx.user));
    },
  },
  {
    endpoint: E.userCards,
    handler: (ctx) => ok({ solid_card: ctx.user.card ? [{ ...cardView(ctx.store, ctx.user.card), is_owner: 'Y', member_benefits: [] }] : [] }),
  },
  { endpoint: E.userOrders, handler: orders },
  { endpoint: E.checkPhone, handler: () => ok({ is_bind: true }) },
  {
    endpoint: E.memberCardAutoSolid,
    handler: (ctx) => ok({ normal_use: ctx.user.card !== null, go_bind_card: false, go_open_card: false }),
  },
];
