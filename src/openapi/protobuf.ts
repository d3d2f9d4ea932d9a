// Protocol-buffer encoding of an OpenAPI v2 (swagger 2.0) JSON document as the gnostic
// openapi_v2.Document message (github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto), which
// is what kube-apiserver serves for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
// (handler.ToProtoBinary: gnostic ParseDocument + proto.Marshal).
//
// Why kplane needs it: kubectl 1.27-1.33 fetches /openapi/v2 only as protobuf (client-go
// DiscoveryClient.OpenAPISchema; JSON is not accepted and a 406 falls back to the long-gone
// /swagger-2.0.0.pb-v1). Most commands tolerate its absence (apply computes strategic merge patches
// from compiled-in types when it is missing), but client-side validation of `kind: List` documents
// (`kubectl apply/create -f list.yaml`, validation "strict" by default) always goes through the v2
// models and fails the command if they cannot be loaded; `kubectl explain --output
// plaintext-openapiv2` needs it too.
//
// Only the messages a swagger document produced by documents.ts contains are encoded; vendor
// extensions, defaults, enums and examples are `Any` values carrying YAML, as gnostic produces them.

import { goYAML } from './goyaml.js';

class Writer {
  private chunks: Buffer[] = [];
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;
  private total = 0;

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, 4096));
    }
  }

  private flush(): void {
    if (this.pos > 0) {
      this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
      this.pos = 0;
    }
  }

  get length(): number {
    return this.total;
  }

  private rawVarint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // int64 two's complement in 10 bytes
      let big = BigInt.asUintN(64, BigInt(v));
      while (big > 0x7fn) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        this.total++;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      this.total++;
      return;
    }
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      this.total++;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    this.total++;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  bytes(field: number, b: Buffer): void {
    this.tag(field, 2);
    this.rawVarint(b.length);
    this.flush();
    this.chunks.push(b);
    this.total += b.length;
  }

  /** proto3 string: omitted when empty unless `force` (oneof member / repeated element). */
  string(field: number, s: unknown, force = false): void {
    if (typeof s !== 'string' || (s === '' && !force)) return;
    this.bytes(field, Buffer.from(s, 'utf8'));
  }

  strings(field: number, list: unknown): void {
    if (!Array.isArray(list)) return;
    for (const s of list) this.string(field, String(s), true);
  }

  bool(field: number, b: unknown, force = false): void {
    if (b !== true && !(force && b === false)) return;
    this.tag(field, 0);
    this.rawVarint(b ? 1 : 0);
  }

  int64(field: number, n: unknown): void {
    if (typeof n !== 'number' || n === 0 || !Number.isFinite(n)) return;
    this.tag(field, 0);
    this.rawVarint(Math.trunc(n));
  }

  double(field: number, n: unknown): void {
    if (typeof n !== 'number' || n === 0) return;
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
    this.total += 8;
  }

  message(field: number, encode: (w: Writer) => void, force = false): void {
    const w = new Writer();
    encode(w);
    if (w.length === 0 && !force) return;
    this.bytes(field, w.finish());
  }

  finish(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.total);
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** gnostic Any: the value re-encoded as YAML (compiler.Marshal of the node). */
/**
 * gnostic's Named<X> lists (definitions, parameters, security, ...): a message at `field` holding
 * one {name = 1, value = 2} entry per object member.
 */
function namedList<T>(w: Writer, field: number, entries: [string, T][], value: (w: Writer, v: T) => void): void {
  w.message(field, (list) => {
    for (const [name, v] of entries) {
      list.message(1, (named) => {
        named.string(1, name, true);
        named.message(2, (x) => value(x, v), true);
      }, true);
    }
  }, true);
}

function objectEntries(o: Json): [string, Json][] {
  return Object.entries(o).filter((e): e is [string, Json] => isObject(e[1]));
}

function anyMessage(w: Writer, v: unknown): void {
  w.string(2, goYAML(v), true);
}

function vendorExtensions(w: Writer, field: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-')) continue;
    w.message(field, (n) => {
      n.string(1, k, true);
      n.message(2, (a) => anyMessage(a, v), true);
    }, true);
  }
}

function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  if (s.default !== undefined) w.message(5, (a) => anyMessage(a, s.default), true);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength);
  w.int64(12, s.minLength);
  w.string(13, s.pattern);
  w.int64(14, s.maxItems);
  w.int64(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int64(17, s.maxProperties);
  w.int64(18, s.minProperties);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => anyMessage(a, e), true);
  if (s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    w.message(21, (m) => {
      if (typeof ap === 'boolean') m.bool(2, ap, true);
      else if (isObject(ap)) m.message(1, (x) => schema(x, ap), true);
    }, true);
  }
  if (s.type !== undefined) w.message(22, (t) => t.strings(1, Array.isArray(s.type) ? s.type : [s.type]), true);
  if (s.items !== undefined) {
    const items = Array.isArray(s.items) ? s.items : [s.items];
    w.message(23, (m) => {
      for (const it of items) if (isObject(it)) m.message(1, (x) => schema(x, it), true);
    }, true);
  }
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) w.message(24, (x) => schema(x, a), true);
  if (isObject(s.properties)) {
    const props = s.properties;
    w.message(25, (m) => {
      for (const [name, p] of Object.entries(props)) {
        if (!isObject(p)) continue;
        m.message(1, (n) => {
          n.string(1, name, true);
          n.message(2, (x) => schema(x, p), true);
        }, true);
      }
    }, true);
  }
  w.string(26, s.discriminator);
  w.bool(27, s.readOnly);
  if (s.example !== undefined) w.message(30, (a) => anyMessage(a, s.example), true);
  vendorExtensions(w, 31, s);
}

/** Query/path/header parameter sub-schemas share their layout up to the numbering offset. */
function nonBodyParameter(w: Writer, p: Json): void {
  const where = p.in;
  if (where === 'query' || where === 'formData') {
    // Query: 1 required, 2 in, 3 description, 4 name, 5 allow_empty_value, 6 type, 7 format, ...,
    // 20 unique_items, 23 vendor_extension. FormData has the same numbering.
    w.message(where === 'query' ? 3 : 2, (m) => {
      m.bool(1, p.required);
      m.string(2, p.in);
      m.string(3, p.description);
      m.string(4, p.name);
      m.bool(5, p.allowEmptyValue);
      m.string(6, p.type);
      m.string(7, p.format);
      m.string(9, p.collectionFormat);
      if (p.default !== undefined) m.message(10, (a) => anyMessage(a, p.default), true);
      m.bool(20, p.uniqueItems);
      if (Array.isArray(p.enum)) for (const e of p.enum) m.message(21, (a) => anyMessage(a, e), true);
      vendorExtensions(m, 23, p);
    }, true);
  } else {
    // Header (1) and path (4): 1 required, 2 in, 3 description, 4 name, 5 type, 6 format, ...,
    // 19 unique_items, 20 enum, 22 vendor_extension.
    w.message(where === 'header' ? 1 : 4, (m) => {
      m.bool(1, p.required);
      m.string(2, p.in);
      m.string(3, p.description);
      m.string(4, p.name);
      m.string(5, p.type);
      m.string(6, p.format);
      m.string(8, p.collectionFormat);
      if (p.default !== undefined) m.message(9, (a) => anyMessage(a, p.default), true);
      m.bool(19, p.uniqueItems);
      if (Array.isArray(p.enum)) for (const e of p.enum) m.message(20, (a) => anyMessage(a, e), true);
      vendorExtensions(m, 22, p);
    }, true);
  }
}

function parametersItem(w: Writer, field: number, p: Json): void {
  w.message(field, (item) => {
    if (typeof p.$ref === 'string') {
      item.message(2, (r) => {
        r.string(1, p.$ref);
        r.string(2, p.description);
      }, true);
      return;
    }
    item.message(1, (param) => {
      if (p.in === 'body') {
        param.message(1, (b) => {
          b.string(1, p.description);
          b.string(2, p.name);
          b.string(3, p.in);
          b.bool(4, p.required);
          if (isObject(p.schema)) b.message(5, (x) => schema(x, p.schema as Json), true);
          vendorExtensions(b, 6, p);
        }, true);
      } else {
        param.message(2, (nb) => nonBodyParameter(nb, p), true);
      }
    }, true);
  }, true);
}

function operation(w: Writer, op: Json): void {
  w.strings(1, op.tags);
  w.string(2, op.summary);
  w.string(3, op.description);
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObject(p)) parametersItem(w, 8, p);
  if (isObject(op.responses)) {
    const responses = op.responses;
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(responses)) {
        if (code.startsWith('x-') || !isObject(r)) continue;
        rs.message(1, (named) => {
          named.string(1, code, true);
          named.message(2, (rv) => {
            if (typeof r.$ref === 'string') {
              rv.message(2, (ref) => ref.string(1, r.$ref), true);
              return;
            }
            rv.message(1, (resp) => {
              resp.string(1, r.description);
              if (isObject(r.schema)) resp.message(2, (si) => si.message(1, (x) => schema(x, r.schema as Json), true), true);
              vendorExtensions(resp, 5, r);
            }, true);
          }, true);
        }, true);
      }
      vendorExtensions(rs, 2, responses);
    }, true);
  }
  w.strings(10, op.schemes);
  w.bool(11, op.deprecated);
  vendorExtensions(w, 13, op);
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: Writer, item: Json): void {
  w.string(1, item.$ref);
  for (const [m, f] of METHODS) {
    const op = item[m];
    if (isObject(op)) w.message(f, (o) => operation(o, op), true);
  }
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) parametersItem(w, 9, p);
  vendorExtensions(w, 10, item);
}

/** Encodes a swagger 2.0 JSON document as a gnostic openapi_v2.Document protobuf message. */
export function encodeOpenAPIV2Protobuf(doc: Json): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isObject(doc.info)) {
    const info = doc.info;
    w.message(2, (i) => {
      i.string(1, info.title);
      i.string(2, info.version);
      i.string(3, info.description);
      i.string(4, info.termsOfService);
      vendorExtensions(i, 7, info);
    }, true);
  }
  w.string(3, doc.host);
  w.string(4, doc.basePath);
  w.strings(5, doc.schemes);
  w.strings(6, doc.consumes);
  w.strings(7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = doc.paths;
    w.message(8, (ps) => {
      vendorExtensions(ps, 1, paths);
      for (const [p, item] of Object.entries(paths)) {
        if (p.startsWith('x-') || !isObject(item)) continue;
        ps.message(2, (named) => {
          named.string(1, p, true);
          named.message(2, (x) => pathItem(x, item), true);
        }, true);
      }
    }, true);
  }
  if (isObject(doc.definitions)) {
    const defs = doc.definitions;
    namedList(w, 9, objectEntries(defs), schema);
  }
  if (isObject(doc.parameters)) {
    namedList(w, 10, objectEntries(doc.parameters), (param, p) => {
      if (p.in === 'body') {
        param.message(1, (b) => {
          b.string(1, p.description);
          b.string(2, p.name);
          b.string(3, p.in);
          b.bool(4, p.required);
          if (isObject(p.schema)) b.message(5, (x) => schema(x, p.schema as Json), true);
        }, true);
      } else {
        param.message(2, (nb) => nonBodyParameter(nb, p), true);
      }
    });
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (isObject(req)) namedList(w, 12, Object.entries(req), (arr, scopes) => arr.strings(1, scopes));
    }
  }
  if (isObject(doc.securityDefinitions)) {
    namedList(w, 13, objectEntries(doc.securityDefinitions), (item, def) => {
      if (def.type === 'apiKey') {
        item.message(2, (k) => {
          k.string(1, def.type);
          k.string(2, def.name);
          k.string(3, def.in);
          k.string(4, def.description);
          vendorExtensions(k, 5, def);
        }, true);
      } else if (def.type === 'basic') {
        item.message(1, (b) => {
          b.string(1, def.type);
          b.string(2, def.description);
          vendorExtensions(b, 3, def);
        }, true);
      }
    });
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
