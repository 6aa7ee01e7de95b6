// Kubernetes resource quantities ("500m", "0.5", "128Mi", "1G", "1e3") as plain numbers.
//
// The value is in base units: CPU in cores (a float: "500m" is 0.5), memory and storage in
// bytes. A JS number is exact enough for scheduling and for comparing requests with limits;
// nothing here round-trips a quantity back to its canonical string form.

// Decimal SI suffixes as powers of ten; binary SI suffixes as powers of two.
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

// sign, integer digits, fraction digits, then either a decimal exponent (e3, E-2) or a suffix.
// The exponent branch is tried first, so "1E" is one exa while "1E3" is a thousand.
const QUANTITY = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/**
 * Parses a quantity into base units; undefined if the string is not a quantity (or its
 * value is not a finite number). Negative quantities parse; rejecting them is the caller's
 * business, as in Kubernetes.
 */
export function parseQuantity(s: string): number | undefined {
  const m = QUANTITY.exec(s);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent, suffix = ''] = m;
  if (whole.length + fraction.length === 0) return undefined;
  const mantissa = Number(whole + fraction);
  // Dividing by a power of ten (rather than multiplying by 0.001) keeps "100m" === "0.1".
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (exponent !== undefined) exp10 += Number(exponent);
  else if (suffix in BINARY) exp2 = BINARY[suffix]!;
  else exp10 += DECIMAL[suffix]!;
  let value = exp10 >= 0 ? mantissa * 10 ** exp10 : mantissa / 10 ** -exp10;
  value *= 2 ** exp2;
  if (!Number.isFinite(value)) return undefined;
  return sign === '-' && value !== 0 ? -value : value;
}
