/**
 * Maps a request path to a route the way Womei's gateway does: exact paths, trailing slashes significant, the
 * wrong method or an extra slash is simply not a route (`url not found`).
 */
import type { EndpointScope } from '../womei/endpoints';
import { CATALOGUE_ROUTES } from './routes/catalogue';
import type { RouteDef } from './routes/common';
import { CANCEL_ROUTE, ORDER_ROUTES } from './routes/orders';
import { USER_ROUTES } from './routes/user';
import { VOUCHER_ROUTES } from './routes/vouchers';

export const ALL_ROUTES: readonly RouteDef[] = [...ORDER_ROUTES, ...VOUCHER_ROUTES, ...USER_ROUTES, ...CATALOGUE_ROUTES];

export interface ResolvedRoute {
  /** `route.endpoint.path` is the endpoint name for logs and fault rules (`goods/list/routine/` for goods). */
  route: RouteDef;
  cinemaId: string | null;
}

const CINEMA_PATH = /^\/ticket\/([^/]+)\/cinema\/(\d+)\/(.+)$/;
const GOODS_PATH = /^\/qrgoods\/api\/goods\/list\/(\d+)\/routine\/$/;

export function resolveRoute(method: string, pathname: string, opts: { tenant: string; cancelRoute: boolean }): ResolvedRoute | null {
  const routes = opts.cancelRoute ? [...ALL_ROUTES, CANCEL_ROUTE] : ALL_ROUTES;
  const find = (scope: EndpointScope, path: string) =>
    routes.find(({ endpoint: e }) => e.scope === scope && e.path === path && e.method === method);

  const goods = GOODS_PATH.exec(pathname);
  if (goods) {
    // The endpoint's path is the goods URL without the cinema id (see `routePath` in womei/endpoints.ts).
    const route = find('qrgoods', 'goods/list/routine/');
    return route ? { route, cinemaId: goods[1] ?? null } : null;
  }
  const cinema = CINEMA_PATH.exec(pathname);
  if (cinema) {
    const [, tenant, cinemaId, rest] = cinema;
    const route = tenant === opts.tenant && rest !== undefined ? find('cinema', rest) : undefined;
    return route ? { route, cinemaId: cinemaId ?? null } : null;
  }
  if (!pathname.startsWith('/ticket/')) return null;
  const rest = pathname.slice('/ticket/'.length);
  const ticketRoute = find('ticket', rest);
  if (ticketRoute) return { route: ticketRoute, cinemaId: null };
  const prefix = `${opts.tenant}/`;
  if (!rest.startsWith(prefix)) return null;
  const tenantRoute = find('tenant', rest.slice(prefix.length));
  return tenantRoute ? { route: tenantRoute, cinemaId: null } : null;
}
