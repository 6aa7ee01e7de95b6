// The scheduler's Prometheus metrics, after kube-scheduler's schedule_attempts_total,
// scheduling_attempt_duration_seconds and pending_pods.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueLengths } from './queue.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** Observation hooks the scheduling loop calls; cheap and never throwing. */
export interface SchedulerMetrics {
  /** One attempt ended: decided (unschedulable) or bound (scheduled), or failed (error).
   * `seconds` runs from the pop to that end, the bind included for scheduled pods. */
  attempt(result: AttemptResult, seconds: number): void;
}

export function registerSchedulerMetrics(registry: Registry, lengths: () => QueueLengths): SchedulerMetrics {
  const attempts = new Counter({
    name: 'shoal_scheduler_schedule_attempts_total',
    help: 'Scheduling attempts by result: scheduled, unschedulable or error.',
    labelNames: ['result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'shoal_scheduler_scheduling_duration_seconds',
    help: 'Latency of a scheduling attempt (the algorithm, and the bind when it succeeds), by result.',
    labelNames: ['result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'shoal_scheduler_pending_pods',
    help: 'Pending pods by queue: active (to be tried), backoff (failed recently), unschedulable (waiting for a cluster change).',
    labelNames: ['queue'],
    registers: [registry],
    collect() {
      const l = lengths();
      this.set({ queue: 'active' }, l.active);
      this.set({ queue: 'backoff' }, l.backoff);
      this.set({ queue: 'unschedulable' }, l.unschedulable);
    },
  });
  // Every label value exists from the start, so rate() and absent() behave.
  for (const result of ['scheduled', 'unschedulable', 'error']) attempts.inc({ result }, 0);
  return {
    attempt(result, seconds) {
      attempts.inc({ result });
      duration.observe({ result }, seconds);
    },
  };
}
