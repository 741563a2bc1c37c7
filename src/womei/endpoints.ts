/**
 * One source of truth for Womei's routes (docs/womei-api.md §3). `path` is also the endpoint name used in error
 * messages and by the sandbox's fault rules. The sandbox serves every route here as captured; the client
 * (client.ts) has methods only for the ones the checkout and the operator CLI call. Trailing slashes are exactly
 * as captured: a few routes have none, and the real server answers `url not found` when one is added or dropped.
 */

/**
 * Where a path hangs off the base URL:
 * - `cinema`: `/ticket/{tenant}/cinema/{cinemaId}/{path}` (almost everything)
 * - `tenant`: `/ticket/{tenant}/{path}`
 * - `ticket`: `/ticket/{path}` (no tenant, no cinema)
 * - `qrgoods`: the goods service, `/qrgoods/api/{path}` with the cinema id inserted before the path's last
 *   segment: `goods/list/routine/` → `/qrgoods/api/goods/list/{cinemaId}/routine/`. The path without the id is
 *   the endpoint name, the same one the sandbox logs and matches fault rules on.
 */
export type EndpointScope = 'cinema' | 'tenant' | 'ticket' | 'qrgoods';

/**
 * What the body of an answer is (docs/womei-api.md §1.3):
 * - `envelope`: Womei's `{ret, sub, msg, data}` (every ticket route but one)
 * - `goodsEnvelope`: the goods service's `{code, msg, data}`
 * - `empty`: HTTP 200 with an empty body and no envelope at all (`vcc/activity/gift/`)
 */
export type ResponseBody = 'envelope' | 'goodsEnvelope' | 'empty';

export interface EndpointDef {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly scope: EndpointScope;
  readonly body: ResponseBody;
}

const get = (path: string, scope: EndpointScope = 'cinema', body: ResponseBody = 'envelope'): EndpointDef => ({ path, method: 'GET', scope, body });
const post = (path: string, scope: EndpointScope = 'cinema', body: ResponseBody = 'envelope'): EndpointDef => ({ path, method: 'POST', scope, body });

export const WOMEI_ENDPOINTS = {
  createOrder: post('order/ticket/'),
  orderInfo: get('order/info/'),
  changeOrder: post('order/change/'),
  voucherPrice: post('order/voucher/price/'),
  payment: post('order/payment/'),
  orderTemplate: post('order/template/'),
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
  memberCardAutoSolid: post('member/card/auto_solid/'),
  checkPhone: post('user/check_phone/', 'tenant'),
  cities: get('citys/', 'tenant'),
  cinemaInfo: get('info/'),
  movies: get('movies/'),
  shows: get('shows/'),
  hallInfo: get('hall/info/'),
  hallSaleable: get('hall/saleable/'),
  ads: get('ads/'),
  publicNotice: get('public_notice/'),
  vccActivity: get('vcc/activity/'),
  vccActivityGift: get('vcc/activity/gift/', 'cinema', 'empty'),
  goodsList: get('goods/list/routine/', 'qrgoods', 'goodsEnvelope'),
} as const satisfies Record<string, EndpointDef>;

export type WomeiEndpointName = keyof typeof WOMEI_ENDPOINTS;

/** The assumed cancel route (not in the real API): POST, cinema-scoped, path from configuration. */
export function cancelEndpoint(cancelPath: string): EndpointDef {
  return post(cancelPath.replace(/^\/+/, ''));
}

/** Whether the cinema id becomes a path segment (so it must be digits before anything is sent). */
export function scopeHasCinema(scope: EndpointScope): boolean {
  return scope === 'cinema' || scope === 'qrgoods';
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
    case 'qrgoods': {
      // The last segment, with its trailing slash: `routine/` of `goods/list/routine/`.
      const last = /[^/]+\/?$/.exec(endpoint.path)?.[0] ?? '';
      return `qrgoods/api/${endpoint.path.slice(0, endpoint.path.length - last.length)}${cinemaId}/${last}`;
    }
  }
}
