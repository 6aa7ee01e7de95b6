// Records v1 Events about pods, as kube-scheduler's event recorder does: Normal "Scheduled"
// and Warning "FailedScheduling". A thin wrapper over lib/event-recorder.ts: the scheduler
// keeps one Event per pod and reason, named "<pod>.<hash of the reason>", whose count,
// message and lastTimestamp go up on every retry instead of a new object per attempt.
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import {
  EventRecorder as SharedRecorder,
  fnv1a,
  type EventClient,
} from '../../lib/event-recorder.js';
import type { KubeObject } from '../../lib/kinds.js';

export type { EventClient };
export { fnv1a };

export { timestamp } from '../../lib/conditions.js';

export interface EventRecorderOptions {
  component: string;
  now?: () => number;
  /** How many events' last known versions to remember (default 10,000). */
  maxCached?: number;
}

/** Writes pod events; safe to call concurrently. record() never throws: a failure is returned
 * as the Error for the caller to log. */
export class EventRecorder {
  private readonly recorder: SharedRecorder;

  constructor(client: EventClient, opts: EventRecorderOptions) {
    this.recorder = new SharedRecorder(client, {
      component: opts.component,
      now: opts.now,
      maxCached: opts.maxCached ?? 10_000,
      eventName: (ref, _type, reason) => EventRecorder.eventName(ref.name, reason),
    });
  }

  static eventName(podName: string, reason: string): string {
    return `${podName}.${fnv1a(reason)}`;
  }

  record(pod: Pod__Output, type: 'Normal' | 'Warning', reason: string, message: string): Promise<Error | undefined> {
    return this.recorder.record({ apiVersion: 'v1', ...(pod as KubeObject), kind: 'Pod' }, type, reason, message);
  }
}
