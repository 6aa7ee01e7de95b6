// Leader election on a Lease against a real API server: one leader at a time, a takeover
// within about the lease duration when the leader dies, at once when it steps down cleanly;
// then two controller managers and two schedulers with only one acting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { Lease__Output } from '../lib/gen/shoal/v1/Lease.js';
import type { KubeObject } from '../lib/kinds.js';
import { microTime, runLeaderElected, type LeaderElection } from '../lib/leader.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { startScheduler, type SchedulerHandle } from '../services/scheduler/index.js';
import { sampleObject } from './fixtures.js';
import { eventually, startTestCluster, TEST_TOKEN, type TestCluster } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

/** A candidate that records when its terms start and end. */
function candidate(name: string, identity: string, opts: { releaseOnStop?: boolean; leaseDurationSeconds?: number } = {}) {
  const terms: { start: number; end?: number }[] = [];
  const election: LeaderElection = runLeaderElected({
    client: cluster.client,
    name,
    identity,
    leaseDurationSeconds: opts.leaseDurationSeconds ?? 4,
    releaseOnStop: opts.releaseOnStop,
    logger: quiet,
    onStartedLeading: (signal) =>
      new Promise<void>((resolve) => {
        const term: { start: number; end?: number } = { start: Date.now() };
        terms.push(term);
        signal.addEventListener('abort', () => {
          term.end = Date.now();
          resolve();
        });
      }),
  });
  return { election, terms };
}

/** Samples the candidates until `ms` passes; fails if two ever lead at once. */
async function watchExclusive(cands: { election: LeaderElection }[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    expect(cands.filter((c) => c.election.isLeader()).length).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('runLeaderElected', () => {
  it('elects one of two candidates, and the other takes over within about the lease duration when the leader dies', async () => {
    const a = candidate('le-crash', 'a', { releaseOnStop: false });
    const b = candidate('le-crash', 'b', { releaseOnStop: false });
    try {
      await eventually(() => a.election.isLeader() || b.election.isLeader(), 'a leader', 5000);
      await watchExclusive([a, b], 3000);
      const [leader, standby] = a.election.isLeader() ? [a, b] : [b, a];
      expect(standby.election.leader()).toBe(leader === a ? 'a' : 'b');
      const lease = (await cluster.client.get('Lease', 'shoal-system', 'le-crash')) as Lease__Output;
      expect(lease.spec?.holderIdentity).toBe(leader === a ? 'a' : 'b');
      expect(lease.spec?.leaseDurationSeconds).toBe(4);

      // A crash: it stops renewing without giving the lease up.
      const died = Date.now();
      await leader.election.stop();
      await eventually(() => standby.election.isLeader(), 'the standby to take over', 12_000);
      const took = Date.now() - died;
      // Not before the lease expired (4 s after the standby saw the last renewal, which was
      // at most 4/3 s before the stop)...
      expect(took).toBeGreaterThanOrEqual(2500);
      // ...and within about the duration plus two retry periods.
      expect(took).toBeLessThan(9000);
      expect(leader.terms.at(-1)?.end).toBeDefined();
      const after = (await cluster.client.get('Lease', 'shoal-system', 'le-crash')) as Lease__Output;
      expect(after.spec?.leaseTransitions).toBe(1);
    } finally {
      await Promise.all([a.election.stop(), b.election.stop()]);
    }
  });

  it('hands over at once when the leader stops cleanly (releases the lease)', async () => {
    // A 6 s lease: without the release, b could not lead before about 4 s after the stop.
    const a = candidate('le-clean', 'a', { leaseDurationSeconds: 6 });
    await eventually(() => a.election.isLeader(), 'a to lead', 5000);
    const b = candidate('le-clean', 'b', { leaseDurationSeconds: 6 });
    try {
      await watchExclusive([a, b], 1000);
      expect(b.election.isLeader()).toBe(false);
      const stopped = Date.now();
      await a.election.stop();
      expect(a.terms[0]?.end).toBeDefined();
      await eventually(() => b.election.isLeader(), 'b to take over', 5000);
      // Within one retry period (2 s ± 20%), not a lease duration.
      expect(Date.now() - stopped).toBeLessThan(3200);
    } finally {
      await b.election.stop();
    }
  });
});

async function exists(kind: string, name: string): Promise<boolean> {
  try {
    await cluster.client.get(kind, 'default', name);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

describe('runLeaderElected: conflicts', () => {
  it('a leader whose lease someone else touched (not taken) keeps leading', async () => {
    const a = candidate('le-touch', 'a');
    try {
      await eventually(() => a.election.isLeader(), 'a to lead', 5000);
      const lease = await cluster.client.get('Lease', 'shoal-system', 'le-touch');
      await cluster.client.update({ ...lease, metadata: { ...lease.metadata, annotations: { touched: 'yes' } } });
      // Several renewals (every 4/3 s), the first of them on a stale resourceVersion.
      await new Promise((r) => setTimeout(r, 4000));
      expect(a.election.isLeader()).toBe(true);
      expect(a.terms).toHaveLength(1);
      const after = (await cluster.client.get('Lease', 'shoal-system', 'le-touch')) as Lease__Output;
      expect(after.spec?.holderIdentity).toBe('a');
      expect(Date.now() - Date.parse(after.spec?.renewTime ?? '')).toBeLessThan(2500);
    } finally {
      await a.election.stop();
    }
  });
});

describe('runLeaderElected: clock skew', () => {
  it('a holder whose clock runs an hour behind keeps the lease while it renews: expiry is judged by local observation only', async () => {
    // The holder's renewTime is an hour in the past by our clock, but the record keeps changing.
    const skew = -3_600_000;
    let lease = await cluster.client.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'le-skew', namespace: 'shoal-system' },
      spec: { holderIdentity: 'skewed', leaseDurationSeconds: 4, acquireTime: microTime(Date.now() + skew), renewTime: microTime(Date.now() + skew), leaseTransitions: 0 },
    });
    let renewing = true;
    const renewer = (async () => {
      while (renewing) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!renewing) break;
        lease = await cluster.client.update({ ...lease, spec: { ...(lease.spec as object), renewTime: microTime(Date.now() + skew) } });
      }
    })();
    const b = candidate('le-skew', 'b');
    try {
      // Several lease durations: b never takes over from a holder that keeps renewing.
      const until = Date.now() + 9000;
      while (Date.now() < until) {
        expect(b.election.isLeader()).toBe(false);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(b.election.leader()).toBe('skewed');
      expect(((await cluster.client.get('Lease', 'shoal-system', 'le-skew')) as Lease__Output).spec?.holderIdentity).toBe('skewed');
      // The holder dies: b takes over after a lease duration of silence (its own clock).
      renewing = false;
      await renewer;
      const died = Date.now();
      await eventually(() => b.election.isLeader(), 'b to take over', 12_000);
      expect(Date.now() - died).toBeGreaterThanOrEqual(3000);
    } finally {
      renewing = false;
      await renewer;
      await b.election.stop();
    }
  });
});

describe('controller managers under leader election', () => {
  it('runs the controllers in one manager at a time; the other takes over when it stops', async () => {
    const start = (identity: string): Promise<ControllersHandle> =>
      startControllers({
        server: cluster.api.address,
        token: TEST_TOKEN,
        natsUrl: cluster.nats.url,
        identity,
        leaseDurationSeconds: 4,
        controllers: ['garbage-collector'],
        logger: quiet,
      });
    const first = await start('cm-1');
    await first.ready;
    const second = await start('cm-2');
    await second.ready;
    try {
      expect(first.isLeader()).toBe(true);
      expect(second.isLeader()).toBe(false);
      const collects = async (name: string): Promise<void> => {
        const rs = await cluster.client.create(sampleObject('ReplicaSet', name));
        const pod = sampleObject('Pod', `${name}-pod`);
        pod.metadata = { ...pod.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata?.uid, controller: true }] };
        await cluster.client.create(pod);
        await cluster.client.delete('ReplicaSet', 'default', name);
        await eventually(async () => !(await exists('Pod', `${name}-pod`)), `${name}'s pod to be collected`, 10_000);
      };
      await collects('cm-first');
      await first.stop();
      await eventually(() => second.isLeader(), 'the second manager to lead', 8000);
      await collects('cm-second');
      const lease = (await cluster.client.get('Lease', 'shoal-system', 'shoal-controller-manager')) as Lease__Output;
      expect(lease.spec?.holderIdentity).toBe('cm-2');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('schedulers under leader election', () => {
  it('binds with one scheduler at a time; the standby takes over when the leader stops', async () => {
    const node = await cluster.client.create(sampleObject('Node', 'le-node'));
    await cluster.client.updateStatus({
      ...node,
      status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const start = (identity: string): Promise<SchedulerHandle> =>
      startScheduler({
        server: cluster.api.address,
        token: TEST_TOKEN,
        natsUrl: cluster.nats.url,
        leaderElection: true,
        identity,
        leaseDurationSeconds: 4,
        logger: quiet,
      });
    const s1 = await start('sched-1');
    await s1.ready;
    await eventually(() => s1.isLeader(), 'the first scheduler to lead', 5000);
    const s2 = await start('sched-2');
    await s2.ready;
    const nodeOf = async (name: string): Promise<string | undefined> =>
      ((await cluster.client.get('Pod', 'default', name)) as KubeObject & { spec?: { nodeName?: string } }).spec?.nodeName;
    try {
      await cluster.client.create(sampleObject('Pod', 'le-pod-1'));
      await eventually(async () => (await nodeOf('le-pod-1')) === 'le-node', 'the first pod to be bound', 10_000);
      expect(s2.isLeader()).toBe(false);
      await s1.stop();
      await eventually(() => s2.isLeader(), 'the second scheduler to lead', 8000);
      await cluster.client.create(sampleObject('Pod', 'le-pod-2'));
      await eventually(async () => (await nodeOf('le-pod-2')) === 'le-node', 'the second pod to be bound', 10_000);
    } finally {
      await s1.stop();
      await s2.stop();
    }
  });
});
