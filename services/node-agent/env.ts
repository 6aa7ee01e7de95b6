// A container's environment, as the kubelet builds it: envFrom, then env (later wins), with
// valueFrom fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef, and $(VAR)
// references expanded in values, command and args.
import type { ShoalClient } from '../../lib/client.js';
import { NotFoundError, ShoalError } from '../../lib/errors.js';
import type { ConfigMap__Output } from '../../lib/gen/shoal/v1/ConfigMap.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { Secret__Output } from '../../lib/gen/shoal/v1/Secret.js';
import { parseQuantity } from '../../lib/quantity.js';

/** The container's configuration cannot be built (a missing ConfigMap, Secret or key, an
 * unknown field path): its waiting reason is CreateContainerConfigError, and it is retried. */
export class ContainerConfigError extends ShoalError {
  override name = 'ContainerConfigError';
}

export interface EnvContext {
  client: ShoalClient;
  pod: Pod__Output;
  podIP: string;
  hostIP: string;
  nodeName: string;
  /** The node's allocatable cpu (cores) and memory (bytes): limits.* without a limit. */
  nodeCpu: number;
  nodeMemory: number;
  signal?: AbortSignal;
  /** ConfigMaps and Secrets already fetched for this pod sync ("ConfigMap/name" → object or
   * null when absent). */
  cache?: Map<string, unknown>;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Replaces $(NAME) with its value when defined; $$ escapes a $ (Kubernetes' expansion). */
export function expandVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([^)]*)\)/g, (m: string, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && Object.prototype.hasOwnProperty.call(env, name) ? env[name]! : m;
  });
}

async function fetch<T>(ctx: EnvContext, kind: 'ConfigMap' | 'Secret', name: string): Promise<T | undefined> {
  const key = `${kind}/${name}`;
  if (ctx.cache?.has(key)) return (ctx.cache.get(key) ?? undefined) as T | undefined;
  let obj: T | undefined;
  try {
    obj = (await ctx.client.get(kind, ctx.pod.metadata?.namespace ?? 'default', name, { signal: ctx.signal })) as T;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  ctx.cache?.set(key, obj ?? null);
  return obj;
}

async function configMapData(ctx: EnvContext, name: string): Promise<Record<string, string> | undefined> {
  const cm = await fetch<ConfigMap__Output>(ctx, 'ConfigMap', name);
  if (!cm) return undefined;
  const data: Record<string, string> = { ...cm.data };
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data[k] ??= Buffer.from(v, 'base64').toString('utf8');
  return data;
}

async function secretData(ctx: EnvContext, name: string): Promise<Record<string, string> | undefined> {
  const s = await fetch<Secret__Output>(ctx, 'Secret', name);
  if (!s) return undefined;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
  return data;
}

function fieldValue(path: string, ctx: EnvContext): string {
  const m = ctx.pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'spec.nodeName':
      return ctx.pod.spec?.nodeName || ctx.nodeName;
    case 'spec.serviceAccountName':
      return ctx.pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

function resourceValue(c: Container__Output, resource: string, divisor: string | undefined, ctx: EnvContext): string {
  const [kind, name] = resource.split('.') as [string, string | undefined];
  const table = kind === 'limits' ? c.resources?.limits : kind === 'requests' ? c.resources?.requests : undefined;
  if (!name || (kind !== 'limits' && kind !== 'requests') || (name !== 'cpu' && name !== 'memory')) {
    throw new ContainerConfigError(`unsupported resourceFieldRef resource ${JSON.stringify(resource)}`);
  }
  const given = table?.[name];
  let value = given !== undefined ? parseQuantity(given) : undefined;
  // No limit: the node's allocatable, as the kubelet reports it; no request: 0.
  value ??= kind === 'limits' ? (name === 'cpu' ? ctx.nodeCpu : ctx.nodeMemory) : 0;
  const d = parseQuantity(divisor || '1') || 1;
  return String(Math.ceil(value / d));
}

/** The environment of `c` in `ctx.pod`. ContainerConfigError for what is missing. */
export async function containerEnv(c: Container__Output, ctx: EnvContext): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      data = await configMapData(ctx, from.configMapRef.name ?? '');
      if (!data && !from.configMapRef.optional) throw new ContainerConfigError(`configmap ${JSON.stringify(from.configMapRef.name)} not found`);
    } else if (from.secretRef) {
      data = await secretData(ctx, from.secretRef.name ?? '');
      if (!data && !from.secretRef.optional) throw new ContainerConfigError(`secret ${JSON.stringify(from.secretRef.name)} not found`);
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      // Keys that are not valid variable names are skipped (Kubernetes records an event).
      if (ENV_NAME.test(prefix + k)) env[prefix + k] = v;
    }
  }
  for (const e of c.env ?? []) {
    const name = e.name ?? '';
    if (!name) continue;
    const from = e.valueFrom;
    if (!from) {
      env[name] = expandVars(e.value ?? '', env);
    } else if (from.fieldRef) {
      env[name] = fieldValue(from.fieldRef.fieldPath ?? '', ctx);
    } else if (from.resourceFieldRef) {
      env[name] = resourceValue(c, from.resourceFieldRef.resource ?? '', from.resourceFieldRef.divisor, ctx);
    } else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const data = await configMapData(ctx, ref.name ?? '');
      const value = data?.[ref.key ?? ''];
      if (value !== undefined) env[name] = value;
      else if (!ref.optional) {
        throw new ContainerConfigError(
          data ? `couldn't find key ${ref.key ?? ''} in ConfigMap ${ctx.pod.metadata?.namespace ?? ''}/${ref.name ?? ''}` : `configmap ${JSON.stringify(ref.name)} not found`,
        );
      }
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const data = await secretData(ctx, ref.name ?? '');
      const value = data?.[ref.key ?? ''];
      if (value !== undefined) env[name] = value;
      else if (!ref.optional) {
        throw new ContainerConfigError(
          data ? `couldn't find key ${ref.key ?? ''} in Secret ${ctx.pod.metadata?.namespace ?? ''}/${ref.name ?? ''}` : `secret ${JSON.stringify(ref.name)} not found`,
        );
      }
    }
  }
  return env;
}
