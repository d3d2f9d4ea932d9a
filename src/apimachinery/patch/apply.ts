// The patch handler's entry point, re-exported where src/apiserver/handlers/resource.ts looks for it.
export { applyPatch, type ApplyPatchOptions } from './strategic-merge-patch.js';
