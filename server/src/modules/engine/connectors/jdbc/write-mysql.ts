/**
 * Writing into MySQL/MariaDB: LOAD DATA LOCAL INFILE fed from a stream (the fast path), and
 * multi-row INSERT statements of escaped literals (the fallback when the server refuses LOCAL
 * INFILE, and the upsert/delete path).
 *
 * LOAD DATA is stated as FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n',
 * CHARACTER SET utf8mb4: a field is \N for NULL, and backslash, TAB, LF, CR and NUL inside a value
 * are written \\, \t, \n, \r, \0. Binary values travel as hex text into a user variable, stored
 * with UNHEX(@v), so no byte of them is read through the character set.
 *
 * With LOCAL the server cannot stop the client mid-file, so it turns data errors (a value too
 * long, out of range, a duplicate key) into warnings and goes on: the sink reads the warnings of
 * every load and fails the job on any (see MysqlLoadStream.end).
 */
import { PassThrough, type Writable } from 'node:stream';
import type mysql from 'mysql2';
import type { DataType, Value } from '../../row.js';
import {
  floatText,
  integerText,
  jsonText,
  needsEscape,
  utcTimestampText,
  ValueEncodeError,
  type TextEncoder,
} from './write-values.js';

/** How one column is written: as text, as hex into UNHEX(@v), or as a number into CAST(@v AS UNSIGNED) (BIT). */
export interface MysqlColumnWrite {
  name: string;
  type: DataType;
  /** Bytes (or any value into a binary column): hex text, stored with UNHEX. */
  hex: boolean;
  /** The target column is BIT(n): numbers are stored as bits, not as digit characters. */
  bit: boolean;
}

const LOAD_SPECIAL_ALL = /[\\\t\n\r\0]/g;
const LOAD_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** Escapes text for LOAD DATA ... ESCAPED BY '\\'. */
export function escapeLoadText(text: string): string {
  if (!needsEscape(text)) return text;
  return text.replace(LOAD_SPECIAL_ALL, (ch) => LOAD_ESCAPES[ch]!);
}

function finiteText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new ValueEncodeError(`MySQL cannot store ${floatText(value)} (no NaN or infinity in its numeric types)`);
  }
  return String(value);
}

/**
 * A 32-bit float in all the digits of its exact value. MySQL range-checks FLOAT input as a double
 * before rounding it: the shortest text of the largest float ("3.4028235e38") is above FLT_MAX as
 * a double and would be refused, its exact value is not.
 */
function floatValueText(value: number): string {
  return finiteText(Math.fround(value));
}

/** Text of any non-null value for a MySQL column that stores it as text or a number. */
function plainText(value: Exclude<Value, null>, type: DataType): string {
  if (typeof value === 'string') return type.kind === 'timestamp_tz' ? utcTimestampText(value) : value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return finiteText(value);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return jsonText(value, type);
}

function hexOf(value: Exclude<Value, null>, type: DataType): string {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return Buffer.from(plainText(value, type), 'utf8').toString('hex');
}

/**
 * The encoder of one column's values: numbers and booleans as digits, bytes as hex, everything
 * else as text written by `text` (escaped for LOAD DATA, or quoted as a literal).
 */
function columnEncoder(
  column: MysqlColumnWrite,
  text: (value: string) => string,
  hex: (h: string) => string,
): TextEncoder {
  const { type } = column;
  if (column.hex) return (v) => hex(hexOf(v, type));
  if (column.bit) return (v) => integerText(v);
  switch (type.kind) {
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : text(plainText(v, type)));
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (v) => (typeof v === 'number' || typeof v === 'bigint' ? integerText(v) : text(plainText(v, type)));
    case 'float':
      return (v) => (typeof v === 'number' ? floatValueText(v) : text(plainText(v, type)));
    case 'double':
      return (v) => (typeof v === 'number' ? finiteText(v) : text(plainText(v, type)));
    case 'string':
    case 'decimal':
    case 'bytes':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
    case 'null':
    case 'array':
    case 'map':
    case 'row':
      return (v) => text(plainText(v, type));
  }
}

/** The LOAD DATA field encoder for one column. */
export function mysqlLoadEncoder(column: MysqlColumnWrite): TextEncoder {
  return columnEncoder(column, escapeLoadText, (h) => h);
}

/** LOAD DATA LOCAL INFILE into `table` (already quoted) for these columns. */
export function loadDataSql(table: string, columns: readonly MysqlColumnWrite[]): string {
  const targets: string[] = [];
  const sets: string[] = [];
  columns.forEach((column, i) => {
    const quoted = quoteMysql(column.name);
    if (column.hex || column.bit) {
      targets.push(`@v${i}`);
      sets.push(column.hex ? `${quoted} = UNHEX(@v${i})` : `${quoted} = CAST(@v${i} AS UNSIGNED)`);
    } else targets.push(quoted);
  });
  return (
    `LOAD DATA LOCAL INFILE 'sluice-rows.tsv' INTO TABLE ${table} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${targets.join(', ')})` +
    (sets.length ? ` SET ${sets.join(', ')}` : '')
  );
}

export function quoteMysql(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

const LITERAL_SPECIAL = /[\0\b\n\r\t'"\\]/;
const LITERAL_SPECIAL_ALL = /[\0\b\n\r\t'"\\]/g;
const LITERAL_ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\b': '\\b',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
};

/** A quoted MySQL string literal (the session runs without NO_BACKSLASH_ESCAPES; the sink ensures it). */
export function mysqlString(text: string): string {
  if (!LITERAL_SPECIAL.test(text)) return `'${text}'`;
  return `'${text.replace(LITERAL_SPECIAL_ALL, (ch) => LITERAL_ESCAPES[ch]!)}'`;
}

/** SQL literal encoder for one column, for INSERT statements (NULL is written by the caller). */
export function mysqlLiteralEncoder(column: MysqlColumnWrite): TextEncoder {
  return columnEncoder(column, mysqlString, (h) => `X'${h}'`);
}

/** "(v1, v2, ...)" for one row. A bad value throws ValueEncodeError (the caller adds row and column). */
export function mysqlTuple(
  row: readonly Value[],
  encoders: readonly TextEncoder[],
  columns: readonly number[],
): string {
  let out = '(';
  for (let c = 0; c < columns.length; c++) {
    const value = row[columns[c]!];
    if (c > 0) out += ', ';
    out += value === null || value === undefined ? 'NULL' : encoders[columns[c]!]!(value);
  }
  return out + ')';
}

/** Runs one statement (callback API) as a promise. */
export function mysqlQuery<T = unknown>(connection: mysql.Connection, sql: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    connection.query(sql, (err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

/** The OK packet of a statement that changed rows. */
export interface MysqlOk {
  affectedRows: number;
  warningStatus: number;
}

/** MySQL packets carry at most 16 MiB; feed the file in slices well below that. */
const SLICE = 1024 * 1024;
/** How much may wait in the socket before write() waits for it. */
const SOCKET_HIGH_WATER = 4 * 1024 * 1024;

/**
 * One LOAD DATA LOCAL INFILE statement fed from memory. `start` resolves when the server asked for
 * the file (it accepted the statement) and rejects when it refused it (local_infile off). `write`
 * resolves when the socket can take more. `end` resolves with the OK packet once the server has
 * the rows (in the open transaction).
 */
export class MysqlLoadStream {
  private readonly input = new PassThrough({ highWaterMark: SOCKET_HIGH_WATER });
  private readonly accepted: Promise<void>;
  private readonly result: Promise<MysqlOk>;
  private failure: Error | undefined;
  private settled = false;

  constructor(
    private readonly connection: mysql.Connection,
    sql: string,
  ) {
    let accept!: () => void;
    let refuse!: (err: Error) => void;
    this.accepted = new Promise<void>((resolve, reject) => {
      accept = resolve;
      refuse = reject;
    });
    this.result = new Promise<MysqlOk>((resolve, reject) => {
      connection.query(
        {
          sql,
          infileStreamFactory: () => {
            accept();
            return this.input;
          },
        },
        (err, result) => {
          this.settled = true;
          if (err) {
            this.failure ??= err;
            refuse(err);
            reject(err);
          } else {
            accept();
            resolve(result as unknown as MysqlOk);
          }
        },
      );
    });
    this.accepted.catch(() => undefined);
    this.result.catch(() => undefined);
    this.input.on('error', () => undefined);
  }

  start(): Promise<void> {
    return this.accepted;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.settled) throw new Error('LOAD DATA already ended');
    for (let offset = 0; offset < bytes.length; offset += SLICE) {
      if (!this.input.write(bytes.subarray(offset, offset + SLICE))) await this.waitFor(this.input);
    }
    const socket = (this.connection as unknown as { stream: Writable }).stream;
    if (socket.writableLength > SOCKET_HIGH_WATER) await this.waitFor(socket);
  }

  private async waitFor(stream: Writable): Promise<void> {
    await Promise.race([
      new Promise<void>((resolve) => stream.once('drain', () => resolve())),
      this.result.then(() => {
        throw new Error('LOAD DATA ended before its input did');
      }),
    ]);
    if (this.failure) throw this.failure;
  }

  /** Ends the file; resolves with the OK packet (warnings counted in warningStatus). */
  async end(): Promise<MysqlOk> {
    this.input.end();
    return this.result;
  }

  /** Stops sending: the statement ends with an error and the open transaction must be rolled back. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.input.destroy(new Error('the job was stopped'));
    await Promise.race([this.result.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
}
