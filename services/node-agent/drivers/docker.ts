// The Docker driver (dockerode), as the kubelet's dockershim did it: each pod is a sandbox
// container that owns the pod's network (and IPC) namespace on a bridge network, and the app
// containers join it with `--network container:<sandbox>`, so they share localhost and the
// pod's IP.
//
// Every container it creates carries the driver's labels (pod uid, namespace, name, container
// name, attempt, role, node) and a deterministic name, so starts are idempotent by name and a
// restarted agent finds everything again with one labelled list.
//
// One bridge network (default `shoal0`, 10.244.0.0/16) serves every agent on the machine:
// the first to start creates it, the others use it, and pods of different nodes on one
// machine reach each other directly.
import Docker from 'dockerode';
import { Readable, Transform, type TransformCallback, type Duplex, type Writable } from 'node:stream';
import { NotFoundError } from '../../../lib/errors.js';
import {
  ImagePullError,
  LABEL_ATTEMPT,
  LABEL_CONTAINER_NAME,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_ROLE,
  type AttachOptions,
  type ContainerDriver,
  type ContainerHandle,
  type ContainerSpec,
  type ContainerStatus,
  type ExecOptions,
  type LogOptions,
  type NodeFingerprint,
  type PodRef,
  type PullPolicy,
  type Sandbox,
  type SandboxSpec,
} from '../driver.js';
import { defaultInternalIP, goArch } from './process.js';

/** The kubelet's default sandbox image. */
export const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.9';
/** Built locally by scripts/images.sh; used when the default cannot be had (no registry). */
export const FALLBACK_SANDBOX_IMAGE = 'shoal/pause:3.9';
/** Marks the shared pod network (it belongs to no single node). */
export const LABEL_NETWORK = 'io.shoal.network';

export interface DockerDriverOptions {
  /** The node's name: every container is labelled with it. */
  node: string;
  /** The cluster's name, for a Docker host that several clusters share (a `shoal up` and
   * the compose demo both have a node-1): containers are then labelled `<cluster>/<node>`,
   * so an agent never adopts, or removes as orphans, another cluster's containers. */
  cluster?: string;
  /** Default registry.k8s.io/pause:3.9; when that is absent and cannot be pulled, the driver
   * falls back to shoal/pause:3.9 if present. An image set here explicitly is used as is. */
  sandboxImage?: string;
  /** The bridge network the pods live on, shared by every agent on the machine. */
  networkName?: string;
  /** Its subnet, used when the driver creates it. */
  subnet?: string;
  /** The node's address (fingerprint, hostNetwork pods); default: the first non-internal IPv4. */
  internalIP?: string;
  /** A client to use instead of `new Docker()` (the default socket). */
  docker?: Docker;
}

type Exited = ContainerStatus & { state: 'exited' };

interface DockerInfo {
  NCPU: number;
  MemTotal: number;
  ServerVersion: string;
  KernelVersion: string;
  OperatingSystem: string;
  Architecture: string;
}

/** The HTTP status of a dockerode error, if it has one. */
function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The daemon's own message (dockerode prefixes "(HTTP code 404) unexpected - "). */
function daemonMessage(err: unknown): string {
  const json = (err as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  if (typeof json === 'string' && json) return json.trim();
  return err instanceof Error ? err.message : String(err);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** Docker's "never" timestamp. */
function time(t: string | undefined): string | undefined {
  return !t || t.startsWith('0001-01-01') ? undefined : t;
}

function nameSegment(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** How long an attach stream may stay open after its container stopped: the daemon closes
 * it at once when it was attached before the stop, and never when the container had
 * stopped before the attach was in place. */
const ATTACH_DRAIN_MS = 1_000;

/** Writes a whole multiplexed buffer (non-tty logs) to stdout and stderr. */
function demuxBuffer(buf: Buffer, stdout: Writable, stderr: Writable): void {
  let at = 0;
  while (at + 8 <= buf.length) {
    const type = buf.readUInt8(at);
    const size = buf.readUInt32BE(at + 4);
    const data = buf.subarray(at + 8, at + 8 + size);
    (type === 2 ? stderr : stdout).write(data);
    at += 8 + size;
  }
}

/** Splits Docker's multiplexed stdout/stderr framing (8-byte headers) into raw bytes. */
class Demux extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      this.push(this.buf.subarray(8, 8 + size));
      this.buf = this.buf.subarray(8 + size);
    }
    done();
  }
}

export class DockerDriver implements ContainerDriver {
  readonly name = 'docker';
  private readonly docker: Docker;
  /** The value of every container's node label: the node, or `<cluster>/<node>`. */
  private readonly node: string;
  private readonly networkName: string;
  private readonly subnet: string;
  private readonly internalIP: string;
  private readonly sandboxImageOption: string | undefined;
  private sandboxImage?: Promise<string>;
  private network?: Promise<void>;

  constructor(opts: DockerDriverOptions) {
    this.docker = opts.docker ?? new Docker();
    this.node = opts.cluster ? `${opts.cluster}/${opts.node}` : opts.node;
    this.networkName = opts.networkName ?? 'shoal0';
    this.subnet = opts.subnet ?? '10.244.0.0/16';
    this.internalIP = opts.internalIP ?? defaultInternalIP();
    this.sandboxImageOption = opts.sandboxImage;
  }

  async health(): Promise<void> {
    await this.docker.ping();
  }

  async fingerprint(): Promise<NodeFingerprint> {
    const info = (await this.docker.info()) as DockerInfo;
    await this.ensureNetwork();
    // Settle the sandbox image now (a pull, or the local fallback) rather than at the first
    // pod; a failure is retried by the first ensureSandbox.
    await this.resolveSandboxImage().catch(() => undefined);
    return {
      capacity: { cpu: String(info.NCPU), memory: `${Math.floor(info.MemTotal / 1024)}Ki`, pods: '110' },
      runtimeVersion: `docker://${info.ServerVersion}`,
      kernelVersion: info.KernelVersion,
      osImage: info.OperatingSystem,
      architecture: goArch(info.Architecture),
      internalIP: this.internalIP,
    };
  }

  /** The pod network, created if missing; concurrent agents race safely (CheckDuplicate). */
  private ensureNetwork(): Promise<void> {
    this.network ??= this.createNetwork().catch((err: unknown) => {
      this.network = undefined;
      throw err;
    });
    return this.network;
  }

  private async createNetwork(): Promise<void> {
    try {
      await this.docker.getNetwork(this.networkName).inspect();
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    try {
      await this.docker.createNetwork({
        Name: this.networkName,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: this.subnet }] },
        Labels: { [LABEL_NETWORK]: 'pods' },
        // The bridge interface is named after the network when the name fits (IFNAMSIZ).
        Options: this.networkName.length <= 15 ? { 'com.docker.network.bridge.name': this.networkName } : {},
      });
    } catch (err) {
      if (statusOf(err) !== 409) throw err; // another agent made it first
    }
  }

  private resolveSandboxImage(): Promise<string> {
    this.sandboxImage ??= this.pickSandboxImage().catch((err: unknown) => {
      this.sandboxImage = undefined;
      throw err;
    });
    return this.sandboxImage;
  }

  private async pickSandboxImage(): Promise<string> {
    const wanted = this.sandboxImageOption ?? DEFAULT_SANDBOX_IMAGE;
    try {
      await this.pullImage(wanted, 'IfNotPresent');
      return wanted;
    } catch (err) {
      if (!(err instanceof ImagePullError) || wanted !== DEFAULT_SANDBOX_IMAGE) throw err;
      if (await this.hasImage(FALLBACK_SANDBOX_IMAGE)) return FALLBACK_SANDBOX_IMAGE;
      throw new ImagePullError(
        `sandbox image ${wanted}: ${err.message}; and ${FALLBACK_SANDBOX_IMAGE} is not present (scripts/images.sh builds it)`,
        'ErrImagePull',
        { cause: err },
      );
    }
  }

  // --- images ---

  private async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async pullImage(image: string, policy: PullPolicy, signal?: AbortSignal): Promise<void> {
    if (policy === 'Never') {
      if (await this.hasImage(image)) return;
      throw new ImagePullError(`Container image "${image}" is not present with pull policy of Never`, 'ErrImageNeverPull');
    }
    if (policy === 'IfNotPresent' && (await this.hasImage(image))) return;
    // Always pulls, and a failed pull fails even when a copy is present (as the kubelet).
    try {
      const stream = await this.docker.pull(image, signal ? { abortSignal: signal } : {});
      await new Promise<void>((resolve, reject) => {
        let failed: string | undefined;
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => {
            if (err) reject(err);
            else if (failed) reject(new Error(failed));
            else resolve();
          },
          (event: { error?: string; errorDetail?: { message?: string } }) => {
            failed ??= event.errorDetail?.message ?? event.error;
          },
        );
      });
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw new ImagePullError(`Failed to pull image "${image}": ${daemonMessage(err)}`, 'ErrImagePull', { cause: err });
    }
  }

  // --- sandboxes ---

  private podLabels(pod: PodRef): Record<string, string> {
    return { [LABEL_POD_UID]: pod.uid, [LABEL_POD_NAMESPACE]: pod.namespace, [LABEL_POD_NAME]: pod.name, [LABEL_NODE]: this.node };
  }

  private podPrefix(pod: PodRef): string {
    return `shoal_${nameSegment(pod.namespace)}_${nameSegment(pod.name)}_${nameSegment(pod.uid.slice(0, 8))}`;
  }

  private async findSandboxes(uid: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_POD_UID}=${uid}`, `${LABEL_ROLE}=sandbox`, `${LABEL_NODE}=${this.node}`] },
    });
  }

  async ensureSandbox(spec: SandboxSpec): Promise<Sandbox> {
    const [existing] = await this.findSandboxes(spec.pod.uid);
    if (existing) {
      if (existing.State === 'running') return { id: existing.Id, ip: await this.sandboxIP(existing.Id) };
      // A sandbox that stopped (killed, or the machine rebooted) is not started again: as
      // the kubelet, a new one replaces it, with a new network namespace (and IP). The agent
      // has stopped the pod's containers first; it starts them again in the new one.
      await this.removeSandbox(spec.pod);
    }
    if (!spec.hostNetwork) await this.ensureNetwork();
    const image = await this.resolveSandboxImage();
    const name = `${this.podPrefix(spec.pod)}_sandbox`;
    let id: string;
    try {
      const c = await this.docker.createContainer({
        name,
        Image: image,
        Hostname: spec.hostname,
        Labels: { ...this.podLabels(spec.pod), [LABEL_ROLE]: 'sandbox' },
        HostConfig: {
          NetworkMode: spec.hostNetwork ? 'host' : this.networkName,
          IpcMode: 'shareable',
          RestartPolicy: { Name: 'no' },
          // The pod's resolv.conf; the app containers share the sandbox's (network container:).
          ...(spec.dns ? { Dns: spec.dns.nameservers, DnsSearch: spec.dns.searches, DnsOptions: spec.dns.options } : {}),
        },
      });
      id = c.id;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      id = (await this.createdConcurrently(name)).Id;
    }
    await this.start(id);
    return { id, ip: await this.sandboxIP(id) };
  }

  private async sandboxIP(id: string): Promise<string> {
    const info = await this.docker.getContainer(id).inspect();
    if (info.HostConfig.NetworkMode === 'host') return this.internalIP;
    const ip = info.NetworkSettings.Networks[this.networkName]?.IPAddress;
    if (!ip) throw new Error(`sandbox ${id.slice(0, 12)} has no address on network ${this.networkName}`);
    return ip;
  }

  /** Starts a container; one that is already running is fine. */
  private async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusOf(err) !== 304) throw err;
    }
  }

  async removeSandbox(pod: PodRef): Promise<void> {
    for (const s of await this.findSandboxes(pod.uid)) {
      // The pause process ignores SIGTERM: nothing to wait for.
      await this.stopContainer(s.Id, 0);
      await this.removeContainer(s.Id);
    }
  }

  async ensureVolume(name: string): Promise<void> {
    // Creating a volume that exists returns it.
    await this.docker.createVolume({ Name: name, Labels: { [LABEL_NODE]: this.node } });
  }

  // --- containers ---

  async startContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const name = `${this.podPrefix(spec.pod)}_${nameSegment(spec.name)}_${spec.attempt}`;
    let info = await this.inspectRaw(name);
    if (info && info.Config.Labels[LABEL_POD_UID] !== spec.pod.uid) {
      throw new Error(`container name ${name} is taken by a container of pod uid ${info.Config.Labels[LABEL_POD_UID] ?? '(none)'}`);
    }
    if (!info) {
      const sandbox = `container:${spec.sandbox.id}`;
      try {
        await this.docker.createContainer({
          name,
          Image: spec.image,
          // Kubernetes: command replaces the image's ENTRYPOINT (and then its CMD is not
          // used), args replaces its CMD.
          ...(spec.command?.length ? { Entrypoint: spec.command } : {}),
          ...(spec.args?.length ? { Cmd: spec.args } : {}),
          Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
          ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
          Labels: {
            ...this.podLabels(spec.pod),
            [LABEL_ROLE]: 'container',
            [LABEL_CONTAINER_NAME]: spec.name,
            [LABEL_ATTEMPT]: String(spec.attempt),
          },
          // stdin: true keeps the container's stdin open for attach; with stdinOnce the end of
          // the first attached stdin closes it (as `docker run -i`).
          OpenStdin: spec.stdin,
          StdinOnce: spec.stdin && (spec.stdinOnce ?? false),
          AttachStdin: spec.stdin,
          Tty: spec.tty,
          HostConfig: {
            NetworkMode: sandbox,
            IpcMode: sandbox,
            RestartPolicy: { Name: 'no' },
            ...(spec.cpuMillis > 0 ? { NanoCpus: spec.cpuMillis * 1_000_000 } : {}),
            // No swap beyond the limit, as the kubelet.
            ...(spec.memoryBytes > 0 ? { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes } : {}),
            Mounts: spec.mounts.map((m) => ({
              Type: m.source.type === 'hostPath' ? ('bind' as const) : ('volume' as const),
              Source: m.source.type === 'hostPath' ? m.source.path : m.source.name,
              Target: m.target,
              ReadOnly: m.readOnly,
            })),
          },
        });
      } catch (err) {
        if (statusOf(err) !== 409) throw err; // a concurrent start of the same attempt won
      }
      info = await this.createdConcurrently(name);
    }
    // Created but never started (or an earlier start failed): start it.
    if (info.State.Status === 'created') {
      await this.start(info.Id);
      info = (await this.inspectRaw(info.Id)) ?? info;
    }
    return this.toHandle(info)!;
  }

  /** The container a create (ours, or a concurrent one that won the name) made. The daemon
   * reserves a name a moment before the container can be inspected by it. */
  private async createdConcurrently(name: string): Promise<Docker.ContainerInspectInfo> {
    for (let i = 0; ; i++) {
      const info = await this.inspectRaw(name);
      if (info) return info;
      if (i >= 100) throw new Error(`container ${name}: its name is taken, but no container has it`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async inspectRaw(idOrName: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(idOrName).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private status(info: Docker.ContainerInspectInfo): ContainerStatus {
    const s = info.State;
    switch (s.Status) {
      case 'running':
      case 'paused':
      case 'restarting':
        return { state: 'running', startedAt: s.StartedAt, ...(s.Pid > 0 ? { pid: s.Pid } : {}) };
      case 'exited':
      case 'dead':
      case 'removing':
        return this.exited(info);
      default:
        // created (or removing); a start that failed leaves "created" with an error.
        return s.Error ? this.exited(info) : { state: 'created' };
    }
  }

  private exited(info: Docker.ContainerInspectInfo): Exited {
    const s = info.State;
    const exitCode = s.ExitCode !== 0 || !s.Error ? s.ExitCode : 128;
    const startedAt = time(s.StartedAt);
    let finishedAt = time(s.FinishedAt) ?? new Date().toISOString();
    // The daemon stamps StartedAt after the process runs: one that exits at once can appear
    // to finish before it started.
    if (startedAt && Date.parse(finishedAt) < Date.parse(startedAt)) finishedAt = startedAt;
    return {
      state: 'exited',
      exitCode,
      reason: s.OOMKilled ? 'OOMKilled' : s.Error ? 'ContainerCannotRun' : exitCode === 0 ? 'Completed' : 'Error',
      ...(startedAt ? { startedAt } : {}),
      finishedAt,
    };
  }

  private toHandle(info: Docker.ContainerInspectInfo): ContainerHandle | undefined {
    const l = info.Config.Labels ?? {};
    const uid = l[LABEL_POD_UID];
    if (!uid) return undefined;
    const role = l[LABEL_ROLE] === 'sandbox' ? 'sandbox' : 'container';
    return {
      id: info.Id,
      pod: { uid, namespace: l[LABEL_POD_NAMESPACE] ?? '', name: l[LABEL_POD_NAME] ?? '' },
      name: role === 'sandbox' ? 'sandbox' : (l[LABEL_CONTAINER_NAME] ?? ''),
      role,
      attempt: Number(l[LABEL_ATTEMPT] ?? 0) || 0,
      status: this.status(info),
      image: info.Config.Image,
      imageID: info.Image,
    };
  }

  async inspect(id: string): Promise<ContainerHandle | undefined> {
    const info = await this.inspectRaw(id);
    return info ? this.toHandle(info) : undefined;
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<Exited> {
    const c = this.docker.getContainer(id);
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const info = await this.inspectRaw(id);
      if (!info) throw new NotFoundError(`no container ${id}`);
      const st = this.status(info);
      if (st.state === 'exited') return st;
      try {
        // A created container has not run yet: wait for its first exit.
        await c.wait({ condition: st.state === 'created' ? 'next-exit' : 'not-running', ...(signal ? { abortSignal: signal } : {}) });
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        if (statusOf(err) !== 404) throw err;
      }
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      // The daemon sends SIGTERM, SIGKILL after t seconds, and answers once it has stopped.
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (err) {
      const s = statusOf(err);
      if (s !== 304 && s !== 404) throw err;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      // v: its anonymous volumes go with it; named ones (persistent volumes) stay.
      await this.docker.getContainer(id).remove({ force: false, v: true });
    } catch (err) {
      const s = statusOf(err);
      if (s === 404) return;
      if (s === 409 && /already in progress/.test(daemonMessage(err))) return;
      throw err;
    }
  }

  async recover(): Promise<ContainerHandle[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL_NODE}=${this.node}`] } });
    const infos = await Promise.all(list.map((c) => this.inspectRaw(c.Id)));
    return infos.flatMap((i) => (i ? (this.toHandle(i) ?? []) : []));
  }

  async exec(id: string, opts: ExecOptions): Promise<number> {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const ex = await this.docker.getContainer(id).exec({
      Cmd: opts.command,
      AttachStdin: !!opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: opts.tty,
    });
    const stream: Duplex = await ex.start({ hijack: true, stdin: !!opts.stdin, Tty: opts.tty });
    const onAbort = (): void => void stream.destroy();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.tty) stream.on('data', (c: Buffer) => opts.stdout.write(c));
      else this.docker.modem.demuxStream(stream, opts.stdout, opts.stderr);
      // The end of stdin half-closes the connection: the command sees EOF.
      if (opts.stdin) opts.stdin.pipe(stream);
      // The connection can also fail after the output ended (stdin written to a command that
      // has exited): an error only matters if the exec never finishes.
      let streamError: Error | undefined;
      await new Promise<void>((resolve) => {
        stream.on('error', (err) => {
          streamError ??= err;
          resolve();
        });
        stream.once('end', resolve);
        stream.once('close', resolve);
      });
      if (opts.signal?.aborted) throw abortError(opts.signal);
      // The stream can end a moment before the daemon has recorded the exit code.
      for (let i = 0; ; i++) {
        const r = await ex.inspect();
        if (!r.Running && r.ExitCode !== null) return r.ExitCode;
        if (i >= 100) {
          throw new Error(`exec in ${id.slice(0, 12)}: no exit code after its output ended`, streamError ? { cause: streamError } : undefined);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.stdin) opts.stdin.unpipe(stream);
    }
  }

  async attach(id: string, opts: AttachOptions): Promise<number | undefined> {
    const { signal } = opts;
    if (signal?.aborted) return undefined;
    const c = this.docker.getContainer(id);
    const info = await this.inspectRaw(id);
    if (!info) throw new NotFoundError(`no container ${id}`);
    if (opts.stdin && !info.Config.OpenStdin) {
      throw new Error(`container ${info.Name.replace(/^\//, '')} does not accept stdin: its spec has no "stdin: true"`);
    }
    const before = this.status(info);
    if (before.state === 'exited') return this.replay(id, info.Config.Tty, before.exitCode, opts);
    let stream: Duplex;
    try {
      stream = (await c.attach({
        stream: true,
        stdin: !!opts.stdin,
        stdout: true,
        stderr: true,
        hijack: true,
        ...(signal ? { abortSignal: signal } : {}),
      })) as Duplex;
    } catch (err) {
      if (signal?.aborted) return undefined;
      throw err;
    }
    let received = false;
    let ended = false;
    const done = new Promise<void>((resolve) => {
      const end = (): void => {
        ended = true;
        resolve();
      };
      stream.once('end', end);
      stream.once('close', end);
      // Also after the output ended (stdin written to a process that has exited).
      stream.on('error', end);
    });
    stream.on('data', () => (received = true));
    if (info.Config.Tty) stream.on('data', (chunk: Buffer) => opts.stdout.write(chunk));
    else this.docker.modem.demuxStream(stream, opts.stdout, opts.stderr);
    // Without a tty, the end of stdin half-closes the connection: with stdinOnce, the
    // container's stdin closes. With one, the daemon would end the whole attach there, output
    // still to come included: the end is sent as a terminal sends it, ^D.
    const eot = (): void => void stream.write(Buffer.from([4]));
    if (opts.stdin) {
      opts.stdin.pipe(stream, { end: !info.Config.Tty });
      if (info.Config.Tty) opts.stdin.once('end', eot);
    }
    const onAbort = (): void => void stream.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const stopWatch = new AbortController();
    try {
      // The stream ends when the container stops; if it had stopped before the attach was in
      // place, it never does: the wait bounds it.
      const stopped = c
        .wait({ condition: before.state === 'created' ? 'next-exit' : 'not-running', abortSignal: stopWatch.signal })
        .then(() => Promise.race([done, new Promise<void>((r) => setTimeout(r, ATTACH_DRAIN_MS))]))
        .catch(() => done);
      await Promise.race([done, stopped]);
    } finally {
      stopWatch.abort();
      signal?.removeEventListener('abort', onAbort);
      if (opts.stdin) {
        opts.stdin.unpipe(stream);
        opts.stdin.off('end', eot);
      }
      if (!ended) stream.destroy();
    }
    if (signal?.aborted) return undefined;
    // The stream can end a moment before the daemon has recorded the exit.
    for (let i = 0; i < 40; i++) {
      const now = await this.inspectRaw(id);
      if (!now) return undefined;
      const st = this.status(now);
      if (st.state === 'exited') {
        // It ended without the attach seeing any output (it wrote it before the attach was in
        // place, or had ended by then): give all of it, as nothing of it was given yet.
        if (!received) return this.replay(id, now.Config.Tty, st.exitCode, opts);
        return st.exitCode;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  }

  /** The whole output of an exited container, then its exit code (attach after the end). */
  private async replay(id: string, tty: boolean, exitCode: number, opts: AttachOptions): Promise<number> {
    const raw = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false });
    if (tty) opts.stdout.write(raw);
    else demuxBuffer(raw, opts.stdout, opts.stderr);
    return exitCode;
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const c = this.docker.getContainer(id);
    const info = await this.inspectRaw(id);
    if (!info) throw new NotFoundError(`no container ${id}`);
    const base = { stdout: true, stderr: true, ...(opts.tail === undefined ? {} : { tail: Math.max(0, opts.tail) }) };
    const out: Transform = info.Config.Tty ? new Transform({ transform: (chunk, _e, done) => done(null, chunk) }) : new Demux();
    if (!opts.follow) {
      out.end(await c.logs({ ...base, follow: false }));
      return out;
    }
    const raw = await c.logs({ ...base, follow: true });
    const src = raw instanceof Readable ? raw : new Readable().wrap(raw);
    // An abort (or the container's end) ends the stream; it is not an error.
    const onAbort = (): void => {
      src.destroy();
      out.end();
    };
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    src.on('data', (chunk: Buffer) => {
      if (!out.writableEnded && !out.write(chunk)) src.pause();
    });
    out.on('drain', () => src.resume());
    src.once('end', () => out.writableEnded || out.end());
    src.on('error', (err) => {
      if (out.destroyed || out.writableEnded) return;
      if (opts.signal?.aborted) out.end();
      else out.destroy(err);
    });
    out.once('close', () => {
      opts.signal?.removeEventListener('abort', onAbort);
      src.destroy();
    });
    return out;
  }

  close(): Promise<void> {
    // Nothing held open between calls: dockerode dials the socket per request.
    return Promise.resolve();
  }
}
