/**
 * The shape of a JSON body, to compare a sandbox answer with a real one: every key path and the kinds of value
 * found there (string, number, boolean, array, object, null). Values do not matter, kinds do.
 *
 * Two rules keep the comparison about the API and not about one capture:
 * - An empty array or object is "empty": it says nothing about what a non-empty one holds (PHP writes an empty
 *   list and an empty map alike), so it matches an array or an object, and its contents are unknown.
 * - An object whose keys are all digits is a list: PHP encodes an array whose keys are not 0…n−1 in order as
 *   an object (`use_cinema_ids` of cinema-info comes both ways in one body; seat rows keyed by row number and
 *   shows keyed by `yyyymmdd` are such arrays too). Its values are compared like list items.
 * Items of a list are merged: the list's item shape is every key any item has, with every kind seen there.
 */

export type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object' | 'empty';

/** Key path → kinds seen there. Paths look like `data.voucher_use.use_detail[]`. */
export type Shape = Map<string, Set<Kind>>;

function isDigitKeyed(v: object): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
}

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'empty' : 'array';
  if (typeof v === 'object') {
    if (Object.keys(v).length === 0) return 'empty';
    return isDigitKeyed(v) ? 'array' : 'object';
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return typeof v as Kind;
  throw new Error(`not a JSON value: ${typeof v}`);
}

export function shapeOf(value: unknown, root = '$'): Shape {
  const shape: Shape = new Map();
  const visit = (v: unknown, path: string) => {
    const kind = kindOf(v);
    const kinds = shape.get(path) ?? new Set<Kind>();
    kinds.add(kind);
    shape.set(path, kinds);
    if (kind === 'array') for (const item of Object.values(v as object)) visit(item, `${path}[]`);
    if (kind === 'object') for (const [k, item] of Object.entries(v as object)) visit(item, `${path}.${k}`);
  };
  visit(value, root);
  return shape;
}

const CONTAINERS: ReadonlySet<Kind> = new Set(['array', 'object']);

/** Kinds other than "empty": what the path is known to hold. */
function known(kinds: ReadonlySet<Kind> | undefined): Set<Kind> {
  return new Set([...(kinds ?? [])].filter((k) => k !== 'empty'));
}

function parentOf(path: string): string {
  if (path.endsWith('[]')) return path.slice(0, -2);
  const dot = path.lastIndexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}

/**
 * How `actual` (the sandbox) differs from `expected` (the real body): keys one side has and the other lacks,
 * and paths whose known kinds differ. A path under a container that is empty on the side lacking it is
 * unknown there, not missing; a path whose parent is itself missing is reported once, at the parent.
 */
export function shapeDifferences(expected: Shape, actual: Shape): string[] {
  const problems: string[] = [];
  const paths = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  for (const path of paths) {
    const e = expected.get(path);
    const a = actual.get(path);
    if (e === undefined || a === undefined) {
      const side = e === undefined ? expected : actual;
      const parent = side.get(parentOf(path));
      // The parent is missing too (reported there), or is only ever empty on that side (unknown contents).
      if (parent === undefined || known(parent).size === 0 || ![...known(parent)].some((k) => CONTAINERS.has(k))) continue;
      problems.push(e === undefined ? `${path}: not in the real body (sandbox sends ${[...a!].join('|')})` : `${path}: missing (real body has ${[...e].join('|')})`);
      continue;
    }
    const ek = known(e);
    const ak = known(a);
    if (ek.size === 0 || ak.size === 0) continue;
    const same = ek.size === ak.size && [...ek].every((k) => ak.has(k));
    if (!same) problems.push(`${path}: real ${[...ek].sort().join('|')}, sandbox ${[...ak].sort().join('|')}`);
  }
  return problems;
}
