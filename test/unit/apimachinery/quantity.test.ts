import { describe, expect, it } from 'vitest';
import {
  canonicalQuantity, cmpQuantity, isNegative, isZero, parseQuantity, QUANTITY_FORMAT_MESSAGE, QuantityError,
  quantityString, scaledValue, toNumber,
} from '../../../src/apimachinery/quantity.js';

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX = "unable to parse quantity's suffix";

describe('canonicalQuantity matches what kube-apiserver stores', () => {
  it.each([
    // kept as sent: already canonical for kube's int64 fast path
    ['0', '0'], ['1', '1'], ['+1', '+1'], ['-1', '-1'], ['010', '010'], ['100m', '100m'], ['1500m', '1500m'],
    ['1.', '1.'], ['1.G', '1.G'], ['1e3', '1e3'], ['1E3', '1E3'], ['1e6', '1e6'], ['5e-3', '5e-3'], ['5e0', '5e0'],
    ['12E', '12E'], ['1G', '1G'], ['1024', '1024'], ['1Ki', '1Ki'], ['8Ki', '8Ki'], ['1025Ki', '1025Ki'], ['1536Mi', '1536Mi'],
    ['100Gi', '100Gi'], ['16Ti', '16Ti'], ['1023Ti', '1023Ti'], ['3Ei', '3Ei'], ['4Pi', '4Pi'],
    // rewritten in canonical form
    ['1000m', '1'], ['2000m', '2'], ['0.5', '500m'], ['.5', '500m'], ['1.5', '1500m'], ['1.5k', '1500'], ['1.2e3', '1200'],
    ['1.3E+6', '1300e3'], ['1024Mi', '1Gi'], ['-1024Mi', '-1Gi'], ['0.5Ki', '512'], ['0.5Mi', '512Ki'], ['1.5Ki', '1536'],
    ['-0.5Ki', '-512'], ['100.035Ki', '102435840m'], ['1000k', '1M'], ['1000000', '1M'], ['-1.5', '-1500m'],
    ['50e-1', '5'], ['0.5e0', '500e-3'], ['0.5e-1', '50e-3'],
    // zeroes of every spelling
    ['-0', '0'], ['+0', '0'], ['0.0', '0'], ['0m', '0'], ['0Ki', '0'], ['0e3', '0'], ['-', '0'], ['+', '0'], ['.', '0'], ['e3', '0'],
    // rounding up to a nano
    ['3.001n', '4n'], ['0.0000000001', '1n'], ['0.00000012345', '124n'], ['1.1E-9', '2e-9'], ['1e-10', '1e-9'],
    ['1.e-10', '1e-9'], ['.5e-10', '1e-9'], ['0.000000000001Ki', '2n'],
    // big values: binary ones saturate at the int64 maximum
    ['9Ei', '9223372036854775807'], ['8Ei', '9223372036854775807'], ['9223372036854775807Ki', '9223372036854775807'],
    ['123456789012345678901', '123456789012345678901'], ['12345678901234567.8', '12345678901234567800m'],
    // kube has no suffix for 10^21 and prints the bare mantissa
    ['1000E', '1'],
  ])('%j -> %j', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });

  it('trims surrounding spaces like UnmarshalJSON and accepts JSON numbers', () => {
    expect(canonicalQuantity(' 1000m ')).toBe('1');
    expect(canonicalQuantity(2)).toBe('2');
    expect(canonicalQuantity(0.5)).toBe('500m');
  });
});

describe('parseQuantity errors', () => {
  it.each([
    ['', FORMAT], [' 1', FORMAT], ['1 ', FORMAT], ['1.1.M', FORMAT], ['aoeu', FORMAT], ['1+1.0M', FORMAT],
    ['-3.01e-', SUFFIX], ['.5i', SUFFIX], ['1i', SUFFIX], ['1mi', SUFFIX], ['0.1am', FORMAT], ['1e', SUFFIX], ['1ki', SUFFIX], ['1K', SUFFIX],
    ['1e99999999999999999999', SUFFIX],
  ])('%j: %s', (input, message) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
    expect(() => parseQuantity(input)).toThrow(message);
  });

  it('exports the format message', () => {
    expect(QUANTITY_FORMAT_MESSAGE).toBe(FORMAT);
  });
});

describe('parsed values', () => {
  it.each([
    ['1', 1n, 0, 'DecimalSI'], ['5n', 5n, -9, 'DecimalSI'], ['50k', 50n, 3, 'DecimalSI'], ['1Ki', 1024n, 0, 'BinarySI'],
    ['1e3', 1n, 3, 'DecimalExponent'], ['0.5', 5n, -1, 'DecimalSI'], ['0.000000000001Ki', 2n, -9, 'DecimalSI'],
  ] as const)('%j', (input, unscaled, exponent, format) => {
    const q = parseQuantity(input);
    expect(cmpQuantity(q, { unscaled, exponent, format })).toBe(0);
    expect(q.format).toBe(format);
  });
});

describe('comparison and conversions', () => {
  it.each([
    ['1', '1000m', 0], ['1Ki', '1024', 0], ['1k', '1Ki', -1], ['2', '1', 1], ['-1', '1', -1], ['0', '-0', 0],
    ['1e3', '1k', 0], ['100m', '0.1', 0], ['1n', '0', 1], ['9Ei', '8Ei', 0], ['1e2000', '1e1999', 1], ['-1e2000', '1', -1],
  ])('cmp(%j, %j) = %d', (a, b, want) => expect(cmpQuantity(a, b)).toBe(want));

  it('reports sign and zero', () => {
    expect(isNegative('-1m')).toBe(true);
    expect(isNegative('0')).toBe(false);
    expect(isNegative('-0')).toBe(false);
    expect(isZero('0Mi')).toBe(true);
    expect(isZero('1n')).toBe(false);
  });

  it('converts to numbers', () => {
    expect(toNumber('1.5')).toBe(1.5);
    expect(toNumber('1Ki')).toBe(1024);
    expect(toNumber('100m')).toBeCloseTo(0.1);
    expect(toNumber('-2G')).toBe(-2e9);
  });

  it('scales values rounding away from zero', () => {
    expect(scaledValue('1500m')).toBe(2n);
    expect(scaledValue('1500m', -3)).toBe(1500n);
    expect(scaledValue('1.0001', -3)).toBe(1001n);
    expect(scaledValue('2Ki')).toBe(2048n);
    expect(scaledValue('1k', 3)).toBe(1n);
    expect(scaledValue('-1500m')).toBe(-2n);
  });

  it('prints parsed quantities', () => {
    expect(quantityString(parseQuantity('1024Mi'))).toBe('1Gi');
    expect(quantityString({ unscaled: 1536n, exponent: 0, format: 'BinarySI' })).toBe('1536');
    expect(quantityString({ unscaled: 3n, exponent: -1, format: 'BinarySI' })).toBe('300m');
    expect(quantityString({ unscaled: 1048576n, exponent: 0, format: 'BinarySI' })).toBe('1Mi');
    expect(quantityString({ unscaled: 12n, exponent: 5, format: 'DecimalExponent' })).toBe('1200e3');
  });
});
