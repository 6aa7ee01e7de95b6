// `shoal cordon|uncordon|drain NODE`, as kubectl does them: cordon sets spec.unschedulable
// so the scheduler places nothing new there; drain cordons, then deletes the node's pods
// (Shoal has no eviction subresource yet, so a delete stands in for the eviction) and waits
// for them to be gone, through one list and a watch from its revision (never by polling).
// Same shape as the verbs in commands.ts: (client, args, io) → exit code.
import type { ListResult, ShoalClient } from '../lib/client.js';
import { retryOnConflict } from '../lib/client.js';
import { ExpiredError, NotFoundError, ShoalError, UnavailableError } from '../lib/errors.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { guarded, type IO } from './commands.js';

/** The part of ShoalClient these verbs use; tests pass a fake. */
export type NodesClient = Pick<ShoalClient, 'get' | 'list' | 'update' | 'delete' | 'watch'>;

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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A pod drain deleted and now waits for: gone once no pod `namespace/name` has this uid. */
interface Evicted {
  namespace: string;
  name: string;
  uid: string;
}

function podKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** Re-list and re-watch after a broken stream at most this many times in a row... */
const MAX_WATCH_RESTARTS = 5;
/** ...pausing this long before the first after a break (doubling, up to 2 s)... */
const RESTART_BACKOFF_MS = 100;
/** ...where a stream that delivered an event, or stayed open this long, resets the count. */
const HEALTHY_STREAM_MS = 10_000;

/**
 * Waits until every pod in `waiting` is gone from `node`: deleted, or replaced by a pod of the
 * same name with a new uid. Watches the node's pods from `revision` (the caller's list, read
 * before it deleted anything, so no deletion is missed), calling `gone` and removing the
 * entry as each one goes. An expired revision (410) or a broken stream (the API server
 * restarting) re-lists the node's pods and watches again from the new revision, up to
 * MAX_WATCH_RESTARTS times in a row with backoff; past that, or on any other error, it throws.
 * Returns when nothing is left or `signal` aborts (what is left is then still in `waiting`).
 */
async function waitForPodsGone(
  client: NodesClient,
  node: string,
  waiting: Map<string, Evicted>,
  revision: string,
  signal: AbortSignal,
  gone: (pod: Evicted) => void,
): Promise<void> {
  const fieldSelector = `spec.nodeName=${node}`;
  const goneNow = (key: string): void => {
    const pod = waiting.get(key);
    if (!pod) return;
    waiting.delete(key);
    gone(pod);
  };
  // An empty revision would watch from "now" and could miss a deletion: list first then.
  let from: string | undefined = revision || undefined;
  let restarts = 0;
  // Bounded: each pass returns, throws, or restarts; MAX_WATCH_RESTARTS restarts in a row at
  // most, and a pass that resets the count took an event or HEALTHY_STREAM_MS.
  for (;;) {
    if (from === undefined) {
      let list: ListResult;
      try {
        // Retries UNAVAILABLE itself, so a restarting API server is waited for here.
        list = await client.list('Pod', { fieldSelector, signal });
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      const present = new Map(list.items.map((p) => [podKey(p.metadata?.namespace, p.metadata?.name), p.metadata?.uid]));
      for (const [key, pod] of [...waiting]) if (present.get(key) !== pod.uid) goneNow(key);
      from = list.resourceVersion;
    }
    if (!waiting.size || signal.aborted) return;

    let healthy = false;
    let broke: unknown;
    const opened = Date.now();
    try {
      for await (const ev of client.watch('Pod', { fieldSelector, resourceVersion: from, signal })) {
        healthy = true;
        if (ev.type === 'BOOKMARK') continue;
        const key = podKey(ev.object.metadata?.namespace, ev.object.metadata?.name);
        const pod = waiting.get(key);
        if (pod && (ev.type === 'DELETED' || ev.object.metadata?.uid !== pod.uid)) goneNow(key);
        if (!waiting.size) return;
      }
      // Ended without an error: the server closed it (shutting down), or `signal` aborted.
    } catch (err) {
      // ExpiredError: the revision was compacted (410): relist. UnavailableError: the
      // connection broke: relist once the server answers again. Anything else is final.
      if (!(err instanceof ExpiredError || err instanceof UnavailableError)) throw err;
      broke = err;
    }
    if (signal.aborted) return;
    if (healthy || Date.now() - opened >= HEALTHY_STREAM_MS) restarts = 0;
    if (++restarts > MAX_WATCH_RESTARTS) {
      const why = broke instanceof Error ? broke.message : 'the server closed the stream';
      throw new ShoalError(`watching the pods on node "${node}": gave up after ${MAX_WATCH_RESTARTS} restarts in a row: ${why}`, { cause: broke });
    }
    if (!(broke instanceof ExpiredError)) await sleep(Math.min(RESTART_BACKOFF_MS * 2 ** (restarts - 1), 2000), signal);
    from = undefined;
  }
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
    // Its revision is where the wait below watches from, so it misses no deletion.
    const { items, resourceVersion } = await client.list('Pod', { fieldSelector: `spec.nodeName=${node}` });
    const plan = planDrain(items as Pod__Output[], args);
    if (plan.errors.length) return drainFailed(node, plan.errors.join(', '), io);
    for (const w of plan.warnings) io.err(`Warning: ${w}`);

    const grace = args.gracePeriod !== undefined && args.gracePeriod >= 0 ? { gracePeriodSeconds: args.gracePeriod } : {};
    const timeout = args.timeoutSeconds ? args.timeoutSeconds * 1000 : undefined;
    const started = Date.now();
    const failures: string[] = [];
    const evicted = (pod: { name: string }): void => io.out(`pod/${pod.name} evicted`);
    const deletions = await Promise.all(
      plan.remove.map(async (pod): Promise<Evicted | undefined> => {
        const namespace = pod.metadata?.namespace ?? '';
        const name = pod.metadata?.name ?? '';
        io.out(`evicting pod ${namespace}/${name}`);
        try {
          const { deleted } = await client.delete('Pod', namespace, name, grace);
          // Terminating (graceful, or held by finalizers): wait for it below.
          if (!deleted) return { namespace, name, uid: pod.metadata?.uid ?? '' };
        } catch (err) {
          if (!(err instanceof NotFoundError)) {
            failures.push(`error when evicting pods/"${name}" -n "${namespace}": ${err instanceof Error ? err.message : String(err)}`);
            return undefined;
          }
        }
        evicted({ name });
        return undefined;
      }),
    );
    // Gone, or replaced by a new pod of the same name (a new uid), counts as evicted.
    const waiting = new Map<string, Evicted>();
    for (const pod of deletions) if (pod) waiting.set(podKey(pod.namespace, pod.name), pod);
    if (waiting.size) {
      // Bounded by the timeout (from before the deletions, as kubectl's), else by io.signal.
      const stop = new AbortController();
      const interrupt = (): void => stop.abort();
      io.signal?.addEventListener('abort', interrupt, { once: true });
      if (io.signal?.aborted) stop.abort();
      // (setTimeout takes at most 2^31-1 ms, about 24 days.)
      const timer = timeout === undefined ? undefined : setTimeout(interrupt, Math.min(2 ** 31 - 1, Math.max(0, started + timeout - Date.now())));
      try {
        await waitForPodsGone(client, node, waiting, resourceVersion, stop.signal, evicted);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        for (const { namespace, name } of waiting.values()) failures.push(`error when waiting for pod "${name}" in namespace "${namespace}" to terminate: ${message}`);
        waiting.clear();
      } finally {
        clearTimeout(timer);
        io.signal?.removeEventListener('abort', interrupt);
      }
      const reason = io.signal?.aborted ? 'interrupted' : `global timeout reached: ${args.timeoutSeconds}s`;
      for (const { namespace, name } of waiting.values()) failures.push(`error when waiting for pod "${name}" in namespace "${namespace}" to terminate: ${reason}`);
    }
    if (failures.length) return drainFailed(node, `[${failures.join(', ')}]`, io);
    io.out(`node/${node} drained`);
    return 0;
  });
}
