// A container's environment, as the kubelet builds it: the Services of the pod's namespace
// (Docker-link style discovery variables), then envFrom, then env (later wins), with
// valueFrom fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef, and $(VAR)
// references expanded in values, command and args.
import type { ShoalClient } from '../../lib/client.js';
import { NotFoundError, ShoalError } from '../../lib/errors.js';
import type { ConfigMap__Output } from '../../lib/gen/shoal/v1/ConfigMap.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import type { Secret__Output } from '../../lib/gen/shoal/v1/Secret.js';
import type { Service__Output } from '../../lib/gen/shoal/v1/Service.js';
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
  /** Where the discovery variables come from. Absent: none, as a kubelet without a service
   * lister does. */
  services?: ServiceLister;
}

/** The Services of a namespace for the discovery variables (e.g. an informer's cache). */
export type ServiceLister = (namespace: string) => Service__Output[] | Promise<Service__Output[]>;

/** A ServiceLister that asks the API server, once per namespace per `cache` (a pod sync). */
export function clientServiceLister(client: Pick<ShoalClient, 'list'>, cache?: Map<string, unknown>, signal?: AbortSignal): ServiceLister {
  return async (namespace) => {
    const key = `Services/${namespace}`;
    if (cache?.has(key)) return cache.get(key) as Service__Output[];
    const { items } = await client.list('Service', { namespace, signal });
    const services = items as Service__Output[];
    cache?.set(key, services);
    return services;
  };
}

/** A Service name or port name as a variable name: upper case, "-" → "_". */
function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/**
 * Kubernetes' service environment variables (pkg/kubelet/envvars) for the given Services:
 * {NAME}_SERVICE_HOST, {NAME}_SERVICE_PORT, {NAME}_SERVICE_PORT_{PORT_NAME}, and the Docker
 * link variables {NAME}_PORT, {NAME}_PORT_{port}_{PROTO}[_PROTO|_PORT|_ADDR]. Services with
 * no cluster IP (headless, ExternalName) have none.
 */
export function serviceEnv(services: Service__Output[]): Record<string, string> {
  const env: Record<string, string> = {};
  const sorted = [...services].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const svc of sorted) {
    const spec = svc.spec ?? {};
    const host = spec.clusterIP ?? '';
    const ports = spec.ports ?? [];
    if (!host || host === 'None' || spec.type === 'ExternalName' || ports.length === 0 || !svc.metadata?.name) continue;
    const name = envName(svc.metadata.name);
    env[`${name}_SERVICE_HOST`] = host;
    env[`${name}_SERVICE_PORT`] = String(ports[0]!.port ?? 0);
    for (const p of ports) {
      if (p.name) env[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port ?? 0);
    }
    ports.forEach((p, i) => {
      const protocol = (p.protocol || 'TCP').toLowerCase();
      const url = `${protocol}://${host}:${p.port ?? 0}`;
      if (i === 0) env[`${name}_PORT`] = url;
      const prefix = `${name}_PORT_${p.port ?? 0}_${protocol.toUpperCase()}`;
      env[prefix] = url;
      env[`${prefix}_PROTO`] = protocol;
      env[`${prefix}_PORT`] = String(p.port ?? 0);
      env[`${prefix}_ADDR`] = host;
    });
  }
  return env;
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
  // The Services that exist now; the container's own envFrom and env override them.
  const env: Record<string, string> = ctx.services ? serviceEnv(await ctx.services(ctx.pod.metadata?.namespace ?? 'default')) : {};
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
