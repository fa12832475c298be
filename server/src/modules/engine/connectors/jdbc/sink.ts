/**
 * The embedded engine's Jdbc sink (SeaTunnel's option names) for PostgreSQL and MySQL/MariaDB.
 *
 * - generate_sink_sql = true: the sink writes each input table into its own target (`table` with
 *   ${database_name}, ${schema_name}, ${table_name}, ${schema_full_name}, ${table_full_name}),
 *   applying the save modes first (create / recreate / truncate / custom SQL). Insert-only rows
 *   stream through COPY FROM STDIN (PostgreSQL) or LOAD DATA LOCAL INFILE (MySQL) when no conflict
 *   can arise (no key, enable_upsert = false, use_copy_statement, or a target that was empty when
 *   the job started); otherwise rows with keys are upserted, DELETE rows delete by key and
 *   UPDATE_BEFORE rows are skipped.
 * - query: the user's statement, run once per row, its ? parameters bound to the fields in order or
 *   its :name parameters to the fields of that name (no save modes, as in SeaTunnel). A query wins
 *   over generate_sink_sql = true, as in SeaTunnel (the sink logs that it ignores the flag).
 *
 * Atomicity: each writer (one connection; env.parallelism writers at most, each input table on
 * one of them) writes in one transaction committed by finish(); abort() rolls it back, so a failed
 * or cancelled BATCH job leaves no rows of its own in the targets. Save-mode DDL (create, drop,
 * truncate, custom SQL) runs and commits in open(), before any row. STREAMING jobs commit after
 * every batch.
 */
import type mysql from 'mysql2';
import type pg from 'pg';
import type { SinkFactory } from '../../implementations.js';
import type { PluginContext, PluginOptions, Sink } from '../../plugin.js';
import { splitQualifiedName, type RowBatch, type TableSchema } from '../../row.js';
import {
  connectMysql,
  connectPostgres,
  jdbcTarget,
  quoteIdentifier,
  type Dialect,
  type JdbcTarget,
} from './connection.js';
import { applyFieldIde, columnDefinitions, createTableStatements, FIELD_IDE_VALUES, type FieldIde } from './ddl.js';
import {
  BaseWriter,
  databaseMessage,
  JdbcSinkError,
  PLUGIN,
  type TablePlan,
  type WriteSettings,
} from './write-base.js';
import { mysqlQuery, mysqlString } from './write-mysql.js';
import { MysqlWriter } from './write-mysql-writer.js';
import { PgWriter } from './write-pg-writer.js';
import { statementParameters } from './write-upsert.js';

const SCHEMA_SAVE_MODES = [
  'RECREATE_SCHEMA',
  'CREATE_SCHEMA_WHEN_NOT_EXIST',
  'ERROR_WHEN_SCHEMA_NOT_EXIST',
  'IGNORE',
] as const;
const DATA_SAVE_MODES = ['DROP_DATA', 'APPEND_DATA', 'CUSTOM_PROCESSING', 'ERROR_WHEN_DATA_EXISTS'] as const;
type SchemaSaveMode = (typeof SCHEMA_SAVE_MODES)[number];
type DataSaveMode = (typeof DATA_SAVE_MODES)[number];

interface SinkOptions {
  target: JdbcTarget;
  /** `database`: PostgreSQL's database to connect to; MySQL's database for unqualified tables. */
  database?: string;
  table: string;
  primaryKeys?: string[];
  query?: string;
  generate: boolean;
  enableUpsert: boolean;
  batchSize: number;
  maxRetries: number;
  schemaSaveMode: SchemaSaveMode;
  dataSaveMode: DataSaveMode;
  customSql?: string;
  fieldIde: FieldIde;
  useCopy: boolean;
}

function readOptions(options: PluginOptions): SinkOptions {
  const target = jdbcTarget(options);
  const query = options.string('query')?.trim() || undefined;
  const generate = options.boolean('generate_sink_sql', false);
  if (!query && !generate) {
    options.fail(
      'generate_sink_sql',
      'must be true when no query is given: set generate_sink_sql = true (with database and table), or write an INSERT with ? placeholders in query',
    );
  }
  const batchSize = options.int('batch_size', 1000);
  if (batchSize < 1) options.fail('batch_size', `must be at least 1, got ${batchSize}`);
  const maxRetries = options.int('max_retries', 0);
  if (maxRetries < 0) options.fail('max_retries', `must be 0 or more, got ${maxRetries}`);
  const dataSaveMode = options.enumValue('data_save_mode', DATA_SAVE_MODES, 'APPEND_DATA');
  const customSql = options.string('custom_sql')?.trim() || undefined;
  if (generate && dataSaveMode === 'CUSTOM_PROCESSING' && !customSql) {
    options.fail('custom_sql', 'is required when data_save_mode = CUSTOM_PROCESSING');
  }
  if (query) {
    const { names } = statementParameters(query);
    if (names.length === 0) {
      options.fail('query', 'has no parameter: write ? (bound to the fields in order) or :field_name for each value');
    }
    if (names.some((n) => n === undefined) && names.some((n) => n !== undefined)) {
      options.fail('query', 'mixes ? and :name parameters: use one kind');
    }
  }
  const database = options.string('database')?.trim() || undefined;
  return {
    target,
    database,
    table: options.string('table')?.trim() || '${table_name}',
    primaryKeys: options.stringList('primary_keys'),
    query,
    generate,
    enableUpsert: options.boolean('enable_upsert', true),
    batchSize,
    maxRetries,
    schemaSaveMode: options.enumValue('schema_save_mode', SCHEMA_SAVE_MODES, 'CREATE_SCHEMA_WHEN_NOT_EXIST'),
    dataSaveMode,
    customSql,
    fieldIde: options.enumValue('field_ide', FIELD_IDE_VALUES, 'ORIGINAL'),
    useCopy: options.boolean('use_copy_statement', false),
  };
}

// ------------------------------------------------------------------------------ target names

const PLACEHOLDER = /\$\{(database_name|schema_name|table_name|schema_full_name|table_full_name)(?::([^}]*))?\}/g;

/** Fills SeaTunnel's table placeholders from an input table (`${name:default}` when the part is absent). */
export function fillTablePlaceholders(template: string, schema: TableSchema): string {
  const { database, schema: schemaName, table } = schema.path;
  return template.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
    const or = (value: string | undefined) => (value !== undefined && value !== '' ? value : (fallback ?? ''));
    switch (name) {
      case 'database_name':
        return or(database);
      case 'schema_name':
        return or(schemaName);
      case 'table_name':
        return or(table);
      case 'schema_full_name':
        return or([database, schemaName].filter((p) => p !== undefined && p !== '').join('.'));
      default:
        return or([database, schemaName, table].filter((p) => p !== undefined && p !== '').join('.'));
    }
  });
}

/** Splits a.b.c on dots outside quotes ("a.b" or `a.b`), dropping empty parts (an empty placeholder). */
function splitName(text: string): string[] {
  return splitQualifiedName(text)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

interface TargetName {
  /** MySQL: the database; PostgreSQL: the schema. */
  container: string;
  table: string;
}

// ------------------------------------------------------------------------------ the sink

class JdbcSink implements Sink {
  private readonly options: SinkOptions;
  private writers: BaseWriter[] = [];
  private plans: TablePlan[] = [];
  private loadRefusedLogged = false;

  constructor(
    private readonly pluginOptions: PluginOptions,
    private readonly context: PluginContext,
  ) {
    this.options = readOptions(pluginOptions);
  }

  private get dialect(): Dialect {
    return this.options.target.dialect;
  }

  private fail(message: string, cause?: unknown): never {
    throw new JdbcSinkError(`${PLUGIN}: ${message}`, cause === undefined ? undefined : { cause });
  }

  async open(tables: TableSchema[], context: PluginContext): Promise<void> {
    if (tables.length === 0) this.fail('it has no input table');
    if (this.options.query && this.options.generate) {
      context.log('warn', `${PLUGIN}: generate_sink_sql = true is ignored: the query given is used, as in SeaTunnel`);
    }
    const settings: WriteSettings = {
      query: this.options.query,
      enableUpsert: this.options.enableUpsert,
      batchSize: this.options.batchSize,
      maxRetries: this.options.maxRetries,
      useCopy: this.options.useCopy,
      commitEachBatch: context.jobMode === 'STREAMING',
    };
    const count = Math.max(1, Math.min(context.parallelism, tables.length));
    const opened: { close(): Promise<void> }[] = [];
    try {
      if (this.dialect === 'postgresql') {
        const clients: pg.Client[] = [];
        for (let i = 0; i < count; i++) {
          const client = await this.connectPg();
          clients.push(client);
          opened.push({ close: () => client.end() });
        }
        this.plans = await this.planTables(tables, new PgCatalog(clients[0]!));
        this.writers = clients.map((c) => new PgWriter(c, settings, context));
      } else {
        const connections: mysql.Connection[] = [];
        const sessions: MysqlSession[] = [];
        for (let i = 0; i < count; i++) {
          const connection = await this.connectMy();
          connections.push(connection);
          opened.push({ close: () => new Promise<void>((resolve) => connection.end(() => resolve())) });
          sessions.push(await prepareMysqlSession(connection));
        }
        this.plans = await this.planTables(tables, new MysqlCatalog(connections[0]!, this.options));
        const defaultDb = this.options.database ?? this.options.target.database;
        const useDb = defaultDb && (await databaseExists(connections[0]!, defaultDb));
        const loadAllowed = !/^false$/i.test(this.options.target.properties.allowLoadLocalInfile ?? 'true');
        this.writers = [];
        for (let i = 0; i < count; i++) {
          const connection = connections[i]!;
          if (useDb) await mysqlQuery(connection, `USE ${quoteIdentifier('mysql', defaultDb)}`);
          const session = sessions[i]!;
          if (i === 0 && loadAllowed && !session.localInfile) this.logLoadRefused('the server has local_infile = OFF');
          this.writers.push(
            new MysqlWriter(connection, settings, context, {
              loadData: loadAllowed && session.localInfile,
              maxStatementBytes: session.maxStatementBytes,
              onLoadRefused: (reason) => this.logLoadRefused(reason),
            }),
          );
        }
      }
      for (const plan of this.plans) plan.writer = plan.index % this.writers.length;
      for (const writer of this.writers) await writer.start();
    } catch (err) {
      this.writers = [];
      await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
      throw err;
    }
  }

  private logLoadRefused(reason: string): void {
    if (this.loadRefusedLogged) return;
    this.loadRefusedLogged = true;
    this.context.log(
      'warn',
      `${PLUGIN}: LOAD DATA LOCAL INFILE is not available (${reason}); writing with multi-row INSERT statements, ` +
        'which is slower (SET GLOBAL local_infile = 1 on the server enables the fast path)',
    );
  }

  /** Connects, retrying up to max_retries times (a database that is restarting). */
  private async withConnectRetries<T>(connect: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await connect();
      } catch (err) {
        if (attempt >= this.options.maxRetries) {
          this.fail(`cannot connect to ${this.describeServer()}: ${databaseMessage(err)}`, err);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 5000)));
      }
    }
  }

  private describeServer(): string {
    const { host, port } = this.options.target;
    const database =
      this.dialect === 'postgresql' ? (this.options.database ?? this.options.target.database) : undefined;
    return `${this.dialect === 'postgresql' ? 'PostgreSQL' : 'MySQL'} at ${host}:${port}${database ? `/${database}` : ''}`;
  }

  private async connectPg(): Promise<pg.Client> {
    const target = { ...this.options.target, database: this.options.database ?? this.options.target.database };
    const client = await this.withConnectRetries(() => connectPostgres(target, 'sluice-jdbc-sink'));
    if (this.options.target.properties.currentSchema) {
      await client.query(
        `SET search_path TO ${quoteIdentifier('postgresql', this.options.target.properties.currentSchema)}`,
      );
    }
    return client;
  }

  private connectMy(): Promise<mysql.Connection> {
    // No default database: the target database may not exist yet (the save mode creates it).
    return this.withConnectRetries(() => connectMysql({ ...this.options.target, database: undefined }));
  }

  /** The target name of an input table. */
  private targetName(schema: TableSchema): TargetName {
    const text = fillTablePlaceholders(this.options.table, schema);
    const parts = splitName(text);
    if (parts.length === 0) {
      this.pluginOptions.fail('table', `"${this.options.table}" gives no table name for input ${tableLabel(schema)}`);
    }
    const ide = (name: string) => applyFieldIde(name, this.options.fieldIde);
    if (this.dialect === 'postgresql') {
      const database = this.options.database ?? this.options.target.database;
      if (parts.length > 3) this.pluginOptions.fail('table', `"${text}" is not database.schema.table`);
      if (parts.length === 3 && database && parts[0] !== database) {
        this.pluginOptions.fail(
          'table',
          `"${text}" names database "${parts[0]}", but the sink is connected to "${database}" (one database per sink; set database)`,
        );
      }
      const table = parts[parts.length - 1]!;
      const schemaName = parts.length >= 2 ? parts[parts.length - 2]! : (this.options.target.schema ?? 'public');
      return { container: parts.length >= 2 ? ide(schemaName) : schemaName, table: ide(table) };
    }
    if (parts.length > 2) {
      this.pluginOptions.fail('table', `"${text}" is not database.table (MySQL has no schemas)`);
    }
    const database = parts.length === 2 ? parts[0]! : (this.options.database ?? this.options.target.database);
    if (!database) {
      this.pluginOptions.fail('database', `is required: the URL names no database and table "${text}" has none`);
    }
    return { container: database, table: ide(parts[parts.length - 1]!) };
  }

  /** The key fields of an input table: primary_keys (with ${primary_key}), else its primary key, else its first unique key. */
  private keyFields(schema: TableSchema): { keys: string[]; primary: boolean } {
    const option = this.options.primaryKeys;
    if (option && option.length) {
      const keys: string[] = [];
      for (const entry of option) {
        if (entry === '${primary_key}') keys.push(...(schema.primaryKey ?? []));
        else if (entry === '${unique_key}') keys.push(...(schema.uniqueKeys?.[0] ?? []));
        else keys.push(entry);
      }
      const names = schema.fields.map((f) => f.name);
      for (const key of keys) {
        if (!names.includes(key)) {
          this.pluginOptions.fail(
            'primary_keys',
            `names "${key}", which input ${tableLabel(schema)} does not have (its fields: ${names.join(', ')})`,
          );
        }
      }
      return { keys: [...new Set(keys)], primary: true };
    }
    if (schema.primaryKey?.length) return { keys: schema.primaryKey, primary: true };
    if (schema.uniqueKeys?.[0]?.length) return { keys: schema.uniqueKeys[0], primary: false };
    return { keys: [], primary: false };
  }

  /** The field position bound to each parameter of the query: ? in field order, :name by field name. */
  private parameterPositions(names: (string | undefined)[], schema: TableSchema): number[] {
    const fields = schema.fields.map((f) => f.name);
    if (names.every((n) => n === undefined)) {
      if (names.length > fields.length) {
        this.pluginOptions.fail(
          'query',
          `has ${names.length} ? parameters, but input ${tableLabel(schema)} has ${fields.length} fields`,
        );
      }
      return names.map((_, i) => i);
    }
    return names.map((name) => {
      let position = fields.indexOf(name!);
      if (position < 0) position = fields.findIndex((f) => f.toLowerCase() === name!.toLowerCase());
      if (position < 0) {
        this.pluginOptions.fail(
          'query',
          `names :${name!}, which input ${tableLabel(schema)} does not have (its fields: ${fields.join(', ')})`,
        );
      }
      return position;
    });
  }

  private async planTables(tables: TableSchema[], catalog: Catalog): Promise<TablePlan[]> {
    const done = new Map<string, { fresh: boolean; targetTypes: Map<string, string> }>();
    const plans: TablePlan[] = [];
    const parameters = this.options.query ? statementParameters(this.options.query).names : [];
    for (const [index, schema] of tables.entries()) {
      const columns = schema.fields.map((f) => applyFieldIde(f.name, this.options.fieldIde));
      const quotedColumns = columns.map((c) => quoteIdentifier(this.dialect, c));
      const { keys, primary } = this.keyFields(schema);
      const keyPositions = keys.map((k) => schema.fields.findIndex((f) => f.name === k));
      if (this.options.query) {
        const parameterPositions = this.parameterPositions(parameters, schema);
        plans.push({
          index,
          schema,
          sqlName: '',
          displayName: `(query) for input ${tableLabel(schema)}`,
          columns,
          quotedColumns,
          keyPositions,
          fresh: false,
          received: 0,
          targetTypes: new Map(),
          writer: 0,
          parameterPositions,
        });
        continue;
      }
      const name = this.targetName(schema);
      const sqlName = `${quoteIdentifier(this.dialect, name.container)}.${quoteIdentifier(this.dialect, name.table)}`;
      const displayName = sqlName;
      const state =
        done.get(sqlName) ?? (await this.applySaveModes(catalog, name, displayName, schema, columns, keys, primary));
      done.set(sqlName, state);
      const missing = columns.filter((c) => !state.targetTypes.has(c) && !state.targetTypes.has(c.toLowerCase()));
      if (missing.length) {
        this.fail(
          `table ${displayName} has no column ${missing.map((c) => `"${c}"`).join(', ')} ` +
            `(it has ${[...state.targetTypes.keys()].join(', ')}; the input ${tableLabel(schema)} has ${columns.join(', ')})`,
        );
      }
      plans.push({
        index,
        schema,
        sqlName,
        displayName,
        columns,
        quotedColumns,
        keyPositions,
        fresh: state.fresh,
        received: 0,
        targetTypes: state.targetTypes,
        writer: 0,
      });
    }
    return plans;
  }

  private async applySaveModes(
    catalog: Catalog,
    name: TargetName,
    displayName: string,
    schema: TableSchema,
    columns: string[],
    keys: string[],
    primary: boolean,
  ): Promise<{ fresh: boolean; targetTypes: Map<string, string> }> {
    const { schemaSaveMode, dataSaveMode } = this.options;
    const ide = (field: string) => columns[schema.fields.findIndex((f) => f.name === field)]!;
    const create = async () => {
      const primaryKey = primary ? keys : [];
      const uniqueKeys = (schema.uniqueKeys ?? []).filter(
        (u) => u.length && u.every((c) => schema.fields.some((f) => f.name === c)),
      );
      if (!primary && keys.length && !uniqueKeys.some((u) => u.join() === keys.join())) uniqueKeys.unshift(keys);
      const verbatim = await catalog.verbatimCheck(schema);
      const definitions = columnDefinitions(schema.fields, columns, this.dialect, primaryKey, uniqueKeys, verbatim);
      await catalog.createContainer(name.container);
      const statements = createTableStatements(
        this.dialect,
        `${quoteIdentifier(this.dialect, name.container)}.${quoteIdentifier(this.dialect, name.table)}`,
        definitions,
        primaryKey.map(ide),
        uniqueKeys.filter((u) => u.join() !== primaryKey.join()).map((u) => u.map(ide)),
        { mysqlCharset: !(await catalog.utf8mb4Default(name.container)) },
      );
      try {
        await catalog.run(statements);
      } catch (err) {
        this.fail(`cannot create table ${displayName}: ${databaseMessage(err)}\n${statements.join(';\n')}`, err);
      }
      this.context.log('info', `${PLUGIN}: created table ${displayName}`);
    };

    let exists = await catalog.exists(name);
    let created = false;
    switch (schemaSaveMode) {
      case 'RECREATE_SCHEMA':
        if (exists) {
          try {
            await catalog.run([`DROP TABLE ${displayName}`]);
          } catch (err) {
            this.fail(
              `cannot drop table ${displayName} (schema_save_mode = RECREATE_SCHEMA): ${databaseMessage(err)}`,
              err,
            );
          }
        }
        await create();
        created = true;
        break;
      case 'CREATE_SCHEMA_WHEN_NOT_EXIST':
        if (!exists) {
          await create();
          created = true;
        }
        break;
      case 'ERROR_WHEN_SCHEMA_NOT_EXIST':
        if (!exists) this.fail(`table ${displayName} does not exist (schema_save_mode = ERROR_WHEN_SCHEMA_NOT_EXIST)`);
        break;
      case 'IGNORE':
        if (!exists) {
          this.fail(`table ${displayName} does not exist, and schema_save_mode = IGNORE does not create it`);
        }
        break;
    }
    exists = true;

    let fresh = created;
    switch (dataSaveMode) {
      case 'DROP_DATA':
        if (!created) await catalog.truncate(name, displayName);
        fresh = true;
        break;
      case 'APPEND_DATA':
        if (!created) fresh = await catalog.isEmpty(displayName);
        break;
      case 'CUSTOM_PROCESSING':
        try {
          await catalog.custom(this.options.customSql!, name);
        } catch (err) {
          this.fail(`custom_sql failed before writing into ${displayName}: ${databaseMessage(err)}`, err);
        }
        fresh = await catalog.isEmpty(displayName);
        break;
      case 'ERROR_WHEN_DATA_EXISTS':
        if (!created && !(await catalog.isEmpty(displayName))) {
          this.fail(`table ${displayName} already has rows (data_save_mode = ERROR_WHEN_DATA_EXISTS)`);
        }
        fresh = true;
        break;
    }
    return { fresh, targetTypes: await catalog.columns(name) };
  }

  async write(batch: RowBatch): Promise<number | void> {
    const plan = this.plans[batch.table];
    if (!plan) this.fail(`received rows for input table ${batch.table}, but it was opened with ${this.plans.length}`);
    const bytes = await this.writers[plan.writer]!.write(plan, batch);
    return bytes;
  }

  async finish(): Promise<void> {
    const writers = this.writers;
    this.writers = [];
    for (let i = 0; i < writers.length; i++) {
      try {
        await writers[i]!.finish();
      } catch (err) {
        await Promise.all(writers.slice(i + 1).map((w) => w.abort()));
        throw err;
      }
    }
  }

  async abort(): Promise<void> {
    const writers = this.writers;
    this.writers = [];
    await Promise.all(writers.map((w) => w.abort()));
  }
}

function tableLabel(schema: TableSchema): string {
  return [schema.path.database, schema.path.schema, schema.path.table]
    .filter((p) => p !== undefined && p !== '')
    .join('.');
}

// ------------------------------------------------------------------------------ catalogs

/** What the save modes need from the target database. */
interface Catalog {
  exists(name: TargetName): Promise<boolean>;
  /** Target column data types (lower case) by column name. */
  columns(name: TargetName): Promise<Map<string, string>>;
  isEmpty(table: string): Promise<boolean>;
  truncate(name: TargetName, table: string): Promise<void>;
  createContainer(container: string): Promise<void>;
  run(statements: string[]): Promise<void>;
  custom(sql: string, name: TargetName): Promise<void>;
  /** Which same-dialect source types the target accepts verbatim. */
  verbatimCheck(schema: TableSchema): Promise<(sourceType: string) => boolean>;
  /** MySQL: whether the database's default character set is utf8mb4 already. */
  utf8mb4Default(container: string): Promise<boolean>;
}

class PgCatalog implements Catalog {
  private readonly knownTypes = new Map<string, boolean>();

  constructor(private readonly client: pg.Client) {}

  async exists(name: TargetName): Promise<boolean> {
    const result = await this.client.query(
      `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'f', 'm')`,
      [name.container, name.table],
    );
    return result.rowCount !== null && result.rowCount > 0;
  }

  async columns(name: TargetName): Promise<Map<string, string>> {
    const result = await this.client.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [name.container, name.table],
    );
    return new Map(result.rows.map((r) => [r.name, r.type.toLowerCase()]));
  }

  async isEmpty(table: string): Promise<boolean> {
    const result = await this.client.query(`SELECT 1 FROM ${table} LIMIT 1`);
    return result.rowCount === 0;
  }

  async truncate(_name: TargetName, table: string): Promise<void> {
    try {
      await this.client.query(`TRUNCATE TABLE ${table}`);
    } catch (err) {
      // Referenced by a foreign key: TRUNCATE would need CASCADE (emptying other tables); delete instead.
      if ((err as { code?: string }).code !== '0A000') throw err;
      await this.client.query(`DELETE FROM ${table}`);
    }
  }

  async createContainer(container: string): Promise<void> {
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier('postgresql', container)}`);
  }

  async run(statements: string[]): Promise<void> {
    await this.client.query('BEGIN');
    try {
      for (const sql of statements) await this.client.query(sql);
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async custom(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  utf8mb4Default(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async verbatimCheck(schema: TableSchema): Promise<(sourceType: string) => boolean> {
    for (const field of schema.fields) {
      const type = field.sourceType?.trim();
      if (!type || field.sourceDialect !== 'postgresql' || this.knownTypes.has(type)) continue;
      let known = false;
      try {
        const result = await this.client.query<{ t: string | null }>('SELECT to_regtype($1)::text AS t', [type]);
        known = result.rows[0]?.t !== null && result.rows[0]?.t !== undefined;
      } catch {
        known = false;
      }
      this.knownTypes.set(type, known);
    }
    return (type) => this.knownTypes.get(type.trim()) ?? false;
  }
}

interface MysqlSession {
  localInfile: boolean;
  maxStatementBytes: number;
}

/**
 * Pins what the writers rely on: backslash escapes in literals (no NO_BACKSLASH_ESCAPES) and
 * strict mode for every table (a value that does not fit is an error, not a silent truncation).
 */
async function prepareMysqlSession(connection: mysql.Connection): Promise<MysqlSession> {
  const [row] = await mysqlQuery<{ mode: string; load_local: number | string; packet: number | string }[]>(
    connection,
    'SELECT @@SESSION.sql_mode AS mode, @@GLOBAL.local_infile AS load_local, @@max_allowed_packet AS packet',
  );
  const modes = (row?.mode ?? '').split(',').filter((m) => m !== '' && m !== 'NO_BACKSLASH_ESCAPES');
  if (!modes.includes('STRICT_ALL_TABLES')) modes.push('STRICT_ALL_TABLES');
  await mysqlQuery(connection, `SET SESSION sql_mode = ${mysqlString(modes.join(','))}`);
  const packet = Number(row?.packet ?? 4_194_304);
  return {
    localInfile: Number(row?.load_local ?? 0) === 1,
    maxStatementBytes: Math.max(64 * 1024, Math.min(packet - 64 * 1024, 16 * 1024 * 1024)),
  };
}

async function databaseExists(connection: mysql.Connection, database: string): Promise<boolean> {
  const rows = await mysqlQuery<unknown[]>(
    connection,
    `SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(database)}`,
  );
  return rows.length > 0;
}

class MysqlCatalog implements Catalog {
  constructor(
    private readonly connection: mysql.Connection,
    private readonly options: SinkOptions,
  ) {}

  async exists(name: TargetName): Promise<boolean> {
    const rows = await mysqlQuery<unknown[]>(
      this.connection,
      `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ${mysqlString(name.container)} AND TABLE_NAME = ${mysqlString(name.table)}`,
    );
    return rows.length > 0;
  }

  async columns(name: TargetName): Promise<Map<string, string>> {
    const rows = await mysqlQuery<{ name: string; type: string }[]>(
      this.connection,
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = ${mysqlString(name.container)} AND TABLE_NAME = ${mysqlString(name.table)} ORDER BY ORDINAL_POSITION`,
    );
    const map = new Map<string, string>();
    // MySQL column names are case-insensitive: keep both spellings.
    for (const r of rows) {
      map.set(r.name, r.type.toLowerCase());
      map.set(r.name.toLowerCase(), r.type.toLowerCase());
    }
    return map;
  }

  async isEmpty(table: string): Promise<boolean> {
    const rows = await mysqlQuery<unknown[]>(this.connection, `SELECT 1 FROM ${table} LIMIT 1`);
    return rows.length === 0;
  }

  async truncate(_name: TargetName, table: string): Promise<void> {
    try {
      await mysqlQuery(this.connection, `TRUNCATE TABLE ${table}`);
    } catch (err) {
      // ER_TRUNCATE_ILLEGAL_FK: referenced by a foreign key.
      if ((err as { errno?: number }).errno !== 1701) throw err;
      await mysqlQuery(this.connection, `DELETE FROM ${table}`);
    }
  }

  async createContainer(container: string): Promise<void> {
    await mysqlQuery(
      this.connection,
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier('mysql', container)} CHARACTER SET utf8mb4`,
    );
  }

  async run(statements: string[]): Promise<void> {
    for (const sql of statements) await mysqlQuery(this.connection, sql);
  }

  /** custom_sql may hold several statements: a short connection that allows them, in the target database. */
  async custom(sql: string, name: TargetName): Promise<void> {
    const connection = await connectMysql(
      { ...this.options.target, database: undefined },
      { multipleStatements: true },
    );
    try {
      await mysqlQuery(connection, `USE ${quoteIdentifier('mysql', name.container)}`);
      await mysqlQuery(connection, sql);
    } finally {
      await new Promise<void>((resolve) => connection.end(() => resolve()));
    }
  }

  verbatimCheck(): Promise<(sourceType: string) => boolean> {
    return Promise.resolve(() => true);
  }

  async utf8mb4Default(container: string): Promise<boolean> {
    const rows = await mysqlQuery<{ charset: string }[]>(
      this.connection,
      `SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${mysqlString(container)}`,
    );
    return rows[0]?.charset.toLowerCase() === 'utf8mb4';
  }
}

export const jdbcSink: SinkFactory = ({ options, context }) => new JdbcSink(options, context);
