/**
 * Time-based alarm conditions, checked by the periodic sweep, on two app instances sharing one
 * database and a local webhook receiver: both instances tick every few hundred milliseconds, yet
 * one sweeps at a time, so an alarm is raised once and notified once; it resolves when the
 * condition clears (the long run ends, a run succeeds).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

/** Fails (the Assert sink wants more rows than it gets) unless run with `min` ≤ 3. */
const JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 3, schema = { fields { name = string } } } }
sink { Assert { plugin_input = "fake", rules { row_rules = [ { rule_type = MIN_ROW, rule_value = \${min:10} } ] } } }
`;

/** Prints `rows` rows at `rate` rows per second: a run that lasts. */
const SLOW_JOB = (rows: number, rate: number) => `
env {
  job.mode = "BATCH"
  read_limit.rows_per_second = ${rate}
}
source {
  FakeSource {
    row.num = ${rows}
    schema = { fields { name = string, age = int } }
  }
}
sink {
  Console {}
}
`;

const ALARM = 'id ruleId taskId status count title notifications { kind status }';

interface AlarmView {
  id: string;
  ruleId: string;
  taskId: string | null;
  status: string;
  count: number;
  title: string;
  notifications: { kind: string; status: string }[];
}

async function receiver() {
  const calls: { body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    /** The kinds of the calls about these alarms, in order. */
    about: (alarmIds: string[]) =>
      calls
        .map((c) => JSON.parse(c.body) as { alarmId: string; kind: string })
        .filter((c) => alarmIds.includes(c.alarmId))
        .map((c) => c.kind),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the alarm sweep on two instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let ws: string;
  let channelId: string;

  const env = {
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_ENGINE_STANDBY_WORKERS: '1',
    SLUICE_ALARM_RETRY_BASE_SECONDS: '1',
    SLUICE_ALARM_DELIVERY_INTERVAL_MS: '200',
    SLUICE_ALARM_SWEEP_INTERVAL_MS: '300',
  };

  const admin = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(a.url, query, variables, a.token);

  beforeAll(async () => {
    db = await createTestDatabase();
    hook = await receiver();
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
    ws = (await admin<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
    channelId = (
      await admin<{ createAlarmChannel: { id: string } }>(
        'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
        { i: { workspaceId: ws, name: 'ops hook', type: 'WEBHOOK', config: { url: hook.url } } },
      )
    ).createAlarmChannel.id;
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
    await hook?.stop();
  });

  async function createTask(name: string, content = JOB): Promise<string> {
    return (
      await admin<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name, content, tags: [] },
      })
    ).createTask.id;
  }

  const runStatus = async (id: string) =>
    (await admin<{ run: { status: string } }>('query($id: ID!) { run(id: $id) { status } }', { id })).run.status;

  async function startRun(taskId: string, params: Record<string, string> = {}): Promise<string> {
    return (
      await admin<{ startRun: { id: string } }>('mutation($i: StartRunInput!) { startRun(input: $i) { id } }', {
        i: { taskId, params },
      })
    ).startRun.id;
  }

  /** Runs the task to a success. */
  async function succeed(taskId: string): Promise<string> {
    const id = await startRun(taskId, { min: '1' });
    const status = await waitFor(
      async () => {
        const s = await runStatus(id);
        return ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED'].includes(s) ? s : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the run to end' },
    );
    expect(status).toBe('SUCCEEDED');
    return id;
  }

  async function createRule(input: Record<string, unknown>): Promise<string> {
    return (
      await admin<{ createAlarmRule: { id: string } }>(
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        { i: { workspaceId: ws, severity: 'WARNING', channelIds: [channelId], ...input } },
      )
    ).createAlarmRule.id;
  }

  const alarmsOf = async (ruleId: string) =>
    (
      await admin<{ alarms: { items: AlarmView[] } }>(
        `query($w: ID!) { alarms(workspaceId: $w, limit: 500) { items { ${ALARM} } } }`,
        { w: ws },
      )
    ).alarms.items.filter((x) => x.ruleId === ruleId);

  /** Waits until the rule has one alarm, in `status`, with `n` notifications, none PENDING. */
  const settled = (ruleId: string, status: string, n: number, what: string) =>
    waitFor(
      async () => {
        const all = await alarmsOf(ruleId);
        const [x] = all;
        return all.length === 1 &&
          x!.status === status &&
          x!.notifications.length === n &&
          x!.notifications.every((y) => y.status !== 'PENDING')
          ? x
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what },
    );

  it('refuses a time-based rule without a valid durationSeconds, and a duration on other conditions, naming the field', async () => {
    const tries: Record<string, unknown>[] = [
      { condition: 'RUN_LONGER_THAN' },
      { condition: 'RUN_LONGER_THAN', durationSeconds: 0 },
      { condition: 'NO_SUCCESS_WITHIN', durationSeconds: -5 },
      { condition: 'NO_SUCCESS_WITHIN', durationSeconds: 40_000_000 },
      { condition: 'RUN_FAILED', durationSeconds: 60 },
    ];
    const pendingTries: Record<string, unknown>[] = [
      { condition: 'RUN_FAILED', pendingSeconds: 10 },
      { condition: 'INSTANCE_DOWN', pendingSeconds: 0 },
      { condition: 'NO_SUCCESS_WITHIN', durationSeconds: 60, pendingSeconds: 100_000 },
    ];
    for (const [input, field] of [
      ...tries.map((t) => [t, 'durationSeconds'] as const),
      ...pendingTries.map((t) => [t, 'pendingSeconds'] as const),
    ]) {
      const res = await gql(
        a.url,
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        { i: { workspaceId: ws, name: 'bad', severity: 'WARNING', ...input } },
        a.token,
      );
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await db.query('SELECT id FROM alarm_rule')).toEqual([]);

    // Switching a rule to a condition without a duration drops it; to a timed one needs one.
    const id = await createRule({ name: 'switching', condition: 'NO_SUCCESS_WITHIN', durationSeconds: 600 });
    const { updateAlarmRule } = await admin<{ updateAlarmRule: { condition: string; durationSeconds: number | null } }>(
      'mutation($i: UpdateAlarmRuleInput!) { updateAlarmRule(input: $i) { condition durationSeconds } }',
      { i: { id, condition: 'RUN_LONGER_THAN' } },
    );
    expect(updateAlarmRule).toEqual({ condition: 'RUN_LONGER_THAN', durationSeconds: 600 });
    const dropped = await admin<{ updateAlarmRule: { durationSeconds: number | null } }>(
      'mutation($i: UpdateAlarmRuleInput!) { updateAlarmRule(input: $i) { durationSeconds } }',
      { i: { id, condition: 'RUN_FAILED' } },
    );
    expect(dropped.updateAlarmRule.durationSeconds).toBeNull();
    await admin('mutation($id: ID!) { deleteAlarmRule(id: $id) }', { id });
  });

  it('raises one RUN_LONGER_THAN alarm with one notification while a run lasts, and resolves it once the run is cancelled', async () => {
    const taskId = await createTask('slow-sync', SLOW_JOB(2000, 20));
    const ruleId = await createRule({
      name: 'too long',
      condition: 'RUN_LONGER_THAN',
      durationSeconds: 2,
      taskIds: [taskId],
    });
    const runId = await startRun(taskId);
    await waitFor(async () => (await runStatus(runId)) === 'RUNNING', { timeoutMs: 30_000, what: 'the run to start' });
    expect(await alarmsOf(ruleId)).toEqual([]); // not yet 2 s

    const firing = await settled(ruleId, 'FIRING', 1, 'the FIRING notification');
    expect(firing).toMatchObject({ taskId, title: 'Task slow-sync has been running longer than 2 s' });
    expect(firing.notifications).toEqual([{ kind: 'FIRING', status: 'SENT' }]);
    // Both instances keep ticking: later rounds count sightings, nothing more is raised or sent.
    await sleep(1500);
    const still = await alarmsOf(ruleId);
    expect(still).toHaveLength(1);
    expect(still[0]!.count).toBeGreaterThan(1);
    expect(still[0]!.notifications).toHaveLength(1);
    expect(hook.about([firing.id])).toEqual(['FIRING']);

    await admin('mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: runId });
    await waitFor(async () => (await runStatus(runId)) === 'CANCELLED', { timeoutMs: 30_000, what: 'the cancel' });
    const resolved = await settled(ruleId, 'RESOLVED', 2, 'the RESOLVED notification');
    expect(resolved.notifications.map((n) => [n.kind, n.status])).toEqual([
      ['FIRING', 'SENT'],
      ['RESOLVED', 'SENT'],
    ]);
    await sleep(500);
    expect(hook.about([firing.id])).toEqual(['FIRING', 'RESOLVED']);
    expect(await alarmsOf(ruleId)).toHaveLength(1);
  });

  it('raises NO_SUCCESS_WITHIN once the last success is older than the duration, and resolves it on the next success', async () => {
    const taskId = await createTask('fresh-orders');
    const ruleId = await createRule({
      name: 'orders freshness',
      condition: 'NO_SUCCESS_WITHIN',
      durationSeconds: 3600,
      taskIds: [taskId],
    });
    await succeed(taskId);
    await sleep(1000); // rounds of both instances: fresh, nothing raised
    expect(await alarmsOf(ruleId)).toEqual([]);

    await db.query(
      `UPDATE run SET started_at = now() - interval '2 hours', finished_at = now() - interval '2 hours'
        WHERE task_id = $1`,
      [taskId],
    );
    const firing = await settled(ruleId, 'FIRING', 1, 'the FIRING notification');
    expect(firing.title).toBe('Task fresh-orders has not succeeded within 1 h');
    await sleep(1000);
    expect(await alarmsOf(ruleId)).toHaveLength(1);
    expect(hook.about([firing.id])).toEqual(['FIRING']);

    await succeed(taskId);
    const resolved = await settled(ruleId, 'RESOLVED', 2, 'the RESOLVED notification');
    expect(resolved.notifications.map((n) => n.kind)).toEqual(['FIRING', 'RESOLVED']);
    await sleep(1000); // the sweep does not raise it again: the success is fresh
    expect(await alarmsOf(ruleId)).toHaveLength(1);
    expect(hook.about([firing.id])).toEqual(['FIRING', 'RESOLVED']);
  });

  it('raises NO_SUCCESS_WITHIN for a task that never succeeded once it is older than the duration', async () => {
    const taskId = await createTask('never-ran');
    const ruleId = await createRule({
      name: 'never ran',
      condition: 'NO_SUCCESS_WITHIN',
      durationSeconds: 600,
      taskIds: [taskId],
    });
    await sleep(1000);
    expect(await alarmsOf(ruleId)).toEqual([]);
    await db.query(`UPDATE task SET created_at = now() - interval '1 hour' WHERE id = $1`, [taskId]);
    const firing = await settled(ruleId, 'FIRING', 1, 'the FIRING notification');
    expect(firing.title).toBe('Task never-ran has not succeeded within 10 min');
    expect(hook.about([firing.id])).toEqual(['FIRING']);
  });

  it('fires a rule with pendingSeconds only once its condition has held that long', async () => {
    const taskId = await createTask('patient');
    const ruleId = await createRule({
      name: 'patient freshness',
      condition: 'NO_SUCCESS_WITHIN',
      durationSeconds: 600,
      pendingSeconds: 2,
      taskIds: [taskId],
    });
    await db.query(`UPDATE task SET created_at = now() - interval '1 hour' WHERE id = $1`, [taskId]);
    const from = Date.now();
    await sleep(1000); // holding for a second: pending, not firing
    expect(await alarmsOf(ruleId)).toEqual([]);
    expect(await db.query('SELECT fingerprint FROM alarm_pending WHERE rule_id = $1', [ruleId])).toEqual([
      { fingerprint: `${ruleId}:${taskId}` },
    ]);
    const firing = await settled(ruleId, 'FIRING', 1, 'the FIRING notification');
    expect(Date.now() - from).toBeGreaterThanOrEqual(2000);
    expect(hook.about([firing.id])).toEqual(['FIRING']);

    await succeed(taskId);
    await settled(ruleId, 'RESOLVED', 2, 'the RESOLVED notification');
    // The condition cleared: the sweep forgets when it first held.
    await waitFor(
      async () => (await db.query('SELECT 1 FROM alarm_pending WHERE rule_id = $1', [ruleId])).length === 0,
      { timeoutMs: 5000, what: 'the pending row to go' },
    );
  });

  it('raises one INSTANCE_DOWN alarm, without a task, for a DOWN server instance and resolves it once the instance is UP', async () => {
    const ruleId = await createRule({ name: 'instance down', condition: 'INSTANCE_DOWN', severity: 'CRITICAL' });
    await sleep(1000); // both app instances are UP: nothing raised
    expect(await alarmsOf(ruleId)).toEqual([]);

    // A peer that stopped heartbeating, as the cluster marks it.
    const [peer] = await db.query<{ id: string }>(
      `INSERT INTO server_instance (id, name, host, pid, address, version, node_version, started_at, last_heartbeat_at,
                                    status)
       VALUES (gen_random_uuid(), 'peer-3', 'peer-3', 1, 'http://127.0.0.1:1', 'test', 'v22', now(), now(), 'DOWN')
       RETURNING id`,
    );
    const firing = await settled(ruleId, 'FIRING', 1, 'the FIRING notification');
    expect(firing).toMatchObject({ taskId: null, title: 'Server instance peer-3 is down' });
    const [row] = await db.query<{ instance_id: string; fingerprint: string }>(
      'SELECT instance_id, fingerprint FROM alarm WHERE id = $1',
      [firing.id],
    );
    expect(row).toEqual({ instance_id: peer!.id, fingerprint: `${ruleId}:${peer!.id}` });
    await sleep(1000);
    expect(await alarmsOf(ruleId)).toHaveLength(1);
    expect(hook.about([firing.id])).toEqual(['FIRING']);

    // Back: heartbeating (far ahead, so that the live instances do not mark it DOWN again).
    await db.query(
      `UPDATE server_instance SET status = 'UP', last_heartbeat_at = now() + interval '1 hour' WHERE id = $1`,
      [peer!.id],
    );
    const resolved = await settled(ruleId, 'RESOLVED', 2, 'the RESOLVED notification');
    expect(resolved.notifications.map((n) => n.kind)).toEqual(['FIRING', 'RESOLVED']);
    await sleep(500);
    expect(hook.about([firing.id])).toEqual(['FIRING', 'RESOLVED']);
    await db.query('DELETE FROM server_instance WHERE id = $1', [peer!.id]);
  });
});
