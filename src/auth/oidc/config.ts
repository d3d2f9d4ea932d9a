// kube's structured authentication configuration (--authentication-config): an
// apiserver.config.k8s.io AuthenticationConfiguration (v1, v1beta1, v1alpha1) in YAML or JSON,
// decoded strictly (unknown fields are errors) and validated as kube-apiserver's
// ValidateAuthenticationConfiguration does, with its field paths and texts. Its CEL expressions
// are compiled here, on kplane's CEL engine, with kube's variables: `claims` (map(string, any))
// for claim validation rules and claim mappings, `user` (kubernetes.UserInfo) for user
// validation rules. A file that does not validate stops kplane from starting.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { parse as parseCel } from '@bufbuild/cel';
import { aggregateMessage, field, fieldErrorString, type FieldError } from '../../apimachinery/errors.js';
import { isDNS1123Subdomain, regexError } from '../../apimachinery/validation.js';
import { compileExpression } from '../../apiextensions/cel/compile.js';
import type { Program } from '../../apiextensions/cel/runtime.js';
import { T, typeString, type CelT } from '../../apiextensions/cel/types.js';

export const GROUP = 'apiserver.config.k8s.io';
export const KIND = 'AuthenticationConfiguration';
const VERSIONS = ['v1', 'v1beta1', 'v1alpha1'];

export interface PrefixedClaimOrExpression {
  claim?: string;
  prefix?: string;
  expression?: string;
}

export interface ClaimOrExpression {
  claim?: string;
  expression?: string;
}

export interface JWTAuthenticatorSpec {
  issuer: {
    url: string;
    discoveryURL?: string;
    certificateAuthority?: string;
    audiences: string[];
    audienceMatchPolicy?: string;
    egressSelectorType?: string;
  };
  claimValidationRules?: { claim?: string; requiredValue?: string; expression?: string; message?: string }[];
  claimMappings: {
    username: PrefixedClaimOrExpression;
    groups?: PrefixedClaimOrExpression;
    uid?: ClaimOrExpression;
    extra?: { key: string; valueExpression: string }[];
  };
  userValidationRules?: { expression: string; message?: string }[];
}

export interface AuthenticationConfiguration {
  apiVersion: string;
  kind: string;
  jwt: JWTAuthenticatorSpec[];
  anonymous?: unknown;
}

/** A compiled CEL expression with the text it was compiled from. */
export interface CompiledCEL {
  expression: string;
  program: Program;
}

export type Mapping = { claim: string; prefix: string } | { cel: CompiledCEL };

/** One jwt[] entry, validated, with its expressions compiled. */
export interface CompiledJWTAuthenticator {
  spec: JWTAuthenticatorSpec;
  username: Mapping;
  groups?: Mapping;
  uid?: Mapping;
  extra: (CompiledCEL & { key: string })[];
  requiredClaims: { claim: string; requiredValue: string }[];
  claimValidationRules: (CompiledCEL & { message: string })[];
  userValidationRules: (CompiledCEL & { message: string })[];
}

export class AuthenticationConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationConfigError';
  }
}

// ---- strict decoding: the shape of the file ----

type Shape = 'string' | 'strings' | 'bool' | 'any' | { list: Shape } | { fields: Record<string, Shape> };

const PREFIXED: Shape = { fields: { claim: 'string', prefix: 'string', expression: 'string' } };
const JWT: Shape = {
  fields: {
    issuer: {
      fields: {
        url: 'string', discoveryURL: 'string', certificateAuthority: 'string', audiences: 'strings',
        audienceMatchPolicy: 'string', egressSelectorType: 'string',
      },
    },
    claimValidationRules: { list: { fields: { claim: 'string', requiredValue: 'string', expression: 'string', message: 'string' } } },
    claimMappings: {
      fields: {
        username: PREFIXED, groups: PREFIXED, uid: { fields: { claim: 'string', expression: 'string' } },
        extra: { list: { fields: { key: 'string', valueExpression: 'string' } } },
      },
    },
    userValidationRules: { list: { fields: { expression: 'string', message: 'string' } } },
  },
};
const CONFIG: Shape = { fields: { apiVersion: 'string', kind: 'string', jwt: { list: JWT }, anonymous: 'any' } };

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);
const goType = (s: Shape): string =>
  s === 'string' ? 'string' : s === 'strings' ? '[]string' : s === 'bool' ? 'bool' : s === 'any' ? 'interface {}' : 'list' in s ? `[]${goType(s.list)}` : 'struct';

/** Unknown fields (kube's strict decoding) and values of the wrong JSON type, with their paths. */
function checkShape(v: unknown, s: Shape, path: string, unknown: string[], typeErrors: string[]): void {
  if (v === null || v === undefined || s === 'any') return;
  const wrong = (): void => { typeErrors.push(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${path || 'AuthenticationConfiguration'} of type ${goType(s)}`); };
  if (s === 'string') { if (typeof v !== 'string') wrong(); return; }
  if (s === 'bool') { if (typeof v !== 'boolean') wrong(); return; }
  if (s === 'strings') {
    if (!Array.isArray(v)) return wrong();
    v.forEach((x, i) => { if (typeof x !== 'string' && x !== null) typeErrors.push(`json: cannot unmarshal ${jsonType(x)} into Go struct field ${path}[${i}] of type string`); });
    return;
  }
  if ('list' in s) {
    if (!Array.isArray(v)) return wrong();
    v.forEach((x, i) => checkShape(x, s.list, `${path}[${i}]`, unknown, typeErrors));
    return;
  }
  if (typeof v !== 'object' || Array.isArray(v)) return wrong();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const f = s.fields[k];
    if (!f) unknown.push(p);
    else checkShape(x, f, p, unknown, typeErrors);
  }
}

/** Decodes the file's text (YAML or JSON) as the scheme would, strictly. */
export function decodeAuthenticationConfiguration(text: string): AuthenticationConfiguration {
  if (text.trim() === '') throw new AuthenticationConfigError('empty config data');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AuthenticationConfigError(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AuthenticationConfigError(`couldn't get version/kind; json parse error: expected an object, got ${jsonType(doc)}`);
  const o = doc as Record<string, unknown>;
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const kind = typeof o.kind === 'string' ? o.kind : '';
  if (!apiVersion) throw new AuthenticationConfigError(`Object 'apiVersion' is missing in '${JSON.stringify(doc)}'`);
  if (!kind) throw new AuthenticationConfigError(`Object 'Kind' is missing in '${JSON.stringify(doc)}'`);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) as [string, string] : ['', apiVersion];
  if (group !== GROUP || !VERSIONS.includes(version) || kind !== KIND) {
    throw new AuthenticationConfigError(`no kind "${kind}" is registered for version "${apiVersion}": expected apiVersion ${VERSIONS.map((v) => `${GROUP}/${v}`).join(', ')} and kind ${KIND}`);
  }
  const unknown: string[] = [];
  const typeErrors: string[] = [];
  checkShape(doc, CONFIG, '', unknown, typeErrors);
  if (typeErrors.length) throw new AuthenticationConfigError(typeErrors[0]!);
  if (unknown.length) throw new AuthenticationConfigError(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
  const c = o as unknown as AuthenticationConfiguration;
  return { ...c, jwt: (c.jwt ?? []).map(normalizeJWT) };
}

/** null lists and objects as Go's decoder leaves them: empty. */
function normalizeJWT(j: JWTAuthenticatorSpec): JWTAuthenticatorSpec {
  const issuer = j.issuer ?? ({} as JWTAuthenticatorSpec['issuer']);
  const m = j.claimMappings ?? ({} as JWTAuthenticatorSpec['claimMappings']);
  return {
    issuer: { ...issuer, url: issuer.url ?? '', audiences: (issuer.audiences ?? []).map((a) => a ?? '') },
    claimValidationRules: j.claimValidationRules ?? [],
    claimMappings: { ...m, username: m.username ?? {}, groups: m.groups ?? {}, uid: m.uid ?? {}, extra: m.extra ?? [] },
    userValidationRules: j.userValidationRules ?? [],
  };
}

// ---- validation (k8s.io/apiserver/pkg/apis/apiserver/validation) ----

const USER_TYPE: CelT = {
  kind: 'object',
  name: 'kubernetes.UserInfo',
  fields: new Map<string, CelT>([
    ['username', T.string], ['uid', T.string], ['groups', T.list(T.string)], ['extra', T.map(T.string, T.list(T.string))],
  ]),
};
const CLAIMS_VARS: ReadonlyMap<string, CelT> = new Map([['claims', T.map(T.string, T.dyn)]]);
const USER_VARS: ReadonlyMap<string, CelT> = new Map([['user', USER_TYPE]]);

/** The code parts of a CEL source (outside string and bytes literals), as [start, end) ranges. */
function codeRanges(src: string): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c !== '"' && c !== "'") {
      i++;
      continue;
    }
    // a literal, with its r/b prefixes (raw strings have no escapes)
    let p = i;
    let raw = false;
    while (p > start && /[rRbB]/.test(src[p - 1]!) && !/[A-Za-z0-9_]/.test(src[p - 2] ?? ' ')) {
      if (/[rR]/.test(src[p - 1]!)) raw = true;
      p--;
    }
    out.push([start, p]);
    const quote = src.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
    i += quote.length;
    while (i < src.length && !src.startsWith(quote, i)) i += !raw && src[i] === '\\' ? 2 : 1;
    i += quote.length;
    start = i;
  }
  if (start < src.length) out.push([start, src.length]);
  return out;
}

/**
 * CEL's optional field selection on a variable's field chain, `claims.?name` (as kube's docs use
 * it: `claims.?email_verified.orValue(true)`), which @bufbuild/cel's parser does not read, lowered
 * to what it means: `(has(claims.name) ? optional.of(claims.name) : optional.none())`. Only a chain
 * of plain field names rooted at `claims` or `user` is lowered; other `.?` forms stay syntax errors.
 */
export function lowerOptionalSelects(src: string): string {
  if (!src.includes('.?')) return src;
  let out = '';
  let last = 0;
  for (const [a, b] of codeRanges(src)) {
    out += src.slice(last, a);
    out += src.slice(a, b).replace(/(?<![A-Za-z0-9_.])((?:claims|user)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.\?([A-Za-z_][A-Za-z0-9_]*)/g,
      (_m, chain: string, name: string) => `(has(${chain}.${name}) ? optional.of(${chain}.${name}) : optional.none())`);
    last = b;
  }
  return out + src.slice(last);
}

function compileCEL(errs: FieldError[], path: string, expression: string, vars: ReadonlyMap<string, CelT>, want: CelT): CompiledCEL | undefined {
  const r = compileExpression(lowerOptionalSelects(expression), vars, want);
  if (r.ok) return { expression, program: r.value.program };
  if (r.failedPhase === 'type') errs.push(field.invalid(path, expression, `must evaluate to ${typeString(want)}`));
  else errs.push(field.invalid(path, expression, `compilation failed: ${r.detail}`));
  return undefined;
}

function validateURL(errs: FieldError[], path: string, value: string): void {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    errs.push(field.invalid(path, value, `parse ${JSON.stringify(value)}: invalid URL`));
    return;
  }
  if (u.protocol !== 'https:') errs.push(field.invalid(path, value, 'URL scheme must be https'));
  if (u.username || u.password) errs.push(field.invalid(path, value, 'URL must not contain a username or password'));
  if (u.search) errs.push(field.invalid(path, value, 'URL must not contain a query'));
  if (u.hash) errs.push(field.invalid(path, value, 'URL must not contain a fragment'));
}

function validateCA(errs: FieldError[], path: string, pem: string | undefined): void {
  if (!pem) return;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  let ok = blocks.length > 0;
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch {
      ok = false;
    }
  }
  if (!ok) errs.push(field.invalid(path, '<omitted>', 'data does not contain any valid RSA or ECDSA certificates'));
}

const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** utilvalidation.IsDomainPrefixedPath. */
function isDomainPrefixedPath(errs: FieldError[], path: string, key: string): void {
  if (!key) {
    errs.push(field.required(path));
    return;
  }
  const slash = key.indexOf('/');
  const host = slash < 0 ? key : key.slice(0, slash);
  const rest = slash < 0 ? '' : key.slice(slash + 1);
  if (slash < 0 || !host || !rest) {
    errs.push(field.invalid(path, key, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    return;
  }
  for (const m of isDNS1123Subdomain(host)) errs.push(field.invalid(path, host, m));
  if (!HTTP_PATH.test(rest)) errs.push(field.invalid(path, rest, regexError('Invalid path', "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+")));
}

function isKubernetesDomain(key: string): boolean {
  const parts = key.split('/');
  const domain = parts.length >= 2 ? parts[0]! : '';
  return domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io') || domain === 'k8s.io' || domain.endsWith('.k8s.io');
}

/** Whether the expression selects claims.<name> (or claims[?"name"]), as kube's hasSelectExp. */
function selects(source: string, name: string): boolean {
  let root: Expr;
  try {
    root = parseCel(lowerOptionalSelects(source)).expr as Expr;
  } catch {
    return false;
  }
  const walk = (e: Expr | undefined): boolean => {
    if (!e) return false;
    const k = e.exprKind;
    switch (k.case) {
      case 'selectExpr': {
        const op = k.value.operand;
        if (op?.exprKind.case === 'identExpr' && op.exprKind.value.name === 'claims' && k.value.field === name) return true;
        return walk(op);
      }
      case 'callExpr': return walk(k.value.target) || k.value.args.some(walk);
      case 'listExpr': return k.value.elements.some(walk);
      case 'structExpr': return k.value.entries.some((en) => walk(en.value) || (en.keyKind.case === 'mapKey' && walk(en.keyKind.value)));
      case 'comprehensionExpr': return [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result].some(walk);
      default: return false;
    }
  };
  return walk(root);
}

function prefixedClaimOrExpression(errs: FieldError[], path: string, m: PrefixedClaimOrExpression | undefined, required: boolean): Mapping | undefined {
  const claim = m?.claim ?? '';
  const expression = m?.expression ?? '';
  if (claim && expression) {
    errs.push(field.invalid(path, '', "claim and expression can't both be set"));
    return undefined;
  }
  if (!claim && !expression) {
    if (required) errs.push(field.required(path, 'claim or expression is required'));
    return undefined;
  }
  if (expression) {
    if (m?.prefix !== undefined && m.prefix !== null) errs.push(field.invalid(`${path}.prefix`, m.prefix, 'may not be specified when expression is set'));
    const cel = compileCEL(errs, `${path}.expression`, expression, CLAIMS_VARS, T.dyn);
    return cel ? { cel } : undefined;
  }
  if (m?.prefix === undefined || m.prefix === null) {
    errs.push(field.required(`${path}.prefix`, 'prefix is required when claim is set. It can be set to an empty string to disable prefixing'));
    return undefined;
  }
  return { claim, prefix: m.prefix };
}

function validateJWT(j: JWTAuthenticatorSpec, p: string, errs: FieldError[]): CompiledJWTAuthenticator {
  const is = j.issuer;
  // issuer
  if (!is.url) errs.push(field.required(`${p}.issuer.url`));
  else validateURL(errs, `${p}.issuer.url`, is.url);
  if (is.discoveryURL) {
    if (is.url && is.url.replace(/\/+$/, '') === is.discoveryURL.replace(/\/+$/, '')) {
      errs.push(field.invalid(`${p}.issuer.discoveryURL`, is.discoveryURL, 'discoveryURL must be different from URL'));
    }
    validateURL(errs, `${p}.issuer.discoveryURL`, is.discoveryURL);
  }
  const auds = is.audiences;
  if (auds.length === 0) {
    errs.push(field.required(`${p}.issuer.audiences`, `at least one ${p}.issuer.audiences is required`));
  } else {
    const seen = new Set<string>();
    auds.forEach((a, i) => {
      if (!a) errs.push(field.required(`${p}.issuer.audiences[${i}]`));
      if (seen.has(a)) errs.push(field.duplicate(`${p}.issuer.audiences[${i}]`, a));
      seen.add(a);
    });
    const policy = is.audienceMatchPolicy ?? '';
    if (auds.length > 1 && policy !== 'MatchAny') {
      errs.push(field.invalid(`${p}.issuer.audienceMatchPolicy`, policy, 'audienceMatchPolicy must be MatchAny for multiple audiences'));
    }
    if (auds.length === 1 && policy && policy !== 'MatchAny') {
      errs.push(field.invalid(`${p}.issuer.audienceMatchPolicy`, policy, 'audienceMatchPolicy must be empty or MatchAny for single audience'));
    }
  }
  validateCA(errs, `${p}.issuer.certificateAuthority`, is.certificateAuthority);
  // kplane has no egress selector: connections to issuers go out directly
  if (is.egressSelectorType) errs.push(field.invalid(`${p}.issuer.egressSelectorType`, is.egressSelectorType, 'egress selector is not supported by kplane'));

  let usesEmailVerified = false;
  // claim validation rules
  const requiredClaims: CompiledJWTAuthenticator['requiredClaims'] = [];
  const claimValidationRules: CompiledJWTAuthenticator['claimValidationRules'] = [];
  const seenClaims = new Set<string>();
  const seenExpr = new Set<string>();
  (j.claimValidationRules ?? []).forEach((r, i) => {
    const rp = `${p}.claimValidationRules[${i}]`;
    const claim = r.claim ?? '';
    const expression = r.expression ?? '';
    if (claim && expression) errs.push(field.invalid(rp, claim, "claim and expression can't both be set"));
    else if (!claim && !expression) errs.push(field.required(rp, 'claim or expression is required'));
    else if (claim) {
      if (r.message) errs.push(field.invalid(`${rp}.message`, r.message, 'may not be specified when claim is set'));
      if (seenClaims.has(claim)) errs.push(field.duplicate(`${rp}.claim`, claim));
      seenClaims.add(claim);
      requiredClaims.push({ claim, requiredValue: r.requiredValue ?? '' });
    } else {
      if (r.requiredValue) errs.push(field.invalid(`${rp}.requiredValue`, r.requiredValue, 'may not be specified when expression is set'));
      if (seenExpr.has(expression)) {
        errs.push(field.duplicate(`${rp}.expression`, expression));
        return;
      }
      seenExpr.add(expression);
      const cel = compileCEL(errs, `${rp}.expression`, expression, CLAIMS_VARS, T.bool);
      if (cel) {
        claimValidationRules.push({ ...cel, message: r.message ?? '' });
        usesEmailVerified ||= selects(expression, 'email_verified');
      }
    }
  });

  // claim mappings
  const m = j.claimMappings;
  const mp = `${p}.claimMappings`;
  const username = prefixedClaimOrExpression(errs, `${mp}.username`, m.username, true);
  const usesEmail = !!(username && 'cel' in username && selects(username.cel.expression, 'email'));
  if (username && 'cel' in username) usesEmailVerified ||= selects(username.cel.expression, 'email_verified');
  const groups = prefixedClaimOrExpression(errs, `${mp}.groups`, m.groups, false);
  let uid: Mapping | undefined;
  const uidClaim = m.uid?.claim ?? '';
  const uidExpr = m.uid?.expression ?? '';
  if (uidClaim && uidExpr) errs.push(field.invalid(`${mp}.uid`, '', "claim and expression can't both be set"));
  else if (uidExpr) {
    const cel = compileCEL(errs, `${mp}.uid.expression`, uidExpr, CLAIMS_VARS, T.dyn);
    if (cel) uid = { cel };
  } else if (uidClaim) uid = { claim: uidClaim, prefix: '' };
  const extra: CompiledJWTAuthenticator['extra'] = [];
  const seenKeys = new Set<string>();
  (m.extra ?? []).forEach((x, i) => {
    const xp = `${mp}.extra[${i}]`;
    const key = x.key ?? '';
    isDomainPrefixedPath(errs, `${xp}.key`, key);
    if (key !== key.toLowerCase()) errs.push(field.invalid(`${xp}.key`, key, 'must be lowercase'));
    if (isKubernetesDomain(key)) errs.push(field.invalid(`${xp}.key`, key, 'k8s.io, kubernetes.io and their subdomains are reserved for Kubernetes use'));
    if (seenKeys.has(key)) {
      errs.push(field.duplicate(`${xp}.key`, key));
      return;
    }
    seenKeys.add(key);
    if (!x.valueExpression) {
      errs.push(field.required(`${xp}.valueExpression`));
      return;
    }
    const cel = compileCEL(errs, `${xp}.valueExpression`, x.valueExpression, CLAIMS_VARS, T.dyn);
    if (cel) {
      extra.push({ ...cel, key });
      usesEmailVerified ||= selects(x.valueExpression, 'email_verified');
    }
  });
  if (usesEmail && !usesEmailVerified) {
    errs.push(field.invalid(`${mp}.username.expression`, m.username.expression,
      'claims.email_verified must be used in claimMappings.username.expression or claimMappings.extra[*].valueExpression or claimValidationRules[*].expression when claims.email is used in claimMappings.username.expression'));
  }

  // user validation rules
  const userValidationRules: CompiledJWTAuthenticator['userValidationRules'] = [];
  const seenUser = new Set<string>();
  (j.userValidationRules ?? []).forEach((r, i) => {
    const up = `${p}.userValidationRules[${i}]`;
    if (!r.expression) {
      errs.push(field.required(`${up}.expression`));
      return;
    }
    if (seenUser.has(r.expression)) {
      errs.push(field.duplicate(`${up}.expression`, r.expression));
      return;
    }
    seenUser.add(r.expression);
    const cel = compileCEL(errs, `${up}.expression`, r.expression, USER_VARS, T.bool);
    if (cel) userValidationRules.push({ ...cel, message: r.message ?? '' });
  });

  return {
    spec: j,
    username: username ?? { claim: '', prefix: '' },
    ...(groups ? { groups } : {}),
    ...(uid ? { uid } : {}),
    extra, requiredClaims, claimValidationRules, userValidationRules,
  };
}

/** ValidateAuthenticationConfiguration: the field errors of a decoded file and its compiled authenticators. */
export function validateAuthenticationConfiguration(c: AuthenticationConfiguration): { errors: FieldError[]; jwt: CompiledJWTAuthenticator[] } {
  const errs: FieldError[] = [];
  if (c.jwt.length > 64) return { errors: [field.tooMany('jwt', c.jwt.length, 64)], jwt: [] };
  const issuers = new Set<string>();
  const discovery = new Set<string>();
  const jwt = c.jwt.map((a, i) => {
    const p = `jwt[${i}]`;
    const compiled = validateJWT(a, p, errs);
    if (issuers.has(a.issuer.url)) errs.push(field.duplicate(`${p}.issuer.url`, a.issuer.url));
    issuers.add(a.issuer.url);
    if (a.issuer.discoveryURL) {
      if (discovery.has(a.issuer.discoveryURL)) errs.push(field.duplicate(`${p}.issuer.discoveryURL`, a.issuer.discoveryURL));
      discovery.add(a.issuer.discoveryURL);
    }
    return compiled;
  });
  // anonymous is configured by kplane itself (unauthenticated requests are system:anonymous)
  if (c.anonymous !== undefined && c.anonymous !== null) errs.push(field.forbidden('anonymous', 'anonymous is not configurable in kplane'));
  return { errors: errs, jwt };
}

/** Reads, decodes and validates an authentication configuration file; throws with all of kube's errors. */
export async function loadAuthenticationConfiguration(path: string): Promise<CompiledJWTAuthenticator[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new AuthenticationConfigError(`failed to read authentication configuration file ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  return compileAuthenticationConfiguration(text, path);
}

export function compileAuthenticationConfiguration(text: string, path = '<input>'): CompiledJWTAuthenticator[] {
  let c: AuthenticationConfiguration;
  try {
    c = decodeAuthenticationConfiguration(text);
  } catch (e) {
    throw new AuthenticationConfigError(`failed to load authentication configuration file ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const { errors, jwt } = validateAuthenticationConfiguration(c);
  if (errors.length) throw new AuthenticationConfigError(`invalid authentication configuration file ${JSON.stringify(path)}: ${aggregateMessage(errors.map(fieldErrorString))}`);
  return jwt;
}
