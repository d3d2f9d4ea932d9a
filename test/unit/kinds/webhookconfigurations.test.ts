import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { mutatingwebhookconfigurations } from '../../../src/registry/kinds/mutatingwebhookconfigurations.js';
import { validatingwebhookconfigurations } from '../../../src/registry/kinds/validatingwebhookconfigurations.js';
import { NOW, ago, ctx, errs } from './helpers.js';

const V = validatingwebhookconfigurations.strategy;
const M = mutatingwebhookconfigurations.strategy;
const c = ctx('');

const hook = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'deny.example.com', clientConfig: { url: 'https://127.0.0.1:8443/validate' }, sideEffects: 'None', admissionReviewVersions: ['v1'], ...o,
});
const config = (webhooks: unknown[], name = 'cfg'): KubeObject => ({ metadata: { name }, webhooks } as KubeObject);
const defaulted = (s: typeof V, o: KubeObject): KubeObject => {
  s.applyDefaults!(o);
  return o;
};
const validate = (s: typeof V, webhooks: unknown[]): string[] => errs(s.validate(defaulted(s, config(webhooks)), c));

describe('webhook configurations: API metadata', () => {
  it.each([
    [validatingwebhookconfigurations, 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'],
    [mutatingwebhookconfigurations, 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'],
  ])('%s matches kube discovery', (t, resource, kind) => {
    expect(t).toMatchObject({
      group: 'admissionregistration.k8s.io', version: 'v1', resource, kind, listKind: `${kind}List`, singularName: kind.toLowerCase(),
      shortNames: [], categories: ['api-extensions'], namespaced: false, subresources: [],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      schemaName: `io.k8s.api.admissionregistration.v1.${kind}`,
    });
    expect(t.strategy.allowCreateOnUpdate).toBe(false);
    expect(t.strategy.allowUnconditionalUpdate).toBe(false);
  });
});

describe('webhook configurations: defaults and wire shape', () => {
  it('defaults a validating webhook as kube v1 does, in Go field order', () => {
    const o = defaulted(V, config([{
      admissionReviewVersions: ['v1'], sideEffects: 'None', rules: [{ resources: ['configmaps'], apiVersions: ['v1'], apiGroups: [''], operations: ['CREATE'] }],
      clientConfig: { caBundle: '', service: { name: 's', namespace: 'n', path: '/v' } }, name: 'a.b.c',
    }]));
    expect(JSON.stringify(o.webhooks)).toBe(JSON.stringify([{
      name: 'a.b.c',
      clientConfig: { service: { namespace: 'n', name: 's', path: '/v', port: 443 } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
      failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, sideEffects: 'None', timeoutSeconds: 10,
      admissionReviewVersions: ['v1'],
    }]));
  });
  it('defaults reinvocationPolicy Never on mutating webhooks only', () => {
    expect((defaulted(M, config([hook()])).webhooks as Record<string, unknown>[])[0]!.reinvocationPolicy).toBe('Never');
    expect((defaulted(V, config([hook()])).webhooks as Record<string, unknown>[])[0]!.reinvocationPolicy).toBeUndefined();
    const m = defaulted(M, config([hook({ matchConditions: [{ expression: 'true', name: 'x' }], reinvocationPolicy: 'IfNeeded' })]));
    expect(Object.keys((m.webhooks as Record<string, unknown>[])[0]!).slice(-3)).toEqual(['admissionReviewVersions', 'reinvocationPolicy', 'matchConditions']);
  });
  it('keeps an explicit empty url (a set pointer) and drops empty webhooks', () => {
    const o = defaulted(V, config([hook({ clientConfig: { url: '' } })]));
    expect((o.webhooks as Record<string, unknown>[])[0]!.clientConfig).toEqual({ url: '' });
    expect(defaulted(V, config([])).webhooks).toBeUndefined();
  });
});

describe('webhook configurations: validation', () => {
  it('accepts a minimal webhook', () => {
    expect(validate(V, [hook()])).toEqual([]);
    expect(validate(M, [hook()])).toEqual([]);
  });
  it.each<[string, Record<string, unknown>, string[]]>([
    ['an empty name', { name: '' }, ['webhooks[0].name: Required value']],
    ['a name with two segments', { name: 'example.com' },
      ['webhooks[0].name: Invalid value: "example.com": should be a domain with at least three segments separated by dots']],
    ['a name that is no subdomain', { name: 'A_b.c.d' },
      ["webhooks[0].name: Invalid value: \"A_b.c.d\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]],
    ['no admissionReviewVersions', { admissionReviewVersions: [] }, ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1']],
    ['an unknown review version only', { admissionReviewVersions: ['v2'] },
      ['webhooks[0].admissionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1']],
    ['a duplicate review version', { admissionReviewVersions: ['v1', 'v1'] }, ['webhooks[0].admissionReviewVersions[1]: Invalid value: "v1": duplicate version']],
    ['no sideEffects', { sideEffects: undefined }, ['webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun']],
    ['sideEffects Some', { sideEffects: 'Some' }, ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"']],
    ['a zero timeout', { timeoutSeconds: 0 }, ['webhooks[0].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds']],
    ['a long timeout', { timeoutSeconds: 31 }, ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds']],
    ['an unknown failurePolicy', { failurePolicy: 'Maybe' }, ['webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"']],
    ['an unknown matchPolicy', { matchPolicy: 'Fuzzy' }, ['webhooks[0].matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"']],
    ['url and service', { clientConfig: { url: 'https://a', service: { name: 's', namespace: 'n' } } },
      ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']],
    ['neither url nor service', { clientConfig: {} }, ['webhooks[0].clientConfig: Required value: exactly one of url or service is required']],
    ['an http url', { clientConfig: { url: 'http://hook.example.com/x' } },
      ['webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]']],
    ['a url with a query, a fragment and a user', { clientConfig: { url: 'https://u@hook.example.com/x?a=b#f' } }, [
      'webhooks[0].clientConfig.url: Invalid value: "u": user information is not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "f": fragments are not permitted in the URL',
      'webhooks[0].clientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL',
    ]],
    ['a url without host', { clientConfig: { url: 'https:///x' } },
      ['webhooks[0].clientConfig.url: Invalid value: "": host must be specified; desired format: https://host[/path]']],
    // (kube swaps name and namespace when it validates the service: a missing name reads as the namespace's)
    ['a service without name and a bad path', { clientConfig: { service: { namespace: 'n', path: 'x//y', port: 0 } } }, [
      'webhooks[0].clientConfig.service.namespace: Required value',
      'webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive',
      "webhooks[0].clientConfig.service.path: Invalid value: \"x//y\": must start with a '/'",
      // (kube drops the first character whatever it is, then splits)
      'webhooks[0].clientConfig.service.path: Invalid value: "x//y": segment[0] may not be empty',
      'webhooks[0].clientConfig.service.path: Invalid value: "x//y": segment[1] may not be empty',
    ]],
    ['a rule without operations and resources', { rules: [{ apiGroups: [''], apiVersions: ['v1'] }] }, [
      'webhooks[0].rules[0].operations: Required value',
      'webhooks[0].rules[0].resources: Required value',
    ]],
    ['a rule with an unknown operation and scope', { rules: [{ operations: ['PATCH'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Global' }] }, [
      'webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      'webhooks[0].rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
    ]],
    ['an invalid selector', { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
      ["webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['a match condition that does not compile', { matchConditions: [{ name: 'bad', expression: 'object.' }] },
      [expect.stringMatching(/^webhooks\[0\]\.matchConditions\[0\]\.expression: Invalid value: "object\.": compilation failed: ERROR: <input>:1:\d+: Syntax error/) as unknown as string]],
    ['a match condition of the wrong type', { matchConditions: [{ name: 'str', expression: '"x"' }] },
      ['webhooks[0].matchConditions[0].expression: Invalid value: "\\"x\\"": must evaluate to bool but got string']],
    ['a match condition without name', { matchConditions: [{ expression: 'true' }] }, ['webhooks[0].matchConditions[0].name: Required value']],
    ['duplicate match conditions', { matchConditions: [{ name: 'a', expression: 'true' }, { name: 'a', expression: 'true' }] },
      ['webhooks[0].matchConditions[1].name: Duplicate value: "a"']],
  ])('refuses %s', (_n, o, want) => {
    const w = hook(o);
    for (const k of Object.keys(w)) if (w[k] === undefined) delete w[k];
    expect(validate(V, [w])).toEqual(want);
  });

  it('refuses duplicate webhook names', () => {
    expect(validate(V, [hook(), hook()])).toEqual(['webhooks[1].name: Duplicate value: "deny.example.com"']);
  });
  it('checks reinvocationPolicy on mutating webhooks', () => {
    expect(validate(M, [hook({ reinvocationPolicy: 'Always' })]))
      .toEqual(['webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"']);
  });

  it('keeps what the stored object already had on update (sideEffects, review versions, selector values)', () => {
    const sel = { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] };
    const old = config([hook({ sideEffects: 'Some', admissionReviewVersions: ['v0'] }), hook({ name: 'b.example.com', namespaceSelector: sel })]);
    const now = config([hook({ sideEffects: 'Unknown', admissionReviewVersions: ['v0'] }), hook({ name: 'b.example.com', namespaceSelector: sel })]);
    V.applyDefaults!(old);
    V.applyDefaults!(now);
    expect(errs(V.validateUpdate(now, old, c))).toEqual([]);
    expect(errs(V.validate(now, c))).toEqual([
      'webhooks[0].sideEffects: Unsupported value: "Unknown": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].admissionReviewVersions: Invalid value: ["v0"]: must include at least one of v1, v1beta1',
      expect.stringMatching(/^webhooks\[1\]\.namespaceSelector\.matchExpressions\[0\]\.values\[0\]: Invalid value: "-x"/) as unknown as string,
    ]);
  });
  it('keeps duplicate names a stored object already had on update', () => {
    const old = defaulted(V, structuredClone(config([hook(), hook()])));
    old.metadata.name = 'cfg';
    const now = structuredClone(old);
    expect(errs(V.validateUpdate(now, old, c))).toEqual([]);
  });
  it('does not compile unchanged match conditions again on update', () => {
    const old = config([hook({ matchConditions: [{ name: 'a', expression: 'object.' }] })]);
    V.applyDefaults!(old);
    const now = structuredClone(old);
    (now.webhooks as Record<string, unknown>[])[0]!.timeoutSeconds = 5;
    expect(errs(V.validateUpdate(now, old, c))).toEqual([]);
  });
});

describe('webhook configurations: generation and table', () => {
  it('starts at generation 1 and bumps it when the webhooks change', () => {
    const o = defaulted(V, config([hook()]));
    V.prepareForCreate!(o, c);
    expect(o.metadata.generation).toBe(1);
    const same = structuredClone(o);
    same.metadata.labels = { a: 'b' };
    V.prepareForUpdate!(same, o, c);
    expect(same.metadata.generation).toBe(1);
    const changed = structuredClone(o);
    (changed.webhooks as Record<string, unknown>[])[0]!.timeoutSeconds = 3;
    V.prepareForUpdate!(changed, o, c);
    expect(changed.metadata.generation).toBe(2);
  });
  it('shows NAME WEBHOOKS AGE', () => {
    expect(M.table!.columns.map((col) => [col.name, col.type])).toEqual([['Name', 'string'], ['Webhooks', 'integer'], ['Age', 'string']]);
    const o = config([hook(), hook({ name: 'b.example.com' })], 'two');
    o.metadata.creationTimestamp = ago(90);
    expect(M.table!.cells(o, NOW)).toEqual(['two', 2, '90s']);
    expect(V.table!.cells(config([], 'none'), NOW)).toEqual(['none', 0, '<unknown>']);
  });
});
