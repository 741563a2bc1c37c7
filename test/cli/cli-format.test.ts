/** The CLI's human price line: totals and one price per ticket. */
import { formatPrices, formatTicketPrices } from '../../src/cli-format';
import type { PricesYuan } from '../../workflows/messages';

test('equal ticket prices are counted, different ones are listed', () => {
  expect(formatTicketPrices([49, 49])).toBe('2 × ¥49.00');
  expect(formatTicketPrices([49])).toBe('1 × ¥49.00');
  expect(formatTicketPrices([35.9, 36])).toBe('¥35.90 + ¥36.00');
  expect(formatTicketPrices([])).toBe('');
});

test('the price line shows the totals, then the tickets', () => {
  expect(formatPrices({ total: 98, vouchers: 98, payment: 0, ticketPrices: [49, 49], ticketNum: 2 })).toBe(
    'total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00 (2 × ¥49.00)',
  );
  expect(formatPrices({ total: 71.9, vouchers: 35.9, payment: 36, ticketPrices: [35.9, 36], ticketNum: 2 })).toBe(
    'total ¥71.90 − vouchers ¥35.90 = to pay ¥36.00 (¥35.90 + ¥36.00)',
  );
});

test('a result recorded before per-ticket prices existed (ticketSingle, no ticketPrices) shows the totals alone', () => {
  const old = { total: 98, vouchers: 98, payment: 0, ticketSingle: 49, ticketNum: 2 } as unknown as PricesYuan;
  expect(formatPrices(old)).toBe('total ¥98.00 − vouchers ¥98.00 = to pay ¥0.00');
});
