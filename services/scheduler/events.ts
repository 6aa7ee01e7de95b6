// Records v1 Events about pods, as kube-scheduler's event recorder does: Normal "Scheduled"
// and Warning "FailedScheduling". Repeats are aggregated: one Event per pod and reason, named
// "<pod>.<hash of the reason>", whose count and lastTimestamp go up on every repeat instead
// of a new object per retry.
import type { ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Event__Output } from '../../lib/gen/shoal/v1/Event.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../../lib/kinds.js';

export type EventClient = Pick<ShoalClient, 'get' | 'create' | 'update'>;

/** RFC 3339 to the second, as the API server writes timestamps. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 32-bit FNV-1a, hex: short, stable names for aggregated events. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface EventRecorderOptions {
  component: string;
  now?: () => number;
  /** How many events' last known versions to remember (default 10,000). */
  maxCached?: number;
}

/**
 * Writes events; safe to call concurrently. Writes for one event name are serialised (so
 * they do not conflict with each other); record() never throws: an event is best effort, and
 * a failure is returned as the Error for the caller to log.
 */
export class EventRecorder {
  private readonly client: EventClient;
  private readonly component: string;
  private readonly now: () => number;
  private readonly maxCached: number;
  /** Event name → the object as last written (for the resourceVersion of the next update). */
  private readonly known = new Map<string, Event__Output>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(client: EventClient, opts: EventRecorderOptions) {
    this.client = client;
    this.component = opts.component;
    this.now = opts.now ?? Date.now;
    this.maxCached = opts.maxCached ?? 10_000;
  }

  static eventName(podName: string, reason: string): string {
    return `${podName}.${fnv1a(reason)}`;
  }

  record(pod: Pod__Output, type: 'Normal' | 'Warning', reason: string, message: string): Promise<Error | undefined> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = EventRecorder.eventName(pod.metadata?.name ?? '', reason);
    const key = `${namespace}/${name}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.write(pod, namespace, name, type, reason, message));
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next.then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async write(pod: Pod__Output, namespace: string, name: string, type: string, reason: string, message: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const now = timestamp(this.now());
    const involved = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
      resourceVersion: pod.metadata?.resourceVersion ?? '',
    };
    const bump = (old: Event__Output): KubeObject => {
      const samePod = old.involvedObject?.uid === involved.uid;
      return {
        ...(old as KubeObject),
        apiVersion: 'v1',
        kind: 'Event',
        involvedObject: involved,
        type,
        reason,
        message,
        count: samePod ? (old.count ?? 1) + 1 : 1,
        firstTimestamp: samePod ? (old.firstTimestamp ?? now) : now,
        lastTimestamp: now,
      };
    };
    // Bounded: create, or update what is known, then at most a few re-reads on conflicts.
    for (let attempt = 0; attempt < 5; attempt++) {
      const old = this.known.get(key);
      try {
        let written: KubeObject;
        if (old) {
          written = await this.client.update(bump(old));
        } else {
          written = await this.client.create({
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name, namespace },
            involvedObject: involved,
            reason,
            message,
            type,
            source: { component: this.component },
            reportingComponent: this.component,
            count: 1,
            firstTimestamp: now,
            lastTimestamp: now,
          });
        }
        this.remember(key, written);
        return;
      } catch (err) {
        if (err instanceof AlreadyExistsError || err instanceof ConflictError) {
          try {
            this.remember(key, await this.client.get('Event', namespace, name));
          } catch (getErr) {
            if (!(getErr instanceof NotFoundError)) throw getErr;
            this.known.delete(key);
          }
          continue;
        }
        if (err instanceof NotFoundError) {
          // Deleted behind our back (or its namespace's events were cleaned up): create anew.
          this.known.delete(key);
          continue;
        }
        throw err;
      }
    }
    throw new Error(`event ${key}: gave up after repeated conflicts`);
  }

  private remember(key: string, ev: Event__Output): void {
    this.known.delete(key);
    this.known.set(key, ev);
    if (this.known.size > this.maxCached) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}
