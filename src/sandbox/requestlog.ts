/**
 * A bounded log of Womei requests for tests and operators. It records who called by token FINGERPRINT only:
 * the token itself is a secret and must never be written anywhere, the sandbox included.
 */

export interface RequestRecord {
  seq: number;
  /** Sandbox clock, unix ms. */
  at: number;
  method: string;
  /** Route name (`order/change/`), or `unknown` for a path no route serves. */
  endpoint: string;
  /** HTTP status, or `dropped` / `hung` when no answer was sent. */
  status: number | 'dropped' | 'hung';
  ret?: number;
  sub?: number;
  tokenFingerprint: string | null;
  /** Id and kind of the fault rule that decided the answer. */
  fault?: { id: string; kind: string };
  durationMs: number;
}

export class RequestLog {
  private entries: RequestRecord[] = [];
  private counts = new Map<string, number>();
  private seq = 0;
  internalErrors = 0;

  constructor(private readonly capacity: number) {}

  reset(): void {
    this.entries = [];
    this.counts.clear();
    this.seq = 0;
    this.internalErrors = 0;
  }

  record(entry: Omit<RequestRecord, 'seq'>): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ...entry });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    const key = `${entry.method} ${entry.endpoint}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    return this.seq;
  }

  /** `METHOD endpoint` → requests since the last reset (not bounded by the log's capacity). */
  byEndpoint(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  recent(limit = this.capacity): RequestRecord[] {
    return this.entries.slice(-limit);
  }
}
