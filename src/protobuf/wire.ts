// Protocol-buffer wire primitives: a writer that builds messages bottom-up (children are encoded
// first, then length-prefixed into their parent) and a bounds-checked reader whose errors carry the
// texts gogo-protobuf's generated Unmarshal methods return (kube-apiserver puts them into its 400s).

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** A malformed protobuf message; `message` is what Go's decoder would have said. */
export class WireError extends Error {
  override name = 'WireError';
}

export const ERR_UNEXPECTED_EOF = 'unexpected EOF';
export const ERR_INT_OVERFLOW = 'proto: integer overflow';
export const ERR_INVALID_LENGTH = 'proto: negative length found during unmarshaling';
export const ERR_END_OF_GROUP = 'proto: unexpected end of group';

const TWO_32 = 4294967296;

/** Appends protobuf-encoded fields; `finish()` concatenates them. */
export class Writer {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private size = 0;

  get length(): number {
    return this.size + this.scratch.length;
  }

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.size += this.scratch.length;
      this.scratch = [];
    }
  }

  /** An unsigned varint of a non-negative safe integer, or a negative one as its 64-bit two's complement. */
  varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
      while (v >= 0x80) {
        this.scratch.push((v % 128) | 0x80);
        v = Math.floor(v / 128);
      }
      this.scratch.push(v);
      return;
    }
    let big = BigInt.asUintN(64, BigInt(v));
    while (big >= 0x80n) {
      this.scratch.push(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    this.scratch.push(Number(big));
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A length-delimited field holding `bytes`. */
  bytes(field: number, bytes: Uint8Array): void {
    this.tag(field, WIRE_BYTES);
    this.varint(bytes.length);
    if (bytes.length) {
      this.flushScratch();
      this.chunks.push(bytes);
      this.size += bytes.length;
    }
  }

  string(field: number, s: string): void {
    this.bytes(field, Buffer.from(s, 'utf8'));
  }

  /** A varint field (int32/int64/bool: negative numbers take ten bytes, as Go writes them). */
  varintField(field: number, v: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
  }

  finish(): Buffer {
    this.flushScratch();
    return Buffer.concat(this.chunks, this.size);
  }
}

/** A decoded varint as two 32-bit halves (what any integer field type needs). */
export interface Varint64 {
  lo: number; // unsigned low 32 bits
  hi: number; // unsigned high 32 bits
}

export function varintToInt64(v: Varint64): number {
  // Signed 64-bit as a JS number (exact up to 2^53).
  if (v.hi & 0x80000000) {
    const big = BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo));
    return Number(big);
  }
  return v.hi * TWO_32 + v.lo;
}

export function varintToInt32(v: Varint64): number {
  return v.lo | 0;
}

/** One field as read off the wire. */
export type RawField =
  | { no: number; wireType: typeof WIRE_VARINT; value: Varint64 }
  | { no: number; wireType: typeof WIRE_BYTES; value: Uint8Array }
  | { no: number; wireType: typeof WIRE_FIXED64 | typeof WIRE_FIXED32 | typeof WIRE_START_GROUP; value: null };

/** Reads the fields of one message in order. */
export class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly messageName = 'message') {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): Varint64 {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift >= 64) throw new WireError(ERR_INT_OVERFLOW);
      if (this.pos >= this.buf.length) throw new WireError(ERR_UNEXPECTED_EOF);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo += bits * 2 ** shift;
      else if (shift === 28) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >> 4;
      } else hi = (hi + bits * 2 ** (shift - 32)) % TWO_32;
      if (b < 0x80) break;
    }
    return { lo: lo >>> 0, hi: hi >>> 0 };
  }

  /** A length (of a string, bytes or submessage) followed by that many bytes. */
  lengthDelimited(): Uint8Array {
    const v = this.varint();
    // Go converts the uint64 to int: anything past 2^63 is negative; anything past the buffer is EOF.
    if (v.hi & 0x80000000) throw new WireError(ERR_INVALID_LENGTH);
    const n = v.hi * TWO_32 + v.lo;
    if (this.pos + n > this.buf.length) throw new WireError(ERR_UNEXPECTED_EOF);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next field; values of wire types the tables never use are skipped (null). */
  field(): RawField {
    const key = this.varint();
    const wireType = key.lo & 7;
    const no = Math.floor(varintToUint(key) / 8);
    if (wireType === WIRE_END_GROUP) {
      throw new WireError(`proto: ${this.messageName}: wiretype end group for non-group`);
    }
    if (no <= 0 || no > 0x7fffffff) {
      // Go prints the field number as int32 and the whole key as "wire type".
      const fieldNum = Number(BigInt.asIntN(32, BigInt(varintToUint(key)) >> 3n));
      throw new WireError(`proto: ${this.messageName}: illegal tag ${fieldNum} (wire type ${varintToUint(key)})`);
    }
    switch (wireType) {
      case WIRE_VARINT:
        return { no, wireType, value: this.varint() };
      case WIRE_BYTES:
        return { no, wireType, value: this.lengthDelimited() };
      case WIRE_FIXED64:
        this.skip(8);
        return { no, wireType, value: null };
      case WIRE_FIXED32:
        this.skip(4);
        return { no, wireType, value: null };
      case WIRE_START_GROUP:
        this.skipGroup();
        return { no, wireType, value: null };
      default:
        throw new WireError(`proto: illegal wireType ${wireType}`);
    }
  }

  private skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new WireError(ERR_UNEXPECTED_EOF);
    this.pos += n;
  }

  /** Skips up to the matching end-group tag (nested groups included). */
  private skipGroup(): void {
    let depth = 1;
    while (depth > 0) {
      if (this.pos >= this.buf.length) throw new WireError(ERR_UNEXPECTED_EOF);
      const key = this.varint();
      switch (key.lo & 7) {
        case WIRE_VARINT: this.varint(); break;
        case WIRE_FIXED64: this.skip(8); break;
        case WIRE_BYTES: this.lengthDelimited(); break;
        case WIRE_START_GROUP: depth++; break;
        case WIRE_END_GROUP: depth--; break;
        case WIRE_FIXED32: this.skip(4); break;
        default: throw new WireError(`proto: illegal wireType ${key.lo & 7}`);
      }
    }
  }
}

function varintToUint(v: Varint64): number {
  return v.hi * TWO_32 + v.lo;
}

/** Length-prefixes a frame as kube's LengthDelimitedFramer does (4-byte big-endian length). */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/**
 * Splits complete length-delimited frames off the front of `buf`; `rest` is an incomplete tail
 * to prepend to the next chunk of the stream.
 */
export function splitFrames(buf: Uint8Array): { frames: Buffer[]; rest: Buffer } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const frames: Buffer[] = [];
  let pos = 0;
  while (b.length - pos >= 4) {
    const n = b.readUInt32BE(pos);
    if (b.length - pos - 4 < n) break;
    frames.push(b.subarray(pos + 4, pos + 4 + n));
    pos += 4 + n;
  }
  return { frames, rest: b.subarray(pos) };
}
