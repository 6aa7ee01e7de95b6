// This node in the API: the Node object (registration and status heartbeats) and its Lease
// (the frequent, cheap liveness signal), as the kubelet's node status manager and node lease
// controller. Each is one idempotent reconcile, run from the agent's heartbeat queue.
import { retryOnConflict, type ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { Lease__Output } from '../../lib/gen/shoal/v1/Lease.js';
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { NodeStatus__Output } from '../../lib/gen/shoal/v1/NodeStatus.js';
import type { Taint__Output } from '../../lib/gen/shoal/v1/Taint.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import type { NodeFingerprint } from './driver.js';
import { timestamp } from './status.js';

export const LEASE_NAMESPACE = 'shoal-system';
export const LEASE_DURATION_SECONDS = 40;
export const AGENT_VERSION = 'shoal-v0.1.0';

export interface NodeRegistrationConfig {
  nodeName: string;
  client: ShoalClient;
  fingerprint: NodeFingerprint;
  internalIP: string;
  /** The agent's gRPC port (daemonEndpoints.kubeletEndpoint.Port). */
  agentPort: number;
  labels: Record<string, string>;
  /** Set when the node is created (as the kubelet's --register-with-taints). */
  taints: Taint__Output[];
  /** Post status at least this often even when nothing changed (the heartbeat). */
  reportIntervalMs: number;
  /** The container runtime's health check (ContainerDriver.health): while it fails, the
   * node reports Ready=False, as a kubelet whose runtime is down does. */
  runtimeHealth?: () => Promise<void>;
  signal: AbortSignal;
}

/** RFC 3339 with microseconds (Kubernetes' MicroTime), for leases. */
export function microTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** Node status minus the heartbeat times: what "changed" means. */
function withoutHeartbeats(status: NodeStatus__Output | undefined): unknown {
  return {
    ...status,
    conditions: (status?.conditions ?? []).map((c) => ({ ...c, lastHeartbeatTime: undefined })),
  };
}

export class NodeRegistration {
  private registered = false;
  private lastPost = 0;
  private lease: Lease__Output | undefined;
  private nodeUid: string | undefined;

  constructor(private readonly cfg: NodeRegistrationConfig) {}

  private labels(): Record<string, string> {
    return {
      'kubernetes.io/hostname': this.cfg.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': this.cfg.fingerprint.architecture,
      ...this.cfg.labels,
    };
  }

  /** Why the runtime cannot run containers now, or undefined; bounded to 5 s. */
  private async runtimeProblem(): Promise<string | undefined> {
    const check = this.cfg.runtimeHealth;
    if (!check) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5_000);
        }),
      ]);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
    }
  }

  private desiredStatus(old: NodeStatus__Output | undefined, now: string, runtimeProblem?: string): NodeStatus__Output {
    const fp = this.cfg.fingerprint;
    const cond = (type: string, status: string, reason: string, message: string): Condition__Output => {
      const prev = old?.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      };
    };
    const capacity = { ...fp.capacity };
    const owned = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    // Conditions other components set (NetworkUnavailable, ...) are kept.
    const others = (old?.conditions ?? []).filter((c) => c.type && !owned.has(c.type));
    return {
      capacity,
      allocatable: { ...capacity },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'the node agent has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'the node agent has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'the node agent has sufficient PID available'),
        runtimeProblem === undefined
          ? cond('Ready', 'True', 'KubeletReady', 'the node agent is posting ready status')
          : cond('Ready', 'False', 'KubeletNotReady', `container runtime is down: ${runtimeProblem}`),
        ...others,
      ],
      addresses: [
        { type: 'InternalIP', address: this.cfg.internalIP },
        { type: 'Hostname', address: this.cfg.nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: this.cfg.agentPort } },
      nodeInfo: {
        machineID: '',
        kernelVersion: fp.kernelVersion,
        osImage: fp.osImage,
        containerRuntimeVersion: fp.runtimeVersion,
        kubeletVersion: AGENT_VERSION,
        operatingSystem: 'linux',
        architecture: fp.architecture,
      },
    };
  }

  /** Creates the Node, or brings an existing one's labels up to date. */
  private async register(): Promise<Node__Output> {
    const { client, nodeName, signal } = this.cfg;
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: nodeName, labels: this.labels() },
      spec: this.cfg.taints.length ? { taints: this.cfg.taints } : {},
    };
    try {
      return (await client.create(node, { signal })) as Node__Output;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
    return retryOnConflict(async () => {
      const existing = (await client.get('Node', '', nodeName, { signal })) as Node__Output;
      const labels = { ...existing.metadata?.labels, ...this.labels() };
      if (deepEqual(labels, existing.metadata?.labels ?? {})) return existing;
      return (await client.update({ ...existing, apiVersion: 'v1', kind: 'Node', metadata: { ...existing.metadata, labels } }, { signal })) as Node__Output;
    });
  }

  /**
   * Registers the node if needed, then posts its status when it differs from what is stored
   * (someone marked it NotReady, an address changed) or the last post is older than
   * reportIntervalMs. Re-registers a node that was deleted.
   */
  async syncNode(): Promise<void> {
    const { client, nodeName, signal } = this.cfg;
    let node: Node__Output;
    if (!this.registered) {
      node = await this.register();
      this.registered = true;
      this.lastPost = 0;
    } else {
      try {
        node = (await client.get('Node', '', nodeName, { signal })) as Node__Output;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        this.registered = false;
        return this.syncNode();
      }
    }
    this.nodeUid = node.metadata?.uid;
    const runtimeProblem = await this.runtimeProblem();
    await retryOnConflict(async () => {
      const now = Date.now();
      const next = this.desiredStatus(node.status, timestamp(now), runtimeProblem);
      const changed = !deepEqual(withoutHeartbeats(node.status), withoutHeartbeats(next));
      if (!changed && now - this.lastPost < this.cfg.reportIntervalMs) return;
      try {
        node = (await client.updateStatus({ ...node, apiVersion: 'v1', kind: 'Node', status: next }, { signal })) as Node__Output;
        this.lastPost = now;
      } catch (err) {
        if (err instanceof ConflictError) node = (await client.get('Node', '', nodeName, { signal })) as Node__Output;
        throw err;
      }
    });
  }

  /** Creates or renews the node's Lease: renewTime = now. */
  async renewLease(): Promise<void> {
    const { client, nodeName, signal } = this.cfg;
    const now = microTime();
    if (!this.lease) {
      try {
        this.lease = (await client.get('Lease', LEASE_NAMESPACE, nodeName, { signal })) as Lease__Output;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        const lease: KubeObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: nodeName, namespace: LEASE_NAMESPACE, ...this.owner() },
          spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, acquireTime: now, renewTime: now },
        };
        this.lease = (await client.create(lease, { signal })) as Lease__Output;
        return;
      }
    }
    const lease = this.lease;
    const spec = { ...lease.spec, holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now };
    if (lease.spec?.holderIdentity !== nodeName) {
      spec.acquireTime = now;
      spec.leaseTransitions = (lease.spec?.leaseTransitions ?? 0) + 1;
    }
    const metadata = lease.metadata?.ownerReferences?.length ? lease.metadata : { ...lease.metadata, ...this.owner() };
    try {
      this.lease = (await client.update({ ...lease, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec }, { signal })) as Lease__Output;
    } catch (err) {
      // Someone else wrote it, or it was deleted: read it again on the retry.
      if (err instanceof ConflictError || err instanceof NotFoundError) this.lease = undefined;
      throw err;
    }
  }

  /** The lease is owned by the Node, so deleting the Node collects it (as in Kubernetes). */
  private owner(): { ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[] } {
    if (!this.nodeUid) return {};
    return { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.cfg.nodeName, uid: this.nodeUid }] };
  }
}
