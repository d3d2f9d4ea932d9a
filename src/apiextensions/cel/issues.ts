// Compile errors in cel-go's display form (common.Errors.ToDisplayString):
//   ERROR: <input>:1:5: undefined field 'foo'
//    | self.foo == 1
//    | ....^
// sorted by position, at most 100 (then "N more errors were truncated"), the snippet's tabs as
// blanks, full-width dots and caret under wide characters, no snippet for errors without a
// position (-1:0) or for lines over 16 KiB.

export interface Located {
  /** Offset in code points from the start of the expression; -1 for no position. */
  offset: number;
  message: string;
}

const MAX_ERRORS = 100;
const MAX_SNIPPET_BYTES = 16384;

export function displayIssues(source: string, issues: Located[]): string {
  const chars = [...source];
  const lineStarts = [0];
  chars.forEach((c, i) => { if (c === '\n') lineStarts.push(i + 1); });
  const where = (offset: number): [number, number] => {
    if (offset < 0) return [-1, -1];
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return [line + 1, offset - lineStarts[line]!];
  };
  const located = issues.map((is) => ({ ...is, at: where(is.offset) }))
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]);
  const out = located.slice(0, MAX_ERRORS).map(({ message, at: [line, col] }) => {
    let s = `ERROR: <input>:${line}:${col + 1}: ${message}`;
    if (line < 1) return s;
    const start = lineStarts[line - 1]!;
    const end = line < lineStarts.length ? lineStarts[line]! - 1 : chars.length;
    const text = chars.slice(start, end);
    if (Buffer.byteLength(text.join('')) > MAX_SNIPPET_BYTES) return s;
    const wide = (c: string | undefined) => c !== undefined && c.codePointAt(0)! > 0x7f;
    const dots = text.slice(0, col).map((c) => (wide(c) ? '\uff0e' : '.')).join('');
    s += `\n | ${text.join('').replace(/\t/g, ' ')}\n | ${dots}${wide(text[col]) ? '\uff3e' : '^'}`;
    return s;
  });
  if (located.length > MAX_ERRORS) out.push(`${located.length - MAX_ERRORS} more errors were truncated`);
  return out.join('\n');
}
