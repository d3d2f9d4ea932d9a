// A compiled schema in the form the rest of kplane walks (src/apimachinery/schema.ts SchemaNode):
// explain, strategic-merge metadata, unknown-field checks. Built once, frozen.

import type { SchemaNode } from '../../apimachinery/schema.js';
import type { Node } from './node.js';

export function toSchemaNode(n: Node): SchemaNode {
  const s = n.source;
  const out: SchemaNode = {};
  if (n.type) out.type = n.type as SchemaNode['type'];
  if (s.format) out.format = s.format;
  if (s.description) out.description = s.description;
  if (n.properties) {
    const props: Record<string, SchemaNode> = {};
    for (const k of n.propertyNames) props[k] = toSchemaNode(n.properties.get(k)!);
    out.properties = Object.freeze(props);
  }
  const ap = n.additionalProperties;
  if (ap !== undefined) out.additionalProperties = typeof ap === 'object' ? toSchemaNode(ap) : ap;
  if (n.items) out.items = toSchemaNode(n.items);
  if (n.required) out.required = [...n.required];
  if (n.enum) out.enum = [...n.enum];
  if (n.hasDefault) out.default = n.default;
  if (n.nullable) out.nullable = true;
  if (n.listType) out['x-kubernetes-list-type'] = n.listType as SchemaNode['x-kubernetes-list-type'];
  if (n.listMapKeys) out['x-kubernetes-list-map-keys'] = [...n.listMapKeys];
  if (n.mapType) out['x-kubernetes-map-type'] = n.mapType as SchemaNode['x-kubernetes-map-type'];
  if (n.preserveUnknownFields) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (n.intOrString) out['x-kubernetes-int-or-string'] = true;
  if (n.embeddedResource) out['x-kubernetes-embedded-resource'] = true;
  return Object.freeze(out);
}
