/**
 * The building blocks of Womei's wire format (ids, money, counts, display texts, PHP's empty and keyed lists)
 * and the two envelopes (docs/womei-api.md §1.3), shared by every endpoint's schema in this folder.
 */
import { z } from 'zod';

// ---- building blocks ---------------------------------------------------------------------------------------

/** Order and cinema ids: strings of digits (`"250624153810000654"`, `"9647"`). */
export const DIGITS = /^\d+$/;
export const digitId = z.string().regex(DIGITS, 'expected a string of digits');
/**
 * A short id sent as a digit string in one answer and as a number in another (`cinema_id` is `"9647"` in
 * `order/info/` and `400115` in `hall/info/`), read as its digits. Order ids are never accepted as numbers: 18
 * digits do not survive a JSON number.
 */
export const shortId = z.union([digitId, z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).transform(String)]);
/** Yuan as a JSON number (49, 35.9). z.number() already refuses NaN and Infinity. */
export const money = z.number().nonnegative();
export const count = z.number().int().nonnegative();
/** Some integers arrive as numbers in one place and digit strings in another (`schedule_id`, `ticket_num`). */
export const intLike = z.union([count, digitId.transform(Number)]);
export const unixSeconds = intLike;
/**
 * Text the checkout only shows or ignores (names, descriptions, display dates): absent or null reads as "",
 * a number as its digits, so a cinema that fills one differently cannot stop a checkout.
 */
export const displayText = z
  .union([z.string(), z.number().transform(String)])
  .nullish()
  .transform((v) => v ?? '');
/** An item Womei receives comma-joined (voucher codes, template ids): a comma or whitespace inside would corrupt it. */
export const COMMA_JOINABLE = /^[^\s,]+$/;
export const voucherCode = z.string().regex(COMMA_JOINABLE, 'expected a voucher code (no spaces or commas)');

function isEmptyContainer(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

/** PHP's `json_encode` writes an empty array as `[]` even where an object is meant (and vice versa). */
export function emptyAs<T extends z.ZodType>(empty: z.input<T>, schema: T) {
  return z.preprocess((v) => (isEmptyContainer(v) ? empty : v), schema);
}

/** `voucher_use: {}` means "no voucher": null, never a voucher use of 0. */
export function emptyAsNull<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (isEmptyContainer(v) ? null : v), schema.nullable());
}

/** `{"0":49,"1":49}` → `[49, 49]`: PHP encodes a list whose keys are not 0…n−1 in order as an object. */
function phpListValues(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (!keys.every((k) => /^\d+$/.test(k))) return v;
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => (v as Record<string, unknown>)[k]);
}

/** A list the checkout reads: `[]`, `{}`, or PHP's keyed-object form of a list. */
export function phpList<T extends z.ZodType>(item: T) {
  return z.preprocess(phpListValues, z.array(item));
}

// ---- envelope ----------------------------------------------------------------------------------------------

export const envelopeSchema = z.object({
  ret: z.number().int(),
  sub: z.number().int(),
  msg: z.string(),
  data: z.unknown(),
});
export type Envelope = z.output<typeof envelopeSchema>;

/**
 * The goods service's own envelope (`/qrgoods/…`, §1.3): `{"code":"10006","msg":"暂无卖品","data":[]}`. The code
 * was captured as a string; a number is read as its digits. What each code means: `parseGoodsBody`.
 */
export const goodsEnvelopeSchema = z.object({
  code: z.union([z.string().min(1), z.number().int().transform(String)]),
  msg: z.string(),
  data: z.unknown(),
});
export type GoodsEnvelope = z.output<typeof goodsEnvelopeSchema>;
