/**
 * Runs end to end on two app instances sharing one database: dispatch through Agenda, live logs
 * over a socket on the other instance, cancel, timeout, retries with backoff, concurrency
 * policies, hooks, redaction and permissions.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gql, gqlData, login, type SocketClient } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const RUN_FIELDS = `id status attempt trigger firstRunId instanceId queuedAt startedAt finishedAt notBefore
  error { code message } metrics { summary }`;

interface RunView {
  id: string;
  status: string;
  attempt: number;
  trigger: string;
  firstRunId: string | null;
  instanceId: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  notBefore: string | null;
  error: { code: string; message: string } | null;
  metrics: { summary: Record<string, unknown> | null };
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

/** A FakeSource job printing its rows; `${rows}` rows at `${rate}` rows per second. */
const FAKE_JOB = (extra = '') => `
env {
  job.mode = "BATCH"
  parallelism = 1
  read_limit.rows_per_second = \${rate:100000}
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = \${rows:5}
    schema = { fields { name = string, age = int } }
    ${extra}
  }
}
sink {
  Console { plugin_input = "fake" }
}
`;

/** A job whose Assert sink fails (it wants more rows than the source makes). */
const FAILING_JOB = `
env { job.mode = "BATCH" }
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 3
    schema = { fields { name = string } }
  }
}
sink {
  Assert {
    plugin_input = "fake"
    rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 10 } ] }
  }
}
`;

describe('runs on two instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let ws: string;
  let socket: SocketClient;
  let hookServer: http.Server;
  let hookUrl: string;
  const hookCalls: { path: string; body: string }[] = [];

  const env = {
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_RUN_LEASE_MS: '3000',
    SLUICE_CANCEL_GRACE_MS: '3000',
    SLUICE_ENGINE_STANDBY_WORKERS: '1',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(a.url, '{ workspaces { id } }', undefined, a.token))
      .workspaces[0]!.id;
    socket = await connectSocket(a.url, a.token);
    hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hookCalls.push({ path: req.url ?? '', body });
        res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
        res.end(req.url?.startsWith('/fail') ? 'nope' : 'ok');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await socket?.dispose();
    await b?.stop();
    await a?.stop();
    await new Promise((r) => hookServer?.close(r));
    await db?.drop();
  });

  async function createTask(name: string, content: string, extra: Record<string, unknown> = {}): Promise<string> {
    const data = await gqlData<{ createTask: { id: string } }>(
      a.url,
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      { i: { workspaceId: ws, name, content, ...extra } },
      a.token,
    );
    return data.createTask.id;
  }

  async function startRun(taskId: string, params: Record<string, string> = {}, url = a.url): Promise<RunView> {
    const data = await gqlData<{ startRun: RunView }>(
      url,
      `mutation($i: StartRunInput!) { startRun(input: $i) { ${RUN_FIELDS} } }`,
      { i: { taskId, params } },
      url === a.url ? a.token : b.token,
    );
    return data.startRun;
  }

  async function getRun(id: string): Promise<RunView> {
    return (
      await gqlData<{ run: RunView }>(a.url, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id }, a.token)
    ).run;
  }

  async function logsOf(id: string): Promise<{ seq: number; level: string; origin: string; message: string }[]> {
    return (
      await gqlData<{ run: { logs: { seq: number; level: string; origin: string; message: string }[] } }>(
        a.url,
        'query($id: ID!) { run(id: $id) { logs(limit: 10000) { seq level origin message } } }',
        { id },
        a.token,
      )
    ).run.logs;
  }

  const finished = (id: string, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const run = await getRun(id);
        return TERMINAL.includes(run.status) ? run : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `run ${id} to end` },
    );

  it('runs a task started on A, and a socket on A receives every log line in order, once', async () => {
    const taskId = await createTask('fake-to-console', FAKE_JOB());
    const run = await startRun(taskId, { rows: '2000' });
    expect(run.status).toBe('QUEUED');
    const logs = socket.subscribe<{ runLogAppended: { lines: { seq: number; message: string }[]; lastSeq: number } }>(
      'subscription($id: ID!) { runLogAppended(runId: $id, afterSeq: 0) { lines { seq message } lastSeq } }',
      { id: run.id },
    );
    const ended = await finished(run.id);
    expect(ended.status, JSON.stringify(ended.error)).toBe('SUCCEEDED');
    expect([a.app.instanceId, b.app.instanceId]).toContain(ended.instanceId);
    expect(ended.metrics.summary).toMatchObject({ rowsRead: 2000, rowsWritten: 2000 });
    const stored = await logsOf(run.id);
    expect(stored.length).toBeGreaterThan(2000); // every printed row, plus the engine's and Sluice's lines
    expect(stored.map((l) => l.seq)).toEqual(stored.map((_, i) => i + 1));
    const received: number[] = [];
    while (received.length < stored.length) {
      const event = await logs.next(10_000);
      received.push(...event.runLogAppended.lines.map((l) => l.seq));
    }
    logs.close();
    expect(received).toEqual(stored.map((l) => l.seq));
  }, 60_000);

  it('a subscriber joining late with afterSeq gets exactly the lines after it', async () => {
    const taskId = await createTask('late-joiner', FAKE_JOB());
    const run = await startRun(taskId, { rows: '50' });
    await finished(run.id);
    const stored = await logsOf(run.id);
    const late = socket.subscribe<{ runLogAppended: { lines: { seq: number }[] } }>(
      'subscription($id: ID!) { runLogAppended(runId: $id, afterSeq: 10) { lines { seq } } }',
      { id: run.id },
    );
    const got: number[] = [];
    while (got.length < stored.length - 10) got.push(...(await late.next()).runLogAppended.lines.map((l) => l.seq));
    late.close();
    expect(got).toEqual(stored.slice(10).map((l) => l.seq));
  }, 30_000);

  it('tells runUpdated subscribers on A about a run executed anywhere, through to its end', async () => {
    const taskId = await createTask('watched', FAKE_JOB());
    const updates = socket.subscribe<{ runUpdated: { id: string; status: string } }>(
      'subscription($f: RunUpdatedFilter!) { runUpdated(filter: $f) { id status } }',
      { f: { taskId } },
    );
    const run = await startRun(taskId, {}, b.url);
    const seen: string[] = [];
    while (!seen.includes('SUCCEEDED')) {
      const event = await updates.next(20_000);
      expect(event.runUpdated.id).toBe(run.id);
      seen.push(event.runUpdated.status);
    }
    updates.close();
    expect(seen).toContain('RUNNING');
  }, 30_000);

  it('cancels a queued run at once and a running one gracefully', async () => {
    const taskId = await createTask('slow', FAKE_JOB());
    const run = await startRun(taskId, { rows: '100000', rate: '20' });
    await waitFor(async () => (await getRun(run.id)).status === 'RUNNING', { timeoutMs: 15_000 });
    const cancel = await gqlData<{ cancelRun: RunView }>(
      b.url,
      `mutation($id: ID!) { cancelRun(id: $id) { ${RUN_FIELDS} } }`,
      { id: run.id },
      b.token,
    );
    expect(['CANCELLING', 'CANCELLED']).toContain(cancel.cancelRun.status);
    const ended = await finished(run.id, 20_000);
    expect(ended.status).toBe('CANCELLED');
    expect(ended.error?.code).toBe('CANCELLED');
    expect((await logsOf(run.id)).some((l) => l.origin === 'SYSTEM' && /cancel requested/.test(l.message))).toBe(true);
    const again = await gql(a.url, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: run.id }, a.token);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 40_000);

  it('ends a run that takes too long as TIMED_OUT', async () => {
    const taskId = await createTask('too-slow', FAKE_JOB(), { runPolicy: { timeoutSeconds: 2 } });
    const run = await startRun(taskId, { rows: '100000', rate: '20' });
    const ended = await finished(run.id, 20_000);
    expect(ended.status).toBe('TIMED_OUT');
    expect(ended.error?.code).toBe('TIMED_OUT');
    const took = Date.parse(ended.finishedAt!) - Date.parse(ended.startedAt!);
    expect(took).toBeGreaterThanOrEqual(2000);
  }, 30_000);

  it('retries a failed run with exponential backoff, each attempt its own run with its own logs', async () => {
    const taskId = await createTask('flaky', FAILING_JOB, {
      runPolicy: { maxRetries: 2, retryBackoffSeconds: 1 },
    });
    const first = await startRun(taskId);
    const chain = await waitFor(
      async () => {
        const data = await gqlData<{ run: { attempts: RunView[] } }>(
          a.url,
          `query($id: ID!) { run(id: $id) { attempts { ${RUN_FIELDS} } } }`,
          { id: first.id },
          a.token,
        );
        const attempts = data.run.attempts;
        return attempts.length === 3 && attempts.every((r) => TERMINAL.includes(r.status)) ? attempts : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200, what: 'three attempts' },
    );
    expect(chain.map((r) => [r.attempt, r.status, r.error?.code])).toEqual([
      [1, 'FAILED', 'ASSERTION_FAILED'],
      [2, 'FAILED', 'ASSERTION_FAILED'],
      [3, 'FAILED', 'ASSERTION_FAILED'],
    ]);
    expect(chain.slice(1).map((r) => [r.trigger, r.firstRunId])).toEqual([
      ['RETRY', first.id],
      ['RETRY', first.id],
    ]);
    // Backoff: 1 s before the second attempt, 2 s before the third.
    expect(Date.parse(chain[1]!.startedAt!) - Date.parse(chain[0]!.finishedAt!)).toBeGreaterThanOrEqual(900);
    expect(Date.parse(chain[2]!.startedAt!) - Date.parse(chain[1]!.finishedAt!)).toBeGreaterThanOrEqual(1900);
    for (const attempt of chain) {
      const lines = await logsOf(attempt.id);
      expect(lines[0]!.message).toMatch(new RegExp(`^attempt ${attempt.attempt} `));
    }
  }, 60_000);

  it('SKIP_IF_RUNNING refuses a second run; QUEUE starts it when the first has ended', async () => {
    const skip = await createTask('skipper', FAKE_JOB(), { runPolicy: { concurrency: 'SKIP_IF_RUNNING' } });
    const first = await startRun(skip, { rows: '100000', rate: '50' });
    const refused = await gql(
      a.url,
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId: skip, params: {} } },
      a.token,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toMatch(/SKIP_IF_RUNNING/);
    await gqlData(a.url, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: first.id }, a.token);

    const queue = await createTask('queuer', FAKE_JOB(), { runPolicy: { concurrency: 'QUEUE' } });
    const one = await startRun(queue, { rows: '40', rate: '20' });
    const two = await startRun(queue, { rows: '5' });
    const [endedOne, endedTwo] = [await finished(one.id), await finished(two.id)];
    expect([endedOne.status, endedTwo.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(Date.parse(endedTwo.startedAt!)).toBeGreaterThanOrEqual(Date.parse(endedOne.finishedAt!));
  }, 60_000);

  it('runs pre-hooks before and post-hooks after the engine; a failing pre-hook fails the run first', async () => {
    const hooked = await createTask('hooked', FAKE_JOB(), {
      preHooks: [{ kind: 'HTTP', url: `${hookUrl}/pre`, body: '{"step":"pre"}' }],
      postHooks: [{ kind: 'HTTP', url: `${hookUrl}/post`, body: '{"step":"post"}' }],
    });
    const run = await startRun(hooked);
    expect((await finished(run.id)).status).toBe('SUCCEEDED');
    const lines = await logsOf(run.id);
    const firstHook = lines.findIndex((l) => l.origin === 'HOOK');
    const firstEngine = lines.findIndex((l) => l.origin === 'ENGINE');
    const lastHook = lines.map((l) => l.origin).lastIndexOf('HOOK');
    expect(firstHook).toBeGreaterThan(-1);
    expect(firstHook).toBeLessThan(firstEngine);
    expect(lastHook).toBeGreaterThan(lines.map((l) => l.origin).lastIndexOf('ENGINE'));
    expect(hookCalls.map((c) => c.path)).toEqual(['/pre', '/post']);

    const broken = await createTask('broken-hook', FAKE_JOB(), {
      preHooks: [{ kind: 'HTTP', url: `${hookUrl}/fail` }],
    });
    const failed = await finished((await startRun(broken)).id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.code).toBe('HOOK_FAILED');
    expect((await logsOf(failed.id)).some((l) => l.origin === 'ENGINE')).toBe(false);
  }, 40_000);

  it('never stores a secret parameter: the log shows ****** where the job printed it', async () => {
    const secretive = await createTask(
      'secretive',
      FAKE_JOB('string.fake.mode = "template", string.template = ["${token}"]'),
      {
        variables: [{ name: 'token', secret: true }],
      },
    );
    const run = await startRun(secretive, { token: 'hunter2-very-secret' });
    expect((await finished(run.id)).status).toBe('SUCCEEDED');
    const text = (await logsOf(run.id)).map((l) => l.message).join('\n');
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).toContain('******');
    const download = await fetch(`${a.url}/runs/${run.id}/log`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(download.status).toBe(200);
    const body = await download.text();
    expect(body).toContain('******');
    expect(body).not.toContain('hunter2-very-secret');
    expect((await fetch(`${a.url}/runs/${run.id}/log`)).status).toBe(401);
  }, 30_000);

  it('lets a VIEWER read runs but not start or cancel them', async () => {
    await gqlData(
      a.url,
      'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
      { i: { workspaceId: ws, email: 'viewer@sluice.test', role: 'VIEWER', password: 'viewer-password-123' } },
      a.token,
    );
    const viewer = await login(a.url, 'viewer@sluice.test', 'viewer-password-123');
    const taskId = await createTask('viewed', FAKE_JOB());
    const run = await startRun(taskId);
    const read = await gql(a.url, 'query($id: ID!) { run(id: $id) { id status } }', { id: run.id }, viewer);
    expect(read.errors).toBeUndefined();
    const start = await gql(
      a.url,
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId, params: {} } },
      viewer,
    );
    expect(start.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const cancel = await gql(a.url, 'mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: run.id }, viewer);
    expect(cancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }, 30_000);

  it('refuses unknown parameters and missing values, naming them', async () => {
    const taskId = await createTask(
      'needs-day',
      FAKE_JOB('string.fake.mode = "template", string.template = ["${day}"]'),
    );
    const unknown = await gql(
      a.url,
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId, params: { nope: '1' } } },
      a.token,
    );
    expect(unknown.errors?.[0]?.message).toMatch(/"nope" is not a variable/);
    const missing = await gql(
      a.url,
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId, params: {} } },
      a.token,
    );
    expect(missing.errors?.[0]?.message).toMatch(/no value for \$\{day\}/);
  });
});
