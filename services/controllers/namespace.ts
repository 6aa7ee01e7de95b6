// The namespace controller: a namespace marked for deletion (Terminating) is emptied — every
// namespaced object in it deleted — and once nothing is left its "kubernetes" finalizer
// (spec.finalizers) is cleared, which lets the API server remove it. Its status carries a
// NamespaceContentRemaining condition while it waits, as Kubernetes' does.
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { NamespaceSpec__Output } from '../../lib/gen/shoal/v1/NamespaceSpec.js';
import type { NamespaceStatus__Output } from '../../lib/gen/shoal/v1/NamespaceStatus.js';
import { retryOnConflict } from '../../lib/client.js';
import { NotFoundError } from '../../lib/errors.js';
import { KINDS, type KubeObject } from '../../lib/kinds.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import type { Controller, ControllerContext } from './framework.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  /** How soon a namespace whose contents are still going is looked at again (default 1 s;
   * a pod on a live node may take its grace period). */
  recheckMs?: number;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

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
  return {
    name: 'namespace',
    workers: 2,
    setup(ctx: ControllerContext, queue) {
      const { client, logger } = ctx;
      const namespaces = ctx.informer('Namespace');
      const enqueue = (ns: KubeObject): void => {
        if (ns.metadata?.deletionTimestamp) queue.add(ns.metadata.name ?? '');
      };
      namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });

      const setCondition = async (ns: KubeObject, remaining: Map<string, number>): Promise<void> => {
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
        const old = (status.conditions ?? []).find((c) => c.type === condition.type);
        if (old && old.status === condition.status && old.message === condition.message) return;
        condition.lastTransitionTime = old && old.status === condition.status ? old.lastTransitionTime : timestamp(ctx.now());
        const conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
        try {
          await client.updateStatus({ ...structuredClone(ns), status: { ...status, phase: 'Terminating', conditions } });
        } catch (err) {
          // Cosmetic: a conflict only means a newer version is on its way to us.
          if (!(err instanceof NotFoundError)) logger.warn(`namespace ${ns.metadata?.name ?? ''}: status: ${(err as Error).message}`);
        }
      };

      return async (name: string): Promise<ReconcileResult | void> => {
        const ns = namespaces.get('', name);
        if (!ns?.metadata?.deletionTimestamp) return;
        const finalizers = (ns.spec as NamespaceSpec__Output | undefined)?.finalizers ?? [];
        if (!finalizers.includes(NAMESPACE_FINALIZER)) return;

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
          await setCondition(ns, remaining);
          return { requeueAfter: recheckMs };
        }
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
