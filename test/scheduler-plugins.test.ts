// One describe per scheduler plugin, on hand-built nodes and pods (InterPodAffinity, the
// largest, has its own file: scheduler-inter-pod-affinity.test.ts).
import { describe, expect, it } from 'vitest';
import { defaultNormalize } from '../services/scheduler/framework.js';
import { ERR_NODE_AFFINITY, NodeAffinity } from '../services/scheduler/plugins/node-affinity.js';
import { NodeReady } from '../services/scheduler/plugins/node-ready.js';
import { NodeResourcesFit } from '../services/scheduler/plugins/node-resources-fit.js';
import { NodeResourcesLeastAllocated } from '../services/scheduler/plugins/node-resources-least-allocated.js';
import { NodeUnschedulable } from '../services/scheduler/plugins/node-unschedulable.js';
import { SelectorSpread } from '../services/scheduler/plugins/selector-spread.js';
import { TaintToleration, toleratesTaint } from '../services/scheduler/plugins/taint-toleration.js';
import { cacheWith, fresh, node, nodeInfo, pod, podInfo, scores } from './scheduler-fixtures.js';

const ok = { code: 'Success', reasons: [] };
const rejected = (...reasons: string[]) => ({ code: 'Unschedulable', reasons });

describe('NodeUnschedulable', () => {
  it('rejects a cordoned node', () => {
    expect(NodeUnschedulable.filter(fresh(), podInfo(pod('p')), nodeInfo(node('n', { unschedulable: true })))).toMatchObject(
      rejected('node(s) were unschedulable'),
    );
  });
  it('accepts a schedulable node', () => {
    expect(NodeUnschedulable.filter(fresh(), podInfo(pod('p')), nodeInfo(node('n')))).toMatchObject(ok);
  });
  it('accepts a cordoned node for a pod tolerating node.kubernetes.io/unschedulable:NoSchedule', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(NodeUnschedulable.filter(fresh(), podInfo(p), nodeInfo(node('n', { unschedulable: true })))).toMatchObject(ok);
  });
});

describe('NodeReady', () => {
  it('accepts Ready=True only', () => {
    const p = podInfo(pod('p'));
    expect(NodeReady.filter(fresh(), p, nodeInfo(node('n')))).toMatchObject(ok);
    for (const ready of ['False', 'Unknown', 'absent'] as const) {
      expect(NodeReady.filter(fresh(), p, nodeInfo(node('n', { ready })))).toMatchObject(rejected('node(s) were not ready'));
    }
  });
});

describe('NodeResourcesFit', () => {
  const n = node('n', { cpu: '2', memory: '4Gi', pods: '3' });
  it('fits requests into what is left of allocatable', () => {
    const busy = nodeInfo(n, [pod('a', { nodeName: 'n', requests: { cpu: '1500m', memory: '1Gi' } })]);
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p', { requests: { cpu: '500m', memory: '3Gi' } })), busy)).toMatchObject(ok);
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p', { requests: { cpu: '501m' } })), busy)).toMatchObject(rejected('Insufficient cpu'));
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p', { requests: { memory: '3.5Gi' } })), busy)).toMatchObject(
      rejected('Insufficient memory'),
    );
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p', { requests: { cpu: '1', memory: '8Gi' } })), busy)).toMatchObject(
      rejected('Insufficient cpu', 'Insufficient memory'),
    );
  });
  it('counts pods against allocatable pods', () => {
    const full = nodeInfo(n, [pod('a', { nodeName: 'n' }), pod('b', { nodeName: 'n' }), pod('c', { nodeName: 'n' })]);
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p')), full)).toMatchObject(rejected('Too many pods'));
  });
  it('takes the largest init container when it exceeds the containers', () => {
    const p = pod('p', { requests: { cpu: '1' }, initRequests: { cpu: '3' } });
    expect(podInfo(p).requests.cpu).toBe(3000);
    expect(NodeResourcesFit.filter(fresh(), podInfo(p), nodeInfo(n))).toMatchObject(rejected('Insufficient cpu'));
  });
  it('checks other requested resources by name', () => {
    expect(NodeResourcesFit.filter(fresh(), podInfo(pod('p', { requests: { 'nvidia.com/gpu': '1' } })), nodeInfo(n))).toMatchObject(
      rejected('Insufficient nvidia.com/gpu'),
    );
  });
  it('parses quantities without float rounding surprises', () => {
    expect(podInfo(pod('p', { requests: { cpu: '100m', memory: '128Mi' } })).requests).toEqual({ cpu: 100, memory: 128 * 1024 * 1024 });
    expect(podInfo(pod('q', { requests: { cpu: '0.3' } })).requests.cpu).toBe(300);
  });
});

describe('NodeAffinity', () => {
  const labelled = nodeInfo(node('n1', { labels: { disk: 'ssd', zone: 'a', gen: '5' } }));
  const other = nodeInfo(node('n2', { labels: { disk: 'hdd', zone: 'b', gen: '3' } }));
  const withRequired = (expr: { key: string; operator: string; values?: string[] }[]) =>
    pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: expr }] } } } });

  it('matches spec.nodeSelector', () => {
    const p = podInfo(pod('p', { nodeSelector: { disk: 'ssd' } }));
    expect(NodeAffinity.filter(fresh(), p, labelled)).toMatchObject(ok);
    expect(NodeAffinity.filter(fresh(), p, other)).toMatchObject(rejected(ERR_NODE_AFFINITY));
  });
  it('supports In, NotIn, Exists, DoesNotExist, Gt and Lt', () => {
    const cases: [Parameters<typeof withRequired>[0], boolean, boolean][] = [
      [[{ key: 'zone', operator: 'In', values: ['a', 'c'] }], true, false],
      [[{ key: 'zone', operator: 'NotIn', values: ['a'] }], false, true],
      [[{ key: 'disk', operator: 'Exists' }], true, true],
      [[{ key: 'gpu', operator: 'DoesNotExist' }], true, true],
      [[{ key: 'gen', operator: 'Gt', values: ['4'] }], true, false],
      [[{ key: 'gen', operator: 'Lt', values: ['4'] }], false, true],
      [[{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'In', values: ['hdd'] }], false, false],
    ];
    for (const [expr, onN1, onN2] of cases) {
      const p = podInfo(withRequired(expr));
      expect(NodeAffinity.filter(fresh(), p, labelled).code, JSON.stringify(expr)).toBe(onN1 ? 'Success' : 'Unschedulable');
      expect(NodeAffinity.filter(fresh(), p, other).code, JSON.stringify(expr)).toBe(onN2 ? 'Success' : 'Unschedulable');
    }
  });
  it('ORs the terms and matches metadata.name fields', () => {
    const p = podInfo(
      pod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
              ],
            },
          },
        },
      }),
    );
    expect(NodeAffinity.filter(fresh(), p, labelled).code).toBe('Unschedulable');
    expect(NodeAffinity.filter(fresh(), p, other).code).toBe('Success');
  });
  it('scores preferred terms by weight, scaled to 100', () => {
    const p = pod('p', {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            { weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } },
          ],
        },
      },
    });
    const third = nodeInfo(node('n3'));
    expect(scores(NodeAffinity, p, [labelled, other, third])).toEqual([(10 * 100) / 30, 100, 0]);
  });
});

describe('TaintToleration', () => {
  const gpu = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  it('rejects NoSchedule and NoExecute taints that are not tolerated, naming the taint', () => {
    const p = podInfo(pod('p'));
    expect(TaintToleration.filter(fresh(), p, nodeInfo(node('n', { taints: [gpu] })))).toMatchObject(
      rejected('node(s) had untolerated taint {dedicated: gpu}'),
    );
    expect(TaintToleration.filter(fresh(), p, nodeInfo(node('n', { taints: [{ key: 'x', effect: 'NoExecute' }] })))).toMatchObject(
      rejected('node(s) had untolerated taint {x: }'),
    );
    expect(TaintToleration.filter(fresh(), p, nodeInfo(node('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })))).toMatchObject(ok);
  });
  it('matches tolerations as Kubernetes does', () => {
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, gpu)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu' }, gpu)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'cpu' }, gpu)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, gpu)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, gpu)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, gpu)).toBe(false);
    expect(toleratesTaint({ value: 'gpu' }, gpu)).toBe(false);
  });
  it('scores fewer untolerated PreferNoSchedule taints higher', () => {
    const soft = (k: string) => ({ key: k, effect: 'PreferNoSchedule' });
    const nodes = [nodeInfo(node('a')), nodeInfo(node('b', { taints: [soft('x')] })), nodeInfo(node('c', { taints: [soft('x'), soft('y')] }))];
    expect(scores(TaintToleration, pod('p'), nodes)).toEqual([100, 50, 0]);
    expect(scores(TaintToleration, pod('p', { tolerations: [{ operator: 'Exists' }] }), nodes)).toEqual([100, 100, 100]);
  });
});

describe('SelectorSpread', () => {
  it('scores nodes with fewer pods of the same owner higher', () => {
    const cache = cacheWith(
      [node('n1'), node('n2'), node('n3')],
      [
        pod('a', { owner: 'rs-1', nodeName: 'n1' }),
        pod('b', { owner: 'rs-1', nodeName: 'n1' }),
        pod('c', { owner: 'rs-1', nodeName: 'n2' }),
        pod('x', { owner: 'rs-2', nodeName: 'n3' }),
      ],
    );
    expect(scores(SelectorSpread, pod('d', { owner: 'rs-1' }), [...cache.nodes], cache)).toEqual([0, 50, 100]);
  });
  it('groups bare pods by namespace and labels', () => {
    const cache = cacheWith([node('n1'), node('n2')], [pod('a', { labels: { app: 'x' }, nodeName: 'n1' }), pod('b', { labels: { app: 'y' }, nodeName: 'n2' })]);
    expect(scores(SelectorSpread, pod('c', { labels: { app: 'x' } }), [...cache.nodes], cache)).toEqual([0, 100]);
  });
  it('does not count terminating pods', () => {
    const cache = cacheWith([node('n1'), node('n2')], [pod('a', { owner: 'rs', nodeName: 'n1', deleting: true })]);
    expect(scores(SelectorSpread, pod('b', { owner: 'rs' }), [...cache.nodes], cache)).toEqual([100, 100]);
  });
});

describe('NodeResourcesLeastAllocated', () => {
  it('prefers the node with the most cpu and memory left, with non-zero defaults for empty requests', () => {
    const n = node('n', { cpu: '2', memory: '2Gi' });
    const p = pod('p', { requests: { cpu: '1', memory: '1Gi' } });
    expect(scores(NodeResourcesLeastAllocated, p, [nodeInfo(n)])).toEqual([50]);
    const busy = nodeInfo(n, [pod('a', { nodeName: 'n' })]);
    // 100m and 200Mi are counted for a pod that requests nothing.
    const cpu = ((2000 - 1100) * 100) / 2000;
    const mem = ((2048 - 1024 - 200) * 100) / 2048;
    expect(scores(NodeResourcesLeastAllocated, p, [busy])[0]).toBeCloseTo((cpu + mem) / 2, 9);
  });
  it('scores an overcommitted resource 0', () => {
    expect(scores(NodeResourcesLeastAllocated, pod('p', { requests: { cpu: '3', memory: '1Gi' } }), [nodeInfo(node('n', { cpu: '2', memory: '2Gi' }))])).toEqual([25]);
  });
});

describe('defaultNormalize', () => {
  it('scales to 100, reversed on request', () => {
    const a = [1, 2, 4];
    defaultNormalize(a);
    expect(a).toEqual([25, 50, 100]);
    const b = [0, 0];
    defaultNormalize(b, true);
    expect(b).toEqual([100, 100]);
  });
});
