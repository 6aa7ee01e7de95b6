// The garbage collector (kube-controller-manager's garbagecollector): keeps a graph of
// ownerReferences (owner uid → dependents) over the kinds that own or are owned, and
//  - deletes a dependent whose owners are all gone (looked up by uid: an owner recreated
//    under the same name is another object, so its old dependents go too) — this is how
//    Background propagation cascades;
//  - Foreground: an owner marked for deletion with the foregroundDeletion finalizer has its
//    dependents deleted (those with dependents of their own with Foreground, so a Deployment's
//    ReplicaSets wait for their pods), and loses the finalizer — and with it goes — once no
//    dependent with blockOwnerDeletion remains;
//  - Orphan: an owner with the orphan finalizer has its ownerReference removed from every
//    dependent, then loses the finalizer.
// A dependent that still has a live owner only drops its references to gone or
// foreground-deleting owners. Absence is confirmed against the API server before anything is
// deleted, since the informers of different kinds can lag one another.
import { retryOnConflict } from '../../lib/client.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { OwnerReference__Output } from '../../lib/gen/shoal/v1/OwnerReference.js';
import { findKind, type KubeObject } from '../../lib/kinds.js';
import type { ReconcileResult } from '../../lib/workqueue.js';
import { keyOf, type Controller, type ControllerContext } from './framework.js';

/** Kinds the collector follows, as owners and as dependents. */
export const GC_KINDS: readonly string[] = ['Deployment', 'ReplicaSet', 'Pod', 'CronJob', 'Job', 'Node', 'Lease'];

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** How often a foreground deletion that waits on dependents is looked at again even without
 * an event (a backstop: the dependents' deletions enqueue it). */
const FOREGROUND_RECHECK_MS = 10_000;
/** Owner uids confirmed gone (a uid never comes back), so their dependents need no lookup. */
const ABSENT_CACHE_SIZE = 4096;

export interface GarbageCollectorOptions {
  /** The kinds to follow (default GC_KINDS). */
  kinds?: readonly string[];
}

/** "Kind/namespace/name" (or "Kind/name"): the collector's work-queue key. */
export function itemKey(kind: string, obj: KubeObject): string {
  return `${kind}/${keyOf(obj)}`;
}

function splitItem(item: string): { kind: string; key: string } {
  const i = item.indexOf('/');
  return { kind: item.slice(0, i), key: item.slice(i + 1) };
}

function ownerRefs(obj: KubeObject): OwnerReference__Output[] {
  return obj.metadata?.ownerReferences ?? [];
}

function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(f);
}

function refsSignature(obj: KubeObject | undefined): string {
  return obj ? ownerRefs(obj).map((r) => `${r.uid ?? ''}:${r.blockOwnerDeletion ? 1 : 0}`).join(',') : '';
}

type OwnerState = { state: 'absent' } | { state: 'present'; obj: KubeObject };

export function garbageCollector(opts: GarbageCollectorOptions = {}): Controller {
  const kinds = (opts.kinds ?? GC_KINDS).map((k) => findKind(k)?.kind ?? k);
  const watched = new Set(kinds);
  return {
    name: 'garbage-collector',
    workers: 4,
    setup(ctx: ControllerContext, queue) {
      const { client, logger } = ctx;
      /** uid → item key of every object followed. */
      const byUid = new Map<string, string>();
      /** owner uid → item keys of the objects that name it. */
      const dependents = new Map<string, Set<string>>();
      /** item key → the owner uids it names (to undo edges on change). */
      const ownersOf = new Map<string, string[]>();
      const absent = new Set<string>();

      const informerOf = (kind: string) => ctx.informer(kind);
      const lookup = (item: string): KubeObject | undefined => {
        const { kind, key } = splitItem(item);
        return watched.has(kind) ? informerOf(kind).getByKey(key) : undefined;
      };
      const markAbsent = (uid: string): void => {
        absent.add(uid);
        if (absent.size > ABSENT_CACHE_SIZE) {
          const first = absent.values().next().value;
          if (first !== undefined) absent.delete(first);
        }
      };

      const untrack = (item: string, uid: string | undefined): void => {
        if (uid && byUid.get(uid) === item) byUid.delete(uid);
        for (const o of ownersOf.get(item) ?? []) {
          const set = dependents.get(o);
          set?.delete(item);
          if (set?.size === 0) dependents.delete(o);
        }
        ownersOf.delete(item);
      };
      const track = (item: string, obj: KubeObject): void => {
        untrack(item, undefined);
        const uid = obj.metadata?.uid;
        if (uid) byUid.set(uid, item);
        const owners = ownerRefs(obj)
          .map((r) => r.uid ?? '')
          .filter((u) => u !== '');
        if (owners.length) ownersOf.set(item, owners);
        for (const o of owners) {
          let set = dependents.get(o);
          if (!set) dependents.set(o, (set = new Set()));
          set.add(item);
        }
      };
      const enqueueUid = (uid: string | undefined): void => {
        const item = uid ? byUid.get(uid) : undefined;
        if (item) queue.add(item);
      };
      const needsWork = (obj: KubeObject): boolean =>
        ownerRefs(obj).length > 0 || (!!obj.metadata?.deletionTimestamp && (hasFinalizer(obj, FOREGROUND_FINALIZER) || hasFinalizer(obj, ORPHAN_FINALIZER)));

      for (const kind of kinds) {
        informerOf(kind).addEventHandler({
          onAdd: (obj) => {
            const item = itemKey(kind, obj);
            track(item, obj);
            if (needsWork(obj)) queue.add(item);
          },
          onUpdate: (old, obj) => {
            const item = itemKey(kind, obj);
            if (old.metadata?.uid !== obj.metadata?.uid) untrack(item, old.metadata?.uid);
            track(item, obj);
            const refsChanged = refsSignature(old) !== refsSignature(obj);
            const deletionChanged =
              old.metadata?.deletionTimestamp !== obj.metadata?.deletionTimestamp ||
              (old.metadata?.finalizers ?? []).join(',') !== (obj.metadata?.finalizers ?? []).join(',');
            if ((refsChanged || deletionChanged) && needsWork(obj)) queue.add(item);
            // An owner waiting on this dependent looks again when the reference goes away.
            if (refsChanged) for (const r of ownerRefs(old)) enqueueUid(r.uid);
          },
          onDelete: (obj) => {
            const item = itemKey(kind, obj);
            const uid = obj.metadata?.uid;
            untrack(item, uid);
            if (uid) {
              markAbsent(uid);
              // Its dependents lost an owner; its owners may be waiting for it.
              for (const d of dependents.get(uid) ?? []) queue.add(d);
            }
            for (const r of ownerRefs(obj)) enqueueUid(r.uid);
          },
        });
      }

      /** Whether the owner named by `ref` (from a dependent in `namespace`) exists, by uid. */
      const resolveOwner = async (ref: OwnerReference__Output, namespace: string): Promise<OwnerState> => {
        const uid = ref.uid ?? '';
        const info = findKind(ref.kind ?? '');
        if (!info) return { state: 'absent' };
        const item = byUid.get(uid);
        const cached = item ? lookup(item) : undefined;
        if (cached && cached.metadata?.uid === uid) return { state: 'present', obj: cached };
        if (absent.has(uid)) return { state: 'absent' };
        // Not in our caches: it may be new and not yet seen. Ask the server.
        try {
          const live = await client.get(info.kind, info.namespaced ? namespace : '', ref.name ?? '');
          if (live.metadata?.uid === uid) return { state: 'present', obj: live };
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        markAbsent(uid);
        return { state: 'absent' };
      };

      const hasDependents = (obj: KubeObject): boolean => (dependents.get(obj.metadata?.uid ?? '')?.size ?? 0) > 0;

      /** Read-modify-write on the live object (while it is still the same object). */
      const mutate = async (kind: string, obj: KubeObject, change: (fresh: KubeObject) => KubeObject | undefined): Promise<void> => {
        const ns = obj.metadata?.namespace ?? '';
        const name = obj.metadata?.name ?? '';
        let current: KubeObject | undefined = obj;
        await retryOnConflict(async () => {
          const fresh = current ?? (await client.get(kind, ns, name));
          current = undefined;
          if (fresh.metadata?.uid !== obj.metadata?.uid) return;
          const next = change(structuredClone(fresh));
          if (next) await client.update(next);
        }, 8).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
      };

      const removeFinalizer = (kind: string, obj: KubeObject, finalizer: string): Promise<void> =>
        mutate(kind, obj, (fresh) => {
          const fins = fresh.metadata?.finalizers ?? [];
          if (!fins.includes(finalizer)) return undefined;
          fresh.metadata = { ...fresh.metadata, finalizers: fins.filter((f) => f !== finalizer) };
          return fresh;
        });

      const removeOwnerRefs = (kind: string, obj: KubeObject, uids: Set<string>): Promise<void> =>
        mutate(kind, obj, (fresh) => {
          const refs = ownerRefs(fresh);
          const kept = refs.filter((r) => !uids.has(r.uid ?? ''));
          if (kept.length === refs.length) return undefined;
          fresh.metadata = { ...fresh.metadata, ownerReferences: kept };
          return fresh;
        });

      const deleteItem = async (kind: string, obj: KubeObject, policy: 'Background' | 'Foreground'): Promise<void> => {
        const m = obj.metadata ?? {};
        logger.info(`garbage-collector: deleting ${kind} ${keyOf(obj)} (${policy}): its owners are gone or being deleted`);
        try {
          // The precondition: delete what we judged, not an object changed (adopted) meanwhile.
          await client.delete(kind, m.namespace ?? '', m.name ?? '', { propagationPolicy: policy, resourceVersion: m.resourceVersion });
        } catch (err) {
          if (err instanceof NotFoundError) return;
          if (err instanceof ConflictError) throw new Error(`${kind} ${keyOf(obj)} changed while being collected; looking again`, { cause: err });
          throw err;
        }
      };

      /** A dependent: collect it when no owner of it is left alive. */
      const attemptToDelete = async (kind: string, obj: KubeObject): Promise<void> => {
        const refs = ownerRefs(obj).filter((r) => r.uid && r.kind && watched.has(findKind(r.kind)?.kind ?? ''));
        if (!refs.length) return;
        const namespace = obj.metadata?.namespace ?? '';
        let solid = 0;
        const dangling = new Set<string>();
        const waiting = new Set<string>();
        for (const ref of refs) {
          const owner = await resolveOwner(ref, namespace);
          if (owner.state === 'absent') dangling.add(ref.uid!);
          else if (owner.obj.metadata?.deletionTimestamp && hasFinalizer(owner.obj, FOREGROUND_FINALIZER)) waiting.add(ref.uid!);
          else solid++;
        }
        // Owners of kinds we do not follow count as alive.
        solid += ownerRefs(obj).length - refs.length;
        if (!dangling.size && !waiting.size) return;
        if (solid > 0) {
          await removeOwnerRefs(kind, obj, new Set([...dangling, ...waiting]));
          return;
        }
        await deleteItem(kind, obj, waiting.size && hasDependents(obj) ? 'Foreground' : 'Background');
      };

      /** An owner being deleted in the foreground: its dependents go first. */
      const processForeground = async (kind: string, obj: KubeObject): Promise<ReconcileResult | void> => {
        const uid = obj.metadata?.uid ?? '';
        let blocking = 0;
        for (const item of dependents.get(uid) ?? []) {
          const dep = lookup(item);
          const ref = dep ? ownerRefs(dep).find((r) => r.uid === uid) : undefined;
          if (!dep || !ref) continue;
          if (!dep.metadata?.deletionTimestamp) queue.add(item);
          if (ref.blockOwnerDeletion) blocking++;
        }
        if (blocking > 0) return { requeueAfter: FOREGROUND_RECHECK_MS };
        await removeFinalizer(kind, obj, FOREGROUND_FINALIZER);
      };

      /** An owner being deleted with Orphan: its dependents keep living without it. */
      const processOrphan = async (kind: string, obj: KubeObject): Promise<void> => {
        const uid = obj.metadata?.uid ?? '';
        for (const item of [...(dependents.get(uid) ?? [])]) {
          const dep = lookup(item);
          if (dep) await removeOwnerRefs(splitItem(item).kind, dep, new Set([uid]));
        }
        await removeFinalizer(kind, obj, ORPHAN_FINALIZER);
      };

      return async (item: string): Promise<ReconcileResult | void> => {
        const { kind } = splitItem(item);
        const obj = lookup(item);
        if (!obj) return;
        if (obj.metadata?.deletionTimestamp) {
          if (hasFinalizer(obj, ORPHAN_FINALIZER)) return processOrphan(kind, obj);
          if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return processForeground(kind, obj);
          return;
        }
        return attemptToDelete(kind, obj);
      };
    },
  };
}
