/**
 * The demo checkout `npm start` and `npm run cluster` print: 2 seats and 2 vouchers of the sandbox's rich user,
 * started through the client and followed step by step until it ends; and the CLI example they print after it.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from './config';
import type { CheckoutClient } from './client';
import { formatResult, ProgressPrinter, workflowUiLink } from './cli-format';
import { FIXTURE } from './sandbox/fixture';
import type { CheckoutRequest } from '../workflows/input';
import type { CheckoutResult } from '../workflows/messages';

/** The demo spends 4 of its user's 5 daily voucher validations (2 pre-checks, 2 bound codes). */
export function demoRequest(): CheckoutRequest {
  return {
    requestId: `demo-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`,
    cinemaId: FIXTURE.cinemas.beijing,
    scheduleId: String(FIXTURE.schedules.beijing),
    seats: FIXTURE.seats.beijing.slice(0, 2),
    token: FIXTURE.tokens.rich,
    vouchers: { codes: FIXTURE.vouchers.rich.unused.slice(0, 2) },
  };
}

export async function runDemo(client: CheckoutClient, config: AppConfig, say: (line: string) => void): Promise<CheckoutResult> {
  const request = demoRequest();
  say('');
  say(`demo checkout   ${request.seats.length} seats, ${'codes' in request.vouchers ? request.vouchers.codes.length : 0} vouchers at cinema ${request.cinemaId}, schedule ${request.scheduleId}`);
  const started = await client.startCheckout(request, { waitForOrder: true });
  say(`  order ${started.orderId} created — workflow ${started.workflowId}`);
  say(`  Web UI: ${workflowUiLink(config, started.workflowId)}`);
  const progress = new ProgressPrinter(say);
  const result = await client.follow(started.workflowId, (status) => progress.update(status), 300);
  say('');
  for (const line of formatResult(result)) say(line);
  say(`  Web UI: ${workflowUiLink(config, started.workflowId)}`);
  return result;
}

/**
 * What `npm start` prints last, and README shows: a checkout for ANOTHER sandbox user ("few", whose quota the
 * demo leaves alone) on two other seats, then a look at the wallet. Works as pasted in a second terminal of the
 * clone (the CLI reads LOCAL_KEYS_FILE); the same request id makes a second paste answer with the same checkout
 * instead of a new one. The token is the sandbox's fake fixture token of that user.
 */
export function cliExample(): string[] {
  const seats = FIXTURE.seats.beijing.slice(2, 4);
  return [
    `export WOMEI_TOKEN=${FIXTURE.tokens.few}   # the sandbox user "few" (a fake fixture token)`,
    `npx womei-checkout start --request-id r1 --cinema ${FIXTURE.cinemas.beijing} --schedule ${FIXTURE.schedules.beijing} \\`,
    `  --seat '${seats[0]}' --seat '${seats[1]}' --voucher ${FIXTURE.vouchers.few.unused[0]} --voucher ${FIXTURE.vouchers.few.unused[1]} --wait`,
    'npx womei-checkout status r1',
    `npx womei-checkout wallet --cinema ${FIXTURE.cinemas.beijing}`,
  ];
}
