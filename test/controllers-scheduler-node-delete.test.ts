// The scheduler's informer handlers (no API server): a deleted node's pods leave the cache, so
// they stop counting for anti-affinity and spreading. (Kept beside the controller tests: the
// node lifecycle controller force-deletes those pods.)
import { describe, expect, it } from 'vitest';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { SchedulerCache } from '../services/scheduler/cache.js';
import type { Framework } from '../services/scheduler/framework.js';
import { SchedulingQueue } from '../services/scheduler/queue.js';
import { Scheduler, type SchedulerClient } from '../services/scheduler/scheduler.js';

describe('scheduler: a deleted node', () => {
  it('drops the pods bound to it from the cache (owner counts and anti-affinity included)', () => {
    const cache = new SchedulerCache();
    const scheduler = new Scheduler({
      client: {} as unknown as SchedulerClient,
      schedulerName: 'default-scheduler',
      framework: {} as unknown as Framework,
      cache,
      queue: new SchedulingQueue(),
      getPod: () => undefined,
      logger: { info: () => {}, warn: () => {} },
    });
    const node = (name: string): Node__Output => ({ metadata: { name }, spec: {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });
    const pod = (name: string, nodeName: string): Pod__Output =>
      ({
        metadata: { name, namespace: 'default', uid: `u-${name}`, labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true }] },
        spec: {
          nodeName,
          containers: [{ name: 'c', image: 'busybox' }],
          affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } }] } },
        },
        status: { phase: 'Running' },
      });
    scheduler.onNodeAdd(node('a'));
    scheduler.onNodeAdd(node('b'));
    scheduler.onPodAdd(pod('p1', 'a'));
    scheduler.onPodAdd(pod('p2', 'b'));
    expect(cache.podCount).toBe(2);
    expect([...cache.nodesWithAffinityPods()].map((n) => n.name).sort()).toEqual(['a', 'b']);

    scheduler.onNodeDelete(node('a'));
    expect(cache.has('default/p1')).toBe(false);
    expect(cache.has('default/p2')).toBe(true);
    expect(cache.nodes.map((n) => n.name)).toEqual(['b']);
    expect([...cache.nodesWithAffinityPods()].map((n) => n.name)).toEqual(['b']);
    expect([...cache.ownerCounts([...(cache.get('b')?.pods.values() ?? [])][0]?.ownerKey ?? '').keys()]).toEqual(['b']);
  });
});
