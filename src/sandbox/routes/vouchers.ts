/** Voucher wallet routes: the wallet, the typed lists the picker uses, and adding a code to the wallet. */
import { z } from 'zod';
import { WOMEI_ENDPOINTS as E } from '../../womei/endpoints';
import type { Voucher } from '../model';
import { typedItem, walletItem } from '../views';
import { ok } from '../wire';
import { parseFields, reject, type RouteCtx, type RouteDef } from './common';

const PAGE_SIZE = 10;

/** The user's vouchers, newest `bind_time` first (as observed in `vouchers_page`). */
function walletOf(ctx: RouteCtx): Voucher[] {
  return [...ctx.store.vouchers.values()].filter((v) => v.ownerId === ctx.user.userId).sort((a, b) => b.bindTime - a.bindTime);
}

/**
 * ASSUMPTION: an expired voucher that was never used stays in `unused` (its `expire_time` tells); only
 * `disabled` (作废) vouchers move to `disabled`. Callers must check the expiry themselves, as the design asks.
 */
function wallet(ctx: RouteCtx) {
  const all = walletOf(ctx);
  return ok({
    unused: all.filter((v) => v.state === 'unused').map(walletItem),
    used: all.filter((v) => v.state === 'used').map(walletItem),
    disabled: all.filter((v) => v.state === 'disabled').map(walletItem),
  });
}

const typedSchema = z.object({
  voucher_type: z.enum(['VGC_T', 'VGC_P']),
  schedule_id: z.string().regex(/^\d*$/).optional(),
  goods_id: z.string().optional(),
});

/** Consumed vouchers are absent; VGC_P (goods vouchers) was always empty in captures. */
function typedList(ctx: RouteCtx, type: 'VGC_T' | 'VGC_P'): Record<string, unknown>[] {
  if (type === 'VGC_P') return [];
  return walletOf(ctx)
    .filter((v) => v.state !== 'used')
    .map(typedItem);
}

function byType(ctx: RouteCtx) {
  const p = parseFields(typedSchema, ctx.query);
  return ok(typedList(ctx, p.voucher_type));
}

function page(ctx: RouteCtx) {
  const p = parseFields(typedSchema.extend({ page_index: z.coerce.number().int().positive().default(1) }), ctx.query);
  const items = typedList(ctx, p.voucher_type);
  const totalPage = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  const n = p.page_index;
  return ok({
    page: {
      data_total: items.length,
      total_page: totalPage,
      page_num: n,
      offset_num: PAGE_SIZE,
      pre_page: Math.max(1, Math.min(n - 1, totalPage)),
      next_page: Math.min(n + 1, totalPage),
    },
    result: items.slice((n - 1) * PAGE_SIZE, n * PAGE_SIZE),
  });
}

/**
 * Not captured beyond fixture bodies (docs/womei-api.md §3.16). ASSUMPTION: unknown code → 4001, wrong password →
 * 4002, a code in any wallet → 4017; success answers `data: {}`.
 */
function add(ctx: RouteCtx) {
  const p = parseFields(z.object({ voucher_code: z.string().min(1), voucher_password: z.string().min(1), voucher_type: z.string().optional() }), ctx.form);
  const v = ctx.store.vouchers.get(p.voucher_code.trim()) ?? reject('voucherUnknown');
  if (v.password !== p.voucher_password) reject('voucherWrongPassword');
  if (v.ownerId !== null) reject('voucherAlreadyAdded');
  v.ownerId = ctx.user.userId;
  v.bindTime = ctx.store.now();
  return ok({});
}

export const VOUCHER_ROUTES: RouteDef[] = [
  { endpoint: E.voucherWallet, handler: wallet },
  { endpoint: E.vouchersByType, handler: byType },
  { endpoint: E.vouchersPage, handler: page },
  { endpoint: E.addVoucher, handler: add },
];
