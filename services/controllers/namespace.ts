// The namespace controller: a namespace marked for deletion (Terminating) is emptied — every
// namespaced object in it deleted — and once nothing is left its "kubernetes" finalizer
// (spec.finalizers) is cleared, which lets the API server remove it. Its status carries a
// NamespaceContentRemaining condition while it waits, as Kubernetes' does.
//
// While content remains, the namespace is listed again after a back-off that starts at
// recheckMs (1 s) and doubles up to maxRecheckMs (30 s), so a namespace stuck on a finalizer
// does not cost a list of every kind every second. Deletions seen by the shared informers of
// the workload kinds (pods, ReplicaSets, Deployments, Jobs, CronJobs) requeue it at once when
// the last object of that kind in a terminating namespace goes.
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { NamespaceSpec__Output } from '../../lib/gen/shoal/v1/NamespaceSpec.js';
import type { NamespaceStatus__Output } from '../../lib/gen/shoal/v1/NamespaceStatus.js';
import { retryOnConflict } from '../../lib/client.js';
import { setCondition, timestamp } from '../../lib/conditions.js';
import { NotFoundError } from '../../lib/errors.js';
import { KINDS, type KubeObject } from '../../lib/kinds.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import type { Controller, ControllerContext } from './framework.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  /** How soon a namespace whose contents are still going is looked at again (default 1 s;
   * a pod on a live node may take its grace period); doubled per look... */
  recheckMs?: number;
  /** ...up to this (default 30 s). */
  maxRecheckMs?: number;
}

/** Kinds whose shared informers the controller manager runs anyway (the workload
 * controllers'): their deletions requeue a terminating namespace. */
const WATCHED_KINDS = ['Pod', 'ReplicaSet', 'Deployment', 'Job', 'CronJob'];

/** The kinds a namespace's deletion removes, dependents before owners (the garbage
 * collector would get there too; this order just makes less work for it). */
export function namespacedKinds(): string[] {
  const order = ['CronJob', 'Deployment', 'Job', 'ReplicaSet', 'Pod'];
  const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
  return KINDS.filter((k) => k.namespaced)
    .map((k) => k.kind)
    .sort((a, b) => rank(a) - rank(b));
}

export function namespaceController(opts: NamespaceControllerOptions = {}): Controller {
  const recheckMs = opts.recheckMs ?? 1000;
  const maxRecheckMs = Math.max(recheckMs, opts.maxRecheckMs ?? 30_000);
  return {
    name: 'namespace',
    workers: 2,
    setup(ctx: ControllerContext, queue) {
      const { client, logger } = ctx;
      const namespaces = ctx.informer('Namespace');
      const enqueue = (ns: KubeObject): void => {
        if (ns.metadata?.deletionTimestamp) queue.add(ns.metadata.name ?? '');
      };
      /** namespace → the next back-off while its content remains. */
      const backoff = new Map<string, number>();
      namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns), onDelete: (ns) => backoff.delete(ns.metadata?.name ?? '') });
      for (const kind of WATCHED_KINDS) {
        const inf = ctx.informer(kind);
        inf.addEventHandler({
          onDelete: (obj) => {
            const name = obj.metadata?.namespace ?? '';
            if (!name || !namespaces.get('', name)?.metadata?.deletionTimestamp) return;
            // The last of this kind here is gone: look now rather than after the back-off.
            if (inf.list({ namespace: name }).length === 0) queue.add(name);
          },
        });
      }

      const setContentCondition = async (ns: KubeObject, remaining: Map<string, number>): Promise<void> => {
        const status = (ns.status ?? {}) as NamespaceStatus__Output;
        const message = remaining.size
          ? `Some resources are remaining: ${[...remaining].map(([k, n]) => `${k.toLowerCase()} has ${n} resource instance${n === 1 ? '' : 's'}`).join(', ')}`
          : 'All content successfully removed';
        const condition: Condition__Output = {
          type: 'NamespaceContentRemaining',
          status: remaining.size ? 'True' : 'False',
          reason: remaining.size ? 'SomeResourcesRemain' : 'ContentRemoved',
          message,
        };
        const current = status.conditions ?? [];
        const conditions = setCondition(current, { ...condition, lastTransitionTime: timestamp(ctx.now()) });
        if (conditions === current) return;
        try {
          await client.updateStatus({ ...structuredClone(ns), status: { ...status, phase: 'Terminating', conditions } });
        } catch (err) {
          // Cosmetic: a conflict only means a newer version is on its way to us.
          if (!(err instanceof NotFoundError)) logger.warn(`namespace ${ns.metadata?.name ?? ''}: status: ${(err as Error).message}`);
        }
      };

      return async (name: string): Promise<ReconcileResult | void> => {
        const ns = namespaces.get('', name);
        const finalizers = (ns?.spec as NamespaceSpec__Output | undefined)?.finalizers ?? [];
        if (!ns?.metadata?.deletionTimestamp || !finalizers.includes(NAMESPACE_FINALIZER)) {
          backoff.delete(name);
          return;
        }

        // Live lists, not informers: the controller manager need not cache every kind.
        const remaining = new Map<string, number>();
        for (const kind of namespacedKinds()) {
          const { items } = await client.listAll(kind, { namespace: name });
          if (!items.length) continue;
          remaining.set(kind, items.length);
          for (const obj of items) {
            if (obj.metadata?.deletionTimestamp) continue; // going already (grace period, finalizers)
            try {
              await client.delete(kind, name, obj.metadata?.name ?? '', { propagationPolicy: 'Background' });
            } catch (err) {
              if (!(err instanceof NotFoundError)) throw err;
            }
          }
        }
        if (remaining.size) {
          await setContentCondition(ns, remaining);
          const delay = backoff.get(name) ?? recheckMs;
          backoff.set(name, Math.min(maxRecheckMs, delay * 2));
          return { requeueAfter: delay };
        }
        backoff.delete(name);
        // Empty: clear our finalizer; the API server removes the namespace with it.
        await retryOnConflict(async () => {
          const fresh = await client.get('Namespace', '', name);
          const spec = (fresh.spec ?? {}) as NamespaceSpec__Output;
          if (!(spec.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
          await client.update({ ...fresh, spec: { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) } });
        }).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
        logger.info(`namespace ${name}: emptied; finalizer ${NAMESPACE_FINALIZER} removed`);
      };
    },
  };
}
