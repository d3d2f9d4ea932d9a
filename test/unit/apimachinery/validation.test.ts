import { describe, expect, it } from 'vitest';
import { fieldErrorString } from '../../../src/apimachinery/errors.js';
import {
  finalizerWarnings, goQuote, isCIdentifier, isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain,
  isEnvVarName, isPathSegmentName, isPathSegmentPrefix, isQualifiedName, isValidIP, isValidLabelValue, isValidPortName,
  nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, validateAnnotations, validateFinalizers,
  validateKubeFinalizerNames, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate,
  validateOwnerReferences, validatePathSegmentName,
} from '../../../src/apimachinery/validation.js';

// kube's texts, as kube-apiserver prints them (note the double space before "or").
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const C_IDENT = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')";
const ENV = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

describe('DNS names', () => {
  it.each([
    ['a', []], ['abc', []], ['a-b', []], ['1a', []], ['a1', []], ['a'.repeat(63), []],
    ['a.b', ['must not contain dots']],
    ['-a', [LABEL]], ['a-', [LABEL]], ['Ab', [LABEL]], ['a_b', [LABEL]], ['', [LABEL]], ['é', [LABEL]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    ['A'.repeat(64), ['must be no more than 63 characters', LABEL]],
  ])('isDNS1123Label(%j)', (s, want) => expect(isDNS1123Label(s)).toEqual(want));

  it.each([
    ['a', []], ['a.b', []], ['example.com', []], ['1.2.3.4', []], ['a'.repeat(253), []],
    ['a..b', [SUBDOMAIN]], ['.a', [SUBDOMAIN]], ['a.', [SUBDOMAIN]], ['-a', [SUBDOMAIN]], ['Ab', [SUBDOMAIN]], ['a_b', [SUBDOMAIN]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ])('isDNS1123Subdomain(%j)', (s, want) => expect(isDNS1123Subdomain(s)).toEqual(want));

  it.each([
    ['a', []], ['a-1', []], ['abcdefghijklmnop', []],
    ['1a', [DNS1035]], ['a.b', [DNS1035]], ['-a', [DNS1035]], ['a-', [DNS1035]], ['A', [DNS1035]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('isDNS1035Label(%j)', (s, want) => expect(isDNS1035Label(s)).toEqual(want));
});

describe('qualified names and label values', () => {
  it.each([
    ['a', []], ['a.b', []], ['a_b', []], ['A', []], ['example.com/name', []], ['ex.com/My_Name', []],
    ['-a', [NAME_PART]], ['..a', [NAME_PART]], ['é', [NAME_PART]], ['', ['name part must be non-empty', NAME_PART]],
    ['/a', ['prefix part must be non-empty']],
    ['a/', ['name part must be non-empty', NAME_PART]],
    ['Example.com/x', [`prefix part ${SUBDOMAIN}`]],
    ['a/b/c', [QUALIFIED]],
    ['x/' + 'a'.repeat(64), ['name part must be no more than 63 characters']],
  ])('isQualifiedName(%j)', (s, want) => expect(isQualifiedName(s)).toEqual(want));

  it.each([
    ['', []], ['a', []], ['a.b-c_d', []], ['1234', []],
    ['-a', [LABEL_VALUE]], ['a b', [LABEL_VALUE]], ['a/b', [LABEL_VALUE]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('isValidLabelValue(%j)', (s, want) => expect(isValidLabelValue(s)).toEqual(want));
});

describe('other string validators', () => {
  it.each([
    ['key.name', []], ['KEY_NAME', []], ['-', []], ['a/b', [CONFIG_KEY]], ['', [CONFIG_KEY]],
    ['.', ["must not be '.'"]], ['..', ["must not be '..'"]], ['..a', ["must not start with '..'"]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ])('isConfigMapKey(%j)', (s, want) => expect(isConfigMapKey(s)).toEqual(want));

  it.each([
    ['http', []], ['a1', []], ['a-b', []],
    ['abcdefghijklmnop', ['must be no more than 15 characters']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-a', ['must not begin or end with a hyphen']],
    ['1234', ['must contain at least one letter (a-z)']],
    ['A', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['-', ['must contain at least one letter (a-z)', 'must not begin or end with a hyphen']],
  ])('isValidPortName(%j)', (s, want) => expect(isValidPortName(s)).toEqual(want));

  it.each([['my_name', []], ['_a', []], ['1a', [C_IDENT]], ['a-b', [C_IDENT]], ['', [C_IDENT]]])(
    'isCIdentifier(%j)', (s, want) => expect(isCIdentifier(s)).toEqual(want));

  it.each([['MY_ENV.NAME', []], ['1a', [ENV]], ['..a', ["must not start with '..'"]], ['a b', [ENV]]])(
    'isEnvVarName(%j)', (s, want) => expect(isEnvVarName(s)).toEqual(want));

  it.each([
    ['1.2.3.4', []], ['::1', []], ['::', []], ['2001:db8::1', []], ['1:0:0:1::1', []],
    ['1.2.3', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['256.1.1.1', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['1::2::3', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['fe80::1%eth0', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    ['01.2.3.4', ['must not have leading 0s']],
    ['00001::1', ['must not have leading 0s']],
    ['::ffff:01.2.3.4', ['must not have leading 0s']],
    ['::ffff:1.2.3.4', ['must not be an IPv4-mapped IPv6 address']],
    ['2001:DB8::1', ['must be in canonical form ("2001:db8::1")']],
    ['0:0::1', ['must be in canonical form ("::1")']],
    ['1:0:0:0:0:0:0:1', ['must be in canonical form ("1::1")']],
    ['1:0:0:2:0:0:0:3', ['must be in canonical form ("1:0:0:2::3")']],
    ['2001:0db8:0:0:0:0:0:1', ['must be in canonical form ("2001:db8::1")']],
    ['::1.2.3.4', ['must be in canonical form ("::102:304")']],
  ])('isValidIP(%j)', (s, want) => expect(isValidIP(s)).toEqual(want));
});

describe('name validators', () => {
  it('masks a trailing dash of prefixes the way kube does', () => {
    expect(nameIsDNSSubdomain('foo-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('foo-', false)).toEqual([SUBDOMAIN]);
    expect(nameIsDNSLabel('a-', true)).toEqual([]);
    expect(nameIsDNS1035Label('x-', true)).toEqual([]);
    // kube replaces the last two characters, so the character before the dash is not checked.
    expect(nameIsDNSSubdomain('fo_-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('-', true)).toEqual([SUBDOMAIN]);
    expect(nameIsDNS1035Label('1-', true)).toEqual([]);
    expect(nameIsDNS1035Label('-', true)).toEqual([DNS1035]);
  });

  it.each([
    ['a', false, []], ['.', false, ["may not be '.'"]], ['..', false, ["may not be '..'"]],
    ['a/b', false, ["may not contain '/'"]], ['a%b/c', false, ["may not contain '/'", "may not contain '%'"]],
    ['.', true, []], ['a/', true, ["may not contain '/'"]], ['system:admin', false, []],
  ] as const)('validatePathSegmentName(%j, %s)', (s, prefix, want) => {
    expect(validatePathSegmentName(s, prefix)).toEqual(want);
  });

  it('exposes the path segment checks', () => {
    expect(isPathSegmentName('..')).toEqual(["may not be '..'"]);
    expect(isPathSegmentPrefix('..')).toEqual([]);
  });
});

const strs = (errs: Parameters<typeof fieldErrorString>[0][]) => errs.map(fieldErrorString);

describe('labels, annotations, selectors', () => {
  it('reports bad keys and values at the labels path', () => {
    expect(strs(validateLabels({ 'bad key': 'ok', good: 'bad value' }, 'metadata.labels'))).toEqual([
      `metadata.labels: Invalid value: "bad key": ${NAME_PART}`,
      `metadata.labels: Invalid value: "bad value": ${LABEL_VALUE}`,
    ]);
    expect(validateLabels(undefined, 'x')).toEqual([]);
  });

  it('validates annotation keys case-insensitively and limits the total size', () => {
    expect(validateAnnotations({ 'Example.com/Key': 'v' }, 'metadata.annotations')).toEqual([]);
    expect(strs(validateAnnotations({ 'Bad Key': 'v' }, 'metadata.annotations'))).toEqual([
      `metadata.annotations: Invalid value: "Bad Key": ${NAME_PART}`,
    ]);
    expect(validateAnnotations({ a: 'x'.repeat(256 * 1024 - 1) }, 'm')).toEqual([]);
    expect(strs(validateAnnotations({ big: 'x'.repeat(256 * 1024) }, 'metadata.annotations'))).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });

  it('validates metav1 label selectors', () => {
    const errs = validateLabelSelector({
      matchLabels: { 'a b': 'c' },
      matchExpressions: [
        { key: 'x', operator: 'In', values: [] },
        { key: 'y', operator: 'Exists', values: ['z'] },
        { key: 'z', operator: 'Bogus' },
        { key: 'w', operator: 'NotIn', values: ['ok', 'not ok'] },
      ],
    }, 'spec.selector');
    expect(strs(errs)).toEqual([
      `spec.selector.matchLabels: Invalid value: "a b": ${NAME_PART}`,
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Bogus": not a valid selector operator',
      `spec.selector.matchExpressions[3].values[1]: Invalid value: "not ok": ${LABEL_VALUE}`,
    ]);
    expect(validateLabelSelector(null, 'x')).toEqual([]);
  });
});

describe('ownerReferences and finalizers', () => {
  it('validates owner references', () => {
    const errs = validateOwnerReferences([
      { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' },
      { apiVersion: 'apps/', kind: '', name: '', uid: '' },
      { apiVersion: 'a/b', kind: 'K', name: 'n', uid: 'u', controller: true },
      { apiVersion: 'a/b', kind: 'K2', name: 'n2', uid: 'u2', controller: true },
    ], 'metadata.ownerReferences');
    expect(strs(errs)).toEqual([
      'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner',
      'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      expect.stringContaining('metadata.ownerReferences: Invalid value: [{"apiVersion":"v1"'),
    ]);
    expect(fieldErrorString(errs[5]!)).toMatch(/: Only one reference can have Controller set to true\. Found "true" in references for K\/n and K2\/n2$/);
  });

  it('validates finalizer names', () => {
    expect(strs(validateFinalizers(['orphan', 'foregroundDeletion', 'a/b/c', 'ok'], 'metadata.finalizers'))).toEqual([
      `metadata.finalizers: Invalid value: "a/b/c": ${QUALIFIED}`,
      'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","a/b/c","ok"]: finalizer orphan and foregroundDeletion cannot be both set',
    ]);
    expect(strs(validateKubeFinalizerNames(['kubernetes', 'example.com/x', 'custom'], 'metadata.finalizers'))).toEqual([
      'metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it('warns about finalizers that are not domain-qualified, as kube does for custom resources', () => {
    expect(finalizerWarnings(['z.example.com', 'kubernetes', 'example.com/ok', 'plain', 'plain'])).toEqual([
      'metadata.finalizers: "plain": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
      'metadata.finalizers: "z.example.com": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
    ]);
    expect(finalizerWarnings(['a b'])).toEqual([
      `metadata.finalizers: "a b": ${NAME_PART}`,
      'metadata.finalizers: "a b": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
    ]);
    expect(finalizerWarnings(['old', 'new'], 'metadata.finalizers', ['old'])).toEqual([
      'metadata.finalizers: "new": prefer a domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers',
    ]);
  });
});

describe('validateObjectMeta', () => {
  it('requires a name and validates generateName with the prefix rule', () => {
    expect(strs(validateObjectMeta({}, false, nameIsDNSSubdomain))).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(validateObjectMeta({ name: 'x', generateName: 'foo-' }, false, nameIsDNSSubdomain)).toEqual([]);
    expect(strs(validateObjectMeta({ name: 'Bar', generateName: 'Foo-' }, false, nameIsDNSSubdomain))).toEqual([
      `metadata.generateName: Invalid value: "Foo-": ${SUBDOMAIN}`,
      `metadata.name: Invalid value: "Bar": ${SUBDOMAIN}`,
    ]);
  });

  it('checks the namespace against the scope', () => {
    expect(strs(validateObjectMeta({ name: 'a' }, true, nameIsDNSSubdomain))).toEqual(['metadata.namespace: Required value']);
    expect(strs(validateObjectMeta({ name: 'a', namespace: 'ns' }, false, nameIsDNSSubdomain))).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
    expect(strs(validateObjectMeta({ name: 'a', namespace: 'Bad.NS' }, true, nameIsDNSSubdomain))).toEqual([
      `metadata.namespace: Invalid value: "Bad.NS": ${LABEL}`,
    ]);
  });

  it('checks generation, labels, annotations, owners, finalizers and managedFields', () => {
    const errs = validateObjectMeta({
      name: 'a', generation: -1, labels: { x: 'a b' }, annotations: { 'a b': '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'K', name: 'n', uid: '' }], finalizers: ['x/y/z'],
      managedFields: [{ manager: 'm', operation: 'Bad' }],
    }, false, nameIsDNSSubdomain);
    expect(strs(errs)).toEqual([
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
      `metadata.labels: Invalid value: "a b": ${LABEL_VALUE}`,
      `metadata.annotations: Invalid value: "a b": ${NAME_PART}`,
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      `metadata.finalizers: Invalid value: "x/y/z": ${QUALIFIED}`,
      'metadata.managedFields[0].operation: Invalid value: "Bad": must be `Apply` or `Update`',
    ]);
  });

  it('adds the built-in finalizer rule on request', () => {
    expect(strs(validateObjectMeta({ name: 'a', finalizers: ['mine'] }, false, nameIsDNSSubdomain, 'metadata', { kubeFinalizers: true }))).toEqual([
      'metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = {
    name: 'b', namespace: 'n', uid: 'u1', generation: 3, resourceVersion: '5',
    creationTimestamp: '2024-01-01T00:00:00Z', finalizers: ['a/b'],
  };

  it('accepts an unchanged object', () => {
    expect(validateObjectMetaUpdate({ ...old }, old)).toEqual([]);
  });

  it('rejects changes to immutable fields', () => {
    const errs = validateObjectMetaUpdate({
      name: 'c', namespace: 'm', uid: 'u2', generation: 2, creationTimestamp: '2024-01-02T00:00:00Z',
      deletionTimestamp: '2024-01-03T00:00:00Z', deletionGracePeriodSeconds: 30,
    }, old);
    expect(strs(errs)).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 2: must not be decremented',
      'metadata.name: Invalid value: "c": field is immutable',
      'metadata.namespace: Invalid value: "m": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: "2024-01-02T00:00:00Z": field is immutable',
      'metadata.deletionTimestamp: Invalid value: "2024-01-03T00:00:00Z": field is immutable',
      'metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable',
    ]);
  });

  it('prints cleared deletion fields as null', () => {
    const deleting = { ...old, deletionTimestamp: '2024-01-02T00:00:00Z', deletionGracePeriodSeconds: 30 };
    expect(strs(validateObjectMetaUpdate({ ...old }, deleting))).toEqual([
      'metadata.deletionTimestamp: Invalid value: null: field is immutable',
      'metadata.deletionGracePeriodSeconds: Invalid value: null: field is immutable',
    ]);
  });

  it('forbids new finalizers while the object is being deleted', () => {
    const deleting = { ...old, deletionTimestamp: '2024-01-02T00:00:00Z' };
    expect(strs(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/b', 'z/c', 'b/x'] }, deleting))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b/x", "z/c"}',
    ]);
    expect(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting)).toEqual([]);
    expect(validateObjectMetaUpdate({ ...old, finalizers: ['new/one'] }, old)).toEqual([]);
  });

  it('treats equal instants as equal timestamps', () => {
    expect(validateObjectMetaUpdate({ ...old, creationTimestamp: '2024-01-01T00:00:00.000Z' }, old)).toEqual([]);
  });
});

describe('goQuote', () => {
  it.each([
    ['a', '"a"'], ['a"b', '"a\\"b"'], ['a\\b', '"a\\\\b"'], ['\n\t', '"\\n\\t"'], ['\x07', '"\\a"'], ['\x01', '"\\x01"'],
    ['é', '"é"'], ['\u200b', '"\\u200b"'], ['\u{1F600}', '"\u{1F600}"'], ['\x7f', '"\\x7f"'],
  ])('goQuote(%j) = %s', (s, want) => expect(goQuote(s)).toBe(want));
});
