// Discovery of a logical cluster: pure functions from the served ResourceTypes to kube-apiserver's
// discovery documents, negotiation of /api and /apis, and a handler-agnostic server with caching.

export * from './documents.js';
export * from './negotiate.js';
export * from './priorities.js';
export { servedSetKey } from './servedset.js';
export * from './serve.js';
