import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login, type GraphQLResponse } from '../support/graphql.js';

const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const PASSWORD = 'member-password-1';
const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

const CREATE = `mutation($i: CreateDatasourceInput!) { createDatasource(input: $i) { id name type options tags secrets { name isSet } } }`;
const TEST = `mutation($id: ID!) { testDatasource(id: $id) { ok latencyMs serverVersion error { code message } } }`;

describe('datasources', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ws: string;
  let dev: string;
  let viewer: string;
  let operator: string;
  let fileRoot: string;
  const suffix = randomBytes(3).toString('hex');
  const maria = {
    database: `sluice_ds_${suffix}`,
    user: `sluice_ds_${suffix}`,
    password: `Maria-${randomBytes(9).toString('hex')}`,
  };
  let rootConn: mysql.Connection;

  beforeAll(async () => {
    db = await createTestDatabase();
    fileRoot = await mkdtemp(path.join(os.tmpdir(), 'sluice-files-'));
    t = await startTestApp({
      databaseUrl: db.url,
      env: { SLUICE_SECRET_KEY: randomBytes(32).toString('hex'), SLUICE_FILE_ROOTS: fileRoot },
    });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
    const member = async (email: string, role: string) => {
      await gqlData(
        t.url,
        'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
        { i: { workspaceId: ws, email, role, password: PASSWORD } },
        t.token,
      );
      return login(t.url, email, PASSWORD);
    };
    dev = await member('dev@sluice.test', 'DEVELOPER');
    viewer = await member('viewer@sluice.test', 'VIEWER');
    operator = await member('operator@sluice.test', 'OPERATOR');

    // Something to browse: a schema in this file's PostgreSQL database and a MariaDB database with a password-protected user.
    await db.query(`CREATE SCHEMA shop; CREATE TABLE shop.orders (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text);
      CREATE TABLE shop.items (order_id bigint, line int, sku varchar(32) NOT NULL, PRIMARY KEY (order_id, line));
      CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE amount > 100;`);
    rootConn = await mysql.createConnection(MARIADB);
    await rootConn.query(`CREATE DATABASE ${maria.database}`);
    await rootConn.query(
      `CREATE TABLE ${maria.database}.customers (id int PRIMARY KEY, name varchar(64) NOT NULL, born date NULL)`,
    );
    await rootConn.query(`CREATE USER '${maria.user}'@'%' IDENTIFIED BY '${maria.password}'`);
    await rootConn.query(`GRANT SELECT ON ${maria.database}.* TO '${maria.user}'@'%'`);
  });

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await rootConn?.query(`DROP DATABASE IF EXISTS ${maria.database}`);
    await rootConn?.query(`DROP USER IF EXISTS '${maria.user}'@'%'`);
    await rootConn?.end();
    await rm(fileRoot, { recursive: true, force: true });
  });

  const pgOptions = () => {
    const u = new URL(db.url);
    return {
      host: u.hostname,
      port: Number(u.port),
      database: db.name,
      user: u.username || 'postgres',
      sslMode: 'disable',
    };
  };
  const mariaOptions = () => ({
    host: '127.0.0.1',
    port: 3306,
    database: maria.database,
    user: maria.user,
    password: maria.password,
    sslMode: 'DISABLED',
  });

  it('answers an id that is not a UUID with a client error naming it, never an internal one', async () => {
    for (const field of ['datasource', 'task']) {
      const res = await gql(t.url, `{ ${field}(id: "abc") { id } }`, undefined, viewer);
      expect(res.errors?.[0], field).toMatchObject({
        message: '"abc" is not a valid id',
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    const run = await gql(t.url, '{ run(id: "abc") { id } }', undefined, viewer);
    expect(run.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(t.logs.text()).not.toContain('unexpected error');
  });

  it('lists the types with the options the forms are built from', async () => {
    const { datasourceTypes } = await gqlData<{
      datasourceTypes: {
        name: string;
        options: { name: string; type: string; required: boolean; secret: boolean; default: unknown }[];
      }[];
    }>(
      t.url,
      '{ datasourceTypes { name label options { name label type required default enumValues secret description placeholder } } }',
      undefined,
      viewer,
    );
    expect(datasourceTypes.map((d) => d.name)).toEqual(['POSTGRESQL', 'MYSQL', 'LOCAL_FILE']);
    const pg = datasourceTypes[0]!.options;
    expect(pg.find((o) => o.name === 'password')).toMatchObject({ secret: true });
    expect(pg.find((o) => o.name === 'port')).toMatchObject({ type: 'INTEGER', default: 5432 });
    expect(pg.find((o) => o.name === 'host')).toMatchObject({ required: true, secret: false });
  });

  it('lets a DEVELOPER create, test and browse a MariaDB and a PostgreSQL datasource', async () => {
    const { createDatasource: mdb } = await gqlData<{
      createDatasource: { id: string; options: Record<string, unknown>; secrets: unknown[] };
    }>(
      t.url,
      CREATE,
      {
        i: {
          workspaceId: ws,
          name: 'orders-mariadb',
          type: 'MYSQL',
          options: mariaOptions(),
          tags: ['prod', 'prod', ' erp '],
        },
      },
      dev,
    );
    expect(mdb.options).not.toHaveProperty('password');
    expect(mdb.secrets).toEqual([{ name: 'password', isSet: true }]);
    const mTest = await gqlData<{ testDatasource: { ok: boolean; serverVersion: string; error: unknown } }>(
      t.url,
      TEST,
      { id: mdb.id },
      dev,
    );
    expect(mTest.testDatasource).toMatchObject({ ok: true, error: null });
    expect(mTest.testDatasource.serverVersion).toMatch(/MariaDB/);

    const { createDatasource: pg } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'warehouse-pg', type: 'POSTGRESQL', options: pgOptions() } },
      dev,
    );
    expect(
      (await gqlData<{ testDatasource: { ok: boolean } }>(t.url, TEST, { id: pg.id }, dev)).testDatasource.ok,
    ).toBe(true);

    const browse = await gqlData<{
      datasource: {
        catalog: {
          schemas: {
            name: string;
            tableCount: number;
            tables: {
              name: string;
              kind: string;
              columns: { name: string; type: string; nullable: boolean; primaryKey: boolean }[];
            }[];
          }[];
        };
      };
    }>(
      t.url,
      `query($id: ID!) { datasource(id: $id) { catalog { schemas(search: "sho") { name tableCount tables { name kind columns { name type nullable primaryKey } } } } } }`,
      { id: pg.id },
      viewer,
    );
    const [shop] = browse.datasource.catalog.schemas;
    expect(shop).toMatchObject({ name: 'shop', tableCount: 3 });
    expect(shop!.tables.map((x) => `${x.name}:${x.kind}`)).toEqual(['big_orders:VIEW', 'items:TABLE', 'orders:TABLE']);
    expect(shop!.tables.find((x) => x.name === 'items')!.columns).toEqual([
      { name: 'order_id', type: 'bigint', nullable: false, primaryKey: true },
      { name: 'line', type: 'integer', nullable: false, primaryKey: true },
      { name: 'sku', type: 'character varying(32)', nullable: false, primaryKey: false },
    ]);

    const mBrowse = await gqlData<{
      datasource: {
        catalog: {
          schemas: {
            name: string;
            tables: {
              name: string;
              columns: { name: string; type: string; nullable: boolean; primaryKey: boolean }[];
            }[];
          }[];
        };
      };
    }>(
      t.url,
      `query($id: ID!, $s: String) { datasource(id: $id) { catalog { schemas(search: $s) { name tables { name columns { name type nullable primaryKey } } } } } }`,
      { id: mdb.id, s: maria.database },
      viewer,
    );
    expect(mBrowse.datasource.catalog.schemas).toEqual([
      {
        name: maria.database,
        tables: [
          {
            name: 'customers',
            columns: [
              { name: 'id', type: 'int(11)', nullable: false, primaryKey: true },
              { name: 'name', type: 'varchar(64)', nullable: false, primaryKey: false },
              { name: 'born', type: 'date', nullable: true, primaryKey: false },
            ],
          },
        ],
      },
    ]);
  });

  it('never returns, stores in plain text or logs a secret', async () => {
    const secret = `S3cret-${randomBytes(8).toString('hex')}`;
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'secretive', type: 'MYSQL', options: { ...mariaOptions(), password: secret } } },
      dev,
    );
    const everyRead = await Promise.all(
      [dev, viewer, operator, t.token].map((token) =>
        gql(
          t.url,
          `query($id: ID!, $w: ID!) { datasource(id: $id) { options secrets { name isSet } } datasources(workspaceId: $w) { items { options } } }`,
          { id: createDatasource.id, w: ws },
          token,
        ),
      ),
    );
    for (const res of everyRead) {
      expect(res.errors).toBeUndefined();
      expect(JSON.stringify(res)).not.toContain(secret);
    }
    // The wrong password fails the test, and the failure message does not echo it either.
    const failed = await gqlData<{ testDatasource: { ok: boolean; error: { code: string; message: string } } }>(
      t.url,
      TEST,
      { id: createDatasource.id },
      operator,
    );
    expect(failed.testDatasource).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION_FAILED' } });
    expect(failed.testDatasource.error.message).not.toContain(secret);

    const rows = await db.query<Record<string, unknown>>('SELECT * FROM datasource');
    const raw = JSON.stringify(
      rows.map((r) => ({ ...r, sealed_secrets: (r.sealed_secrets as Buffer | null)?.toString('latin1') })),
    );
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(maria.password);
    expect(JSON.stringify(await db.query('SELECT * FROM audit_event'))).not.toContain(secret);
    expect(t.logs.text()).not.toContain(secret);
    expect(t.logs.text()).not.toContain(maria.password);
  });

  it('keeps a secret left out of an update, clears one set to null, and tests edits with the stored secret', async () => {
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'editable', type: 'MYSQL', options: mariaOptions() } },
      dev,
    );
    const { password: _omitted, ...withoutPassword } = mariaOptions();
    const UPDATE = `mutation($i: UpdateDatasourceInput!) { updateDatasource(input: $i) { options secrets { name isSet } } }`;
    await gqlData(
      t.url,
      UPDATE,
      { i: { id: createDatasource.id, options: { ...withoutPassword, connectTimeoutSeconds: 5 } } },
      dev,
    );
    expect(
      (await gqlData<{ testDatasource: { ok: boolean } }>(t.url, TEST, { id: createDatasource.id }, dev)).testDatasource
        .ok,
    ).toBe(true);

    const edited = await gqlData<{ testDatasourceInput: { ok: boolean } }>(
      t.url,
      `mutation($i: TestDatasourceInput!) { testDatasourceInput(input: $i) { ok error { code } } }`,
      {
        i: {
          workspaceId: ws,
          type: 'MYSQL',
          options: { ...withoutPassword, port: 3306 },
          datasourceId: createDatasource.id,
        },
      },
      dev,
    );
    expect(edited.testDatasourceInput.ok).toBe(true);

    const cleared = await gqlData<{ updateDatasource: { secrets: unknown[] } }>(
      t.url,
      UPDATE,
      { i: { id: createDatasource.id, options: { ...withoutPassword, password: null } } },
      dev,
    );
    expect(cleared.updateDatasource.secrets).toEqual([{ name: 'password', isSet: false }]);
    const [row] = await db.query<{ sealed_secrets: Buffer | null }>(
      'SELECT sealed_secrets FROM datasource WHERE id = $1',
      [createDatasource.id],
    );
    expect(row!.sealed_secrets).toBeNull();
  });

  it("keeps each datasource's last test outcome for the list, null until it is tested", async () => {
    const LAST = `lastTest { ok testedAt latencyMs serverVersion errorCode message }`;
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'last-test-good', type: 'MYSQL', options: mariaOptions() } },
      dev,
    );
    const wrongPassword = `Wrong-${randomBytes(6).toString('hex')}`;
    const { createDatasource: bad } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      {
        i: {
          workspaceId: ws,
          name: 'last-test-bad',
          type: 'MYSQL',
          options: { ...mariaOptions(), password: wrongPassword },
        },
      },
      dev,
    );
    const listed = async () =>
      (
        await gqlData<{
          datasources: {
            items: {
              id: string;
              lastTest: {
                ok: boolean;
                testedAt: string;
                latencyMs: number;
                serverVersion: string | null;
                errorCode: string | null;
                message: string | null;
              } | null;
            }[];
          };
        }>(
          t.url,
          `query($w: ID!) { datasources(workspaceId: $w, filter: { search: "last-test" }) { items { id ${LAST} } } }`,
          { w: ws },
          viewer,
        )
      ).datasources.items;
    expect((await listed()).map((d) => d.lastTest)).toEqual([null, null]);

    const before = Date.now();
    // An OPERATOR may test (not edit); the outcome is kept all the same.
    const good = (
      await gqlData<{ testDatasource: { latencyMs: number } }>(t.url, TEST, { id: createDatasource.id }, operator)
    ).testDatasource;
    const failed = (
      await gqlData<{ testDatasource: { ok: boolean; error: { code: string } } }>(t.url, TEST, { id: bad.id }, operator)
    ).testDatasource;
    expect(failed).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION_FAILED' } });

    const [badRow, goodRow] = await listed();
    expect(goodRow!.id).toBe(createDatasource.id);
    expect(goodRow!.lastTest).toMatchObject({ ok: true, latencyMs: good.latencyMs, errorCode: null, message: null });
    expect(goodRow!.lastTest!.serverVersion).toMatch(/MariaDB/i);
    expect(Date.parse(goodRow!.lastTest!.testedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(badRow!.lastTest).toMatchObject({ ok: false, errorCode: 'AUTHENTICATION_FAILED' });
    expect(badRow!.lastTest!.message).toMatch(/\S/);
    expect(JSON.stringify(badRow)).not.toContain(wrongPassword);
    // A test of unsaved options (an edit form) leaves the saved one's outcome alone.
    await gqlData(
      t.url,
      `mutation($i: TestDatasourceInput!) { testDatasourceInput(input: $i) { ok } }`,
      { i: { workspaceId: ws, type: 'MYSQL', options: mariaOptions(), datasourceId: bad.id } },
      dev,
    );
    expect((await listed())[0]!.lastTest).toMatchObject({ ok: false, errorCode: 'AUTHENTICATION_FAILED' });
  });

  it('forgets the last test when the connection options or secrets change, not when the name or tags do', async () => {
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'retested', type: 'MYSQL', options: mariaOptions() } },
      dev,
    );
    const id = createDatasource.id;
    const UPDATE = `mutation($i: UpdateDatasourceInput!) { updateDatasource(input: $i) { lastTest { ok } } }`;
    const update = async (input: Record<string, unknown>) =>
      (
        await gqlData<{ updateDatasource: { lastTest: { ok: boolean } | null } }>(
          t.url,
          UPDATE,
          { i: { id, ...input } },
          dev,
        )
      ).updateDatasource.lastTest;
    const retest = () => gqlData(t.url, TEST, { id }, dev);
    const { password: _kept, ...withoutPassword } = mariaOptions();

    await retest();
    expect(await update({ name: 'retested-renamed', tags: ['x'], description: 'same connection' })).toEqual({
      ok: true,
    });
    // The same values again, in another order and with the stored password left out: still the same connection.
    expect(await update({ options: Object.fromEntries(Object.entries(withoutPassword).reverse()) })).toEqual({
      ok: true,
    });
    expect(await update({ options: { ...withoutPassword, connectTimeoutSeconds: 7 } })).toBeNull();

    await retest();
    expect(
      await update({ options: { ...withoutPassword, connectTimeoutSeconds: 7, password: 'another-one' } }),
    ).toBeNull();
    const [row] = await db.query<{ last_tested_at: Date | null; last_test_ok: boolean | null }>(
      'SELECT last_tested_at, last_test_ok FROM datasource WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ last_tested_at: null, last_test_ok: null });
  });

  it('leaves updatedAt alone when it records a test (a test is not an edit)', async () => {
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'untouched', type: 'POSTGRESQL', options: pgOptions() } },
      dev,
    );
    const read = async () =>
      (
        await gqlData<{ datasource: { updatedAt: string; lastTest: { ok: boolean } | null } }>(
          t.url,
          'query($id: ID!) { datasource(id: $id) { updatedAt lastTest { ok } } }',
          { id: createDatasource.id },
          viewer,
        )
      ).datasource;
    const before = await read();
    await gqlData(t.url, TEST, { id: createDatasource.id }, operator);
    expect(await read()).toEqual({ updatedAt: before.updatedAt, lastTest: { ok: true } });
  });

  it('reports every bad option by field', async () => {
    const res = await gql(
      t.url,
      CREATE,
      {
        i: {
          workspaceId: ws,
          name: 'broken',
          type: 'POSTGRESQL',
          options: { port: '5432', sslMode: 'sometimes', colour: 'blue', user: 'x' },
        },
      },
      dev,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    const fields = (res.errors![0]!.extensions!.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['options.colour', 'options.database', 'options.host', 'options.port', 'options.sslMode']);
    expect(res.errors![0]!.extensions!.field).toBeDefined();

    const unknownType = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'x', type: 'ORACLE', options: {} } },
      dev,
    );
    expect(unknownType.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'type' } });
    const duplicate = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'ORDERS-mariadb', type: 'MYSQL', options: mariaOptions() } },
      dev,
    );
    expect(duplicate.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'name' } });
  });

  it('gives each role what it may do: VIEWER reads, OPERATOR also tests, DEVELOPER edits; other workspaces see nothing', async () => {
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'roles', type: 'POSTGRESQL', options: pgOptions() } },
      dev,
    );
    const id = createDatasource.id;
    expect(
      codeOf(
        await gql(
          t.url,
          CREATE,
          { i: { workspaceId: ws, name: 'nope', type: 'POSTGRESQL', options: pgOptions() } },
          viewer,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(codeOf(await gql(t.url, TEST, { id }, viewer))).toBe('FORBIDDEN');
    expect((await gqlData<{ testDatasource: { ok: boolean } }>(t.url, TEST, { id }, operator)).testDatasource.ok).toBe(
      true,
    );
    expect(codeOf(await gql(t.url, 'mutation($id: ID!) { deleteDatasource(id: $id) }', { id }, operator))).toBe(
      'FORBIDDEN',
    );

    const { createWorkspace } = await gqlData<{ createWorkspace: { id: string } }>(
      t.url,
      'mutation { createWorkspace(input: { name: "Elsewhere" }) { id } }',
      undefined,
      t.token,
    );
    await gqlData(
      t.url,
      'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
      { i: { workspaceId: createWorkspace.id, email: 'else@sluice.test', role: 'ADMIN', password: PASSWORD } },
      t.token,
    );
    const stranger = await login(t.url, 'else@sluice.test', PASSWORD);
    expect(codeOf(await gql(t.url, 'query($id: ID!) { datasource(id: $id) { name } }', { id }, stranger))).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(await gql(t.url, TEST, { id }, stranger))).toBe('NOT_FOUND');
    expect(codeOf(await gql(t.url, 'mutation($id: ID!) { deleteDatasource(id: $id) }', { id }, stranger))).toBe(
      'NOT_FOUND',
    );

    await gqlData(t.url, 'mutation($id: ID!) { deleteDatasource(id: $id) }', { id }, dev);
    expect(codeOf(await gql(t.url, 'query($id: ID!) { datasource(id: $id) { name } }', { id }, dev))).toBe('NOT_FOUND');
  });

  it('records datasource changes in the audit log with the password redacted', async () => {
    const { auditEvents } = await gqlData<{
      auditEvents: { items: { summary: { input: { options: Record<string, unknown> } } }[] };
    }>(
      t.url,
      'query($w: ID!) { auditEvents(filter: { workspaceId: $w, action: "createDatasource" }) { items { summary } } }',
      { w: ws },
      t.token,
    );
    const mariaCreate = auditEvents.items.find((e) => e.summary.input.options.user === maria.user);
    expect(mariaCreate?.summary.input.options.password).toBe('[redacted]');
  });

  it('lists the files of a LOCAL_FILE datasource, inside the allowed roots only', async () => {
    await mkdir(path.join(fileRoot, 'exports', '2026'), { recursive: true });
    await writeFile(path.join(fileRoot, 'exports', 'orders.csv'), 'id,amount\n1,2\n');
    await writeFile(path.join(fileRoot, 'exports', '2026', 'events.jsonl.gz'), 'x');
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      CREATE,
      {
        i: { workspaceId: ws, name: 'exports', type: 'LOCAL_FILE', options: { path: path.join(fileRoot, 'exports') } },
      },
      dev,
    );
    const { datasource } = await gqlData<{
      datasource: { catalog: { fileCount: number; files: Record<string, unknown>[] } };
    }>(
      t.url,
      'query($id: ID!) { datasource(id: $id) { catalog { fileCount files { path size format compression } } } }',
      { id: createDatasource.id },
      viewer,
    );
    expect(datasource.catalog.fileCount).toBe(2);
    expect(datasource.catalog.files).toEqual([
      { path: '2026/events.jsonl.gz', size: 1, format: 'json', compression: 'gzip' },
      { path: 'orders.csv', size: 14, format: 'csv', compression: null },
    ]);
    const outside = await gqlData<{ testDatasourceInput: { ok: boolean; error: { code: string } } }>(
      t.url,
      `mutation($i: TestDatasourceInput!) { testDatasourceInput(input: $i) { ok error { code } } }`,
      { i: { workspaceId: ws, type: 'LOCAL_FILE', options: { path: '/etc' } } },
      dev,
    );
    expect(outside.testDatasourceInput).toEqual({ ok: false, error: { code: 'NOT_ALLOWED' } });
  });
});

describe('datasources on a shared database without SLUICE_SECRET_KEY', () => {
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

  it('refuses to store a secret, with the setting to fix named, and still stores datasources without one', async () => {
    const ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
    const withSecret = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'a', type: 'MYSQL', options: { host: '127.0.0.1', user: 'x', password: 'y' } } },
      t.token,
    );
    expect(withSecret.errors?.[0]).toMatchObject({ extensions: { code: 'SECRET_KEY_MISSING' } });
    expect(withSecret.errors?.[0]?.message).toContain('SLUICE_SECRET_KEY');
    await gqlData(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'b', type: 'MYSQL', options: { host: '127.0.0.1', user: 'x' } } },
      t.token,
    );
  });
});
