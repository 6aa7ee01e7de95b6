// The docker driver against the real dockerd, with the images scripts/images.sh builds locally
// (no registry is reachable). Everything the test creates carries its own node label and is
// removed by it; the pod network is the test's own.
import { collector, readAll } from './streams.js';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ImagePullError,
  LABEL_ATTEMPT,
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_ROLE,
  type ContainerSpec,
  type PodRef,
  type Sandbox,
} from '../services/node-agent/driver.js';
import { DockerDriver, FALLBACK_SANDBOX_IMAGE } from '../services/node-agent/drivers/docker.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { removeAllPods } from '../services/node-agent/teardown.js';
import { eventually, tempDir } from './harness.js';

const BUSYBOX = 'shoal/busybox:1.36';
const NODE = `drvtest-${process.pid}-${randomUUID().slice(0, 6)}`;
const NETWORK = `shoal-drvtest-${process.pid}`;
const SUBNET = `10.251.${process.pid % 250}.0/24`;
const docker = new Docker();
let driver: DockerDriver;
let dir: string;
let cleanupDir: () => Promise<void>;
let dockerdPid = '';

function pod(name: string): PodRef {
  return { uid: randomUUID(), namespace: 'drvtest', name };
}

function spec(p: PodRef, sandbox: Sandbox, name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    pod: p,
    sandbox,
    name,
    attempt: 0,
    image: BUSYBOX,
    env: {},
    cpuMillis: 0,
    memoryBytes: 0,
    mounts: [],
    stdin: false,
    tty: false,
    ...extra,
  };
}

function sh(script: string): Partial<ContainerSpec> {
  return { command: ['sh', '-c', script] };
}


async function logsOf(id: string, tail?: number): Promise<string> {
  return readAll(await driver.logs(id, { follow: false, ...(tail === undefined ? {} : { tail }) }));
}

beforeAll(async () => {
  dockerdPid = execFileSync('bash', ['scripts/dockerd.sh', 'start'], { encoding: 'utf8' }).trim();
  execFileSync('bash', ['scripts/images.sh'], { stdio: 'inherit' });
  ({ dir, cleanup: cleanupDir } = await tempDir('shoal-docker-driver-'));
  await chmod(dir, 0o755);
  driver = new DockerDriver({ node: NODE, networkName: NETWORK, subnet: SUBNET, internalIP: '192.0.2.99' });
});

afterAll(async () => {
  const label = { label: [`${LABEL_NODE}=${NODE}`] };
  for (const c of await docker.listContainers({ all: true, filters: label })) await docker.getContainer(c.Id).remove({ force: true, v: true });
  for (const v of (await docker.listVolumes({ filters: label })).Volumes ?? []) await docker.getVolume(v.Name).remove();
  await docker.getNetwork(NETWORK).remove().catch(() => undefined);
  await driver.close();
  await cleanupDir();
  if (dockerdPid) execFileSync('bash', ['scripts/dockerd.sh', 'stop', dockerdPid]);
});

describe('docker driver', () => {
  it('fingerprints the daemon and creates the pod network once', async () => {
    const fp = await driver.fingerprint();
    expect(Number(fp.capacity.cpu)).toBeGreaterThan(0);
    expect(fp.capacity.memory).toMatch(/^\d+Ki$/);
    expect(fp.capacity.pods).toBe('110');
    expect(fp.runtimeVersion).toMatch(/^docker:\/\/\d+\./);
    expect(fp.architecture).toMatch(/^(amd64|arm64)$/);
    expect(fp.internalIP).toBe('192.0.2.99');
    // A second agent on the machine shares the network.
    const other = createDriver('docker', { node: `${NODE}-b`, networkName: NETWORK, subnet: SUBNET });
    expect(other.name).toBe('docker');
    await other.fingerprint();
    const nets = await docker.listNetworks({ filters: { name: [NETWORK] } });
    expect(nets.filter((n) => n.Name === NETWORK)).toHaveLength(1);
    expect(nets.find((n) => n.Name === NETWORK)?.IPAM?.Config?.[0]?.Subnet).toBe(SUBNET);
  });

  it('runs a pod whose containers share localhost, the pod IP and a mount', async () => {
    const p = pod('web');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'web', hostNetwork: false });
    expect(sandbox.ip).toMatch(new RegExp(`^10\\.251\\.${process.pid % 250}\\.\\d+$`));
    expect(await driver.ensureSandbox({ pod: p, hostname: 'web', hostNetwork: false })).toEqual(sandbox);
    // No registry here: the default pause image falls back to the local one.
    const sbInfo = await docker.getContainer(sandbox.id).inspect();
    expect(sbInfo.Config.Image).toBe(FALLBACK_SANDBOX_IMAGE);
    expect(sbInfo.Name).toBe(`/shoal_drvtest_web_${p.uid.slice(0, 8)}_sandbox`);
    expect(sbInfo.Config.Hostname).toBe('web');
    expect(sbInfo.Config.Labels).toMatchObject({
      [LABEL_POD_UID]: p.uid,
      [LABEL_POD_NAME]: 'web',
      [LABEL_POD_NAMESPACE]: 'drvtest',
      [LABEL_ROLE]: 'sandbox',
      [LABEL_NODE]: NODE,
    });

    const shared = join(dir, 'emptydir-web');
    await mkdir(shared);
    const mounts = [{ source: { type: 'hostPath' as const, path: shared }, target: '/shared', readOnly: false }];
    const server = await driver.startContainer(
      spec(p, sandbox, 'server', { ...sh('echo hello > /shared/f && mkdir -p /www && cp /shared/f /www/f && exec httpd -f -p 8080 -h /www'), mounts }),
    );
    expect(server.status.state).toBe('running');
    const client = await driver.startContainer(
      spec(p, sandbox, 'client', {
        ...sh('until wget -qO- http://127.0.0.1:8080/f > /shared/got; do sleep 0.1; done; cat /shared/got; hostname'),
        mounts,
      }),
    );
    expect(await driver.waitContainer(client.id, AbortSignal.timeout(15_000))).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await logsOf(client.id)).toBe('hello\nweb\n');
    expect(await readFile(join(shared, 'got'), 'utf8')).toBe('hello\n');
    // The host reaches the pod at its IP.
    expect(await (await fetch(`http://${sandbox.ip}:8080/f`, { signal: AbortSignal.timeout(5_000) })).text()).toBe('hello\n');

    const info = await docker.getContainer(server.id).inspect();
    expect(info.Name).toBe(`/shoal_drvtest_web_${p.uid.slice(0, 8)}_server_0`);
    expect(info.HostConfig.NetworkMode).toBe(`container:${sandbox.id}`);
    expect(info.Config.Labels).toMatchObject({ [LABEL_CONTAINER_NAME]: 'server', [LABEL_ATTEMPT]: '0', [LABEL_ROLE]: 'container' });

    await driver.stopContainer(server.id, 0);
    for (const id of [server.id, client.id]) await driver.removeContainer(id);
    await driver.removeSandbox(p);
    expect(await driver.inspect(sandbox.id)).toBeUndefined();
    await driver.removeSandbox(p);
    await driver.removeContainer(server.id); // gone is fine
    await driver.stopContainer(server.id, 1);
  });

  it('applies command, args, env, workingDir and limits, and reports exit codes', async () => {
    const p = pod('codes');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'codes', hostNetwork: false });
    const ok = await driver.startContainer(
      spec(p, sandbox, 'ok', {
        args: ['sh', '-c', 'echo "$GREETING from $(pwd)"'],
        env: { GREETING: 'hi there' },
        workingDir: '/tmp',
        cpuMillis: 250,
        memoryBytes: 64 * 1024 * 1024,
      }),
    );
    const bad = await driver.startContainer(spec(p, sandbox, 'bad', { command: ['sh', '-c'], args: ['exit 3'] }));
    expect(await driver.waitContainer(ok.id, AbortSignal.timeout(10_000))).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await logsOf(ok.id)).toBe('hi there from /tmp\n');
    const b = await driver.waitContainer(bad.id, AbortSignal.timeout(10_000));
    expect(b).toMatchObject({ state: 'exited', exitCode: 3, reason: 'Error' });
    expect(Date.parse(b.finishedAt)).toBeGreaterThanOrEqual(Date.parse(b.startedAt!));
    expect((await driver.inspect(bad.id))?.status).toEqual(b);
    const hc = (await docker.getContainer(ok.id).inspect()).HostConfig;
    expect(hc.NanoCpus).toBe(250_000_000);
    expect(hc.Memory).toBe(64 * 1024 * 1024);
    // Over its memory limit: OOMKilled.
    const oom = await driver.startContainer(
      spec(p, sandbox, 'oom', { ...sh('a=$(head -c 50000000 /dev/zero | tr "\\0" x); echo ${#a}'), memoryBytes: 8 * 1024 * 1024 }),
    );
    expect(await driver.waitContainer(oom.id, AbortSignal.timeout(20_000))).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    // An executable that does not exist: the start fails with the daemon's reason.
    await expect(driver.startContainer(spec(p, sandbox, 'missing', { command: ['/no/such/binary'] }))).rejects.toThrow(/no such file|not found/i);
  });

  it('starts a container once per attempt', async () => {
    const p = pod('idem');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'idem', hostNetwork: false });
    const s = spec(p, sandbox, 'c', sh('sleep 30'));
    const [a, b] = await Promise.all([driver.startContainer(s), driver.startContainer(s)]);
    expect(b.id).toBe(a.id);
    expect((await driver.startContainer(s)).id).toBe(a.id);
    const next = await driver.startContainer({ ...s, attempt: 1 });
    expect(next.id).not.toBe(a.id);
    expect(next.attempt).toBe(1);
    await Promise.all([driver.stopContainer(a.id, 0), driver.stopContainer(next.id, 0)]);
    expect((await driver.inspect(a.id))?.status).toMatchObject({ state: 'exited', exitCode: 137, reason: 'Error' });
  });

  it('stops a container that traps SIGTERM at once, and kills one that ignores it after the grace period', async () => {
    const p = pod('stop');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'stop', hostNetwork: false });
    const polite = await driver.startContainer(spec(p, sandbox, 'polite', sh('trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 0.1; done')));
    const stubborn = await driver.startContainer(spec(p, sandbox, 'stubborn', sh('trap "" TERM; echo ready; while true; do sleep 0.1; done')));
    for (const c of [polite, stubborn]) await eventually(async () => (await logsOf(c.id)).includes('ready'), `${c.name} ready`);

    let t = Date.now();
    await driver.stopContainer(polite.id, 2);
    expect(Date.now() - t).toBeLessThan(1_500);
    expect((await driver.inspect(polite.id))?.status).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(await logsOf(polite.id)).toContain('got TERM');

    t = Date.now();
    const waited = driver.waitContainer(stubborn.id, AbortSignal.timeout(10_000));
    await driver.stopContainer(stubborn.id, 2);
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(5_000);
    expect(await waited).toMatchObject({ state: 'exited', exitCode: 137, reason: 'Error' });
    await driver.stopContainer(stubborn.id, 2); // stopped already: fine
  });

  it('recovers everything it created on this node, with its labels', async () => {
    const p = pod('recover');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'recover', hostNetwork: false });
    const c = await driver.startContainer(spec(p, sandbox, 'app', { ...sh('sleep 30'), attempt: 2 }));
    // A new driver instance: the "restarted agent".
    const again = new DockerDriver({ node: NODE, networkName: NETWORK, subnet: SUBNET });
    const mine = (await again.recover()).filter((h) => h.pod.uid === p.uid);
    expect(mine.map((h) => `${h.role}/${h.name}/${h.attempt}/${h.status.state}`).sort()).toEqual(['container/app/2/running', 'sandbox/sandbox/0/running']);
    const app = mine.find((h) => h.role === 'container')!;
    expect(app).toMatchObject({ id: c.id, pod: p, image: BUSYBOX });
    expect(app.imageID).toMatch(/^sha256:/);
    expect(mine.find((h) => h.role === 'sandbox')!.id).toBe(sandbox.id);
    // Nothing of another node.
    expect((await new DockerDriver({ node: `${NODE}-other`, networkName: NETWORK }).recover()).some((h) => h.pod.uid === p.uid)).toBe(false);
    await again.stopContainer(c.id, 0);
  });

  it('keeps named volume data after its container and pod are gone', async () => {
    const vol = `shoal-drvtest-${process.pid}-pvc`;
    await driver.ensureVolume(vol);
    await driver.ensureVolume(vol);
    expect((await docker.getVolume(vol).inspect()).Labels).toMatchObject({ [LABEL_NODE]: NODE });
    const mounts = [{ source: { type: 'volume' as const, name: vol }, target: '/data', readOnly: false }];
    const p1 = pod('writer');
    const s1 = await driver.ensureSandbox({ pod: p1, hostname: 'writer', hostNetwork: false });
    const w = await driver.startContainer(spec(p1, s1, 'w', { ...sh('echo persisted > /data/x'), mounts }));
    expect((await driver.waitContainer(w.id, AbortSignal.timeout(10_000))).exitCode).toBe(0);
    await driver.removeContainer(w.id);
    await driver.removeSandbox(p1);
    const p2 = pod('reader');
    const s2 = await driver.ensureSandbox({ pod: p2, hostname: 'reader', hostNetwork: false });
    const r = await driver.startContainer(spec(p2, s2, 'r', { command: ['cat', 'x'], workingDir: '/data', mounts }));
    await driver.waitContainer(r.id, AbortSignal.timeout(10_000));
    expect(await logsOf(r.id)).toBe('persisted\n');
  });

  it('pulls per policy', async () => {
    await driver.pullImage(BUSYBOX, 'Never');
    await driver.pullImage(BUSYBOX, 'IfNotPresent');
    const never = await driver.pullImage('shoal/does-not-exist:1', 'Never').catch((e: unknown) => e);
    expect(never).toBeInstanceOf(ImagePullError);
    expect(never).toMatchObject({ reason: 'ErrImageNeverPull' });
    const missing = await driver.pullImage('shoal/does-not-exist:1', 'IfNotPresent').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ImagePullError);
    expect(missing).toMatchObject({ reason: 'ErrImagePull' });
    expect((missing as Error).message).toMatch(/Failed to pull image "shoal\/does-not-exist:1": .+/);
    // Always means a pull, and there is no registry here: it fails although the image is present.
    await expect(driver.pullImage(BUSYBOX, 'Always')).rejects.toMatchObject({ reason: 'ErrImagePull' });
  });

  it('execs with stdin, separate stdout and stderr, and an exit code', async () => {
    const p = pod('exec');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'exec', hostNetwork: false });
    const c = await driver.startContainer(spec(p, sandbox, 'c', { ...sh('sleep 30'), env: { FOO: 'bar' } }));
    const out = collector();
    const err = collector();
    const code = await driver.exec(c.id, {
      command: ['sh', '-c', 'echo $FOO $(hostname); cat; echo to-err >&2; exit 4'],
      tty: false,
      stdin: Readable.from([Buffer.from('from stdin\n')]),
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(4);
    expect(out.text()).toBe('bar exec\nfrom stdin\n');
    expect(err.text()).toBe('to-err\n');
    // A command that does not read what it is given on stdin still ends with its code.
    const big = Readable.from([Buffer.alloc(4 * 1024 * 1024, 'x')]);
    expect(await driver.exec(c.id, { command: ['sh', '-c', 'exit 6'], tty: false, stdin: big, stdout: out.stream, stderr: err.stream })).toBe(6);
    const tty = collector();
    expect(await driver.exec(c.id, { command: ['sh', '-c', 'echo tty; exit 0'], tty: true, stdout: tty.stream, stderr: tty.stream })).toBe(0);
    expect(tty.text()).toBe('tty\r\n');
    await driver.stopContainer(c.id, 0);
  });

  it('attaches to a container\'s stdin and output, and ends with its exit code', async () => {
    const p = pod('attach');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'attach', hostNetwork: false });
    // stdin + stdinOnce: the end of the attached stdin closes the shell's.
    const shell = await driver.startContainer(spec(p, sandbox, 'shell', { command: ['sh'], stdin: true, stdinOnce: true }));
    let out = collector();
    let err = collector();
    const code = await driver.attach(shell.id, {
      tty: false,
      stdin: Readable.from([Buffer.from('echo "$((6*7))"; echo to-err >&2; exit 3\n')]),
      stdout: out.stream,
      stderr: err.stream,
      signal: AbortSignal.timeout(20_000),
    });
    expect(code).toBe(3);
    expect(out.text()).toBe('42\n');
    expect(err.text()).toBe('to-err\n');
    expect(await driver.waitContainer(shell.id, AbortSignal.timeout(5_000))).toMatchObject({ exitCode: 3 });

    // With a tty: one stream, the terminal's line endings.
    const term = await driver.startContainer(spec(p, sandbox, 'term', { ...sh('read x; echo "got $x"; exit 1'), stdin: true, stdinOnce: true, tty: true }));
    out = collector();
    const ttyCode = await driver.attach(term.id, { tty: true, stdin: Readable.from([Buffer.from('hi\n')]), stdout: out.stream, stderr: out.stream, signal: AbortSignal.timeout(20_000) });
    expect(ttyCode).toBe(1);
    expect(out.text()).toContain('got hi\r\n');

    // A container that has already exited (or exits before the attach is in place) gives
    // all of its output and its code.
    for (const name of ['quick', 'quicker']) {
      const c = await driver.startContainer(spec(p, sandbox, name, sh('echo out; echo err >&2; exit 5')));
      if (name === 'quick') await driver.waitContainer(c.id, AbortSignal.timeout(10_000));
      out = collector();
      err = collector();
      expect(await driver.attach(c.id, { tty: false, stdout: out.stream, stderr: err.stream, signal: AbortSignal.timeout(20_000) })).toBe(5);
      expect(out.text()).toBe('out\n');
      expect(err.text()).toBe('err\n');
    }

    // Detaching (abort) leaves the container running: no exit code.
    const long = await driver.startContainer(spec(p, sandbox, 'long', sh('sleep 1; echo tick; sleep 30')));
    out = collector();
    const ac = new AbortController();
    const detached = driver.attach(long.id, { tty: false, stdout: out.stream, stderr: out.stream, signal: ac.signal });
    await eventually(() => Promise.resolve(out.text() === 'tick\n'), 'the attached output', 10_000);
    ac.abort();
    expect(await detached).toBeUndefined();
    expect((await driver.inspect(long.id))?.status.state).toBe('running');
    // stdin for a container without it is refused.
    await expect(driver.attach(long.id, { tty: false, stdin: Readable.from([]), stdout: out.stream, stderr: out.stream })).rejects.toThrow(/stdin/);
    await driver.stopContainer(long.id, 0);
  });

  it('replaces a sandbox that stopped with a new one', async () => {
    const p = pod('resandbox');
    const first = await driver.ensureSandbox({ pod: p, hostname: 'resandbox', hostNetwork: false });
    expect(await driver.ensureSandbox({ pod: p, hostname: 'resandbox', hostNetwork: false })).toEqual(first);
    await docker.getContainer(first.id).kill();
    await driver.waitContainer(first.id, AbortSignal.timeout(10_000));
    const second = await driver.ensureSandbox({ pod: p, hostname: 'resandbox', hostNetwork: false });
    expect(second.id).not.toBe(first.id);
    expect((await driver.inspect(second.id))?.status.state).toBe('running');
    expect(await driver.inspect(first.id)).toBeUndefined();
    await driver.removeSandbox(p);
  });

  it('serves logs with tail and follow', async () => {
    const p = pod('logs');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'logs', hostNetwork: false });
    // stdout and stderr are separate pipes: their order in the log holds only across a pause.
    const c = await driver.startContainer(spec(p, sandbox, 'c', sh('for i in 1 2 3 4 5; do echo line $i; done; sleep 0.2; echo oops >&2; sleep 0.3; echo last')));
    const followed = readAll(await driver.logs(c.id, { follow: true, signal: AbortSignal.timeout(10_000) }));
    await driver.waitContainer(c.id, AbortSignal.timeout(10_000));
    expect(await followed).toBe('line 1\nline 2\nline 3\nline 4\nline 5\noops\nlast\n');
    expect(await logsOf(c.id, 2)).toBe('oops\nlast\n');
    expect(await logsOf(c.id, 0)).toBe('');
    // Aborting a follow ends the stream.
    const long = await driver.startContainer(spec(p, sandbox, 'long', sh('echo start; sleep 30')));
    await eventually(async () => (await logsOf(long.id)).includes('start'), 'long started');
    const ac = new AbortController();
    const f = readAll(await driver.logs(long.id, { follow: true, signal: ac.signal }));
    setTimeout(() => ac.abort(), 300);
    expect(await f).toBe('start\n');
    await driver.stopContainer(long.id, 0);
  });

  it('gives hostNetwork pods the node address', async () => {
    const p = pod('hostnet');
    const sandbox = await driver.ensureSandbox({ pod: p, hostname: 'hostnet', hostNetwork: true });
    expect(sandbox.ip).toBe('192.0.2.99');
    const c = await driver.startContainer(spec(p, sandbox, 'c', sh('test -e /sys/class/net/lo && echo ok')));
    expect(await driver.waitContainer(c.id, AbortSignal.timeout(10_000))).toMatchObject({ exitCode: 0 });
    await driver.removeContainer(c.id);
    await driver.removeSandbox(p);
  });

  it('keeps clusters that share a Docker host apart, and removeAllPods takes only its own node\'s pods', async () => {
    // Another cluster's node with the same name, on the same network and daemon.
    const other = new DockerDriver({ node: NODE, cluster: 'other-cluster', networkName: NETWORK, subnet: SUBNET, sandboxImage: FALLBACK_SANDBOX_IMAGE });
    try {
      const mine = pod('mine');
      const theirs = pod('theirs');
      const sbMine = await driver.ensureSandbox({ pod: mine, hostname: 'mine', hostNetwork: false });
      const sbTheirs = await other.ensureSandbox({ pod: theirs, hostname: 'theirs', hostNetwork: false });
      await driver.startContainer(spec(mine, sbMine, 'c', sh('sleep 30')));
      const theirsC = await other.startContainer(spec(theirs, sbTheirs, 'c', sh('trap "exit 0" TERM; sleep 30 & wait')));
      expect((await docker.getContainer(sbTheirs.id).inspect()).Config.Labels[LABEL_NODE]).toBe(`other-cluster/${NODE}`);
      // Neither sees the other's containers, though both nodes are called NODE.
      expect((await driver.recover()).some((h) => h.pod.uid === theirs.uid)).toBe(false);
      const recovered = await other.recover();
      expect(new Set(recovered.map((h) => h.pod.uid))).toEqual(new Set([theirs.uid]));

      expect(await removeAllPods(other, 5)).toBe(1);
      expect(await other.recover()).toEqual([]);
      await expect(docker.getContainer(theirsC.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
      // This cluster's pod was left alone.
      expect((await driver.recover()).filter((h) => h.pod.uid === mine.uid).map((h) => h.status.state).sort()).toEqual(['running', 'running']);
      await driver.removeSandbox(mine);
    } finally {
      const leftovers = { label: [`${LABEL_NODE}=other-cluster/${NODE}`] };
      for (const c of await docker.listContainers({ all: true, filters: leftovers })) await docker.getContainer(c.Id).remove({ force: true });
      await other.close();
    }
  });
});
