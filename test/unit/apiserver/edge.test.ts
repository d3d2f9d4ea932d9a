// The request target and query as Go's net/http reads them for kube-apiserver, and the meta
// scheme's verdict on a DeleteOptions body's kind.

import { describe, expect, it } from 'vitest';
import { checkDeleteOptionsTypeMeta } from '../../../src/apiserver/deleteoptions.js';
import { parseQuery, parseRequestTarget } from '../../../src/apiserver/edge.js';

describe('parseRequestTarget', () => {
  it('decodes the path once and never cleans it', () => {
    expect(parseRequestTarget('/clusters/root%3Aacme/api')?.path).toBe('/clusters/root:acme/api');
    expect(parseRequestTarget('/clusters/root%3aacme/api')?.path).toBe('/clusters/root:acme/api');
    expect(parseRequestTarget('/a/../b/./c//d/')?.path).toBe('/a/../b/./c//d/');
    expect(parseRequestTarget('/ns/default%2Fconfigmaps')?.path).toBe('/ns/default/configmaps');
    expect(parseRequestTarget('/x%252F')?.path).toBe('/x%2F');
    expect(parseRequestTarget('/x%FF')?.path).toBe('/x\ufffd');
    expect(parseRequestTarget('/x+y')?.path).toBe('/x+y');
  });

  it('refuses a malformed escape anywhere in the path, but not in the query', () => {
    for (const bad of ['/%ZZ', '/a%', '/a%2', '/%G0/x']) expect(parseRequestTarget(bad), bad).toBeUndefined();
    expect(parseRequestTarget('/ok?x=%ZZ')?.path).toBe('/ok');
  });

  it('takes the path of an absolute-form target', () => {
    expect(parseRequestTarget('https://host:6443/clusters/root/api?x=1')?.path).toBe('/clusters/root/api');
    expect(parseRequestTarget('*')?.path).toBe('*');
    expect(parseRequestTarget('api')).toBeUndefined();
  });
});

describe('parseQuery', () => {
  it('keeps what url.ParseQuery keeps', () => {
    const q = parseQuery('a=1&b=%ZZ&c=x;y&d=a+b&e&=f&a=2');
    expect([...q.entries()]).toEqual([['a', '1'], ['d', 'a b'], ['e', ''], ['', 'f'], ['a', '2']]);
  });
});

describe('checkDeleteOptionsTypeMeta', () => {
  const verdict = (apiVersion: string, kind: string) => {
    try {
      checkDeleteOptionsTypeMeta({ apiVersion, kind });
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('takes DeleteOptions of any version and a body without kind', () => {
    for (const v of ['v1', 'v9', 'meta.k8s.io/v1', 'nope.example.com/v1', '']) expect(verdict(v, 'DeleteOptions')).toBe('ok');
    expect(verdict('v1', '')).toBe('ok');
  });

  it('refuses other kinds with the scheme\'s own words', () => {
    expect(verdict('v1', 'Pod')).toBe('no kind "Pod" is registered for version "v1" in scheme "pkg/runtime/scheme.go:110"');
    expect(verdict('v1', 'GetOptions')).toBe('no kind "GetOptions" is registered for version "v1" in scheme "pkg/runtime/scheme.go:110"');
    expect(verdict('meta.k8s.io/v1', 'GetOptions')).toBe('converting (v1.GetOptions) to (v1.DeleteOptions): unknown conversion');
    expect(verdict('apps/v1', 'Status')).toBe('converting (v1.Status) to (v1.DeleteOptions): unknown conversion');
    expect(verdict('v1', 'CreateOptions')).toBe('converting (v1.CreateOptions) to (v1.DeleteOptions): unknown conversion');
    expect(verdict('a/b/c', 'DeleteOptions')).toBe('unexpected GroupVersion string: a/b/c');
  });
});
