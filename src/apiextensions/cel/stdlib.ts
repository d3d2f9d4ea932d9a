// Declarations of CEL's standard functions and operators as cel-go's checker knows them, with
// kube's CrossTypeNumericComparisons; the runtime side is @bufbuild/cel's.

const num = ['int', 'uint', 'double'];
const ordered = [...num, 'string', 'bytes', 'bool', 'timestamp', 'duration'];

export const stdSignatures: string[] = [
  ...num.map((t) => `_+_(${t}, ${t}) ${t}`),
  '_+_(string, string) string', '_+_(bytes, bytes) bytes', '_+_(list(A), list(A)) list(A)',
  '_+_(timestamp, duration) timestamp', '_+_(duration, timestamp) timestamp', '_+_(duration, duration) duration',
  ...num.map((t) => `_-_(${t}, ${t}) ${t}`),
  '_-_(timestamp, timestamp) duration', '_-_(timestamp, duration) timestamp', '_-_(duration, duration) duration',
  ...num.map((t) => `_*_(${t}, ${t}) ${t}`),
  ...num.map((t) => `_/_(${t}, ${t}) ${t}`),
  '_%_(int, int) int', '_%_(uint, uint) uint',
  '-_(int) int', '-_(double) double',
  '!_(bool) bool',
  '_&&_(bool, bool) bool', '_||_(bool, bool) bool', '_?_:_(bool, A, A) A',
  '@not_strictly_false(bool) bool',
  '_==_(A, A) bool', '_!=_(A, A) bool',
  ...['_<_', '_<=_', '_>_', '_>=_'].flatMap((op) => [
    ...ordered.map((t) => `${op}(${t}, ${t}) bool`),
    ...num.flatMap((a) => num.filter((b) => b !== a).map((b) => `${op}(${a}, ${b}) bool`)),
  ]),
  '_[_](list(A), int) A', '_[_](map(K, V), K) V',
  '@in(A, list(A)) bool', '@in(K, map(K, V)) bool',
  'size(string) int', 'size(bytes) int', 'size(list(A)) int', 'size(map(K, V)) int',
  'string.size() int', 'bytes.size() int', 'list(A).size() int', 'map(K, V).size() int',
  'string.contains(string) bool', 'string.startsWith(string) bool', 'string.endsWith(string) bool',
  'string.matches(string) bool', 'matches(string, string) bool',
  'int(int) int', 'int(uint) int', 'int(double) int', 'int(string) int', 'int(timestamp) int',
  'uint(uint) uint', 'uint(int) uint', 'uint(double) uint', 'uint(string) uint',
  'double(double) double', 'double(int) double', 'double(uint) double', 'double(string) double',
  'string(string) string', 'string(int) string', 'string(uint) string', 'string(double) string',
  'string(bool) string', 'string(bytes) string', 'string(timestamp) string', 'string(duration) string',
  'bytes(bytes) bytes', 'bytes(string) bytes', 'bool(bool) bool', 'bool(string) bool',
  'timestamp(timestamp) timestamp', 'timestamp(string) timestamp', 'timestamp(int) timestamp',
  'duration(duration) duration', 'duration(string) duration',
  'type(A) type(A)', 'dyn(A) dyn',
  ...['getFullYear', 'getMonth', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear', 'getHours',
    'getMinutes', 'getSeconds', 'getMilliseconds'].flatMap((f) => [`timestamp.${f}() int`, `timestamp.${f}(string) int`]),
  ...['getHours', 'getMinutes', 'getSeconds', 'getMilliseconds'].map((f) => `duration.${f}() int`),
  // cel.OptionalTypes
  'optional.of(A) optional(A)', 'optional.ofNonZeroValue(A) optional(A)', 'optional.none() optional(dyn)',
  'optional(A).hasValue() bool', 'optional(A).value() A', 'optional(A).orValue(A) A',
  'optional(A).or(optional(A)) optional(A)',
  'list(A).first() optional(A)', 'list(A).last() optional(A)',
  'optional.unwrap(list(optional(A))) list(A)', 'list(optional(A)).unwrapOpt() list(A)',
  // ext.Strings (version 2)
  'string.charAt(int) string', 'string.indexOf(string) int', 'string.indexOf(string, int) int',
  'string.lastIndexOf(string) int', 'string.lastIndexOf(string, int) int', 'string.lowerAscii() string',
  'string.upperAscii() string', 'string.replace(string, string) string', 'string.replace(string, string, int) string',
  'string.split(string) list(string)', 'string.split(string, int) list(string)', 'string.substring(int) string',
  'string.substring(int, int) string', 'string.trim() string', 'list(string).join() string',
  'list(string).join(string) string', 'string.format(list(dyn)) string', 'strings.quote(string) string',
  // ext.TwoVarComprehensions' transformMap (expanded by twovar.ts)
  '@kplane_map_insert(map(K, V), K, V) map(K, V)',
  // ext.Sets
  'sets.contains(list(A), list(A)) bool', 'sets.equivalent(list(A), list(A)) bool', 'sets.intersects(list(A), list(A)) bool',
];

/** Identifiers naming types (`type(self.x) == string`). */
export const typeIdents = ['int', 'uint', 'double', 'string', 'bool', 'bytes', 'null_type', 'list', 'map', 'type', 'dyn',
  'google.protobuf.Timestamp', 'google.protobuf.Duration'];
