/**
 * Reading a finished checkout's history: how many events of each type (the workflow's shape) and how long each
 * hop took (event times are the server's clock, on the same host as the benchmark's).
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const E = temporal.api.enums.v1.EventType;

/** Event counts by type, plus `events` in all. */
export function historyShape(events: readonly HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = { events: events.length };
  for (const e of events) {
    const name = (E[e.eventType ?? 0] ?? 'UNKNOWN').replace(/^EVENT_TYPE_/, '');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

export interface Hops {
  totalMs: number;
  workflowTasks: number;
  wftDispatchMs: number;
  firstWftDispatchMs: number;
  wftRunMs: number;
  firstWftRunMs: number;
  activityTasks: number;
  activityDispatchMs: number;
  activityRunMs: number;
  beforeFirstEventMs: number;
  afterLastEventMs: number;
}

const timeOf = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** Per-hop times of one checkout from its history; `t0`/`t1` are when the client started and got the result (epoch ms). */
export function hops(events: readonly HistoryEvent[], t0: number, t1: number): Hops {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const h: Hops = { totalMs: t1 - t0, workflowTasks: 0, wftDispatchMs: 0, firstWftDispatchMs: 0, wftRunMs: 0, firstWftRunMs: 0, activityTasks: 0, activityDispatchMs: 0, activityRunMs: 0, beforeFirstEventMs: 0, afterLastEventMs: 0 };
  for (const e of events) {
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
      const scheduled = byId.get(Number(e.workflowTaskStartedEventAttributes?.scheduledEventId));
      if (scheduled) h.wftDispatchMs += timeOf(e) - timeOf(scheduled);
      if (scheduled && h.workflowTasks === 0) h.firstWftDispatchMs = timeOf(e) - timeOf(scheduled);
      h.workflowTasks++;
    }
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      const started = byId.get(Number(e.workflowTaskCompletedEventAttributes?.startedEventId));
      if (started) h.wftRunMs += timeOf(e) - timeOf(started);
      if (started && h.firstWftRunMs === 0) h.firstWftRunMs = timeOf(e) - timeOf(started);
    }
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const scheduled = byId.get(Number(e.activityTaskStartedEventAttributes?.scheduledEventId));
      if (scheduled) h.activityDispatchMs += timeOf(e) - timeOf(scheduled);
      h.activityTasks++;
    }
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const started = byId.get(Number(e.activityTaskCompletedEventAttributes?.startedEventId));
      if (started) h.activityRunMs += timeOf(e) - timeOf(started);
    }
  }
  h.beforeFirstEventMs = timeOf(events[0]!) - t0;
  h.afterLastEventMs = t1 - timeOf(events[events.length - 1]!);
  return h;
}

/** Field-by-field mean of several checkouts' hops. */
export function meanHops(rows: readonly Hops[]): Hops {
  const keys = Object.keys(rows[0]!) as (keyof Hops)[];
  return Object.fromEntries(keys.map((k) => [k, rows.reduce((a, r) => a + r[k], 0) / rows.length])) as unknown as Hops;
}

