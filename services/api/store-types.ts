// The narrow, revision-based storage interface (after kine's Backend). The API server's
// registry layer (uid, generation, status, finalizers, validation) sits on top of it; a
// distributed engine (etcd, a NATS JetStream cluster) can stand in for LevelDB behind it.
import type { KubeObject } from '../../lib/kinds.js';

/** Identifies one object. Cluster-scoped kinds use namespace "". */
export interface ObjectKey {
  kind: string;
  namespace: string;
  name: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the change log: exactly one per revision, revisions contiguous from 1. */
export interface ChangeEvent {
  revision: number;
  type: ChangeType;
  /** For DELETED, the object as it was removed (its resourceVersion is the deleting revision). */
  object: KubeObject;
  /** The object before this change, for MODIFIED and DELETED. */
  prevObject?: KubeObject;
  /** The revision of the previous change to an object of the same kind (0 if none): lets a
   * consumer that sees one kind's events detect a gap. */
  kindPrevRevision: number;
}

export interface ListOptions {
  /** Only this namespace ("" = every namespace). */
  namespace?: string;
  /** Start after this object name key (exclusive), from a previous page. */
  after?: string;
  /** Page size; 0 or undefined = everything. */
  limit?: number;
  /** A predicate applied before the limit counts. */
  filter?: (obj: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the items were read at. */
  revision: number;
  /** Set when more items follow: pass back as `after`. */
  continueAfter?: string;
  remaining?: number;
}

export interface Store {
  /** The latest committed revision. */
  readonly revision: number;
  /** The oldest revision a watch can still start after; older ones are compacted. */
  readonly compactedRevision: number;
  /** The revision of the latest change to an object of this kind (0 if none). */
  kindRevision(kind: string): number;
  get(key: ObjectKey): Promise<KubeObject | undefined>;
  list(kind: string, opts?: ListOptions): Promise<ListResult>;
  /** Writes a new object. Throws AlreadyExistsError. Returns it with resourceVersion set. */
  create(obj: KubeObject): Promise<KubeObject>;
  /** Replaces an object. `expectedRevision` (if given) must equal its current
   * resourceVersion, else ConflictError naming the current one. NotFoundError if absent. */
  update(obj: KubeObject, expectedRevision?: number): Promise<KubeObject>;
  /** Removes an object, with the same precondition. Returns it as removed: `final` if given
   * (the object as its last writer left it, e.g. with its last finalizer gone), else as
   * stored. */
  delete(key: ObjectKey, expectedRevision?: number, final?: KubeObject): Promise<KubeObject>;
  /** Change events with revision > `after`, oldest first, at most `limit`. ExpiredError if
   * `after` < compactedRevision. */
  changesSince(after: number, limit: number): Promise<ChangeEvent[]>;
  /** Every change after `after`, in order, exactly once, until the signal aborts: the backlog
   * from the log, then live. ExpiredError if `after` < compactedRevision. */
  watch(after: number, signal: AbortSignal): AsyncIterable<ChangeEvent>;
  /** Bytes on disk. */
  sizeOnDisk(): Promise<number>;
  close(): Promise<void>;
}
