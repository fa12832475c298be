/**
 * Runs under a workspace limit of one, reruns, stored metrics, and a datasource's password kept
 * out of the run log (a pre-hook selects it on purpose).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

const JOB = `
env {
  job.mode = "BATCH"
  read_limit.rows_per_second = \${rate:100000}
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = \${rows:5}
    schema = { fields { name = string, age = int } }
  }
}
sink {
  Console { plugin_input = "fake" }
}
`;

interface RunView {
  id: string;
  status: string;
  trigger: string;
  versionNumber: number;
  paramNames: string[];
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  metrics: { summary: Record<string, unknown> | null; series: { time: string; sample: Record<string, unknown> }[] };
}
const FIELDS =
  'id status trigger versionNumber paramNames startedAt finishedAt error { code message } metrics { summary series { time sample } }';

describe('run limits, reruns, metrics and datasource secrets', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ws: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({
      databaseUrl: db.url,
      env: { SLUICE_SECRET_KEY: randomBytes(32).toString('hex'), SLUICE_WORKSPACE_RUN_LIMIT: '1' },
    });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  const api = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(t.url, query, variables, t.token);

  async function createTask(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (
      await api<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name, content: JOB, ...extra },
      })
    ).createTask.id;
  }

  const start = async (taskId: string, params: Record<string, string> = {}) =>
    (
      await api<{ startRun: RunView }>(`mutation($i: StartRunInput!) { startRun(input: $i) { ${FIELDS} } }`, {
        i: { taskId, params },
      })
    ).startRun;

  const finished = (id: string) =>
    waitFor(
      async () => {
        const { run } = await api<{ run: RunView }>(`query($id: ID!) { run(id: $id) { ${FIELDS} } }`, { id });
        return TERMINAL.includes(run.status) ? run : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  it('keeps a second run of the workspace QUEUED until the first has ended (limit 1)', async () => {
    const [a, b] = [await createTask('first'), await createTask('second')];
    const one = await start(a, { rows: '40', rate: '20' });
    const two = await start(b);
    const [endedOne, endedTwo] = [await finished(one.id), await finished(two.id)];
    expect([endedOne.status, endedTwo.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(Date.parse(endedTwo.startedAt!)).toBeGreaterThanOrEqual(Date.parse(endedOne.finishedAt!));
  }, 40_000);

  it('reruns a run with the same version and parameters, and stores its metrics samples', async () => {
    const taskId = await createTask('metered');
    const first = await finished((await start(taskId, { rows: '300', rate: '100' })).id);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.metrics.summary).toMatchObject({ rowsRead: 300, rowsWritten: 300 });
    expect(first.metrics.series.length).toBeGreaterThanOrEqual(2);
    const rowsSeen = first.metrics.series.map((s) => Number(s.sample.rowsWritten));
    expect(rowsSeen).toEqual([...rowsSeen].sort((x, y) => x - y)); // cumulative, in time order

    await api('mutation($i: UpdateTaskInput!) { updateTask(input: $i) { version } }', {
      i: { id: taskId, description: 'a new version' },
    });
    const { rerunRun } = await api<{ rerunRun: RunView }>(`mutation($id: ID!) { rerunRun(id: $id) { ${FIELDS} } }`, {
      id: first.id,
    });
    expect(rerunRun.id).not.toBe(first.id);
    expect(rerunRun.versionNumber).toBe(first.versionNumber);
    expect(rerunRun.paramNames.sort()).toEqual(['rate', 'rows']);
    expect((await finished(rerunRun.id)).metrics.summary).toMatchObject({ rowsWritten: 300 });
  }, 40_000);

  it("keeps a datasource's password out of the run log", async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const url = new URL(db.url);
    const { createDatasource } = await api<{ createDatasource: { id: string } }>(
      'mutation($i: CreateDatasourceInput!) { createDatasource(input: $i) { id } }',
      {
        i: {
          workspaceId: ws,
          name: 'local-pg',
          type: 'POSTGRESQL',
          options: {
            host: url.hostname,
            port: Number(url.port || 5432),
            database: db.name,
            user: 'postgres',
            password,
          },
        },
      },
    );
    expect(createDatasource.id).toBeTruthy();
    const taskId = await createTask('leaky-hook', {
      preHooks: [{ kind: 'SQL', datasource: 'local-pg', sql: `SELECT '${password}' AS leaked` }],
    });
    const run = await finished((await start(taskId)).id);
    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    const { run: withLogs } = await api<{ run: { logs: { origin: string; message: string }[] } }>(
      'query($id: ID!) { run(id: $id) { logs(limit: 10000) { origin message } } }',
      { id: run.id },
    );
    const text = withLogs.logs.map((l) => l.message).join('\n');
    expect(withLogs.logs.some((l) => l.origin === 'HOOK')).toBe(true);
    expect(text).not.toContain(password);
    const stored = await db.query<{ n: string }>(
      "SELECT count(*) AS n FROM run_log WHERE message LIKE '%' || $1 || '%'",
      [password],
    );
    expect(Number(stored[0]!.n)).toBe(0);
  }, 40_000);
});
