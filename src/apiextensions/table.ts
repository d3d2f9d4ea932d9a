// The Table of a custom resource (apiextensions-apiserver pkg/registry/customresource/tableconvertor):
// Name, then the version's additionalPrinterColumns (or kube's default, Age), each cell the first
// result of the column's jsonPath. Built once per distinct column list and shared: the convertor
// holds only frozen, parsed programs.

import type { KubeObject } from '../apimachinery/object.js';
import { goParseTime } from '../registry/kinds/_util.js';
import { CREATION_TIMESTAMP_DESCRIPTION, column, humanDuration, nameColumn } from '../registry/table.js';
import type { TableColumn, TableConvertor } from '../registry/types.js';
import { findResults, parseJSONPath, printResults, type JSONPathProgram } from './jsonpath.js';
import type { CustomResourceColumnDefinition } from './types.js';

/** serveDefaultColumnsIfEmpty: a version without printer columns shows its age. */
export const DEFAULT_PRINTER_COLUMNS: readonly CustomResourceColumnDefinition[] = Object.freeze([
  Object.freeze({ name: 'Age', type: 'date', description: CREATION_TIMESTAMP_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' }),
]);

export interface PrinterColumnsTable extends TableConvertor {
  /**
   * tableconvertor.New's error: `unrecognized column definition "<jsonPath>"` for the first
   * column whose jsonPath does not parse. kube then serves the columns before it (and logs).
   */
  readonly error?: string;
}

/** tableconvertor.New over serveDefaultColumnsIfEmpty(columns). */
export function printerColumnsTable(columns: readonly CustomResourceColumnDefinition[] | undefined): PrinterColumnsTable {
  const defs = columns && columns.length > 0 ? columns : DEFAULT_PRINTER_COLUMNS;
  const headers: TableColumn[] = [nameColumn()];
  const programs: { type: string; program: JSONPathProgram }[] = [];
  let error: string | undefined;
  for (const col of defs) {
    const parsed = parseJSONPath(`{${col.jsonPath}}`);
    if (parsed.error !== undefined) {
      error = `unrecognized column definition ${JSON.stringify(col.jsonPath)}`;
      break;
    }
    programs.push({ type: col.type, program: parsed.program });
    headers.push(column(col.name, col.type as TableColumn['type'],
      col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      { format: col.format ?? '', priority: col.priority ?? 0 }));
  }
  Object.freeze(programs);
  return Object.freeze({
    columns: Object.freeze(headers.map((h) => Object.freeze(h))) as TableColumn[],
    ...(error !== undefined ? { error } : {}),
    cells(obj: KubeObject, now: Date): unknown[] {
      const name = obj.metadata?.name;
      return [typeof name === 'string' ? name : '', ...programs.map((p) => cell(p.type, p.program, obj, now))];
    },
  });
}

function cell(type: string, program: JSONPathProgram, obj: unknown, now: Date): unknown {
  let results: unknown[][];
  try {
    results = findResults(program, obj, { allowMissingKeys: true });
  } catch {
    return null;
  }
  if (results.length === 0 || results[0]!.length === 0) return null;
  // only the first value counts (kube expects simple paths)
  const value = results[0]![0];
  // a string column prints the value as jsonpath does; kube passes it through reflect.ValueOf, so a
  // null prints as text/template's "<no value>"
  if (type === 'string') return value === null || value === undefined ? '<no value>' : printResults([value]);
  return cellForJSONValue(type, value, now);
}

const INT64_MIN = -(2 ** 63);

/** cellForJSONValue: the typed cell, or null when the value does not have the column's type. */
function cellForJSONValue(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      if (typeof value !== 'number') return null;
      // Go's int64(float64): truncation; out of range is the minimum on amd64
      return Math.abs(value) < 2 ** 63 ? Math.trunc(value) : INT64_MIN;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? humanReadableDate(value, now) : null;
    default:
      return null;
  }
}

/** Go's zero time.Time (IsZero): an unset timestamp. */
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** metav1.Time's UnmarshalQueryParameter then metatable.ConvertToHumanReadableDateType. */
function humanReadableDate(s: string, now: Date): string {
  if (s === '' || s === 'null') return '<unknown>';
  const t = goParseTime(s, false);
  if (typeof t === 'string') return '<invalid>';
  if (t.ms === ZERO_TIME_MS && t.micros === 0) return '<unknown>';
  return humanDuration(now.getTime() - t.ms);
}
