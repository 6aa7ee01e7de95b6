// The simulated driver (Kubernetes' "hollow nodes"): no processes, no files, no network. Sandboxes
// get made-up IPs and containers "run" until they are stopped. It exists so that scale
// benchmarks can run thousands of node agents in one process; nothing else should use it.
import { Readable } from 'node:stream';
import { NotFoundError } from '../../../lib/errors.js';
import type {
  AttachOptions,
  ContainerDriver,
  ContainerHandle,
  ContainerSpec,
  ContainerStatus,
  ExecOptions,
  LogOptions,
  NodeFingerprint,
  PodRef,
  PullPolicy,
  Sandbox,
  SandboxSpec,
} from '../driver.js';

export interface SimulatedDriverOptions {
  node: string;
  /** What the node reports; default 4 cpus, 16Gi, 110 pods. */
  capacity?: { cpu: string; memory: string; pods: string };
  internalIP?: string;
}

type Exited = ContainerStatus & { state: 'exited' };

/** Pod IPs from 100.64.0.0/10, unique across every simulated node in the process. */
let nextIP = 1;
function fakeIP(): string {
  const n = nextIP++ % (1 << 22);
  return `100.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

interface Sim {
  handle: ContainerHandle;
  exited: Promise<Exited>;
  exit: (s: Exited) => void;
}

export class SimulatedDriver implements ContainerDriver {
  readonly name = 'simulated';
  private readonly opts: SimulatedDriverOptions;
  private readonly sandboxes = new Map<string, { sandbox: Sandbox; handle: ContainerHandle }>();
  private readonly containers = new Map<string, Sim>();

  constructor(opts: SimulatedDriverOptions) {
    this.opts = opts;
  }

  fingerprint(): Promise<NodeFingerprint> {
    return Promise.resolve({
      capacity: this.opts.capacity ?? { cpu: '4', memory: '16Gi', pods: '110' },
      runtimeVersion: 'simulated://0.1.0',
      kernelVersion: 'simulated',
      osImage: 'Simulated',
      architecture: 'amd64',
      internalIP: this.opts.internalIP ?? '127.0.0.1',
    });
  }

  ensureSandbox(spec: SandboxSpec): Promise<Sandbox> {
    let s = this.sandboxes.get(spec.pod.uid);
    if (!s) {
      const sandbox = { id: `sim-sandbox-${spec.pod.uid}`, ip: spec.hostNetwork ? (this.opts.internalIP ?? '127.0.0.1') : fakeIP() };
      const handle: ContainerHandle = {
        id: sandbox.id,
        pod: spec.pod,
        name: 'sandbox',
        role: 'sandbox',
        attempt: 0,
        status: { state: 'running', startedAt: new Date().toISOString() },
        image: '',
        imageID: '',
      };
      s = { sandbox, handle };
      this.sandboxes.set(spec.pod.uid, s);
    }
    return Promise.resolve(s.sandbox);
  }

  pullImage(_image: string, _policy: PullPolicy, _signal?: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  startContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const id = `sim-${spec.pod.uid}-${spec.name}-${spec.attempt}`;
    let sim = this.containers.get(id);
    if (!sim) {
      let exit!: (s: Exited) => void;
      const exited = new Promise<Exited>((r) => (exit = r));
      const handle: ContainerHandle = {
        id,
        pod: spec.pod,
        name: spec.name,
        role: 'container',
        attempt: spec.attempt,
        status: { state: 'running', startedAt: new Date().toISOString() },
        image: spec.image,
        imageID: `sim:${spec.image}`,
      };
      sim = { handle, exited, exit };
      this.containers.set(id, sim);
    }
    return Promise.resolve({ ...sim.handle });
  }

  waitContainer(id: string, signal?: AbortSignal): Promise<Exited> {
    const sim = this.containers.get(id);
    if (!sim) return Promise.reject(new NotFoundError(`no container ${id}`));
    if (!signal) return sim.exited;
    return new Promise<Exited>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void sim.exited.then((s) => {
        signal.removeEventListener('abort', onAbort);
        resolve(s);
      });
    });
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    const sim = this.containers.get(id);
    if (sim && sim.handle.status.state !== 'exited') {
      // As if it honoured SIGTERM, unless it was killed outright.
      const st: Exited = {
        state: 'exited',
        exitCode: graceSeconds > 0 ? 0 : 137,
        reason: graceSeconds > 0 ? 'Completed' : 'Error',
        startedAt: sim.handle.status.state === 'running' ? sim.handle.status.startedAt : undefined,
        finishedAt: new Date().toISOString(),
      };
      sim.handle.status = st;
      sim.exit(st);
    }
    return Promise.resolve();
  }

  removeContainer(id: string): Promise<void> {
    const sim = this.containers.get(id);
    if (sim && sim.handle.status.state === 'exited') this.containers.delete(id);
    else if (sim) return Promise.reject(new Error(`cannot remove running container ${id}; stop it first`));
    return Promise.resolve();
  }

  removeSandbox(pod: PodRef): Promise<void> {
    this.sandboxes.delete(pod.uid);
    return Promise.resolve();
  }

  inspect(id: string): Promise<ContainerHandle | undefined> {
    const h = this.containers.get(id)?.handle ?? [...this.sandboxes.values()].find((s) => s.sandbox.id === id)?.handle;
    return Promise.resolve(h ? { ...h } : undefined);
  }

  recover(): Promise<ContainerHandle[]> {
    return Promise.resolve([...[...this.sandboxes.values()].map((s) => s.handle), ...[...this.containers.values()].map((c) => c.handle)].map((h) => ({ ...h })));
  }

  ensureVolume(_name: string): Promise<void> {
    return Promise.resolve();
  }

  exec(id: string, _opts: ExecOptions): Promise<number> {
    const sim = this.containers.get(id);
    if (!sim) return Promise.reject(new NotFoundError(`no container ${id}`));
    if (sim.handle.status.state !== 'running') return Promise.reject(new Error(`container ${id} is not running`));
    return Promise.resolve(0);
  }

  /** No output: resolves with the exit code when the container is stopped (undefined on abort). */
  async attach(id: string, opts: AttachOptions): Promise<number | undefined> {
    opts.stdin?.resume();
    try {
      return (await this.waitContainer(id, opts.signal)).exitCode;
    } catch (err) {
      if (opts.signal?.aborted) return undefined;
      throw err;
    }
  }

  logs(id: string, _opts: LogOptions): Promise<Readable> {
    if (!this.containers.has(id)) return Promise.reject(new NotFoundError(`no container ${id}`));
    return Promise.resolve(Readable.from([], { objectMode: false }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
