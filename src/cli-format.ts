/** Human output of the CLI and the main job: status, results, lists, and one progress line per step. */
import type { AppConfig } from './config';
import type { CheckoutSummary } from './client';
import type { CheckoutResult, CheckoutStatus, PricesYuan, TimelineEntry } from '../workflows/messages';

export function workflowUiLink(config: AppConfig, workflowId: string): string {
  return `http://localhost:${config.temporal.uiPort}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

const yuan = (n: number) => `¥${n.toFixed(2)}`;
const clock = (iso: string) => iso.slice(11, 19);

/** `2 × ¥49.00` when every ticket costs the same, `¥35.90 + ¥36.00` when they differ. */
export function formatTicketPrices(prices: readonly number[]): string {
  const first = prices[0];
  if (first === undefined) return '';
  if (prices.every((p) => yuan(p) === yuan(first))) return `${prices.length} × ${yuan(first)}`;
  return prices.map(yuan).join(' + ');
}

export function formatPrices(p: PricesYuan): string {
  // Results of checkouts that ended before per-ticket prices existed carry none: show the totals alone.
  const tickets = formatTicketPrices(p.ticketPrices ?? []);
  return `total ${yuan(p.total)} − vouchers ${yuan(p.vouchers)} = to pay ${yuan(p.payment)}${tickets ? ` (${tickets})` : ''}`;
}

export function formatStatus(s: CheckoutStatus): string[] {
  const lines = [
    `checkout ${s.requestId}: ${s.phase}${s.outcome ? ` (${s.outcome})` : ''}`,
    `  cinema ${s.cinemaId}, schedule ${s.scheduleId}, seats ${s.seats.join(', ')}`,
    `  order ${s.orderId ?? '—'} (round ${s.round}${s.orders.length > 1 ? `; orders: ${s.orders.map((o) => `${o.orderId} ${o.state}`).join(', ')}` : ''})`,
    `  vouchers chosen ${s.vouchers.chosen.join(', ') || '—'}; bound ${s.vouchers.bound.join(', ') || '—'}${unverified(s.vouchers.bound, s.vouchers.mayBeBound)}`,
  ];
  if (s.prices) lines.push(`  prices ${formatPrices(s.prices)}`);
  const attempts = Object.entries(s.attempts).map(([step, n]) => `${step} ${n}`);
  if (attempts.length) lines.push(`  attempts ${attempts.join(', ')}`);
  if (s.nextAttemptAt) lines.push(`  next attempt at ${s.nextAttemptAt}`);
  if (s.lastError) lines.push(`  last error ${s.lastError.type}: ${s.lastError.message}`);
  if (s.reason) lines.push(`  reason ${s.reason.type}: ${s.reason.message}`);
  lines.push('  timeline:');
  for (const entry of s.timeline) lines.push(`    ${timelineLine(entry)}`);
  return lines;
}

/** Codes that may sit on the order without a verified binding: the thing to check before anyone pays it. */
function unverified(bound: readonly string[], mayBeBound: readonly string[] | undefined): string {
  const extra = (mayBeBound ?? []).filter((c) => !bound.includes(c));
  return extra.length > 0 ? `; may still be bound on Womei: ${extra.join(', ')}` : '';
}

function timelineLine(e: TimelineEntry): string {
  return `${clock(e.at)}  ${e.phase.padEnd(17)} ${e.note}`;
}

export function formatResult(r: CheckoutResult): string[] {
  const lines = [`${r.outcome}${r.state ? ` — ${r.state === 'ISSUED' ? 'tickets issued' : 'ready to pay'}` : ''}: order ${r.orderId ?? '—'}`];
  if (r.prices) lines.push(`  ${formatPrices(r.prices)}`);
  if (r.vouchers.length) lines.push(`  vouchers ${r.vouchers.join(', ')}`);
  if (r.vouchersMayBeBound?.length) lines.push(`  vouchers that may still be bound on Womei: ${r.vouchersMayBeBound.join(', ')}`);
  if (r.ticketCodes?.length) lines.push(`  tickets ${r.ticketCodes.map((t) => `${t.name} ${t.code}`).join(', ')}`);
  if (r.reason) lines.push(`  reason ${r.reason.type}: ${r.reason.message}`);
  const attempts = Object.entries(r.attempts).map(([step, n]) => `${step} ${n}`);
  if (attempts.length) lines.push(`  attempts ${attempts.join(', ')}`);
  return lines;
}

export function formatSummaries(list: CheckoutSummary[]): string[] {
  if (list.length === 0) return ['no checkouts match'];
  return list.map(
    (c) => `${c.workflowId.padEnd(44)} ${c.status.padEnd(10)} ${(c.phase ?? '').padEnd(16)} cinema ${c.cinemaId ?? '—'} order ${c.orderId ?? '—'} started ${c.startTime.toISOString()}`,
  );
}

/** Prints each timeline entry once, as the checkout moves. */
export class ProgressPrinter {
  private readonly seen = new Set<string>();
  constructor(private readonly print: (line: string) => void) {}

  update(status: CheckoutStatus): void {
    for (const entry of status.timeline) {
      const key = `${entry.at}|${entry.phase}|${entry.note}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.print(`  ${timelineLine(entry)}`);
    }
  }
}
