// Controller expectations (Kubernetes' UIDTrackingControllerExpectations), shared by the
// ReplicaSet and Job controllers.

interface Expectation {
  adds: number;
  /** Keys ("namespace/name") or uids of the pods whose deletion is expected. */
  deletes: Set<string>;
  since: number;
}

/**
 * Kubernetes' UIDTrackingControllerExpectations: what a controller has asked the API server to
 * create and delete for one owner, and not yet seen through its informer. While expectations
 * are pending the cache is known to be behind, so the owner's reconcile must not create or
 * delete again; they are satisfied by observations or expire after `ttlMs` (a lost watch event
 * must not wedge the owner for ever). Safe to call from handlers and reconciles alike: both run
 * on the one event loop.
 */
export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  /** True when nothing is pending for `key` (or what is pending expired). */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.now() - e.since > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.items.set(key, { adds: n, deletes: new Set(), since: this.now() });
  }

  /** Both at once: `adds` creations and the deletion of `podKeys` (keys or uids). */
  expect(key: string, adds: number, podKeys: string[]): void {
    this.items.set(key, { adds, deletes: new Set(podKeys), since: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.items.set(key, { adds: 0, deletes: new Set(podKeys), since: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.items.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.items.delete(key);
  }

  /** For tests and debugging. */
  pending(key: string): { adds: number; deletes: string[] } | undefined {
    const e = this.items.get(key);
    return e ? { adds: e.adds, deletes: [...e.deletes] } : undefined;
  }
}
