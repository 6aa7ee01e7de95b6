// Making a ClusterIP local so that a socket can listen on it: Linux treats all of 127/8 as
// local already; any other address is added as a /32 to a dummy interface (`shoal-svc`, as
// kube-proxy's IPVS mode does with kube-ipvs0; an empty bridge where the kernel has no dummy
// driver), which needs root. Without root, or without `ip`, the proxy logs a warning and
// leaves that ClusterIP unserved.
//
// A pod reaches such an address through its default route, the host side of the pod bridge:
// the host delivers the packet locally (the INPUT path), where Docker's rules (FORWARD and
// nat PREROUTING, which returns for traffic from its bridges) do not apply.
//
// The interface is shared by every proxy on the host (normally one; tests may run several at
// once, each with its own addresses). A proxy removes the addresses it added when their
// Service goes and at stop, and removes the interface at stop once no address is left on it.
// A proxy that finds an address already on the interface (one its predecessor left behind when
// it crashed) adopts it, so it is removed in turn.
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DUMMY_INTERFACE = 'shoal-svc';

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

/** What ensure() did: the address can be bound now (`bound`), the proxy is not set up to add
 * it (`off`: bindClusterIPs false, or not root; retrying will not help), or adding it failed
 * (`failed`: worth retrying). */
export type EnsureResult = 'bound' | 'off' | 'failed';

/** Adds and removes ClusterIPs on the dummy interface. One instance per proxy; calls are
 * serialised by the proxy's single reconcile worker (and stop(), after that worker ended). */
export class ClusterIPBinder {
  private readonly added = new Set<string>();
  private interfaceReady = false;
  /** Whether this proxy put anything on the interface (then close() may remove it). */
  private used = false;

  constructor(
    private readonly enabled: boolean,
    private readonly logger: AddressLogger,
  ) {}

  /** Makes `ip` bindable. */
  async ensure(ip: string): Promise<EnsureResult> {
    const on = localInterfaceOf(ip);
    if (on === DUMMY_INTERFACE) {
      this.added.add(ip);
      this.used = true;
      return 'bound';
    }
    if (on !== undefined) return 'bound';
    if (!this.enabled) {
      this.logger.warn(`proxy: ClusterIP ${ip} is not a local address and bindClusterIPs is off; not serving it`);
      return 'off';
    }
    if (process.getuid?.() !== 0) {
      this.logger.warn(`proxy: ClusterIP ${ip} is not a local address and adding it to ${DUMMY_INTERFACE} needs root; not serving it`);
      return 'off';
    }
    // Twice at most: another proxy stopping may remove the interface between our link check
    // and our address add ("Cannot find device"); the second round creates it again.
    for (let round = 0; ; round++) {
      try {
        await this.ensureInterface();
        try {
          await run('ip', ['addr', 'add', `${ip}/32`, 'dev', DUMMY_INTERFACE]);
        } catch (err) {
          if (!/exists/i.test(errText(err))) throw err;
        }
        this.added.add(ip);
        this.logger.info(`proxy: added ClusterIP ${ip} to ${DUMMY_INTERFACE}`);
        return 'bound';
      } catch (err) {
        if (round === 0 && /cannot find device/i.test(errText(err))) {
          this.interfaceReady = false;
          continue;
        }
        this.logger.warn(`proxy: cannot add ClusterIP ${ip} to ${DUMMY_INTERFACE} (${errText(err)}); retrying`);
        return 'failed';
      }
    }
  }

  private async ensureInterface(): Promise<void> {
    if (this.interfaceReady) return;
    this.used = true;
    try {
      await run('ip', ['link', 'add', DUMMY_INTERFACE, 'type', 'dummy']);
    } catch (err) {
      const text = errText(err);
      if (/unknown device type/i.test(text)) {
        // A kernel built without the dummy driver (some VM kernels, e.g. Firecracker's): a
        // bridge with no ports holds addresses just as well (local delivery needs only the
        // address, not a carrier), and every kernel that runs Docker has bridges.
        try {
          await run('ip', ['link', 'add', DUMMY_INTERFACE, 'type', 'bridge']);
          this.logger.info(`proxy: this kernel has no dummy interfaces; ${DUMMY_INTERFACE} is an empty bridge`);
        } catch (err2) {
          if (!/exists/i.test(errText(err2))) throw err2;
        }
      } else if (!/exists/i.test(text)) {
        throw err;
      }
    }
    await run('ip', ['link', 'set', DUMMY_INTERFACE, 'up']);
    this.interfaceReady = true;
  }

  /** Removes `ip` if this proxy added (or adopted) it. */
  async release(ip: string): Promise<void> {
    if (!this.added.delete(ip)) return;
    try {
      await run('ip', ['addr', 'del', `${ip}/32`, 'dev', DUMMY_INTERFACE]);
    } catch (err) {
      // Already gone (removed by hand, or with the interface) is what we wanted.
      if (/cannot assign|cannot find device|does not exist/i.test(errText(err))) return;
      this.logger.warn(`proxy: cannot remove ClusterIP ${ip} from ${DUMMY_INTERFACE}: ${errText(err)}`);
    }
  }

  async releaseAll(): Promise<void> {
    for (const ip of [...this.added]) await this.release(ip);
  }

  /** At stop: removes every address this proxy added, then the interface if this proxy used
   * it and no address (of another proxy on this host) is left on it. */
  async close(): Promise<void> {
    await this.releaseAll();
    if (!this.used) return;
    this.used = false;
    this.interfaceReady = false;
    try {
      const { stdout } = await run('ip', ['-o', 'addr', 'show', 'dev', DUMMY_INTERFACE]);
      // The kernel may give the link an IPv6 link-local address of its own; that one is not
      // anybody's ClusterIP.
      const held = stdout.split('\n').filter((l) => /\binet6? /.test(l) && !/\binet6 fe80:/i.test(l));
      if (held.length > 0) return;
      await run('ip', ['link', 'del', DUMMY_INTERFACE]);
      this.logger.info(`proxy: removed ${DUMMY_INTERFACE}`);
    } catch (err) {
      if (/does not exist|cannot find device/i.test(errText(err))) return;
      this.logger.warn(`proxy: cannot remove ${DUMMY_INTERFACE}: ${errText(err)}`);
    }
  }

  has(ip: string): boolean {
    return this.added.has(ip);
  }
}
