// kube's ValidatingAdmissionPolicy type checking: expressions compiled against the schemas of the
// kinds the policy matches exactly and of its paramKind, variables typed the same way, warnings
// per expression with kube's texts ("<gvk>: ..."), kinds not served skipped,
// a paramKind without a schema leaving params undeclared.

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { clusterTypeResolver } from '../../../src/admission/validating-policy/status-controller.js';
import { typeCheckPolicy } from '../../../src/admission/validating-policy/typecheck.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { ResourceCatalog } from '../../../src/registry/catalog.js';

const resolver = clusterTypeResolver(new ResourceCatalog(builtinResources), 'root');

function policy(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p', generation: 1 },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps', 'secrets'] }] },
      ...spec,
    },
  };
}

describe('VAP type checking', () => {
  it('warns about fields the matched kinds do not have, once per kind, with kube\'s text', () => {
    const w = typeCheckPolicy(policy({ validations: [{ expression: "object.data.size() > 0 && object.spec.foo == 'x'" }] }), resolver);
    expect(w).toEqual([{
      fieldRef: 'spec.validations[0].expression',
      warning: "/v1, Kind=ConfigMap: ERROR: <input>:1:33: undefined field 'spec'\n"
        + " | object.data.size() > 0 && object.spec.foo == 'x'\n | ................................^\n\n"
        + "/v1, Kind=Secret: ERROR: <input>:1:33: undefined field 'spec'\n"
        + " | object.data.size() > 0 && object.spec.foo == 'x'\n | ................................^\n",
    }]);
  });

  it('accepts what the schemas have (maps, lists, metadata, timestamps, int-or-string, quantities), and messageExpressions too', () => {
    const svc = {
      matchConstraints: { resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['services', 'resourcequotas'] },
      ] },
      validations: [
        { expression: "object.metadata.name.startsWith('a')", messageExpression: "'name: ' + object.metadata.name" },
        { expression: "object.kind == 'Service' ? object.spec.ports.all(p, p.port > 0 && p.targetPort != 0) : object.spec.hard['cpu'] != ''" },
        { expression: "has(object.metadata.labels) && object.metadata.creationTimestamp < timestamp('2030-01-01T00:00:00Z')" },
        { expression: 'object.metadata.name == 1', messageExpression: 'object.spec.nope' },
      ],
    };
    const w = typeCheckPolicy(policy(svc), resolver);
    // ResourceQuota's spec has no ports, Service's none of hard: both kinds warn about the second
    expect(w.map((x) => x.fieldRef)).toEqual(['spec.validations[1].expression', 'spec.validations[3].expression', 'spec.validations[3].messageExpression']);
    expect(w[0]!.warning.split('\n\n').map((x) => x.split(':')[0])).toEqual(['/v1, Kind=ResourceQuota', '/v1, Kind=Service']);
    expect(w[0]!.warning).toContain("undefined field 'ports'");
    expect(w[0]!.warning).toContain("undefined field 'hard'");
    expect(w[1]!.warning).toMatch(/^\/v1, Kind=ResourceQuota: ERROR: <input>:1:22: found no matching overload for '_==_' applied to '\(string, int\)'/);
    expect(w[2]!.warning).toContain("undefined field 'nope'");
  });

  it('types params from the paramKind and variables from what they compute', () => {
    const p = policy({
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      variables: [{ name: 'allowed', expression: "params.data['allowed'].split(',')" }, { name: 'n', expression: 'object.metadata.name' }],
      validations: [
        { expression: 'variables.n in variables.allowed' },
        { expression: 'variables.n.size() > params.data.size()' },
        { expression: 'variables.allowed.foo' },
        { expression: 'params.spec.x' },
      ],
    });
    const w = typeCheckPolicy(p, resolver);
    expect(w.map((x) => x.fieldRef)).toEqual(['spec.validations[2].expression', 'spec.validations[3].expression']);
    expect(w[0]!.warning).toContain("type 'list(string)' does not support field selection");
    expect(w[1]!.warning).toContain("undefined field 'spec'");
  });

  it('checks nothing for wildcards, subresources and kinds not served; an unknown paramKind leaves params undeclared', () => {
    const wild = policy({
      matchConstraints: { resourceRules: [
        { apiGroups: ['*'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/status', '*'] },
        { apiGroups: ['example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] },
      ] },
      validations: [{ expression: 'object.nothing.here' }],
    });
    expect(typeCheckPolicy(wild, resolver)).toEqual([]);
    const unknownParams = policy({ paramKind: { apiVersion: 'example.com/v1', kind: 'Config' }, validations: [{ expression: 'params.x == 1' }] });
    const w = typeCheckPolicy(unknownParams, resolver);
    expect(w[0]!.warning).toContain("undeclared reference to 'params'");
  });
});

