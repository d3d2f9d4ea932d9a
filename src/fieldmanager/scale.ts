// Field management of a custom resource's scale subresource, as kube's ScaleHandler does it: the
// Scale endpoint has a field manager of its own (autoscaling/v1 Scale), whose managers are the
// parent's managers of the replicas path seen as owners of the Scale's .spec.replicas; after the
// write they are mapped back, the replicas path "stolen" from parent managers the Scale write
// took it from.

import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { resolveSchema } from '../openapi/definitions.js';
import { FieldManager } from './fieldmanager.js';
import { FieldSet, fieldElement, type Path } from './fieldpath.js';
import { decodeManagedFields, encodeManagedFields, type ManagedFieldsEntry } from './managedfields.js';
import { atomOf } from './schema.js';
import type { Managers } from './updater.js';

const SCALE_VERSION = 'autoscaling/v1';
const REPLICAS_IN_SCALE: Path = [fieldElement('spec'), fieldElement('replicas')];

let scaleManager: FieldManager | undefined;

/** The Scale endpoint's field manager (one for every custom resource: the Scale's schema is kube's). */
export function scaleFieldManager(): FieldManager {
  scaleManager ??= new FieldManager({
    apiVersion: SCALE_VERSION, kind: 'Scale', subresource: 'scale',
    atom: atomOf(resolveSchema('io.k8s.api.autoscaling.v1.Scale')),
    zero: () => ({ apiVersion: SCALE_VERSION, kind: 'Scale', metadata: {}, spec: {}, status: { replicas: 0 } }) as KubeObject,
  });
  return scaleManager;
}

function replicasPath(specReplicasPath: string): Path {
  return specReplicasPath.replace(/^\./, '').split('.').map((f) => fieldElement(f));
}

/** An error kube-apiserver answers as an untyped 500 (its message as is). */
function untyped(message: string): StatusError {
  return new StatusError(500, '', message, undefined);
}

function decode(entries: unknown): ReturnType<typeof decodeManagedFields> {
  try {
    return decodeManagedFields(entries);
  } catch (e) {
    throw untyped(`failed to decode managed fields: ${(e as Error).message}`);
  }
}

/**
 * The managers of one custom resource's replicas, for its Scale. Entries of versions other than
 * the parent's group are not the Scale's business (kube maps each version of the CRD to its path;
 * a CRD's versions share kplane's one scale path).
 */
export class ScaleHandler {
  private readonly inParent: Path;

  constructor(private readonly parentEntries: unknown, private readonly parentApiVersion: string, specReplicasPath: string) {
    this.inParent = replicasPath(specReplicasPath);
  }

  private known(apiVersion: string): boolean {
    const group = (v: string) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '');
    return group(apiVersion) === group(this.parentApiVersion);
  }

  /** ToSubresource: the Scale's managedFields. */
  toSubresource(): ManagedFieldsEntry[] | undefined {
    const parent = decode(this.parentEntries);
    const fields: Managers = new Map();
    const times = new Map<string, string | undefined>();
    for (const [id, vs] of parent.fields) {
      if (!this.known(vs.apiVersion) || !vs.set.has(this.inParent)) continue;
      fields.set(id, { set: FieldSet.of(REPLICAS_IN_SCALE), apiVersion: SCALE_VERSION, applied: vs.applied });
      times.set(id, parent.times.get(id));
    }
    return encodeManagedFields({ fields, times });
  }

  /** ToParent: the parent's managedFields after the Scale write that left `scaleEntries`. */
  toParent(scaleEntries: unknown): ManagedFieldsEntry[] | undefined {
    const parent = decode(this.parentEntries);
    const scale = new Map(decode(scaleEntries).fields);
    const fields: Managers = new Map();
    const times = new Map<string, string | undefined>();
    for (const [id, vs] of parent.fields) {
      if (!this.known(vs.apiVersion)) continue; // kube drops entries of versions it has no path for
      if (!vs.set.has(this.inParent)) {
        fields.set(id, vs);
      } else if (!scale.has(id)) {
        // the Scale write took the replicas from this manager
        const rest = vs.set.difference(FieldSet.of(this.inParent));
        if (!rest.empty) fields.set(id, { ...vs, set: rest });
        else continue;
      } else {
        fields.set(id, vs);
        scale.delete(id);
      }
      times.set(id, parent.times.get(id));
    }
    for (const [id, vs] of scale) {
      if (!vs.set.has(REPLICAS_IN_SCALE)) continue;
      fields.set(id, { set: FieldSet.of(this.inParent), apiVersion: this.parentApiVersion, applied: vs.applied });
      // (the parent's time of this manager, as kube takes it: none for a new one)
      times.set(id, parent.times.get(id));
    }
    return encodeManagedFields({ fields, times });
  }
}

/**
 * An apply to a custom resource's Scale nobody manages the replicas of fails in kube-apiserver:
 * the fields before the first apply are computed on an empty Scale its custom resource converter
 * cannot convert. kplane answers the same 500.
 */
export function scaleApplyWithoutManagers(): Error {
  return untyped(`failed to create manager for existing fields: failed to convert live object (/; ${SCALE_VERSION}, Kind=Scale) to proper version: request to convert CR to an invalid group/version: ${SCALE_VERSION}`);
}

/**
 * An apply that changes a custom resource's Scale fails in kube-apiserver too: the merged Scale is
 * handed to the custom resource's converter, which refuses autoscaling/v1. Only an apply that
 * changes nothing (conflicts, ownership of what holds) gets through.
 */
export function scaleApplyChanged(patch: KubeObject): Error {
  const m = patch.metadata ?? {};
  return untyped(`failed to convert new object (${m.namespace ?? ''}/${m.name ?? ''}; ${SCALE_VERSION}, Kind=Scale) to proper version: request to convert CR to an invalid group/version: ${SCALE_VERSION}`);
}
