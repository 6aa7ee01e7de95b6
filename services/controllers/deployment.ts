// The Deployment controller (Kubernetes' pkg/controller/deployment): one ReplicaSet per pod
// template, named by the template's hash; RollingUpdate (maxSurge / maxUnavailable) and
// Recreate rollouts; revisions and their history; paused rollouts; proportional scaling of
// the ReplicaSets of a rollout in progress; progress deadlines and the Progressing and
// Available conditions. Rollback is done client-side (`shoal rollout undo` copies an old
// ReplicaSet's template back into the Deployment), as kubectl does today.
import type { ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Condition__Output } from '../../lib/gen/shoal/v1/Condition.js';
import type { DeploymentStatus__Output } from '../../lib/gen/shoal/v1/DeploymentStatus.js';
import type { Informer } from '../../lib/informer.js';
import type { KubeObject } from '../../lib/kinds.js';
import { getCondition, newCondition, removeCondition, setCondition } from '../../lib/conditions.js';
import { deepEqual } from '../../lib/objects.js';
import { labelSelectorRequirements, matchesLabels } from '../../lib/selectors.js';
import type { ReconcileResult, WorkQueue } from '../../lib/workqueue.js';
import { keyOf, splitKey, type Controller, type ControllerContext } from './framework.js';
import {
  ANNOTATIONS_TO_SKIP,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  computeHash,
  controllerRef,
  equalIgnoreHash,
  intAnnotation,
  newControllerRef,
  eventSink,
  type EventSink,
  revisionOf,
  roundHalfAwayFromZero,
  scaledValue,
  type DeploymentObject,
  type PodObject,
  type ReplicaSetObject,
} from './rollout.js';

/** Kubernetes' SetDeploymentCondition: the same status and reason is no change. */
function setDeploymentCondition(conditions: Condition__Output[], cond: Condition__Output): Condition__Output[] {
  return setCondition(conditions, cond, { ignoreMessage: true });
}

const COMPONENT = 'deployment-controller';

// Condition types and reasons, as in Kubernetes' deployment util.
export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';
export const REPLICA_FAILURE = 'ReplicaFailure';
export const REASONS = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** The part of ShoalClient the controller writes with; unit tests pass a recording fake. */
export type DeploymentClient = Pick<ShoalClient, 'get' | 'create' | 'update' | 'updateStatus' | 'delete'>;

type Cache = Pick<Informer, 'get' | 'list' | 'addEventHandler'>;

// ---- pure helpers (deployment util) ----

function replicasOf(d: DeploymentObject): number {
  return d.spec?.replicas ?? 1;
}

function rsReplicas(rs: ReplicaSetObject | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

function isRollingUpdate(d: DeploymentObject): boolean {
  return (d.spec?.strategy?.type || 'RollingUpdate') === 'RollingUpdate';
}

/** Kubernetes' ResolveFenceposts: surge rounds up, unavailable down; never both 0. */
export function resolveFenceposts(d: DeploymentObject): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge ?? { intVal: 0 }, desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable ?? { intVal: 0 }, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: DeploymentObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: DeploymentObject): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

function hasProgressDeadline(d: DeploymentObject): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

function creationTime(obj: KubeObject): number {
  const t = Date.parse(obj.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function byCreation(a: KubeObject, b: KubeObject): number {
  return creationTime(a) - creationTime(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** Kubernetes' FindNewReplicaSet: the oldest ReplicaSet whose template is the Deployment's. */
export function findNewReplicaSet(d: DeploymentObject, rsList: ReplicaSetObject[]): ReplicaSetObject | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

function sum(list: ReplicaSetObject[], f: (rs: ReplicaSetObject) => number): number {
  return list.reduce((n, rs) => n + f(rs), 0);
}

/**
 * Kubernetes' NewRSNewReplicas: how big the new ReplicaSet may be now. The current size of
 * each ReplicaSet counts the larger of its spec and its observed replicas, so pods that an
 * old ReplicaSet has been told to remove but still runs count against maxSurge (Kubernetes
 * counts spec only, and may briefly run more pods than replicas + maxSurge).
 */
export function newRSNewReplicas(d: DeploymentObject, allRSs: ReplicaSetObject[], newRS: ReplicaSetObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = sum(allRSs, (rs) => Math.max(rsReplicas(rs), rs.status?.replicas ?? 0));
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - rsReplicas(newRS));
  return rsReplicas(newRS) + Math.max(0, scaleUp);
}

/** Kubernetes' getReplicaSetFraction: this ReplicaSet's share of a change of size. */
function replicaSetFraction(rs: ReplicaSetObject, d: DeploymentObject): number {
  if (replicasOf(d) === 0) return -rsReplicas(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  let before = intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
  if (!before) {
    before = d.status?.replicas ?? 0;
    if (!before) return 0;
  }
  return roundHalfAwayFromZero((rsReplicas(rs) * deploymentMax) / before) - rsReplicas(rs);
}

/** Kubernetes' GetProportion. */
export function getProportion(rs: ReplicaSetObject, d: DeploymentObject, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** Kubernetes' DeploymentComplete. */
function deploymentComplete(d: DeploymentObject, s: DeploymentStatus__Output): boolean {
  const want = replicasOf(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Kubernetes' DeploymentProgressing: something moved since the stored status. */
function deploymentProgressing(d: DeploymentObject, s: DeploymentStatus__Output): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function progressingSince(cond: Condition__Output): number {
  const t = Date.parse(cond.lastUpdateTime ?? cond.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Kubernetes' DeploymentTimedOut. */
function deploymentTimedOut(d: DeploymentObject, s: DeploymentStatus__Output, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(s.conditions, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === REASONS.newRSAvailable) return false;
  if (cond.reason === REASONS.timedOut) return true;
  return progressingSince(cond) + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/** Kubernetes' calculateStatus. */
export function calculateDeploymentStatus(d: DeploymentObject, allRSs: ReplicaSetObject[], newRS: ReplicaSetObject | undefined, now: number): DeploymentStatus__Output {
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0);
  const total = sum(allRSs, rsReplicas);
  const status: DeploymentStatus__Output = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sum(allRSs, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  let conditions = [...(d.status?.conditions ?? [])];
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    conditions = setDeploymentCondition(conditions, newCondition(AVAILABLE, 'True', REASONS.minAvailable, 'Deployment has minimum availability.', now));
  } else {
    conditions = setDeploymentCondition(conditions, newCondition(AVAILABLE, 'False', REASONS.minUnavailable, 'Deployment does not have minimum availability.', now));
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

function withConditions(status: DeploymentStatus__Output, conditions: Condition__Output[]): DeploymentStatus__Output {
  const next = { ...status };
  if (conditions.length) next.conditions = conditions;
  else delete next.conditions;
  return next;
}

// ---- one pass over one Deployment ----

/**
 * The working state of one reconcile: clones of the Deployment and its ReplicaSets, replaced
 * by what the server returns after each write, so later steps of the same pass see them.
 */
class Pass {
  rsList: ReplicaSetObject[];
  newUid: string | undefined;

  constructor(
    private readonly ctl: DeploymentSync,
    public d: DeploymentObject,
    rsList: ReplicaSetObject[],
  ) {
    this.rsList = rsList;
    this.newUid = findNewReplicaSet(d, rsList)?.metadata?.uid;
  }

  private get client(): DeploymentClient {
    return this.ctl.client;
  }

  private now(): number {
    return this.ctl.now();
  }

  newRS(): ReplicaSetObject | undefined {
    return this.newUid === undefined ? undefined : this.rsList.find((rs) => rs.metadata?.uid === this.newUid);
  }

  oldRSs(): ReplicaSetObject[] {
    return this.rsList.filter((rs) => rs.metadata?.uid !== this.newUid);
  }

  private replace(rs: ReplicaSetObject): void {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctl.events(this.d, type, reason, message);
  }

  private async writeStatus(status: DeploymentStatus__Output): Promise<void> {
    if (deepEqual(status, this.d.status ?? {})) return;
    this.d = (await this.client.updateStatus({ ...this.d, status })) as DeploymentObject;
  }

  private async setDeploymentRevision(revision: number): Promise<void> {
    const current = this.d.metadata?.annotations?.[REVISION_ANNOTATION];
    if (current === String(revision)) return;
    const next = structuredClone(this.d);
    const m = (next.metadata ??= {});
    m.annotations = { ...m.annotations, [REVISION_ANNOTATION]: String(revision) };
    this.d = (await this.client.update(next)) as DeploymentObject;
  }

  /** Kubernetes' SetNewReplicaSetAnnotations (copies the Deployment's annotations, bumps
   * the revision, keeps the old one in the revision history). Mutates `rs`. */
  private setNewRSAnnotations(rs: ReplicaSetObject, newRevision: number, exists: boolean): boolean {
    const m = (rs.metadata ??= {});
    const annotations = { ...m.annotations };
    let changed = false;
    for (const [k, v] of Object.entries(this.d.metadata?.annotations ?? {})) {
      if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
      annotations[k] = v;
      changed = true;
    }
    const oldText = annotations[REVISION_ANNOTATION];
    const old = oldText === undefined ? 0 : Number(oldText);
    if (Number.isNaN(old)) return changed;
    if (old < newRevision) {
      annotations[REVISION_ANNOTATION] = String(newRevision);
      changed = true;
      if (oldText !== undefined) {
        const history = annotations[REVISION_HISTORY_ANNOTATION];
        annotations[REVISION_HISTORY_ANNOTATION] = history ? `${history},${oldText}` : oldText;
      }
    }
    if (!exists) {
      annotations[DESIRED_REPLICAS_ANNOTATION] = String(replicasOf(this.d));
      annotations[MAX_REPLICAS_ANNOTATION] = String(replicasOf(this.d) + maxSurge(this.d));
      changed = true;
    }
    m.annotations = annotations;
    return changed;
  }

  /**
   * Kubernetes' getAllReplicaSetsAndSyncRevision: finds (or, with `create`, creates) the new
   * ReplicaSet, brings its revision and annotations up to date and the Deployment's revision
   * annotation with it.
   */
  async syncRevision(create: boolean): Promise<void> {
    const maxOld = Math.max(0, ...this.oldRSs().map(revisionOf));
    const newRevision = maxOld + 1;
    const existing = this.newRS();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = this.setNewRSAnnotations(copy, newRevision, true);
      const minReady = this.d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
        copy.spec = { ...copy.spec, minReadySeconds: minReady };
        this.replace((await this.client.update(copy)) as ReplicaSetObject);
      }
      await this.setDeploymentRevision(revisionOf(this.newRS()));
      if (hasProgressDeadline(this.d) && !getCondition(this.d.status?.conditions, PROGRESSING)) {
        const cond = newCondition(PROGRESSING, 'True', REASONS.foundNewRS, `Found new replica set "${existing.metadata?.name ?? ''}"`, this.now());
        await this.writeStatus(withConditions(this.d.status ?? {}, setDeploymentCondition(this.d.status?.conditions ?? [], cond)));
      }
      return;
    }
    if (!create) return;
    await this.createNewRS(newRevision);
  }

  private async createNewRS(newRevision: number): Promise<void> {
    const d = this.d;
    const dm = d.metadata ?? {};
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(d.spec?.template, d.status?.collisionCount);
    const tm = (template.metadata ??= {});
    tm.labels = { ...tm.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSetObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${dm.name ?? ''}-${hash}`,
        namespace: dm.namespace ?? '',
        ownerReferences: [newControllerRef(d)],
        labels: { ...tm.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    rs.spec!.replicas = newRSNewReplicas(d, [...this.rsList, rs], rs);
    this.setNewRSAnnotations(rs, newRevision, false);
    let created: ReplicaSetObject;
    let alreadyExisted = false;
    try {
      created = (await this.client.create(rs)) as ReplicaSetObject;
    } catch (err) {
      if (err instanceof AlreadyExistsError) {
        // A slow cache (we made it on an earlier pass), or a hash collision.
        const found = (await this.client.get('ReplicaSet', dm.namespace ?? '', rs.metadata!.name!)) as ReplicaSetObject;
        if (controllerRef(found)?.uid === dm.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
          created = found;
          alreadyExisted = true;
        } else {
          await this.writeStatus({ ...this.d.status, collisionCount: (this.d.status?.collisionCount ?? 0) + 1 });
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${rs.metadata!.name!}": ${err instanceof Error ? err.message : String(err)}`;
        if (hasProgressDeadline(d)) {
          const cond = newCondition(PROGRESSING, 'False', REASONS.failedRSCreate, msg, this.now());
          await this.writeStatus(withConditions(this.d.status ?? {}, setDeploymentCondition(this.d.status?.conditions ?? [], cond))).catch(() => undefined);
        }
        this.event('Warning', REASONS.failedRSCreate, msg);
        throw err;
      }
    }
    this.replace(created);
    this.newUid = created.metadata?.uid;
    if (!alreadyExisted && rsReplicas(created) > 0) {
      this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} to ${rsReplicas(created)}`);
    }
    await this.setDeploymentRevision(newRevision);
    if (!alreadyExisted && hasProgressDeadline(this.d)) {
      const cond = newCondition(PROGRESSING, 'True', REASONS.newRSCreated, `Created new replica set "${created.metadata?.name ?? ''}"`, this.now());
      await this.writeStatus(withConditions(this.d.status ?? {}, setDeploymentCondition(this.d.status?.conditions ?? [], cond)));
    }
  }

  /** Kubernetes' scaleReplicaSet: the size and the desired/max replicas annotations. */
  private async scaleReplicaSet(rs: ReplicaSetObject, newScale: number, op: string): Promise<boolean> {
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    const a = rs.metadata?.annotations ?? {};
    const sizeChanged = rsReplicas(rs) !== newScale;
    if (!sizeChanged && a[DESIRED_REPLICAS_ANNOTATION] === desired && a[MAX_REPLICAS_ANNOTATION] === max) return false;
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec, replicas: newScale };
    const m = (copy.metadata ??= {});
    m.annotations = { ...m.annotations, [DESIRED_REPLICAS_ANNOTATION]: desired, [MAX_REPLICAS_ANNOTATION]: max };
    const updated = (await this.client.update(copy)) as ReplicaSetObject;
    this.replace(updated);
    if (sizeChanged) {
      this.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name ?? ''} to ${newScale} from ${rsReplicas(rs)}`);
    }
    return sizeChanged;
  }

  private scaleAndRecord(rs: ReplicaSetObject, newScale: number): Promise<boolean> {
    if (rsReplicas(rs) === newScale) return Promise.resolve(false);
    return this.scaleReplicaSet(rs, newScale, rsReplicas(rs) < newScale ? 'up' : 'down');
  }

  /** Kubernetes' isScalingEvent: an active ReplicaSet was sized for another replica count. */
  isScalingEvent(): boolean {
    const want = replicasOf(this.d);
    return this.rsList
      .filter((rs) => rsReplicas(rs) > 0)
      .some((rs) => {
        const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
        return desired !== undefined && desired !== want;
      });
  }

  /** Kubernetes' scale(): resizes for a changed spec.replicas, proportionally mid-rollout. */
  private async scale(): Promise<void> {
    const d = this.d;
    const newRS = this.newRS();
    const active = this.rsList.filter((rs) => rsReplicas(rs) > 0);
    // One active ReplicaSet (or none: the newest) simply takes the whole size.
    let activeOrLatest: ReplicaSetObject | undefined;
    if (active.length === 1) activeOrLatest = active[0];
    else if (active.length === 0) activeOrLatest = newRS ?? [...this.rsList].sort(byCreation).at(-1);
    if (activeOrLatest) {
      // Also refreshes stale desired/max annotations, which would otherwise read as a
      // scaling event on every pass.
      await this.scaleReplicaSet(activeOrLatest, replicasOf(d), rsReplicas(activeOrLatest) < replicasOf(d) ? 'up' : 'down');
      return;
    }
    // The new ReplicaSet is saturated: the old ones go to zero.
    if (newRS && rsReplicas(newRS) === replicasOf(d) && (newRS.status?.availableReplicas ?? 0) === replicasOf(d)) {
      for (const old of this.oldRSs().filter((rs) => rsReplicas(rs) > 0)) await this.scaleAndRecord(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - sum(active, rsReplicas);
    // Larger first; among equals, newer first when growing and older first when shrinking.
    const sorted = [...active].sort((a, b) => {
      const bySize = rsReplicas(b) - rsReplicas(a);
      if (bySize !== 0) return bySize;
      return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
    });
    const sizes = new Map<ReplicaSetObject, number>();
    let added = 0;
    for (const rs of sorted) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added);
        sizes.set(rs, rsReplicas(rs) + p);
        added += p;
      } else {
        sizes.set(rs, rsReplicas(rs));
      }
    }
    const op = toAdd > 0 ? 'up' : 'down';
    for (const [i, rs] of sorted.entries()) {
      let size = sizes.get(rs) ?? rsReplicas(rs);
      // Leftovers go to the largest ReplicaSet.
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size, op);
    }
  }

  /** Kubernetes' cleanupDeployment: old, empty ReplicaSets beyond revisionHistoryLimit go. */
  private async cleanup(): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = this.oldRSs().filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.client.delete('ReplicaSet', rs.metadata?.namespace ?? '', rs.metadata?.name ?? '');
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      this.rsList = this.rsList.filter((x) => x !== rs);
    }
  }

  /** Status without rollout progress (paused, scaling, deleting): Kubernetes' syncDeploymentStatus. */
  private async syncDeploymentStatus(): Promise<void> {
    await this.writeStatus(calculateDeploymentStatus(this.d, this.rsList, this.newRS(), this.now()));
  }

  /** Kubernetes' sync(): scaling and cleanup without rolling out (paused or a scaling event). */
  async sync(): Promise<void> {
    await this.syncRevision(false);
    await this.scale();
    if (this.d.spec?.paused) await this.cleanup();
    await this.syncDeploymentStatus();
  }

  async syncStatusOnly(): Promise<void> {
    await this.syncRevision(false);
    await this.syncDeploymentStatus();
  }

  /** Kubernetes' checkPausedConditions. */
  async checkPausedConditions(): Promise<void> {
    if (!hasProgressDeadline(this.d)) return;
    const cond = getCondition(this.d.status?.conditions, PROGRESSING);
    if (cond?.reason === REASONS.timedOut) return;
    const pausedCond = cond?.reason === REASONS.paused;
    let next: Condition__Output | undefined;
    if (this.d.spec?.paused && !pausedCond) next = newCondition(PROGRESSING, 'Unknown', REASONS.paused, 'Deployment is paused', this.now());
    else if (!this.d.spec?.paused && pausedCond) next = newCondition(PROGRESSING, 'Unknown', REASONS.resumed, 'Deployment is resumed', this.now());
    if (next) await this.writeStatus(withConditions(this.d.status ?? {}, setDeploymentCondition(this.d.status?.conditions ?? [], next)));
  }

  /** Kubernetes' syncRolloutStatus; returns when to check the progress deadline again. */
  private async syncRolloutStatus(): Promise<ReconcileResult | void> {
    const d = this.d;
    const now = this.now();
    const newRS = this.newRS();
    let status = calculateDeploymentStatus(d, this.rsList, newRS, now);
    let conditions = status.conditions ?? [];
    if (!hasProgressDeadline(d)) conditions = removeCondition(conditions, PROGRESSING);
    const current = getCondition(d.status?.conditions, PROGRESSING);
    const isComplete = status.replicas === status.updatedReplicas && current?.reason === REASONS.newRSAvailable;
    if (hasProgressDeadline(d) && !isComplete) {
      const what = newRS ? `ReplicaSet "${newRS.metadata?.name ?? ''}"` : `Deployment "${d.metadata?.name ?? ''}"`;
      if (deploymentComplete(d, status)) {
        conditions = setDeploymentCondition(conditions, newCondition(PROGRESSING, 'True', REASONS.newRSAvailable, `${what} has successfully progressed.`, now));
      } else if (deploymentProgressing(d, status)) {
        const cond = newCondition(PROGRESSING, 'True', REASONS.rsUpdated, `${what} is progressing.`, now);
        // Progress refreshes lastUpdateTime even with the same reason.
        if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        conditions = [...removeCondition(conditions, PROGRESSING), cond];
      } else if (deploymentTimedOut(d, withConditions(status, conditions), now)) {
        conditions = setDeploymentCondition(conditions, newCondition(PROGRESSING, 'False', REASONS.timedOut, `${what} has timed out progressing.`, now));
      }
    }
    const failure = this.rsList.map((rs) => getCondition(rs.status?.conditions, REPLICA_FAILURE)).find((c) => c?.status === 'True');
    if (failure) conditions = setDeploymentCondition(conditions, { ...failure });
    else conditions = removeCondition(conditions, REPLICA_FAILURE);
    status = withConditions(status, conditions);
    const timedOutNow = getCondition(conditions, PROGRESSING)?.reason === REASONS.timedOut && current?.reason !== REASONS.timedOut;
    await this.writeStatus(status);
    if (timedOutNow) this.event('Warning', REASONS.timedOut, `Deployment "${d.metadata?.name ?? ''}" has timed out progressing.`);
    return this.requeueStuck(status, now);
  }

  /** Kubernetes' requeueStuckDeployment: look again when the deadline would pass. */
  private requeueStuck(status: DeploymentStatus__Output, now: number): ReconcileResult | void {
    const cond = getCondition(this.d.status?.conditions, PROGRESSING);
    if (!hasProgressDeadline(this.d) || !cond) return;
    if (deploymentComplete(this.d, status) || cond.reason === REASONS.timedOut || cond.reason === REASONS.newRSAvailable) return;
    const after = progressingSince(cond) + (this.d.spec?.progressDeadlineSeconds ?? 0) * 1000 - now;
    // Timestamps have whole seconds: aim just past the deadline.
    return { requeueAfter: Math.max(after + 1000, 250) };
  }

  /** Kubernetes' rolloutRolling. */
  async rolloutRolling(): Promise<ReconcileResult | void> {
    await this.syncRevision(true);
    if (await this.reconcileNewReplicaSet()) return this.syncRolloutStatus();
    if (await this.reconcileOldReplicaSets()) return this.syncRolloutStatus();
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup();
    return this.syncRolloutStatus();
  }

  private async reconcileNewReplicaSet(): Promise<boolean> {
    const newRS = this.newRS();
    if (!newRS) return false;
    const want = replicasOf(this.d);
    if (rsReplicas(newRS) === want) return false;
    if (rsReplicas(newRS) > want) return this.scaleAndRecord(newRS, want);
    return this.scaleAndRecord(newRS, newRSNewReplicas(this.d, this.rsList, newRS));
  }

  private async reconcileOldReplicaSets(): Promise<boolean> {
    const oldActive = this.oldRSs().filter((rs) => rsReplicas(rs) > 0);
    if (sum(oldActive, rsReplicas) === 0) return false;
    const newRS = this.newRS();
    const allPods = sum(this.rsList, rsReplicas);
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const newUnavailable = rsReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // First the old pods that are not available anyway: removing them costs nothing.
    let cleaned = 0;
    for (const rs of [...oldActive].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const unhealthy = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      await this.scaleAndRecord(rs, rsReplicas(rs) - n);
      cleaned += n;
    }
    // Then available old pods, as far as minAvailable allows.
    const available = sum(this.rsList, (rs) => rs.status?.availableReplicas ?? 0);
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of this.oldRSs().filter((x) => rsReplicas(x) > 0).sort(byCreation)) {
        if (scaledDown >= total) break;
        const n = Math.min(rsReplicas(rs), total - scaledDown);
        await this.scaleAndRecord(rs, rsReplicas(rs) - n);
        scaledDown += n;
      }
    }
    return cleaned + scaledDown > 0;
  }

  /** Kubernetes' rolloutRecreate: old pods all gone before the new ReplicaSet scales up. */
  async rolloutRecreate(podsByRS: Map<string, PodObject[]>): Promise<ReconcileResult | void> {
    await this.syncRevision(false);
    let scaledDown = false;
    for (const rs of this.oldRSs().filter((x) => rsReplicas(x) > 0)) {
      if (await this.scaleAndRecord(rs, 0)) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus();
    if (this.oldPodsRunning(podsByRS)) return this.syncRolloutStatus();
    if (!this.newRS()) await this.syncRevision(true);
    const newRS = this.newRS();
    if (newRS) await this.scaleAndRecord(newRS, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup();
    return this.syncRolloutStatus();
  }

  private oldPodsRunning(podsByRS: Map<string, PodObject[]>): boolean {
    if (sum(this.oldRSs(), (rs) => rs.status?.replicas ?? 0) > 0) return true;
    for (const [uid, pods] of podsByRS) {
      if (uid === this.newUid) continue;
      // Terminating pods still run: only finished ones do not count.
      if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
    }
    return false;
  }
}

// ---- the controller ----

class DeploymentSync {
  readonly events: EventSink;

  constructor(
    readonly client: DeploymentClient,
    private readonly dCache: Cache,
    private readonly rsCache: Cache,
    private readonly podCache: Cache,
    readonly now: () => number,
  ) {
    this.events = eventSink(client, COMPONENT, now);
  }

  private deploymentOf(obj: KubeObject): DeploymentObject | undefined {
    const ref = controllerRef(obj);
    if (ref?.kind !== 'Deployment' || !ref.name) return undefined;
    const d = this.dCache.get(obj.metadata?.namespace ?? '', ref.name) as DeploymentObject | undefined;
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private matchingDeployments(rs: KubeObject): DeploymentObject[] {
    const labels = rs.metadata?.labels ?? {};
    return (this.dCache.list({ namespace: rs.metadata?.namespace ?? '' }) as DeploymentObject[]).filter((d) => {
      const reqs = labelSelectorRequirements(d.spec?.selector);
      return reqs.length > 0 && matchesLabels(reqs, labels);
    });
  }

  watch(queue: WorkQueue<string>): void {
    const enqueue = (d: KubeObject): void => queue.add(keyOf(d));
    this.dCache.addEventHandler({ onAdd: enqueue, onUpdate: (_o, d) => enqueue(d), onDelete: enqueue });
    const onRS = (rs: KubeObject): void => {
      const d = this.deploymentOf(rs);
      if (d) enqueue(d);
      else if (!controllerRef(rs)) this.matchingDeployments(rs).forEach(enqueue);
    };
    this.rsCache.addEventHandler({
      onAdd: onRS,
      onUpdate: (oldRS, rs) => {
        const oldD = this.deploymentOf(oldRS);
        if (oldD && oldD.metadata?.uid !== this.deploymentOf(rs)?.metadata?.uid) enqueue(oldD);
        onRS(rs);
      },
      onDelete: (rs) => {
        const d = this.deploymentOf(rs);
        if (d) enqueue(d);
      },
    });
    // A Recreate rollout waits for the old pods to be gone.
    this.podCache.addEventHandler({
      onDelete: (pod) => {
        const ref = controllerRef(pod);
        if (ref?.kind !== 'ReplicaSet' || !ref.name) return;
        const rs = this.rsCache.get(pod.metadata?.namespace ?? '', ref.name);
        const d = rs && rs.metadata?.uid === ref.uid ? this.deploymentOf(rs) : undefined;
        if (d && d.spec?.strategy?.type === 'Recreate') enqueue(d);
      },
    });
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.dCache.get(namespace, name) as DeploymentObject | undefined;
    if (!cached) return;
    const d = structuredClone(cached);
    const reqs = labelSelectorRequirements(d.spec?.selector);
    if (reqs.length === 0) return; // validation refuses these; nothing to select
    const rsList = await this.claimReplicaSets(d);
    const pass = new Pass(this, d, rsList);
    if (d.metadata?.deletionTimestamp) return pass.syncStatusOnly();
    await pass.checkPausedConditions();
    if (pass.d.spec?.paused) return pass.sync();
    if (pass.isScalingEvent()) return pass.sync();
    if (d.spec?.strategy?.type === 'Recreate') return pass.rolloutRecreate(this.podsByReplicaSet(d, rsList));
    return pass.rolloutRolling();
  }

  /** The Deployment's pods grouped by the uid of their ReplicaSet (Recreate's podMap). */
  private podsByReplicaSet(d: DeploymentObject, rsList: ReplicaSetObject[]): Map<string, PodObject[]> {
    const uids = new Set(rsList.map((rs) => rs.metadata?.uid ?? ''));
    const map = new Map<string, PodObject[]>();
    for (const uid of uids) map.set(uid, []);
    const reqs = labelSelectorRequirements(d.spec?.selector);
    for (const pod of this.podCache.list({ namespace: d.metadata?.namespace ?? '' }) as PodObject[]) {
      const ref = controllerRef(pod);
      if (!ref?.uid || !uids.has(ref.uid) || !matchesLabels(reqs, pod.metadata?.labels)) continue;
      map.get(ref.uid)!.push(pod);
    }
    return map;
  }

  /** Kubernetes' ClaimReplicaSets: adopt matching orphans, release what stopped matching. */
  private async claimReplicaSets(d: DeploymentObject): Promise<ReplicaSetObject[]> {
    const uid = d.metadata?.uid;
    const reqs = labelSelectorRequirements(d.spec?.selector);
    const deleting = Boolean(d.metadata?.deletionTimestamp);
    const owned: ReplicaSetObject[] = [];
    let canAdopt: boolean | undefined;
    for (const cachedRS of this.rsCache.list({ namespace: d.metadata?.namespace ?? '' }) as ReplicaSetObject[]) {
      const rs = structuredClone(cachedRS);
      const ref = controllerRef(rs);
      const matches = matchesLabels(reqs, rs.metadata?.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) owned.push(rs);
        else if (!deleting) await this.setOwner(rs, undefined, uid);
        continue;
      }
      if (!matches || deleting || rs.metadata?.deletionTimestamp) continue;
      canAdopt ??= await this.canAdopt(d);
      if (!canAdopt) continue;
      const adopted = await this.setOwner(rs, d, uid);
      if (adopted) owned.push(adopted);
    }
    return owned;
  }

  private async canAdopt(d: DeploymentObject): Promise<boolean> {
    try {
      const fresh = await this.client.get('Deployment', d.metadata?.namespace ?? '', d.metadata?.name ?? '');
      return fresh.metadata?.uid === d.metadata?.uid && !fresh.metadata?.deletionTimestamp;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** Adopts `rs` for `owner`, or (owner undefined) releases it from `uid`. */
  private async setOwner(rs: ReplicaSetObject, owner: DeploymentObject | undefined, uid: string | undefined): Promise<ReplicaSetObject | undefined> {
    const m = (rs.metadata ??= {});
    const refs = (m.ownerReferences ?? []).filter((r) => r.uid !== uid);
    if (owner) refs.push(newControllerRef(owner));
    if (refs.length) m.ownerReferences = refs;
    else delete m.ownerReferences;
    try {
      return (await this.client.update(rs)) as ReplicaSetObject;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ConflictError) return undefined;
      throw err;
    }
  }
}

/** Builds a Deployment controller (one per manager). */
export function newDeploymentController(opts: { workers?: number } = {}): Controller {
  return {
    name: 'deployment',
    workers: opts.workers ?? 4,
    setup(ctx: ControllerContext, queue: WorkQueue<string>) {
      const sync = new DeploymentSync(ctx.client, ctx.informer('Deployment'), ctx.informer('ReplicaSet'), ctx.informer('Pod'), () => ctx.now());
      sync.watch(queue);
      return (key: string) => sync.reconcile(key);
    },
  };
}

/**
 * The Deployment controller. Register it with a ControllerManager next to the ReplicaSet
 * controller; it reads the shared Deployment, ReplicaSet and Pod informers and writes
 * ReplicaSets and Deployment status.
 */
export const deploymentController: Controller = newDeploymentController();

