// The syntax error Go's encoding/json reports for a malformed document. kube-apiserver passes
// these texts through to clients ("json parse error: invalid character 'x' looking for beginning
// of value"), so kplane reproduces them. The scanner walks UTF-8 bytes, as Go's does.

function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  // strconv.Quote of the byte taken as a rune
  const s = JSON.stringify(String.fromCharCode(c));
  let inner = s.slice(1, -1);
  if (c === 0x7f) inner = '\\x7f';
  else if (c < 0x20) {
    const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };
    inner = named[c] ?? `\\x${c.toString(16).padStart(2, '0')}`;
  } else if (c >= 0x80 && c < 0xa0) inner = `\\u${c.toString(16).padStart(4, '0')}`;
  else if (c === 0xa0 || c === 0xad) inner = `\\u00${c.toString(16)}`;
  return `'${inner}'`;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

class Fail {
  constructor(readonly message: string) {}
}

/** Go's message for why `text` is not valid JSON, or "" when it is valid. */
export function goJsonSyntaxError(text: string): string {
  const b = Buffer.from(text, 'utf8');
  let i = 0;
  const eof = () => new Fail('unexpected end of JSON input');
  const bad = (context: string) => new Fail(`invalid character ${quoteChar(b[i]!)} ${context}`);
  const skip = () => {
    while (i < b.length && isSpace(b[i]!)) i++;
  };
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= b.length) throw eof();
      if (b[i] !== word.charCodeAt(k)) throw bad(`in literal ${word} (expecting '${word[k]}')`);
    }
    i++;
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= b.length) throw eof();
      const c = b[i]!;
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        i++;
        if (i >= b.length) throw eof();
        const e = b[i]!;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= b.length) throw eof();
            if (!isHex(b[i]!)) throw bad('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          throw bad('in string escape code');
        }
        i++;
        continue;
      }
      if (c < 0x20) throw bad('in string literal');
      i++;
    }
  };
  const num = () => {
    if (b[i] === 0x2d) {
      i++;
      if (i >= b.length) throw eof();
      if (!isDigit(b[i]!)) throw bad('in numeric literal');
    }
    if (b[i] === 0x30) i++;
    else while (i < b.length && isDigit(b[i]!)) i++;
    if (b[i] === 0x2e) {
      i++;
      if (i >= b.length) throw eof();
      if (!isDigit(b[i]!)) throw bad('after decimal point in numeric literal');
      while (i < b.length && isDigit(b[i]!)) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (i >= b.length) throw eof();
      if (!isDigit(b[i]!)) throw bad('in exponent of numeric literal');
      while (i < b.length && isDigit(b[i]!)) i++;
    }
  };
  const value = (): void => {
    skip();
    if (i >= b.length) throw eof();
    const c = b[i]!;
    if (c === 0x7b) {
      i++;
      skip();
      if (i >= b.length) throw eof();
      if (b[i] === 0x7d) {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (i >= b.length) throw eof();
        if (b[i] !== 0x22) throw bad('looking for beginning of object key string');
        str();
        skip();
        if (i >= b.length) throw eof();
        if (b[i] !== 0x3a) throw bad('after object key');
        i++;
        value();
        skip();
        if (i >= b.length) throw eof();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x7d) {
          i++;
          return;
        }
        throw bad('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      skip();
      if (i >= b.length) throw eof();
      if (b[i] === 0x5d) {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (i >= b.length) throw eof();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x5d) {
          i++;
          return;
        }
        throw bad('after array element');
      }
    }
    if (c === 0x22) return str();
    if (c === 0x2d || isDigit(c)) return num();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    throw bad('looking for beginning of value');
  };
  try {
    value();
    skip();
    if (i < b.length) throw bad('after top-level value');
    return '';
  } catch (e) {
    if (e instanceof Fail) return e.message;
    throw e;
  }
}
