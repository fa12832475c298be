import 'reflect-metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { ADMIN, FAST_CLUSTER } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData, login } from '../support/graphql.js';
import { captureLogs } from '../support/logs.js';

const HINT = '{ serverInfo { version firstLoginHint { adminEmail passwordFromEnvironment } } }';

interface Hint {
  adminEmail: string;
  passwordFromEnvironment: boolean;
}

describe('the first sign-in hint', () => {
  const databases: TestDatabase[] = [];
  const apps: App[] = [];

  /** An app on `db` that nobody signs in to; what it prints on standard error goes to `announced`. */
  async function start(db: TestDatabase, env: Record<string, string | undefined>) {
    const announced: string[] = [];
    const app = createApp(
      loadConfig({ PORT: '0', SLUICE_SHUTDOWN_TIMEOUT_MS: '2000', DATABASE_URL: db.url, ...FAST_CLUSTER, ...env }),
      captureLogs().logger,
      { announce: (text) => announced.push(text) },
    );
    apps.push(app);
    await app.start();
    return { app, announced };
  }

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  }

  const hintOf = async (app: App) =>
    (await gqlData<{ serverInfo: { firstLoginHint: Hint | null } }>(app.url, HINT)).serverInfo.firstLoginHint;

  afterAll(async () => {
    for (const app of apps) await app.stop();
    for (const db of databases) await db.drop();
  });

  it('names the first admin and says the password is SLUICE_ADMIN_PASSWORD, until someone signs in', async () => {
    const db = await database();
    const { app } = await start(db, {});
    expect(await hintOf(app)).toEqual({ adminEmail: ADMIN.email, passwordFromEnvironment: true });
    // Asked again (the sign-in page polls): the same.
    expect(await hintOf(app)).toEqual({ adminEmail: ADMIN.email, passwordFromEnvironment: true });

    await login(app.url, ADMIN.email, ADMIN.password);
    expect(await hintOf(app)).toBeNull();

    // The database remembers: another instance shows no hint either.
    const other = await start(db, {});
    expect(await hintOf(other.app)).toBeNull();
  });

  it('says the password was generated (printed to standard error) when none was configured', async () => {
    const db = await database();
    const { app, announced } = await start(db, {
      SLUICE_ADMIN_PASSWORD: undefined,
      SLUICE_ADMIN_EMAIL: 'first@sluice.test',
    });
    expect(await hintOf(app)).toEqual({ adminEmail: 'first@sluice.test', passwordFromEnvironment: false });
    const password = /with the password\s+(\S+)/.exec(announced.join(''))?.[1];
    expect(password).toBeDefined();

    // A later start given a password does not change the admin's: the hint still says it was generated.
    const later = await start(db, {
      SLUICE_ADMIN_PASSWORD: 'a-password-set-afterwards',
      SLUICE_ADMIN_EMAIL: 'someone-else@sluice.test',
    });
    expect(await hintOf(later.app)).toEqual({ adminEmail: 'first@sluice.test', passwordFromEnvironment: false });

    await login(app.url, 'first@sluice.test', password!);
    expect(await hintOf(app)).toBeNull();
    expect(await hintOf(later.app)).toBeNull();
  });

  it('never shows for a database where someone has signed in, even a user other than the admin', async () => {
    const db = await database();
    const { app } = await start(db, {});
    const token = await login(app.url, ADMIN.email, ADMIN.password);
    await gqlData(
      app.url,
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email: 'second@sluice.test', displayName: 'Second', password: 'second-password-1' } },
      token,
    );
    await db.query('UPDATE app_user SET last_login_at = NULL WHERE email = $1', [ADMIN.email]);
    await login(app.url, 'second@sluice.test', 'second-password-1');
    const fresh = await start(db, {});
    expect(await hintOf(fresh.app)).toBeNull();
  });
});
