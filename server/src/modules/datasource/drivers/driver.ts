/**
 * The contract every datasource type implements. The registry (../datasource-types.ts) lists the
 * drivers; everything type-specific (options, connection test, catalog) lives behind this interface,
 * so a new type (ClickHouse, Doris/StarRocks, DuckDB, Kafka, ...) is one more driver.
 */

export type OptionType = 'STRING' | 'INTEGER' | 'BOOLEAN' | 'ENUM' | 'PATH';

export interface OptionDefinition {
  /** The key in `options`, camelCase (e.g. `connectTimeoutSeconds`). */
  name: string;
  label: string;
  type: OptionType;
  required: boolean;
  default?: string | number | boolean;
  /** For ENUM. */
  enumValues?: string[];
  /** Stored encrypted, never returned by the API, never logged. */
  secret: boolean;
  description: string;
  placeholder?: string;
  /** For INTEGER. */
  min?: number;
  max?: number;
}

/** Options after validation: defaults applied, secrets decrypted. Only the driver sees this. */
export type ConnectionOptions = Record<string, string | number | boolean | undefined>;

export type TestErrorCode =
  | 'HOST_NOT_FOUND'
  | 'CONNECTION_REFUSED'
  | 'TIMEOUT'
  | 'AUTHENTICATION_FAILED'
  | 'DATABASE_NOT_FOUND'
  | 'TLS_FAILURE'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'NOT_ALLOWED'
  | 'UNKNOWN';

export interface TestResult {
  ok: boolean;
  latencyMs: number;
  serverVersion: string | null;
  /** A message a user can act on; never contains a password. */
  error: { code: TestErrorCode; message: string } | null;
}

export interface Page {
  offset: number;
  limit: number;
}

export interface CatalogPage<T> {
  items: T[];
  total: number;
}

export interface CatalogColumn {
  name: string;
  /** As the database spells it, e.g. `character varying(64)`, `decimal(12,2)`. */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
}

export interface CatalogTable {
  name: string;
  kind: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW' | 'FOREIGN_TABLE' | 'PARTITIONED_TABLE';
  /** The database's own estimate (pg_class.reltuples, information_schema.TABLES.TABLE_ROWS); null when unknown. */
  estimatedRows: number | null;
  /** In ordinal order. */
  columns: CatalogColumn[];
}

export interface CatalogFile {
  /** Relative to the datasource's directory, with `/` separators. */
  path: string;
  size: number;
  modifiedAt: Date;
  /** SeaTunnel's file_format_type inferred from the name: csv, json, text, parquet, orc, excel, xml; null when unknown. */
  format: string | null;
  /** gzip, zip, tar, tar.gz, lzo, ...; null when plain. */
  compression: string | null;
}

export interface DriverContext {
  /** Absolute, resolved directories a LOCAL_FILE datasource may point into (SLUICE_FILE_ROOTS). */
  fileRoots: string[];
}

export interface DatasourceDriver {
  /** The type's identifier, e.g. POSTGRESQL. */
  name: string;
  label: string;
  options: OptionDefinition[];
  /** Connects (with the options' timeout), checks, disconnects. Never throws for connection problems: they are the result. */
  test(options: ConnectionOptions, context: DriverContext): Promise<TestResult>;
  /** Database types: schema names (for MySQL: databases), filtered by a case-insensitive substring, sorted. */
  schemas?(
    options: ConnectionOptions,
    filter: { search?: string },
    page: Page,
    context: DriverContext,
  ): Promise<CatalogPage<string>>;
  /** Database types: the tables of one schema with their columns, sorted by name. */
  tables?(
    options: ConnectionOptions,
    schema: string,
    filter: { search?: string },
    page: Page,
    context: DriverContext,
  ): Promise<CatalogPage<CatalogTable>>;
  /** File types: the files under the directory (recursively), sorted by path. */
  files?(
    options: ConnectionOptions,
    filter: { search?: string },
    page: Page,
    context: DriverContext,
  ): Promise<CatalogPage<CatalogFile>>;
}
