/**
 * Run dispatch with Agenda's jobs in MongoDB (SLUICE_AGENDA_MONGODB_URL). No MongoDB can run on
 * the development and CI machines (STACK.md), so this runs only where MONGODB_URL names one, and
 * is reported as skipped otherwise.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const MONGODB_URL = process.env.MONGODB_URL;

describe.skipIf(!MONGODB_URL)('runs dispatched through Agenda on MongoDB', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({
      databaseUrl: db.url,
      env: { SLUICE_SECRET_KEY: randomBytes(32).toString('hex'), SLUICE_AGENDA_MONGODB_URL: MONGODB_URL! },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('runs a task to the end', async () => {
    const ws = (await gqlData<{ workspaces: { id: string }[] }>(app.url, '{ workspaces { id } }', undefined, app.token))
      .workspaces[0]!.id;
    const content =
      'source { FakeSource { plugin_output = "f", schema = { fields { id = int } } } }\nsink { Console { plugin_input = "f" } }';
    const { createTask } = await gqlData<{ createTask: { id: string } }>(
      app.url,
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      { i: { workspaceId: ws, name: 'on-mongo', content } },
      app.token,
    );
    const { startRun } = await gqlData<{ startRun: { id: string } }>(
      app.url,
      'mutation($t: ID!) { startRun(input: { taskId: $t }) { id } }',
      { t: createTask.id },
      app.token,
    );
    const status = await waitFor(
      async () => {
        const { run } = await gqlData<{ run: { status: string } }>(
          app.url,
          'query($id: ID!) { run(id: $id) { status } }',
          { id: startRun.id },
          app.token,
        );
        return ['SUCCEEDED', 'FAILED'].includes(run.status) ? run.status : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(status).toBe('SUCCEEDED');
  }, 60_000);
});
