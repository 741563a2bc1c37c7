/** Typed helper over `/__sandbox/*` for tests and scripts. Uses the global fetch; throws on a non-2xx answer. */
import type { FaultRule, FaultRuleInput } from './faults';
import type { Ledger } from './ledger';
import type { ConfigPatch, RuntimeConfig } from './options';
import type { RequestRecord } from './requestlog';

export type FaultStatus = FaultRule & { remaining: number | null; hits: number };

export interface RequestsView {
  total: number;
  byEndpoint: Record<string, number>;
  internalErrors: number;
  recent: RequestRecord[];
}

export class SandboxAdmin {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/__sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  health(): Promise<{ ok: boolean; now: number; config: RuntimeConfig }> {
    return this.call('GET', 'health');
  }

  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  /** Adds one rule (or several) and returns them with their ids. */
  async addFault(rule: FaultRuleInput | FaultRuleInput[]): Promise<FaultRule[]> {
    return (await this.call<{ faults: FaultRule[] }>('POST', 'faults', rule)).faults;
  }

  async faults(): Promise<FaultStatus[]> {
    return (await this.call<{ faults: FaultStatus[] }>('GET', 'faults')).faults;
  }

  async removeFault(id: string): Promise<void> {
    await this.call('DELETE', `faults/${encodeURIComponent(id)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  ledger(): Promise<Ledger> {
    return this.call('GET', 'ledger');
  }

  requests(limit = 100): Promise<RequestsView> {
    return this.call('GET', `requests?limit=${limit}`);
  }

  async expireToken(token: string): Promise<void> {
    await this.call('POST', 'tokens', { action: 'expire', token });
  }

  /** A fresh session for a user; returns the new (fake) token. */
  async addToken(userId: string, token?: string): Promise<string> {
    return (await this.call<{ token: string }>('POST', 'tokens', { action: 'add', userId, token })).token;
  }

  /** Expires `token` and returns a fresh one for the same user. */
  async refreshToken(token: string): Promise<string> {
    return (await this.call<{ token: string }>('POST', 'tokens', { action: 'refresh', token })).token;
  }

  /** `count` new unused vouchers in the user's wallet; returns their codes. */
  async mintVouchers(userId: string, count: number): Promise<string[]> {
    return (await this.call<{ codes: string[] }>('POST', 'vouchers', { userId, count })).codes;
  }

  async setConfig(patch: ConfigPatch): Promise<RuntimeConfig> {
    return (await this.call<{ config: RuntimeConfig }>('POST', 'config', patch)).config;
  }

  /** Moves the sandbox clock forward; returns the new sandbox time (unix seconds). */
  async advanceClock(seconds: number): Promise<number> {
    return (await this.call<{ now: number }>('POST', 'clock', { advanceSeconds: seconds })).now;
  }
}
