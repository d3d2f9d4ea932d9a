import { describe, expect, it } from 'vitest';
import {
  executeJSONPath, findResults, parseJSONPath, selectableFieldReader, type JSONPathProgram,
} from '../../../src/apiextensions/jsonpath.js';

// The expectations below are what client-go v0.34.10's jsonpath (Parse + Execute on the object
// decoded as unstructured) printed for the same templates and object; only outputs that depend on
// Go's random map order are left out.
const obj = {
  kind: 'Widget', apiVersion: 'example.com/v1',
  metadata: { name: 'w1', namespace: 'ns', labels: { app: 'web', tier: 'fe' }, creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: {
    replicas: 3, ratio: 1.5, big: 1234567.5, small: 0.00001, huge: 1e21, enabled: true, nothing: null, name: 'a<b>&c', empty: '',
    list: [1, 2, 3, 4, 5], strs: ['x', 'y'], nested: { a: { b: 'deep' } }, objs: [{ name: 'a', v: 1 }, { name: 'b', v: 2.5 }, { name: 'c' }],
    emptyList: [], emptyObj: {}, 'dot.key': 'dk', uni: 'héllo',
  },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ok' }, { type: 'Synced', status: 'False' }], replicas: 2 },
};

type Want = { text: string } | { err: string } | { parseErr: string };

function run(template: string, allowMissingKeys: boolean, data: unknown = obj): Want {
  const p = parseJSONPath(template);
  if (p.error !== undefined) return { parseErr: p.error };
  try {
    return { text: executeJSONPath(p.program, data, { allowMissingKeys }) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

describe('jsonpath: as client-go parses and prints', () => {
  it.each<[string, 'both' | 'strict' | 'allowMissing', Want]>([
    ["{.kind}", "both", {"text":"Widget"}],
    ["{.metadata.name}", "both", {"text":"w1"}],
    ["{.spec.replicas}", "both", {"text":"3"}],
    ["{.spec.ratio}", "both", {"text":"1.5"}],
    ["{.spec.big}", "both", {"text":"1.2345675e+06"}],
    ["{.spec.small}", "both", {"text":"1e-05"}],
    ["{.spec.huge}", "both", {"text":"1e+21"}],
    ["{.spec.enabled}", "both", {"text":"true"}],
    ["{.spec.nothing}", "both", {"text":"null"}],
    ["{.spec.name}", "both", {"text":"a<b>&c"}],
    ["{.spec.list}", "both", {"text":"[1,2,3,4,5]"}],
    ["{.spec.nested}", "both", {"text":"{\"a\":{\"b\":\"deep\"}}"}],
    ["{.spec.objs}", "both", {"text":"[{\"name\":\"a\",\"v\":1},{\"name\":\"b\",\"v\":2.5},{\"name\":\"c\"}]"}],
    ["{.spec.emptyList}", "both", {"text":"[]"}],
    ["{.spec.emptyObj}", "both", {"text":"{}"}],
    ["{.spec.missing}", "strict", {"err":"missing is not found"}],
    ["{.spec.missing}", "allowMissing", {"text":""}],
    ["{.spec.missing.deeper}", "strict", {"err":"missing is not found"}],
    ["{.spec.missing.deeper}", "allowMissing", {"text":""}],
    ["{.spec.list[0]}", "both", {"text":"1"}],
    ["{.spec.list[-1]}", "both", {"text":"5"}],
    ["{.spec.list[1:3]}", "both", {"text":"2 3"}],
    ["{.spec.list[::2]}", "both", {"text":"1 3 5"}],
    ["{.spec.list[5]}", "both", {"err":"array index out of bounds: index 5, length 5"}],
    ["{.spec.list[-6]}", "both", {"err":"array index out of bounds: index -1, length 5"}],
    ["{.spec.list[2:1]}", "both", {"err":"starting index 2 is greater than ending index 1"}],
    ["{.spec.list[1:1]}", "both", {"text":""}],
    ["{.spec.list[0:10]}", "both", {"err":"array index out of bounds: index 9, length 5"}],
    ["{.spec.list[*]}", "both", {"text":"1 2 3 4 5"}],
    ["{.spec.list[]}", "both", {"text":"1"}],
    ["{.spec.list[0,2]}", "both", {"text":"1 3"}],
    ["{.spec.list[::0]}", "both", {"err":"step must be > 0"}],
    ["{.spec.list[-]}", "both", {"parseErr":"array index - is not a number"}],
    ["{.spec.list[a]}", "both", {"parseErr":"invalid array index a"}],
    ["{.spec.list[}", "both", {"parseErr":"unterminated array"}],
    ["{.spec.objs[*].name}", "both", {"text":"a b c"}],
    ["{.spec.objs[*].v}", "both", {"text":"1 2.5"}],
    ["{.spec.objs[?(@.name==\"b\")].v}", "both", {"text":"2.5"}],
    ["{.spec.objs[?(@.v)].name}", "both", {"text":"a b"}],
    ["{.spec.objs[?(@.v>1)].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.objs[?(@.v==1)].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.objs[?(@.v==2.5)].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.objs[?(@.v<2)].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.objs[?(@.name!=\"a\")].name}", "both", {"text":"b c"}],
    ["{.spec.objs[?(@.name>\"a\")].name}", "both", {"text":"b c"}],
    ["{.spec.objs[?(@.name==a)].name}", "both", {"err":"unrecognized identifier a"}],
    ["{.status.conditions[?(@.type==\"Ready\")].status}", "both", {"text":"True"}],
    ["{.status.conditions[?(@.type=='Synced')].status}", "both", {"text":"False"}],
    ["{.status.conditions[?(@.type==\"Nope\")].status}", "both", {"text":""}],
    ["{..type}", "both", {"text":"Ready Synced"}],
    ["{.spec..b}", "both", {"text":"deep"}],
    ["{.metadata.labels.*}", "both", {"text":"web fe"}],
    ["{.spec.strs.*}", "both", {"text":"x y"}],
    ["{.spec.name.*}", "both", {"text":"97 60 98 62 38 99"}],
    ["{.metadata.labels['app']}", "both", {"text":"web"}],
    ["{.spec['dot.key']}", "strict", {"err":"dot is not found"}],
    ["{.spec['dot.key']}", "allowMissing", {"text":""}],
    ["{.spec.dot\\.key}", "both", {"text":"dk"}],
    ["{.spec.uni}", "both", {"text":"héllo"}],
    ["text {.kind} more", "both", {"text":"text Widget more"}],
    ["{.kind} {.metadata.name}", "both", {"text":"Widget w1"}],
    ["{\"quoted\"}", "both", {"text":"quoted"}],
    ["{'single'}", "both", {"text":"single"}],
    ["{\"a\\\"b\"}", "both", {"text":"a\"b"}],
    ["{\"\\u00e9\\t\"}", "both", {"text":"é\t"}],
    ["{\"bad\\q\"}", "both", {"parseErr":"unquote string \"bad\\q\" error invalid syntax"}],
    ["{1}", "both", {"text":"1"}],
    ["{1.5}", "both", {"text":"1.5"}],
    ["{-2}", "both", {"text":"-2"}],
    ["{true}", "both", {"text":"true"}],
    ["{foo}", "both", {"err":"unrecognized identifier foo"}],
    ["{range .spec.objs[*]}{.name},{end}", "both", {"text":"a,b,c,"}],
    ["{range .spec.list[*]}[{@}]{end}", "both", {"text":"[1][2][3][4][5]"}],
    ["{end}", "both", {"err":"not in range, nothing to end"}],
    ["{range .spec.emptyList[*]}x{end}y", "both", {"text":"y"}],
    ["{", "both", {"parseErr":"unclosed action"}],
    ["{.a", "both", {"parseErr":"unclosed action"}],
    ["{.a[?(@.x==1)}", "both", {"parseErr":"unclosed array expect ]"}],
    ["{.a[?(@.x==1", "both", {"parseErr":"unterminated filter"}],
    ["{....a}", "both", {"parseErr":"invalid multiple recursive descent"}],
    ["{..a..b}", "both", {"text":"deep"}],
    ["{.a!}", "strict", {"err":"a! is not found"}],
    ["{.a!}", "allowMissing", {"text":""}],
    ["{\"abc}", "both", {"parseErr":"unterminated quoted string"}],
    ["{1.2.3}", "both", {"parseErr":"cannot parse number 1.2.3"}],
    ["{+}", "both", {"parseErr":"cannot parse number +"}],
    ["{.spec.list[1:2:3:4]}", "both", {"parseErr":"invalid array index 1:2:3:4"}],
    ["{.spec.replicas[0]}", "both", {"err":"int64 is not array or slice"}],
    ["{.spec.name[?(@.x)]}", "both", {"err":"a<b>&c is not array or slice and cannot be filtered"}],
    ["{.spec.nothing[0]}", "both", {"text":""}],
    ["{.spec.objs[?(@.v>\"a\")].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.objs[?(@.name=~\"a\")].name}", "both", {"parseErr":"unrecognized character in action: U+007E '~'"}],
    ["{.spec.objs[?(@.name==@.name)].name}", "both", {"text":"a b c"}],
    ["{.spec.objs[?(@.x.y)].name}", "both", {"text":""}],
    ["{.spec.objs[?(@.v==true)].name}", "both", {"err":"incompatible types for comparison"}],
    ["{.spec.list[?(@==2)]}", "both", {"text":"2"}],
    ["{.spec.list[?(@>2)]}", "both", {"text":"3 4 5"}],
    ["{$.kind}", "both", {"text":"Widget"}],
    ["{@.kind}", "both", {"text":"Widget"}],
    ["{ .kind }", "both", {"text":"Widget"}],
    ["{.metadata.labels}", "both", {"text":"{\"app\":\"web\",\"tier\":\"fe\"}"}],
    ["{.status.conditions[0]}", "both", {"text":"{\"reason\":\"Ok\",\"status\":\"True\",\"type\":\"Ready\"}"}],
    ["{.spec.objs[?(@.v)].v}", "both", {"text":"1 2.5"}],
    ["{.spec.strs[?(@==\"y\")]}", "both", {"text":"y"}],
    ["{.spec.objs[*]['name']}", "both", {"text":"a b c"}],
    ["{.spec.objs[-1:].name}", "both", {"text":"c"}],
    ["{.spec.list[:2]}", "both", {"text":"1 2"}],
    ["{.spec.list[3:]}", "both", {"text":"4 5"}],
    ["{.spec.list[-2:]}", "both", {"text":"4 5"}],
    ["{.spec.list[0:0]}", "both", {"text":""}],
    ["{.spec.emptyList[0]}", "both", {"err":"array index out of bounds: index 0, length 0"}],
    ["{.spec.emptyList[*]}", "both", {"text":""}],
  ])('%s (%s)', (template, mode, want) => {
    if (mode !== 'allowMissing') expect(run(template, false)).toEqual(want);
    if (mode !== 'strict') expect(run(template, true)).toEqual(want);
  });

  it('recursive descent visits every value below (order of map keys aside)', () => {
    const p = parseJSONPath('{..name}').program!;
    expect(findResults(p, obj, { allowMissingKeys: true })[0]!.sort()).toEqual(['a', 'a<b>&c', 'b', 'c', 'w1']);
  });

  it('a parsed program is frozen and evaluates the same for every object (no state kept)', () => {
    const p: JSONPathProgram = parseJSONPath('{range .items[*]}{.n}{end}').program!;
    expect(Object.isFrozen(p) && Object.isFrozen(p.root.nodes)).toBe(true);
    expect(executeJSONPath(p, { items: [{ n: 1 }, { n: 2 }] })).toBe('12');
    expect(executeJSONPath(p, { items: [{ n: 3 }] })).toBe('3');
  });

  it('findResults gives one list per action, values as decoded', () => {
    const p = parseJSONPath('x{.spec.list[0:2]}{.spec.nested}').program!;
    expect(findResults(p, obj)).toEqual([['x'], [1, 2], [{ a: { b: 'deep' } }]]);
  });
});

// Paths with escapes, unions, nested ranges and filters, over a second object (client-go's outputs too).
const obj2 = {
  kind: 'K', apiVersion: 'v1',
  a: {
    'b.c': 1, 'x y': 2, 'é': 'acc', arr: [[1, 2], [3, 4]], objs: [{ n: 'a', t: ['x'] }, { n: 'b', t: [] }, { n: null }],
    s: 'str', f: 2.0, neg: -1, t: true, big: 9007199254740993,
  },
};

describe('jsonpath: more of client-go\'s grammar', () => {
  it.each<[string, 'both' | 'strict' | 'allowMissing', Want]>([
    ["{.a['b.c']}", "strict", {"err":"b is not found"}],
    ["{.a['b.c']}", "allowMissing", {"text":""}],
    ["{.a.b\\.c}", "both", {"text":"1"}],
    ["{.a['x y']}", "strict", {"err":"x is not found"}],
    ["{.a['x y']}", "allowMissing", {"err":"unrecognized identifier y"}],
    ["{.a.x y}", "strict", {"err":"x is not found"}],
    ["{.a.x y}", "allowMissing", {"err":"unrecognized identifier y"}],
    ["{.a.é}", "both", {"text":"acc"}],
    ["{.a['é']}", "both", {"text":"acc"}],
    ["{.a.arr[*][0]}", "both", {"text":"1 3"}],
    ["{.a.arr[0][*]}", "both", {"text":"1 2"}],
    ["{.a.arr[-1][-1]}", "both", {"text":"4"}],
    ["{.a.arr[0:2][1]}", "both", {"text":"2 4"}],
    ["{.a.objs[?(@.n)].n}", "both", {"text":"a b null"}],
    ["{.a.objs[?(@.n==\"a\")].t[0]}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[?(@.t[0]==\"x\")].n}", "both", {"err":"array index out of bounds: index 0, length 0"}],
    ["{.a.objs[?(@.n!=\"a\")].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[*].t[*]}", "both", {"text":"x"}],
    ["{.a.objs[0,1].n}", "both", {"text":"a b"}],
    ["{.a.objs[0]['n','t']}", "both", {"text":"a [\"x\"]"}],
    ["{.a.f}", "both", {"text":"2"}],
    ["{.a.neg}", "both", {"text":"-1"}],
    ["{.a.t}", "both", {"text":"true"}],
    ["{.a.big}", "both", {"text":"9007199254740992"}],
    ["{.a.objs[?(@.n==null)].n}", "both", {"err":"unrecognized identifier null"}],
    ["{.a.objs[2].n}", "both", {"text":"null"}],
    ["{.a.s[0]}", "both", {"err":"string is not array or slice"}],
    ["{.a.s.*}", "both", {"text":"115 116 114"}],
    ["{range .a.objs[*]}{.n}{range .t[*]}<{@}>{end};{end}", "strict", {"err":"t is not found"}],
    ["{range .a.objs[*]}{.n}{range .t[*]}<{@}>{end};{end}", "allowMissing", {"text":"a<x>;b;null;"}],
    ["{range .a.arr[*]}{range @[*]}{@},{end}|{end}", "both", {"text":"1,2,|3,4,|"}],
    ["{range .a.objs[*]}{.n}", "strict", {"err":"n is not found"}],
    ["{range .a.objs[*]}{.n}", "allowMissing", {"text":"abnull"}],
    ["{.a.objs[?(@.n<\"b\")].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[?(@.n>=\"b\")].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[?(@.n<='a')].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.neg[?(@)]}", "both", {"err":"-1 is not array or slice and cannot be filtered"}],
    ["{.a.arr[?(@[0]==3)]}", "both", {"text":"[3,4]"}],
    ["{.a.objs[?(@.n == \"a\")].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[?( @.n==\"a\" )].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a.f[?(@==2)]}", "both", {"err":"2 is not array or slice and cannot be filtered"}],
    ["{.a.objs[?(@.n==\"a\\\"b\")].n}", "both", {"err":"invalid type for comparison"}],
    ["{.a..n}", "both", {"text":"a b null"}],
    ["{..t[0]}", "both", {"err":"bool is not array or slice"}],
    ["{.a.objs..n}", "both", {"text":"a b null"}],
    ["{.a.arr[0][1:]}", "both", {"text":"2"}],
    ["{.a.arr[1][:-1]}", "both", {"text":"3"}],
    ["{.a.arr[1][-5:]}", "both", {"err":"array index out of bounds: index -3, length 2"}],
    ["{.a.arr[1][0:-3]}", "both", {"err":"array index out of bounds: index -2, length 2"}],
    ["{.a.arr[1][::-1]}", "both", {"err":"step must be > 0"}],
    ["{.a.arr[1][1:0]}", "both", {"err":"starting index 1 is greater than ending index 0"}],
    ["{.}", "strict", {"err":" is not found"}],
    ["{.}", "allowMissing", {"text":""}],
    ["{.a.objs[*][\"n\"]}", "both", {"parseErr":"invalid array index \"n\""}],
    ["{.a.objs[?(@.n==\"a\")]}", "both", {"err":"invalid type for comparison"}],
    ["{.a.objs[0].t}", "both", {"text":"[\"x\"]"}],
    ["{\"}\"}", "both", {"text":"}"}],
    ["{'a\\'b'}", "both", {"text":"a'b"}],
    ["{\"\\x41\\101\\u0041\"}", "both", {"text":"AAA"}],
    ["{\"\\z\"}", "both", {"parseErr":"unquote string \"\\z\" error invalid syntax"}],
    ["{.a.objs[?@.n]}", "both", {"parseErr":"invalid array index ?@.n"}],
    ["{.a.objs[?(@.n==\"a\"]}", "both", {"parseErr":"unterminated filter"}],
    ["{.a.objs[?(@.n=='a)]}", "both", {"parseErr":"unterminated filter"}],
    ["{.a[0:1,2]}", "both", {"err":"map[string]interface {} is not array or slice"}],
    ["{.a.arr[0, 1][0]}", "both", {"text":"1 3"}],
    ["{range}", "both", {"text":""}],
    ["{range .a.arr}{end}{end}", "both", {"err":"not in range, nothing to end"}],
    ["{.a.arr[*].x}", "strict", {"err":"x is not found"}],
    ["{.a.arr[*].x}", "allowMissing", {"text":""}],
    ["{.a.x}{.a.s}", "strict", {"err":"x is not found"}],
    ["{.a.x}{.a.s}", "allowMissing", {"text":"str"}],
    ["{.a.s}{.a.x}", "strict", {"err":"x is not found"}],
    ["{.a.s}{.a.x}", "allowMissing", {"text":"str"}],
    ["{.a.}", "strict", {"err":" is not found"}],
    ["{.a.}", "allowMissing", {"text":""}],
    ["{.a...b}", "strict", {"err":"b is not found"}],
    ["{.a...b}", "allowMissing", {"text":""}],

  ])('%s (%s)', (template, mode, want) => {
    if (mode !== 'allowMissing') expect(run(template, false, obj2)).toEqual(want);
    if (mode !== 'strict') expect(run(template, true, obj2)).toEqual(want);
  });
});

describe('selectableFieldReader: field label values as the custom resource strategy sets them', () => {
  it.each([
    ['.spec.name', 'a<b>&c'], ['.spec.replicas', '3'], ['.spec.ratio', '1.5'], ['.spec.enabled', 'true'],
    ['.spec.nothing', ''], ['.spec.missing', ''], ['.spec.missing.deeper', ''], ['.spec.nested', 'map[a:map[b:deep]]'],
    ['.spec.strs', '[x y]'],
  ])('%s -> %j', (path, want) => {
    expect(selectableFieldReader(path)(obj)).toBe(want);
  });

  it('errors with kube texts', () => {
    expect(() => selectableFieldReader('.spec.list[9]')(obj)).toThrow('unexpected error finding value with jsonPath: array index out of bounds: index 9, length 5');
    expect(() => selectableFieldReader('.spec.a[')(obj)).toThrow('unexpected error parsing jsonPath: unterminated array');
    expect(() => selectableFieldReader('.spec.list[*]')(obj)).toThrow('unexpectedly received more than one JSON path result');
  });
});
