/** How a checkout shows in the Web UI: the one-line summary and the details the client starts it with. */
import type { CheckoutInput } from '../workflows/input';

function vouchersText(input: CheckoutInput): string {
  return 'codes' in input.vouchers
    ? `${input.vouchers.codes.length} voucher${input.vouchers.codes.length === 1 ? '' : 's'}`
    : `the best vouchers in the wallet${input.vouchers.max ? ` (at most ${input.vouchers.max})` : ''}`;
}

/** One line the Web UI shows beside the workflow id. */
export function describeCheckout(input: CheckoutInput): string {
  const seats = `${input.seats.length} seat${input.seats.length === 1 ? '' : 's'}`;
  return `Checkout ${seats} with ${vouchersText(input)} at cinema ${input.cinemaId}, schedule ${input.scheduleId}${input.payIfFree ? ', pay if free' : ''}`;
}

/** The details pane (markdown): request, cinema and schedule, seats, vouchers. */
export function detailCheckout(input: CheckoutInput): string {
  return [
    `**Request** \`${input.requestId}\``,
    `**Cinema** ${input.cinemaId} · **Schedule** ${input.scheduleId}`,
    `**Seats** ${input.seats.map((s) => `\`${s}\``).join(', ')}`,
    `**Vouchers** ${'codes' in input.vouchers ? input.vouchers.codes.map((c) => `\`${c}\``).join(', ') : vouchersText(input)}`,
    `**Pay if free** ${input.payIfFree ? 'yes' : 'no'}`,
  ].join('\n\n');
}
