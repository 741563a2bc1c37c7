/**
 * The demo checkout `npm start` and `npm run cluster` print: 2 seats and 2 vouchers of the sandbox's rich user,
 * started through the client and followed step by step until it ends.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig } from './config';
import type { CheckoutClient } from './client';
import { formatResult, ProgressPrinter, workflowUiLink } from './cli-format';
import { FIXTURE } from './sandbox/fixture';
import type { CheckoutRequest } from '../workflows/input';
import type { CheckoutResult } from '../workflows/messages';

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
