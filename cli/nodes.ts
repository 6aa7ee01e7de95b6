// `shoal cordon|uncordon|drain NODE`, as kubectl does them: cordon sets spec.unschedulable
// so the scheduler places nothing new there; drain cordons, then deletes the node's pods
// (Shoal has no eviction subresource yet, so a delete stands in for the eviction) and waits
// for them to be gone. Same shape as the verbs in commands.ts: (client, args, io) → exit code.
import type { ShoalClient } from '../lib/client.js';
import { retryOnConflict } from '../lib/client.js';
import { NotFoundError } from '../lib/errors.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { guarded, type IO } from './commands.js';

/** The part of ShoalClient these verbs use; tests pass a fake. */
export type NodesClient = Pick<ShoalClient, 'get' | 'list' | 'update' | 'delete'>;

export interface NodeArgs {
  node: string;
}

export interface DrainArgs {
  node: string;
  /** Also delete pods that no controller would recreate. */
  force?: boolean;
  /** Leave DaemonSet-managed pods alone instead of refusing to drain. */
  ignoreDaemonsets?: boolean;
  /** Also delete pods that use emptyDir volumes (their data is lost). */
  deleteEmptyDirData?: boolean;
  /** Seconds each pod gets to stop; absent or negative: the pod's own
   * terminationGracePeriodSeconds. */
  gracePeriod?: number;
  /** Give up waiting after this many seconds; absent or 0: wait for ever (kubectl). */
  timeoutSeconds?: number;
  /** How often to look whether the pods are gone (default 250 ms; tests shorten it). */
  pollIntervalMs?: number;
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

async function setUnschedulable(client: NodesClient, name: string, value: boolean, io: IO): Promise<void> {
  await retryOnConflict(async () => {
    const node = (await client.get('Node', '', name)) as Node__Output & KubeObject;
    if ((node.spec?.unschedulable ?? false) === value) {
      io.out(`node/${name} already ${value ? 'cordoned' : 'uncordoned'}`);
      return;
    }
    const next = structuredClone(node);
    next.spec = { ...next.spec, unschedulable: value };
    if (!value) delete next.spec.unschedulable;
    await client.update(next);
    io.out(`node/${name} ${value ? 'cordoned' : 'uncordoned'}`);
  });
}

/** Marks the node unschedulable: "node/n1 cordoned". */
export function cordon(client: NodesClient, args: NodeArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    await setUnschedulable(client, args.node, true, io);
    return 0;
  });
}

/** Marks the node schedulable again: "node/n1 uncordoned". */
export function uncordon(client: NodesClient, args: NodeArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    await setUnschedulable(client, args.node, false, io);
    return 0;
  });
}

function podName(p: Pod__Output): string {
  return `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
}

interface Plan {
  remove: Pod__Output[];
  warnings: string[];
  errors: string[];
}

/** kubectl's drain filters: which pods go, which are skipped with a warning, which block. */
function planDrain(pods: Pod__Output[], args: DrainArgs): Plan {
  const plan: Plan = { remove: [], warnings: [], errors: [] };
  const unmanaged: string[] = [];
  const daemonSets: string[] = [];
  const localStorage: string[] = [];
  const blockedDaemonSets: string[] = [];
  for (const pod of pods) {
    const m = pod.metadata ?? {};
    // Mirror pods belong to the node itself: deleting them does nothing.
    if (m.annotations?.[MIRROR_ANNOTATION] !== undefined) continue;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const controller = (m.ownerReferences ?? []).find((o) => o.controller);
    if (controller?.kind === 'DaemonSet' && !finished) {
      if (args.ignoreDaemonsets) daemonSets.push(podName(pod));
      else blockedDaemonSets.push(podName(pod));
      continue;
    }
    let blocked = false;
    if (!controller && !finished) {
      unmanaged.push(podName(pod));
      if (!args.force) blocked = true;
    }
    if (!finished && (pod.spec?.volumes ?? []).some((v) => v.emptyDir)) {
      localStorage.push(podName(pod));
      if (!args.deleteEmptyDirData) blocked = true;
    }
    if (!blocked) plan.remove.push(pod);
  }
  if (blockedDaemonSets.length) plan.errors.push(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${blockedDaemonSets.join(', ')}`);
  if (unmanaged.length) {
    if (args.force) plan.warnings.push(`deleting Pods that declare no controller: ${unmanaged.join(', ')}`);
    else plan.errors.push(`cannot delete Pods that declare no controller (use --force to override): ${unmanaged.join(', ')}`);
  }
  if (localStorage.length) {
    if (args.deleteEmptyDirData) plan.warnings.push(`deleting Pods with local storage: ${localStorage.join(', ')}`);
    else plan.errors.push(`cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(', ')}`);
  }
  if (daemonSets.length) plan.warnings.push(`ignoring DaemonSet-managed Pods: ${daemonSets.join(', ')}`);
  return plan;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function drainFailed(node: string, message: string, io: IO): number {
  io.err(`error: unable to drain node "${node}" due to error: ${message}, continuing command...`);
  io.err(`There are pending nodes to be drained:\n ${node}\n${message}`);
  return 1;
}

/**
 * Cordons the node, deletes its pods (refusing, as kubectl does, pods that no controller
 * would recreate unless `force`, DaemonSet pods unless `ignoreDaemonsets`, and pods with
 * emptyDir data unless `deleteEmptyDirData`), then waits for them to be gone.
 */
export function drain(client: NodesClient, args: DrainArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const { node } = args;
    await setUnschedulable(client, node, true, io);
    const { items } = await client.list('Pod', { fieldSelector: `spec.nodeName=${node}` });
    const plan = planDrain(items as Pod__Output[], args);
    if (plan.errors.length) return drainFailed(node, plan.errors.join(', '), io);
    for (const w of plan.warnings) io.err(`Warning: ${w}`);

    const grace = args.gracePeriod !== undefined && args.gracePeriod >= 0 ? { gracePeriodSeconds: args.gracePeriod } : {};
    const deadline = args.timeoutSeconds ? Date.now() + args.timeoutSeconds * 1000 : Infinity;
    const interval = args.pollIntervalMs ?? 250;
    const failures: string[] = [];
    await Promise.all(
      plan.remove.map(async (pod) => {
        const ns = pod.metadata?.namespace ?? '';
        const name = pod.metadata?.name ?? '';
        io.out(`evicting pod ${ns}/${name}`);
        try {
          await client.delete('Pod', ns, name, grace);
        } catch (err) {
          if (!(err instanceof NotFoundError)) {
            failures.push(`error when evicting pods/"${name}" -n "${ns}": ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
        }
        // Gone, or replaced by a new pod of the same name (a new uid), counts as evicted.
        // Bounded by the deadline (or by the caller's signal when waiting for ever).
        for (;;) {
          try {
            const cur = await client.get('Pod', ns, name);
            if (cur.metadata?.uid !== pod.metadata?.uid) break;
          } catch (err) {
            if (err instanceof NotFoundError) break;
            throw err;
          }
          if (io.signal?.aborted) {
            failures.push(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: interrupted`);
            return;
          }
          if (Date.now() >= deadline) {
            failures.push(`error when waiting for pod "${name}" in namespace "${ns}" to terminate: global timeout reached: ${args.timeoutSeconds}s`);
            return;
          }
          await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), io.signal);
        }
        io.out(`pod/${name} evicted`);
      }),
    );
    if (failures.length) return drainFailed(node, `[${failures.join(', ')}]`, io);
    io.out(`node/${node} drained`);
    return 0;
  });
}
