// Semantic validation of objects, after Kubernetes' pkg/apis/*/validation and apimachinery's
// util/validation: every violation with its field path and Kubernetes' own wording, such as
// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
//
// Input is the canonical object form (already type-checked against the proto by the schema
// codec). Validation reads, never writes. It accepts objects with or without defaults
// applied: a field that defaulting would fill is only checked when it is set, and "" counts
// as unset, as in Kubernetes.
import { isIP } from 'node:net';
import type { FieldViolation } from '../../lib/errors.js';
import { KINDS, findKind, type KubeObject } from '../../lib/kinds.js';
import { parseQuantity } from '../../lib/quantity.js';
import { deepEqual } from '../../lib/objects.js';
import { labelSelectorRequirements, matchesLabels } from '../../lib/selectors.js';
import type { Affinity__Output } from '../../lib/gen/shoal/v1/Affinity.js';
import type { ConfigMap__Output } from '../../lib/gen/shoal/v1/ConfigMap.js';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { ContainerPort__Output } from '../../lib/gen/shoal/v1/ContainerPort.js';
import type { CronJobSpec__Output } from '../../lib/gen/shoal/v1/CronJobSpec.js';
import type { DeploymentSpec__Output } from '../../lib/gen/shoal/v1/DeploymentSpec.js';
import type { DeploymentStrategy__Output } from '../../lib/gen/shoal/v1/DeploymentStrategy.js';
import type { Endpoints__Output } from '../../lib/gen/shoal/v1/Endpoints.js';
import type { EndpointAddress__Output } from '../../lib/gen/shoal/v1/EndpointAddress.js';
import type { EnvFromSource__Output } from '../../lib/gen/shoal/v1/EnvFromSource.js';
import type { EnvVar__Output } from '../../lib/gen/shoal/v1/EnvVar.js';
import type { Event__Output } from '../../lib/gen/shoal/v1/Event.js';
import type { HTTPGetAction__Output } from '../../lib/gen/shoal/v1/HTTPGetAction.js';
import type { IntOrString__Output } from '../../lib/gen/shoal/v1/IntOrString.js';
import type { JobSpec__Output } from '../../lib/gen/shoal/v1/JobSpec.js';
import type { JobStatus__Output } from '../../lib/gen/shoal/v1/JobStatus.js';
import type { KeyToPath__Output } from '../../lib/gen/shoal/v1/KeyToPath.js';
import type { LabelSelector__Output } from '../../lib/gen/shoal/v1/LabelSelector.js';
import type { LabelSelectorRequirement__Output } from '../../lib/gen/shoal/v1/LabelSelectorRequirement.js';
import type { LeaseSpec__Output } from '../../lib/gen/shoal/v1/LeaseSpec.js';
import type { LifecycleHandler__Output } from '../../lib/gen/shoal/v1/LifecycleHandler.js';
import type { NamespaceSpec__Output } from '../../lib/gen/shoal/v1/NamespaceSpec.js';
import type { NodeSelectorRequirement__Output } from '../../lib/gen/shoal/v1/NodeSelectorRequirement.js';
import type { NodeSelectorTerm__Output } from '../../lib/gen/shoal/v1/NodeSelectorTerm.js';
import type { NodeSpec__Output } from '../../lib/gen/shoal/v1/NodeSpec.js';
import type { ObjectMeta__Output } from '../../lib/gen/shoal/v1/ObjectMeta.js';
import type { PersistentVolumeClaimSpec__Output } from '../../lib/gen/shoal/v1/PersistentVolumeClaimSpec.js';
import type { PodAffinityTerm__Output } from '../../lib/gen/shoal/v1/PodAffinityTerm.js';
import type { PodSpec__Output } from '../../lib/gen/shoal/v1/PodSpec.js';
import type { PodTemplateSpec__Output } from '../../lib/gen/shoal/v1/PodTemplateSpec.js';
import type { Probe__Output } from '../../lib/gen/shoal/v1/Probe.js';
import type { ReplicaSetSpec__Output } from '../../lib/gen/shoal/v1/ReplicaSetSpec.js';
import type { ResourceRequirements__Output } from '../../lib/gen/shoal/v1/ResourceRequirements.js';
import type { Secret__Output } from '../../lib/gen/shoal/v1/Secret.js';
import type { ServicePort__Output } from '../../lib/gen/shoal/v1/ServicePort.js';
import type { ServiceSpec__Output } from '../../lib/gen/shoal/v1/ServiceSpec.js';
import type { Toleration__Output } from '../../lib/gen/shoal/v1/Toleration.js';
import type { Volume__Output } from '../../lib/gen/shoal/v1/Volume.js';
import type { VolumeMount__Output } from '../../lib/gen/shoal/v1/VolumeMount.js';
import type { WeightedPodAffinityTerm__Output } from '../../lib/gen/shoal/v1/WeightedPodAffinityTerm.js';

// ============================================================================================
// Public API
// ============================================================================================

/**
 * Every problem with `obj`, each with a Kubernetes-style field path and message; empty when
 * the object is valid. With `old` (the stored object an update replaces), also checks the
 * fields that may not change. Call after applyDefaults. Pure and synchronous.
 */
export function validateObject(obj: KubeObject, old?: KubeObject): FieldViolation[] {
  const v = new Violations();
  if (!obj.kind) {
    v.required('kind');
    return v.list;
  }
  // findKind also resolves aliases ("deploy"); an object must carry the kind's own name.
  const info = findKind(obj.kind);
  if (!info || info.kind !== obj.kind) {
    v.notSupported('kind', obj.kind, KINDS.map((k) => k.kind));
    return v.list;
  }
  if (obj.apiVersion && obj.apiVersion !== info.apiVersion) v.notSupported('apiVersion', obj.apiVersion, [info.apiVersion]);
  const rules = RULES[info.kind] ?? { name: isDNS1123Subdomain };
  validateObjectMeta(obj.metadata ?? {}, info.namespaced, rules.name, v);
  rules.validate?.(obj, v);
  if (old) {
    validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}, v);
    rules.update?.(obj, old, v);
  }
  return v.list;
}


/** apimachinery's IsDNS1123Label: [] when valid, else the reasons. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelOk(value)) {
    errs.push(dns1123SubdomainOk(value) ? 'must not contain dots' : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** apimachinery's IsDNS1123Subdomain: [] when valid, else the reasons. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainOk(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** apimachinery's IsDNS1035Label (Service names): [] when valid, else the reasons. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1035LabelOk(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** apimachinery's IsQualifiedName (label and annotation keys): [] when valid, else the reasons. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a valid label key ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameOk(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** apimachinery's IsValidLabelValue: [] when valid, else the reasons. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (value !== '' && !qualifiedNameOk(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** apimachinery's IsValidPortName (IANA_SVC_NAME): [] when valid, else the reasons. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}


// ============================================================================================
// Field errors: apimachinery's field.Error, rendered as Error() renders its body
// ============================================================================================

class Violations {
  readonly list: FieldViolation[] = [];

  private add(field: string, body: string, detail = ''): void {
    this.list.push({ field, message: detail ? `${body}: ${detail}` : body });
  }
  required(field: string, detail = ''): void {
    this.add(field, 'Required value', detail);
  }
  invalid(field: string, value: unknown, detail: string): void {
    this.add(field, `Invalid value: ${formatValue(value)}`, detail);
  }
  /** One Invalid per reason, as apimachinery's content checks return them. */
  invalidEach(field: string, value: unknown, reasons: string[]): void {
    for (const r of reasons) this.invalid(field, value, r);
  }
  notSupported(field: string, value: unknown, valid: readonly string[]): void {
    this.add(field, `Unsupported value: ${formatValue(value)}`, `supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}`);
  }
  forbidden(field: string, detail: string): void {
    this.add(field, 'Forbidden', detail);
  }
  duplicate(field: string, value: unknown, detail = ''): void {
    this.add(field, `Duplicate value: ${formatValue(value)}`, detail);
  }
  notFound(field: string, value: unknown): void {
    this.add(field, `Not found: ${formatValue(value)}`);
  }
  tooLong(field: string, maxBytes: number): void {
    this.add(field, 'Too long', `may not be more than ${maxBytes} bytes`);
  }
}

/** As field.Error prints a bad value: numbers bare, strings quoted, anything else as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'null';
  return stableJSON(value);
}

/** JSON with object keys sorted: a deterministic rendering, and a structural equality test. */
function stableJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  }) ?? 'null';
}

/** Structural equality where an absent value equals null. */
function sameValue(a: unknown, b: unknown): boolean {
  return deepEqual(a ?? null, b ?? null);
}

// ============================================================================================
// Content checks (apimachinery util/validation), written without backtracking regexes
// ============================================================================================

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUANTITY_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const NEGATIVE_MSG = 'must be greater than or equal to 0';
const IMMUTABLE_MSG = 'field is immutable';
const FILE_MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';
const MAX_INT32 = 2147483647;

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** apimachinery's RegexError, double space before "or" included. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c);
const isLowerAlnum = (c: string | undefined): boolean => c !== undefined && /^[a-z0-9]$/.test(c);

function dns1123LabelOk(s: string): boolean {
  return /^[-a-z0-9]+$/.test(s) && isLowerAlnum(s[0]) && isLowerAlnum(s[s.length - 1]);
}
function dns1123SubdomainOk(s: string): boolean {
  return s.split('.').every(dns1123LabelOk);
}
function dns1035LabelOk(s: string): boolean {
  return dns1123LabelOk(s) && /^[a-z]/.test(s);
}
function qualifiedNameOk(s: string): boolean {
  return /^[-A-Za-z0-9_.]+$/.test(s) && isAlnum(s[0]) && isAlnum(s[s.length - 1]);
}

function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push(maxLenError(253));
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** The relaxed rule Kubernetes now applies to environment variable names. */
function isEnvVarName(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('environment variable name must be non-empty');
  if (!/^[\x20-\x3c\x3e-\x7e]*$/.test(name)) {
    errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
  }
  return errs;
}

// Name validators, as Kubernetes' ValidateNameFunc: a generateName prefix is checked as if
// its trailing dash were a character the generated suffix follows.
type NameFn = (name: string) => string[];

function asPrefix(fn: NameFn): NameFn {
  return (name) => fn(name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);
}

// ============================================================================================
// Metadata
// ============================================================================================

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

function validateObjectMeta(meta: ObjectMeta__Output, namespaced: boolean, nameFn: NameFn, v: Violations): void {
  if (meta.generateName) v.invalidEach('metadata.generateName', meta.generateName, asPrefix(nameFn)(meta.generateName));
  if (!meta.name) {
    if (!meta.generateName) v.required('metadata.name', 'name or generateName is required');
  } else {
    v.invalidEach('metadata.name', meta.name, nameFn(meta.name));
  }
  // An unset namespace on a namespaced kind is the request's to fill in, not an error here.
  if (namespaced && meta.namespace) v.invalidEach('metadata.namespace', meta.namespace, isDNS1123Label(meta.namespace));
  if (!namespaced && meta.namespace) v.forbidden('metadata.namespace', 'not allowed on this type');
  validateLabels(meta.labels, 'metadata.labels', v);
  validateAnnotations(meta.annotations, 'metadata.annotations', v);
  validateOwnerReferences(meta, v);
  for (const f of meta.finalizers ?? []) v.invalidEach('metadata.finalizers', f, isQualifiedName(f));
}

/** Labels and annotations only, as Kubernetes checks a pod or job template's metadata. */
function validateTemplateMeta(meta: ObjectMeta__Output | undefined, path: string, v: Violations): void {
  validateLabels(meta?.labels, `${path}.labels`, v);
  validateAnnotations(meta?.annotations, `${path}.annotations`, v);
}

function validateLabels(labels: Record<string, string> | undefined, path: string, v: Violations): void {
  for (const [k, val] of Object.entries(labels ?? {})) {
    v.invalidEach(path, k, isQualifiedName(k));
    v.invalidEach(path, val, isValidLabelValue(val));
  }
}

function validateAnnotations(annotations: Record<string, string> | undefined, path: string, v: Violations): void {
  let size = 0;
  for (const [k, val] of Object.entries(annotations ?? {})) {
    v.invalidEach(path, k, isQualifiedName(k.toLowerCase()));
    size += Buffer.byteLength(k) + Buffer.byteLength(val);
  }
  if (size > ANNOTATIONS_MAX_BYTES) v.tooLong(path, ANNOTATIONS_MAX_BYTES);
}

function validateOwnerReferences(meta: ObjectMeta__Output, v: Violations): void {
  const refs = meta.ownerReferences ?? [];
  refs.forEach((ref, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) v.invalid(`${p}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty');
    if (!ref.kind) v.invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty');
    if (!ref.name) v.invalid(`${p}.name`, ref.name ?? '', 'name must not be empty');
    if (!ref.uid) v.invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty');
  });
  const controllers = refs.filter((r) => r.controller);
  if (controllers.length > 1) {
    const names = controllers.map((r) => `${r.kind ?? ''}/${r.name ?? ''}`).join(', ');
    v.forbidden('metadata.ownerReferences', `only one reference can have Controller set to true; found "true" in references for ${names}`);
  }
}

function validateObjectMetaUpdate(meta: ObjectMeta__Output, old: ObjectMeta__Output, v: Violations): void {
  if (old.name && meta.name !== old.name) v.invalid('metadata.name', meta.name ?? '', IMMUTABLE_MSG);
  if ((meta.namespace ?? '') !== (old.namespace ?? '')) v.invalid('metadata.namespace', meta.namespace ?? '', IMMUTABLE_MSG);
  if (old.uid && meta.uid && meta.uid !== old.uid) v.invalid('metadata.uid', meta.uid, IMMUTABLE_MSG);
}

// ============================================================================================
// Shared field checks
// ============================================================================================

function nonNegative(value: number | undefined, path: string, v: Violations): void {
  if (value !== undefined && value < 0) v.invalid(path, value, NEGATIVE_MSG);
}

/** An enum field; unset or "" is fine unless `required`. */
function checkEnum(value: string | undefined, path: string, valid: readonly string[], v: Violations, required = false): void {
  if (!value) {
    if (required) v.required(path);
    return;
  }
  if (!valid.includes(value)) v.notSupported(path, value, valid);
}

function ipOk(ip: string): boolean {
  return isIP(ip) !== 0;
}

/** An IntOrString as Kubernetes marshals it: the bare number or string. */
function intOrStringValue(x: IntOrString__Output | undefined): number | string | null {
  return x?.strVal ?? x?.intVal ?? null;
}

function validatePortNumOrName(port: IntOrString__Output | undefined, path: string, v: Violations): void {
  if (port?.strVal !== undefined) v.invalidEach(path, port.strVal, isValidPortName(port.strVal));
  else if (port?.intVal !== undefined) v.invalidEach(path, port.intVal, isValidPortNum(port.intVal));
  else v.required(path);
}

function validateQuantity(q: string, path: string, v: Violations): number | undefined {
  const n = parseQuantity(q);
  if (n === undefined) {
    v.invalid(path, q, QUANTITY_MSG);
    return undefined;
  }
  if (n < 0) {
    v.invalid(path, q, NEGATIVE_MSG);
    return undefined;
  }
  return n;
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function validateLabelSelector(sel: LabelSelector__Output | undefined, path: string, v: Violations): void {
  if (!sel) return;
  validateLabels(sel.matchLabels, `${path}.matchLabels`, v);
  (sel.matchExpressions ?? []).forEach((r, i) => validateSelectorRequirement(r, `${path}.matchExpressions[${i}]`, v));
}

function validateSelectorRequirement(r: LabelSelectorRequirement__Output, path: string, v: Violations): void {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) v.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) v.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      break;
    default:
      v.invalid(`${path}.operator`, r.operator ?? '', 'not a valid selector operator');
  }
  v.invalidEach(`${path}.key`, r.key ?? '', isQualifiedName(r.key ?? ''));
  values.forEach((val, i) => v.invalidEach(`${path}.values[${i}]`, val, isValidLabelValue(val)));
}

function selectorIsEmpty(sel: LabelSelector__Output): boolean {
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function selectorIsWellFormed(sel: LabelSelector__Output): boolean {
  return (sel.matchExpressions ?? []).every((r) => SELECTOR_OPERATORS.includes(r.operator ?? ''));
}

/** The selector must select the pods the template makes. */
function checkSelectorMatchesTemplate(sel: LabelSelector__Output, labels: Record<string, string> | undefined, path: string, v: Violations): void {
  if (selectorIsEmpty(sel) || !selectorIsWellFormed(sel)) return;
  if (!matchesLabels(labelSelectorRequirements(sel), labels ?? {})) v.invalid(`${path}.template.metadata.labels`, labels ?? null, '`selector` does not match template `labels`');
}

/** A relative path that stays inside its root (subPath, key-to-path items). */
function validateLocalDescendingPath(p: string, path: string, v: Violations): void {
  if (p.startsWith('/')) v.invalid(path, p, 'must be a relative path');
  if (p.split('/').includes('..')) v.invalid(path, p, "must not contain '..'");
}

// ============================================================================================
// Pod spec
// ============================================================================================

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'persistentVolumeClaim'] as const;
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

interface PodSpecRules {
  /** The restart policies this owner allows. */
  restartPolicies: readonly string[];
  /** Unset means Always (the default) unless required. Job templates must choose. */
  restartPolicyRequired?: boolean;
  /** ReplicaSet and Deployment templates: pods that run forever have no deadline. */
  forbidActiveDeadline?: boolean;
}

const BARE_POD: PodSpecRules = { restartPolicies: RESTART_POLICIES };
const REPLICA_TEMPLATE: PodSpecRules = { restartPolicies: ['Always'], forbidActiveDeadline: true };
const JOB_TEMPLATE: PodSpecRules = { restartPolicies: ['OnFailure', 'Never'], restartPolicyRequired: true };

/** What the containers of one pod share while they are checked. */
interface PodContext {
  volumes: Set<string>;
  containerNames: Set<string>;
  hostPorts: Set<string>;
  hostNetwork: boolean;
}

function validatePodTemplate(t: PodTemplateSpec__Output | undefined, path: string, rules: PodSpecRules, v: Violations): void {
  validateTemplateMeta(t?.metadata, `${path}.metadata`, v);
  validatePodSpec(t?.spec ?? {}, `${path}.spec`, rules, v);
}

function validatePodSpec(spec: PodSpec__Output, path: string, rules: PodSpecRules, v: Violations): void {
  const ctx: PodContext = {
    volumes: validateVolumes(spec.volumes ?? [], `${path}.volumes`, v),
    containerNames: new Set(),
    hostPorts: new Set(),
    hostNetwork: spec.hostNetwork === true,
  };
  (spec.initContainers ?? []).forEach((c, i) => validateContainer(c, `${path}.initContainers[${i}]`, true, ctx, v));
  if ((spec.containers ?? []).length === 0) v.required(`${path}.containers`);
  (spec.containers ?? []).forEach((c, i) => validateContainer(c, `${path}.containers[${i}]`, false, ctx, v));

  validateRestartPolicy(spec.restartPolicy, `${path}.restartPolicy`, rules, v);
  checkEnum(spec.dnsPolicy, `${path}.dnsPolicy`, DNS_POLICIES, v);
  // Shoal's PodSpec has no dnsConfig, which dnsPolicy None requires.
  if (spec.dnsPolicy === 'None') v.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None');
  validateLabels(spec.nodeSelector, `${path}.nodeSelector`, v);
  for (const field of ['serviceAccountName', 'nodeName', 'schedulerName', 'priorityClassName'] as const) {
    const value = spec[field];
    if (value) v.invalidEach(`${path}.${field}`, value, isDNS1123Subdomain(value));
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const value = spec[field];
    if (value) v.invalidEach(`${path}.${field}`, value, isDNS1123Label(value));
  }
  nonNegative(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`, v);
  validateActiveDeadline(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`, rules, v);
  if (spec.affinity) validateAffinity(spec.affinity, `${path}.affinity`, v);
  (spec.tolerations ?? []).forEach((t, i) => validateToleration(t, `${path}.tolerations[${i}]`, v));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) v.required(`${path}.imagePullSecrets[${i}].name`);
  });
}

function validateRestartPolicy(policy: string | undefined, path: string, rules: PodSpecRules, v: Violations): void {
  if (!policy && !rules.restartPolicyRequired) return;
  if (!rules.restartPolicies.includes(policy ?? '')) v.notSupported(path, policy ?? '', rules.restartPolicies);
}

function validateActiveDeadline(value: number | undefined, path: string, rules: PodSpecRules, v: Violations): void {
  if (value === undefined) return;
  if (rules.forbidActiveDeadline) v.invalid(path, value, 'activeDeadlineSeconds in ReplicaSet is not Supported');
  else if (value < 1 || value > MAX_INT32) v.invalid(path, value, `must be between 1 and ${MAX_INT32}, inclusive`);
}

// ---- volumes ----

/** Checks the volumes and returns the names a volumeMount may refer to. */
function validateVolumes(volumes: Volume__Output[], path: string, v: Violations): Set<string> {
  const names = new Set<string>();
  volumes.forEach((vol, i) => {
    const p = `${path}[${i}]`;
    if (!vol.name) v.required(`${p}.name`);
    else {
      v.invalidEach(`${p}.name`, vol.name, isDNS1123Label(vol.name));
      if (names.has(vol.name)) v.duplicate(`${p}.name`, vol.name);
      names.add(vol.name);
    }
    // No source at all is an emptyDir (the default).
    const sources = VOLUME_SOURCES.filter((s) => vol[s] !== undefined);
    for (const extra of sources.slice(1)) v.forbidden(`${p}.${extra}`, 'may not specify more than 1 volume type');
    validateVolumeSource(vol, p, v);
  });
  return names;
}

function validateVolumeSource(vol: Volume__Output, p: string, v: Violations): void {
  if (vol.hostPath) {
    if (!vol.hostPath.path) v.required(`${p}.hostPath.path`);
    if (vol.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(vol.hostPath.type)) {
      v.notSupported(`${p}.hostPath.type`, vol.hostPath.type, HOST_PATH_TYPES);
    }
  }
  if (vol.emptyDir?.sizeLimit) validateQuantity(vol.emptyDir.sizeLimit, `${p}.emptyDir.sizeLimit`, v);
  if (vol.configMap) {
    if (!vol.configMap.name) v.required(`${p}.configMap.name`);
    validateProjection(vol.configMap.items, vol.configMap.defaultMode, `${p}.configMap`, v);
  }
  if (vol.secret) {
    if (!vol.secret.secretName) v.required(`${p}.secret.secretName`);
    validateProjection(vol.secret.items, vol.secret.defaultMode, `${p}.secret`, v);
  }
  if (vol.persistentVolumeClaim && !vol.persistentVolumeClaim.claimName) v.required(`${p}.persistentVolumeClaim.claimName`);
}

function validateProjection(items: KeyToPath__Output[] | undefined, defaultMode: number | undefined, path: string, v: Violations): void {
  validateFileMode(defaultMode, `${path}.defaultMode`, v);
  (items ?? []).forEach((item, i) => {
    const p = `${path}.items[${i}]`;
    if (!item.key) v.required(`${p}.key`);
    if (!item.path) v.required(`${p}.path`);
    else validateLocalDescendingPath(item.path, `${p}.path`, v);
    validateFileMode(item.mode, `${p}.mode`, v);
  });
}

function validateFileMode(mode: number | undefined, path: string, v: Violations): void {
  if (mode !== undefined && (mode < 0 || mode > 0o777)) v.invalid(path, mode, FILE_MODE_MSG);
}

// ---- containers ----

function validateContainer(c: Container__Output, path: string, init: boolean, ctx: PodContext, v: Violations): void {
  if (!c.name) v.required(`${path}.name`);
  else {
    v.invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name));
    if (ctx.containerNames.has(c.name)) v.duplicate(`${path}.name`, c.name);
    ctx.containerNames.add(c.name);
  }
  if (!c.image) v.required(`${path}.image`);
  else if (c.image.trim() !== c.image) v.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace');
  checkEnum(c.imagePullPolicy, `${path}.imagePullPolicy`, PULL_POLICIES, v);
  checkEnum(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, TERMINATION_MESSAGE_POLICIES, v);
  validateContainerPorts(c.ports ?? [], `${path}.ports`, ctx, v);
  (c.env ?? []).forEach((e, i) => validateEnvVar(e, `${path}.env[${i}]`, v));
  (c.envFrom ?? []).forEach((e, i) => validateEnvFrom(e, `${path}.envFrom[${i}]`, v));
  validateResources(c.resources, `${path}.resources`, v);
  validateVolumeMounts(c.volumeMounts ?? [], `${path}.volumeMounts`, ctx.volumes, v);
  validateContainerProbes(c, path, init, v);
}

function validateContainerPorts(ports: ContainerPort__Output[], path: string, ctx: PodContext, v: Violations): void {
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const reasons = isValidPortName(port.name);
      v.invalidEach(`${p}.name`, port.name, reasons);
      if (reasons.length === 0 && names.has(port.name)) v.duplicate(`${p}.name`, port.name);
      names.add(port.name);
    }
    if (!port.containerPort) v.required(`${p}.containerPort`);
    else v.invalidEach(`${p}.containerPort`, port.containerPort, isValidPortNum(port.containerPort));
    if (port.hostPort) {
      v.invalidEach(`${p}.hostPort`, port.hostPort, isValidPortNum(port.hostPort));
      if (ctx.hostNetwork && port.containerPort && port.hostPort !== port.containerPort) {
        v.invalid(`${p}.hostPort`, port.hostPort, 'must match `containerPort` when `hostNetwork` is true');
      }
      const key = `${port.hostIP ?? ''}/${port.protocol || 'TCP'}/${port.hostPort}`;
      if (ctx.hostPorts.has(key)) v.duplicate(`${p}.hostPort`, key);
      ctx.hostPorts.add(key);
    }
    checkEnum(port.protocol, `${p}.protocol`, PROTOCOLS, v);
    if (port.hostIP && !ipOk(port.hostIP)) v.invalid(`${p}.hostIP`, port.hostIP, IP_MSG);
  });
}

function validateEnvVar(e: EnvVar__Output, path: string, v: Violations): void {
  if (!e.name) v.required(`${path}.name`);
  else v.invalidEach(`${path}.name`, e.name, isEnvVarName(e.name));
  const from = e.valueFrom;
  if (!from) return;
  const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((s) => from[s] !== undefined);
  if (sources.length === 0) {
    v.invalid(`${path}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
  } else if (sources.length > 1) {
    v.invalid(`${path}.valueFrom`, '', 'may not have more than one field specified at a time');
  }
  if (e.value) v.invalid(`${path}.valueFrom`, '', 'may not be specified when `value` is not empty');
  if (from.fieldRef && !from.fieldRef.fieldPath) v.required(`${path}.valueFrom.fieldRef.fieldPath`);
  if (from.resourceFieldRef && !from.resourceFieldRef.resource) v.required(`${path}.valueFrom.resourceFieldRef.resource`);
  for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const sel = from[ref];
    if (!sel) continue;
    if (!sel.name) v.required(`${path}.valueFrom.${ref}.name`);
    if (!sel.key) v.required(`${path}.valueFrom.${ref}.key`);
    else v.invalidEach(`${path}.valueFrom.${ref}.key`, sel.key, isConfigMapKey(sel.key));
  }
}

function validateEnvFrom(e: EnvFromSource__Output, path: string, v: Violations): void {
  const count = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
  if (count === 0) v.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`');
  if (count > 1) v.invalid(path, '', 'may not have more than one field specified at a time');
  if (e.prefix) v.invalidEach(`${path}.prefix`, e.prefix, isEnvVarName(e.prefix));
  if (e.configMapRef && !e.configMapRef.name) v.required(`${path}.configMapRef.name`);
  if (e.secretRef && !e.secretRef.name) v.required(`${path}.secretRef.name`);
}

function validateVolumeMounts(mounts: VolumeMount__Output[], path: string, volumes: Set<string>, v: Violations): void {
  const mountPaths = new Set<string>();
  mounts.forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!m.name) v.required(`${p}.name`);
    else if (!volumes.has(m.name)) v.notFound(`${p}.name`, m.name);
    if (!m.mountPath) v.required(`${p}.mountPath`);
    else if (mountPaths.has(m.mountPath)) v.invalid(`${p}.mountPath`, m.mountPath, 'must be unique');
    if (m.mountPath) mountPaths.add(m.mountPath);
    if (m.subPath) validateLocalDescendingPath(m.subPath, `${p}.subPath`, v);
  });
}

function validateResourceName(name: string, path: string, v: Violations): void {
  const reasons = isQualifiedName(name);
  v.invalidEach(path, name, reasons);
  if (reasons.length > 0 || name.includes('/')) return;
  if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
    v.invalid(path, name, 'must be a standard resource for containers');
  }
}

/** cpu, memory and ephemeral storage may be overcommitted; anything else needs requests == limits. */
function isOvercommitAllowed(name: string): boolean {
  return STANDARD_CONTAINER_RESOURCES.includes(name) || (!name.startsWith('hugepages-') && !name.includes('/'));
}

function validateResources(r: ResourceRequirements__Output | undefined, path: string, v: Violations): void {
  const limits = r?.limits ?? {};
  const parsedLimits = new Map<string, number>();
  for (const [name, q] of Object.entries(limits)) {
    validateResourceName(name, `${path}.limits[${name}]`, v);
    const n = validateQuantity(q, `${path}.limits[${name}]`, v);
    if (n !== undefined) parsedLimits.set(name, n);
  }
  for (const [name, q] of Object.entries(r?.requests ?? {})) {
    validateResourceName(name, `${path}.requests[${name}]`, v);
    const n = validateQuantity(q, `${path}.requests[${name}]`, v);
    const limit = parsedLimits.get(name);
    if (n === undefined) continue;
    if (limit === undefined) {
      if (!isOvercommitAllowed(name) && !(name in limits)) v.required(`${path}.limits`, 'Limit must be set for non overcommitable resources');
    } else if (n !== limit && !isOvercommitAllowed(name)) {
      v.invalid(`${path}.requests`, q, `must be equal to ${name} limit of ${limits[name]!}`);
    } else if (n > limit) {
      v.invalid(`${path}.requests`, q, `must be less than or equal to ${name} limit of ${limits[name]!}`);
    }
  }
}

// ---- probes and lifecycle handlers ----

function validateContainerProbes(c: Container__Output, path: string, init: boolean, v: Violations): void {
  const probes = [
    ['livenessProbe', c.livenessProbe],
    ['readinessProbe', c.readinessProbe],
    ['startupProbe', c.startupProbe],
  ] as const;
  for (const [field, probe] of probes) {
    if (!probe) continue;
    if (init) {
      v.forbidden(`${path}.${field}`, 'may not be set for init containers');
      continue;
    }
    validateProbe(probe, `${path}.${field}`, v);
    // Only readiness can need several successes in a row; liveness and startup act on one.
    if (field !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
      v.invalid(`${path}.${field}.successThreshold`, probe.successThreshold, 'must be 1');
    }
  }
  if (c.lifecycle && init) v.forbidden(`${path}.lifecycle`, 'may not be set for init containers');
  else {
    if (c.lifecycle?.postStart) validateHandler(c.lifecycle.postStart, `${path}.lifecycle.postStart`, v);
    if (c.lifecycle?.preStop) validateHandler(c.lifecycle.preStop, `${path}.lifecycle.preStop`, v);
  }
}

function validateProbe(p: Probe__Output, path: string, v: Violations): void {
  validateHandler(p, path, v);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    nonNegative(p[field], `${path}.${field}`, v);
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    v.invalid(`${path}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0');
  }
}

/** Exactly one of exec, httpGet and tcpSocket. */
function validateHandler(h: LifecycleHandler__Output, path: string, v: Violations): void {
  const kinds = (['exec', 'httpGet', 'tcpSocket'] as const).filter((k) => h[k] !== undefined);
  if (kinds.length === 0) {
    v.required(path, 'must specify a handler type');
    return;
  }
  for (const extra of kinds.slice(1)) v.forbidden(`${path}.${extra}`, 'may not specify more than 1 handler type');
  if (h.exec && (h.exec.command ?? []).length === 0) v.required(`${path}.exec.command`);
  if (h.httpGet) validateHTTPGet(h.httpGet, `${path}.httpGet`, v);
  if (h.tcpSocket) validatePortNumOrName(h.tcpSocket.port, `${path}.tcpSocket.port`, v);
}

function validateHTTPGet(a: HTTPGetAction__Output, path: string, v: Violations): void {
  validatePortNumOrName(a.port, `${path}.port`, v);
  checkEnum(a.scheme, `${path}.scheme`, ['HTTP', 'HTTPS'], v);
  for (const h of a.httpHeaders ?? []) {
    const name = h.name ?? '';
    if (!/^[-A-Za-z0-9]+$/.test(name)) {
      v.invalid(`${path}.httpHeaders`, name, regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name'));
    }
  }
}

// ---- scheduling constraints ----

function validateToleration(t: Toleration__Output, path: string, v: Violations): void {
  if (t.key) v.invalidEach(`${path}.key`, t.key, isQualifiedName(t.key));
  if (!t.key && t.operator !== 'Exists') {
    v.invalid(`${path}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"');
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    v.invalid(`${path}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
  switch (t.operator ?? '') {
    case '':
    case 'Equal': {
      const reasons = isValidLabelValue(t.value ?? '');
      if (reasons.length > 0) v.invalid(`${path}.value`, t.value ?? '', reasons.join(';'));
      break;
    }
    case 'Exists':
      if (t.value) v.invalid(`${path}.operator`, t, "value must be empty when `operator` is 'Exists'");
      break;
    default:
      v.notSupported(`${path}.operator`, t.operator, ['Equal', 'Exists']);
  }
  checkEnum(t.effect, `${path}.effect`, TAINT_EFFECTS, v);
}

function validateAffinity(a: Affinity__Output, path: string, v: Violations): void {
  const na = a.nodeAffinity;
  const required = na?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const p = `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    const terms = required.nodeSelectorTerms ?? [];
    if (terms.length === 0) v.required(`${p}.nodeSelectorTerms`, 'must have at least one node selector term');
    terms.forEach((t, i) => validateNodeSelectorTerm(t, `${p}.nodeSelectorTerms[${i}]`, v));
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((pref, i) => {
    const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    validateWeight(pref.weight, `${p}.weight`, v);
    validateNodeSelectorTerm(pref.preference ?? {}, `${p}.preference`, v);
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const aff = a[kind];
    const base = `${path}.${kind}`;
    (aff?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      validatePodAffinityTerm(t, `${base}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`, v),
    );
    (aff?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w: WeightedPodAffinityTerm__Output, i) => {
      const p = `${base}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      validateWeight(w.weight, `${p}.weight`, v);
      validatePodAffinityTerm(w.podAffinityTerm ?? {}, `${p}.podAffinityTerm`, v);
    });
  }
}

function validateWeight(weight: number | undefined, path: string, v: Violations): void {
  if (weight === undefined || weight < 1 || weight > 100) v.invalid(path, weight ?? 0, 'must be in the range 1-100');
}

function validateNodeSelectorTerm(term: NodeSelectorTerm__Output, path: string, v: Violations): void {
  (term.matchExpressions ?? []).forEach((r, i) => validateNodeSelectorRequirement(r, `${path}.matchExpressions[${i}]`, v));
  (term.matchFields ?? []).forEach((r, i) => {
    const p = `${path}.matchFields[${i}]`;
    if (r.key !== 'metadata.name') v.notSupported(`${p}.key`, r.key ?? '', ['metadata.name']);
    if ((r.operator === 'In' || r.operator === 'NotIn') && (r.values ?? []).length !== 1) {
      v.required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
    } else if (r.operator !== 'In' && r.operator !== 'NotIn') {
      v.invalid(`${p}.operator`, r.operator ?? '', 'not a valid selector operator');
    }
  });
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement__Output, path: string, v: Violations): void {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) v.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'");
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) v.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) v.required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'");
      break;
    default:
      v.invalid(`${path}.operator`, r.operator ?? '', 'not a valid selector operator');
  }
  v.invalidEach(`${path}.key`, r.key ?? '', isQualifiedName(r.key ?? ''));
}

function validatePodAffinityTerm(t: PodAffinityTerm__Output, path: string, v: Violations): void {
  validateLabelSelector(t.labelSelector, `${path}.labelSelector`, v);
  validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`, v);
  for (const ns of t.namespaces ?? []) v.invalidEach(`${path}.namespaces`, ns, isDNS1123Label(ns));
  if (!t.topologyKey) v.required(`${path}.topologyKey`, 'can not be empty');
  else v.invalidEach(`${path}.topologyKey`, t.topologyKey, isQualifiedName(t.topologyKey));
}

// ============================================================================================
// Kinds
// ============================================================================================

type KindValidator = (obj: KubeObject, v: Violations) => void;
type UpdateValidator = (obj: KubeObject, old: KubeObject, v: Violations) => void;

interface KindRules {
  /** How metadata.name is checked. */
  name: NameFn;
  validate?: KindValidator;
  /** Rules that compare with the stored object, on top of `validate`. */
  update?: UpdateValidator;
}

function specOf<T>(obj: KubeObject): T {
  return (obj.spec ?? {}) as T;
}

const RULES: Record<string, KindRules> = {
  Namespace: { name: isDNS1123Label, validate: validateNamespace },
  Node: { name: isDNS1123Subdomain, validate: validateNode },
  Pod: { name: isDNS1123Subdomain, validate: validatePod, update: validatePodUpdate },
  ReplicaSet: { name: isDNS1123Subdomain, validate: validateReplicaSet, update: selectorImmutable },
  Deployment: { name: isDNS1123Subdomain, validate: validateDeployment, update: selectorImmutable },
  // Services name DNS records, so their names are DNS-1035 labels (start with a letter).
  Service: { name: isDNS1035Label, validate: validateService, update: validateServiceUpdate },
  Endpoints: { name: isDNS1123Subdomain, validate: validateEndpoints },
  Job: { name: isDNS1123Subdomain, validate: validateJob, update: validateJobUpdate },
  CronJob: { name: isDNS1123Subdomain, validate: validateCronJob },
  Event: { name: isDNS1123Subdomain, validate: validateEvent },
  Lease: { name: isDNS1123Subdomain, validate: validateLease },
  ConfigMap: { name: isDNS1123Subdomain, validate: validateConfigMap, update: validateConfigMapUpdate },
  Secret: { name: isDNS1123Subdomain, validate: validateSecret, update: validateSecretUpdate },
  PersistentVolumeClaim: { name: isDNS1123Subdomain, validate: validatePersistentVolumeClaim },
};

// ---- Namespace and Node ----

function validateNamespace(obj: KubeObject, v: Violations): void {
  for (const f of specOf<NamespaceSpec__Output>(obj).finalizers ?? []) v.invalidEach('spec.finalizers', f, isQualifiedName(f));
}

function validateNode(obj: KubeObject, v: Violations): void {
  const seen = new Set<string>();
  (specOf<NodeSpec__Output>(obj).taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    v.invalidEach(`${p}.key`, t.key ?? '', isQualifiedName(t.key ?? ''));
    const reasons = isValidLabelValue(t.value ?? '');
    if (reasons.length > 0) v.invalid(`${p}.value`, t.value ?? '', reasons.join(';'));
    checkEnum(t.effect, `${p}.effect`, TAINT_EFFECTS, v, true);
    const key = `${t.key ?? ''}\0${t.effect ?? ''}`;
    if (seen.has(key)) v.duplicate(p, t, 'taints must be unique by key and effect pair');
    seen.add(key);
  });
}

// ---- Pod ----

function validatePod(obj: KubeObject, v: Violations): void {
  validatePodSpec(specOf<PodSpec__Output>(obj), 'spec', BARE_POD, v);
}

const POD_UPDATE_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, ' +
  '`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) ' +
  'or `spec.nodeName` (only to bind an unscheduled pod)';

function validatePodUpdate(obj: KubeObject, old: KubeObject, v: Violations): void {
  const spec = specOf<PodSpec__Output>(obj);
  const oldSpec = specOf<PodSpec__Output>(old);
  const deadline = spec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (deadline === undefined && oldDeadline !== undefined) {
    v.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value');
  } else if (deadline !== undefined && oldDeadline !== undefined && deadline > oldDeadline) {
    v.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value');
  }
  // Carry the changeable fields over from the old spec; whatever differs after that is a
  // change to an immutable field.
  const masked = structuredClone(spec);
  masked.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  copyImages(masked.containers, oldSpec.containers);
  copyImages(masked.initContainers, oldSpec.initContainers);
  const oldTolerations = oldSpec.tolerations ?? [];
  if (oldTolerations.every((t) => (spec.tolerations ?? []).some((n) => sameValue(n, t)))) masked.tolerations = oldSpec.tolerations;
  if (!oldSpec.nodeName) masked.nodeName = oldSpec.nodeName;
  if (!sameValue(masked, oldSpec)) v.forbidden('spec', POD_UPDATE_MSG);
}

function copyImages(into: Container__Output[] | undefined, from: Container__Output[] | undefined): void {
  if (!into || !from || into.length !== from.length) return;
  into.forEach((c, i) => {
    c.image = from[i]!.image;
  });
}

// ---- ReplicaSet and Deployment ----

/** Selector present, non-empty, well formed, and selecting the template's pods. */
function validateWorkloadSelector(sel: LabelSelector__Output | undefined, template: PodTemplateSpec__Output | undefined, v: Violations): void {
  if (!sel) {
    v.required('spec.selector');
    return;
  }
  validateLabelSelector(sel, 'spec.selector', v);
  if (selectorIsEmpty(sel)) v.invalid('spec.selector', sel, 'empty selector is invalid for deployment');
  else checkSelectorMatchesTemplate(sel, template?.metadata?.labels, 'spec', v);
}

function validateReplicaSet(obj: KubeObject, v: Violations): void {
  const spec = specOf<ReplicaSetSpec__Output>(obj);
  nonNegative(spec.replicas, 'spec.replicas', v);
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', v);
  validateWorkloadSelector(spec.selector, spec.template, v);
  validatePodTemplate(spec.template, 'spec.template', REPLICA_TEMPLATE, v);
}

function validateDeployment(obj: KubeObject, v: Violations): void {
  const spec = specOf<DeploymentSpec__Output>(obj);
  nonNegative(spec.replicas, 'spec.replicas', v);
  validateWorkloadSelector(spec.selector, spec.template, v);
  validatePodTemplate(spec.template, 'spec.template', REPLICA_TEMPLATE, v);
  validateStrategy(spec.strategy, 'spec.strategy', v);
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', v);
  nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', v);
  const deadline = spec.progressDeadlineSeconds;
  if (deadline !== undefined) {
    nonNegative(deadline, 'spec.progressDeadlineSeconds', v);
    if (deadline <= (spec.minReadySeconds ?? 0)) v.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds');
  }
}

function validateStrategy(s: DeploymentStrategy__Output | undefined, path: string, v: Violations): void {
  const type = s?.type || 'RollingUpdate';
  if (type === 'Recreate') {
    if (s?.rollingUpdate) v.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'");
    return;
  }
  if (type !== 'RollingUpdate') {
    v.notSupported(`${path}.type`, type, ['Recreate', 'RollingUpdate']);
    return;
  }
  const ru = s?.rollingUpdate;
  if (!ru) return;
  const unavailable = validateIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`, v);
  const surge = validateIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`, v);
  if (unavailable === 0 && surge === 0) {
    v.invalid(`${path}.rollingUpdate.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0');
  }
  if (ru.maxUnavailable?.strVal !== undefined && unavailable !== undefined && unavailable > 100) {
    v.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable.strVal, 'must not be greater than 100%');
  }
}

/** A non-negative integer or an "N%" string; returns the number (percent or count) if valid. */
function validateIntOrPercent(x: IntOrString__Output | undefined, path: string, v: Violations): number | undefined {
  if (x?.strVal !== undefined) {
    if (!/^[0-9]+%$/.test(x.strVal)) {
      v.invalid(path, x.strVal, regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'));
      return undefined;
    }
    return Number(x.strVal.slice(0, -1));
  }
  if (x?.intVal !== undefined) {
    if (x.intVal < 0) {
      v.invalid(path, x.intVal, NEGATIVE_MSG);
      return undefined;
    }
    return x.intVal;
  }
  return undefined;
}

function selectorImmutable(obj: KubeObject, old: KubeObject, v: Violations): void {
  const sel = specOf<{ selector?: LabelSelector__Output }>(obj).selector;
  const oldSel = specOf<{ selector?: LabelSelector__Output }>(old).selector;
  if (!sameValue(sel, oldSel)) v.invalid('spec.selector', sel ?? null, IMMUTABLE_MSG);
}

// ---- Service and Endpoints ----

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

function validateService(obj: KubeObject, v: Violations): void {
  const spec = specOf<ServiceSpec__Output>(obj);
  const type = spec.type || 'ClusterIP';
  const headless = spec.clusterIP === 'None';
  const ports = spec.ports ?? [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') v.required('spec.ports');
  if (!SERVICE_TYPES.includes(type)) v.notSupported('spec.type', type, SERVICE_TYPES);
  validateServiceTypeFields(spec, type, v);
  validateServicePorts(ports, type, v);
  validateLabels(spec.selector, 'spec.selector', v);
  validateSessionAffinity(spec, v);
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);
  if (spec.externalTrafficPolicy && !externallyAccessible) {
    v.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services');
  } else {
    checkEnum(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy', TRAFFIC_POLICIES, v);
  }
  checkEnum(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', TRAFFIC_POLICIES, v);
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!ipOk(ip)) v.invalid(`spec.externalIPs[${i}]`, ip, IP_MSG);
  });
}

function validateServiceTypeFields(spec: ServiceSpec__Output, type: string, v: Violations): void {
  const clusterIP = spec.clusterIP ?? '';
  if (type === 'ExternalName') {
    if (clusterIP) v.forbidden('spec.clusterIP', 'may not be set for ExternalName services');
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) v.required('spec.externalName');
    else v.invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname));
    return;
  }
  if (clusterIP === 'None' && (type === 'NodePort' || type === 'LoadBalancer')) {
    v.invalid('spec.clusterIP', clusterIP, `may not be set to 'None' for ${type} services`);
  }
  if (clusterIP && clusterIP !== 'None' && !ipOk(clusterIP)) v.invalid('spec.clusterIP', clusterIP, IP_MSG);
}

function validateServicePorts(ports: ServicePort__Output[], type: string, v: Violations): void {
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = `spec.ports[${i}]`;
    validateServicePort(port, p, ports.length > 1, names, v);
    if (port.nodePort && type === 'ClusterIP') v.forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'");
    const protocol = port.protocol || 'TCP';
    const key = `${protocol}/${port.port ?? 0}`;
    if (seen.has(key)) v.duplicate(p, { port: port.port ?? 0, protocol });
    seen.add(key);
    if (port.nodePort) {
      const nodeKey = `${protocol}/${port.nodePort}`;
      if (seenNodePorts.has(nodeKey)) v.duplicate(`${p}.nodePort`, port.nodePort);
      seenNodePorts.add(nodeKey);
    }
  });
}

function validateServicePort(port: ServicePort__Output, p: string, requireName: boolean, names: Set<string>, v: Violations): void {
  if (!port.name) {
    if (requireName) v.required(`${p}.name`);
  } else {
    v.invalidEach(`${p}.name`, port.name, isDNS1123Label(port.name));
    if (names.has(port.name)) v.duplicate(`${p}.name`, port.name);
    names.add(port.name);
  }
  v.invalidEach(`${p}.port`, port.port ?? 0, isValidPortNum(port.port ?? 0));
  checkEnum(port.protocol, `${p}.protocol`, PROTOCOLS, v);
  // Unset (or 0 / "") means "same as port", the default.
  if (port.targetPort?.intVal || port.targetPort?.strVal) validatePortNumOrName(port.targetPort, `${p}.targetPort`, v);
  if (port.appProtocol) v.invalidEach(`${p}.appProtocol`, port.appProtocol, isQualifiedName(port.appProtocol));
}

function validateSessionAffinity(spec: ServiceSpec__Output, v: Violations): void {
  checkEnum(spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None'], v);
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (timeout !== undefined && (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS)) {
      v.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`);
    }
  } else if (spec.sessionAffinityConfig) {
    v.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None');
  }
}

function validateServiceUpdate(obj: KubeObject, old: KubeObject, v: Violations): void {
  const spec = specOf<ServiceSpec__Output>(obj);
  const oldSpec = specOf<ServiceSpec__Output>(old);
  // An ExternalName service has no cluster IP, so switching to or from it may change one.
  // An update that leaves clusterIP out keeps the allocated one: the registry carries it over.
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return;
  if (oldSpec.clusterIP && spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
    v.invalid('spec.clusterIP', spec.clusterIP, IMMUTABLE_MSG);
  }
}

function validateEndpoints(obj: KubeObject, v: Violations): void {
  (obj as Endpoints__Output).subsets?.forEach((subset, i) => {
    const p = `subsets[${i}]`;
    (subset.addresses ?? []).forEach((a, j) => validateEndpointAddress(a, `${p}.addresses[${j}]`, v));
    (subset.notReadyAddresses ?? []).forEach((a, j) => validateEndpointAddress(a, `${p}.notReadyAddresses[${j}]`, v));
    const ports = subset.ports ?? [];
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (!port.name) {
        if (ports.length > 1) v.required(`${pp}.name`);
      } else v.invalidEach(`${pp}.name`, port.name, isDNS1123Label(port.name));
      v.invalidEach(`${pp}.port`, port.port ?? 0, isValidPortNum(port.port ?? 0));
      checkEnum(port.protocol, `${pp}.protocol`, PROTOCOLS, v);
    });
  });
}

function validateEndpointAddress(a: EndpointAddress__Output, path: string, v: Violations): void {
  if (!ipOk(a.ip ?? '')) v.invalid(`${path}.ip`, a.ip ?? '', IP_MSG);
  if (a.hostname) v.invalidEach(`${path}.hostname`, a.hostname, isDNS1123Label(a.hostname));
  if (a.nodeName) v.invalidEach(`${path}.nodeName`, a.nodeName, isDNS1123Subdomain(a.nodeName));
}

// ---- Job and CronJob ----

function validateJob(obj: KubeObject, v: Violations): void {
  const spec = specOf<JobSpec__Output>(obj);
  validateJobSpec(spec, 'spec', v);
  if (spec.manualSelector && !spec.selector) v.required('spec.selector');
  validateJobStatus(obj.status ?? {}, v);
}

/** Counters are never negative; uncountedTerminatedPods lists each pod uid once, in one list
 * (the Job controller's exactly-once counting relies on it). */
function validateJobStatus(status: JobStatus__Output, v: Violations): void {
  for (const field of ['active', 'succeeded', 'failed', 'ready'] as const) nonNegative(status[field], `status.${field}`, v);
  const seen = new Set<string>();
  for (const list of ['succeeded', 'failed'] as const) {
    (status.uncountedTerminatedPods?.[list] ?? []).forEach((uid, i) => {
      const path = `status.uncountedTerminatedPods.${list}[${i}]`;
      if (!uid) v.required(path);
      else if (seen.has(uid)) v.duplicate(path, uid);
      seen.add(uid);
    });
  }
}

function validateJobSpec(spec: JobSpec__Output, path: string, v: Violations): void {
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    nonNegative(spec[field], `${path}.${field}`, v);
  }
  checkEnum(spec.completionMode, `${path}.completionMode`, ['NonIndexed', 'Indexed'], v);
  if (spec.completionMode === 'Indexed' && spec.completions === undefined) {
    v.required(`${path}.completions`, 'when completion mode is Indexed');
  }
  // The selector is optional here (Shoal does not generate one); when given it must select
  // the template's pods.
  if (spec.selector) {
    validateLabelSelector(spec.selector, `${path}.selector`, v);
    checkSelectorMatchesTemplate(spec.selector, spec.template?.metadata?.labels, path, v);
  }
  validatePodTemplate(spec.template, `${path}.template`, JOB_TEMPLATE, v);
}

function validateJobUpdate(obj: KubeObject, old: KubeObject, v: Violations): void {
  const spec = specOf<JobSpec__Output>(obj);
  const oldSpec = specOf<JobSpec__Output>(old);
  if (!sameValue(spec.selector, oldSpec.selector)) v.invalid('spec.selector', spec.selector ?? null, IMMUTABLE_MSG);
  if (!sameValue(spec.template, oldSpec.template)) v.invalid('spec.template', spec.template ?? null, IMMUTABLE_MSG);
  if ((spec.completionMode || 'NonIndexed') !== (oldSpec.completionMode || 'NonIndexed')) {
    v.invalid('spec.completionMode', spec.completionMode ?? '', IMMUTABLE_MSG);
  }
}

const CRONJOB_NAME_MAX = 52;

function validateCronJob(obj: KubeObject, v: Violations): void {
  const name = obj.metadata?.name ?? '';
  // Job names get an 11-character suffix and must still fit in a 63-character label.
  if (name.length > CRONJOB_NAME_MAX) v.invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX} characters`);
  const spec = specOf<CronJobSpec__Output>(obj);
  if (!spec.schedule?.trim()) v.required('spec.schedule');
  if (spec.timeZone !== undefined) validateTimeZone(spec, v);
  nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds', v);
  checkEnum(spec.concurrencyPolicy, 'spec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace'], v);
  nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit', v);
  nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit', v);
  validateTemplateMeta(spec.jobTemplate?.metadata, 'spec.jobTemplate.metadata', v);
  validateJobSpec(spec.jobTemplate?.spec ?? {}, 'spec.jobTemplate.spec', v);
}

function validateTimeZone(spec: CronJobSpec__Output, v: Violations): void {
  const tz = spec.timeZone ?? '';
  if (/(^|\s)(CRON_)?TZ=/.test(spec.schedule ?? '')) {
    v.invalid('spec.schedule', spec.schedule ?? '', 'cannot use both timeZone field and TZ or CRON_TZ in schedule');
  }
  if (tz.toLowerCase() === 'local') {
    v.invalid('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones');
    return;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    v.invalid('spec.timeZone', tz, `unknown time zone ${tz}`);
  }
}

// ---- Event and Lease ----

function validateEvent(obj: KubeObject, v: Violations): void {
  const ev = obj as Event__Output;
  const involvedNs = ev.involvedObject?.namespace;
  if (involvedNs && obj.metadata?.namespace && involvedNs !== obj.metadata.namespace) {
    v.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  }
  checkEnum(ev.type, 'type', ['Normal', 'Warning'], v);
}

function validateLease(obj: KubeObject, v: Violations): void {
  const spec = specOf<LeaseSpec__Output>(obj);
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    v.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0');
  }
  nonNegative(spec.leaseTransitions, 'spec.leaseTransitions', v);
}

// ---- ConfigMap and Secret ----

const MAX_DATA_BYTES = 1024 * 1024;

function validateConfigMap(obj: KubeObject, v: Violations): void {
  const cm = obj as ConfigMap__Output;
  let size = 0;
  for (const [k, val] of Object.entries(cm.data ?? {})) {
    v.invalidEach(`data[${k}]`, k, isConfigMapKey(k));
    size += Buffer.byteLength(val);
  }
  for (const [k, val] of Object.entries(cm.binaryData ?? {})) {
    v.invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k));
    if (cm.data && Object.hasOwn(cm.data, k)) v.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data');
    size += Buffer.from(val, 'base64').length;
  }
  if (size > MAX_DATA_BYTES) v.tooLong('data', MAX_DATA_BYTES);
}

function validateConfigMapUpdate(obj: KubeObject, old: KubeObject, v: Violations): void {
  const cm = obj as ConfigMap__Output;
  const oldCm = old as ConfigMap__Output;
  if (!oldCm.immutable) return;
  if (!cm.immutable) v.forbidden('immutable', 'field is immutable when `immutable` is set');
  if (!sameValue(cm.data, oldCm.data)) v.forbidden('data', 'field is immutable when `immutable` is set');
  if (!sameValue(cm.binaryData, oldCm.binaryData)) v.forbidden('binaryData', 'field is immutable when `immutable` is set');
}

/** Keys some built-in secret types must carry. */
const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

function validateSecret(obj: KubeObject, v: Violations): void {
  const secret = obj as Secret__Output;
  // stringData is merged into data by defaulting; check both so either order works.
  const data = { ...secret.data };
  for (const [k, val] of Object.entries(secret.stringData ?? {})) data[k] = Buffer.from(val).toString('base64');
  let size = 0;
  for (const [k, val] of Object.entries(data)) {
    v.invalidEach(`data[${k}]`, k, isConfigMapKey(k));
    size += Buffer.from(val, 'base64').length;
  }
  if (size > MAX_DATA_BYTES) v.tooLong('data', MAX_DATA_BYTES);
  const type = secret.type ?? '';
  for (const key of SECRET_TYPE_KEYS[type] ?? []) {
    if (!Object.hasOwn(data, key)) v.required(`data[${key}]`);
  }
  if (type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson'] !== undefined) {
    try {
      JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8'));
    } catch (err) {
      v.invalid('data[.dockerconfigjson]', '<secret contents redacted>', (err as Error).message);
    }
  }
  if (type === 'kubernetes.io/basic-auth' && !Object.hasOwn(data, 'username') && !Object.hasOwn(data, 'password')) {
    v.required('data[username]');
    v.required('data[password]');
  }
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    v.required('metadata.annotations[kubernetes.io/service-account.name]');
  }
}

function validateSecretUpdate(obj: KubeObject, old: KubeObject, v: Violations): void {
  const secret = obj as Secret__Output;
  const oldSecret = old as Secret__Output;
  if ((secret.type || 'Opaque') !== (oldSecret.type || 'Opaque')) v.invalid('type', secret.type ?? '', IMMUTABLE_MSG);
  if (!oldSecret.immutable) return;
  if (!secret.immutable) v.forbidden('immutable', 'field is immutable when `immutable` is set');
  if (!sameValue(secret.data, oldSecret.data) || secret.stringData !== undefined) {
    v.forbidden('data', 'field is immutable when `immutable` is set');
  }
}

// ---- PersistentVolumeClaim ----

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validatePersistentVolumeClaim(obj: KubeObject, v: Violations): void {
  const spec = specOf<PersistentVolumeClaimSpec__Output>(obj);
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) v.required('spec.accessModes', 'at least 1 access mode is required');
  for (const mode of modes) {
    if (!ACCESS_MODES.includes(mode)) v.notSupported('spec.accessModes', mode, ACCESS_MODES);
  }
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    v.forbidden('spec.accessModes', 'may not use ReadWriteOncePod with other access modes');
  }
  validateLabelSelector(spec.selector, 'spec.selector', v);
  const requests = spec.resources?.requests ?? {};
  for (const [name, q] of Object.entries(spec.resources?.limits ?? {})) validateQuantity(q, `spec.resources.limits[${name}]`, v);
  for (const [name, q] of Object.entries(requests)) {
    if (name !== 'storage') validateQuantity(q, `spec.resources.requests[${name}]`, v);
  }
  const storage = requests['storage'];
  if (storage === undefined) v.required('spec.resources[storage]');
  else {
    const n = parseQuantity(storage);
    if (n === undefined) v.invalid('spec.resources[storage]', storage, QUANTITY_MSG);
    else if (n <= 0) v.invalid('spec.resources[storage]', storage, 'must be greater than zero');
  }
  checkEnum(spec.volumeMode, 'spec.volumeMode', ['Block', 'Filesystem'], v);
  if (spec.storageClassName) v.invalidEach('spec.storageClassName', spec.storageClassName, isDNS1123Subdomain(spec.storageClassName));
}
