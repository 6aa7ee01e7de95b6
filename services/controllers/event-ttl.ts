// Event TTL (what etcd leases do for Kubernetes' events): an Event is deleted once its last
// occurrence (lastTimestamp, else eventTime, firstTimestamp, creationTimestamp) is older than
// the TTL (default 1 h). Each event waits in the work queue until its own expiry
// (requeueAfter); a repeat that moves lastTimestamp on pushes the expiry back.
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Event__Output } from '../../lib/gen/shoal/v1/Event.js';
import type { KubeObject } from '../../lib/kinds.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import { keyOf, splitKey, type Controller, type ControllerContext } from './framework.js';

export interface EventTtlOptions {
  /** Default 3,600,000 (1 h). */
  eventTtlMs?: number;
}

/** When the event last happened (ms), or NaN if it carries no time at all. */
export function lastOccurrence(ev: KubeObject): number {
  const e = ev as Event__Output;
  for (const t of [e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]) {
    const ms = t ? Date.parse(t) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return NaN;
}

export function eventTtlController(opts: EventTtlOptions = {}): Controller {
  const ttlMs = opts.eventTtlMs ?? 3_600_000;
  return {
    name: 'event-ttl',
    workers: 2,
    setup(ctx: ControllerContext, queue) {
      const events = ctx.informer('Event');
      events.addEventHandler({ onAdd: (e) => queue.add(keyOf(e)), onUpdate: (_o, e) => queue.add(keyOf(e)) });
      return async (key: string): Promise<ReconcileResult | void> => {
        const ev = events.getByKey(key);
        if (!ev) return;
        const last = lastOccurrence(ev);
        const expiresAt = (Number.isFinite(last) ? last : ctx.now()) + ttlMs;
        const left = expiresAt - ctx.now();
        if (left > 0) return { requeueAfter: left };
        const { namespace, name } = splitKey(key);
        try {
          // Only the version we judged: a repeat written meanwhile keeps it alive.
          await ctx.client.delete('Event', namespace, name, { resourceVersion: ev.metadata?.resourceVersion });
        } catch (err) {
          if (err instanceof NotFoundError) return;
          // The update that beat us is on its way through the informer and re-enqueues it.
          if (err instanceof ConflictError) return { requeue: true };
          throw err;
        }
      };
    },
  };
}
