// A pod's volumes on this node. emptyDir, configMap and secret are directories under
// <dataDir>/pods/<uid>/volumes/<name>, removed with the pod; persistentVolumeClaim is a named
// driver volume ("pvc-<namespace>-<claim>") that outlives the pod; hostPath is the node's own.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative, isAbsolute } from 'node:path';
import type { ShoalClient } from '../../lib/client.js';
import { NotFoundError, ShoalError } from '../../lib/errors.js';
import type { ConfigMap__Output } from '../../lib/gen/shoal/v1/ConfigMap.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { KeyToPath__Output } from '../../lib/gen/shoal/v1/KeyToPath.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { Secret__Output } from '../../lib/gen/shoal/v1/Secret.js';
import type { ContainerDriver, Mount, MountSource } from './driver.js';

/** A volume could not be set up (a missing ConfigMap, Secret or key): shown as the
 * containers' ContainerCreating message and retried. */
export class VolumeError extends ShoalError {
  override name = 'VolumeError';
}

export interface PreparedVolume {
  source: MountSource;
  /** configMap and secret volumes are always read-only, as in Kubernetes. */
  readOnly: boolean;
  /** emptyDir, configMap and secret directories; undefined for hostPath and volumes. */
  dir?: string;
}

export interface VolumeContext {
  driver: ContainerDriver;
  client: ShoalClient;
  dataDir: string;
  signal?: AbortSignal;
}

/** The directory of everything the agent keeps for one pod. */
export function podDir(dataDir: string, uid: string): string {
  return join(dataDir, 'pods', uid);
}

/** The driver volume that backs a claim on this node. */
export function pvcVolumeName(namespace: string, claim: string): string {
  return `pvc-${namespace}-${claim}`;
}

/** Removes the pod's directories (emptyDir, configMap and secret files); claims stay. */
export async function removePodDir(dataDir: string, uid: string): Promise<void> {
  if (!uid || uid.includes('/') || uid.includes('..')) return;
  await rm(podDir(dataDir, uid), { recursive: true, force: true });
}

/** A relative path that stays inside its directory (KeyToPath.path rules). */
function safeJoin(dir: string, path: string): string {
  const n = normalize(path);
  if (!path || isAbsolute(path) || n.startsWith('..')) throw new VolumeError(`invalid volume file path ${JSON.stringify(path)}`);
  const full = join(dir, n);
  if (relative(dir, full).startsWith('..')) throw new VolumeError(`invalid volume file path ${JSON.stringify(path)}`);
  return full;
}

/** Writes `files` (key → content) into `dir`, as `items` select and rename them. */
async function writeProjected(
  dir: string,
  files: Map<string, Buffer>,
  items: KeyToPath__Output[] | undefined,
  defaultMode: number,
  what: string,
  optional: boolean,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const chosen: { path: string; data: Buffer; mode: number }[] = [];
  if (items?.length) {
    for (const item of items) {
      const data = files.get(item.key ?? '');
      if (!data) {
        if (optional) continue;
        throw new VolumeError(`${what}: key ${JSON.stringify(item.key)} not found`);
      }
      chosen.push({ path: item.path || item.key || '', data, mode: item.mode ?? defaultMode });
    }
  } else {
    for (const [key, data] of files) chosen.push({ path: key, data, mode: defaultMode });
  }
  for (const f of chosen) {
    const full = safeJoin(dir, f.path);
    await mkdir(dirname(full), { recursive: true });
    // Unchanged files are left alone; changed ones are replaced whole (a reader never sees
    // half a file).
    const old = await readFile(full).catch(() => undefined);
    if (old?.equals(f.data)) continue;
    const tmp = `${full}.shoal-tmp`;
    await writeFile(tmp, f.data);
    await chmod(tmp, f.mode & 0o777);
    await rename(tmp, full);
  }
}

async function fetchOptional<T>(client: ShoalClient, kind: string, ns: string, name: string, signal?: AbortSignal): Promise<T | undefined> {
  try {
    return (await client.get(kind, ns, name, { signal })) as T;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * Sets up every volume of the pod (idempotent: files are rewritten, directories kept) and
 * returns them by name. A missing ConfigMap or Secret that is not optional is a VolumeError.
 */
export async function prepareVolumes(pod: Pod__Output, ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
  const uid = pod.metadata?.uid ?? '';
  const ns = pod.metadata?.namespace ?? 'default';
  const base = join(podDir(ctx.dataDir, uid), 'volumes');
  const out = new Map<string, PreparedVolume>();
  for (const v of pod.spec?.volumes ?? []) {
    const name = v.name ?? '';
    const dir = join(base, name);
    if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName ?? '';
      const volume = pvcVolumeName(ns, claim);
      await ctx.driver.ensureVolume(volume);
      out.set(name, { source: { type: 'volume', name: volume }, readOnly: v.persistentVolumeClaim.readOnly ?? false });
    } else if (v.hostPath) {
      const path = v.hostPath.path ?? '';
      if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(path, { recursive: true });
      out.set(name, { source: { type: 'hostPath', path }, readOnly: false });
    } else if (v.configMap) {
      const src = v.configMap;
      const optional = src.optional ?? false;
      const cm = await fetchOptional<ConfigMap__Output>(ctx.client, 'ConfigMap', ns, src.name ?? '', ctx.signal);
      if (!cm && !optional) throw new VolumeError(`configmap ${JSON.stringify(src.name)} not found`);
      const files = new Map<string, Buffer>();
      for (const [k, val] of Object.entries(cm?.data ?? {})) files.set(k, Buffer.from(val, 'utf8'));
      for (const [k, val] of Object.entries(cm?.binaryData ?? {})) files.set(k, Buffer.from(val, 'base64'));
      await writeProjected(dir, files, src.items, src.defaultMode ?? 0o644, `configmap ${src.name ?? ''}`, optional);
      out.set(name, { source: { type: 'hostPath', path: dir }, readOnly: true, dir });
    } else if (v.secret) {
      const src = v.secret;
      const optional = src.optional ?? false;
      const secret = await fetchOptional<Secret__Output>(ctx.client, 'Secret', ns, src.secretName ?? '', ctx.signal);
      if (!secret && !optional) throw new VolumeError(`secret ${JSON.stringify(src.secretName)} not found`);
      const files = new Map<string, Buffer>();
      for (const [k, val] of Object.entries(secret?.data ?? {})) files.set(k, Buffer.from(val, 'base64'));
      await writeProjected(dir, files, src.items, src.defaultMode ?? 0o644, `secret ${src.secretName ?? ''}`, optional);
      out.set(name, { source: { type: 'hostPath', path: dir }, readOnly: true, dir });
    } else {
      // emptyDir (the API server defaults a volume without a source to one).
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o777);
      out.set(name, { source: { type: 'hostPath', path: dir }, readOnly: false, dir });
    }
  }
  return out;
}

/** True when the pod has volumes whose content comes from the API (refreshed periodically). */
export function hasProjectedVolumes(pod: Pod__Output): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.configMap || v.secret);
}

/** The container's mounts (creating subPath directories); a mount of a volume the pod does not declare is a VolumeError. */
export async function containerMounts(c: Container__Output, volumes: Map<string, PreparedVolume>): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of c.volumeMounts ?? []) {
    const v = volumes.get(vm.name ?? '');
    if (!v) throw new VolumeError(`container ${c.name ?? ''}: no volume ${JSON.stringify(vm.name)}`);
    let source = v.source;
    if (vm.subPath) {
      if (source.type !== 'hostPath') throw new VolumeError(`container ${c.name ?? ''}: subPath is not supported on volume ${vm.name ?? ''}`);
      const path = safeJoin(source.path, vm.subPath);
      // As the kubelet: a subPath of a directory volume is created when missing.
      if (v.dir) await mkdir(path, { recursive: true });
      source = { type: 'hostPath', path };
    }
    mounts.push({ source, target: vm.mountPath ?? '', readOnly: v.readOnly || (vm.readOnly ?? false) });
  }
  return mounts;
}
