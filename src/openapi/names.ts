// Mapping between OpenAPI definition names as Kubernetes publishes them
// ("io.k8s.api.core.v1.ConfigMap") and @kubernetes/client-node model classes ("V1ConfigMap").

import { hasModel } from './clientnode.js';
import { CLASS_DEFINITIONS, CLASS_GROUP_PREFIXES, PACKAGES } from './facts.js';

/** "io.k8s.api.core.v1.ConfigMap" -> "io.k8s.api.core.v1". */
export function packageOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(0, i);
}

/** "io.k8s.api.core.v1.ConfigMap" -> "ConfigMap". */
export function localName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** "v1" -> "V1", "v1alpha1" -> "V1alpha1". */
function classVersion(version: string): string {
  return version.charAt(0).toUpperCase() + version.slice(1);
}

const VERSION_RE = /^v\d+(?:(?:alpha|beta)\d+)?$/;

const definitionToClassCache = new Map<string, string | null>();

/** The client-node class holding a definition, or undefined. */
export function classForDefinition(name: string): string | undefined {
  const hit = definitionToClassCache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  let cls: string | null = null;
  for (const [c, def] of Object.entries(CLASS_DEFINITIONS)) {
    if (def === name) {
      cls = c;
      break;
    }
  }
  if (!cls) {
    const pkg = packageOf(name);
    const version = localName(pkg);
    const kind = localName(name);
    if (VERSION_RE.test(version)) {
      const groupPkg = packageOf(pkg);
      const candidates: string[] = [];
      for (const [prefix, p] of Object.entries(CLASS_GROUP_PREFIXES)) {
        if (p === groupPkg) candidates.push(`${prefix}${classVersion(version)}${kind}`);
      }
      candidates.push(`${classVersion(version)}${kind}`);
      for (const c of candidates) {
        // An unqualified class only belongs to this package when no table maps it elsewhere.
        if (CLASS_DEFINITIONS[c] !== undefined && CLASS_DEFINITIONS[c] !== name) continue;
        if (hasModel(c)) {
          cls = c;
          break;
        }
      }
    }
  }
  definitionToClassCache.set(name, cls);
  return cls ?? undefined;
}

const CLASS_RE = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z][A-Za-z0-9]*)$/;

/** The definition name of a client-node class referenced from a definition in package `referrerPkg`. */
export function definitionForClass(className: string, referrerPkg: string): string | undefined {
  const known = CLASS_DEFINITIONS[className];
  if (known) return known;
  const m = CLASS_RE.exec(className);
  if (!m) return undefined;
  const [, prefix, ver, kind] = m;
  const version = ver!.charAt(0).toLowerCase() + ver!.slice(1);
  if (prefix) {
    const groupPkg = CLASS_GROUP_PREFIXES[prefix];
    if (groupPkg) return `${groupPkg}.${version}.${kind}`;
    // A prefix we do not know: the class name is a single word starting with V? Fall through.
  }
  // Same package as the referrer, when the version matches; core otherwise.
  if (localName(referrerPkg) === version) return `${referrerPkg}.${kind}`;
  return `${PACKAGES.core.replace(/\.v1$/, '')}.${version}.${kind}`;
}

/** API group of the types in a Go package ("io.k8s.api.rbac.v1" -> "rbac.authorization.k8s.io"). */
export function groupOfPackage(pkg: string): string | undefined {
  if (/^io\.k8s\.apiextensions-apiserver\.pkg\.apis\.apiextensions\.v\d+(?:(?:alpha|beta)\d+)?$/.test(pkg)) return 'apiextensions.k8s.io';
  const m = /^io\.k8s\.api\.([a-z0-9]+)\.v\d+(?:(?:alpha|beta)\d+)?$/.exec(pkg);
  if (!m) return undefined;
  const g = m[1]!;
  switch (g) {
    case 'core': return '';
    case 'apps': case 'batch': case 'autoscaling': case 'policy': return g;
    case 'rbac': return 'rbac.authorization.k8s.io';
    case 'flowcontrol': return 'flowcontrol.apiserver.k8s.io';
    case 'apiserverinternal': return 'internal.apiserver.k8s.io';
    case 'storagemigration': return 'storagemigration.k8s.io';
    default: return `${g}.k8s.io`;
  }
}

/**
 * Definition name kube gives a CRD kind: the group's DNS labels reversed, then version and kind
 * ("tenancy.kplane.io", "v1alpha1", "Workspace" -> "io.kplane.tenancy.v1alpha1.Workspace").
 */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}
