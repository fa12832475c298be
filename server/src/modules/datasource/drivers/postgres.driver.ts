import type { ConnectionOptions as TlsOptions } from 'node:tls';
import pg from 'pg';
import { datasourceError, testConnection, withConnection, type ConnectionTarget } from './classify.js';
import type { CatalogColumn, CatalogTable, ConnectionOptions, DatasourceDriver, TestResult } from './driver.js';
import { networkOptions } from './network-options.js';

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSL_MODES)[number];

/** Catalog queries are cheap; one that runs this long is stuck, and is cancelled on both sides. */
const QUERY_TIMEOUT_MS = 30_000;

interface PostgresSettings extends ConnectionTarget {
  database: string;
  password: string;
  sslMode: SslMode;
  connectTimeoutSeconds: number;
}

function settings(options: ConnectionOptions): PostgresSettings {
  const sslMode = String(options.sslMode ?? 'prefer') as SslMode;
  return {
    host: String(options.host ?? ''),
    port: Number(options.port ?? 5432),
    database: String(options.database ?? ''),
    user: String(options.user ?? ''),
    password: typeof options.password === 'string' ? options.password : '',
    sslMode: SSL_MODES.includes(sslMode) ? sslMode : 'prefer',
    connectTimeoutSeconds: Number(options.connectTimeoutSeconds ?? 10),
  };
}

/** TLS without a certificate check (libpq's require, and the first attempt of prefer). */
const TLS_UNVERIFIED: TlsOptions = { rejectUnauthorized: false };

/**
 * libpq's sslmode as node-postgres `ssl` options, in the order to try them. Certificates are checked
 * against Node's CA store (there is no root-certificate option yet); node-postgres sends the host
 * name as SNI and Node checks it unless `checkServerIdentity` says otherwise.
 */
function tlsAttempts(mode: SslMode): (TlsOptions | false)[] {
  switch (mode) {
    case 'disable':
      return [false];
    case 'prefer':
      return [TLS_UNVERIFIED, false];
    case 'require':
      return [TLS_UNVERIFIED];
    case 'verify-ca':
      return [{ rejectUnauthorized: true, checkServerIdentity: () => undefined }];
    case 'verify-full':
      return [{ rejectUnauthorized: true }];
  }
}

const lacksTls = (err: unknown) => err instanceof Error && /does not support SSL/i.test(err.message);

async function connect(s: PostgresSettings, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const attempts = tlsAttempts(s.sslMode);
  for (let i = 0; ; i++) {
    const client = new pg.Client({
      host: s.host,
      port: s.port,
      database: s.database,
      user: s.user,
      // A function, so node-postgres neither falls back to PGPASSWORD or ~/.pgpass for an empty
      // password nor keeps the password where it would be printed with the client.
      password: () => s.password,
      // Always explicit: node-postgres would otherwise read PGSSLMODE from this server's environment.
      ssl: attempts[i],
      connectionTimeoutMillis: s.connectTimeoutSeconds * 1000,
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: QUERY_TIMEOUT_MS,
      application_name: 'sluice',
      ...extra,
    });
    // An idle connection the server drops emits 'error'; unhandled, that would end the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      // prefer: a server that answers "no TLS here" gets a second, unencrypted attempt.
      if (i + 1 < attempts.length && lacksTls(err)) continue;
      throw err;
    }
  }
}

/**
 * A connection to a PostgreSQL datasource as the driver makes it (sslMode with libpq's meaning,
 * the password never read from the environment), with other client settings where given (a run's
 * hooks lift the query timeouts).
 */
export function openPostgresConnection(
  options: ConnectionOptions,
  extra: Partial<pg.ClientConfig> = {},
): Promise<pg.Client> {
  return connect(settings(options), extra);
}

/** Ends the session; a connection that already broke has nothing left to end. */
const close = (client: pg.Client) => client.end().catch(() => undefined);

/**
 * Runs `work` on a fresh connection. Connection problems and classified query errors become
 * AppErrors with a masked message; anything unexpected is rethrown as is (a bug to log, not to show).
 */
function withClient<T>(options: ConnectionOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const s = settings(options);
  return withConnection(s, () => connect(s), close, work);
}

/** An ILIKE pattern matching `search` anywhere, with its own wildcards taken literally (escape character `!`). */
function containing(search: string | undefined): string {
  return `%${(search ?? '').replace(/[!%_]/g, '!$&')}%`;
}

const KINDS: Record<string, CatalogTable['kind']> = {
  r: 'TABLE',
  p: 'PARTITIONED_TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED_VIEW',
  f: 'FOREIGN_TABLE',
};

// Counted and paged in one statement: the LEFT JOIN keeps the count when the page is past the end.
const SCHEMAS_SQL = `
WITH matched AS (
  SELECT n.nspname AS name
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg!_toast%' ESCAPE '!'
    AND n.nspname NOT LIKE 'pg!_temp!_%' ESCAPE '!'
    AND n.nspname ILIKE $1 ESCAPE '!'
)
SELECT t.total, p.name
FROM (SELECT count(*)::int AS total FROM matched) t
LEFT JOIN LATERAL (SELECT name FROM matched ORDER BY name LIMIT $2 OFFSET $3) p ON true
ORDER BY p.name`;

const TABLES_SQL = `
WITH matched AS (
  SELECT c.oid, c.relname AS name, c.relkind AS kind,
         CASE WHEN c.relkind = 'v' OR c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END AS estimated_rows
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND c.relname ILIKE $2 ESCAPE '!'
)
SELECT t.total, t.schema_exists, p.oid, p.name, p.kind, p.estimated_rows
FROM (
  SELECT count(*)::int AS total,
         EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists
  FROM matched
) t
LEFT JOIN LATERAL (SELECT * FROM matched ORDER BY name LIMIT $3 OFFSET $4) p ON true
ORDER BY p.name`;

// The columns of every table on the page, in one query.
const COLUMNS_SQL = `
SELECT a.attrelid AS table_oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       EXISTS (
         SELECT 1 FROM pg_catalog.pg_index i
         WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)
       ) AS primary_key
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`;

const net = networkOptions('PostgreSQL', { port: 5432, userDescription: 'The role to sign in as.' });

export const postgresDriver: DatasourceDriver = {
  name: 'POSTGRESQL',
  label: 'PostgreSQL',
  options: [
    net.host,
    net.port,
    {
      name: 'database',
      label: 'Database',
      type: 'STRING',
      required: true,
      secret: false,
      description: 'The database to connect to.',
    },
    net.user,
    net.password,
    {
      name: 'sslMode',
      label: 'TLS mode',
      type: 'ENUM',
      required: false,
      default: 'prefer',
      enumValues: [...SSL_MODES],
      secret: false,
      description:
        "As libpq's sslmode: disable = no TLS; prefer = TLS when the server offers it, else unencrypted; require = TLS, certificate not checked; verify-ca = TLS with a certificate signed by a trusted CA; verify-full = verify-ca and the certificate must name the host.",
    },
    net.connectTimeoutSeconds,
  ],

  test(options: ConnectionOptions): Promise<TestResult> {
    const s = settings(options);
    return testConnection(
      s,
      () => connect(s),
      close,
      async (client) => {
        const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
        return rows[0]?.server_version ?? null;
      },
    );
  },

  async schemas(options, filter, page) {
    return withClient(options, async (client) => {
      const { rows } = await client.query<{ total: number; name: string | null }>(SCHEMAS_SQL, [
        containing(filter.search),
        page.limit,
        page.offset,
      ]);
      return { total: rows[0]?.total ?? 0, items: rows.flatMap((r) => (r.name === null ? [] : [r.name])) };
    });
  },

  async tables(options, schema, filter, page) {
    return withClient(options, async (client) => {
      const { rows } = await client.query<{
        total: number;
        schema_exists: boolean;
        oid: number | null;
        name: string | null;
        kind: string;
        estimated_rows: number | null;
      }>(TABLES_SQL, [schema, containing(filter.search), page.limit, page.offset]);
      if (rows[0] && !rows[0].schema_exists) {
        throw datasourceError({ code: 'NOT_FOUND', message: `Schema ${schema} does not exist` }, { schema });
      }
      const tables = rows.filter((r) => r.oid !== null);
      const columns = new Map<string, CatalogColumn[]>(tables.map((t) => [String(t.oid), []]));
      if (tables.length > 0) {
        const result = await client.query<{
          table_oid: number;
          name: string;
          type: string;
          not_null: boolean;
          primary_key: boolean;
        }>(COLUMNS_SQL, [tables.map((t) => t.oid)]);
        for (const c of result.rows) {
          columns
            .get(String(c.table_oid))
            ?.push({ name: c.name, type: c.type, nullable: !c.not_null, primaryKey: c.primary_key });
        }
      }
      return {
        total: rows[0]?.total ?? 0,
        items: tables.map((t) => ({
          name: t.name!,
          kind: KINDS[t.kind]!,
          estimatedRows: t.estimated_rows === null ? null : Math.round(t.estimated_rows),
          columns: columns.get(String(t.oid)) ?? [],
        })),
      };
    });
  },
};
