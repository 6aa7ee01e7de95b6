// The registry: Kubernetes object semantics on top of the revision store. It owns uid,
// creationTimestamp, generation, the spec/status split, finalizers and graceful deletion,
// defaulting and validation, selectors and pagination, and declarative apply.
import { randomUUID } from 'node:crypto';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidError,
  NotFoundError,
  type FieldViolation,
} from '../../lib/errors.js';
import { findKind, type KindInfo, type KubeObject } from '../../lib/kinds.js';
import { decodeObject, parseManifestText } from '../../lib/manifest.js';
import { timestamp } from '../../lib/conditions.js';
import { deepEqual, jsonClone } from '../../lib/objects.js';
import { INT_OR_STRING, messageInfo } from '../../lib/proto.js';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type LabelRequirements,
} from '../../lib/selectors.js';
import { ServiceAllocations, type Reservation } from './allocators.js';
import { applyDefaults } from './defaults.js';
import type { ObjectKey, Store } from './store-types.js';
import { validateObject } from './validation.js';

export const SYSTEM_NAMESPACES = ['default', 'shoal-system'];
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** A namespace's own finalizer: the namespace controller removes it once the namespace is
 * empty, as Kubernetes' does. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** The namespace cache (see Registry.checkNamespace) starts over beyond this many entries. */
const MAX_CACHED_NAMESPACES = 10_000;

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** What still holds an object marked for deletion: its finalizers, and a namespace's
 * spec.finalizers. */
function pendingFinalizers(obj: KubeObject): string[] {
  const own = obj.metadata?.finalizers ?? [];
  const spec = obj.kind === 'Namespace' ? ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  return [...own, ...spec];
}

export interface ListQuery {
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export interface WatchQuery {
  /** Empty: every kind. */
  kind?: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Deliver changes after this revision; undefined starts at the current one. */
  after?: number;
}

export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  revision: number;
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  /** Precondition: delete only at this resourceVersion. */
  resourceVersion?: string;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** Hooks the server's metrics hang on the store writes. */
export interface RegistryObserver {
  storeWrite?(seconds: number): void;
}

function resolveKind(alias: string | undefined, field = 'kind'): KindInfo {
  const info = alias ? findKind(alias) : undefined;
  if (!info) {
    throw new InvalidError([{ field, message: alias ? `Unsupported value: ${JSON.stringify(alias)}: no such kind` : 'Required value' }]);
  }
  return info;
}

function parseRevision(rv: string | undefined, field: string): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw new InvalidError([{ field, message: `Invalid value: ${JSON.stringify(rv)}: must be a decimal revision` }]);
  return Number(rv);
}

function describeKey(info: KindInfo, name: string): string {
  return `${info.plural}${info.group ? `.${info.group}` : ''} "${name}"`;
}


/** The part of an object whose change bumps metadata.generation: all but metadata and status. */
function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * kubectl's three-way merge: fields in `desired` win; fields the last apply set but `desired`
 * no longer has are removed; fields nobody applied (set by controllers or other writers) are
 * kept. Maps merge key by key; lists and IntOrString values are replaced whole.
 */
function threeWayMerge(live: unknown, last: unknown, desired: unknown, messageType: string | undefined): unknown {
  if (!isPlainObject(live) || !isPlainObject(desired) || messageType === INT_OR_STRING) return structuredClone(desired);
  const fields = messageType ? messageInfo(messageType).fields : undefined;
  const lastObj = isPlainObject(last) ? last : {};
  const result: Record<string, unknown> = structuredClone(live);
  for (const [key, value] of Object.entries(desired)) {
    const field = fields?.get(key);
    // Map fields merge key-wise with no schema below them; message fields recurse.
    const childType = field?.messageType;
    const isMap = field?.mapValue !== undefined;
    result[key] =
      (childType || isMap) && !field?.repeated ? threeWayMerge(live[key], lastObj[key], value, isMap ? undefined : childType) : structuredClone(value);
  }
  for (const key of Object.keys(lastObj)) {
    if (!(key in desired)) delete result[key];
  }
  return result;
}

/** Where Services get their cluster IPs and node ports. */
export interface ServiceRanges {
  /** Default 10.96.0.0/12. */
  serviceCIDR?: string;
  /** Default 30000-32767. */
  nodePortRange?: string;
  /** The cluster DNS address: never given to a Service (see allocators.ts). */
  clusterDNS?: string;
}

export class Registry {
  /** ClusterIP and NodePort allocation; rebuilt from the stored Services by bootstrap(). */
  readonly services: ServiceAllocations;

  constructor(
    readonly store: Store,
    private readonly observer: RegistryObserver = {},
    ranges: ServiceRanges = {},
  ) {
    this.services = new ServiceAllocations(ranges);
  }

  /** Rebuilds the Service allocations from the store and creates the namespaces every
   * cluster has; call once, before serving. */
  async bootstrap(): Promise<string[]> {
    const services = await this.store.list('Service', { namespace: '' });
    const warnings = this.services.rebuild(services.items);
    await this.bootstrapNamespaces();
    return warnings;
  }

  private async bootstrapNamespaces(): Promise<void> {
    for (const name of SYSTEM_NAMESPACES) {
      if (!(await this.store.get({ kind: 'Namespace', namespace: '', name }))) {
        try {
          await this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
    }
  }

  private async timed<T>(write: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await write();
    } finally {
      this.observer.storeWrite?.((performance.now() - start) / 1000);
    }
  }

  private key(info: KindInfo, namespace: string | undefined, name: string | undefined): ObjectKey {
    if (!name) throw new InvalidError([{ field: 'metadata.name', message: 'Required value' }]);
    return { kind: info.kind, namespace: info.namespaced ? namespace || 'default' : '', name };
  }

  async get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const info = resolveKind(kind);
    const obj = await this.store.get(this.key(info, namespace, name));
    if (!obj) throw new NotFoundError(`${describeKey(info, name)} not found`);
    return obj;
  }

  async list(q: ListQuery): Promise<{ items: KubeObject[]; revision: number; continueToken: string; remaining: number }> {
    const info = resolveKind(q.kind);
    const labels = parseLabelSelector(q.labelSelector ?? '');
    const fields = parseFieldSelector(q.fieldSelector ?? '');
    if (q.limit !== undefined && q.limit < 0) throw new InvalidError([{ field: 'limit', message: 'Invalid value: must be >= 0' }]);
    // A continue token holds the last name served and the revision of the first page.
    // Later pages are only consistent with it while nothing of this kind has changed since:
    // otherwise the token has expired (Kubernetes' 410 for an inconsistent continue), and
    // the client lists again.
    let after: string | undefined;
    let pinned: number | undefined;
    if (q.continueToken) {
      try {
        const token = JSON.parse(Buffer.from(q.continueToken, 'base64url').toString('utf8')) as { after?: unknown; rev?: unknown };
        if (typeof token.after !== 'string' || typeof token.rev !== 'number') throw new Error('no position');
        after = token.after;
        pinned = token.rev;
      } catch {
        throw new InvalidError([{ field: 'continue', message: 'Invalid value: malformed continue token' }]);
      }
      if (this.store.kindRevision(info.kind) > pinned) {
        throw new ExpiredError(
          `the ${info.plural} list changed after its first page (revision ${pinned}); the continue token has expired: list again`,
        );
      }
    }
    const result = await this.store.list(info.kind, {
      namespace: info.namespaced ? (q.namespace ?? '') : '',
      after,
      limit: q.limit,
      filter: (obj) => matchesLabels(labels, obj.metadata?.labels) && matchesFields(fields, obj),
    });
    const revision = pinned ?? result.revision;
    const continueToken = result.continueAfter
      ? Buffer.from(JSON.stringify({ after: result.continueAfter, rev: revision }), 'utf8').toString('base64url')
      : '';
    return { items: result.items, revision, continueToken, remaining: result.remaining ?? 0 };
  }

  /** Reserves a Service's cluster IP and node ports before its write (see ServiceAllocations);
   * other kinds reserve nothing. */
  private reserve(obj: KubeObject, old?: KubeObject): Reservation | undefined {
    return obj.kind === 'Service' ? this.services.reserve(obj, old) : undefined;
  }

  /** Runs a store write under a reservation: rolled back when the write fails or is a dry
   * run, committed (the old object's leftovers released) when it succeeds. */
  private async reserved<T>(reservation: Reservation | undefined, dryRun: boolean, write: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (err) {
      reservation?.rollback();
      throw err;
    }
    if (dryRun) reservation?.rollback();
    else reservation?.commit();
    return result;
  }

  /** A Service left the store: its cluster IP and node ports are free again. */
  private removed(obj: KubeObject): void {
    if (obj.kind === 'Service') this.services.release(obj);
  }

  /** Defaults and validates an object about to be written; throws InvalidError. */
  private admit(obj: KubeObject, old?: KubeObject): void {
    applyDefaults(obj);
    const violations: FieldViolation[] = validateObject(obj, old);
    if (violations.length) {
      throw new InvalidError(violations, `${obj.kind} "${obj.metadata?.name ?? obj.metadata?.generateName ?? ''}" is invalid`);
    }
  }

  /**
   * Whether each namespace recently read exists and is terminating, valid while no Namespace
   * has changed since `namespacesAt`: every create checks its namespace, and a store read per
   * create costs more than the rest of the registry's work on it. Any Namespace write (through
   * this registry or straight to the store) moves the store's kindRevision("Namespace") before
   * it is acknowledged, which empties the cache: no check made after a namespace write returns
   * answers from before it (the same race with a create in flight as an uncached read has).
   * Only namespaces that exist are kept.
   */
  private readonly namespaces = new Map<string, { terminating: boolean }>();
  private namespacesAt = 0;

  private async checkNamespace(info: KindInfo, namespace: string): Promise<void> {
    if (!info.namespaced) return;
    const at = this.store.kindRevision('Namespace');
    if (at !== this.namespacesAt) {
      this.namespaces.clear();
      this.namespacesAt = at;
    }
    let state = this.namespaces.get(namespace);
    if (!state) {
      const ns = await this.store.get({ kind: 'Namespace', namespace: '', name: namespace });
      if (!ns) throw new NotFoundError(`namespaces "${namespace}" not found`);
      state = { terminating: Boolean(ns.metadata?.deletionTimestamp) };
      // A Namespace write that committed during the read may or may not be in what it
      // returned: keep the answer only if none did.
      if (this.store.kindRevision('Namespace') === at) {
        if (this.namespaces.size >= MAX_CACHED_NAMESPACES) this.namespaces.clear();
        this.namespaces.set(namespace, state);
      }
    }
    if (state.terminating) {
      throw new ConflictError(`namespace "${namespace}" is being terminated: no new objects can be created in it`);
    }
  }

  async create(input: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const info = resolveKind(input.kind);
    const obj: KubeObject = jsonClone({ ...input, apiVersion: info.apiVersion, kind: info.kind });
    const m = (obj.metadata ??= {});
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    if (info.namespaced) m.namespace = m.namespace || 'default';
    else delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = timestamp(Date.now());
    m.generation = 1;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    if (info.hasStatus && info.kind !== 'Namespace') delete obj.status;
    if (info.kind === 'Namespace') {
      obj.status = { phase: 'Active' };
      const spec = (obj.spec ??= {}) as { finalizers?: string[] };
      if (!spec.finalizers?.length) spec.finalizers = [NAMESPACE_FINALIZER];
    }
    this.admit(obj);
    await this.checkNamespace(info, m.namespace ?? '');
    // Reserved synchronously after the last await before the write: concurrent creates never
    // get the same cluster IP or node port.
    const reservation = this.reserve(obj);
    if (opts.dryRun) {
      reservation?.rollback();
      return obj;
    }
    try {
      return await this.reserved(reservation, false, () => this.timed(() => this.store.create(obj)));
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new AlreadyExistsError(`${describeKey(info, m.name ?? '')} already exists`, { cause: err });
      throw err;
    }
  }

  private async current(info: KindInfo, obj: KubeObject): Promise<KubeObject> {
    const existing = await this.store.get(this.key(info, obj.metadata?.namespace, obj.metadata?.name));
    if (!existing) throw new NotFoundError(`${describeKey(info, obj.metadata?.name ?? '')} not found`);
    return existing;
  }

  private checkPrecondition(info: KindInfo, existing: KubeObject, given: number | undefined): void {
    const current = existing.metadata?.resourceVersion;
    if (given !== undefined && String(given) !== current) {
      throw new ConflictError(
        `Operation cannot be fulfilled on ${describeKey(info, existing.metadata?.name ?? '')}: the object has been modified; ` +
          `please apply your changes to the latest version and try again (current resourceVersion ${current}, given ${given})`,
      );
    }
  }

  /**
   * Writes `next` over `existing`: removes it instead once it is marked for deletion and its
   * last finalizer is gone.
   */
  private async write(info: KindInfo, existing: KubeObject, next: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const expected = Number(existing.metadata?.resourceVersion);
    if (dryRun) return next;
    // The last finalizer going removes an object marked for deletion, unless a graceful
    // termination is still running (the node agent ends that with a delete of grace 0).
    const released = pendingFinalizers(existing).length > 0 && pendingFinalizers(next).length === 0;
    if (next.metadata?.deletionTimestamp && released && !next.metadata.deletionGracePeriodSeconds) {
      const removed = await this.timed(() => this.store.delete(this.key(info, next.metadata?.namespace, next.metadata?.name), expected, next));
      this.removed(existing);
      this.removed(next);
      return removed;
    }
    return this.timed(() => this.store.update(next, expected));
  }

  /**
   * Runs a read-modify-write. Without a caller's precondition a conflict only means another
   * writer came between our read and our write, so it is retried on a fresh read, as
   * Kubernetes' GuaranteedUpdate does; with one, the conflict is the caller's to handle.
   */
  private async guaranteed<T>(precondition: string | undefined, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConflictError) || (precondition !== undefined && precondition !== '') || tries >= 20) throw err;
      }
    }
  }

  /** Replaces spec and metadata; status and server-owned metadata are kept as stored. */
  update(input: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    return this.guaranteed(input.metadata?.resourceVersion, () => this.updateOnce(input, opts));
  }

  private async updateOnce(input: KubeObject, opts: { dryRun?: boolean }): Promise<KubeObject> {
    const info = resolveKind(input.kind);
    const existing = await this.current(info, input);
    this.checkPrecondition(info, existing, parseRevision(input.metadata?.resourceVersion, 'metadata.resourceVersion'));
    const next: KubeObject = structuredClone({ ...input, apiVersion: info.apiVersion, kind: info.kind });
    const m = (next.metadata ??= {});
    const old = existing.metadata ?? {};
    m.namespace = old.namespace;
    m.uid = old.uid;
    m.creationTimestamp = old.creationTimestamp;
    m.deletionTimestamp = old.deletionTimestamp;
    m.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    m.generation = old.generation ?? 1;
    m.resourceVersion = old.resourceVersion;
    if (!m.deletionTimestamp) {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    if (info.hasStatus) {
      if (existing.status === undefined) delete next.status;
      else next.status = structuredClone(existing.status);
    }
    if (info.kind === 'Service') this.services.carryOver(next, existing);
    this.admit(next, existing);
    const reservation = this.reserve(next, existing);
    if (!deepEqual(specOf(next), specOf(existing))) m.generation = (old.generation ?? 0) + 1;
    if (deepEqual(next, existing)) {
      reservation?.rollback();
      return existing;
    }
    const dryRun = opts.dryRun ?? false;
    return this.reserved(reservation, dryRun, () => this.write(info, existing, next, dryRun));
  }

  /** Replaces status only; spec and metadata are kept as stored. */
  updateStatus(input: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    return this.guaranteed(input.metadata?.resourceVersion, () => this.updateStatusOnce(input, opts));
  }

  private async updateStatusOnce(input: KubeObject, opts: { dryRun?: boolean }): Promise<KubeObject> {
    const info = resolveKind(input.kind);
    if (!info.hasStatus) throw new InvalidError([{ field: 'status', message: `Unsupported value: ${info.kind} has no status` }]);
    const existing = await this.current(info, input);
    this.checkPrecondition(info, existing, parseRevision(input.metadata?.resourceVersion, 'metadata.resourceVersion'));
    const next = structuredClone(existing);
    if (input.status === undefined) delete next.status;
    else next.status = structuredClone(input.status);
    const violations = validateObject(next, existing);
    if (violations.length) throw new InvalidError(violations, `${info.kind} "${existing.metadata?.name}" is invalid`);
    if (deepEqual(next, existing)) return existing;
    return this.write(info, existing, next, opts.dryRun ?? false);
  }

  delete(kind: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; deleted: boolean }> {
    return this.guaranteed(opts.resourceVersion, () => this.deleteOnce(kind, namespace, name, opts));
  }

  private async deleteOnce(kind: string, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    const info = resolveKind(kind);
    const key = this.key(info, namespace, name);
    const existing = await this.store.get(key);
    if (!existing) throw new NotFoundError(`${describeKey(info, name)} not found`);
    this.checkPrecondition(info, existing, parseRevision(opts.resourceVersion, 'resourceVersion'));
    const dryRun = opts.dryRun ?? false;
    const next = structuredClone(existing);
    const m = (next.metadata ??= {});
    const finalizers = new Set(m.finalizers ?? []);
    if (opts.propagationPolicy === 'Foreground') finalizers.add(FOREGROUND_FINALIZER);
    if (opts.propagationPolicy === 'Orphan') finalizers.add(ORPHAN_FINALIZER);

    // A pod that runs on a node is stopped gracefully: the node agent removes it once its
    // containers are gone (or the grace period lets it force-remove them).
    const pod = info.kind === 'Pod' ? (existing.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined) : undefined;
    const grace = opts.gracePeriodSeconds ?? pod?.terminationGracePeriodSeconds ?? 30;
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
      throw new InvalidError([{ field: 'gracePeriodSeconds', message: 'Invalid value: must be >= 0' }]);
    }
    const graceful = pod?.nodeName !== undefined && pod.nodeName !== '' && grace > 0 && !(existing.status as { phase?: string } | undefined)?.phase?.match(/^(Succeeded|Failed)$/);

    const held = finalizers.size > 0 || pendingFinalizers(existing).length > 0;
    if (!held && !graceful) {
      if (dryRun) return { object: existing, deleted: true };
      const object = await this.timed(() => this.store.delete(key, Number(existing.metadata?.resourceVersion)));
      this.removed(existing);
      return { object, deleted: true };
    }
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = timestamp(Date.now() + (graceful ? grace * 1000 : 0));
      m.deletionGracePeriodSeconds = graceful ? grace : 0;
    } else if (m.deletionGracePeriodSeconds !== undefined && (graceful ? grace : 0) < m.deletionGracePeriodSeconds) {
      // A shorter grace period cuts an ongoing graceful deletion short, as in Kubernetes;
      // with finalizers left, grace 0 lets their removal finish the deletion.
      const g = graceful ? grace : 0;
      m.deletionTimestamp = timestamp(Date.now() + g * 1000);
      m.deletionGracePeriodSeconds = g;
    }
    if (info.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
    if (finalizers.size) m.finalizers = [...finalizers];
    if (deepEqual(next, existing)) return { object: existing, deleted: false };
    if (dryRun) return { object: next, deleted: false };
    const object = await this.timed(() => this.store.update(next, Number(existing.metadata?.resourceVersion)));
    return { object, deleted: false };
  }

  /**
   * Declarative apply of one or more documents. Every document is decoded, defaulted and
   * validated before anything is written, so a bad document loses nothing.
   */
  async apply(manifest: string, opts: { namespace?: string; dryRun?: boolean } = {}): Promise<{ object: KubeObject; action: ApplyAction }[]> {
    const docs = parseManifestText(manifest);
    if (docs.length === 0) throw new InvalidError([{ field: 'manifest', message: 'Required value: no objects in the manifest' }]);
    const desired = docs.map((doc, i) => {
      const obj = decodeObject(doc, docs.length > 1 ? `document ${i}` : '');
      const info = resolveKind(obj.kind);
      const m = (obj.metadata ??= {});
      if (info.namespaced) m.namespace = m.namespace || opts.namespace || 'default';
      else delete m.namespace;
      if (!m.name) throw new InvalidError([{ field: 'metadata.name', message: 'Required value: apply needs a name' }], `${info.kind} is invalid`);
      // Catch invalid documents up front; the real admission happens at write time.
      const probe = structuredClone(obj);
      applyDefaults(probe);
      const violations = validateObject(probe);
      if (violations.length) throw new InvalidError(violations, `${info.kind} "${m.name}" is invalid`);
      return obj;
    });
    const results: { object: KubeObject; action: ApplyAction }[] = [];
    for (const obj of desired) results.push(await this.applyOne(obj, opts.dryRun ?? false));
    return results;
  }

  private async applyOne(desired: KubeObject, dryRun: boolean): Promise<{ object: KubeObject; action: ApplyAction }> {
    const info = resolveKind(desired.kind);
    const { status: _status, ...config } = desired;
    const lastApplied = JSON.stringify(config);
    for (let attempt = 0; ; attempt++) {
      const existing = await this.store.get(this.key(info, desired.metadata?.namespace, desired.metadata?.name));
      if (!existing) {
        const obj = structuredClone(config) as KubeObject;
        (obj.metadata!.annotations ??= {})[LAST_APPLIED_ANNOTATION] = lastApplied;
        try {
          return { object: await this.create(obj, { dryRun }), action: 'created' };
        } catch (err) {
          if (err instanceof AlreadyExistsError && attempt < 5) continue;
          throw err;
        }
      }
      let last: unknown = {};
      const lastText = existing.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
      if (lastText) {
        try {
          last = JSON.parse(lastText);
        } catch {
          last = {};
        }
      }
      const { status: liveStatus, ...live } = existing;
      const merged = threeWayMerge(live, last, config, info.message) as KubeObject;
      (merged.metadata!.annotations ??= {})[LAST_APPLIED_ANNOTATION] = lastApplied;
      merged.metadata!.resourceVersion = existing.metadata?.resourceVersion;
      if (liveStatus !== undefined) merged.status = liveStatus;
      applyDefaults(merged);
      // The ports list is replaced whole: keep the allocated values the manifest leaves out,
      // so an apply of an unchanged manifest is "unchanged".
      if (info.kind === 'Service') this.services.carryOver(merged, existing);
      if (deepEqual(merged, existing)) return { object: existing, action: 'unchanged' };
      try {
        return { object: await this.update(merged, { dryRun }), action: 'configured' };
      } catch (err) {
        if (err instanceof ConflictError && attempt < 5) continue;
        throw err;
      }
    }
  }

  /**
   * Every change after `q.after` that concerns the query, in order: an object that stops
   * matching the selectors arrives as DELETED, one that starts matching as ADDED.
   * `onProgress` sees the revision of every change, matching or not (for bookmarks).
   */
  async *watch(q: WatchQuery, signal: AbortSignal, onProgress?: (revision: number) => void): AsyncGenerator<WatchEventOut> {
    const info = q.kind ? resolveKind(q.kind) : undefined;
    const labels: LabelRequirements = parseLabelSelector(q.labelSelector ?? '');
    const fields: FieldRequirement[] = parseFieldSelector(q.fieldSelector ?? '');
    const namespace = info && !info.namespaced ? '' : (q.namespace ?? '');
    const matches = (obj: KubeObject | undefined): boolean =>
      obj !== undefined &&
      (!namespace || obj.metadata?.namespace === namespace) &&
      matchesLabels(labels, obj.metadata?.labels) &&
      matchesFields(fields, obj);
    const after = q.after ?? this.store.revision;
    for await (const ev of this.store.watch(after, signal)) {
      onProgress?.(ev.revision);
      if (info && ev.object.kind !== info.kind) continue;
      const now = ev.type === 'DELETED' ? false : matches(ev.object);
      const before = ev.type === 'ADDED' ? false : matches(ev.prevObject);
      if (now && before) yield { type: 'MODIFIED', object: ev.object, revision: ev.revision };
      else if (now) yield { type: 'ADDED', object: ev.object, revision: ev.revision };
      else if (before || (ev.type === 'DELETED' && matches(ev.object))) yield { type: 'DELETED', object: ev.object, revision: ev.revision };
    }
  }
}
