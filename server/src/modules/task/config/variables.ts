import {
  entryPosition,
  isConcatenation,
  isConfigObject,
  isSubstitution,
  nodePosition,
  type ConfigObject,
  type ConfigValue,
  type JobConfig,
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
