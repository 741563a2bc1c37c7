/** Plain-fetch helpers for sandbox tests (deliberately independent of src/womei/client.ts). */
import { FIXTURE, startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../src/sandbox/server';

export { FIXTURE };
export type { RunningSandbox };

export const RICH = FIXTURE.tokens.rich;
export const FEW = FIXTURE.tokens.few;
export const BJ = FIXTURE.cinemas.beijing;
export const BJ_SCHEDULE = String(FIXTURE.schedules.beijing);

export interface WomeiAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: { ret: number; sub: number; msg: string; data: any } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function startTestSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  // Port 0 always: several test files and engineers run sandboxes at the same time.
  return startSandbox({ sweepIntervalMs: 200, ...options, port: 0 });
}

export function cinemaPath(rel: string, cinemaId = BJ): string {
  return `/ticket/wmyc/cinema/${cinemaId}/${rel}`;
}

interface CallOptions {
  token?: string | null;
  query?: Record<string, string>;
  form?: Record<string, string>;
  rawBody?: string;
  headers?: Record<string, string>;
}

export async function call(sb: RunningSandbox, method: 'GET' | 'POST', path: string, o: CallOptions = {}): Promise<WomeiAnswer> {
  const url = new URL(sb.url + path);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const token = o.token === undefined ? RICH : o.token;
  if (token !== null) headers.token = token;
  let body: string | undefined;
  if (method === 'POST') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = o.rawBody ?? new URLSearchParams(o.form ?? {}).toString();
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let parsed: WomeiAnswer['body'];
  try {
    parsed = JSON.parse(text) as WomeiAnswer['body'];
  } catch {
    parsed = { ret: NaN, sub: NaN, msg: '', data: null };
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export const get = (sb: RunningSandbox, rel: string, query: Record<string, string> = {}, token?: string | null) =>
  call(sb, 'GET', rel.startsWith('/') ? rel : cinemaPath(rel), { query, token });

export const post = (sb: RunningSandbox, rel: string, form: Record<string, string> = {}, token?: string | null, query: Record<string, string> = {}) =>
  call(sb, 'POST', rel.startsWith('/') ? rel : cinemaPath(rel), { form, token, query });

export async function createOrder(sb: RunningSandbox, seats: string[] = [FIXTURE.seats.beijing[0] ?? ''], opts: { token?: string; schedule?: string; cinema?: string } = {}): Promise<string> {
  const r = await call(sb, 'POST', cinemaPath('order/ticket/', opts.cinema ?? BJ), {
    token: opts.token ?? RICH,
    form: { seatlable: seats.join('|'), schedule_id: opts.schedule ?? BJ_SCHEDULE },
  });
  if (r.body.sub !== 0) throw new Error(`create failed: ${r.text}`);
  return r.body.data.order_id as string;
}

/** All fields as the mini-program sends them (docs/womei-api.md §3.7). */
export function changeForm(orderId: string, codes: string[] = [], extra: Record<string, string> = {}): Record<string, string> {
  const binding = codes.length > 0;
  return {
    order_id: orderId,
    discount_id: '0',
    discount_type: binding ? 'TP_VOUCHER' : 'MARKETING',
    card_id: '',
    pay_type: 'WECHAT',
    rewards: '[]',
    use_rewards: 'Y',
    use_limit_cards: 'N',
    limit_cards: '[]',
    voucher_code: codes.join(','),
    voucher_code_type: binding ? 'VGC_T' : '',
    ticket_pack_goods: binding ? ' ' : '',
    ...extra,
  };
}

export function change(sb: RunningSandbox, orderId: string, codes: string[] = [], o: { token?: string; cinema?: string; extra?: Record<string, string> } = {}) {
  return call(sb, 'POST', cinemaPath('order/change/', o.cinema ?? BJ), {
    token: o.token ?? RICH,
    query: { version: 'tp_version' },
    form: changeForm(orderId, codes, o.extra),
  });
}

export function orderInfo(sb: RunningSandbox, orderId: string, token: string = RICH, cinema = BJ) {
  return call(sb, 'GET', cinemaPath('order/info/', cinema), { token, query: { version: 'tp_version', order_id: orderId } });
}
