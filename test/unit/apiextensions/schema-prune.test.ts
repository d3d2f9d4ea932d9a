// Pruning and defaulting as kube-apiserver v1.34 did them: each spec was POSTed (dry-run,
// fieldValidation=Warn) as a custom resource of the CRD below; `out` is the spec kube answered (or
// its error message), `unknown` the fields its warnings named.

import { describe, expect, it } from 'vitest';
import { compileSchema } from '../../../src/apiextensions/schema/index.js';
import type { JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';

const schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"anyMap": {"type": "object", "additionalProperties": true}, "strMap": {"type": "object", "additionalProperties": {"type": "object", "properties": {"x": {"type": "string", "default": "dx"}}}}, "keep": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"known": {"type": "object", "properties": {"a": {"type": "string"}}}}}, "list": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer", "default": 7}, "s": {"type": "string"}}}}, "nlist": {"type": "array", "items": {"type": "object", "nullable": true, "properties": {"n": {"type": "integer", "default": 7}}}}, "dl": {"type": "array", "items": {"type": "string", "default": "item"}}, "emb": {"type": "array", "items": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {"spec": {"type": "object", "properties": {"r": {"type": "integer", "default": 1}}}}}}, "obj": {"type": "object", "default": {}, "properties": {"inner": {"type": "string", "default": "i"}, "deep": {"type": "object", "properties": {"z": {"type": "integer", "default": 3}}}}}, "nullDef": {"type": "string", "default": "nd"}, "nullableDef": {"type": "string", "nullable": true, "default": "nn"}}}}} as JSONSchemaProps;

const kube: { spec: Record<string, unknown>; out: unknown; unknown: string[] }[] = [
  {"spec": {"anyMap": {"a": 1, "b": {"c": 2}, "d": [{"e": 1}]}}, "out": {"anyMap": {"a": 1, "b": {}, "d": [{}]}, "nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": ["spec.anyMap.b.c", "spec.anyMap.d[0].e"]},
  {"spec": {"strMap": {"k1": {}, "k2": {"x": "given", "y": 1}, "k3": null}}, "out": {"nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}, "strMap": {"k1": {"x": "dx"}, "k2": {"x": "given"}}}, "unknown": ["spec.strMap.k2.y"]},
  {"spec": {"keep": {"other": {"q": 1}, "known": {"a": "1", "b": 2}}}, "out": {"keep": {"known": {"a": "1"}, "other": {"q": 1}}, "nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": ["spec.keep.known.b"]},
  {"spec": {"list": [{}, {"n": 1, "s": "s", "u": 1}, null]}, "out": "Pd.h1.example.com \"x\" is invalid: spec.list[2]: Invalid value: \"null\": spec.list[2] in body must be of type object: \"null\"", "unknown": ["spec.list[1].u"]},
  {"spec": {"nlist": [null, {}]}, "out": {"nlist": [null, {"n": 7}], "nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": []},
  {"spec": {"dl": [null, "a"]}, "out": {"dl": ["item", "a"], "nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": []},
  {"spec": {"emb": [{"apiVersion": "v1", "kind": "K", "metadata": {"name": "n", "x": 1}, "spec": {}, "extra": 1}]}, "out": {"emb": [{"apiVersion": "v1", "kind": "K", "metadata": {"name": "n"}, "spec": {"r": 1}}], "nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": ["spec.emb[0].extra", "spec.emb[0].metadata.x"]},
  {"spec": {}, "out": {"nullDef": "nd", "nullableDef": "nn", "obj": {"inner": "i"}}, "unknown": []},
  {"spec": {"obj": null, "nullDef": null, "nullableDef": null}, "out": {"nullDef": "nd", "nullableDef": null, "obj": {"inner": "i"}}, "unknown": []},
  {"spec": {"obj": {"deep": {}}}, "out": {"nullDef": "nd", "nullableDef": "nn", "obj": {"deep": {"z": 3}, "inner": "i"}}, "unknown": []},
];

const compiled = compileSchema(schema);

describe('prune + applyDefaults + validate: kube-apiserver answers', () => {
  for (const c of kube) {
    it(JSON.stringify(c.spec), () => {
      const obj = { apiVersion: 'h1.example.com/v1', kind: 'Pd', metadata: { name: 'x', namespace: 'default' }, spec: structuredClone(c.spec) };
      expect(compiled.prune(obj)).toEqual(c.unknown);
      compiled.applyDefaults(obj);
      const errs = compiled.validate(obj).map(fieldErrorString);
      if (typeof c.out === 'string') expect(c.out).toBe(`Pd.h1.example.com "x" is invalid: ${errs.join(', ')}`);
      else {
        expect(errs).toEqual([]);
        expect(obj.spec).toEqual(c.out);
      }
    });
  }
});
