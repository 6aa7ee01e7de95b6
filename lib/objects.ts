// Small helpers over canonical objects shared by every service.

/** Structural equality of JSON-shaped values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(ra[k], rb[k]));
}

/**
 * A deep copy equal to `JSON.parse(JSON.stringify(value))` (undefined fields dropped, -0 and
 * non-finite numbers as JSON has them), several times faster on the plain objects and arrays
 * that canonical objects are made of. Anything else inside (a Date, a Buffer, a class
 * instance) takes the JSON round trip itself, so the result is the same.
 */
export function jsonClone<T>(value: T): T {
  return copyJson(value) as T;
}

function copyJson(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v + 0 : null;
    case 'object':
      break;
    case 'bigint':
      // Throws the round trip's TypeError.
      return JSON.parse(JSON.stringify(v)) as unknown;
    default:
      // undefined, functions, symbols: dropped from objects, null in arrays.
      return undefined;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyJson(v[i]) ?? null;
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  const rec = v as Record<string, unknown>;
  if ((proto !== Object.prototype && proto !== null) || typeof rec.toJSON === 'function') return JSON.parse(JSON.stringify(v)) as unknown;
  const out: Record<string, unknown> = {};
  // for-in rather than Object.keys: no array per object copied.
  for (const k in rec) {
    if (!Object.prototype.hasOwnProperty.call(rec, k)) continue;
    const x = copyJson(rec[k]);
    if (x === undefined) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}
