/**
 * One source of truth for Womei's routes (womei-api.md §3). `path` is also the endpoint name used in error
 * messages and by the sandbox's fault rules. Trailing slashes are exactly as captured: a few routes have none,
 * and the real server answers `url not found` when one is added or dropped.
 */

/**
 * Where a path hangs off the base URL:
 * - `cinema`: `/ticket/{tenant}/cinema/{cinemaId}/{path}` (almost everything)
 * - `tenant`: `/ticket/{tenant}/{path}`
 * - `ticket`: `/ticket/{path}` (no tenant, no cinema)
 */
export type EndpointScope = 'cinema' | 'tenant' | 'ticket';

export interface EndpointDef {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly scope: EndpointScope;
}

const get = (path: string, scope: EndpointScope = 'cinema'): EndpointDef => ({ path, method: 'GET', scope });
const post = (path: string, scope: EndpointScope = 'cinema'): EndpointDef => ({ path, method: 'POST', scope });

export const WOMEI_ENDPOINTS = {
  createOrder: post('order/ticket/'),
  orderInfo: get('order/info/'),
  changeOrder: post('order/change/'),
  voucherPrice: post('order/voucher/price/'),
  payment: post('order/payment/'),
  paymentQuery: post('order/query/'),
  orderSublists: get('order/sublists/info', 'ticket'),
  vccList: get('order/vcc/list/'),
  vccUsableCount: get('order/vcc/usable/count'),
  voucherWallet: get('user/voucher/list/'),
  vouchersByType: get('user/vouchers'),
  vouchersPage: get('user/vouchers_page'),
  addVoucher: post('user/voucher/add/'),
  userOrders: get('user/orders/', 'tenant'),
  userInfo: get('user/info/'),
  userCards: get('user/cards/'),
  cities: get('citys/', 'tenant'),
  cinemaInfo: get('info/'),
  movies: get('movies/'),
  shows: get('shows/'),
  hallInfo: get('hall/info/'),
  hallSaleable: get('hall/saleable/'),
} as const satisfies Record<string, EndpointDef>;

export type WomeiEndpointName = keyof typeof WOMEI_ENDPOINTS;

/** The assumed cancel route (not in the real API): POST, cinema-scoped, path from configuration. */
export function cancelEndpoint(cancelPath: string): EndpointDef {
  return post(cancelPath.replace(/^\/+/, ''));
}

/** Path below the base URL, without a leading slash (ky's `prefixUrl` requires that). */
export function routePath(endpoint: EndpointDef, tenant: string, cinemaId: string): string {
  switch (endpoint.scope) {
    case 'cinema':
      return `ticket/${tenant}/cinema/${cinemaId}/${endpoint.path}`;
    case 'tenant':
      return `ticket/${tenant}/${endpoint.path}`;
    case 'ticket':
      return `ticket/${endpoint.path}`;
  }
}
