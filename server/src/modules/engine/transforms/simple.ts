/**
 * SeaTunnel's simple transforms, applied alike to every table they receive:
 * - FieldMapper (`field_mapper = { old = new }`): only the listed fields, in the listed order, renamed;
 * - Filter (`include_fields`, or its old name `fields`; or `exclude_fields`): included fields in the
 *   listed order, or every field but the excluded ones in schema order;
 * - Replace (`replace_field`, `pattern`, `replacement`, `is_regex`, `replace_first`) on a string field;
 * - Copy (`fields { new = source }`, or the old `src_field` / `dest_field`): copies appended at the end;
 * - FilterRowKind (`include_kinds` or `exclude_kinds`): keeps rows by kind.
 * Schemas are computed in open(); apply() builds new row arrays and never changes its input.
 */
import type { PluginContext, PluginOptions, Transform } from '../plugin.js';
import {
  ROW_KINDS,
  tablePathText,
  type Field,
  type RowBatch,
  type RowKind,
  type TableSchema,
  type Value,
} from '../row.js';

/** Index of `name` in the table, or a config error naming the option, the table and its fields. */
function fieldIndex(options: PluginOptions, option: string, table: TableSchema, name: string): number {
  const index = table.fields.findIndex((f) => f.name === name);
  if (index < 0) {
    const where = tablePathText(table.path);
    options.fail(
      option,
      `names field "${name}", which ${where ? `${where} does not have` : 'does not exist'} (fields: ${table.fields.map((f) => f.name).join(', ')})`,
    );
  }
  return index;
}

/** Keys survive a projection only when all their columns do (renamed as the columns are). */
function projectKeys(
  table: TableSchema,
  picked: number[],
  names: string[],
): Pick<TableSchema, 'primaryKey' | 'uniqueKeys'> {
  const rename = new Map<string, string>();
  picked.forEach((index, i) => {
    const from = table.fields[index]!.name;
    if (!rename.has(from)) rename.set(from, names[i]!);
  });
  const map = (columns: string[]) =>
    columns.every((c) => rename.has(c)) ? columns.map((c) => rename.get(c)!) : undefined;
  const out: Pick<TableSchema, 'primaryKey' | 'uniqueKeys'> = {};
  const primaryKey = table.primaryKey && map(table.primaryKey);
  if (primaryKey) out.primaryKey = primaryKey;
  const uniqueKeys = (table.uniqueKeys ?? []).map(map).filter((k): k is string[] => k !== undefined);
  if (uniqueKeys.length > 0) out.uniqueKeys = uniqueKeys;
  return out;
}

/** A transform that keeps some columns (by input index) of each table, possibly renamed. */
abstract class ProjectionTransform implements Transform {
  private projections: number[][] = [];

  protected constructor(protected readonly options: PluginOptions) {}

  /** For one input table: the input indexes to keep and their output names. */
  protected abstract project(table: TableSchema): { picked: number[]; names: string[] };

  open(inputs: TableSchema[], _context: PluginContext): TableSchema[] {
    this.projections = [];
    return inputs.map((table) => {
      const { picked, names } = this.project(table);
      const seen = new Set<string>();
      for (const name of names) {
        if (seen.has(name)) this.options.fail(undefined, `the output would have two fields named "${name}"`);
        seen.add(name);
      }
      this.projections.push(picked);
      const fields: Field[] = picked.map((index, i) => ({ ...table.fields[index]!, name: names[i]! }));
      const { primaryKey: _pk, uniqueKeys: _uk, ...rest } = table;
      return { ...rest, fields, ...projectKeys(table, picked, names) };
    });
  }

  apply(batch: RowBatch): RowBatch {
    const picked = this.projections[batch.table];
    if (!picked) throw new Error(`${this.options.plugin}: batch for table ${batch.table}, which was not opened`);
    const n = picked.length;
    const rows = batch.rows.map((row) => {
      const out: Value[] = new Array<Value>(n);
      for (let i = 0; i < n; i++) out[i] = row[picked[i]!] ?? null;
      return out;
    });
    return { ...batch, rows };
  }
}

export class FieldMapperTransform extends ProjectionTransform {
  private readonly mapping: [string, string][];

  constructor(options: PluginOptions) {
    super(options);
    const mapper = options.object('field_mapper');
    if (!mapper) options.fail('field_mapper', 'is required: field_mapper = { old_name = new_name }');
    this.mapping = Object.entries(mapper).map(([from, to]) => {
      if (typeof to !== 'string' || to === '')
        return options.fail(`field_mapper.${from}`, 'must be the new field name');
      return [from, to];
    });
    if (this.mapping.length === 0) options.fail('field_mapper', 'must map at least one field');
  }

  protected project(table: TableSchema) {
    return {
      picked: this.mapping.map(([from]) => fieldIndex(this.options, `field_mapper.${from}`, table, from)),
      names: this.mapping.map(([, to]) => to),
    };
  }
}

export class FilterTransform extends ProjectionTransform {
  private readonly include?: string[];
  private readonly exclude?: string[];

  constructor(options: PluginOptions) {
    super(options);
    const includeOption = options.firstOf('include_fields', 'fields');
    const include = includeOption ? options.stringList(includeOption) : undefined;
    const exclude = options.stringList('exclude_fields');
    if (include && exclude) options.fail('include_fields', 'and exclude_fields cannot both be set');
    if (!include && !exclude) options.fail('include_fields', 'or exclude_fields is required');
    if (include) this.include = include;
    if (exclude) this.exclude = exclude;
  }

  protected project(table: TableSchema) {
    if (this.include) {
      const option = this.options.has('include_fields') ? 'include_fields' : 'fields';
      const picked = this.include.map((name) => fieldIndex(this.options, option, table, name));
      return { picked, names: this.include };
    }
    const excluded = new Set(this.exclude);
    for (const name of excluded) fieldIndex(this.options, 'exclude_fields', table, name);
    const picked = table.fields.flatMap((f, i) => (excluded.has(f.name) ? [] : [i]));
    return { picked, names: picked.map((i) => table.fields[i]!.name) };
  }
}

export class CopyTransform implements Transform {
  /** [new field, source field] in output order. */
  private readonly copies: [string, string][];
  private sources: number[][] = [];

  constructor(private readonly options: PluginOptions) {
    const fields = options.object('fields');
    const src = options.string('src_field');
    const dest = options.string('dest_field');
    if (fields && (src !== undefined || dest !== undefined)) {
      options.fail('fields', 'and src_field/dest_field cannot both be set');
    }
    if (fields) {
      this.copies = Object.entries(fields).map(([to, from]) => {
        if (typeof from !== 'string' || from === '') return options.fail(`fields.${to}`, 'must name the field to copy');
        return [to, from];
      });
      if (this.copies.length === 0) options.fail('fields', 'must list at least one copy: fields { new_field = field }');
    } else {
      if (!src) options.fail('src_field', 'is required (or fields { new_field = field })');
      if (!dest) options.fail('dest_field', 'is required with src_field');
      this.copies = [[dest, src]];
    }
  }

  open(inputs: TableSchema[], _context: PluginContext): TableSchema[] {
    const option = this.options.has('fields') ? 'fields' : 'src_field';
    this.sources = [];
    return inputs.map((table) => {
      const names = new Set(table.fields.map((f) => f.name));
      const sources = this.copies.map(([to, from]) => {
        const index = fieldIndex(this.options, option === 'fields' ? `fields.${to}` : 'src_field', table, from);
        if (names.has(to)) {
          this.options.fail(
            option === 'fields' ? `fields.${to}` : 'dest_field',
            `"${to}" is already a field of the table`,
          );
        }
        names.add(to);
        return index;
      });
      this.sources.push(sources);
      const copied = this.copies.map(([to], i) => ({ ...table.fields[sources[i]!]!, name: to }));
      return { ...table, fields: [...table.fields, ...copied] };
    });
  }

  apply(batch: RowBatch): RowBatch {
    const sources = this.sources[batch.table];
    if (!sources) throw new Error(`Copy: batch for table ${batch.table}, which was not opened`);
    const rows = batch.rows.map((row) => {
      const out = row.slice();
      // Values are never changed in place, so the copy may share them with the original.
      for (const index of sources) out.push(row[index] ?? null);
      return out;
    });
    return { ...batch, rows };
  }
}

export class ReplaceTransform implements Transform {
  private readonly field: string;
  private readonly replace: (text: string) => string;
  private indexes: number[] = [];

  constructor(private readonly options: PluginOptions) {
    this.field = options.requiredString('replace_field');
    const pattern = options.string('pattern');
    if (pattern === undefined || pattern === '') options.fail('pattern', 'is required');
    const replacement = options.string('replacement');
    if (replacement === undefined) options.fail('replacement', 'is required');
    const isRegex = options.boolean('is_regex', false);
    const replaceFirst = options.boolean('replace_first', false);
    if (!isRegex) {
      // As SeaTunnel: a plain pattern replaces every occurrence (replace_first applies to regexes).
      this.replace = (text) => text.split(pattern).join(replacement);
    } else {
      let regex: RegExp;
      try {
        regex = new RegExp(pattern, replaceFirst ? '' : 'g');
      } catch (err) {
        options.fail('pattern', `is not a valid regular expression: ${(err as Error).message}`);
      }
      const build = javaReplacement(options, replacement);
      this.replace = (text) => text.replace(regex, (...args: unknown[]) => build(args));
    }
  }

  open(inputs: TableSchema[], _context: PluginContext): TableSchema[] {
    this.indexes = inputs.map((table) => {
      const index = fieldIndex(this.options, 'replace_field', table, this.field);
      const type = table.fields[index]!.type;
      if (type.kind !== 'string') {
        this.options.fail(
          'replace_field',
          `names "${this.field}", a ${type.kind} field: Replace works on string fields`,
        );
      }
      return index;
    });
    return inputs;
  }

  apply(batch: RowBatch): RowBatch {
    const index = this.indexes[batch.table];
    if (index === undefined) throw new Error(`Replace: batch for table ${batch.table}, which was not opened`);
    const rows = batch.rows.map((row) => {
      const value = row[index];
      if (typeof value !== 'string') return row;
      const replaced = this.replace(value);
      if (replaced === value) return row;
      const out = row.slice();
      out[index] = replaced;
      return out;
    });
    return { ...batch, rows };
  }
}

/**
 * Java's replacement syntax ($1, ${name}, \$ and \\ escapes), which SeaTunnel users write, as a
 * function of String.replace's callback arguments. JavaScript's own `$&`-style patterns do not apply.
 */
function javaReplacement(options: PluginOptions, replacement: string): (args: unknown[]) => string {
  const parts: (string | number | { name: string })[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\') {
      if (i + 1 >= replacement.length) options.fail('replacement', 'ends with a lone backslash');
      literal += replacement[++i];
    } else if (ch === '$') {
      if (literal) parts.push(literal);
      literal = '';
      if (replacement[i + 1] === '{') {
        const end = replacement.indexOf('}', i + 2);
        if (end < 0) options.fail('replacement', 'has an unclosed ${ group reference');
        parts.push({ name: replacement.slice(i + 2, end) });
        i = end;
      } else {
        const digits = /^\d+/.exec(replacement.slice(i + 1));
        if (!digits) options.fail('replacement', 'has a $ not followed by a group number or ${name}');
        parts.push(Number(digits[0]));
        i += digits[0].length;
      }
    } else literal += ch;
  }
  if (literal) parts.push(literal);
  return (args) => {
    // args: match, p1..pn, offset, string[, groups]
    const last = args[args.length - 1];
    const hasGroups = typeof last === 'object' && last !== null;
    const groups = hasGroups ? (last as Record<string, string | undefined>) : {};
    const captures = args.slice(0, hasGroups ? -3 : -2) as (string | undefined)[];
    return parts
      .map((p) => (typeof p === 'string' ? p : typeof p === 'number' ? (captures[p] ?? '') : (groups[p.name] ?? '')))
      .join('');
  };
}

export class FilterRowKindTransform implements Transform {
  private readonly keep: Set<RowKind>;

  constructor(options: PluginOptions) {
    const include = options.stringList('include_kinds');
    const exclude = options.stringList('exclude_kinds');
    if (include && exclude) options.fail('include_kinds', 'and exclude_kinds cannot both be set');
    if (!include && !exclude) options.fail('include_kinds', 'or exclude_kinds is required');
    const option = include ? 'include_kinds' : 'exclude_kinds';
    const kinds = (include ?? exclude)!.map((text) => {
      const kind = ROW_KINDS.find((k) => k === text.trim().toUpperCase());
      if (!kind) return options.fail(option, `must list row kinds (${ROW_KINDS.join(', ')}), got "${text}"`);
      return kind;
    });
    this.keep = new Set(include ? kinds : ROW_KINDS.filter((k) => !kinds.includes(k)));
  }

  open(inputs: TableSchema[], _context: PluginContext): TableSchema[] {
    return inputs;
  }

  apply(batch: RowBatch): RowBatch | null {
    const kinds = batch.kinds;
    if (!kinds) return this.keep.has('INSERT') ? batch : null;
    const rows: Value[][] = [];
    const keptKinds: RowKind[] = [];
    batch.rows.forEach((row, i) => {
      const kind = kinds[i] ?? 'INSERT';
      if (this.keep.has(kind)) {
        rows.push(row);
        keptKinds.push(kind);
      }
    });
    if (rows.length === 0) return null;
    const { bytes, ...rest } = batch;
    const out: RowBatch = { ...rest, rows, kinds: keptKinds };
    if (bytes !== undefined && batch.rows.length > 0) out.bytes = Math.round((bytes * rows.length) / batch.rows.length);
    return out;
  }
}
