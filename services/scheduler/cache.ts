// The scheduler's cache: every node with the pods bound to it (from the informers) plus the
// pods this scheduler has assumed onto a node but whose binding it has not yet seen come back
// (kube-scheduler's assumed pods). Counting assumed pods is what keeps two pods scheduled
// back to back, their binds still in flight, from both taking a node's last free memory.
//
// Single-threaded like everything on the event loop: the informer handlers and the
// scheduling cycle take turns, and a cycle reads the cache as its snapshot.
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import { NodeInfo, podInfo, type PodInfo, type Snapshot } from './framework.js';

interface PodState {
  info: PodInfo;
  node: string;
  /** Placed by this scheduler, not yet seen bound by the informer. */
  assumed: boolean;
  /** When the bind call returned (assumed pods only). */
  bindingFinishedAt?: number;
}

const EMPTY: ReadonlyMap<string, number> = new Map();

export class SchedulerCache implements Snapshot {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | undefined;
  private readonly podStates = new Map<string, PodState>();
  private readonly owners = new Map<string, Map<string, number>>();
  private readonly affinityNodes = new Set<NodeInfo>();
  private readonly nsLabels = new Map<string, Readonly<Record<string, string>>>();

  // ---- Snapshot ----

  get nodes(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodeInfos.values()].filter((n) => n.node !== undefined);
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    const n = this.nodeInfos.get(name);
    return n?.node ? n : undefined;
  }

  ownerCounts(ownerKey: string): ReadonlyMap<string, number> {
    return this.owners.get(ownerKey) ?? EMPTY;
  }

  nodesWithAffinityPods(): Iterable<NodeInfo> {
    return this.affinityNodes;
  }

  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined {
    return this.nsLabels.get(namespace);
  }

  // ---- namespaces (their labels, for pod affinity terms' namespaceSelector) ----

  /** A namespace was added or changed. Returns whether its labels changed. */
  setNamespace(name: string, labels: Readonly<Record<string, string>> | undefined): boolean {
    const old = this.nsLabels.get(name);
    const next = labels ?? {};
    this.nsLabels.set(name, next);
    if (!old) return true;
    const keys = Object.keys(next);
    return keys.length !== Object.keys(old).length || keys.some((k) => old[k] !== next[k]);
  }

  /** A namespace was deleted. */
  removeNamespace(name: string): void {
    this.nsLabels.delete(name);
  }

  // ---- nodes ----

  /** A node was added or changed. */
  setNode(node: Node__Output): void {
    const name = node.metadata?.name ?? '';
    let info = this.nodeInfos.get(name);
    if (!info) {
      this.nodeInfos.set(name, (info = new NodeInfo(name)));
      this.nodeList = undefined;
    } else if (!info.node) {
      this.nodeList = undefined;
    }
    info.setNode(node);
  }

  /** A node was deleted. Pods still bound to it keep counting until they go. */
  removeNode(name: string): void {
    const info = this.nodeInfos.get(name);
    if (!info) return;
    info.node = undefined;
    if (info.pods.size === 0) this.nodeInfos.delete(name);
    this.nodeList = undefined;
  }

  // ---- pods ----

  get podCount(): number {
    return this.podStates.size;
  }

  has(key: string): boolean {
    return this.podStates.has(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  /** The node a pod is counted on (bound or assumed). */
  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.node;
  }

  /** A pod the informer shows bound to a node and not finished: counted there from now on
   * (this confirms an assumed pod). */
  addOrUpdatePod(pod: Pod__Output): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    const info = podInfo(pod);
    this.detach(info.key);
    this.attach({ info, node, assumed: false });
  }

  /** The pod is gone, or finished and no longer holds resources. */
  removePod(key: string): void {
    this.detach(key);
  }

  /** Counts `info` on `node` before the bind is written. */
  assume(info: PodInfo, node: string): void {
    this.detach(info.key);
    this.attach({ info, node, assumed: true });
  }

  /** The bind call returned; the informer will confirm it. */
  finishBinding(key: string, now: number): void {
    const s = this.podStates.get(key);
    if (s?.assumed) s.bindingFinishedAt = now;
  }

  /** Undoes assume() after a failed bind; a pod already confirmed is left alone. */
  forget(key: string): void {
    if (this.podStates.get(key)?.assumed) this.detach(key);
  }

  /** Drops assumed pods whose binding finished more than `ttlMs` ago and was never seen:
   * a safety net for an event the informer lost. Returns their keys. */
  cleanupAssumed(now: number, ttlMs: number): string[] {
    const expired: string[] = [];
    for (const [key, s] of this.podStates) {
      if (s.assumed && s.bindingFinishedAt !== undefined && now - s.bindingFinishedAt > ttlMs) expired.push(key);
    }
    for (const key of expired) this.detach(key);
    return expired;
  }

  private attach(s: PodState): void {
    let node = this.nodeInfos.get(s.node);
    if (!node) this.nodeInfos.set(s.node, (node = new NodeInfo(s.node)));
    node.addPod(s.info);
    if (node.podsWithAffinity.size) this.affinityNodes.add(node);
    const owner = s.info.ownerKey;
    if (owner && !s.info.terminating) {
      let counts = this.owners.get(owner);
      if (!counts) this.owners.set(owner, (counts = new Map<string, number>()));
      counts.set(s.node, (counts.get(s.node) ?? 0) + 1);
    }
    this.podStates.set(s.info.key, s);
  }

  private detach(key: string): void {
    const s = this.podStates.get(key);
    if (!s) return;
    this.podStates.delete(key);
    const node = this.nodeInfos.get(s.node);
    if (node) {
      node.removePod(key);
      if (!node.podsWithAffinity.size) this.affinityNodes.delete(node);
      if (!node.node && node.pods.size === 0) this.nodeInfos.delete(s.node);
    }
    const owner = s.info.ownerKey;
    if (owner && !s.info.terminating) {
      const counts = this.owners.get(owner);
      const n = (counts?.get(s.node) ?? 0) - 1;
      if (counts && n > 0) counts.set(s.node, n);
      else if (counts) {
        counts.delete(s.node);
        if (counts.size === 0) this.owners.delete(owner);
      }
    }
  }
}
