// Compile errors in cel-go's display form (common.Errors.ToDisplayString):
//   ERROR: <input>:1:5: undefined field 'foo'
//    | self.foo == 1
//    | ....^
// Several errors are sorted by position and joined by newlines.

export interface Located {
  /** Offset in code points from the start of the expression. */
  offset: number;
  message: string;
}

export function displayIssues(source: string, issues: Located[]): string {
  const chars = [...source];
  const lines: string[] = [];
  let cur = '';
  const lineStarts = [0];
  chars.forEach((c, i) => {
    if (c === '\n') { lines.push(cur); cur = ''; lineStarts.push(i + 1); } else cur += c;
  });
  lines.push(cur);
  const sorted = [...issues].sort((a, b) => a.offset - b.offset);
  return sorted.map((is) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= is.offset) line++;
    const col = is.offset - lineStarts[line]! + 1;
    const text = lines[line] ?? '';
    // cel-go shows the source line only when it has a position within it
    const snippet = `\n | ${text}\n | ${'.'.repeat(Math.max(0, col - 1))}^`;
    return `ERROR: <input>:${line + 1}:${col}: ${is.message}${snippet}`;
  }).join('\n');
}
