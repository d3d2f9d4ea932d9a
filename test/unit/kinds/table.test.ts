import { describe, expect, it } from 'vitest';
import { defaultTableConvertor, formatRFC3339, humanDuration, tableConvertorOf, translateTimestampSince } from '../../../src/registry/table.js';
import { builtinResources } from '../../../src/registry/builtin.js';
import { NOW, ago } from './helpers.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (duration.HumanDuration)', () => {
  it.each([
    [S, '1s'], [70 * S, '70s'], [190 * S, '3m10s'], [70 * M, '70m'], [47 * H, '47h'], [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'], [367 * D, '367d'], [(365 * 2 * 24 + 25) * H, '2y1d'], [(365 * 8 * 24 + 2) * H, '8y'],
  ])('%d ms -> %s', (ms, want) => expect(humanDuration(ms)).toBe(want));

  it.each([
    [-2 * S, '<invalid>'], [-2 * S + 1, '0s'], [0, '0s'], [S - 1, '0s'], [2 * M - 1, '119s'], [2 * M, '2m'],
    [2 * M + S, '2m1s'], [10 * M - 1, '9m59s'], [10 * M, '10m'], [10 * M + S, '10m'], [3 * H - 1, '179m'], [3 * H, '3h'],
    [3 * H + M, '3h1m'], [8 * H - 1, '7h59m'], [8 * H, '8h'], [8 * H + 59 * M, '8h'], [2 * D - 1, '47h'], [2 * D, '2d'],
    [2 * D + H, '2d1h'], [8 * D - 1, '7d23h'], [8 * D, '8d'], [8 * D + 23 * H, '8d'], [2 * 365 * D - 1, '729d'],
    [2 * 365 * D, '2y'], [2 * 365 * D + 23 * H, '2y'], [2 * 365 * D + D, '2y1d'], [3 * 365 * D, '3y'],
    [8 * 365 * D - 1, '7y364d'], [8 * 365 * D, '8y'], [100 * 365 * D, '100y'],
  ])('boundary %d ms -> %s', (ms, want) => expect(humanDuration(ms)).toBe(want));
});

describe('translateTimestampSince', () => {
  it('renders the age of a timestamp', () => {
    expect(translateTimestampSince(ago(5), NOW)).toBe('5s');
    expect(translateTimestampSince(ago(182), NOW)).toBe('3m2s');
    expect(translateTimestampSince(ago(2 * 86400 + 3 * 3600), NOW)).toBe('2d3h');
  });
  it('is <unknown> for unset times', () => {
    expect(translateTimestampSince(undefined, NOW)).toBe('<unknown>');
    expect(translateTimestampSince(null, NOW)).toBe('<unknown>');
    expect(translateTimestampSince('0001-01-01T00:00:00Z', NOW)).toBe('<unknown>');
  });
  it('accepts MicroTime values', () => {
    expect(translateTimestampSince('2024-05-01T11:59:30.123456Z', NOW)).toBe('29s');
  });
});

describe('default table convertor (rest.NewDefaultTableConvertor)', () => {
  it('has Name and Created At columns', () => {
    expect(defaultTableConvertor.columns.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ['Name', 'string', 'name', 0], ['Created At', 'date', '', 0],
    ]);
    expect(defaultTableConvertor.columns[0]!.description).toMatch(/^Name must be unique within a namespace\. /);
    expect(defaultTableConvertor.columns[1]!.description).toMatch(/^CreationTimestamp is a timestamp/);
  });
  it('prints the name and the RFC 3339 creation time', () => {
    expect(defaultTableConvertor.cells({ metadata: { name: 'x', creationTimestamp: '2024-05-01T10:00:00Z' } }, NOW))
      .toEqual(['x', '2024-05-01T10:00:00Z']);
    expect(defaultTableConvertor.cells({ metadata: { name: 'x' } }, NOW)).toEqual(['x', '0001-01-01T00:00:00Z']);
    expect(formatRFC3339('2024-05-01T10:00:00.5+02:00')).toBe('2024-05-01T08:00:00Z');
  });
  it('is what kinds without a printer use', () => {
    const byResource = new Map(builtinResources.map((t) => [`${t.group}/${t.resource}`, t]));
    for (const r of ['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/clusterroles', '/limitranges']) {
      expect(tableConvertorOf(byResource.get(r)!)).toBe(defaultTableConvertor);
    }
  });
});

describe('column definitions of every kind', () => {
  it('start with a Name column (format name) and have cells for every column', () => {
    for (const t of builtinResources) {
      const table = tableConvertorOf(t);
      const name = table.columns.find((c) => c.name === 'Name')!;
      expect(name.format, t.resource).toBe('name');
      for (const c of table.columns) expect(['string', 'integer', 'number', 'boolean', 'date']).toContain(c.type);
      const cells = table.cells({ metadata: { name: 'n', creationTimestamp: ago(10) } }, NOW);
      expect(cells.length, t.resource).toBe(table.columns.length);
    }
  });
});
