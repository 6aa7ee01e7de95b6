// `shoal scale` and `shoal rollout status|history|undo|pause|resume|restart`, as kubectl does
// them. Same shape as the verbs in commands.ts: (client, args, io) → exit code. Rollback is
// client-side, as in kubectl: the template of the chosen revision's ReplicaSet (minus its
// pod-template-hash label) is written back into the Deployment.
import type { ShoalClient } from '../lib/client.js';
import { retryOnConflict } from '../lib/client.js';
import { ExpiredError } from '../lib/errors.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { PodTemplateSpec__Output } from '../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { ReplicaSet__Output } from '../lib/gen/shoal/v1/ReplicaSet.js';
import { findKind, qualifiedName, type KindInfo, type KubeObject } from '../lib/kinds.js';
import { timestamp } from '../lib/conditions.js';
import { deepEqual } from '../lib/objects.js';
import { templateWithoutHash } from '../lib/pod-template.js';
import { guarded, type IO } from './commands.js';
import { describe as describeText, TableWriter } from './printers.js';

/** The part of ShoalClient these verbs use; tests pass a fake. */
export type RolloutClient = Pick<ShoalClient, 'get' | 'list' | 'update' | 'watch'>;

type DeploymentObject = Deployment__Output & KubeObject;
type ReplicaSetObject = ReplicaSet__Output & KubeObject;

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** Annotations a rollback keeps from the Deployment instead of taking from the ReplicaSet. */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface ScaleArgs {
  /** "deploy/x", "deployment/x", "rs/x", "replicaset/x". */
  target: string;
  replicas: number;
  namespace?: string;
}

export interface RolloutStatusArgs {
  /** "deploy/x" (only Deployments have a rollout status). */
  target: string;
  namespace?: string;
  /** Give up after this many seconds (exit 1); absent or 0: wait for ever. */
  timeoutSeconds?: number;
  /** Keep watching until the rollout ends (default true); false prints the current state once. */
  watch?: boolean;
}

export interface RolloutHistoryArgs {
  target: string;
  namespace?: string;
  /** Print this revision's pod template instead of the table. */
  revision?: number;
}

export interface RolloutUndoArgs {
  target: string;
  namespace?: string;
  /** Absent or 0: the revision before the current one. */
  toRevision?: number;
}

export interface RolloutTargetArgs {
  target: string;
  namespace?: string;
}

/** A mistake in the command line or a refusal, printed as "error: ..." */
class RolloutError extends Error {
  override name = 'RolloutError';
}

function parseTarget(target: string, allowed: string[]): { info: KindInfo; name: string } {
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1) {
    throw new RolloutError(`you must specify a resource as TYPE/NAME (such as deployment/nginx), got ${JSON.stringify(target)}`);
  }
  const alias = target.slice(0, slash);
  const info = findKind(alias);
  if (!info) throw new RolloutError(`the server doesn't have a resource type "${alias}"`);
  if (!allowed.includes(info.kind)) throw new RolloutError(`${info.plural}.${info.group || 'core'} "${target.slice(slash + 1)}": this operation is not supported for ${info.kind}`);
  return { info, name: target.slice(slash + 1) };
}

function namespaceOf(args: { namespace?: string }): string {
  return args.namespace || 'default';
}

function resourceRef(info: KindInfo, name: string): string {
  return `${qualifiedName(info)}/${name}`;
}

/** "deployments.apps "x"", as kubectl names an object in an error. */
function errorRef(info: KindInfo, name: string): string {
  return `${info.plural}${info.group ? `.${info.group}` : ''} ${JSON.stringify(name)}`;
}

// ---- scale ----

/** `shoal scale deploy/x --replicas N`: "deployment.apps/x scaled". */
export function scale(client: RolloutClient, args: ScaleArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    if (!Number.isInteger(args.replicas) || args.replicas < 0) {
      throw new RolloutError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    }
    const { info, name } = parseTarget(args.target, ['Deployment', 'ReplicaSet']);
    const ns = namespaceOf(args);
    await retryOnConflict(async () => {
      const obj = await client.get(info.kind, ns, name);
      const spec = (obj.spec ?? {}) as { replicas?: number };
      if (spec.replicas === args.replicas) return;
      await client.update({ ...obj, spec: { ...spec, replicas: args.replicas } });
    });
    io.out(`${resourceRef(info, name)} scaled`);
    return 0;
  });
}

// ---- rollout status ----

/** kubectl's DeploymentStatusViewer: a progress line, or done, or an error. */
export function deploymentRolloutStatus(d: DeploymentObject): { message: string; done: boolean } {
  const name = d.metadata?.name ?? '';
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) <= (s.observedGeneration ?? 0)) {
    const cond = s.conditions?.find((c) => c.type === 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') throw new RolloutError(`deployment ${JSON.stringify(name)} exceeded its progress deadline`);
    const want = d.spec?.replicas ?? 1;
    const updated = s.updatedReplicas ?? 0;
    const replicas = s.replicas ?? 0;
    const available = s.availableReplicas ?? 0;
    if (updated < want) {
      return { message: `Waiting for deployment ${JSON.stringify(name)} rollout to finish: ${updated} out of ${want} new replicas have been updated...`, done: false };
    }
    if (replicas > updated) {
      return { message: `Waiting for deployment ${JSON.stringify(name)} rollout to finish: ${replicas - updated} old replicas are pending termination...`, done: false };
    }
    if (available < updated) {
      return { message: `Waiting for deployment ${JSON.stringify(name)} rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
    }
    return { message: `deployment ${JSON.stringify(name)} successfully rolled out`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...', done: false };
}

/**
 * `shoal rollout status deploy/x`: prints kubectl's progress lines (each distinct line once,
 * in order) from a watch on the Deployment; exits 0 once rolled out, 1 when the progress
 * deadline is exceeded, the timeout passes, the Deployment is deleted or `io.signal` aborts.
 */
export function rolloutStatus(client: RolloutClient, args: RolloutStatusArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const { info, name } = parseTarget(args.target, ['Deployment']);
    const ns = namespaceOf(args);
    const stop = new AbortController();
    let timedOut = false;
    const timer =
      args.timeoutSeconds && args.timeoutSeconds > 0
        ? setTimeout(() => {
            timedOut = true;
            stop.abort();
          }, args.timeoutSeconds * 1000)
        : undefined;
    const onAbort = (): void => stop.abort();
    io.signal?.addEventListener('abort', onAbort, { once: true });
    let last = '';
    const show = (obj: KubeObject): boolean => {
      const { message, done } = deploymentRolloutStatus(obj as DeploymentObject);
      if (message !== last) io.out(message);
      last = message;
      return done;
    };
    try {
      let obj = await client.get(info.kind, ns, name, { signal: stop.signal });
      if (show(obj) || args.watch === false) return 0;
      let rv = obj.metadata?.resourceVersion ?? '';
      // Each round is one watch; it ends on an expired revision (relist) or a closed stream.
      // Bounded by the timeout or the caller's signal when one is given.
      while (!stop.signal.aborted) {
        try {
          for await (const ev of client.watch(info.kind, { namespace: ns, fieldSelector: `metadata.name=${name}`, resourceVersion: rv, signal: stop.signal })) {
            rv = ev.resourceVersion || rv;
            if (ev.type === 'BOOKMARK') continue;
            if (ev.type === 'DELETED') throw new RolloutError('object has been deleted');
            if (show(ev.object)) return 0;
          }
        } catch (err) {
          if (!(err instanceof ExpiredError)) throw err;
        }
        if (stop.signal.aborted) break;
        obj = await client.get(info.kind, ns, name, { signal: stop.signal });
        rv = obj.metadata?.resourceVersion ?? '';
        if (show(obj)) return 0;
      }
      if (timedOut) throw new RolloutError('timed out waiting for the condition');
      throw new RolloutError('interrupted');
    } catch (err) {
      if (timedOut && !(err instanceof RolloutError)) throw new RolloutError('timed out waiting for the condition');
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      io.signal?.removeEventListener('abort', onAbort);
    }
  });
}

// ---- history and undo ----

function revisionOf(obj: KubeObject): number {
  const n = Number(obj.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}


/** The Deployment and its ReplicaSets by revision (the ones it controls). */
async function history(client: RolloutClient, ns: string, name: string): Promise<{ d: DeploymentObject; byRevision: Map<number, ReplicaSetObject> }> {
  const d = (await client.get('Deployment', ns, name)) as DeploymentObject;
  const { items } = await client.list('ReplicaSet', { namespace: ns });
  const byRevision = new Map<number, ReplicaSetObject>();
  for (const rs of items as ReplicaSetObject[]) {
    const owner = rs.metadata?.ownerReferences?.find((r) => r.controller);
    if (owner?.uid !== d.metadata?.uid) continue;
    const rev = revisionOf(rs);
    if (rev > 0) byRevision.set(rev, rs);
  }
  return { d, byRevision };
}

/** The "Pod Template:" section of kubectl describe for a template. */
function podTemplateText(template: PodTemplateSpec__Output | undefined): string {
  const text = describeText({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: {}, spec: { template } }, []);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Pod Template:'));
  if (start < 0) return '';
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^\s/.test(lines[end]!))) end++;
  return lines.slice(start, end).join('\n').replace(/\n+$/, '');
}

/** `shoal rollout history deploy/x [--revision N]`. */
export function rolloutHistory(client: RolloutClient, args: RolloutHistoryArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const { info, name } = parseTarget(args.target, ['Deployment']);
    const { byRevision } = await history(client, namespaceOf(args), name);
    if (args.revision) {
      const rs = byRevision.get(args.revision);
      if (!rs) throw new RolloutError(`unable to find the specified revision`);
      io.out(`${resourceRef(info, name)} with revision #${args.revision}\n${podTemplateText(rs.spec?.template)}\n`);
      return 0;
    }
    if (byRevision.size === 0) {
      io.out('No rollout history found.');
      return 0;
    }
    const rows = [['REVISION', 'CHANGE-CAUSE']];
    for (const rev of [...byRevision.keys()].sort((a, b) => a - b)) {
      rows.push([String(rev), byRevision.get(rev)!.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>']);
    }
    io.out(`${resourceRef(info, name)} \n${new TableWriter(0, 2).format(rows)}`);
    return 0;
  });
}

/** `shoal rollout undo deploy/x [--to-revision N]`: "deployment.apps/x rolled back". */
export function rolloutUndo(client: RolloutClient, args: RolloutUndoArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const { info, name } = parseTarget(args.target, ['Deployment']);
    const ns = namespaceOf(args);
    let message = '';
    await retryOnConflict(async () => {
      const { d, byRevision } = await history(client, ns, name);
      if (d.spec?.paused) {
        throw new RolloutError("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
      }
      let toRevision = args.toRevision ?? 0;
      if (toRevision === 0) {
        const revisions = [...byRevision.keys()].sort((a, b) => b - a);
        if (revisions.length < 2) throw new RolloutError(`no rollout history found for deployment ${JSON.stringify(name)}`);
        toRevision = revisions[1]!;
      }
      const rs = byRevision.get(toRevision);
      if (!rs) throw new RolloutError(`unable to find specified revision ${toRevision} in history`);
      const template = templateWithoutHash(rs.spec?.template);
      if (deepEqual(template, templateWithoutHash(d.spec?.template))) {
        message = `${resourceRef(info, name)} skipped rollback (current template already matches revision ${toRevision})`;
        return;
      }
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
      for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
      const next = structuredClone(d);
      next.spec = { ...next.spec, template };
      const m = (next.metadata ??= {});
      if (Object.keys(annotations).length) m.annotations = annotations;
      else delete m.annotations;
      await client.update(next);
      message = `${resourceRef(info, name)} rolled back`;
    });
    io.out(message);
    return 0;
  });
}

// ---- pause, resume, restart ----

async function patchDeployment(
  client: RolloutClient,
  args: RolloutTargetArgs,
  io: IO,
  change: (d: DeploymentObject, ref: string) => DeploymentObject,
  done: string,
): Promise<number> {
  return guarded(io, async () => {
    const { info, name } = parseTarget(args.target, ['Deployment']);
    await retryOnConflict(async () => {
      const d = (await client.get(info.kind, namespaceOf(args), name)) as DeploymentObject;
      await client.update(change(structuredClone(d), errorRef(info, name)));
    });
    io.out(`${resourceRef(info, name)} ${done}`);
    return 0;
  });
}

/** `shoal rollout pause deploy/x`: spec.paused, so template changes do not roll out. */
export function rolloutPause(client: RolloutClient, args: RolloutTargetArgs, io: IO): Promise<number> {
  return patchDeployment(
    client,
    args,
    io,
    (d, ref) => {
      if (d.spec?.paused) throw new RolloutError(`${ref} is already paused`);
      return { ...d, spec: { ...d.spec, paused: true } };
    },
    'paused',
  );
}

/** `shoal rollout resume deploy/x`. */
export function rolloutResume(client: RolloutClient, args: RolloutTargetArgs, io: IO): Promise<number> {
  return patchDeployment(
    client,
    args,
    io,
    (d, ref) => {
      if (!d.spec?.paused) throw new RolloutError(`${ref} is not paused`);
      const spec = { ...d.spec };
      delete spec.paused;
      return { ...d, spec };
    },
    'resumed',
  );
}

/** `shoal rollout restart deploy/x`: a new restartedAt annotation on the pod template. */
export function rolloutRestart(client: RolloutClient, args: RolloutTargetArgs, io: IO): Promise<number> {
  const now = io.now?.() ?? Date.now();
  return patchDeployment(
    client,
    args,
    io,
    (d, ref) => {
      if (d.spec?.paused) throw new RolloutError(`${ref} can't restart paused deployment (run rollout resume first)`);
      const template = structuredClone(d.spec?.template ?? {});
      const tm = (template.metadata ??= {});
      tm.annotations = { ...tm.annotations, [RESTARTED_AT_ANNOTATION]: timestamp(now) };
      return { ...d, spec: { ...d.spec, template } };
    },
    'restarted',
  );
}
