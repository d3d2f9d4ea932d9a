// The protobuf messages of the kinds kplane serves, as kube-apiserver v1.34 encodes them
// (field numbers and types from the generated.proto files of k8s.io/api and
// k8s.io/apimachinery; JSON names, Go pointer-ness and omitempty/omitzero from the Go types).
//
// Each field is a tuple [number, jsonName, type, flags, goName?]:
//   type   a scalar ('string' | 'bool' | 'int32' | 'int64' | 'bytes'), a well-known type with its
//          own JSON mapping (WELL_KNOWN below), or the name of another message in MESSAGES.
//   flags  'p' Go pointer / optional: on the wire only when set, in JSON whenever set (even zero);
//              without 'p' a scalar or message is always on the wire (gogo writes zero values too)
//          'r' repeated;  'm' map<string, type> (entries {1: key, 2: value})
//          'o' JSON omitempty (zero scalar, empty list or map, nil pointer dropped);
//              without it an empty list or map prints as null
//          'z' JSON omitzero (a zero Time is dropped rather than printed as null)
//          'l' the items of a list kind: empty prints as [] (kube lists are never null)
//   goName the Go field name, where it is not the JSON name capitalised (only used in the
//          "wrong wireType" error text).
// Fields are listed in Go struct order, which is the order kube's JSON prints them in; the
// encoder writes them in field-number order, as gogo's generated marshallers do.

export type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';

/**
 * Messages with a JSON form of their own:
 *   Time          {1: int64 seconds, 2: int32 nanos (ignored)}  JSON "2006-01-02T15:04:05Z"; empty = zero = null
 *   MicroTime     {1: int64 seconds, 2: int32 nanos}            JSON "2006-01-02T15:04:05.000000Z"
 *   Quantity      {1: string}                                   JSON string
 *   IntOrString   {1: int64 type, 2: int32 intVal, 3: string strVal}  JSON number | string
 *   FieldsV1      {1: bytes Raw (JSON text)}                    JSON the embedded value
 *   RawExtension  {1: bytes raw}                                JSON the embedded object (raw is JSON,
 *                 or a `k8s\0`-prefixed protobuf object when it comes from a protobuf watch)
 *   ExtraValue    {1: repeated string items}                    JSON an array of strings (a named []string)
 */
export const WELL_KNOWN = ['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1', 'RawExtension', 'ExtraValue'] as const;
export type WellKnown = (typeof WELL_KNOWN)[number];

export type FieldTuple = readonly [no: number, json: string, type: string, flags: string, goName?: string];

export const MESSAGES: Readonly<Record<string, readonly FieldTuple[]>> = {
  // ------------------------------------------------------------ meta/v1 --
  'meta.ObjectMeta': [
    [1, 'name', 'string', 'o'],
    [2, 'generateName', 'string', 'o'],
    [3, 'namespace', 'string', 'o'],
    [4, 'selfLink', 'string', 'o'],
    [5, 'uid', 'string', 'o', 'UID'],
    [6, 'resourceVersion', 'string', 'o'],
    [7, 'generation', 'int64', 'o'],
    [8, 'creationTimestamp', 'Time', 'oz'],
    [9, 'deletionTimestamp', 'Time', 'po'],
    [10, 'deletionGracePeriodSeconds', 'int64', 'po'],
    [11, 'labels', 'string', 'mo'],
    [12, 'annotations', 'string', 'mo'],
    [13, 'ownerReferences', 'meta.OwnerReference', 'ro'],
    [14, 'finalizers', 'string', 'ro'],
    [17, 'managedFields', 'meta.ManagedFieldsEntry', 'ro'],
  ],
  'meta.OwnerReference': [
    [5, 'apiVersion', 'string', '', 'APIVersion'],
    [1, 'kind', 'string', ''],
    [3, 'name', 'string', ''],
    [4, 'uid', 'string', '', 'UID'],
    [6, 'controller', 'bool', 'po'],
    [7, 'blockOwnerDeletion', 'bool', 'po'],
  ],
  'meta.ManagedFieldsEntry': [
    [1, 'manager', 'string', 'o'],
    [2, 'operation', 'string', 'o'],
    [3, 'apiVersion', 'string', 'o', 'APIVersion'],
    [4, 'time', 'Time', 'po'],
    [6, 'fieldsType', 'string', 'o'],
    [7, 'fieldsV1', 'FieldsV1', 'po'],
    [8, 'subresource', 'string', 'o'],
  ],
  'meta.ListMeta': [
    [1, 'selfLink', 'string', 'o'],
    [2, 'resourceVersion', 'string', 'o'],
    [3, 'continue', 'string', 'o'],
    [4, 'remainingItemCount', 'int64', 'po'],
  ],
  'meta.LabelSelector': [
    [1, 'matchLabels', 'string', 'mo'],
    [2, 'matchExpressions', 'meta.LabelSelectorRequirement', 'ro'],
  ],
  'meta.LabelSelectorRequirement': [
    [1, 'key', 'string', ''],
    [2, 'operator', 'string', ''],
    [3, 'values', 'string', 'ro'],
  ],
  'meta.Condition': [
    [1, 'type', 'string', ''],
    [2, 'status', 'string', ''],
    [3, 'observedGeneration', 'int64', 'o'],
    [4, 'lastTransitionTime', 'Time', ''],
    [5, 'reason', 'string', ''],
    [6, 'message', 'string', ''],
  ],
  'meta.Status': [
    [1, 'metadata', 'meta.ListMeta', 'o', 'ListMeta'],
    [2, 'status', 'string', 'o'],
    [3, 'message', 'string', 'o'],
    [4, 'reason', 'string', 'o'],
    [5, 'details', 'meta.StatusDetails', 'po'],
    [6, 'code', 'int32', 'o'],
  ],
  'meta.StatusDetails': [
    [1, 'name', 'string', 'o'],
    [2, 'group', 'string', 'o'],
    [3, 'kind', 'string', 'o'],
    [6, 'uid', 'string', 'o', 'UID'],
    [4, 'causes', 'meta.StatusCause', 'ro'],
    [5, 'retryAfterSeconds', 'int32', 'o'],
  ],
  'meta.StatusCause': [
    [1, 'reason', 'string', 'o', 'Type'],
    [2, 'message', 'string', 'o'],
    [3, 'field', 'string', 'o'],
  ],
  'meta.DeleteOptions': [
    [1, 'gracePeriodSeconds', 'int64', 'po'],
    [2, 'preconditions', 'meta.Preconditions', 'po'],
    [3, 'orphanDependents', 'bool', 'po'],
    [4, 'propagationPolicy', 'string', 'po'],
    [5, 'dryRun', 'string', 'ro'],
    [6, 'ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'po'],
  ],
  'meta.Preconditions': [
    [1, 'uid', 'string', 'po', 'UID'],
    [2, 'resourceVersion', 'string', 'po'],
  ],
  'meta.CreateOptions': [
    [1, 'dryRun', 'string', 'ro'],
    [3, 'fieldManager', 'string', 'o'],
    [4, 'fieldValidation', 'string', 'o'],
  ],
  'meta.UpdateOptions': [
    [1, 'dryRun', 'string', 'ro'],
    [2, 'fieldManager', 'string', 'o'],
    [3, 'fieldValidation', 'string', 'o'],
  ],
  'meta.PatchOptions': [
    [1, 'dryRun', 'string', 'ro'],
    [2, 'force', 'bool', 'po'],
    [3, 'fieldManager', 'string', 'o'],
    [4, 'fieldValidation', 'string', 'o'],
  ],
  'meta.GetOptions': [
    [1, 'resourceVersion', 'string', 'o'],
  ],
  'meta.WatchEvent': [
    [1, 'type', 'string', ''],
    [2, 'object', 'RawExtension', ''],
  ],
  'meta.PartialObjectMetadata': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
  ],
  'meta.PartialObjectMetadataList': [
    [1, 'metadata', 'meta.ListMeta', 'o', 'ListMeta'],
    [2, 'items', 'meta.PartialObjectMetadata', 'rl'],
  ],

  // ------------------------------------------------------------ core/v1 --
  'core.Namespace': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'core.NamespaceSpec', 'o'],
    [3, 'status', 'core.NamespaceStatus', 'o'],
  ],
  'core.NamespaceSpec': [
    [1, 'finalizers', 'string', 'ro'],
  ],
  'core.NamespaceStatus': [
    [1, 'phase', 'string', 'o'],
    [2, 'conditions', 'core.NamespaceCondition', 'ro'],
  ],
  'core.NamespaceCondition': [
    [1, 'type', 'string', ''],
    [2, 'status', 'string', ''],
    [4, 'lastTransitionTime', 'Time', 'o'],
    [5, 'reason', 'string', 'o'],
    [6, 'message', 'string', 'o'],
  ],
  'core.ConfigMap': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [4, 'immutable', 'bool', 'po'],
    [2, 'data', 'string', 'mo'],
    [3, 'binaryData', 'bytes', 'mo'],
  ],
  'core.Secret': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [5, 'immutable', 'bool', 'po'],
    [2, 'data', 'bytes', 'mo'],
    [4, 'stringData', 'string', 'mo'],
    [3, 'type', 'string', 'o'],
  ],
  'core.ServiceAccount': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'secrets', 'core.ObjectReference', 'ro'],
    [3, 'imagePullSecrets', 'core.LocalObjectReference', 'ro'],
    [4, 'automountServiceAccountToken', 'bool', 'po'],
  ],
  'core.ObjectReference': [
    [1, 'kind', 'string', 'o'],
    [2, 'namespace', 'string', 'o'],
    [3, 'name', 'string', 'o'],
    [4, 'uid', 'string', 'o', 'UID'],
    [5, 'apiVersion', 'string', 'o', 'APIVersion'],
    [6, 'resourceVersion', 'string', 'o'],
    [7, 'fieldPath', 'string', 'o'],
  ],
  'core.LocalObjectReference': [
    [1, 'name', 'string', 'o'],
  ],
  'core.Event': [
    [1, 'metadata', 'meta.ObjectMeta', '', 'ObjectMeta'],
    [2, 'involvedObject', 'core.ObjectReference', ''],
    [3, 'reason', 'string', 'o'],
    [4, 'message', 'string', 'o'],
    [5, 'source', 'core.EventSource', 'o'],
    [6, 'firstTimestamp', 'Time', 'o'],
    [7, 'lastTimestamp', 'Time', 'o'],
    [8, 'count', 'int32', 'o'],
    [9, 'type', 'string', 'o'],
    [10, 'eventTime', 'MicroTime', 'o'],
    [11, 'series', 'core.EventSeries', 'po'],
    [12, 'action', 'string', 'o'],
    [13, 'related', 'core.ObjectReference', 'po'],
    [14, 'reportingComponent', 'string', '', 'ReportingController'],
    [15, 'reportingInstance', 'string', ''],
  ],
  'core.EventSource': [
    [1, 'component', 'string', 'o'],
    [2, 'host', 'string', 'o'],
  ],
  'core.EventSeries': [
    [1, 'count', 'int32', 'o'],
    [2, 'lastObservedTime', 'MicroTime', 'o'],
  ],
  'core.LimitRange': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'core.LimitRangeSpec', 'o'],
  ],
  'core.LimitRangeSpec': [
    [1, 'limits', 'core.LimitRangeItem', 'r'],
  ],
  'core.LimitRangeItem': [
    [1, 'type', 'string', ''],
    [2, 'max', 'Quantity', 'mo'],
    [3, 'min', 'Quantity', 'mo'],
    [4, 'default', 'Quantity', 'mo'],
    [5, 'defaultRequest', 'Quantity', 'mo'],
    [6, 'maxLimitRequestRatio', 'Quantity', 'mo'],
  ],
  'core.ResourceQuota': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'core.ResourceQuotaSpec', 'o'],
    [3, 'status', 'core.ResourceQuotaStatus', 'o'],
  ],
  'core.ResourceQuotaSpec': [
    [1, 'hard', 'Quantity', 'mo'],
    [2, 'scopes', 'string', 'ro'],
    [3, 'scopeSelector', 'core.ScopeSelector', 'po'],
  ],
  'core.ResourceQuotaStatus': [
    [1, 'hard', 'Quantity', 'mo'],
    [2, 'used', 'Quantity', 'mo'],
  ],
  'core.ScopeSelector': [
    [1, 'matchExpressions', 'core.ScopedResourceSelectorRequirement', 'ro'],
  ],
  'core.ScopedResourceSelectorRequirement': [
    [1, 'scopeName', 'string', ''],
    [2, 'operator', 'string', ''],
    [3, 'values', 'string', 'ro'],
  ],
  'core.Service': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'core.ServiceSpec', 'o'],
    [3, 'status', 'core.ServiceStatus', 'o'],
  ],
  'core.ServiceSpec': [
    [1, 'ports', 'core.ServicePort', 'ro'],
    [2, 'selector', 'string', 'mo'],
    [3, 'clusterIP', 'string', 'o', 'ClusterIP'],
    [18, 'clusterIPs', 'string', 'ro', 'ClusterIPs'],
    [4, 'type', 'string', 'o'],
    [5, 'externalIPs', 'string', 'ro', 'ExternalIPs'],
    [7, 'sessionAffinity', 'string', 'o'],
    [8, 'loadBalancerIP', 'string', 'o', 'LoadBalancerIP'],
    [9, 'loadBalancerSourceRanges', 'string', 'ro'],
    [10, 'externalName', 'string', 'o'],
    [11, 'externalTrafficPolicy', 'string', 'o'],
    [12, 'healthCheckNodePort', 'int32', 'o'],
    [13, 'publishNotReadyAddresses', 'bool', 'o'],
    [14, 'sessionAffinityConfig', 'core.SessionAffinityConfig', 'po'],
    [19, 'ipFamilies', 'string', 'ro', 'IPFamilies'],
    [17, 'ipFamilyPolicy', 'string', 'po', 'IPFamilyPolicy'],
    [20, 'allocateLoadBalancerNodePorts', 'bool', 'po'],
    [21, 'loadBalancerClass', 'string', 'po'],
    [22, 'internalTrafficPolicy', 'string', 'po'],
    [23, 'trafficDistribution', 'string', 'po'],
  ],
  'core.ServicePort': [
    [1, 'name', 'string', 'o'],
    [2, 'protocol', 'string', 'o'],
    [6, 'appProtocol', 'string', 'po'],
    [3, 'port', 'int32', ''],
    [4, 'targetPort', 'IntOrString', 'o'],
    [5, 'nodePort', 'int32', 'o'],
  ],
  'core.ServiceStatus': [
    [1, 'loadBalancer', 'core.LoadBalancerStatus', 'o'],
    [2, 'conditions', 'meta.Condition', 'ro'],
  ],
  'core.LoadBalancerStatus': [
    [1, 'ingress', 'core.LoadBalancerIngress', 'ro'],
  ],
  'core.LoadBalancerIngress': [
    [1, 'ip', 'string', 'o', 'IP'],
    [2, 'hostname', 'string', 'o'],
    [3, 'ipMode', 'string', 'po', 'IPMode'],
    [4, 'ports', 'core.PortStatus', 'ro'],
  ],
  'core.PortStatus': [
    [1, 'port', 'int32', ''],
    [2, 'protocol', 'string', ''],
    [3, 'error', 'string', 'po'],
  ],
  'core.SessionAffinityConfig': [
    [1, 'clientIP', 'core.ClientIPConfig', 'po', 'ClientIP'],
  ],
  'core.ClientIPConfig': [
    [1, 'timeoutSeconds', 'int32', 'po'],
  ],
  'core.Endpoints': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'subsets', 'core.EndpointSubset', 'ro'],
  ],
  'core.EndpointSubset': [
    [1, 'addresses', 'core.EndpointAddress', 'ro'],
    [2, 'notReadyAddresses', 'core.EndpointAddress', 'ro'],
    [3, 'ports', 'core.EndpointPort', 'ro'],
  ],
  'core.EndpointAddress': [
    [1, 'ip', 'string', '', 'IP'],
    [3, 'hostname', 'string', 'o'],
    [4, 'nodeName', 'string', 'po'],
    [2, 'targetRef', 'core.ObjectReference', 'po'],
  ],
  'core.EndpointPort': [
    [1, 'name', 'string', 'o'],
    [2, 'port', 'int32', ''],
    [3, 'protocol', 'string', 'o'],
    [4, 'appProtocol', 'string', 'po'],
  ],

  // ----------------------------------------------- discovery.k8s.io/v1 --
  'discovery.EndpointSlice': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [4, 'addressType', 'string', ''],
    [2, 'endpoints', 'discovery.Endpoint', 'r'],
    [3, 'ports', 'discovery.EndpointPort', 'r'],
  ],
  'discovery.Endpoint': [
    [1, 'addresses', 'string', 'r'],
    [2, 'conditions', 'discovery.EndpointConditions', 'o'],
    [3, 'hostname', 'string', 'po'],
    [4, 'targetRef', 'core.ObjectReference', 'po'],
    [5, 'deprecatedTopology', 'string', 'mo'],
    [6, 'nodeName', 'string', 'po'],
    [7, 'zone', 'string', 'po'],
    [8, 'hints', 'discovery.EndpointHints', 'po'],
  ],
  'discovery.EndpointConditions': [
    [1, 'ready', 'bool', 'po'],
    [2, 'serving', 'bool', 'po'],
    [3, 'terminating', 'bool', 'po'],
  ],
  'discovery.EndpointHints': [
    [1, 'forZones', 'discovery.ForZone', 'ro'],
    [2, 'forNodes', 'discovery.ForNode', 'ro'],
  ],
  'discovery.ForZone': [
    [1, 'name', 'string', ''],
  ],
  'discovery.ForNode': [
    [1, 'name', 'string', ''],
  ],
  'discovery.EndpointPort': [
    [1, 'name', 'string', 'po'],
    [2, 'protocol', 'string', 'po'],
    [3, 'port', 'int32', 'po'],
    [4, 'appProtocol', 'string', 'po'],
  ],

  // -------------------------------------------------- events.k8s.io/v1 --
  'events.Event': [
    [1, 'metadata', 'meta.ObjectMeta', '', 'ObjectMeta'],
    [2, 'eventTime', 'MicroTime', ''],
    [3, 'series', 'events.EventSeries', 'po'],
    [4, 'reportingController', 'string', 'o'],
    [5, 'reportingInstance', 'string', 'o'],
    [6, 'action', 'string', 'o'],
    [7, 'reason', 'string', 'o'],
    [8, 'regarding', 'core.ObjectReference', 'o'],
    [9, 'related', 'core.ObjectReference', 'po'],
    [10, 'note', 'string', 'o'],
    [11, 'type', 'string', 'o'],
    [12, 'deprecatedSource', 'core.EventSource', 'o'],
    [13, 'deprecatedFirstTimestamp', 'Time', 'o'],
    [14, 'deprecatedLastTimestamp', 'Time', 'o'],
    [15, 'deprecatedCount', 'int32', 'o'],
  ],
  'events.EventSeries': [
    [1, 'count', 'int32', ''],
    [2, 'lastObservedTime', 'MicroTime', ''],
  ],

  // -------------------------------------------- coordination.k8s.io/v1 --
  'coordination.Lease': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'coordination.LeaseSpec', 'o'],
  ],
  'coordination.LeaseSpec': [
    [1, 'holderIdentity', 'string', 'po'],
    [2, 'leaseDurationSeconds', 'int32', 'po'],
    [3, 'acquireTime', 'MicroTime', 'po'],
    [4, 'renewTime', 'MicroTime', 'po'],
    [5, 'leaseTransitions', 'int32', 'po'],
    [6, 'strategy', 'string', 'po'],
    [7, 'preferredHolder', 'string', 'po'],
  ],

  // ---------------------------------------- rbac.authorization.k8s.io/v1 --
  'rbac.Role': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'rules', 'rbac.PolicyRule', 'r'],
  ],
  'rbac.ClusterRole': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'rules', 'rbac.PolicyRule', 'r'],
    [3, 'aggregationRule', 'rbac.AggregationRule', 'po'],
  ],
  'rbac.AggregationRule': [
    [1, 'clusterRoleSelectors', 'meta.LabelSelector', 'ro'],
  ],
  'rbac.PolicyRule': [
    [1, 'verbs', 'string', 'r'],
    [2, 'apiGroups', 'string', 'ro', 'APIGroups'],
    [3, 'resources', 'string', 'ro'],
    [4, 'resourceNames', 'string', 'ro'],
    [5, 'nonResourceURLs', 'string', 'ro', 'NonResourceURLs'],
  ],
  'rbac.RoleBinding': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'subjects', 'rbac.Subject', 'ro'],
    [3, 'roleRef', 'rbac.RoleRef', ''],
  ],
  'rbac.ClusterRoleBinding': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'subjects', 'rbac.Subject', 'ro'],
    [3, 'roleRef', 'rbac.RoleRef', ''],
  ],
  'rbac.Subject': [
    [1, 'kind', 'string', ''],
    [2, 'apiGroup', 'string', 'o', 'APIGroup'],
    [3, 'name', 'string', ''],
    [4, 'namespace', 'string', 'o'],
  ],
  'rbac.RoleRef': [
    [1, 'apiGroup', 'string', '', 'APIGroup'],
    [2, 'kind', 'string', ''],
    [3, 'name', 'string', ''],
  ],
  // ------------------------------------------------- authentication/v1 --
  // (the serviceaccounts/token subresource: kubectl create token sends and accepts protobuf)
  'authentication.TokenRequest': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authentication.TokenRequestSpec', ''],
    [3, 'status', 'authentication.TokenRequestStatus', 'o'],
  ],
  'authentication.TokenRequestSpec': [
    [1, 'audiences', 'string', 'r'],
    [4, 'expirationSeconds', 'int64', 'p'],
    [3, 'boundObjectRef', 'authentication.BoundObjectReference', 'p', 'BoundObjectRef'],
  ],
  'authentication.TokenRequestStatus': [
    [1, 'token', 'string', ''],
    [2, 'expirationTimestamp', 'Time', ''],
  ],
  'authentication.BoundObjectReference': [
    [1, 'kind', 'string', 'o'],
    [2, 'apiVersion', 'string', 'o', 'APIVersion'],
    [3, 'name', 'string', 'o'],
    [4, 'uid', 'string', 'o', 'UID'],
  ],
  // ------------------------------------------------------ certificates/v1 --
  // (kubectl certificate approve/deny send the approval in protobuf)
  'certificates.CertificateSigningRequest': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'certificates.CertificateSigningRequestSpec', ''],
    [3, 'status', 'certificates.CertificateSigningRequestStatus', 'o'],
  ],
  'certificates.CertificateSigningRequestSpec': [
    [1, 'request', 'bytes', ''],
    [7, 'signerName', 'string', ''],
    [8, 'expirationSeconds', 'int32', 'po'],
    [5, 'usages', 'string', 'ro'],
    [2, 'username', 'string', 'o'],
    [3, 'uid', 'string', 'o', 'UID'],
    [4, 'groups', 'string', 'ro'],
    [6, 'extra', 'ExtraValue', 'mo'],
  ],
  'certificates.CertificateSigningRequestStatus': [
    [1, 'conditions', 'certificates.CertificateSigningRequestCondition', 'ro'],
    [2, 'certificate', 'bytes', 'o'],
  ],
  'certificates.CertificateSigningRequestCondition': [
    [1, 'type', 'string', ''],
    [6, 'status', 'string', ''],
    [2, 'reason', 'string', 'o'],
    [3, 'message', 'string', 'o'],
    [4, 'lastUpdateTime', 'Time', 'o'],
    [5, 'lastTransitionTime', 'Time', 'o'],
  ],
  // (the reviews: kubectl auth whoami, can-i send and accept protobuf)
  'authentication.UserInfo': [
    [1, 'username', 'string', 'o'],
    [2, 'uid', 'string', 'o', 'UID'],
    [3, 'groups', 'string', 'ro'],
    [4, 'extra', 'ExtraValue', 'mo'],
  ],
  'authentication.SelfSubjectReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'status', 'authentication.SelfSubjectReviewStatus', 'o'],
  ],
  'authentication.SelfSubjectReviewStatus': [
    [1, 'userInfo', 'authentication.UserInfo', 'o', 'UserInfo'],
  ],
  'authentication.TokenReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authentication.TokenReviewSpec', ''],
    [3, 'status', 'authentication.TokenReviewStatus', 'o'],
  ],
  'authentication.TokenReviewSpec': [
    [1, 'token', 'string', 'o'],
    [2, 'audiences', 'string', 'ro'],
  ],
  'authentication.TokenReviewStatus': [
    [1, 'authenticated', 'bool', 'o'],
    [2, 'user', 'authentication.UserInfo', 'o'],
    [4, 'audiences', 'string', 'ro'],
    [3, 'error', 'string', 'o'],
  ],
  // -------------------------------------------------- authorization/v1 --
  'authorization.SelfSubjectAccessReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authorization.SelfSubjectAccessReviewSpec', ''],
    [3, 'status', 'authorization.SubjectAccessReviewStatus', 'o'],
  ],
  'authorization.SelfSubjectAccessReviewSpec': [
    [1, 'resourceAttributes', 'authorization.ResourceAttributes', 'po', 'ResourceAttributes'],
    [2, 'nonResourceAttributes', 'authorization.NonResourceAttributes', 'po', 'NonResourceAttributes'],
  ],
  'authorization.SubjectAccessReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authorization.SubjectAccessReviewSpec', ''],
    [3, 'status', 'authorization.SubjectAccessReviewStatus', 'o'],
  ],
  'authorization.LocalSubjectAccessReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authorization.SubjectAccessReviewSpec', ''],
    [3, 'status', 'authorization.SubjectAccessReviewStatus', 'o'],
  ],
  'authorization.SubjectAccessReviewSpec': [
    [1, 'resourceAttributes', 'authorization.ResourceAttributes', 'po', 'ResourceAttributes'],
    [2, 'nonResourceAttributes', 'authorization.NonResourceAttributes', 'po', 'NonResourceAttributes'],
    [3, 'user', 'string', 'o'],
    [4, 'groups', 'string', 'ro'],
    [5, 'extra', 'ExtraValue', 'mo'],
    [6, 'uid', 'string', 'o', 'UID'],
  ],
  'authorization.SubjectAccessReviewStatus': [
    [1, 'allowed', 'bool', ''],
    [4, 'denied', 'bool', 'o'],
    [2, 'reason', 'string', 'o'],
    [3, 'evaluationError', 'string', 'o'],
  ],
  'authorization.ResourceAttributes': [
    [1, 'namespace', 'string', 'o'],
    [2, 'verb', 'string', 'o'],
    [3, 'group', 'string', 'o'],
    [4, 'version', 'string', 'o'],
    [5, 'resource', 'string', 'o'],
    [6, 'subresource', 'string', 'o'],
    [7, 'name', 'string', 'o'],
    [8, 'fieldSelector', 'authorization.FieldSelectorAttributes', 'po', 'FieldSelector'],
    [9, 'labelSelector', 'authorization.LabelSelectorAttributes', 'po', 'LabelSelector'],
  ],
  'authorization.FieldSelectorAttributes': [
    [1, 'rawSelector', 'string', 'o'],
    [2, 'requirements', 'meta.FieldSelectorRequirement', 'ro'],
  ],
  'authorization.LabelSelectorAttributes': [
    [1, 'rawSelector', 'string', 'o'],
    [2, 'requirements', 'meta.LabelSelectorRequirement', 'ro'],
  ],
  'meta.FieldSelectorRequirement': [
    [1, 'key', 'string', ''],
    [2, 'operator', 'string', ''],
    [3, 'values', 'string', 'ro'],
  ],
  'authorization.NonResourceAttributes': [
    [1, 'path', 'string', 'o'],
    [2, 'verb', 'string', 'o'],
  ],
  'authorization.SelfSubjectRulesReview': [
    [1, 'metadata', 'meta.ObjectMeta', 'o', 'ObjectMeta'],
    [2, 'spec', 'authorization.SelfSubjectRulesReviewSpec', ''],
    [3, 'status', 'authorization.SubjectRulesReviewStatus', 'o'],
  ],
  'authorization.SelfSubjectRulesReviewSpec': [
    [1, 'namespace', 'string', 'o'],
  ],
  'authorization.SubjectRulesReviewStatus': [
    [1, 'resourceRules', 'authorization.ResourceRule', 'rl'],
    [2, 'nonResourceRules', 'authorization.NonResourceRule', 'rl'],
    [3, 'incomplete', 'bool', ''],
    [4, 'evaluationError', 'string', 'o'],
  ],
  'authorization.ResourceRule': [
    [1, 'verbs', 'string', 'r'],
    [2, 'apiGroups', 'string', 'ro', 'APIGroups'],
    [3, 'resources', 'string', 'ro'],
    [4, 'resourceNames', 'string', 'ro'],
  ],
  'authorization.NonResourceRule': [
    [1, 'verbs', 'string', 'r'],
    [2, 'nonResourceURLs', 'string', 'ro', 'NonResourceURLs'],
  ],
};

/** Every list kind is {1: ListMeta metadata, 2: repeated items}. */
function listOf(item: string): readonly FieldTuple[] {
  return [
    [1, 'metadata', 'meta.ListMeta', 'o', 'ListMeta'],
    [2, 'items', item, 'rl'],
  ];
}

/** Group versions and the kinds kplane serves in each: kind -> message. */
const SERVED: Record<string, Record<string, string>> = {
  v1: {
    Namespace: 'core.Namespace',
    ConfigMap: 'core.ConfigMap',
    Secret: 'core.Secret',
    ServiceAccount: 'core.ServiceAccount',
    Event: 'core.Event',
    LimitRange: 'core.LimitRange',
    ResourceQuota: 'core.ResourceQuota',
    Service: 'core.Service',
    Endpoints: 'core.Endpoints',
  },
  'discovery.k8s.io/v1': { EndpointSlice: 'discovery.EndpointSlice' },
  'events.k8s.io/v1': { Event: 'events.Event' },
  'coordination.k8s.io/v1': { Lease: 'coordination.Lease' },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'certificates.CertificateSigningRequest' },
  'authentication.k8s.io/v1': {
    TokenRequest: 'authentication.TokenRequest',
    SelfSubjectReview: 'authentication.SelfSubjectReview',
    TokenReview: 'authentication.TokenReview',
  },
  'authorization.k8s.io/v1': {
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
    SubjectAccessReview: 'authorization.SubjectAccessReview',
    LocalSubjectAccessReview: 'authorization.LocalSubjectAccessReview',
  },
  'rbac.authorization.k8s.io/v1': {
    Role: 'rbac.Role',
    ClusterRole: 'rbac.ClusterRole',
    RoleBinding: 'rbac.RoleBinding',
    ClusterRoleBinding: 'rbac.ClusterRoleBinding',
  },
};

/**
 * The meta.k8s.io kinds kube registers into every group version (metav1.AddToGroupVersion) as
 * well as meta.k8s.io/v1 itself: a DeleteOptions body may say `v1`, `rbac.authorization.k8s.io/v1`
 * or `meta.k8s.io/v1`. Status is always sent as `v1`.
 */
const META_KINDS: Record<string, string> = {
  Status: 'meta.Status',
  DeleteOptions: 'meta.DeleteOptions',
  CreateOptions: 'meta.CreateOptions',
  UpdateOptions: 'meta.UpdateOptions',
  PatchOptions: 'meta.PatchOptions',
  GetOptions: 'meta.GetOptions',
  WatchEvent: 'meta.WatchEvent',
};

/** Only in meta.k8s.io/v1 (and v1beta1): the `as=PartialObjectMetadata[List]` responses. */
const META_ONLY_KINDS: Record<string, string> = {
  PartialObjectMetadata: 'meta.PartialObjectMetadata',
  PartialObjectMetadataList: 'meta.PartialObjectMetadataList',
};

const META_GROUP_VERSIONS = new Set(['meta.k8s.io/v1', 'meta.k8s.io/v1beta1']);

/** Message definitions including the generated list messages (`core.ConfigMapList` etc.). */
export const ALL_MESSAGES: Readonly<Record<string, readonly FieldTuple[]>> = (() => {
  const all: Record<string, readonly FieldTuple[]> = { ...MESSAGES };
  for (const kinds of Object.values(SERVED)) {
    for (const msg of Object.values(kinds)) all[`${msg}List`] = listOf(msg);
  }
  return all;
})();

/** The message a (apiVersion, kind) is encoded as, or undefined when kube has none for it here. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (META_GROUP_VERSIONS.has(apiVersion)) return META_ONLY_KINDS[kind] ?? META_KINDS[kind];
  const kinds = SERVED[apiVersion];
  if (!kinds) return undefined;
  if (Object.hasOwn(kinds, kind)) return kinds[kind];
  if (kind.endsWith('List') && Object.hasOwn(kinds, kind.slice(0, -4))) return `${kinds[kind.slice(0, -4)]}List`;
  return Object.hasOwn(META_KINDS, kind) ? META_KINDS[kind] : undefined;
}

/** Every served (apiVersion, kind), lists included, for tests and discovery. */
export function servedKinds(): { apiVersion: string; kind: string }[] {
  const out: { apiVersion: string; kind: string }[] = [];
  for (const [apiVersion, kinds] of Object.entries(SERVED)) {
    for (const kind of Object.keys(kinds)) out.push({ apiVersion, kind }, { apiVersion, kind: `${kind}List` });
  }
  return out;
}
