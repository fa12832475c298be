import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { EmbeddedPostgres } from '../../server/src/database/embedded-postgres.js';
import { AppError } from '../../server/src/errors.js';
import { classifyConnectionError } from '../../server/src/modules/datasource/drivers/classify.js';
import type {
  CatalogTable,
  ConnectionOptions,
  DatasourceDriver,
  TestResult,
} from '../../server/src/modules/datasource/drivers/driver.js';
import {
  createLocalFileDriver,
  localFileDriver,
} from '../../server/src/modules/datasource/drivers/local-file.driver.js';
import { mysqlDriver } from '../../server/src/modules/datasource/drivers/mysql.driver.js';
import { postgresDriver } from '../../server/src/modules/datasource/drivers/postgres.driver.js';
import { ADMIN_URL } from '../support/env.js';
import { captureLogs } from '../support/logs.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NO_FILE_ROOTS = { fileRoots: [] };
const ALL = { offset: 0, limit: 100 };
const suffix = () => `${inject('runId')}_${randomBytes(3).toString('hex')}`;

/** The node-postgres module the driver loads (server/node_modules/pg), to count the driver's queries. */
const driverPg = createRequire(path.join(ROOT, 'server/src/modules/datasource/drivers/postgres.driver.ts'))(
  'pg',
) as typeof pg;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP server on 127.0.0.1 that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function expectFailure(result: TestResult, code: string, message?: RegExp): void {
  expect(result.error?.code, result.error?.message).toBe(code);
  expect(result.ok).toBe(false);
  expect(result.serverVersion).toBeNull();
  expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  if (message) expect(result.error?.message).toMatch(message);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Every table of a schema, via pages of `size`, checking `total` on each page. */
async function allPages(driver: DatasourceDriver, options: ConnectionOptions, schema: string, size: number) {
  const pages: CatalogTable[][] = [];
  let total = -1;
  for (let offset = 0; total < 0 || offset < total; offset += size) {
    const page = await driver.tables!(options, schema, {}, { offset, limit: size }, NO_FILE_ROOTS);
    if (total >= 0) expect(page.total).toBe(total);
    total = page.total;
    pages.push(page.items);
  }
  return pages;
}

describe('classifyConnectionError', () => {
  const target = { host: 'db.x', port: 5432, database: 'sales', user: 'etl', connectTimeoutSeconds: 7 };
  const error = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

  const cases: [string, Error, string, RegExp][] = [
    [
      'a failed DNS lookup',
      error('getaddrinfo ENOTFOUND db.x', { code: 'ENOTFOUND' }),
      'HOST_NOT_FOUND',
      /^Host db\.x not found/,
    ],
    [
      'a DNS server that does not answer',
      error('getaddrinfo EAI_AGAIN db.x', { code: 'EAI_AGAIN' }),
      'HOST_NOT_FOUND',
      /db\.x/,
    ],
    [
      'a refused connection',
      error('connect ECONNREFUSED 10.0.0.1:5432', { code: 'ECONNREFUSED', errno: -111 }),
      'CONNECTION_REFUSED',
      /^Nothing accepts connections on db\.x:5432/,
    ],
    [
      'every address of a host refusing (an AggregateError without a message)',
      new AggregateError([error('connect ECONNREFUSED ::1:5432', { code: 'ECONNREFUSED' })], ''),
      'CONNECTION_REFUSED',
      /db\.x:5432/,
    ],
    ["node-postgres' connect timeout", error('timeout expired'), 'TIMEOUT', /db\.x:5432 did not answer within 7 s/],
    [
      "pg-pool's connect timeout",
      error('Connection terminated due to connection timeout'),
      'TIMEOUT',
      /did not answer/,
    ],
    [
      "mysql2's connect timeout",
      error('connect ETIMEDOUT', { code: 'ETIMEDOUT', errno: 'ETIMEDOUT' }),
      'TIMEOUT',
      /did not answer/,
    ],
    [
      'a statement timeout',
      error('canceling statement due to statement timeout', { code: '57014' }),
      'TIMEOUT',
      /took too long/,
    ],
    [
      'PostgreSQL 28P01',
      error('password authentication failed for user "etl"', { code: '28P01' }),
      'AUTHENTICATION_FAILED',
      /^User etl could not sign in to db\.x:5432 \(password authentication failed/,
    ],
    [
      'PostgreSQL 28000',
      error('no pg_hba.conf entry for host "10.0.0.2", user "etl"', { code: '28000' }),
      'AUTHENTICATION_FAILED',
      /pg_hba/,
    ],
    [
      'MySQL 1045',
      error("Access denied for user 'etl'@'10.0.0.2' (using password: YES)", {
        code: 'ER_ACCESS_DENIED_ERROR',
        errno: 1045,
        sqlState: '28000',
      }),
      'AUTHENTICATION_FAILED',
      /could not sign in/,
    ],
    [
      'MySQL 1698 by number only',
      error("Access denied for user 'root'@'localhost'", { errno: 1698 }),
      'AUTHENTICATION_FAILED',
      /could not sign in/,
    ],
    [
      'certificate authentication failing on the server (its code wins over the word "certificate")',
      error('certificate authentication failed for user "etl"', { code: '28000' }),
      'AUTHENTICATION_FAILED',
      /could not sign in/,
    ],
    [
      'PostgreSQL 3D000',
      error('database "sales" does not exist', { code: '3D000' }),
      'DATABASE_NOT_FOUND',
      /^Database sales does not exist on db\.x:5432/,
    ],
    [
      'MySQL 1049',
      error("Unknown database 'sales'", { code: 'ER_BAD_DB_ERROR', errno: 1049, sqlState: '42000' }),
      'DATABASE_NOT_FOUND',
      /Database sales/,
    ],
    [
      'a PostgreSQL server without TLS',
      error('The server does not support SSL connections'),
      'TLS_FAILURE',
      /does not support TLS/,
    ],
    [
      'a MySQL server without TLS',
      error('Server does not support secure connnection', { code: 'HANDSHAKE_NO_SSL_SUPPORT', fatal: true }),
      'TLS_FAILURE',
      /does not support TLS/,
    ],
    [
      'a self-signed certificate',
      error('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      'TLS_FAILURE',
      /^TLS with db\.x:5432 failed: self-signed certificate/,
    ],
    [
      'a self-signed CA',
      error('self-signed certificate in certificate chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      'TLS_FAILURE',
      /certificate/,
    ],
    [
      'an unverifiable certificate',
      error('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      'TLS_FAILURE',
      /TLS/,
    ],
    [
      'a certificate for another host',
      error("Hostname/IP does not match certificate's altnames: Host: db.x. is not in the cert's altnames: DNS:other", {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
      'TLS_FAILURE',
      /altnames/,
    ],
    [
      "mysql2's failed TLS handshake",
      error('unable to get local issuer certificate', { code: 'HANDSHAKE_SSL_ERROR', fatal: true }),
      'TLS_FAILURE',
      /TLS/,
    ],
    [
      'PostgreSQL 42501',
      error('permission denied for database "sales"', { code: '42501' }),
      'PERMISSION_DENIED',
      /^User etl lacks a privilege on db\.x:5432 \(permission denied/,
    ],
    [
      'MySQL 1044',
      error("Access denied for user 'etl'@'%' to database 'sales'", { code: 'ER_DBACCESS_DENIED_ERROR', errno: 1044 }),
      'PERMISSION_DENIED',
      /lacks a privilege/,
    ],
    [
      'anything else',
      error('connect EHOSTUNREACH 10.0.0.1:5432', { code: 'EHOSTUNREACH', errno: -113 }),
      'UNKNOWN',
      /^connect EHOSTUNREACH 10\.0\.0\.1:5432$/,
    ],
    ['a thrown non-error', 'kaput' as unknown as Error, 'UNKNOWN', /^kaput$/],
  ];

  it.each(cases)('classifies %s', (_what, err, code, message) => {
    const classified = classifyConnectionError(err, target);
    expect(classified.code).toBe(code);
    expect(classified.message).toMatch(message);
  });

  it.each(cases)('keeps the password out of the message for %s', (_what, err, code) => {
    const password = 'S3cr3t/pa55 w0rd';
    const leaky = err instanceof Error ? err : new Error(String(err));
    const original = leaky.message;
    leaky.message = `${original} (password=${password}, url=postgres://etl:${encodeURIComponent(password)}@db.x/sales)`;
    try {
      const classified = classifyConnectionError(leaky, { ...target, password });
      expect(classified.code).toBe(code);
      expect(classified.message).not.toContain(password);
      expect(classified.message).not.toContain(encodeURIComponent(password));
    } finally {
      leaky.message = original;
    }
  });

  it('replaces the password by *** and keeps the rest of an unknown message', () => {
    const classified = classifyConnectionError(new Error('bad option near hunter2, giving up'), {
      ...target,
      password: 'hunter2',
    });
    expect(classified).toEqual({ code: 'UNKNOWN', message: 'bad option near ***, giving up' });
  });
});

describe('the POSTGRESQL driver', () => {
  const admin = new URL(ADMIN_URL);
  /** The machine's PostgreSQL (trust authentication: any password is accepted). */
  const local: ConnectionOptions = {
    host: admin.hostname,
    port: Number(admin.port || 5432),
    database: admin.pathname.slice(1) || 'postgres',
    user: decodeURIComponent(admin.username) || 'postgres',
    password: decodeURIComponent(admin.password),
    sslMode: 'prefer',
    connectTimeoutSeconds: 10,
  };
  const logs = captureLogs('warn');
  let dataDir: string;
  let embedded: EmbeddedPostgres;
  /** A password-protected PostgreSQL without TLS, started for this file. */
  let secured: ConnectionOptions;
  let securedUrl: string;

  async function onSecured<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: securedUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-drivers-pg-'));
    embedded = new EmbeddedPostgres({ dataDir, port: 0, logger: logs.logger });
    securedUrl = await embedded.start();
    const url = new URL(securedUrl);
    secured = {
      host: url.hostname,
      port: Number(url.port),
      database: url.pathname.slice(1),
      user: url.username,
      password: decodeURIComponent(url.password),
      sslMode: 'prefer',
      connectTimeoutSeconds: 10,
    };
  });
  afterAll(async () => {
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('connects, reports the server version and latency, falling back from prefer to plain on a server without TLS', async () => {
    const result = await postgresDriver.test(local, NO_FILE_ROOTS);
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    const version = (await client.query<{ server_version: string }>('SHOW server_version').finally(() => client.end()))
      .rows[0]!.server_version;
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number) as number, serverVersion: version, error: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('signs in with a password, with TLS disabled explicitly', async () => {
    const result = await postgresDriver.test({ ...secured, sslMode: 'disable' }, NO_FILE_ROOTS);
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.serverVersion).toMatch(/^\d+\.\d+/);
  });

  it('reports AUTHENTICATION_FAILED for a wrong password, without the password in the message', async () => {
    const password = 'wrong-Pa55word!';
    const result = await postgresDriver.test({ ...secured, password }, NO_FILE_ROOTS);
    expectFailure(result, 'AUTHENTICATION_FAILED', /^User sluice could not sign in to 127\.0\.0\.1:\d+/);
    expect(result.error?.message).not.toContain(password);
  });

  it('reports CONNECTION_REFUSED on a port nothing listens on', async () => {
    const port = await closedPort();
    const result = await postgresDriver.test({ ...local, port }, NO_FILE_ROOTS);
    expectFailure(result, 'CONNECTION_REFUSED', new RegExp(`^Nothing accepts connections on 127\\.0\\.0\\.1:${port}`));
  });

  it('reports DATABASE_NOT_FOUND for a database that does not exist', async () => {
    const database = `sluice_missing_${suffix()}`;
    const result = await postgresDriver.test({ ...local, database }, NO_FILE_ROOTS);
    expectFailure(result, 'DATABASE_NOT_FOUND', new RegExp(`^Database ${database} does not exist`));
  });

  it('reports TIMEOUT after connectTimeoutSeconds when the server accepts but never answers', async () => {
    const silent = await silentServer();
    try {
      const result = await postgresDriver.test(
        { ...local, port: silent.port, connectTimeoutSeconds: 1 },
        NO_FILE_ROOTS,
      );
      expectFailure(result, 'TIMEOUT', /did not answer within 1 s/);
      expect(result.latencyMs).toBeGreaterThanOrEqual(900);
    } finally {
      await silent.close();
    }
  });

  it('reports TLS_FAILURE when sslMode require meets a server without TLS', async () => {
    const result = await postgresDriver.test({ ...secured, sslMode: 'require' }, NO_FILE_ROOTS);
    expectFailure(result, 'TLS_FAILURE', /does not support TLS/);
  });

  it('reports PERMISSION_DENIED for a role that may not connect to the database', async () => {
    const role = `sluice_noconnect_${suffix()}`;
    const database = `sluice_private_${suffix()}`;
    const password = randomBytes(12).toString('hex');
    await onSecured(async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await c.query(`CREATE DATABASE ${database}`);
      await c.query(`REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC`);
    });
    try {
      const result = await postgresDriver.test({ ...secured, user: role, password, database }, NO_FILE_ROOTS);
      expectFailure(result, 'PERMISSION_DENIED', new RegExp(`^User ${role} lacks a privilege`));
    } finally {
      await onSecured(async (c) => {
        await c.query(`DROP DATABASE ${database}`);
        await c.query(`DROP ROLE ${role}`);
      });
    }
  });

  it('throws an AppError with a masked message when the catalog cannot connect', async () => {
    const password = 'wrong-Pa55word!';
    const error = await rejection(postgresDriver.schemas!({ ...secured, password }, {}, ALL, NO_FILE_ROOTS));
    expect(error.code).toBe('DATASOURCE_UNAVAILABLE');
    expect(error.extensions.reason).toBe('AUTHENTICATION_FAILED');
    expect(error.message).not.toContain(password);
  });

  describe('catalog', () => {
    // A name that breaks any SQL built by pasting it in: space, upper case, double and single quote.
    const schema = `Mixed Case"Quote'`;
    const other = 'sluice_other';
    const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

    beforeAll(async () => {
      await onSecured(async (c) => {
        await c.query(`CREATE SCHEMA ${q(schema)}`);
        await c.query(`CREATE SCHEMA ${other}`);
        await c.query(`SET search_path = ${q(schema)}`);
        await c.query(`
          CREATE TABLE customers (id integer PRIMARY KEY, name varchar(64) NOT NULL, email text);
          CREATE TABLE orders (
            region varchar(8) NOT NULL,
            id bigint NOT NULL,
            amount numeric(12,2) NOT NULL,
            note varchar(200),
            created_at timestamp NOT NULL DEFAULT now(),
            PRIMARY KEY (region, id)
          );
          CREATE TABLE order_lines (
            order_region varchar(8),
            order_id bigint,
            line integer,
            sku varchar(32) NOT NULL,
            price numeric(10,2),
            PRIMARY KEY (order_region, order_id, line)
          );
          INSERT INTO customers VALUES (1, 'Ada', NULL), (2, 'Bo', 'bo@example.com'), (3, 'Cy', NULL);
          INSERT INTO orders (region, id, amount) VALUES ('eu', 1, 10), ('eu', 2, 200), ('us', 1, 300), ('us', 2, 5), ('us', 3, 150);
          INSERT INTO order_lines SELECT 'eu', 1, n, 'sku-' || n, n * 1.5 FROM generate_series(1, 7) n;
          CREATE VIEW big_orders AS SELECT region, id, amount FROM orders WHERE amount > 100;
          CREATE MATERIALIZED VIEW orders_by_region AS SELECT region, count(*) AS orders, sum(amount) AS total FROM orders GROUP BY region;
          ANALYZE;
        `);
      });
    });
    afterAll(async () => {
      await onSecured(async (c) => {
        await c.query(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
        await c.query(`DROP SCHEMA IF EXISTS ${other} CASCADE`);
      });
    });

    it('lists the tables of a schema whose name needs quoting, with kinds, types, nullability, primary keys and row estimates', async () => {
      const { items, total } = await postgresDriver.tables!(secured, schema, {}, ALL, NO_FILE_ROOTS);
      const column = (name: string, type: string, nullable: boolean, primaryKey = false) => ({
        name,
        type,
        nullable,
        primaryKey,
      });
      expect(total).toBe(5);
      expect(items).toEqual([
        {
          name: 'big_orders',
          kind: 'VIEW',
          estimatedRows: null,
          columns: [
            column('region', 'character varying(8)', true),
            column('id', 'bigint', true),
            column('amount', 'numeric(12,2)', true),
          ],
        },
        {
          name: 'customers',
          kind: 'TABLE',
          estimatedRows: 3,
          columns: [
            column('id', 'integer', false, true),
            column('name', 'character varying(64)', false),
            column('email', 'text', true),
          ],
        },
        {
          name: 'order_lines',
          kind: 'TABLE',
          estimatedRows: 7,
          columns: [
            column('order_region', 'character varying(8)', false, true),
            column('order_id', 'bigint', false, true),
            column('line', 'integer', false, true),
            column('sku', 'character varying(32)', false),
            column('price', 'numeric(10,2)', true),
          ],
        },
        {
          name: 'orders',
          kind: 'TABLE',
          estimatedRows: 5,
          columns: [
            column('region', 'character varying(8)', false, true),
            column('id', 'bigint', false, true),
            column('amount', 'numeric(12,2)', false),
            column('note', 'character varying(200)', true),
            column('created_at', 'timestamp without time zone', false),
          ],
        },
        {
          name: 'orders_by_region',
          kind: 'MATERIALIZED_VIEW',
          estimatedRows: 2,
          columns: [
            column('region', 'character varying(8)', true),
            column('orders', 'bigint', true),
            column('total', 'numeric', true),
          ],
        },
      ]);
    });

    it('reads the columns of every table on a page with one query, not one per table', async () => {
      const query = vi.spyOn(driverPg.Client.prototype, 'query');
      try {
        const { items } = await postgresDriver.tables!(secured, schema, {}, ALL, NO_FILE_ROOTS);
        expect(items.map((t) => t.columns.length)).toEqual([3, 3, 5, 5, 3]);
        // One for the page of tables, one for all their columns.
        expect(query).toHaveBeenCalledTimes(2);
      } finally {
        query.mockRestore();
      }
    });

    it('pages tables with the total counted on the server', async () => {
      const pages = await allPages(postgresDriver, secured, schema, 2);
      expect(pages.map((p) => p.map((t) => t.name))).toEqual([
        ['big_orders', 'customers'],
        ['order_lines', 'orders'],
        ['orders_by_region'],
      ]);
      const past = await postgresDriver.tables!(secured, schema, {}, { offset: 10, limit: 2 }, NO_FILE_ROOTS);
      expect(past).toEqual({ total: 5, items: [] });
    });

    it('searches tables case-insensitively, taking % and _ literally', async () => {
      const names = async (search: string) => {
        const page = await postgresDriver.tables!(secured, schema, { search }, ALL, NO_FILE_ROOTS);
        expect(page.total).toBe(page.items.length);
        return page.items.map((t) => t.name);
      };
      expect(await names('ORDERS')).toEqual(['big_orders', 'orders', 'orders_by_region']);
      expect(await names('_')).toEqual(['big_orders', 'order_lines', 'orders_by_region']);
      expect(await names('%')).toEqual([]);
    });

    it('lists schemas without the system ones (also temporary ones), searching and paging', async () => {
      // A session with a temporary table has a pg_temp_N and a pg_toast_temp_N schema.
      await onSecured(async (c) => {
        await c.query('CREATE TEMP TABLE scratch (x int)');
        const page = await postgresDriver.schemas!(secured, {}, ALL, NO_FILE_ROOTS);
        expect(page).toEqual({ total: 3, items: [schema, 'public', other] });
        const { rows } = await c.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'pg_temp%' OR nspname LIKE 'pg_toast%'",
        );
        expect(rows[0]!.n).toBeGreaterThanOrEqual(3);
      });
      expect(await postgresDriver.schemas!(secured, { search: 'CASE"q' }, ALL, NO_FILE_ROOTS)).toEqual({
        total: 1,
        items: [schema],
      });
      expect(await postgresDriver.schemas!(secured, {}, { offset: 1, limit: 1 }, NO_FILE_ROOTS)).toEqual({
        total: 3,
        items: ['public'],
      });
    });

    it('throws NOT_FOUND for the tables of a schema that does not exist', async () => {
      const error = await rejection(postgresDriver.tables!(secured, `${schema}x`, {}, ALL, NO_FILE_ROOTS));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe(`Schema ${schema}x does not exist`);
      // An existing schema without tables is an empty page, not an error.
      expect(await postgresDriver.tables!(secured, other, {}, ALL, NO_FILE_ROOTS)).toEqual({ total: 0, items: [] });
    });
  });
});

describe('the MYSQL driver', () => {
  const admin = new URL(process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const root: ConnectionOptions = {
    host: admin.hostname,
    port: Number(admin.port || 3306),
    user: decodeURIComponent(admin.username),
    password: decodeURIComponent(admin.password),
    sslMode: 'PREFERRED',
    connectTimeoutSeconds: 10,
  };
  const id = suffix();
  const user = `sluice_${id}`.slice(0, 32);
  const password = `Pw-${randomBytes(9).toString('base64url')}!@`;
  // A name that breaks any SQL built by pasting it in: space, upper case, double and single quote.
  const database = `Mixed Case"Quote'${id}`;
  const other = `sluice_other_${id}`;
  let dedicated: ConnectionOptions;
  let haveSsl: string;

  async function asRoot<T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> {
    const c = await mysql.createConnection({
      host: root.host as string,
      port: root.port as number,
      user: root.user as string,
      password: root.password as string,
      multipleStatements: true,
    });
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    dedicated = { ...root, user, password, database };
    await asRoot(async (c) => {
      haveSsl = String(((await c.query<mysql.RowDataPacket[]>('SELECT @@have_ssl AS s'))[0][0] as { s: string }).s);
      await c.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      for (const name of [database, other]) {
        await c.query(`CREATE DATABASE ${mysql.escapeId(name)}`);
        await c.query(`GRANT ALL ON ${mysql.escapeId(name)}.* TO ?@?`, [user, '%']);
      }
      await c.query(`USE ${mysql.escapeId(database)}`);
      await c.query(`
        CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, email TEXT NULL);
        CREATE TABLE orders (
          region VARCHAR(8) NOT NULL,
          id BIGINT NOT NULL,
          amount DECIMAL(12,2) NOT NULL,
          note VARCHAR(200) NULL,
          created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
          PRIMARY KEY (region, id)
        );
        CREATE TABLE order_lines (
          order_region VARCHAR(8) NOT NULL,
          order_id BIGINT NOT NULL,
          line INT NOT NULL,
          sku VARCHAR(32) NOT NULL,
          price DECIMAL(10,2) NULL,
          PRIMARY KEY (order_region, order_id, line)
        );
        INSERT INTO customers VALUES (1, 'Ada', NULL), (2, 'Bo', 'bo@example.com'), (3, 'Cy', NULL);
        INSERT INTO orders (region, id, amount) VALUES ('eu', 1, 10), ('eu', 2, 200), ('us', 1, 300), ('us', 2, 5), ('us', 3, 150);
        INSERT INTO order_lines VALUES ('eu', 1, 1, 'a', 1), ('eu', 1, 2, 'b', NULL), ('eu', 1, 3, 'c', 2), ('eu', 1, 4, 'd', 3),
          ('eu', 1, 5, 'e', 4), ('eu', 1, 6, 'f', 5), ('eu', 1, 7, 'g', 6);
        CREATE VIEW big_orders AS SELECT region, id, amount FROM orders WHERE amount > 100;
        ANALYZE TABLE customers, orders, order_lines;
      `);
    });
  });
  afterAll(async () => {
    await asRoot(async (c) => {
      for (const name of [database, other]) await c.query(`DROP DATABASE IF EXISTS ${mysql.escapeId(name)}`);
      await c.query('DROP USER IF EXISTS ?@?', [user, '%']);
    });
  });

  it('connects with a password, reports the server version and latency, falling back from PREFERRED to plain on a server without TLS', async () => {
    const result = await mysqlDriver.test(dedicated, NO_FILE_ROOTS);
    const version = await asRoot(
      async (c) => ((await c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'))[0][0] as { v: string }).v,
    );
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number) as number, serverVersion: version, error: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('connects without a database, which is optional', async () => {
    const result = await mysqlDriver.test({ ...dedicated, database: undefined, sslMode: 'DISABLED' }, NO_FILE_ROOTS);
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
  });

  it('reports AUTHENTICATION_FAILED for a wrong password, without the password in the message', async () => {
    const wrong = 'wrong-Pa55word!';
    const result = await mysqlDriver.test({ ...dedicated, password: wrong }, NO_FILE_ROOTS);
    expectFailure(
      result,
      'AUTHENTICATION_FAILED',
      new RegExp(`^User ${user} could not sign in to 127\\.0\\.0\\.1:\\d+`),
    );
    expect(result.error?.message).not.toContain(wrong);
  });

  it('reports CONNECTION_REFUSED on a port nothing listens on', async () => {
    const port = await closedPort();
    const result = await mysqlDriver.test({ ...dedicated, port }, NO_FILE_ROOTS);
    expectFailure(result, 'CONNECTION_REFUSED', new RegExp(`^Nothing accepts connections on 127\\.0\\.0\\.1:${port}`));
  });

  it('reports DATABASE_NOT_FOUND for a database that does not exist', async () => {
    // As root: an account without rights on the name hears "access denied" (1044) instead of 1049.
    const missing = `sluice_missing_${id}`;
    const result = await mysqlDriver.test({ ...root, database: missing }, NO_FILE_ROOTS);
    expectFailure(result, 'DATABASE_NOT_FOUND', new RegExp(`^Database ${missing} does not exist`));
  });

  it('reports PERMISSION_DENIED for a database the account has no rights on', async () => {
    const result = await mysqlDriver.test({ ...dedicated, database: 'mysql' }, NO_FILE_ROOTS);
    expectFailure(result, 'PERMISSION_DENIED', new RegExp(`^User ${user} lacks a privilege`));
  });

  it('reports TIMEOUT after connectTimeoutSeconds when the server accepts but never answers', async () => {
    const silent = await silentServer();
    try {
      const result = await mysqlDriver.test(
        { ...dedicated, port: silent.port, connectTimeoutSeconds: 1 },
        NO_FILE_ROOTS,
      );
      expectFailure(result, 'TIMEOUT', /did not answer within 1 s/);
      expect(result.latencyMs).toBeGreaterThanOrEqual(900);
    } finally {
      await silent.close();
    }
  });

  it('reports TLS_FAILURE when the TLS the sslMode asks for cannot be had', async () => {
    // The MariaDB of the test machine has TLS disabled (@@have_ssl = DISABLED): REQUIRED must fail.
    // A server with TLS (MySQL 8 creates a self-signed certificate on first start) must fail
    // VERIFY_CA instead: its certificate is signed by no CA this machine trusts.
    const sslMode = haveSsl === 'YES' ? 'VERIFY_CA' : 'REQUIRED';
    const result = await mysqlDriver.test({ ...dedicated, sslMode }, NO_FILE_ROOTS);
    expectFailure(result, 'TLS_FAILURE', haveSsl === 'YES' ? /^TLS with .* failed/ : /does not support TLS/);
  });

  it('throws an AppError with a masked message when the catalog cannot connect', async () => {
    const wrong = 'wrong-Pa55word!';
    const error = await rejection(mysqlDriver.schemas!({ ...dedicated, password: wrong }, {}, ALL, NO_FILE_ROOTS));
    expect(error.code).toBe('DATASOURCE_UNAVAILABLE');
    expect(error.extensions.reason).toBe('AUTHENTICATION_FAILED');
    expect(error.message).not.toContain(wrong);
  });

  it('lists the tables of a database whose name needs quoting, with kinds, types, nullability, primary keys and row estimates', async () => {
    const { items, total } = await mysqlDriver.tables!(dedicated, database, {}, ALL, NO_FILE_ROOTS);
    // MariaDB and MySQL 5.7 print a display width (int(11)), MySQL 8 does not.
    const int = expect.stringMatching(/^int(\(11\))?$/) as string;
    const bigint = expect.stringMatching(/^bigint(\(20\))?$/) as string;
    const column = (name: string, type: string, nullable: boolean, primaryKey = false) => ({
      name,
      type,
      nullable,
      primaryKey,
    });
    expect(total).toBe(4);
    expect(items).toEqual([
      {
        name: 'big_orders',
        kind: 'VIEW',
        estimatedRows: null,
        // A view's column keeps the NOT NULL of the column it shows.
        columns: [
          column('region', 'varchar(8)', false),
          column('id', bigint, false),
          column('amount', 'decimal(12,2)', false),
        ],
      },
      {
        name: 'customers',
        kind: 'TABLE',
        estimatedRows: 3,
        columns: [column('id', int, false, true), column('name', 'varchar(64)', false), column('email', 'text', true)],
      },
      {
        name: 'order_lines',
        kind: 'TABLE',
        estimatedRows: 7,
        columns: [
          column('order_region', 'varchar(8)', false, true),
          column('order_id', bigint, false, true),
          column('line', int, false, true),
          column('sku', 'varchar(32)', false),
          column('price', 'decimal(10,2)', true),
        ],
      },
      {
        name: 'orders',
        kind: 'TABLE',
        estimatedRows: 5,
        columns: [
          column('region', 'varchar(8)', false, true),
          column('id', bigint, false, true),
          column('amount', 'decimal(12,2)', false),
          column('note', 'varchar(200)', true),
          column('created_at', 'timestamp', false),
        ],
      },
    ]);
  });

  it('reads the columns of every table on a page with one query, not one per table', async () => {
    const execute = vi.spyOn(mysql.Connection.prototype, 'execute');
    try {
      const { items } = await mysqlDriver.tables!(dedicated, database, {}, ALL, NO_FILE_ROOTS);
      expect(items.map((t) => t.columns.length)).toEqual([3, 3, 5, 5]);
      // The count, the page of tables, all their columns.
      expect(execute).toHaveBeenCalledTimes(3);
      expect(execute.mock.calls.filter(([q]) => JSON.stringify(q).includes('information_schema.COLUMNS'))).toHaveLength(
        1,
      );
    } finally {
      execute.mockRestore();
    }
  });

  it('pages tables with the total counted on the server', async () => {
    const pages = await allPages(mysqlDriver, dedicated, database, 3);
    expect(pages.map((p) => p.map((t) => t.name))).toEqual([['big_orders', 'customers', 'order_lines'], ['orders']]);
    const past = await mysqlDriver.tables!(dedicated, database, {}, { offset: 10, limit: 2 }, NO_FILE_ROOTS);
    expect(past).toEqual({ total: 4, items: [] });
  });

  it('searches tables case-insensitively, taking % and _ literally', async () => {
    const names = async (search: string) => {
      const page = await mysqlDriver.tables!(dedicated, database, { search }, ALL, NO_FILE_ROOTS);
      expect(page.total).toBe(page.items.length);
      return page.items.map((t) => t.name);
    };
    expect(await names('ORDERS')).toEqual(['big_orders', 'orders']);
    expect(await names('_')).toEqual(['big_orders', 'order_lines']);
    expect(await names('%')).toEqual([]);
  });

  it('lists the databases an account sees, without the system ones, searching and paging', async () => {
    const all = await mysqlDriver.schemas!(dedicated, {}, ALL, NO_FILE_ROOTS);
    expect(all.items).toEqual(expect.arrayContaining([database, other]));
    expect(all.items).not.toEqual(expect.arrayContaining(['information_schema']));
    const rootView = await mysqlDriver.schemas!(root, {}, ALL, NO_FILE_ROOTS);
    for (const system of ['mysql', 'information_schema', 'performance_schema', 'sys']) {
      expect(rootView.items).not.toContain(system);
    }
    expect(await mysqlDriver.schemas!(dedicated, { search: id.toUpperCase() }, ALL, NO_FILE_ROOTS)).toEqual({
      total: 2,
      items: [database, other],
    });
    expect(await mysqlDriver.schemas!(dedicated, { search: 'CASE"quote\'' }, ALL, NO_FILE_ROOTS)).toEqual({
      total: 1,
      items: [database],
    });
    expect(await mysqlDriver.schemas!(dedicated, { search: id }, { offset: 1, limit: 1 }, NO_FILE_ROOTS)).toEqual({
      total: 2,
      items: [other],
    });
  });

  it('throws NOT_FOUND for the tables of a database that does not exist', async () => {
    const error = await rejection(mysqlDriver.tables!(dedicated, `${database}x`, {}, ALL, NO_FILE_ROOTS));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`Database ${database}x does not exist`);
    expect(await mysqlDriver.tables!(dedicated, other, {}, ALL, NO_FILE_ROOTS)).toEqual({ total: 0, items: [] });
  });
});

describe('the LOCAL_FILE driver', () => {
  let base: string;
  let root: string;
  let context: { fileRoots: string[] };
  const at = (...parts: string[]) => path.join(root, ...parts);

  /** name → content; sizes are the content's length. */
  const FILES: Record<string, string> = {
    'orders.csv': 'id,amount\n1,2\n',
    README: 'read me',
    'nested/app.log.gz': 'x'.repeat(30),
    'nested/deep/events.JSONL': '{"a":1}\n',
    'nested/deep/part-0.parquet': 'PAR1',
    'exports/archive.tar.gz': 'a',
    'exports/bundle.tar': 'bb',
    'exports/data.csv.tgz': 'ccc',
    'exports/facts.orc': 'dddd',
    'exports/feed.xml.zst': 'eeeee',
    'exports/lines.ndjson.lzo': 'ffffff',
    'exports/notes.txt.bz2': 'ggggggg',
    'exports/report.xlsx': 'hhhhhhhh',
    'exports/table.csv.zip': 'iiiiiiiii',
    'exports/old.XLS': 'jj',
  };

  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'sluice-drivers-files-'));
    root = path.join(base, 'root');
    context = { fileRoots: [root] };
    for (const [name, content] of Object.entries(FILES)) {
      await mkdir(path.dirname(at(name)), { recursive: true });
      await writeFile(at(name), content);
    }
    await mkdir(path.join(base, 'root2'));
    await writeFile(path.join(base, 'root2', 'sibling.csv'), 'x');
    await mkdir(path.join(base, 'outside'));
    await writeFile(path.join(base, 'outside', 'secret.csv'), 'secret');
    await symlink(at('orders.csv'), at('linked.csv')); // inside: listed
    await symlink(path.join(base, 'outside'), at('escape')); // a directory outside: skipped
    await symlink(path.join(base, 'outside', 'secret.csv'), at('secret.csv')); // a file outside: skipped
    await symlink(root, at('nested', 'loop')); // a cycle: walked once
    await symlink(at('missing.csv'), at('dangling.csv')); // dangling: skipped
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('lists the files under the directory recursively, sorted, with sizes, dates, formats and compression', async () => {
    const { items, total } = await localFileDriver.files!({ path: root }, {}, ALL, context);
    const entry = (p: string, size: number, format: string | null, compression: string | null) => ({
      path: p,
      size,
      format,
      compression,
    });
    expect(total).toBe(16);
    expect(items.map(({ modifiedAt: _, ...rest }) => rest)).toEqual([
      entry('README', 7, null, null),
      entry('exports/archive.tar.gz', 1, null, 'tar.gz'),
      entry('exports/bundle.tar', 2, null, 'tar'),
      entry('exports/data.csv.tgz', 3, 'csv', 'tar.gz'),
      entry('exports/facts.orc', 4, 'orc', null),
      entry('exports/feed.xml.zst', 5, 'xml', 'zstd'),
      entry('exports/lines.ndjson.lzo', 6, 'json', 'lzo'),
      entry('exports/notes.txt.bz2', 7, 'text', 'bzip2'),
      entry('exports/old.XLS', 2, 'excel', null),
      entry('exports/report.xlsx', 8, 'excel', null),
      entry('exports/table.csv.zip', 9, 'csv', 'zip'),
      entry('linked.csv', 14, 'csv', null),
      entry('nested/app.log.gz', 30, 'text', 'gzip'),
      entry('nested/deep/events.JSONL', 8, 'json', null),
      entry('nested/deep/part-0.parquet', 4, 'parquet', null),
      entry('orders.csv', 14, 'csv', null),
    ]);
    const orders = items.find((f) => f.path === 'orders.csv')!;
    expect(orders.modifiedAt).toEqual((await stat(at('orders.csv'))).mtime);
  });

  it('searches case-insensitively on the relative path and pages with the total', async () => {
    const search = await localFileDriver.files!({ path: root }, { search: 'DEEP/' }, ALL, context);
    expect(search.items.map((f) => f.path)).toEqual(['nested/deep/events.JSONL', 'nested/deep/part-0.parquet']);
    expect(search.total).toBe(2);
    const page = await localFileDriver.files!({ path: root }, { search: 'exports' }, { offset: 9, limit: 3 }, context);
    expect(page).toMatchObject({ total: 10, items: [{ path: 'exports/table.csv.zip' }] });
    const sub = await localFileDriver.files!({ path: at('nested') }, {}, { offset: 0, limit: 2 }, context);
    expect(sub.total).toBe(3);
    expect(sub.items.map((f) => f.path)).toEqual(['app.log.gz', 'deep/events.JSONL']);
  });

  it('accepts a directory inside the roots', async () => {
    for (const dir of [root, at('nested'), `${root}/`]) {
      const result = await localFileDriver.test({ path: dir }, context);
      expect(result).toEqual({ ok: true, latencyMs: expect.any(Number) as number, serverVersion: null, error: null });
    }
  });

  it('refuses with NOT_ALLOWED, naming the roots, a path outside them (without telling whether it exists)', async () => {
    for (const outside of [
      path.join(base, 'outside'),
      path.join(base, 'root2'), // shares the prefix "root"
      path.join(base, 'nowhere'),
      `${root}/../outside`,
      'root/nested',
      '',
    ]) {
      const result = await localFileDriver.test({ path: outside }, context);
      expectFailure(result, 'NOT_ALLOWED', new RegExp(`allowed are ${root}`));
    }
  });

  it('refuses with NOT_ALLOWED a symbolic link leading out of the roots', async () => {
    const result = await localFileDriver.test({ path: at('escape') }, context);
    expectFailure(result, 'NOT_ALLOWED', /symbolic link/);
    const error = await rejection(localFileDriver.files!({ path: at('escape') }, {}, ALL, context));
    expect(error.code).toBe('DATASOURCE_UNAVAILABLE');
    expect(error.extensions.reason).toBe('NOT_ALLOWED');
  });

  it('reports NOT_FOUND for a missing directory and for a file', async () => {
    expectFailure(await localFileDriver.test({ path: at('missing') }, context), 'NOT_FOUND', /does not exist/);
    expectFailure(await localFileDriver.test({ path: at('orders.csv') }, context), 'NOT_FOUND', /is not a directory/);
    const error = await rejection(localFileDriver.files!({ path: at('missing') }, {}, ALL, context));
    expect(error.code).toBe('NOT_FOUND');
  });

  it('refuses to list a directory with more entries than the cap', async () => {
    const capped = createLocalFileDriver({ maxEntries: 5 });
    const error = await rejection(capped.files!({ path: root }, {}, ALL, context));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/more than 5 files and directories/);
    expect((await capped.files!({ path: at('nested', 'deep') }, {}, ALL, context)).total).toBe(2);
  });

  // root reads whatever the mode bits say: as root, the check runs in a child process as `nobody`.
  it('reports PERMISSION_DENIED for a directory the server may not read', async () => {
    const locked = path.join(base, 'locked-root');
    await mkdir(path.join(locked, 'closed'), { recursive: true });
    await chmod(base, 0o755);
    await chmod(locked, 0o755);
    await chmod(path.join(locked, 'closed'), 0o000);
    try {
      const options = { path: path.join(locked, 'closed') };
      const lockedContext = { fileRoots: [locked] };
      let result: TestResult;
      if (process.getuid?.() === 0) {
        const script = `
          const { localFileDriver } = await import(process.argv[1]);
          const [options, context] = JSON.parse(process.argv[2]);
          process.stdout.write(JSON.stringify(await localFileDriver.test(options, context)));`;
        const child = spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            '--input-type=module',
            '-e',
            script,
            path.join(ROOT, 'server/src/modules/datasource/drivers/local-file.driver.ts'),
            JSON.stringify([options, lockedContext]),
          ],
          { cwd: ROOT, uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: process.env.PATH } },
        );
        expect(child.status, child.stderr).toBe(0);
        result = JSON.parse(child.stdout) as TestResult;
      } else {
        result = await localFileDriver.test(options, lockedContext);
      }
      expectFailure(result, 'PERMISSION_DENIED', /may not read/);
    } finally {
      await chmod(path.join(locked, 'closed'), 0o755);
      await rm(locked, { recursive: true, force: true });
      await chmod(base, 0o700);
    }
  });
});
