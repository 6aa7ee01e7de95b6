// The Endpoints controller (Kubernetes' pkg/controller/endpoint): for every Service with a
// selector, an Endpoints object of the same name listing the IPs of the matching pods and
// the target ports they serve. Ready pods go to addresses, the others to notReadyAddresses
// (or to addresses too with publishNotReadyAddresses). A pod marked for deletion leaves at
// once: the proxies stop sending it new connections while its containers are still running.
// Pods are grouped by the ports they resolve (a named targetPort a pod lacks leaves that port
// out for it), one subset per group, as Kubernetes' RepackSubsets does. Written only when
// it changes.
import type { ShoalClient } from '../../lib/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/errors.js';
import type { EndpointAddress__Output } from '../../lib/gen/shoal/v1/EndpointAddress.js';
import type { EndpointPort__Output } from '../../lib/gen/shoal/v1/EndpointPort.js';
import type { EndpointSubset__Output } from '../../lib/gen/shoal/v1/EndpointSubset.js';
import type { Endpoints__Output } from '../../lib/gen/shoal/v1/Endpoints.js';
import type { Service__Output } from '../../lib/gen/shoal/v1/Service.js';
import type { ServicePort__Output } from '../../lib/gen/shoal/v1/ServicePort.js';
import type { Informer } from '../../lib/informer.js';
import type { KubeObject } from '../../lib/kinds.js';
import { deepEqual } from '../../lib/objects.js';
import type { WorkQueue } from '../../lib/workqueue.js';
import { keyOf, splitKey, type Controller, type ControllerContext } from './framework.js';
import { eventSink, isPodReady, isPodTerminal, type EventSink, type PodObject } from './rollout.js';

const COMPONENT = 'endpoint-controller';

/** Marks the Endpoints this controller made, so that one whose Service is gone is removed,
 * while Endpoints written by hand for a selector-less Service are left alone. */
export const MANAGED_BY_LABEL = 'endpoints.shoal.dev/managed-by';
export const MANAGED_BY = 'endpoint-controller';

export type ServiceObject = Service__Output & KubeObject;
export type EndpointsObject = Endpoints__Output & KubeObject;

/** The part of ShoalClient the controller writes with; unit tests pass a recording fake. */
export type EndpointsClient = Pick<ShoalClient, 'get' | 'create' | 'update' | 'delete'>;

/** The informer methods the controller reads with (a fake in unit tests). */
type Cache = Pick<Informer, 'get' | 'list' | 'addEventHandler'>;

function selectorOf(svc: ServiceObject): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The container port a service port sends to on this pod; undefined when the pod has no
 * port of that name (and protocol). */
export function resolveTargetPort(port: ServicePort__Output, pod: PodObject): number | undefined {
  const target = port.targetPort;
  if (target?.strVal) {
    const protocol = port.protocol || 'TCP';
    for (const c of pod.spec?.containers ?? []) {
      for (const cp of c.ports ?? []) {
        if (cp.name === target.strVal && (cp.protocol || 'TCP') === protocol && cp.containerPort) return cp.containerPort;
      }
    }
    return undefined;
  }
  return target?.intVal || port.port || undefined;
}

/** Whether a pod is listed at all: it has an IP, is not finished, and (unless the service
 * publishes not-ready addresses) is not being deleted. */
function listed(pod: PodObject, publishNotReady: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (isPodTerminal(pod)) return false;
  if (pod.metadata?.deletionTimestamp && !publishNotReady) return false;
  return true;
}

function addressOf(pod: PodObject, svc: ServiceObject): EndpointAddress__Output {
  const m = pod.metadata ?? {};
  const a: EndpointAddress__Output = {
    ip: pod.status?.podIP ?? '',
    targetRef: { kind: 'Pod', namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  // A pod's hostname is published when it names this service as its subdomain (DNS A records
  // for StatefulSet-like pods).
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) a.hostname = pod.spec.hostname;
  return a;
}

function compareAddresses(a: EndpointAddress__Output, b: EndpointAddress__Output): number {
  return (a.ip ?? '').localeCompare(b.ip ?? '') || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
}

function comparePorts(a: EndpointPort__Output, b: EndpointPort__Output): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || (a.port ?? 0) - (b.port ?? 0) || (a.protocol ?? '').localeCompare(b.protocol ?? '');
}

/**
 * The subsets a Service's Endpoints should hold, given the pods its selector matches: pure,
 * deterministic (sorted), so that an unchanged world compares equal to what is stored.
 */
export function computeSubsets(svc: ServiceObject, pods: PodObject[]): EndpointSubset__Output[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses ?? false;
  const servicePorts = svc.spec?.ports ?? [];
  const groups = new Map<string, EndpointSubset__Output>();
  for (const pod of pods) {
    if (!listed(pod, publishNotReady)) continue;
    const ports: EndpointPort__Output[] = [];
    for (const sp of servicePorts) {
      const port = resolveTargetPort(sp, pod);
      if (port === undefined) continue;
      const ep: EndpointPort__Output = { port, protocol: sp.protocol || 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A pod that serves none of the service's ports is not an endpoint of it.
    if (servicePorts.length > 0 && ports.length === 0) continue;
    ports.sort(comparePorts);
    const key = JSON.stringify(ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = { ports };
      groups.set(key, subset);
    }
    const address = addressOf(pod, svc);
    if (publishNotReady || isPodReady(pod)) (subset.addresses ??= []).push(address);
    else (subset.notReadyAddresses ??= []).push(address);
  }
  const subsets = [...groups.values()];
  for (const s of subsets) {
    s.addresses?.sort(compareAddresses);
    s.notReadyAddresses?.sort(compareAddresses);
    if (s.ports?.length === 0) delete s.ports;
  }
  return subsets.sort((a, b) => JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? [])));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The reconcile loop of one Endpoints controller instance. */
export class EndpointsSync {
  private readonly event: EventSink;

  constructor(
    private readonly client: EndpointsClient,
    private readonly services: Cache,
    private readonly pods: Cache,
    private readonly endpoints: Cache,
    now: () => number,
    event?: EventSink,
  ) {
    this.event = event ?? eventSink(client, COMPONENT, now);
  }

  /** The Services in the pod's namespace whose selector matches these labels. */
  private servicesFor(namespace: string, labels: Record<string, string> | undefined): ServiceObject[] {
    return (this.services.list({ namespace }) as ServiceObject[]).filter((svc) => {
      const sel = selectorOf(svc);
      return sel !== undefined && selects(sel, labels);
    });
  }

  /** Registers the handlers: they only enqueue Service keys. */
  watch(queue: WorkQueue<string>): void {
    const enqueue = (obj: KubeObject): void => queue.add(keyOf(obj));
    this.services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, svc) => enqueue(svc), onDelete: enqueue });
    this.pods.addEventHandler({
      onAdd: (pod) => this.servicesFor(pod.metadata?.namespace ?? '', pod.metadata?.labels).forEach(enqueue),
      onUpdate: (oldPod, pod) => {
        const ns = pod.metadata?.namespace ?? '';
        const keys = new Set(this.servicesFor(ns, pod.metadata?.labels).map(keyOf));
        if (!deepEqual(oldPod.metadata?.labels, pod.metadata?.labels)) {
          for (const svc of this.servicesFor(ns, oldPod.metadata?.labels)) keys.add(keyOf(svc));
        }
        keys.forEach((k) => queue.add(k));
      },
      onDelete: (pod) => this.servicesFor(pod.metadata?.namespace ?? '', pod.metadata?.labels).forEach(enqueue),
    });
    // Someone else changed or removed an Endpoints we own: put it back.
    this.endpoints.addEventHandler({
      onUpdate: (_o, ep) => {
        if (ep.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) enqueue(ep);
      },
      onDelete: (ep) => {
        if (this.services.get(ep.metadata?.namespace ?? '', ep.metadata?.name ?? '')) enqueue(ep);
      },
    });
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name) as ServiceObject | undefined;
    const current = this.endpoints.get(namespace, name);
    if (!svc) {
      if (current?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) await this.remove(namespace, name);
      return;
    }
    const selector = selectorOf(svc);
    // Without a selector the Endpoints are the user's; an ExternalName has none.
    if (!selector || svc.spec?.type === 'ExternalName' || svc.metadata?.deletionTimestamp) return;

    const pods = this.pods.list({ namespace, labelSelector: selector }) as PodObject[];
    const subsets = computeSubsets(svc, pods);
    const labels: Record<string, string> = { ...svc.metadata?.labels, [MANAGED_BY_LABEL]: MANAGED_BY };
    if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    if (current && deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata?.labels ?? {}, labels)) return;

    const desired: EndpointsObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels },
      subsets,
    };
    try {
      if (current) {
        const next = structuredClone(current);
        next.metadata = { ...next.metadata, labels };
        next.subsets = subsets;
        await this.client.update(next);
      } else {
        await this.client.create(desired);
      }
    } catch (err) {
      // A stale cache: the informer's event for the newer object re-queues us soon; retry
      // with back-off meanwhile, without an event for what is only a race.
      if (err instanceof ConflictError || err instanceof AlreadyExistsError) throw err;
      // The namespace is going away, or the service was deleted meanwhile.
      if (err instanceof NotFoundError) return;
      this.event(svc, 'Warning', current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint', `Failed to ${current ? 'update' : 'create'} endpoint ${namespace}/${name}: ${errorMessage(err)}`);
      throw err;
    }
  }

  private async remove(namespace: string, name: string): Promise<void> {
    try {
      await this.client.delete('Endpoints', namespace, name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}

/**
 * The Endpoints controller. Register it with a ControllerManager; it reads the shared
 * Service, Pod and Endpoints informers and writes Endpoints.
 */
export const endpointsController: Controller = {
  name: 'endpoints',
  workers: 4,
  setup(ctx: ControllerContext, queue: WorkQueue<string>) {
    const sync = new EndpointsSync(ctx.client, ctx.informer('Service'), ctx.informer('Pod'), ctx.informer('Endpoints'), () => ctx.now());
    sync.watch(queue);
    return (key: string) => sync.reconcile(key);
  },
};
