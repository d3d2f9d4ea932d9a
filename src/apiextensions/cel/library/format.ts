// kube's format library: format.<name>() and format.named(name) give a NamedFormat whose
// validate(s) is optional.none() when s is valid, else optional.of(the messages kube's validators
// give).

import { CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import {
  isQualifiedName, isValidLabelValue, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain,
} from '../../../apimachinery/validation.js';
import { Opaque, OptionalValue, expect, fn, method } from './opaque.js';

const { DYN, STRING } = CelScalar;

export class FormatValue extends Opaque {
  override readonly typeName = 'kubernetes.NamedFormat';
  constructor(readonly name: string, readonly check: (s: string) => string[]) { super(); }
  equals(o: unknown): boolean { return o instanceof FormatValue && o.name === this.name; }
}

const UUID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.getUTCFullYear() === +m[1]! && d.getUTCMonth() === +m[2]! - 1 && d.getUTCDate() === +m[3]!;
}

function uriErrors(s: string): string[] {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) || s.startsWith('/')) return [];
  return [`parse ${JSON.stringify(s)}: invalid URI for request`];
}

const formats: Record<string, FormatValue> = {
  dns1123Label: new FormatValue('DNS1123Label', (s) => nameIsDNSLabel(s, false)),
  dns1123Subdomain: new FormatValue('DNS1123Subdomain', (s) => nameIsDNSSubdomain(s, false)),
  dns1035Label: new FormatValue('DNS1035Label', (s) => nameIsDNS1035Label(s, false)),
  qualifiedName: new FormatValue('QualifiedName', isQualifiedName),
  dns1123LabelPrefix: new FormatValue('DNS1123LabelPrefix', (s) => nameIsDNSLabel(s, true)),
  dns1123SubdomainPrefix: new FormatValue('DNS1123SubdomainPrefix', (s) => nameIsDNSSubdomain(s, true)),
  dns1035LabelPrefix: new FormatValue('DNS1035LabelPrefix', (s) => nameIsDNS1035Label(s, true)),
  labelValue: new FormatValue('LabelValue', isValidLabelValue),
  uri: new FormatValue('URI', uriErrors),
  uuid: new FormatValue('uuid', (s) => (UUID.test(s) ? [] : ['does not match the UUID format'])),
  byte: new FormatValue('byte', (s) => (BASE64.test(s) ? [] : ['invalid base64'])),
  date: new FormatValue('date', (s) => (validDate(s) ? [] : ['invalid date'])),
  datetime: new FormatValue('datetime', (s) => (DATETIME.test(s) && validDate(s.slice(0, 10)) ? [] : ['invalid datetime'])),
};

export const formatFuncs: CelFunc[] = [
  ...Object.entries(formats).map(([name, f]) => fn(`format.${name}`, [], DYN, () => f)),
  fn('format.named', [STRING], DYN, (n: string) => (Object.hasOwn(formats, n) ? new OptionalValue(true, formats[n]) : OptionalValue.none)),
  method('validate', DYN, [STRING], DYN, function (this: unknown, s: string) {
    const errs = expect(this, FormatValue, 'validate').check(s);
    return errs.length ? new OptionalValue(true, errs) : OptionalValue.none;
  }),
];
