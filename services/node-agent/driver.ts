// The container driver interface (after Nomad's plugins/drivers): the node agent drives every
// pod through it, whatever runs the containers. Implementations: drivers/docker.ts (dockerode;
// the default), drivers/process.ts (local processes, for machines without Docker) and
// drivers/simulated.ts (no containers at all; scale benchmarks only).
//
// Concurrency: the agent calls a driver for one pod from one pod worker at a time; calls for
// different pods run concurrently. Every method is idempotent by the ids it is given, so a
// retry after an error (or after an agent restart) is always safe.
import type { Readable, Writable } from 'node:stream';

/** Labels on everything a driver creates, so a restarted agent can re-adopt or remove it. */
export const LABEL_POD_UID = 'io.shoal.pod.uid';
export const LABEL_POD_NAME = 'io.shoal.pod.name';
export const LABEL_POD_NAMESPACE = 'io.shoal.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.shoal.container.name';
/** "sandbox" or "container". */
export const LABEL_ROLE = 'io.shoal.role';
/** How many times this container was started before (0 for the first start). */
export const LABEL_ATTEMPT = 'io.shoal.container.attempt';
export const LABEL_NODE = 'io.shoal.node';

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
}

/** A pod's resolver settings (its /etc/resolv.conf). */
export interface SandboxDNS {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxSpec {
  pod: PodRef;
  hostname: string;
  /** The pod shares the node's network (spec.hostNetwork). */
  hostNetwork: boolean;
  /** Absent: the runtime's default resolver (the node's). Drivers that cannot set it ignore it. */
  dns?: SandboxDNS;
}

export interface Sandbox {
  /** Driver-specific id (a container id for docker; a synthetic id for process). */
  id: string;
  /** The pod's IP: its containers listen there and share localhost. */
  ip: string;
}

export type MountSource =
  /** A directory the agent prepared on the node (emptyDir, configMap and secret files). */
  | { type: 'hostPath'; path: string }
  /** A named, persistent volume (persistentVolumeClaim): survives the pod. */
  | { type: 'volume'; name: string };

export interface Mount {
  source: MountSource;
  /** Where it appears inside the container. */
  target: string;
  readOnly: boolean;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface ContainerSpec {
  pod: PodRef;
  sandbox: Sandbox;
  /** The container's name in the pod. */
  name: string;
  /** 0 for the first start, +1 per restart; part of the container's identity. */
  attempt: number;
  image: string;
  /** Overrides the image's entrypoint (Kubernetes `command`). */
  command?: string[];
  /** Overrides the image's cmd (Kubernetes `args`). */
  args?: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** CPU limit in millicores (0 = none). */
  cpuMillis: number;
  /** Memory limit in bytes (0 = none). */
  memoryBytes: number;
  mounts: Mount[];
  /** Keep the container's stdin open (the spec's `stdin`), for attach. */
  stdin: boolean;
  /** Close it after the first attach that ends (the spec's `stdinOnce`). */
  stdinOnce?: boolean;
  tty: boolean;
}

export type ContainerStatus =
  | { state: 'created' }
  | { state: 'running'; startedAt: string; pid?: number }
  | {
      state: 'exited';
      exitCode: number;
      /** Kubernetes' terminated reasons: Completed, Error, OOMKilled, ContainerCannotRun. */
      reason: string;
      startedAt?: string;
      finishedAt: string;
      /** The signal that ended it, if any. */
      signal?: number;
    };

export interface ContainerHandle {
  id: string;
  pod: PodRef;
  /** "sandbox" for the pod's sandbox, else the container's name in the pod. */
  name: string;
  role: 'sandbox' | 'container';
  attempt: number;
  status: ContainerStatus;
  /** The image as asked for and its resolved id. */
  image: string;
  imageID: string;
}

/** Thrown by pullImage: the agent shows ErrImagePull, then ImagePullBackOff. */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  /** ErrImageNeverPull when the policy is Never and the image is absent, else ErrImagePull. */
  readonly reason: 'ErrImagePull' | 'ErrImageNeverPull';
  constructor(message: string, reason: 'ErrImagePull' | 'ErrImageNeverPull' = 'ErrImagePull', options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export interface NodeFingerprint {
  /** Kubernetes quantities: cpu "2", memory "24Gi", pods "110". */
  capacity: { cpu: string; memory: string; pods: string };
  /** "docker://20.10.24", "process://node-v20.20.2". */
  runtimeVersion: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  /** The address pods of this node are reached at from other nodes. */
  internalIP: string;
}

export interface ExecOptions {
  command: string[];
  tty: boolean;
  /** Fed to the process' stdin (absent: no stdin). */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  signal?: AbortSignal;
}

export interface AttachOptions {
  /** Fed to the container's main process (it must have been created with `stdin`); its end
   * closes the container's stdin when the container has `stdinOnce`. Absent: output only. */
  stdin?: Readable;
  stdout: Writable;
  /** Without a tty; with one, everything is on stdout. */
  stderr: Writable;
  tty: boolean;
  /** Detaches: the container keeps running. */
  signal?: AbortSignal;
}

export interface LogOptions {
  follow: boolean;
  /** The last N lines only. */
  tail?: number;
  signal?: AbortSignal;
}

export interface ContainerDriver {
  readonly name: string;
  /** Called once at agent start: creates the driver's own resources (the docker bridge
   * network, directories) and reports what the node offers. */
  fingerprint(): Promise<NodeFingerprint>;
  /** Rejects, with the reason, while the runtime cannot run containers (dockerd down): the
   * node then reports Ready=False. Drivers that cannot fail that way leave it out. */
  health?(): Promise<void>;
  /** Creates and starts the pod's sandbox, or returns the existing one for this pod uid. */
  ensureSandbox(spec: SandboxSpec): Promise<Sandbox>;
  /** Pulls per policy; ImagePullError when it cannot. A no-op for drivers without images. */
  pullImage(image: string, policy: PullPolicy, signal?: AbortSignal): Promise<void>;
  /** Creates and starts a container, or returns the existing one with the same pod uid, name
   * and attempt. */
  startContainer(spec: ContainerSpec): Promise<ContainerHandle>;
  /** Resolves when the container exits (at once if it has), with its final status. */
  waitContainer(id: string, signal?: AbortSignal): Promise<ContainerStatus & { state: 'exited' }>;
  /** SIGTERM, then SIGKILL after `graceSeconds` (0 = SIGKILL at once). Resolves when it is
   * stopped; a container that is already stopped or gone is fine. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Removes a stopped container (and its writable layer); gone is fine. */
  removeContainer(id: string): Promise<void>;
  /** Stops and removes the sandbox of this pod; gone is fine. */
  removeSandbox(pod: PodRef): Promise<void>;
  inspect(id: string): Promise<ContainerHandle | undefined>;
  /** Everything this driver created on this node (by its labels): the agent re-adopts what
   * belongs to a pod it runs and removes the rest. */
  recover(): Promise<ContainerHandle[]>;
  /** Creates the named persistent volume if missing (persistentVolumeClaim). */
  ensureVolume(name: string): Promise<void>;
  /** Runs a command in a running container; resolves with its exit code. */
  exec(id: string, opts: ExecOptions): Promise<number>;
  /** Joins the container's main process (kubectl attach): its output from now on, and its
   * stdin. Resolves when the stream ends: with the exit code when the container has exited,
   * undefined when it still runs (detached, or aborted). A container that ends without the
   * attach having seen any of its output (it had exited, or wrote before the attach) gives
   * its whole output, then its exit code. Every driver here has it; it is
   * optional for drivers written elsewhere (the agent then refuses attach). */
  attach?(id: string, opts: AttachOptions): Promise<number | undefined>;
  /** The container's output (stdout and stderr interleaved), as a stream of lines. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  /** Releases connections; leaves containers running (they belong to the pods). */
  close(): Promise<void>;
}
