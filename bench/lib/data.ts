/**
 * The benchmark's data, created once and reused: MariaDB `orders` (N rows), the MariaDB 5-table
 * database, and the PostgreSQL copy of orders that the PostgreSQL-source directions read.
 *
 * A bookkeeping table (`bench_meta` in the MariaDB benchmark database) remembers, per data set,
 * the generator's hash, the row count, the fingerprint and the COPY-text size. A data set is
 * reused when its row count and freshly computed fingerprint match that record; `orders` grows
 * in place when more rows are asked for (row n is the same whatever N is), and is recreated when
 * fewer are asked for or anything does not match. The 1,000,000-row fingerprint is also checked
 * against the value the reference harness published.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh, type Databases } from './db.js';
import {
  BENCH5,
  ORDERS,
  myCopyTextSelect,
  myFingerprintSql,
  pgCreateTableSql,
  pgFingerprintSql,
  type Table,
} from './schema.js';

const SQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');

/** Rows | md5 sum | non-NULL notes of the reference's 1M-row orders (its expected_orders fingerprint). */
export const REFERENCE_1M_FINGERPRINT = '1000000|2145313546733128|950000';
const CHUNK_ROWS = 500_000;

export interface DataSet {
  rows: number;
  /** Fingerprint per table (see schema.ts), keyed by table name. */
  fingerprints: Record<string, string>;
  /** Bytes of the data as PostgreSQL COPY text (what a pipe moves). */
  payloadBytes: number;
}

function sqlFile(name: string, vars: Record<string, string | number>): string {
  return fs.readFileSync(path.join(SQL_DIR, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in vars)) throw new Error(`${name}: no value for {{${key}}}`);
    return String(vars[key]);
  });
}

function generatorHash(...files: string[]): string {
  const hash = createHash('md5');
  for (const f of files) hash.update(fs.readFileSync(path.join(SQL_DIR, f)));
  return hash.digest('hex');
}

interface MetaRow {
  generator: string;
  row_count: string;
  fingerprint: string;
  payload_bytes: string;
}

export class DataPreparer {
  constructor(
    private readonly db: Databases,
    private readonly say: (line: string) => void,
  ) {}

  private get myDb() {
    return this.db.endpoints.myDb;
  }

  private async meta(name: string): Promise<MetaRow | undefined> {
    await this.db.my.query(`CREATE DATABASE IF NOT EXISTS \`${this.myDb}\` DEFAULT CHARACTER SET utf8mb4`);
    await this.db.my.query(
      `CREATE TABLE IF NOT EXISTS \`${this.myDb}\`.bench_meta (
         name VARCHAR(64) NOT NULL PRIMARY KEY, generator CHAR(32) NOT NULL, row_count BIGINT NOT NULL,
         fingerprint TEXT NOT NULL, payload_bytes BIGINT NOT NULL, updated_at DATETIME NOT NULL)`,
    );
    const [rows] = await this.db.my.query<(MetaRow & import('mysql2').RowDataPacket)[]>(
      `SELECT generator, row_count, fingerprint, payload_bytes FROM \`${this.myDb}\`.bench_meta WHERE name = ?`,
      [name],
    );
    return rows[0];
  }

  private async saveMeta(name: string, generator: string, rows: number, fp: string, bytes: number): Promise<void> {
    await this.db.my.query(`REPLACE INTO \`${this.myDb}\`.bench_meta VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())`, [
      name,
      generator,
      rows,
      fp,
      bytes,
    ]);
  }

  private async myTableExists(db: string, table: string): Promise<boolean> {
    return (
      (await this.db.myValue(
        `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ${this.db.my.escape(db)} AND table_name = ${this.db.my.escape(table)}`,
      )) === '1'
    );
  }

  /** COPY-text bytes of MariaDB tables, measured by reading them the way the pipe does. */
  private async copyTextBytes(db: string, tables: Table[]): Promise<number> {
    let total = 0;
    for (const t of tables) {
      const select = myCopyTextSelect(`\`${db}\`.\`${t.name}\``, t.columns);
      const out = await this.db.runScript(
        `${this.db.mariadbCli('--batch --raw --skip-column-names --quick')} -e ${sh(select)} | wc -c`,
        `measuring the COPY-text size of ${db}.${t.name}`,
      );
      total += Number(out.trim());
    }
    return total;
  }

  /** MariaDB `orders` with exactly `rows` rows. */
  async orders(rows: number): Promise<DataSet> {
    const generator = generatorHash('orders-table.sql', 'orders.sql');
    const qualified = `\`${this.myDb}\`.orders`;
    const meta = await this.meta('orders');
    let have = 0;
    if (meta && meta.generator === generator && (await this.myTableExists(this.myDb, 'orders'))) {
      const count = Number(await this.db.myValue(`SELECT COUNT(*) FROM ${qualified}`));
      if (count === Number(meta.row_count) && count <= rows) {
        this.say(`MariaDB ${this.myDb}.orders: ${count} rows; checking the fingerprint`);
        const fp = await this.db.myValue(myFingerprintSql(qualified, ORDERS));
        if (fp === meta.fingerprint) have = count;
        else this.say(`  fingerprint ${fp} differs from the recorded ${meta.fingerprint}: regenerating`);
      }
      if (have === rows) {
        this.checkReference(rows, meta.fingerprint);
        return { rows, fingerprints: { orders: meta.fingerprint }, payloadBytes: Number(meta.payload_bytes) };
      }
    }
    if (have === 0) {
      this.say(`MariaDB ${this.myDb}.orders: creating`);
      await this.db.runScript(
        `${this.db.mariadbCli()} <<'SQL'\n${sqlFile('orders-table.sql', { db: this.myDb })}\nSQL`,
        'creating the orders table',
      );
    }
    for (let first = have + 1; first <= rows; first += CHUNK_ROWS) {
      const last = Math.min(rows, first + CHUNK_ROWS - 1);
      this.say(`  generating rows ${first}..${last} of ${rows}`);
      await this.db.runScript(
        `${this.db.mariadbCli()} <<'SQL'\n${sqlFile('orders.sql', { db: this.myDb, first, last })}\nSQL`,
        `generating orders rows ${first}..${last}`,
      );
    }
    await this.db.my.query(`ANALYZE TABLE ${qualified}`);
    const fp = (await this.db.myValue(myFingerprintSql(qualified, ORDERS)))!;
    this.checkReference(rows, fp);
    this.say(`  measuring the COPY-text size`);
    const bytes = await this.copyTextBytes(this.myDb, [{ name: 'orders', columns: ORDERS }]);
    await this.saveMeta('orders', generator, rows, fp, bytes);
    this.say(`  ${rows} rows, fingerprint ${fp}, ${(bytes / 1e6).toFixed(1)} MB as COPY text`);
    return { rows, fingerprints: { orders: fp }, payloadBytes: bytes };
  }

  private checkReference(rows: number, fp: string): void {
    if (rows === 1_000_000 && fp !== REFERENCE_1M_FINGERPRINT) {
      throw new Error(
        `orders fingerprint ${fp} is not the reference harness's ${REFERENCE_1M_FINGERPRINT}: the generator differs`,
      );
    }
  }

  /** The MariaDB 5-table database, `perTable` rows in each table. */
  async bench5(perTable: number): Promise<DataSet> {
    const generator = generatorHash('bench5.sql');
    const db5 = this.db.endpoints.my5Db;
    const meta = await this.meta('bench5');
    const fingerprints = async () => {
      const out: Record<string, string> = {};
      for (const t of BENCH5) {
        out[t.name] = (await this.db.myValue(myFingerprintSql(`\`${db5}\`.\`${t.name}\``, t.columns)))!;
      }
      return out;
    };
    if (meta && meta.generator === generator && Number(meta.row_count) === perTable) {
      const present = await Promise.all(BENCH5.map((t) => this.myTableExists(db5, t.name)));
      if (present.every(Boolean)) {
        this.say(`MariaDB ${db5}: checking the fingerprints of ${BENCH5.length} tables`);
        const fps = await fingerprints();
        if (JSON.stringify(fps) === meta.fingerprint) {
          return { rows: perTable * BENCH5.length, fingerprints: fps, payloadBytes: Number(meta.payload_bytes) };
        }
        this.say(`  fingerprints differ from the recorded ones: regenerating`);
      }
    }
    this.say(`MariaDB ${db5}: generating ${BENCH5.length} tables x ${perTable} rows`);
    await this.db.runScript(
      `${this.db.mariadbCli()} > /dev/null <<'SQL'\n${sqlFile('bench5.sql', { db: db5, n: perTable })}\nSQL`,
      `generating ${db5}`,
    );
    const fps = await fingerprints();
    const bytes = await this.copyTextBytes(db5, BENCH5);
    await this.saveMeta('bench5', generator, perTable, JSON.stringify(fps), bytes);
    this.say(`  ${(bytes / 1e6).toFixed(1)} MB as COPY text`);
    return { rows: perTable * BENCH5.length, fingerprints: fps, payloadBytes: bytes };
  }

  /**
   * The PostgreSQL copy of orders (`orders_src`), loaded from MariaDB through the pipe and frozen
   * (VACUUM FREEZE: timed reads then find no hint bits to set).
   */
  async pgSource(orders: DataSet): Promise<void> {
    const expected = orders.fingerprints.orders!;
    const exists = await this.db.pgValue(`SELECT to_regclass('public.orders_src')::text`);
    if (exists) {
      this.say(`PostgreSQL ${this.db.endpoints.pgDb}.public.orders_src: checking the fingerprint`);
      const fp = await this.db.pgValue(pgFingerprintSql('public.orders_src', ORDERS));
      if (fp === expected) return;
      this.say(`  ${fp} is not the MariaDB source's ${expected}: reloading`);
    }
    this.say(`PostgreSQL ${this.db.endpoints.pgDb}.public.orders_src: loading ${orders.rows} rows`);
    await this.db.pg.query('DROP TABLE IF EXISTS public.orders_src');
    await this.db.pg.query(pgCreateTableSql('public.orders_src', ORDERS));
    await this.db.runScript(
      `${this.pipeMyToPg(`\`${this.myDb}\`.orders`, ORDERS, 'public.orders_src')}`,
      'loading orders_src',
    );
    await this.db.pg.query('VACUUM (FREEZE, ANALYZE) public.orders_src');
    const fp = await this.db.pgValue(pgFingerprintSql('public.orders_src', ORDERS));
    if (fp !== expected) throw new Error(`orders_src fingerprint ${fp} after loading, expected ${expected}`);
  }

  /** The MariaDB → PostgreSQL pipe for one table (also the measured baseline). */
  pipeMyToPg(myQualified: string, columns: Table['columns'], pgQualified: string): string {
    return (
      `${this.db.mariadbCli('--batch --raw --skip-column-names --quick')} -e ${sh(myCopyTextSelect(myQualified, columns))}` +
      ` | ${this.db.psqlCli()} -c ${sh(`\\copy ${pgQualified} from stdin`)}`
    );
  }
}
