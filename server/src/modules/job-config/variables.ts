import {
  entryPosition,
  isConcatenation,
  isConfigObject,
  isSubstitution,
  nodePosition,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
  type PluginBlock,
  type Position,
} from './model.js';

/** SeaTunnel fills these per table in multi-table sinks; they are not job parameters. */
export const RESERVED_PLACEHOLDERS: ReadonlySet<string> = new Set([
  'database_name',
  'schema_name',
  'table_name',
  'schema_full_name',
  'table_full_name',
  'primary_key',
  'unique_key',
  'field_names',
  'partition_keys',
  // File sinks fill these themselves (file_name_expression, partition_dir_expression).
  'transactionId',
  'now',
  'uuid',
]);

/** `${k0}`, `${v0}`, …: partition keys and values in a file sink's partition_dir_expression. */
const PARTITION_PLACEHOLDER = /^[kv]\d+$/;

/** Placeholders SeaTunnel fills itself, which are therefore not job variables. */
export function isReservedPlaceholder(name: string): boolean {
  return RESERVED_PLACEHOLDERS.has(name) || PARTITION_PLACEHOLDER.test(name);
}

export interface JobVariable {
  name: string;
  default?: string;
  /** True when the job can run without it: every use is `${?name}` or has a default. */
  optional: boolean;
  line?: number;
  column?: number;
}

// `${name}`, `${?name}`, `${name:default}` written inside quoted text: SeaTunnel replaces them textually.
const IN_TEXT = /\$\{(\??)([A-Za-z0-9_.-]+)(?::([^}\n]*))?\}/g;

/**
 * The job parameters a config uses, once each by name, in order of first use (env, sources,
 * transforms, sinks, other keys). Positions are those of the substitution, or of the string value
 * that contains the placeholder, when the config came from parseJobConfig.
 */
export function variablesOf(config: JobConfig): JobVariable[] {
  const found = new Map<string, JobVariable>();
  const add = (name: string, optional: boolean, fallback: string | undefined, at: Position | undefined): void => {
    if (isReservedPlaceholder(name)) return;
    const canSkip = optional || fallback !== undefined;
    const known = found.get(name);
    if (known) {
      known.optional &&= canSkip;
      if (known.default === undefined && fallback !== undefined) known.default = fallback;
      return;
    }
    found.set(name, {
      name,
      ...(fallback === undefined ? {} : { default: fallback }),
      optional: canSkip,
      ...(at ? { line: at.line, column: at.column } : {}),
    });
  };

  const visit = (value: ConfigValue, at: Position | undefined): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(IN_TEXT)) add(match[2]!, match[1] === '?', match[3], at);
    } else if (isSubstitution(value)) {
      add(value.$substitution, value.optional === true, value.default, nodePosition(value) ?? at);
    } else if (isConcatenation(value)) {
      for (const part of value.$concat) visit(part, nodePosition(value) ?? at);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, entryPosition(value, i)?.value ?? at));
    } else if (isConfigObject(value)) {
      visitObject(value);
    }
  };
  const visitObject = (object: ConfigObject): void => {
    for (const [key, value] of Object.entries(object)) visit(value, entryPosition(object, key)?.value);
  };

  visitObject(config.env);
  for (const block of [...config.source, ...config.transform, ...config.sink]) visitObject(block.options);
  visitObject(config.other);
  return [...found.values()];
}

/** A required variable with no value: a job cannot start without it. */
export class MissingVariablesError extends Error {
  constructor(readonly missing: JobVariable[]) {
    const where = (v: JobVariable) => (v.line === undefined ? '' : ` (line ${v.line}, column ${v.column})`);
    super(
      `the job needs ${missing.length === 1 ? 'a value for variable' : 'values for variables'} ${missing
        .map((v) => `"${v.name}"${where(v)}`)
        .join(', ')}: pass -i name=value or give a default with \${name:default}`,
    );
    this.name = 'MissingVariablesError';
  }
}

/**
 * The config with every variable filled, as SeaTunnel does at submit time: `${name}` substitutions
 * and `${name}` inside quoted text take the value from `values`, else the default written in the
 * config; `${?name}` without a value removes the key. Reserved placeholders (`${table_name}`, …)
 * stay as text for the plugins that fill them. Returns plain data (no substitution markers).
 */
export function resolveVariables(config: JobConfig, values: Readonly<Record<string, string>>): JobConfig {
  const missing = variablesOf(config).filter((v) => !v.optional && !Object.hasOwn(values, v.name));
  if (missing.length > 0) throw new MissingVariablesError(missing);
  const lookup = (name: string): string | undefined => (Object.hasOwn(values, name) ? values[name] : undefined);
  const text = (value: string): string =>
    value.replace(IN_TEXT, (whole, optional: string, name: string, fallback: string | undefined) => {
      if (isReservedPlaceholder(name)) return whole;
      return lookup(name) ?? fallback ?? (optional === '?' ? '' : whole);
    });
  const SKIP = Symbol('skip');
  const resolve = (value: ConfigValue): ConfigValue | typeof SKIP => {
    if (typeof value === 'string') return text(value);
    if (isSubstitution(value)) {
      if (isReservedPlaceholder(value.$substitution)) return `\${${value.$substitution}}`;
      return lookup(value.$substitution) ?? value.default ?? SKIP;
    }
    if (isConcatenation(value)) {
      return value.$concat
        .map((part) => resolve(part))
        .map((part) =>
          part === SKIP || part === null ? '' : typeof part === 'object' ? JSON.stringify(part) : String(part),
        )
        .join('');
    }
    if (Array.isArray(value)) return value.map(resolve).filter((v): v is ConfigValue => v !== SKIP);
    if (isConfigObject(value)) return resolveObject(value);
    return value;
  };
  const resolveObject = (object: ConfigObject): ConfigObject => {
    const out: ConfigObject = {};
    for (const [key, value] of Object.entries(object)) {
      const resolved = resolve(value);
      if (resolved !== SKIP) out[key] = resolved;
    }
    return out;
  };
  const block = (b: PluginBlock): PluginBlock => ({ ...b, options: resolveObject(b.options) });
  return {
    env: resolveObject(config.env),
    source: config.source.map(block),
    transform: config.transform.map(block),
    sink: config.sink.map(block),
    other: resolveObject(config.other),
  };
}
