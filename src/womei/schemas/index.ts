/**
 * zod schemas of Womei's wire format (docs/womei-api.md §1.3, §3). Each endpoint has a `…Wire` schema (the
 * snake_case shape as sent) and a `…Data` schema that parses the envelope's `data` and turns it into the
 * camelCase contract of `types.ts`. The real bodies in test/contract/womei-samples must all parse.
 *
 * Strict where a wrong value would mislead the checkout (ids, prices, counts, status, voucher codes, ticket
 * codes); tolerant of what it does not read: unknown keys pass (zod objects strip them), display texts may be
 * absent, null or a number, and PHP may send `[]` or `{}` for "empty" (and a list as an object keyed "0", "1"…).
 */
export * from './common';
export * from './order';
export * from './vouchers';
export * from './user';
export * from './catalogue';
