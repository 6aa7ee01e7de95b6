// kubectl-style output for canonical objects: tables (get), YAML/JSON/name (get -o) and
// describe text. Everything here is a pure function of its arguments (the clock is a
// parameter), so the formats are unit-tested without a server.
import { stringify } from 'yaml';
import { findKind, qualifiedName, type KindInfo, type KubeObject } from '../lib/kinds.js';
import { encodeMessage, encodeObject } from '../lib/manifest.js';
import { INT_OR_STRING, messageInfo, type FieldInfo } from '../lib/proto.js';
import { formatLabelSelector } from '../lib/selectors.js';
import type { ConfigMap__Output } from '../lib/gen/shoal/v1/ConfigMap.js';
import type { Container__Output } from '../lib/gen/shoal/v1/Container.js';
import type { ContainerState__Output } from '../lib/gen/shoal/v1/ContainerState.js';
import type { ContainerStatus__Output } from '../lib/gen/shoal/v1/ContainerStatus.js';
import type { Condition__Output } from '../lib/gen/shoal/v1/Condition.js';
import type { CronJob__Output } from '../lib/gen/shoal/v1/CronJob.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Endpoints__Output } from '../lib/gen/shoal/v1/Endpoints.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { IntOrString__Output } from '../lib/gen/shoal/v1/IntOrString.js';
import type { Job__Output } from '../lib/gen/shoal/v1/Job.js';
import type { Lease__Output } from '../lib/gen/shoal/v1/Lease.js';
import type { Namespace__Output } from '../lib/gen/shoal/v1/Namespace.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { ObjectMeta__Output } from '../lib/gen/shoal/v1/ObjectMeta.js';
import type { PersistentVolumeClaim__Output } from '../lib/gen/shoal/v1/PersistentVolumeClaim.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { PodSpec__Output } from '../lib/gen/shoal/v1/PodSpec.js';
import type { PodTemplateSpec__Output } from '../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { Probe__Output } from '../lib/gen/shoal/v1/Probe.js';
import type { ReplicaSet__Output } from '../lib/gen/shoal/v1/ReplicaSet.js';
import type { Secret__Output } from '../lib/gen/shoal/v1/Secret.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import type { Toleration__Output } from '../lib/gen/shoal/v1/Toleration.js';
import type { Volume__Output } from '../lib/gen/shoal/v1/Volume.js';

/** Annotations describe leaves out, as kubectl does. */
const SKIPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
const MAX_ANNOTATION_LEN = 140;

// ---- Small helpers ----

/** The per-kind generated type of a canonical object (the proto decode is the validation). */
function as<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

function meta(obj: KubeObject): ObjectMeta__Output {
  return obj.metadata ?? {};
}

/** Display width, counted in code points as Go's tabwriter counts runes. */
function textWidth(s: string): number {
  return [...s].length;
}

/** One table cell: tabs and line breaks would break the columns. */
function cell(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

function orNone(s: string | undefined | null): string {
  return s ? s : '<none>';
}

function intOrString(v: IntOrString__Output | undefined): string {
  if (!v) return '';
  return v.intVal !== undefined ? String(v.intVal) : (v.strVal ?? '');
}

function goBool(b: boolean | undefined): string {
  return b ? 'True' : 'False';
}

/** A map as kubectl's labels.FormatLabels prints it: sorted "k=v,k2=v2", or <none>. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

function selectorText(selector: Parameters<typeof formatLabelSelector>[0]): string {
  return orNone(formatLabelSelector(selector));
}

/**
 * kubectl's duration.HumanDuration: "45s", "3m20s", "65m", "2h30m", "14h", "3d4h", "20d",
 * "2y30d". Slightly negative durations (clock skew) read as "0s".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** The AGE of a timestamp as kubectl prints it, or "<unknown>" when unset or unparseable. */
export function age(timestamp: string | undefined, now: number): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/** RFC 1123 with a numeric zone, as kubectl describe prints times (in UTC here). */
function rfc1123z(timestamp: string | undefined): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(t)) return timestamp ?? '';
  return new Date(t).toUTCString().replace(/GMT$/, '+0000');
}

// ---- Column alignment ----

/**
 * Left-aligned columns as kubectl's table printer writes them (Go tabwriter with minwidth 6
 * and padding 3; the last column is not padded). Widths are remembered across calls, like
 * tabwriter.RememberWidths, so rows printed later by `get --watch` line up with the header.
 * Not safe to share between concurrent writers.
 */
export class TableWriter {
  private readonly widths: number[] = [];

  constructor(
    private readonly minWidth = 6,
    private readonly padding = 3,
  ) {}

  format(rows: string[][]): string {
    const clean = rows.map((r) => r.map(cell));
    for (const row of clean) {
      row.slice(0, -1).forEach((c, i) => {
        this.widths[i] = Math.max(this.widths[i] ?? this.minWidth, textWidth(c) + this.padding);
      });
    }
    return clean
      .map((row) =>
        row
          .map((c, i) => (i < row.length - 1 ? c + ' '.repeat((this.widths[i] ?? 0) - textWidth(c)) : c))
          .join('')
          .trimEnd(),
      )
      .map((line) => `${line}\n`)
      .join('');
  }
}

/**
 * Go's text/tabwriter (left-aligned, space padding): a column is aligned over each block of
 * consecutive lines that have a tab-terminated cell in it; text after a line's last tab is not
 * part of any column. kubectl describe relies on exactly this to line up its sections.
 */
export function tabwrite(text: string, minWidth: number, padding: number): string {
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const line = lines[i] ?? [];
      out.push(line.map((c, j) => (j < widths.length ? c + ' '.repeat(Math.max(0, (widths[j] ?? 0) - textWidth(c))) : c)).join(''));
    }
  };
  const format = (start: number, end: number): void => {
    const column = widths.length;
    let line0 = start;
    for (let i = start; i < end; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue;
      writeLines(line0, i);
      line0 = i;
      let width = minWidth;
      for (; i < end; i++) {
        const line = lines[i] ?? [];
        if (column >= line.length - 1) break;
        width = Math.max(width, textWidth(line[column] ?? '') + padding);
      }
      widths.push(width);
      format(line0, i);
      widths.pop();
      line0 = i;
    }
    writeLines(line0, end);
  };
  format(0, lines.length);
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

// ---- Tables ----

export interface TableOptions {
  /** -o wide: the extra columns. */
  wide?: boolean;
  /** -A: a NAMESPACE column first (namespaced kinds only). */
  allNamespaces?: boolean;
  /** Print names as `kind.group/name`, as kubectl does when several kinds are listed. */
  withKind?: boolean;
  /** Leave the header out (rows printed by `get --watch` after the first table). */
  noHeaders?: boolean;
  /** The clock for AGE columns, in ms since the epoch; default Date.now(). */
  now?: number;
}

interface TableSpec {
  columns: string[];
  wideColumns: string[];
  /** The cells of one row: the normal columns, then the wide ones. */
  row(obj: KubeObject, now: number, wide: boolean): { cells: string[]; wide: string[] };
}

function podTemplateColumns(spec: PodSpec__Output | undefined, selector: Parameters<typeof formatLabelSelector>[0]): string[] {
  const containers = spec?.containers ?? [];
  return [
    containers.map((c) => c.name ?? '').join(','),
    containers.map((c) => c.image ?? '').join(','),
    selectorText(selector),
  ];
}

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** READY, STATUS and RESTARTS of a pod, by kubectl's printPod rules. */
export function podSummary(obj: KubeObject, now: number): PodSummary {
  const pod = as<Pod__Output>(obj);
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let reason = status.reason || status.phase || '';
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (c: ContainerStatus__Output): void => {
    restarts += c.restartCount ?? 0;
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(finished) && finished > lastRestart) lastRestart = finished;
  };

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    noteRestart(c);
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  let readyContainers = 0;
  if (!initializing) {
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      noteRestart(c);
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready && running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';

  const restartText = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return { ready: `${readyContainers}/${(spec.containers ?? []).length}`, status: reason, restarts: restartText };
}

function servicePorts(svc: Service__Output): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort ? `${p.port ?? 0}:${p.nodePort}/${protocol}` : `${p.port ?? 0}/${protocol}`;
    })
    .join(',');
}

function loadBalancerIPs(svc: Service__Output, wide: boolean): string {
  const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean);
  const text = ips.join(',');
  return !wide && text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

/** EXTERNAL-IP of a Service, by kubectl's getServiceExternalIP rules. */
function serviceExternalIP(svc: Service__Output, wide: boolean): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIPs(svc, wide);
      if (external.length) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** The ENDPOINTS column: up to three ip:port pairs, then "+ N more...". */
function formatEndpoints(ep: Endpoints__Output | undefined, portName?: string): string {
  const subsets = ep?.subsets ?? [];
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip ?? '');
      }
      continue;
    }
    for (const port of ports) {
      if (portName !== undefined && (port.name ?? '') !== portName) continue;
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        const ip = a.ip ?? '';
        list.push(`${ip.includes(':') ? `[${ip}]` : ip}:${port.port ?? 0}`);
      }
    }
  }
  if (!list.length) return '<none>';
  return more ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

function nodeStatus(node: Node__Output): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: Node__Output): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: Node__Output, type: string): string {
  return orNone(node.status?.addresses?.find((a) => a.type === type)?.address);
}

function hasCondition(conditions: Condition__Output[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function jobStatus(job: Job__Output): string {
  const conditions = job.status?.conditions;
  if (hasCondition(conditions, 'Complete')) return 'Complete';
  if (hasCondition(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conditions, 'Suspended')) return 'Suspended';
  if (hasCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: Job__Output): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job__Output, now: number): string {
  const start = Date.parse(job.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(job.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

const ACCESS_MODES: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return ACCESS_MODES.filter(([mode]) => set.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** LAST SEEN and FIRST SEEN of an event, with kubectl's fallbacks. */
function eventTimes(ev: Event__Output, now: number): { first: string; last: string } {
  const first = ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now);
  const last = ev.lastTimestamp ? age(ev.lastTimestamp, now) : first;
  return { first, last };
}

function eventTime(ev: Event__Output): number {
  const t = Date.parse(ev.lastTimestamp || ev.eventTime || ev.firstTimestamp || ev.metadata?.creationTimestamp || '');
  return Number.isNaN(t) ? 0 : t;
}

/** Events oldest first, as kubectl describe sorts them. */
export function sortEvents(events: KubeObject[]): KubeObject[] {
  return [...events].sort((a, b) => eventTime(as<Event__Output>(a)) - eventTime(as<Event__Output>(b)));
}

const TABLES: Record<string, TableSpec> = {
  Pod: {
    columns: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wideColumns: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    row(obj, now) {
      const pod = as<Pod__Output>(obj);
      const s = podSummary(obj, now);
      return {
        cells: [s.ready, s.status, s.restarts, age(pod.metadata?.creationTimestamp, now)],
        wide: [orNone(pod.status?.podIP), orNone(pod.spec?.nodeName), orNone(pod.status?.nominatedNodeName), '<none>'],
      };
    },
  },
  ReplicaSet: {
    columns: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wideColumns: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row(obj, now) {
      const rs = as<ReplicaSet__Output>(obj);
      return {
        cells: [
          String(rs.spec?.replicas ?? 1),
          String(rs.status?.replicas ?? 0),
          String(rs.status?.readyReplicas ?? 0),
          age(rs.metadata?.creationTimestamp, now),
        ],
        wide: podTemplateColumns(rs.spec?.template?.spec, rs.spec?.selector),
      };
    },
  },
  Deployment: {
    columns: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wideColumns: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row(obj, now) {
      const d = as<Deployment__Output>(obj);
      return {
        cells: [
          `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
          String(d.status?.updatedReplicas ?? 0),
          String(d.status?.availableReplicas ?? 0),
          age(d.metadata?.creationTimestamp, now),
        ],
        wide: podTemplateColumns(d.spec?.template?.spec, d.spec?.selector),
      };
    },
  },
  Service: {
    columns: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wideColumns: ['SELECTOR'],
    row(obj, now, wide) {
      const svc = as<Service__Output>(obj);
      return {
        cells: [
          svc.spec?.type ?? 'ClusterIP',
          orNone(svc.spec?.clusterIP),
          serviceExternalIP(svc, wide),
          servicePorts(svc),
          age(svc.metadata?.creationTimestamp, now),
        ],
        wide: [formatLabels(svc.spec?.selector)],
      };
    },
  },
  Endpoints: {
    columns: ['NAME', 'ENDPOINTS', 'AGE'],
    wideColumns: [],
    row(obj, now) {
      return { cells: [formatEndpoints(as<Endpoints__Output>(obj)), age(meta(obj).creationTimestamp, now)], wide: [] };
    },
  },
  Node: {
    columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wideColumns: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    row(obj, now) {
      const node = as<Node__Output>(obj);
      const info = node.status?.nodeInfo;
      return {
        cells: [nodeStatus(node), nodeRoles(node), age(node.metadata?.creationTimestamp, now), info?.kubeletVersion ?? ''],
        wide: [
          nodeAddress(node, 'InternalIP'),
          nodeAddress(node, 'ExternalIP'),
          info?.osImage || '<unknown>',
          info?.kernelVersion || '<unknown>',
          info?.containerRuntimeVersion || '<unknown>',
        ],
      };
    },
  },
  Namespace: {
    columns: ['NAME', 'STATUS', 'AGE'],
    wideColumns: [],
    row(obj, now) {
      const ns = as<Namespace__Output>(obj);
      return { cells: [ns.status?.phase ?? '', age(ns.metadata?.creationTimestamp, now)], wide: [] };
    },
  },
  Job: {
    columns: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
    wideColumns: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row(obj, now) {
      const job = as<Job__Output>(obj);
      return {
        cells: [jobStatus(job), jobCompletions(job), jobDuration(job, now), age(job.metadata?.creationTimestamp, now)],
        wide: podTemplateColumns(job.spec?.template?.spec, job.spec?.selector),
      };
    },
  },
  CronJob: {
    columns: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    wideColumns: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row(obj, now) {
      const cj = as<CronJob__Output>(obj);
      const last = cj.status?.lastScheduleTime;
      return {
        cells: [
          cj.spec?.schedule ?? '',
          orNone(cj.spec?.timeZone),
          goBool(cj.spec?.suspend),
          String((cj.status?.active ?? []).length),
          last ? age(last, now) : '<none>',
          age(cj.metadata?.creationTimestamp, now),
        ],
        wide: podTemplateColumns(cj.spec?.jobTemplate?.spec?.template?.spec, cj.spec?.jobTemplate?.spec?.selector),
      };
    },
  },
  Event: {
    columns: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    wideColumns: ['SUBOBJECT', 'SOURCE', 'FIRST SEEN', 'COUNT', 'NAME'],
    row(obj, now) {
      const ev = as<Event__Output>(obj);
      const { first, last } = eventTimes(ev, now);
      const involved = ev.involvedObject ?? {};
      const kind = (involved.kind ?? '').toLowerCase();
      const target = involved.name ? `${kind}/${involved.name}` : kind;
      const component = ev.source?.component || ev.reportingComponent || '';
      const instance = ev.source?.host || ev.reportingInstance || '';
      return {
        cells: [last, ev.type ?? '', ev.reason ?? '', target, (ev.message ?? '').trim()],
        wide: [involved.fieldPath ?? '', instance ? `${component}, ${instance}` : component, first, String(ev.count || 1), ev.metadata?.name ?? ''],
      };
    },
  },
  ConfigMap: {
    columns: ['NAME', 'DATA', 'AGE'],
    wideColumns: [],
    row(obj, now) {
      const cm = as<ConfigMap__Output>(obj);
      const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
      return { cells: [String(n), age(cm.metadata?.creationTimestamp, now)], wide: [] };
    },
  },
  Secret: {
    columns: ['NAME', 'TYPE', 'DATA', 'AGE'],
    wideColumns: [],
    row(obj, now) {
      const s = as<Secret__Output>(obj);
      return { cells: [s.type || 'Opaque', String(Object.keys(s.data ?? {}).length), age(s.metadata?.creationTimestamp, now)], wide: [] };
    },
  },
  Lease: {
    columns: ['NAME', 'HOLDER', 'AGE'],
    wideColumns: [],
    row(obj, now) {
      const l = as<Lease__Output>(obj);
      return { cells: [l.spec?.holderIdentity ?? '', age(l.metadata?.creationTimestamp, now)], wide: [] };
    },
  },
  PersistentVolumeClaim: {
    columns: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE'],
    wideColumns: ['VOLUMEMODE'],
    row(obj, now) {
      const pvc = as<PersistentVolumeClaim__Output>(obj);
      const bound = Boolean(pvc.spec?.volumeName);
      return {
        cells: [
          pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
          pvc.spec?.volumeName ?? '',
          bound ? (pvc.status?.capacity?.storage ?? '') : '',
          bound ? accessModes(pvc.status?.accessModes) : '',
          pvc.spec?.storageClassName ?? '',
          age(pvc.metadata?.creationTimestamp, now),
        ],
        wide: [pvc.spec?.volumeMode || '<unset>'],
      };
    },
  },
};

const GENERIC_TABLE: TableSpec = {
  columns: ['NAME', 'AGE'],
  wideColumns: [],
  row: (obj, now) => ({ cells: [age(meta(obj).creationTimestamp, now)], wide: [] }),
};

function kindInfo(kind: KindInfo | string): KindInfo | undefined {
  return typeof kind === 'string' ? findKind(kind) : kind;
}

/** `deployment.apps/nginx`, as `-o name` and multi-kind tables print an object. */
export function resourceName(obj: KubeObject, info: KindInfo | undefined = obj.kind ? findKind(obj.kind) : undefined): string {
  const kind = info ? qualifiedName(info) : (obj.kind ?? '').toLowerCase();
  return `${kind}/${meta(obj).name ?? ''}`;
}

/** The header cells of a kind's table. */
export function tableHeader(kind: KindInfo | string, opts: TableOptions = {}): string[] {
  const info = kindInfo(kind);
  const spec = (info && TABLES[info.kind]) || GENERIC_TABLE;
  const header = [...spec.columns, ...(opts.wide ? spec.wideColumns : [])];
  return opts.allNamespaces && (info?.namespaced ?? true) ? ['NAMESPACE', ...header] : header;
}

/** The cells of one object's row in its kind's table. */
export function tableRow(kind: KindInfo | string, obj: KubeObject, opts: TableOptions = {}): string[] {
  const info = kindInfo(kind);
  const spec = (info && TABLES[info.kind]) || GENERIC_TABLE;
  const now = opts.now ?? Date.now();
  const { cells, wide } = spec.row(obj, now, opts.wide ?? false);
  const name = opts.withKind ? resourceName(obj, info) : (meta(obj).name ?? '');
  // Events have no NAME column up front (only as the last wide column).
  const row = spec.columns[0] === 'NAME' ? [name, ...cells] : [...cells];
  if (opts.wide) row.push(...wide);
  return opts.allNamespaces && (info?.namespaced ?? true) ? [meta(obj).namespace ?? '', ...row] : row;
}

/**
 * The kubectl table for objects of one kind: header in capitals, then one row per object in
 * the given order (events oldest first). Returns "" when there are no objects: the caller
 * prints noResourcesMessage() on stderr, as kubectl does.
 */
export function printTable(kind: KindInfo | string, objects: KubeObject[], opts: TableOptions = {}, writer = new TableWriter()): string {
  if (!objects.length) return '';
  const info = kindInfo(kind);
  const ordered = info?.kind === 'Event' ? sortEvents(objects) : objects;
  const rows = ordered.map((o) => tableRow(kind, o, opts));
  return writer.format(opts.noHeaders ? rows : [tableHeader(kind, opts), ...rows]);
}

/** kubectl's message for an empty list: "No resources found in default namespace." */
export function noResourcesMessage(kind: KindInfo | string | undefined, namespace: string, allNamespaces = false): string {
  const info = kind === undefined ? undefined : kindInfo(kind);
  if (allNamespaces || !namespace || (info && !info.namespaced)) return 'No resources found';
  return `No resources found in ${namespace} namespace.`;
}

// ---- -o yaml | json | name ----

export type ObjectFormat = 'yaml' | 'json' | 'name';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function orderField(value: unknown, field: FieldInfo): unknown {
  if (field.mapValue) {
    if (!isPlainObject(value)) return value;
    const mapValue = field.mapValue;
    // Go's encoding/json writes map keys sorted.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, orderValue(value[k], mapValue)]),
    );
  }
  if (field.repeated && Array.isArray(value)) return value.map((v) => orderValue(v, field));
  return orderValue(value, field);
}

function orderValue(value: unknown, field: FieldInfo): unknown {
  return field.messageType ? orderMessage(value, field.messageType) : value;
}

/** Keys in proto field order, which mirrors the Kubernetes structs kubectl serializes. */
function orderMessage(value: unknown, messageType: string): unknown {
  if (!isPlainObject(value) || messageType === INT_OR_STRING) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of messageInfo(messageType).fields) {
    if (value[key] !== undefined) out[key] = orderField(value[key], field);
  }
  for (const [key, v] of Object.entries(value)) if (!(key in out) && v !== undefined) out[key] = v;
  return out;
}

/** The user-facing form of an object (IntOrString as plain 80 / "25%"), keys in kubectl's order. */
export function userFacing(obj: KubeObject): Record<string, unknown> {
  const info = obj.kind ? findKind(obj.kind) : undefined;
  if (!info) return encodeObject(obj);
  return encodeObject(orderMessage(obj, info.message) as KubeObject);
}

function toYaml(value: unknown): string {
  // kubectl's YAML has sorted keys, unindented sequences and no line folding.
  return stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

export interface PrintObjectsOptions {
  /**
   * Print a `kind: List` even for one object. kubectl prints a single named object as
   * itself and any list result (even of one item) as a List. Zero or several objects are
   * always a List.
   */
  asList?: boolean;
}

/** `get -o yaml|json|name`: the objects as kubectl prints them, ending in a newline. */
export function printObjects(objects: KubeObject[], format: ObjectFormat, opts: PrintObjectsOptions = {}): string {
  if (format === 'name') return objects.map((o) => `${resourceName(o)}\n`).join('');
  const asList = objects.length !== 1 || (opts.asList ?? false);
  const value = asList
    ? { apiVersion: 'v1', items: objects.map(userFacing), kind: 'List', metadata: { resourceVersion: '' } }
    : userFacing(objects[0]!);
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : toYaml(value);
}

// ---- describe ----

/** Objects describe shows beside the main one, as kubectl fetches them. */
export interface DescribeRelated {
  /** Service: its Endpoints (null: fetched, none exist). */
  endpoints?: KubeObject | null;
  /** Deployment: the ReplicaSets it controls, for OldReplicaSets/NewReplicaSet. */
  replicaSets?: KubeObject[];
  /** ReplicaSet: the pods it controls, for "Pods Status". */
  pods?: KubeObject[];
}

export interface DescribeOptions {
  /** The clock for ages, in ms since the epoch; default Date.now(). */
  now?: number;
  related?: DescribeRelated;
}

/** kubectl's PrefixWriter: indentation levels of two spaces; cells separated by tabs. */
class DescribeWriter {
  private text = '';

  write(level: number, text: string): void {
    this.text += '  '.repeat(level) + text;
  }

  /** The aligned text (tabwriter minwidth 0, padding 2), without trailing spaces. */
  toString(): string {
    return tabwrite(this.text, 0, 2)
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  }
}

/** Values describe prints inside a cell: a tab would start a new column. */
function v(s: string | number | undefined | null): string {
  return String(s ?? '').replace(/\t/g, ' ');
}

/** "Labels:  a=b" and one more line per label, continuation lines in the value column. */
function printLabelsMultiline(w: DescribeWriter, title: string, labels: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i > 0) w.write(0, '\t');
    w.write(0, `${k}=${v(labels![k])}\n`);
  });
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function printAnnotationsMultiline(w: DescribeWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => !SKIPPED_ANNOTATIONS.has(k))
    .sort();
  if (!keys.length) {
    w.write(0, '<none>\n');
    return;
  }
  const indent = '\t';
  keys.forEach((k, i) => {
    if (i > 0) w.write(0, indent);
    const value = (annotations![k] ?? '').replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const line of value.split('\n')) w.write(0, `${indent}  ${v(shorten(line, MAX_ANNOTATION_LEN - 2))}\n`);
    } else {
      w.write(0, `${k}: ${v(value)}\n`);
    }
  });
}

function printTolerations(w: DescribeWriter, title: string, tolerations: Toleration__Output[] | undefined): void {
  w.write(0, `${title}:\t`);
  if (!tolerations?.length) {
    w.write(0, '<none>\n');
    return;
  }
  tolerations.forEach((t, i) => {
    if (i > 0) w.write(0, '\t');
    let text = t.key ?? '';
    if (t.value) text += `=${t.value}`;
    if (t.effect) text += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) text += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) text += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${v(text)}\n`);
  });
}

function controllerOf(obj: KubeObject): string {
  const ref = (meta(obj).ownerReferences ?? []).find((r) => r.controller);
  return ref ? `${ref.kind ?? ''}/${ref.name ?? ''}` : '';
}

function describeProbe(p: Probe__Output): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const h = p.httpGet;
    const host = h.host ?? '';
    return `http-get ${(h.scheme ?? 'HTTP').toLowerCase()}://${host.includes(':') ? `[${host}]` : host}:${intOrString(h.port)}${h.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${intOrString(p.tcpSocket.port)} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeState(w: DescribeWriter, title: string, state: ContainerState__Output | undefined): void {
  if (state?.running) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${title}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${v(t.reason)}\n`);
    if (t.message) w.write(3, `Message:\t${v(t.message)}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (t.signal) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
    if (state?.waiting?.reason) w.write(3, `Reason:\t${v(state.waiting.reason)}\n`);
  }
}

/** A dotted field path on the pod, for env vars set from fieldRef. */
function fieldPathValue(obj: KubeObject | undefined, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return '';
    cur = cur[part];
  }
  return typeof cur === 'string' || typeof cur === 'number' ? String(cur) : '';
}

function describeContainers(
  w: DescribeWriter,
  label: string,
  containers: Container__Output[],
  statuses: ContainerStatus__Output[] | undefined,
  space: string,
  pod?: KubeObject,
): void {
  w.write(0, `${space}${label}:\n`);
  for (const c of containers) {
    const status = statuses?.find((s) => s.name === c.name);
    w.write(1, `${space ? ' ' : ''}${c.name ?? ''}:\n`);
    if (status) w.write(2, `Container ID:\t${v(status.containerID)}\n`);
    w.write(2, `Image:\t${v(c.image)}\n`);
    if (status) w.write(2, `Image ID:\t${v(status.imageID)}\n`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort ?? 0}/${p.protocol ?? 'TCP'}`).join(',');
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${orNone(ports)}\n`);
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(',');
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${orNone(hostPorts)}\n`);
    for (const [title, words] of [
      ['Command', c.command],
      ['Args', c.args],
    ] as const) {
      if (!words?.length) continue;
      w.write(2, `${title}:\n`);
      for (const word of words) for (const line of word.split('\n')) w.write(3, `${v(line)}\n`);
    }
    if (status) {
      describeState(w, 'State', status.state);
      if (status.lastState?.terminated) describeState(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${goBool(status.ready)}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    for (const [title, quantities] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const names = Object.keys(quantities ?? {}).sort();
      if (!names.length) continue;
      w.write(2, `${title}:\n`);
      for (const n of names) w.write(3, `${n}:\t${v(quantities![n])}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${v(describeProbe(c.livenessProbe))}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${v(describeProbe(c.readinessProbe))}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${v(describeProbe(c.startupProbe))}\n`);
    if (c.envFrom?.length) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of c.envFrom) {
        const from = e.configMapRef ? 'ConfigMap' : 'Secret';
        const ref = e.configMapRef ?? e.secretRef;
        const what = e.prefix ? `${from} with prefix '${v(e.prefix)}'` : from;
        w.write(3, `${v(ref?.name)}\t${what}\tOptional: ${String(ref?.optional ?? false)}\n`);
      }
    }
    w.write(2, c.env?.length ? 'Environment:\n' : 'Environment:\t<none>\n');
    for (const e of c.env ?? []) {
      const from = e.valueFrom;
      if (from?.fieldRef) {
        const path = from.fieldRef.fieldPath ?? '';
        w.write(3, `${v(e.name)}:\t${v(fieldPathValue(pod, path))} (${from.fieldRef.apiVersion ?? 'v1'}:${v(path)})\n`);
      } else if (from?.resourceFieldRef) {
        w.write(3, `${v(e.name)}:\t (${v(from.resourceFieldRef.resource)})\n`);
      } else if (from?.secretKeyRef) {
        const r = from.secretKeyRef;
        w.write(3, `${v(e.name)}:\t<set to the key '${v(r.key)}' in secret '${v(r.name)}'>\tOptional: ${String(r.optional ?? false)}\n`);
      } else if (from?.configMapKeyRef) {
        const r = from.configMapKeyRef;
        w.write(3, `${v(e.name)}:\t<set to the key '${v(r.key)}' of config map '${v(r.name)}'>\tOptional: ${String(r.optional ?? false)}\n`);
      } else {
        (e.value ?? '').split('\n').forEach((line, i) => w.write(3, i === 0 ? `${v(e.name)}:\t${v(line)}\n` : `\t${v(line)}\n`));
      }
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath ?? '').localeCompare(b.mountPath ?? ''));
    w.write(2, mounts.length ? 'Mounts:\n' : 'Mounts:\t<none>\n');
    for (const m of mounts) {
      const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
      w.write(3, `${v(m.mountPath)} from ${v(m.name)} (${flags.join(',')})\n`);
    }
  }
}

function describeVolumes(w: DescribeWriter, volumes: Volume__Output[] | undefined, space: string): void {
  if (!volumes?.length) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const vol of volumes) {
    w.write(1, `${space ? ' ' : ''}${vol.name ?? ''}:\n`);
    if (vol.hostPath) {
      w.write(2, 'Type:\tHostPath (bare host directory volume)\n');
      w.write(2, `Path:\t${v(vol.hostPath.path)}\n`);
      w.write(2, `HostPathType:\t${v(vol.hostPath.type)}\n`);
    } else if (vol.configMap) {
      w.write(2, 'Type:\tConfigMap (a volume populated by a ConfigMap)\n');
      w.write(2, `Name:\t${v(vol.configMap.name)}\n`);
      w.write(2, `Optional:\t${String(vol.configMap.optional ?? false)}\n`);
    } else if (vol.secret) {
      w.write(2, 'Type:\tSecret (a volume populated by a Secret)\n');
      w.write(2, `SecretName:\t${v(vol.secret.secretName)}\n`);
      w.write(2, `Optional:\t${String(vol.secret.optional ?? false)}\n`);
    } else if (vol.persistentVolumeClaim) {
      w.write(2, 'Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n');
      w.write(2, `ClaimName:\t${v(vol.persistentVolumeClaim.claimName)}\n`);
      w.write(2, `ReadOnly:\t${String(vol.persistentVolumeClaim.readOnly ?? false)}\n`);
    } else {
      w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
      w.write(2, `Medium:\t${v(vol.emptyDir?.medium)}\n`);
      w.write(2, `SizeLimit:\t${vol.emptyDir?.sizeLimit ? v(vol.emptyDir.sizeLimit) : '<unset>'}\n`);
    }
  }
}

function describePodTemplate(w: DescribeWriter, template: PodTemplateSpec__Output | undefined): void {
  w.write(0, 'Pod Template:\n');
  if (!template) {
    w.write(1, '<unset>\n');
    return;
  }
  printLabelsMultiline(w, '  Labels', template.metadata?.labels);
  if (Object.keys(template.metadata?.annotations ?? {}).length) printAnnotationsMultiline(w, '  Annotations', template.metadata?.annotations);
  const spec = template.spec ?? {};
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${v(spec.serviceAccountName)}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, undefined, '  ');
  describeContainers(w, 'Containers', spec.containers ?? [], undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${v(spec.priorityClassName)}\n`);
  printLabelsMultiline(w, '  Node-Selectors', spec.nodeSelector);
  printTolerations(w, '  Tolerations', spec.tolerations);
}

function describeConditions(w: DescribeWriter, conditions: Condition__Output[] | undefined, withReason: boolean): void {
  if (!conditions?.length) return;
  if (withReason) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conditions) w.write(1, `${v(c.type)} \t${v(c.status)}\t${v(c.reason)}\n`);
  } else {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(1, `${v(c.type)} \t${v(c.status)} \n`);
  }
}

function qosClass(pod: Pod__Output): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const resources = containers.map((c) => c.resources ?? {});
  if (resources.every((r) => !Object.keys(r.limits ?? {}).length && !Object.keys(r.requests ?? {}).length)) return 'BestEffort';
  const guaranteed = resources.every((r) =>
    ['cpu', 'memory'].every((n) => r.limits?.[n] !== undefined && (r.requests?.[n] ?? r.limits[n]) === r.limits[n]),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function describePod(w: DescribeWriter, obj: KubeObject, now: number): void {
  const pod = as<Pod__Output>(obj);
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.write(0, `Name:\t${v(m.name)}\n`);
  w.write(0, `Namespace:\t${v(m.namespace)}\n`);
  if (spec.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${v(spec.priorityClassName)}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${v(spec.serviceAccountName)}\n`);
  w.write(0, spec.nodeName ? `Node:\t${v(spec.nodeName)}/${v(status.hostIP)}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  if (m.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${age(m.deletionTimestamp, now)})\n`);
    w.write(0, `Termination Grace Period:\t${m.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${v(status.phase)}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${v(status.reason)}\n`);
  if (status.message) w.write(0, `Message:\t${v(status.message)}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${v(status.nominatedNodeName)}\n`);
  w.write(0, `IP:\t${v(status.podIP)}\n`);
  const ips = status.podIPs ?? [];
  if (ips.length) {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${v(ip.ip)}\n`);
  } else {
    w.write(0, 'IPs:\t<none>\n');
  }
  const controller = controllerOf(obj);
  if (controller) w.write(0, `Controlled By:\t${v(controller)}\n`);
  if (spec.initContainers?.length) describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses ?? [], '', obj);
  describeContainers(w, 'Containers', spec.containers ?? [], status.containerStatuses ?? [], '', obj);
  describeConditions(w, status.conditions, false);
  describeVolumes(w, spec.volumes, '');
  w.write(0, `QoS Class:\t${qosClass(pod)}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printTolerations(w, 'Tolerations', spec.tolerations);
}

function replicaSetSummary(rsList: KubeObject[]): string {
  if (!rsList.length) return '<none>';
  return rsList
    .map((o) => {
      const rs = as<ReplicaSet__Output>(o);
      return `${rs.metadata?.name ?? ''} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 1} replicas created)`;
    })
    .join(', ');
}

/** The ReplicaSet that runs a Deployment's current template, by revision, else by template. */
function newReplicaSet(d: Deployment__Output, owned: KubeObject[]): KubeObject | undefined {
  const revisionKey = 'deployment.kubernetes.io/revision';
  const revision = d.metadata?.annotations?.[revisionKey];
  if (revision) {
    const byRevision = owned.find((o) => meta(o).annotations?.[revisionKey] === revision);
    if (byRevision) return byRevision;
  }
  const strip = (t: PodTemplateSpec__Output | undefined): string => {
    const labels = { ...(t?.metadata?.labels ?? {}) };
    delete labels['pod-template-hash'];
    return JSON.stringify(orderMessage({ ...t, metadata: { ...t?.metadata, labels } }, 'shoal.v1.PodTemplateSpec'));
  };
  const want = strip(d.spec?.template);
  return owned.find((o) => strip(as<ReplicaSet__Output>(o).spec?.template) === want);
}

function describeDeployment(w: DescribeWriter, obj: KubeObject, related: DescribeRelated): void {
  const d = as<Deployment__Output>(obj);
  const m = d.metadata ?? {};
  const spec = d.spec ?? {};
  const status = d.status ?? {};
  w.write(0, `Name:\t${v(m.name)}\n`);
  w.write(0, `Namespace:\t${v(m.namespace)}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(0, `Selector:\t${v(selectorText(spec.selector))}\n`);
  w.write(
    0,
    `Replicas:\t${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable\n`,
  );
  const strategy = spec.strategy ?? {};
  w.write(0, `StrategyType:\t${v(strategy.type ?? 'RollingUpdate')}\n`);
  w.write(0, `MinReadySeconds:\t${spec.minReadySeconds ?? 0}\n`);
  if (strategy.rollingUpdate) {
    const ru = strategy.rollingUpdate;
    w.write(0, `RollingUpdateStrategy:\t${v(intOrString(ru.maxUnavailable))} max unavailable, ${v(intOrString(ru.maxSurge))} max surge\n`);
  }
  describePodTemplate(w, spec.template);
  describeConditions(w, status.conditions, true);
  if (related.replicaSets) {
    const newRS = newReplicaSet(d, related.replicaSets);
    const old = related.replicaSets.filter((rs) => rs !== newRS && (as<ReplicaSet__Output>(rs).spec?.replicas ?? 1) !== 0);
    if (old.length || newRS) {
      w.write(0, `OldReplicaSets:\t${v(replicaSetSummary(old))}\n`);
      if (newRS) w.write(0, `NewReplicaSet:\t${v(replicaSetSummary([newRS]))}\n`);
    }
  }
}

function describeReplicaSet(w: DescribeWriter, obj: KubeObject, related: DescribeRelated): void {
  const rs = as<ReplicaSet__Output>(obj);
  const m = rs.metadata ?? {};
  w.write(0, `Name:\t${v(m.name)}\n`);
  w.write(0, `Namespace:\t${v(m.namespace)}\n`);
  w.write(0, `Selector:\t${v(selectorText(rs.spec?.selector))}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  const controller = controllerOf(obj);
  if (controller) w.write(0, `Controlled By:\t${v(controller)}\n`);
  w.write(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired\n`);
  if (related.pods) {
    const count = (phase: string): number => related.pods!.filter((p) => as<Pod__Output>(p).status?.phase === phase).length;
    w.write(0, `Pods Status:\t${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed\n`);
  }
  describePodTemplate(w, rs.spec?.template);
  describeConditions(w, rs.status?.conditions, true);
}

function describeService(w: DescribeWriter, obj: KubeObject, related: DescribeRelated): void {
  const svc = as<Service__Output>(obj);
  const m = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  w.write(0, `Name:\t${v(m.name)}\n`);
  w.write(0, `Namespace:\t${v(m.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
  w.write(0, `Selector:\t${v(formatLabels(spec.selector))}\n`);
  w.write(0, `Type:\t${v(spec.type ?? 'ClusterIP')}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${v(spec.ipFamilyPolicy)}\n`);
  if (spec.ipFamilies?.length) w.write(0, `IP Families:\t${v(spec.ipFamilies.join(','))}\n`);
  w.write(0, `IP:\t${v(spec.clusterIP)}\n`);
  if (spec.clusterIPs?.length) w.write(0, `IPs:\t${v(spec.clusterIPs.join(','))}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${v(spec.externalIPs.join(','))}\n`);
  if (spec.loadBalancerIP) w.write(0, `IP:\t${v(spec.loadBalancerIP)}\n`);
  if (spec.type === 'ExternalName') w.write(0, `External Name:\t${v(spec.externalName)}\n`);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) w.write(0, `LoadBalancer Ingress:\t${v(ingress.map((i) => i.ip || i.hostname || '').join(', '))}\n`);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    const protocol = p.protocol ?? 'TCP';
    w.write(0, `Port:\t${v(name)}\t${p.port ?? 0}/${protocol}\n`);
    w.write(0, `TargetPort:\t${v(intOrString(p.targetPort) || String(p.port ?? 0))}/${protocol}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${v(name)}\t${p.nodePort}/${protocol}\n`);
    if (related.endpoints !== undefined) {
      w.write(0, `Endpoints:\t${formatEndpoints(related.endpoints ? as<Endpoints__Output>(related.endpoints) : undefined, p.name ?? '')}\n`);
    }
  }
  w.write(0, `Session Affinity:\t${v(spec.sessionAffinity ?? 'None')}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${v(spec.externalTrafficPolicy)}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (spec.loadBalancerSourceRanges?.length) w.write(0, `LoadBalancer Source Ranges:\t${v(spec.loadBalancerSourceRanges.join(','))}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${v(spec.internalTrafficPolicy)}\n`);
}

function describeHeader(w: DescribeWriter, obj: KubeObject, namespaced: boolean): void {
  const m = meta(obj);
  w.write(0, `Name:\t${v(m.name)}\n`);
  if (namespaced) w.write(0, `Namespace:\t${v(m.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', m.labels);
  printAnnotationsMultiline(w, 'Annotations', m.annotations);
}

function describeConfigMap(w: DescribeWriter, obj: KubeObject): void {
  const cm = as<ConfigMap__Output>(obj);
  describeHeader(w, obj, true);
  w.write(0, '\nData\n====\n');
  for (const key of Object.keys(cm.data ?? {}).sort()) {
    w.write(0, `${v(key)}:\n----\n${v(cm.data![key])}\n\n`);
  }
  w.write(0, '\nBinaryData\n====\n');
  for (const key of Object.keys(cm.binaryData ?? {}).sort()) {
    w.write(0, `${v(key)}: ${Buffer.from(cm.binaryData![key] ?? '', 'base64').length} bytes\n`);
  }
  w.write(0, '\n');
}

function describeSecret(w: DescribeWriter, obj: KubeObject): void {
  const s = as<Secret__Output>(obj);
  describeHeader(w, obj, true);
  // Never the values: only how long each is, as kubectl does.
  w.write(0, `\nType:\t${v(s.type || 'Opaque')}\n\nData\n====\n`);
  for (const key of Object.keys(s.data ?? {}).sort()) {
    w.write(0, `${v(key)}:\t${Buffer.from(s.data![key] ?? '', 'base64').length} bytes\n`);
  }
}

/** A Job for describe: status.uncountedTerminatedPods (there once the Job controller has
 * run) only while it holds pods waiting to be counted. */
function withoutEmptyUncounted(obj: KubeObject): KubeObject {
  const status = as<Job__Output>(obj).status;
  const u = status?.uncountedTerminatedPods;
  if (!u || u.succeeded?.length || u.failed?.length) return obj;
  const rest = { ...status };
  delete rest.uncountedTerminatedPods;
  return { ...obj, status: rest };
}

/** Other kinds: the header, then every other top-level field as indented YAML. */
function describeGeneric(w: DescribeWriter, obj: KubeObject, info: KindInfo | undefined): void {
  describeHeader(w, obj, info?.namespaced ?? Boolean(meta(obj).namespace));
  w.write(0, `CreationTimestamp:\t${rfc1123z(meta(obj).creationTimestamp)}\n`);
  const encoded = info ? (encodeMessage(orderMessage(obj, info.message), info.message) as Record<string, unknown>) : obj;
  for (const [key, value] of Object.entries(encoded)) {
    if (['apiVersion', 'kind', 'metadata'].includes(key) || value === undefined) continue;
    const title = key.charAt(0).toUpperCase() + key.slice(1);
    if (!isPlainObject(value) && !Array.isArray(value)) {
      w.write(0, `${title}:\t${v(JSON.stringify(value))}\n`);
      continue;
    }
    const body = stringify(value, { indentSeq: false, lineWidth: 0 }).trimEnd();
    w.write(0, `${title}:\n`);
    for (const line of body.split('\n')) w.write(1, `${v(line)}\n`);
  }
}

function describeEvents(w: DescribeWriter, events: KubeObject[], now: number): void {
  if (!events.length) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const o of sortEvents(events)) {
    const e = as<Event__Output>(o);
    const first = e.eventTime ? age(e.eventTime, now) : age(e.firstTimestamp, now);
    const interval = (e.count ?? 0) > 1 ? `${age(e.lastTimestamp, now)} (x${e.count} over ${first})` : first;
    const source = e.source?.component || e.reportingComponent || '';
    w.write(1, `${v(e.type)}\t${v(e.reason)}\t${interval}\t${v(source)}\t${v((e.message ?? '').trim().replace(/\n/g, ' '))}\n`);
  }
}

/**
 * kubectl describe: the object's key facts as aligned text, then its events (oldest first)
 * or "Events: <none>". Pods, Deployments, ReplicaSets, Services, ConfigMaps and Secrets get
 * kubectl's own layout; other kinds print their fields as indented YAML. `events` should
 * already be filtered to this object.
 */
export function describe(obj: KubeObject, events: KubeObject[], opts: DescribeOptions = {}): string {
  const now = opts.now ?? Date.now();
  const related = opts.related ?? {};
  const info = obj.kind ? findKind(obj.kind) : undefined;
  const w = new DescribeWriter();
  switch (info?.kind) {
    case 'Pod':
      describePod(w, obj, now);
      break;
    case 'Deployment':
      describeDeployment(w, obj, related);
      break;
    case 'ReplicaSet':
      describeReplicaSet(w, obj, related);
      break;
    case 'Service':
      describeService(w, obj, related);
      break;
    case 'ConfigMap':
      describeConfigMap(w, obj);
      break;
    case 'Secret':
      describeSecret(w, obj);
      return w.toString();
    case 'Job':
      describeGeneric(w, withoutEmptyUncounted(obj), info);
      break;
    default:
      describeGeneric(w, obj, info);
  }
  describeEvents(w, events, now);
  return w.toString();
}
