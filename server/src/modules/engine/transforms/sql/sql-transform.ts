/**
 * SeaTunnel's `Sql` transform: `query = "select ... from <table> where ..."` over each input
 * table. The query is parsed once (when the job is built) and compiled once per input schema
 * into closures (when the transform opens); applying it to a batch runs those closures per row.
 *
 * Behaviour follows SeaTunnel's Zeta SQL engine: one table, no JOIN / GROUP BY / ORDER BY / LIMIT
 * / subqueries; the FROM name is not checked against the input (a mismatch is logged, as
 * SeaTunnel does); unnamed expressions are named by their text; row kinds pass through.
 */
import type { TransformFactory } from '../../implementations.js';
import { PluginConfigError, type PluginContext, type Transform } from '../../plugin.js';
import { tablePathText, type Field, type RowBatch, type RowKind, type TableSchema, type Value } from '../../row.js';
import { ExpressionCompiler, findField } from './sql-compile.js';
import { SqlSyntaxError, lineColumn, parseSelect, type SelectQuery } from './sql-parser.js';
import { SqlCompileError, SqlEvaluationError, T, type Evaluator } from './sql-values.js';

export { SqlEvaluationError } from './sql-values.js';

const PLUGIN = 'Sql';
const OPTION = 'query';

interface OutputColumn {
  name: string;
  /** The query text of the expression (for run-time error messages). */
  text: string;
  eval: Evaluator;
  /** Input index when the column is a plain top-level column (copied without a call). */
  inputIndex?: number;
}

interface Plan {
  schema: TableSchema;
  label: string;
  filter?: Evaluator;
  /** A WHERE that is constantly false or NULL: no row passes. */
  dropAll: boolean;
  whereText?: string;
  columns: OutputColumn[];
  project: (row: Value[]) => Value[];
  rowsSeen: number;
}

function position(query: string, offset: number): string {
  const { line, column } = lineColumn(query, offset);
  return `line ${line}, column ${column}`;
}

function configError(query: string, err: SqlSyntaxError | SqlCompileError, table?: string): PluginConfigError {
  const where = position(query, err.offset);
  const inTable = table ? ` (input table "${table}")` : '';
  if (err instanceof SqlSyntaxError) {
    if (err.unsupported) {
      return new PluginConfigError(
        PLUGIN,
        OPTION,
        `uses ${err.unsupported} (${where}), which the Sql transform does not support (single-table SELECT only)`,
      );
    }
    if (err.detail.startsWith('must be') || err.detail.startsWith('holds') || err.detail.startsWith('calls')) {
      return new PluginConfigError(PLUGIN, OPTION, `${err.detail} (${where})`);
    }
    return new PluginConfigError(PLUGIN, OPTION, `has a syntax error at ${where}: ${err.detail}`);
  }
  const detail = err.detail;
  const verb = /^(refers|calls|uses|cannot|has)\b/.test(detail) ? detail : `is invalid: ${detail}`;
  return new PluginConfigError(PLUGIN, OPTION, `${verb} (${where})${inTable}${err.suffix}`);
}

function displayName(
  item: Extract<SelectQuery['items'][number], { kind: 'expr' }>,
  compiler: ExpressionCompiler,
): string {
  if (item.alias !== undefined) return item.alias;
  // SeaTunnel names a column reference by its (last) name, anything else by its text.
  if (item.expr.kind === 'column') return item.expr.path[item.expr.path.length - 1]!;
  return compiler.snippet(item.expr);
}

function compilePlan(query: string, select: SelectQuery, schema: TableSchema): Plan {
  const label = tablePathText(schema.path);
  const tableParts = select.table.parts.map((p) => p.toLowerCase());
  const qualifiers = [tableParts, tableParts.slice(-1)];
  if (select.table.alias) qualifiers.unshift([select.table.alias.toLowerCase()]);
  const compiler = new ExpressionCompiler({ fields: schema.fields, qualifiers, text: query });
  const fields: Field[] = [];
  const columns: OutputColumn[] = [];
  try {
    for (const item of select.items) {
      if (item.kind === 'star') {
        if (item.qualifier) {
          const q = item.qualifier.map((p) => p.toLowerCase());
          if (!qualifiers.some((known) => known.length === q.length && known.every((p, i) => p === q[i]))) {
            throw new SqlCompileError(
              `refers to unknown table "${item.qualifier.join('.')}" in ${item.qualifier.join('.')}.* (the query reads ${select.table.parts.join('.')})`,
              item.start,
            );
          }
        }
        schema.fields.forEach((field, i) => {
          fields.push({ ...field });
          columns.push({ name: field.name, text: field.name, eval: (row) => row[i] as Value, inputIndex: i });
        });
        continue;
      }
      const compiled = compiler.compile(item.expr);
      const name = displayName(item, compiler);
      const type = compiled.type.kind === 'null' ? T.string : compiled.type;
      fields.push(compiled.field ? { ...compiled.field, name } : { name, type, nullable: compiled.nullable });
      const inputIndex = compiled.field ? schema.fields.indexOf(compiled.field) : undefined;
      columns.push({ name, text: compiler.snippet(item.expr), eval: compiled.eval, inputIndex });
    }
    const seen = new Map<string, number>();
    fields.forEach((f, i) => {
      const lower = f.name.toLowerCase();
      if (seen.has(lower)) {
        const item = select.items[Math.min(i, select.items.length - 1)]!;
        throw new SqlCompileError(
          `has two output columns named "${f.name}"; give one an alias (AS other_name)`,
          item.start,
        );
      }
      seen.set(lower, i);
    });
  } catch (err) {
    if (err instanceof SqlCompileError) throw configError(query, err, label);
    throw err;
  }

  let filter: Evaluator | undefined;
  let dropAll = false;
  if (select.where) {
    let condition;
    try {
      condition = compiler.condition(select.where, 'WHERE');
    } catch (err) {
      if (err instanceof SqlCompileError) throw configError(query, err, label);
      throw err;
    }
    if (condition.constant) dropAll = condition.eval([]) !== true;
    else filter = condition.eval;
  }

  // Keys survive when every key column passes through unchanged (possibly renamed).
  const renamed = (name: string): string | undefined => {
    const index = findField(schema.fields, name);
    const column = columns.find((c) => c.inputIndex === index);
    return column?.name;
  };
  const mapKey = (key: string[]): string[] | undefined => {
    const mapped = key.map(renamed);
    return mapped.every((k) => k !== undefined) ? mapped : undefined;
  };
  const primaryKey = schema.primaryKey ? mapKey(schema.primaryKey) : undefined;
  const uniqueKeys = schema.uniqueKeys?.map(mapKey).filter((k): k is string[] => k !== undefined);
  const outSchema: TableSchema = {
    path: { ...schema.path },
    fields,
    ...(primaryKey ? { primaryKey } : {}),
    ...(uniqueKeys && uniqueKeys.length > 0 ? { uniqueKeys } : {}),
    ...(schema.estimatedRows !== undefined && !select.where ? { estimatedRows: schema.estimatedRows } : {}),
  };

  return {
    schema: outSchema,
    label,
    filter,
    dropAll,
    whereText: select.where ? compiler.snippet(select.where) : undefined,
    columns,
    project: projector(columns, schema.fields.length),
    rowsSeen: 0,
  };
}

/** The fastest projection for the columns: a copy for SELECT *, index moves for plain columns. */
function projector(columns: OutputColumn[], inputWidth: number): (row: Value[]) => Value[] {
  const n = columns.length;
  if (n === inputWidth && columns.every((c, i) => c.inputIndex === i)) return (row) => row.slice();
  if (columns.every((c) => c.inputIndex !== undefined)) {
    const indexes = Int32Array.from(columns.map((c) => c.inputIndex!));
    return (row) => {
      const out = new Array<Value>(n);
      for (let j = 0; j < n; j++) out[j] = row[indexes[j]!] as Value;
      return out;
    };
  }
  const evals = columns.map((c) => c.eval);
  return (row) => {
    const out = new Array<Value>(n);
    for (let j = 0; j < n; j++) out[j] = evals[j]!(row);
    return out;
  };
}

/**
 * Finds which part of the query failed on a row, for a message naming the column and the row.
 * Errors other than evaluation errors (a value of the wrong representation from a source) are
 * reported the same way, with their own message.
 */
function explain(plan: Plan, err: unknown, row: Value[], rowNumber: number): SqlEvaluationError {
  let part = 'the query';
  if (plan.filter) {
    try {
      plan.filter(row);
    } catch {
      part = `WHERE ${plan.whereText ?? ''}`;
    }
  }
  if (part === 'the query') {
    for (const column of plan.columns) {
      try {
        column.eval(row);
      } catch {
        part = column.text === column.name ? `column "${column.name}"` : `column "${column.name}" (${column.text})`;
        break;
      }
    }
  }
  const message =
    err instanceof SqlEvaluationError ? err.message : `unexpected ${err instanceof Error ? err.message : String(err)}`;
  const failure = new SqlEvaluationError(
    `${PLUGIN}: ${part} failed on row ${rowNumber} of table "${plan.label}": ${message}`,
  );
  failure.cause = err;
  return failure;
}

export const sqlTransform: TransformFactory = ({ options }) => {
  const query = options.requiredString(OPTION);
  let select: SelectQuery;
  try {
    select = parseSelect(query);
  } catch (err) {
    if (err instanceof SqlSyntaxError) throw configError(query, err);
    throw err;
  }
  const inputNames = [options.value('plugin_input'), options.value('source_table_name')]
    .flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]))
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.toLowerCase());
  let plans: Plan[] = [];

  const transform: Transform = {
    open(inputs: TableSchema[], context: PluginContext): TableSchema[] {
      const fromName = select.table.parts.join('.').toLowerCase();
      const lastPart = select.table.parts[select.table.parts.length - 1]!.toLowerCase();
      const known = [
        ...inputNames,
        ...inputs.flatMap((s) => [tablePathText(s.path).toLowerCase(), s.path.table.toLowerCase()]),
        'dual',
      ];
      if (!known.includes(fromName) && !known.includes(lastPart)) {
        context.log(
          'warn',
          `Sql: the query reads FROM ${select.table.parts.join('.')}, which is not the input table's name (${[...new Set([...inputNames, ...inputs.map((s) => tablePathText(s.path))])].join(', ')}); it runs on the input anyway, as SeaTunnel does`,
        );
      }
      plans = inputs.map((schema) => compilePlan(query, select, schema));
      return plans.map((p) => p.schema);
    },

    apply(batch: RowBatch): RowBatch | null {
      const plan = plans[batch.table];
      if (!plan)
        throw new Error(`Sql: a batch for table ${batch.table} arrived, but ${plans.length} tables were opened`);
      const rows = batch.rows;
      const firstRow = plan.rowsSeen + 1;
      plan.rowsSeen += rows.length;
      if (plan.dropAll) return null;
      const kinds = batch.kinds;
      const out: Value[][] = [];
      let outKinds: RowKind[] | undefined = kinds ? [] : undefined;
      const filter = plan.filter;
      const project = plan.project;
      let i = 0;
      try {
        if (filter) {
          for (; i < rows.length; i++) {
            const row = rows[i]!;
            if (filter(row) !== true) continue;
            out.push(project(row));
            if (outKinds) outKinds.push(kinds![i]!);
          }
        } else {
          for (; i < rows.length; i++) out.push(project(rows[i]!));
          if (kinds) outKinds = kinds.slice();
        }
      } catch (err) {
        throw explain(plan, err, rows[i]!, firstRow + i);
      }
      if (out.length === 0) return null;
      const result: RowBatch = { table: batch.table, rows: out };
      if (outKinds) result.kinds = outKinds;
      if (batch.bytes !== undefined) result.bytes = batch.bytes;
      return result;
    },
  };
  return transform;
};
