// v1 Events about the pods this agent runs (the kubelet's Started, Killing, BackOff,
// Unhealthy, Failed, FailedMount), aggregated as client-go's recorder does: one Event per pod,
// reason and container, whose count and lastTimestamp go up on a repeat.
//
// Best effort and off the sync path: record() returns at once; writes for one event are
// serialised; a failure is logged and dropped.
import type { ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Event__Output } from '../../lib/gen/shoal/v1/Event.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../../lib/kinds.js';
import type { Logger } from './pod-worker.js';
import { timestamp } from './status.js';

/** Names of events whose last written version is remembered (for cheap updates). */
const MAX_KNOWN = 2_000;
/** Writes in flight or waiting at once; beyond it events are dropped (as client-go does). */
const MAX_PENDING = 1_000;

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export class PodEventRecorder {
  private readonly known = new Map<string, Event__Output>();
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;

  constructor(
    private readonly client: Pick<ShoalClient, 'get' | 'create' | 'update'>,
    private readonly nodeName: string,
    private readonly logger: Logger,
  ) {}

  /** Records an event about `pod` (and one of its containers, as fieldPath). */
  record(pod: Pod__Output, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    if (this.pending >= MAX_PENDING) return;
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = `${pod.metadata?.name ?? ''}.${fnv1a(`${pod.metadata?.uid ?? ''}/${container ?? ''}/${reason}`)}`;
    const key = `${namespace}/${name}`;
    this.pending++;
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.write(pod, namespace, name, type, reason, message, container))
      .catch((err: unknown) => this.logger.warn(`event ${reason} for pod ${namespace}/${pod.metadata?.name ?? ''}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.pending--;
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  private async write(pod: Pod__Output, namespace: string, name: string, type: string, reason: string, message: string, container?: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const now = timestamp();
    const involvedObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
      ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
    };
    // Bounded: create or update, then at most a few re-reads on conflicts.
    for (let attempt = 0; attempt < 4; attempt++) {
      const old = this.known.get(key);
      try {
        const written = old
          ? await this.client.update({ ...(old as KubeObject), apiVersion: 'v1', kind: 'Event', message, count: (old.count ?? 1) + 1, lastTimestamp: now })
          : await this.client.create({
              apiVersion: 'v1',
              kind: 'Event',
              metadata: { name, namespace },
              involvedObject,
              reason,
              message,
              type,
              source: { component: 'kubelet', host: this.nodeName },
              reportingComponent: 'kubelet',
              reportingInstance: this.nodeName,
              count: 1,
              firstTimestamp: now,
              lastTimestamp: now,
            });
        this.remember(key, written);
        return;
      } catch (err) {
        if (err instanceof AlreadyExistsError || err instanceof ConflictError) {
          try {
            this.remember(key, (await this.client.get('Event', namespace, name)));
          } catch (e) {
            if (!(e instanceof NotFoundError)) throw e;
            this.known.delete(key);
          }
          continue;
        }
        if (err instanceof NotFoundError) {
          this.known.delete(key);
          continue;
        }
        throw err;
      }
    }
  }

  private remember(key: string, ev: Event__Output): void {
    this.known.delete(key);
    this.known.set(key, ev);
    if (this.known.size > MAX_KNOWN) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }
}
