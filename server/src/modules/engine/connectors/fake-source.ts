/**
 * FakeSource: rows generated from a declared schema, or written out in `rows`, as SeaTunnel's
 * FakeSource does. Each of `parallelism` readers produces `row.num` rows (per table), in
 * `split.num` splits separated by `split.read-interval` ms; explicit `rows` are emitted once per
 * split. `tables_configs` declares several tables, each with its own schema, rows and options.
 *
 * Values are random within SeaTunnel's ranges and templates (fake-random.ts) from a seeded
 * generator: the same config gives the same rows (`seed`, default 0, is a Sluice addition).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isConfigObject, isExactNumber, type ConfigValue } from '../../job-config/index.js';
import type { PluginContext, PluginOptions, Source, SourceReader } from '../plugin.js';
import { ROW_KINDS, tablePathText, type RowBatch, type RowKind, type TableSchema, type Value } from '../row.js';
import { Prng, rowGenerator, type FakeGenOptions, type NumberRange } from './fake-random.js';
import { convertOption, parseSchemaOption } from './fake-schema.js';

const BATCH_ROWS = 1000;

interface FakeRow {
  kind: RowKind;
  values: Value[];
}

interface FakeTable {
  schema: TableSchema;
  /** Constant values of columns with a `defaultValue` (columns form), else undefined. */
  defaults: (Value | undefined)[];
  rows?: FakeRow[];
  rowNum: number;
  splitNum: number;
  splitReadInterval: number;
  gen: FakeGenOptions;
}

const FLOAT_MAX = 3.4028234663852886e38;
const TYPE_RANGES = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
  float: [-FLOAT_MAX, FLOAT_MAX],
  double: [-Number.MAX_VALUE, Number.MAX_VALUE],
} as const;
/** SeaTunnel's default ranges: zero up to the type's maximum. */
const DEFAULT_MAX = {
  tinyint: 127,
  smallint: 32767,
  int: 2147483647,
  float: FLOAT_MAX,
  double: Number.MAX_VALUE,
} as const;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

export class FakeSource implements Source {
  private readonly tables: FakeTable[];
  private readonly seed: number;
  private readonly ignoredSchema: boolean;

  constructor(options: PluginOptions) {
    this.seed = options.int('seed', 0);
    const tablesConfigs = options.list('tables_configs');
    if (tablesConfigs) {
      if (tablesConfigs.length === 0) options.fail('tables_configs', 'must list at least one table');
      this.tables = tablesConfigs.map((entry, i) => {
        if (!isConfigObject(entry)) return options.fail(`tables_configs[${i}]`, 'must be an object { schema = ... }');
        return parseTable(options.nested(entry, `tables_configs[${i}]`));
      });
      this.ignoredSchema = options.has('schema');
    } else {
      this.tables = [parseTable(options)];
      this.ignoredSchema = false;
    }
    const seen = new Map<string, number>();
    this.tables.forEach((t, i) => {
      const name = tablePathText(t.schema.path);
      const before = seen.get(name);
      if (before !== undefined) {
        options.fail(
          `tables_configs[${i}].schema.table`,
          `"${name}" is already the table of tables_configs[${before}]`,
        );
      }
      seen.set(name, i);
    });
  }

  open(context: PluginContext): Promise<TableSchema[]> {
    if (this.ignoredSchema) context.log('warn', 'schema is ignored: tables_configs declares the tables');
    const readers = Math.max(1, context.parallelism);
    return Promise.resolve(
      this.tables.map((t) => {
        const splits = splitSizes(t.rowNum, t.splitNum);
        const perReader = t.rows ? t.rows.length * splits.length : t.rowNum;
        return { ...t.schema, estimatedRows: perReader * readers };
      }),
    );
  }

  readers(context: PluginContext): SourceReader[] {
    const count = Math.max(1, context.parallelism);
    return Array.from({ length: count }, (_, r) => ({
      read: () => this.read(r, context.signal),
    }));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async *read(reader: number, signal: AbortSignal): AsyncGenerator<RowBatch> {
    const plans = this.tables.map((t, index) => {
      const rng = new Prng(mixSeed(this.seed, index, reader));
      return {
        index,
        table: t,
        splits: splitSizes(t.rowNum, t.splitNum),
        next: rowGenerator(
          t.schema.fields.map((f) => f.type),
          t.gen,
          rng,
          t.defaults,
        ),
      };
    });
    const splitCount = Math.max(0, ...plans.map((p) => p.splits.length));
    const interval = Math.max(0, ...this.tables.map((t) => t.splitReadInterval));
    for (let s = 0; s < splitCount; s++) {
      for (const plan of plans) {
        const size = plan.splits[s];
        if (size === undefined) continue;
        const explicit = plan.table.rows;
        if (explicit) {
          for (let i = 0; i < explicit.length; i += BATCH_ROWS) {
            signal.throwIfAborted();
            const slice = explicit.slice(i, i + BATCH_ROWS);
            const rows = slice.map((r) => r.values.slice());
            const kinds = slice.map((r) => r.kind);
            yield kinds.every((k) => k === 'INSERT') ? { table: plan.index, rows } : { table: plan.index, rows, kinds };
          }
          continue;
        }
        for (let done = 0; done < size;) {
          signal.throwIfAborted();
          const n = Math.min(BATCH_ROWS, size - done);
          const rows: Value[][] = new Array<Value[]>(n);
          for (let i = 0; i < n; i++) rows[i] = plan.next();
          done += n;
          yield { table: plan.index, rows };
        }
      }
      if (s < splitCount - 1 && interval > 0) {
        await sleep(interval, undefined, { signal }).catch(() => undefined);
        signal.throwIfAborted();
      }
    }
  }
}

/** SeaTunnel's split sizes for one reader: ceil(row.num / split.num) rows each, the last smaller. */
function splitSizes(rowNum: number, splitNum: number): number[] {
  const size = Math.ceil(rowNum / splitNum);
  const out: number[] = [];
  for (let done = 0; done < rowNum; done += size) out.push(Math.min(size, rowNum - done));
  return out;
}

function mixSeed(seed: number, table: number, reader: number): number {
  return (Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(table + 1, 0x165667b1) ^ Math.imul(reader + 1, 0x9e3779b1)) >>> 0;
}

function parseTable(options: PluginOptions): FakeTable {
  const { table: schema, defaults } = parseSchemaOption(options);
  const nonNegative = (name: string, fallback: number) => {
    const value = options.int(name, fallback);
    if (value < 0) options.fail(name, `must be 0 or more, got ${value}`);
    return value;
  };
  const rowNum = nonNegative('row.num', 5);
  const splitNum = options.int('split.num', 1);
  if (splitNum < 1) options.fail('split.num', `must be 1 or more, got ${splitNum}`);
  const table: FakeTable = {
    schema,
    defaults,
    rowNum,
    splitNum,
    splitReadInterval: nonNegative('split.read-interval', 1),
    gen: {
      stringLength: nonNegative('string.length', 5),
      bytesLength: nonNegative('bytes.length', 5),
      arraySize: nonNegative('array.size', 5),
      mapSize: nonNegative('map.size', 5),
      tinyint: numberRange(options, 'tinyint', true),
      smallint: numberRange(options, 'smallint', true),
      int: numberRange(options, 'int', true),
      bigint: bigintRange(options),
      float: numberRange(options, 'float', false),
      double: numberRange(options, 'double', false),
    },
  };
  const stringTemplate = options.stringList('string.template');
  checkMode(options, 'string', stringTemplate);
  if (stringTemplate) table.gen.stringTemplate = stringTemplate;
  const parts = [
    ['date.year.template', 'dateYearTemplate', 0, 9999],
    ['date.month.template', 'dateMonthTemplate', 1, 12],
    ['date.day.template', 'dateDayTemplate', 1, 28],
    ['time.hour.template', 'timeHourTemplate', 0, 23],
    ['time.minute.template', 'timeMinuteTemplate', 0, 59],
    ['time.second.template', 'timeSecondTemplate', 0, 59],
  ] as const;
  for (const [name, key, min, max] of parts) {
    const template = intList(options, name, min, max);
    if (template) table.gen[key] = template;
  }
  const rows = options.list('rows');
  if (rows) table.rows = rows.map((row, i) => parseRow(options, row, i, schema));
  return table;
}

/** `<type>.fake.mode`: RANGE (default) or TEMPLATE, which needs `<type>.template`. */
function checkMode(options: PluginOptions, type: string, template: unknown[] | undefined): void {
  const mode = options.enumValue(`${type}.fake.mode`, ['RANGE', 'TEMPLATE'] as const, 'RANGE');
  if (mode === 'TEMPLATE' && (!template || template.length === 0)) {
    options.fail(`${type}.template`, `is required when ${type}.fake.mode = template`);
  }
}

function numberRange(
  options: PluginOptions,
  type: 'tinyint' | 'smallint' | 'int' | 'float' | 'double',
  integer: boolean,
): NumberRange {
  const [lowest, highest] = TYPE_RANGES[type];
  const read = (name: string, fallback: number) => {
    const value = integer ? options.int(name, fallback) : options.number(name, fallback);
    if (value < lowest || value > highest) options.fail(name, `must be within the ${type} range ${lowest}..${highest}`);
    return value;
  };
  const min = read(`${type}.min`, 0);
  const max = read(`${type}.max`, DEFAULT_MAX[type]);
  if (min > max) options.fail(`${type}.min`, `(${min}) must not be greater than ${type}.max (${max})`);
  const range: NumberRange = { min, max };
  const template = integer
    ? intList(options, `${type}.template`, lowest, highest)
    : numberList(options, `${type}.template`);
  checkMode(options, type, template);
  if (template) range.template = template;
  return range;
}

function bigintRange(options: PluginOptions): FakeGenOptions['bigint'] {
  const read = (name: string, fallback: bigint): bigint => {
    const text = options.string(name);
    if (text === undefined) return fallback;
    if (!/^[+-]?\d+$/.test(text.trim())) return options.fail(name, `must be a whole number, got ${text}`);
    const value = BigInt(text.trim());
    if (value < BIGINT_MIN || value > BIGINT_MAX) return options.fail(name, 'must be within the bigint range');
    return value;
  };
  const min = read('bigint.min', 0n);
  const max = read('bigint.max', BIGINT_MAX);
  if (min > max) options.fail('bigint.min', `(${min}) must not be greater than bigint.max (${max})`);
  const list = options.list('bigint.template');
  const template = list?.map((item, i) => {
    const exact = isExactNumber(item) ? item.$number : typeof item === 'string' ? item.trim() : JSON.stringify(item);
    if (!/^[+-]?\d+$/.test(exact)) return options.fail(`bigint.template[${i}]`, `must be a whole number, got ${exact}`);
    return BigInt(exact);
  });
  checkMode(options, 'bigint', template);
  return template ? { min, max, template } : { min, max };
}

function numberList(options: PluginOptions, name: string): number[] | undefined {
  const list = options.list(name);
  return list?.map((item, i) => {
    const value = typeof item === 'string' ? Number(item) : item;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return options.fail(`${name}[${i}]`, `must be a number, got ${JSON.stringify(item)}`);
    }
    return value;
  });
}

function intList(options: PluginOptions, name: string, min: number, max: number): number[] | undefined {
  return numberList(options, name)?.map((value, i) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      return options.fail(`${name}[${i}]`, `must be a whole number within ${min}..${max}, got ${value}`);
    }
    return value;
  });
}

/** One entry of `rows`: { kind = INSERT, fields = [...] } (fields by position, or an object by name). */
function parseRow(options: PluginOptions, row: ConfigValue, i: number, schema: TableSchema): FakeRow {
  const where = `rows[${i}]`;
  if (!isConfigObject(row)) return options.fail(where, 'must be an object { kind = INSERT, fields = [...] }');
  const entry = options.nested(row, where);
  const kindText = entry.string('kind', 'INSERT').toUpperCase();
  const kind = ROW_KINDS.find((k) => k === kindText);
  if (!kind) return options.fail(`${where}.kind`, `must be one of ${ROW_KINDS.join(', ')}, got "${kindText}"`);
  const fields = entry.value('fields');
  if (fields === undefined) return options.fail(`${where}.fields`, 'is required');
  if (Array.isArray(fields) && fields.length !== schema.fields.length) {
    options.fail(
      `${where}.fields`,
      `has ${fields.length} values for ${schema.fields.length} fields (${schema.fields.map((f) => f.name).join(', ')})`,
    );
  }
  const values = convertOption(options, `${where}.fields`, fields, { kind: 'row', fields: schema.fields });
  return { kind, values: values as Value[] };
}
