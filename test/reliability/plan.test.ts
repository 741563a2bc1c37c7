/** The chaos plan: one seed, one plan; the default size carries the whole mix and the disruptions it promises. */
import { makePlan, planMix, type ChaosSettings } from '../../chaos/plan';
import { checkoutInputSchema } from '../../workflows/input';

const DEFAULTS: ChaosSettings = { seed: 42, checkouts: 300, concurrency: 24, workerKills: 4, workerTerms: 1, serverKills: 1, databaseRestarts: 0, workers: 2, holdSeconds: 60 };

test('the same seed gives the same plan; another seed another one', () => {
  expect(makePlan(DEFAULTS)).toEqual(makePlan(DEFAULTS));
  const other = makePlan({ ...DEFAULTS, seed: 43 });
  expect(other.checkouts.map((c) => c.request.seats)).not.toEqual(makePlan(DEFAULTS).checkouts.map((c) => c.request.seats));
});

test('every planned request is valid checkout input, with its own session and request id', () => {
  const plan = makePlan(DEFAULTS);
  expect(plan.checkouts).toHaveLength(300);
  for (const c of plan.checkouts) expect(() => checkoutInputSchema.parse(c.request)).not.toThrow();
  expect(new Set(plan.checkouts.map((c) => c.requestId)).size).toBe(300);
  expect(new Set(plan.checkouts.map((c) => c.token)).size).toBe(300);
});

test('the default plan carries every kind of checkout the chaos promises', () => {
  const mix = planMix(makePlan(DEFAULTS));
  for (const tag of ['heavy-user', 'single-user', 'best', 'codes', 'unusable-voucher', 'same-seats', 'same-voucher', 'client-cancel', 'duplicate-start', 'token-expiry-refreshed', 'token-expiry-no-refresh', 'pay-if-free', 'wait-for-order']) {
    expect({ tag, planned: (mix[tag] ?? 0) > 0 }).toEqual({ tag, planned: true });
  }
  expect(mix['heavy-user']).toBe(120);
});

test('seats: 1-4 per checkout, never shared except where the plan wants the same seats twice', () => {
  const plan = makePlan(DEFAULTS);
  const taken = new Map<string, string>();
  for (const c of plan.checkouts) {
    expect(c.request.seats.length).toBeGreaterThanOrEqual(1);
    expect(c.request.seats.length).toBeLessThanOrEqual(4);
    if (c.tags.includes('same-seats')) continue;
    for (const s of c.request.seats) {
      const key = `${c.request.scheduleId}|${s}`;
      expect(taken.get(key)).toBeUndefined();
      taken.set(key, c.requestId);
    }
  }
});

test('heavy users come in bursts on one schedule (what a lost create answer needs to pick the wrong order)', () => {
  const plan = makePlan(DEFAULTS);
  const heavy = plan.checkouts.filter((c) => c.tags.includes('heavy-user') && !c.tags.includes('same-seats'));
  let together = 0;
  for (let i = 1; i < heavy.length; i++) {
    const [a, b] = [heavy[i - 1]!, heavy[i]!];
    if (b.index === a.index + 1 && a.userId === b.userId && a.request.scheduleId === b.request.scheduleId) together++;
  }
  expect(together).toBeGreaterThan(heavy.length / 2);
});

test('disruptions: the asked counts, spread over the submissions, the server kill mid-run', () => {
  const { disruptions } = makePlan(DEFAULTS);
  expect(disruptions.map((d) => d.kind).sort()).toEqual(['killServer', 'killWorker', 'killWorker', 'killWorker', 'killWorker', 'termWorker']);
  const starts = disruptions.map((d) => d.afterStarts);
  expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  expect(starts[0]).toBeGreaterThan(10);
  expect(starts[starts.length - 1]).toBeLessThan(290);
  const server = disruptions.find((d) => d.kind === 'killServer')!;
  expect(server.afterStarts).toBeGreaterThan(90);
  expect(server.afterStarts).toBeLessThan(210);
  expect(new Set(disruptions.filter((d) => d.kind === 'killWorker').map((d) => d.worker))).toEqual(new Set([0, 1]));
});

test('cluster disruptions: database restarts after the server kill, worker disruptions round all workers', () => {
  const { disruptions } = makePlan({ ...DEFAULTS, databaseRestarts: 1, workers: 3 });
  const kinds = disruptions.map((d) => d.kind);
  expect([...kinds].sort()).toEqual(['killServer', 'killWorker', 'killWorker', 'killWorker', 'killWorker', 'restartDatabase', 'termWorker']);
  expect(kinds.indexOf('restartDatabase')).toBeGreaterThan(kinds.indexOf('killServer'));
  const workers = new Set(disruptions.filter((d) => d.kind === 'killWorker' || d.kind === 'termWorker').map((d) => d.worker));
  expect(workers).toEqual(new Set([0, 1, 2]));
  // The plan of the checkouts does not depend on the topology.
  expect(makePlan({ ...DEFAULTS, databaseRestarts: 1, workers: 3 }).checkouts).toEqual(makePlan(DEFAULTS).checkouts);
});
