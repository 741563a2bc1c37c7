/**
 * The compensation record, as in Temporal's saga sample: each step registers its undo as a closure (right
 * before the action when the action's answer can be lost, so a call that landed unanswered is still undone),
 * and a checkout that cannot finish runs the pending undos newest first, in a scope cancellation cannot
 * interrupt. Each undo settles its own entry and is idempotent; the entries are the status's `compensations`.
 */
import * as wf from '@temporalio/workflow';
import type { CompensationView } from './messages';

export type UndoKind = CompensationView['kind'];

/** One registered undo as the status shows it. */
export interface Undo {
  readonly kind: UndoKind;
  /** Unknown for a release registered before a create whose answer has not (yet) come. */
  orderId?: string;
  state: CompensationView['state'];
  note?: string;
}

export function settle(undo: Undo, state: Exclude<Undo['state'], 'PENDING'>, note?: string): void {
  undo.state = state;
  if (note !== undefined) undo.note = note;
}

export class Saga {
  private readonly undos: { undo: Undo; run: (undo: Undo) => Promise<void> }[] = [];

  /** Registers `run` as the undo of a step; it receives its own entry to settle. */
  add(kind: UndoKind, orderId: string | undefined, run: (undo: Undo) => Promise<void>): Undo {
    const undo: Undo = { kind, state: 'PENDING', ...(orderId !== undefined ? { orderId } : {}) };
    this.undos.push({ undo, run });
    return undo;
  }

  /** The pending undo of this kind for this order, if any (a binding registers its unbind once per order). */
  pending(kind: UndoKind, orderId: string): Undo | undefined {
    return this.undos.find(({ undo }) => undo.kind === kind && undo.orderId === orderId && undo.state === 'PENDING')?.undo;
  }

  /**
   * Runs the pending undos newest first (only those of one order, when given), not cancellable. True when
   * none has failed, in this run or before.
   */
  compensate(orderId?: string): Promise<boolean> {
    return wf.CancellationScope.nonCancellable(async () => {
      const pending = this.undos.filter(({ undo }) => undo.state === 'PENDING' && (orderId === undefined || undo.orderId === orderId)).reverse();
      for (const { undo, run } of pending) await run(undo);
      return this.failed().length === 0;
    });
  }

  /** The checkout completed: nothing left to undo. */
  retireAll(note: string): void {
    for (const { undo } of this.undos) if (undo.state === 'PENDING') settle(undo, 'SKIPPED', note);
  }

  failed(): Undo[] {
    return this.undos.map(({ undo }) => undo).filter((u) => u.state === 'FAILED');
  }

  /** For the status query (no secrets here: kinds, order ids, states, notes). */
  view(): CompensationView[] {
    return this.undos.map(({ undo: u }) => ({
      kind: u.kind,
      ...(u.orderId !== undefined ? { orderId: u.orderId } : {}),
      state: u.state,
      ...(u.note !== undefined ? { note: u.note } : {}),
    }));
  }
}
