/** The shape comparison the sandbox fidelity suite relies on: it must see real differences and only those. */
import { shapeDifferences, shapeOf } from './shape';

const diff = (real: unknown, sandbox: unknown) => shapeDifferences(shapeOf(real), shapeOf(sandbox));

test('the same keys and kinds, other values: no difference', () => {
  expect(diff({ a: 1, b: 'x', c: [1, 2], d: { e: true, f: null } }, { a: 2, b: 'y', c: [3], d: { e: false, f: null } })).toEqual([]);
});

test('a kind that differs, a list sent as one value, a key missing or extra', () => {
  expect(diff({ p: [49], n: 1 }, { p: 49, n: 0 })).toEqual(['$.p: real array, sandbox number']);
  expect(diff({ egg: '' }, { egg: 0 })).toEqual(['$.egg: real string, sandbox number']);
  expect(diff({ show: false }, { show: '' })).toEqual(['$.show: real boolean, sandbox string']);
  expect(diff({ card: { id: 1, desc: 'x' } }, { card: { id: 1, extra: 2 } })).toEqual([
    '$.card.desc: missing (real body has string)',
    '$.card.extra: not in the real body (sandbox sends number)',
  ]);
  expect(diff({ n: null }, { n: 'x' })).toEqual(['$.n: real null, sandbox string']);
});

test('inside lists, items are merged: a key some real items have is expected', () => {
  expect(diff({ l: [{ a: 1 }, { a: 1, b: 's' }] }, { l: [{ a: 2 }] })).toEqual(['$.l[].b: missing (real body has string)']);
});

test('an empty array or object is unknown: it matches either, and its contents are not compared', () => {
  expect(diff({ use: {} }, { use: { use_num: 1 } })).toEqual([]);
  expect(diff({ use: { use_num: 1 } }, { use: [] })).toEqual([]);
  expect(diff({ l: [] }, { l: {} })).toEqual([]);
  // ...but the key itself must be there.
  expect(diff({ ret: 0, l: [] }, { ret: 0 })).toEqual(['$.l: missing (real body has empty)']);
});

test('an object keyed by digits is a PHP list: compared with a list, and by its values', () => {
  expect(diff({ ids: { 0: 'a', 5: 'b' } }, { ids: ['c'] })).toEqual([]);
  expect(diff({ rows: { 3: { row: 3 } } }, { rows: { 8: { row: '8' } } })).toEqual(['$.rows[].row: real number, sandbox string']);
});

test('a missing container is reported once, not for every key under it', () => {
  expect(diff({ ret: 0, setting: { a: 1, b: { c: 2 } } }, { ret: 0 })).toEqual(['$.setting: missing (real body has object)']);
});
