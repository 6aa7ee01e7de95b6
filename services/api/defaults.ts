// Server-side defaulting, after Kubernetes' SetDefaults_* functions (pkg/apis/core/v1,
// apps/v1 and batch/v1 defaults.go): fills in what a user may leave out so that stored
// objects, controllers and validation all see one explicit form.
//
// Defaulting only ever fills unset fields; it never overwrites a value the user gave, so
// applying it twice changes nothing. Call applyDefaults before validateObject. As in
// Kubernetes, an empty string counts as unset (`||=`), and so does 0 where Kubernetes uses a
// plain int (probe timings); where it uses a pointer (replicas, backoffLimit) 0 is a value
// and only an absent field is defaulted (`??=`).
import type { KubeObject } from '../../lib/kinds.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { CronJobSpec__Output } from '../../lib/gen/shoal/v1/CronJobSpec.js';
import type { DeploymentSpec__Output } from '../../lib/gen/shoal/v1/DeploymentSpec.js';
import type { Endpoints__Output } from '../../lib/gen/shoal/v1/Endpoints.js';
import type { HTTPGetAction__Output } from '../../lib/gen/shoal/v1/HTTPGetAction.js';
import type { IntOrString__Output } from '../../lib/gen/shoal/v1/IntOrString.js';
import type { JobSpec__Output } from '../../lib/gen/shoal/v1/JobSpec.js';
import type { LifecycleHandler__Output } from '../../lib/gen/shoal/v1/LifecycleHandler.js';
import type { NamespaceStatus__Output } from '../../lib/gen/shoal/v1/NamespaceStatus.js';
import type { NodeStatus__Output } from '../../lib/gen/shoal/v1/NodeStatus.js';
import type { PersistentVolumeClaimSpec__Output } from '../../lib/gen/shoal/v1/PersistentVolumeClaimSpec.js';
import type { PersistentVolumeClaimStatus__Output } from '../../lib/gen/shoal/v1/PersistentVolumeClaimStatus.js';
import type { PodSpec__Output } from '../../lib/gen/shoal/v1/PodSpec.js';
import type { PodTemplateSpec__Output } from '../../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { Probe__Output } from '../../lib/gen/shoal/v1/Probe.js';
import type { ReplicaSetSpec__Output } from '../../lib/gen/shoal/v1/ReplicaSetSpec.js';
import type { Secret__Output } from '../../lib/gen/shoal/v1/Secret.js';
import type { ServiceSpec__Output } from '../../lib/gen/shoal/v1/ServiceSpec.js';
import type { Volume__Output } from '../../lib/gen/shoal/v1/Volume.js';

type Defaulter = (obj: KubeObject) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  Namespace: defaultNamespace,
  Node: defaultNode,
  Pod: defaultPod,
  ReplicaSet: defaultReplicaSet,
  Deployment: defaultDeployment,
  Service: defaultService,
  Endpoints: defaultEndpoints,
  Job: defaultJob,
  CronJob: defaultCronJob,
  Secret: defaultSecret,
  PersistentVolumeClaim: defaultPersistentVolumeClaim,
};

/**
 * Fills in Kubernetes' defaults for the object's kind, in place. Kinds without defaults
 * (ConfigMap, Event, Lease) and unknown kinds are left alone. Never throws: a malformed
 * object is left for validation to report.
 */
export function applyDefaults(obj: KubeObject): void {
  const defaulter = obj.kind ? DEFAULTERS[obj.kind] : undefined;
  defaulter?.(obj);
}

// ---- shared helpers ----

/** The object's spec, created if absent, so defaults have somewhere to go. */
function specOf<T extends object>(obj: KubeObject): T {
  if (!isObject(obj.spec)) obj.spec = {};
  return obj.spec as T;
}

function statusOf<T extends object>(obj: KubeObject): T {
  if (!isObject(obj.status)) obj.status = {};
  return obj.status as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasIntOrString(v: IntOrString__Output | undefined): boolean {
  return v?.intVal !== undefined || v?.strVal !== undefined;
}

/** As Kubernetes reads a service's targetPort: 0 and "" count as unset. */
function isZeroIntOrString(v: IntOrString__Output | undefined): boolean {
  return !v?.intVal && !v?.strVal;
}

// ---- pods and pod templates ----

interface PodSpecOptions {
  /** Job templates have no restartPolicy default: it must be chosen (OnFailure or Never). */
  restartPolicy: boolean;
}

function defaultPodSpec(spec: PodSpec__Output, opts: PodSpecOptions): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  if (opts.restartPolicy) spec.restartPolicy ||= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
}

function defaultPodTemplate(template: PodTemplateSpec__Output | undefined, opts: PodSpecOptions): void {
  if (template?.spec) defaultPodSpec(template.spec, opts);
}

function defaultVolume(v: Volume__Output): void {
  // A volume with no source is an emptyDir.
  if (!v.emptyDir && !v.hostPath && !v.configMap && !v.secret && !v.persistentVolumeClaim) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= 0o644;
  if (v.configMap) v.configMap.defaultMode ??= 0o644;
}

function defaultContainer(c: Container__Output): void {
  c.imagePullPolicy ||= imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) p.protocol ||= 'TCP';
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (probe) defaultProbe(probe);
  }
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

function defaultProbe(p: Probe__Output): void {
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
}

function defaultHandler(h: LifecycleHandler__Output | undefined): void {
  if (h?.httpGet) defaultHTTPGet(h.httpGet);
}

function defaultHTTPGet(a: HTTPGetAction__Output): void {
  if (!a.path) a.path = '/';
  a.scheme ||= 'HTTP';
}

/**
 * The tag of an image reference, as the pull-policy default reads it: "latest" when neither
 * a tag nor a digest is given, "" for a digest-only reference. A registry port
 * ("localhost:5000/app") is not a tag.
 */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** How long a pod stays on a node that is not ready or unreachable unless it says otherwise
 * (kube-apiserver's --default-not-ready-toleration-seconds and
 * --default-unreachable-toleration-seconds). */
export const DEFAULT_TOLERATION_SECONDS = 300;

/**
 * Kubernetes' DefaultTolerationSeconds admission: a pod that does not already tolerate
 * node.kubernetes.io/not-ready:NoExecute (resp. unreachable) gets a toleration of it for
 * DEFAULT_TOLERATION_SECONDS, which is what the node lifecycle controller's eviction timer
 * reads. A toleration counts if its key is that key or empty and its effect NoExecute or
 * empty, whatever its operator and seconds. Pods only, not templates, as in Kubernetes; on
 * update too, which validation allows since tolerations may be added to a pod.
 */
function defaultTolerations(spec: PodSpec__Output): void {
  const tolerations = spec.tolerations ?? [];
  const covered = (key: string): boolean => tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
  const added = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
    .filter((key) => !covered(key))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS }));
  if (added.length) spec.tolerations = [...tolerations, ...added];
}

function defaultPod(obj: KubeObject): void {
  const spec = specOf<PodSpec__Output>(obj);
  defaultPodSpec(spec, { restartPolicy: true });
  defaultTolerations(spec);
  // Only bare pods (not templates): requests default to limits, and with hostNetwork a
  // container port is also the host port.
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const limits = c.resources?.limits;
    if (c.resources && limits && Object.keys(limits).length > 0) {
      c.resources.requests = { ...limits, ...c.resources.requests };
    }
    if (spec.hostNetwork) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) p.hostPort = p.containerPort;
      }
    }
  }
}

// ---- workloads ----

function defaultReplicaSet(obj: KubeObject): void {
  const spec = specOf<ReplicaSetSpec__Output>(obj);
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template, { restartPolicy: true });
}

function defaultDeployment(obj: KubeObject): void {
  // apps/v1 does not default the selector (nor labels) from the template.
  const spec = specOf<DeploymentSpec__Output>(obj);
  spec.replicas ??= 1;
  spec.strategy ??= {};
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    const ru = (spec.strategy.rollingUpdate ??= {});
    // An explicit 0 is a real value here (maxUnavailable: 0 is a common choice).
    if (!hasIntOrString(ru.maxUnavailable)) ru.maxUnavailable = { strVal: '25%' };
    if (!hasIntOrString(ru.maxSurge)) ru.maxSurge = { strVal: '25%' };
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template, { restartPolicy: true });
}

function defaultJobSpec(spec: JobSpec__Output): void {
  // Neither set: a non-parallel job, one pod to one completion. Completions stays unset
  // when only parallelism is given (a work-queue job).
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ||= 'NonIndexed';
  spec.suspend ??= false;
}

function defaultJob(obj: KubeObject): void {
  const spec = specOf<JobSpec__Output>(obj);
  defaultJobSpec(spec);
  // batch/v1 copies the template's labels onto a Job that has none.
  const templateLabels = spec.template?.metadata?.labels;
  const meta = (obj.metadata ??= {});
  if (templateLabels && Object.keys(templateLabels).length > 0 && Object.keys(meta.labels ?? {}).length === 0) {
    meta.labels = { ...templateLabels };
  }
  defaultPodTemplate(spec.template, { restartPolicy: false });
}

function defaultCronJob(obj: KubeObject): void {
  const spec = specOf<CronJobSpec__Output>(obj);
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // As in Kubernetes, the job template's JobSpec is defaulted when a Job is made from it;
  // only its pod template is defaulted here.
  defaultPodTemplate(spec.jobTemplate?.spec?.template, { restartPolicy: false });
}

// ---- services and endpoints ----

function defaultService(obj: KubeObject): void {
  const spec = specOf<ServiceSpec__Output>(obj);
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ((spec.sessionAffinityConfig ??= {}).clientIP ??= {});
    clientIP.timeoutSeconds ??= 10800;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (isZeroIntOrString(p.targetPort) && p.port !== undefined) p.targetPort = { intVal: p.port };
  }
  const externallyAccessible =
    spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  if (externallyAccessible) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

function defaultEndpoints(obj: KubeObject): void {
  const ep = obj as Endpoints__Output;
  for (const subset of ep.subsets ?? []) {
    for (const p of subset.ports ?? []) p.protocol ||= 'TCP';
  }
}

// ---- cluster objects, config and storage ----

function defaultNamespace(obj: KubeObject): void {
  const name = obj.metadata?.name;
  if (name) {
    const meta = obj.metadata!;
    meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': name };
  }
  statusOf<NamespaceStatus__Output>(obj).phase ||= 'Active';
}

function defaultNode(obj: KubeObject): void {
  if (!isObject(obj.status)) return;
  const status = obj.status as NodeStatus__Output;
  if (status.allocatable === undefined && status.capacity !== undefined) status.allocatable = { ...status.capacity };
}

function defaultSecret(obj: KubeObject): void {
  const secret = obj as Secret__Output;
  secret.type ||= 'Opaque';
  // stringData is write-only: merged into data (stringData wins) and never stored.
  if (secret.stringData !== undefined) {
    const data = { ...secret.data };
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    if (Object.keys(data).length > 0) secret.data = data;
    delete secret.stringData;
  }
}

function defaultPersistentVolumeClaim(obj: KubeObject): void {
  specOf<PersistentVolumeClaimSpec__Output>(obj).volumeMode ||= 'Filesystem';
  statusOf<PersistentVolumeClaimStatus__Output>(obj).phase ||= 'Pending';
}
