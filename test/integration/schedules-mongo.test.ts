/**
 * Schedules with Agenda's jobs in MongoDB (SLUICE_AGENDA_MONGODB_URL): firing once per occurrence
 * on two instances, and the reconciler repairing a deleted job. No MongoDB can run on the
 * development and CI machines (STACK.md), so this runs only where MONGODB_URL names one, and is
 * reported as skipped otherwise. Each run uses a database of its own on that server, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const MONGODB_URL = process.env.MONGODB_URL;

const TINY_JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "f", row.num = 1, schema = { fields { id = int } } } }
sink { Console { plugin_input = "f" } }
`;

describe.skipIf(!MONGODB_URL)('schedules fired through Agenda on MongoDB', () => {
  let db: TestDatabase;
  let mongo: MongoClient;
  let mongoUrl: string;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const url = new URL(MONGODB_URL!);
    url.pathname = `/sluice_schedules_${randomBytes(4).toString('hex')}`;
    mongoUrl = url.toString();
    mongo = await MongoClient.connect(mongoUrl);
    db = await createTestDatabase();
    const env = {
      SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
      SLUICE_AGENDA_MONGODB_URL: mongoUrl,
      SLUICE_SCHEDULE_RECONCILE_MS: '1000',
      SLUICE_ENGINE_STANDBY_WORKERS: '1',
    };
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await mongo?.db().dropDatabase();
    await mongo?.close();
    await db?.drop();
  });

  it('fires every occurrence once, and recreates a job deleted behind its back', async () => {
    const call = <T>(query: string, variables?: Record<string, unknown>) =>
      gqlData<T>(a.url, query, variables, a.token);
    const ws = (await call<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
    const taskId = (
      await call<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name: 'mongo-tick', content: TINY_JOB },
      })
    ).createTask.id;
    const { createSchedule } = await call<{ createSchedule: { id: string } }>(
      'mutation($i: CreateScheduleInput!) { createSchedule(input: $i) { id } }',
      { i: { taskId, cron: '* * * * * *', timezone: 'UTC' } },
    );
    const id = createSchedule.id;
    const jobs = () =>
      mongo.db().collection('agenda_jobs').find({ name: 'sluice-schedule', 'data.scheduleId': id }).toArray();
    expect(await jobs()).toHaveLength(1);

    const seconds = async () =>
      (
        await db.query<{ t: string }>(
          'SELECT extract(epoch FROM scheduled_time)::bigint AS t FROM run WHERE schedule_id = $1 ORDER BY 1',
          [id],
        )
      ).map((r) => Number(r.t));
    await waitFor(async () => (await seconds()).length >= 6, { timeoutMs: 20_000, what: 'six fires' });

    await mongo.db().collection('agenda_jobs').deleteMany({ name: 'sluice-schedule', 'data.scheduleId': id });
    await waitFor(async () => (await jobs()).length === 1, { timeoutMs: 10_000, what: 'the job recreated' });
    await call('mutation($id: ID!) { pauseSchedule(id: $id) { id } }', { id });
    expect(await jobs()).toEqual([]);

    const fired = await seconds();
    expect(new Set(fired).size).toBe(fired.length);
  }, 60_000);
});
