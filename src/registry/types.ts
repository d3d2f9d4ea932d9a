// The contract between the generic registry (one implementation of every verb) and the kinds it serves.
// A built-in kind is one ResourceType: API metadata plus a small Strategy (defaults, validation,
// status handling, selectable fields, table columns). See src/registry/kinds/*.ts.

import type { FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { SchemaNode } from '../apimachinery/schema.js';
import type { ClusterName } from '../tenancy/logicalcluster.js';
import type { ServiceAccountTokens } from '../auth/serviceaccount-tokens.js';
import type { Authorizer } from '../auth/authz.js';
import type { TokenAuthenticator } from '../auth/authn.js';
import type { ResourceSet } from './catalog.js';
import type { Registry } from './store.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
  /**
   * The logical cluster the identity belongs to (service accounts, whose tokens are only valid
   * there; certificates and user tokens issued for it); undefined for identities not tied to one
   * (the provider's admin).
   */
  cluster?: string;
}

/** Everything a strategy may know about the request. The cluster is passed, never looked up. */
export interface RequestContext {
  cluster: ClusterName;
  /** Namespace from the request path ('' for cluster-scoped requests). */
  namespace: string;
  user: UserInfo;
  now: Date;
  /** Warnings to return in `Warning: 299 - "..."` headers. */
  warnings: string[];
  /**
   * Audit annotations admission adds (kube's admission.Attributes.AddAnnotation, e.g. a policy's
   * `<policy>/<key>`): the audit event of the request carries them. Shared by copies of the context.
   */
  auditAnnotations?: Record<string, string>;
  /**
   * The field manager of a write (the fieldManager option, else from the user agent): what it
   * changes is recorded in metadata.managedFields. Undefined: nothing is tracked and an update
   * keeps the managedFields the object carries.
   */
  fieldManager?: string;
  /** Server-side apply computed the object's managedFields already: the write keeps them. */
  appliedFields?: boolean;
  /** The write's options as the client sent them (what an AdmissionReview's options carry). */
  writeOptions?: { fieldManager?: string; fieldValidation?: string };
}

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export type DeletionPropagation = 'Orphan' | 'Background' | 'Foreground';

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableConvertor {
  columns: TableColumn[];
  /** Cells of one row, in column order. `now` lets AGE columns be computed the way kube does. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** Rules for the status subresource (PUT/PATCH .../status). */
export interface StatusStrategy {
  /** Copies everything but status (and what else the subresource may not change) from old. */
  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
}

export interface Strategy {
  /**
   * kube's NameValidator: messages for metadata.name, or for generateName when prefix is true. On
   * create it also gets the object (a CRD's name must be <plural>.<group>).
   */
  validateName(name: string, prefix: boolean, obj?: KubeObject): string[];
  /** Scheme defaulting applied to every decoded object of this kind (create, update, patch results). */
  applyDefaults?(obj: KubeObject): void;
  /** Normalise a new object before validation: clear status, set generation... */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Kind-specific validation; the generic store validates ObjectMeta itself. */
  validate(obj: KubeObject, ctx: RequestContext): FieldError[];
  warningsOnCreate?(obj: KubeObject, ctx: RequestContext): string[];
  /** Mutate into canonical form after validation (e.g. fold Secret stringData into data). */
  canonicalize?(obj: KubeObject): void;

  allowCreateOnUpdate: boolean;
  allowUnconditionalUpdate: boolean;
  /** Normalise an update: keep status from old when status is a subresource, bump generation... */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  warningsOnUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): string[];

  /** Present when the kind has a status subresource. */
  status?: StatusStrategy;
  /** Present when the kind has a finalize subresource (namespaces). */
  finalize?: StatusStrategy;
  /** Present when the kind has an approval subresource (certificatesigningrequests). */
  approval?: StatusStrategy;

  /**
   * kube's update validators of most kinds validate ObjectMeta again, after the generic checks,
   * so their errors appear twice: 'update' (ValidateObjectMetaUpdate, the default), 'create'
   * (ValidateObjectMeta, e.g. LimitRange) or false.
   */
  revalidatesMetadataOnUpdate?: 'update' | 'create' | false;

  /**
   * The first DELETE only marks the object (kube's CRD REST: finalizer and Terminating condition
   * added to the copy here, deletionTimestamp set by the registry) and answers it; a controller
   * finishes the deletion.
   */
  markForDeletion?(obj: KubeObject, now: Date): void;

  /** Deletion propagation when the client does not choose one. Background if unset. */
  defaultGarbageCollectionPolicy?: DeletionPropagation;
  /** DELETE answers with the object (namespaces) instead of a Success Status. */
  returnDeletedObject?: boolean;

  /**
   * Fields usable in field selectors besides metadata.name and metadata.namespace, with their values.
   * A selector on any other field is rejected with "field label not supported".
   */
  selectableFields?(obj: KubeObject): Record<string, string>;

  /** Columns for `as=Table`; without it the default Name/Created At table is served. */
  table?: TableConvertor;
}

/** Where and in which form a resource's objects are stored. */
export interface StorageResource {
  /** Key prefix group ('' = core) and resource; two served resources may share one storage. */
  group: string;
  resource: string;
  /** The apiVersion/kind objects are stored as. */
  apiVersion: string;
  kind: string;
}

/** One resource served at /api(s)/<group>/<version>/<resource>. */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  listKind: string;
  singularName: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: Verb[];
  /** Subresources served besides the main resource, e.g. ['status'] or ['finalize', 'status']. */
  subresources: string[];
  storage: StorageResource;
  /** Converters when the served version is not the storage form (events.k8s.io/v1 over core/v1 events). */
  toStorage?(obj: KubeObject): KubeObject;
  fromStorage?(obj: KubeObject): KubeObject;
  /**
   * An asynchronous converter between the served and the storage version (a CRD's conversion
   * webhook), used instead of toStorage/fromStorage. Selection (label and field selectors) still
   * looks at the stored form with its apiVersion rewritten: a conversion keeps metadata.
   */
  converter?: ObjectConverter;
  strategy: Strategy;
  /** OpenAPI definition name of the kind, e.g. "io.k8s.api.core.v1.ConfigMap". */
  schemaName: string;
  /**
   * Subresources with a handler of their own instead of the generic status/finalize update
   * (kube's NamedCreater storages, e.g. serviceaccounts/token). Each is also listed in subresources.
   */
  subresourceHandlers?: Record<string, SubresourceHandler>;
  /** Warnings every request on the resource gets (a deprecated API, e.g. core/v1 Endpoints). */
  warnings?: string[];
  /**
   * Writes with bodies from this size on are decoded, prepared and validated by a worker thread
   * (default 256 KiB): a kind whose validation costs more than its decoding (a CRD compiles its
   * schema and CEL rules) sets a lower bound.
   */
  writeOffLoopBytes?: number;
  /**
   * The apiVersion kube stores the kind as, when it differs from kplane's storage form: discovery's
   * storageVersionHash is computed from it (kube stores CRDs as apiextensions.k8s.io/v1beta1).
   */
  kubeStorageVersion?: string;
  /** Present for a custom resource (a kind defined by a CRD; src/apiextensions/customresource.ts). */
  customResource?: CustomResourceHooks;
  /**
   * Present for a resource that is never stored (kube's rest.Creater without a store: the review
   * APIs): POST on the collection answers what this returns, every other verb is 405. Built with
   * createOnlyResource (createonly.ts).
   */
  createOnly?: CreateOnlyHandler;
}

/** POST of a never-stored resource: the decoded body, answered with 201 and what create returns. */
export interface CreateOnlyRequest {
  ctx: RequestContext;
  type: ResourceType;
  /** The decoded body (its metadata.namespace already matched to the request's, as kube's create handler does). */
  object: KubeObject;
  dryRun: boolean;
  services: SubresourceServices;
}

export interface CreateOnlyHandler {
  create(req: CreateOnlyRequest): Promise<KubeObject>;
}

export interface ObjectConverter {
  /** Stored objects (of any stored version) in the served version, in order. */
  toServed(objs: KubeObject[]): Promise<KubeObject[]>;
  /** A served object in the storage version. */
  toStored(obj: KubeObject): Promise<KubeObject>;
}

/** What a custom resource adds to the generic machinery: unstructured decoding and pruning. */
export interface CustomResourceHooks {
  /** The CRD's name, <plural>.<group>. */
  crdName: string;
  /** What is served (spec and accepted names): a change ends the resource's open watches, as in kube. */
  identity: string;
  /** The schema a body is decoded with: typed ObjectMeta, everything else kept for pruning. */
  decodeSchema: SchemaNode;
  /** Structural pruning of a decoded object: removes unknown fields, answers their paths. */
  prune(obj: KubeObject): string[];
  /** The CRD is being deleted: creates are refused. */
  terminating: boolean;
  /**
   * The version's full schema for field management (apiVersion, kind, typed ObjectMeta and the
   * CRD's schema), built on first use and shared by every cluster serving the same CRD.
   */
  readonly fieldSchema: SchemaNode;
  /** The scale subresource's paths, when the version has one. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

/** What a subresource handler may use besides the request (passed by the API server). */
export interface SubresourceServices {
  registry: Registry;
  /** The resources served in the request's logical cluster. */
  types: ResourceSet;
  /** Issues service account tokens (absent where no signing key is configured). */
  tokens?: ServiceAccountTokens;
  /** The request authorizer (access reviews ask it about anyone). */
  authorizer?: Authorizer;
  /** Every bearer token authenticator of the server (TokenReview). */
  tokenAuthenticator?: TokenAuthenticator;
}

export interface SubresourceCreateRequest {
  ctx: RequestContext;
  /** The resource the subresource belongs to, and the name of the object from the path. */
  parent: ResourceType;
  name: string;
  /** The decoded body, of the handler's kind. */
  object: KubeObject;
  dryRun: boolean;
  services: SubresourceServices;
}

/** A subresource served by its own handler, e.g. POST .../serviceaccounts/<name>/token. */
export interface SubresourceHandler {
  /** HTTP methods served (POST = create); any other method is 405. */
  methods: ('POST')[];
  /** The kind read and written when not the parent's (kube's GroupVersionKindProvider). */
  kind: { group: string; version: string; kind: string; schemaName: string };
  /** Scheme defaulting of the body (kube's, while decoding: before field management records it). */
  applyDefaults?(obj: KubeObject): void;
  /** POST: answers the object to return with 201. */
  create(req: SubresourceCreateRequest): Promise<KubeObject>;
}

export function apiVersionOfType(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function groupResourceOf(t: Pick<ResourceType, 'group' | 'resource'>): { group: string; resource: string } {
  return { group: t.group, resource: t.resource };
}
