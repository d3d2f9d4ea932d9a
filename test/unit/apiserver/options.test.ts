import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../src/apimachinery/errors.js';
import {
  checkObjectResourceVersion, checkReadResourceVersion, checkTableOptions, goParseIntError, goParseUintError, parseDeleteOptions,
  parseGetOptions, parseListOptions,
} from '../../../src/apiserver/options.js';
import { decodeContinue, encodeContinue } from '../../../src/registry/continue.js';
import { clusterroles } from '../../../src/registry/kinds/clusterroles.js';
import { configmaps } from '../../../src/registry/kinds/configmaps.js';
import { namespaces } from '../../../src/registry/kinds/namespaces.js';
import { secrets } from '../../../src/registry/kinds/secrets.js';

function failure(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
}

const q = (s: string) => new URLSearchParams(s);

describe('strconv texts', () => {
  it('ParseInt and ParseUint', () => {
    expect(goParseIntError('12')).toBeUndefined();
    expect(goParseIntError('-12')).toBeUndefined();
    expect(goParseIntError('abc')).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    expect(goParseIntError('')).toBe('strconv.ParseInt: parsing "": invalid syntax');
    expect(goParseIntError('99999999999999999999')).toBe('strconv.ParseInt: parsing "99999999999999999999": value out of range');
    expect(goParseUintError('-1')).toBe('strconv.ParseUint: parsing "-1": invalid syntax');
    expect(goParseUintError('18446744073709551616')).toBe('strconv.ParseUint: parsing "18446744073709551616": value out of range');
    expect(goParseUintError('007')).toBeUndefined();
  });
});

describe('list options', () => {
  it('integers fail with strconv text only, timeoutSeconds before limit', () => {
    expect(failure(() => parseListOptions(q('limit=abc'), configmaps))).toEqual({ code: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    expect(failure(() => parseListOptions(q('limit='), configmaps)).message).toBe('strconv.ParseInt: parsing "": invalid syntax');
    expect(failure(() => parseListOptions(q('limit=x&timeoutSeconds=y'), configmaps)).message).toBe('strconv.ParseInt: parsing "y": invalid syntax');
  });

  it('field labels: conversion functions say "not supported", the default conversion names what it knows', () => {
    expect(failure(() => parseListOptions(q('fieldSelector=data.a%3Db'), configmaps)).message)
      .toBe('"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect(failure(() => parseListOptions(q('fieldSelector=rules%3Dx'), clusterroles)).message)
      .toBe('"rules" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect(parseListOptions(q('fieldSelector=metadata.namespace%3Dx'), clusterroles).fieldSelector).toBeDefined();
    expect(failure(() => parseListOptions(q('fieldSelector=metadata.namespace%3Dx'), namespaces)).message).toBe('field label not supported: metadata.namespace');
    expect(failure(() => parseListOptions(q('fieldSelector=data%3Dx'), secrets)).message).toBe('field label not supported: data');
    expect(parseListOptions(q('fieldSelector=type%3DOpaque'), secrets).fieldSelector).toBeDefined();
  });

  it('includeObject is only checked when a Table is served', () => {
    const opts = parseGetOptions(q('includeObject=Everything'));
    expect(() => checkTableOptions(opts, {})).not.toThrow();
    expect(failure(() => checkTableOptions(opts, { as: 'Table' })).message)
      .toBe('Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be \'Metadata\', \'Object\', \'None\', or empty');
  });
});

describe('resourceVersion parameters', () => {
  it('reads: a get or watch fails with kube\'s untyped text (a 500 there, a 400 here), a list with 400', () => {
    expect(() => checkReadResourceVersion('0', 'get')).not.toThrow();
    expect(() => checkReadResourceVersion('12', 'list')).not.toThrow();
    expect(failure(() => checkReadResourceVersion('abc', 'get'))).toEqual({
      code: 400, reason: 'BadRequest', message: 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    });
    expect(failure(() => checkReadResourceVersion('-1', 'list'))).toEqual({
      code: 400, reason: 'BadRequest', message: 'invalid resource version: resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax',
    });
  });

  it('writes: the object resourceVersion', () => {
    expect(() => checkObjectResourceVersion(undefined)).not.toThrow();
    expect(failure(() => checkObjectResourceVersion('abc'))).toEqual({ code: 400, reason: 'BadRequest', message: 'strconv.ParseUint: parsing "abc": invalid syntax' });
  });
});

describe('delete options', () => {
  it('come from the body alone when there is one', () => {
    expect(parseDeleteOptions(q('dryRun=Maybe&gracePeriodSeconds=x'), { body: { dryRun: ['All'], gracePeriodSeconds: 3 } }))
      .toEqual({ dryRun: true, gracePeriodSeconds: 3 });
    expect(parseDeleteOptions(q('dryRun=All&gracePeriodSeconds=0&propagationPolicy=Orphan'), {}))
      .toEqual({ dryRun: true, gracePeriodSeconds: 0, propagationPolicy: 'Orphan' });
    expect(failure(() => parseDeleteOptions(q('gracePeriodSeconds=x'), {})).message).toBe('strconv.ParseInt: parsing "x": invalid syntax');
  });
});

describe('continue tokens', () => {
  const bad = (token: string) => failure(() => decodeContinue(token)).message;
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  it('round-trips', () => {
    expect(decodeContinue(encodeContinue('ns/name', 42))).toEqual({ after: 'ns/name', revision: 42 });
  });
  it.each([
    ['garbage', "invalid character '\\u0081' looking for beginning of value"],
    ['a', 'illegal base64 data at input byte 0'],
    ['ab=c', 'illegal base64 data at input byte 2'],
    [b64('[]'), 'json: cannot unmarshal array into Go value of type storage.continueToken'],
    [b64('{"v":1}'), 'json: cannot unmarshal number into Go struct field continueToken.v of type string'],
    [b64('{"rv":1.5}'), 'json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64'],
    [b64('null'), 'server does not recognize this encoded version '],
    [b64('{"v":"meta.k8s.io/v2","rv":3,"start":"x"}'), 'server does not recognize this encoded version meta.k8s.io/v2'],
    [b64('{"v":"meta.k8s.io/v1","rv":0,"start":"x"}'), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
    [b64('{"v":"meta.k8s.io/v1","rv":3,"start":""}'), 'encoded start key empty (version meta.k8s.io/v1)'],
    [b64('{"v":"meta.k8s.io/v1","rv":3,"start":"../x"}'), '../x'],
  ])('%s', (token, message) => {
    expect(bad(token)).toBe(`invalid continue token: continue key is not valid: ${message}`);
  });
  it('matches field names case-insensitively, like encoding/json', () => {
    expect(decodeContinue(b64('{"V":"meta.k8s.io/v1","RV":-1,"Start":"a\\u0000"}'))).toEqual({ after: 'a', revision: -1 });
  });
});
