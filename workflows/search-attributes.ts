/**
 * Typed search attribute keys of a checkout. Registered on the dev server at start (scripts and tests) and
 * upserted by the workflow as the checkout moves, so `temporal workflow list --query 'CheckoutPhase="BINDING"'`
 * and the Web UI's filters work. Imported by the workflow, the client and the test harness alike.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { CheckoutInput } from './input';

export const CHECKOUT_PHASE = defineSearchAttributeKey('CheckoutPhase', SearchAttributeType.KEYWORD);
export const CHECKOUT_CINEMA_ID = defineSearchAttributeKey('CheckoutCinemaId', SearchAttributeType.KEYWORD);
export const CHECKOUT_ORDER_ID = defineSearchAttributeKey('CheckoutOrderId', SearchAttributeType.KEYWORD);
export const CHECKOUT_REQUEST_ID = defineSearchAttributeKey('CheckoutRequestId', SearchAttributeType.KEYWORD);

export const CHECKOUT_SEARCH_ATTRIBUTES = [CHECKOUT_PHASE, CHECKOUT_CINEMA_ID, CHECKOUT_ORDER_ID, CHECKOUT_REQUEST_ID];

/**
 * What a checkout is findable by from its first moment: set by the client at start (before the first workflow
 * task) and upserted by the workflow (which may be started without our client).
 */
export function startSearchAttributes(input: Pick<CheckoutInput, 'requestId' | 'cinemaId'>): SearchAttributePair[] {
  return [
    { key: CHECKOUT_REQUEST_ID, value: input.requestId },
    { key: CHECKOUT_CINEMA_ID, value: input.cinemaId },
    { key: CHECKOUT_PHASE, value: 'STARTING' },
  ];
}
