// kubectl-style output (cli/printers.ts) and the client verbs over a fake client (cli/commands.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe as suite, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { apply, del, describe as describeCmd, formatError, get, type CommandClient, type IO } from '../cli/commands.js';
import {
  TableWriter,
  age,
  describe,
  humanDuration,
  noResourcesMessage,
  printObjects,
  printTable,
  tabwrite,
} from '../cli/printers.js';
import { InvalidError, NotFoundError } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';

const NOW = Date.parse('2024-01-01T12:00:00Z');
/** An RFC 3339 timestamp `seconds` before NOW. */
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, overrides: { status?: Record<string, unknown>; metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(300), labels: { app: 'nginx' }, ...overrides.metadata },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      ...overrides.spec,
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.5',
      podIPs: [{ ip: '10.244.0.5' }],
      startTime: ago(300),
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'PodScheduled', status: 'True' },
      ],
      containerStatuses: [
        { name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: ago(295) } }, containerID: 'docker://abc', imageID: 'nginx@sha256:1' },
      ],
      ...overrides.status,
    },
  };
}

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'nginx-deployment',
      namespace: 'default',
      uid: 'uid-deploy',
      creationTimestamp: ago(3 * 86400 + 4 * 3600),
      labels: { app: 'nginx' },
      annotations: {
        'deployment.kubernetes.io/revision': '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1"}',
      },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { intVal: 0 }, maxSurge: { intVal: 1 } } },
      minReadySeconds: 0,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx:1.14.2',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/healthz', port: { strVal: 'http' }, scheme: 'HTTP' }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
    status: {
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

function service(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(7200) },
    spec: { sessionAffinity: 'None', ...spec },
    status,
  };
}

function event(reason: string, message: string, lastSeen: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `nginx-deployment.${reason}`, namespace: 'default', creationTimestamp: ago(lastSeen) },
    involvedObject: { kind: 'Deployment', name: 'nginx-deployment', namespace: 'default', uid: 'uid-deploy' },
    reason,
    message,
    source: { component: 'deployment-controller' },
    firstTimestamp: ago(lastSeen),
    lastTimestamp: ago(lastSeen),
    count: 1,
    type: 'Normal',
    ...extra,
  };
}

suite('ages', () => {
  it('formats durations exactly as kubectl (duration.HumanDuration)', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [45, '45s'],
      [119, '119s'],
      [120, '2m'],
      [200, '3m20s'],
      [600, '10m'],
      [65 * 60, '65m'],
      [179 * 60, '179m'],
      [3 * 3600, '3h'],
      [3 * 3600 + 5 * 60, '3h5m'],
      [14 * 3600 + 59 * 60, '14h'],
      [47 * 3600, '47h'],
      [48 * 3600, '2d'],
      [3 * 86400 + 4 * 3600, '3d4h'],
      [20 * 86400, '20d'],
      [730 * 86400, '2y'],
      [(3 * 365 + 10) * 86400, '3y10d'],
    ];
    for (const [seconds, want] of cases) expect([seconds, humanDuration(seconds * 1000)]).toEqual([seconds, want]);
  });

  it('tolerates clock skew and missing timestamps', () => {
    expect(humanDuration(-1500)).toBe('0s');
    expect(humanDuration(-5000)).toBe('<invalid>');
    expect(age(undefined, NOW)).toBe('<unknown>');
    expect(age('not a time', NOW)).toBe('<unknown>');
    expect(age(ago(90), NOW)).toBe('90s');
  });
});

suite('column alignment', () => {
  it('pads every column but the last to its widest cell plus 3, at least 6', () => {
    expect(new TableWriter().format([['NAME', 'A', 'AGE'], ['x', 'longer', '1s']])).toBe('NAME   A        AGE\nx      longer   1s\n');
  });

  it('remembers widths across calls, as watch rows need', () => {
    const w = new TableWriter();
    expect(w.format([['NAME', 'AGE'], ['a', '1s']])).toBe('NAME   AGE\na      1s\n');
    expect(w.format([['b', '2s']])).toBe('b      2s\n');
    expect(w.format([['a-much-longer-name', '3s']])).toBe('a-much-longer-name   3s\n');
  });

  it('aligns describe text in blocks of consecutive tabbed lines, as Go tabwriter', () => {
    const text = 'Name:\tx\nNamespace:\tdefault\nSection:\n  Key:\tv\nLonger Key Here:\tw\n';
    expect(tabwrite(text, 0, 2)).toBe('Name:       x\nNamespace:  default\nSection:\n  Key:            v\nLonger Key Here:  w\n');
  });
});

suite('printTable', () => {
  it('prints pods as kubectl get pods', () => {
    const crashing = pod('web-2', {
      status: {
        containerStatuses: [
          {
            name: 'nginx',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(150) } },
          },
        ],
      },
    });
    expect(printTable('po', [pod('web-1'), crashing], { now: NOW })).toBe(
      [
        'NAME    READY   STATUS             RESTARTS        AGE',
        'web-1   1/1     Running            0               5m',
        'web-2   0/1     CrashLoopBackOff   4 (2m30s ago)   5m',
        '',
      ].join('\n'),
    );
  });

  it('derives STATUS from deletion, terminated reasons and init containers', () => {
    const status = (p: KubeObject): string => printTable('pods', [p], { now: NOW }).split('\n')[1]!.split(/\s{3,}/)[2]!;
    expect(status(pod('a', { metadata: { deletionTimestamp: ago(5) } }))).toBe('Terminating');
    expect(
      status(pod('b', { status: { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } })),
    ).toBe('Completed');
    expect(status(pod('c', { status: { phase: 'Running', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 137 } } }] } }))).toBe(
      'ExitCode:137',
    );
    expect(
      status(
        pod('d', {
          spec: { initContainers: [{ name: 'init', image: 'busybox' }] },
          status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }], containerStatuses: [] },
        }),
      ),
    ).toBe('Init:0/1');
    expect(status(pod('e', { status: { phase: 'Pending', containerStatuses: [] } }))).toBe('Pending');
  });

  it('adds IP and NODE with -o wide and NAMESPACE first with -A', () => {
    const table = printTable('pods', [pod('web-1')], { now: NOW, wide: true, allNamespaces: true });
    expect(table).toBe(
      [
        'NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES',
        'default     web-1   1/1     Running   0          5m    10.244.0.5   node-1   <none>           <none>',
        '',
      ].join('\n'),
    );
  });

  it('prints deployments, with the template columns under -o wide', () => {
    expect(printTable('deploy', [deployment()], { now: NOW })).toBe(
      'NAME               READY   UP-TO-DATE   AVAILABLE   AGE\nnginx-deployment   2/3     3            2           3d4h\n',
    );
    expect(printTable('deployments.apps', [deployment()], { now: NOW, wide: true }).split('\n')[1]).toBe(
      'nginx-deployment   2/3     3            2           3d4h   nginx        nginx:1.14.2   app=nginx',
    );
  });

  it('prints NodePort and LoadBalancer services with node ports and external IPs', () => {
    const nodePort = service('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      selector: { app: 'nginx' },
      ports: [{ port: 80, targetPort: { intVal: 8080 }, nodePort: 30007, protocol: 'TCP' }],
    });
    const pending = service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ port: 443, nodePort: 31000, protocol: 'TCP' }] });
    const ready = service(
      'lb-ready',
      { type: 'LoadBalancer', clusterIP: '10.96.0.12', ports: [{ port: 80, nodePort: 31001, protocol: 'TCP' }, { port: 53, nodePort: 31002, protocol: 'UDP' }] },
      { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    );
    const headless = service('db', { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 5432, protocol: 'TCP' }] });
    expect(printTable('svc', [nodePort, pending, ready, headless], { now: NOW })).toBe(
      [
        'NAME       TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                     AGE',
        'web        NodePort       10.96.0.10   <none>        80:30007/TCP                120m',
        'lb         LoadBalancer   10.96.0.11   <pending>     443:31000/TCP               120m',
        'lb-ready   LoadBalancer   10.96.0.12   203.0.113.7   80:31001/TCP,53:31002/UDP   120m',
        'db         ClusterIP      None         <none>        5432/TCP                    120m',
        '',
      ].join('\n'),
    );
    expect(printTable('svc', [nodePort], { now: NOW, wide: true })).toBe(
      [
        'NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE    SELECTOR',
        'web    NodePort   10.96.0.10   <none>        80:30007/TCP   120m   app=nginx',
        '',
      ].join('\n'),
    );
  });

  it('prints other kinds with their kubectl columns', () => {
    const node: KubeObject = {
      kind: 'Node',
      metadata: { name: 'node-1', creationTimestamp: ago(86400 * 10), labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'shoal-0.1.0' } },
    };
    // Cluster-scoped: no NAMESPACE column even with -A.
    expect(printTable('no', [node], { now: NOW, allNamespaces: true })).toBe(
      'NAME     STATUS                     ROLES           AGE   VERSION\nnode-1   Ready,SchedulingDisabled   control-plane   10d   shoal-0.1.0\n',
    );
    const endpoints: KubeObject = {
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(60) },
      subsets: [{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.244.0.${i}` })), ports: [{ port: 8080 }] }],
    };
    expect(printTable('ep', [endpoints], { now: NOW }).split('\n')[1]).toBe('web    10.244.0.1:8080,10.244.0.2:8080,10.244.0.3:8080 + 2 more...   60s');
    const job: KubeObject = {
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default', creationTimestamp: ago(600) },
      spec: { completions: 1 },
      status: { succeeded: 1, startTime: ago(600), completionTime: ago(560), conditions: [{ type: 'Complete', status: 'True' }] },
    };
    expect(printTable('jobs', [job], { now: NOW })).toBe('NAME   STATUS     COMPLETIONS   DURATION   AGE\npi     Complete   1/1           40s        10m\n');
    const cronJob: KubeObject = {
      kind: 'CronJob',
      metadata: { name: 'hello', namespace: 'default', creationTimestamp: ago(3600) },
      spec: { schedule: '*/1 * * * *', suspend: false },
      status: { lastScheduleTime: ago(30), active: [{ name: 'hello-1' }] },
    };
    expect(printTable('cj', [cronJob], { now: NOW })).toBe(
      'NAME    SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\nhello   */1 * * * *   <none>     False     1        30s             60m\n',
    );
    const secret: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'default', creationTimestamp: ago(5) }, data: { a: 'YQ==', b: 'Yg==' } };
    expect(printTable('secrets', [secret], { now: NOW })).toBe('NAME   TYPE     DATA   AGE\ns      Opaque   2      5s\n');
    const pvc: KubeObject = {
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default', creationTimestamp: ago(5) },
      spec: { volumeName: 'pv-1', storageClassName: 'local' },
      status: { phase: 'Bound', accessModes: ['ReadWriteMany', 'ReadWriteOnce'], capacity: { storage: '1Gi' } },
    };
    expect(printTable('pvc', [pvc], { now: NOW }).split('\n')[1]).toBe('data   Bound    pv-1     1Gi        RWO,RWX        local          5s');
  });

  it('prints events oldest first with LAST SEEN and kind/name objects', () => {
    const table = printTable('ev', [event('ScalingReplicaSet', 'Scaled up', 30), event('Created', 'Created it', 90)], { now: NOW });
    expect(table).toBe(
      [
        'LAST SEEN   TYPE     REASON              OBJECT                        MESSAGE',
        '90s         Normal   Created             deployment/nginx-deployment   Created it',
        '30s         Normal   ScalingReplicaSet   deployment/nginx-deployment   Scaled up',
        '',
      ].join('\n'),
    );
  });

  it('prefixes names with kind.group when several kinds are printed, and says when nothing was found', () => {
    expect(printTable('deploy', [deployment()], { now: NOW, withKind: true }).split('\n')[1]).toMatch(/^deployment\.apps\/nginx-deployment {3}2\/3/);
    expect(printTable('po', [], { now: NOW })).toBe('');
    expect(noResourcesMessage('pods', 'default')).toBe('No resources found in default namespace.');
    expect(noResourcesMessage('pods', 'default', true)).toBe('No resources found');
    expect(noResourcesMessage('nodes', 'default')).toBe('No resources found');
  });
});

suite('printObjects', () => {
  it('prints YAML with IntOrString as plain values and kubectl key order', () => {
    const text = printObjects([deployment()], 'yaml');
    expect(text).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n/);
    expect(text).toContain('    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n');
    expect(text).toContain('        readinessProbe:\n          httpGet:\n            path: /healthz\n            port: http\n');
    // Sequences are not indented under their key, as kubectl's YAML.
    expect(text).toContain('      containers:\n      - image: nginx:1.14.2\n');
    const doc = parseYaml(text) as { spec: { strategy: { rollingUpdate: Record<string, unknown> } } };
    expect(doc.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });

    const pct = deployment();
    (pct.spec as { strategy: unknown }).strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { strVal: '25%' }, maxSurge: { strVal: '25%' } } };
    expect(printObjects([pct], 'yaml')).toContain('      maxSurge: 25%\n      maxUnavailable: 25%\n');
  });

  it('prints one object as itself and several as a kind: List, in JSON with 4-space indents', () => {
    const svc = service('web', { type: 'NodePort', ports: [{ port: 80, targetPort: { intVal: 8080 }, nodePort: 30007, protocol: 'TCP' }] });
    const single = printObjects([svc], 'json');
    expect(single.startsWith('{\n    "apiVersion": "v1",\n    "kind": "Service",\n    "metadata": {\n')).toBe(true);
    const parsed = JSON.parse(single) as { spec: { ports: { targetPort: unknown }[] } };
    expect(parsed.spec.ports[0]!.targetPort).toBe(8080);

    const list = JSON.parse(printObjects([svc, deployment()], 'json')) as Record<string, unknown>;
    expect(Object.keys(list)).toEqual(['apiVersion', 'items', 'kind', 'metadata']);
    expect(list.kind).toBe('List');
    expect((list.items as { kind: string }[]).map((i) => i.kind)).toEqual(['Service', 'Deployment']);
    expect(JSON.parse(printObjects([], 'json', { asList: false }))).toEqual({ apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } });
    // A list result of one item stays a List when the caller says so.
    expect(parseYaml(printObjects([svc], 'yaml', { asList: true }))).toMatchObject({ kind: 'List', items: [{ kind: 'Service' }] });
  });

  it('prints names as kind.group/name', () => {
    expect(printObjects([deployment(), pod('web-1'), service('web', {})], 'name')).toBe('deployment.apps/nginx-deployment\npod/web-1\nservice/web\n');
  });
});

suite('describe', () => {
  it('describes a deployment with its strategy, template, conditions, replica sets and events', () => {
    const rs: KubeObject = {
      kind: 'ReplicaSet',
      metadata: { name: 'nginx-deployment-66b6c48dd5', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: { replicas: 3 },
      status: { replicas: 3 },
    };
    const text = describe(deployment(), [event('ScalingReplicaSet', 'Scaled up replica set nginx-deployment-66b6c48dd5 to 3', 120)], {
      now: NOW,
      related: { replicaSets: [rs] },
    });
    const lines = text.split('\n');
    expect(lines.slice(0, 11)).toEqual([
      'Name:                   nginx-deployment',
      'Namespace:              default',
      'CreationTimestamp:      Fri, 29 Dec 2023 08:00:00 +0000',
      'Labels:                 app=nginx',
      'Annotations:            deployment.kubernetes.io/revision: 2',
      'Selector:               app=nginx',
      'Replicas:               3 desired | 3 updated | 3 total | 2 available | 1 unavailable',
      'StrategyType:           RollingUpdate',
      'MinReadySeconds:        0',
      'RollingUpdateStrategy:  0 max unavailable, 1 max surge',
      'Pod Template:',
    ]);
    expect(text).not.toContain('last-applied-configuration');
    expect(text).toContain('   nginx:\n    Image:         nginx:1.14.2\n    Port:          80/TCP\n');
    expect(text).toContain('    Readiness:     http-get http://:http/healthz delay=0s timeout=1s period=5s #success=1 #failure=3\n');
    expect(text).toContain('  Type           Status  Reason\n  ----           ------  ------\n  Available      True    MinimumReplicasAvailable\n');
    expect(text).toContain('OldReplicaSets:  <none>\nNewReplicaSet:   nginx-deployment-66b6c48dd5 (3/3 replicas created)\n');
    expect(text).toMatch(
      /Events:\n {2}Type {4}Reason {13}Age {3}From {19}Message\n {2}---- {4}------ {13}---- {2}---- {19}-------\n {2}Normal {2}ScalingReplicaSet {2}2m {4}deployment-controller {2}Scaled up replica set nginx-deployment-66b6c48dd5 to 3\n$/,
    );
  });

  it('describes a pod with node, status, IP, containers and conditions', () => {
    const p = pod('web-1', { metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', controller: true, uid: 'x' }] } });
    const text = describe(p, [], { now: NOW });
    expect(text).toContain('Node:         node-1/10.0.0.1\n');
    expect(text).toContain('Status:       Running\nIP:           10.244.0.5\n');
    expect(text).toContain('Controlled By:  ReplicaSet/web-abc\n');
    expect(text).toContain('    State:          Running\n      Started:      Mon, 01 Jan 2024 11:55:05 +0000\n    Ready:          True\n    Restart Count:  0\n');
    expect(text).toContain('Conditions:\n  Type           Status\n  Ready          True\n  PodScheduled   True\n');
    expect(text).toMatch(/QoS Class: +BestEffort\n/);
    expect(text.trimEnd().endsWith('Events:          <none>')).toBe(true);
  });

  it('describes a service with ports, node ports, target ports and endpoints', () => {
    const svc = service('web', {
      type: 'NodePort',
      clusterIP: '10.96.0.10',
      selector: { app: 'nginx' },
      ports: [{ name: 'http', port: 80, targetPort: { strVal: 'web' }, nodePort: 30007, protocol: 'TCP' }],
    });
    const endpoints: KubeObject = { kind: 'Endpoints', subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ name: 'http', port: 8080 }] }] };
    const text = describe(svc, [], { now: NOW, related: { endpoints } });
    expect(text).toContain(
      [
        'Selector:          app=nginx',
        'Type:              NodePort',
        'IP:                10.96.0.10',
        'Port:              http  80/TCP',
        'TargetPort:        web/TCP',
        'NodePort:          http  30007/TCP',
        'Endpoints:         10.244.0.5:8080',
        'Session Affinity:  None',
      ].join('\n'),
    );
  });

  it('never prints secret values, and falls back to YAML for other kinds', () => {
    const secret: KubeObject = { kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } };
    const text = describe(secret, []);
    expect(text).toContain('password:  7 bytes');
    expect(text).not.toContain('aHVudGVyMg==');
    expect(text).not.toContain('hunter2');

    const ns: KubeObject = { kind: 'Namespace', metadata: { name: 'team-a', creationTimestamp: ago(60) }, status: { phase: 'Active' } };
    expect(describe(ns, [], { now: NOW })).toBe(
      [
        'Name:               team-a',
        'Labels:             <none>',
        'Annotations:        <none>',
        'CreationTimestamp:  Mon, 01 Jan 2024 11:59:00 +0000',
        'Status:',
        '  phase: Active',
        'Events:  <none>',
        '',
      ].join('\n'),
    );
  });

  it('describe job: uncountedTerminatedPods only while pods wait to be counted', () => {
    const job = (uncountedTerminatedPods: Record<string, string[]>): KubeObject => ({
      kind: 'Job',
      metadata: { name: 'pi', namespace: 'default', creationTimestamp: ago(60) },
      spec: { completions: 2 },
      status: { succeeded: 1, failed: 0, uncountedTerminatedPods },
    });
    const settled = describe(job({}), [], { now: NOW });
    expect(settled).toContain('Status:\n  succeeded: 1\n  failed: 0\nEvents:');
    expect(settled).not.toContain('uncountedTerminatedPods');
    expect(describe(job({ succeeded: ['u1'], failed: ['u2'] }), [], { now: NOW })).toContain(
      ['  uncountedTerminatedPods:', '    succeeded:', '    - u1', '    failed:', '    - u2'].join('\n'),
    );
  });
});

// ---- The verbs, over a fake client ----

class FakeClient implements CommandClient {
  readonly calls: string[] = [];
  constructor(
    private readonly objects: KubeObject[],
    private readonly applyResults: Awaited<ReturnType<CommandClient['apply']>> = [],
    private readonly watchEvents: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; resourceVersion: string }[] = [],
  ) {}

  get(kind: string, namespace: string, name: string): Promise<KubeObject> {
    this.calls.push(`get ${kind} ${namespace}/${name}`);
    const found = this.objects.find((o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? '') === namespace);
    if (!found) return Promise.reject(new NotFoundError(`${kind.toLowerCase()}s "${name}" not found`));
    return Promise.resolve(found);
  }

  list(kind: string, opts: Parameters<CommandClient['list']>[1] = {}): ReturnType<CommandClient['list']> {
    this.calls.push(`list ${kind} ns=${opts.namespace ?? ''} fields=${opts.fieldSelector ?? ''}`);
    const items = this.objects.filter((o) => o.kind === kind && (!opts.namespace || o.metadata?.namespace === opts.namespace));
    return Promise.resolve({ items, resourceVersion: '7' });
  }

  listAll(kind: string, opts: Parameters<CommandClient['listAll']>[1] = {}): ReturnType<CommandClient['listAll']> {
    return this.list(kind, opts);
  }

  delete(kind: string, namespace: string, name: string, opts: Parameters<CommandClient['delete']>[3] = {}): ReturnType<CommandClient['delete']> {
    this.calls.push(`delete ${kind} ${namespace}/${name} ${opts.propagationPolicy ?? ''} ${opts.gracePeriodSeconds ?? ''}`.trimEnd());
    return this.get(kind, namespace, name).then((object) => ({ object, deleted: true }));
  }

  apply(manifest: string, opts: Parameters<CommandClient['apply']>[1] = {}): ReturnType<CommandClient['apply']> {
    this.calls.push(`apply ${manifest.length} ns=${opts.namespace ?? ''}`);
    return Promise.resolve(this.applyResults);
  }

  watch(kind: string, opts: Parameters<CommandClient['watch']>[1] = {}): ReturnType<CommandClient['watch']> {
    this.calls.push(`watch ${kind} from=${opts.resourceVersion ?? ''} fields=${opts.fieldSelector ?? ''}`);
    const events = this.watchEvents;
    return (async function* () {
      for (const ev of events) {
        await Promise.resolve(); // delivered asynchronously, as off the wire
        if (opts.signal?.aborted) return;
        yield ev;
      }
    })();
  }
}

function capture(): IO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(s: string) {
      io.stdout += s.endsWith('\n') ? s : `${s}\n`;
    },
    err(s: string) {
      io.stderr += s.endsWith('\n') ? s : `${s}\n`;
    },
    now: () => NOW,
  };
  return io;
}

suite('commands', () => {
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'nginx-deployment-66b6c48dd5', namespace: 'default', creationTimestamp: ago(300) },
    spec: { replicas: 3 },
    status: { replicas: 3, readyReplicas: 3 },
  };

  it('get all prints one table per non-empty kind with kind.group/name names', async () => {
    const io = capture();
    const code = await get(new FakeClient([pod('web-1'), deployment(), rs]), { kind: 'all', namespace: 'default' }, io);
    expect(code).toBe(0);
    expect(io.stdout).toBe(
      [
        'NAME        READY   STATUS    RESTARTS   AGE',
        'pod/web-1   1/1     Running   0          5m',
        '',
        'NAME                               READY   UP-TO-DATE   AVAILABLE   AGE',
        'deployment.apps/nginx-deployment   2/3     3            2           3d4h',
        '',
        'NAME                                          DESIRED   CURRENT   READY   AGE',
        'replicaset.apps/nginx-deployment-66b6c48dd5   3         3         3       5m',
        '',
      ].join('\n'),
    );
  });

  it('get resolves aliases and TYPE/NAME, and reports missing names kubectl-style', async () => {
    const io = capture();
    const client = new FakeClient([deployment()]);
    expect(await get(client, { kind: 'deploy/nginx-deployment', names: ['deploy/missing'], output: 'name' }, io)).toBe(1);
    expect(io.stdout).toBe('deployment.apps/nginx-deployment\n');
    expect(io.stderr).toBe('Error from server (NotFound): deployments "missing" not found\n');

    const empty = capture();
    expect(await get(client, { kind: 'po', namespace: 'team-a' }, empty)).toBe(0);
    expect(empty.stderr).toBe('No resources found in team-a namespace.\n');

    const bad = capture();
    expect(await get(client, { kind: 'widgets' }, bad)).toBe(1);
    expect(bad.stderr).toBe('error: the server doesn\'t have a resource type "widgets"\n');
  });

  it('get -o yaml of one named object prints the object itself', async () => {
    const io = capture();
    await get(new FakeClient([deployment()]), { kind: 'deployments', names: ['nginx-deployment'], output: 'yaml' }, io);
    expect(io.stdout.startsWith('apiVersion: apps/v1\nkind: Deployment\n')).toBe(true);
  });

  it('get --watch prints the table, then one row per change without the header', async () => {
    const updated = pod('web-1', {
      status: { containerStatuses: [{ name: 'nginx', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    });
    const client = new FakeClient([pod('web-1')], [], [
      { type: 'MODIFIED', object: updated, resourceVersion: '8' },
      { type: 'ADDED', object: pod('web-2'), resourceVersion: '9' },
    ]);
    const io = capture();
    io.signal = new AbortController().signal;
    expect(await get(client, { kind: 'pods', watch: true }, io)).toBe(0);
    expect(client.calls).toContain('watch Pod from=7 fields=');
    expect(io.stdout).toBe(
      [
        'NAME    READY   STATUS    RESTARTS   AGE',
        'web-1   1/1     Running   0          5m',
        'web-1   0/1     CrashLoopBackOff   1          5m',
        'web-2   1/1     Running            0          5m',
        '',
      ].join('\n'),
    );
  });

  it('describe lists events by involvedObject and keeps only this object\'s kind', async () => {
    const other = event('Killing', 'from a pod with the same name', 10, { involvedObject: { kind: 'Pod', name: 'nginx-deployment', namespace: 'default' } });
    const client = new FakeClient([deployment(), event('ScalingReplicaSet', 'Scaled up', 60), other]);
    const io = capture();
    expect(await describeCmd(client, { kind: 'deploy', name: 'nginx-deployment' }, io)).toBe(0);
    expect(client.calls).toContain('list Event ns=default fields=involvedObject.name=nginx-deployment,involvedObject.namespace=default');
    expect(io.stdout).toContain('Normal  ScalingReplicaSet');
    expect(io.stdout).not.toContain('Killing');
  });

  it('delete prints kubectl\'s wording and passes cascade and grace period', async () => {
    const client = new FakeClient([deployment()]);
    const io = capture();
    const code = await del(client, { kind: 'deploy', names: ['nginx-deployment', 'gone'], cascade: 'foreground', gracePeriod: 0 }, io);
    expect(code).toBe(1);
    expect(io.stdout).toBe('deployment.apps "nginx-deployment" deleted\n');
    expect(io.stderr).toBe('Error from server (NotFound): deployments "gone" not found\n');
    expect(client.calls).toContain('delete Deployment default/nginx-deployment Foreground 0');
  });

  it('delete -f and apply -f read files and directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
    try {
      const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-deployment\nspec:\n  replicas: 3\n';
      await writeFile(join(dir, 'b.yaml'), manifest);
      await writeFile(join(dir, 'a.yml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n');
      await writeFile(join(dir, 'notes.txt'), 'not a manifest');

      const client = new FakeClient([deployment(), pod('web-1')], [{ object: deployment(), action: 'configured' }]);
      const applied = capture();
      expect(await apply(client, { files: [dir] }, applied)).toBe(0);
      expect(client.calls.filter((c) => c.startsWith('apply'))).toHaveLength(2);
      expect(applied.stdout).toBe('deployment.apps/nginx-deployment configured\ndeployment.apps/nginx-deployment configured\n');

      const deleted = capture();
      expect(await del(client, { files: [join(dir, 'b.yaml')] }, deleted)).toBe(0);
      expect(deleted.stdout).toBe('deployment.apps "nginx-deployment" deleted\n');
      expect(client.calls).toContain('delete Deployment default/nginx-deployment Background');

      const missing = capture();
      expect(await apply(client, { files: [join(dir, 'nope.yaml')] }, missing)).toBe(1);
      expect(missing.stderr).toBe(`error: the path "${join(dir, 'nope.yaml')}" does not exist\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('formats invalid objects as kubectl does, also when the name only travels in the gRPC details', () => {
    const violations = [
      { field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
      { field: 'spec.template.spec.containers[0].image', message: 'Required value' },
    ];
    const expected = [
      'The Deployment "x" is invalid:',
      '* spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      '* spec.template.spec.containers[0].image: Required value',
    ].join('\n');
    expect(formatError(new InvalidError(violations, 'Deployment "x" is invalid'))).toBe(expected);
    expect(formatError(new InvalidError([{ field: 'labelSelector', message: 'Invalid value: "a b"' }]))).toBe(
      'The request is invalid:\n* labelSelector: Invalid value: "a b"',
    );
    // The manifest decoder names the document and the object.
    const unknownField = [{ field: 'spec.replica', message: 'Unsupported value: unknown field' }];
    expect(formatError(new InvalidError(unknownField, 'document 1: Deployment "web" is invalid'))).toBe(
      'The Deployment "web" is invalid:\n* spec.replica: Unsupported value: unknown field',
    );
    expect(formatError(new NotFoundError('deployments.apps "x" not found'))).toBe('Error from server (NotFound): deployments.apps "x" not found');
  });
});
