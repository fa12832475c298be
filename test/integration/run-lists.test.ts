/**
 * What the dashboard's task and run lists read: each task's last run (batched), the task filter by
 * mode, and the run filters (trigger, creation time, task name). Runs with made-up histories are inserted as rows (ended ones, which the
 * executor leaves alone); one run is started and executed for real.
 */
import { randomUUID } from 'node:crypto';
import { PostgreSqlConnection } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData, login } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const job = (mode = 'BATCH') => `
env { job.mode = "${mode}" }
source { FakeSource { plugin_output = "f", row.num = 3, schema = { fields { id = int } } } }
sink { Console { plugin_input = "f" } }
`;

interface RunRow {
  id?: string;
  taskId: string;
  status?: string;
  trigger?: string;
  attempt?: number;
  firstRunId?: string | null;
  /** Minutes before now. */
  minutesAgo: number;
}

describe('task and run lists', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ws: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_ENGINE_STANDBY_WORKERS: '1' } });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
  });

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  const admin = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(t.url, query, variables, t.token);

  async function createTask(name: string, mode = 'BATCH'): Promise<string> {
    const data = await admin<{ createTask: { id: string } }>(
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      { i: { workspaceId: ws, name, content: job(mode) } },
    );
    return data.createTask.id;
  }

  /** A factory: an ended run of a task's current version, persisted as the executor would leave it. */
  async function insertRun(row: RunRow): Promise<string> {
    const id = row.id ?? randomUUID();
    const at = new Date(Date.now() - row.minutesAgo * 60_000);
    await db.query(
      `INSERT INTO run (id, workspace_id, task_id, task_version_id, version_number, first_run_id, attempt, trigger,
         triggered_by_label, status, queued_at, started_at, finished_at, created_at, updated_at)
       SELECT $1, t.workspace_id, t.id, v.id, v.number, $3, $4, $5, 'factory', $6, $7, $7, $7, $7, $7
         FROM task t JOIN task_version v ON v.task_id = t.id AND v.number = t.version
        WHERE t.id = $2`,
      [
        id,
        row.taskId,
        row.firstRunId ?? null,
        row.attempt ?? 1,
        row.trigger ?? 'MANUAL',
        row.status ?? 'SUCCEEDED',
        at,
      ],
    );
    return id;
  }

  it("shows each task's newest run, retries included, and null for a task never run", async () => {
    const retried = await createTask('last-run-retried');
    const ran = await createTask('last-run-real');
    const never = await createTask('last-run-never');
    await insertRun({ taskId: retried, minutesAgo: 300, status: 'SUCCEEDED' });
    const first = await insertRun({ taskId: retried, minutesAgo: 120, status: 'FAILED' });
    const retry = await insertRun({
      taskId: retried,
      minutesAgo: 100,
      status: 'FAILED',
      trigger: 'RETRY',
      attempt: 2,
      firstRunId: first,
    });
    const started = (
      await admin<{ startRun: { id: string } }>('mutation($t: ID!) { startRun(input: { taskId: $t }) { id } }', {
        t: ran,
      })
    ).startRun.id;
    await waitFor(
      async () =>
        (await admin<{ run: { status: string } }>('query($id: ID!) { run(id: $id) { status } }', { id: started })).run
          .status === 'SUCCEEDED',
      { timeoutMs: 30_000, what: 'the real run to succeed' },
    );

    const { tasks } = await admin<{
      tasks: { items: { id: string; lastRun: { id: string; status: string; attempt: number } | null }[] };
    }>(
      'query($w: ID!) { tasks(workspaceId: $w, filter: { search: "last-run-" }) { items { id lastRun { id status attempt } } } }',
      { w: ws },
    );
    const lastRunOf = (id: string) => tasks.items.find((task) => task.id === id)?.lastRun;
    expect(lastRunOf(retried)).toEqual({ id: retry, status: 'FAILED', attempt: 2 });
    expect(lastRunOf(ran)).toEqual({ id: started, status: 'SUCCEEDED', attempt: 1 });
    expect(lastRunOf(never)).toBeNull();

    // A single task reads it too.
    const { task } = await admin<{ task: { lastRun: { id: string } | null } }>(
      'query($id: ID!) { task(id: $id) { lastRun { id } } }',
      { id: retried },
    );
    expect(task.lastRun).toEqual({ id: retry });
  });

  it("loads a page of 50 tasks' last runs with one query", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(await createTask(`page-${String(i).padStart(2, '0')}`));
    const expected = new Map<string, string>();
    for (const [i, id] of ids.entries()) {
      if (i % 5 === 0) continue; // some never ran
      await insertRun({ taskId: id, minutesAgo: 50 + i });
      expected.set(id, await insertRun({ taskId: id, minutesAgo: i, status: i % 2 ? 'FAILED' : 'SUCCEEDED' }));
    }

    // Counts the statements the app's ORM sends that read the run table.
    const query = vi.spyOn(PostgreSqlConnection.prototype, 'execute');
    try {
      const { tasks } = await admin<{ tasks: { items: { id: string; lastRun: { id: string } | null }[] } }>(
        'query($w: ID!) { tasks(workspaceId: $w, filter: { search: "page-" }, page: { limit: 50 }) { items { id lastRun { id } } } }',
        { w: ws },
      );
      expect(tasks.items).toHaveLength(50);
      for (const item of tasks.items) expect(item.lastRun?.id ?? null).toBe(expected.get(item.id) ?? null);
      const statements = query.mock.calls.map(([q]: unknown[]) =>
        typeof q === 'string' ? q : ((q as { sql?: string }).sql ?? ''),
      );
      expect(statements.some((text) => /from "task"/i.test(text))).toBe(true); // the spy sees the app's queries
      const runReads = statements.filter((text) => /\b(from|join)\s+"?run"?\s/i.test(text) || /lateral/i.test(text));
      expect(runReads).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('filters runs by trigger, creation time and task name, newest first, and combines the filters', async () => {
    const orders = await createTask('Filter-Orders_daily');
    const customers = await createTask('filter-customers');
    const runs = {
      ordersManual: await insertRun({ taskId: orders, minutesAgo: 10, trigger: 'MANUAL' }),
      ordersSchedule: await insertRun({ taskId: orders, minutesAgo: 70, trigger: 'SCHEDULE' }),
      ordersRetry: await insertRun({ taskId: orders, minutesAgo: 65, trigger: 'RETRY', status: 'FAILED', attempt: 2 }),
      customersApi: await insertRun({ taskId: customers, minutesAgo: 30, trigger: 'API' }),
      customersOld: await insertRun({ taskId: customers, minutesAgo: 60 * 24 * 3, trigger: 'SCHEDULE' }),
    };
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const list = async (filter: Record<string, unknown>) => {
      const { runs: page } = await admin<{ runs: { total: number; items: { id: string }[] } }>(
        'query($f: RunFilter) { runs(filter: $f) { total items { id } } }',
        { f: { workspaceId: ws, ...filter } },
      );
      expect(page.total).toBe(page.items.length);
      return page.items.map((r) => r.id);
    };

    expect(await list({ search: 'FILTER-' })).toEqual([
      runs.ordersManual,
      runs.customersApi,
      runs.ordersRetry,
      runs.ordersSchedule,
      runs.customersOld,
    ]);
    // Case-insensitive, and LIKE's wildcards are plain characters: "_" matches only "_".
    expect(await list({ search: 'orders_DAILY' })).toEqual([runs.ordersManual, runs.ordersRetry, runs.ordersSchedule]);
    expect(await list({ search: 'orders%daily' })).toEqual([]);
    expect(await list({ search: 'no task is called this' })).toEqual([]);

    expect(await list({ search: 'filter-', trigger: ['SCHEDULE', 'RETRY'] })).toEqual([
      runs.ordersRetry,
      runs.ordersSchedule,
      runs.customersOld,
    ]);
    expect(await list({ search: 'filter-', createdAfter: ago(66) })).toEqual([
      runs.ordersManual,
      runs.customersApi,
      runs.ordersRetry,
    ]);
    expect(await list({ search: 'filter-', createdAfter: ago(24 * 60), createdBefore: ago(20) })).toEqual([
      runs.customersApi,
      runs.ordersRetry,
      runs.ordersSchedule,
    ]);
    expect(
      await list({ search: 'filter-', trigger: ['SCHEDULE'], createdBefore: ago(60), firstAttemptsOnly: true }),
    ).toEqual([runs.ordersSchedule, runs.customersOld]);
    expect(await list({ search: 'customers', taskId: orders })).toEqual([]);
    expect(await list({ search: 'orders', taskId: orders, trigger: ['MANUAL'] })).toEqual([runs.ordersManual]);
  });

  it("searches only the caller's workspaces", async () => {
    const { createWorkspace } = await admin<{ createWorkspace: { id: string } }>(
      'mutation { createWorkspace(input: { name: "Other team" }) { id } }',
    );
    const theirs = (
      await admin<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: createWorkspace.id, name: 'secret-project-sync', content: job() },
      })
    ).createTask.id;
    const ours = await createTask('secret-project-mirror');
    const theirRun = await insertRun({ taskId: theirs, minutesAgo: 1 });
    const ourRun = await insertRun({ taskId: ours, minutesAgo: 2 });
    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: { workspaceId: ws, email: 'reader@sluice.test', role: 'VIEWER', password: 'reader-password-1' },
    });
    const reader = await login(t.url, 'reader@sluice.test', 'reader-password-1');
    const search = async (token: string) =>
      (
        await gqlData<{ runs: { items: { id: string }[] } }>(
          t.url,
          '{ runs(filter: { search: "secret-project" }) { items { id } } }',
          undefined,
          token,
        )
      ).runs.items.map((r) => r.id);
    expect(await search(reader)).toEqual([ourRun]);
    expect(await search(t.token)).toEqual([theirRun, ourRun]);
  });

  it('filters tasks by mode', async () => {
    const streaming = await createTask('mode-streaming', 'STREAMING');
    const batch = await createTask('mode-batch');
    const ofMode = async (mode: string) =>
      (
        await admin<{ tasks: { items: { id: string; mode: string }[] } }>(
          'query($w: ID!, $m: TaskMode) { tasks(workspaceId: $w, filter: { mode: $m, search: "mode-" }) { items { id mode } } }',
          { w: ws, m: mode },
        )
      ).tasks.items;
    expect(await ofMode('STREAMING')).toEqual([{ id: streaming, mode: 'STREAMING' }]);
    expect(await ofMode('BATCH')).toEqual([{ id: batch, mode: 'BATCH' }]);
  });
});
