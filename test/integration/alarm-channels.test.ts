import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../server/src/secrets/secret-box.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login, type GraphQLResponse } from '../support/graphql.js';

const PASSWORD = 'member-password-1';
const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

const CHANNEL =
  'id workspaceId name type settings secretNames description enabled maxPerMinute lastTest { ok status message testedAt }';
const CREATE = `mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { ${CHANNEL} } }`;
const UPDATE = `mutation($i: UpdateAlarmChannelInput!) { updateAlarmChannel(input: $i) { ${CHANNEL} } }`;
const GET = `query($id: ID!) { alarmChannel(id: $id) { ${CHANNEL} } }`;
const TEST = 'mutation($id: ID!) { testAlarmChannel(id: $id) { ok status message durationMs retryable } }';
const TEST_CONFIG = `mutation($i: TestAlarmChannelConfigInput!) {
  testAlarmChannelConfig(input: $i) { ok status message durationMs retryable } }`;

interface Channel {
  id: string;
  name: string;
  type: string;
  settings: Record<string, unknown>;
  secretNames: string[];
  enabled: boolean;
  maxPerMinute: number | null;
  lastTest: { ok: boolean; status: number | null; message: string | null; testedAt: string } | null;
}
interface TestResult {
  ok: boolean;
  status: number | null;
  message: string | null;
  durationMs: number;
  retryable: boolean;
}

/** Every secret a test puts into a channel: none may show in a response, a log line or the audit trail. */
const SECRETS = {
  urlToken: `url-token-${randomBytes(6).toString('hex')}`,
  hmac: `hmac-${randomBytes(9).toString('hex')}`,
  hmac2: `hmac-second-${randomBytes(9).toString('hex')}`,
  header: `Bearer hdr-${randomBytes(9).toString('hex')}`,
  smtpPassword: `smtp-Pa55-${randomBytes(6).toString('hex')}`,
  wrongPassword: `not-the-Pa55-${randomBytes(6).toString('hex')}`,
};

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that records every request and answers with `status`. */
async function receiver() {
  const calls: Received[] = [];
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(state.status, { 'content-type': 'text/plain' }).end(state.status < 400 ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    calls,
    state,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}?token=${SECRETS.urlToken}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does with X-Sluice-Signature (the README's recipe). */
function verifySignature(call: Received, secret: string): boolean {
  const timestamp = String(call.headers['x-sluice-timestamp']);
  const signature = String(call.headers['x-sluice-signature']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${call.body}`).digest('hex')}`;
  return (
    Math.abs(Date.now() / 1000 - Number(timestamp)) < 300 &&
    signature.length === expected.length &&
    timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  );
}

const SMTP_USER = 'alerts@example.com';

/** A real SMTP server on loopback (smtp-server) that accepts SMTP_USER with the SMTP password. */
async function smtpServer() {
  const delivered: { mail: ParsedMail; to: string[] }[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SECRETS.smtpPassword) {
        callback(null, { user: auth.username });
      } else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          delivered.push({ mail, to: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, delivered, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('alarm channels', () => {
  let db: TestDatabase;
  let t: TestApp;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  const key = randomBytes(32);
  let ws: string;
  let dev: string;
  let operator: string;
  let viewer: string;
  let outsider: string;
  /** Every response body, for the "never returned" check. */
  const responses: string[] = [];

  const call = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<GraphQLResponse<T>> => {
    const res = await gql<T>(t.url, query, variables, token);
    responses.push(JSON.stringify(res));
    return res;
  };
  const data = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> => {
    const res = await call<T>(query, variables, token);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  };
  const create = async (input: Record<string, unknown>, token = dev) =>
    (await data<{ createAlarmChannel: Channel }>(CREATE, { i: { workspaceId: ws, ...input } }, token))
      .createAlarmChannel;
  const webhookConfig = (overrides: Record<string, unknown> = {}) => ({
    url: hook.url(),
    headers: { Authorization: SECRETS.header },
    hmacSecret: SECRETS.hmac,
    ...overrides,
  });
  /** The stored row, and its secrets opened with the app's key. */
  const stored = async (id: string) => {
    const [row] = await db.query<{
      settings: Record<string, unknown>;
      sealed_secrets: Buffer | null;
      secret_names: string[];
    }>('SELECT settings, sealed_secrets, secret_names FROM alarm_channel WHERE id = $1', [id]);
    const secrets = row?.sealed_secrets
      ? (JSON.parse(new SecretBox([key]).open(row.sealed_secrets, `alarm-channel:${id}`)) as Record<string, unknown>)
      : {};
    return { row: row!, secrets };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    hook = await receiver();
    smtp = await smtpServer();
    t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SECRET_KEY: key.toString('hex') } });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
    const other = (
      await gqlData<{ createWorkspace: { id: string } }>(
        t.url,
        'mutation { createWorkspace(input: { name: "elsewhere" }) { id } }',
        undefined,
        t.token,
      )
    ).createWorkspace.id;
    const member = async (workspaceId: string, email: string, role: string) => {
      await gqlData(
        t.url,
        'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
        { i: { workspaceId, email, role, password: PASSWORD } },
        t.token,
      );
      return login(t.url, email, PASSWORD);
    };
    dev = await member(ws, 'dev@sluice.test', 'DEVELOPER');
    operator = await member(ws, 'operator@sluice.test', 'OPERATOR');
    viewer = await member(ws, 'viewer@sluice.test', 'VIEWER');
    outsider = await member(other, 'outsider@sluice.test', 'ADMIN');
  });

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await hook?.stop();
    await smtp?.stop();
  });

  it('lists the channel types with their fields, secrets marked', async () => {
    const { alarmChannelTypes } = await data<{
      alarmChannelTypes: { type: string; label: string; fields: { name: string; kind: string; secret: boolean }[] }[];
    }>(
      '{ alarmChannelTypes { type label fields { name label kind required secret default enumValues min max description placeholder } } }',
      {},
      viewer,
    );
    expect(alarmChannelTypes.map((c) => c.type)).toEqual(['WEBHOOK', 'SLACK', 'DINGTALK', 'FEISHU', 'WECOM', 'EMAIL']);
    const secretsOf = (type: string) =>
      alarmChannelTypes
        .find((c) => c.type === type)!
        .fields.filter((f) => f.secret)
        .map((f) => f.name);
    expect(secretsOf('WEBHOOK')).toEqual(['url', 'headers', 'hmacSecret']);
    expect(secretsOf('DINGTALK')).toEqual(['url', 'signingSecret']);
    expect(secretsOf('EMAIL')).toEqual(['password']);
    expect(alarmChannelTypes.find((c) => c.type === 'WEBHOOK')!.fields[0]).toMatchObject({ name: 'url', kind: 'URL' });
  });

  it('creates a webhook channel that returns its settings and which secrets are set, and stores the secrets sealed', async () => {
    const channel = await create({
      name: 'Ops hook',
      type: 'WEBHOOK',
      config: webhookConfig(),
      description: 'pages the on-call',
      maxPerMinute: 20,
    });
    expect(channel).toMatchObject({
      name: 'Ops hook',
      type: 'WEBHOOK',
      settings: { method: 'POST', timeoutMs: 10_000 },
      secretNames: ['headers', 'hmacSecret', 'url'],
      enabled: true,
      maxPerMinute: 20,
      lastTest: null,
    });

    const { row, secrets } = await stored(channel.id);
    expect(row.secret_names).toEqual(['headers', 'hmacSecret', 'url']);
    expect(JSON.stringify(row.settings)).not.toContain(SECRETS.urlToken);
    const blob = row.sealed_secrets!.toString('latin1');
    for (const secret of [SECRETS.urlToken, SECRETS.hmac, SECRETS.header]) expect(blob).not.toContain(secret);
    expect(secrets).toEqual({ url: hook.url(), headers: { Authorization: SECRETS.header }, hmacSecret: SECRETS.hmac });

    // A viewer reads it, secret names and all, by id and in the list.
    const read = (await data<{ alarmChannel: Channel }>(GET, { id: channel.id }, viewer)).alarmChannel;
    expect(read).toEqual(channel);
    const { alarmChannels } = await data<{ alarmChannels: Channel[] }>(
      `query($w: ID!) { alarmChannels(workspaceId: $w) { ${CHANNEL} } }`,
      { w: ws },
      viewer,
    );
    expect(alarmChannels.map((c) => c.name)).toContain('Ops hook');
  });

  it('keeps a secret left out of an update, clears one set to null and replaces one given', async () => {
    const channel = await create({ name: 'Rotating', type: 'WEBHOOK', config: webhookConfig() });

    // Left out: every secret stays; the public settings are replaced.
    let updated = (
      await data<{ updateAlarmChannel: Channel }>(UPDATE, { i: { id: channel.id, config: { method: 'PUT' } } }, dev)
    ).updateAlarmChannel;
    expect(updated.settings).toMatchObject({ method: 'PUT' });
    expect(updated.secretNames).toEqual(['headers', 'hmacSecret', 'url']);
    expect((await stored(channel.id)).secrets).toMatchObject({ hmacSecret: SECRETS.hmac, url: hook.url() });

    // Replaced and cleared (public settings are given whole each time, secrets only when they change).
    updated = (
      await data<{ updateAlarmChannel: Channel }>(
        UPDATE,
        { i: { id: channel.id, config: { method: 'PUT', hmacSecret: SECRETS.hmac2, headers: null } } },
        dev,
      )
    ).updateAlarmChannel;
    expect(updated.secretNames).toEqual(['hmacSecret', 'url']);
    expect((await stored(channel.id)).secrets).toEqual({ url: hook.url(), hmacSecret: SECRETS.hmac2 });

    // The receiver sees the change: signed with the new secret, no Authorization header any more.
    hook.state.status = 200;
    const before = hook.calls.length;
    expect((await data<{ testAlarmChannel: TestResult }>(TEST, { id: channel.id }, operator)).testAlarmChannel.ok).toBe(
      true,
    );
    const received = hook.calls[before]!;
    expect(received.method).toBe('PUT');
    expect(received.headers.authorization).toBeUndefined();
    expect(verifySignature(received, SECRETS.hmac2)).toBe(true);
    expect(verifySignature(received, SECRETS.hmac)).toBe(false);

    // A required secret cannot be cleared.
    const res = await call(UPDATE, { i: { id: channel.id, config: { url: null } } }, dev);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe('config.url');
  });

  it('rejects a bad config naming the field, and stores nothing', async () => {
    const count = async () =>
      Number(
        (await db.query<{ n: string }>('SELECT count(*) AS n FROM alarm_channel WHERE name = $1', ['Broken']))[0]!.n,
      );

    let res = await call(
      CREATE,
      { i: { workspaceId: ws, name: 'Broken', type: 'WEBHOOK', config: { url: 'ftp://example.com/x' } } },
      dev,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe('config.url must be an http(s) URL');
    expect(res.errors?.[0]?.extensions?.field).toBe('config.url');

    res = await call(
      CREATE,
      {
        i: {
          workspaceId: ws,
          name: 'Broken',
          type: 'EMAIL',
          config: { host: 'smtp.example.com', from: 'not an address', to: [], colour: 'red' },
        },
      },
      dev,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    const fields = (res.errors?.[0]?.extensions?.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(['config.colour', 'config.from', 'config.to']);
    expect(await count()).toBe(0);

    // An update with a bad config leaves the channel as it was.
    const channel = await create({ name: 'Steady', type: 'WEBHOOK', config: webhookConfig() });
    const before = await stored(channel.id);
    res = await call(
      UPDATE,
      { i: { id: channel.id, name: 'Renamed', config: { url: 'not a url', hmacSecret: SECRETS.hmac2 } } },
      dev,
    );
    expect(res.errors?.[0]?.extensions?.field).toBe('config.url');
    const after = await stored(channel.id);
    expect(after.secrets).toEqual(before.secrets);
    expect((await data<{ alarmChannel: Channel }>(GET, { id: channel.id }, dev)).alarmChannel.name).toBe('Steady');

    res = await call(UPDATE, { i: { id: channel.id, maxPerMinute: 0 } }, dev);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
  });

  it('refuses a second channel of the same name in a workspace, whatever its case', async () => {
    await create({ name: 'Pager', type: 'WEBHOOK', config: webhookConfig() });
    const res = await call(
      CREATE,
      { i: { workspaceId: ws, name: 'pager', type: 'WEBHOOK', config: webhookConfig() } },
      dev,
    );
    expect(codeOf(res)).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toBe('An alarm channel named "pager" already exists in this workspace');
    expect(res.errors?.[0]?.extensions?.field).toBe('name');

    const other = await create({ name: 'Pager 2', type: 'WEBHOOK', config: webhookConfig() });
    const renamed = await call(UPDATE, { i: { id: other.id, name: 'PAGER' } }, dev);
    expect(codeOf(renamed)).toBe('CONFLICT');
  });

  it('sends a signed test notification to a webhook and keeps the result', async () => {
    const channel = await create({ name: 'Signed', type: 'WEBHOOK', config: webhookConfig() });
    hook.state.status = 200;
    const before = hook.calls.length;
    const { testAlarmChannel } = await data<{ testAlarmChannel: TestResult }>(TEST, { id: channel.id }, operator);
    expect(testAlarmChannel).toMatchObject({ ok: true, status: 200, retryable: false });

    expect(hook.calls).toHaveLength(before + 1);
    const received = hook.calls[before]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe(`/hook?token=${SECRETS.urlToken}`);
    expect(received.headers.authorization).toBe(SECRETS.header);
    expect(verifySignature(received, SECRETS.hmac)).toBe(true);
    expect(JSON.parse(received.body)).toMatchObject({
      version: 1,
      source: 'sluice',
      kind: 'TEST',
      severity: 'INFO',
      workspace: 'Default',
    });

    const { lastTest } = (await data<{ alarmChannel: Channel }>(GET, { id: channel.id }, viewer)).alarmChannel;
    expect(lastTest).toMatchObject({ ok: true, status: 200 });

    // New settings make the old result meaningless.
    const updated = (
      await data<{ updateAlarmChannel: Channel }>(UPDATE, { i: { id: channel.id, config: { timeoutMs: 5000 } } }, dev)
    ).updateAlarmChannel;
    expect(updated.lastTest).toBeNull();
  });

  it('reports a failing endpoint as retryable, masks its URL and keeps the failure', async () => {
    const channel = await create({ name: 'Flaky', type: 'WEBHOOK', config: webhookConfig({ headers: null }) });
    hook.state.status = 500;
    try {
      const { testAlarmChannel } = await data<{ testAlarmChannel: TestResult }>(TEST, { id: channel.id }, operator);
      expect(testAlarmChannel).toMatchObject({ ok: false, status: 500, retryable: true });
      expect(testAlarmChannel.message).toBeTruthy();
      expect(testAlarmChannel.message).not.toContain(SECRETS.urlToken);
    } finally {
      hook.state.status = 200;
    }
    const { lastTest } = (await data<{ alarmChannel: Channel }>(GET, { id: channel.id }, viewer)).alarmChannel;
    expect(lastTest).toMatchObject({ ok: false, status: 500 });
    const [row] = await db.query<{ last_test_ok: boolean; last_test_message: string }>(
      'SELECT last_test_ok, last_test_message FROM alarm_channel WHERE id = $1',
      [channel.id],
    );
    expect(row!.last_test_ok).toBe(false);
    expect(row!.last_test_message).not.toContain(SECRETS.urlToken);
  });

  it('sends a test mail through a real SMTP server, and tests unsaved settings with the stored password', async () => {
    const config = {
      host: '127.0.0.1',
      port: smtp.port,
      username: SMTP_USER,
      password: SECRETS.smtpPassword,
      from: 'Sluice <sluice@example.com>',
      to: 'oncall@example.com, data@example.com',
    };
    const channel = await create({ name: 'Mail', type: 'EMAIL', config });
    expect(channel.settings).toMatchObject({ host: '127.0.0.1', to: ['oncall@example.com', 'data@example.com'] });
    expect(channel.secretNames).toEqual(['password']);

    const { testAlarmChannel } = await data<{ testAlarmChannel: TestResult }>(TEST, { id: channel.id }, operator);
    expect(testAlarmChannel).toMatchObject({ ok: true, status: 250 });
    expect(smtp.delivered).toHaveLength(1);
    expect(smtp.delivered[0]!.to).toEqual(['oncall@example.com', 'data@example.com']);
    expect(smtp.delivered[0]!.mail.subject).toContain('Test notification from Sluice');

    // An edit form tests a new recipient without retyping the password: the saved one is used.
    const { password: _password, ...withoutPassword } = config;
    const unsaved = await data<{ testAlarmChannelConfig: TestResult }>(
      TEST_CONFIG,
      {
        i: {
          workspaceId: ws,
          type: 'EMAIL',
          channelId: channel.id,
          config: { ...withoutPassword, to: ['new@example.com'] },
        },
      },
      dev,
    );
    expect(unsaved.testAlarmChannelConfig).toMatchObject({ ok: true, status: 250 });
    expect(smtp.delivered[1]!.to).toEqual(['new@example.com']);

    // A wrong password fails, permanently, without saying it; nothing was saved by either test.
    const wrong = await data<{ testAlarmChannelConfig: TestResult }>(
      TEST_CONFIG,
      { i: { workspaceId: ws, type: 'EMAIL', config: { ...config, password: SECRETS.wrongPassword } } },
      dev,
    );
    expect(wrong.testAlarmChannelConfig).toMatchObject({ ok: false, status: 535, retryable: false });
    expect(wrong.testAlarmChannelConfig.message).not.toContain(SECRETS.wrongPassword);
    expect(smtp.delivered).toHaveLength(2);
    const after = (await data<{ alarmChannel: Channel }>(GET, { id: channel.id }, dev)).alarmChannel;
    expect(after.settings.to).toEqual(['oncall@example.com', 'data@example.com']);
    expect((await stored(channel.id)).secrets).toEqual({ password: SECRETS.smtpPassword });

    // Without channelId there is no stored password to fall back on.
    const missing = await call(TEST_CONFIG, { i: { workspaceId: ws, type: 'EMAIL', config: withoutPassword } }, dev);
    expect(missing.errors?.[0]?.extensions?.field).toBe('config.password');
  });

  it('lets a viewer read but not create, and an operator test but not edit', async () => {
    const channel = await create({ name: 'Guarded', type: 'WEBHOOK', config: webhookConfig() });
    const denied = [
      await call(
        CREATE,
        { i: { workspaceId: ws, name: 'By viewer', type: 'WEBHOOK', config: webhookConfig() } },
        viewer,
      ),
      await call(TEST, { id: channel.id }, viewer),
      await call(UPDATE, { i: { id: channel.id, description: 'by an operator' } }, operator),
      await call('mutation($id: ID!) { deleteAlarmChannel(id: $id) }', { id: channel.id }, operator),
      await call(
        TEST_CONFIG,
        { i: { workspaceId: ws, type: 'WEBHOOK', channelId: channel.id, config: { url: 'http://127.0.0.1:9/x' } } },
        operator,
      ),
    ];
    for (const res of denied) expect(codeOf(res), JSON.stringify(res.errors)).toBe('FORBIDDEN');
    const rows = await db.query('SELECT 1 FROM alarm_channel WHERE name = $1', ['By viewer']);
    expect(rows).toHaveLength(0);
  });

  it('hides a channel from another workspace (NOT_FOUND), and refuses its list', async () => {
    const channel = await create({ name: 'Private', type: 'WEBHOOK', config: webhookConfig() });
    for (const [query, variables] of [
      [GET, { id: channel.id }],
      [UPDATE, { i: { id: channel.id, description: 'mine now' } }],
      [TEST, { id: channel.id }],
      ['mutation($id: ID!) { deleteAlarmChannel(id: $id) }', { id: channel.id }],
    ] as const) {
      expect(codeOf(await call(query, variables, outsider))).toBe('NOT_FOUND');
    }
    const list = await call('query($w: ID!) { alarmChannels(workspaceId: $w) { id } }', { w: ws }, outsider);
    expect(codeOf(list)).toBe('FORBIDDEN');
    // Stored secrets of another workspace's channel cannot be borrowed for a test.
    const borrowed = await call(
      TEST_CONFIG,
      { i: { workspaceId: ws, type: 'WEBHOOK', channelId: channel.id, config: {} } },
      outsider,
    );
    expect(codeOf(borrowed)).toBe('FORBIDDEN');
  });

  it('deletes a channel', async () => {
    const channel = await create({
      name: 'Doomed',
      type: 'SLACK',
      config: { url: 'https://hooks.slack.com/services/T/B/x' },
    });
    const res = await data<{ deleteAlarmChannel: boolean }>(
      'mutation($id: ID!) { deleteAlarmChannel(id: $id) }',
      { id: channel.id },
      dev,
    );
    expect(res.deleteAlarmChannel).toBe(true);
    expect(codeOf(await call(GET, { id: channel.id }, dev))).toBe('NOT_FOUND');
  });

  it('never returns, logs or audits a secret', async () => {
    const { auditEvents } = await gqlData<{ auditEvents: { items: { action: string; summary: unknown }[] } }>(
      t.url,
      'query($w: ID!) { auditEvents(filter: { workspaceId: $w }, page: { offset: 0, limit: 500 }) { items { action summary } } }',
      { w: ws },
      t.token,
    );
    const audited = auditEvents.items.filter((e) => e.action.includes('AlarmChannel'));
    expect(audited.map((e) => e.action)).toContain('createAlarmChannel');
    expect(audited.find((e) => e.action === 'createAlarmChannel')!.summary).toMatchObject({
      input: { config: '[redacted]' },
    });
    const rows = await db.query<{ summary: unknown }>('SELECT summary FROM audit_event');
    const everything = [responses.join('\n'), t.logs.text(), JSON.stringify(rows)].join('\n');
    expect(responses.length).toBeGreaterThan(30);
    for (const [name, secret] of Object.entries(SECRETS)) expect(everything, name).not.toContain(secret);
  });
});
