/**
 * Issue 10's scenario end to end, on two instances: a rule "any failure of tag orders" with a
 * webhook and an e-mail channel (a real SMTP server on loopback); a task breaks → exactly one
 * webhook call and one mail; acknowledged; it resolves when the task succeeds (one resolve call and
 * one resolve mail). Then a storm: 100 failures of one task give one notification, not 100.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData, login } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

const SMTP_USER = 'alerts@example.com';
const SMTP_PASSWORD = `smtp-${randomBytes(6).toString('hex')}`;
const OPERATOR_PASSWORD = 'operator-password-1';

/** Fails (the Assert sink wants more rows than it gets) unless run with `min` ≤ 3. */
const JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 3, schema = { fields { name = string } } } }
sink { Assert { plugin_input = "fake", rules { row_rules = [ { rule_type = MIN_ROW, rule_value = \${min:10} } ] } } }
`;

async function webhook() {
  const calls: { kind: string; title: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const alarm = (body.alarm ?? body) as Record<string, unknown>;
      calls.push({ kind: String(body.kind ?? alarm.kind), title: String(body.title ?? alarm.title) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { calls, url: `http://127.0.0.1:${port}/hook`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

async function smtp() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, port, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alarms: the issue scenario with a webhook and a mail, and a storm', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let hook: Awaited<ReturnType<typeof webhook>>;
  let mail: Awaited<ReturnType<typeof smtp>>;
  let ws: string;
  let operator: string;
  let channelIds: string[];

  const env = {
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_ENGINE_STANDBY_WORKERS: '1',
    SLUICE_ALARM_DELIVERY_INTERVAL_MS: '200',
    SLUICE_WORKSPACE_RUN_LIMIT: '100',
  };

  const admin = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(a.url, query, variables, a.token);

  beforeAll(async () => {
    [db, hook, mail] = await Promise.all([createTestDatabase(), webhook(), smtp()]);
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
    ws = (await admin<{ workspaces: { id: string }[] }>('{ workspaces { id } }')).workspaces[0]!.id;
    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: { workspaceId: ws, email: 'operator@sluice.test', role: 'OPERATOR', password: OPERATOR_PASSWORD },
    });
    operator = await login(a.url, 'operator@sluice.test', OPERATOR_PASSWORD);
    const channel = async (name: string, type: string, config: Record<string, unknown>) =>
      (
        await admin<{ createAlarmChannel: { id: string } }>(
          'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
          { i: { workspaceId: ws, name, type, config } },
        )
      ).createAlarmChannel.id;
    channelIds = [
      await channel('ops hook', 'WEBHOOK', { url: hook.url }),
      await channel('ops mail', 'EMAIL', {
        host: '127.0.0.1',
        port: mail.port,
        username: SMTP_USER,
        password: SMTP_PASSWORD,
        from: 'Sluice <sluice@example.com>',
        to: 'oncall@example.com',
      }),
    ];
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
    await hook?.stop();
    await mail?.stop();
  });

  async function createTask(name: string, tags: string[]): Promise<string> {
    return (
      await admin<{ createTask: { id: string } }>('mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', {
        i: { workspaceId: ws, name, content: JOB, tags },
      })
    ).createTask.id;
  }

  async function startRun(taskId: string, succeed = false): Promise<string> {
    return (
      await admin<{ startRun: { id: string } }>('mutation($i: StartRunInput!) { startRun(input: $i) { id } }', {
        i: { taskId, params: succeed ? { min: '1' } : {} },
      })
    ).startRun.id;
  }

  const finished = async (taskId: string) =>
    Number(
      (
        await db.query<{ n: string }>(
          "SELECT count(*) AS n FROM run WHERE task_id = $1 AND status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED')",
          [taskId],
        )
      )[0]!.n,
    );

  const alarmOf = async (ruleId: string) =>
    (
      await admin<{ alarms: { items: { id: string; ruleId: string; status: string; count: number }[] } }>(
        'query($w: ID!) { alarms(workspaceId: $w, limit: 100) { items { id ruleId status count } } }',
        { w: ws },
      )
    ).alarms.items.filter((x) => x.ruleId === ruleId);

  it('sends one webhook call and one mail for a broken task, acknowledges, and resolves on success', async () => {
    const ruleId = (
      await admin<{ createAlarmRule: { id: string } }>(
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        {
          i: {
            workspaceId: ws,
            name: 'orders failures',
            severity: 'CRITICAL',
            condition: 'RUN_FAILED',
            tags: ['orders'],
            channelIds,
          },
        },
      )
    ).createAlarmRule.id;
    const taskId = await createTask('orders-sync', ['orders']);

    await startRun(taskId);
    await waitFor(() => hook.calls.length >= 1 && mail.mails.length >= 1, {
      timeoutMs: 30_000,
      what: 'the webhook call and the mail',
    });
    await sleep(1500); // a second delivery (from the other instance) would have landed by now
    expect(hook.calls.map((c) => c.kind)).toEqual(['FIRING']);
    expect(mail.mails).toHaveLength(1);
    expect(mail.mails[0]!.subject).toContain('orders-sync');
    const [alarm] = await alarmOf(ruleId);
    expect(alarm).toMatchObject({ status: 'FIRING', count: 1 });

    const ack = await gqlData<{ acknowledgeAlarm: { acknowledgedAt: string | null } }>(
      a.url,
      'mutation($id: ID!, $c: String!) { acknowledgeAlarm(id: $id, comment: $c) { acknowledgedAt } }',
      { id: alarm!.id, c: 'looking into it' },
      operator,
    );
    expect(ack.acknowledgeAlarm.acknowledgedAt).not.toBeNull();

    await startRun(taskId, true);
    await waitFor(async () => (await alarmOf(ruleId))[0]?.status === 'RESOLVED', {
      timeoutMs: 30_000,
      what: 'the alarm to resolve',
    });
    await waitFor(() => hook.calls.length >= 2 && mail.mails.length >= 2, {
      timeoutMs: 15_000,
      what: 'the resolve call and mail',
    });
    await sleep(1500);
    expect(hook.calls.map((c) => c.kind)).toEqual(['FIRING', 'RESOLVED']);
    expect(mail.mails).toHaveLength(2);
    await admin('mutation($id: ID!) { deleteAlarmRule(id: $id) }', { id: ruleId });
  }, 90_000);

  it('turns a storm of 100 failures of one task into one notification, counting each', async () => {
    const calls = hook.calls.length;
    const ruleId = (
      await admin<{ createAlarmRule: { id: string } }>(
        'mutation($i: CreateAlarmRuleInput!) { createAlarmRule(input: $i) { id } }',
        {
          i: {
            workspaceId: ws,
            name: 'storm',
            severity: 'WARNING',
            condition: 'RUN_FAILED',
            tags: ['storm'],
            channelIds: [channelIds[0]],
            repeatIntervalSeconds: 3600,
          },
        },
      )
    ).createAlarmRule.id;
    const taskId = await createTask('flaky-feed', ['storm']);
    const started = Date.now();
    for (let i = 0; i < 100; i++) await startRun(taskId);
    await waitFor(async () => (await finished(taskId)) === 100, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: '100 runs to end',
    });
    // Every failure counted once (both instances hear each event, and they finish out of order),
    // none notified but the first.
    await waitFor(async () => (await alarmOf(ruleId))[0]?.count === 100, {
      timeoutMs: 15_000,
      what: 'the alarm to count every failure',
    });
    await sleep(1500); // a second count or delivery would have landed by now
    const [alarm] = await alarmOf(ruleId);
    expect(alarm).toMatchObject({ status: 'FIRING', count: 100 });
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(hook.calls.slice(calls).map((c) => c.kind)).toEqual(['FIRING']);
    const rows = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM alarm_notification n JOIN alarm a ON a.id = n.alarm_id WHERE a.rule_id = $1',
      [ruleId],
    );
    expect(Number(rows[0]!.n)).toBe(1);
  }, 180_000);
});
