import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { applyPatch, applyStrategicMergePatch, goSprintV } from '../../../src/apimachinery/patch/strategic-merge-patch.js';
import type { SchemaNode } from '../../../src/apimachinery/schema.js';

// A Pod-like schema with the patch metadata kube's OpenAPI carries.
const str: SchemaNode = { type: 'string' };
const obj = (properties: Record<string, SchemaNode>, ext: Partial<SchemaNode> = {}): SchemaNode => ({ type: 'object', properties, ...ext });
const list = (items: SchemaNode, strategy?: string, mergeKey?: string): SchemaNode => ({ type: 'array', items, ...(strategy ? { 'x-kubernetes-patch-strategy': strategy } : {}), ...(mergeKey ? { 'x-kubernetes-patch-merge-key': mergeKey } : {}) });
const container = obj({
  name: str, image: str, args: list(str), command: list(str),
  ports: list(obj({ containerPort: { type: 'integer' }, protocol: str, name: str }), 'merge', 'containerPort'),
  env: list(obj({ name: str, value: str, valueFrom: obj({ fieldRef: obj({ fieldPath: str }) }) }), 'merge', 'name'),
  resources: obj({ limits: { type: 'object', additionalProperties: str }, requests: { type: 'object', additionalProperties: str } }),
  volumeMounts: list(obj({ name: str, mountPath: str }), 'merge', 'mountPath'),
});
const schema: SchemaNode = obj({
  apiVersion: str, kind: str,
  metadata: obj({
    name: str, labels: { type: 'object', additionalProperties: str }, annotations: { type: 'object', additionalProperties: str },
    finalizers: list(str, 'merge'),
    ownerReferences: list(obj({ uid: str, name: str, kind: str, apiVersion: str, controller: { type: 'boolean' } }), 'merge', 'uid'),
  }),
  spec: obj({
    containers: list(container, 'merge', 'name'),
    initContainers: list(container, 'merge', 'name'),
    volumes: list(obj({ name: str, emptyDir: obj({ medium: str, sizeLimit: str }), hostPath: obj({ path: str, type: str }), configMap: obj({ name: str }) }), 'merge,retainKeys', 'name'),
    tolerations: list(obj({ key: str, operator: str, value: str })),
    nodeSelector: { type: 'object', additionalProperties: str },
    securityContext: obj({ runAsUser: { type: 'integer' }, runAsGroup: { type: 'integer' }, seLinux: obj({ level: str }) }, { 'x-kubernetes-patch-strategy': 'replace' }),
    strategy: obj({ type: str, rollingUpdate: obj({ maxSurge: str, maxUnavailable: str }) }, { 'x-kubernetes-patch-strategy': 'retainKeys' }),
    tags: list(str, 'merge'),
    nums: list({ type: 'integer' }, 'merge'),
    matrix: list(list(str), 'merge'),
    things: list(obj({ a: str, b: str }), 'merge'),
    replicas: { type: 'integer' },
    paused: { type: 'boolean' },
  }),
  status: obj({ phase: str, conditions: list(obj({ type: str, status: str }), 'merge', 'type') }),
});

const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x/a', 'x/b', 'x/c'], ownerReferences: [{ uid: 'u1', name: 'o1', kind: 'K', apiVersion: 'v1' }] },
  spec: {
    containers: [
      { name: 'c1', image: 'i1', args: ['a', 'b'], ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'c2', image: 'i2' },
      { name: 'c3', image: 'i3' },
    ],
    volumes: [{ name: 'v1', emptyDir: { medium: 'Memory' } }, { name: 'v2', hostPath: { path: '/x' } }],
    tolerations: [{ key: 'k1' }, { key: 'k2' }],
    nodeSelector: { zone: 'a', disk: 'ssd' },
    securityContext: { runAsUser: 1, runAsGroup: 2 },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1' } },
    tags: ['a', 'b', 'c'],
    nums: [1, 2, 3],
    replicas: 3,
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Init', status: 'True' }] },
};

type Expected = Record<string, unknown> | { code: number; message: string };

// Results as kube-apiserver's strategic merge computes them for this schema (lists in kube's order).
const cases: [Record<string, unknown>, Expected][] = [
  [{"metadata":{"labels":{"a":null,"c":"3"}}}, {"metadata.labels":{"b":"2","c":"3"}}],
  [{"metadata":{"labels":null}}, {"metadata.labels":null}],
  [{"spec":{"replicas":5,"paused":true}}, {"spec.replicas":5,"spec.paused":true}],
  [{"spec":{"containers":[{"name":"c2","image":"new"}]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"new","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c4","image":"i4"}]}}, {"spec.containers":[{"image":"i4","name":"c4"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c4","image":"i4"},{"name":"c1","image":"x"}]}}, {"spec.containers":[{"image":"i4","name":"c4"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"x","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c3","image":"x"},{"name":"c1","image":"y"}]}}, {"spec.containers":[{"image":"i2","name":"c2"},{"image":"x","name":"c3"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"y","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}],
  [{"spec":{"containers":[{"name":"c2","$patch":"delete"}]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c9","image":"n"},{"$patch":"replace"}]}}, {"spec.containers":[{"image":"n","name":"c9"}]}],
  [{"spec":{"containers":[{"name":"c1","ports":[{"containerPort":8080},{"containerPort":80,"protocol":"UDP"}]}]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":8080},{"containerPort":80,"protocol":"UDP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c1","env":[{"name":"B","value":null},{"name":"C","value":"x","valueFrom":null}]}]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B"},{"name":"C","value":"x","valueFrom":null}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c1","args":["z"]}]}}, {"spec.containers":[{"args":["z"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"image":"nokey"}]}}, { code: 400, message: "map: map[image:nokey] does not contain declared merge key: name" }],
  [{"spec":{"containers":[{"name":"c1","$patch":"bogus"}]}}, { code: 400, message: "unknown patch type: bogus in map: map[$patch:bogus name:c1]" }],
  [{"spec":{"containers":[{"name":"c1","$patch":"merge"}]}}, { code: 400, message: "merging lists cannot yet be specified in the patch" }],
  [{"spec":{"containers":[{"$patch":"delete"}]}}, { code: 400, message: "map: map[$patch:delete] does not contain declared merge key: name" }],
  [{"metadata":{"finalizers":["x/d","x/a"]}}, {"metadata.finalizers":["x/d","x/a","x/b","x/c"]}],
  [{"metadata":{"$deleteFromPrimitiveList":1,"$deleteFromPrimitiveList/finalizers":["x/b"]}}, { code: 400, message: "invalid patch format of primitive list" }],
  [{"metadata":{"$deleteFromPrimitiveList/finalizers":["x/b","x/zz"]}}, {"metadata.finalizers":["x/a","x/c"]}],
  [{"metadata":{"$deleteFromPrimitiveListX/finalizers":["x/b"]}}, { code: 400, message: "invalid patch format of primitive list" }],
  [{"metadata":{"$deleteFromPrimitiveList/finalizers":["x/b"],"finalizers":["x/e"]}}, {"metadata.finalizers":["x/e","x/a","x/c"]}],
  [{"metadata":{"$setElementOrder/finalizers":["x/c","x/a","x/b"]}}, {"metadata.finalizers":["x/c","x/a","x/b"]}],
  [{"metadata":{"$setElementOrder/finalizers":["x/c","x/new","x/a"],"finalizers":["x/new"]}}, {"metadata.finalizers":["x/b","x/c","x/new","x/a"]}],
  [{"spec":{"$setElementOrder/containers":[{"name":"c3"},{"name":"c1"},{"name":"c2"}]}}, {"spec.containers":[{"image":"i3","name":"c3"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"}]}],
  [{"spec":{"$setElementOrder/containers":[{"name":"c3"},{"name":"c4"},{"name":"c1"}],"containers":[{"name":"c4","image":"i4"}]}}, {"spec.containers":[{"image":"i2","name":"c2"},{"image":"i3","name":"c3"},{"image":"i4","name":"c4"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}],
  [{"spec":{"$setElementOrder/containers":[{"name":"c1"}],"containers":[{"name":"c4","image":"i4"}]}}, { code: 400, message: "The order in patch list:\n[map[image:i4 name:c4]]\n doesn't match $setElementOrder list:\n[map[name:c1]]\n" }],
  [{"spec":{"$setElementOrder/containers":"bad"}}, { code: 400, message: "expected a []interface {}, but received a string" }],
  [{"spec":{"$setElementOrderX/containers":[]}}, { code: 400, message: "invalid patch format of setElementOrder list" }],
  [{"spec":{"$setElementOrder/initContainers":[{"name":"i1"}],"initContainers":[{"name":"i1","image":"x"}]}}, {"spec.initContainers":[{"image":"x","name":"i1"}]}],
  [{"spec":{"$setElementOrder/initContainers":[]}}, {"spec.initContainers":null}],
  [{"spec":{"volumes":[{"name":"v1","$retainKeys":["name","hostPath"],"hostPath":{"path":"/y"}}]}}, {"spec.volumes":[{"hostPath":{"path":"/y"},"name":"v1"},{"hostPath":{"path":"/x"},"name":"v2"}]}],
  [{"spec":{"volumes":[{"name":"v1","$retainKeys":["name"],"hostPath":{"path":"/y"}}]}}, { code: 400, message: "invalid patch format of retainKeys" }],
  [{"spec":{"volumes":[{"name":"v1","$retainKeys":"name"}]}}, { code: 400, message: "invalid patch format of retainKeys" }],
  [{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}, {"spec.strategy":{"type":"Recreate"}}],
  [{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}, {"spec.strategy":{"type":"Recreate"}}],
  [{"spec":{"securityContext":{"runAsUser":5,"seLinux":{"level":null}}}}, {"spec.securityContext":{"runAsUser":5,"seLinux":{"level":null}}}],
  [{"spec":{"tolerations":[{"key":"k3","value":null}]}}, {"spec.tolerations":[{"key":"k3","value":null}]}],
  [{"spec":{"tags":["c","d","a"]}}, {"spec.tags":["b","c","d","a"]}],
  [{"spec":{"tags":["b","b","e","a","e"]}}, {"spec.tags":["b","e","a","c"]}],
  [{"spec":{"nums":[3,4,1.5]}}, { code: 400, message: "list element types are not identical: [[1 2 3] [3 4 1.5]]" }],
  [{"spec":{"nums":["x"]}}, { code: 400, message: "list element types are not identical: [[1 2 3] [x]]" }],
  [{"spec":{"tags":[null,"a"]}}, { code: 400, message: "list element types are not identical: [[a b c] [<nil> a]]" }],
  [{"spec":{"$patch":"replace","replicas":1}}, {"spec":{"replicas":1},"spec.replicas":1}],
  [{"spec":{"$patch":"delete"}}, {"spec":{}}],
  [{"spec":{"$patch":5}}, { code: 400, message: "unknown patch type: %!s(int64=5) in map: map[$patch:5]" }],
  [{"$patch":"replace","apiVersion":"v1","kind":"Pod","metadata":{"name":"q"}}, {"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"}}],
  [{"spec":{"newField":{"a":null,"b":{"c":null,"d":1,"$patch":"delete"},"e":[{"f":null},{"$patch":"x"}]}}}, {"spec.newField":{"e":[{}]}}],
  [{"spec":{"replicas":{"a":1}}}, {"spec.replicas":{"a":1}}],
  [{"spec":{"containers":{"name":"x"}}}, {"spec.containers":{"name":"x"}}],
  [{"status":{"conditions":[{"type":"Init","status":"False"},{"type":"New","status":"True"}]}}, {"status.conditions":[{"status":"True","type":"Ready"},{"status":"False","type":"Init"},{"status":"True","type":"New"}]}],
  [{"metadata":{"ownerReferences":[{"uid":"u2","name":"o2"},{"uid":"u1","controller":true}]}}, {"metadata.ownerReferences":[{"name":"o2","uid":"u2"},{"apiVersion":"v1","controller":true,"kind":"K","name":"o1","uid":"u1"}]}],
  [{"spec":{"containers":[{"name":"c1","$patch":"delete"},{"name":"c1","image":"back"}]}}, {"spec.containers":[{"image":"back","name":"c1"},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[{"name":"c5","image":"a"},{"name":"c5","args":["b"]}]}}, {"spec.containers":[{"args":["b"],"image":"a","name":"c5"},{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"containers":[]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"spec":{"volumes":[{"name":"v3","emptyDir":{}},{"name":"v1","$patch":"delete"}]}}, {"spec.volumes":[{"emptyDir":{},"name":"v3"},{"hostPath":{"path":"/x"},"name":"v2"}]}],
  [{"spec":{"nodeSelector":{"zone":null,"new":"x"},"$retainKeys":["nodeSelector","containers"]}}, {"spec.nodeSelector":{"disk":"ssd","new":"x"},"spec":{"containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}],"nodeSelector":{"disk":"ssd","new":"x"}}}],
  [{"spec":{"$retainKeys":["nodeSelector"],"replicas":1}}, { code: 400, message: "invalid patch format of retainKeys" }],
  [{"spec":{"containers":[{"name":"c1","resources":{"limits":{"cpu":"1"}}}]}}, {"spec.containers":[{"args":["a","b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"image":"i1","name":"c1","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}],"resources":{"limits":{"cpu":"1"}}},{"image":"i2","name":"c2"},{"image":"i3","name":"c3"}]}],
  [{"metadata":{"finalizers":null,"$setElementOrder/finalizers":["x/a"]}}, { code: 400, message: "expected a []interface {}, but received a %!s(<nil>)" }],
  [{"metadata":{"$setElementOrder/finalizers":["x/z","x/y"],"finalizers":["x/y","x/z"]}}, { code: 400, message: "The order in patch list:\n[x/y x/z]\n doesn't match $setElementOrder list:\n[x/z x/y]\n" }],
  [{"spec":{"$setElementOrder/containers":[{"name":"c2"},{"name":"c1"}],"containers":[{"name":"c1","image":"q"},{"name":"c2","image":"w"}]}}, { code: 400, message: "The order in patch list:\n[map[image:q name:c1] map[image:w name:c2]]\n doesn't match $setElementOrder list:\n[map[name:c2] map[name:c1]]\n" }],

];

function at(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur ?? null;
}

/** Compares ignoring object key order (kube re-encodes objects; lists keep their order). */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
  return v;
}

describe('applyStrategicMergePatch matches kube', () => {
  it.each(cases)('%j', (patch, expected) => {
    if ('code' in expected && 'message' in expected) {
      try {
        applyStrategicMergePatch(pod, patch, schema);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(StatusError);
        expect((e as StatusError).code).toBe(expected.code);
        expect((e as StatusError).message).toBe(expected.message);
      }
      return;
    }
    const result = applyStrategicMergePatch(pod, patch, schema) as Record<string, unknown>;
    for (const k of Object.keys(expected)) expect(canon(at(result, k))).toEqual(canon(expected[k as keyof typeof expected]));
  });
});

describe('strategic merge details', () => {
  it('does not modify its inputs', () => {
    const original = structuredClone(pod);
    const patch = { spec: { containers: [{ name: 'c1', image: 'z' }], tags: ['q'] } };
    const copy = structuredClone(patch);
    applyStrategicMergePatch(original, patch, schema);
    expect(original).toEqual(pod);
    expect(patch).toEqual(copy);
  });

  it('merges maps and replaces lists when there is no schema', () => {
    const out = applyStrategicMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] }, undefined);
    expect(out).toEqual({ a: { b: 1, d: 3 }, l: [3] });
  });

  it('rejects lists of lists with the 422 kube gives', () => {
    const original = { ...pod, spec: { ...pod.spec, matrix: [['x']] } };
    try {
      applyStrategicMergePatch(original, { spec: { matrix: [['a']] } }, schema);
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).code).toBe(422);
      expect((e as StatusError).reason).toBe('Invalid');
      expect((e as StatusError).message).toBe('the server rejected our request due to an error in our request');
    }
  });

  it('replaces the whole object for a top-level $patch: replace', () => {
    expect(applyStrategicMergePatch(pod, { $patch: 'replace', kind: 'Pod', metadata: { name: 'q' } }, schema))
      .toEqual({ kind: 'Pod', metadata: { name: 'q' } });
    expect(applyStrategicMergePatch(pod, { $patch: 'delete' }, schema)).toEqual({});
  });

  it('formats values like Go %v', () => {
    expect(goSprintV({ b: [1, 'x', null], a: { c: true } })).toBe('map[a:map[c:true] b:[1 x <nil>]]');
    expect(goSprintV(1.5)).toBe('1.5');
    expect(goSprintV(1e-7)).toBe('1e-07');
    expect(goSprintV(1.5e300)).toBe('1.5e+300');
  });
});

describe('applyPatch: the patch handler entry point', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v' } };

  const fail = (fn: () => unknown): { code: number; reason: string; message: string } => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(StatusError);
      return { code: (e as StatusError).code, reason: (e as StatusError).reason, message: (e as StatusError).message };
    }
    throw new Error('expected a StatusError');
  };

  it('applies all three types', () => {
    expect(applyPatch('json', obj, '[{"op":"replace","path":"/data/k","value":"w"}]')).toMatchObject({ data: { k: 'w' } });
    expect(applyPatch('merge', obj, '{"data":{"k":null,"n":"1"}}')).toMatchObject({ data: { n: '1' } });
    expect(applyPatch('strategic', obj, '{"metadata":{"labels":{"b":"2"}}}', undefined))
      .toMatchObject({ metadata: { labels: { a: '1', b: '2' } } });
    expect(applyPatch('strategic', obj, 'null')).toEqual(obj);
  });

  it.each([
    ['json', '[', 400, 'error decoding patch: unexpected end of JSON input'],
    ['json', '{}', 400, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
    ['json', '[{"op":1}]', 400, 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string'],
    ['json', '[{"op":"remove","path":"/nope"}]', 422, 'the server rejected our request due to an error in our request'],
    ['json', '[{"op":"test","path":"/data/k","value":"x"}]', 422, 'the server rejected our request due to an error in our request'],
    ['merge', '{', 400, 'error decoding patch: unexpected end of JSON input'],
    ['merge', '[1]', 400, 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['merge', 'null', 400, 'Invalid JSON Patch'],
    ['strategic', '{"a":', 400, 'unexpected end of JSON input'],
    ['strategic', 'x', 400, "invalid character 'x' looking for beginning of value"],
    ['strategic', '"s"', 400, 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['strategic', '{"metadata":{"$retainKeys":"x"}}', 400, 'invalid patch format of retainKeys'],
    ['strategic', '{"$patch":"x"}', 400, 'unknown patch type: x in map: map[$patch:x]'],
  ] as const)('%s %j -> %d %s', (type, body, code, message) => {
    const e = fail(() => applyPatch(type, obj, body));
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });

  it('answers like the Ignore directive when asked', () => {
    expect(fail(() => applyPatch('merge', obj, '{', undefined, { fieldValidation: 'Ignore' })).message).toBe('Invalid JSON Patch');
    expect(fail(() => applyPatch('json', obj, '{}', undefined, { fieldValidation: 'Ignore' })).message)
      .toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    expect(fail(() => applyPatch('json', obj, '[', undefined, { fieldValidation: 'Ignore' })).message).toBe('unexpected end of JSON input');
  });

  it('collects strict errors of the patch body', () => {
    const errs: string[] = [];
    applyPatch('strategic', obj, '{"data":{"k":"1","k":"2"}}', undefined, { strictErrors: errs });
    applyPatch('merge', obj, '{"metadata":{"name":"c","name":"c"}}', undefined, { strictErrors: errs });
    applyPatch('json', obj, '[{"op":"add","path":"/x","value":1,"extra":true,"op":"add"}]', undefined, { strictErrors: errs });
    expect(errs).toEqual([
      'duplicate field "data.k"',
      'duplicate field "metadata.name"',
      'json patch unknown field "[0].extra"',
      'json patch duplicate field "[0].op"',
    ]);
    const none: string[] = [];
    applyPatch('merge', obj, '{"a":1,"a":2}', undefined, { fieldValidation: 'Ignore', strictErrors: none });
    expect(none).toEqual([]);
  });
});

describe('keys that look like prototypes', () => {
  it('keeps "__proto__" as a plain key', () => {
    const out = applyPatch('strategic', { a: 1 }, '{"__proto__":{"x":1},"b":{"__proto__":2}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['a', '__proto__', 'b']);
    const json = applyPatch('json', { a: 1 }, '[{"op":"add","path":"/__proto__","value":{"y":1}}]') as Record<string, unknown>;
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.keys(json)).toEqual(['a', '__proto__']);
  });
});
