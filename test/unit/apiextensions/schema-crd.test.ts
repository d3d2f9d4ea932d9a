// validateCRDSchema and nonStructuralErrors against kube-apiserver v1.34's answers: each schema was
// sent (dry-run) in a v1 CRD with one version, whose schema kube reports under
// spec.validation.openAPIV3Schema. Kube walks properties in Go map order, so lists compare as sets.

import { describe, expect, it } from 'vitest';
import { nonStructuralErrors, unrecognizedFormatWarnings, validateCRDSchema } from '../../../src/apiextensions/schema/index.js';
import type { JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

const BASE = 'spec.validation.openAPIV3Schema';
const P = `${BASE}.properties`;

function check(schema: unknown, opts: { statusEnabled?: boolean } = {}): string[] {
  return validateCRDSchema(schema as JSONSchemaProps, BASE, opts).map(fieldErrorString).sort();
}

describe('validateCRDSchema: kube-apiserver answers', () => {
  const cases: [string, unknown, string[]][] = [
    ['arrays need items; fields need a type',
      { type: 'object', properties: { spec: { properties: { a: { type: 'array' } } } } }, [
        `${P}[spec].properties[a].items: Required value: must be specified`,
        `${P}[spec].type: Required value: must not be empty for specified object fields`]],
    ['the root: no additionalProperties, string kind, implicit metadata',
      { type: 'object', additionalProperties: { type: 'string' }, properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } }, kind: { type: 'integer' } } }, [
        `${BASE}.additionalProperties: Forbidden: must not be used at the root`,
        `${P}[kind].type: Invalid value: "integer": must be string`,
        `${P}[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
        `${BASE}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
    ['junctors may not declare types (structural errors hide default checks)',
      { type: 'object', properties: { spec: { type: 'object', anyOf: [{ type: 'object', properties: { x: { type: 'string' } } }], properties: { y: { type: 'string', default: 5 } } } } }, [
        `${P}[spec].anyOf[0].properties[x].type: Forbidden: must be empty to be structural`,
        `${P}[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
    ['patterns, uniqueItems, list and map types',
      { type: 'object', properties: { spec: { type: 'object', uniqueItems: true, 'x-kubernetes-list-type': 'set', 'x-kubernetes-map-type': 'weird', properties: {
        l: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k', 'k'] },
        s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { a: { type: 'string' } } } },
        p: { type: 'string', pattern: '(a' } } } } }, [
        `${P}[spec].properties[p].pattern: Invalid value: "(a": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): \`(a\``,
        `${P}[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
        // (kube reports this one once per missing key: its message shows it once)
        `${P}[spec].properties[l].x-kubernetes-list-map-keys: Invalid value: ["k","k"]: entries must all be names of item properties`,
        `${P}[spec].properties[l].x-kubernetes-list-map-keys: Invalid value: ["k","k"]: entries must all be names of item properties`,
        `${P}[spec].properties[l].x-kubernetes-list-map-keys: Invalid value: ["k","k"]: must not contain duplicate entries`,
        `${P}[spec].properties[s].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set`,
        `${P}[spec].x-kubernetes-map-type: Unsupported value: "weird": supported values: "atomic", "granular"`,
        `${P}[spec].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`]],
    ['defaults: embedded type meta, metadata defaults as metadata, pruned defaults',
      { type: 'object', properties: { spec: { type: 'object', properties: {
        t: { type: 'object', 'x-kubernetes-embedded-resource': true, default: { kind: 'X', metadata: { name: 'UP' } }, properties: {
          metadata: { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string' }, default: { a: 'b c' } } } } } },
        d: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 1 } },
        f: { type: 'string', format: 'k8s-long-name' } } } } }, [
        `${P}[spec].properties[t].default.apiVersion: Required value`,
        `${P}[spec].properties[t].properties[metadata].properties[labels].default: Invalid value: {"a":"b c"}: must result in valid metadata: metadata.labels: Invalid value: "b c": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        `${P}[spec].properties[d].default: Invalid value: {"a":"x","b":1}: must not have unknown fields`]],
    ['defaults must validate against their schema',
      { type: 'object', properties: { spec: { type: 'object', properties: {
        a: { type: 'integer', default: 'x' }, b: { type: 'array', items: { type: 'string' }, default: [1] },
        c: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { q: 1 } }, d: { type: 'string', enum: ['a'], default: 'b' } } } } }, [
        `${P}[spec].properties[a].default: Invalid value: "string":  in body must be of type integer: "string"`,
        `${P}[spec].properties[b].default.[0]: Invalid value: "integer": [0] in body must be of type string: "integer"`,
        `${P}[spec].properties[d].default: Unsupported value: "b": supported values: "a"`]],
    ['property types, null type, preserve-unknown-fields false, map-list keys',
      { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false, properties: {
        n: { type: 'null' }, x: { type: 'strin' }, i: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true },
        m: { type: 'array', items: { type: 'object', properties: { k: { type: 'string', nullable: true } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'] } } } } }, [
        `${P}[spec].properties[m].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
        `${P}[spec].properties[m].items.properties[k].nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable`,
        `${P}[spec].properties[n].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
        `${P}[spec].properties[n].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
        `${P}[spec].properties[x].type: Unsupported value: "strin": supported values: "array", "boolean", "integer", "number", "object", "string"`,
        `${P}[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
    ['defaults forbidden in top-level meta and in metadata maps; no embedded resources in meta',
      { type: 'object', properties: { metadata: { type: 'object', default: { name: 'x' } }, kind: { type: 'string', default: 'K' },
        spec: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { metadata: { type: 'object', properties: {
          annotations: { type: 'object', additionalProperties: { type: 'string', default: 'v' } },
          x: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } } } } } }, [
        `${P}[metadata].default: Forbidden: must not be set in top-level metadata`,
        `${P}[kind].default: Forbidden: must not be set in top-level kind`,
        `${P}[spec].properties[metadata].properties[annotations].additionalProperties.default: Forbidden: must not be set inside additionalProperties applying to object metadata`,
        `${P}[spec].properties[metadata].properties[x].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta`]],
    ['embedded resources, int-or-string, the form of x-kubernetes-validations',
      { type: 'object', properties: { spec: { type: 'object', properties: {
        e: { type: 'object', 'x-kubernetes-embedded-resource': true },
        i: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true },
        j: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-embedded-resource': true, type: 'object', properties: { a: { type: 'string' } } },
        r: { type: 'string', 'x-kubernetes-validations': [{ rule: ' ' }, { rule: 'self.size() > 1', message: ' ' }, { rule: 'a\nb' },
          { rule: 'x', reason: 'Bad', fieldPath: ' ', messageExpression: ' ' }] } } } } }, [
        `${P}[spec].properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
        `${P}[spec].properties[i].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
        `${P}[spec].properties[j].x-kubernetes-embedded-resource: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
        `${P}[spec].properties[r].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
        `${P}[spec].properties[r].x-kubernetes-validations[1].message: Invalid value: " ": must be non-empty if specified`,
        `${P}[spec].properties[r].x-kubernetes-validations[2].message: Required value: message must be specified if rule contains line breaks`,
        `${P}[spec].properties[r].x-kubernetes-validations[3].messageExpression: Required value: messageExpression must be non-empty if specified`,
        `${P}[spec].properties[r].x-kubernetes-validations[3].reason: Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
        `${P}[spec].properties[r].x-kubernetes-validations[3].fieldPath: Invalid value: " ": must be non-empty if specified`,
        // kube also answers `...fieldPath: Invalid value: " ": must be a valid path` (cel.ValidFieldPath: the CEL side)
      ]],
    ['the root must be an object', { type: 'string' }, [`${BASE}.type: Invalid value: "string": must be object at the root`]],
    ['completeness of the root\'s junctors; no metadata in a nested context',
      { type: 'object', properties: { spec: { type: 'object', allOf: [{ properties: { metadata: { maxProperties: 1 }, zz: { minLength: 1 } } }] } },
        anyOf: [{ properties: { nope: { minLength: 1 } } }] }, [
        `${P}[nope]: Required value: because it is defined in ${BASE}.anyOf[0].properties[nope]`,
        `${P}[spec].allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`]],
  ];
  for (const [name, schema, want] of cases) {
    it(name, () => {
      expect(check(schema)).toEqual([...want].sort());
    });
  }

  it('the status subresource restricts the root (the schema shown as kube prints the Go struct)', () => {
    const schema = { type: 'object', nullable: true, properties: { status: { type: 'object' } }, anyOf: [{ required: ['status'] }], maxProperties: 3 };
    const errs = validateCRDSchema(schema as JSONSchemaProps, BASE, { statusEnabled: true }).map(fieldErrorString);
    expect(errs).toHaveLength(2);
    expect(errs[1]).toBe(`${BASE}.nullable: Forbidden: nullable cannot be true at the root`);
    expect(errs[0]).toMatch(/^spec\.validation\.openAPIV3Schema: Invalid value: \{"ID":"","Schema":"","Ref":null,"Description":"","Type":"object","Nullable":true,"Format":"".*"MaxProperties":3,.*"AnyOf":\[\{"ID":"".*"Required":\["status"\].*\}\],.*: only \[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/);
    expect(check({ type: 'array', items: { type: 'string' } }, { statusEnabled: true }))
      .toContain(`${BASE}.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`);
  });

  it('warns about formats kube does not check', () => {
    expect(unrecognizedFormatWarnings({ type: 'object', properties: { a: { type: 'string', format: 'k8s-short-name' }, b: { type: 'integer', format: 'int32' }, c: { type: 'string', format: 'date-time' } } }))
      .toEqual(['unrecognized format "k8s-short-name"']);
    // kube 1.34 said nothing of the formats of non-string schemas
    expect(unrecognizedFormatWarnings({ type: 'object', properties: { d: { type: 'integer', format: 'int8' }, e: { type: 'boolean', format: 'x' },
      i: { 'x-kubernetes-int-or-string': true, format: 'qqq' }, n: { format: 'nnn', 'x-kubernetes-preserve-unknown-fields': true },
      f: { type: 'array', items: { type: 'string', format: 'yyy' } } } })).toEqual(['unrecognized format "yyy"']);
  });
});

describe('nonStructuralErrors', () => {
  it('is empty for a structural schema', () => {
    expect(nonStructuralErrors({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }, BASE)).toEqual([]);
  });
  it('reports NewStructural\'s refusal at the schema path', () => {
    expect(nonStructuralErrors({ type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } }, BASE).map(fieldErrorString))
      .toEqual([`${BASE}: Invalid value: "": OpenAPIV3Schema '$ref' is not supported`]);
  });
  it('reports ValidateStructural\'s errors sorted by text', () => {
    expect(nonStructuralErrors({ type: 'object', properties: { z: {}, a: { type: 'array' } } }, 'spec.versions[0].schema.openAPIV3Schema').map(fieldErrorString)).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.properties[a].items: Required value: must be specified',
      'spec.versions[0].schema.openAPIV3Schema.properties[z].type: Required value: must not be empty for specified object fields',
    ]);
  });
  it('accepts int-or-string\'s own anyOf and allOf forms', () => {
    const ios = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    const ios2 = { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^a' }] };
    expect(nonStructuralErrors({ type: 'object', properties: { a: ios, b: ios2 } } as JSONSchemaProps, BASE)).toEqual([]);
  });
});
