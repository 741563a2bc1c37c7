/** Everything one running sandbox owns besides its socket: state, faults, throttling, the request log. */
import { FaultEngine, parseFaultsEnv } from './faults';
import { buildLedger, type Ledger } from './ledger';
import { configPatchSchema, runtimeConfigOf, type RuntimeConfig, type SandboxOptions } from './options';
import { RateLimiter } from './ratelimit';
import { RequestLog } from './requestlog';
import { SandboxStore } from './store';

export class SandboxCore {
  readonly store: SandboxStore;
  readonly faults: FaultEngine;
  readonly limiter = new RateLimiter();
  readonly log: RequestLog;

  constructor(readonly options: SandboxOptions) {
    this.store = new SandboxStore(runtimeConfigOf(options), options.world);
    this.faults = new FaultEngine(options.seed);
    this.log = new RequestLog(options.requestLogSize);
    this.loadStartFaults();
  }

  private loadStartFaults(): void {
    const f = this.options.faults;
    if (f === undefined) return;
    this.faults.add(typeof f === 'string' ? parseFaultsEnv(f) : f);
  }

  /** Back to the fixture with the start configuration: no faults, clock at real time, counters at zero. */
  reset(): void {
    this.store.reset(runtimeConfigOf(this.options));
    this.faults.reset();
    this.limiter.reset();
    this.log.reset();
  }

  patchConfig(patch: unknown): RuntimeConfig {
    const parsed = configPatchSchema.parse(patch);
    this.store.config = { ...this.store.config, ...parsed };
    return { ...this.store.config };
  }

  /** One instant for the sweep and every check, so a hold lapsing mid-build cannot look like a leaked seat. */
  ledger(): Ledger {
    const now = this.store.now();
    this.store.sweep(now);
    return buildLedger(this.store, this.log, now);
  }
}
