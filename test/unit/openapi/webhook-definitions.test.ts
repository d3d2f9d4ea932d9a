// The admissionregistration.k8s.io/v1 webhook configuration definitions as kube-apiserver v1.34
// serves them (compared whole with its /openapi/v3 and /openapi/v2 when written): the list and map
// facts structured merge reads, required in Go order, the pointer fields, the enums, the doc
// comments' layout.

import { describe, expect, it } from 'vitest';
import { definitionClosure, getDefinition, getDefinitionV2, type JsonSchema } from '../../../src/openapi/index.js';

const AR = 'io.k8s.api.admissionregistration.v1';
type Props = Record<string, JsonSchema>;
const props = (name: string): Props => getDefinition(name)!.properties as Props;

describe('webhook configuration definitions', () => {
  it.each(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'])('%s and its list are complete kinds', (kind) => {
    const def = getDefinition(`${AR}.${kind}`)!;
    expect(def['x-kubernetes-group-version-kind']).toEqual([{ group: 'admissionregistration.k8s.io', kind, version: 'v1' }]);
    expect(getDefinition(`${AR}.${kind}List`)!['x-kubernetes-group-version-kind']).toEqual([{ group: 'admissionregistration.k8s.io', kind: `${kind}List`, version: 'v1' }]);
    for (const n of definitionClosure([`${AR}.${kind}`, `${AR}.${kind}List`])) expect(getDefinition(n), n).toBeDefined();
    expect(props(`${AR}.${kind}`).webhooks).toMatchObject({
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
    });
    expect(props(`${AR}.${kind}`).metadata!.description).toBe('Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.');
  });

  it.each(['ValidatingWebhook', 'MutatingWebhook'])('%s: list types, required in Go order, pointer fields without defaults', (kind) => {
    const def = getDefinition(`${AR}.${kind}`)!;
    expect(def.required).toEqual(['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions']);
    const p = def.properties as Props;
    expect(p.rules!['x-kubernetes-list-type']).toBe('atomic');
    expect(p.admissionReviewVersions!['x-kubernetes-list-type']).toBe('atomic');
    expect(p.matchConditions).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });
    // *SideEffectClass: required, yet no zero default; *LabelSelector: no default {}
    expect(p.sideEffects).toEqual({
      description: expect.stringMatching(/^SideEffects states.*\n\nPossible enum values:\n - `"None"` means that calling the webhook will have no side effects\.\n/s),
      enum: ['None', 'NoneOnDryRun', 'Some', 'Unknown'], type: 'string',
    });
    expect(p.failurePolicy!.enum).toEqual(['Fail', 'Ignore']);
    expect(p.namespaceSelector!.default).toBeUndefined();
    expect(p.clientConfig).toEqual({ allOf: [{ $ref: `#/components/schemas/${AR}.WebhookClientConfig` }], default: {}, description: 'ClientConfig defines how to communicate with the hook. Required' });
    expect(p.matchPolicy!.description).toMatch(/"Equivalent"\.\n\n- Exact: /);
    expect(getDefinitionV2(`${AR}.${kind}`)!.required).toEqual(['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions']);
  });

  it('keeps the rule, client config and match condition texts as kube writes them', () => {
    expect(props(`${AR}.RuleWithOperations`).resources!.description).toContain("'pods/*' means all subresources of pods. '*/scale' means all scale subresources.");
    expect(props(`${AR}.RuleWithOperations`).operations).toMatchObject({ 'x-kubernetes-list-type': 'atomic', items: { enum: ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'] } });
    expect(getDefinition(`${AR}.ServiceReference`)!.required).toEqual(['namespace', 'name']);
    expect(getDefinition(`${AR}.MatchCondition`)!.required).toEqual(['name', 'expression']);
    expect(props(`${AR}.WebhookClientConfig`).service!.default).toBeUndefined();
    expect(props(`${AR}.WebhookClientConfig`).url!.description).toContain('Exactly one of `url` or `service` must be specified.\n\nThe `host`');
    expect(props(`${AR}.MutatingWebhook`).namespaceSelector!.description).toContain('working-with-objects/labels/ for more');
    expect(props(`${AR}.ValidatingWebhook`).namespaceSelector!.description).toContain('working-with-objects/labels for more');
  });
});
