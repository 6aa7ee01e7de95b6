// Times and status conditions as Kubernetes writes them, shared by the controllers (and the
// CLI): metav1.Time timestamps and the Set/Get/Remove condition helpers of its controller
// utilities.
import type { Condition__Output } from './gen/shoal/v1/Condition.js';

/** RFC 3339 in UTC with second precision, as Kubernetes writes metav1.Time. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A timestamp in ms, or undefined when absent or unparseable. */
export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function getCondition(conditions: Condition__Output[] | undefined, type: string): Condition__Output | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * A condition stamped `now`: lastTransitionTime and `stamp` (lastUpdateTime for a
 * Deployment's or ReplicaSet's conditions, lastProbeTime for a Job's).
 */
export function newCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: number,
  stamp: 'lastUpdateTime' | 'lastProbeTime' = 'lastUpdateTime',
): Condition__Output {
  const t = timestamp(now);
  return { type, status, reason, message, [stamp]: t, lastTransitionTime: t };
}

export interface SetConditionOptions {
  /** A message change alone is no change (Kubernetes' SetDeploymentCondition compares status
   * and reason only). Default false: status, reason and message are compared. */
  ignoreMessage?: boolean;
}

/**
 * Kubernetes' SetCondition: returns `conditions` itself when the current condition of that
 * type already has the same status and reason (and message), otherwise a new list with `cond`
 * replacing it (moved last). An unchanged status keeps the current lastTransitionTime.
 */
export function setCondition(conditions: Condition__Output[], cond: Condition__Output, opts: SetConditionOptions = {}): Condition__Output[] {
  const current = conditions.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason && (opts.ignoreMessage || current.message === cond.message)) return conditions;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((c) => c.type !== cond.type), next];
}

export function removeCondition(conditions: Condition__Output[], type: string): Condition__Output[] {
  return conditions.filter((c) => c.type !== type);
}
