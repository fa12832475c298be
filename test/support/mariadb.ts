import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { inject } from 'vitest';

/** The local MariaDB/MySQL server the tests use (root, no password, loopback). */
const ADMIN = new URL(process.env.SLUICE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');

export interface TestMariaDb {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** jdbc:mysql://host:port/name, as a SeaTunnel config writes it. */
  jdbcUrl: string;
  /** Runs SQL in this database with a short-lived connection (multiple statements allowed). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function connect(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: ADMIN.hostname,
    port: Number(ADMIN.port || 3306),
    user: decodeURIComponent(ADMIN.username || 'root'),
    password: decodeURIComponent(ADMIN.password),
    database,
    multipleStatements: true,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

/** A fresh, empty MariaDB database for one test file. */
export async function createTestMariaDb(): Promise<TestMariaDb> {
  const name = `sluice_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
  const admin = await connect();
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const host = ADMIN.hostname;
  const port = Number(ADMIN.port || 3306);
  return {
    name,
    host,
    port,
    user: decodeURIComponent(ADMIN.username || 'root'),
    password: decodeURIComponent(ADMIN.password),
    jdbcUrl: `jdbc:mysql://${host}:${port}/${name}`,
    async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
      const c = await connect(name);
      try {
        await c.query("SET time_zone = '+00:00'");
        const [rows] = await c.query(sql, params);
        return rows as R[];
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = await connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}
