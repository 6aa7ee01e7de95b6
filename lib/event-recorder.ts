// One recorder of v1 Events for any involved object (client-go's EventRecorder with its
// EventCorrelator's aggregation, simplified): repeats of the same event — the same object
// (by uid), reason and message — update one Event's count and lastTimestamp instead of
// creating an object per occurrence. The scheduler, the node agent and the controllers all
// record through it.
//
// Best effort: record() never throws; it returns the failure for the caller to log. Writes
// for one Event are serialised (so they never conflict with each other); writes for different
// Events run concurrently. Memory is bounded: the last written version of at most `maxCached`
// Events is remembered (least recently used go first), and at most `maxPending` writes wait at
// once (beyond that events are dropped, as client-go's broadcaster does).
import { timestamp } from './conditions.js';
import type { ShoalClient } from './client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import type { Event__Output } from './gen/shoal/v1/Event.js';
import type { KubeObject } from './kinds.js';
import { findKind } from './kinds.js';

/** What the recorder needs of a client. */
export type EventClient = Pick<ShoalClient, 'get' | 'create' | 'update'>;

export type EventType = 'Normal' | 'Warning';

/** 32-bit FNV-1a, hex: short, stable names for aggregated events. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The Event's involvedObject (a v1 ObjectReference). */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  /** Empty for cluster-scoped objects (their events live in "default", as in Kubernetes). */
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
  /** A part of the object, e.g. "spec.containers{main}". */
  fieldPath?: string;
}

/** The reference to `obj` for an Event. */
export function involvedObjectOf(obj: KubeObject, fieldPath?: string): InvolvedObject {
  const info = obj.kind ? findKind(obj.kind) : undefined;
  const ref: InvolvedObject = {
    apiVersion: obj.apiVersion ?? info?.apiVersion ?? 'v1',
    kind: info?.kind ?? obj.kind ?? '',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    uid: obj.metadata?.uid ?? '',
  };
  if (obj.metadata?.resourceVersion) ref.resourceVersion = obj.metadata.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

/** The aggregation key's name: `<object>.<hash of uid, fieldPath, type, reason, message>`. */
export function defaultEventName(ref: InvolvedObject, type: string, reason: string, message: string): string {
  return `${ref.name}.${fnv1a(`${ref.uid}/${ref.fieldPath ?? ''}/${type}/${reason}/${message}`)}`;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent, such as "default-scheduler" or "kubelet". */
  component: string;
  /** source.host and reportingInstance (the node, or the process identity). */
  host?: string;
  now?: () => number;
  /** How many Events' last written versions to remember (default 4,096). */
  maxCached?: number;
  /** Writes waiting or in flight at once; more are dropped (default 1,000). */
  maxPending?: number;
  /**
   * Names the Event that a recording goes to: recordings with the same name are one Event
   * (count + 1, message and lastTimestamp replaced). Default: defaultEventName, which
   * aggregates by object uid, part, type, reason and message.
   */
  eventName?: (ref: InvolvedObject, type: string, reason: string, message: string) => string;
}

export interface RecordOptions {
  /** A part of the object, e.g. "spec.containers{main}". */
  fieldPath?: string;
}

/**
 * Records Events. Safe to call concurrently from anywhere; see the file comment for the
 * guarantees. Not tied to one kind: pass any object with kind and metadata.
 */
export class EventRecorder {
  private readonly client: EventClient;
  private readonly component: string;
  private readonly host: string | undefined;
  private readonly now: () => number;
  private readonly maxCached: number;
  private readonly maxPending: number;
  private readonly nameOf: NonNullable<EventRecorderOptions['eventName']>;
  /** "namespace/name" → the Event as last written (for the resourceVersion of the update). */
  private readonly known = new Map<string, Event__Output>();
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;

  constructor(client: EventClient, opts: EventRecorderOptions) {
    this.client = client;
    this.component = opts.component;
    this.host = opts.host;
    this.now = opts.now ?? Date.now;
    this.maxCached = Math.max(1, opts.maxCached ?? 4096);
    this.maxPending = Math.max(1, opts.maxPending ?? 1000);
    this.nameOf = opts.eventName ?? defaultEventName;
  }

  /** Writes waiting or in flight. */
  get pendingWrites(): number {
    return this.pending;
  }

  /** Events whose last version is remembered. */
  get cachedEvents(): number {
    return this.known.size;
  }

  /**
   * Records an event about `obj`. Resolves once it is written (undefined) or has failed (the
   * Error, never a rejection).
   */
  record(obj: KubeObject, type: EventType, reason: string, message: string, opts: RecordOptions = {}): Promise<Error | undefined> {
    if (this.pending >= this.maxPending) {
      return Promise.resolve(new Error(`event ${reason} dropped: ${this.pending} event writes already pending`));
    }
    const ref = involvedObjectOf(obj, opts.fieldPath);
    const namespace = ref.namespace || 'default';
    const name = this.nameOf(ref, type, reason, message);
    const key = `${namespace}/${name}`;
    this.pending++;
    const next = (this.chains.get(key) ?? Promise.resolve()).then(() => this.write(ref, namespace, name, type, reason, message));
    const tail = next.then(
      () => {},
      () => {},
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      this.pending--;
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next.then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Resolves when every write started so far has ended. */
  async flush(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private async write(ref: InvolvedObject, namespace: string, name: string, type: string, reason: string, message: string): Promise<void> {
    const key = `${namespace}/${name}`;
    const now = timestamp(this.now());
    const bump = (old: Event__Output): KubeObject => {
      // A same-named object recreated (new uid) starts a new series.
      const same = (old.involvedObject?.uid ?? '') === ref.uid;
      return {
        ...(old as KubeObject),
        apiVersion: 'v1',
        kind: 'Event',
        involvedObject: ref,
        type,
        reason,
        message,
        count: same ? (old.count ?? 1) + 1 : 1,
        firstTimestamp: same ? (old.firstTimestamp ?? now) : now,
        lastTimestamp: now,
      };
    };
    // Bounded: create or update what is known, then a few re-reads on conflicts.
    for (let attempt = 0; attempt < 5; attempt++) {
      const old = this.known.get(key);
      try {
        const written = old
          ? await this.client.update(bump(old))
          : await this.client.create({
              apiVersion: 'v1',
              kind: 'Event',
              metadata: { name, namespace },
              involvedObject: ref,
              reason,
              message,
              type,
              source: this.host ? { component: this.component, host: this.host } : { component: this.component },
              reportingComponent: this.component,
              ...(this.host ? { reportingInstance: this.host } : {}),
              count: 1,
              firstTimestamp: now,
              lastTimestamp: now,
            });
        this.remember(key, written);
        return;
      } catch (err) {
        if (err instanceof AlreadyExistsError || err instanceof ConflictError) {
          try {
            this.remember(key, (await this.client.get('Event', namespace, name)));
          } catch (getErr) {
            if (!(getErr instanceof NotFoundError)) throw getErr;
            this.known.delete(key);
          }
          continue;
        }
        if (err instanceof NotFoundError) {
          // Expired (event TTL) or deleted behind our back: start a new Event.
          this.known.delete(key);
          continue;
        }
        throw err;
      }
    }
    throw new Error(`event ${key}: gave up after repeated conflicts`);
  }

  private remember(key: string, ev: Event__Output): void {
    this.known.delete(key);
    this.known.set(key, ev);
    while (this.known.size > this.maxCached) {
      const oldest = this.known.keys().next().value;
      if (oldest === undefined) break;
      this.known.delete(oldest);
    }
  }
}
