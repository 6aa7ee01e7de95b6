// The scheduling framework, cache, queue and scheduling loop without a cluster: message
// aggregation, tie-breaking, spreading, assumed pods, queue moves, and the writes a bind and
// a failure make (against a fake client that records them).
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../lib/errors.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { KubeObject } from '../lib/kinds.js';
import { SchedulerCache } from '../services/scheduler/cache.js';
import { EventRecorder } from '../services/scheduler/events.js';
import { Framework, fitErrorMessage, NO_NODES_MESSAGE, unschedulable } from '../services/scheduler/framework.js';
import { SchedulingQueue } from '../services/scheduler/queue.js';
import { defaultPlugins } from '../services/scheduler/registry.js';
import { Scheduler, type SchedulerClient } from '../services/scheduler/scheduler.js';
import { cacheWith, node, pod, podInfo } from './scheduler-fixtures.js';

describe('fitErrorMessage', () => {
  it('counts each reason once per node, most frequent first, then alphabetically', () => {
    const statuses = [
      unschedulable('Insufficient memory'),
      unschedulable('Insufficient memory', 'Insufficient cpu'),
      unschedulable('node(s) had untolerated taint {dedicated: gpu}'),
      unschedulable('Insufficient memory', 'Insufficient memory'),
    ];
    expect(fitErrorMessage(5, statuses)).toBe(
      '0/5 nodes are available: 3 Insufficient memory, 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.',
    );
  });
  it('says so when there are no nodes', () => {
    expect(fitErrorMessage(0, [])).toBe(NO_NODES_MESSAGE);
  });
});

describe('Framework', () => {
  it('aggregates every node\'s first rejection into the message', () => {
    const cache = cacheWith([
      node('cordoned', { unschedulable: true }),
      node('down', { ready: 'False' }),
      node('tainted', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], memory: '1Gi' }),
      node('small-1', { memory: '1Gi' }),
      node('small-2', { memory: '1Gi' }),
      node('elsewhere', { labels: { disk: 'hdd' } }),
    ]);
    const fw = new Framework(defaultPlugins());
    const r = fw.schedule(podInfo(pod('p', { requests: { memory: '2Gi' }, nodeSelector: { disk: 'ssd' } })), cache);
    expect(r.result).toBe('unschedulable');
    if (r.result !== 'unschedulable') return;
    expect(r.message).toBe(
      "0/6 nodes are available: 3 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, " +
        '1 node(s) were not ready, 1 node(s) were unschedulable.',
    );
    expect(r.statuses.get('tainted')?.plugin).toBe('TaintToleration');
  });

  it('reports no nodes', () => {
    const r = new Framework(defaultPlugins()).schedule(podInfo(pod('p')), cacheWith([]));
    expect(r).toMatchObject({ result: 'unschedulable', message: NO_NODES_MESSAGE });
  });

  it('breaks ties among equal nodes with the random source', () => {
    const cache = cacheWith([node('a'), node('b'), node('c')]);
    const pick = (random: () => number) => {
      const r = new Framework(defaultPlugins(), { random }).schedule(podInfo(pod('p')), cache);
      return r.result === 'scheduled' ? r.node.name : r.result;
    };
    expect(pick(() => 0)).toBe('c');
    expect(pick(() => 0.99)).toBe('a');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pick(Math.random));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('spreads one owner 2/2/2 over equal nodes whatever the tie-breaks, even next to another owner\'s pods', () => {
    for (let run = 0; run < 50; run++) {
      const cache = cacheWith(
        [node('n1'), node('n2'), node('n3')],
        // Another owner's small pod on n1 makes n1 slightly more allocated.
        [pod('other', { owner: 'rs-other', nodeName: 'n1', requests: { cpu: '10m' } })],
      );
      const fw = new Framework(defaultPlugins());
      for (let i = 0; i < 6; i++) {
        const info = podInfo(pod(`web-${i}`, { owner: 'rs-web', requests: { cpu: '100m', memory: '64Mi' } }));
        const r = fw.schedule(info, cache);
        if (r.result !== 'scheduled') throw new Error(`pod ${i}: ${r.result}`);
        cache.assume(info, r.node.name);
      }
      expect(Object.fromEntries([...cache.ownerCounts('owner:rs-web')].sort())).toEqual({ n1: 2, n2: 2, n3: 2 });
    }
  });

  it('prefers the least allocated of otherwise equal nodes', () => {
    const cache = cacheWith([node('n1'), node('n2')], [pod('hog', { nodeName: 'n1', requests: { cpu: '3', memory: '6Gi' } })]);
    for (let i = 0; i < 20; i++) {
      const r = new Framework(defaultPlugins()).schedule(podInfo(pod('p')), cache);
      expect(r.result === 'scheduled' && r.node.name).toBe('n2');
    }
  });

  it('looks for a share of the nodes only in large clusters (kube\'s numFeasibleNodesToFind)', () => {
    const fw = new Framework(defaultPlugins());
    expect(fw.numFeasibleNodesToFind(50)).toBe(50);
    expect(fw.numFeasibleNodesToFind(100)).toBe(100);
    expect(fw.numFeasibleNodesToFind(1000)).toBe(420);
    expect(fw.numFeasibleNodesToFind(5000)).toBe(500);
    expect(new Framework(defaultPlugins(), { percentageOfNodesToScore: 100 }).numFeasibleNodesToFind(5000)).toBe(5000);
  });

  it('rotates the start of a partial search over the nodes', () => {
    const nodes = Array.from({ length: 300 }, (_, i) => node(`n${String(i).padStart(3, '0')}`));
    const cache = cacheWith(nodes);
    const fw = new Framework(defaultPlugins(), { percentageOfNodesToScore: 10 });
    const r1 = fw.schedule(podInfo(pod('p1')), cache);
    const r2 = fw.schedule(podInfo(pod('p2')), cache);
    expect(r1).toMatchObject({ result: 'scheduled', evaluatedNodes: 100, feasibleNodes: 100 });
    if (r1.result !== 'scheduled' || r2.result !== 'scheduled') return;
    expect(Number(r1.node.name.slice(1))).toBeLessThan(100);
    expect(Number(r2.node.name.slice(1))).toBeGreaterThanOrEqual(100);
    expect(Number(r2.node.name.slice(1))).toBeLessThan(200);
  });
});

describe('SchedulerCache', () => {
  it('counts assumed pods, so back-to-back attempts do not oversubscribe', () => {
    const cache = cacheWith([node('n1', { cpu: '1' })]);
    const fw = new Framework(defaultPlugins());
    const a = podInfo(pod('a', { requests: { cpu: '600m' } }));
    const b = podInfo(pod('b', { requests: { cpu: '600m' } }));
    expect(fw.schedule(a, cache)).toMatchObject({ result: 'scheduled' });
    cache.assume(a, 'n1');
    expect(fw.schedule(b, cache)).toMatchObject({ result: 'unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' });
    cache.forget(a.key);
    expect(fw.schedule(b, cache)).toMatchObject({ result: 'scheduled' });
  });

  it('confirms an assumed pod when the informer shows it bound, counting it once', () => {
    const cache = cacheWith([node('n1')]);
    const p = pod('a', { requests: { cpu: '1' }, owner: 'rs' });
    cache.assume(podInfo(p), 'n1');
    expect(cache.isAssumed('default/a')).toBe(true);
    cache.addOrUpdatePod({ ...p, spec: { ...p.spec, nodeName: 'n1' } });
    expect(cache.isAssumed('default/a')).toBe(false);
    expect(cache.get('n1')?.requested.cpu).toBe(1000);
    expect(cache.get('n1')?.pods.size).toBe(1);
    expect(cache.ownerCounts('owner:rs').get('n1')).toBe(1);
    cache.forget('default/a'); // a confirmed pod is not forgotten
    expect(cache.get('n1')?.pods.size).toBe(1);
    cache.removePod('default/a');
    expect(cache.get('n1')?.requested.cpu).toBe(0);
    expect(cache.ownerCounts('owner:rs').size).toBe(0);
  });

  it('expires assumed pods whose bind finished long ago and never showed up', () => {
    const cache = cacheWith([node('n1')]);
    cache.assume(podInfo(pod('a')), 'n1');
    cache.assume(podInfo(pod('b')), 'n1');
    cache.finishBinding('default/a', 1000);
    expect(cache.cleanupAssumed(1000 + 60_000, 30_000)).toEqual(['default/a']);
    expect(cache.isAssumed('default/b')).toBe(true);
  });

  it('keeps pods of a node it has not seen yet, and lists the node once it appears', () => {
    const cache = new SchedulerCache();
    cache.addOrUpdatePod(pod('a', { nodeName: 'late', requests: { cpu: '1' } }));
    expect(cache.nodes).toHaveLength(0);
    cache.setNode(node('late'));
    expect(cache.nodes.map((n) => n.name)).toEqual(['late']);
    expect(cache.get('late')?.requested.cpu).toBe(1000);
    cache.removeNode('late');
    expect(cache.nodes).toHaveLength(0);
  });
});

describe('SchedulingQueue', () => {
  function clock() {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('pops higher priority first, then in arrival order', async () => {
    const q = new SchedulingQueue();
    q.add('a');
    q.add('b', 10);
    q.add('c');
    q.add('a');
    expect([await q.pop(), await q.pop(), await q.pop()]).toEqual(['b', 'a', 'c']);
    expect(q.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
  });

  it('parks unschedulable pods until moveAllToActive, honouring backoff', async () => {
    const c = clock();
    const q = new SchedulingQueue({ initialBackoffMs: 1000, now: c.now });
    q.add('a');
    expect(await q.pop()).toBe('a');
    q.addUnschedulable('a');
    expect(q.where('a')).toBe('unschedulable');
    c.advance(2000);
    expect(q.moveAllToActive()).toBe(1);
    expect(q.where('a')).toBe('active');
    expect(await q.pop()).toBe('a');
    q.addUnschedulable('a'); // second failure: 2 s backoff
    c.advance(500);
    q.moveAllToActive();
    expect(q.where('a')).toBe('backoff');
    q.close();
  });

  it('moves backed-off pods to active when their time comes', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 30 });
    q.add('a');
    await q.pop();
    q.addBackoff('a');
    expect(q.where('a')).toBe('backoff');
    const t = performance.now();
    expect(await q.pop()).toBe('a');
    expect(performance.now() - t).toBeGreaterThanOrEqual(20);
  });

  it('retries a parked pod on a relevant update or after maxUnschedulableMs', async () => {
    const c = clock();
    const q = new SchedulingQueue({ initialBackoffMs: 1, maxUnschedulableMs: 60_000, now: c.now });
    for (const k of ['a', 'b']) {
      q.add(k);
      await q.pop();
      q.addUnschedulable(k);
    }
    c.advance(10);
    q.update('a', 0, false);
    expect(q.where('a')).toBe('unschedulable');
    q.update('a', 0, true);
    expect(q.where('a')).toBe('active');
    expect(q.flushUnschedulableLeftover()).toBe(0);
    c.advance(60_000);
    expect(q.flushUnschedulableLeftover()).toBe(1);
    expect(q.where('b')).toBe('active');
    q.delete('b');
    expect(q.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });
  });

  it('releases a waiting pop on close or abort', async () => {
    const q = new SchedulingQueue();
    const ac = new AbortController();
    const p1 = q.pop(ac.signal);
    ac.abort();
    expect(await p1).toBeUndefined();
    const p2 = q.pop();
    q.close();
    expect(await p2).toBeUndefined();
  });
});

// ---- the scheduling loop against a fake client ----

type Action = { verb: 'get' | 'create' | 'update' | 'updateStatus'; kind: string; name: string; object?: KubeObject };

class FakeClient implements SchedulerClient {
  readonly actions: Action[] = [];
  readonly objects = new Map<string, KubeObject>();
  private rv = 1;
  /** Fail the next `n` updates of a kind with ConflictError. */
  conflicts = 0;

  private key(kind: string, ns: string, name: string): string {
    return `${kind}/${ns}/${name}`;
  }
  put(obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(this.key(obj.kind ?? '', obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), stored);
    return structuredClone(stored);
  }
  get(kind: string, ns: string, name: string): Promise<KubeObject> {
    this.actions.push({ verb: 'get', kind, name });
    const o = this.objects.get(this.key(kind, ns, name));
    return o ? Promise.resolve(structuredClone(o)) : Promise.reject(new NotFoundError(`${kind} ${name} not found`));
  }
  create(obj: KubeObject): Promise<KubeObject> {
    this.actions.push({ verb: 'create', kind: obj.kind ?? '', name: obj.metadata?.name ?? '', object: obj });
    if (this.objects.has(this.key(obj.kind ?? '', obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''))) {
      return Promise.reject(new AlreadyExistsError('exists'));
    }
    return Promise.resolve(this.put(obj));
  }
  private write(verb: 'update' | 'updateStatus', obj: KubeObject): Promise<KubeObject> {
    this.actions.push({ verb, kind: obj.kind ?? '', name: obj.metadata?.name ?? '', object: obj });
    const cur = this.objects.get(this.key(obj.kind ?? '', obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''));
    if (!cur) return Promise.reject(new NotFoundError('not found'));
    if (this.conflicts > 0 || cur.metadata?.resourceVersion !== obj.metadata?.resourceVersion) {
      this.conflicts = Math.max(0, this.conflicts - 1);
      return Promise.reject(new ConflictError('conflict'));
    }
    const next = verb === 'update' ? { ...obj, status: cur.status } : { ...cur, status: obj.status };
    return Promise.resolve(this.put(next));
  }
  update(obj: KubeObject): Promise<KubeObject> {
    return this.write('update', obj);
  }
  updateStatus(obj: KubeObject): Promise<KubeObject> {
    return this.write('updateStatus', obj);
  }
}

function harness(nodes = [node('n1', { memory: '1Gi' })]) {
  const client = new FakeClient();
  const cache = cacheWith(nodes);
  const queue = new SchedulingQueue({ initialBackoffMs: 1 });
  const pods = new Map<string, Pod__Output>();
  const scheduler = new Scheduler({
    client,
    schedulerName: 'default-scheduler',
    framework: new Framework(defaultPlugins()),
    cache,
    queue,
    getPod: (k) => pods.get(k),
    logger: { info: () => {}, warn: () => {} },
    now: () => Date.parse('2024-05-01T10:00:00Z'),
  });
  const addPod = (p: Pod__Output): void => {
    const stored = client.put(p as KubeObject) as Pod__Output;
    pods.set(`${p.metadata?.namespace}/${p.metadata?.name}`, stored);
    scheduler.onPodAdd(stored);
  };
  return { client, cache, queue, pods, scheduler, addPod };
}

describe('Scheduler', () => {
  it('binds: spec.nodeName, then PodScheduled=True, then a Scheduled event', async () => {
    const h = harness();
    h.addPod(pod('p'));
    expect(await h.queue.pop()).toBe('default/p');
    expect(h.scheduler.scheduleOne('default/p')).toMatchObject({ result: 'scheduled' });
    expect(h.cache.isAssumed('default/p')).toBe(true);
    await h.scheduler.idle();
    expect(h.client.actions.map((a) => `${a.verb} ${a.kind}`)).toEqual(['update Pod', 'updateStatus Pod', 'create Event']);
    const [bind, status, event] = h.client.actions;
    expect((bind!.object as Pod__Output).spec?.nodeName).toBe('n1');
    expect((status!.object as Pod__Output).status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z' },
    ]);
    expect(event!.object).toMatchObject({
      metadata: { name: EventRecorder.eventName('p', 'Scheduled'), namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', uid: 'uid-default-p' },
      reason: 'Scheduled',
      type: 'Normal',
      message: 'Successfully assigned default/p to n1',
      source: { component: 'default-scheduler' },
      count: 1,
      firstTimestamp: '2024-05-01T10:00:00Z',
      lastTimestamp: '2024-05-01T10:00:00Z',
    });
  });

  it('re-reads the pod and retries the bind on a conflict', async () => {
    const h = harness();
    h.addPod(pod('p'));
    h.client.conflicts = 1;
    h.scheduler.scheduleOne('default/p');
    await h.scheduler.idle();
    expect(h.client.actions.map((a) => `${a.verb} ${a.kind}`).slice(0, 3)).toEqual(['update Pod', 'get Pod', 'update Pod']);
    expect((h.client.objects.get('Pod/default/p') as Pod__Output).spec?.nodeName).toBe('n1');
  });

  it('does not bind a pod that was deleted meanwhile, and forgets it', async () => {
    const h = harness();
    h.addPod(pod('p'));
    h.client.objects.delete('Pod/default/p');
    h.scheduler.scheduleOne('default/p');
    await h.scheduler.idle();
    expect(h.client.actions.map((a) => a.verb)).toEqual(['update']);
    expect(h.cache.has('default/p')).toBe(false);
  });

  it('reports a failure once per message and counts repeats on one event', async () => {
    const h = harness();
    h.addPod(pod('big', { requests: { memory: '2Gi' } }));
    expect(await h.queue.pop()).toBe('default/big');
    h.scheduler.scheduleOne('default/big');
    await h.scheduler.idle();
    expect(h.queue.where('default/big')).toBe('unschedulable');
    const message = '0/1 nodes are available: 1 Insufficient memory.';
    const stored = h.client.objects.get('Pod/default/big') as Pod__Output;
    expect(stored.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: '2024-05-01T10:00:00Z' },
    ]);
    // The informer would deliver our own status write: a status-only change keeps it parked.
    const before = h.pods.get('default/big')!;
    h.pods.set('default/big', stored);
    h.scheduler.onPodUpdate(before, stored);
    expect(h.queue.where('default/big')).toBe('unschedulable');

    await new Promise((r) => setTimeout(r, 5));
    h.queue.moveAllToActive();
    expect(await h.queue.pop()).toBe('default/big');
    h.scheduler.scheduleOne('default/big');
    await h.scheduler.idle();
    const verbs = h.client.actions.map((a) => `${a.verb} ${a.kind}`);
    expect(verbs).toEqual(['updateStatus Pod', 'create Event', 'update Event']);
    const ev = h.client.objects.get(`Event/default/${EventRecorder.eventName('big', 'FailedScheduling')}`);
    expect(ev).toMatchObject({ reason: 'FailedScheduling', type: 'Warning', message, count: 2 });
  });

  it('skips pods of other schedulers, bound pods and terminating pods', () => {
    const h = harness();
    const other = pod('other');
    other.spec!.schedulerName = 'custom';
    h.addPod(other);
    h.addPod(pod('gone', { deleting: true }));
    h.addPod(pod('placed', { nodeName: 'n1' }));
    expect(h.queue.lengths().active).toBe(0);
    expect(h.cache.get('n1')?.pods.has('default/placed')).toBe(true);
  });
});
