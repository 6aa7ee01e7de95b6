// The ClusterIP interface and its ownership (services/proxy/addresses.ts), with the real `ip`
// (root): one proxy per interface, enforced by a lock file; a second binder on the same name
// is refused instead of sharing it (sharing is what made a stopping proxy delete the interface
// under another's fresh address); a dead owner's lock is taken over; the owner sweeps what a
// predecessor left and deletes the interface at stop.
//
// Each binder here uses its own interface name and a lock directory of its own, so nothing is
// shared with other test files (or a real proxy on this host). No packet is sent: addresses
// go on a dummy interface, that is all (from RFC 2544's 198.18.5.0/24, never routed).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterIPBinder, acquireInterfaceLock } from '../services/proxy/addresses.js';
import { tempDir } from './harness.js';

const run = promisify(execFile);
const IFACE = `shoal-t-b${process.pid % 100000}`;
const root = process.getuid?.() === 0;
const logger = { info: () => {}, warn: () => {} };

async function addresses(name = IFACE): Promise<string[] | undefined> {
  try {
    const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', name]);
    return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!).sort();
  } catch {
    return undefined;
  }
}

describe.skipIf(!root)('the ClusterIP interface belongs to one proxy', () => {
  let lockDir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: lockDir, cleanup } = await tempDir('shoal-binder-'));
  });
  afterAll(async () => {
    await run('ip', ['link', 'del', IFACE]).catch(() => undefined);
    await cleanup?.();
  });

  const binder = (): ClusterIPBinder => new ClusterIPBinder({ enabled: true, interfaceName: IFACE, lockDir, logger });

  it('the first binder owns it; a second one on the same name is refused and leaves it alone', async () => {
    const a = binder();
    const b = binder();
    expect(await a.ensure('198.18.5.1')).toEqual({ state: 'bound' });
    expect(existsSync(join(lockDir, `${IFACE}.lock`))).toBe(true);
    const refused = await b.ensure('198.18.5.2');
    expect(refused.state).toBe('off');
    expect(refused.reason).toMatch(/belongs to another proxy/);
    // b sees a's address as local and may listen on it, but never removes it.
    expect(await b.ensure('198.18.5.1')).toEqual({ state: 'bound' });
    expect(await b.sweep(new Set())).toEqual([]);
    await b.close();
    expect(await addresses()).toEqual(['198.18.5.1']);
    // a stops: its addresses, the interface and the lock go.
    await a.close();
    expect(await addresses()).toBeUndefined();
    expect(existsSync(join(lockDir, `${IFACE}.lock`))).toBe(false);
    // Now another may have it.
    const c = binder();
    expect(await c.ensure('198.18.5.3')).toEqual({ state: 'bound' });
    await c.close();
    expect(await addresses()).toBeUndefined();
  });

  it('the owner sweeps what its predecessor left for Services that are gone, and adopts what is still wanted', async () => {
    // As the binder makes it: a dummy interface, or an empty bridge on kernels without one.
    await run('ip', ['link', 'add', IFACE, 'type', 'dummy']).catch(() => run('ip', ['link', 'add', IFACE, 'type', 'bridge']));
    for (const ip of ['198.18.5.10', '198.18.5.11', '198.18.5.12']) await run('ip', ['addr', 'add', `${ip}/32`, 'dev', IFACE]);
    const a = binder();
    expect(await a.sweep(new Set(['198.18.5.11']))).toEqual(['198.18.5.10', '198.18.5.12']);
    expect(await addresses()).toEqual(['198.18.5.11']);
    expect(await a.ensure('198.18.5.11')).toEqual({ state: 'bound' });
    expect(a.has('198.18.5.11')).toBe(true);
    await a.close();
    expect(await addresses()).toBeUndefined();
  });

  it('a lock left by a dead process is taken over; one held by a live process is not', async () => {
    const lock = join(lockDir, `${IFACE}.lock`);
    // A process that has exited: its pid (and start time) name nobody now.
    const gone = spawn('true');
    const pid = gone.pid!;
    await new Promise((r) => gone.once('exit', r));
    await writeFile(lock, `${pid} 12345\n`);
    const a = binder();
    expect(await a.ensure('198.18.5.20')).toEqual({ state: 'bound' });
    expect((await readFile(lock, 'utf8')).split(' ')[0]).toBe(String(process.pid));
    await a.close();

    // A live process with its real start time holds it.
    const sleeper = spawn('sleep', ['30']);
    try {
      const stat = await readFile(`/proc/${sleeper.pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      await writeFile(lock, `${sleeper.pid} ${start}\n`);
      expect(await acquireInterfaceLock(lock)).toEqual({ owner: false, holder: `pid ${sleeper.pid}` });
      const b = binder();
      expect((await b.ensure('198.18.5.21')).state).toBe('off');
      await b.close();
      expect(existsSync(lock)).toBe(true);
      // The same pid with another start time is a reused pid: stale.
      await writeFile(lock, `${sleeper.pid} 1\n`);
      expect(await acquireInterfaceLock(lock)).toEqual({ owner: true });
    } finally {
      sleeper.kill();
    }
    // This process holds it now; a second binder in this process is refused too.
    expect((await acquireInterfaceLock(lock)).owner).toBe(false);
  });

  it('an invalid interface name is refused at once', () => {
    expect(() => new ClusterIPBinder({ enabled: true, interfaceName: 'a-name-far-too-long', lockDir, logger })).toThrow(/invalid ClusterIP interface name/);
    expect(() => new ClusterIPBinder({ enabled: true, interfaceName: '../x', lockDir, logger })).toThrow(/invalid/);
  });
});

describe('without root or with binding off', () => {
  it('ensure() says why the address cannot be served, and touches nothing', async () => {
    const off = new ClusterIPBinder({ enabled: false, interfaceName: 'shoal-t-off', lockDir: '/nonexistent/shoal', logger });
    expect(await off.ensure('198.18.5.30')).toEqual({ state: 'off', reason: '198.18.5.30 is not a local address and bindClusterIPs is off' });
    expect(await off.ensure('127.0.0.5')).toEqual({ state: 'bound' });
    expect(await off.sweep(new Set())).toEqual([]);
    await off.close();
  });
});
