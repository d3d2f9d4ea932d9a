// Numbers as Go sees and prints them in kube's schema messages. A custom resource decoded by kube
// holds int64 for integral JSON numbers and float64 for the rest; messages print int64 as digits
// and float64 with %v (strconv 'g', shortest: 1e+06, 2.0000005e+06, 0.5).

const INT64_LIMIT = 9223372036854775808; // 2^63

/** Whether kube's decoder would hold this JSON number as an int64 (else float64). */
export function isInt64(v: number): boolean {
  return Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT;
}

/** Go's fmt %v of a float64. */
export function goFormatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/** A JSON number as kube prints it in a message: int64 as digits, float64 with %v. */
export function goFormatNumber(v: number): string {
  return isInt64(v) ? String(v) : goFormatFloat(v);
}
