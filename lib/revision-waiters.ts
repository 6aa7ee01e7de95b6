// Promises that resolve once a revision has been reached: an informer's cache, the pump's
// published position. Bounded by the callers that wait; each waiter goes when it resolves or
// its signal aborts.

export class RevisionWaiters {
  private reached = 0;
  private readonly waiters = new Set<{ revision: number; resolve: () => void }>();

  /** `describe(revision, reached)` words the error when a wait is abandoned. */
  constructor(private readonly describe: (revision: number, reached: number) => string) {}

  get revision(): number {
    return this.reached;
  }

  /** Records progress (never backwards) and releases every waiter it satisfies. */
  advance(revision: number): void {
    if (revision <= this.reached) return;
    this.reached = revision;
    for (const w of this.waiters) if (w.revision <= revision) w.resolve();
  }

  /** Resolves once `revision` is reached; rejects when any of `signals` aborts first. */
  wait(revision: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
    if (this.reached >= revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const live = signals.filter((s): s is AbortSignal => s !== undefined);
      const cleanup = (): void => {
        this.waiters.delete(w);
        for (const s of live) s.removeEventListener('abort', onAbort);
      };
      const w = {
        revision,
        resolve: () => {
          cleanup();
          resolve();
        },
      };
      const onAbort = (): void => {
        cleanup();
        reject(new Error(this.describe(revision, this.reached)));
      };
      if (live.some((s) => s.aborted)) return onAbort();
      for (const s of live) s.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(w);
    });
  }
}
