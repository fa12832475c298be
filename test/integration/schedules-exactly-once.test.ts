/**
 * The exactly-once test: two instances (this process and a real server process), 60
 * schedules firing every second for 60 s, and the server process killed (SIGKILL) half way. Every
 * occurrence must have exactly one run, counted from the runs table.
 *
 * Both instances have a run limit of 0: they fire schedules but execute no run (3,600 runs of even a
 * trivial job would take this machine's two cores from the firing being measured; execution is
 * tested elsewhere). The runs stay QUEUED, which is all the count needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';
import { spawnServer, type ServerProcess } from '../support/process.js';

const SCHEDULES = 60;
const SECONDS = 60;
const KILL_AFTER_SECONDS = 30;

const TINY_JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "f", row.num = 1, schema = { fields { id = int } } } }
sink { Console { plugin_input = "f" } }
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedules on two instances, one killed half way', () => {
  let db: TestDatabase;
  let a: TestApp;
  let victim: ServerProcess;

  const env = {
    SLUICE_INSTANCE_RUN_LIMIT: '0',
    SLUICE_HEARTBEAT_INTERVAL_MS: '200',
    SLUICE_INSTANCE_TIMEOUT_MS: '1500',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp({ databaseUrl: db.url, env });
    victim = spawnServer({ DATABASE_URL: db.url, SLUICE_INSTANCE_NAME: 'victim', ...env });
    await victim.ready;
  }, 60_000);

  afterAll(async () => {
    victim?.child.kill('SIGKILL');
    await a?.stop();
    await db?.drop();
  });

  it(`fires ${SCHEDULES} every-second schedules for ${SECONDS} s exactly once per occurrence, losing none when an instance dies`, async () => {
    const call = <T>(query: string, variables?: Record<string, unknown>) =>
      gqlData<T>(a.url, query, variables, a.token);
    const ws = (await call<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
    const taskId = (
      await call<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name: 'every-second', content: TINY_JOB },
      })
    ).createTask.id;
    const ids: string[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const { createSchedule } = await call<{ createSchedule: { id: string } }>(
        'mutation($i: CreateScheduleInput!) { createSchedule(input: $i) { id } }',
        // RUN_ONCE (the default) would drop occurrences if the failover took longer than the misfire threshold.
        { i: { taskId, name: `s${i}`, cron: '* * * * * *', timezone: 'UTC', misfirePolicy: 'RUN_ONCE' } },
      );
      ids.push(createSchedule.id);
    }
    const createdAt = Date.now();
    const [victimRow] = await db.query<{ id: string }>("SELECT id FROM server_instance WHERE name = 'victim'");

    // Which instances lock schedule jobs (Agenda records the locker): both should take part.
    const lockers = new Set<string>();
    while (Date.now() < createdAt + KILL_AFTER_SECONDS * 1000) {
      const rows = await db.query<{ by: string }>(
        "SELECT DISTINCT last_modified_by AS by FROM agenda_jobs WHERE name = 'sluice-schedule'",
      );
      for (const r of rows) if (r.by) lockers.add(r.by);
      await sleep(500);
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();

    await sleep(createdAt + SECONDS * 1000 - Date.now());
    await call('mutation($w: ID!) { pauseWorkspaceSchedules(workspaceId: $w) { id } }', { w: ws });
    const pausedAt = Date.now();
    await sleep(1000); // a fire already under way lands

    // Every whole second from two after the last schedule was created to two before the pause.
    const first = Math.ceil(createdAt / 1000) + 2;
    const last = Math.floor(pausedAt / 1000) - 2;
    const rows = await db.query<{ schedule_id: string; t: string; n: string }>(
      `SELECT schedule_id, extract(epoch FROM scheduled_time)::bigint AS t, count(*) AS n FROM run
        WHERE schedule_id = ANY($1) AND trigger = 'SCHEDULE' GROUP BY 1, 2`,
      [ids],
    );
    const seen = new Map(rows.map((r) => [`${r.schedule_id}@${r.t}`, Number(r.n)]));
    const missing: string[] = [];
    const doubled = rows.filter((r) => Number(r.n) > 1).map((r) => `${r.schedule_id}@${r.t}×${r.n}`);
    for (const id of ids) {
      for (let t = first; t <= last; t++) if (!seen.has(`${id}@${t}`)) missing.push(`${id}@${t}`);
    }
    const expected = ids.length * (last - first + 1);
    expect(last - first + 1).toBeGreaterThanOrEqual(SECONDS - 6);
    expect(doubled, 'occurrences with more than one run').toEqual([]);
    expect(missing.length, `missing occurrences (of ${expected}): ${missing.slice(0, 10).join(', ')}`).toBe(0);
    expect(lockers.has(victimRow!.id), 'the killed instance fired schedules before it died').toBe(true);
    expect(lockers.has(a.app.instanceId), 'this instance fired schedules').toBe(true);
    // Jobs the victim held when it died were fired late by the survivor, within the misfire threshold.
    expect(pausedAt - killedAt).toBeGreaterThan(20_000);
  }, 180_000);
});
