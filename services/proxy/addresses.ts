// Making a ClusterIP local so that a socket can listen on it: Linux treats all of 127/8 as
// local already; any other address is added as a /32 to a dummy interface (`shoal-svc` by
// default, as kube-proxy's IPVS mode does with kube-ipvs0; an empty bridge where the kernel has
// no dummy driver), which needs root. Without root, or without `ip`, the proxy logs a warning
// and leaves that ClusterIP unserved.
//
// A pod reaches such an address through its default route, the host side of the pod bridge:
// the host delivers the packet locally (the INPUT path), where Docker's rules (FORWARD and
// nat PREROUTING, which returns for traffic from its bridges) do not apply.
//
// One proxy owns an interface, exclusively. Sharing one between proxies (tests on one host
// used to) cannot be made safe with `ip` alone: a proxy that checks the interface is empty and
// then deletes it deletes whatever another proxy added in between, and a proxy that sweeps
// addresses it does not know deletes the other's. So each proxy gets its own interface
// (`clusterIPInterface`, default shoal-svc: one proxy per node needs nothing more), and a lock
// file /run/shoal/<interface>.lock (O_EXCL, holding the owner's pid and process start time,
// so that a crashed owner's lock is recognised as stale even once its pid is reused) makes a
// second proxy configured with the same name refuse it, with a warning, rather than corrupt
// it. The owner may then do what sharing forbade: at start it removes the addresses its
// predecessor left behind for Services deleted meanwhile (sweep), and at stop it deletes the
// interface outright. A lock held by no live process (a crash) is taken over.
import { execFile } from 'node:child_process';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DUMMY_INTERFACE = 'shoal-svc';
export const LOCK_DIR = '/run/shoal';

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', ':' or blanks. */
const INTERFACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

export function validInterfaceName(name: string): boolean {
  return INTERFACE_NAME.test(name);
}

export interface AddressLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** The interface `ip` is on ('lo' for 127/8 and the wildcards), or undefined when it is not a
 * local address. */
export function localInterfaceOf(ip: string): string | undefined {
  if (ip === '0.0.0.0' || ip === '::' || ip.startsWith('127.') || ip === '::1') return 'lo';
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) if (a.address === ip) return name;
  }
  return undefined;
}

/** True when a socket can be bound to `ip` on this host without adding it anywhere. */
export function isLocalAddress(ip: string): boolean {
  return localInterfaceOf(ip) !== undefined;
}

function errText(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(err)).trim();
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** What ensure() did: the address can be bound now (`bound`), the proxy cannot add it (`off`:
 * bindClusterIPs false, not root, or the interface is another proxy's; retrying will not
 * help), or adding it failed (`failed`: worth retrying). `reason` says why, for `off` and
 * `failed`. */
export interface EnsureResult {
  state: 'bound' | 'off' | 'failed';
  reason?: string;
}

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat),
 * or undefined when there is no such process. */
async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

/** Lock files this process holds (a second proxy in the same process must not take one). */
const heldHere = new Set<string>();

/** Who holds an interface: this binder, or someone else (described). */
type Ownership = { owner: true } | { owner: false; holder: string };

/**
 * Takes the lock file `path` for this process, or says who holds it. Bounded: three rounds at
 * most (a stale lock is moved aside atomically by rename, so two proxies taking over the same
 * stale lock cannot both win).
 */
export async function acquireInterfaceLock(path: string): Promise<Ownership> {
  if (heldHere.has(path)) return { owner: false, holder: `another proxy in this process (pid ${process.pid})` };
  const me = `${process.pid} ${(await processStartTime(process.pid)) ?? '?'}\n`;
  // Written aside and then linked into place, so the lock never exists without its content
  // (an empty lock read at the wrong moment would look stale).
  const mine = `${path}.${process.pid}.tmp`;
  await writeFile(mine, me, { mode: 0o644 });
  try {
    for (let round = 0; round < 3; round++) {
      try {
        await link(mine, path);
        heldHere.add(path);
        return { owner: true };
      } catch (err) {
        if (errCode(err) !== 'EEXIST') throw err;
      }
      const holder = await staleOrHolder(path, round);
      if (holder !== undefined) return { owner: false, holder };
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  return { owner: false, holder: 'a proxy that keeps taking it over' };
}

/** Who holds the lock at `path`; undefined when nobody (it was stale and has been moved
 * aside, or it vanished): the caller tries again. */
async function staleOrHolder(path: string, round: number): Promise<string | undefined> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const [pidText, start] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  // Our own pid with no binder of ours holding it: a lock this process left (a proxy whose
  // stop failed half-way); like any dead holder's, it is stale.
  const alive = Number.isInteger(pid) && pid > 0 && pid !== process.pid ? (await processStartTime(pid)) === start : false;
  if (alive) return `pid ${pid}`;
  const aside = `${path}.stale-${process.pid}-${round}`;
  try {
    await rename(path, aside);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined; // someone else moved it first
    throw err;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== content) {
    // A live proxy's fresh lock replaced the stale one between our read and the rename: put
    // it back (link fails if yet another appeared, which is then the lock).
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return undefined;
}

export interface BinderOptions {
  /** Add non-local ClusterIPs at all (the proxy's bindClusterIPs). */
  enabled: boolean;
  /** Default shoal-svc. */
  interfaceName?: string;
  /** Where the ownership lock lives (default /run/shoal). */
  lockDir?: string;
  logger: AddressLogger;
}

/** Adds and removes ClusterIPs on the proxy's dummy interface. One instance per proxy; calls
 * are serialised by the proxy's single reconcile worker (and stop(), after that worker
 * ended). */
export class ClusterIPBinder {
  readonly interfaceName: string;
  private readonly added = new Set<string>();
  private readonly lockPath: string;
  private interfaceReady = false;
  /** Undefined until first needed; then whether this binder owns the interface. */
  private ownership: Ownership | undefined;
  private readonly enabled: boolean;
  private readonly logger: AddressLogger;
  private readonly lockDir: string;

  constructor(opts: BinderOptions) {
    this.enabled = opts.enabled;
    this.logger = opts.logger;
    this.interfaceName = opts.interfaceName ?? DUMMY_INTERFACE;
    if (!validInterfaceName(this.interfaceName)) {
      throw new Error(`invalid ClusterIP interface name ${JSON.stringify(this.interfaceName)}: at most 15 letters, digits, '-', '_' or '.'`);
    }
    this.lockDir = opts.lockDir ?? LOCK_DIR;
    this.lockPath = join(this.lockDir, `${this.interfaceName}.lock`);
  }

  /** Why this binder cannot add addresses at all, or undefined when it may try. */
  private disabledReason(): string | undefined {
    if (!this.enabled) return 'bindClusterIPs is off';
    if (process.getuid?.() !== 0) return `adding it to ${this.interfaceName} needs root`;
    return undefined;
  }

  private async claim(): Promise<Ownership> {
    if (!this.ownership) {
      await mkdir(this.lockDir, { recursive: true, mode: 0o755 });
      this.ownership = await acquireInterfaceLock(this.lockPath);
      if (!this.ownership.owner) {
        this.logger.warn(
          `proxy: ${this.interfaceName} belongs to another proxy on this host (${this.ownership.holder}, lock ${this.lockPath}); ` +
            `give this proxy its own --cluster-ip-interface`,
        );
      }
    }
    return this.ownership;
  }

  /** Makes `ip` bindable. */
  async ensure(ip: string): Promise<EnsureResult> {
    const on = localInterfaceOf(ip);
    if (on !== undefined && on !== this.interfaceName) return { state: 'bound' };
    const disabled = this.disabledReason();
    if (disabled !== undefined) {
      if (on !== undefined) return { state: 'bound' }; // there already, someone else's doing
      this.logger.warn(`proxy: ClusterIP ${ip} is not a local address and ${disabled}; not serving it`);
      return { state: 'off', reason: `${ip} is not a local address and ${disabled}` };
    }
    let owned: Ownership;
    try {
      owned = await this.claim();
    } catch (err) {
      this.logger.warn(`proxy: cannot take the lock ${this.lockPath} (${errText(err)}); retrying`);
      return { state: 'failed', reason: `cannot take the lock ${this.lockPath}: ${errText(err)}` };
    }
    if (!owned.owner) {
      if (on !== undefined) return { state: 'bound' };
      return { state: 'off', reason: `${this.interfaceName} belongs to another proxy (${owned.holder})` };
    }
    // An address already there (left by this interface's previous owner; os.networkInterfaces
    // does not list the addresses of a bridge without carrier, so `ip` says) is adopted, so it
    // is removed in turn.
    // Twice at most: the interface may vanish (deleted by hand) between our link check and
    // our address add ("Cannot find device"); the second round creates it again.
    for (let round = 0; ; round++) {
      try {
        await this.ensureInterface();
        try {
          await run('ip', ['addr', 'add', `${ip}/32`, 'dev', this.interfaceName]);
        } catch (err) {
          if (!/exists|already assigned/i.test(errText(err))) throw err;
        }
        this.added.add(ip);
        this.logger.info(`proxy: added ClusterIP ${ip} to ${this.interfaceName}`);
        return { state: 'bound' };
      } catch (err) {
        if (round === 0 && /cannot find device/i.test(errText(err))) {
          this.interfaceReady = false;
          continue;
        }
        this.logger.warn(`proxy: cannot add ClusterIP ${ip} to ${this.interfaceName} (${errText(err)}); retrying`);
        return { state: 'failed', reason: `cannot add ${ip} to ${this.interfaceName}: ${errText(err)}` };
      }
    }
  }

  private async ensureInterface(): Promise<void> {
    if (this.interfaceReady) return;
    try {
      await run('ip', ['link', 'add', this.interfaceName, 'type', 'dummy']);
    } catch (err) {
      const text = errText(err);
      if (/unknown device type/i.test(text)) {
        // A kernel built without the dummy driver (some VM kernels, e.g. Firecracker's): a
        // bridge with no ports holds addresses just as well (local delivery needs only the
        // address, not a carrier), and every kernel that runs Docker has bridges.
        try {
          await run('ip', ['link', 'add', this.interfaceName, 'type', 'bridge']);
          this.logger.info(`proxy: this kernel has no dummy interfaces; ${this.interfaceName} is an empty bridge`);
        } catch (err2) {
          if (!/exists/i.test(errText(err2))) throw err2;
        }
      } else if (!/exists/i.test(text)) {
        throw err;
      }
    }
    await run('ip', ['link', 'set', this.interfaceName, 'up']);
    this.interfaceReady = true;
  }

  /** The IPv4 addresses on the interface; undefined when it does not exist. */
  private async addressesOnInterface(): Promise<string[] | undefined> {
    try {
      const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', this.interfaceName]);
      return [...stdout.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
    } catch (err) {
      if (/does not exist|cannot find device/i.test(errText(err))) return undefined;
      throw err;
    }
  }

  /**
   * Once the proxy's caches are synced: removes every address on the interface that is not in
   * `wanted` (the ClusterIPs of the Services that exist, and the DNS address), the leftovers of
   * a predecessor that stopped without removing them (a crash, or Services deleted while no
   * proxy ran). Only when this binder owns the interface; nothing when it does not exist.
   * Returns the addresses removed.
   */
  async sweep(wanted: ReadonlySet<string>): Promise<string[]> {
    if (this.disabledReason() !== undefined) return [];
    const present = await this.addressesOnInterface();
    if (present === undefined) return [];
    if (!(await this.claim()).owner) return [];
    const removed: string[] = [];
    for (const ip of present) {
      if (wanted.has(ip) || this.added.has(ip)) continue;
      try {
        await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.interfaceName]);
        removed.push(ip);
      } catch (err) {
        if (!/cannot assign|cannot find device|does not exist/i.test(errText(err))) throw err;
      }
    }
    if (removed.length > 0) this.logger.info(`proxy: removed ${removed.length} stale address(es) from ${this.interfaceName}: ${removed.join(', ')}`);
    return removed;
  }

  /** Removes `ip` if this proxy added (or adopted) it. */
  async release(ip: string): Promise<void> {
    if (!this.added.delete(ip)) return;
    try {
      await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.interfaceName]);
    } catch (err) {
      // Already gone (removed by hand, or with the interface) is what we wanted.
      if (/cannot assign|cannot find device|does not exist/i.test(errText(err))) return;
      this.logger.warn(`proxy: cannot remove ClusterIP ${ip} from ${this.interfaceName}: ${errText(err)}`);
    }
  }

  async releaseAll(): Promise<void> {
    for (const ip of [...this.added]) await this.release(ip);
  }

  /** At stop: removes every address this proxy added; then, if it owns the interface, the
   * interface itself (whatever is left on it is a leftover: nobody else adds to it) and last
   * the lock, so the next owner never sees the interface half-removed. */
  async close(): Promise<void> {
    await this.releaseAll();
    const owned = this.ownership;
    this.ownership = undefined;
    this.interfaceReady = false;
    if (!owned?.owner) return;
    try {
      await run('ip', ['link', 'del', this.interfaceName]);
      this.logger.info(`proxy: removed ${this.interfaceName}`);
    } catch (err) {
      if (!/does not exist|cannot find device/i.test(errText(err))) this.logger.warn(`proxy: cannot remove ${this.interfaceName}: ${errText(err)}`);
    }
    await unlink(this.lockPath).catch(() => undefined);
    heldHere.delete(this.lockPath);
  }

  has(ip: string): boolean {
    return this.added.has(ip);
  }
}
