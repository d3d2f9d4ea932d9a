// Go's formatting of strings in messages (strconv.Quote, unicode.IsPrint): kube's error texts are
// printed by Go, so kplane quotes values exactly as Go would.

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's unicode.IsPrint for one code point. */
export function goIsPrint(ch: string): boolean {
  return printable.test(ch);
}

/** Go's strconv.Quote (what %q prints): printable runes kept, the rest escaped Go-style. */
export function goQuote(s: string): string {
  // (one pass of the regex engine: values can be megabytes long)
  return `"${s.replace(NOT_PLAIN, quoteRune)}"`;
}

/** Everything but printable ASCII other than '"' and '\\' (lone surrogates match one by one). */
const NOT_PLAIN = /[^\x20\x21\x23-\x5b\x5d-\x7e]/gu;

function quoteRune(ch: string): string {
  switch (ch) {
    case '"': return '\\"';
    case '\\': return '\\\\';
    case '\x07': return '\\a';
    case '\b': return '\\b';
    case '\f': return '\\f';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    case '\v': return '\\v';
  }
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return '\ufffd'; // lone surrogate: Go decoded it as U+FFFD
  if (goIsPrint(ch)) return ch;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** utf8.RuneCountInString: code points (a lone surrogate is one U+FFFD). */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}
