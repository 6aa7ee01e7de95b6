// Helpers shared by the ReplicaSet and Deployment controllers (Kubernetes'
// pkg/controller/controller_utils.go and pkg/controller/deployment/util): pod readiness and
// availability, the pod-template hash, revision and replicas annotations, IntOrString
// scaling and a best-effort event writer. (Conditions and times are in lib/conditions.ts,
// expectations in lib/expectations.ts.)
import { EventRecorder, type EventClient, type EventType } from '../../lib/event-recorder.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { Deployment__Output } from '../../lib/gen/shoal/v1/Deployment.js';
import type { IntOrString__Output } from '../../lib/gen/shoal/v1/IntOrString.js';
import type { OwnerReference__Output } from '../../lib/gen/shoal/v1/OwnerReference.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { PodTemplateSpec__Output } from '../../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { ReplicaSet__Output } from '../../lib/gen/shoal/v1/ReplicaSet.js';
import type { KubeObject } from '../../lib/kinds.js';
import { parseTime } from '../../lib/conditions.js';
import { templateWithoutHash } from '../../lib/pod-template.js';
import { deepEqual } from '../../lib/objects.js';

export type ReplicaSetObject = ReplicaSet__Output & KubeObject;
export type DeploymentObject = Deployment__Output & KubeObject;
export type PodObject = Pod__Output & KubeObject;

export { POD_TEMPLATE_HASH_LABEL, templateWithoutHash } from '../../lib/pod-template.js';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Deployment annotations that are not copied onto its ReplicaSets (and, on rollback, not
 * copied back from them). */
export const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

// ---- time ----

// (timestamp, parseTime and the condition helpers are in lib/conditions.ts.)

// ---- pods ----

export function isPodTerminal(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Kubernetes' FilterActivePods: not terminal and not being deleted. */
export function isPodActive(pod: PodObject): boolean {
  return !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: PodObject): Condition__Output | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (its Ready condition's lastTransitionTime). */
export function podReadySince(pod: PodObject): number | undefined {
  const c = readyCondition(pod);
  return c?.status === 'True' ? parseTime(c.lastTransitionTime) : undefined;
}

/**
 * Kubernetes' IsPodAvailable: Ready for at least minReadySeconds. Returns the time (ms) at
 * which a ready but not yet available pod becomes available, so callers can check again then.
 */
export function podAvailability(pod: PodObject, minReadySeconds: number, now: number): { available: boolean; availableAt?: number } {
  if (!isPodReady(pod)) return { available: false };
  if (minReadySeconds <= 0) return { available: true };
  const since = podReadySince(pod);
  // A Ready condition without a transition time counts as ready since forever.
  if (since === undefined) return { available: true };
  const at = since + minReadySeconds * 1000;
  return at <= now ? { available: true } : { available: false, availableAt: at };
}

function restarts(pod: PodObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function phaseRank(pod: PodObject): number {
  switch (pod.status?.phase) {
    case 'Pending':
      return 0;
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      return 0;
  }
}

/**
 * Kubernetes' ActivePods ordering: negative when `a` is less valuable than `b` (and should be
 * deleted first). Unscheduled before scheduled, Pending before Unknown before Running, not
 * ready before ready, ready for less time before longer, more restarts before fewer, newer
 * before older.
 */
export function comparePodsForDeletion(a: PodObject, b: PodObject): number {
  const aNode = a.spec?.nodeName ? 1 : 0;
  const bNode = b.spec?.nodeName ? 1 : 0;
  if (aNode !== bNode) return aNode - bNode;
  const aPhase = phaseRank(a);
  const bPhase = phaseRank(b);
  if (aPhase !== bPhase) return aPhase - bPhase;
  const aReady = isPodReady(a) ? 1 : 0;
  const bReady = isPodReady(b) ? 1 : 0;
  if (aReady !== bReady) return aReady - bReady;
  if (aReady && bReady) {
    const aSince = podReadySince(a) ?? 0;
    const bSince = podReadySince(b) ?? 0;
    // Ready more recently (a later transition) is less valuable.
    if (aSince !== bSince) return bSince - aSince;
  }
  const aRestarts = restarts(a);
  const bRestarts = restarts(b);
  if (aRestarts !== bRestarts) return bRestarts - aRestarts;
  const aCreated = parseTime(a.metadata?.creationTimestamp) ?? Infinity;
  const bCreated = parseTime(b.metadata?.creationTimestamp) ?? Infinity;
  if (aCreated !== bCreated) return bCreated - aCreated;
  return (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? '');
}

// ---- owner references ----

export function controllerRef(obj: KubeObject): OwnerReference__Output | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

export function newControllerRef(owner: KubeObject): OwnerReference__Output {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

// ---- the pod-template hash ----

/** JSON with object keys sorted and undefined dropped: equal objects give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec)
    .filter((k) => rec[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
}

function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: no vowels, no look-alikes.
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

/**
 * Kubernetes' controller.ComputeHash: FNV-32a of the template (here its canonical JSON),
 * then the collision count (little-endian uint32) when set, printed in decimal and encoded
 * with SafeEncodeString. Stable across processes and restarts.
 */
export function computeHash(template: PodTemplateSpec__Output | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncode(String(h));
}

/** Kubernetes' EqualIgnoreHash: the templates are equal but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec__Output | undefined, b: PodTemplateSpec__Output | undefined): boolean {
  return deepEqual(templateWithoutHash(a), templateWithoutHash(b));
}

// ---- revisions and replicas annotations ----

/** The deployment.kubernetes.io/revision of an object; 0 when absent or malformed. */
export function revisionOf(obj: KubeObject | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function intAnnotation(obj: KubeObject, key: string): number | undefined {
  const v = obj.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

// ---- IntOrString ----

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of `total` rounded up or down.
 * Throws on a malformed percentage (validation keeps those out).
 */
export function scaledValue(v: IntOrString__Output | undefined, total: number, roundUp: boolean): number {
  if (v?.intVal !== undefined) return v.intVal;
  if (v?.strVal !== undefined) {
    const m = /^(\d+)%$/.exec(v.strVal);
    if (!m) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v.strVal)}`);
    const scaled = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return 0;
}

/** Kubernetes' RoundToInt32 (math.Round: halves away from zero). */
export function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

// ---- events ----

/** Records an Event about an object, best effort and without waiting: an event that cannot be
 * written is not worth failing (or retrying) a reconcile for. */
export type EventSink = (obj: KubeObject, type: EventType, reason: string, message: string) => void;

/** An EventSink over the shared recorder (aggregates repeats into one Event with a count). */
export function eventSink(client: EventClient, component: string, now: () => number): EventSink {
  const recorder = new EventRecorder(client, { component, now });
  return (obj, type, reason, message) => void recorder.record(obj, type, reason, message);
}
