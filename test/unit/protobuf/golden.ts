// Responses captured from kube-apiserver v1.34.10 (test/harness management cluster): the same
// object read with Accept: application/vnd.kubernetes.protobuf (hex) and application/json.
// They let the unit tests check the codec offline, byte for byte.

export interface Golden {
  hex: string;
  json: Record<string, unknown>;
}

export const GOLDEN: Record<string, Golden> = {
  namespace: {
    hex:
      '6b3873000a0f0a02763112094e616d65737061636512d8020abd020a06676f6c64656e12001a0022002a2431626431643165' +
      '632d306230392d343034302d386338632d653834653165383134326334320331393938004208089ae984d80610005a250a1b' +
      '6b756265726e657465732e696f2f6d657461646174612e6e616d651206676f6c64656e5a090a047465616d12016162130a04' +
      '6e6f7465120bc3bc20e29c9320f09f9a808a01ad010a0d6b706c616e652d676f6c64656e12065570646174651a0276312208' +
      '089ae984d806100032084669656c647356313a7a0a787b22663a6d65746164617461223a7b22663a616e6e6f746174696f6e' +
      '73223a7b222e223a7b7d2c22663a6e6f7465223a7b7d7d2c22663a6c6162656c73223a7b222e223a7b7d2c22663a6b756265' +
      '726e657465732e696f2f6d657461646174612e6e616d65223a7b7d2c22663a7465616d223a7b7d7d7d7d4200120c0a0a6b75' +
      '6265726e657465731a080a064163746976651a002200',
    json: {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "golden", "uid": "1bd1d1ec-0b09-4040-8c8c-e84e1e8142c4", "resourceVersion": "199", "creationTimestamp": "2026-11-21T06:05:14Z", "labels": {"kubernetes.io/metadata.name": "golden", "team": "a"}, "annotations": {"note": "ü ✓ 🚀"}, "managedFields": [{"manager": "kplane-golden", "operation": "Update", "apiVersion": "v1", "time": "2026-11-21T06:05:14Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:note": {}}, "f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}, "f:team": {}}}}}]}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
  },
  lease: {
    hex:
      '6b3873000a1f0a16636f6f7264696e6174696f6e2e6b38732e696f2f763112054c6561736512cd020ab4020a016c12001a06' +
      '676f6c64656e22002a2464643039646133312d356666342d343865382d383930342d33303634643131323465613232033230' +
      '3038004208089ae984d806100062050a016112008a01e3010a0d6b706c616e652d676f6c64656e12065570646174651a1663' +
      '6f6f7264696e6174696f6e2e6b38732e696f2f76312208089ae984d806100032084669656c647356313a9b010a98017b2266' +
      '3a6d65746164617461223a7b22663a616e6e6f746174696f6e73223a7b222e223a7b7d2c22663a61223a7b7d7d7d2c22663a' +
      '73706563223a7b22663a686f6c6465724964656e74697479223a7b7d2c22663a6c656173654475726174696f6e5365636f6e' +
      '6473223a7b7d2c22663a6c656173655472616e736974696f6e73223a7b7d2c22663a72656e657754696d65223a7b7d7d7d42' +
      '0012140a01681028220b08d983e2b106108094ef3a28031a002200',
    json: {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1", "metadata": {"name": "l", "namespace": "golden", "uid": "dd09da31-5ff4-48e8-8904-3064d1124ea2", "resourceVersion": "200", "creationTimestamp": "2026-11-21T06:05:14Z", "annotations": {"a": ""}, "managedFields": [{"manager": "kplane-golden", "operation": "Update", "apiVersion": "coordination.k8s.io/v1", "time": "2026-11-21T06:05:14Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:a": {}}}, "f:spec": {"f:holderIdentity": {}, "f:leaseDurationSeconds": {}, "f:leaseTransitions": {}, "f:renewTime": {}}}}]}, "spec": {"holderIdentity": "h", "leaseDurationSeconds": 40, "renewTime": "2024-05-06T07:08:09.123456Z", "leaseTransitions": 3}},
  },
  secret: {
    hex:
      '6b3873000a0c0a027631120653656372657412cb010aaf010a017312001a06676f6c64656e22002a2430383664373033392d' +
      '343364632d343131372d386335382d663031666664326236313864320332303138004208089ae984d80610008a01660a0d6b' +
      '706c616e652d676f6c64656e12065570646174651a0276312208089ae984d806100032084669656c647356313a330a317b22' +
      '663a64617461223a7b222e223a7b7d2c22663a62223a7b7d2c22663a65223a7b7d7d2c22663a74797065223a7b7d7d420012' +
      '080a0162120300ff8012050a016512001a064f70617175651a002200',
    json: {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s", "namespace": "golden", "uid": "086d7039-43dc-4117-8c58-f01ffd2b618d", "resourceVersion": "201", "creationTimestamp": "2026-11-21T06:05:14Z", "managedFields": [{"manager": "kplane-golden", "operation": "Update", "apiVersion": "v1", "time": "2026-11-21T06:05:14Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {".": {}, "f:b": {}, "f:e": {}}, "f:type": {}}}]}, "data": {"b": "AP+A", "e": ""}, "type": "Opaque"},
  },
  resourcequota: {
    hex:
      '6b3873000a130a027631120d5265736f7572636551756f74611298020ad2010a017112001a06676f6c64656e22002a243461' +
      '3733346231632d623631662d346434322d383333382d663061323066373434363333320332303238004208089ae984d80610' +
      '008a0188010a0d6b706c616e652d676f6c64656e12065570646174651a0276312208089ae984d806100032084669656c6473' +
      '56313a550a537b22663a73706563223a7b22663a68617264223a7b222e223a7b7d2c22663a6c696d6974732e6d656d6f7279' +
      '223a7b7d2c22663a706f6473223a7b7d2c22663a72657175657374732e637075223a7b7d7d7d7d4200123f0a160a0d6c696d' +
      '6974732e6d656d6f727912050a033147690a0c0a04706f647312040a0231300a170a0c72657175657374732e63707512070a' +
      '05313530306d1a001a002200',
    json: {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": {"name": "q", "namespace": "golden", "uid": "4a734b1c-b61f-4d42-8338-f0a20f744633", "resourceVersion": "202", "creationTimestamp": "2026-11-21T06:05:14Z", "managedFields": [{"manager": "kplane-golden", "operation": "Update", "apiVersion": "v1", "time": "2026-11-21T06:05:14Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:hard": {".": {}, "f:limits.memory": {}, "f:pods": {}, "f:requests.cpu": {}}}}}]}, "spec": {"hard": {"limits.memory": "1Gi", "pods": "10", "requests.cpu": "1500m"}}, "status": {}},
  },
  notfound: {
    hex:
      '6b3873000a0c0a027631120653746174757312550a060a0012001a0012074661696c7572651a1b636f6e6669676d61707320' +
      '226e6f706522206e6f7420666f756e6422084e6f74466f756e642a180a046e6f706512001a0a636f6e6669676d6170732800' +
      '32003094031a002200',
    json: {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "configmaps \"nope\" not found", "reason": "NotFound", "details": {"name": "nope", "kind": "configmaps"}, "code": 404},
  },
};
