// Minimal valid objects of every kind, for tests that go through the whole API.
import type { KubeObject } from '../lib/kinds.js';

const podSpec = (image = 'busybox:1.36') => ({
  containers: [{ name: 'main', image, ports: [{ containerPort: 8080, name: 'http' }] }],
});

export function sampleObject(kind: string, name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  const metadata = { name, namespace, labels };
  const selector = { matchLabels: { app: name } };
  const template = { metadata: { labels: { app: name } }, spec: podSpec() };
  switch (kind) {
    case 'Namespace':
      return { apiVersion: 'v1', kind, metadata: { name, labels } };
    case 'Node':
      return { apiVersion: 'v1', kind, metadata: { name, labels }, spec: {} };
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata, spec: podSpec() };
    case 'ReplicaSet':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { replicas: 2, selector, template } };
    case 'Deployment':
      return { apiVersion: 'apps/v1', kind, metadata, spec: { replicas: 2, selector, template } };
    case 'Service':
      return { apiVersion: 'v1', kind, metadata, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: { intVal: 8080 } }] } };
    case 'Endpoints':
      return { apiVersion: 'v1', kind, metadata, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 8080 }] }] };
    case 'Job':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } },
      };
    case 'CronJob':
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata,
        spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'OnFailure' } } } } },
      };
    case 'Event':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        involvedObject: { kind: 'Pod', name: 'p', namespace },
        reason: 'Testing',
        message: 'a test event',
        type: 'Normal',
        count: 1,
      };
    case 'Lease':
      return { apiVersion: 'coordination.k8s.io/v1', kind, metadata, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } };
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata, data: { key: 'value' } };
    case 'Secret':
      return { apiVersion: 'v1', kind, metadata, data: { key: Buffer.from('secret').toString('base64') } };
    case 'PersistentVolumeClaim':
      return {
        apiVersion: 'v1',
        kind,
        metadata,
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      };
    default:
      throw new Error(`no sample for ${kind}`);
  }
}
