// v1 Events about the pods this agent runs (the kubelet's Started, Killing, BackOff,
// Unhealthy, Failed, FailedMount), through the shared recorder in lib/event-recorder.ts:
// repeats (same pod, container, reason and message) go to one Event whose count and
// lastTimestamp go up.
//
// Best effort and off the sync path: record() returns at once; a failure is logged and dropped.
import { EventRecorder } from '../../lib/event-recorder.js';
import type { ShoalClient } from '../../lib/client.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../../lib/kinds.js';
import type { Logger } from './pod-worker.js';

/** Names of events whose last written version is remembered (for cheap updates). */
const MAX_KNOWN = 2_000;
/** Writes in flight or waiting at once; beyond it events are dropped (as client-go does). */
const MAX_PENDING = 1_000;

export class PodEventRecorder {
  private readonly recorder: EventRecorder;

  constructor(
    client: Pick<ShoalClient, 'get' | 'create' | 'update'>,
    nodeName: string,
    private readonly logger: Logger,
  ) {
    this.recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName, maxCached: MAX_KNOWN, maxPending: MAX_PENDING });
  }

  /** Records an event about `pod` (and one of its containers, as fieldPath). */
  record(pod: Pod__Output, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    // Over the limit the event is dropped quietly: an agent that cannot keep up with its own
    // events must not also flood its log.
    if (this.recorder.pendingWrites >= MAX_PENDING) return;
    const obj: KubeObject = { apiVersion: 'v1', ...(pod as KubeObject), kind: 'Pod' };
    void this.recorder.record(obj, type, reason, message, container ? { fieldPath: `spec.containers{${container}}` } : {}).then((err) => {
      if (err) this.logger.warn(`event ${reason} for pod ${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}: ${err.message}`);
    });
  }

  /** Resolves when every event write started so far has ended. */
  flush(): Promise<void> {
    return this.recorder.flush();
  }
}
