import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData } from '../support/graphql.js';

describe('a running instance', () => {
  let db: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('has no secret key when sharing a database without SLUICE_SECRET_KEY (nothing is generated)', () => {
    expect(t.app.secretBox).toBeUndefined();
  });

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', instanceId: t.app.instanceId });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { started: true, eventBus: true, database: true } });
  });

  it('tells who it is through serverInfo, without database credentials', async () => {
    const data = await gqlData<{ serverInfo: Record<string, unknown> }>(
      t.url,
      '{ serverInfo { version instanceId startedAt database { kind serverVersion name } } }',
      undefined,
      t.token,
    );
    expect(data.serverInfo).toMatchObject({
      version: '0.1.0',
      instanceId: t.app.instanceId,
      database: { kind: 'EXTERNAL', name: db.name },
    });
    expect(String((data.serverInfo.database as { serverVersion: string }).serverVersion)).toMatch(/^\d+/);
    expect(Date.parse(String(data.serverInfo.startedAt))).toBeLessThanOrEqual(Date.now());
  });

  it('returns a request id header, echoing a well-formed incoming one', async () => {
    const own = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(own.headers.get('x-request-id')).toBe('trace-123');
    const bad = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports a query error with its code and position', async () => {
    const res = await gql(t.url, '{\n  serverInfo { nope }\n}');
    expect(res.errors?.[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "ServerInfo".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      locations: [{ line: 2, column: 16 }],
    });
    const parse = await gql(t.url, '{ serverInfo { ');
    expect(parse.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('reports a bad argument value as BAD_USER_INPUT', async () => {
    const res = await gql(t.url, 'query($s: InstanceStatus) { serverInstances(status: $s) { id } }', { s: 'SIDEWAYS' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('SIDEWAYS');
  });

  it('refuses a cross-site simple request (CSRF guard) but serves JSON POSTs', async () => {
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ serverInfo { version } }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/i);
  });
});
