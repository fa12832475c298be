/**
 * The plugins Sluice knows, with the options SeaTunnel documents for them (../shared/reference/seatunnel.md).
 * Validation reads these declarations; the embedded engine's implementations register against
 * the same names. Options not declared here are kept and reported, never dropped: SeaTunnel has
 * more options than any list.
 */

export type PluginKind = 'source' | 'transform' | 'sink';
export type JobMode = 'BATCH' | 'STREAMING';
export type OptionValueType = 'string' | 'int' | 'boolean' | 'double' | 'enum' | 'list' | 'object' | 'string-or-list';

export interface PluginOption {
  name: string;
  type: OptionValueType;
  required?: boolean;
  default?: unknown;
  enumValues?: string[];
  description?: string;
}

export interface PluginDefinition {
  name: string;
  kind: PluginKind;
  options: PluginOption[];
  /** At least one of these options must be set (e.g. Jdbc source: query, table_path or table_list). */
  oneOf?: string[][];
  /** Job modes it supports. */
  modes: JobMode[];
  /** True when the embedded engine runs it; the SeaTunnel engine runs every known plugin. */
  embedded: boolean;
  /** Datasource types a block of this plugin may reference with `datasource = "<name>"`. */
  datasourceTypes?: string[];
}

/** Options every plugin accepts. */
export const COMMON_OPTIONS: Record<PluginKind, PluginOption[]> = {
  source: [
    { name: 'plugin_output', type: 'string', description: 'Name of the table this source produces.' },
    { name: 'parallelism', type: 'int' },
    {
      name: 'datasource',
      type: 'string',
      description: 'A Sluice datasource (name or id) supplying the connection options.',
    },
  ],
  transform: [
    { name: 'plugin_input', type: 'string-or-list' },
    { name: 'plugin_output', type: 'string' },
    { name: 'parallelism', type: 'int' },
  ],
  sink: [
    { name: 'plugin_input', type: 'string-or-list' },
    { name: 'parallelism', type: 'int' },
    {
      name: 'datasource',
      type: 'string',
      description: 'A Sluice datasource (name or id) supplying the connection options.',
    },
  ],
};

const BOTH: JobMode[] = ['BATCH', 'STREAMING'];
const FILE_FORMATS = ['text', 'csv', 'json', 'parquet', 'orc', 'excel', 'xml', 'binary'];
const SAVE_MODES = ['RECREATE_SCHEMA', 'CREATE_SCHEMA_WHEN_NOT_EXIST', 'ERROR_WHEN_SCHEMA_NOT_EXIST', 'IGNORE'];
const DATA_SAVE_MODES = ['DROP_DATA', 'APPEND_DATA', 'CUSTOM_PROCESSING', 'ERROR_WHEN_DATA_EXISTS'];
const STARTUP_MODES = ['INITIAL', 'EARLIEST', 'LATEST', 'SPECIFIC', 'TIMESTAMP'];

const jdbcConnection: PluginOption[] = [
  { name: 'url', type: 'string', required: true, description: 'jdbc:mysql://… or jdbc:postgresql://…' },
  { name: 'driver', type: 'string', required: true, description: 'com.mysql.cj.jdbc.Driver, org.postgresql.Driver, …' },
  { name: 'user', type: 'string' },
  { name: 'username', type: 'string' },
  { name: 'password', type: 'string' },
  { name: 'properties', type: 'object' },
  { name: 'connection_check_timeout_sec', type: 'int', default: 30 },
];

const fileCommon: PluginOption[] = [
  { name: 'path', type: 'string', required: true },
  { name: 'file_format_type', type: 'enum', enumValues: FILE_FORMATS },
  { name: 'field_delimiter', type: 'string' },
  { name: 'encoding', type: 'string' },
  { name: 'compress_codec', type: 'string' },
  { name: 'date_format', type: 'string' },
  { name: 'datetime_format', type: 'string' },
  { name: 'time_format', type: 'string' },
];

const cdcCommon: PluginOption[] = [
  { name: 'base-url', type: 'string' },
  { name: 'url', type: 'string' },
  { name: 'username', type: 'string', required: true },
  { name: 'password', type: 'string' },
  { name: 'database-names', type: 'list' },
  { name: 'table-names', type: 'list', required: true },
  { name: 'table-names-config', type: 'list' },
  { name: 'startup.mode', type: 'enum', enumValues: STARTUP_MODES },
  { name: 'stop.mode', type: 'string' },
  { name: 'snapshot.split.size', type: 'int' },
  { name: 'snapshot.fetch.size', type: 'int' },
  { name: 'server-time-zone', type: 'string' },
  { name: 'exactly_once', type: 'boolean' },
  { name: 'format', type: 'string' },
  { name: 'schema-changes.enabled', type: 'boolean' },
];

/** FakeSource's value ranges and templates: <type>.min/.max/.template/.fake.mode, date and time part templates. */
const fakeValueOptions: PluginOption[] = [
  { name: 'string.fake.mode', type: 'enum', enumValues: ['RANGE', 'TEMPLATE'] },
  { name: 'string.template', type: 'list' },
  ...['tinyint', 'smallint', 'int', 'bigint', 'float', 'double'].flatMap((t): PluginOption[] => [
    { name: `${t}.fake.mode`, type: 'enum', enumValues: ['RANGE', 'TEMPLATE'] },
    { name: `${t}.min`, type: t === 'float' || t === 'double' ? 'double' : 'int' },
    { name: `${t}.max`, type: t === 'float' || t === 'double' ? 'double' : 'int' },
    { name: `${t}.template`, type: 'list' },
  ]),
  ...['date.year', 'date.month', 'date.day', 'time.hour', 'time.minute', 'time.second'].map((part): PluginOption => ({
    name: `${part}.template`,
    type: 'list',
  })),
];

export const PLUGINS: PluginDefinition[] = [
  {
    name: 'FakeSource',
    kind: 'source',
    modes: BOTH,
    embedded: true,
    oneOf: [['schema', 'tables_configs']],
    options: [
      { name: 'schema', type: 'object' },
      { name: 'rows', type: 'list' },
      { name: 'row.num', type: 'int', default: 5 },
      { name: 'split.num', type: 'int', default: 1 },
      { name: 'split.read-interval', type: 'int', default: 1 },
      { name: 'string.length', type: 'int', default: 5 },
      { name: 'bytes.length', type: 'int', default: 5 },
      { name: 'array.size', type: 'int', default: 5 },
      { name: 'map.size', type: 'int', default: 5 },
      { name: 'tables_configs', type: 'list' },
      ...fakeValueOptions,
      {
        name: 'seed',
        type: 'int',
        default: 0,
        description: 'Sluice: seed of the generated values (same seed, same rows).',
      },
    ],
  },
  {
    name: 'Jdbc',
    kind: 'source',
    modes: ['BATCH'],
    embedded: true,
    datasourceTypes: ['POSTGRESQL', 'MYSQL'],
    oneOf: [['query', 'table_path', 'table_list']],
    options: [
      ...jdbcConnection,
      { name: 'query', type: 'string' },
      { name: 'table_path', type: 'string' },
      { name: 'table_list', type: 'list' },
      { name: 'where_condition', type: 'string' },
      { name: 'partition_column', type: 'string' },
      { name: 'partition_lower_bound', type: 'double' },
      { name: 'partition_upper_bound', type: 'double' },
      { name: 'partition_num', type: 'int' },
      { name: 'fetch_size', type: 'int' },
      { name: 'split.size', type: 'int', default: 8096 },
    ],
  },
  {
    name: 'LocalFile',
    kind: 'source',
    modes: ['BATCH'],
    embedded: true,
    datasourceTypes: ['LOCAL_FILE'],
    // Multi-table form: each entry of tables_configs has its own path.
    oneOf: [['path', 'tables_configs', 'datasource']],
    options: [
      ...fileCommon.map((o) => (o.name === 'path' ? { ...o, required: false } : o)),
      { name: 'tables_configs', type: 'list' },
      { name: 'skip_header_row_number', type: 'int' },
      { name: 'schema', type: 'object' },
      { name: 'read_columns', type: 'list' },
      { name: 'file_filter_pattern', type: 'string' },
      { name: 'delimiter', type: 'string', description: 'Old name of field_delimiter.' },
      { name: 'csv_use_header_line', type: 'boolean', default: false },
      { name: 'parse_partition_from_path', type: 'boolean', default: true },
      { name: 'archive_compress_codec', type: 'string', description: 'none, tar, tar_gz, zip or gz.' },
    ],
  },
  {
    name: 'MySQL-CDC',
    kind: 'source',
    modes: ['STREAMING'],
    embedded: false,
    datasourceTypes: ['MYSQL'],
    options: [
      ...cdcCommon,
      { name: 'server-id', type: 'string' },
      { name: 'startup.specific-offset.file', type: 'string' },
      { name: 'startup.specific-offset.pos', type: 'int' },
    ],
  },
  {
    name: 'Postgres-CDC',
    kind: 'source',
    modes: ['STREAMING'],
    embedded: false,
    datasourceTypes: ['POSTGRESQL'],
    options: [
      ...cdcCommon,
      { name: 'schema-names', type: 'list' },
      { name: 'slot.name', type: 'string' },
      { name: 'decoding.plugin.name', type: 'string' },
    ],
  },
  {
    name: 'Sql',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    options: [{ name: 'query', type: 'string', required: true }],
  },
  {
    name: 'FieldMapper',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    options: [{ name: 'field_mapper', type: 'object', required: true }],
  },
  {
    name: 'Filter',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    oneOf: [['include_fields', 'exclude_fields', 'fields']],
    options: [
      { name: 'include_fields', type: 'list' },
      { name: 'exclude_fields', type: 'list' },
      { name: 'fields', type: 'list' },
    ],
  },
  {
    name: 'Replace',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    options: [
      { name: 'replace_field', type: 'string', required: true },
      { name: 'pattern', type: 'string', required: true },
      { name: 'replacement', type: 'string', required: true },
      { name: 'is_regex', type: 'boolean', default: false },
      { name: 'replace_first', type: 'boolean', default: false },
    ],
  },
  {
    name: 'Copy',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    oneOf: [['fields', 'src_field']],
    options: [
      { name: 'fields', type: 'object' },
      { name: 'src_field', type: 'string' },
      { name: 'dest_field', type: 'string' },
    ],
  },
  {
    name: 'FilterRowKind',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    oneOf: [['include_kinds', 'exclude_kinds']],
    options: [
      { name: 'include_kinds', type: 'list' },
      { name: 'exclude_kinds', type: 'list' },
    ],
  },
  {
    name: 'RowKindExtractor',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    options: [
      { name: 'custom_field_name', type: 'string', default: 'row_kind' },
      { name: 'transform_type', type: 'enum', enumValues: ['SHORT', 'FULL'], default: 'SHORT' },
    ],
  },
  {
    name: 'Split',
    kind: 'transform',
    modes: BOTH,
    embedded: true,
    options: [
      { name: 'separator', type: 'string', required: true, description: 'A regular expression, as in SeaTunnel.' },
      { name: 'split_field', type: 'string', required: true },
      { name: 'output_fields', type: 'list', required: true },
    ],
  },
  {
    name: 'Console',
    kind: 'sink',
    modes: BOTH,
    embedded: true,
    options: [
      { name: 'log.print.data', type: 'boolean', default: true },
      { name: 'log.print.delay.ms', type: 'int', default: 0 },
    ],
  },
  {
    name: 'Assert',
    kind: 'sink',
    modes: BOTH,
    embedded: true,
    options: [{ name: 'rules', type: 'object', required: true }],
  },
  {
    name: 'Jdbc',
    kind: 'sink',
    modes: BOTH,
    embedded: true,
    datasourceTypes: ['POSTGRESQL', 'MYSQL'],
    options: [
      ...jdbcConnection,
      { name: 'query', type: 'string' },
      { name: 'database', type: 'string' },
      { name: 'table', type: 'string' },
      { name: 'primary_keys', type: 'list' },
      { name: 'generate_sink_sql', type: 'boolean', default: false },
      { name: 'enable_upsert', type: 'boolean', default: true },
      { name: 'batch_size', type: 'int', default: 1000 },
      { name: 'max_retries', type: 'int' },
      { name: 'schema_save_mode', type: 'enum', enumValues: SAVE_MODES },
      { name: 'data_save_mode', type: 'enum', enumValues: DATA_SAVE_MODES },
      { name: 'custom_sql', type: 'string' },
      { name: 'field_ide', type: 'enum', enumValues: ['ORIGINAL', 'UPPERCASE', 'LOWERCASE'] },
      { name: 'use_copy_statement', type: 'boolean' },
    ],
  },
  {
    name: 'LocalFile',
    kind: 'sink',
    modes: BOTH,
    embedded: true,
    datasourceTypes: ['LOCAL_FILE'],
    options: [
      ...fileCommon,
      { name: 'row_delimiter', type: 'string' },
      { name: 'custom_filename', type: 'boolean' },
      { name: 'file_name_expression', type: 'string' },
      { name: 'filename_time_format', type: 'string' },
      { name: 'have_partition', type: 'boolean' },
      { name: 'partition_by', type: 'list' },
      { name: 'partition_dir_expression', type: 'string' },
      { name: 'is_partition_field_write_in_file', type: 'boolean' },
      { name: 'sink_columns', type: 'list' },
      { name: 'is_enable_transaction', type: 'boolean' },
      { name: 'batch_size', type: 'int' },
      { name: 'enable_header_write', type: 'boolean' },
      { name: 'filename_extension', type: 'string' },
      { name: 'tmp_path', type: 'string', description: 'Ignored: temporary files live inside the target directory.' },
      { name: 'schema_save_mode', type: 'enum', enumValues: SAVE_MODES },
      { name: 'data_save_mode', type: 'enum', enumValues: DATA_SAVE_MODES },
    ],
  },
];

/** Plugin names match case-insensitively, as in SeaTunnel. */
export function findPlugin(kind: PluginKind, name: string): PluginDefinition | undefined {
  const lower = name.toLowerCase();
  return PLUGINS.find((p) => p.kind === kind && p.name.toLowerCase() === lower);
}

/** The kinds under which a name is known (to say "Console is a sink, not a source"). */
export function kindsOf(name: string): PluginKind[] {
  const lower = name.toLowerCase();
  return PLUGINS.filter((p) => p.name.toLowerCase() === lower).map((p) => p.kind);
}

export function embeddedPlugins(kind: PluginKind): string[] {
  return PLUGINS.filter((p) => p.kind === kind && p.embedded).map((p) => p.name);
}
