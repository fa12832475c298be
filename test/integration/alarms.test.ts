/**
 * Alarms end to end on two app instances sharing one database: both hear every run event and
 * both run a deliverer, yet an alarm is raised once and each notification reaches the webhook
 * once. Repeats are counted without notifying, acknowledging is OPERATOR's, a success resolves,
 * a 500 from the receiver is retried.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gql, gqlData, login, type SocketClient } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const PASSWORD = 'member-password-1';

/** Fails (the Assert sink wants more rows than it gets) unless run with `min` ≤ 3. */
const JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 3, schema = { fields { name = string } } } }
sink { Assert { plugin_input = "fake", rules { row_rules = [ { rule_type = MIN_ROW, rule_value = \${min:10} } ] } } }
`;

/** Runs for minutes (20 rows a second): a run policy's timeout ends it. */
const SLOW_JOB = `
env { job.mode = "BATCH", read_limit.rows_per_second = 20 }
source { FakeSource { plugin_output = "fake", row.num = 100000, schema = { fields { name = string } } } }
sink { Console { plugin_input = "fake" } }
`;

const ALARM = `id ruleId taskId fingerprint status severity title summary count lastRunId acknowledgedAt ackComment
  resolvedAt notifications { id channelId kind status attempts lastError lastStatus sentAt }`;

interface AlarmView {
  id: string;
  ruleId: string;
  taskId: string;
  fingerprint: string;
  status: string;
  count: number;
  lastRunId: string | null;
  acknowledgedAt: string | null;
  ackComment: string | null;
  resolvedAt: string | null;
  notifications: {
    kind: string;
    status: string;
    attempts: number;
    lastError: string | null;
    lastStatus: number | null;
  }[];
}

interface Received {
  body: string;
}

async function receiver() {
  const calls: Received[] = [];
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status < 400 ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    calls,
    state,
    url: `http://127.0.0.1:${port}/hook`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alarms on two instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let ws: string;
  let operator: string;
  let viewer: string;
  let channelId: string;
  let socket: SocketClient | undefined;

  const env = {
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_ENGINE_STANDBY_WORKERS: '1',
    SLUICE_ALARM_RETRY_BASE_SECONDS: '1',
    SLUICE_ALARM_DELIVERY_INTERVAL_MS: '200',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    hook = await receiver();
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(a.url, '{ workspaces { id } }', undefined, a.token))
      .workspaces[0]!.id;
    const member = async (email: string, role: string) => {
      await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
        i: { workspaceId: ws, email, role, password: PASSWORD },
      });
      return login(a.url, email, PASSWORD);
    };
    operator = await member('operator@sluice.test', 'OPERATOR');
    viewer = await member('viewer@sluice.test', 'VIEWER');
    channelId = (
      await admin<{ createAlarmChannel: { id: string } }>(
        'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
        { i: { workspaceId: ws, name: 'ops hook', type: 'WEBHOOK', config: { url: hook.url } } },
      )
    ).createAlarmChannel.id;
  }, 60_000);

  afterAll(async () => {
    await socket?.dispose();
    await b?.stop();
    await a?.stop();
    await db?.drop();
    await hook?.stop();
  });

  const admin = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(a.url, query, variables, a.token);

  async function createTask(name: string, tags: string[], extra: Record<string, unknown> = {}): Promise<string> {
    return (
      await admin<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name, content: JOB, tags, ...extra },
      })
    ).createTask.id;
  }

  /** Runs the task to its end; `succeed` passes the Assert sink. */
  async function run(taskId: string, succeed = false, expected = succeed ? 'SUCCEEDED' : 'FAILED'): Promise<string> {
    const { startRun } = await admin<{ startRun: { id: string } }>(
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId, params: succeed ? { min: '1' } : {} } },
    );
    const status = await waitFor(
      async () => {
        const r = await admin<{ run: { status: string } }>('query($id: ID!) { run(id: $id) { status } }', {
          id: startRun.id,
        });
        return ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED'].includes(r.run.status) ? r.run.status : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the run to end' },
    );
    expect(status).toBe(expected);
    return startRun.id;
  }

  async function createRule(input: Record<string, unknown>): Promise<string> {
    return (
      await admin<{ createAlarmRule: { id: string } }>(
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        { i: { workspaceId: ws, severity: 'CRITICAL', ...input } },
      )
    ).createAlarmRule.id;
  }

  const alarmsOf = async (ruleId: string) =>
    (
      await admin<{ alarms: { items: AlarmView[] } }>(
        `query($w: ID!) { alarms(workspaceId: $w, limit: 100) { items { ${ALARM} } } }`,
        { w: ws },
      )
    ).alarms.items.filter((x) => x.ruleId === ruleId);

  it('refuses a rule with bad input, naming the field, and stores nothing', async () => {
    const tries: [Record<string, unknown>, string][] = [
      [{ name: 'bad', condition: 'RUN_FAILED', channelIds: ['00000000-0000-4000-8000-000000000000'] }, 'channelIds'],
      [{ name: 'bad', condition: 'RUN_FAILED', threshold: 3 }, 'threshold'],
      [{ name: 'bad', condition: 'CONSECUTIVE_FAILURES', threshold: 1 }, 'threshold'],
      [{ name: 'bad', condition: 'RUN_FAILED', repeatIntervalSeconds: 10 }, 'repeatIntervalSeconds'],
      [{ name: ' ', condition: 'RUN_FAILED' }, 'name'],
      [{ name: 'bad', condition: 'RUN_FAILED', taskIds: ['nope'] }, 'taskIds'],
    ];
    for (const [input, field] of tries) {
      const res = await gql(
        a.url,
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        { i: { workspaceId: ws, severity: 'WARNING', ...input } },
        a.token,
      );
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await db.query('SELECT id FROM alarm_rule')).toEqual([]);
  });

  it('raises one alarm and sends one webhook call for a failure both instances hear; repeats count silently', async () => {
    const taskId = await createTask('orders-sync', ['orders']);
    const ruleId = await createRule({
      name: 'orders failures',
      condition: 'RUN_FAILED',
      tags: ['orders'],
      channelIds: [channelId],
    });
    await createTask('unrelated', ['billing']);
    socket = await connectSocket(b.url, viewer);
    let listeners = b.app.pubSub.subscriberCount;
    const raised = socket.subscribe<{ alarmRaised: { id: string; taskId: string; status: string } }>(
      'subscription($w: ID!) { alarmRaised(workspaceId: $w) { id taskId status } }',
      { w: ws },
    );
    await waitFor(() => b.app.pubSub.subscriberCount === listeners + 1, { what: 'the subscription to be live' });

    const first = await run(taskId);
    const alarm = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x?.notifications[0]?.status === 'SENT' ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the alarm notified' },
    );
    expect(alarm).toMatchObject({ status: 'FIRING', count: 1, lastRunId: first, fingerprint: `${ruleId}:${taskId}` });
    expect(alarm.notifications).toEqual([expect.objectContaining({ kind: 'FIRING', status: 'SENT', attempts: 1 })]);
    const event = await raised.next(10_000);
    expect(event.alarmRaised).toEqual({ id: alarm.id, taskId, status: 'FIRING' });
    await sleep(1500); // the other instance's evaluator and deliverer had their chance
    expect(await alarmsOf(ruleId)).toHaveLength(1);
    expect(hook.calls).toHaveLength(1);
    expect(JSON.parse(hook.calls[0]!.body)).toMatchObject({ kind: 'FIRING', alarmId: alarm.id });

    const second = await run(taskId);
    const repeated = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x?.lastRunId === second ? x : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'the repeat counted' },
    );
    expect(repeated.count).toBe(2);
    // An old run's event heard again (late, or re-published) changes nothing.
    await a.app.pubSub.publish('RUN_UPDATED', { runId: first, taskId, workspaceId: ws, status: 'FAILED' });
    await sleep(1000);
    expect((await alarmsOf(ruleId))[0]).toMatchObject({ count: 2, lastRunId: second });
    expect(repeated.notifications).toHaveLength(1);
    expect(hook.calls).toHaveLength(1);

    // Once the repeat interval has passed, the next failure notifies again (REPEAT).
    const age = () =>
      db.query(`UPDATE alarm SET last_notified_at = now() - interval '2 hours' WHERE id = $1`, [alarm.id]);
    await age();
    const third = await run(taskId);
    const repeatSent = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x?.lastRunId === third && x.notifications[1]?.status === 'SENT' ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the REPEAT notification' },
    );
    expect(repeatSent.count).toBe(3);
    expect(repeatSent.notifications.map((n) => n.kind)).toEqual(['FIRING', 'REPEAT']);
    await sleep(500);
    expect(hook.calls).toHaveLength(2);
    expect(JSON.parse(hook.calls[1]!.body)).toMatchObject({ kind: 'REPEAT', alarmId: alarm.id });

    listeners = b.app.pubSub.subscriberCount;
    const updated = socket.subscribe<{ alarmUpdated: { id: string; acknowledgedAt: string | null } }>(
      'subscription($w: ID!) { alarmUpdated(workspaceId: $w) { id acknowledgedAt } }',
      { w: ws },
    );
    await waitFor(() => b.app.pubSub.subscriberCount === listeners + 1, { what: 'the subscription to be live' });
    const ack =
      'mutation($id: ID!, $c: String) { acknowledgeAlarm(id: $id, comment: $c) { acknowledgedAt ackComment } }';
    const refused = await gql(a.url, ack, { id: alarm.id, c: 'mine' }, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const acked = await gqlData<{ acknowledgeAlarm: { acknowledgedAt: string | null; ackComment: string } }>(
      b.url,
      ack,
      { id: alarm.id, c: 'looking into it' },
      operator,
    );
    expect(acked.acknowledgeAlarm.acknowledgedAt).not.toBeNull();
    expect(acked.acknowledgeAlarm.ackComment).toBe('looking into it');
    const heard = await updated.until((e) => e.alarmUpdated.id === alarm.id, 10_000);
    expect(heard.alarmUpdated.acknowledgedAt).not.toBeNull();
    updated.close();

    // Acknowledged: no more repeats, however long ago the last notification was.
    await age();
    const fourth = await run(taskId);
    await waitFor(async () => (await alarmsOf(ruleId))[0]?.lastRunId === fourth, {
      timeoutMs: 10_000,
      what: 'the fourth failure counted',
    });
    await sleep(1000);
    const quiet = (await alarmsOf(ruleId))[0]!;
    expect(quiet.count).toBe(4);
    expect(quiet.notifications).toHaveLength(2);
    expect(hook.calls).toHaveLength(2);

    // A success resolves it, with one RESOLVED notification.
    await run(taskId, true);
    const resolved = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x?.status === 'RESOLVED' && x.notifications[2]?.status === 'SENT' ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the alarm resolved and notified' },
    );
    expect(resolved.resolvedAt).not.toBeNull();
    expect(resolved.notifications.map((n) => [n.kind, n.status])).toEqual([
      ['FIRING', 'SENT'],
      ['REPEAT', 'SENT'],
      ['RESOLVED', 'SENT'],
    ]);
    await sleep(1000);
    expect(hook.calls).toHaveLength(3);
    expect(JSON.parse(hook.calls[2]!.body)).toMatchObject({ kind: 'RESOLVED', alarmId: alarm.id });
    // A failure older than the success raises nothing.
    await b.app.pubSub.publish('RUN_UPDATED', { runId: second, taskId, workspaceId: ws, status: 'FAILED' });
    await sleep(1000);
    expect((await alarmsOf(ruleId)).map((x) => x.status)).toEqual(['RESOLVED']);

    // The next failure is a new alarm.
    await run(taskId);
    await waitFor(async () => (await alarmsOf(ruleId)).length === 2, { timeoutMs: 10_000, what: 'a new alarm' });
    const statuses = (await alarmsOf(ruleId)).map((x) => x.status);
    expect(statuses).toEqual(['FIRING', 'RESOLVED']); // newest first
  }, 120_000);

  it('retries a notification the receiver answered with 500, then sends it', async () => {
    hook.state.status = 500;
    const before = hook.calls.length;
    const taskId = await createTask('orders-flaky-receiver', ['orders']);
    const ruleId = (
      await admin<{ alarmRules: { id: string; name: string }[] }>(
        'query($w: ID!) { alarmRules(workspaceId: $w) { id name } }',
        { w: ws },
      )
    ).alarmRules.find((r) => r.name === 'orders failures')!.id;
    await run(taskId);
    const failedOnce = await waitFor(
      async () => {
        const x = (await alarmsOf(ruleId)).find((y) => y.taskId === taskId);
        return x?.notifications[0]?.attempts === 1 ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, what: 'the first attempt' },
    );
    expect(failedOnce.notifications[0]).toMatchObject({ status: 'PENDING', lastStatus: 500 });
    hook.state.status = 200;
    const sent = await waitFor(
      async () => {
        const x = (await alarmsOf(ruleId)).find((y) => y.taskId === taskId);
        return x?.notifications[0]?.status === 'SENT' ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the retry sent' },
    );
    expect(sent.notifications).toHaveLength(1);
    expect(sent.notifications[0]!.attempts).toBeGreaterThanOrEqual(2);
    await sleep(500);
    expect(hook.calls.length - before).toBe(sent.notifications[0]!.attempts);
  }, 60_000);

  it('sends each of many notifications once while both instances deliver', async () => {
    const channelIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      channelIds.push(
        (
          await admin<{ createAlarmChannel: { id: string } }>(
            'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
            { i: { workspaceId: ws, name: `storm ${i}`, type: 'WEBHOOK', config: { url: hook.url } } },
          )
        ).createAlarmChannel.id,
      );
    }
    const taskId = await createTask('storm-task', ['storm']);
    const ruleId = await createRule({ name: 'storm', condition: 'RUN_FAILED', tags: ['storm'], channelIds });
    await run(taskId);
    const alarm = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x && x.notifications.length === 25 && x.notifications.every((n) => n.status === 'SENT') ? x : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: '25 notifications sent' },
    );
    await sleep(1000);
    const calls = hook.calls.filter((c) => (JSON.parse(c.body) as { alarmId: string }).alarmId === alarm.id);
    expect(calls).toHaveLength(25);
    expect(alarm.notifications.every((n) => n.attempts === 1)).toBe(true);
  }, 60_000);

  it('CONSECUTIVE_FAILURES fires on the n-th failure in a row only', async () => {
    const taskId = await createTask('streaky', []);
    const ruleId = await createRule({
      name: 'streak',
      condition: 'CONSECUTIVE_FAILURES',
      threshold: 2,
      taskIds: [taskId],
    });
    await run(taskId);
    await sleep(1000);
    expect(await alarmsOf(ruleId)).toEqual([]);
    const second = await run(taskId);
    const [alarm] = await waitFor(
      async () => {
        const list = await alarmsOf(ruleId);
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 10_000, what: 'the streak alarm' },
    );
    expect(alarm).toMatchObject({ status: 'FIRING', count: 1, lastRunId: second, notifications: [] });
  }, 90_000);

  it('RUN_TIMED_OUT raises for a timed-out run, which RUN_FAILED ignores; a disabled channel fails its notification', async () => {
    const disabled = (
      await admin<{ createAlarmChannel: { id: string } }>(
        'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
        { i: { workspaceId: ws, name: 'muted hook', type: 'WEBHOOK', config: { url: hook.url }, enabled: false } },
      )
    ).createAlarmChannel.id;
    const slow = await createTask('orders-slow', ['orders'], {
      content: SLOW_JOB,
      runPolicy: { timeoutSeconds: 2 },
    });
    const ruleId = await createRule({
      name: 'too slow',
      condition: 'RUN_TIMED_OUT',
      taskIds: [slow],
      channelIds: [disabled],
    });
    const before = hook.calls.length;
    const runId = await run(slow, false, 'TIMED_OUT');
    const alarm = await waitFor(
      async () => {
        const [x] = await alarmsOf(ruleId);
        return x?.notifications[0]?.status === 'FAILED' ? x : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the timed-out alarm' },
    );
    expect(alarm).toMatchObject({ status: 'FIRING', lastRunId: runId });
    expect(alarm.notifications[0]).toMatchObject({ attempts: 1, lastError: 'The channel is disabled' });
    const orders = (
      await admin<{ alarmRules: { id: string; name: string }[] }>(
        'query($w: ID!) { alarmRules(workspaceId: $w) { id name } }',
        { w: ws },
      )
    ).alarmRules.find((r) => r.name === 'orders failures')!.id;
    await sleep(500);
    expect((await alarmsOf(orders)).filter((x) => x.taskId === slow)).toEqual([]);
    expect(hook.calls.length).toBe(before);
  }, 60_000);

  it('refuses alarm subscriptions to callers outside the workspace', async () => {
    const other = (
      await admin<{ createWorkspace: { id: string } }>(
        'mutation { createWorkspace(input: { name: "elsewhere" }) { id } }',
      )
    ).createWorkspace.id;
    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: { workspaceId: other, email: 'outsider@sluice.test', role: 'ADMIN', password: PASSWORD },
    });
    const outsider = await connectSocket(a.url, await login(a.url, 'outsider@sluice.test', PASSWORD));
    try {
      const sub = outsider.subscribe('subscription($w: ID!) { alarmRaised(workspaceId: $w) { id } }', { w: ws });
      await expect(sub.next(3000)).rejects.toThrow(/FORBIDDEN/);
    } finally {
      await outsider.dispose();
    }
  });

  it('lets only DEVELOPER edit rules; VIEWER reads them', async () => {
    const res = await gql(
      a.url,
      'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
      { i: { workspaceId: ws, name: 'op rule', severity: 'INFO', condition: 'RUN_TIMED_OUT' } },
      operator,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { alarmRules } = await gqlData<{ alarmRules: { name: string; repeatIntervalSeconds: number }[] }>(
      a.url,
      'query($w: ID!) { alarmRules(workspaceId: $w) { name repeatIntervalSeconds } }',
      { w: ws },
      viewer,
    );
    expect(alarmRules).toEqual([
      { name: 'orders failures', repeatIntervalSeconds: 3600 },
      { name: 'storm', repeatIntervalSeconds: 3600 },
      { name: 'streak', repeatIntervalSeconds: 3600 },
      { name: 'too slow', repeatIntervalSeconds: 3600 },
    ]);
    // Leaving CONSECUTIVE_FAILURES drops the threshold that came with it.
    const streak = (
      await admin<{ alarmRules: { id: string; name: string }[] }>(
        'query($w: ID!) { alarmRules(workspaceId: $w) { id name } }',
        { w: ws },
      )
    ).alarmRules.find((r) => r.name === 'streak')!.id;
    const { updateAlarmRule } = await admin<{ updateAlarmRule: { condition: string; threshold: number | null } }>(
      'mutation($id: ID!) { updateAlarmRule(input: { id: $id, condition: RUN_FAILED }) { condition threshold } }',
      { id: streak },
    );
    expect(updateAlarmRule).toEqual({ condition: 'RUN_FAILED', threshold: null });
  });
});
