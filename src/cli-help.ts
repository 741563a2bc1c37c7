/** The CLI's help texts: the commands, and each command's options. */
import { CHECKOUT_PHASES } from '../workflows/messages';

const TOKEN_OPTIONS = `  --token-env NAME        environment variable holding the user's Womei token (default WOMEI_TOKEN)
  --token-stdin           read the token from standard input instead`;

export const HELP: Record<string, string> = {
  main: `womei-checkout — durable Womei cinema checkouts on Temporal

Usage: womei-checkout <command> [options]

Commands:
  start    start a checkout (idempotent on --request-id)
  status   show where a checkout is (phase, order, vouchers, prices, timeline)
  result   wait for a checkout to end and show its outcome
  list     list checkouts, filtered by phase, cinema, order or request id
  cancel   cancel a checkout (it unbinds its vouchers and releases its order)

  wallet   the user's vouchers, usable first, with expiry (read from Womei)
  account  the user's profile and member cards (read from Womei)
  orders   the user's recent orders and their state (read from Womei)

Run 'womei-checkout <command> --help' for a command's options.
Exit codes: 0 ok/completed, 1 failure, 2 bad usage, 3 compensated, 4 needs attention.
Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE (see README).
Keys: CODEC_KEYS and TOKEN_SEAL_PUBLIC_KEY, or the ones \`npm start\` saved in this clone (LOCAL_KEYS_FILE).
Womei (wallet, account, orders): WOMEI_BASE_URL, WOMEI_TENANT; the token from $WOMEI_TOKEN or --token-stdin.`,
  start: `Usage: womei-checkout start --cinema ID --schedule ID --seat LABEL [--seat LABEL ...]
                           (--voucher CODE [--voucher CODE ...] | --best [--max N]) [options]

  --request-id ID         idempotency key (default: a new random one, printed); the same id never starts twice
  --cinema ID             Womei cinema id (digits)
  --schedule ID           schedule id (digits)
  --seat LABEL            seat as Womei's seatlable {area_no}:{row}:{col}:{seat_no}; repeat per seat
  --voucher CODE          voucher code to bind; repeat per voucher
  --best                  choose the best vouchers in the wallet instead (one per seat)
  --max N                 with --best: at most N vouchers
  --token-env NAME        environment variable holding the user's Womei token (default WOMEI_TOKEN)
  --token-stdin           read the token from standard input instead
  --pay-if-free           pay when the vouchers cover the whole price (tickets are issued)
  --mobile NUMBER         the account's phone number (needed with --pay-if-free)
  --deadline-minutes N    give up (and compensate) after N minutes (default 30)
  --wait                  follow the checkout, a line per step, until it ends
  --json                  machine-readable output`,
  status: `Usage: womei-checkout status <request-id | workflow-id> [--json]`,
  result: `Usage: womei-checkout result <request-id | workflow-id> [--json]   (waits for the end)`,
  list: `Usage: womei-checkout list [--phase PHASE] [--cinema ID] [--order ID] [--request-id ID] [--running | --closed] [--limit N] [--json]
  PHASE is one of ${CHECKOUT_PHASES.join(', ')}`,
  cancel: `Usage: womei-checkout cancel <request-id | workflow-id> [--json]`,
  wallet: `Usage: womei-checkout wallet --cinema ID [--type VGC_T|VGC_P [--schedule ID] [--page N]] [--json]
  Without --type: the whole wallet (user/voucher/list/): usable first, soonest expiry first, then expired,
  disabled and used vouchers. With --type: one page of that voucher type as the app's picker pages it
  (user/vouchers_page, 10 a page; --schedule asks for the vouchers of one schedule).
${TOKEN_OPTIONS}`,
  account: `Usage: womei-checkout account --cinema ID [--json]
  The user's profile (user/info/: nickname, masked phone, membership) and member cards (user/cards/).
${TOKEN_OPTIONS}`,
  orders: `Usage: womei-checkout orders [--offset N] [--pages N] [--json]
  The user's orders at every cinema, newest first (user/orders/, 10 a page), with their state.
${TOKEN_OPTIONS}`,
};
