// The kubelet's restart back-off for one container: 10 s doubling up to 5 min, forgotten once
// the container has run for 10 min. Shared by crash loops (CrashLoopBackOff) and failed
// image pulls (ImagePullBackOff).

export interface BackoffPolicy {
  /** The first delay (default 10 s)... */
  initialMs: number;
  /** ...doubling up to this (default 5 min)... */
  maxMs: number;
  /** ...and reset once a container has run this long (default 10 min). */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/**
 * The back-off of one thing that keeps failing. Not shared: each container (and each image
 * pull of a container) has its own. `failed()` records a failure and says how long to wait.
 */
export class Backoff {
  private failures = 0;
  /** Epoch ms before which the next attempt must not happen. */
  until = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  /** Consecutive failures so far. */
  get count(): number {
    return this.failures;
  }

  /**
   * Records a failure at `at` (epoch ms) after running `ranMs` (a container's run time; a run
   * of resetAfterMs or more forgets the earlier failures). Returns the delay before the next
   * attempt: initialMs × 2^(failures−1), capped at maxMs.
   */
  failed(at: number, ranMs = 0): number {
    if (ranMs >= this.policy.resetAfterMs) this.failures = 0;
    this.failures++;
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(this.failures - 1, 30));
    this.until = at + delay;
    return delay;
  }

  /** Milliseconds left before the next attempt (0: go ahead). */
  remaining(now = Date.now()): number {
    return Math.max(0, this.until - now);
  }

  reset(): void {
    this.failures = 0;
    this.until = 0;
  }
}
