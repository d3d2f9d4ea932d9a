// Every runtime function of the environment kube gives CRD rules, on top of @bufbuild/cel's
// standard library: ext strings (@bufbuild/cel), optionals, kube's lists, regex, urls, quantity,
// ip/cidr, format, semver, and ext sets.

import { celFunc, CelScalar } from '@bufbuild/cel';
import type { CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { compareFuncs } from './compareto.js';
import { formatFuncs } from './format.js';
import { ipFuncs, opaqueString } from './ip.js';
import { listFuncs } from './lists.js';
import { optionalFuncs, optionalListFuncs } from './optional.js';
import { quantityFuncs } from './quantity.js';
import { regexFuncs } from './regex.js';
import { semverFuncs } from './semver.js';
import { stringFuncs } from './strings.js';
import { urlFuncs } from './urls.js';
import { equalityFuncs } from './equality.js';
import { authzFuncs } from './authz.js';

export const kubeFuncs: CelFunc[] = [
  // string targets first: the strings extension's indexOf/lastIndexOf must win over the lists'
  ...strings, ...stringFuncs, ...optionalListFuncs,
  ...optionalFuncs, ...listFuncs, ...regexFuncs, ...urlFuncs, ...quantityFuncs, ...semverFuncs,
  ...compareFuncs, ...ipFuncs, ...formatFuncs, ...authzFuncs,
  // replaces the standard _==_ / _!=_ (same signature: the later registration wins)
  ...equalityFuncs,
  celFunc('string', [CelScalar.DYN], CelScalar.STRING, (v: unknown) => {
    const s = opaqueString(v);
    if (s === undefined) throw new Error('no such overload: string');
    return s;
  }),
];
