// InterPodAffinity on hand-built nodes and pods: required podAffinity (with kube's "first pod
// of a group" exception), required podAntiAffinity both ways, namespaces and
// namespaceSelector, topology keys other than the host, the preferred terms' score; then the
// plugin inside the default profile, and the queue move a newly placed peer triggers.
import { describe, expect, it } from 'vitest';
import type { PodAffinityTerm__Output } from '../lib/gen/shoal/v1/PodAffinityTerm.js';
import type { PodSpec__Output } from '../lib/gen/shoal/v1/PodSpec.js';
import { CycleState, Framework } from '../services/scheduler/framework.js';
import { ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, InterPodAffinity } from '../services/scheduler/plugins/inter-pod-affinity.js';
import { SchedulingQueue } from '../services/scheduler/queue.js';
import { defaultPlugins } from '../services/scheduler/registry.js';
import { Scheduler, type SchedulerClient } from '../services/scheduler/scheduler.js';
import { SchedulerCache } from '../services/scheduler/cache.js';
import { cacheWith, node, pod, podInfo, scores } from './scheduler-fixtures.js';

type Affinity = NonNullable<PodSpec__Output['affinity']>;
const HOST = 'kubernetes.io/hostname';

function term(matchLabels: Record<string, string> | undefined, topologyKey = HOST, extra: Partial<PodAffinityTerm__Output> = {}): PodAffinityTerm__Output {
  return { ...(matchLabels ? { labelSelector: { matchLabels } } : {}), topologyKey, ...extra };
}
const requiredAffinity = (...terms: PodAffinityTerm__Output[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const requiredAnti = (...terms: PodAffinityTerm__Output[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

/** n1 and n2 in zone a, n3 in zone b, n4 without a zone label. */
const nodes = [node('n1', { labels: { zone: 'a' } }), node('n2', { labels: { zone: 'a' } }), node('n3', { labels: { zone: 'b' } }), node('n4')];

/** PreFilter once, then Filter on every node of the cache: node → reasons ([] = fits). */
function filterAll(p: ReturnType<typeof pod>, cache: SchedulerCache): Record<string, string[]> {
  const state = new CycleState();
  const info = podInfo(p);
  expect(InterPodAffinity.preFilter(state, info, cache).code).toBe('Success');
  return Object.fromEntries(cache.nodes.map((n) => [n.name, [...InterPodAffinity.filter(state, info, n).reasons]]));
}

/** The nodes the pod fits on. */
function fits(p: ReturnType<typeof pod>, cache: SchedulerCache): string[] {
  return Object.entries(filterAll(p, cache))
    .filter(([, reasons]) => reasons.length === 0)
    .map(([n]) => n);
}

describe('InterPodAffinity: required podAffinity', () => {
  it('places a pod only on the host of a pod its term selects, and names the rule elsewhere', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n2' }), pod('db', { labels: { app: 'db' }, nodeName: 'n3' })]);
    expect(filterAll(pod('cache', { labels: { app: 'cache' }, affinity: requiredAffinity(term({ app: 'web' })) }), cache)).toEqual({
      n1: [ERR_AFFINITY],
      n2: [],
      n3: [ERR_AFFINITY],
      n4: [ERR_AFFINITY],
    });
  });

  it('takes the whole domain of another topology key, and never a node without the key', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })]);
    expect(fits(pod('cache', { affinity: requiredAffinity(term({ app: 'web' }, 'zone')) }), cache)).toEqual(['n1', 'n2']);
  });

  it('rejects every node when no pod matches and the pod does not match its own terms', () => {
    const cache = cacheWith(nodes, [pod('db', { labels: { app: 'db' }, nodeName: 'n1' })]);
    expect(filterAll(pod('cache', { labels: { app: 'cache' }, affinity: requiredAffinity(term({ app: 'web' })) }), cache)).toEqual({
      n1: [ERR_AFFINITY],
      n2: [ERR_AFFINITY],
      n3: [ERR_AFFINITY],
      n4: [ERR_AFFINITY],
    });
  });

  it('lets the first pod of a group that matches its own terms go anywhere the topology keys are', () => {
    const first = pod('web-1', { labels: { app: 'web' }, affinity: requiredAffinity(term({ app: 'web' }, 'zone')) });
    expect(fits(first, cacheWith(nodes))).toEqual(['n1', 'n2', 'n3']);
    // Once one runs, the rest follow it into its zone.
    const cache = cacheWith(nodes, [{ ...first, spec: { ...first.spec, nodeName: 'n3' } }]);
    expect(fits(pod('web-2', { labels: { app: 'web' }, affinity: requiredAffinity(term({ app: 'web' }, 'zone')) }), cache)).toEqual(['n3']);
  });

  it('counts only pods that match all the terms, each term in its own topology', () => {
    const terms = requiredAffinity(term({ app: 'web' }), term({ tier: 'front' }, 'zone'));
    const onlyWeb = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })]);
    expect(fits(pod('p', { affinity: terms }), onlyWeb)).toEqual([]);
    const both = cacheWith(nodes, [pod('web-1', { labels: { app: 'web', tier: 'front' }, nodeName: 'n1' })]);
    expect(filterAll(pod('p', { affinity: terms }), both)).toEqual({ n1: [], n2: [ERR_AFFINITY], n3: [ERR_AFFINITY], n4: [ERR_AFFINITY] });
  });

  it('does not let the first-pod exception skip a group that already runs somewhere', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n3' })]);
    expect(fits(pod('web-2', { labels: { app: 'web' }, affinity: requiredAffinity(term({ app: 'web' })) }), cache)).toEqual(['n3']);
  });

  it('matches no pod with a nil labelSelector', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })]);
    expect(fits(pod('p', { labels: { app: 'web' }, affinity: requiredAffinity(term(undefined)) }), cache)).toEqual([]);
  });

  it('is checked before anti-affinity, as kube-scheduler orders the reasons', () => {
    const cache = cacheWith(nodes, [pod('db', { labels: { app: 'db' }, nodeName: 'n1' })]);
    const p = pod('p', { affinity: { ...requiredAffinity(term({ app: 'web' })), ...requiredAnti(term({ app: 'db' })) } });
    expect(filterAll(p, cache).n1).toEqual([ERR_AFFINITY]);
  });
});

describe('InterPodAffinity: namespaces', () => {
  const pods = [
    pod('web-default', { labels: { app: 'web' }, nodeName: 'n1' }),
    pod('web-shop', { namespace: 'shop', labels: { app: 'web' }, nodeName: 'n2' }),
    pod('web-lab', { namespace: 'lab', labels: { app: 'web' }, nodeName: 'n3' }),
  ];
  const cache = cacheWith(nodes, pods, { shop: { team: 'retail' }, lab: { team: 'research' } });
  const fitsWith = (extra: Partial<PodAffinityTerm__Output>, namespace = 'default') =>
    fits(pod('p', { namespace, affinity: requiredAffinity(term({ app: 'web' }, HOST, extra)) }), cache);

  it("selects the pod's own namespace by default", () => {
    expect(fitsWith({})).toEqual(['n1']);
    expect(fitsWith({}, 'shop')).toEqual(['n2']);
  });
  it('selects the listed namespaces only', () => {
    expect(fitsWith({ namespaces: ['shop', 'lab'] })).toEqual(['n2', 'n3']);
  });
  it('selects namespaces by their labels, and every namespace with an empty namespaceSelector', () => {
    expect(fitsWith({ namespaceSelector: { matchLabels: { team: 'research' } } })).toEqual(['n3']);
    expect(fitsWith({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } })).toEqual(['n2', 'n3']);
    expect(fitsWith({ namespaceSelector: {} })).toEqual(['n1', 'n2', 'n3']);
  });
  it('takes the union of namespaces and namespaceSelector, without the own namespace', () => {
    expect(fitsWith({ namespaces: ['shop'], namespaceSelector: { matchLabels: { team: 'research' } } })).toEqual(['n2', 'n3']);
  });
  it("matches existing pods' anti-affinity namespaceSelector against the incoming pod's namespace", () => {
    const guard = pod('guard', { namespace: 'lab', nodeName: 'n4', affinity: requiredAnti(term({ app: 'web' }, HOST, { namespaceSelector: { matchLabels: { team: 'retail' } } })) });
    const c = cacheWith(nodes, [guard], { shop: { team: 'retail' }, lab: { team: 'research' } });
    expect(filterAll(pod('w', { namespace: 'shop', labels: { app: 'web' } }), c).n4).toEqual([ERR_EXISTING_ANTI_AFFINITY]);
    expect(filterAll(pod('w', { namespace: 'lab', labels: { app: 'web' } }), c).n4).toEqual([]);
  });
});

describe('InterPodAffinity: required podAntiAffinity', () => {
  const antiWeb = requiredAnti(term({ app: 'web' }));

  it('keeps a pod off hosts running pods its required terms select', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' }), pod('db', { labels: { app: 'db' }, nodeName: 'n2' })]);
    expect(filterAll(pod('web-2', { labels: { app: 'web' }, affinity: antiWeb }), cache)).toEqual({ n1: [ERR_ANTI_AFFINITY], n2: [], n3: [], n4: [] });
  });
  it("keeps a pod off hosts whose pods' required terms select it (symmetry)", () => {
    const cache = cacheWith(nodes, [pod('guard', { labels: { app: 'guard' }, affinity: antiWeb, nodeName: 'n3' })]);
    expect(filterAll(pod('web-2', { labels: { app: 'web' } }), cache)).toEqual({ n1: [], n2: [], n3: [ERR_EXISTING_ANTI_AFFINITY], n4: [] });
  });
  it('applies other topology keys to the whole domain', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })]);
    expect(filterAll(pod('web-2', { labels: { app: 'web' }, affinity: requiredAnti(term({ app: 'web' }, 'zone')) }), cache)).toEqual({
      n1: [ERR_ANTI_AFFINITY],
      n2: [ERR_ANTI_AFFINITY],
      n3: [],
      n4: [],
    });
  });
  it('only selects pods in the namespaces of the term', () => {
    const cache = cacheWith(nodes, [pod('web-1', { namespace: 'other', labels: { app: 'web' }, nodeName: 'n1' })]);
    expect(filterAll(pod('web-2', { labels: { app: 'web' }, affinity: antiWeb }), cache).n1).toEqual([]);
  });
});

describe('InterPodAffinity: score', () => {
  const weighted = (weight: number, t: PodAffinityTerm__Output) => ({ weight, podAffinityTerm: t });

  it('scores hosts with pods its preferred anti-affinity terms select lower', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' })]);
    const p = pod('web-2', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(50, term({ app: 'web' }))] } } });
    expect(scores(InterPodAffinity, p, [...cache.nodes], cache)).toEqual([0, 100, 100, 100]);
  });

  it('scores domains with pods its preferred affinity terms select higher, by weight', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n1' }), pod('db', { labels: { app: 'db' }, nodeName: 'n2' })]);
    const p = pod('p', {
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(50, term({ app: 'web' }, 'zone'))] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(30, term({ app: 'db' }))] },
      },
    });
    // n1: +50 (zone a runs web); n2: +50 - 30 (it runs db); n3, n4: 0.
    expect(scores(InterPodAffinity, p, [...cache.nodes], cache)).toEqual([100, 40, 0, 0]);
  });

  it("counts existing pods' terms that select the incoming pod: required affinity by 1, preferred by weight", () => {
    const cache = cacheWith(nodes, [
      pod('follower', { nodeName: 'n1', affinity: requiredAffinity(term({ app: 'web' })) }),
      pod('fan', { nodeName: 'n2', affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(3, term({ app: 'web' }))] } } }),
      pod('hater', { nodeName: 'n3', affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(2, term({ app: 'web' }))] } } }),
    ]);
    // n1 +1, n2 +3, n3 -2, n4 0: scaled from -2..3 to 0..100.
    expect(scores(InterPodAffinity, pod('web', { labels: { app: 'web' } }), [...cache.nodes], cache)).toEqual([60, 100, 0, 40]);
    // A pod none of those terms select scores the same everywhere.
    expect(scores(InterPodAffinity, pod('db', { labels: { app: 'db' } }), [...cache.nodes], cache)).toEqual([0, 0, 0, 0]);
  });
});

describe('InterPodAffinity in the default profile', () => {
  it('places a pod next to its peer, and reports the rule when no peer runs', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n3' })]);
    const fw = new Framework(defaultPlugins());
    for (let i = 0; i < 5; i++) {
      const r = fw.schedule(podInfo(pod(`cache-${i}`, { affinity: requiredAffinity(term({ app: 'web' })) })), cache);
      expect(r.result === 'scheduled' && r.node.name).toBe('n3');
    }
    const r = fw.schedule(podInfo(pod('lonely', { affinity: requiredAffinity(term({ app: 'nothing' })) })), cache);
    expect(r).toMatchObject({ result: 'unschedulable', message: "0/4 nodes are available: 4 node(s) didn't match pod affinity rules." });
  });

  it('prefers the node of a preferred peer over emptier nodes', () => {
    const cache = cacheWith(nodes, [pod('web-1', { labels: { app: 'web' }, nodeName: 'n2', requests: { cpu: '2', memory: '4Gi' } })]);
    const p = pod('p', { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term({ app: 'web' }) }] } } });
    const r = new Framework(defaultPlugins()).schedule(podInfo(p), cache);
    expect(r.result === 'scheduled' && r.node.name).toBe('n2');
  });
});

describe('Scheduler: a placed pod wakes the pods waiting for it', () => {
  it('moves parked pods whose required affinity selects the new pod, and only those', () => {
    const waiting = new Map([
      ['default/wants-web', pod('wants-web', { affinity: requiredAffinity(term({ app: 'web' })) })],
      ['default/wants-db', pod('wants-db', { affinity: requiredAffinity(term({ app: 'db' })) })],
      ['default/too-big', pod('too-big', { requests: { cpu: '64' } })],
    ]);
    const queue = new SchedulingQueue({ initialBackoffMs: 0 });
    const cache = new SchedulerCache();
    const scheduler = new Scheduler({
      client: {} as unknown as SchedulerClient,
      schedulerName: 'default-scheduler',
      framework: new Framework(defaultPlugins()),
      cache,
      queue,
      getPod: (key) => waiting.get(key),
      logger: { info: () => {}, warn: () => {} },
    });
    scheduler.onNodeAdd(node('n1'));
    for (const key of waiting.keys()) queue.addUnschedulable(key);
    scheduler.onPodAdd(pod('other', { labels: { app: 'other' }, nodeName: 'n1' }));
    expect([...waiting.keys()].map((k) => queue.where(k))).toEqual(['unschedulable', 'unschedulable', 'unschedulable']);

    // Created pending, then bound (as the informer shows a bind).
    const web = pod('web', { labels: { app: 'web' } });
    scheduler.onPodAdd(web);
    scheduler.onPodUpdate(web, { ...web, spec: { ...web.spec, nodeName: 'n1' } });
    expect([...waiting.keys()].map((k) => queue.where(k))).toEqual(['active', 'unschedulable', 'unschedulable']);
    queue.close();
  });
});
