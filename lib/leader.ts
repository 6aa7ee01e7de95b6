// Leader election on a Lease (client-go's leaderelection with a LeaseLock): several replicas
// of a service campaign for one Lease in shoal-system; the one named in spec.holderIdentity
// acts, the others wait. Every write carries the resourceVersion it read, so two candidates
// can never both win the same round (the API server's optimistic concurrency is the lock).
//
// Timing (D = leaseDurationSeconds): the leader renews every D/3. As in client-go, expiry is
// judged by the candidate's own clock only: it remembers when it last *saw* the lease record
// change (holder, renewTime, acquireTime, duration, transitions: the "observed time"), and the
// lease is free when its holder is empty or D has passed on the local clock since then. The
// holder's renewTime is never compared with the local clock, so clock skew between machines
// does not matter (only clock rates do). A leader that has not renewed for 2D/3 (the renew
// deadline) steps down by itself, before any candidate could see D pass without a change, so
// two leaders never overlap. A candidate retries every D/3 (with jitter), so it takes over
// within about D + 2D/3 of the leader's last renewal (a candidate that just started waits a
// full D from its first look), or at once when the leader releases the lease on a clean stop.
import type { ShoalClient } from './client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import type { Lease__Output } from './gen/shoal/v1/Lease.js';
import type { KubeObject } from './kinds.js';

export const LEADER_ELECTION_NAMESPACE = 'shoal-system';

export interface LeaderLogger {
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
}

export interface LeaderElectionConfig {
  client: Pick<ShoalClient, 'get' | 'create' | 'update'>;
  /** The Lease's name, e.g. "shoal-controller-manager". */
  name: string;
  /** Default "shoal-system". */
  namespace?: string;
  /** This candidate, unique among the replicas (e.g. "<host>_<pid>_<random>"). */
  identity: string;
  /** Default 15. */
  leaseDurationSeconds?: number;
  /**
   * Called when this candidate becomes the leader. `signal` aborts when it stops leading
   * (lost the lease, or stop()); the work must then stop promptly. The returned promise is
   * awaited before onStoppedLeading is called; if it ends (or throws) while still leading,
   * the candidate steps down and releases the lease. May be called again after a later win.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called after each term, once the work of onStartedLeading has ended. */
  onStoppedLeading?(): void;
  /** Called whenever the observed leader changes (including to this candidate). */
  onNewLeader?(identity: string): void;
  /** On stop(), give the lease up so another candidate takes over at once (default true). */
  releaseOnStop?: boolean;
  /** Stops campaigning when aborted (as stop() does). */
  signal?: AbortSignal;
  logger?: LeaderLogger;
  /** The clock, in ms (tests). */
  now?: () => number;
}

export interface LeaderElection {
  /** True while this candidate holds the lease and its work runs. */
  isLeader(): boolean;
  /** The holder last observed ("" if none). */
  leader(): string;
  /** Stops campaigning: ends the current term (awaiting its work), releases the lease if
   * releaseOnStop, and resolves. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the election loop has ended (after stop() or the signal). */
  done: Promise<void>;
}

/** RFC 3339 with microseconds (Kubernetes' MicroTime), as leases carry. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** What identifies one version of the lease record (client-go's observedRawRecord). */
function recordSignature(spec: Lease__Output['spec']): string {
  const s = spec ?? {};
  return JSON.stringify([s.holderIdentity ?? '', s.renewTime ?? '', s.acquireTime ?? '', s.leaseDurationSeconds ?? 0, s.leaseTransitions ?? 0]);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Campaigns for the Lease and runs `onStartedLeading` while this candidate holds it. Returns
 * at once; the campaign runs until stop() or `signal`.
 */
export function runLeaderElected(config: LeaderElectionConfig): LeaderElection {
  const namespace = config.namespace ?? LEADER_ELECTION_NAMESPACE;
  const durationS = config.leaseDurationSeconds ?? 15;
  if (!(durationS > 0)) throw new Error(`leaseDurationSeconds must be > 0 (got ${durationS})`);
  const durationMs = durationS * 1000;
  const renewEveryMs = durationMs / 3;
  const renewDeadlineMs = (durationMs * 2) / 3;
  const now = config.now ?? Date.now;
  const logger = config.logger ?? { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };
  const { client, identity, name } = config;
  const what = `lease ${namespace}/${name}`;

  const stopper = new AbortController();
  if (config.signal) {
    if (config.signal.aborted) stopper.abort();
    else config.signal.addEventListener('abort', () => stopper.abort(), { once: true });
  }
  const stopSignal = stopper.signal;

  /** The lease as we last read or wrote it. */
  let lease: Lease__Output | undefined;
  let leading = false;
  let observedLeader = '';
  /** The lease record last seen, and when (local clock) it was first seen so. */
  let observedRecord: string | undefined;
  let observedTime = 0;
  const observeRecord = (l: Lease__Output, t: number): void => {
    const sig = recordSignature(l.spec);
    if (sig === observedRecord) return;
    observedRecord = sig;
    observedTime = t;
  };

  const observe = (holder: string): void => {
    if (holder === observedLeader) return;
    observedLeader = holder;
    if (holder) config.onNewLeader?.(holder);
  };

  /** One round: acquire the lease if it is free (or ours), or renew it. True if we hold it. */
  const tryAcquireOrRenew = async (retried = false): Promise<boolean> => {
    const t = now();
    // Every call is bounded by one renew period: a server that does not answer must not keep
    // a leader past its renew deadline.
    const opts = { signal: AbortSignal.timeout(Math.max(500, Math.round(renewEveryMs))) };
    // A candidate reads the lease every round (it may have been released or renewed); the
    // leader renews from its own last write (a conflict makes it re-read).
    if (lease && lease.spec?.holderIdentity !== identity) lease = undefined;
    if (!lease) {
      try {
        lease = (await client.get('Lease', namespace, name, opts)) as Lease__Output;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        try {
          lease = (await client.create({
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: durationS, acquireTime: microTime(t), renewTime: microTime(t), leaseTransitions: 0 },
          }, opts)) as Lease__Output;
          observeRecord(lease, t);
          observe(identity);
          return true;
        } catch (createErr) {
          if (createErr instanceof AlreadyExistsError) return false; // another candidate won the race
          throw createErr;
        }
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    observe(holder);
    // Seen now, after the read (the later of the two local times: the safer one).
    observeRecord(lease, now());
    const heldFor = (spec.leaseDurationSeconds ?? durationS) * 1000;
    // Only local times are compared: when the record last changed as we saw it, and now.
    const free = !holder || observedTime + heldFor < t;
    if (holder !== identity && !free) return false;
    const next: KubeObject = {
      ...(lease as KubeObject),
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      spec:
        holder === identity
          ? { ...spec, leaseDurationSeconds: durationS, renewTime: microTime(t) }
          : {
              ...spec,
              holderIdentity: identity,
              leaseDurationSeconds: durationS,
              acquireTime: microTime(t),
              renewTime: microTime(t),
              leaseTransitions: (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
            },
    };
    try {
      lease = (await client.update(next, opts)) as Lease__Output;
      observeRecord(lease, t);
      observe(identity);
      return true;
    } catch (err) {
      // Someone else wrote it in between (or deleted it): re-read it once at once, so a
      // leader whose lease was merely touched (an annotation) renews instead of stepping down.
      lease = undefined;
      if (err instanceof ConflictError || err instanceof NotFoundError) return retried ? false : tryAcquireOrRenew(true);
      throw err;
    }
  };

  /** Gives the lease up (holder "", duration 1 s) so a candidate takes it at once. */
  const release = async (): Promise<void> => {
    if (!lease || lease.spec?.holderIdentity !== identity) return;
    try {
      const t = now();
      await client.update({
        ...(lease as KubeObject),
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(t) },
      }, { signal: AbortSignal.timeout(Math.max(500, Math.round(renewEveryMs))) });
      logger.info(`${what}: ${identity} released the lease`);
    } catch (err) {
      logger.warn(`${what}: ${identity} could not release the lease: ${errMessage(err)}`);
    }
    lease = undefined;
  };

  /** One term as leader: runs the work and renews until a renewal deadline passes, the work
   * ends, or stop. */
  const lead = async (): Promise<void> => {
    leading = true;
    logger.info(`${what}: ${identity} became the leader`);
    const term = new AbortController();
    const onStop = (): void => term.abort();
    stopSignal.addEventListener('abort', onStop, { once: true });
    let workEnded = false;
    const work = (async () => {
      try {
        await config.onStartedLeading(term.signal);
      } catch (err) {
        logger.warn(`${what}: the leader's work failed: ${errMessage(err)}`);
      } finally {
        workEnded = true;
        term.abort();
      }
    })();
    let lastRenew = now();
    while (!term.signal.aborted) {
      await sleep(Math.max(10, Math.min(renewEveryMs, lastRenew + renewDeadlineMs - now())), term.signal);
      if (term.signal.aborted) break;
      try {
        if (await tryAcquireOrRenew()) {
          lastRenew = now();
          continue;
        }
        logger.warn(`${what}: ${identity} lost the lease to ${observedLeader || 'another candidate'}`);
        break;
      } catch (err) {
        if (now() - lastRenew >= renewDeadlineMs) {
          logger.warn(`${what}: ${identity} could not renew within ${Math.round(renewDeadlineMs)} ms: ${errMessage(err)}`);
          break;
        }
        // Try again sooner than a full period: the deadline is near.
      }
    }
    term.abort();
    stopSignal.removeEventListener('abort', onStop);
    await work;
    leading = false;
    if (stopSignal.aborted ? config.releaseOnStop !== false : workEnded) await release();
    logger.info(`${what}: ${identity} stopped leading`);
    try {
      config.onStoppedLeading?.();
    } catch (err) {
      logger.warn(`${what}: onStoppedLeading failed: ${errMessage(err)}`);
    }
  };

  const done = (async () => {
    while (!stopSignal.aborted) {
      let won = false;
      try {
        won = await tryAcquireOrRenew();
      } catch (err) {
        lease = undefined;
        logger.warn(`${what}: ${identity} could not reach the lease: ${errMessage(err)}`);
      }
      if (stopSignal.aborted) {
        if (won) await release();
        break;
      }
      if (won) {
        await lead();
        // A term whose work ended by itself is not retried at once.
        await sleep(renewEveryMs, stopSignal);
      } else await sleep(renewEveryMs * (0.8 + Math.random() * 0.4), stopSignal);
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    isLeader: () => leading,
    leader: () => observedLeader,
    done,
    stop: () =>
      (stopping ??= (async () => {
        stopper.abort();
        await done;
      })()),
  };
}
