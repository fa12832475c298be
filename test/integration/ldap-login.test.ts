import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login } from '../support/graphql.js';
import { SLAPD_GROUPS, SLAPD_USERS, ssha, startSlapd, type Slapd } from '../support/slapd.js';
import { Attribute, Change, Client } from 'ldapts';

interface Me {
  email: string;
  displayName: string;
  superuser: boolean;
  authSource: string;
  memberships: { role: string; source: string; workspace: { name: string } }[];
}
const ME = '{ me { email displayName superuser authSource memberships { role source workspace { name } } } }';

/** Sign-in against a real OpenLDAP (slapd started by the test on a loopback port). */
describe('LDAP sign-in', () => {
  let slapd: Slapd;
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    slapd = await startSlapd();
    db = await createTestDatabase();
    t = await startTestApp({
      databaseUrl: db.url,
      env: {
        SLUICE_LDAP_URL: slapd.url,
        SLUICE_LDAP_BIND_DN: slapd.bindDn,
        SLUICE_LDAP_BIND_PASSWORD: slapd.bindPassword,
        SLUICE_LDAP_SEARCH_BASE: `ou=people,${slapd.baseDn}`,
        SLUICE_LDAP_GROUP_SEARCH_BASE: `ou=groups,${slapd.baseDn}`,
        SLUICE_LDAP_ROLE_MAP: JSON.stringify([
          { group: SLAPD_GROUPS.admins, superuser: true },
          { group: SLAPD_GROUPS.dataEngineers, workspace: 'Data', role: 'DEVELOPER' },
          { group: SLAPD_GROUPS.admins.toUpperCase(), workspace: 'data', role: 'ADMIN' },
          { group: SLAPD_GROUPS.viewers, workspace: 'Default', role: 'VIEWER' },
        ]),
      },
    });
    await gqlData(t.url, 'mutation { createWorkspace(input: { name: "Data" }) { id } }', undefined, t.token);
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await slapd?.stop();
  });

  /** Changes the directory as its root DN. */
  const asRoot = async (change: (root: Client) => Promise<unknown>) => {
    const root = new Client({ url: slapd.url });
    try {
      await root.bind(slapd.rootDn, slapd.rootPassword);
      await change(root);
    } finally {
      await root.unbind();
    }
  };

  const me = async (token: string) => (await gqlData<{ me: Me }>(t.url, ME, undefined, token)).me;

  it('creates a directory user at first sign-in, with the roles of their groups (highest wins)', async () => {
    const alice = await me(await login(t.url, 'alice', SLAPD_USERS.alice.password));
    expect(alice).toMatchObject({
      email: 'alice@sluice.test',
      displayName: 'Alice Liddell',
      superuser: true,
      authSource: 'LDAP',
    });
    expect(alice.memberships).toEqual([{ role: 'ADMIN', source: 'LDAP', workspace: { name: 'Data' } }]);

    const carol = await me(await login(t.url, 'carol', SLAPD_USERS.carol.password));
    expect(carol).toMatchObject({
      superuser: false,
      memberships: [{ role: 'VIEWER', source: 'LDAP', workspace: { name: 'Default' } }],
    });

    const dave = await login(t.url, 'dave', SLAPD_USERS.dave.password);
    expect((await me(dave)).memberships).toEqual([]);
    expect(
      (await gqlData<{ workspaces: unknown[] }>(t.url, '{ workspaces { id } }', undefined, dave)).workspaces,
    ).toEqual([]);
  });

  it('signs in by email too, and refuses a wrong password with the usual answer', async () => {
    await login(t.url, 'alice@sluice.test', SLAPD_USERS.alice.password);
    const wrong = await gql(t.url, 'mutation { login(input: { email: "alice", password: "not-alice" }) { token } }');
    expect(wrong.errors?.[0]).toMatchObject({
      message: 'Invalid email or password',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('follows group changes at the next sign-in, and leaves memberships set in Sluice alone', async () => {
    const bob = await login(t.url, 'bob', SLAPD_USERS.bob.password);
    expect((await me(bob)).memberships).toEqual([{ role: 'DEVELOPER', source: 'LDAP', workspace: { name: 'Data' } }]);
    const { workspaces } = await gqlData<{ workspaces: { id: string; name: string }[] }>(
      t.url,
      '{ workspaces { id name } }',
      undefined,
      t.token,
    );
    const defaultWs = workspaces.find((w) => w.name === 'Default')!.id;
    await gqlData(
      t.url,
      'mutation($w: ID!) { addMember(input: { workspaceId: $w, email: "bob@sluice.test", role: OPERATOR }) { membership { id } } }',
      { w: defaultWs },
      t.token,
    );

    await asRoot((root) =>
      root.modify(SLAPD_GROUPS.dataEngineers, [
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'member', values: [SLAPD_USERS.bob.dn] }),
        }),
      ]),
    );
    const again = await me(await login(t.url, 'bob', SLAPD_USERS.bob.password));
    expect(again.memberships).toEqual([{ role: 'OPERATOR', source: 'MANUAL', workspace: { name: 'Default' } }]);
  });

  it('never lets a directory entry take over a local account with the same email', async () => {
    await gqlData(
      t.url,
      'mutation { createUser(input: { email: "eve@sluice.test", displayName: "Local Eve", password: "local-eve-password" }) { id } }',
      undefined,
      t.token,
    );
    await asRoot(async (root) => {
      await root.add(`uid=eve,ou=people,${slapd.baseDn}`, {
        objectClass: 'inetOrgPerson',
        uid: 'eve',
        cn: 'Eve',
        sn: 'Eve',
        mail: 'eve@sluice.test',
        userPassword: await ssha('eve-directory-pw'),
      });
    });
    const res = await gql(t.url, 'mutation { login(input: { email: "eve", password: "eve-directory-pw" }) { token } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const local = await me(await login(t.url, 'eve@sluice.test', 'local-eve-password'));
    expect(local).toMatchObject({ displayName: 'Local Eve', authSource: 'LOCAL' });
  });

  it('does not let a directory user change their password in Sluice', async () => {
    const alice = await login(t.url, 'alice', SLAPD_USERS.alice.password);
    const res = await gql(
      t.url,
      'mutation { changePassword(input: { currentPassword: "alice-pw", newPassword: "a-new-password-here" }) }',
      undefined,
      alice,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
