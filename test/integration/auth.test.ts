import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_UNAUTHORIZED } from '../../server/src/app.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gql, gqlData, login, type GraphQLResponse } from '../support/graphql.js';

const PASSWORD = 'correct-horse-battery';
const LOGIN =
  'mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { token expiresAt user { id email } } }';

const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

describe('users, workspaces, roles and tokens', () => {
  let db: TestDatabase;
  let t: TestApp;
  let defaultWs: string;
  const admin = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>) =>
    gqlData<T>(t.url, query, variables, t.token);

  const createMember = async (workspaceId: string, email: string, role: string) => {
    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: { workspaceId, email, role, password: PASSWORD },
    });
    return login(t.url, email, PASSWORD);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SESSION_TTL_MINUTES: '30' } });
    defaultWs = (await admin<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
  });
  beforeEach(async () => {
    await db.query('DELETE FROM login_throttle');
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('creates the configured superuser and a Default workspace on the first start', async () => {
    const { me } = await admin<{ me: Record<string, unknown> }>(
      '{ me { email superuser authSource memberships { role workspace { name myRole } } } }',
    );
    expect(me).toEqual({
      email: ADMIN.email,
      superuser: true,
      authSource: 'LOCAL',
      memberships: [{ role: 'ADMIN', workspace: { name: 'Default', myRole: 'ADMIN' } }],
    });
    const [row] = await db.query<{ password_hash: string }>('SELECT password_hash FROM app_user WHERE email = $1', [
      ADMIN.email,
    ]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('lets the scenario of the issue happen: a workspace, a VIEWER who reads but cannot change, and no way into another workspace', async () => {
    const { createWorkspace } = await admin<{ createWorkspace: { id: string } }>(
      'mutation { createWorkspace(input: { name: "Analytics", description: "team" }) { id } }',
    );
    const viewer = await createMember(createWorkspace.id, 'vera@sluice.test', 'VIEWER');

    const read = await gqlData<{ workspace: { name: string; members: { role: string; user: { email: string } }[] } }>(
      t.url,
      'query($id: ID!) { workspace(id: $id) { name members { role user { email } } } }',
      { id: createWorkspace.id },
      viewer,
    );
    expect(read.workspace.name).toBe('Analytics');
    expect(read.workspace.members.map((m) => `${m.user.email}:${m.role}`).sort()).toEqual([
      `${ADMIN.email}:ADMIN`,
      'vera@sluice.test:VIEWER',
    ]);

    const change = await gql(
      t.url,
      'mutation($w: ID!) { updateWorkspace(input: { workspaceId: $w, name: "Mine now" }) { id } }',
      { w: createWorkspace.id },
      viewer,
    );
    expect(codeOf(change)).toBe('FORBIDDEN');

    // Another workspace, by id guessing: it does not even exist for her.
    const other = await gql(t.url, 'query($id: ID!) { workspace(id: $id) { name } }', { id: defaultWs }, viewer);
    expect(codeOf(other)).toBe('NOT_FOUND');
    const listed = await gqlData<{ workspaces: { name: string }[] }>(
      t.url,
      '{ workspaces { name } }',
      undefined,
      viewer,
    );
    expect(listed.workspaces).toEqual([{ name: 'Analytics' }]);
    const audit = await gql(
      t.url,
      'query($w: ID!) { auditEvents(filter: { workspaceId: $w }) { total } }',
      { w: defaultWs },
      viewer,
    );
    expect(codeOf(audit)).toBe('FORBIDDEN');
  });

  it('answers an unknown email and a wrong password with the same error', async () => {
    const unknown = await gql(t.url, LOGIN, { e: 'nobody@sluice.test', p: PASSWORD });
    const wrong = await gql(t.url, LOGIN, { e: ADMIN.email, p: 'not-the-password' });
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'Invalid email or password',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    expect(wrong.errors?.[0]?.extensions).toEqual(unknown.errors?.[0]?.extensions);
  });

  it('blocks an account after 5 failures, for longer after each further failure, whatever the next password', async () => {
    await createMember(defaultWs, 'target@sluice.test', 'VIEWER');
    for (let i = 0; i < 5; i++)
      expect(codeOf(await gql(t.url, LOGIN, { e: 'target@sluice.test', p: `guess-${i}` }))).toBe('UNAUTHENTICATED');
    const blocked = await gql(t.url, LOGIN, { e: 'TARGET@sluice.test', p: PASSWORD });
    expect(blocked.errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 } });

    // Unknown accounts are throttled alike: the answer reveals nothing.
    for (let i = 0; i < 5; i++) await gql(t.url, LOGIN, { e: 'ghost@sluice.test', p: `guess-${i}` });
    expect(codeOf(await gql(t.url, LOGIN, { e: 'ghost@sluice.test', p: 'x' }))).toBe('RATE_LIMITED');

    await new Promise((r) => setTimeout(r, 1100));
    expect(codeOf(await gql(t.url, LOGIN, { e: 'target@sluice.test', p: 'guess-6' }))).toBe('UNAUTHENTICATED');
    const longer = await gql(t.url, LOGIN, { e: 'target@sluice.test', p: PASSWORD });
    expect(longer.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 2 });

    // Other accounts from the same address are not affected yet.
    expect(
      (await gqlData<{ login: { token: string } }>(t.url, LOGIN, { e: ADMIN.email, p: ADMIN.password })).login.token,
    ).toMatch(/^slu_s_/);
  });

  it('blocks a client address after 20 failures across accounts', async () => {
    for (let i = 0; i < 20; i++) await gql(t.url, LOGIN, { e: `spray-${i}@sluice.test`, p: 'password1' });
    const res = await gql(t.url, LOGIN, { e: ADMIN.email, p: ADMIN.password });
    expect(codeOf(res)).toBe('RATE_LIMITED');
  });

  it('ends sessions at their expiry, on logout, and when the user is disabled', async () => {
    const session = await gqlData<{ login: { token: string; expiresAt: string } }>(t.url, LOGIN, {
      e: ADMIN.email,
      p: ADMIN.password,
    });
    const ttl = Date.parse(session.login.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);

    const token = session.login.token;
    await db.query(`UPDATE access_token SET expires_at = now() - interval '1 millisecond' WHERE prefix = $1`, [
      token.slice(0, 12),
    ]);
    expect((await gql(t.url, '{ me { id } }', undefined, token)).errors?.[0]).toMatchObject({
      message: 'The token is invalid, expired or revoked',
      extensions: { code: 'UNAUTHENTICATED' },
    });

    const dora = await createMember(defaultWs, 'dora@sluice.test', 'DEVELOPER');
    const { me } = await gqlData<{ me: { id: string } }>(t.url, '{ me { id } }', undefined, dora);
    await admin('mutation($u: ID!) { updateUser(input: { userId: $u, disabled: true }) { id } }', { u: me.id });
    expect(codeOf(await gql(t.url, '{ me { id } }', undefined, dora))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(t.url, LOGIN, { e: 'dora@sluice.test', p: PASSWORD }))).toBe('UNAUTHENTICATED');
  });

  it('changes a password only with the current one, and ends the other sessions', async () => {
    const first = await createMember(defaultWs, 'paul@sluice.test', 'OPERATOR');
    const second = await login(t.url, 'paul@sluice.test', PASSWORD);
    const change =
      'mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) }';
    expect(
      (await gql(t.url, change, { c: 'wrong-password!', n: 'a-brand-new-password' }, first)).errors?.[0],
    ).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'currentPassword' },
    });
    expect((await gql(t.url, change, { c: PASSWORD, n: 'short' }, first)).errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'newPassword' },
    });
    await gqlData(t.url, change, { c: PASSWORD, n: 'a-brand-new-password' }, first);
    expect(codeOf(await gql(t.url, '{ me { id } }', undefined, second))).toBe('UNAUTHENTICATED');
    await gqlData(t.url, '{ me { id } }', undefined, first);
    await login(t.url, 'paul@sluice.test', 'a-brand-new-password');
  });

  it('keeps at least one active ADMIN in a workspace', async () => {
    const { createWorkspace } = await admin<{ createWorkspace: { id: string } }>(
      'mutation { createWorkspace(input: { name: "Solo" }) { id } }',
    );
    const { me } = await admin<{ me: { id: string } }>('{ me { id } }');
    const res = await gql(
      t.url,
      'mutation($w: ID!, $u: ID!) { updateMember(input: { workspaceId: $w, userId: $u, role: VIEWER }) { role } }',
      { w: createWorkspace.id, u: me.id },
      t.token,
    );
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(
      codeOf(
        await gql(
          t.url,
          'mutation($w: ID!, $u: ID!) { removeMember(input: { workspaceId: $w, userId: $u }) }',
          { w: createWorkspace.id, u: me.id },
          t.token,
        ),
      ),
    ).toBe('CONFLICT');
  });

  describe('API tokens', () => {
    const CREATE = `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id name role prefix status expiresAt user { email } } } }`;

    it('show the secret once, store only its hash, and act with their role in their workspace only', async () => {
      const { createApiToken } = await admin<{ createApiToken: { token: string; apiToken: Record<string, unknown> } }>(
        CREATE,
        {
          i: { name: 'grafana', workspaceId: defaultWs, role: 'VIEWER' },
        },
      );
      const secret = createApiToken.token;
      expect(secret).toMatch(/^slu_t_[\w-]{43}$/);
      expect(createApiToken.apiToken).toMatchObject({
        name: 'grafana',
        role: 'VIEWER',
        status: 'ACTIVE',
        prefix: secret.slice(0, 12),
        user: { email: ADMIN.email },
      });

      const stored = await db.query<Record<string, unknown>>('SELECT * FROM access_token WHERE id = $1', [
        createApiToken.apiToken.id,
      ]);
      expect(JSON.stringify(stored)).not.toContain(secret);
      const listed = await admin<{ apiTokens: Record<string, unknown>[] }>(
        'query($w: ID!) { apiTokens(workspaceId: $w) { id name } }',
        { w: defaultWs },
      );
      expect(JSON.stringify(listed)).not.toContain(secret);

      await gqlData(t.url, 'query($id: ID!) { workspace(id: $id) { name } }', { id: defaultWs }, secret);
      expect(
        codeOf(
          await gql(
            t.url,
            'mutation($w: ID!) { updateWorkspace(input: { workspaceId: $w, description: "x" }) { id } }',
            { w: defaultWs },
            secret,
          ),
        ),
      ).toBe('FORBIDDEN');
      const used = await db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM access_token WHERE id = $1',
        [createApiToken.apiToken.id],
      );
      expect(used[0]?.last_used_at).toBeInstanceOf(Date);

      await admin('mutation($id: ID!) { revokeApiToken(id: $id) { status } }', { id: createApiToken.apiToken.id });
      expect(codeOf(await gql(t.url, '{ me { id } }', undefined, secret))).toBe('UNAUTHENTICATED');
    });

    it('refuse an expiry in the past and stop working once expired', async () => {
      const past = await gql(
        t.url,
        CREATE,
        { i: { name: 'old', workspaceId: defaultWs, role: 'VIEWER', expiresAt: '2020-01-01T00:00:00Z' } },
        t.token,
      );
      expect(past.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'expiresAt' } });
      const soon = new Date(Date.now() + 3000).toISOString();
      const { createApiToken } = await admin<{ createApiToken: { token: string } }>(CREATE, {
        i: { name: 'brief', workspaceId: defaultWs, role: 'VIEWER', expiresAt: soon },
      });
      await gqlData(t.url, '{ me { id } }', undefined, createApiToken.token);
      await new Promise((r) => setTimeout(r, 3100));
      expect(codeOf(await gql(t.url, '{ me { id } }', undefined, createApiToken.token))).toBe('UNAUTHENTICATED');
    });

    it("never outrank their creator: a demoted creator's token is demoted, a removed creator's token dies", async () => {
      const { createWorkspace } = await admin<{ createWorkspace: { id: string } }>(
        'mutation { createWorkspace(input: { name: "Tokens" }) { id } }',
      );
      const ws = createWorkspace.id;
      const owner = await createMember(ws, 'owner@sluice.test', 'ADMIN');
      const { createApiToken } = await gqlData<{ createApiToken: { token: string } }>(
        t.url,
        CREATE,
        { i: { name: 'deploy', workspaceId: ws, role: 'ADMIN' } },
        owner,
      );
      const secret = createApiToken.token;
      const update =
        'mutation($w: ID!) { updateWorkspace(input: { workspaceId: $w, description: "by token" }) { id } }';
      await gqlData(t.url, update, { w: ws }, secret);

      const { me } = await gqlData<{ me: { id: string } }>(t.url, '{ me { id } }', undefined, owner);
      await admin(
        'mutation($w: ID!, $u: ID!) { updateMember(input: { workspaceId: $w, userId: $u, role: VIEWER }) { role } }',
        { w: ws, u: me.id },
      );
      expect(codeOf(await gql(t.url, update, { w: ws }, secret))).toBe('FORBIDDEN');
      await gqlData(t.url, 'query($id: ID!) { workspace(id: $id) { name } }', { id: ws }, secret);

      await admin('mutation($w: ID!, $u: ID!) { removeMember(input: { workspaceId: $w, userId: $u }) }', {
        w: ws,
        u: me.id,
      });
      expect(codeOf(await gql(t.url, '{ me { id } }', undefined, secret))).toBe('UNAUTHENTICATED');
    });

    it("cannot be created above the creator's role, nor by another API token", async () => {
      const dev = await createMember(defaultWs, 'devon@sluice.test', 'DEVELOPER');
      expect(codeOf(await gql(t.url, CREATE, { i: { name: 'x', workspaceId: defaultWs, role: 'VIEWER' } }, dev))).toBe(
        'FORBIDDEN',
      );
      const { createApiToken } = await admin<{ createApiToken: { token: string } }>(CREATE, {
        i: { name: 'admin-bot', workspaceId: defaultWs, role: 'ADMIN' },
      });
      expect(
        codeOf(
          await gql(
            t.url,
            CREATE,
            { i: { name: 'child', workspaceId: defaultWs, role: 'VIEWER' } },
            createApiToken.token,
          ),
        ),
      ).toBe('FORBIDDEN');
    });
  });

  describe('the audit log', () => {
    it('records every mutation with actor, workspace, target, address and a summary without secrets', async () => {
      const secretPassword = 'never-in-the-audit-log-42';
      const { addMember } = await admin<{ addMember: { membership: { user: { id: string } } } }>(
        'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { user { id } } } }',
        { i: { workspaceId: defaultWs, email: 'audited@sluice.test', role: 'OPERATOR', password: secretPassword } },
      );
      await gql(t.url, LOGIN, { e: 'audited@sluice.test', p: 'a-wrong-password' });

      const { auditEvents } = await admin<{ auditEvents: { total: number; items: Record<string, unknown>[] } }>(
        'query($w: ID!) { auditEvents(filter: { workspaceId: $w, action: "addMember" }) { total items { action outcome actorLabel actorUserId workspaceId targetType targetId clientAddress summary } } }',
        { w: defaultWs },
      );
      const event = auditEvents.items.find((e) => e.targetId === addMember.membership.user.id);
      expect(event).toMatchObject({
        action: 'addMember',
        outcome: 'SUCCESS',
        actorLabel: ADMIN.email,
        workspaceId: defaultWs,
        targetType: 'User',
        summary: {
          input: { email: 'audited@sluice.test', role: 'OPERATOR', password: '[redacted]', workspaceId: defaultWs },
        },
      });
      expect(String(event!.clientAddress)).toMatch(/127\.0\.0\.1/);

      const failures = await admin<{ auditEvents: { items: Record<string, unknown>[] } }>(
        '{ auditEvents(filter: { action: "login" }) { items { outcome errorCode actorLabel summary } } }',
      );
      expect(failures.auditEvents.items).toContainEqual({
        outcome: 'FAILURE',
        errorCode: 'UNAUTHENTICATED',
        actorLabel: 'audited@sluice.test',
        summary: { input: { email: 'audited@sluice.test', password: '[redacted]' } },
      });

      const everything = JSON.stringify(await db.query('SELECT * FROM audit_event'));
      expect(everything).not.toContain(secretPassword);
      expect(everything).not.toContain('a-wrong-password');
      expect(everything).not.toContain(ADMIN.password);
      expect(t.logs.text()).not.toContain(secretPassword);
    });
  });

  describe('subscriptions', () => {
    it('close an unauthenticated socket, and one whose token was revoked, with 4401', async () => {
      await expect(connectSocket(t.url)).rejects.toThrow(`socket closed: ${CLOSE_UNAUTHORIZED}`);
      await expect(connectSocket(t.url, 'slu_s_not-a-real-token-at-all-not-a-real-token-at-al')).rejects.toThrow(
        `socket closed: ${CLOSE_UNAUTHORIZED}`,
      );
      const token = await login(t.url, ADMIN.email, ADMIN.password);
      const socket = await connectSocket(t.url, token);
      await gqlData(t.url, 'mutation { logout }', undefined, token);
      socket.subscribe('subscription { serverInstanceChanged { id } }');
      expect((await socket.closed).code).toBe(CLOSE_UNAUTHORIZED);
    });
  });
});

describe('the first start without SLUICE_ADMIN_PASSWORD', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('prints a generated password once, never logs it, and stores only its hash', async () => {
    const { createApp } = await import('../../server/src/app.js');
    const { loadConfig } = await import('../../server/src/config.js');
    const { captureLogs } = await import('../support/logs.js');
    const shown: string[] = [];
    const boot = async () => {
      const logs = captureLogs('debug');
      const app = createApp(
        loadConfig({ DATABASE_URL: db.url, PORT: '0', SLUICE_ADMIN_EMAIL: 'first@sluice.test' }),
        logs.logger,
        {
          announce: (text) => shown.push(text),
        },
      );
      await app.start();
      return { app, logs };
    };
    const first = await boot();
    expect(shown).toHaveLength(1);
    const password = /password\s+(\S+)/.exec(shown[0]!)?.[1];
    expect(password).toBeDefined();
    await login(first.app.url, 'first@sluice.test', password!);
    expect(first.logs.text()).not.toContain(password);
    expect(JSON.stringify(await db.query('SELECT * FROM app_user'))).not.toContain(password);
    await first.app.stop();

    const second = await boot();
    expect(shown).toHaveLength(1);
    await second.app.stop();
  });
});
