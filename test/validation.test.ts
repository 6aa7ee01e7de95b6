// Defaulting and validation of objects, with no server: plain functions over canonical objects.
import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../lib/errors.js';
import type { KubeObject } from '../lib/kinds.js';
import { parseQuantity } from '../lib/quantity.js';
import type { ConfigMap__Output } from '../lib/gen/shoal/v1/ConfigMap.js';
import type { CronJob__Output } from '../lib/gen/shoal/v1/CronJob.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Endpoints__Output } from '../lib/gen/shoal/v1/Endpoints.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { Job__Output } from '../lib/gen/shoal/v1/Job.js';
import type { Lease__Output } from '../lib/gen/shoal/v1/Lease.js';
import type { Namespace__Output } from '../lib/gen/shoal/v1/Namespace.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { PersistentVolumeClaim__Output } from '../lib/gen/shoal/v1/PersistentVolumeClaim.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { PodSpec__Output } from '../lib/gen/shoal/v1/PodSpec.js';
import type { PodTemplateSpec__Output } from '../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { ReplicaSet__Output } from '../lib/gen/shoal/v1/ReplicaSet.js';
import type { Secret__Output } from '../lib/gen/shoal/v1/Secret.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { applyDefaults } from '../services/api/defaults.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  validateObject,
} from '../services/api/validation.js';

// ---- fixtures: small, valid, seed-like objects; every call returns a fresh copy ----

const podSpec = (): PodSpec__Output => ({
  containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ name: 'http', containerPort: 80 }] }],
});

const pod = (): Pod__Output => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default' }, spec: podSpec() });

const deployment = (): Deployment__Output => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web', tier: 'frontend' } }, spec: podSpec() },
  },
});

const replicaSet = (): ReplicaSet__Output => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-5d8f', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } },
});

const service = (): Service__Output => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: { strVal: 'http' } }] },
});

const job = (): Job__Output => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'] }] } } },
});

const cronJob = (): CronJob__Output => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'hello', namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox' }] } } } },
  },
});

const secret = (): Secret__Output => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-creds', namespace: 'default' },
  data: { user: Buffer.from('admin').toString('base64') },
});

const configMap = (): ConfigMap__Output => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'default' },
  data: { 'app.properties': 'color=blue', LOG_LEVEL: 'info' },
});

const namespace = (): Namespace__Output => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });

const pvc = (): PersistentVolumeClaim__Output => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

const node = (): Node__Output => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
  status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
});

const endpoints = (): Endpoints__Output => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }],
});

const lease = (): Lease__Output => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'kube-scheduler', namespace: 'kube-system' },
  spec: { holderIdentity: 'sched-1', leaseDurationSeconds: 15 },
});

const event = (): Event__Output => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-0.17a3b', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0' },
  reason: 'Scheduled',
  type: 'Normal',
});

/** The generated types lack KubeObject's index signature; they are the same objects. */
const kube = <T>(o: T): KubeObject => o as unknown as KubeObject;

const FIXTURES: Record<string, () => KubeObject> = {
  Pod: () => kube(pod()),
  Deployment: () => kube(deployment()),
  ReplicaSet: () => kube(replicaSet()),
  Service: () => kube(service()),
  Job: () => kube(job()),
  CronJob: () => kube(cronJob()),
  Secret: () => kube(secret()),
  ConfigMap: () => kube(configMap()),
  Namespace: () => kube(namespace()),
  PersistentVolumeClaim: () => kube(pvc()),
  Node: () => kube(node()),
  Endpoints: () => kube(endpoints()),
  Lease: () => kube(lease()),
  Event: () => kube(event()),
};

/** A fixture with one change applied. */
function edit<T>(make: () => T, change: (o: T) => void): KubeObject {
  const o = make();
  change(o);
  return kube(o);
}

/** A fixture, optionally changed, with defaults applied, read back as its own type. */
function defaulted<T>(make: () => T, change: (o: T) => void = () => {}): T {
  const o = make();
  change(o);
  applyDefaults(kube(o));
  return o;
}

// Short paths into fixtures, so edits read as the field they change.
const tmpl = (o: { spec?: { template?: PodTemplateSpec__Output } }): PodSpec__Output => o.spec!.template!.spec!;
const ctr = (spec: PodSpec__Output | undefined, i = 0) => spec!.containers![i]!;

function fields(violations: FieldViolation[]): string[] {
  return violations.map((v) => v.field);
}

// ============================================================================================

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['100m', 0.1],
    ['0.5', 0.5],
    ['1', 1],
    ['.5', 0.5],
    ['+2', 2],
    ['-1', -1],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Ki', 1024],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['1G', 1e9],
    ['1k', 1000],
    ['1M', 1e6],
    ['1E', 1e18],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e-3', 0.001],
    ['5n', 5e-9],
    ['250u', 0.00025],
    ['0', 0],
  ])('%s is %d', (s, want) => {
    expect(parseQuantity(s)).toBeCloseTo(want, 12);
  });

  it('keeps milli-units and decimals exactly equal, so requests and limits compare cleanly', () => {
    expect(parseQuantity('100m')).toBe(parseQuantity('0.1'));
    expect(parseQuantity('1500m')).toBe(parseQuantity('1.5'));
    expect(parseQuantity('1024Mi')).toBe(parseQuantity('1Gi'));
  });

  it.each(['', 'abc', 'Mi', '.', '1.2.3', '5 Mi', '1K', '1e', '1Zi', '1mi', 'm1', '--1', '1Mi ', '0x10'])('rejects %j', (s) => {
    expect(parseQuantity(s)).toBeUndefined();
  });
});

describe('content checks', () => {
  it('DNS-1123 labels and subdomains', () => {
    expect(isDNS1123Label('web-1')).toEqual([]);
    expect(isDNS1123Label('a.b')).toEqual(['must not contain dots']);
    expect(isDNS1123Label('Web')[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
    expect(isDNS1123Label('a'.repeat(64))).toContain('must be no more than 63 characters');
    expect(isDNS1123Label('-a')).toHaveLength(1);
    expect(isDNS1123Subdomain('example.com')).toEqual([]);
    expect(isDNS1123Subdomain('example..com')).toHaveLength(1);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
    // Linear-time checks: a huge invalid name does not hang.
    expect(isDNS1123Subdomain(`${'a'.repeat(200_000)}_`)).toHaveLength(2);
  });

  it('qualified names (label keys)', () => {
    expect(isQualifiedName('app')).toEqual([]);
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('My_Key.1')).toEqual([]);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('Example.com/name')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a valid label key must consist of .* with an optional DNS subdomain prefix/);
    expect(isQualifiedName('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(isQualifiedName('-app')[0]).toMatch(/^name part must consist of alphanumeric characters/);
    expect(isQualifiedName('')).toEqual([expect.stringContaining('name part must be non-empty'), expect.stringContaining('name part must consist')]);
  });

  it('label values', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3-x')).toEqual([]);
    expect(isValidLabelValue('a b')[0]).toMatch(/^a valid label must be an empty string or consist of/);
    expect(isValidLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('port names (IANA_SVC_NAME)', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('h2c-web')).toEqual([]);
    expect(isValidPortName('a'.repeat(16))).toEqual(['must be no more than 15 characters']);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-ab')).toEqual(['must not begin or end with a hyphen']);
    expect(isValidPortName('HTTP')).toContain('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  });


});

// ============================================================================================

describe('applyDefaults', () => {
  it('Pod: pod spec, container, port and probe defaults', () => {
    const spec = defaulted(pod, (o) => {
      ctr(o.spec).livenessProbe = { httpGet: { port: { intVal: 80 } } };
      ctr(o.spec).readinessProbe = { tcpSocket: { port: { strVal: 'http' } }, periodSeconds: 5 };
      o.spec!.containers!.push({ name: 'sidecar', image: 'busybox' }, { name: 'pinned', image: 'registry.local:5000/app@sha256:abcd' });
    }).spec!;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    });
    expect(ctr(spec)).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
      livenessProbe: {
        httpGet: { port: { intVal: 80 }, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      readinessProbe: { periodSeconds: 5, timeoutSeconds: 1 },
    });
    expect(ctr(spec, 1).imagePullPolicy).toBe('Always'); // no tag means :latest
    expect(ctr(spec, 2).imagePullPolicy).toBe('IfNotPresent'); // a digest; a registry port is not a tag
  });

  it('Pod: image tag latest pulls Always; explicit values are kept', () => {
    const spec = defaulted(pod, (o) => {
      ctr(o.spec).image = 'nginx:latest';
      o.spec!.restartPolicy = 'Never';
      o.spec!.terminationGracePeriodSeconds = 0;
    }).spec!;
    expect(ctr(spec).imagePullPolicy).toBe('Always');
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.terminationGracePeriodSeconds).toBe(0);
  });

  it('Pod: requests default to limits; hostNetwork ports become host ports; volumes get a source', () => {
    const spec = defaulted(pod, (o) => {
      o.spec!.hostNetwork = true;
      ctr(o.spec).resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } };
      o.spec!.volumes = [{ name: 'scratch' }, { name: 'conf', configMap: { name: 'settings' } }];
    }).spec!;
    expect(ctr(spec).resources!.requests).toEqual({ cpu: '250m', memory: '128Mi' });
    expect(ctr(spec).ports![0]!.hostPort).toBe(80);
    expect(spec.volumes).toEqual([
      { name: 'scratch', emptyDir: {} },
      { name: 'conf', configMap: { name: 'settings', defaultMode: 0o644 } },
    ]);
  });

  it('Deployment: replicas, strategy, limits; the selector is not defaulted; template gets pod defaults', () => {
    const spec = defaulted(deployment, (o) => {
      delete o.spec!.replicas;
      delete o.spec!.selector;
    }).spec!;
    expect(spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: { strVal: '25%' }, maxSurge: { strVal: '25%' } } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(spec.selector).toBeUndefined();
    expect(spec.template!.spec!.restartPolicy).toBe('Always');
    expect(ctr(spec.template!.spec).imagePullPolicy).toBe('IfNotPresent');
  });

  it('Deployment: explicit zeroes and Recreate are kept', () => {
    const spec = defaulted(deployment, (o) => {
      o.spec!.replicas = 0;
      o.spec!.strategy = { rollingUpdate: { maxUnavailable: { intVal: 0 } } };
    }).spec!;
    expect(spec.replicas).toBe(0);
    expect(spec.strategy!.rollingUpdate).toEqual({ maxUnavailable: { intVal: 0 }, maxSurge: { strVal: '25%' } });
    const recreate = defaulted(deployment, (o) => (o.spec!.strategy = { type: 'Recreate' })).spec!;
    expect(recreate.strategy).toEqual({ type: 'Recreate' });
  });

  it('ReplicaSet: replicas 1, and pod defaults in the template', () => {
    const spec = defaulted(replicaSet).spec!;
    expect(spec.replicas).toBe(1);
    expect(spec.template!.spec!.dnsPolicy).toBe('ClusterFirst');
  });

  it('Service: type, affinity, protocol, targetPort, traffic policies', () => {
    const spec = defaulted(service, (o) => {
      o.spec!.ports![0]!.name = 'http';
      o.spec!.ports!.push({ name: 'metrics', port: 9090 }, { name: 'zero', port: 81, targetPort: { intVal: 0 } });
    }).spec!;
    expect(spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
    expect(spec.externalTrafficPolicy).toBeUndefined();
    expect(spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: { strVal: 'http' }, protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: { intVal: 9090 }, protocol: 'TCP' },
      { name: 'zero', port: 81, targetPort: { intVal: 81 }, protocol: 'TCP' },
    ]);
    expect(defaulted(service, (o) => (o.spec!.type = 'NodePort')).spec!.externalTrafficPolicy).toBe('Cluster');
    expect(defaulted(service, (o) => (o.spec!.type = 'LoadBalancer')).spec!.allocateLoadBalancerNodePorts).toBe(true);
    const external = defaulted(service, (o) => (o.spec = { type: 'ExternalName', externalName: 'db.example.com' })).spec!;
    expect(external.internalTrafficPolicy).toBeUndefined();
    const sticky = defaulted(service, (o) => (o.spec!.sessionAffinity = 'ClientIP')).spec!;
    expect(sticky.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('Job: parallelism/completions, backoffLimit, completionMode, suspend; no restartPolicy default', () => {
    const j = defaulted(job, (o) => {
      delete tmpl(o).restartPolicy;
      o.spec!.template!.metadata = { labels: { app: 'pi' } };
    });
    expect(j.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(tmpl(j).restartPolicy).toBeUndefined();
    expect(tmpl(j).terminationGracePeriodSeconds).toBe(30);
    expect(j.metadata!.labels).toEqual({ app: 'pi' }); // batch/v1 copies template labels onto an unlabelled Job

    // Only parallelism set: a work-queue job, completions stays unset.
    const queue = defaulted(job, (o) => (o.spec!.parallelism = 5)).spec!;
    expect(queue.completions).toBeUndefined();
    expect(queue.parallelism).toBe(5);
    // Only completions set: parallelism defaults to 1.
    expect(defaulted(job, (o) => (o.spec!.completions = 4)).spec).toMatchObject({ completions: 4, parallelism: 1 });
  });

  it('CronJob: policy and history limits; only the pod template inside is defaulted', () => {
    const spec = defaulted(cronJob).spec!;
    expect(spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const jobSpec = spec.jobTemplate!.spec!;
    expect(jobSpec.backoffLimit).toBeUndefined();
    expect(ctr(tmpl({ spec: jobSpec })).imagePullPolicy).toBe('Always');
    expect(tmpl({ spec: jobSpec }).restartPolicy).toBe('OnFailure');
  });

  it('Secret: type Opaque; stringData merged into data (winning) and removed', () => {
    const s = defaulted(secret, (o) => (o.stringData = { user: 'root', pass: 's3cret' }));
    expect(s.type).toBe('Opaque');
    expect(s.stringData).toBeUndefined();
    expect(s.data).toEqual({ user: Buffer.from('root').toString('base64'), pass: Buffer.from('s3cret').toString('base64') });
  });

  it('Namespace, PVC, Node, Endpoints', () => {
    const ns = defaulted(namespace);
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata!.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    const claim = defaulted(pvc);
    expect(claim.spec!.volumeMode).toBe('Filesystem');
    expect(claim.status).toEqual({ phase: 'Pending' });
    expect(defaulted(node).status!.allocatable).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(defaulted(endpoints).subsets![0]!.ports![0]!.protocol).toBe('TCP');
  });

  it('is idempotent', () => {
    for (const make of Object.values(FIXTURES)) {
      const once = defaulted(make);
      const twice = defaulted(() => structuredClone(once));
      expect(twice).toEqual(once);
    }
  });
});

// ============================================================================================

describe('validateObject: valid objects', () => {
  it.each(Object.keys(FIXTURES))('%s is valid as written and after defaults', (kind) => {
    const make = FIXTURES[kind]!;
    expect(validateObject(make())).toEqual([]);
    expect(validateObject(defaulted(make))).toEqual([]);
  });

  it('accepts the richer shapes real manifests use', () => {
    const rich = (): Deployment__Output => {
      const o = deployment();
      o.metadata!.annotations = { 'deployment.kubernetes.io/revision': '3', 'Example.com/Owner': 'team a' };
      o.metadata!.generateName = 'web-';
      o.spec!.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] };
      o.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: { intVal: 1 }, maxUnavailable: { intVal: 0 } } };
      const spec = tmpl(o);
      spec.volumes = [{ name: 'conf', configMap: { name: 'settings', items: [{ key: 'a', path: 'conf/a.txt', mode: 0o600 }] } }];
      spec.initContainers = [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }];
      spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, { operator: 'Exists' }];
      spec.affinity = {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } },
          ],
        },
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
          },
        },
      };
      Object.assign(ctr(spec), {
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'MODE', value: 'prod' }],
        envFrom: [{ configMapRef: { name: 'settings' } }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '0.5', memory: '128Mi' } },
        volumeMounts: [{ name: 'conf', mountPath: '/etc/app', readOnly: true }],
        livenessProbe: { httpGet: { path: '/healthz', port: { strVal: 'http' } }, initialDelaySeconds: 3 },
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, successThreshold: 2 },
        lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
      });
      return o;
    };
    expect(validateObject(kube(rich()))).toEqual([]);
    expect(validateObject(kube(defaulted(rich)))).toEqual([]);
  });

  it('accepts headless, NodePort, multi-port and ExternalName services', () => {
    const variants: ((o: Service__Output) => void)[] = [
      (o) => {
        o.spec!.clusterIP = 'None';
        o.spec!.ports = [];
      },
      (o) => {
        o.spec!.type = 'NodePort';
        o.spec!.ports = [
          { name: 'http', port: 80, nodePort: 30080 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: { intVal: 5353 } },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ];
        o.spec!.externalTrafficPolicy = 'Local';
      },
      (o) => (o.spec = { type: 'ExternalName', externalName: 'db.example.com.' }),
    ];
    for (const change of variants) {
      expect(validateObject(edit(service, change))).toEqual([]);
      expect(validateObject(kube(defaulted(service, change)))).toEqual([]);
    }
  });
});

// ============================================================================================

interface Case {
  name: string;
  obj: KubeObject;
  /** Exactly these violations, in order: [field, message fragment]. */
  want: [string, string][];
}

const INVALID: Case[] = [
  // ---- metadata ----
  { name: 'missing name', obj: edit(pod, (o) => delete o.metadata!.name), want: [['metadata.name', 'Required value: name or generateName is required']] },
  {
    name: 'name not a subdomain',
    obj: edit(deployment, (o) => (o.metadata!.name = 'Foo_bar')),
    want: [
      [
        'metadata.name',
        `Invalid value: "Foo_bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      ],
    ],
  },
  { name: 'name too long', obj: edit(configMap, (o) => (o.metadata!.name = 'a'.repeat(254))), want: [['metadata.name', 'must be no more than 253 characters']] },
  { name: 'namespace name with dots', obj: edit(namespace, (o) => (o.metadata!.name = 'team.a')), want: [['metadata.name', 'Invalid value: "team.a": must not contain dots']] },
  { name: 'service name must start with a letter', obj: edit(service, (o) => (o.metadata!.name = '1web')), want: [['metadata.name', 'a DNS-1035 label must consist of']] },
  {
    name: 'bad generateName',
    obj: edit(pod, (o) => {
      delete o.metadata!.name;
      o.metadata!.generateName = 'Web-';
    }),
    want: [['metadata.generateName', 'Invalid value: "Web-"']],
  },
  { name: 'bad namespace', obj: edit(pod, (o) => (o.metadata!.namespace = 'My_NS')), want: [['metadata.namespace', 'Invalid value: "My_NS": a lowercase RFC 1123 label']] },
  { name: 'namespace on a cluster-scoped kind', obj: edit(node, (o) => (o.metadata!.namespace = 'default')), want: [['metadata.namespace', 'Forbidden: not allowed on this type']] },
  {
    name: 'label key and value',
    obj: edit(pod, (o) => (o.metadata!.labels = { 'bad key': 'ok', good: 'bad value!' })),
    want: [
      ['metadata.labels', 'Invalid value: "bad key": name part must consist of alphanumeric characters'],
      ['metadata.labels', 'Invalid value: "bad value!": a valid label must be an empty string or consist of'],
    ],
  },
  { name: 'label value too long', obj: edit(pod, (o) => (o.metadata!.labels = { a: 'x'.repeat(64) })), want: [['metadata.labels', 'must be no more than 63 characters']] },
  { name: 'annotation key', obj: edit(pod, (o) => (o.metadata!.annotations = { 'a/b/c': 'x' })), want: [['metadata.annotations', 'Invalid value: "a/b/c": a valid label key']] },
  {
    name: 'annotations too large',
    obj: edit(pod, (o) => (o.metadata!.annotations = { big: 'x'.repeat(256 * 1024) })),
    want: [['metadata.annotations', 'Too long: may not be more than 262144 bytes']],
  },
  {
    name: 'owner reference without uid',
    obj: edit(pod, (o) => (o.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f' }])),
    want: [['metadata.ownerReferences[0].uid', 'Invalid value: "": uid must not be empty']],
  },
  {
    name: 'wrong apiVersion',
    obj: edit(deployment, (o) => (o.apiVersion = 'extensions/v1beta1')),
    want: [['apiVersion', 'Unsupported value: "extensions/v1beta1": supported values: "apps/v1"']],
  },
  { name: 'unknown kind', obj: edit(pod, (o) => (o.kind = 'Widget')), want: [['kind', 'Unsupported value: "Widget"']] },

  // ---- containers ----
  {
    name: 'missing image in a template',
    obj: edit(deployment, (o) => delete ctr(tmpl(o)).image),
    want: [['spec.template.spec.containers[0].image', 'Required value']],
  },
  { name: 'no containers', obj: edit(pod, (o) => (o.spec!.containers = [])), want: [['spec.containers', 'Required value']] },
  { name: 'container name missing', obj: edit(pod, (o) => delete ctr(o.spec).name), want: [['spec.containers[0].name', 'Required value']] },
  {
    name: 'container name not a label',
    obj: edit(pod, (o) => (ctr(o.spec).name = 'Web_1')),
    want: [['spec.containers[0].name', 'Invalid value: "Web_1": a lowercase RFC 1123 label']],
  },
  {
    name: 'duplicate container names across init and app containers',
    obj: edit(pod, (o) => (o.spec!.initContainers = [{ name: 'web', image: 'busybox' }])),
    want: [['spec.containers[0].name', 'Duplicate value: "web"']],
  },
  {
    name: 'image with whitespace',
    obj: edit(pod, (o) => (ctr(o.spec).image = ' nginx')),
    want: [['spec.containers[0].image', 'must not have leading or trailing whitespace']],
  },
  {
    name: 'containerPort out of range',
    obj: edit(pod, (o) => (ctr(o.spec).ports![0]!.containerPort = 70000)),
    want: [['spec.containers[0].ports[0].containerPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive']],
  },
  {
    name: 'containerPort missing',
    obj: edit(pod, (o) => delete ctr(o.spec).ports![0]!.containerPort),
    want: [['spec.containers[0].ports[0].containerPort', 'Required value']],
  },
  {
    name: 'port name too long and with uppercase',
    obj: edit(pod, (o) => (ctr(o.spec).ports![0]!.name = 'Very-Long-Port-Name')),
    want: [
      ['spec.containers[0].ports[0].name', 'Invalid value: "Very-Long-Port-Name": must be no more than 15 characters'],
      ['spec.containers[0].ports[0].name', 'must contain only alpha-numeric characters'],
    ],
  },
  {
    name: 'duplicate port names in one container',
    obj: edit(pod, (o) => ctr(o.spec).ports!.push({ name: 'http', containerPort: 8080 })),
    want: [['spec.containers[0].ports[1].name', 'Duplicate value: "http"']],
  },
  {
    name: 'port protocol',
    obj: edit(pod, (o) => (ctr(o.spec).ports![0]!.protocol = 'HTTP')),
    want: [['spec.containers[0].ports[0].protocol', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
  },
  {
    name: 'hostNetwork needs hostPort == containerPort',
    obj: edit(pod, (o) => {
      o.spec!.hostNetwork = true;
      ctr(o.spec).ports![0]!.hostPort = 8080;
    }),
    want: [['spec.containers[0].ports[0].hostPort', 'must match `containerPort` when `hostNetwork` is true']],
  },
  {
    name: 'duplicate host ports',
    obj: edit(pod, (o) => {
      ctr(o.spec).ports![0]!.hostPort = 8080;
      o.spec!.containers!.push({ name: 'b', image: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] });
    }),
    want: [['spec.containers[1].ports[0].hostPort', 'Duplicate value: "/TCP/8080"']],
  },
  {
    name: 'pull policy',
    obj: edit(pod, (o) => (ctr(o.spec).imagePullPolicy = 'Sometimes')),
    want: [['spec.containers[0].imagePullPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
  },
  {
    name: 'unparseable quantity',
    obj: edit(pod, (o) => (ctr(o.spec).resources = { requests: { memory: '1 GB' } })),
    want: [['spec.containers[0].resources.requests[memory]', `Invalid value: "1 GB": quantities must match the regular expression`]],
  },
  {
    name: 'negative request',
    obj: edit(pod, (o) => (ctr(o.spec).resources = { requests: { cpu: '-1' } })),
    want: [['spec.containers[0].resources.requests[cpu]', 'Invalid value: "-1": must be greater than or equal to 0']],
  },
  {
    name: 'request above limit',
    obj: edit(pod, (o) => (ctr(o.spec).resources = { requests: { cpu: '2', memory: '64Mi' }, limits: { cpu: '1500m', memory: '0.0625Gi' } })),
    want: [['spec.containers[0].resources.requests', 'Invalid value: "2": must be less than or equal to cpu limit of 1500m']],
  },
  {
    name: 'non-standard resource name',
    obj: edit(deployment, (o) => (ctr(tmpl(o)).resources = { limits: { gpu: '1' } })),
    want: [['spec.template.spec.containers[0].resources.limits[gpu]', 'must be a standard resource for containers']],
  },
  {
    name: 'extended resources may not be overcommitted',
    obj: edit(pod, (o) => (ctr(o.spec).resources = { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } })),
    want: [['spec.containers[0].resources.requests', 'must be equal to example.com/gpu limit of 2']],
  },
  {
    name: 'env var without a name, and valueFrom with two sources',
    obj: edit(pod, (o) => {
      ctr(o.spec).env = [{ value: 'x' }, { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }];
    }),
    want: [
      ['spec.containers[0].env[0].name', 'Required value'],
      ['spec.containers[0].env[1].valueFrom', 'may not have more than one field specified at a time'],
    ],
  },
  {
    name: 'mount of an unknown volume',
    obj: edit(pod, (o) => (ctr(o.spec).volumeMounts = [{ name: 'data', mountPath: '/data' }])),
    want: [['spec.containers[0].volumeMounts[0].name', 'Not found: "data"']],
  },
  {
    name: 'volume with two sources, and a subPath escaping it',
    obj: edit(pod, (o) => {
      o.spec!.volumes = [{ name: 'data', emptyDir: {}, hostPath: { path: '/srv' } }];
      ctr(o.spec).volumeMounts = [{ name: 'data', mountPath: '/data', subPath: '../etc' }];
    }),
    want: [
      ['spec.volumes[0].hostPath', 'Forbidden: may not specify more than 1 volume type'],
      ['spec.containers[0].volumeMounts[0].subPath', `must not contain '..'`],
    ],
  },
  {
    name: 'duplicate volume names',
    obj: edit(pod, (o) => (o.spec!.volumes = [{ name: 'a', emptyDir: {} }, { name: 'a', secret: { secretName: 's' } }])),
    want: [['spec.volumes[1].name', 'Duplicate value: "a"']],
  },
  {
    name: 'volume file mode',
    obj: edit(pod, (o) => (o.spec!.volumes = [{ name: 'a', secret: { secretName: 's', defaultMode: 0o1777 } }])),
    want: [['spec.volumes[0].secret.defaultMode', 'must be a number between 0 and 0777 (octal), both inclusive']],
  },

  // ---- probes ----
  {
    name: 'probe with no handler',
    obj: edit(pod, (o) => (ctr(o.spec).livenessProbe = { periodSeconds: 5 })),
    want: [['spec.containers[0].livenessProbe', 'Required value: must specify a handler type']],
  },
  {
    name: 'probe with two handlers',
    obj: edit(pod, (o) => (ctr(o.spec).readinessProbe = { exec: { command: ['true'] }, tcpSocket: { port: { intVal: 80 } } })),
    want: [['spec.containers[0].readinessProbe.tcpSocket', 'Forbidden: may not specify more than 1 handler type']],
  },
  {
    name: 'probe port name invalid, negative timeout, liveness successThreshold',
    obj: edit(pod, (o) => {
      ctr(o.spec).livenessProbe = { httpGet: { port: { strVal: 'HTTP_PORT' } }, timeoutSeconds: -1, successThreshold: 2 };
    }),
    want: [
      ['spec.containers[0].livenessProbe.httpGet.port', 'Invalid value: "HTTP_PORT": must contain only alpha-numeric characters'],
      ['spec.containers[0].livenessProbe.httpGet.port', 'must contain at least one letter (a-z)'],
      ['spec.containers[0].livenessProbe.timeoutSeconds', 'Invalid value: -1: must be greater than or equal to 0'],
      ['spec.containers[0].livenessProbe.successThreshold', 'Invalid value: 2: must be 1'],
    ],
  },
  {
    name: 'probe on an init container',
    obj: edit(pod, (o) => (o.spec!.initContainers = [{ name: 'init', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } }])),
    want: [['spec.initContainers[0].readinessProbe', 'Forbidden: may not be set for init containers']],
  },

  // ---- pod spec ----
  {
    name: 'restartPolicy enum',
    obj: edit(pod, (o) => (o.spec!.restartPolicy = 'Sometimes')),
    want: [['spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
  },
  {
    name: 'deployment template must restart Always',
    obj: edit(deployment, (o) => (tmpl(o).restartPolicy = 'OnFailure')),
    want: [['spec.template.spec.restartPolicy', 'Unsupported value: "OnFailure": supported values: "Always"']],
  },
  { name: 'dnsPolicy enum', obj: edit(pod, (o) => (o.spec!.dnsPolicy = 'Google')), want: [['spec.dnsPolicy', 'Unsupported value: "Google"']] },
  {
    name: 'negative grace period',
    obj: edit(pod, (o) => (o.spec!.terminationGracePeriodSeconds = -5)),
    want: [['spec.terminationGracePeriodSeconds', 'Invalid value: -5: must be greater than or equal to 0']],
  },
  {
    name: 'activeDeadlineSeconds 0',
    obj: edit(pod, (o) => (o.spec!.activeDeadlineSeconds = 0)),
    want: [['spec.activeDeadlineSeconds', 'must be between 1 and 2147483647, inclusive']],
  },
  { name: 'nodeSelector label', obj: edit(pod, (o) => (o.spec!.nodeSelector = { disk: 'fast ssd' })), want: [['spec.nodeSelector', 'Invalid value: "fast ssd"']] },
  {
    name: 'toleration operator and effect enums',
    obj: edit(pod, (o) => (o.spec!.tolerations = [{ key: 'a', operator: 'Maybe' }, { key: 'b', effect: 'NoRun' }])),
    want: [
      ['spec.tolerations[0].operator', 'Unsupported value: "Maybe": supported values: "Equal", "Exists"'],
      ['spec.tolerations[1].effect', 'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
    ],
  },
  {
    name: 'toleration without key must use Exists; Exists takes no value; tolerationSeconds needs NoExecute',
    obj: edit(pod, (o) => {
      o.spec!.tolerations = [{ value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', tolerationSeconds: 30, effect: 'NoSchedule' }];
    }),
    want: [
      ['spec.tolerations[0].operator', 'operator must be Exists when `key` is empty'],
      ['spec.tolerations[1].operator', "value must be empty when `operator` is 'Exists'"],
      ['spec.tolerations[2].effect', "effect must be 'NoExecute' when `tolerationSeconds` is set"],
    ],
  },
  {
    name: 'node affinity requirement operator and values',
    obj: edit(pod, (o) => {
      o.spec!.affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In' }, { key: 'cpu', operator: 'Gt', values: ['1', '2'] }, { key: 'x', operator: 'Near' }] },
            ],
          },
        },
      };
    }),
    want: [
      [
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values',
        "must be specified when `operator` is 'In' or 'NotIn'",
      ],
      [
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values',
        "must be specified single value when `operator` is 'Lt' or 'Gt'",
      ],
      [
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].operator',
        'Invalid value: "Near": not a valid selector operator',
      ],
    ],
  },
  {
    name: 'pod anti-affinity weight and topologyKey',
    obj: edit(pod, (o) => {
      o.spec!.affinity = {
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } } } }] },
      };
    }),
    want: [
      ['spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight', 'Invalid value: 0: must be in the range 1-100'],
      ['spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey', 'Required value: can not be empty'],
    ],
  },

  // ---- Deployment and ReplicaSet ----
  { name: 'negative replicas', obj: edit(deployment, (o) => (o.spec!.replicas = -1)), want: [['spec.replicas', 'Invalid value: -1: must be greater than or equal to 0']] },
  { name: 'selector missing', obj: edit(deployment, (o) => delete o.spec!.selector), want: [['spec.selector', 'Required value']] },
  { name: 'selector empty', obj: edit(replicaSet, (o) => (o.spec!.selector = {})), want: [['spec.selector', 'Invalid value: {}: empty selector is invalid for deployment']] },
  {
    name: 'selector does not match template',
    obj: edit(deployment, (o) => (o.spec!.selector = { matchLabels: { app: 'api' } })),
    want: [['spec.template.metadata.labels', 'Invalid value: {"app":"web","tier":"frontend"}: `selector` does not match template `labels`']],
  },
  {
    name: 'selector expression does not match template',
    obj: edit(replicaSet, (o) => (o.spec!.selector = { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] })),
    want: [['spec.template.metadata.labels', '`selector` does not match template `labels`']],
  },
  {
    name: 'selector expression rules',
    obj: edit(deployment, (o) => {
      o.spec!.selector = {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In' },
          { key: 'tier', operator: 'Exists', values: ['x'] },
          { key: 'tier', operator: 'Like', values: ['x'] },
        ],
      };
    }),
    want: [
      ['spec.selector.matchExpressions[0].values', "Required value: must be specified when `operator` is 'In' or 'NotIn'"],
      ['spec.selector.matchExpressions[1].values', "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
      ['spec.selector.matchExpressions[2].operator', 'Invalid value: "Like": not a valid selector operator'],
    ],
  },
  {
    name: 'template labels invalid',
    obj: edit(deployment, (o) => (o.spec!.template!.metadata!.labels!['bad key'] = 'x')),
    want: [['spec.template.metadata.labels', 'Invalid value: "bad key"']],
  },
  {
    name: 'strategy type',
    obj: edit(deployment, (o) => (o.spec!.strategy = { type: 'BlueGreen' })),
    want: [['spec.strategy.type', 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"']],
  },
  {
    name: 'Recreate with rollingUpdate',
    obj: edit(deployment, (o) => (o.spec!.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: { intVal: 1 } } })),
    want: [['spec.strategy.rollingUpdate', "Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
  },
  {
    name: 'maxSurge and maxUnavailable both 0',
    obj: edit(deployment, (o) => (o.spec!.strategy = { rollingUpdate: { maxSurge: { strVal: '0%' }, maxUnavailable: { intVal: 0 } } })),
    want: [['spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: 0: may not be 0 when `maxSurge` is 0']],
  },
  {
    name: 'bad percentages',
    obj: edit(deployment, (o) => (o.spec!.strategy = { rollingUpdate: { maxSurge: { strVal: '25' }, maxUnavailable: { strVal: '150%' } } })),
    want: [
      ['spec.strategy.rollingUpdate.maxSurge', `Invalid value: "25": a valid percent string must be a numeric string followed by an ending '%'`],
      ['spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: "150%": must not be greater than 100%'],
    ],
  },
  {
    name: 'negative maxSurge',
    obj: edit(deployment, (o) => (o.spec!.strategy = { rollingUpdate: { maxSurge: { intVal: -1 } } })),
    want: [['spec.strategy.rollingUpdate.maxSurge', 'must be greater than or equal to 0']],
  },
  {
    name: 'progress deadline not above minReadySeconds',
    obj: edit(deployment, (o) => {
      o.spec!.minReadySeconds = 30;
      o.spec!.progressDeadlineSeconds = 30;
    }),
    want: [['spec.progressDeadlineSeconds', 'Invalid value: 30: must be greater than minReadySeconds']],
  },
  {
    name: 'activeDeadlineSeconds in a ReplicaSet template',
    obj: edit(replicaSet, (o) => (tmpl(o).activeDeadlineSeconds = 60)),
    want: [['spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported']],
  },

  // ---- Service ----
  { name: 'ports required', obj: edit(service, (o) => (o.spec!.ports = [])), want: [['spec.ports', 'Required value']] },
  {
    name: 'service port range',
    obj: edit(service, (o) => (o.spec!.ports![0]!.port = 70000)),
    want: [['spec.ports[0].port', 'Invalid value: 70000: must be between 1 and 65535, inclusive']],
  },
  {
    name: 'targetPort number and name',
    obj: edit(service, (o) => {
      o.spec!.ports = [
        { name: 'a', port: 80, targetPort: { intVal: 70000 } },
        { name: 'b', port: 81, targetPort: { strVal: 'no_such' } },
      ];
    }),
    want: [
      ['spec.ports[0].targetPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
      ['spec.ports[1].targetPort', 'Invalid value: "no_such": must contain only alpha-numeric characters'],
    ],
  },
  {
    name: 'port names required with several ports, and unique',
    obj: edit(service, (o) => (o.spec!.ports = [{ port: 80 }, { name: 'web', port: 81 }, { name: 'web', port: 82 }])),
    want: [
      ['spec.ports[0].name', 'Required value'],
      ['spec.ports[2].name', 'Duplicate value: "web"'],
    ],
  },
  {
    name: 'duplicate port and protocol',
    obj: edit(service, (o) => (o.spec!.ports = [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'TCP' }])),
    want: [['spec.ports[1]', 'Duplicate value: {"port":80,"protocol":"TCP"}']],
  },
  {
    name: 'nodePort with ClusterIP',
    obj: edit(service, (o) => (o.spec!.ports![0]!.nodePort = 30080)),
    want: [['spec.ports[0].nodePort', "Forbidden: may not be used when `type` is 'ClusterIP'"]],
  },
  {
    name: 'type and sessionAffinity enums',
    obj: edit(service, (o) => Object.assign(o.spec!, { type: 'Balanced', sessionAffinity: 'Sticky' })),
    want: [
      ['spec.type', 'Unsupported value: "Balanced": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
      ['spec.sessionAffinity', 'Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
    ],
  },
  {
    name: 'externalTrafficPolicy value',
    obj: edit(service, (o) => Object.assign(o.spec!, { type: 'NodePort', externalTrafficPolicy: 'Global' })),
    want: [['spec.externalTrafficPolicy', 'Unsupported value: "Global": supported values: "Cluster", "Local"']],
  },
  {
    name: 'externalTrafficPolicy on a ClusterIP service',
    obj: edit(service, (o) => (o.spec!.externalTrafficPolicy = 'Local')),
    want: [['spec.externalTrafficPolicy', 'may only be set for externally-accessible services']],
  },
  {
    name: 'clusterIP not an IP',
    obj: edit(service, (o) => (o.spec!.clusterIP = '10.0.0')),
    want: [['spec.clusterIP', 'Invalid value: "10.0.0": must be a valid IP address']],
  },
  {
    name: 'headless NodePort',
    obj: edit(service, (o) => Object.assign(o.spec!, { type: 'NodePort', clusterIP: 'None' })),
    want: [['spec.clusterIP', "may not be set to 'None' for NodePort services"]],
  },
  { name: 'ExternalName needs a name', obj: edit(service, (o) => (o.spec = { type: 'ExternalName' })), want: [['spec.externalName', 'Required value']] },

  // ---- Job and CronJob ----
  {
    name: 'job template restartPolicy Always',
    obj: edit(job, (o) => (tmpl(o).restartPolicy = 'Always')),
    want: [['spec.template.spec.restartPolicy', 'Unsupported value: "Always": supported values: "OnFailure", "Never"']],
  },
  {
    name: 'job template restartPolicy missing',
    obj: edit(job, (o) => delete tmpl(o).restartPolicy),
    want: [['spec.template.spec.restartPolicy', 'Unsupported value: "": supported values: "OnFailure", "Never"']],
  },
  {
    name: 'job counts',
    obj: edit(job, (o) => Object.assign(o.spec!, { parallelism: -1, completions: -2, backoffLimit: -3 })),
    want: [
      ['spec.parallelism', 'Invalid value: -1: must be greater than or equal to 0'],
      ['spec.completions', 'Invalid value: -2: must be greater than or equal to 0'],
      ['spec.backoffLimit', 'Invalid value: -3: must be greater than or equal to 0'],
    ],
  },
  {
    name: 'Indexed job needs completions',
    obj: edit(job, (o) => Object.assign(o.spec!, { completionMode: 'Indexed', parallelism: 2 })),
    want: [['spec.completions', 'Required value: when completion mode is Indexed']],
  },
  {
    name: 'job selector must match its template',
    obj: edit(job, (o) => {
      o.spec!.manualSelector = true;
      o.spec!.selector = { matchLabels: { job: 'pi' } };
    }),
    want: [['spec.template.metadata.labels', '`selector` does not match template `labels`']],
  },
  {
    name: 'job status: uncountedTerminatedPods lists each uid once; counters not negative',
    obj: edit(job, (o) => (o.status = { succeeded: -1, uncountedTerminatedPods: { succeeded: ['u1', 'u2', ''], failed: ['u3', 'u1'] } })),
    want: [
      ['status.succeeded', 'Invalid value: -1: must be greater than or equal to 0'],
      ['status.uncountedTerminatedPods.succeeded[2]', 'Required value'],
      ['status.uncountedTerminatedPods.failed[1]', 'Duplicate value: "u1"'],
    ],
  },
  { name: 'cronjob schedule required', obj: edit(cronJob, (o) => (o.spec!.schedule = '')), want: [['spec.schedule', 'Required value']] },
  {
    name: 'cronjob concurrencyPolicy',
    obj: edit(cronJob, (o) => (o.spec!.concurrencyPolicy = 'Sometimes')),
    want: [['spec.concurrencyPolicy', 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
  },
  {
    name: 'cronjob job template restart policy',
    obj: edit(cronJob, (o) => (tmpl(o.spec!.jobTemplate!).restartPolicy = 'Always')),
    want: [['spec.jobTemplate.spec.template.spec.restartPolicy', 'Unsupported value: "Always"']],
  },
  { name: 'cronjob name length', obj: edit(cronJob, (o) => (o.metadata!.name = 'a'.repeat(53))), want: [['metadata.name', 'must be no more than 52 characters']] },
  {
    name: 'cronjob time zone',
    obj: edit(cronJob, (o) => (o.spec!.timeZone = 'Mars/Olympus')),
    want: [['spec.timeZone', 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
  },
  {
    name: 'cronjob history limit',
    obj: edit(cronJob, (o) => (o.spec!.failedJobsHistoryLimit = -1)),
    want: [['spec.failedJobsHistoryLimit', 'must be greater than or equal to 0']],
  },

  // ---- the rest ----
  {
    name: 'configmap key',
    obj: edit(configMap, (o) => (o.data!['bad/key'] = 'x')),
    want: [['data[bad/key]', `Invalid value: "bad/key": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`]],
  },
  {
    name: 'configmap key in both data and binaryData',
    obj: edit(configMap, (o) => (o.binaryData = { LOG_LEVEL: 'AA==' })),
    want: [['binaryData[LOG_LEVEL]', 'duplicate of key present in data']],
  },
  { name: 'secret key', obj: edit(secret, (o) => (o.data!['..x'] = '')), want: [['data[..x]', "must not start with '..'"]] },
  {
    name: 'tls secret keys',
    obj: edit(secret, (o) => (o.type = 'kubernetes.io/tls')),
    want: [
      ['data[tls.crt]', 'Required value'],
      ['data[tls.key]', 'Required value'],
    ],
  },
  {
    name: 'pvc access modes and storage',
    obj: edit(pvc, (o) => (o.spec = { accessModes: ['ReadWriteSometimes'], resources: { requests: {} }, volumeMode: 'Raw' })),
    want: [
      ['spec.accessModes', 'Unsupported value: "ReadWriteSometimes"'],
      ['spec.resources[storage]', 'Required value'],
      ['spec.volumeMode', 'Unsupported value: "Raw": supported values: "Block", "Filesystem"'],
    ],
  },
  {
    name: 'pvc zero storage',
    obj: edit(pvc, (o) => (o.spec!.resources!.requests!.storage = '0')),
    want: [['spec.resources[storage]', 'Invalid value: "0": must be greater than zero']],
  },
  {
    name: 'pvc needs an access mode',
    obj: edit(pvc, (o) => (o.spec!.accessModes = [])),
    want: [['spec.accessModes', 'Required value: at least 1 access mode is required']],
  },
  {
    name: 'node taints',
    obj: edit(node, (o) => o.spec!.taints!.push({ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }, { key: 'x' })),
    want: [
      ['spec.taints[1]', 'taints must be unique by key and effect pair'],
      ['spec.taints[2].effect', 'Required value'],
    ],
  },
  {
    name: 'namespace finalizer',
    obj: edit(namespace, (o) => (o.spec = { finalizers: ['bad finalizer'] })),
    want: [['spec.finalizers', 'Invalid value: "bad finalizer"']],
  },
  {
    name: 'endpoint address',
    obj: edit(endpoints, (o) => (o.subsets![0]!.addresses![0]!.ip = 'not-an-ip')),
    want: [['subsets[0].addresses[0].ip', 'must be a valid IP address']],
  },
  {
    name: 'lease duration',
    obj: edit(lease, (o) => (o.spec!.leaseDurationSeconds = 0)),
    want: [['spec.leaseDurationSeconds', 'Invalid value: 0: must be greater than 0']],
  },
  {
    name: 'event namespace',
    obj: edit(event, (o) => (o.involvedObject!.namespace = 'other')),
    want: [['involvedObject.namespace', 'does not match event.namespace']],
  },
];

describe('validateObject: invalid objects', () => {
  it.each(INVALID)('$name', ({ obj, want }) => {
    const got = validateObject(obj);
    expect(fields(got)).toEqual(want.map(([field]) => field));
    got.forEach((violation, i) => expect(violation.message).toContain(want[i]![1]));
  });

  // (A bare pod's limits are copied to its requests, so the cases above put bad limits in
  // templates, where Kubernetes does not copy them.)
  it('reports the same violations after defaults (defaults never hide or add errors here)', () => {
    for (const { name, obj, want } of INVALID) {
      if (name === 'unknown kind') continue;
      const got = validateObject(defaulted(() => structuredClone(obj)));
      expect(fields(got), name).toEqual(want.map(([field]) => field));
    }
  });

  it('reports every violation at once', () => {
    const bad = edit(deployment, (o) => {
      o.metadata!.name = 'Bad_Name';
      o.spec!.replicas = -2;
      ctr(tmpl(o)).image = '';
      ctr(tmpl(o)).ports![0]!.containerPort = 0;
    });
    expect(fields(validateObject(bad))).toEqual([
      'metadata.name',
      'spec.replicas',
      'spec.template.spec.containers[0].image',
      'spec.template.spec.containers[0].ports[0].containerPort',
    ]);
  });

  it('the whole DNS-1123 subdomain message, as Kubernetes words it', () => {
    const [v] = validateObject(edit(pod, (o) => (o.metadata!.name = 'Foo_bar')));
    expect(v).toEqual({
      field: 'metadata.name',
      message:
        `Invalid value: "Foo_bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', ` +
        `and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is ` +
        `'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    });
  });


});

// ============================================================================================

describe('validateObject: updates', () => {
  /** Validates `change` applied to a defaulted, stored copy of the fixture. */
  function update<T>(make: () => T, change: (o: T) => void): FieldViolation[] {
    const old = defaulted(make);
    const next = structuredClone(old);
    change(next);
    return validateObject(kube(next), kube(old));
  }

  it('an unchanged object is a valid update for every kind', () => {
    for (const make of Object.values(FIXTURES)) {
      const old = defaulted(make);
      expect(validateObject(structuredClone(old), old)).toEqual([]);
    }
  });

  it('name and namespace are immutable', () => {
    expect(fields(update(pod, (o) => (o.metadata!.name = 'web-1')))).toEqual(['metadata.name']);
    expect(update(pod, (o) => (o.metadata!.namespace = 'other'))).toEqual([
      { field: 'metadata.namespace', message: 'Invalid value: "other": field is immutable' },
    ]);
  });

  it('Deployment and ReplicaSet selectors are immutable; scale and template changes are fine', () => {
    const widened = update(deployment, (o) => (o.spec!.selector = { matchLabels: { app: 'web', tier: 'frontend' } }));
    expect(widened).toEqual([
      { field: 'spec.selector', message: 'Invalid value: {"matchLabels":{"app":"web","tier":"frontend"}}: field is immutable' },
    ]);
    const rs = update(replicaSet, (o) => {
      o.spec!.selector = { matchLabels: { app: 'web', v: '2' } };
      o.spec!.template!.metadata!.labels!.v = '2';
    });
    expect(fields(rs)).toEqual(['spec.selector']);
    const scaled = update(deployment, (o) => {
      o.spec!.replicas = 10;
      ctr(tmpl(o)).image = 'nginx:1.26';
    });
    expect(scaled).toEqual([]);
  });

  it('Pod spec is immutable except images, activeDeadlineSeconds, added tolerations and binding', () => {
    expect(update(pod, (o) => (ctr(o.spec).image = 'nginx:1.26'))).toEqual([]);
    expect(update(pod, (o) => (o.spec!.activeDeadlineSeconds = 100))).toEqual([]);
    expect(update(pod, (o) => (o.spec!.nodeName = 'node-1'))).toEqual([]);
    // Added to those the pod has (the defaults give every pod two).
    expect(update(pod, (o) => (o.spec!.tolerations = [...(o.spec!.tolerations ?? []), { key: 'k', operator: 'Exists' }]))).toEqual([]);
    const changed = update(pod, (o) => (ctr(o.spec).ports![0]!.containerPort = 8080));
    expect(fields(changed)).toEqual(['spec']);
    expect(changed[0]!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\]\.image`/);
    expect(fields(update(pod, (o) => (o.spec!.restartPolicy = 'Never')))).toEqual(['spec']);
    expect(fields(update(pod, (o) => o.spec!.containers!.push({ name: 'b', image: 'b' })))).toContain('spec');
  });

  it('Pod: rebinding, removing tolerations and raising the deadline are refused', () => {
    const bound = (): Pod__Output => {
      const o = pod();
      o.spec!.nodeName = 'node-1';
      o.spec!.tolerations = [{ key: 'k', operator: 'Exists' }];
      o.spec!.activeDeadlineSeconds = 60;
      return o;
    };
    expect(fields(update(bound, (o) => (o.spec!.nodeName = 'node-2')))).toEqual(['spec']);
    expect(fields(update(bound, (o) => (o.spec!.tolerations = [])))).toEqual(['spec']);
    expect(update(bound, (o) => (o.spec!.activeDeadlineSeconds = 120))).toEqual([
      { field: 'spec.activeDeadlineSeconds', message: 'Invalid value: 120: must be less than or equal to previous value' },
    ]);
  });

  it('Job selector, template and completionMode are immutable; parallelism is not', () => {
    expect(fields(update(job, (o) => (ctr(tmpl(o)).image = 'perl:5.36')))).toEqual(['spec.template']);
    expect(fields(update(job, (o) => (o.spec!.completionMode = 'Indexed')))).toEqual(['spec.completionMode']);
    expect(update(job, (o) => (o.spec!.parallelism = 3))).toEqual([]);
    const selected = (): Job__Output => {
      const o = job();
      o.spec!.selector = { matchLabels: { job: 'pi' } };
      o.spec!.template!.metadata = { labels: { job: 'pi' } };
      return o;
    };
    expect(fields(update(selected, (o) => (o.spec!.selector!.matchLabels!.job = 'e')))).toEqual(['spec.template.metadata.labels', 'spec.selector']);
  });

  it('Service clusterIP may not change once set; leaving it out is not a change', () => {
    const allocated = (): Service__Output => {
      const o = service();
      o.spec!.clusterIP = '10.96.0.10';
      return o;
    };
    expect(update(allocated, (o) => (o.spec!.clusterIP = '10.96.0.11'))).toEqual([
      { field: 'spec.clusterIP', message: 'Invalid value: "10.96.0.11": field is immutable' },
    ]);
    expect(update(allocated, (o) => delete o.spec!.clusterIP)).toEqual([]);
    expect(update(service, (o) => (o.spec!.clusterIP = '10.96.0.12'))).toEqual([]);
    expect(update(allocated, (o) => (o.spec = { type: 'ExternalName', externalName: 'db.example.com' }))).toEqual([]);
  });

  it('immutable Secret and ConfigMap data may not change, nor become mutable', () => {
    const frozenSecret = (): Secret__Output => ({ ...secret(), immutable: true });
    expect(update(frozenSecret, (o) => (o.data!.user = 'cm9vdA=='))).toEqual([
      { field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' },
    ]);
    expect(fields(update(frozenSecret, (o) => (o.immutable = false)))).toEqual(['immutable']);
    expect(update(frozenSecret, (o) => (o.metadata!.labels = { a: 'b' }))).toEqual([]);
    expect(update(secret, (o) => (o.data!.user = 'cm9vdA=='))).toEqual([]);
    expect(fields(update(secret, (o) => (o.type = 'example.com/custom')))).toEqual(['type']);

    const frozenMap = (): ConfigMap__Output => ({ ...configMap(), immutable: true });
    expect(fields(update(frozenMap, (o) => (o.data!.LOG_LEVEL = 'debug')))).toEqual(['data']);
    expect(fields(update(frozenMap, (o) => (o.binaryData = { blob: 'AA==' })))).toEqual(['binaryData']);
    expect(update(configMap, (o) => (o.data!.LOG_LEVEL = 'debug'))).toEqual([]);
  });
});
