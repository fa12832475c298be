/**
 * Connections of the harness (control queries through pg and mysql2) and the command lines of the
 * database clients the pipes use.
 */
import { spawn } from 'node:child_process';
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface Endpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface Endpoints {
  mariadb: Endpoint;
  postgres: Endpoint;
  /** MariaDB database with `orders` and the harness's bookkeeping table. */
  myDb: string;
  /** MariaDB database with the 5 tables. */
  my5Db: string;
  /** PostgreSQL database with the source copy and all PostgreSQL targets. */
  pgDb: string;
}

export function parseEndpoint(url: string, defaults: Endpoint): Endpoint {
  const u = new URL(url);
  return {
    host: u.hostname || defaults.host,
    port: u.port ? Number(u.port) : defaults.port,
    user: u.username ? decodeURIComponent(u.username) : defaults.user,
    password: u.password ? decodeURIComponent(u.password) : defaults.password,
  };
}

/** Single-quotes a word for bash. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A query's single value as text (control queries return numbers, strings or bigints). */
function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return JSON.stringify(v);
}

export class Databases {
  private constructor(
    readonly endpoints: Endpoints,
    readonly my: mysql.Connection,
    readonly pg: pg.Client,
  ) {}

  static async open(endpoints: Endpoints): Promise<Databases> {
    const my = await mysql.createConnection({
      host: endpoints.mariadb.host,
      port: endpoints.mariadb.port,
      user: endpoints.mariadb.user,
      password: endpoints.mariadb.password,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    await my.query("SET SESSION time_zone = '+00:00'");
    const admin = Databases.pgClient(endpoints, 'postgres');
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [endpoints.pgDb]);
      if (!rowCount) await admin.query(`CREATE DATABASE "${endpoints.pgDb}"`);
    } finally {
      await admin.end();
    }
    const client = Databases.pgClient(endpoints, endpoints.pgDb);
    await client.connect();
    await client.query("SET TIME ZONE 'UTC'");
    return new Databases(endpoints, my, client);
  }

  private static pgClient(endpoints: Endpoints, database: string): pg.Client {
    const client = new pg.Client({
      host: endpoints.postgres.host,
      port: endpoints.postgres.port,
      user: endpoints.postgres.user,
      password: endpoints.postgres.password,
      database,
      application_name: 'sluice-bench',
    });
    client.on('error', () => undefined);
    return client;
  }

  async myValue(sql: string): Promise<string | undefined> {
    const [rows] = await this.my.query<mysql.RowDataPacket[]>({ sql, rowsAsArray: true });
    return scalar((rows[0] as unknown[] | undefined)?.[0]);
  }

  async pgValue(sql: string): Promise<string | undefined> {
    const { rows } = await this.pg.query<unknown[]>({ text: sql, rowMode: 'array' });
    return scalar(rows[0]?.[0]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.my.end(), this.pg.end()]);
  }

  /** `mariadb` command line (password through MYSQL_PWD, see env()). */
  mariadbCli(extra = ''): string {
    const e = this.endpoints.mariadb;
    return `mariadb -h ${sh(e.host)} -P ${e.port} -u ${sh(e.user)} --default-character-set=utf8mb4${extra ? ' ' + extra : ''}`;
  }

  /** `psql` command line on the benchmark database (password through PGPASSWORD, see env()). */
  psqlCli(): string {
    const e = this.endpoints.postgres;
    return `psql -X -q -v ON_ERROR_STOP=1 -h ${sh(e.host)} -p ${e.port} -U ${sh(e.user)} -d ${sh(this.endpoints.pgDb)}`;
  }

  /** Environment of every measured or helper command: ours plus the clients' passwords and UTC. */
  env(): NodeJS.ProcessEnv {
    return {
      // eslint-disable-next-line no-restricted-syntax -- a benchmark script, not server code: the clients inherit PATH etc.
      ...process.env,
      PGTZ: 'UTC',
      PGPASSWORD: this.endpoints.postgres.password,
      MYSQL_PWD: this.endpoints.mariadb.password,
    };
  }

  /** Runs a bash script (pipefail, errexit) to completion; rejects with its output's tail on failure. */
  async runScript(script: string, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
        env: this.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', reject);
      child.on('close', (code) => {
        const out = Buffer.concat(chunks).toString('utf8');
        if (code === 0) resolve(out);
        else reject(new Error(`${what} failed (exit ${code}):\n${out.split('\n').slice(-20).join('\n')}`));
      });
    });
  }
}
