// Static bearer tokens, kube-apiserver's --token-auth-file: a CSV file read once at start, one
// record per token: token,user,uid[,"group1,group2"]. Records need at least three columns; an
// empty token is skipped and a repeated token replaces the earlier record, as kube's tokenfile
// authenticator does. Users of the file belong to no logical cluster: RBAC inside each cluster
// decides what they may do.
//
// The token is compared in constant time: each given token is hashed and compared against every
// record's hash with timingSafeEqual, so neither the comparison nor a map lookup tells how much
// of a guess was right.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UserInfo } from '../registry/types.js';
import type { TokenAuthenticator } from './authn.js';

export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/** Go's encoding/csv with TrimLeadingSpace and variable field counts: records of a CSV text. */
export function parseCSV(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    // blank lines are skipped, as Go's reader does
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const record: string[] = [];
    const recordLine = line;
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      let fieldText = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new TokenFileError(`record on line ${recordLine}: extraneous or missing " in quoted-field`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              fieldText += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          fieldText += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          throw new TokenFileError(`parse error on line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new TokenFileError(`parse error on line ${line}: bare " in non-quoted-field`);
          fieldText += text[i];
          i++;
        }
      }
      record.push(fieldText);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      if (i < n) {
        i += text[i] === '\r' ? 2 : 1;
        line++;
      }
      break;
    }
    records.push(record);
  }
  return records;
}

interface Entry {
  digest: Buffer;
  user: UserInfo;
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** The users of a token file's text; `path` names the file in errors (kube's texts). */
export function parseTokenFile(text: string, path: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  for (const record of parseCSV(text)) {
    if (record.length < 3) {
      throw new TokenFileError(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    }
    const [token, username, uid] = record as [string, string, string, ...string[]];
    if (token === '') continue;
    const user: UserInfo = { username, groups: [] };
    if (uid) user.uid = uid;
    // kube splits the fourth column on commas; empty names (an empty column) are no groups
    if (record.length >= 4) user.groups = record[3]!.split(',').filter((g) => g !== '');
    tokens.set(token, user);
  }
  return tokens;
}

/** kube's tokenfile authenticator: a known token is its user (plus system:authenticated). */
export class TokenFileAuthenticator implements TokenAuthenticator {
  private readonly entries: Entry[];

  constructor(tokens: Map<string, UserInfo>) {
    this.entries = [...tokens].map(([token, user]) => ({ digest: digestOf(token), user }));
  }

  static async fromFile(path: string): Promise<TokenFileAuthenticator> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new TokenFileError(`reading token file '${path}': ${(e as Error).message}`);
    }
    return new TokenFileAuthenticator(parseTokenFile(text, path));
  }

  get size(): number {
    return this.entries.length;
  }

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const given = digestOf(token);
    let found: UserInfo | undefined;
    // every record is compared: the time taken does not depend on which one matches
    for (const e of this.entries) {
      if (timingSafeEqual(e.digest, given)) found = e.user;
    }
    if (!found) return undefined;
    const groups = found.groups.includes('system:authenticated') ? [...found.groups] : [...found.groups, 'system:authenticated'];
    return { ...found, groups, ...(found.extra ? { extra: { ...found.extra } } : {}) };
  }
}
