/**
 * The benchmark's tables as the harness sees them: each column's kind decides how it is escaped
 * into PostgreSQL COPY text on the MariaDB side and how it is normalised for the checksum, so
 * that one fingerprint can be computed in SQL on either database and compared as text.
 */

export type Kind = 'int' | 'decimal' | 'text' | 'datetime' | 'timestamp' | 'bool' | 'double';

export interface Column {
  name: string;
  kind: Kind;
  /** PostgreSQL type of the pre-created target column. */
  pg: string;
  nullable?: boolean;
}

export interface Table {
  name: string;
  columns: Column[];
}

export const ORDERS: Column[] = [
  { name: 'id', kind: 'int', pg: 'bigint' },
  { name: 'customer_id', kind: 'int', pg: 'integer' },
  { name: 'name', kind: 'text', pg: 'varchar(64)' },
  { name: 'amount', kind: 'decimal', pg: 'numeric(12,2)' },
  { name: 'created_at', kind: 'datetime', pg: 'timestamp' },
  { name: 'status', kind: 'int', pg: 'smallint' },
  { name: 'note', kind: 'text', pg: 'text', nullable: true },
  { name: 'attrs', kind: 'text', pg: 'varchar(255)' },
];

/** The 5-table database, parents first (the order the pipe loads them in). */
export const BENCH5: Table[] = [
  {
    name: 'customers',
    columns: [
      { name: 'id', kind: 'int', pg: 'integer' },
      { name: 'email', kind: 'text', pg: 'varchar(128)' },
      { name: 'name', kind: 'text', pg: 'varchar(64)' },
      { name: 'country', kind: 'text', pg: 'char(2)' },
      { name: 'created_at', kind: 'datetime', pg: 'timestamp' },
      { name: 'is_active', kind: 'bool', pg: 'boolean' },
      { name: 'profile', kind: 'text', pg: 'text', nullable: true },
    ],
  },
  {
    name: 'products',
    columns: [
      { name: 'id', kind: 'int', pg: 'integer' },
      { name: 'sku', kind: 'text', pg: 'varchar(32)' },
      { name: 'title', kind: 'text', pg: 'varchar(128)' },
      { name: 'price', kind: 'decimal', pg: 'numeric(10,2)' },
      { name: 'weight', kind: 'double', pg: 'double precision' },
      { name: 'description', kind: 'text', pg: 'text', nullable: true },
      { name: 'updated_at', kind: 'timestamp', pg: 'timestamptz' },
    ],
  },
  { name: 'orders', columns: ORDERS },
  {
    name: 'order_items',
    columns: [
      { name: 'id', kind: 'int', pg: 'bigint' },
      { name: 'order_id', kind: 'int', pg: 'bigint' },
      { name: 'product_id', kind: 'int', pg: 'integer' },
      { name: 'qty', kind: 'int', pg: 'smallint' },
      { name: 'unit_price', kind: 'decimal', pg: 'numeric(10,2)' },
      { name: 'discount', kind: 'decimal', pg: 'numeric(5,2)', nullable: true },
    ],
  },
  {
    name: 'payments',
    columns: [
      { name: 'id', kind: 'int', pg: 'bigint' },
      { name: 'order_id', kind: 'int', pg: 'bigint' },
      { name: 'method', kind: 'text', pg: 'varchar(6)' },
      { name: 'amount', kind: 'decimal', pg: 'numeric(12,2)' },
      { name: 'paid_at', kind: 'datetime', pg: 'timestamp', nullable: true },
      { name: 'ref', kind: 'text', pg: 'char(36)' },
    ],
  },
];

const NULL_MARK = '<null>';

/** MariaDB text of a column for the checksum (same text as pgChecksumText gives). */
function myChecksumText(c: Column): string {
  const col = `\`${c.name}\``;
  let expr: string;
  switch (c.kind) {
    case 'datetime':
    case 'timestamp':
      expr = `DATE_FORMAT(${col}, '%Y-%m-%d %H:%i:%s')`;
      break;
    case 'double':
      // four decimals survive every path (the generator makes at most four)
      expr = `CAST(ROUND(${col} * 10000) AS SIGNED)`;
      break;
    case 'bool':
      expr = `(${col} <> 0) + 0`;
      break;
    case 'int':
    case 'decimal':
    case 'text':
      expr = col;
      break;
  }
  return c.nullable ? `IFNULL(${expr}, '${NULL_MARK}')` : expr;
}

function pgChecksumText(c: Column): string {
  const col = `"${c.name}"`;
  let expr: string;
  switch (c.kind) {
    case 'datetime':
    case 'timestamp':
      // the verifying session runs in UTC, so timestamptz prints as MariaDB's UTC session does
      expr = `to_char(${col}, 'YYYY-MM-DD HH24:MI:SS')`;
      break;
    case 'double':
      expr = `round(${col} * 10000)::bigint`;
      break;
    case 'bool':
      expr = `(${col})::int`;
      break;
    case 'int':
    case 'decimal':
    case 'text':
      expr = `${col}::text`;
      break;
  }
  return c.nullable ? `coalesce(${expr}::text, '${NULL_MARK}')` : expr;
}

/**
 * One text fingerprint of a table: rows | sum over rows of the first 32 bits of md5(all columns)
 * | non-NULL count of each nullable column. Order-independent; a changed, lost or duplicated row
 * changes it. For orders the first two parts equal the reference harness's count and fp values.
 */
export function myFingerprintSql(qualified: string, columns: Column[]): string {
  const row = `CONCAT_WS('|', ${columns.map(myChecksumText).join(', ')})`;
  const parts = [
    'COUNT(*)',
    `IFNULL(SUM(CAST(CONV(SUBSTR(MD5(${row}), 1, 8), 16, 10) AS UNSIGNED)), 0)`,
    ...columns.filter((c) => c.nullable).map((c) => `COUNT(\`${c.name}\`)`),
  ];
  return `SELECT CONCAT_WS('|', ${parts.join(', ')}) AS fp FROM ${qualified}`;
}

export function pgFingerprintSql(qualified: string, columns: Column[]): string {
  const row = `concat_ws('|', ${columns.map(pgChecksumText).join(', ')})`;
  const parts = [
    'count(*)',
    `coalesce(sum(('x' || substr(md5(${row}), 1, 8))::bit(32)::bigint), 0)`,
    ...columns.filter((c) => c.nullable).map((c) => `count("${c.name}")`),
  ];
  return `SELECT concat_ws('|', ${parts.join(', ')}) AS fp FROM ${qualified}`;
}

/**
 * A SELECT that makes `mariadb --batch --raw --skip-column-names` print PostgreSQL COPY text: the
 * server escapes backslash, tab, newline and CR in text columns and writes \N for NULL (with --raw
 * the client escapes nothing, and without it the client would not escape CR).
 */
export function myCopyTextSelect(qualified: string, columns: Column[]): string {
  const exprs = columns.map((c) => {
    let expr = `\`${c.name}\``;
    if (c.kind === 'text') {
      for (const [from, to] of [
        ['\\\\', '\\\\\\\\'],
        ['\\t', '\\\\t'],
        ['\\n', '\\\\n'],
        ['\\r', '\\\\r'],
      ]) {
        expr = `REPLACE(${expr}, '${from}', '${to}')`;
      }
    }
    return c.nullable ? `IFNULL(${expr}, '\\\\N')` : expr;
  });
  return `SELECT ${exprs.join(',\n  ')}\nFROM ${qualified}`;
}

export function pgCreateTableSql(qualified: string, columns: Column[]): string {
  const defs = columns.map((c) => `"${c.name}" ${c.pg}${c.nullable ? '' : ' NOT NULL'}`);
  return `CREATE TABLE ${qualified} (\n  ${defs.join(',\n  ')},\n  PRIMARY KEY ("${columns[0]!.name}")\n)`;
}
