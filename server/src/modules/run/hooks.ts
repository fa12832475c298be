/**
 * The hook runner: a task's pre-hooks (before the engine) and post-hooks (after it), one at a time,
 * in order. A hook is a SQL statement (or several) on a PostgreSQL or MySQL/MariaDB datasource, or
 * an HTTP request. Every line logged and every error message has the run's secret values (and the
 * datasource password, and URL credentials) replaced by `******`, as everywhere in run logs.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  classifyConnectionError,
  openMysqlConnection,
  openPostgresConnection,
  type ConnectionOptions,
  type ConnectionTarget,
} from '../datasource/index.js';
import type { Hook } from '../task/index.js';
import { MASK } from './redact.js';

export interface HookLogger {
  (level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string): void;
}

export interface HookEnvironment {
  log: HookLogger;
  /** Run cancelled/timed out: the hook in progress is aborted at once. */
  signal: AbortSignal;
  /** The datasource's type ('POSTGRESQL' | 'MYSQL' | ...) and decrypted connection options. */
  resolveDatasource(ref: string): Promise<{ type: string; name: string; options: Record<string, unknown> }>;
  /** ${name} values for the run (its parameters and defaults); secret ones must never be logged. */
  variables: Record<string, string>;
  /** Names whose values are secret. */
  secretVariables?: ReadonlySet<string>;
}

export interface HookOutcome {
  ok: boolean;
  error?: { code: 'HOOK_FAILED' | 'HOOK_TIMEOUT' | 'CANCELLED'; message: string };
}

/** Result rows of a SELECT (or anything returning rows) logged per statement. */
export const MAX_LOGGED_ROWS = 20;
/** The part of an HTTP response body logged and quoted in a failure. */
export const MAX_RESPONSE_BYTES = 2048;
/** After a cancel was asked for, how long a statement may take to stop before its connection is dropped. */
const CANCEL_GRACE_MS = 3000;
const MAX_CELL_CHARS = 200;
const MAX_ROW_CHARS = 1000;
const MAX_SNIPPET_CHARS = 80;

/** A problem of the hook itself (its message is shown as is, after masking). */
export class HookError extends Error {
  override name = 'HookError';
}

// ---------------------------------------------------------------------------------------------
// Secrets

/**
 * The values never to show. Each is also masked in its URL-encoded and JSON-escaped forms (how it
 * appears in a URL, in a logged row or in a JSON response), longest first.
 */
export class SecretMask {
  private readonly values = new Set<string>();

  add(value: string | undefined | null): void {
    if (!value) return;
    this.values.add(value);
    this.values.add(encodeURIComponent(value));
    this.values.add(encodeURIComponent(value).replace(/%20/g, '+'));
    this.values.add(JSON.stringify(value).slice(1, -1));
  }

  mask(text: string): string {
    let masked = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      if (value !== '') masked = masked.split(value).join(MASK);
    }
    return masked;
  }
}

// ---------------------------------------------------------------------------------------------
// Variables

/** As in job configs: `${name}`, `${name:default}`, and `${?name}` (empty when the run has no value). */
const VARIABLE_REFERENCE = /\$\{(\??)([A-Za-z0-9_.-]+)(?::([^}\n]*))?\}/g;

/**
 * `${name}` replaced by the run's value of `name`, else by the default written after `:`, else (for
 * `${?name}`) by nothing; values and defaults go through `encode` when given. A name with no value
 * and no default fails naming the field and the variable.
 */
export function substituteVariables(
  text: string,
  variables: Record<string, string>,
  field: string,
  encode: (value: string) => string = (value) => value,
): string {
  return text.replace(VARIABLE_REFERENCE, (_match, optional: string, name: string, fallback: string | undefined) => {
    if (Object.hasOwn(variables, name)) return encode(variables[name]!);
    if (fallback !== undefined) return encode(fallback);
    if (optional === '?') return '';
    const known = Object.keys(variables);
    throw new HookError(
      `${field} uses \${${name}}, which is not a variable of this run (${known.length > 0 ? `it has: ${known.join(', ')}` : 'it has none'})`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// SQL text

export type SqlDialect = 'postgresql' | 'mysql';

const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Splits `sql` at the semicolons that end statements: not in quotes ('...', "...", `...`, E'...',
 * $tag$...$tag$) nor in comments (--, /* *\/, and MySQL's #). Pieces holding nothing but blanks
 * and comments are dropped; each statement keeps its own comments.
 */
export function splitStatements(sql: string, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  let start = 0;
  let content = false;
  let i = 0;
  const n = sql.length;
  const endOfQuoted = (from: number, quote: string, backslash: boolean): number => {
    let j = from + 1;
    while (j < n) {
      const c = sql[j]!;
      if (backslash && c === '\\') j += 2;
      else if (c === quote) {
        if (sql[j + 1] === quote) j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-' && (dialect === 'postgresql' || i + 2 >= n || /\s/.test(sql[i + 2]!))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '#' && dialect === 'mysql') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && next === '*') {
      // PostgreSQL's block comments nest; MySQL's do not.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else if (dialect === 'postgresql' && sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else j++;
      }
      i = j;
    } else if (c === "'") {
      const escapeString = dialect === 'postgresql' && i > 0 && /[eE]/.test(sql[i - 1]!) && !isWordBefore(sql, i - 1);
      i = endOfQuoted(i, "'", dialect === 'mysql' || escapeString);
      content = true;
    } else if (c === '"') {
      i = endOfQuoted(i, '"', dialect === 'mysql');
      content = true;
    } else if (c === '`' && dialect === 'mysql') {
      i = endOfQuoted(i, '`', false);
      content = true;
    } else if (c === '$' && dialect === 'postgresql' && !(i > 0 && IDENTIFIER_CHAR.test(sql[i - 1]!))) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 70));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? n : close + tag[0].length;
      } else i++;
      content = true;
    } else if (c === ';') {
      if (content) statements.push(sql.slice(start, i).trim());
      start = i + 1;
      content = false;
      i++;
    } else {
      if (!/\s/.test(c)) content = true;
      i++;
    }
  }
  if (content) statements.push(sql.slice(start).trim());
  return statements;
}

/** Whether the character before `index` continues a word (so `index` does not start an E'...' prefix). */
function isWordBefore(sql: string, index: number): boolean {
  return index > 0 && IDENTIFIER_CHAR.test(sql[index - 1]!);
}

/**
 * The batches to send, in order: one per statement, except for text holding a compound body with
 * semicolons of its own (PostgreSQL's BEGIN ATOMIC, a MySQL routine, trigger or event with
 * BEGIN ... END), which goes whole and is split by the server.
 */
export function planStatements(sql: string, dialect: SqlDialect): string[] {
  const statements = splitStatements(sql, dialect);
  const compound =
    dialect === 'postgresql'
      ? statements.some((s) => /\bBEGIN\s+ATOMIC\b/i.test(s))
      : statements.some(
          (s) =>
            /^(?:\/\*[\s\S]*?\*\/\s*)*CREATE\b[^(]*?\b(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i.test(s) &&
            /\bBEGIN\b/i.test(s),
        );
  return compound && statements.length > 1 ? [sql.trim()] : statements;
}

// ---------------------------------------------------------------------------------------------
// Compact text

/** A value as one short piece of text: NULL, ISO dates, \x hex for bytes, JSON for objects. */
export function formatValue(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) text = Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  else if (Buffer.isBuffer(value)) {
    text = `\\x${value.subarray(0, 64).toString('hex')}${value.length > 64 ? '…' : ''}`;
  } else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value) ?? typeof value;
  text = text.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
  return truncate(text, MAX_CELL_CHARS);
}

/** `a | b | NULL`, as psql shows a row. */
export function formatRow(values: readonly unknown[]): string {
  return truncate(values.map(formatValue).join(' | '), MAX_ROW_CHARS);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The statement's start on one line (without the comments before it), for log lines. */
export function snippet(statement: string): string {
  const code = statement.replace(/^(?:\s*(?:(?:--|#)[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))*/, '');
  return truncate((code.trim() || statement).replace(/\s+/g, ' ').trim(), MAX_SNIPPET_CHARS);
}

// ---------------------------------------------------------------------------------------------
// The runner

interface HookContext {
  label: string;
  log: HookLogger;
  secrets: SecretMask;
  variables: Record<string, string>;
  signal: AbortSignal;
  resolveDatasource: HookEnvironment['resolveDatasource'];
}

/**
 * Runs the hooks of one phase in order. A failing FAIL hook stops the phase with its error; a
 * failing CONTINUE hook is logged (WARN) and the next one runs. A cancelled run (`env.signal`)
 * stops at once with CANCELLED, whatever the policy.
 */
export async function runHooks(phase: 'pre' | 'post', hooks: Hook[], env: HookEnvironment): Promise<HookOutcome> {
  const secrets = new SecretMask();
  for (const name of env.secretVariables ?? []) secrets.add(env.variables[name]);
  const log: HookLogger = (level, message) => env.log(level, secrets.mask(message));
  const cancelled = (label: string, detail: string): HookOutcome => {
    log('WARN', `${label}: ${detail}`);
    return { ok: false, error: { code: 'CANCELLED', message: `${label} ${detail}` } };
  };

  for (const [index, hook] of hooks.entries()) {
    const label = `${phase}-hook ${index + 1}/${hooks.length}`;
    if (env.signal.aborted) return cancelled(label, 'cancelled before it started');
    const timeoutSeconds = Number.isFinite(hook.timeoutSeconds) && hook.timeoutSeconds > 0 ? hook.timeoutSeconds : 60;
    const onFailure = String(hook.onFailure ?? 'FAIL') === 'CONTINUE' ? 'CONTINUE' : 'FAIL';
    const timeout = AbortSignal.timeout(timeoutSeconds * 1000);
    const signal = AbortSignal.any([env.signal, timeout]);
    const context: HookContext = {
      label,
      log,
      secrets,
      variables: env.variables,
      signal,
      resolveDatasource: (ref) => env.resolveDatasource(ref),
    };
    const started = performance.now();
    const elapsed = () => formatDuration(performance.now() - started);
    let failure: { code: 'HOOK_FAILED' | 'HOOK_TIMEOUT'; detail: string } | undefined;
    try {
      const kind = String(hook.kind);
      if (kind === 'SQL') await runSqlHook(hook, context);
      else if (kind === 'HTTP') await runHttpHook(hook, context);
      else throw new HookError(`kind ${kind} is not a hook kind (SQL or HTTP)`);
      // A statement can end normally just as it is cancelled (MySQL's SLEEP returns 1 when killed).
      if (signal.aborted) throw new HookError('aborted');
    } catch (err) {
      if (env.signal.aborted) return cancelled(label, `cancelled after ${elapsed()}`);
      failure = timeout.aborted
        ? { code: 'HOOK_TIMEOUT', detail: `timed out after ${timeoutSeconds} s (timeoutSeconds)` }
        : { code: 'HOOK_FAILED', detail: errorText(err) };
    }
    if (!failure) {
      log('INFO', `${label}: succeeded in ${elapsed()}`);
      continue;
    }
    const message = secrets.mask(`${label} ${failure.code === 'HOOK_TIMEOUT' ? '' : 'failed: '}${failure.detail}`);
    if (onFailure === 'CONTINUE') {
      log('WARN', `${label}: failed after ${elapsed()}: ${failure.detail}; onFailure is CONTINUE, going on`);
      continue;
    }
    log('ERROR', `${label}: failed after ${elapsed()}: ${failure.detail}`);
    return { ok: false, error: { code: failure.code, message } };
  }
  return { ok: true };
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function errorText(err: unknown): string {
  if (err instanceof HookError) return err.message;
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    if (err.message === 'fetch failed' && cause instanceof Error) return `request failed: ${describeError(cause)}`;
    return describeError(err);
  }
  return String(err);
}

/** The error's message, with the inner errors of an AggregateError (every address of a host failed). */
function describeError(err: Error): string {
  const e = err as Error & { code?: unknown; errors?: unknown };
  if (!e.message && Array.isArray(e.errors) && e.errors[0] instanceof Error) return describeError(e.errors[0]);
  return e.message || (typeof e.code === 'string' ? e.code : e.name);
}

/** Rejects as soon as `signal` aborts; a value `work` still delivers later is handed to `late` (to close it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, late?: (value: T) => unknown): Promise<T> {
  if (signal.aborted) {
    void work.then(late, () => undefined);
    return Promise.reject(new HookError('aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      void work.then(late, () => undefined);
      reject(new HookError('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) void Promise.resolve(late?.(value)).catch(() => undefined);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// SQL hooks

/** One statement's outcome, whatever the driver. */
interface StatementResult {
  command: string;
  /** Rows changed (INSERT/UPDATE/DELETE...) or returned; null when the server reports none. */
  rowCount: number | null;
  /** Present when the statement returned rows (SELECT, RETURNING, SHOW...). */
  columns?: string[];
  rows?: unknown[][];
}

/** A session a SQL hook runs its statements on. */
interface SqlSession {
  run(batch: string): Promise<StatementResult[]>;
  /** Asks the server (from another connection) to cancel what the session is running. */
  cancel(): Promise<void>;
  /** Drops the connection without waiting for the server. */
  destroy(): void;
  close(): Promise<void>;
}

interface SqlSettings extends ConnectionTarget {
  database?: string;
  password: string;
  sslMode: string;
  connectTimeoutSeconds: number;
}

function sqlSettings(options: Record<string, unknown>, defaults: { port: number; sslMode: string }): SqlSettings {
  const database = typeof options.database === 'string' && options.database !== '' ? options.database : undefined;
  return {
    host: typeof options.host === 'string' ? options.host : '',
    port: Number(options.port ?? defaults.port),
    database,
    user: typeof options.user === 'string' ? options.user : '',
    password: typeof options.password === 'string' ? options.password : '',
    sslMode: typeof options.sslMode === 'string' ? options.sslMode : defaults.sslMode,
    connectTimeoutSeconds: Number(options.connectTimeoutSeconds ?? 10),
  };
}

const DIALECTS: Record<string, SqlDialect> = { POSTGRESQL: 'postgresql', MYSQL: 'mysql', MARIADB: 'mysql' };

async function runSqlHook(hook: Hook, context: HookContext): Promise<void> {
  const { label, log, secrets, signal } = context;
  const ref = hook.datasource?.trim();
  if (!ref) throw new HookError('a SQL hook needs a datasource (field datasource)');
  log('INFO', `${label}: SQL on datasource "${ref}"`);
  if (!hook.sql?.trim()) throw new HookError('a SQL hook needs a statement (field sql)');
  const sql = substituteVariables(hook.sql, context.variables, 'sql');

  const datasource = await untilAborted(context.resolveDatasource(ref), signal);
  for (const [key, value] of Object.entries(datasource.options)) {
    if (typeof value === 'string' && /password|secret|token/i.test(key)) secrets.add(value);
  }
  const dialect = DIALECTS[datasource.type.toUpperCase()];
  if (!dialect) {
    throw new HookError(
      `datasource "${datasource.name}" is of type ${datasource.type}; SQL hooks run on POSTGRESQL and MYSQL (MariaDB) datasources only`,
    );
  }
  const batches = planStatements(sql, dialect);
  if (batches.length === 0) throw new HookError('sql holds no statement (only blanks and comments)');
  log('DEBUG', `${label}: ${datasource.type} datasource "${datasource.name}"; sql: ${sql}`);

  const settings = sqlSettings(datasource.options, {
    port: dialect === 'postgresql' ? 5432 : 3306,
    sslMode: dialect === 'postgresql' ? 'prefer' : 'PREFERRED',
  });
  const open = dialect === 'postgresql' ? openPostgres : openMysql;
  let session: SqlSession;
  try {
    session = await untilAborted(open(datasource.options as ConnectionOptions), signal, (s) => s.close());
  } catch (err) {
    if (signal.aborted) throw err;
    throw new HookError(
      `cannot connect to datasource "${datasource.name}": ${classifyConnectionError(err, settings).message}`,
    );
  }

  let cancelling: Promise<void> | undefined;
  let hardStop: NodeJS.Timeout | undefined;
  const onAbort = () => {
    cancelling = session.cancel().catch((err: unknown) => {
      log('DEBUG', `${label}: cancelling the statement failed: ${errorText(err)}`);
      session.destroy();
    });
    hardStop = setTimeout(() => session.destroy(), CANCEL_GRACE_MS);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let number = 0;
  const total = batches.length;
  try {
    for (const batch of batches) {
      if (signal.aborted) throw new HookError('aborted');
      const began = performance.now();
      let results: StatementResult[];
      try {
        results = await session.run(batch);
      } catch (err) {
        if (signal.aborted) throw err;
        const which =
          total > 1 ? `statement ${number + 1}/${total} (${snippet(batch)})` : `statement (${snippet(batch)})`;
        throw new HookError(`${which} failed: ${sqlErrorText(err)}`);
      }
      const took = formatDuration(performance.now() - began);
      // A batch the server split itself yields one result per statement it ran.
      for (const result of results) {
        number++;
        const which =
          total > 1 ? `statement ${number}/${total}` : results.length > 1 ? `statement ${number}` : 'statement';
        const text = results.length === 1 ? snippet(batch) : result.command || 'statement';
        log('INFO', `${label}: ${which} (${text}): ${describeResult(result)} in ${took}`);
        if (result.columns && result.rows) {
          const shown = result.rows.slice(0, MAX_LOGGED_ROWS);
          log('INFO', `${label}:   ${result.columns.join(' | ')}`);
          for (const row of shown) log('INFO', `${label}:   ${formatRow(row)}`);
          if (result.rows.length > shown.length) {
            log('INFO', `${label}:   … ${result.rows.length - shown.length} more rows not shown`);
          }
        }
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (cancelling) await cancelling;
    if (hardStop) clearTimeout(hardStop);
    if (signal.aborted) session.destroy();
    else await session.close();
  }
}

function describeResult(result: StatementResult): string {
  const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
  if (result.rows) return `${plural(result.rows.length)} returned`;
  if (result.rowCount === null) return 'done';
  return `${plural(result.rowCount)} affected`;
}

/** The server's message with its code (SQLSTATE or MySQL error name) and, for PostgreSQL, the detail. */
function sqlErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; detail?: unknown; hint?: unknown };
  let text = describeError(err);
  if (typeof e.code === 'string') text += ` (${e.code})`;
  if (typeof e.detail === 'string' && e.detail) text += `; ${e.detail}`;
  if (typeof e.hint === 'string' && e.hint) text += `; hint: ${e.hint}`;
  return text;
}

// Connected as the datasource drivers connect (their sslMode meanings, no password from the environment).

/** The options for a second, short-lived connection (a cancel must not wait long to connect). */
function quickConnect(options: ConnectionOptions): ConnectionOptions {
  return { ...options, connectTimeoutSeconds: Math.min(Number(options.connectTimeoutSeconds ?? 10), 5) };
}

/** Hook statements may run as long as the hook's timeout allows: no driver query timeout. */
const HOOK_PG = { application_name: 'sluice-hook', query_timeout: undefined, statement_timeout: undefined };

async function openPostgres(options: ConnectionOptions): Promise<SqlSession> {
  const client = await openPostgresConnection(options, HOOK_PG);
  let pid: number;
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    pid = rows[0]!.pid;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  const destroy = (): void => {
    client.connection.stream.destroy();
  };
  return {
    async run(batch) {
      const raw = (await client.query({ text: batch, rowMode: 'array' })) as unknown as
        pg.QueryArrayResult | pg.QueryArrayResult[];
      return (Array.isArray(raw) ? raw : [raw]).map((r) => ({
        command: r.command ?? '',
        rowCount: r.rowCount ?? null,
        ...(r.fields.length > 0 ? { columns: r.fields.map((f) => f.name), rows: r.rows } : {}),
      }));
    },
    async cancel() {
      const other = await openPostgresConnection(quickConnect(options), HOOK_PG);
      try {
        await other.query('SELECT pg_cancel_backend($1)', [pid]);
      } finally {
        await other.end().catch(() => undefined);
      }
    },
    destroy,
    close: () => client.end().catch(() => destroy()),
  };
}

// MySQL / MariaDB — connected as the MySQL datasource driver connects (--ssl-mode semantics).

type MysqlResult = mysql.ResultSetHeader | unknown[][];
type MysqlFields = mysql.FieldPacket[] | undefined;

function mysqlStatementResult(result: MysqlResult, fields: MysqlFields): StatementResult {
  if (!Array.isArray(result)) {
    return { command: '', rowCount: result.affectedRows ?? null };
  }
  return { command: 'SELECT', rowCount: result.length, columns: (fields ?? []).map((f) => f.name), rows: result };
}

/** For this hook's connection only: a routine body goes whole and the server splits it. */
const HOOK_MYSQL = {
  multipleStatements: true,
  rowsAsArray: true,
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  charset: 'utf8mb4_unicode_ci',
};

async function openMysql(options: ConnectionOptions): Promise<SqlSession> {
  const connection = await openMysqlConnection(options, HOOK_MYSQL);
  const threadId = connection.threadId;
  return {
    async run(batch) {
      const [results, fields] = (await connection.query(batch)) as unknown as [unknown, unknown];
      if (!Array.isArray(results)) return [mysqlStatementResult(results as mysql.ResultSetHeader, undefined)];
      const first = Array.isArray(fields) ? (fields[0] as unknown) : undefined;
      // One statement returning rows: fields are its columns. Several results: one fields entry each.
      if (first !== undefined && !Array.isArray(first)) {
        return [mysqlStatementResult(results as unknown[][], fields as mysql.FieldPacket[])];
      }
      const all = fields as MysqlFields[] | undefined;
      return (results as MysqlResult[]).map((r, i) => mysqlStatementResult(r, all?.[i]));
    },
    async cancel() {
      const other = await openMysqlConnection(quickConnect(options));
      try {
        await other.query(`KILL QUERY ${Number(threadId)}`);
      } finally {
        await other.end().catch(() => other.destroy());
      }
    },
    destroy: () => connection.destroy(),
    close: () => connection.end().catch(() => connection.destroy()),
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP hooks

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** The URL as logged: user and password replaced by `******`. */
export function displayUrl(url: URL): string {
  const credentials =
    url.username || url.password ? `${url.username ? MASK : ''}${url.password ? `:${MASK}` : ''}@` : '';
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${url.search}${url.hash}`;
}

/** Whether `body` parses as JSON (so it is sent as application/json). */
export function isJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

async function runHttpHook(hook: Hook, context: HookContext): Promise<void> {
  const { label, log, secrets, signal } = context;
  const method = (hook.method?.trim() || 'POST').toUpperCase();
  if (!hook.url?.trim()) {
    log('INFO', `${label}: HTTP ${method}`);
    throw new HookError('an HTTP hook needs a URL (field url)');
  }
  let url: URL | undefined;
  let substituted: string | undefined;
  let problem: unknown;
  try {
    substituted = substituteVariables(hook.url.trim(), context.variables, 'url', encodeURIComponent);
    url = new URL(substituted);
  } catch (err) {
    problem = err;
  }
  if (url) {
    secrets.add(decodeURIComponent(url.password));
    log('INFO', `${label}: HTTP ${method} ${displayUrl(url)}`);
  } else {
    log('INFO', `${label}: HTTP ${method} ${hook.url.trim()}`);
    if (problem instanceof HookError) throw problem;
    throw new HookError(`url "${substituted}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HookError(`url "${displayUrl(url)}" is not http(s)`);
  }
  if (!METHODS.has(method)) throw new HookError(`method ${method} is not one of ${[...METHODS].join(', ')}`);

  const headers: Record<string, string> = { 'user-agent': 'sluice-hook' };
  // fetch refuses URLs with credentials: they go as Basic authentication.
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  let body: string | undefined;
  if (hook.body !== undefined && hook.body !== null && hook.body !== '') {
    body = substituteVariables(hook.body, context.variables, 'body');
    if (method === 'GET') {
      log('WARN', `${label}: a GET request has no body: the body is not sent`);
      body = undefined;
    } else {
      headers['content-type'] = isJson(body) ? 'application/json' : 'text/plain; charset=utf-8';
      log('DEBUG', `${label}: body (${headers['content-type']}): ${truncate(body, MAX_RESPONSE_BYTES)}`);
    }
  }

  const response = await fetch(url, { method, headers, body, signal, redirect: 'follow' });
  const excerpt = await readExcerpt(response, MAX_RESPONSE_BYTES);
  const finalUrl = response.redirected && response.url ? ` (redirected to ${displayUrl(new URL(response.url))})` : '';
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  log(response.ok ? 'INFO' : 'WARN', `${label}: ${status}${finalUrl}${excerpt ? `; response: ${excerpt}` : ''}`);
  if (!response.ok) {
    throw new HookError(`${method} ${displayUrl(url)} answered ${status}${excerpt ? `: ${excerpt}` : ''}`);
  }
}

/** The first `max` bytes of the body as one line of text (the rest is not read). */
async function readExcerpt(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let more = false;
  try {
    while (size <= max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    more = size > max;
  } finally {
    if (more) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  const bytes = Buffer.concat(chunks).subarray(0, max);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\s+/g, ' ').trim();
  return more ? `${text}… (first ${max} bytes)` : text;
}
