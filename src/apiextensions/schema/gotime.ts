// Go's time.Parse(time.RFC3339, s) as metav1.Time decodes a timestamp: the instant, or the exact
// ParseError text kube puts in its answer (`parsing time "x" as "2006-01-02T15:04:05Z07:00":
// cannot parse "x" as "2006"`, `parsing time "2024-13-01T00:00:00Z": month out of range`).

import { goQuote } from '../../apimachinery/gofmt.js';

const LAYOUT = '2006-01-02T15:04:05Z07:00';

export type GoTime = { ms: number } | { error: string };

const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** The layout's elements and literals, in order (each is what "cannot parse ... as" names). */
const ELEMENTS = ['2006', '-', '01', '-', '02', 'T', '15', ':', '04', ':', '05', 'Z07:00'];

export function parseRFC3339(value: string): GoTime {
  const fail = (rest: string, elem: string): GoTime => ({
    error: `parsing time ${goQuote(value)} as ${goQuote(LAYOUT)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`,
  });
  const range = (what: string): GoTime => ({ error: `parsing time ${goQuote(value)}: ${what} out of range` });
  let v = value;
  const n: Record<string, number> = {};
  let offsetMin = 0;
  for (const kind of ELEMENTS) {
    switch (kind) {
      case '-': case 'T': case ':':
        if (!v.startsWith(kind)) return fail(v, kind);
        v = v.slice(1);
        break;
      case '2006':
        if (v.length < 4 || ![0, 1, 2, 3].every((i) => isDigit(v, i))) return fail(v, '2006');
        n.year = Number(v.slice(0, 4));
        v = v.slice(4);
        break;
      case '01': case '02': case '04': case '05': {
        if (!isDigit(v, 0) || !isDigit(v, 1)) return fail(v, kind);
        n[kind] = Number(v.slice(0, 2));
        v = v.slice(2);
        if (kind === '05' && v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigit(v, 1)) {
          let i = 1;
          while (isDigit(v, i)) i++;
          v = v.slice(i);
        }
        break;
      }
      case '15': {
        if (!isDigit(v, 0)) return fail(v, '15');
        const two = isDigit(v, 1);
        n.hour = Number(v.slice(0, two ? 2 : 1));
        v = v.slice(two ? 2 : 1);
        break;
      }
      case 'Z07:00':
        if (v.startsWith('Z')) {
          v = v.slice(1);
          break;
        }
        if (v.length < 6 || (v[0] !== '+' && v[0] !== '-') || v[3] !== ':' || ![1, 2, 4, 5].every((i) => isDigit(v, i))) return fail(v, 'Z07:00');
        offsetMin = (v[0] === '-' ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(4, 6)));
        v = v.slice(6);
        break;
    }
  }
  if (v.length > 0) return { error: `parsing time ${goQuote(value)}: extra text: ${goQuote(v)}` };
  const month = n['01']!, day = n['02']!, hour = n.hour!, min = n['04']!, sec = n['05']!;
  if (month < 1 || month > 12) return range('month');
  if (hour >= 24) return range('hour');
  if (min >= 60) return range('minute');
  if (sec >= 60) return range('second');
  const leap = (n.year! % 4 === 0 && n.year! % 100 !== 0) || n.year! % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day < 1 || day > days) return range('day');
  const ms = Date.UTC(n.year!, month - 1, day, hour, min, sec) - offsetMin * 60000;
  return { ms };
}

/** A metav1.Time as kube writes it back: UTC, second precision. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
