// Making a ClusterIP local so that a socket can listen on it: Linux treats all of 127/8 as
// local already; any other address is added as a /32 to a dummy interface (`shoal-svc`, as
// kube-proxy's IPVS mode does with kube-ipvs0), which needs root. Without root, or without
// `ip`, the proxy logs a warning and leaves that ClusterIP unserved.
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const DUMMY_INTERFACE = 'shoal-svc';

export interface AddressLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** True when a socket can be bound to `ip` on this host without adding it anywhere. */
export function isLocalAddress(ip: string): boolean {
  if (ip === '0.0.0.0' || ip === '::' || ip.startsWith('127.') || ip === '::1') return true;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address === ip) return true;
  }
  return false;
}

function errText(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return (e.stderr || e.message || String(err)).trim();
}

/** Adds and removes ClusterIPs on the dummy interface. One instance per proxy; calls are
 * serialised by the proxy's single reconcile worker. */
export class ClusterIPBinder {
  private readonly added = new Set<string>();
  private interfaceReady = false;

  constructor(
    private readonly enabled: boolean,
    private readonly logger: AddressLogger,
  ) {}

  /** Makes `ip` bindable. False (after a warning) when it cannot. */
  async ensure(ip: string): Promise<boolean> {
    if (isLocalAddress(ip)) return true;
    if (!this.enabled) {
      this.logger.warn(`proxy: ClusterIP ${ip} is not a local address and bindClusterIPs is off; not serving it`);
      return false;
    }
    if (process.getuid?.() !== 0) {
      this.logger.warn(`proxy: ClusterIP ${ip} is not a local address and adding it to ${DUMMY_INTERFACE} needs root; not serving it`);
      return false;
    }
    try {
      if (!this.interfaceReady) {
        try {
          await run('ip', ['link', 'add', DUMMY_INTERFACE, 'type', 'dummy']);
        } catch (err) {
          if (!/exists/i.test(errText(err))) throw err;
        }
        await run('ip', ['link', 'set', DUMMY_INTERFACE, 'up']);
        this.interfaceReady = true;
      }
      try {
        await run('ip', ['addr', 'add', `${ip}/32`, 'dev', DUMMY_INTERFACE]);
      } catch (err) {
        if (!/exists/i.test(errText(err))) throw err;
      }
      this.added.add(ip);
      this.logger.info(`proxy: added ClusterIP ${ip} to ${DUMMY_INTERFACE}`);
      return true;
    } catch (err) {
      this.logger.warn(`proxy: cannot add ClusterIP ${ip} to ${DUMMY_INTERFACE} (${errText(err)}); not serving it`);
      return false;
    }
  }

  /** Removes `ip` if this proxy added it. */
  async release(ip: string): Promise<void> {
    if (!this.added.delete(ip)) return;
    try {
      await run('ip', ['addr', 'del', `${ip}/32`, 'dev', DUMMY_INTERFACE]);
    } catch (err) {
      this.logger.warn(`proxy: cannot remove ClusterIP ${ip} from ${DUMMY_INTERFACE}: ${errText(err)}`);
    }
  }

  async releaseAll(): Promise<void> {
    for (const ip of [...this.added]) await this.release(ip);
  }

  has(ip: string): boolean {
    return this.added.has(ip);
  }
}
