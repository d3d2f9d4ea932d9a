// What the API handlers need from the rest of kplane, passed explicitly (no globals).

import type { FastifyBaseLogger } from 'fastify';
import type { SchemaNode } from '../apimachinery/schema.js';
import type { ServiceAccountTokens } from '../auth/serviceaccount-tokens.js';
import type { TokenAuthenticator } from '../auth/authn.js';
import type { Authorizer } from '../auth/authz.js';
import type { ResourceCatalog } from '../registry/catalog.js';
import type { Registry } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import type { ClusterRegistry } from '../tenancy/clusters.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface ApiDeps {
  registry: Registry;
  catalog: ResourceCatalog;
  clusters: ClusterRegistry;
  /** The resolved schema of a served kind (decoding, patching, field validation). */
  schemaFor(type: ResourceType): SchemaNode | undefined;
  version: VersionInfo;
  log: FastifyBaseLogger;
  /** Aborted when the server drains: long-running requests (watches) end. */
  shutdown: AbortSignal;
  /** Watch bookmark period (kube: one minute). */
  bookmarkIntervalMs: number;
  /** Service account tokens (the serviceaccounts/token subresource). */
  tokens?: ServiceAccountTokens;
  /** The request authorizer, for the access reviews (SelfSubjectAccessReview...). */
  authorizer?: Authorizer;
  /** The bearer token authenticators, for TokenReview. */
  tokenAuthenticator?: TokenAuthenticator;
}
