// The process driver (after Nomad's raw_exec): every container is a local process, for
// machines without Docker. No images, no isolation, no resource limits.
//
// Layout under `dataDir`:
//   pods/<uid>/sandbox.json                     the pod's sandbox: its 127.x IP and hostname
//   pods/<uid>/root/<container>/                the container's "root": mounts and workingDir
//   pods/<uid>/containers/<container>_<attempt>/
//       record.json   what was started (argv, env, cwd, wrapper pid) — re-read by recover()
//       pid           the command's own pid, written by the wrapper before it execs
//       exit          the command's exit status, written by the wrapper when it ends
//       final.json    the final status once the driver has observed the end
//       log           stdout and stderr, interleaved
//   volumes/<name>/                             named persistent volumes
//
// Why a wrapper: a container must outlive an agent that is killed, and a restarted agent must
// still learn how it ended, which a process that is not our child cannot tell us. So each
// container runs as `sh -c '<wrapper>'` in its own session (process group): the wrapper runs
// `sh -c 'echo $$ > pid; exec "$@"'` in the foreground — the command keeps our pid file's pid,
// default signal dispositions and stdin — and then writes `$?` to the exit file. SIGTERM goes
// to the command alone (as Docker signals a container's PID 1); SIGKILL goes to the command,
// then to the whole process group, so nothing it started survives it.
//
// Pod IPs: every pod gets its own 127.1.x.y address (all of 127/8 reaches loopback on Linux),
// leased machine-wide through exclusively created files in `ipamDir`, so several agents on one
// machine never hand out the same address. Processes share the host's network namespace: a
// container that listens on 0.0.0.0 rather than $POD_IP takes the port from every pod.
//
// Mounts: processes see the host's file system, so a mount cannot appear at an absolute path.
// Each container gets a root directory (pods/<uid>/root/<container>); a mount with target /data
// becomes the symlink <root>/data → its source, and workingDir is resolved inside the root
// (default: the root itself). A command therefore sees its volumes at paths relative to its
// working directory. readOnly is not enforced.
//
// Attach: a container's stdin is /dev/null and its output goes to its log file, so attach
// follows the log (from its start, tty ignored) until the container ends, and cannot feed
// stdin: an attach that asks for stdin fails with an error (`shoal run -i` needs the docker
// runtime; `shoal exec -i` works with this driver).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsc, createReadStream, openSync, closeSync } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, symlink, unlink, lstat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { sleep } from '../../../lib/abort.js';
import { NotFoundError } from '../../../lib/errors.js';
import {
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

export interface ProcessDriverOptions {
  /** The node's name. */
  node: string;
  /** Where pods, logs, records and volumes live; a restarted agent must get the same one. */
  dataDir: string;
  /** The node's address (fingerprint, hostNetwork pods); default: the first non-internal IPv4. */
  internalIP?: string;
  /** Machine-wide pod IP leases; shared by every process-driver agent on the machine. */
  ipamDir?: string;
}

type Exited = ContainerStatus & { state: 'exited' };

interface SandboxRecord {
  id: string;
  pod: PodRef;
  node: string;
  hostname: string;
  hostNetwork: boolean;
  ip: string;
  createdAt: string;
}

interface ContainerRecord {
  id: string;
  pod: PodRef;
  node: string;
  name: string;
  attempt: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The wrapper's pid; also the process group id (it leads its own session). */
  pid: number;
  /** /proc/<pid>/stat start time, to tell our wrapper from a process that reused its pid. */
  procStart?: string;
  startedAt: string;
}

/** The 127.1.0.0/16 pool: 256 × 254 addresses (x.y.z.0 and x.y.z.255 are skipped). */
const POOL_SIZE = 256 * 254;
const POLL_MS = 200;
/** A lease whose sandbox file is missing is stale only after this long (the sandbox file is
 * written just after the lease is taken). */
const STALE_LEASE_MS = 30_000;

const WRAPPER = [
  'p=$1; shift',
  // The inner shell writes its pid and becomes the command: that pid is the container's.
  `sh -c 'echo $$ > "$0"; exec "$@"' "$p" "$@"`,
  'echo $? > "$0"',
].join('\n');

/** The first non-internal IPv4 address of this host, else 127.0.0.1. */
export function defaultInternalIP(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/** Kubernetes' architecture names for Node's / uname's. */
export function goArch(arch: string): string {
  const map: Record<string, string> = { x64: 'amd64', x86_64: 'amd64', arm64: 'arm64', aarch64: 'arm64', ia32: '386', arm: 'arm' };
  return map[arch] ?? arch;
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

function safeSegment(s: string, what: string): string {
  if (!s || s.includes('/') || s.includes('\0') || s === '.' || s === '..') throw new Error(`process driver: invalid ${what} ${JSON.stringify(s)}`);
  return s;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2), { mode: 0o600 });
  await rename(tmp, path);
}

/** State and start time of a live process (Linux /proc); undefined if it does not exist. */
async function procStat(pid: number): Promise<{ state: string; start: string } | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', start: fields[19] ?? '' };
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ESRCH')) return undefined;
    // No /proc: fall back to a signal probe.
    try {
      process.kill(pid, 0);
      return { state: 'R', start: '' };
    } catch (e) {
      return isErrno(e, 'EPERM') ? { state: 'R', start: '' } : undefined;
    }
  }
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if (!isErrno(err, 'ESRCH')) throw err;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function ipOf(index: number): string {
  return `127.1.${Math.floor(index / 254)}.${(index % 254) + 1}`;
}

/** The byte offset where the last `lines` lines of the file start. */
async function tailOffset(path: string, lines: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (lines <= 0) return size;
    let pos = size;
    let seen = 0;
    const buf = Buffer.alloc(64 * 1024);
    // A trailing newline ends the last line; it does not start a new one.
    let skipTrailing = true;
    while (pos > 0) {
      const len = Math.min(buf.length, pos);
      pos -= len;
      await fh.read(buf, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          skipTrailing = false;
          continue;
        }
        if (skipTrailing) {
          skipTrailing = false;
          continue;
        }
        if (++seen === lines) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    await fh.close();
  }
}

export class ProcessDriver implements ContainerDriver {
  readonly name = 'process';
  private readonly node: string;
  private readonly dataDir: string;
  private readonly internalIP: string;
  private readonly ipamDir: string;
  /** Wrappers this instance spawned: their exit is an event, not a poll. */
  private readonly children = new Map<string, { child: ChildProcess; exited: Promise<void> }>();
  /** Containers this instance SIGKILLed (reported with signal 9). */
  private readonly killed = new Set<string>();
  private readonly starting = new Map<string, Promise<ContainerHandle>>();
  private closed = false;

  constructor(opts: ProcessDriverOptions) {
    this.node = opts.node;
    this.dataDir = resolve(opts.dataDir);
    this.internalIP = opts.internalIP ?? defaultInternalIP();
    this.ipamDir = resolve(opts.ipamDir ?? join(os.tmpdir(), 'shoal-process-ipam'));
  }

  async fingerprint(): Promise<NodeFingerprint> {
    await mkdir(join(this.dataDir, 'pods'), { recursive: true });
    await mkdir(join(this.dataDir, 'volumes'), { recursive: true });
    await mkdir(this.ipamDir, { recursive: true });
    return {
      capacity: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110' },
      runtimeVersion: `process://node-${process.version}`,
      kernelVersion: os.release(),
      osImage: `${os.type()} ${os.release()}`,
      architecture: goArch(process.arch),
      internalIP: this.internalIP,
    };
  }

  // --- paths ---

  private podDir(uid: string): string {
    return join(this.dataDir, 'pods', safeSegment(uid, 'pod uid'));
  }
  private sandboxFile(uid: string): string {
    return join(this.podDir(uid), 'sandbox.json');
  }
  private containerDir(uid: string, name: string, attempt: number): string {
    return join(this.podDir(uid), 'containers', `${safeSegment(name, 'container name')}_${attempt}`);
  }
  private rootDir(uid: string, name: string): string {
    return join(this.podDir(uid), 'root', safeSegment(name, 'container name'));
  }
  private volumeDir(name: string): string {
    return join(this.dataDir, 'volumes', safeSegment(name, 'volume name'));
  }

  /** Ids: `sandbox_<uid>` and `<uid>_<name>_<attempt>` (names are DNS labels: no `_`). */
  private parseId(id: string): { kind: 'sandbox'; uid: string } | { kind: 'container'; uid: string; name: string; attempt: number } | undefined {
    if (id.startsWith('sandbox_')) return { kind: 'sandbox', uid: id.slice('sandbox_'.length) };
    const a = id.lastIndexOf('_');
    const n = id.lastIndexOf('_', a - 1);
    if (a < 0 || n <= 0) return undefined;
    const attempt = Number(id.slice(a + 1));
    if (!Number.isInteger(attempt) || attempt < 0) return undefined;
    return { kind: 'container', uid: id.slice(0, n), name: id.slice(n + 1, a), attempt };
  }

  private containerDirOf(id: string): string | undefined {
    const p = this.parseId(id);
    if (p?.kind !== 'container') return undefined;
    try {
      return this.containerDir(p.uid, p.name, p.attempt);
    } catch {
      return undefined;
    }
  }

  // --- sandboxes ---

  async ensureSandbox(spec: SandboxSpec): Promise<Sandbox> {
    const file = this.sandboxFile(spec.pod.uid);
    const existing = await readJson<SandboxRecord>(file);
    if (existing) return { id: existing.id, ip: existing.ip };
    await mkdir(this.podDir(spec.pod.uid), { recursive: true });
    const ip = spec.hostNetwork ? this.internalIP : await this.leaseIP(spec.pod.uid, file);
    const rec: SandboxRecord = {
      id: `sandbox_${spec.pod.uid}`,
      pod: spec.pod,
      node: this.node,
      hostname: spec.hostname,
      hostNetwork: spec.hostNetwork,
      ip,
      createdAt: new Date().toISOString(),
    };
    await writeJsonAtomic(file, rec);
    return { id: rec.id, ip };
  }

  private async leaseIP(uid: string, sandboxFile: string): Promise<string> {
    await mkdir(this.ipamDir, { recursive: true });
    const start = createHash('sha256').update(uid).digest().readUInt32BE(0) % POOL_SIZE;
    const content = JSON.stringify({ sandboxFile, uid });
    for (let i = 0; i < POOL_SIZE; i++) {
      const ip = ipOf((start + i) % POOL_SIZE);
      const lease = join(this.ipamDir, ip);
      try {
        await writeFile(lease, content, { flag: 'wx' });
        return ip;
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
      }
      // Taken: ours already (a retry), or stale (its sandbox file is gone)?
      try {
        const held = await readFile(lease, 'utf8');
        if (held === content) return ip;
        const { sandboxFile: owner } = JSON.parse(held) as { sandboxFile?: string };
        const age = Date.now() - (await stat(lease)).mtimeMs;
        if (owner && age > STALE_LEASE_MS && !(await exists(owner)) && (await readFile(lease, 'utf8')) === held) {
          await unlink(lease);
          await writeFile(lease, content, { flag: 'wx' });
          return ip;
        }
      } catch (err) {
        if (!isErrno(err, 'ENOENT', 'EEXIST') && !(err instanceof SyntaxError)) throw err;
      }
    }
    throw new Error(`process driver: no free pod IP in 127.1.0.0/16 (leases in ${this.ipamDir})`);
  }

  async removeSandbox(pod: PodRef): Promise<void> {
    const file = this.sandboxFile(pod.uid);
    const rec = await readJson<SandboxRecord>(file);
    if (rec && !rec.hostNetwork) {
      const lease = join(this.ipamDir, rec.ip);
      try {
        const held = JSON.parse(await readFile(lease, 'utf8')) as { sandboxFile?: string };
        if (held.sandboxFile === file) await unlink(lease);
      } catch (err) {
        if (!isErrno(err, 'ENOENT') && !(err instanceof SyntaxError)) throw err;
      }
    }
    await rm(file, { force: true });
    // The pod's directory goes with its last container.
    const left = await readdir(join(this.podDir(pod.uid), 'containers')).catch(() => [] as string[]);
    if (left.length === 0) await rm(this.podDir(pod.uid), { recursive: true, force: true });
  }

  pullImage(_image: string, _policy: PullPolicy, _signal?: AbortSignal): Promise<void> {
    // No images: the command runs from the host's file system.
    return Promise.resolve();
  }

  async ensureVolume(name: string): Promise<void> {
    await mkdir(this.volumeDir(name), { recursive: true });
  }

  // --- containers ---

  startContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const id = `${spec.pod.uid}_${spec.name}_${spec.attempt}`;
    const pending = this.starting.get(id);
    if (pending) return pending;
    const p = this.doStart(id, spec).finally(() => this.starting.delete(id));
    this.starting.set(id, p);
    return p;
  }

  private async doStart(id: string, spec: ContainerSpec): Promise<ContainerHandle> {
    const dir = this.containerDir(spec.pod.uid, spec.name, spec.attempt);
    const existing = await this.inspect(id);
    if (existing) return existing;
    if (!spec.command?.length) {
      throw new Error(
        `process driver: container "${spec.name}" has no command; the process driver runs no images, so command is required`,
      );
    }
    const sandbox = await readJson<SandboxRecord>(this.sandboxFile(spec.pod.uid));
    if (!sandbox || sandbox.id !== spec.sandbox.id) throw new NotFoundError(`process driver: no sandbox ${spec.sandbox.id} for pod ${spec.pod.uid}`);

    const root = this.rootDir(spec.pod.uid, spec.name);
    await mkdir(root, { recursive: true });
    for (const m of spec.mounts) {
      const source = m.source.type === 'hostPath' ? m.source.path : this.volumeDir(m.source.name);
      if (m.source.type === 'volume') await mkdir(source, { recursive: true });
      await this.link(root, m.target, source);
    }
    const cwd = spec.workingDir ? join(root, spec.workingDir) : root;
    await mkdir(cwd, { recursive: true });

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: sandbox.hostname,
      ...spec.env,
    };
    const argv = [...spec.command, ...(spec.args ?? [])];
    await this.checkExecutable(argv[0]!, env.PATH ?? '', cwd, spec.name);

    await mkdir(dir, { recursive: true });
    const startedAt = new Date().toISOString();
    const log = openSync(join(dir, 'log'), 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', WRAPPER, join(dir, 'exit'), join(dir, 'pid'), ...argv], {
        cwd,
        env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      await new Promise<void>((res, rej) => {
        child.once('spawn', res);
        child.once('error', rej);
      });
    } finally {
      closeSync(log);
    }
    const pid = child.pid!;
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    child.unref();
    this.children.set(id, { child, exited });
    const rec: ContainerRecord = {
      id,
      pod: spec.pod,
      node: this.node,
      name: spec.name,
      attempt: spec.attempt,
      argv,
      env,
      cwd,
      pid,
      procStart: (await procStat(pid))?.start,
      startedAt,
    };
    await writeJsonAtomic(join(dir, 'record.json'), rec);
    // The command's pid is known once the inner shell has written it (before it execs).
    for (let i = 0; i < 100 && !(await exists(join(dir, 'pid'))) && (await this.alive(rec)); i++) await delay(10);
    return this.handle(rec, await this.status(rec));
  }

  private async link(root: string, target: string, source: string): Promise<void> {
    const path = join(root, target);
    if (path === root || !path.startsWith(root + '/')) throw new Error(`process driver: invalid mount target ${JSON.stringify(target)}`);
    await mkdir(dirname(path), { recursive: true });
    try {
      const st = await lstat(path);
      if (st.isSymbolicLink()) await unlink(path);
      else throw new Error(`process driver: mount target ${target} already exists in ${root}`);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    await symlink(source, path);
  }

  private async checkExecutable(cmd: string, path: string, cwd: string, name: string): Promise<void> {
    const candidates = cmd.includes('/') ? [isAbsolute(cmd) ? cmd : join(cwd, cmd)] : path.split(delimiter).filter(Boolean).map((d) => join(d, cmd));
    for (const c of candidates) {
      try {
        await access(c, fsc.X_OK);
        if ((await stat(c)).isFile()) return;
      } catch {
        // next
      }
    }
    throw new Error(`process driver: container "${name}": executable ${JSON.stringify(cmd)} not found${cmd.includes('/') ? '' : ' in PATH'}`);
  }

  private async loadRecord(id: string): Promise<ContainerRecord | undefined> {
    const dir = this.containerDirOf(id);
    return dir ? readJson<ContainerRecord>(join(dir, 'record.json')) : undefined;
  }

  /** Whether the wrapper is still running. */
  private async alive(rec: ContainerRecord): Promise<boolean> {
    const st = await procStat(rec.pid);
    if (!st || st.state === 'Z' || st.state === 'X') return false;
    return !rec.procStart || !st.start || st.start === rec.procStart;
  }

  /** The container's status; once the wrapper is gone, the final status is recorded. */
  private async status(rec: ContainerRecord): Promise<ContainerStatus> {
    const dir = this.containerDirOf(rec.id)!;
    const final = await readJson<Exited>(join(dir, 'final.json'));
    if (final) return final;
    if (await this.alive(rec)) {
      const pid = Number((await readFile(join(dir, 'pid'), 'utf8').catch(() => '')).trim());
      return { state: 'running', startedAt: rec.startedAt, ...(pid > 0 ? { pid } : {}) };
    }
    return this.finalize(rec, false);
  }

  /** Records the final status of a container whose wrapper is gone. `fresh`: it ended just
   * now, so its process group id cannot have been reused yet. */
  private async finalize(rec: ContainerRecord, fresh: boolean): Promise<Exited> {
    const dir = this.containerDirOf(rec.id)!;
    const final = await readJson<Exited>(join(dir, 'final.json'));
    if (final) return final;
    // Whatever the command left behind in its process group goes with it (as when a
    // container's PID 1 exits).
    if (fresh || this.children.has(rec.id)) kill(-rec.pid, 'SIGKILL');
    let exitCode: number;
    let finishedAt: string;
    try {
      const text = await readFile(join(dir, 'exit'), 'utf8');
      exitCode = Number(text.trim());
      // File times come from a coarse clock: never before the start.
      finishedAt = new Date(Math.max((await stat(join(dir, 'exit'))).mtimeMs, Date.parse(rec.startedAt))).toISOString();
      if (!text.trim() || !Number.isInteger(exitCode)) throw new Error('partial exit file');
    } catch {
      // The wrapper died without writing it: killed with its group, or lost.
      exitCode = 137;
      finishedAt = new Date().toISOString();
    }
    const killed = this.killed.has(rec.id) || exitCode === 137;
    const st: Exited = {
      state: 'exited',
      exitCode,
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt: rec.startedAt,
      finishedAt,
      ...(killed && exitCode === 137 ? { signal: 9 } : {}),
    };
    try {
      await writeJsonAtomic(join(dir, 'final.json'), st);
    } catch (err) {
      // Removed meanwhile (another agent instance, or removeContainer, cleaned it up): the
      // status still stands, there is just nowhere left to keep it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return st;
  }

  private handle(rec: ContainerRecord, status: ContainerStatus): ContainerHandle {
    return { id: rec.id, pod: rec.pod, name: rec.name, role: 'container', attempt: rec.attempt, status, image: '', imageID: '' };
  }

  private sandboxHandle(rec: SandboxRecord): ContainerHandle {
    return {
      id: rec.id,
      pod: rec.pod,
      name: 'sandbox',
      role: 'sandbox',
      attempt: 0,
      status: { state: 'running', startedAt: rec.createdAt },
      image: '',
      imageID: '',
    };
  }

  async inspect(id: string): Promise<ContainerHandle | undefined> {
    const p = this.parseId(id);
    if (!p) return undefined;
    if (p.kind === 'sandbox') {
      const rec = await readJson<SandboxRecord>(this.sandboxFile(p.uid));
      return rec ? this.sandboxHandle(rec) : undefined;
    }
    const rec = await this.loadRecord(id);
    return rec ? this.handle(rec, await this.status(rec)) : undefined;
  }

  /** Resolves when the wrapper has exited, or after `ms` (then: false). */
  private async waitExit(rec: ContainerRecord, ms: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + ms;
    const own = this.children.get(rec.id);
    if (own) {
      const ac = new AbortController();
      const onAbort = (): void => ac.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await Promise.race([own.exited.then(() => true), sleep(ms, ac.signal).then(() => false)]);
      } finally {
        ac.abort();
        signal?.removeEventListener('abort', onAbort);
      }
    }
    for (;;) {
      if (!(await this.alive(rec))) return true;
      if (Date.now() >= deadline || signal?.aborted) return false;
      await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<Exited> {
    const rec = await this.loadRecord(id);
    if (!rec) throw new NotFoundError(`process driver: no container ${id}`);
    for (;;) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      if (await this.waitExit(rec, 60_000, signal)) return this.finalize(rec, true);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const rec = await this.loadRecord(id);
    if (!rec) return;
    if (!(await this.alive(rec))) {
      await this.finalize(rec, false);
      return;
    }
    const pidFile = join(this.containerDirOf(id)!, 'pid');
    let pid = 0;
    for (let i = 0; i < 100 && !(pid > 0); i++) {
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (!(pid > 0)) {
        if (!(await this.alive(rec))) break;
        await delay(20);
      }
    }
    if (graceSeconds > 0 && pid > 0) {
      kill(pid, 'SIGTERM');
      if (await this.waitExit(rec, graceSeconds * 1000)) {
        await this.finalize(rec, true);
        return;
      }
    }
    this.killed.add(id);
    if (pid > 0) {
      // The command first, so the wrapper records 137; then the whole group.
      kill(pid, 'SIGKILL');
      await this.waitExit(rec, 2_000);
    }
    kill(-rec.pid, 'SIGKILL');
    if (!(await this.waitExit(rec, 10_000))) throw new Error(`process driver: container ${id} (pid ${rec.pid}) did not die after SIGKILL`);
    await this.finalize(rec, true);
  }

  async removeContainer(id: string): Promise<void> {
    const rec = await this.loadRecord(id);
    const dir = this.containerDirOf(id);
    if (!rec || !dir) return;
    if (await this.alive(rec)) throw new Error(`process driver: cannot remove running container ${id}; stop it first`);
    this.children.delete(id);
    this.killed.delete(id);
    await rm(dir, { recursive: true, force: true });
  }

  async recover(): Promise<ContainerHandle[]> {
    const out: ContainerHandle[] = [];
    const pods = await readdir(join(this.dataDir, 'pods')).catch(() => [] as string[]);
    for (const uid of pods) {
      const sb = await readJson<SandboxRecord>(this.sandboxFile(uid));
      if (sb && sb.node === this.node) out.push(this.sandboxHandle(sb));
      const dirs = await readdir(join(this.podDir(uid), 'containers')).catch(() => [] as string[]);
      for (const d of dirs) {
        const rec = await readJson<ContainerRecord>(join(this.podDir(uid), 'containers', d, 'record.json'));
        if (rec && rec.node === this.node) out.push(this.handle(rec, await this.status(rec)));
      }
    }
    return out;
  }

  async exec(id: string, opts: ExecOptions): Promise<number> {
    const rec = await this.loadRecord(id);
    if (!rec) throw new NotFoundError(`process driver: no container ${id}`);
    if (!(await this.alive(rec))) throw new Error(`process driver: container ${id} is not running`);
    const [cmd, ...args] = opts.command;
    if (!cmd) throw new Error('process driver: exec needs a command');
    await this.checkExecutable(cmd, rec.env.PATH ?? '', rec.cwd, rec.name);
    // No pseudo-terminal (tty is ignored): stdin, stdout and stderr are pipes.
    const child = spawn(cmd, args, { cwd: rec.cwd, env: rec.env, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const onAbort = (): void => void child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.stdin && child.stdin) {
        child.stdin.on('error', () => {}); // EPIPE when the command does not read its stdin
        opts.stdin.pipe(child.stdin);
      }
      child.stdout!.on('data', (c: Buffer) => opts.stdout.write(c));
      child.stderr!.on('data', (c: Buffer) => opts.stderr.write(c));
      const code = await new Promise<number>((res, rej) => {
        child.once('error', rej);
        child.once('close', (c, sig) => res(c ?? 128 + (sig ? (os.constants.signals[sig] ?? 0) : 0)));
      });
      if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
      return code;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.stdin && child.stdin) opts.stdin.unpipe(child.stdin);
    }
  }

  async attach(id: string, opts: AttachOptions): Promise<number | undefined> {
    if (opts.stdin) {
      throw new Error(
        `process driver: cannot attach stdin to container ${id}: its process reads /dev/null (attach stdin needs the docker runtime; exec -i works)`,
      );
    }
    const rec = await this.loadRecord(id);
    if (!rec) throw new NotFoundError(`process driver: no container ${id}`);
    const { signal } = opts;
    try {
      for await (const chunk of await this.logs(id, { follow: true, signal }) as AsyncIterable<Buffer>) {
        if (signal?.aborted) break;
        if (!opts.stdout.write(chunk)) await new Promise<void>((r) => opts.stdout.once('drain', r));
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
    if (signal?.aborted) return undefined;
    const st = await this.status(rec);
    return st.state === 'exited' ? st.exitCode : undefined;
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const rec = await this.loadRecord(id);
    const dir = this.containerDirOf(id);
    if (!rec || !dir) throw new NotFoundError(`process driver: no container ${id}`);
    const path = join(dir, 'log');
    let pos = opts.tail === undefined ? 0 : await tailOffset(path, opts.tail).catch(() => 0);
    if (!opts.follow) return createReadStream(path, { start: pos });
    // Follow: poll the file until the container has ended and everything is read.
    const done = (): Promise<boolean> => this.alive(rec).then((a) => !a);
    const signal = opts.signal;
    async function* follow(): AsyncGenerator<Buffer> {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          if (signal?.aborted) return;
          const finished = await done();
          let n: number;
          while ((n = (await fh.read(buf, 0, buf.length, pos)).bytesRead) > 0) {
            pos += n;
            yield Buffer.from(buf.subarray(0, n));
          }
          if (finished) return;
          await sleep(100, signal ?? new AbortController().signal);
        }
      } finally {
        await fh.close();
      }
    }
    // An abort ends the stream (within one poll), like the end of the container.
    return Readable.from(follow(), { objectMode: false });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      // The containers keep running; a new driver on the same dataDir re-adopts them.
      for (const { child } of this.children.values()) child.unref();
    }
    return Promise.resolve();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
