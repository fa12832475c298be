import mysql from 'mysql2/promise';
import {
  datasourceError,
  testConnection,
  withConnection as withOpenConnection,
  type ConnectionTarget,
} from './classify.js';
import { networkOptions } from './network-options.js';
import type { CatalogColumn, CatalogTable, ConnectionOptions, DatasourceDriver, TestResult } from './driver.js';

const SSL_MODES = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const;
type SslMode = (typeof SSL_MODES)[number];

/** Catalog queries are cheap; one that runs this long is stuck (mysql2 then closes the connection). */
const QUERY_TIMEOUT_MS = 30_000;

/** Databases every server has, which hold no user data. */
const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

interface MysqlSettings extends ConnectionTarget {
  database?: string;
  password: string;
  sslMode: SslMode;
  connectTimeoutSeconds: number;
}

function settings(options: ConnectionOptions): MysqlSettings {
  const sslMode = String(options.sslMode ?? 'PREFERRED') as SslMode;
  const database = typeof options.database === 'string' && options.database !== '' ? options.database : undefined;
  return {
    host: String(options.host ?? ''),
    port: Number(options.port ?? 3306),
    database,
    user: String(options.user ?? ''),
    password: typeof options.password === 'string' ? options.password : '',
    sslMode: SSL_MODES.includes(sslMode) ? sslMode : 'PREFERRED',
    connectTimeoutSeconds: Number(options.connectTimeoutSeconds ?? 10),
  };
}

type Tls = mysql.SslOptions | undefined;

/** The MySQL client's --ssl-mode as mysql2 `ssl` options, in the order to try them (certificates: Node's CA store). */
function tlsAttempts(mode: SslMode): Tls[] {
  switch (mode) {
    case 'DISABLED':
      return [undefined];
    case 'PREFERRED':
      return [{ rejectUnauthorized: false }, undefined];
    case 'REQUIRED':
      return [{ rejectUnauthorized: false }];
    case 'VERIFY_CA':
      return [{ rejectUnauthorized: true, verifyIdentity: false }];
    case 'VERIFY_IDENTITY':
      return [{ rejectUnauthorized: true, verifyIdentity: true }];
  }
}

const lacksTls = (err: unknown) => (err as { code?: unknown }).code === 'HANDSHAKE_NO_SSL_SUPPORT';

async function connect(s: MysqlSettings, extra: Partial<mysql.ConnectionOptions> = {}): Promise<mysql.Connection> {
  const attempts = tlsAttempts(s.sslMode);
  for (let i = 0; ; i++) {
    try {
      const connection = await mysql.createConnection({
        host: s.host,
        port: s.port,
        user: s.user,
        password: s.password,
        database: s.database,
        ssl: attempts[i],
        connectTimeout: s.connectTimeoutSeconds * 1000,
        ...extra,
      });
      // An idle connection the server drops emits 'error'; unhandled, that would end the process.
      connection.on('error', () => undefined);
      return connection;
    } catch (err) {
      // PREFERRED: a server without TLS gets a second, unencrypted attempt.
      if (i + 1 < attempts.length && lacksTls(err)) continue;
      throw err;
    }
  }
}

/**
 * A connection to a MySQL/MariaDB datasource as the driver makes it (sslMode with --ssl-mode's
 * meaning), with other connection settings where given (a run's hooks allow several statements).
 */
export function openMysqlConnection(
  options: ConnectionOptions,
  extra: Partial<mysql.ConnectionOptions> = {},
): Promise<mysql.Connection> {
  return connect(settings(options), extra);
}

/** Ends the session politely, or drops the socket when the server does not answer. */
const close = (connection: mysql.Connection) => connection.end().catch(() => connection.destroy());

/**
 * Runs `work` on a fresh connection. Connection problems and classified query errors become
 * AppErrors with a masked message; anything unexpected is rethrown as is (a bug to log, not to show).
 */
function withConnection<T>(options: ConnectionOptions, work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const s = settings(options);
  return withOpenConnection(s, () => connect(s), close, work);
}

/** Server-side prepared statements: values travel apart from the SQL text, whatever the sql_mode. */
async function select<R>(connection: mysql.Connection, sql: string, params: (string | number)[]): Promise<R[]> {
  const [rows] = await connection.execute<mysql.RowDataPacket[]>({ sql, timeout: QUERY_TIMEOUT_MS }, params);
  return rows as R[];
}

/** A LIKE pattern (for a LOWER()ed column) matching `search` anywhere, its wildcards taken literally (escape `!`). */
function containing(search: string | undefined): string {
  return `%${(search ?? '').toLowerCase().replace(/[!%_]/g, '!$&')}%`;
}

/**
 * LIMIT/OFFSET go as strings: MySQL 8.0.22+ rejects a DOUBLE there ("Incorrect arguments to
 * mysqld_stmt_execute"), and both MySQL and MariaDB accept the string form.
 */
const limits = (page: { limit: number; offset: number }) => [String(page.limit), String(page.offset)];

const NOT_SYSTEM = `SCHEMA_NAME NOT IN (${SYSTEM_SCHEMAS.map(() => '?').join(', ')})`;

// Names are sorted by their bytes, as PostgreSQL sorts its `name` type: information_schema's
// case-insensitive collation would put `orders` before `order_lines`.
// SYSTEM VERSIONED is MariaDB's name for a base table with history.
const TABLES_WHERE = `
  WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')
    AND LOWER(TABLE_NAME) LIKE ? ESCAPE '!'`;

const net = networkOptions('MySQL/MariaDB', { port: 3306, userDescription: 'The user to sign in as.' });

export const mysqlDriver: DatasourceDriver = {
  name: 'MYSQL',
  label: 'MySQL / MariaDB',
  options: [
    net.host,
    net.port,
    {
      name: 'database',
      label: 'Database',
      type: 'STRING',
      required: false,
      secret: false,
      description: 'The default database; empty to pick one per task.',
    },
    net.user,
    net.password,
    {
      name: 'sslMode',
      label: 'TLS mode',
      type: 'ENUM',
      required: false,
      default: 'PREFERRED',
      enumValues: [...SSL_MODES],
      secret: false,
      description:
        "As the MySQL client's --ssl-mode: DISABLED = no TLS; PREFERRED = TLS when the server offers it, else unencrypted; REQUIRED = TLS, certificate not checked; VERIFY_CA = TLS with a certificate signed by a trusted CA; VERIFY_IDENTITY = VERIFY_CA and the certificate must name the host.",
    },
    net.connectTimeoutSeconds,
  ],

  test(options: ConnectionOptions): Promise<TestResult> {
    const s = settings(options);
    return testConnection(
      s,
      () => connect(s),
      close,
      async (connection) => {
        const [rows] = await connection.query<mysql.RowDataPacket[]>({
          sql: 'SELECT VERSION() AS version',
          timeout: QUERY_TIMEOUT_MS,
        });
        return (rows[0]?.version as string | undefined) ?? null;
      },
    );
  },

  async schemas(options, filter, page) {
    return withConnection(options, async (connection) => {
      const where = `WHERE ${NOT_SYSTEM} AND LOWER(SCHEMA_NAME) LIKE ? ESCAPE '!'`;
      const params = [...SYSTEM_SCHEMAS, containing(filter.search)];
      const [count] = await select<{ total: number }>(
        connection,
        `SELECT COUNT(*) AS total FROM information_schema.SCHEMATA ${where}`,
        params,
      );
      const rows = await select<{ name: string }>(
        connection,
        `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ${where} ORDER BY CAST(SCHEMA_NAME AS BINARY) LIMIT ? OFFSET ?`,
        [...params, ...limits(page)],
      );
      return { total: Number(count?.total ?? 0), items: rows.map((r) => r.name) };
    });
  },

  async tables(options, schema, filter, page) {
    return withConnection(options, async (connection) => {
      const params = [schema, containing(filter.search)];
      const [count] = await select<{ total: number }>(
        connection,
        `SELECT COUNT(*) AS total FROM information_schema.TABLES ${TABLES_WHERE}`,
        params,
      );
      const total = Number(count?.total ?? 0);
      if (total === 0) {
        const [exists] = await select<{ n: number }>(
          connection,
          'SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
          [schema],
        );
        if (Number(exists?.n) === 0) {
          throw datasourceError({ code: 'NOT_FOUND', message: `Database ${schema} does not exist` }, { schema });
        }
      }
      const tables = await select<{ name: string; type: string; tableRows: number | null }>(
        connection,
        `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_ROWS AS tableRows
         FROM information_schema.TABLES ${TABLES_WHERE}
         ORDER BY CAST(TABLE_NAME AS BINARY) LIMIT ? OFFSET ?`,
        [...params, ...limits(page)],
      );
      const columns = new Map<string, CatalogColumn[]>(tables.map((t) => [t.name, []]));
      if (tables.length > 0) {
        // The columns of every table on the page, in one query. COLUMN_KEY is PRI for the primary
        // key's columns (and, as MySQL documents, for a unique NOT NULL key standing in for a missing one).
        const rows = await select<{ tableName: string; name: string; type: string; nullable: string; key: string }>(
          connection,
          `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, COLUMN_TYPE AS type,
                  IS_NULLABLE AS nullable, COLUMN_KEY AS \`key\`
           FROM information_schema.COLUMNS
           WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (${tables.map(() => '?').join(', ')})
           ORDER BY TABLE_NAME, ORDINAL_POSITION`,
          [schema, ...tables.map((t) => t.name)],
        );
        for (const c of rows) {
          columns
            .get(c.tableName)
            ?.push({ name: c.name, type: c.type, nullable: c.nullable === 'YES', primaryKey: c.key === 'PRI' });
        }
      }
      return {
        total,
        items: tables.map((t): CatalogTable => ({
          name: t.name,
          kind: t.type === 'VIEW' ? 'VIEW' : 'TABLE',
          estimatedRows: t.type === 'VIEW' || t.tableRows === null ? null : Number(t.tableRows),
          columns: columns.get(t.name) ?? [],
        })),
      };
    });
  },
};
