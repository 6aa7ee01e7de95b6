// Cluster-state gauges, after kube-state-metrics but counted in aggregate: nodes by condition,
// pods by namespace and phase, and each Deployment's replica counts. They are computed when
// Prometheus scrapes, from the controller manager's informer caches, so they cost no API
// traffic and no timers.
//
// Only the leading controller manager has synced caches: a standby (or a manager between
// terms) reports these families with no samples, so summing over every manager's scrape
// counts each object once.
import { Gauge, type Registry } from 'prom-client';
import type { Informer } from '../../lib/informer.js';
import type { KubeObject } from '../../lib/kinds.js';
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { DeploymentObject, PodObject } from './rollout.js';

/** What the gauges read: the caches' list(). Called at scrape time, never concurrently with
 * itself; the caches' objects are shared references and are only read. */
export type CacheReader = Pick<Informer, 'list'>;

export interface ClusterStateCaches {
  nodes: CacheReader;
  pods: CacheReader;
  deployments: CacheReader;
}

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
const LEADER_ONLY = ' Reported by the leading controller manager only.';

/** The Deployment gauges: name, help, and the field they read. */
const DEPLOYMENT_GAUGES: readonly { name: string; help: string; value: (d: DeploymentObject) => number }[] = [
  { name: 'shoal_cluster_deployment_spec_replicas', help: 'Desired pods of a Deployment (spec.replicas).', value: (d) => d.spec?.replicas ?? 1 },
  { name: 'shoal_cluster_deployment_status_replicas', help: 'Pods of a Deployment, old and new (status.replicas).', value: (d) => d.status?.replicas ?? 0 },
  { name: 'shoal_cluster_deployment_status_replicas_updated', help: 'Pods of a Deployment with its current template (status.updatedReplicas).', value: (d) => d.status?.updatedReplicas ?? 0 },
  { name: 'shoal_cluster_deployment_status_replicas_ready', help: 'Ready pods of a Deployment (status.readyReplicas).', value: (d) => d.status?.readyReplicas ?? 0 },
  { name: 'shoal_cluster_deployment_status_replicas_available', help: 'Available pods of a Deployment: ready for minReadySeconds (status.availableReplicas).', value: (d) => d.status?.availableReplicas ?? 0 },
  { name: 'shoal_cluster_deployment_status_replicas_unavailable', help: 'Pods a Deployment still lacks to be fully available (status.unavailableReplicas).', value: (d) => d.status?.unavailableReplicas ?? 0 },
  {
    name: 'shoal_cluster_deployment_status_observed_generation_lag',
    help: 'metadata.generation minus status.observedGeneration: above 0 while the controller has not yet acted on a spec change.',
    value: (d) => Math.max(0, (d.metadata?.generation ?? 0) - (d.status?.observedGeneration ?? 0)),
  },
];

/**
 * Registers the cluster-state gauges on `registry`. `caches` is called at every scrape: it
 * returns the synced caches of the running manager, or undefined while this manager does
 * not lead (the gauges then have no samples).
 */
export function registerClusterStateMetrics(registry: Registry, caches: () => ClusterStateCaches | undefined): void {
  new Gauge({
    name: 'shoal_cluster_nodes',
    help: `Nodes by the status of each condition (a node without a Ready condition counts as Ready "Unknown").${LEADER_ONLY}`,
    labelNames: ['condition', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      const c = caches();
      if (!c) return;
      const counts = new Map<string, number>(CONDITION_STATUSES.map((s) => [`Ready\0${s}`, 0]));
      for (const obj of c.nodes.list()) {
        const conditions = (obj as Node__Output & KubeObject).status?.conditions ?? [];
        const keys = conditions.filter((cond) => cond.type).map((cond) => `${cond.type}\0${cond.status || 'Unknown'}`);
        if (!conditions.some((cond) => cond.type === 'Ready')) keys.push('Ready\0Unknown');
        for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, n] of counts) {
        const [condition = '', status = ''] = key.split('\0');
        this.set({ condition, status }, n);
      }
    },
  });

  new Gauge({
    name: 'shoal_cluster_pods',
    help: `Pods by namespace and phase (terminating pods included, a pod without a phase counts as Pending).${LEADER_ONLY}`,
    labelNames: ['namespace', 'phase'],
    registers: [registry],
    collect() {
      this.reset();
      const c = caches();
      if (!c) return;
      const counts = new Map<string, Map<string, number>>();
      for (const obj of c.pods.list()) {
        const pod = obj as PodObject;
        const ns = pod.metadata?.namespace ?? '';
        let byPhase = counts.get(ns);
        if (!byPhase) counts.set(ns, (byPhase = new Map(POD_PHASES.map((p) => [p, 0]))));
        const phase = pod.status?.phase || 'Pending';
        byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
      }
      for (const [namespace, byPhase] of counts) for (const [phase, n] of byPhase) this.set({ namespace, phase }, n);
    },
  });

  for (const g of DEPLOYMENT_GAUGES) {
    new Gauge({
      name: g.name,
      help: g.help + LEADER_ONLY,
      labelNames: ['namespace', 'deployment'],
      registers: [registry],
      collect() {
        this.reset();
        const c = caches();
        if (!c) return;
        for (const obj of c.deployments.list()) {
          const d = obj as DeploymentObject;
          this.set({ namespace: d.metadata?.namespace ?? '', deployment: d.metadata?.name ?? '' }, g.value(d));
        }
      },
    });
  }
}
