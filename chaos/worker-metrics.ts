/**
 * What a worker process holds right now, read from its Prometheus endpoint (WORKER_METRICS_PORT): the SDK's
 * `temporal_worker_task_slots_used` gauge of its activity worker, one slot per activity task it is running. The
 * chaos run waits for it before a worker SIGKILL, so the kill lands on calls in flight.
 */
const SLOTS_USED = /^temporal_worker_task_slots_used\{([^}]*)\}\s+(\d+(?:\.\d+)?)/;

/** Activity tasks worker-with-metrics-on-`port` is running; undefined when it does not answer (down, starting). */
export async function activityTasksInFlight(port: number): Promise<number | undefined> {
  let text: string;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    text = await response.text();
  } catch {
    return undefined;
  }
  let used = 0;
  for (const line of text.split('\n')) {
    const m = SLOTS_USED.exec(line);
    if (m && m[1]!.includes('worker_type="ActivityWorker"')) used += Number(m[2]);
  }
  return used;
}
