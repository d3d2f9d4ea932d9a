// The static token file (--token-auth-file): kube's CSV format and texts, users with their uid
// and groups, unknown tokens left to the next authenticator, and the bearer chain's 401.

import type { IncomingMessage } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import { BearerTokenAuthenticator } from '../../../src/auth/authn.js';
import { parseCSV, parseTokenFile, TokenFileAuthenticator, TokenFileError } from '../../../src/auth/token-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-tokenfile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FILE = [
  'secret-alice,alice,uid-1,"devs,ops"',
  '',
  ' secret-bob, bob, uid-2',
  'secret-carol,carol,,dev',
  ',nobody,uid-0',
  'dup,first,u1',
  'dup,second,u2',
  '"quo""ted",quoter,uid-q,""',
].join('\r\n') + '\n';

describe('token file parsing', () => {
  it('reads Go CSV: quotes, doubled quotes, leading spaces trimmed, blank lines skipped', () => {
    expect(parseCSV('a,"b,c"\n\n d,"e""f"\r\ng\n')).toEqual([['a', 'b,c'], ['d', 'e"f'], ['g']]);
  });

  it('refuses what Go CSV refuses', () => {
    expect(() => parseCSV('a,b"c\n')).toThrow('bare " in non-quoted-field');
    expect(() => parseCSV('a,"b\n')).toThrow('extraneous or missing " in quoted-field');
  });

  it('maps tokens to users as kube does (empty tokens skipped, a later duplicate wins)', () => {
    const users = parseTokenFile(FILE, '/etc/tokens.csv');
    expect([...users.keys()]).toEqual(['secret-alice', 'secret-bob', 'secret-carol', 'dup', 'quo"ted']);
    expect(users.get('secret-alice')).toEqual({ username: 'alice', uid: 'uid-1', groups: ['devs', 'ops'] });
    expect(users.get('secret-bob')).toEqual({ username: 'bob', uid: 'uid-2', groups: [] });
    expect(users.get('secret-carol')).toEqual({ username: 'carol', groups: ['dev'] });
    expect(users.get('dup')!.username).toBe('second');
    expect(users.get('quo"ted')).toEqual({ username: 'quoter', uid: 'uid-q', groups: [] });
  });

  it('needs three columns (kube\'s message)', () => {
    expect(() => parseTokenFile('tok,user\n', '/etc/tokens.csv')).toThrow(
      new TokenFileError("token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2"));
  });
});

describe('token file authenticator', () => {
  it('reads the file and answers the user of a known token, not scoped to a logical cluster', async () => {
    const path = join(dir, 'tokens.csv');
    await writeFile(path, FILE);
    const a = await TokenFileAuthenticator.fromFile(path);
    expect(a.size).toBe(5);
    expect(await a.authenticateToken('secret-alice')).toEqual({ username: 'alice', uid: 'uid-1', groups: ['devs', 'ops', 'system:authenticated'] });
    expect(await a.authenticateToken('secret-bob')).toEqual({ username: 'bob', uid: 'uid-2', groups: ['system:authenticated'] });
    expect(await a.authenticateToken('secret-alicf')).toBeUndefined();
    expect(await a.authenticateToken('secret-alice ')).toBeUndefined();
    expect(await a.authenticateToken('')).toBeUndefined();
    // the answer is a copy: callers cannot change the table
    (await a.authenticateToken('secret-alice'))!.groups.push('system:masters');
    expect((await a.authenticateToken('secret-alice'))!.groups).toEqual(['devs', 'ops', 'system:authenticated']);
  });

  it('a missing file is a start-up error naming it', async () => {
    await expect(TokenFileAuthenticator.fromFile(join(dir, 'absent.csv'))).rejects.toThrow(/reading token file '.*absent\.csv': ENOENT/);
  });

  it('behind the bearer authenticator: known tokens authenticate, unknown ones are 401', async () => {
    const bearer = new BearerTokenAuthenticator(new TokenFileAuthenticator(parseTokenFile(FILE, 'f')));
    const req = (auth?: string) => ({ headers: auth ? { authorization: auth } : {} }) as unknown as IncomingMessage;
    expect((await bearer.authenticate(req('Bearer secret-carol'), { cluster: 'root' }))!.username).toBe('carol');
    expect(await bearer.authenticate(req(), { cluster: 'root' })).toBeUndefined();
    const err = await bearer.authenticate(req('Bearer wrong'), { cluster: 'root' }).catch((e: unknown) => e);
    expect(isStatusError(err) && err.status.code).toBe(401);
  });
});
