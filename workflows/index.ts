/**
 * The worker's workflows module: every export here is registered as a workflow type. Keep it to workflow
 * functions; shared definitions live in messages.ts / input.ts and are imported from there.
 */
export { checkout } from './checkout';
export { orderClaim } from './order-claim';
