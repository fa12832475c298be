import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/src/migrations/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';

describe('migrations', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    for (const a of apps) await a.stop();
    await db?.drop();
  });

  it('are applied exactly once when three instances start together on an empty database', async () => {
    apps.push(...(await Promise.all([1, 2, 3].map(() => startTestApp({ databaseUrl: db.url })))));
    const applied = await db.query<{ name: string }>('SELECT name FROM mikro_orm_migrations ORDER BY id');
    expect(applied.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    const { serverInstances } = await gqlData<{ serverInstances: unknown[] }>(
      apps[0]!.url,
      '{ serverInstances { id } }',
      undefined,
      apps[0]!.token,
    );
    expect(serverInstances).toHaveLength(3);
  });

  it('are not applied again by a later start', async () => {
    const t = await startTestApp({ databaseUrl: db.url });
    apps.push(t);
    expect(t.logs.lines.some((l) => l.msg === 'applied database migrations')).toBe(false);
    expect(await db.query('SELECT name FROM mikro_orm_migrations')).toHaveLength(migrations.length);
  });
});
