/**
 * JDBC URLs and driver class names as SeaTunnel configs write them, mapped to the Node drivers
 * (pg for PostgreSQL, mysql2 for MySQL and MariaDB), and the connections opened with them.
 *
 * Sessions are pinned so values travel unchanged: UTC time zone (MySQL TIMESTAMP and PostgreSQL
 * timestamptz are presented in UTC), UTF-8 (utf8mb4), ISO dates, PostgreSQL's shortest exact
 * float text (extra_float_digits = 3).
 */
import mysql from 'mysql2';
import pg from 'pg';
import { PluginOptions } from '../../plugin.js';

export type Dialect = 'postgresql' | 'mysql';

export interface JdbcTarget {
  dialect: Dialect;
  host: string;
  port: number;
  database?: string;
  user: string;
  password: string;
  /** URL query parameters merged with the `properties` option (the option wins). */
  properties: Record<string, string>;
  /** PostgreSQL: `currentSchema` from the URL, default "public". */
  schema?: string;
}

const DRIVER_DIALECTS: Record<string, Dialect> = {
  'com.mysql.cj.jdbc.driver': 'mysql',
  'com.mysql.jdbc.driver': 'mysql',
  'org.mariadb.jdbc.driver': 'mysql',
  'org.postgresql.driver': 'postgresql',
};

const URL_DIALECTS: Record<string, Dialect> = {
  mysql: 'mysql',
  mariadb: 'mysql',
  postgresql: 'postgresql',
  postgres: 'postgresql',
  pgsql: 'postgresql',
};

const DEFAULT_PORTS: Record<Dialect, number> = { postgresql: 5432, mysql: 3306 };

/**
 * Reads url, driver, user/username, password and properties from a Jdbc block. Errors name the
 * option: an unsupported database says which engine can run it.
 */
export function jdbcTarget(options: PluginOptions): JdbcTarget {
  const url = options.requiredString('url');
  const match = /^jdbc:([a-z0-9]+):\/\/([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/i.exec(url.trim());
  if (!match) {
    const scheme = /^jdbc:([a-z0-9]+):/i.exec(url)?.[1];
    if (scheme && !URL_DIALECTS[scheme.toLowerCase()]) unsupported(options, 'url', scheme);
    options.fail('url', `"${url}" is not a JDBC URL like jdbc:mysql://host:3306/db or jdbc:postgresql://host:5432/db`);
  }
  const [, scheme, hosts, path, query] = match;
  const dialect = URL_DIALECTS[scheme!.toLowerCase()] ?? unsupported(options, 'url', scheme!);

  const driver = options.string('driver');
  if (driver !== undefined) {
    const driverDialect = DRIVER_DIALECTS[driver.toLowerCase()];
    if (!driverDialect) unsupported(options, 'driver', driver);
    if (driverDialect !== dialect) options.fail('driver', `${driver} does not match the ${dialect} URL "${url}"`);
  }

  // Several hosts (failover lists) are allowed by the drivers: the first is used.
  const firstHost = hosts!.split(',')[0]!.trim();
  const hostMatch = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(firstHost);
  if (!hostMatch || hostMatch[1] === '') options.fail('url', `"${url}" names no host`);
  const host = hostMatch[1]!.replace(/^\[|\]$/g, '');
  const port = hostMatch[2] ? Number(hostMatch[2]) : DEFAULT_PORTS[dialect];

  const properties: Record<string, string> = {};
  for (const pair of (query ?? '').split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    properties[key] = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
  }
  const own = options.object('properties') ?? {};
  for (const [key, value] of Object.entries(own)) {
    properties[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }

  const userOption = options.firstOf('user', 'username');
  const user = (userOption ? options.string(userOption) : undefined) ?? properties.user ?? '';
  const password = options.string('password') ?? properties.password ?? '';
  const database = path ? decodeURIComponent(path) : undefined;
  return {
    dialect,
    host,
    port,
    database: database === '' ? undefined : database,
    user,
    password,
    properties,
    schema: dialect === 'postgresql' ? (properties.currentSchema ?? 'public') : undefined,
  };
}

function unsupported(options: PluginOptions, option: string, name: string): never {
  return options.fail(
    option,
    `names ${name}, which the embedded engine does not connect to (it reads and writes PostgreSQL, MySQL and MariaDB); run this task on the SeaTunnel engine`,
  );
}

/** A PostgreSQL connection with the pinned session settings. `sslmode` follows libpq's spellings. */
export async function connectPostgres(target: JdbcTarget, applicationName = 'sluice-engine'): Promise<pg.Client> {
  const sslMode = (target.properties.sslmode ?? target.properties.sslMode ?? 'prefer').toLowerCase();
  const ssl =
    sslMode === 'disable' || sslMode === 'allow' || sslMode === 'prefer'
      ? undefined
      : { rejectUnauthorized: sslMode === 'verify-ca' || sslMode === 'verify-full' };
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl,
    application_name: applicationName,
    connectionTimeoutMillis: Number(target.properties.connectTimeout ?? 30) * 1000,
    options: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c extra_float_digits=3',
  });
  // A server that drops an idle connection emits 'error'; unhandled, that would end the process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A MySQL/MariaDB connection (callback API, which streams) with the pinned session settings. */
export async function connectMysql(
  target: JdbcTarget,
  extra: Partial<mysql.ConnectionOptions> = {},
): Promise<mysql.Connection> {
  const useSsl = /^(true|required|verify_ca|verify_identity)$/i.test(
    target.properties.useSSL ?? target.properties.sslMode ?? target.properties.sslmode ?? 'false',
  );
  const connection = mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    ssl: useSsl ? { rejectUnauthorized: false } : undefined,
    connectTimeout: Number(target.properties.connectTimeout ?? 30_000),
    ...extra,
  });
  connection.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    connection.connect((err) => (err ? reject(err) : resolve()));
  });
  await new Promise<void>((resolve, reject) => {
    connection.query("SET time_zone = '+00:00', NAMES utf8mb4", (err) => (err ? reject(err) : resolve()));
  });
  return connection;
}

export function endMysql(connection: mysql.Connection): Promise<void> {
  return new Promise((resolve) => {
    connection.end(() => resolve());
  });
}

/** Quotes an identifier for the dialect. */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
}
