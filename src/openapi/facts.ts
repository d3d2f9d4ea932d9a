// Facts about Kubernetes API types that @kubernetes/client-node's generated models do not carry:
// which Go package a model class lives in, strategic-merge-patch and list/map metadata (struct tags),
// descriptions of properties whose type is a reference, Go pointer-ness (drives `default: {}`), and
// the few apimachinery types with a custom OpenAPI form (Time, Quantity, IntOrString...).
//
// Written from the k8s.io/api and k8s.io/apimachinery v1.34 struct tags and doc comments for the
// kinds kplane serves; extend the tables when a kind is added (the unit tests check the closure).

/** OpenAPI definition-name prefix of a Go package, keyed by the short package id used below. */
export const PACKAGES = {
  core: 'io.k8s.api.core.v1',
  rbac: 'io.k8s.api.rbac.v1',
  coordination: 'io.k8s.api.coordination.v1',
  discovery: 'io.k8s.api.discovery.v1',
  events: 'io.k8s.api.events.v1',
  authentication: 'io.k8s.api.authentication.v1',
  authorization: 'io.k8s.api.authorization.v1',
  admissionregistration: 'io.k8s.api.admissionregistration.v1',
  autoscaling: 'io.k8s.api.autoscaling.v1',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  resource: 'io.k8s.apimachinery.pkg.api.resource',
  intstr: 'io.k8s.apimachinery.pkg.util.intstr',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  version: 'io.k8s.apimachinery.pkg.version',
} as const;

const META = PACKAGES.meta;

/**
 * client-node qualifies a class with its API group when two groups define the same version+kind
 * (CoreV1Event / EventsV1Event, RbacV1Subject / FlowcontrolV1Subject). Prefix -> package path
 * segment under io.k8s.api.
 */
export const CLASS_GROUP_PREFIXES: Record<string, string> = {
  Core: 'io.k8s.api.core',
  Events: 'io.k8s.api.events',
  Rbac: 'io.k8s.api.rbac',
  Discovery: 'io.k8s.api.discovery',
  Flowcontrol: 'io.k8s.api.flowcontrol',
  Storage: 'io.k8s.api.storage',
  Authentication: 'io.k8s.api.authentication',
  Resource: 'io.k8s.api.resource',
  Admissionregistration: 'io.k8s.api.admissionregistration',
  Apiextensions: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  Apiregistration: 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/**
 * Unqualified client-node classes (V1Xxx) whose Go package differs from the package of the type that
 * references them. Anything not listed here is assumed to live next to its referrer.
 */
export const CLASS_DEFINITIONS: Record<string, string> = {
  // k8s.io/apimachinery/pkg/apis/meta/v1
  V1ObjectMeta: `${META}.ObjectMeta`,
  V1ListMeta: `${META}.ListMeta`,
  V1OwnerReference: `${META}.OwnerReference`,
  V1ManagedFieldsEntry: `${META}.ManagedFieldsEntry`,
  V1Status: `${META}.Status`,
  V1StatusDetails: `${META}.StatusDetails`,
  V1StatusCause: `${META}.StatusCause`,
  V1DeleteOptions: `${META}.DeleteOptions`,
  V1Preconditions: `${META}.Preconditions`,
  V1WatchEvent: `${META}.WatchEvent`,
  V1APIResourceList: `${META}.APIResourceList`,
  V1APIResource: `${META}.APIResource`,
  V1APIGroup: `${META}.APIGroup`,
  V1APIGroupList: `${META}.APIGroupList`,
  V1APIVersions: `${META}.APIVersions`,
  V1GroupVersionForDiscovery: `${META}.GroupVersionForDiscovery`,
  V1ServerAddressByClientCIDR: `${META}.ServerAddressByClientCIDR`,
  V1Condition: `${META}.Condition`,
  V1LabelSelector: `${META}.LabelSelector`,
  V1LabelSelectorRequirement: `${META}.LabelSelectorRequirement`,
  V1FieldSelectorRequirement: `${META}.FieldSelectorRequirement`,
  // k8s.io/api/core/v1 types referenced from other groups
  V1ObjectReference: `${PACKAGES.core}.ObjectReference`,
  V1EventSource: `${PACKAGES.core}.EventSource`,
  V1LocalObjectReference: `${PACKAGES.core}.LocalObjectReference`,
  // k8s.io/apimachinery/pkg/version
  VersionInfo: `${PACKAGES.version}.Info`,
  // k8s.io/api/autoscaling/v1 (the scale subresource)
  V1Scale: `${PACKAGES.autoscaling}.Scale`,
  V1ScaleSpec: `${PACKAGES.autoscaling}.ScaleSpec`,
  V1ScaleStatus: `${PACKAGES.autoscaling}.ScaleStatus`,
};

/** Definition names whose OpenAPI form is hand-written (custom OpenAPI in Go), not a model. */
export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const QUANTITY = `${PACKAGES.resource}.Quantity`;
export const INT_OR_STRING = `${PACKAGES.intstr}.IntOrString`;
export const RAW_EXTENSION = `${PACKAGES.runtime}.RawExtension`;
export const FIELDS_V1 = `${META}.FieldsV1`;
export const PATCH = `${META}.Patch`;

/**
 * The custom types in OpenAPI v3 form. Their descriptions are the first paragraphs of the Go doc
 * comments (client-node does not keep them).
 */
export const CUSTOM_DEFINITIONS: Record<string, Record<string, unknown>> = {
  [TIME]: {
    description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
    format: 'date-time',
    type: 'string',
  },
  [MICRO_TIME]: {
    description: 'MicroTime is version of Time with microsecond level precision.',
    format: 'date-time',
    type: 'string',
  },
  [QUANTITY]: {
    description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```\n\nNo matter which of the three exponent forms is used, no quantity may represent a number greater than 2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, Quantity will be put in "canonical form". This means that Exponent/suffix will be adjusted up or down (with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as "1500m" - 1.5Gi will be serialized as "1536Mi"\n\nNote that the quantity will NEVER be internally represented by a floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use canonical form, or don\'t diff.)\n\nThis format is intended to make it difficult to use these numbers without writing some sort of special handling code in the hopes that that will cause implementors to also use a fixed point implementation.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  [RAW_EXTENSION]: {
    description: 'RawExtension is used to hold extensions in external versions.\n\nTo use this, make a field which has RawExtension as its type in your external, versioned struct, and Object in your internal struct. You also need to register your various plugin types.\n\n// Internal package:\n\n\ttype MyAPIObject struct {\n\t\truntime.TypeMeta `json:",inline"`\n\t\tMyPlugin runtime.Object `json:"myPlugin"`\n\t}\n\n\ttype PluginA struct {\n\t\tAOption string `json:"aOption"`\n\t}\n\n// External package:\n\n\ttype MyAPIObject struct {\n\t\truntime.TypeMeta `json:",inline"`\n\t\tMyPlugin runtime.RawExtension `json:"myPlugin"`\n\t}\n\n\ttype PluginA struct {\n\t\tAOption string `json:"aOption"`\n\t}\n\n// On the wire, the JSON will look something like this:\n\n\t{\n\t\t"kind":"MyAPIObject",\n\t\t"apiVersion":"v1",\n\t\t"myPlugin": {\n\t\t\t"kind":"PluginA",\n\t\t\t"aOption":"foo",\n\t\t},\n\t}\n\nSo what happens? Decode first uses json or yaml to unmarshal the serialized data into your external MyAPIObject. That causes the raw JSON to be stored, but not unpacked. The next step is to copy (using pkg/conversion) into the internal struct. The runtime package\'s DefaultScheme has conversion functions installed which will unpack the JSON stored in RawExtension, turning it into the correct object type, and storing it in the Object. (TODO: In the case where the object is of an unknown type, a runtime.Unknown object will be created and stored.)',
    type: 'object',
  },
  [FIELDS_V1]: {
    description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a \'.\' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: \'f:<name>\', where <name> is the name of a field in a struct, or key in a map \'v:<value>\', where <value> is the exact json formatted value of a list item \'i:<index>\', where <index> is position of a item in a list \'k:<keys>\', where <keys> is a map of  a list item\'s key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff',
    type: 'object',
  },
  [PATCH]: {
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    type: 'object',
  },
};

/** apiextensions' JSON-valued types: any JSON (kube's OpenAPI gives them no type). */
const APIEXTENSIONS_V1 = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
export const APIEXTENSIONS_JSON = `${APIEXTENSIONS_V1}.JSON`;
const JSON_SCHEMA_PROPS_OR_ARRAY = `${APIEXTENSIONS_V1}.JSONSchemaPropsOrArray`;
const JSON_SCHEMA_PROPS_OR_BOOL = `${APIEXTENSIONS_V1}.JSONSchemaPropsOrBool`;
const JSON_SCHEMA_PROPS_OR_STRING_ARRAY = `${APIEXTENSIONS_V1}.JSONSchemaPropsOrStringArray`;
/** The apiextensions types above: a property of one of them is a plain $ref, as in kube. */
export const APIEXTENSIONS_JSON_TYPES = [APIEXTENSIONS_JSON, JSON_SCHEMA_PROPS_OR_ARRAY, JSON_SCHEMA_PROPS_OR_BOOL, JSON_SCHEMA_PROPS_OR_STRING_ARRAY];
Object.assign(CUSTOM_DEFINITIONS, {
  [APIEXTENSIONS_JSON]: {
    description: 'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.',
  },
  [JSON_SCHEMA_PROPS_OR_ARRAY]: {
    description: 'JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.',
  },
  [JSON_SCHEMA_PROPS_OR_BOOL]: {
    description: 'JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.',
  },
  [JSON_SCHEMA_PROPS_OR_STRING_ARRAY]: {
    description: 'JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.',
  },
});

/** The v2 (swagger) form of custom types whose v3 form uses oneOf. */
export const CUSTOM_DEFINITIONS_V2: Record<string, Record<string, unknown>> = {
  [QUANTITY]: { type: 'string' },
  [INT_OR_STRING]: { format: 'int-or-string', type: 'string' },
};

/** client-node types `any`/plain maps where the Go type is one of the custom types above. */
export const PROPERTY_TYPE_OVERRIDES: Record<string, Record<string, string>> = {
  [`${META}.ManagedFieldsEntry`]: { fieldsV1: FIELDS_V1 },
  [`${META}.WatchEvent`]: { object: RAW_EXTENSION },
  // map[ResourceName]resource.Quantity (client-node says map of string)
  [`${PACKAGES.core}.LimitRangeItem`]: {
    default: `map:${QUANTITY}`, defaultRequest: `map:${QUANTITY}`, max: `map:${QUANTITY}`,
    maxLimitRequestRatio: `map:${QUANTITY}`, min: `map:${QUANTITY}`,
  },
  [`${PACKAGES.core}.ResourceQuotaSpec`]: { hard: `map:${QUANTITY}` },
  // client-node says `any` for these JSON-valued fields of a CRD schema
  [`${APIEXTENSIONS_V1}.JSONSchemaProps`]: {
    additionalItems: JSON_SCHEMA_PROPS_OR_BOOL, additionalProperties: JSON_SCHEMA_PROPS_OR_BOOL, default: APIEXTENSIONS_JSON,
    dependencies: `map:${JSON_SCHEMA_PROPS_OR_STRING_ARRAY}`, enum: `list:${APIEXTENSIONS_JSON}`, example: APIEXTENSIONS_JSON,
    items: JSON_SCHEMA_PROPS_OR_ARRAY,
  },
  [`${PACKAGES.core}.ResourceQuotaStatus`]: { hard: `map:${QUANTITY}`, used: `map:${QUANTITY}` },
};

export interface ListFacts {
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const atomic: ListFacts = { listType: 'atomic' };

/**
 * Struct-tag metadata per definition and property (`patchStrategy`, `patchMergeKey`,
 * `+listType`, `+listMapKey`, `+mapType`). The key '' holds type-level markers.
 */
export const PATCH_FACTS: Record<string, Record<string, ListFacts>> = {
  // ---- meta/v1
  [`${META}.ObjectMeta`]: {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
    managedFields: atomic,
  },
  [`${META}.OwnerReference`]: { '': { mapType: 'atomic' } },
  [`${META}.LabelSelector`]: { '': { mapType: 'atomic' }, matchExpressions: atomic },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${META}.Status`]: { details: atomic },
  [`${META}.StatusDetails`]: { causes: atomic },
  [`${META}.DeleteOptions`]: { dryRun: atomic },
  [`${META}.APIResourceList`]: { resources: atomic },
  [`${META}.APIResource`]: { shortNames: atomic, categories: atomic },
  [`${META}.APIGroup`]: { versions: atomic, serverAddressByClientCIDRs: atomic },
  [`${META}.APIGroupList`]: { groups: atomic },
  [`${META}.APIVersions`]: { versions: atomic, serverAddressByClientCIDRs: atomic },
  // ---- core/v1
  [`${PACKAGES.core}.NamespaceSpec`]: { finalizers: atomic },
  [`${PACKAGES.core}.NamespaceStatus`]: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  [`${PACKAGES.core}.ServiceAccount`]: {
    secrets: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    imagePullSecrets: atomic,
  },
  [`${PACKAGES.core}.ObjectReference`]: { '': { mapType: 'atomic' } },
  [`${PACKAGES.core}.LocalObjectReference`]: { '': { mapType: 'atomic' } },
  [`${PACKAGES.core}.LimitRangeSpec`]: { limits: atomic },
  [`${PACKAGES.core}.ResourceQuotaSpec`]: { scopes: atomic },
  [`${PACKAGES.core}.ScopeSelector`]: { '': { mapType: 'atomic' }, matchExpressions: atomic },
  [`${PACKAGES.core}.ScopedResourceSelectorRequirement`]: { values: atomic },
  // ---- rbac/v1
  [`${PACKAGES.rbac}.Role`]: { rules: atomic },
  [`${PACKAGES.rbac}.ClusterRole`]: { rules: atomic },
  [`${PACKAGES.rbac}.RoleBinding`]: { subjects: atomic },
  [`${PACKAGES.rbac}.ClusterRoleBinding`]: { subjects: atomic },
  [`${PACKAGES.rbac}.PolicyRule`]: {
    verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic, nonResourceURLs: atomic,
  },
  [`${PACKAGES.rbac}.AggregationRule`]: { clusterRoleSelectors: atomic },
  [`${PACKAGES.rbac}.RoleRef`]: { '': { mapType: 'atomic' } },
  [`${PACKAGES.rbac}.Subject`]: { '': { mapType: 'atomic' } },
  // ---- authentication/v1 (serviceaccounts/token)
  [`${PACKAGES.authentication}.TokenRequestSpec`]: { audiences: atomic },
  // ---- authentication/v1, authorization/v1 (the reviews)
  [`${PACKAGES.authentication}.TokenReviewSpec`]: { audiences: atomic },
  [`${PACKAGES.authentication}.TokenReviewStatus`]: { audiences: atomic },
  [`${PACKAGES.authentication}.UserInfo`]: { groups: atomic },
  [`${PACKAGES.authorization}.SubjectAccessReviewSpec`]: { groups: atomic },
  [`${PACKAGES.authorization}.FieldSelectorAttributes`]: { requirements: atomic },
  [`${PACKAGES.authorization}.LabelSelectorAttributes`]: { requirements: atomic },
  [`${PACKAGES.authorization}.SubjectRulesReviewStatus`]: { resourceRules: atomic, nonResourceRules: atomic },
  [`${PACKAGES.authorization}.ResourceRule`]: { verbs: atomic, apiGroups: atomic, resources: atomic, resourceNames: atomic },
  [`${PACKAGES.authorization}.NonResourceRule`]: { verbs: atomic, nonResourceURLs: atomic },
  // ---- certificates/v1
  ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec']: { request: atomic, usages: atomic, groups: atomic },
  ['io.k8s.api.certificates.v1.CertificateSigningRequestStatus']: { conditions: { listType: 'map', listMapKeys: ['type'] }, certificate: atomic },
  [`${META}.FieldSelectorRequirement`]: { values: atomic },
  // ---- core/v1 Service, Endpoints
  [`${PACKAGES.core}.ServiceSpec`]: {
    ports: { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
    selector: { mapType: 'atomic' },
    clusterIPs: atomic, externalIPs: atomic, loadBalancerSourceRanges: atomic, ipFamilies: atomic,
  },
  [`${PACKAGES.core}.ServiceStatus`]: {
    conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
  },
  [`${PACKAGES.core}.LoadBalancerStatus`]: { ingress: atomic },
  [`${PACKAGES.core}.LoadBalancerIngress`]: { ports: atomic },
  [`${PACKAGES.core}.Endpoints`]: { subsets: atomic },
  [`${PACKAGES.core}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${PACKAGES.core}.EndpointAddress`]: { '': { mapType: 'atomic' } },
  [`${PACKAGES.core}.EndpointPort`]: { '': { mapType: 'atomic' } },
  // ---- discovery.k8s.io/v1
  [`${PACKAGES.discovery}.EndpointSlice`]: { endpoints: atomic, ports: atomic },
  [`${PACKAGES.discovery}.Endpoint`]: { addresses: { listType: 'set' } },
  [`${PACKAGES.discovery}.EndpointHints`]: { forZones: atomic, forNodes: atomic },
  [`${PACKAGES.discovery}.EndpointPort`]: { '': { mapType: 'atomic' } },
};

/**
 * Go pointer fields of struct type: they get no `default: {}` in kube's OpenAPI v3 (non-pointer
 * struct fields do).
 */
export const POINTER_STRUCT_FIELDS = new Set<string>([
  `${PACKAGES.core}.Event.related`,
  `${PACKAGES.core}.Event.series`,
  `${PACKAGES.events}.Event.related`,
  `${PACKAGES.events}.Event.series`,
  `${PACKAGES.rbac}.ClusterRole.aggregationRule`,
  `${PACKAGES.core}.ResourceQuotaSpec.scopeSelector`,
  `${META}.DeleteOptions.preconditions`,
  `${META}.Status.details`,
  `${PACKAGES.authentication}.TokenRequestSpec.boundObjectRef`,
  `${PACKAGES.authorization}.SelfSubjectAccessReviewSpec.resourceAttributes`,
  `${PACKAGES.authorization}.SelfSubjectAccessReviewSpec.nonResourceAttributes`,
  `${PACKAGES.authorization}.SubjectAccessReviewSpec.resourceAttributes`,
  `${PACKAGES.authorization}.SubjectAccessReviewSpec.nonResourceAttributes`,
  `${PACKAGES.authorization}.ResourceAttributes.fieldSelector`,
  `${PACKAGES.authorization}.ResourceAttributes.labelSelector`,
  `${PACKAGES.core}.ServiceSpec.sessionAffinityConfig`,
  `${PACKAGES.core}.SessionAffinityConfig.clientIP`,
  `${PACKAGES.core}.EndpointAddress.targetRef`,
  `${PACKAGES.discovery}.Endpoint.targetRef`,
  `${PACKAGES.discovery}.Endpoint.hints`,
]);

export interface EnumFacts {
  values: string[];
  /** Doc comment of each value (kube appends "Possible enum values" to the field description). */
  docs?: Record<string, string>;
  /** The enum applies to the array items (the field description is left alone). */
  items?: boolean;
}

const QUOTA_SCOPES: EnumFacts = {
  values: ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'],
  docs: {
    BestEffort: 'Match all pod objects that have best effort quality of service',
    CrossNamespacePodAffinity: 'Match all pod objects that have cross-namespace pod (anti)affinity mentioned.',
    NotBestEffort: 'Match all pod objects that do not have best effort quality of service',
    NotTerminating: 'Match all pod objects where spec.activeDeadlineSeconds is nil',
    PriorityClass: 'Match all pod objects that have priority class mentioned',
    Terminating: 'Match all pod objects where spec.activeDeadlineSeconds >=0',
    VolumeAttributesClass: 'Match all pvc objects that have volume attributes class mentioned.',
  },
};

const PROTOCOLS: EnumFacts = {
  values: ['SCTP', 'TCP', 'UDP'],
  docs: { SCTP: 'is the SCTP protocol.', TCP: 'is the TCP protocol.', UDP: 'is the UDP protocol.' },
};
const TRAFFIC_POLICY_CLUSTER = 'routes traffic to all endpoints.';

/** `+enum` string types (published with the OpenAPIEnums feature, on by default). */
export const ENUM_FACTS: Record<string, Record<string, EnumFacts>> = {
  [`${PACKAGES.core}.NamespaceStatus`]: {
    phase: {
      values: ['Active', 'Terminating'],
      docs: {
        Active: 'means the namespace is available for use in the system',
        Terminating: 'means the namespace is undergoing graceful termination',
      },
    },
  },
  [`${PACKAGES.core}.ResourceQuotaSpec`]: { scopes: { ...QUOTA_SCOPES, items: true } },
  ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec']: {
    usages: {
      items: true,
      values: ['any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only',
        'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement',
        'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping'],
    },
  },
  [`${PACKAGES.core}.ScopedResourceSelectorRequirement`]: {
    operator: { values: ['DoesNotExist', 'Exists', 'In', 'NotIn'] },
    scopeName: QUOTA_SCOPES,
  },
  [`${PACKAGES.core}.ServiceSpec`]: {
    type: {
      values: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
      docs: {
        ClusterIP: 'means a service will only be accessible inside the cluster, via the cluster IP.',
        ExternalName: 'means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.',
        LoadBalancer: "means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to 'NodePort' type.",
        NodePort: "means a service will be exposed on one port of every node, in addition to 'ClusterIP' type.",
      },
    },
    sessionAffinity: { values: ['ClientIP', 'None'], docs: { ClientIP: 'is the Client IP based.', None: '- no session affinity.' } },
    externalTrafficPolicy: {
      values: ['Cluster', 'Local'],
      docs: { Cluster: TRAFFIC_POLICY_CLUSTER, Local: 'preserves the source IP of the traffic by routing only to endpoints on the same node as the traffic was received on (dropping the traffic if there are no local endpoints).' },
    },
    internalTrafficPolicy: {
      values: ['Cluster', 'Local'],
      docs: { Cluster: TRAFFIC_POLICY_CLUSTER, Local: 'routes traffic only to endpoints on the same node as the client pod (dropping the traffic if there are no local endpoints).' },
    },
    ipFamilies: { values: ['', 'IPv4', 'IPv6'], items: true },
    ipFamilyPolicy: {
      values: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
      docs: {
        PreferDualStack: 'indicates that this service prefers dual-stack when the cluster is configured for dual-stack. If the cluster is not configured for dual-stack the service will be assigned a single IPFamily. If the IPFamily is not set in service.spec.ipFamilies then the service will be assigned the default IPFamily configured on the cluster',
        RequireDualStack: 'indicates that this service requires dual-stack. Using IPFamilyPolicyRequireDualStack on a single stack cluster will result in validation errors. The IPFamilies (and their order) assigned to this service is based on service.spec.ipFamilies. If service.spec.ipFamilies was not provided then it will be assigned according to how they are configured on the cluster. If service.spec.ipFamilies has only one entry then the alternative IPFamily will be added by apiserver',
        SingleStack: 'indicates that this service is required to have a single IPFamily. The IPFamily assigned is based on the default IPFamily used by the cluster or as identified by service.spec.ipFamilies field',
      },
    },
  },
  [`${PACKAGES.core}.ServicePort`]: { protocol: PROTOCOLS },
  [`${PACKAGES.core}.PortStatus`]: { protocol: PROTOCOLS },
  [`${PACKAGES.core}.EndpointPort`]: { protocol: PROTOCOLS },
  [`${PACKAGES.discovery}.EndpointPort`]: { protocol: PROTOCOLS },
  [`${PACKAGES.discovery}.EndpointSlice`]: {
    addressType: {
      values: ['FQDN', 'IPv4', 'IPv6'],
      docs: { FQDN: 'represents a FQDN.', IPv4: 'represents an IPv4 Address.', IPv6: 'represents an IPv6 Address.' },
    },
  },
};

/** Fields with a `+default=` marker: their default in the published schema. */
export const FIELD_DEFAULTS: Record<string, unknown> = {
  [`${PACKAGES.core}.ServicePort.protocol`]: 'TCP',
};

/** Required fields of a Go pointer scalar type: no zero `default` (required non-pointer scalars have one). */
export const POINTER_SCALAR_FIELDS = new Set<string>();

/**
 * Optional scalar fields without omitempty (or with a +default marker): they carry their zero
 * value as `default` like required fields do.
 */
export const ZERO_DEFAULT_FIELDS = new Set<string>([
  `${PACKAGES.core}.Event.reportingComponent`,
  `${PACKAGES.core}.Event.reportingInstance`,
  `${PACKAGES.core}.LocalObjectReference.name`,
  `${PACKAGES.autoscaling}.ScaleSpec.replicas`,
]);

const OBJECT_METADATA = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_KINDS = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const LIST_METADATA = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const MORE_INFO_METADATA = 'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const RBAC_METADATA = "Standard object's metadata.";
const APP_PROTOCOL_DESCRIPTION = "The application protocol for this port. This is used as a hint for implementations to offer richer behavior for protocols that they understand. This field follows standard Kubernetes label syntax. Valid values are either:\n\n* Un-prefixed protocol names - reserved for IANA standard service names (as per RFC-6335 and https://www.iana.org/assignments/service-names).\n\n* Kubernetes-defined prefixed names:\n  * 'kubernetes.io/h2c' - HTTP/2 prior knowledge over cleartext as described in https://www.rfc-editor.org/rfc/rfc9113.html#name-starting-http-2-with-prior-\n  * 'kubernetes.io/ws'  - WebSocket over cleartext as described in https://www.rfc-editor.org/rfc/rfc6455\n  * 'kubernetes.io/wss' - WebSocket over TLS as described in https://www.rfc-editor.org/rfc/rfc6455\n\n* Other protocols should use implementation-defined prefixed names such as mycompany.com/my-custom-protocol.";

/**
 * Descriptions of properties whose type is a reference (client-node drops them, or puts the
 * referenced type's description there).
 */
export const PROPERTY_DESCRIPTIONS: Record<string, Record<string, string>> = {
  [`${PACKAGES.core}.Namespace`]: {
    metadata: OBJECT_METADATA,
    spec: 'Spec defines the behavior of the Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    status: 'Status describes the current status of a Namespace. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
  },
  [`${PACKAGES.core}.NamespaceList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.ConfigMap`]: { metadata: OBJECT_METADATA },
  [`${PACKAGES.core}.ConfigMapList`]: { metadata: MORE_INFO_METADATA },
  [`${PACKAGES.core}.Secret`]: { metadata: OBJECT_METADATA },
  [`${PACKAGES.core}.SecretList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.ServiceAccount`]: { metadata: OBJECT_METADATA },
  [`${PACKAGES.core}.ServiceAccountList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.Event`]: {
    metadata: OBJECT_METADATA,
    involvedObject: 'The object that this event is about.',
    related: 'Optional secondary object for more complex actions.',
    series: "Data about the Event series this event represents or nil if it's a singleton Event.",
    source: 'The component reporting this event. Should be a short machine understandable string.',
    eventTime: 'Time when this Event was first observed.',
  },
  [`${PACKAGES.core}.EventList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.EventSeries`]: { lastObservedTime: 'Time of the last occurrence observed' },
  [`${PACKAGES.core}.LimitRange`]: {
    metadata: OBJECT_METADATA,
    spec: 'Spec defines the limits enforced. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
  },
  [`${PACKAGES.core}.LimitRangeList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.ResourceQuota`]: {
    metadata: OBJECT_METADATA,
    spec: 'Spec defines the desired quota. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
    status: 'Status defines the actual enforced quota and its current usage. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
  },
  [`${PACKAGES.core}.ResourceQuotaList`]: { metadata: LIST_METADATA_KINDS },
  [`${PACKAGES.core}.ResourceQuotaSpec`]: {
    scopeSelector: 'scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values. For a resource to match, both scopes AND scopeSelector (if specified in spec), must be matched.',
  },
  [`${PACKAGES.events}.Event`]: {
    metadata: OBJECT_METADATA,
    eventTime: 'eventTime is the time when this Event was first observed. It is required.',
    regarding: "regarding contains the object this Event is about. In most cases it's an Object reporting controller implements, e.g. ReplicaSetController implements ReplicaSets and this event is emitted because it acts on some changes in a ReplicaSet object.",
    related: 'related is the optional secondary object for more complex actions. E.g. when regarding object triggers a creation or deletion of related object.',
    series: "series is data about the Event series this event represents or nil if it's a singleton Event.",
    deprecatedSource: 'deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.',
  },
  [`${PACKAGES.events}.EventList`]: { metadata: LIST_METADATA },
  [`${PACKAGES.events}.EventSeries`]: {
    lastObservedTime: 'lastObservedTime is the time when last Event from the series was seen before last heartbeat.',
  },
  [`${PACKAGES.coordination}.Lease`]: {
    metadata: MORE_INFO_METADATA,
    spec: 'spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status',
  },
  [`${PACKAGES.coordination}.LeaseList`]: { metadata: LIST_METADATA },
  [`${PACKAGES.coordination}.LeaseSpec`]: {
    acquireTime: 'acquireTime is a time when the current lease was acquired.',
    renewTime: 'renewTime is a time when the current holder of a lease has last updated the lease.',
  },
  [`${PACKAGES.rbac}.Role`]: { metadata: RBAC_METADATA },
  [`${PACKAGES.rbac}.RoleList`]: { metadata: RBAC_METADATA },
  [`${PACKAGES.rbac}.ClusterRole`]: {
    metadata: RBAC_METADATA,
    aggregationRule: 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.',
  },
  [`${PACKAGES.rbac}.ClusterRoleList`]: { metadata: RBAC_METADATA },
  [`${PACKAGES.rbac}.RoleBinding`]: {
    metadata: RBAC_METADATA,
    roleRef: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
  },
  [`${PACKAGES.rbac}.RoleBindingList`]: { metadata: RBAC_METADATA },
  [`${PACKAGES.rbac}.ClusterRoleBinding`]: {
    metadata: RBAC_METADATA,
    roleRef: 'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
  },
  [`${PACKAGES.rbac}.ClusterRoleBindingList`]: { metadata: RBAC_METADATA },
  [`${META}.Status`]: {
    metadata: LIST_METADATA_KINDS,
    details: 'Extended data associated with the reason.  Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.',
  },
  [`${META}.DeleteOptions`]: {
    preconditions: 'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.',
  },
  [`${META}.APIGroup`]: {
    preferredVersion: 'preferredVersion is the version preferred by the API server, which probably is the storage version.',
  },
  [`${META}.WatchEvent`]: {
    object: 'Object is:\n * If Type is Added or Modified: the new state of the object.\n * If Type is Deleted: the state of the object immediately before deletion.\n * If Type is Error: *Status is recommended; other types may make sense\n   depending on context.',
  },
  [`${META}.ManagedFieldsEntry`]: {
    fieldsV1: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.',
  },
  [`${PACKAGES.autoscaling}.Scale`]: {
    metadata: "Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.",
    spec: 'spec defines the behavior of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.',
    status: 'status is the current status of the scale. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status. Read-only.',
  },
  [`${PACKAGES.authentication}.TokenRequest`]: {
    metadata: OBJECT_METADATA,
    spec: 'Spec holds information about the request being evaluated',
    status: 'Status is filled in by the server and indicates whether the token can be authenticated.',
  },
  [`${PACKAGES.authentication}.TokenRequestSpec`]: {
    boundObjectRef: 'BoundObjectRef is a reference to an object that the token will be bound to. The token will only be valid for as long as the bound object exists. NOTE: The API server\'s TokenReview endpoint will validate the BoundObjectRef, but other audiences may not. Keep ExpirationSeconds small if you want prompt revocation.',
  },
  [`${PACKAGES.authentication}.TokenRequestStatus`]: {
    expirationTimestamp: 'ExpirationTimestamp is the time of expiration of the returned token.',
  },
  // the reviews (kube's doc comments; the access reviews' metadata says "list metadata" in kube too)
  [`${PACKAGES.authentication}.SelfSubjectReview`]: {
    metadata: OBJECT_METADATA,
    status: "Status is filled in by the server with the user attributes.",
  },
  [`${PACKAGES.authentication}.SelfSubjectReviewStatus`]: {
    userInfo: "User attributes of the user making this request.",
  },
  [`${PACKAGES.authentication}.TokenReview`]: {
    metadata: OBJECT_METADATA,
    spec: "Spec holds information about the request being evaluated",
    status: "Status is filled in by the server and indicates whether the request can be authenticated.",
  },
  [`${PACKAGES.authentication}.TokenReviewStatus`]: {
    user: "User is the UserInfo associated with the provided token.",
  },
  [`${PACKAGES.authorization}.LocalSubjectAccessReview`]: {
    metadata: LIST_METADATA,
    spec: "Spec holds information about the request being evaluated.  spec.namespace must be equal to the namespace you made the request against.  If empty, it is defaulted.",
    status: "Status is filled in by the server and indicates whether the request is allowed or not",
  },
  [`${PACKAGES.authorization}.ResourceAttributes`]: {
    fieldSelector: "fieldSelector describes the limitation on access based on field.  It can only limit access, not broaden it.",
    labelSelector: "labelSelector describes the limitation on access based on labels.  It can only limit access, not broaden it.",
  },
  [`${PACKAGES.authorization}.ResourceRule`]: {
    resources: "Resources is a list of resources this rule applies to.  \"*\" means all in the specified apiGroups.\n \"*/foo\" represents the subresource 'foo' for all resources in the specified apiGroups.",
  },
  [`${PACKAGES.authorization}.SelfSubjectAccessReview`]: {
    metadata: LIST_METADATA,
    spec: "Spec holds information about the request being evaluated.  user and groups must be empty",
    status: "Status is filled in by the server and indicates whether the request is allowed or not",
  },
  [`${PACKAGES.authorization}.SelfSubjectAccessReviewSpec`]: {
    nonResourceAttributes: "NonResourceAttributes describes information for a non-resource access request",
    resourceAttributes: "ResourceAuthorizationAttributes describes information for a resource access request",
  },
  [`${PACKAGES.authorization}.SelfSubjectRulesReview`]: {
    metadata: LIST_METADATA,
    spec: "Spec holds information about the request being evaluated.",
    status: "Status is filled in by the server and indicates the set of actions a user can perform.",
  },
  [`${PACKAGES.authorization}.SubjectAccessReview`]: {
    metadata: LIST_METADATA,
    spec: "Spec holds information about the request being evaluated",
    status: "Status is filled in by the server and indicates whether the request is allowed or not",
  },
  [`${PACKAGES.authorization}.SubjectAccessReviewSpec`]: {
    nonResourceAttributes: "NonResourceAttributes describes information for a non-resource access request",
    resourceAttributes: "ResourceAuthorizationAttributes describes information for a resource access request",
  },
  [`${PACKAGES.core}.Service`]: {
    metadata: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    spec: "Spec defines the behavior of a service. https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
    status: "Most recently observed status of the service. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
  },
  [`${PACKAGES.core}.ServiceList`]: {
    metadata: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  },
  [`${PACKAGES.core}.ServiceSpec`]: {
    sessionAffinityConfig: "sessionAffinityConfig contains the configurations of session affinity.",
    clusterIPs: "ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.  If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be empty) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address.  Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName.  If this field is not specified, it will be initialized from the clusterIP field.  If this field is specified, clients must ensure that clusterIPs[0] and clusterIP have the same value.\n\nThis field may hold a maximum of two entries (dual-stack IPs, in either order). These IPs must correspond to the values of the ipFamilies field. Both clusterIPs and ipFamilies are governed by the ipFamilyPolicy field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
    ipFamilies: "IPFamilies is a list of IP families (e.g. IPv4, IPv6) assigned to this service. This field is usually assigned automatically based on cluster configuration and the ipFamilyPolicy field. If this field is specified manually, the requested family is available in the cluster, and ipFamilyPolicy allows it, it will be used; otherwise creation of the service will fail. This field is conditionally mutable: it allows for adding or removing a secondary IP family, but it does not allow changing the primary IP family of the Service. Valid values are \"IPv4\" and \"IPv6\".  This field only applies to Services of types ClusterIP, NodePort, and LoadBalancer, and does apply to \"headless\" services. This field will be wiped when updating a Service to type ExternalName.\n\nThis field may hold a maximum of two entries (dual-stack families, in either order).  These families must correspond to the values of the clusterIPs field, if specified. Both clusterIPs and ipFamilies are governed by the ipFamilyPolicy field.",
  },
  [`${PACKAGES.core}.ServicePort`]: {
    targetPort: "Number or name of the port to access on the pods targeted by the service. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME. If this is a string, it will be looked up as a named port in the target Pod's container ports. If this is not specified, the value of the 'port' field is used (an identity map). This field is ignored for services with clusterIP=None, and should be omitted or set equal to the 'port' field. More info: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
    appProtocol: APP_PROTOCOL_DESCRIPTION,
  },
  [`${PACKAGES.core}.ServiceStatus`]: {
    loadBalancer: "LoadBalancer contains the current status of the load-balancer, if one is present.",
  },
  [`${PACKAGES.core}.SessionAffinityConfig`]: {
    clientIP: "clientIP contains the configurations of Client IP based session affinity.",
  },
  [`${PACKAGES.core}.PortStatus`]: {
    error: "Error is to record the problem with the service port The format of the error shall comply with the following rules: - built-in error values shall be specified in this file and those shall use\n  CamelCase names\n- cloud provider specific error values must have names that comply with the\n  format foo.example.com/CamelCase.",
  },
  [`${PACKAGES.core}.Endpoints`]: {
    metadata: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  },
  [`${PACKAGES.core}.EndpointsList`]: {
    metadata: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  },
  [`${PACKAGES.core}.EndpointAddress`]: {
    targetRef: "Reference to object providing the endpoint.",
  },
  [`${PACKAGES.core}.EndpointPort`]: {
    appProtocol: APP_PROTOCOL_DESCRIPTION,
  },
  [`${PACKAGES.discovery}.EndpointSlice`]: {
    metadata: "Standard object's metadata.",
  },
  [`${PACKAGES.discovery}.EndpointSliceList`]: {
    metadata: "Standard list metadata.",
  },
  [`${PACKAGES.discovery}.Endpoint`]: {
    conditions: "conditions contains information about the current status of the endpoint.",
    hints: "hints contains information associated with how an endpoint should be consumed.",
    targetRef: "targetRef is a reference to a Kubernetes object that represents this endpoint.",
  },
  [`${PACKAGES.discovery}.EndpointPort`]: {
    appProtocol: APP_PROTOCOL_DESCRIPTION,
  },
};

/**
 * Descriptions of definitions whose Go doc comment has layout (examples, paragraphs) that
 * client-node's flattened text lost.
 */
export const DEFINITION_DESCRIPTIONS: Record<string, string> = {
  [`${PACKAGES.core}.Endpoints`]: "Endpoints is a collection of endpoints that implement the actual service. Example:\n\n\t Name: \"mysvc\",\n\t Subsets: [\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.1.1\"}, {\"ip\": \"10.10.2.2\"}],\n\t     Ports: [{\"name\": \"a\", \"port\": 8675}, {\"name\": \"b\", \"port\": 309}]\n\t   },\n\t   {\n\t     Addresses: [{\"ip\": \"10.10.3.3\"}],\n\t     Ports: [{\"name\": \"a\", \"port\": 93}, {\"name\": \"b\", \"port\": 76}]\n\t   },\n\t]\n\nEndpoints is a legacy API and does not contain information about all Service features. Use discoveryv1.EndpointSlice for complete information about Service endpoints.\n\nDeprecated: This API is deprecated in v1.33+. Use discoveryv1.EndpointSlice.",
  [`${PACKAGES.core}.EndpointSubset`]: "EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports. For example, given:\n\n\t{\n\t  Addresses: [{\"ip\": \"10.10.1.1\"}, {\"ip\": \"10.10.2.2\"}],\n\t  Ports:     [{\"name\": \"a\", \"port\": 8675}, {\"name\": \"b\", \"port\": 309}]\n\t}\n\nThe resulting set of endpoints can be viewed as:\n\n\ta: [ 10.10.1.1:8675, 10.10.2.2:8675 ],\n\tb: [ 10.10.1.1:309, 10.10.2.2:309 ]\n\nDeprecated: This API is deprecated in v1.33+.",
};

/**
 * Fields whose Go doc comment has paragraph breaks where client-node's flattened text has ".  "
 * (restored for them only: elsewhere two spaces after a sentence are genuine). ObjectMeta is in
 * every `kubectl explain <kind>.metadata`.
 */
export const PARAGRAPH_FIELDS: Record<string, readonly string[]> = {
  [`${META}.ObjectMeta`]: ['creationTimestamp', 'deletionTimestamp', 'generateName', 'namespace', 'resourceVersion', 'uid'],
};

/**
 * Kinds registered in every served group version besides the group's own kinds
 * (metav1.AddToGroupVersion): their `x-kubernetes-group-version-kind` lists every served GV.
 */
export const PER_GROUP_VERSION_KINDS: Record<string, string> = {
  [`${META}.DeleteOptions`]: 'DeleteOptions',
  [`${META}.WatchEvent`]: 'WatchEvent',
};

/** Unversioned meta kinds (registered as v1 in the core group). */
export const UNVERSIONED_KINDS: Record<string, string> = {
  [`${META}.Status`]: 'Status',
  [`${META}.APIVersions`]: 'APIVersions',
  [`${META}.APIGroupList`]: 'APIGroupList',
  [`${META}.APIGroup`]: 'APIGroup',
  [`${META}.APIResourceList`]: 'APIResourceList',
};

// ---- apiextensions.k8s.io/v1 (CustomResourceDefinition): what client-node's models lack ----

const CRD_STATUS_SUBRESOURCE = `${APIEXTENSIONS_V1}.CustomResourceSubresourceStatus`;
CUSTOM_DEFINITIONS[CRD_STATUS_SUBRESOURCE] = {
  description: 'CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza',
  type: 'object',
};
// client-node types subresources.status as a plain object
PROPERTY_TYPE_OVERRIDES[`${APIEXTENSIONS_V1}.CustomResourceSubresources`] = { status: CRD_STATUS_SUBRESOURCE };

const CRD_OBJECT_METADATA = "Standard object's metadata More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
Object.assign(PROPERTY_DESCRIPTIONS, {
  [`${APIEXTENSIONS_V1}.CustomResourceConversion`]: { webhook: 'webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.' },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinition`]: {
    metadata: CRD_OBJECT_METADATA,
    spec: 'spec describes how the user wants the resources to appear',
    status: 'status indicates the actual state of the CustomResourceDefinition',
  },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionList`]: { metadata: CRD_OBJECT_METADATA },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionSpec`]: {
    conversion: 'conversion defines conversion settings for the CRD.',
    names: 'names specify the resource and kind names for the custom resource.',
  },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionStatus`]: {
    acceptedNames: 'acceptedNames are the names that are actually being used to serve discovery. They may be different than the names in spec.',
  },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionVersion`]: {
    schema: 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.',
    subresources: 'subresources specify what subresources this version of the defined custom resource have.',
  },
  [`${APIEXTENSIONS_V1}.CustomResourceSubresources`]: {
    scale: 'scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.',
    status: 'status indicates the custom resource should serve a `/status` subresource. When enabled: 1. requests to the custom resource primary endpoint ignore changes to the `status` stanza of the object. 2. requests to the custom resource `/status` subresource ignore changes to anything other than the `status` stanza of the object.',
  },
  [`${APIEXTENSIONS_V1}.CustomResourceValidation`]: { openAPIV3Schema: 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.' },
  [`${APIEXTENSIONS_V1}.WebhookClientConfig`]: {
    service: 'service is a reference to the service for this webhook. Either service or url must be specified.\n\nIf the webhook is running within the cluster, then you should use `service`.',
  },
  [`${APIEXTENSIONS_V1}.WebhookConversion`]: { clientConfig: 'clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.' },
});

for (const f of [
  'CustomResourceConversion.webhook', 'CustomResourceDefinitionSpec.conversion', 'CustomResourceDefinitionVersion.schema',
  'CustomResourceDefinitionVersion.subresources', 'CustomResourceSubresources.scale', 'CustomResourceSubresources.status',
  'CustomResourceValidation.openAPIV3Schema', 'WebhookClientConfig.service', 'WebhookConversion.clientConfig', 'JSONSchemaProps.not',
  'JSONSchemaProps.externalDocs',
]) POINTER_STRUCT_FIELDS.add(`${APIEXTENSIONS_V1}.${f}`);

Object.assign(PATCH_FACTS, {
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionNames`]: { categories: atomic, shortNames: atomic },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionSpec`]: { versions: atomic },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionStatus`]: { conditions: { listType: 'map', listMapKeys: ['type'] }, storedVersions: atomic },
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionVersion`]: { additionalPrinterColumns: atomic, selectableFields: atomic },
  [`${APIEXTENSIONS_V1}.JSONSchemaProps`]: {
    allOf: atomic, anyOf: atomic, enum: atomic, oneOf: atomic, required: atomic, 'x-kubernetes-list-map-keys': atomic,
    'x-kubernetes-validations': { patchStrategy: 'merge', patchMergeKey: 'rule', listType: 'map', listMapKeys: ['rule'] },
  },
  [`${APIEXTENSIONS_V1}.WebhookConversion`]: { conversionReviewVersions: atomic },
});

ENUM_FACTS[`${APIEXTENSIONS_V1}.ValidationRule`] = {
  reason: {
    values: ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'],
    docs: {
      FieldValueDuplicate: 'is used to report collisions of values that must be unique (e.g. unique IDs).',
      FieldValueForbidden: 'is used to report valid (as per formatting rules) values which would be accepted under some conditions, but which are not permitted by the current conditions (such as security policy).',
      FieldValueInvalid: 'is used to report malformed values (e.g. failed regex match, too long, out of bounds).',
      FieldValueRequired: 'is used to report required values that are not provided (e.g. empty strings, null values, or empty arrays).',
    },
  },
};

// doc comments whose layout (paragraphs, lists, indentation) client-node flattens: kube's own text
Object.assign(PARAGRAPH_FIELDS, {
  [`${APIEXTENSIONS_V1}.JSONSchemaProps`]: ['x-kubernetes-list-map-keys'],
  [`${APIEXTENSIONS_V1}.WebhookClientConfig`]: ['url'],
});
Object.assign(PROPERTY_DESCRIPTIONS[`${APIEXTENSIONS_V1}.CustomResourceConversion`] ??= {}, {
  strategy: "strategy specifies how custom resources are converted between versions. Allowed values are: - `\"None\"`: The converter only change the apiVersion and would not touch any other field in the custom resource. - `\"Webhook\"`: API Server will call to an external webhook to do the conversion. Additional information\n  is needed for this option. This requires spec.preserveUnknownFields to be false, and spec.conversion.webhook to be set.",
});
Object.assign(PROPERTY_DESCRIPTIONS[`${APIEXTENSIONS_V1}.JSONSchemaProps`] ??= {}, {
  format: "format is an OpenAPI v3 format string. Unknown formats are ignored. The following formats are validated:\n\n- bsonobjectid: a bson object ID, i.e. a 24 characters hex string - uri: an URI as parsed by Golang net/url.ParseRequestURI - email: an email address as parsed by Golang net/mail.ParseAddress - hostname: a valid representation for an Internet host name, as defined by RFC 1034, section 3.1 [RFC1034]. - ipv4: an IPv4 IP as parsed by Golang net.ParseIP - ipv6: an IPv6 IP as parsed by Golang net.ParseIP - cidr: a CIDR as parsed by Golang net.ParseCIDR - mac: a MAC address as parsed by Golang net.ParseMAC - uuid: an UUID that allows uppercase defined by the regex (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$ - uuid3: an UUID3 that allows uppercase defined by the regex (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$ - uuid4: an UUID4 that allows uppercase defined by the regex (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$ - uuid5: an UUID5 that allows uppercase defined by the regex (?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$ - isbn: an ISBN10 or ISBN13 number string like \"0321751043\" or \"978-0321751041\" - isbn10: an ISBN10 number string like \"0321751043\" - isbn13: an ISBN13 number string like \"978-0321751041\" - creditcard: a credit card number defined by the regex ^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\\\\d{3})\\\\d{11})$ with any non digit characters mixed in - ssn: a U.S. social security number following the regex ^\\\\d{3}[- ]?\\\\d{2}[- ]?\\\\d{4}$ - hexcolor: an hexadecimal color code like \"#FFFFFF: following the regex ^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$ - rgbcolor: an RGB color code like rgb like \"rgb(255,255,2559\" - byte: base64 encoded binary data - password: any kind of string - date: a date string like \"2006-01-02\" as defined by full-date in RFC3339 - duration: a duration string like \"22 ns\" as parsed by Golang time.ParseDuration or compatible with Scala duration format - datetime: a date time string like \"2014-12-15T19:30:20.000Z\" as defined by date-time in RFC3339.",
  'x-kubernetes-int-or-string': "x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more",
  'x-kubernetes-list-type': "x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values:\n\n1) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic lists will be entirely replaced when updated. This extension\n     may be used on any type of list (struct, scalar, ...).\n2) `set`:\n     Sets are lists that must not have multiple items with the same value. Each\n     value must be a scalar, an object with x-kubernetes-map-type `atomic` or an\n     array with x-kubernetes-list-type `atomic`.\n3) `map`:\n     These lists are like maps in that their elements have a non-index key\n     used to identify them. Order is preserved upon merge. The map tag\n     must only be used on a list with elements of type object.\nDefaults to atomic for arrays.",
  'x-kubernetes-map-type': "x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values:\n\n1) `granular`:\n     These maps are actual maps (key-value pairs) and each fields are independent\n     from each other (they can each be manipulated by separate actors). This is\n     the default behaviour for all maps.\n2) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic maps will be entirely replaced when updated.",
});
Object.assign(PROPERTY_DESCRIPTIONS[`${APIEXTENSIONS_V1}.ValidationRule`] ??= {}, {
  optionalOldSelf: "optionalOldSelf is used to opt a transition rule into evaluation even when the object is first created, or if the old object is missing the value.\n\nWhen enabled `oldSelf` will be a CEL optional whose value will be `None` if there is no old value, or when the object is initially created.\n\nYou may check for presence of oldSelf using `oldSelf.hasValue()` and unwrap it after checking using `oldSelf.value()`. Check the CEL documentation for Optional types for more information: https://pkg.go.dev/github.com/google/cel-go/cel#OptionalTypes\n\nMay not be set unless `oldSelf` is used in `rule`.",
  rule: "Rule represents the expression which will be evaluated by CEL. ref: https://github.com/google/cel-spec The Rule is scoped to the location of the x-kubernetes-validations extension in the schema. The `self` variable in the CEL expression is bound to the scoped value. Example: - Rule scoped to the root of a resource with a status subresource: {\"rule\": \"self.status.actual <= self.spec.maxDesired\"}\n\nIf the Rule is scoped to an object with properties, the accessible properties of the object are field selectable via `self.field` and field presence can be checked via `has(self.field)`. Null valued fields are treated as absent fields in CEL expressions. If the Rule is scoped to an object with additionalProperties (i.e. a map) the value of the map are accessible via `self[mapKey]`, map containment can be checked via `mapKey in self` and all entries of the map are accessible via CEL macros and functions such as `self.all(...)`. If the Rule is scoped to an array, the elements of the array are accessible via `self[i]` and also by macros and functions. If the Rule is scoped to a scalar, `self` is bound to the scalar value. Examples: - Rule scoped to a map of objects: {\"rule\": \"self.components['Widget'].priority < 10\"} - Rule scoped to a list of integers: {\"rule\": \"self.values.all(value, value >= 0 && value < 100)\"} - Rule scoped to a string value: {\"rule\": \"self.startsWith('kube')\"}\n\nThe `apiVersion`, `kind`, `metadata.name` and `metadata.generateName` are always accessible from the root of the object and from any x-kubernetes-embedded-resource annotated objects. No other metadata properties are accessible.\n\nUnknown data preserved in custom resources via x-kubernetes-preserve-unknown-fields is not accessible in CEL expressions. This includes: - Unknown field values that are preserved by object schemas with x-kubernetes-preserve-unknown-fields. - Object properties where the property schema is of an \"unknown type\". An \"unknown type\" is recursively defined as:\n  - A schema with no type and x-kubernetes-preserve-unknown-fields set to true\n  - An array where the items schema is of an \"unknown type\"\n  - An object where the additionalProperties schema is of an \"unknown type\"\n\nOnly property names of the form `[a-zA-Z_.-/][a-zA-Z0-9_.-/]*` are accessible. Accessible property names are escaped according to the following rules when accessed in the expression: - '__' escapes to '__underscores__' - '.' escapes to '__dot__' - '-' escapes to '__dash__' - '/' escapes to '__slash__' - Property names that exactly match a CEL RESERVED keyword escape to '__{keyword}__'. The keywords are:\n\t  \"true\", \"false\", \"null\", \"in\", \"as\", \"break\", \"const\", \"continue\", \"else\", \"for\", \"function\", \"if\",\n\t  \"import\", \"let\", \"loop\", \"package\", \"namespace\", \"return\".\nExamples:\n  - Rule accessing a property named \"namespace\": {\"rule\": \"self.__namespace__ > 0\"}\n  - Rule accessing a property named \"x-prop\": {\"rule\": \"self.x__dash__prop > 0\"}\n  - Rule accessing a property named \"redact__d\": {\"rule\": \"self.redact__underscores__d > 0\"}\n\nEquality on arrays with x-kubernetes-list-type of 'set' or 'map' ignores element order, i.e. [1, 2] == [2, 1]. Concatenation on arrays with x-kubernetes-list-type use the semantics of the list type:\n  - 'set': `X + Y` performs a union where the array positions of all elements in `X` are preserved and\n    non-intersecting elements in `Y` are appended, retaining their partial order.\n  - 'map': `X + Y` performs a merge where the array positions of all keys in `X` are preserved but the values\n    are overwritten by values in `Y` when the key sets of `X` and `Y` intersect. Elements in `Y` with\n    non-intersecting keys are appended, retaining their partial order.\n\nIf `rule` makes use of the `oldSelf` variable it is implicitly a `transition rule`.\n\nBy default, the `oldSelf` variable is the same type as `self`. When `optionalOldSelf` is true, the `oldSelf` variable is a CEL optional\n variable whose value() is the same type as `self`.\nSee the documentation for the `optionalOldSelf` field for details.\n\nTransition rules by default are applied only on UPDATE requests and are skipped if an old value could not be found. You can opt a transition rule into unconditional evaluation by setting `optionalOldSelf` to true.",
});

/** `required` in Go's field order where it is not alphabetical (client-node's models are sorted). */
export const REQUIRED_ORDER: Record<string, string[]> = {
  [`${APIEXTENSIONS_V1}.CustomResourceColumnDefinition`]: ['name', 'type', 'jsonPath'],
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionCondition`]: ['type', 'status'],
  [`${APIEXTENSIONS_V1}.CustomResourceDefinitionNames`]: ['plural', 'kind'],
  [`${APIEXTENSIONS_V1}.ServiceReference`]: ['namespace', 'name'],
};

// ---- admissionregistration.k8s.io/v1 webhook configurations: what client-node's models lack ----

const AR = PACKAGES.admissionregistration;
const MERGE_BY_NAME: ListFacts = { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] };
const WEBHOOK_METADATA = 'Standard object metadata; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata.';
const NAMESPACE_SELECTOR_DESCRIPTION = 'NamespaceSelector decides whether to run the webhook on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. If the object is another cluster scoped resource, it never skips the webhook.\n\nFor example, to run the webhook on any objects whose namespace is not associated with "runlevel" of "0" or "1";  you will set the selector as follows: "namespaceSelector": {\n  "matchExpressions": [\n    {\n      "key": "runlevel",\n      "operator": "NotIn",\n      "values": [\n        "0",\n        "1"\n      ]\n    }\n  ]\n}\n\nIf instead you want to only run the webhook on any objects whose namespace is associated with the "environment" of "prod" or "staging"; you will set the selector as follows: "namespaceSelector": {\n  "matchExpressions": [\n    {\n      "key": "environment",\n      "operator": "In",\n      "values": [\n        "prod",\n        "staging"\n      ]\n    }\n  ]\n}\n\nSee https://kubernetes.io/docs/concepts/overview/working-with-objects/labels for more examples of label selectors.\n\nDefault to the empty LabelSelector, which matches everything.';
const OBJECT_SELECTOR_DESCRIPTION = 'ObjectSelector decides whether to run the webhook based on if the object has matching labels. objectSelector is evaluated against both the oldObject and newObject that would be sent to the webhook, and is considered to match if either object matches the selector. A null object (oldObject in the case of create, or newObject in the case of delete) or an object that cannot have labels (like a DeploymentRollback or a PodProxyOptions object) is not considered to match. Use the object selector only if the webhook is opt-in, because end users may skip the admission webhook by setting the labels. Default to the empty LabelSelector, which matches everything.';
const MATCH_CONDITIONS_DESCRIPTION = 'MatchConditions is a list of conditions that must be met for a request to be sent to this webhook. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.\n\nThe exact matching logic is (in order):\n  1. If ANY matchCondition evaluates to FALSE, the webhook is skipped.\n  2. If ALL matchConditions evaluate to TRUE, the webhook is called.\n  3. If any matchCondition evaluates to an error (but none are FALSE):\n     - If failurePolicy=Fail, reject the request\n     - If failurePolicy=Ignore, the error is ignored and the webhook is skipped';
const WEBHOOK_PROPERTY_DESCRIPTIONS = {
  clientConfig: 'ClientConfig defines how to communicate with the hook. Required',
  namespaceSelector: NAMESPACE_SELECTOR_DESCRIPTION,
  objectSelector: OBJECT_SELECTOR_DESCRIPTION,
  matchConditions: MATCH_CONDITIONS_DESCRIPTION,
};

for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
  PATCH_FACTS[`${AR}.${kind}`] = { webhooks: MERGE_BY_NAME };
  PROPERTY_DESCRIPTIONS[`${AR}.${kind}`] = { metadata: WEBHOOK_METADATA };
  PROPERTY_DESCRIPTIONS[`${AR}.${kind}List`] = { metadata: LIST_METADATA_KINDS };
}
for (const kind of ['ValidatingWebhook', 'MutatingWebhook']) {
  PATCH_FACTS[`${AR}.${kind}`] = { rules: atomic, admissionReviewVersions: atomic, matchConditions: MERGE_BY_NAME };
  PROPERTY_DESCRIPTIONS[`${AR}.${kind}`] = {
    ...WEBHOOK_PROPERTY_DESCRIPTIONS,
    // (the mutating webhook's doc comment links the labels page with a trailing slash)
    ...(kind === 'MutatingWebhook' ? { namespaceSelector: NAMESPACE_SELECTOR_DESCRIPTION.replace('working-with-objects/labels ', 'working-with-objects/labels/ ') } : {}),
  };
  PARAGRAPH_FIELDS[`${AR}.${kind}`] = ['matchPolicy', ...(kind === 'MutatingWebhook' ? ['reinvocationPolicy'] : [])];
  REQUIRED_ORDER[`${AR}.${kind}`] = ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'];
  POINTER_SCALAR_FIELDS.add(`${AR}.${kind}.sideEffects`);
  POINTER_STRUCT_FIELDS.add(`${AR}.${kind}.namespaceSelector`);
  POINTER_STRUCT_FIELDS.add(`${AR}.${kind}.objectSelector`);
}
PATCH_FACTS[`${AR}.RuleWithOperations`] = { operations: atomic, apiGroups: atomic, apiVersions: atomic, resources: atomic };
const WEBHOOK_ENUMS: Record<string, EnumFacts> = {
  failurePolicy: {
    values: ['Fail', 'Ignore'],
    docs: { Fail: 'means that an error calling the webhook causes the admission to fail.', Ignore: 'means that an error calling the webhook is ignored.' },
  },
  matchPolicy: {
    values: ['Equivalent', 'Exact'],
    docs: {
      Equivalent: 'means requests should be sent to the webhook if they modify a resource listed in rules via another API group or version.',
      Exact: 'means requests should only be sent to the webhook if they exactly match a given rule.',
    },
  },
  sideEffects: {
    values: ['None', 'NoneOnDryRun', 'Some', 'Unknown'],
    docs: {
      None: 'means that calling the webhook will have no side effects.',
      NoneOnDryRun: 'means that calling the webhook will possibly have side effects, but if the request being reviewed has the dry-run attribute, the side effects will be suppressed.',
      Some: 'means that calling the webhook will possibly have side effects. If a request with the dry-run attribute would trigger a call to this webhook, the request will instead fail.',
      Unknown: 'means that no information is known about the side effects of calling the webhook. If a request with the dry-run attribute would trigger a call to this webhook, the request will instead fail.',
    },
  },
};
ENUM_FACTS[`${AR}.ValidatingWebhook`] = WEBHOOK_ENUMS;
ENUM_FACTS[`${AR}.MutatingWebhook`] = WEBHOOK_ENUMS;
ENUM_FACTS[`${AR}.RuleWithOperations`] = { operations: { values: ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'], items: true } };
PROPERTY_DESCRIPTIONS[`${AR}.RuleWithOperations`] = {
  resources: "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.\n\nIf wildcard is present, the validation rule will ensure resources do not overlap with each other.\n\nDepending on the enclosing object, subresources might not be allowed. Required.",
};
PROPERTY_DESCRIPTIONS[`${AR}.WebhookClientConfig`] = {
  service: '`service` is a reference to the service for this webhook. Either `service` or `url` must be specified.\n\nIf the webhook is running within the cluster, then you should use `service`.',
};
PARAGRAPH_FIELDS[`${AR}.WebhookClientConfig`] = ['url'];
POINTER_STRUCT_FIELDS.add(`${AR}.WebhookClientConfig.service`);
REQUIRED_ORDER[`${AR}.ServiceReference`] = ['namespace', 'name'];
REQUIRED_ORDER[`${AR}.MatchCondition`] = ['name', 'expression'];
PROPERTY_DESCRIPTIONS[`${AR}.MatchCondition`] = {
  expression: "Expression represents the expression which will be evaluated by CEL. Must evaluate to bool. CEL expressions have access to the contents of the AdmissionRequest and Authorizer, organized into CEL variables:\n\n'object' - The object from the incoming request. The value is null for DELETE requests. 'oldObject' - The existing object. The value is null for CREATE requests. 'request' - Attributes of the admission request(/pkg/apis/admission/types.go#AdmissionRequest). 'authorizer' - A CEL Authorizer. May be used to perform authorization checks for the principal (user or service account) of the request.\n  See https://pkg.go.dev/k8s.io/apiserver/pkg/cel/library#Authz\n'authorizer.requestResource' - A CEL ResourceCheck constructed from the 'authorizer' and configured with the\n  request resource.\nDocumentation on CEL: https://kubernetes.io/docs/reference/using-api/cel/\n\nRequired.",
  name: "Name is an identifier for this match condition, used for strategic merging of MatchConditions, as well as providing an identifier for logging purposes. A good name should be descriptive of the associated expression. Name must be a qualified name consisting of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')\n\nRequired.",
};

// ---- admissionregistration.k8s.io/v1 admission policies: the list and struct markers of kube's types
// (what server-side apply merges by: atomic match resources, param kinds and refs, variables by name)
const MATCH_BY_NAME: ListFacts = { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] };
PATCH_FACTS[`${AR}.ValidatingAdmissionPolicySpec`] = {
  validations: atomic, auditAnnotations: atomic, matchConditions: MATCH_BY_NAME, variables: MATCH_BY_NAME,
};
PATCH_FACTS[`${AR}.ValidatingAdmissionPolicyStatus`] = { conditions: { listType: 'map', listMapKeys: ['type'] } };
PATCH_FACTS[`${AR}.TypeChecking`] = { expressionWarnings: atomic };
PATCH_FACTS[`${AR}.ValidatingAdmissionPolicyBindingSpec`] = { validationActions: { listType: 'set' } };
PATCH_FACTS[`${AR}.MatchResources`] = { '': { mapType: 'atomic' }, resourceRules: atomic, excludeResourceRules: atomic };
PATCH_FACTS[`${AR}.NamedRuleWithOperations`] = {
  '': { mapType: 'atomic' }, resourceNames: atomic, operations: atomic, apiGroups: atomic, apiVersions: atomic, resources: atomic,
};
PATCH_FACTS[`${AR}.ParamKind`] = { '': { mapType: 'atomic' } };
PATCH_FACTS[`${AR}.ParamRef`] = { '': { mapType: 'atomic' } };
PATCH_FACTS[`${AR}.Variable`] = { '': { mapType: 'atomic' } };
ENUM_FACTS[`${AR}.MatchResources`] = { matchPolicy: WEBHOOK_ENUMS.matchPolicy! };
ENUM_FACTS[`${AR}.NamedRuleWithOperations`] = { operations: { values: ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'], items: true } };
ENUM_FACTS[`${AR}.ValidatingAdmissionPolicySpec`] = { failurePolicy: WEBHOOK_ENUMS.failurePolicy! };
ENUM_FACTS[`${AR}.ValidatingAdmissionPolicyBindingSpec`] = { validationActions: { values: ['Audit', 'Deny', 'Warn'], items: true } };

// ---- admissionregistration.k8s.io/v1beta1 MutatingAdmissionPolicy: the same markers on the beta types
const ARB = 'io.k8s.api.admissionregistration.v1beta1';
PATCH_FACTS[`${ARB}.MutatingAdmissionPolicySpec`] = { variables: atomic, mutations: atomic, matchConditions: MATCH_BY_NAME };
PATCH_FACTS[`${ARB}.MatchResources`] = { '': { mapType: 'atomic' }, resourceRules: atomic, excludeResourceRules: atomic };
PATCH_FACTS[`${ARB}.NamedRuleWithOperations`] = {
  '': { mapType: 'atomic' }, resourceNames: atomic, operations: atomic, apiGroups: atomic, apiVersions: atomic, resources: atomic,
};
for (const kind of ['ParamKind', 'ParamRef', 'Variable']) PATCH_FACTS[`${ARB}.${kind}`] = { '': { mapType: 'atomic' } };
ENUM_FACTS[`${ARB}.NamedRuleWithOperations`] = { operations: { values: ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'], items: true } };
ENUM_FACTS[`${ARB}.Mutation`] = {
  patchType: {
    values: ['ApplyConfiguration', 'JSONPatch'],
    docs: {
      ApplyConfiguration: 'ApplyConfiguration indicates that the mutation is using apply configuration to mutate the object.',
      JSONPatch: 'JSONPatch indicates that the object is mutated through JSON Patch.',
    },
  },
};
