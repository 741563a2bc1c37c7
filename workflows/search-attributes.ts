/**
 * Typed search attribute keys of a checkout. Registered on the dev server at start (scripts and tests) and
 * upserted by the workflow as the checkout moves, so `temporal workflow list --query 'CheckoutPhase="BINDING"'`
 * and the Web UI's filters work. Imported by the workflow, the client and the test harness alike.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CHECKOUT_PHASE = defineSearchAttributeKey('CheckoutPhase', SearchAttributeType.KEYWORD);
export const CHECKOUT_CINEMA_ID = defineSearchAttributeKey('CheckoutCinemaId', SearchAttributeType.KEYWORD);
export const CHECKOUT_ORDER_ID = defineSearchAttributeKey('CheckoutOrderId', SearchAttributeType.KEYWORD);
export const CHECKOUT_REQUEST_ID = defineSearchAttributeKey('CheckoutRequestId', SearchAttributeType.KEYWORD);

export const CHECKOUT_SEARCH_ATTRIBUTES = [CHECKOUT_PHASE, CHECKOUT_CINEMA_ID, CHECKOUT_ORDER_ID, CHECKOUT_REQUEST_ID];
