// Warning response headers as kube-apiserver sends them, and header values on the wire as Go's
// net/http writes them.
//
// kube's warning recorder (k8s.io/apiserver/pkg/endpoints/filters/warning.go) drops empty and
// repeated texts and keeps a budget of 4096 runes of text: the warning that would exceed it turns
// truncation on, every warning (those already recorded too) is then cut to 256 runes, and once the
// budget is spent again later warnings are dropped. Each header is net.NewWarningHeader's
// `299 - "text"`: only `"` and `\` are escaped, a text with a control character is not sent at all.
// Go writes header bytes as they are, so a UTF-8 text reaches the client as UTF-8 bytes; Node
// writes header strings as Latin-1, so a value is handed to it as the string of its UTF-8 bytes.

import { runeCount } from '../apimachinery/gofmt.js';

export const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
export const TRUNCATE_ITEM_RUNES = 256;

/** unicode.IsControl: C0, DEL and C1 (Go counts only Latin-1 code points as control characters). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** net.NewWarningHeader(299, "-", text), or undefined where it refuses the text. */
export function newWarningHeader(text: string): string | undefined {
  if (CONTROL.test(text)) return undefined;
  return `299 - "${text.replace(/["\\]/g, '\\$&')}"`;
}

/** string([]rune(s)[:max]): the first max code points. */
function truncateRunes(s: string, max: number): string {
  let i = 0;
  for (let n = 0; n < max && i < s.length; n++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

function truncated(text: string): { text: string; runes: number } {
  const runes = runeCount(text);
  return runes > TRUNCATE_ITEM_RUNES ? { text: truncateRunes(text, TRUNCATE_ITEM_RUNES), runes: TRUNCATE_ITEM_RUNES } : { text, runes };
}

/** The Warning header values kube's recorder ends up with after AddWarning of each text in order. */
export function recordWarnings(texts: readonly string[]): string[] {
  const recorded = new Set<string>();
  const ordered: string[] = [];
  let headers: string[] = [];
  let written = 0;
  let truncating = false;
  for (const original of texts) {
    if (original.length === 0) continue;
    // once truncating with the budget spent, every later warning is dropped
    if (truncating && written >= TRUNCATE_AT_TOTAL_RUNES) break;
    if (recorded.has(original)) continue;
    recorded.add(original);
    ordered.push(original);
    const item = truncating ? truncated(original) : { text: original, runes: runeCount(original) };
    const header = newWarningHeader(item.text);
    if (header === undefined) continue;
    if (truncating || written + item.runes <= TRUNCATE_AT_TOTAL_RUNES) {
      written += item.runes;
      headers.push(header);
      continue;
    }
    // over the budget: start truncating and replay everything recorded so far, truncated
    truncating = true;
    written = 0;
    headers = [];
    for (const w of ordered) {
      const t = truncated(w);
      const h = newWarningHeader(t.text);
      if (h === undefined) continue;
      written += t.runes;
      headers.push(h);
    }
  }
  return headers.map(wireHeaderValue);
}

/**
 * A header value as Go's net/http puts it on the wire (CR and LF become spaces, surrounding
 * whitespace is trimmed, other bytes go out as they are), in the form Node writes byte for byte:
 * one Latin-1 character per UTF-8 byte. Node refuses the remaining C0 controls and DEL, which
 * Go would send raw; they become spaces, so that setting a header can never fail.
 */
export function wireHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  let v = value.replace(/[\r\n]/g, ' ').replace(/^[ \t]+|[ \t]+$/g, '');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(v)) v = v.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
  // (pure ASCII needs no conversion; anything else leaves as its UTF-8 bytes, lone surrogates as U+FFFD)
  return /^[\u0000-\u007f]*$/.test(v) ? v : Buffer.from(v, 'utf8').toString('latin1');
}
