/**
 * Change rows (INSERT / UPDATE_BEFORE / UPDATE_AFTER / DELETE) reduced to what the target must do,
 * and the SQL that does it: PostgreSQL merges a staged temp table (INSERT ... SELECT ... ON
 * CONFLICT, DELETE ... USING, UPDATE ... FROM); MySQL uses INSERT ... ON DUPLICATE KEY UPDATE and
 * DELETE ... WHERE key IN (...).
 */
import type { Value } from '../../row.js';

export type OpKind = 'upsert' | 'insert' | 'update' | 'delete';

/** One pending change: what to do, the row, and its number among the rows the table received (1-based). */
export interface PendingOp {
  kind: OpKind;
  row: Value[];
  rowNumber: number;
}

/** A run of consecutive operations of one kind (rows in order, with their row numbers). */
export interface OpRun {
  kind: OpKind;
  rows: Value[][];
  rowNumbers: number[];
}

/** Text identity of a row's key (values by meaning: bytes by content). */
export function keyOf(row: readonly Value[], positions: readonly number[]): string {
  let key = '';
  for (const p of positions) {
    const v = row[p];
    key +=
      v === null || v === undefined
        ? '\u0001N'
        : Buffer.isBuffer(v)
          ? `\u0001x${v.toString('hex')}`
          : `\u0001${typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)}`;
  }
  return key;
}

/**
 * Reduces upsert/delete operations to the last one per key (each is a full statement of the key's
 * state, so only the last matters), then groups them: deletes and upserts touch disjoint keys and
 * may run in either order.
 */
export function reduceByKey(
  ops: readonly PendingOp[],
  keyPositions: readonly number[],
): { deletes: OpRun; upserts: OpRun } {
  const last = new Map<string, PendingOp>();
  for (const op of ops) {
    const key = keyOf(op.row, keyPositions);
    // Delete-then-insert keeps insertion order of the last op: re-adding moves the key to the end.
    last.delete(key);
    last.set(key, op);
  }
  const deletes: OpRun = { kind: 'delete', rows: [], rowNumbers: [] };
  const upserts: OpRun = { kind: 'upsert', rows: [], rowNumbers: [] };
  for (const op of last.values()) {
    const run = op.kind === 'delete' ? deletes : upserts;
    run.rows.push(op.row);
    run.rowNumbers.push(op.rowNumber);
  }
  return { deletes, upserts };
}

/** Consecutive operations of the same kind, in order (for writes without upsert). */
export function runsInOrder(ops: readonly PendingOp[]): OpRun[] {
  const runs: OpRun[] = [];
  for (const op of ops) {
    let run = runs[runs.length - 1];
    if (!run || run.kind !== op.kind) {
      run = { kind: op.kind, rows: [], rowNumbers: [] };
      runs.push(run);
    }
    run.rows.push(op.row);
    run.rowNumbers.push(op.rowNumber);
  }
  return runs;
}

/** Keeps the last row per key, in order of last appearance (an UPDATE ... FROM must not see a key twice). */
export function lastPerKey(run: OpRun, keyPositions: readonly number[]): OpRun {
  const last = new Map<string, number>();
  run.rows.forEach((row, i) => {
    const key = keyOf(row, keyPositions);
    last.delete(key);
    last.set(key, i);
  });
  if (last.size === run.rows.length) return run;
  const picks = [...last.values()];
  return { kind: run.kind, rows: picks.map((i) => run.rows[i]!), rowNumbers: picks.map((i) => run.rowNumbers[i]!) };
}

// ------------------------------------------------------------------------------- PostgreSQL

/** INSERT INTO target SELECT ... FROM staged ON CONFLICT (keys) DO UPDATE SET every non-key column. */
export function pgMergeSql(
  target: string,
  staged: string,
  columns: readonly string[],
  keys: readonly string[],
): string {
  const cols = columns.join(', ');
  const others = columns.filter((c) => !keys.includes(c));
  const action = others.length ? `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'DO NOTHING';
  return `INSERT INTO ${target} (${cols}) SELECT ${cols} FROM ${staged} ON CONFLICT (${keys.join(', ')}) ${action}`;
}

/** DELETE FROM target USING staged keys (compared with =, so the key's index serves the join). */
export function pgDeleteSql(target: string, staged: string, keys: readonly string[]): string {
  return `DELETE FROM ${target} AS t USING ${staged} AS d WHERE ${keys.map((k) => `t.${k} = d.${k}`).join(' AND ')}`;
}

/** UPDATE target SET non-key columns FROM staged WHERE keys match. */
export function pgUpdateSql(
  target: string,
  staged: string,
  columns: readonly string[],
  keys: readonly string[],
): string | undefined {
  const others = columns.filter((c) => !keys.includes(c));
  if (!others.length) return undefined;
  return (
    `UPDATE ${target} AS t SET ${others.map((c) => `${c} = d.${c}`).join(', ')} FROM ${staged} AS d ` +
    `WHERE ${keys.map((k) => `t.${k} = d.${k}`).join(' AND ')}`
  );
}

// ------------------------------------------------------------------------------- MySQL

/** INSERT INTO t (cols) VALUES tuples [ON DUPLICATE KEY UPDATE c = VALUES(c)]. */
export function mysqlInsertSql(
  target: string,
  columns: readonly string[],
  tuples: readonly string[],
  upsertKeys?: readonly string[],
): string {
  let sql = `INSERT INTO ${target} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`;
  if (upsertKeys) {
    const others = columns.filter((c) => !upsertKeys.includes(c));
    const updated = others.length ? others : [upsertKeys[0]!];
    sql += ` ON DUPLICATE KEY UPDATE ${updated.map((c) => `${c} = VALUES(${c})`).join(', ')}`;
  }
  return sql;
}

/** DELETE FROM t WHERE key matches any of the given key tuples (each tuple already SQL literals). */
export function mysqlDeleteSql(target: string, keys: readonly string[], keyLiterals: readonly string[][]): string {
  if (keys.length === 1) {
    const k = keys[0]!;
    const values = keyLiterals.map((t) => t[0]!);
    const nonNull = values.filter((v) => v !== 'NULL');
    const parts: string[] = [];
    if (nonNull.length) parts.push(`${k} IN (${nonNull.join(', ')})`);
    if (nonNull.length < values.length) parts.push(`${k} IS NULL`);
    return `DELETE FROM ${target} WHERE ${parts.join(' OR ')}`;
  }
  const conditions = keyLiterals.map((t) => `(${keys.map((k, i) => `${k} <=> ${t[i]!}`).join(' AND ')})`);
  return `DELETE FROM ${target} WHERE ${conditions.join(' OR ')}`;
}

/** UPDATE t SET non-key columns WHERE key columns match (one row). */
export function mysqlUpdateSql(
  target: string,
  columns: readonly string[],
  literals: readonly string[],
  keys: readonly string[],
): string | undefined {
  const sets: string[] = [];
  const where: string[] = [];
  columns.forEach((c, i) => {
    if (keys.includes(c)) where.push(`${c} <=> ${literals[i]!}`);
    else sets.push(`${c} = ${literals[i]!}`);
  });
  if (!sets.length) return undefined;
  return `UPDATE ${target} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`;
}

// ------------------------------------------------------------------------------- user queries

/** A user statement cut at its parameters: `?` (bound in field order) or `:name` (bound by field name). */
export interface StatementParameters {
  /** The text around the parameters: one more piece than parameters. */
  pieces: string[];
  /** The field name of each parameter, or undefined for a `?`. */
  names: (string | undefined)[];
}

/**
 * Cuts a statement at its `?` and `:name` parameters, skipping quoted text, comments, dollar-quoted
 * bodies and PostgreSQL `::type` casts.
 */
export function statementParameters(sql: string): StatementParameters {
  const pieces: string[] = [];
  const names: (string | undefined)[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      i++;
      while (i < sql.length) {
        if (sql[i] === '\\' && ch !== '`') i += 2;
        else if (sql[i] === ch) {
          if (sql[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === '$' && sql[i + 1] === '$') {
      // PostgreSQL dollar quoting $$...$$
      const end = sql.indexOf('$$', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === '?') {
      pieces.push(sql.slice(start, i));
      names.push(undefined);
      start = i + 1;
      i++;
    } else if (ch === ':' && sql[i + 1] === ':') {
      i += 2;
    } else if (ch === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      pieces.push(sql.slice(start, i));
      names.push(name);
      i += 1 + name.length;
      start = i;
    } else i++;
  }
  pieces.push(sql.slice(start));
  return { pieces, names };
}

/** The statement's text around its parameters (see statementParameters). */
export function splitPlaceholders(sql: string): string[] {
  return statementParameters(sql).pieces;
}

/** "INSERT ... VALUES (?, ?)" as "INSERT ... VALUES ($1, $2)"; returns the text and the placeholder count. */
export function toPgPlaceholders(sql: string): { text: string; count: number } {
  const pieces = splitPlaceholders(sql);
  let text = pieces[0]!;
  for (let i = 1; i < pieces.length; i++) text += `$${i}${pieces[i]!}`;
  return { text, count: pieces.length - 1 };
}
