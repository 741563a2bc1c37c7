/**
 * The saga record: what the checkout has done that must be undone if it cannot finish. An entry is
 * registered BEFORE the step that needs it (so a step that succeeded on Womei's side but whose answer was
 * lost is still undone), and run in reverse order. Each compensation is idempotent, so running one that
 * turns out to be unnecessary is harmless.
 */
import type { CompensationView } from './messages';

export type CompensationKind = 'unbindVouchers' | 'releaseOrder';
export type CompensationState = CompensationView['state'];

export interface CompensationEntry {
  id: number;
  kind: CompensationKind;
  /** Unknown for a releaseOrder registered before a create whose answer has not (yet) come. */
  orderId?: string;
  /**
   * Set while a create attempt's outcome is unknown (its answer was lost): compensation must then look for
   * the order it may have made (findLostOrder) and release that.
   */
  lostCreateSince?: number;
  /** When the last create attempt whose outcome is unknown ended (its failure came); the search window's end. */
  lostCreateUntil?: number;
  state: CompensationState;
  note?: string;
}

export class Saga {
  private readonly entries: CompensationEntry[] = [];
  private nextId = 1;
  /** Set before each bind: an answer that was lost may hide a binding, so only proof clears it. */
  private readonly bindMayHaveLanded = new Map<string, boolean>();
  /** The codes the latest bind sent to each order: what may sit on it while its flag is set. */
  private readonly codesSent = new Map<string, readonly string[]>();

  register(kind: CompensationKind, orderId?: string): CompensationEntry {
    const entry: CompensationEntry = { id: this.nextId++, kind, state: 'PENDING', ...(orderId !== undefined ? { orderId } : {}) };
    this.entries.push(entry);
    return entry;
  }

  /** The pending entry of this kind for this order, if any (binding registers its unbind once per order). */
  find(kind: CompensationKind, orderId: string): CompensationEntry | undefined {
    return this.entries.find((e) => e.kind === kind && e.orderId === orderId && e.state === 'PENDING');
  }

  /** Pending entries, newest first: the order compensation runs in. Optionally only those of one order. */
  pendingReversed(orderId?: string): CompensationEntry[] {
    return this.entries.filter((e) => e.state === 'PENDING' && (orderId === undefined || e.orderId === orderId)).reverse();
  }

  settle(entry: CompensationEntry, state: Exclude<CompensationState, 'PENDING'>, note?: string): void {
    entry.state = state;
    if (note !== undefined) entry.note = note;
  }

  /** The checkout completed: nothing left to undo. */
  retireAll(note: string): void {
    for (const e of this.entries) if (e.state === 'PENDING') this.settle(e, 'SKIPPED', note);
  }

  /** For the status query (no secrets here: kinds, order ids, states, notes). */
  view(): CompensationView[] {
    return this.entries.map((e) => ({
      kind: e.kind,
      ...(e.orderId !== undefined ? { orderId: e.orderId } : {}),
      state: e.state,
      ...(e.note !== undefined ? { note: e.note } : {}),
    }));
  }

  /** False only while no bind can have landed on the order: then its unbind is skipped. */
  mayBeBound(orderId: string): boolean {
    return this.bindMayHaveLanded.get(orderId) ?? false;
  }

  /** `codes`: those the bind about to be sent carries (a bind replaces the order's whole choice). */
  setMayBeBound(orderId: string, value: boolean, codes?: readonly string[]): void {
    this.bindMayHaveLanded.set(orderId, value);
    if (value && codes !== undefined) this.codesSent.set(orderId, [...codes]);
  }

  /** Codes that may be bound on Womei's side: sent to an order by a bind that no unbind (or lapse) has undone. */
  codesMayBeBound(): string[] {
    const codes = new Set<string>();
    for (const [orderId, may] of this.bindMayHaveLanded) if (may) for (const c of this.codesSent.get(orderId) ?? []) codes.add(c);
    return [...codes];
  }

  get hasFailures(): boolean {
    return this.entries.some((e) => e.state === 'FAILED');
  }
}
