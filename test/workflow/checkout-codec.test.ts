/**
 * The checkout with payload encryption on (CODEC_KEYS): worker and client share createDataConverter(config).
 * The user's token, the voucher codes and the failure messages are unreadable in the stored history, while the
 * client still reads results, failures and the status query.
 */
import { randomBytes } from 'node:crypto';
import { checkoutRequest, FIXTURE, RICH, RICH_CODES, SEATS } from '../helpers/checkout-harness';
import { useHarness } from '../helpers/use-harness';

const h = useHarness({ name: 'codec', codecKeys: `k1:${randomBytes(32).toString('base64')}`, resetEachTest: false });

test('completed and compensated checkouts work encrypted; history holds no token, codes or messages in clear', async () => {
  const ok = await h.run(checkoutRequest());
  expect(ok.settled.status).toBe('COMPLETED');
  expect(ok.status.vouchers.bound).toEqual([RICH_CODES[0], RICH_CODES[1]]);

  const bad = await h.run(checkoutRequest({ seats: [SEATS[2]!, SEATS[3]!], vouchers: { codes: [FIXTURE.vouchers.rich.used] } }));
  expect(bad.settled).toMatchObject({ status: 'FAILED', type: 'VoucherNotUsable' });
  if (bad.settled.status === 'FAILED') expect(bad.settled.result?.outcome).toBe('COMPENSATED');

  for (const { handle } of [ok, bad]) {
    const raw = JSON.stringify(await handle.fetchHistory(), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    expect(raw).not.toContain(RICH);
    expect(raw).not.toContain(RICH_CODES[0]);
    expect(raw).not.toContain(FIXTURE.vouchers.rich.used);
    expect(raw).not.toContain('not usable');
  }
});
