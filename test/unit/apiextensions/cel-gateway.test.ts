// Gateway API's CRDs (v1.0.0-rc1, as apiextensions-apiserver v0.34 keeps them for its ratcheting
// tests, read from the Go module cache the tool script fills, never committed) and the volume
// snapshot CRDs of kubernetes v1.34: their many rules compile, and HTTPRoutes that break them get
// the errors kube-apiserver v1.34 gave for the same dry-run creates (defaults applied first, as
// the custom resource strategy does).

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileValidations } from '../../../src/apiextensions/cel/index.js';
import { compileSchema } from '../../../src/apiextensions/schema/index.js';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../../src/apiextensions/types.js';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';
import { readObjects } from '../../helpers/capi.js';
import { pinnedVersions } from '../../harness/tools.js';

const gomod = path.join(process.env.KPLANE_TOOLS_CACHE ?? path.join(process.env.HOME ?? os.tmpdir(), '.cache', 'kplane-tools'), 'gomod', 'k8s.io');
const kube = pinnedVersions()['kube-apiserver'];
const staging = kube.replace(/^v1\./, 'v0.');
const files = [
  path.join(gomod, `apiextensions-apiserver@${staging}`, 'test/integration/ratcheting_test_cases/crds/standard-install.yaml'),
  path.join(gomod, `kubernetes@${kube}`, 'cluster/addons/volumesnapshots/crd/snapshot.storage.k8s.io_volumesnapshots.yaml'),
  path.join(gomod, `kubernetes@${kube}`, 'cluster/addons/volumesnapshots/crd/snapshot.storage.k8s.io_volumesnapshotcontents.yaml'),
];
for (const f of files) if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run tools\` (it fetches the Kubernetes modules)`);
const crds = files.flatMap(readObjects).filter((o) => o.kind === 'CustomResourceDefinition') as unknown as CustomResourceDefinition[];

function schemaOf(kind: string, version = 'v1'): JSONSchemaProps {
  return crds.find((c) => c.spec.names.kind === kind)!.spec.versions.find((v) => v.name === version)!.schema!.openAPIV3Schema!;
}

function celErrors(obj: Record<string, unknown>): string[] {
  const s = schemaOf(obj.kind as string);
  const o = structuredClone(obj);
  compileSchema(s).applyDefaults(o);
  return compileValidations(s, { basePath: 'x' }).validator!.validate(o, undefined).map(fieldErrorString);
}

describe('Gateway API and volume snapshot CRDs', () => {
  it('compile without errors', () => {
    let rules = 0;
    for (const crd of crds) {
      crd.spec.versions.forEach((v, i) => {
        const r = compileValidations(v.schema!.openAPIV3Schema!, { basePath: `spec.versions[${i}].schema.openAPIV3Schema` });
        expect(r.errors.map(fieldErrorString), `${crd.metadata.name} ${v.name}`).toEqual([]);
        rules += JSON.stringify(v.schema).split('"rule":').length - 1;
      });
    }
    expect(rules).toBeGreaterThan(150);
  });

  it('HTTPRoute: parent refs, redirect with backends, Service ports, filter combinations', () => {
    expect(celErrors({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'hr1', namespace: 'default' },
      spec: {
        parentRefs: [{ name: 'gw' }, { name: 'gw' }],
        rules: [{
          backendRefs: [{ name: 'svc' }],
          filters: [
            { type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath' } } },
            { type: 'URLRewrite', urlRewrite: { hostname: 'x' } },
            { type: 'RequestHeaderModifier' },
          ],
          matches: [{ path: { type: 'RegularExpression', value: '/x' } }],
        }],
      },
    })).toEqual([
      'spec.parentRefs: Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent',
      'spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs',
      'spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference',
      'spec.rules[0].filters: Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      'spec.rules[0].filters[0].requestRedirect.path: Invalid value: "object": replaceFullPath must be specified when type is set to \'ReplaceFullPath\'',
      'spec.rules[0].filters[2]: Invalid value: "object": filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type',
    ]);
  });

  it('HTTPRoute: prefix rewrites need one PathPrefix match, paths without //', () => {
    expect(celErrors({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'hr2', namespace: 'default' },
      spec: {
        parentRefs: [{ name: 'gw', sectionName: 'a' }, { name: 'gw', sectionName: 'a' }], hostnames: ['a.example.com'],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }, { path: { type: 'Exact', value: '/%2e' } }, { headers: [{ name: 'x', value: '1' }, { name: 'X', value: '2' }] }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }],
        }],
      },
    })).toEqual([
      'spec.parentRefs: Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent',
      'spec.rules[0]: Invalid value: "object": When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
      'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'//\' when type one of [\'Exact\', \'PathPrefix\']',
    ]);
  });
});
