// Declarations of kube's CEL libraries (k8s.io/apiserver/pkg/cel/library, v1.34 base environment):
// lists, regex, urls, quantity, ip, cidr, format, semver, authz (whose values only the `authorizer`
// variable of admission policies gives: CRD rules cannot reach them).

const cmp = (t: string) => ['isLessThan', 'isGreaterThan'].map((f) => `${t}.${f}(${t}) bool`).concat(`${t}.compareTo(${t}) int`);
const listElems = ['int', 'uint', 'double', 'bool', 'string', 'bytes', 'duration', 'timestamp'];

export const kubeSignatures: string[] = [
  // lists (ListsVersion 0)
  ...listElems.flatMap((t) => [`list(${t}).isSorted() bool`, `list(${t}).min() ${t}`, `list(${t}).max() ${t}`]),
  ...['int', 'uint', 'double', 'duration'].map((t) => `list(${t}).sum() ${t}`),
  'list(A).indexOf(A) int', 'list(A).lastIndexOf(A) int',
  // regex
  'string.find(string) string', 'string.findAll(string) list(string)', 'string.findAll(string, int) list(string)',
  // urls
  'url(string) URL', 'isURL(string) bool', 'URL.getScheme() string', 'URL.getHost() string', 'URL.getHostname() string',
  'URL.getPort() string', 'URL.getEscapedPath() string', 'URL.getQuery() map(string, list(string))',
  // quantity
  'quantity(string) Quantity', 'isQuantity(string) bool', 'Quantity.isInteger() bool', 'Quantity.asInteger() int',
  'Quantity.asApproximateFloat() double', 'sign(Quantity) int', 'Quantity.add(Quantity) Quantity', 'Quantity.add(int) Quantity',
  'Quantity.sub(Quantity) Quantity', 'Quantity.sub(int) Quantity', ...cmp('Quantity'),
  // ip
  'ip(string) IP', 'isIP(string) bool', 'ip.isCanonical(string) bool', 'IP.family() int', 'IP.isUnspecified() bool',
  'IP.isLoopback() bool', 'IP.isLinkLocalMulticast() bool', 'IP.isLinkLocalUnicast() bool', 'IP.isGlobalUnicast() bool',
  'string(IP) string',
  // cidr
  'cidr(string) CIDR', 'isCIDR(string) bool', 'CIDR.containsIP(string) bool', 'CIDR.containsIP(IP) bool',
  'CIDR.containsCIDR(string) bool', 'CIDR.containsCIDR(CIDR) bool', 'CIDR.ip() IP', 'CIDR.masked() CIDR',
  'CIDR.prefixLength() int', 'string(CIDR) string',
  // format
  'format.named(string) optional(NamedFormat)', 'NamedFormat.validate(string) optional(list(string))',
  ...['dns1123Label', 'dns1123Subdomain', 'dns1035Label', 'qualifiedName', 'dns1123LabelPrefix', 'dns1123SubdomainPrefix',
    'dns1035LabelPrefix', 'labelValue', 'uri', 'uuid', 'byte', 'date', 'datetime'].map((f) => `format.${f}() NamedFormat`),
  // semver (SemverVersion 1)
  'semver(string) Semver', 'semver(string, bool) Semver', 'isSemver(string) bool', 'isSemver(string, bool) bool',
  'Semver.major() int', 'Semver.minor() int', 'Semver.patch() int', ...cmp('Semver'),
  // authz and authz selectors
  'Authorizer.path(string) PathCheck', 'Authorizer.group(string) GroupCheck', 'Authorizer.serviceAccount(string, string) Authorizer',
  'GroupCheck.resource(string) ResourceCheck',
  ...['subresource', 'namespace', 'name', 'fieldSelector', 'labelSelector'].map((f) => `ResourceCheck.${f}(string) ResourceCheck`),
  'PathCheck.check(string) Decision', 'ResourceCheck.check(string) Decision',
  'Decision.allowed() bool', 'Decision.reason() string', 'Decision.errored() bool', 'Decision.error() string',
];
