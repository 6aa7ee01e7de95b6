// The controller manager's cluster-state gauges, computed at scrape time from caches: unit
// tests over fake caches (the end-to-end check against a real cluster is in
// metrics-names.test.ts).
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import { registerClusterStateMetrics } from '../services/controllers/cluster-state-metrics.js';
import { FakeCache } from './fake-controller-env.js';

function node(name: string, conditions: { type: string; status: string }[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions } };
}
function pod(namespace: string, name: string, phase?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, status: phase ? { phase } : {} };
}
function deployment(name: string, spec: { replicas?: number }, status: Record<string, number>, generation = 1): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'default', name, generation }, spec, status };
}

/** Every sample of the page: "name{labels}" → value, labels sorted and without `service`. */
async function samples(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => `${x[1]}=${x[2]}`).sort();
    out[`${m[1]}{${labels.join(',')}}`] = Number(m[3]);
  }
  return out;
}

function setup(): { registry: Registry; caches: { nodes: FakeCache; pods: FakeCache; deployments: FakeCache }; lead: (on: boolean) => void } {
  const registry = new Registry();
  const caches = { nodes: new FakeCache(), pods: new FakeCache(), deployments: new FakeCache() };
  let leading = true;
  registerClusterStateMetrics(registry, () => (leading ? caches : undefined));
  return { registry, caches, lead: (on) => (leading = on) };
}

describe('cluster-state gauges', () => {
  it('count nodes by condition, a node without Ready as Unknown, without touching the cached objects', async () => {
    const { registry, caches } = setup();
    const ready = node('a', [{ type: 'Ready', status: 'True' }]);
    const before = structuredClone(ready);
    caches.nodes.put(ready);
    caches.nodes.put(node('b', [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }]));
    caches.nodes.put(node('c', [{ type: 'Ready', status: 'False' }]));
    const bare = node('d', []);
    caches.nodes.put(bare);
    const s = await samples(registry);
    expect(Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('shoal_cluster_nodes')))).toEqual({
      'shoal_cluster_nodes{condition=Ready,status=True}': 2,
      'shoal_cluster_nodes{condition=Ready,status=False}': 1,
      'shoal_cluster_nodes{condition=Ready,status=Unknown}': 1,
      'shoal_cluster_nodes{condition=MemoryPressure,status=False}': 1,
    });
    expect(ready).toEqual(before);
    expect(bare).toEqual(node('d', []));
  });

  it('count pods by namespace and phase, every phase present, a pod without a phase as Pending', async () => {
    const { registry, caches } = setup();
    caches.pods.put(pod('default', 'a', 'Running'));
    caches.pods.put(pod('default', 'b', 'Running'));
    caches.pods.put(pod('default', 'c'));
    caches.pods.put(pod('jobs', 'd', 'Succeeded'));
    const s = await samples(registry);
    expect(Object.fromEntries(Object.entries(s).filter(([k]) => k.startsWith('shoal_cluster_pods')))).toEqual({
      'shoal_cluster_pods{namespace=default,phase=Pending}': 1,
      'shoal_cluster_pods{namespace=default,phase=Running}': 2,
      'shoal_cluster_pods{namespace=default,phase=Succeeded}': 0,
      'shoal_cluster_pods{namespace=default,phase=Failed}': 0,
      'shoal_cluster_pods{namespace=default,phase=Unknown}': 0,
      'shoal_cluster_pods{namespace=jobs,phase=Pending}': 0,
      'shoal_cluster_pods{namespace=jobs,phase=Running}': 0,
      'shoal_cluster_pods{namespace=jobs,phase=Succeeded}': 1,
      'shoal_cluster_pods{namespace=jobs,phase=Failed}': 0,
      'shoal_cluster_pods{namespace=jobs,phase=Unknown}': 0,
    });
  });

  it("report a Deployment mid-rollout, and forget it once it is deleted", async () => {
    const { registry, caches } = setup();
    const web = deployment('web', { replicas: 4 }, { observedGeneration: 1, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 3, unavailableReplicas: 1 }, 2);
    caches.deployments.put(web);
    caches.deployments.put(deployment('defaults', {}, {}));
    let s = await samples(registry);
    const of = (name: string): number | undefined => s[`shoal_cluster_deployment_${name}{deployment=web,namespace=default}`];
    expect([of('spec_replicas'), of('status_replicas'), of('status_replicas_updated'), of('status_replicas_ready'), of('status_replicas_available'), of('status_replicas_unavailable'), of('status_observed_generation_lag')]).toEqual([4, 5, 2, 4, 3, 1, 1]);
    // spec.replicas defaults to 1, as the API server's defaulting does.
    expect(s['shoal_cluster_deployment_spec_replicas{deployment=defaults,namespace=default}']).toBe(1);
    expect(s['shoal_cluster_deployment_status_replicas_updated{deployment=defaults,namespace=default}']).toBe(0);
    caches.deployments.remove(web);
    s = await samples(registry);
    expect(Object.keys(s).filter((k) => k.includes('deployment=web'))).toEqual([]);
  });

  it('have no samples while the manager does not lead, and pass promtool either way', async () => {
    const { registry, caches, lead } = setup();
    caches.nodes.put(node('a', [{ type: 'Ready', status: 'True' }]));
    caches.pods.put(pod('default', 'a', 'Running'));
    caches.deployments.put(deployment('web', { replicas: 1 }, { replicas: 1 }));
    const check = async (): Promise<string> => {
      const r = spawnSync('promtool', ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8', timeout: 30_000 });
      if (r.error) throw r.error;
      return r.stdout + r.stderr + (r.status ? `exit ${r.status}` : '');
    };
    expect(Object.keys(await samples(registry)).length).toBeGreaterThan(0);
    expect(await check()).toBe('');
    lead(false);
    expect(await samples(registry)).toEqual({});
    expect(await registry.metrics()).toContain('# TYPE shoal_cluster_nodes gauge');
    expect(await check()).toBe('');
    lead(true);
    expect(Object.keys(await samples(registry)).length).toBeGreaterThan(0);
  });
});
