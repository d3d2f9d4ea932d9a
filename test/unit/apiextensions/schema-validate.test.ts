// compileSchema's validate/prune/applyDefaults against answers recorded from kube-apiserver v1.34:
// the CRD below was created on the real server and each object POSTed to it (kube orders errors
// of sibling fields at random, Go map order; kplane sorts them, so the comparison is as sets).

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSchema, MetadataCoercionError } from '../../../src/apiextensions/schema/index.js';
import type { JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

const schema = parse(`
type: object
properties:
  spec:
    type: object
    required: [must]
    properties:
      must: {type: string}
      replicas: {type: integer, format: int32, minimum: 1, maximum: 10}
      count: {type: integer}
      big: {type: integer, maximum: 1000000}
      ratio: {type: number, minimum: 0.5, maximum: 1000000, multipleOf: 0.5}
      mult: {type: integer, multipleOf: 3}
      name: {type: string, pattern: '^[a-z]+$', maxLength: 5, minLength: 2}
      color: {type: string, enum: [red, green]}
      num: {type: integer, enum: [1, 2]}
      when: {type: string, format: date-time}
      ip: {type: string, format: ipv4}
      short: {type: string, format: k8s-short-name}
      ios: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
      ios2: {x-kubernetes-int-or-string: true}
      tags: {type: array, items: {type: string}, x-kubernetes-list-type: set, maxItems: 3, minItems: 1}
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items: {type: object, required: [name], properties: {name: {type: string}, port: {type: integer}}}
      pairs:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [a, b]
        items: {type: object, required: [a, b], properties: {a: {type: string}, b: {type: integer}}}
      labels: {type: object, additionalProperties: {type: string}, maxProperties: 2, minProperties: 1}
      nul: {type: string, nullable: true}
      nonnul: {type: string}
      defaulted: {type: string, default: hello}
      obj: {type: object, properties: {a: {type: string}}}
      template:
        type: object
        x-kubernetes-embedded-resource: true
        x-kubernetes-preserve-unknown-fields: true
      tmpl2:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          spec: {type: object, properties: {x: {type: string}}}
      free: {type: object, x-kubernetes-preserve-unknown-fields: true}
  status:
    type: object
    properties:
      phase: {type: string}
`) as JSONSchemaProps;

const compiled = compileSchema(schema);

function widget(spec: unknown): Record<string, unknown> {
  return { apiVersion: 'h1.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec };
}

/** What kube does with a created object: decode (prune, coerce), default, validate. */
function create(spec: unknown): { errors: string[]; pruned: string[]; obj: Record<string, unknown> } {
  const obj = widget(spec);
  const pruned = compiled.prune(obj);
  compiled.applyDefaults(obj);
  return { errors: compiled.validate(obj).map(fieldErrorString), pruned, obj };
}

const sorted = (a: string[]) => [...a].sort();

describe('validate: kube-openapi messages, as kube-apiserver answered them', () => {
  const cases: [string, unknown, string[]][] = [
    ['integer given a string', { must: 'x', replicas: 'abc' },
      ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    ['integer given a fraction', { must: 'x', replicas: 1.5 },
      ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']],
    ['int32 beyond maximum, integer given a float', { must: 'x', replicas: 3000000000, count: 1.5 }, [
      'spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 10',
      'spec.count: Invalid value: "number": spec.count in body must be of type integer: "number"']],
    ['minimum, maximum, multipleOf (int and float bounds)', { must: 'x', replicas: 0, big: 2000000, ratio: 2000000.5, mult: 4 }, [
      'spec.big: Invalid value: 2000000: spec.big in body should be less than or equal to 1000000',
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.mult: Invalid value: 4: spec.mult in body should be a multiple of 3',
      // kube prints the float value with Go's %v (2.0000005e+06); kplane's field errors print it as JavaScript does
      'spec.ratio: Invalid value: 2000000.5: spec.ratio in body should be less than or equal to 1e+06']],
    ['multipleOf: an integral value meets the factor truncated to an integer, as Go does', { must: 'x', ratio: 2 },
      ['spec.ratio: Invalid value: 0: factor MultipleOf declared for spec.ratio must be positive: 0']],
    ['multipleOf of a float', { must: 'x', ratio: 2.25 }, ['spec.ratio: Invalid value: 2.25: spec.ratio in body should be a multiple of 0.5']],
    ['required', { replicas: 2 }, ['spec.must: Required value']],
    ['maxLength', { must: 'x', name: 'ABCDEFG' }, ['spec.name: Too long: may not be more than 5 bytes']],
    ['minLength', { must: 'x', name: 'A' }, ['spec.name: Invalid value: "A": spec.name in body should be at least 2 chars long']],
    ['pattern', { must: 'x', name: 'AB' }, ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]],
    ['enums of strings and numbers', { must: 'x', color: 'blue', num: 3 }, [
      'spec.color: Unsupported value: "blue": supported values: "red", "green"',
      'spec.num: Unsupported value: 3: supported values: "1", "2"']],
    ['formats (k8s-short-name is not checked at 1.33 compatibility)', { must: 'x', when: 'yesterday', ip: '1.2.3', short: 'UPPER' }, [
      'spec.ip: Invalid value: "1.2.3": spec.ip in body must be of type ipv4: "1.2.3"',
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']],
    ['a string format given a list passes', { must: 'x', when: [1, 2] }, []],
    ['format and type mismatches', { must: 'x', when: 5, ip: true, obj: 'str' }, [
      'spec.ip: Invalid value: "": spec.ip in body must be of type ipv4: ""',
      'spec.obj: Invalid value: "string": spec.obj in body must be of type object: "string"',
      'spec.when: Invalid value: "int64": spec.when in body must be of type date-time: "int64"']],
    ['int-or-string: its anyOf and the best failing branch', { must: 'x', ios: true, ios2: 1.5 }, [
      'spec.ios2: Invalid value: "number": spec.ios2 in body must be of type integer,string: "number"',
      'spec.ios: Invalid value: "boolean": spec.ios in body must be of type integer,string: "boolean"',
      '<nil>: Invalid value: "": "spec.ios" must validate at least one schema (anyOf)',
      'spec.ios: Invalid value: "boolean": spec.ios in body must be of type integer: "boolean"']],
    ['set duplicates and maxItems', { must: 'x', tags: ['a', 'a', 'b', 'b', 'a'] }, [
      'spec.tags: Too many: 5: must have at most 3 items',
      'spec.tags[1]: Duplicate value: "a"',
      'spec.tags[3]: Duplicate value: "b"']],
    ['minItems', { must: 'x', tags: [] }, ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']],
    ['map lists: a non-object item stops the key check; compound keys', {
      must: 'x', ports: [{ name: 'a' }, { name: 'a', port: 1 }, 'x'], pairs: [{ a: 'x', b: 1 }, { a: 'x', b: 1 }],
    }, [
      'spec.ports[2]: Invalid value: "string": spec.ports[2] in body must be of type object: "string"',
      'spec.ports[2]: Invalid value: "x": must be an object for an array of list-type map',
      'spec.pairs[1]: Duplicate value: {"a":"x","b":1}']],
    ['maxProperties, additionalProperties schema', { must: 'x', labels: { a: '1', b: '2', c: 3 } }, [
      'spec.labels: Too many: 3: must have at most 2 items',
      'spec.labels.c: Invalid value: "integer": spec.labels.c in body must be of type string: "integer"']],
    ['minProperties', { must: 'x', labels: {} }, ['spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties']],
    ['embedded resource: type meta required', { must: 'x', template: {} }, [
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value']],
    ['embedded resource: owner references checked as ObjectMeta', {
      must: 'x', template: { apiVersion: 'v1', kind: 'X', metadata: { name: 'ok', ownerReferences: [{ apiVersion: 'v1' }] } },
    }, [
      'spec.template.metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'spec.template.metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'spec.template.metadata.ownerReferences.uid: Invalid value: "": must not be empty']],
  ];
  for (const [name, spec, want] of cases) {
    it(name, () => {
      expect(sorted(create(spec).errors)).toEqual(sorted(want));
    });
  }

  it('a valid object is accepted, defaulted, and keeps its embedded metadata in ObjectMeta form', () => {
    const r = create({
      must: 'x',
      template: {
        apiVersion: 'v1', kind: 'X',
        metadata: {
          name: 'ok', ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'n', uid: 'u' }],
          creationTimestamp: '2020-01-01T10:00:00.5+02:00', generation: 3, finalizers: ['a/b'], uid: 'abc',
        },
      },
    });
    expect(r.errors).toEqual([]);
    // kube's stored answer
    expect(r.obj.spec).toEqual({
      defaulted: 'hello', must: 'x',
      template: {
        apiVersion: 'v1', kind: 'X',
        metadata: {
          creationTimestamp: '2020-01-01T08:00:00Z', finalizers: ['a/b'], generation: 3, name: 'ok',
          ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'n', uid: 'u' }], uid: 'abc',
        },
      },
    });
  });

  it('non-nullable nulls without a default are dropped, nullable ones kept', () => {
    const r = create({ must: 'x', nul: null, nonnul: null, obj: null });
    expect(r.errors).toEqual([]);
    expect(r.obj.spec).toEqual({ defaulted: 'hello', must: 'x', nul: null });
  });
});

describe('prune: unknown fields in kube order', () => {
  it('reports root metadata, then pruned fields sorted, then embedded metadata (kube -> fieldValidation=Warn)', () => {
    const obj = {
      apiVersion: 'h1.example.com/v1', kind: 'Widget', metadata: { generateName: 'w-', zzz: 1, labels: { a: 'b' } },
      spec: {
        must: 'x',
        template: { apiVersion: 'v1', kind: 'X', metadata: { name: 'ok', foo: 1, creationTimestamp: null, annotations: {}, ownerReferences: [{ bad: 1 }] }, extra: 1 },
        tmpl2: { apiVersion: 'v1', kind: 'X', metadata: { generateName: 'a', bar: 2 }, spec: { x: '1', y: 2 }, zz: 1 },
        unk: 1, obj: { a: '1', b: 2 }, ports: [{ name: 'a', q: 1 }],
      },
      status: { phase: 'x', u: 1 }, top: 1,
    };
    expect(compiled.prune(obj)).toEqual([
      'metadata.zzz', 'spec.obj.b', 'spec.ports[0].q', 'spec.tmpl2.spec.y', 'spec.tmpl2.zz', 'spec.unk', 'status.u', 'top',
      'spec.template.metadata.foo', 'spec.template.metadata.ownerReferences[0].bad', 'spec.tmpl2.metadata.bar',
    ]);
    // preserved below x-kubernetes-preserve-unknown-fields; ObjectMeta drops empty fields
    expect((obj.spec.template as Record<string, unknown>).extra).toBe(1);
    expect(obj.spec.template.metadata).toEqual({ name: 'ok', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] });
  });

  it('malformed embedded metadata fails the decode with kube\'s text, or is dropped when reading from storage', () => {
    const bad = () => widget({ must: 'x', template: { apiVersion: 'a/b/c', kind: 'a_b', metadata: { name: 'UPPER', labels: { a: 1 }, foo: 1 } } });
    let err: unknown;
    try {
      compiled.prune(bad());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MetadataCoercionError);
    expect((err as Error).message).toBe('spec.template.metadata: Invalid value: {"foo":1,"labels":{"a":1},"name":"UPPER"}: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string');
    expect(() => compiled.prune(widget({ must: 'x', template: { apiVersion: 5, kind: '' } })))
      .toThrow('spec.template.apiVersion: Invalid value: 5: must be a string');
    const stored = bad();
    expect(compiled.prune(stored, { dropInvalidMetadata: true })).toEqual(['spec.template.metadata.foo']);
    expect((stored.spec as { template: unknown }).template).toEqual({ apiVersion: 'a/b/c', kind: 'a_b', metadata: { name: 'UPPER' } });
  });

  it('validates embedded type meta like kube', () => {
    const obj = widget({ must: 'x', template: { apiVersion: 'a/b/c', kind: 'a_b', metadata: { name: 'UPPER', labels: { a: 'b/c' } } } });
    expect(compiled.validate(obj).map(fieldErrorString)).toEqual([
      'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      "spec.template.kind: Invalid value: \"a_b\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      "spec.template.metadata.labels: Invalid value: \"b/c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ]);
  });
});

describe('validateStatus and base paths', () => {
  it('validates status under "status" with names relative to it, as kube\'s status validator does', () => {
    expect(compiled.validateStatus(widget({ must: 'x' }) && { ...widget({}), status: { phase: 1 } }).map(fieldErrorString))
      .toEqual(['status.phase: Invalid value: "integer": phase in body must be of type string: "integer"']);
  });
  it('validate(obj, path) puts errors under path', () => {
    expect(compiled.validate({ spec: { must: 1 } }, 'x').map(fieldErrorString))
      .toEqual(['x.spec.must: Invalid value: "integer": spec.must in body must be of type string: "integer"']);
  });
});

describe('purity', () => {
  it('never changes the schema it was given and hands out independent defaults', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { a: { type: 'object', default: { x: [1] } } } };
    const before = JSON.stringify(s);
    const c = compileSchema(s);
    const o1: Record<string, { x: number[] }> = {};
    const o2: Record<string, { x: number[] }> = {};
    c.applyDefaults(o1);
    c.applyDefaults(o2);
    o1.a!.x.push(2);
    expect(o2.a).toEqual({ x: [1] });
    expect(JSON.stringify(s)).toBe(before);
    expect(Object.isFrozen(c.root)).toBe(true);
    expect(Object.isFrozen(c.schemaNode)).toBe(true);
    expect(c.root.source).not.toBe(s);
    expect(c.hasDefaults).toBe(true);
    expect(compileSchema({ type: 'object', properties: { a: { type: 'string' } } }).hasDefaults).toBe(false);
  });
  it('keeps a (deep-)frozen schema instead of a second copy', () => {
    const s = structuredClone(schema);
    const freeze = (x: unknown): void => {
      if (x && typeof x === 'object') { Object.freeze(x); Object.values(x).forEach(freeze); }
    };
    freeze(s);
    expect(compileSchema(s).root.source).toBe(s);
  });
});

describe('validateUpdate: ratcheting as kube-apiserver 1.34 does it', () => {
  // The object was stored, then the CRD got stricter (an enum, a maximum, maxLength 0 on set items
  // and on a map-list item field); each update below was then sent to kube.
  const stricter = structuredClone(schema);
  const spec = stricter.properties!.spec!.properties!;
  spec.obj!.properties!.a!.enum = ['a', 'b'];
  spec.count!.maximum = 1;
  (spec.pairs!.items as JSONSchemaProps).properties!.a!.maxLength = 0;
  (spec.tags!.items as JSONSchemaProps).maxLength = 0;
  const c = compileSchema(stricter);
  const stored = widget({ must: 'x', obj: { a: 'zzz' }, count: 5, tags: ['a'], pairs: [{ a: 'x', b: 1 }] });
  const update = (spec: Record<string, unknown>) => {
    const obj = structuredClone(stored);
    Object.assign(obj.spec as object, spec);
    return c.validateUpdate(obj, stored).map(fieldErrorString);
  };

  it('accepts an update that leaves the now-invalid values alone', () => {
    expect(update({ must: 'y' })).toEqual([]);
    // without ratcheting the same object is refused
    expect(c.validate(widget({ must: 'y', obj: { a: 'zzz' }, count: 5, tags: ['a'], pairs: [{ a: 'x', b: 1 }] })).length).toBe(4);
  });
  it('refuses a changed value; unchanged siblings stay ratcheted', () => {
    expect(update({ count: 6 })).toEqual(['spec.count: Invalid value: 6: spec.count in body should be less than or equal to 1']);
  });
  it('does not correlate the items of a set list', () => {
    expect(update({ tags: ['a', 'b'] })).toEqual(['spec.tags[0]: Too long: may not be more than 0 bytes', 'spec.tags[1]: Too long: may not be more than 0 bytes']);
  });
  it('correlates map-list items by their keys', () => {
    expect(update({ pairs: [{ a: 'x', b: 1 }, { a: 'y', b: 2 }] })).toEqual(['spec.pairs[1].a: Too long: may not be more than 0 bytes']);
  });
});

describe('prune: metadata decoded as Go decodes ObjectMeta (kube-apiserver answers, 400 "cannot be handled as")', () => {
  const times: [unknown, string][] = [
    ['', 'parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"'],
    ['2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
    ['2024-01-01T10:00:00', 'parsing time "2024-01-01T10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2024-01-01T10:00:00Zjunk', 'parsing time "2024-01-01T10:00:00Zjunk": extra text: "junk"'],
    ['2024-01-01 10:00:00Z', 'parsing time "2024-01-01 10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 10:00:00Z" as "T"'],
    ['2024-02-30T10:00:00Z', 'parsing time "2024-02-30T10:00:00Z": day out of range'],
    ['2024-01-01T25:00:00Z', 'parsing time "2024-01-01T25:00:00Z": hour out of range'],
    ['2024-01-01T10:00:00.123+0200', 'parsing time "2024-01-01T10:00:00.123+0200" as "2006-01-02T15:04:05Z07:00": cannot parse "+0200" as "Z07:00"'],
    [5, 'json: cannot unmarshal number into Go struct field ObjectMeta.creationTimestamp of type string'],
  ];
  for (const [t, want] of times) {
    it(`an embedded creationTimestamp ${JSON.stringify(t)}`, () => {
      const obj = widget({ must: 'x', template: { apiVersion: 'v1', kind: 'K', metadata: { creationTimestamp: t } } });
      expect(() => compiled.prune(obj)).toThrow(`spec.template.metadata: Invalid value: ${JSON.stringify({ creationTimestamp: t })}: ${want}`);
    });
  }
  it('keeps a valid time in UTC seconds', () => {
    const obj = widget({ must: 'x', template: { apiVersion: 'v1', kind: 'K', metadata: { creationTimestamp: '2024-01-01T1:00:00Z' } } });
    compiled.prune(obj);
    expect((obj.spec as { template: { metadata: unknown } }).template.metadata).toEqual({ creationTimestamp: '2024-01-01T01:00:00Z' });
  });
  it('words errors of the root metadata as Go\'s decoder alone', () => {
    const root = (metadata: unknown) => () => compiled.prune({ apiVersion: 'h1.example.com/v1', kind: 'Widget', metadata, spec: { must: 'x' } });
    expect(root({ name: 'a', labels: { a: 1 } })).toThrow(/^json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string$/);
    expect(root({ name: 'a', generation: 'x' })).toThrow(/^json: cannot unmarshal string into Go struct field ObjectMeta.generation of type int64$/);
    expect(root({ name: 'a', creationTimestamp: 'yesterday' })).toThrow(/^parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"$/);
    expect(root('str')).toThrow(/^json: cannot unmarshal string into Go value of type v1.ObjectMeta$/);
  });
});

describe('junctors and closed or open maps (kube-apiserver answers)', () => {
  const c = compileSchema({ type: 'object', properties: { spec: { type: 'object', properties: {
    closed: { type: 'object', additionalProperties: false }, apTrue: { type: 'object', additionalProperties: true },
    allof: { type: 'integer', allOf: [{ minimum: 3 }, { maximum: 1 }], not: { enum: [2] } },
    oneof: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: 'b$' }] } } } } });
  const run = (spec: unknown) => {
    const o = { apiVersion: 'h1.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec };
    const unknown = c.prune(o);
    return { errors: c.validate(o).map(fieldErrorString).sort(), unknown, spec: o.spec };
  };
  it('additionalProperties: false keeps the fields and refuses them; true keeps only their first level', () => {
    expect(run({ closed: { a: 1, b: { c: 1 } } }).errors).toEqual([
      'spec.closed: Invalid value: "a": spec.closed.a in body is a forbidden property',
      'spec.closed: Invalid value: "b": spec.closed.b in body is a forbidden property']);
    const r = run({ apTrue: { x: { y: 1 }, z: 2 } });
    expect(r.unknown).toEqual(['spec.apTrue.x.y']);
    expect(r.spec).toEqual({ apTrue: { x: {}, z: 2 } });
  });
  it('allOf, not and oneOf messages', () => {
    expect(run({ allof: 2, oneof: 'ab' }).errors).toEqual([
      '<nil>: Invalid value: "": "spec.oneof" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      'spec.allof: Invalid value: 2: spec.allof in body should be greater than or equal to 3',
      'spec.allof: Invalid value: 2: spec.allof in body should be less than or equal to 1',
      '<nil>: Invalid value: "": "spec.allof" must validate all the schemas (allOf). None validated',
      '<nil>: Invalid value: "": "spec.allof" must not validate the schema (not)'].sort());
    expect(run({ allof: 5, oneof: 'c' }).errors).toEqual([
      '<nil>: Invalid value: "": "spec.oneof" must validate one and only one schema (oneOf). Found none valid',
      "spec.oneof: Invalid value: \"c\": spec.oneof in body should match '^a'",
      'spec.allof: Invalid value: 5: spec.allof in body should be less than or equal to 1',
      '<nil>: Invalid value: "": "spec.allof" must validate all the schemas (allOf)'].sort());
  });
});

describe('validateStatusUpdate: ratcheting of the status subresource (kube-apiserver answers)', () => {
  const c = compileSchema({ type: 'object', properties: { status: { type: 'object', properties: { phase: { type: 'string', enum: ['a'] }, count: { type: 'integer' } } } } });
  const stored = { apiVersion: 'h1.example.com/v1', kind: 'Widget', metadata: { name: 'st' }, status: { phase: 'zzz', count: 1 } };
  it('accepts a status whose now-invalid phase did not change', () => {
    expect(c.validateStatusUpdate({ ...stored, status: { phase: 'zzz', count: 2 } }, stored)).toEqual([]);
    expect(c.validateStatus({ ...stored, status: { phase: 'zzz', count: 2 } }).map(fieldErrorString))
      .toEqual(['status.phase: Unsupported value: "zzz": supported values: "a"']);
  });
  it('refuses a changed phase', () => {
    expect(c.validateStatusUpdate({ ...stored, status: { phase: 'yyy', count: 1 } }, stored).map(fieldErrorString))
      .toEqual(['status.phase: Unsupported value: "yyy": supported values: "a"']);
  });
});
