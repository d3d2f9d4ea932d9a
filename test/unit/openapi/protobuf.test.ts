import { describe, expect, it } from 'vitest';

import { goYAML } from '../../../src/openapi/goyaml.js';
import { encodeOpenAPIV2Protobuf, openapiV2Object } from '../../../src/openapi/index.js';
import { SAMPLE } from '../discovery/sample-types.js';

/** A minimal protobuf reader: field number -> raw values (varints as numbers, length-delimited as Buffers). */
function fields(buf: Buffer): Map<number, (number | Buffer)[]> {
  const out = new Map<number, (number | Buffer)[]>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let val: number | Buffer;
    if (wire === 0) val = varint();
    else if (wire === 2) {
      const n = varint();
      val = buf.subarray(i, i + n);
      i += n;
    } else if (wire === 1) {
      val = buf.readDoubleLE(i);
      i += 8;
    } else throw new Error(`wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(val);
    out.set(field, list);
  }
  return out;
}

const str = (b: number | Buffer | undefined): string => (b as Buffer).toString('utf8');

describe('gnostic OpenAPI v2 protobuf', () => {
  it('encodes the document structure', () => {
    const doc = {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: '1.34' },
      paths: {
        '/api/v1/namespaces/{name}': {
          get: {
            description: 'read the specified Namespace', operationId: 'readCoreV1Namespace', consumes: ['*/*'], produces: ['application/json'],
            responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.Namespace' } }, 401: { description: 'Unauthorized' } },
            schemes: ['https'], tags: ['core_v1'], 'x-kubernetes-action': 'get',
          },
          parameters: [{ description: 'name of the Namespace', in: 'path', name: 'name', required: true, type: 'string', uniqueItems: true }],
        },
      },
      definitions: {
        'io.k8s.api.core.v1.Namespace': {
          description: 'Namespace provides a scope for Names.', type: 'object', required: ['spec'],
          properties: { finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' } },
          'x-kubernetes-group-version-kind': [{ group: '', kind: 'Namespace', version: 'v1' }],
        },
      },
    };
    const top = fields(encodeOpenAPIV2Protobuf(doc));
    expect(str(top.get(1)![0])).toBe('2.0');
    const info = fields(top.get(2)![0] as Buffer);
    expect(str(info.get(1)![0])).toBe('Kubernetes');
    expect(str(info.get(2)![0])).toBe('1.34');

    // paths -> NamedPathItem -> PathItem.get -> Operation
    const named = fields(fields(top.get(8)![0] as Buffer).get(2)![0] as Buffer);
    expect(str(named.get(1)![0])).toBe('/api/v1/namespaces/{name}');
    const item = fields(named.get(2)![0] as Buffer);
    const op = fields(item.get(2)![0] as Buffer);
    expect(str(op.get(5)![0])).toBe('readCoreV1Namespace');
    expect(op.get(10)!.map(str)).toEqual(['https']);
    const ext = fields(op.get(13)![0] as Buffer);
    expect(str(ext.get(1)![0])).toBe('x-kubernetes-action');
    expect(str(fields(ext.get(2)![0] as Buffer).get(2)![0])).toBe('get\n');
    const responses = fields(op.get(9)![0] as Buffer).get(1)!.map((b) => fields(b as Buffer));
    expect(responses.map((r) => str(r.get(1)![0]))).toEqual(['200', '401']);
    // path-level parameter: ParametersItem.parameter.non_body_parameter.path_parameter_sub_schema
    const pathParam = fields(fields(fields(fields(item.get(9)![0] as Buffer).get(1)![0] as Buffer).get(2)![0] as Buffer).get(4)![0] as Buffer);
    expect(pathParam.get(1)).toEqual([1]);
    expect(str(pathParam.get(4)![0])).toBe('name');
    expect(pathParam.get(19)).toEqual([1]);

    // definitions -> NamedSchema -> Schema
    const def = fields(fields(top.get(9)![0] as Buffer).get(1)![0] as Buffer);
    expect(str(def.get(1)![0])).toBe('io.k8s.api.core.v1.Namespace');
    const schema = fields(def.get(2)![0] as Buffer);
    expect(str(schema.get(4)![0])).toBe('Namespace provides a scope for Names.');
    expect(schema.get(19)!.map(str)).toEqual(['spec']);
    expect(fields(schema.get(22)![0] as Buffer).get(1)!.map(str)).toEqual(['object']);
    const gvk = fields(schema.get(31)![0] as Buffer);
    expect(str(fields(gvk.get(2)![0] as Buffer).get(2)![0])).toBe('- group: ""\n  kind: Namespace\n  version: v1\n');
    const prop = fields(fields(schema.get(25)![0] as Buffer).get(1)![0] as Buffer);
    expect(str(prop.get(1)![0])).toBe('finalizers');
    const items = fields(fields(fields(prop.get(2)![0] as Buffer).get(23)![0] as Buffer).get(1)![0] as Buffer);
    expect(fields(items.get(22)![0] as Buffer).get(1)!.map(str)).toEqual(['string']);
  });

  it('encodes the whole served document', () => {
    const pb = encodeOpenAPIV2Protobuf(openapiV2Object(SAMPLE));
    const top = fields(pb);
    const defs = fields(top.get(9)![0] as Buffer).get(1)!.map((b) => str(fields(b as Buffer).get(1)![0]));
    expect(defs).toContain('io.k8s.api.rbac.v1.Role');
    expect(defs).toContain('io.kplane.tenancy.v1alpha1.Workspace');
    const security = fields(fields(top.get(13)![0] as Buffer).get(1)![0] as Buffer);
    expect(str(security.get(1)![0])).toBe('BearerToken');
  });
});

describe('goYAML', () => {
  it('quotes like go-yaml v3', () => {
    expect(goYAML('merge')).toBe('merge\n');
    expect(goYAML('')).toBe('""\n');
    expect(goYAML('*')).toBe("'*'\n");
    expect(goYAML('True')).toBe('"True"\n');
    expect(goYAML('10')).toBe('"10"\n');
    expect(goYAML('a: b')).toBe("'a: b'\n");
    expect(goYAML("it's")).toBe("it's\n");
    expect(goYAML(['uid'])).toBe('- uid\n');
    expect(goYAML(true)).toBe('true\n');
    expect(goYAML(3)).toBe('3\n');
    expect(goYAML({ group: '', kind: 'X', version: 'v1' })).toBe('group: ""\nkind: X\nversion: v1\n');
    expect(goYAML([{ discriminator: 'type', 'fields-to-discriminateBy': { a: 'A' } }]))
      .toBe('- discriminator: type\n  fields-to-discriminateBy:\n    a: A\n');
    expect(goYAML('line1\nline2')).toBe('|-\n  line1\n  line2\n');
  });
});
