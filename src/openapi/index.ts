// Schemas and OpenAPI documents of the kinds kplane serves. See definitions.ts (schemas derived
// from @kubernetes/client-node + facts.ts), documents.ts (v3/v2 documents), serve.ts (HTTP
// semantics) and crd.ts (CRD-defined kinds).

export {
  definitionClosure, definitionSourceHash, definitionsGeneration, getDefinition, getDefinitionV2, registerCRDDefinitions,
  registerDefinitions, resolveSchema, unregisterDefinitions, v3ToV2, type RegisterOptions,
} from './definitions.js';
export { builtinCRDs, crdDefinitions, crdDefinitionsV2, loadCRDFile, type CRDLike, type CRDVersion } from './crd.js';
export { crdDefinitionName } from './names.js';
export {
  openapiV2Document, openapiV2Object, openapiV3Document, openapiV3Index, openapiV3Object, openapiV3Paths, openapiV3URL,
  type OpenAPIDocument, type OpenAPIOptions,
} from './documents.js';
export { KUBE_MEDIA_TYPES, operationIdAndTags, resourcePaths, type MediaTypeOptions } from './paths.js';
export { encodeOpenAPIV2Protobuf } from './protobuf.js';
export { etagMatches, OPENAPI_V2_PROTOBUF, serveOpenAPI, type HTTPResult, type OpenAPIRequest, type OpenAPIServeOptions } from './serve.js';
export type { JsonSchema } from './schemautil.js';
