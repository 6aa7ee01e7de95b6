// The table of kinds Shoal serves: names, scope, and where each lives in the proto.
import type { Object as ObjectEnvelope, Object__Output as ObjectEnvelopeOutput } from './gen/shoal/v1/Object.js';
import type { ObjectMeta__Output } from './gen/shoal/v1/ObjectMeta.js';

export interface KindInfo {
  kind: string;
  apiVersion: string;
  /** Lower-case plural, as in REST paths and `kubectl get pods`. */
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  /** The proto message, such as "shoal.v1.Pod". */
  message: string;
  /** The field of the `Object` envelope's oneof that carries this kind. */
  envelopeField: keyof ObjectEnvelope;
  /** The API group as kubectl prints it in "deployment.apps/x created" (empty for core). */
  group: string;
  /** Kinds with a status subresource: spec writes never touch it. */
  hasStatus: boolean;
}

function kind(
  k: string,
  apiVersion: string,
  plural: string,
  shortNames: string[],
  namespaced: boolean,
  envelopeField: keyof ObjectEnvelope,
  hasStatus = true,
): KindInfo {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  return {
    kind: k,
    apiVersion,
    plural,
    singular: k.toLowerCase(),
    shortNames,
    namespaced,
    message: `shoal.v1.${k}`,
    envelopeField,
    group,
    hasStatus,
  };
}

export const KINDS: readonly KindInfo[] = [
  kind('Namespace', 'v1', 'namespaces', ['ns'], false, 'namespace'),
  kind('Node', 'v1', 'nodes', ['no'], false, 'node'),
  kind('Pod', 'v1', 'pods', ['po'], true, 'pod'),
  kind('ReplicaSet', 'apps/v1', 'replicasets', ['rs'], true, 'replica_set'),
  kind('Deployment', 'apps/v1', 'deployments', ['deploy'], true, 'deployment'),
  kind('Service', 'v1', 'services', ['svc'], true, 'service'),
  kind('Endpoints', 'v1', 'endpoints', ['ep'], true, 'endpoints', false),
  kind('Job', 'batch/v1', 'jobs', [], true, 'job'),
  kind('CronJob', 'batch/v1', 'cronjobs', ['cj'], true, 'cron_job'),
  kind('Event', 'v1', 'events', ['ev'], true, 'event', false),
  kind('Lease', 'coordination.k8s.io/v1', 'leases', [], true, 'lease', false),
  kind('ConfigMap', 'v1', 'configmaps', ['cm'], true, 'config_map', false),
  kind('Secret', 'v1', 'secrets', [], true, 'secret', false),
  kind('PersistentVolumeClaim', 'v1', 'persistentvolumeclaims', ['pvc'], true, 'persistent_volume_claim'),
];

const byAlias = new Map<string, KindInfo>();
for (const k of KINDS) {
  for (const alias of [k.kind, k.plural, k.singular, ...k.shortNames]) byAlias.set(alias.toLowerCase(), k);
  if (k.group) byAlias.set(`${k.plural}.${k.group}`, k);
}
const byEnvelopeField = new Map<string, KindInfo>(KINDS.map((k) => [k.envelopeField, k]));

/** Resolves "Deployment", "deployments", "deploy" or "deployments.apps"; undefined if unknown. */
export function findKind(alias: string): KindInfo | undefined {
  return byAlias.get(alias.toLowerCase());
}

/** Every object, whatever its kind, has this shape; the per-kind proto types refine it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta__Output;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/** Wraps an object into the `Object` envelope for the wire. */
export function toEnvelope(obj: KubeObject): ObjectEnvelope {
  const info = obj.kind ? findKind(obj.kind) : undefined;
  if (!info) throw new Error(`unknown kind ${String(obj.kind)}`);
  return { [info.envelopeField]: obj };
}

/** Unwraps the `Object` envelope; undefined if it carries no object. */
export function fromEnvelope(envelope: ObjectEnvelopeOutput | null | undefined): KubeObject | undefined {
  if (!envelope) return undefined;
  for (const [field, value] of Object.entries(envelope)) {
    const info = byEnvelopeField.get(field);
    if (info && value) {
      // apiVersion and kind travel in the envelope's choice; always fill them in, first.
      const { apiVersion: _apiVersion, kind: _kind, ...rest } = value as KubeObject;
      return { apiVersion: info.apiVersion, kind: info.kind, ...rest };
    }
  }
  return undefined;
}

/** "deployment.apps" or "pod", as kubectl names a kind in its messages. */
export function qualifiedName(info: KindInfo): string {
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}
