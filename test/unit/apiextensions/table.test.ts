import { describe, expect, it } from 'vitest';
import { DEFAULT_PRINTER_COLUMNS, printerColumnsTable } from '../../../src/apiextensions/table.js';
import type { CustomResourceColumnDefinition } from '../../../src/apiextensions/types.js';
import type { KubeObject } from '../../../src/apimachinery/object.js';
import { CREATION_TIMESTAMP_DESCRIPTION, NAME_DESCRIPTION } from '../../../src/registry/table.js';

// Cells as apiextensions-apiserver v0.34.10's tableconvertor rendered them for the same object
// (columns of each type over each path); the date cells are for `now` below.
const now = new Date('2002-03-05T05:06:07Z');
const obj = {
  kind: 'Widget', apiVersion: 'example.com/v1',
  metadata: { name: 'w1', creationTimestamp: '2001-01-01T00:00:00Z' },
  spec: {
    replicas: 3, ratio: 1.5, big: 1e20, neg: -2.7, on: true, s: 'str', n: null, list: [1, 2], obj: { b: 1, a: '<x>' }, strs: ['a', 'b'],
    when: '2002-03-04T05:06:07Z', frac: '2002-03-04T05:06:07.123Z', off: '2002-03-04T05:06:07+02:00', bad: '2002-03-04', empty: '',
    nul: 'null', zero: '0001-01-01T00:00:00Z', future: '2999-01-01T00:00:00Z', numstr: '5',
    conds: [{ type: 'Ready', status: 'True' }, { type: 'X', status: 'False' }],
  },
} as KubeObject;

const TYPES = ['string', 'integer', 'number', 'boolean', 'date'] as const;

describe('printerColumnsTable: cells', () => {
  it.each<[string, unknown[]]>([
    ['.spec.replicas', ['3', 3, 3, null, null]],
    ['.spec.ratio', ['1.5', 1, 1.5, null, null]],
    ['.spec.big', ['1e+20', -(2 ** 63), 1e20, null, null]],
    ['.spec.neg', ['-2.7', -2, -2.7, null, null]],
    ['.spec.on', ['true', null, null, true, null]],
    ['.spec.s', ['str', null, null, null, '<invalid>']],
    ['.spec.n', ['<no value>', null, null, null, null]],
    ['.spec.list', ['[1,2]', null, null, null, null]],
    ['.spec.obj', ['{"a":"\\u003cx\\u003e","b":1}', null, null, null, null]],
    ['.spec.strs[*]', ['a', null, null, null, '<invalid>']],
    ['.spec.missing', [null, null, null, null, null]],
    ['.spec.when', ['2002-03-04T05:06:07Z', null, null, null, '24h']],
    ['.spec.frac', ['2002-03-04T05:06:07.123Z', null, null, null, '23h']],
    ['.spec.off', ['2002-03-04T05:06:07+02:00', null, null, null, '26h']],
    ['.spec.bad', ['2002-03-04', null, null, null, '<invalid>']],
    ['.spec.empty', ['', null, null, null, '<unknown>']],
    ['.spec.nul', ['null', null, null, null, '<unknown>']],
    ['.spec.zero', ['0001-01-01T00:00:00Z', null, null, null, '<unknown>']],
    ['.spec.future', ['2999-01-01T00:00:00Z', null, null, null, '<invalid>']],
    ['.spec.numstr', ['5', null, null, null, '<invalid>']],
    ['.spec.conds[?(@.type=="Ready")].status', ['True', null, null, null, '<invalid>']],
    ['.spec.list[5]', [null, null, null, null, null]],
    ['.spec.s[0]', [null, null, null, null, null]],
    ['.metadata.creationTimestamp', ['2001-01-01T00:00:00Z', null, null, null, '428d']],
  ])('%s as string, integer, number, boolean, date', (jsonPath, want) => {
    const table = printerColumnsTable(TYPES.map((type) => ({ name: type, type, jsonPath })));
    expect(table.cells(obj, now)).toEqual(['w1', ...want]);
  });
});

describe('printerColumnsTable: columns', () => {
  it('Name first, then each column with its type, format, description and priority', () => {
    const table = printerColumnsTable([
      { name: 'Replicas', type: 'integer', format: 'int32', description: 'desired', priority: 1, jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    ]);
    expect(table.columns).toEqual([
      { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
      { name: 'Replicas', type: 'integer', format: 'int32', description: 'desired', priority: 1 },
      {
        name: 'Ready', type: 'string', format: '', priority: 0,
        description: 'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status',
      },
    ]);
    expect(table.error).toBeUndefined();
  });

  it('a version without columns shows Name and Age (a date of creationTimestamp)', () => {
    for (const cols of [undefined, []]) {
      const table = printerColumnsTable(cols);
      expect(table.columns).toEqual([
        { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
        { name: 'Age', type: 'date', format: '', description: CREATION_TIMESTAMP_DESCRIPTION, priority: 0 },
      ]);
      expect(table.cells(obj, now)).toEqual(['w1', '428d']);
    }
    expect(DEFAULT_PRINTER_COLUMNS).toHaveLength(1);
  });

  it('a jsonPath that does not parse ends the columns there, with kube\'s error', () => {
    const cols: CustomResourceColumnDefinition[] = [
      { name: 'A', type: 'string', jsonPath: '.spec.s' }, { name: 'B', type: 'string', jsonPath: '.b[' }, { name: 'C', type: 'string', jsonPath: '.c' },
    ];
    const table = printerColumnsTable(cols);
    expect(table.error).toBe('unrecognized column definition ".b["');
    expect(table.columns.map((c) => c.name)).toEqual(['Name', 'A']);
    expect(table.cells(obj, now)).toEqual(['w1', 'str']);
  });

  it('is immutable and keeps nothing from one object to the next (shared by clusters)', () => {
    const table = printerColumnsTable([{ name: 'R', type: 'integer', jsonPath: '.spec.replicas' }]);
    expect(Object.isFrozen(table) && Object.isFrozen(table.columns) && Object.isFrozen(table.columns[0])).toBe(true);
    expect(table.cells({ metadata: { name: 'a' }, spec: { replicas: 1 } } as KubeObject, now)).toEqual(['a', 1]);
    expect(table.cells({ metadata: { name: 'b' } } as KubeObject, now)).toEqual(['b', null]);
  });
});
