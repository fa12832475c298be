import net from 'node:net';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/src/errors.js';
import {
  LdapDirectory,
  escapeFilterValue,
  normaliseDn,
  type LdapSettings,
} from '../../server/src/modules/auth/ldap-directory.js';
import { captureLogs } from '../support/logs.js';
import { SLAPD_GROUPS, SLAPD_USERS, startSlapd, type Slapd } from '../support/slapd.js';
import { waitFor } from '../support/wait.js';

const { alice, bob, dave } = SLAPD_USERS;

/** What the promise rejected with, failing the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
}

describe('LdapDirectory against a real OpenLDAP server', () => {
  let slapd: Slapd;
  let stoppedUrl: string;
  const logs = captureLogs('debug');

  const settings = (overrides: Partial<LdapSettings> = {}): LdapSettings => ({
    url: slapd.url,
    bindDn: slapd.bindDn,
    bindPassword: slapd.bindPassword,
    searchBase: `ou=people,${slapd.baseDn}`,
    searchFilter: '(|(uid={{login}})(mail={{login}}))',
    groupSearchBase: `ou=groups,${slapd.baseDn}`,
    groupFilter: '(|(member={{dn}})(uniqueMember={{dn}})(memberUid={{login}}))',
    startTls: false,
    timeoutMs: 2_000,
    ...overrides,
  });
  const directory = (overrides: Partial<LdapSettings> = {}) => new LdapDirectory(settings(overrides), logs.logger);
  const bindsOf = (dn: string) =>
    slapd
      .log()
      .split('\n')
      .filter((l) => l.includes(`BIND dn="${dn}"`)).length;

  beforeAll(async () => {
    slapd = await startSlapd({ tls: true });
    const stopped = await startSlapd();
    stoppedUrl = stopped.url;
    await stopped.stop();
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('authenticates a user by uid, returning the DN, email, display name and group DNs', async () => {
    expect(await directory().authenticate('alice', alice.password)).toEqual({
      dn: alice.dn,
      login: 'alice',
      email: 'alice@sluice.test',
      displayName: 'Alice Liddell',
      groups: [SLAPD_GROUPS.dataEngineers, SLAPD_GROUPS.admins].sort(),
    });
  });

  it('authenticates a user by email as the same identity, with the uid as login', async () => {
    const identity = await directory().authenticate('alice@sluice.test', alice.password);
    expect(identity).toMatchObject({ dn: alice.dn, login: 'alice', email: 'alice@sluice.test' });
    expect(identity?.groups).toHaveLength(2);
  });

  it('prefers displayName to cn and returns no groups for a user in none', async () => {
    expect(await directory().authenticate('dave', dave.password)).toMatchObject({
      dn: dave.dn,
      displayName: 'Dávid Ödön',
      email: undefined,
      groups: [],
    });
  });

  it('finds a user by a non-ASCII value, which reaches the server as UTF-8', async () => {
    const byDisplayName = directory({ searchFilter: '(displayName={{login}})' });
    expect(await byDisplayName.authenticate('Dávid Ödön', dave.password)).toMatchObject({ dn: dave.dn });
  });

  it('returns null for a wrong password', async () => {
    expect(await directory().authenticate('alice', 'bob-pw')).toBeNull();
  });

  it('returns null for an unknown user', async () => {
    expect(await directory().authenticate('mallory', 'mallory-pw')).toBeNull();
  });

  it('returns null for an empty password without binding, though the server would accept that bind', async () => {
    // The hazard: this server, like many, treats a DN with an empty password as a successful
    // "unauthenticated" bind.
    const raw = new Client({ url: slapd.url });
    await expect(raw.bind(alice.dn, '')).resolves.toBeUndefined();
    await raw.unbind();

    const before = bindsOf(alice.dn);
    expect(await directory().authenticate('alice', '')).toBeNull();
    expect(bindsOf(alice.dn)).toBe(before);
    // Not even a connection: against a dead server the answer is the same.
    expect(await directory({ url: stoppedUrl }).authenticate('alice', '')).toBeNull();
  });

  it('returns null for logins made of filter syntax instead of widening the search', async () => {
    const logins = [
      '*',
      'al*',
      'alice)(uid=*',
      '*)(uid=*))(|(uid=*',
      'alice)(|(uid=*)',
      'alice\\',
      'alice\u0000',
      String.raw`al\2a`,
      "$'",
      '$&',
      '{{login}}',
    ];
    for (const login of logins) {
      expect(await directory().authenticate(login, alice.password), login).toBeNull();
    }
    expect(slapd.log()).toContain(String.raw`(uid=al\2A)`);
  });

  it('returns null when the search filter matches more than one entry, even with the right password', async () => {
    const ambiguous = directory({ searchFilter: '(|(uid={{login}})(uid=bob))' });
    expect(await ambiguous.authenticate('alice', alice.password)).toBeNull();
    expect(logs.lines.some((l) => String(l.msg).includes('more than one entry'))).toBe(true);
  });

  it('rejects with LDAP_UNAVAILABLE within timeoutMs when the server is down', async () => {
    const started = Date.now();
    // A refused connection answers at once: it must not wait for the (long) timeout.
    const err = await rejection(directory({ url: stoppedUrl, timeoutMs: 10_000 }).authenticate('alice', 'alice-pw'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'LDAP_UNAVAILABLE' });
    // The message may reach an anonymous login form: it names no server.
    expect((err as AppError).message).not.toContain('127.0.0.1');
  });

  it('rejects with LDAP_UNAVAILABLE once timeoutMs passes on a server that never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const started = Date.now();
      const err = await rejection(
        directory({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 300 }).authenticate('alice', alice.password),
      );
      expect(err).toMatchObject({ code: 'LDAP_UNAVAILABLE' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('rejects with LDAP_UNAVAILABLE when the service account password is wrong', async () => {
    const err = await rejection(directory({ bindPassword: 'not-the-svc-pw' }).authenticate('alice', alice.password));
    expect(err).toMatchObject({ code: 'LDAP_UNAVAILABLE' });
  });

  it('rejects with LDAP_UNAVAILABLE, binding nothing, when the service account has no password', async () => {
    const before = bindsOf(slapd.bindDn);
    const err = await rejection(directory({ bindPassword: '' }).authenticate('alice', alice.password));
    expect(err).toMatchObject({ code: 'LDAP_UNAVAILABLE' });
    expect(bindsOf(slapd.bindDn)).toBe(before);
  });

  it('checks the connection and the service bind', async () => {
    await expect(directory().check()).resolves.toBeUndefined();
    await expect(directory({ bindPassword: 'not-the-svc-pw' }).check()).rejects.toMatchObject({
      code: 'LDAP_UNAVAILABLE',
    });
    await expect(directory({ url: stoppedUrl }).check()).rejects.toMatchObject({ code: 'LDAP_UNAVAILABLE' });
  });

  it('logs in over StartTLS and over ldaps:// when told to accept the self-signed certificate', async () => {
    const overStartTls = directory({ startTls: true, tlsRejectUnauthorized: false });
    expect(await overStartTls.authenticate('bob', bob.password)).toMatchObject({ dn: bob.dn });
    expect(slapd.log()).toContain('EXT oid=1.3.6.1.4.1.1466.20037');
    const overLdaps = directory({ url: slapd.ldapsUrl, tlsRejectUnauthorized: false });
    expect(await overLdaps.authenticate('bob', bob.password)).toMatchObject({ dn: bob.dn });
  });

  it('refuses an untrusted certificate unless told otherwise', async () => {
    await expect(directory({ startTls: true }).authenticate('bob', bob.password)).rejects.toMatchObject({
      code: 'LDAP_UNAVAILABLE',
    });
    await expect(directory({ url: slapd.ldapsUrl }).authenticate('bob', bob.password)).rejects.toMatchObject({
      code: 'LDAP_UNAVAILABLE',
    });
  });

  it('closes every connection it opens, whatever the outcome', async () => {
    const d = directory();
    await d.authenticate('alice', alice.password);
    await d.authenticate('alice', 'wrong');
    await d.authenticate('nobody', 'wrong');
    await d.authenticate('alice', '');
    await rejection(directory({ bindPassword: 'not-the-svc-pw' }).authenticate('alice', alice.password));
    const count = (pattern: RegExp) => slapd.log().match(pattern)?.length ?? 0;
    await waitFor(() => count(/ ACCEPT from /g) === count(/ closed/g), {
      what: 'slapd to see every connection closed',
    });
  });

  it('never writes a password to the log', async () => {
    const secrets = { user: 'alice-secret-typed-wrong', service: 'svc-secret-typed-wrong' };
    const captured = captureLogs('debug');
    const d = (overrides: Partial<LdapSettings> = {}) => new LdapDirectory(settings(overrides), captured.logger);
    await d().authenticate('alice', alice.password);
    await d().authenticate('alice', secrets.user);
    await d().authenticate('nobody', secrets.user);
    await d({ searchFilter: '(|(uid={{login}})(uid=bob))' }).authenticate('alice', secrets.user);
    await rejection(d({ bindPassword: secrets.service }).authenticate('alice', secrets.user));
    await rejection(d({ bindPassword: secrets.service, url: stoppedUrl }).authenticate('alice', secrets.user));
    await rejection(d({ bindPassword: secrets.service, startTls: true }).check());

    const text = captured.text();
    expect(captured.lines.length).toBeGreaterThanOrEqual(5);
    for (const secret of [alice.password, slapd.bindPassword, secrets.user, secrets.service]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('escapeFilterValue', () => {
  it('escapes the filter syntax characters *, (, ), \\ and NUL', () => {
    expect(escapeFilterValue('a*b(c)d\\e\u0000f')).toBe(String.raw`a\2ab\28c\29d\5ce\00f`);
  });

  it('keeps printable ASCII that has no meaning inside a value', () => {
    expect(escapeFilterValue('alice.o-neil_2@sluice.test =&|!~<>')).toBe('alice.o-neil_2@sluice.test =&|!~<>');
  });

  it('escapes each UTF-8 byte of a non-ASCII character', () => {
    expect(escapeFilterValue('Zoë')).toBe(String.raw`Zo\c3\ab`);
    expect(escapeFilterValue('😀')).toBe(String.raw`\f0\9f\98\80`);
  });

  it('escapes control characters', () => {
    expect(escapeFilterValue('a\nb\u007f')).toBe(String.raw`a\0ab\7f`);
  });

  it('leaves nothing a filter parser could read as syntax', () => {
    expect(escapeFilterValue('*)(uid=*))(|(uid=*')).not.toMatch(/[*()]/);
    expect(escapeFilterValue(String.raw`\2a`)).toBe(String.raw`\5c2a`);
  });
});

describe('normaliseDn', () => {
  it('lower-cases a DN and drops the spaces after its commas', () => {
    expect(normaliseDn('CN=Sluice-Admins, OU=Groups,  DC=sluice,DC=test')).toBe(
      'cn=sluice-admins,ou=groups,dc=sluice,dc=test',
    );
  });

  it('keeps an escaped comma, and the space after it, as part of the value', () => {
    expect(normaliseDn(String.raw`CN=Smith\, John, OU=People`)).toBe(String.raw`cn=smith\, john,ou=people`);
  });
});
