// Discovery and OpenAPI documents describe everything a server serves; kube serves many more
// groups and resources than kplane. Before comparing, both answers are cut down to what both
// serve: groups both list, and in kube's answer only the resources kplane serves (with all of
// kube's subresources of those, so a missing subresource still shows). OpenAPI documents are
// compared by structure: paths, operations, parameters, responses and schema shapes.

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

export interface Filtered {
  kube: unknown;
  kplane: unknown;
  /** What was cut, for the report. */
  notes: string[];
}

const base = (r: string): string => r.split('/')[0]!;

/** Group/versions both servers serve ("v1" for core), set once at start (see run.ts). */
let commonGroupVersions = new Set<string>();
export function setCommonGroupVersions(gvs: Iterable<string>): void {
  commonGroupVersions = new Set(gvs);
}

/** The groups each server served when the suite started ('' for core), see newGroup. */
const startupGroups: Record<'kube' | 'kplane', Set<string>> = { kube: new Set(), kplane: new Set() };
export function setStartupGroupVersions(kube: Iterable<string>, kplane: Iterable<string>): void {
  const groupOf = (gv: string) => (gv.includes('/') ? gv.split('/')[0]! : '');
  startupGroups.kube = new Set([...kube].map(groupOf));
  startupGroups.kplane = new Set([...kplane].map(groupOf));
}

/**
 * A group a server did not serve when the suite started: one of the CRD scenarios' groups. Lists
 * of all groups (/apis, aggregated discovery, the OpenAPI v3 index, /openapi/v2) leave them out on
 * that server, so that the themes of built-in kinds do not compare CRDs that other scenarios
 * create and delete meanwhile; the CRD themes compare them by their own paths (and `pick`).
 */
function newGroup(side: 'kube' | 'kplane', group: string): boolean {
  return startupGroups[side].size > 0 && group !== '*' && !startupGroups[side].has(group);
}

function dropNewGroups(doc: Record<string, unknown>, side: 'kube' | 'kplane', notes: string[]): Record<string, unknown> {
  const list = Array.isArray(doc.groups) ? 'groups' : Array.isArray(doc.items) ? 'items' : undefined;
  if (!list) return doc;
  const name = (g: unknown) => (!isObj(g) ? '' : isObj(g.metadata) ? String(g.metadata.name ?? '') : String(g.name ?? ''));
  const kept = (doc[list] as unknown[]).filter((g) => !newGroup(side, name(g)));
  const n = (doc[list] as unknown[]).length - kept.length;
  if (n) notes.push(`${side}: groups created during the run (CRDs) not compared here: ${n}`);
  return { ...doc, [list]: kept };
}

/**
 * kube lists the resources of a group served by CRDs in the order of its CRD informer's cache
 * (random: two reads of one group differ), so for group/versions that did not exist when the
 * suite started (groups of CRDs) both answers' resources are sorted by name. Applies to an
 * APIResourceList and to one group of aggregated discovery (an APIGroupDiscovery, e.g. picked).
 */
export function orderCustomResources(doc: unknown): unknown {
  if (!isObj(doc) || !commonGroupVersions.size) return doc;
  const byName = (key: string) => (a: unknown, b: unknown) => {
    const x = isObj(a) ? String(a[key]) : '';
    const y = isObj(b) ? String(b[key]) : '';
    return x < y ? -1 : x > y ? 1 : 0;
  };
  if (doc.kind === 'APIResourceList' && typeof doc.groupVersion === 'string' && !commonGroupVersions.has(doc.groupVersion) && Array.isArray(doc.resources)) {
    return { ...doc, resources: [...doc.resources].sort(byName('name')) };
  }
  if (isObj(doc.metadata) && typeof doc.metadata.name === 'string' && Array.isArray(doc.versions) && doc.kind === undefined) {
    const g = doc.metadata.name;
    return {
      ...doc,
      versions: doc.versions.map((v) => (isObj(v) && Array.isArray(v.resources) && !commonGroupVersions.has(`${g}/${String(v.version)}`)
        ? { ...v, resources: [...v.resources].sort(byName('resource')) } : v)),
    };
  }
  return doc;
}

/** True for paths whose answers get filtered/summarised here. */
export function isDocumentPath(p: string): boolean {
  const path = p.split('?')[0]!;
  return /^\/(api|apis)(\/[^/]+){0,2}\/?$/.test(path) || path.startsWith('/openapi/');
}

export function filterPair(path: string, kubeDoc: unknown, kplaneDoc: unknown): Filtered {
  const notes: string[] = [];
  const p = path.split('?')[0]!;
  if (p.startsWith('/openapi/v3/') || p === '/openapi/v2') return openapiPair(kubeDoc, kplaneDoc, notes, p === '/openapi/v2');
  if (p === '/openapi/v3' || p === '/openapi/v3/') return openapiIndexPair(kubeDoc, kplaneDoc, notes);
  if (!isObj(kubeDoc) || !isObj(kplaneDoc)) return { kube: kubeDoc, kplane: kplaneDoc, notes };
  const kind = kplaneDoc.kind ?? kubeDoc.kind;
  const allGroups = kind === 'APIGroupList' || kind === 'APIGroupDiscoveryList';
  const kube = allGroups ? dropNewGroups(kubeDoc, 'kube', notes) : kubeDoc;
  const kplane = allGroups ? dropNewGroups(kplaneDoc, 'kplane', notes) : kplaneDoc;
  if (kind === 'APIGroupList' && Array.isArray(kube.groups) && Array.isArray(kplane.groups)) {
    const names = (gs: unknown[]) => new Set(gs.map((g) => (isObj(g) ? String(g.name) : '')));
    const kn = names(kube.groups);
    const pn = names(kplane.groups);
    const dropK = [...kn].filter((n) => !pn.has(n));
    const dropP = [...pn].filter((n) => !kn.has(n));
    if (dropK.length) notes.push(`kube-only groups not compared: ${dropK.length}`);
    if (dropP.length) notes.push(`kplane-only groups not compared: ${dropP.join(', ')}`);
    return {
      kube: { ...kube, groups: kube.groups.filter((g) => isObj(g) && pn.has(String(g.name))) },
      kplane: { ...kplane, groups: kplane.groups.filter((g) => isObj(g) && kn.has(String(g.name))) },
      notes,
    };
  }
  if (kind === 'APIResourceList' && Array.isArray(kube.resources) && Array.isArray(kplane.resources)) {
    const served = new Set(kplane.resources.map((r) => (isObj(r) ? base(String(r.name)) : '')));
    const kept = kube.resources.filter((r) => isObj(r) && served.has(base(String(r.name))));
    if (kept.length !== kube.resources.length) notes.push(`kube resources kplane does not serve, not compared: ${kube.resources.length - kept.length}`);
    return { kube: { ...kube, resources: kept }, kplane, notes };
  }
  if (kind === 'APIGroupDiscoveryList' && Array.isArray(kube.items) && Array.isArray(kplane.items)) {
    const groupName = (g: unknown) => (isObj(g) && isObj(g.metadata) ? String(g.metadata.name ?? '') : '');
    const kn = new Set(kube.items.map(groupName));
    const pn = new Set(kplane.items.map(groupName));
    const served = new Map<string, Set<string>>(); // group/version -> resources
    for (const g of kplane.items) {
      if (!isObj(g) || !Array.isArray(g.versions)) continue;
      for (const v of g.versions) {
        if (!isObj(v) || !Array.isArray(v.resources)) continue;
        served.set(`${groupName(g)}/${String(v.version)}`, new Set(v.resources.map((r) => (isObj(r) ? String(r.resource) : ''))));
      }
    }
    let droppedResources = 0;
    const kubeItems = kube.items.filter((g) => pn.has(groupName(g))).map((g) => {
      if (!isObj(g) || !Array.isArray(g.versions)) return g;
      return {
        ...g,
        versions: g.versions.map((v) => {
          if (!isObj(v) || !Array.isArray(v.resources)) return v;
          const s = served.get(`${groupName(g)}/${String(v.version)}`) ?? new Set<string>();
          const rs = v.resources.filter((r) => isObj(r) && s.has(String(r.resource)));
          droppedResources += v.resources.length - rs.length;
          return { ...v, resources: rs };
        }),
      };
    });
    const dropK = [...kn].filter((n) => !pn.has(n));
    const dropP = [...pn].filter((n) => !kn.has(n));
    if (dropK.length) notes.push(`kube-only groups not compared: ${dropK.length}`);
    if (dropP.length) notes.push(`kplane-only groups not compared: ${dropP.join(', ')}`);
    if (droppedResources) notes.push(`kube resources kplane does not serve, not compared: ${droppedResources}`);
    return { kube: { ...kube, items: kubeItems }, kplane: { ...kplane, items: kplane.items.filter((g) => kn.has(groupName(g))) }, notes };
  }
  return { kube, kplane, notes };
}

/** group and resource a path of an OpenAPI document addresses ('' resource: discovery path). */
function pathResource(p: string): { group: string; gv: string; resource: string } | undefined {
  const segs = p.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (segs[0] === 'api') {
    group = '';
    rest = segs.slice(2);
    if (segs.length < 2) return { group: '', gv: '', resource: '' };
  } else if (segs[0] === 'apis') {
    if (segs.length < 2) return { group: '*', gv: '', resource: '' };
    group = segs[1]!;
    if (segs.length < 3) return { group, gv: '', resource: '' };
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  const gv = `${group}/${segs[segs[0] === 'api' ? 1 : 2]}`;
  if (rest[0] === 'watch') rest = rest.slice(1);
  let resource = rest[0] ?? '';
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length >= 3) resource = rest[2]!;
  return { group, gv, resource };
}

function refsIn(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) refsIn(x, out);
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.add(x.replace(/^#\/(components\/schemas|definitions)\//, ''));
      else refsIn(x, out);
    }
  }
}

function schemaShape(s: unknown): unknown {
  if (!isObj(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || k === 'example') continue;
    if (k === 'required' && Array.isArray(v)) {
      // a set: its order carries no meaning
      out[k] = [...v].sort();
      continue;
    }
    if (k === 'x-kubernetes-group-version-kind' && Array.isArray(v) && v.length > 1) {
      // shared kinds (DeleteOptions, WatchEvent) list every group/version the server knows
      out[k] = v.filter((g) => !isObj(g) || commonGroupVersions.has(g.group ? `${String(g.group)}/${String(g.version)}` : String(g.version)));
      continue;
    }
    if (k === 'properties' && isObj(v)) {
      const props: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = schemaShape(pv);
      out[k] = props;
    } else if (isObj(v) || Array.isArray(v)) {
      out[k] = Array.isArray(v) ? v.map(schemaShape) : schemaShape(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function operationShape(op: unknown): unknown {
  if (!isObj(op)) return op;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(op)) {
    if (k === 'description') continue;
    if (k === 'parameters' && Array.isArray(v)) {
      out[k] = v.map((p) => (isObj(p) ? { name: p.name, in: p.in, required: p.required ?? false, ...(p.$ref ? { $ref: p.$ref } : {}), schema: schemaShape(p.schema ?? (p.type ? { type: p.type } : undefined)), uniqueItems: p.uniqueItems } : p));
    } else {
      out[k] = schemaShape(v);
    }
  }
  return out;
}

function summarise(doc: Record<string, unknown>, keep: (p: string) => boolean, v2: boolean): { summary: Record<string, unknown>; dropped: number } {
  const paths = isObj(doc.paths) ? doc.paths : {};
  const keptPaths: Record<string, unknown> = {};
  let dropped = 0;
  // kube's v2 document shares parameters through #/parameters/<name>-<hash> references: resolve
  // them, so that only what a parameter is gets compared, not where it is written.
  const shared = isObj(doc.parameters) ? doc.parameters : {};
  const resolveParams = (ps: unknown): unknown => (Array.isArray(ps)
    ? ps.map((p) => (isObj(p) && typeof p.$ref === 'string' && p.$ref.startsWith('#/parameters/') ? shared[p.$ref.slice('#/parameters/'.length)] ?? p : p))
    : ps);
  for (const [p, item] of Object.entries(paths)) {
    if (!keep(p)) {
      dropped++;
      continue;
    }
    const ops: Record<string, unknown> = {};
    if (isObj(item)) {
      for (const [m, op] of Object.entries(item)) {
        if (m === 'parameters') ops[m] = (operationShape({ parameters: resolveParams(op) }) as { parameters: unknown }).parameters;
        else ops[m] = operationShape(isObj(op) && op.parameters ? { ...op, parameters: resolveParams(op.parameters) } : op);
      }
    }
    keptPaths[p] = ops;
  }
  const schemas: Record<string, unknown> = v2 ? (isObj(doc.definitions) ? doc.definitions : {})
    : (isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {});
  // schemas reachable from the kept paths (and the parameters they use)
  const reach = new Set<string>();
  refsIn(keptPaths, reach);
  const queue = [...reach];
  while (queue.length) {
    const n = queue.pop()!;
    const s = schemas[n];
    const more = new Set<string>();
    refsIn(s, more);
    for (const m of more) if (!reach.has(m)) {
      reach.add(m);
      queue.push(m);
    }
  }
  const keptSchemas: Record<string, unknown> = {};
  for (const n of [...reach].sort()) keptSchemas[n] = n in schemas ? schemaShape(schemas[n]) : '(missing)';
  const summary: Record<string, unknown> = {
    [v2 ? 'swagger' : 'openapi']: v2 ? doc.swagger : doc.openapi,
    info: doc.info,
    paths: keptPaths,
    schemas: keptSchemas,
  };
  return { summary, dropped };
}

function openapiPair(kube: unknown, kplane: unknown, notes: string[], v2: boolean): Filtered {
  if (!isObj(kube) || !isObj(kplane)) return { kube, kplane, notes };
  const served = new Set<string>();
  const servedGroups = new Set<string>();
  for (const p of Object.keys(isObj(kplane.paths) ? kplane.paths : {})) {
    const r = pathResource(p);
    if (r) servedGroups.add(r.group);
    if (r?.resource) served.add(`${r.group}/${r.resource}`);
  }
  const kubeGroups = new Set<string>();
  for (const p of Object.keys(isObj(kube.paths) ? kube.paths : {})) {
    const r = pathResource(p);
    if (r) kubeGroups.add(r.group);
  }
  const kplanePaths = isObj(kplane.paths) ? kplane.paths : {};
  const keepKube = (p: string) => {
    const r = pathResource(p);
    if (v2 && r && newGroup('kube', r.group)) return false;
    if (!r) return p in kplanePaths; // /version/, /logs/, ...: only where kplane has them too
    if (!r.resource) return servedGroups.has(r.group);
    return served.has(`${r.group}/${r.resource}`);
  };
  const keepKplane = (p: string) => {
    const r = pathResource(p);
    if (v2 && r && newGroup('kplane', r.group)) return false;
    return !r || kubeGroups.has(r.group);
  };
  const k = summarise(kube, keepKube, v2);
  const q = summarise(kplane, keepKplane, v2);
  if (k.dropped) notes.push(`kube paths of resources kplane does not serve, not compared: ${k.dropped}`);
  if (q.dropped) notes.push(`kplane paths of kplane-only groups, not compared: ${q.dropped}`);
  notes.push('OpenAPI compared by structure (descriptions left out), schemas reachable from the compared paths');
  return { kube: k.summary, kplane: q.summary, notes };
}

function openapiIndexPair(kube: unknown, kplane: unknown, notes: string[]): Filtered {
  if (!isObj(kube) || !isObj(kplane) || !isObj(kube.paths) || !isObj(kplane.paths)) return { kube, kplane, notes };
  const groupOf = (key: string): string | undefined => {
    const segs = key.split('/');
    if (segs[0] === 'api') return '';
    if (segs[0] === 'apis') return segs[1] ?? '*';
    return undefined;
  };
  const kg = new Set(Object.keys(kube.paths).map(groupOf));
  const pg = new Set(Object.keys(kplane.paths).map(groupOf));
  const pick = (paths: Record<string, unknown>, other: Set<string | undefined>, who: 'kube' | 'kplane') => {
    const out: Record<string, unknown> = {};
    let dropped = 0;
    for (const [key, v] of Object.entries(paths)) {
      const g = groupOf(key);
      if (g !== undefined && (g === '*' || other.has(g)) && !newGroup(who, g)) out[key] = v;
      else dropped++;
    }
    if (dropped) notes.push(`${who} index entries of groups (or non-API paths) the other does not serve, not compared: ${dropped}`);
    return out;
  };
  return { kube: { ...kube, paths: pick(kube.paths, pg, 'kube') }, kplane: { ...kplane, paths: pick(kplane.paths, kg, 'kplane') }, notes };
}
