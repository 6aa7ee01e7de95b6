// The process driver against real processes: pod IPs, shared mounts, exit codes, graceful and
// forced stops, logs, exec, and re-adoption by a new driver instance after an agent restart.
import { collector, readAll } from './streams.js';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSpec, PodRef, Sandbox } from '../services/node-agent/driver.js';
import { ProcessDriver } from '../services/node-agent/drivers/process.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { eventually, tempDir } from './harness.js';

const NODE = 'proc-node-1';
let dir: string;
let cleanupDir: () => Promise<void>;
let driver: ProcessDriver;
const drivers: ProcessDriver[] = [];

function newDriver(): ProcessDriver {
  const d = new ProcessDriver({ node: NODE, dataDir: join(dir, 'data'), ipamDir: join(dir, 'ipam'), internalIP: '127.0.0.1' });
  drivers.push(d);
  return d;
}

function pod(name: string): PodRef {
  return { uid: randomUUID(), namespace: 'default', name };
}

function spec(p: PodRef, sandbox: Sandbox, name: string, command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    pod: p,
    sandbox,
    name,
    attempt: 0,
    image: '',
    command,
    env: { POD_IP: sandbox.ip },
    cpuMillis: 0,
    memoryBytes: 0,
    mounts: [],
    stdin: false,
    tty: false,
    ...extra,
  };
}


beforeAll(async () => {
  ({ dir, cleanup: cleanupDir } = await tempDir('shoal-proc-driver-'));
  driver = newDriver();
});

afterAll(async () => {
  // Everything this test started, by its records: stopped at once and removed.
  const d = newDriver();
  for (const h of await d.recover()) {
    if (h.role === 'container') {
      await d.stopContainer(h.id, 0);
      await d.removeContainer(h.id);
    }
  }
  for (const h of await d.recover()) await d.removeSandbox(h.pod);
  for (const x of drivers) await x.close();
  await cleanupDir();
});

describe('process driver', () => {
  it('fingerprints the host and is made by the factory', async () => {
    const fp = await driver.fingerprint();
    expect(Number(fp.capacity.cpu)).toBeGreaterThan(0);
    expect(fp.capacity.memory).toMatch(/^\d+Ki$/);
    expect(fp.capacity.pods).toBe('110');
    expect(fp.runtimeVersion).toBe(`process://node-${process.version}`);
    expect(fp.internalIP).toBe('127.0.0.1');
    const d = createDriver('process', { node: NODE, dataDir: join(dir, 'other'), ipamDir: join(dir, 'ipam') });
    expect(d.name).toBe('process');
    await d.close();
  });

  it('gives every pod its own 127.x IP and keeps it for the same uid', async () => {
    const a = pod('ip-a');
    const b = pod('ip-b');
    const sa = await driver.ensureSandbox({ pod: a, hostname: 'ip-a', hostNetwork: false });
    const sb = await driver.ensureSandbox({ pod: b, hostname: 'ip-b', hostNetwork: false });
    expect(sa.ip).toMatch(/^127\.1\.\d+\.\d+$/);
    expect(sb.ip).not.toBe(sa.ip);
    expect(await driver.ensureSandbox({ pod: a, hostname: 'ip-a', hostNetwork: false })).toEqual(sa);
    const h = pod('host-net');
    expect((await driver.ensureSandbox({ pod: h, hostname: 'h', hostNetwork: true })).ip).toBe('127.0.0.1');
    for (const p of [a, b, h]) await driver.removeSandbox(p);
    await driver.removeSandbox(a); // gone is fine
  });

  it('runs two containers that share the pod IP and a mount', async () => {
    const p = pod('web');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'web', hostNetwork: false });
    const shared = join(dir, 'emptydir-web');
    await mkdir(shared);
    const mounts = [{ source: { type: 'hostPath' as const, path: shared }, target: '/data', readOnly: false }];
    const node = process.execPath;
    const server = await driver.startContainer(
      spec(p, sandbox, 'server', ['/bin/sh', '-c', 'echo hello-from-server > data/f && exec "$0" -e "$1"', node], {
        args: [
          `require('http').createServer((q, s) => s.end(require('fs').readFileSync('data/f'))).listen(8080, process.env.POD_IP, () => console.log('listening'))`,
        ],
        mounts,
      }),
    );
    expect(server.status.state).toBe('running');
    await eventually(async () => (await readAll(await driver.logs(server.id, { follow: false }))).includes('listening'), 'server listening');
    const client = await driver.startContainer(
      spec(p, sandbox, 'client', [node, '-e'], {
        args: [
          `fetch('http://' + process.env.POD_IP + ':8080/').then(r => r.text()).then(t => { require('fs').writeFileSync('data/got', t); console.log('got', t.trim()); })`,
        ],
        mounts,
      }),
    );
    const done = await driver.waitContainer(client.id, AbortSignal.timeout(10_000));
    expect(done).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await readAll(await driver.logs(client.id, { follow: false }))).toBe('got hello-from-server\n');
    // The mount is the same directory for both, and the host's.
    expect(await readFile(join(shared, 'got'), 'utf8')).toBe('hello-from-server\n');
    // The host reaches the pod at its IP.
    expect(await (await fetch(`http://${sandbox.ip}:8080/`)).text()).toBe('hello-from-server\n');

    await driver.stopContainer(server.id, 5);
    const st = await driver.waitContainer(server.id, AbortSignal.timeout(5_000));
    expect(st.state).toBe('exited');
    for (const id of [server.id, client.id]) await driver.removeContainer(id);
    expect(await driver.inspect(server.id)).toBeUndefined();
    await driver.removeSandbox(p);
  });

  it('reports exit codes and reasons, and refuses what it cannot run', async () => {
    const p = pod('codes');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'codes', hostNetwork: false });
    const ok = await driver.startContainer(spec(p, sandbox, 'ok', ['true']));
    const bad = await driver.startContainer(spec(p, sandbox, 'bad', ['sh', '-c', 'exit 3']));
    expect(await driver.waitContainer(ok.id, AbortSignal.timeout(5_000))).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const b = await driver.waitContainer(bad.id, AbortSignal.timeout(5_000));
    expect(b).toMatchObject({ state: 'exited', exitCode: 3, reason: 'Error' });
    expect(Date.parse(b.finishedAt)).toBeGreaterThanOrEqual(Date.parse(b.startedAt!));
    expect((await driver.inspect(bad.id))?.status).toEqual(b);
    await expect(driver.startContainer(spec(p, sandbox, 'nocmd', []))).rejects.toThrow(/command is required/);
    await expect(driver.startContainer(spec(p, sandbox, 'missing', ['no-such-binary-shoal']))).rejects.toThrow(/not found in PATH/);
  });

  it('starts a container once per attempt', async () => {
    const p = pod('idem');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'idem', hostNetwork: false });
    const s = spec(p, sandbox, 'c', ['sleep', '30']);
    const [a, b] = await Promise.all([driver.startContainer(s), driver.startContainer(s)]);
    const c = await driver.startContainer(s);
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect(c.status.state === 'running' && a.status.state === 'running' && c.status.startedAt === a.status.startedAt).toBe(true);
    const next = await driver.startContainer({ ...s, attempt: 1 });
    expect(next.id).not.toBe(a.id);
    expect(next.attempt).toBe(1);
    await driver.stopContainer(a.id, 0);
    await driver.stopContainer(next.id, 0);
    expect((await driver.inspect(a.id))?.status).toMatchObject({ state: 'exited', exitCode: 137, signal: 9 });
  });

  it('stops a container that traps SIGTERM at once, and kills one that ignores it after the grace period', async () => {
    const p = pod('stop');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'stop', hostNetwork: false });
    const polite = await driver.startContainer(
      spec(p, sandbox, 'polite', ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done']),
    );
    const stubborn = await driver.startContainer(spec(p, sandbox, 'stubborn', ['sh', '-c', 'trap "" TERM; echo ready; while true; do sleep 0.1; done']));
    for (const c of [polite, stubborn]) {
      await eventually(async () => (await readAll(await driver.logs(c.id, { follow: false }))).includes('ready'), `${c.name} ready`);
    }
    let t = Date.now();
    await driver.stopContainer(polite.id, 2);
    expect(Date.now() - t).toBeLessThan(1_500);
    expect((await driver.inspect(polite.id))?.status).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await readAll(await driver.logs(polite.id, { follow: false }))).toContain('got TERM');

    t = Date.now();
    await driver.stopContainer(stubborn.id, 2);
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(4_000);
    expect(await driver.waitContainer(stubborn.id, AbortSignal.timeout(1_000))).toMatchObject({ exitCode: 137, reason: 'Error', signal: 9 });
    // Stopping again is fine.
    await driver.stopContainer(stubborn.id, 2);
    await driver.stopContainer('no-such-pod_c_0', 2);
  });

  it('serves logs with tail and follow', async () => {
    const p = pod('logs');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'logs', hostNetwork: false });
    const c = await driver.startContainer(
      spec(p, sandbox, 'c', ['sh', '-c', 'for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; sleep 0.5; echo last']),
    );
    const followed = readAll(await driver.logs(c.id, { follow: true, signal: AbortSignal.timeout(10_000) }));
    await driver.waitContainer(c.id, AbortSignal.timeout(5_000));
    expect(await followed).toBe('line 1\nline 2\nline 3\nline 4\nline 5\noops\nlast\n');
    expect(await readAll(await driver.logs(c.id, { follow: false, tail: 2 }))).toBe('oops\nlast\n');
    expect(await readAll(await driver.logs(c.id, { follow: false, tail: 0 }))).toBe('');
    expect(await readAll(await driver.logs(c.id, { follow: false, tail: 100 }))).toContain('line 1\n');
    // Aborting a follow ends the stream.
    const long = await driver.startContainer(spec(p, sandbox, 'long', ['sh', '-c', 'echo start; sleep 30']));
    const ac = new AbortController();
    const f = readAll(await driver.logs(long.id, { follow: true, signal: ac.signal }));
    setTimeout(() => ac.abort(), 300);
    expect(await f).toBe('start\n');
    await driver.stopContainer(long.id, 0);
  });

  it('execs in the container environment with stdin and an exit code', async () => {
    const p = pod('exec');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'exec', hostNetwork: false });
    const c = await driver.startContainer(spec(p, sandbox, 'c', ['sleep', '30'], { env: { POD_IP: sandbox.ip, FOO: 'bar' }, workingDir: '/work' }));
    const out = collector();
    const err = collector();
    const code = await driver.exec(c.id, {
      command: ['sh', '-c', 'echo $FOO $POD_IP $HOSTNAME; pwd; cat; echo to-err >&2; exit 4'],
      tty: false,
      stdin: Readable.from([Buffer.from('from stdin\n')]),
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(4);
    const lines = out.text().split('\n');
    expect(lines[0]).toBe(`bar ${sandbox.ip} exec`);
    expect(lines[1]).toMatch(/\/root\/c\/work$/);
    expect(lines[2]).toBe('from stdin');
    expect(err.text()).toBe('to-err\n');
    // A command that does not read what it is given on stdin still ends with its code.
    const big = Readable.from([Buffer.alloc(4 * 1024 * 1024, 'x')]);
    expect(await driver.exec(c.id, { command: ['sh', '-c', 'exit 6'], tty: false, stdin: big, stdout: out.stream, stderr: err.stream })).toBe(6);
    await driver.stopContainer(c.id, 0);
    await expect(driver.exec(c.id, { command: ['true'], tty: false, stdout: out.stream, stderr: err.stream })).rejects.toThrow(/not running/);
  });

  it('keeps named volume data across containers and pods', async () => {
    await driver.ensureVolume('pvc-data');
    await driver.ensureVolume('pvc-data');
    const mounts = [{ source: { type: 'volume' as const, name: 'pvc-data' }, target: '/var/lib/data', readOnly: false }];
    const p1 = pod('writer');
    const s1 = await driver.ensureSandbox({ pod: p1, hostname: 'writer', hostNetwork: false });
    const w = await driver.startContainer(spec(p1, s1, 'w', ['sh', '-c', 'echo persisted > var/lib/data/x'], { mounts }));
    expect((await driver.waitContainer(w.id, AbortSignal.timeout(5_000))).exitCode).toBe(0);
    await driver.removeContainer(w.id);
    await driver.removeSandbox(p1);
    const p2 = pod('reader');
    const s2 = await driver.ensureSandbox({ pod: p2, hostname: 'reader', hostNetwork: false });
    const r = await driver.startContainer(spec(p2, s2, 'r', ['cat', 'x'], { mounts, workingDir: '/var/lib/data' }));
    await driver.waitContainer(r.id, AbortSignal.timeout(5_000));
    expect(await readAll(await driver.logs(r.id, { follow: false }))).toBe('persisted\n');
  });

  it('is re-adopted by a new driver on the same data directory', async () => {
    const p = pod('adopt');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'adopt', hostNetwork: false });
    const marker = join(dir, 'adopt-marker');
    await writeFile(marker, '');
    const running = await driver.startContainer(
      spec(p, sandbox, 'app', ['sh', '-c', `trap "echo term >> ${marker}; exit 7" TERM; while true; do sleep 0.1; done`]),
    );
    const finished = await driver.startContainer(spec(p, sandbox, 'job', ['sh', '-c', 'exit 5']));
    await driver.waitContainer(finished.id, AbortSignal.timeout(5_000));
    await driver.close();

    // The "restarted agent".
    const again = newDriver();
    const found = (await again.recover()).filter((h) => h.pod.uid === p.uid);
    expect(found.map((h) => `${h.role}/${h.name}/${h.attempt}/${h.status.state}`).sort()).toEqual([
      'container/app/0/running',
      'container/job/0/exited',
      'sandbox/sandbox/0/running',
    ]);
    const app = found.find((h) => h.name === 'app')!;
    expect(app.id).toBe(running.id);
    expect(app.pod).toEqual(p);
    expect(found.find((h) => h.name === 'job')!.status).toMatchObject({ exitCode: 5, reason: 'Error' });
    // Idempotent start after the restart: the same process, not a new one.
    const same = await again.startContainer(spec(p, sandbox, 'app', ['sh', '-c', 'exit 99']));
    expect(same.id).toBe(running.id);
    expect(same.status.state === 'running' && running.status.state === 'running' && same.status.pid === running.status.pid).toBe(true);

    const waited = again.waitContainer(app.id, AbortSignal.timeout(10_000));
    await again.stopContainer(app.id, 5);
    expect(await waited).toMatchObject({ state: 'exited', exitCode: 7, reason: 'Error' });
    expect(await readFile(marker, 'utf8')).toBe('term\n');
    driver = again;
  });
});

// The simulated driver (scale benchmarks only) lives here too: it needs neither Docker nor files.
describe('simulated driver', () => {
  it('runs containers until they are stopped, with made-up pod IPs', async () => {
    const d = createDriver('simulated', { node: 'hollow-1', capacity: { cpu: '8', memory: '32Gi', pods: '110' } });
    expect((await d.fingerprint()).capacity.cpu).toBe('8');
    const p = pod('sim');
    const s = await d.ensureSandbox({ pod: p, hostname: 'sim', hostNetwork: false });
    const s2 = await d.ensureSandbox({ pod: pod('sim2'), hostname: 'sim2', hostNetwork: false });
    expect(s.ip).toMatch(/^100\.\d+\.\d+\.\d+$/);
    expect(s2.ip).not.toBe(s.ip);
    expect(await d.ensureSandbox({ pod: p, hostname: 'sim', hostNetwork: false })).toEqual(s);
    const c = await d.startContainer(spec(p, s, 'c', ['anything']));
    expect((await d.startContainer(spec(p, s, 'c', ['anything']))).id).toBe(c.id);
    expect(c.status.state).toBe('running');
    const waited = d.waitContainer(c.id);
    await d.stopContainer(c.id, 30);
    expect(await waited).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect((await d.recover()).map((h) => h.role).sort()).toEqual(['container', 'sandbox', 'sandbox']);
    await d.removeContainer(c.id);
    await d.removeSandbox(p);
    expect(await d.inspect(c.id)).toBeUndefined();
  });
});
