// The manifest codec: turns user-written YAML/JSON (Kubernetes shape) into canonical objects
// and back, checking every field against the proto descriptors. Unknown fields and wrongly
// typed values are reported with their field paths, never silently dropped.
import { parseAllDocuments } from 'yaml';
import { InvalidError, TooLargeError, type FieldViolation } from './errors.js';
import { findKind, type KubeObject } from './kinds.js';
import { INT_OR_STRING, messageInfo, type FieldInfo } from './proto.js';

/** Largest manifest the API accepts, as Kubernetes' 3 MiB request limit. */
export const MAX_MANIFEST_BYTES = 3 * 1024 * 1024;
/** YAML aliases allowed per document: enough for real manifests, too few for an alias bomb. */
const MAX_YAML_ALIASES = 100;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Set) return 'set';
  if (value instanceof Map) return 'ordered map';
  return typeof value;
}

/** A JSON-style object: not an array, nor a Set or Map (YAML's !!set and !!omap). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function decodeScalar(value: unknown, field: FieldInfo, path: string, out: FieldViolation[]): unknown {
  switch (field.type) {
    case 'TYPE_STRING':
      if (typeof value === 'string') return value;
      out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected string, got ${describe(value)}` });
      return undefined;
    case 'TYPE_BOOL':
      if (typeof value === 'boolean') return value;
      out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected boolean, got ${describe(value)}` });
      return undefined;
    case 'TYPE_INT32':
    case 'TYPE_INT64':
    case 'TYPE_UINT32':
    case 'TYPE_UINT64':
    case 'TYPE_SINT32':
    case 'TYPE_SINT64': {
      const is32 = field.type.endsWith('32');
      const ok =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        (!is32 || (value >= INT32_MIN && value <= INT32_MAX)) &&
        Number.isSafeInteger(value);
      if (ok) return value;
      out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected integer, got ${describe(value)}` });
      return undefined;
    }
    case 'TYPE_DOUBLE':
    case 'TYPE_FLOAT':
      if (typeof value === 'number') return value;
      out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected number, got ${describe(value)}` });
      return undefined;
    case 'TYPE_BYTES':
      if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0) return value;
      out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected base64-encoded data` });
      return undefined;
    default:
      out.push({ field: path, message: `unsupported field type ${field.type}` });
      return undefined;
  }
}

function decodeValue(value: unknown, field: FieldInfo, path: string, out: FieldViolation[]): unknown {
  if (field.messageType === INT_OR_STRING) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
      return { intVal: value };
    }
    if (typeof value === 'string') return { strVal: value };
    out.push({ field: path, message: `Invalid value: ${JSON.stringify(value)}: expected integer or string` });
    return undefined;
  }
  if (field.messageType) return decodeMessage(value, field.messageType, path, out);
  return decodeScalar(value, field, path, out);
}

function decodeField(value: unknown, field: FieldInfo, path: string, out: FieldViolation[]): unknown {
  if (field.mapValue) {
    if (!isPlainObject(value)) {
      out.push({ field: path, message: `Invalid value: expected map, got ${describe(value)}` });
      return undefined;
    }
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Assigning it would replace the object's prototype and lose the entry.
      if (k === '__proto__') {
        out.push({ field: `${path}[${k}]`, message: 'Invalid value: "__proto__": not allowed as a key' });
        continue;
      }
      const decoded = decodeValue(v, field.mapValue, `${path}[${k}]`, out);
      if (decoded !== undefined) result[k] = decoded;
    }
    return result;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) {
      out.push({ field: path, message: `Invalid value: expected array, got ${describe(value)}` });
      return undefined;
    }
    return value.map((item, i) => decodeValue(item, field, `${path}[${i}]`, out));
  }
  return decodeValue(value, field, path, out);
}

/** Checks a plain value against a proto message type and returns its canonical form. */
export function decodeMessage(value: unknown, messageType: string, path: string, out: FieldViolation[]): unknown {
  if (!isPlainObject(value)) {
    out.push({ field: path || '<root>', message: `Invalid value: expected object, got ${describe(value)}` });
    return undefined;
  }
  const info = messageInfo(messageType);
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const fieldPath = path ? `${path}.${key}` : key;
    const field = info.fields.get(key);
    if (!field) {
      out.push({ field: fieldPath, message: 'Unsupported value: unknown field' });
      continue;
    }
    // null means "unset", as in Kubernetes' JSON decoding.
    if (v === null) continue;
    const decoded = decodeField(v, field, fieldPath, out);
    if (decoded !== undefined) result[key] = decoded;
  }
  return result;
}

/**
 * Decodes one user-written object (parsed YAML or JSON) into its canonical form.
 * Throws InvalidError listing every unknown field, wrong type and missing apiVersion/kind.
 */
export function decodeObject(value: unknown, docLabel = ''): KubeObject {
  const prefix = docLabel ? `${docLabel}: ` : '';
  if (!isPlainObject(value)) {
    throw new InvalidError([{ field: '<root>', message: `expected an object, got ${describe(value)}` }], `${prefix}invalid`);
  }
  const violations: FieldViolation[] = [];
  const kind = value.kind;
  if (typeof kind !== 'string' || kind === '') violations.push({ field: 'kind', message: 'Required value' });
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') {
    violations.push({ field: 'apiVersion', message: 'Required value' });
  }
  if (violations.length) throw new InvalidError(violations, `${prefix}invalid`);
  const info = findKind(kind as string);
  if (!info || info.kind !== kind) {
    throw new InvalidError([{ field: 'kind', message: `Unsupported value: ${JSON.stringify(kind)}: no such kind` }], `${prefix}invalid`);
  }
  if (value.apiVersion !== info.apiVersion) {
    throw new InvalidError(
      [{ field: 'apiVersion', message: `Unsupported value: ${JSON.stringify(value.apiVersion)}: ${info.kind} is served as ${info.apiVersion}` }],
      `${prefix}invalid`,
    );
  }
  const decoded = decodeMessage(value, info.message, '', violations) as KubeObject;
  const name = decoded.metadata?.name;
  if (violations.length) throw new InvalidError(violations, `${prefix}${info.kind}${name ? ` "${name}"` : ''} is invalid`);
  return decoded;
}

function encodeValue(value: unknown, field: FieldInfo): unknown {
  if (field.messageType === INT_OR_STRING && isPlainObject(value)) {
    return typeof value.intVal === 'number' ? value.intVal : (value.strVal ?? '');
  }
  if (field.messageType) return encodeMessage(value, field.messageType);
  return value;
}

/** The user-facing (YAML/JSON) form of a canonical message: IntOrString back to plain values. */
export function encodeMessage(value: unknown, messageType: string): unknown {
  if (!isPlainObject(value)) return value;
  const info = messageInfo(messageType);
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = info.fields.get(key);
    if (!field || v === undefined) {
      if (v !== undefined) result[key] = v;
      continue;
    }
    if (field.mapValue) {
      const mapValue = field.mapValue;
      result[key] = isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x, mapValue)])) : v;
    } else if (field.repeated && Array.isArray(v)) {
      result[key] = v.map((x) => encodeValue(x, field));
    } else {
      result[key] = encodeValue(v, field);
    }
  }
  return result;
}

/** The user-facing form of a canonical object, for YAML/JSON output. */
export function encodeObject(obj: KubeObject): Record<string, unknown> {
  const info = obj.kind ? findKind(obj.kind) : undefined;
  if (!info) return obj;
  return encodeMessage(obj, info.message) as Record<string, unknown>;
}

/**
 * Parses one or more YAML (or JSON) documents. Empty documents are skipped. Throws
 * TooLargeError over MAX_MANIFEST_BYTES and InvalidError for syntax errors and alias bombs.
 */
export function parseManifestText(text: string): unknown[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_MANIFEST_BYTES) {
    throw new TooLargeError(`manifest is ${bytes} bytes; the limit is ${MAX_MANIFEST_BYTES} bytes (3 MiB)`);
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  list.forEach((doc, i) => {
    const first = doc.errors[0];
    if (first) {
      throw new InvalidError([{ field: `document[${i}]`, message: `YAML syntax error: ${first.message}` }], 'invalid manifest');
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new InvalidError([{ field: `document[${i}]`, message: `YAML rejected: ${message}` }], 'invalid manifest');
    }
    if (value === null || value === undefined) return;
    // A `kind: List` document carries its objects in `items`, as kubectl accepts.
    if (isPlainObject(value) && value.kind === 'List' && Array.isArray(value.items)) values.push(...(value.items as unknown[]));
    else values.push(value);
  });
  return values;
}
