/**
 * How the Jdbc source cuts a table into splits: the split key, the ranges of its values, and the
 * SQL conditions that select each range. Pure functions, so the arithmetic is unit-tested.
 *
 * Ranges are half-open ([b1, b2)) and the first and last are open-ended unless a bound was given, so
 * every non-null key value lands in exactly one split whatever the key's type (integers are cut with
 * exact BigInt arithmetic; decimals with a fraction and floats with doubles, whose rounding only moves
 * the boundaries). Rows whose key is NULL get a split of their own. A given partition_lower_bound /
 * partition_upper_bound limits the rows read, as in SeaTunnel (rows outside, and NULL keys, are skipped).
 */
import type { DataType, TableSchema } from '../../row.js';

export type SplitKeyKind = 'integer' | 'number';

/** Whether a column of this type can be split into numeric ranges, and how. */
export function splitKeyKind(type: DataType): SplitKeyKind | undefined {
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return 'integer';
    case 'decimal':
      return type.scale === 0 ? 'integer' : 'number';
    case 'float':
    case 'double':
      return 'number';
    case 'string':
    case 'boolean':
    case 'bytes':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamp_tz':
    case 'null':
    case 'array':
    case 'map':
    case 'row':
      return undefined;
  }
}

/** The first single-column primary key, else the first single-column unique key, of an integer type. */
export function chooseSplitKey(schema: TableSchema): string | undefined {
  const candidates = [...(schema.primaryKey ? [schema.primaryKey] : []), ...(schema.uniqueKeys ?? [])];
  for (const key of candidates) {
    if (key.length !== 1) continue;
    const field = schema.fields.find((f) => f.name === key[0]);
    if (field && splitKeyKind(field.type) === 'integer') return field.name;
  }
  return undefined;
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER_TEXT = /^[+-]?\d+$/;

export function isNumericText(text: string): boolean {
  return NUMERIC_TEXT.test(text.trim());
}

export interface RangeRequest {
  /** The split key, quoted for the dialect. */
  column: string;
  /** Smallest and largest key value (from the data or the given bounds), as numeric text. */
  min: string;
  max: string;
  /** How many ranges to aim for (fewer when the value range is smaller). */
  count: number;
  /** Bounds given by the user: they limit the rows read. */
  lowerGiven: boolean;
  upperGiven: boolean;
  /** Whether the key may be NULL (adds a split for NULL keys when no bound was given). */
  nullable: boolean;
}

/**
 * The WHERE conditions of the splits; an empty string means "no condition" (one split reading
 * everything). Together they select every row exactly once (within the given bounds).
 */
export function rangeConditions(request: RangeRequest): string[] {
  const { column, lowerGiven, upperGiven } = request;
  const minText = request.min.trim();
  const maxText = request.max.trim();
  const count = Math.max(1, Math.floor(request.count));
  let boundaries: string[];
  if (INTEGER_TEXT.test(minText) && INTEGER_TEXT.test(maxText)) {
    boundaries = integerBoundaries(BigInt(minText), BigInt(maxText), count);
  } else {
    boundaries = numberBoundaries(Number(minText), Number(maxText), count);
  }
  const lowerCondition = lowerGiven ? `${column} >= ${minText}` : undefined;
  const upperCondition = upperGiven ? `${column} <= ${maxText}` : undefined;
  const conditions: string[] = [];
  if (boundaries.length === 0) {
    const only = [lowerCondition, upperCondition].filter((c) => c !== undefined).join(' AND ');
    conditions.push(only);
    return conditions;
  }
  for (let i = 0; i <= boundaries.length; i++) {
    const parts: string[] = [];
    if (i === 0) {
      if (lowerCondition) parts.push(lowerCondition);
    } else parts.push(`${column} >= ${boundaries[i - 1]}`);
    if (i === boundaries.length) {
      if (upperCondition) parts.push(upperCondition);
    } else parts.push(`${column} < ${boundaries[i]}`);
    conditions.push(parts.join(' AND '));
  }
  if (request.nullable && !lowerGiven && !upperGiven) conditions.push(`${column} IS NULL`);
  return conditions;
}

/** Inner boundaries cutting [lo, hi] into at most `count` ranges of equal width. */
function integerBoundaries(lo: bigint, hi: bigint, count: number): string[] {
  if (hi <= lo || count <= 1) return [];
  const span = hi - lo + 1n;
  const n = span < BigInt(count) ? span : BigInt(count);
  const step = (span + n - 1n) / n;
  const out: string[] = [];
  for (let b = lo + step; b <= hi; b += step) out.push(b.toString());
  return out;
}

function numberBoundaries(lo: number, hi: number, count: number): string[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo || count <= 1) return [];
  const step = (hi - lo) / count;
  const out: string[] = [];
  let previous = lo;
  for (let i = 1; i < count; i++) {
    const b = lo + step * i;
    if (b > previous && b < hi) {
      out.push(String(b)); // "1e+21" is a numeric literal in both databases
      previous = b;
    }
  }
  return out;
}

/**
 * How many splits to cut when the user did not say (partition_num): with `split.size` set and a
 * row estimate, one split per split.size rows; otherwise a few per reader so fast readers take over
 * from slow ones; one reader reads the table in one go (no range queries at all).
 */
export function defaultSplitCount(input: { parallelism: number; estimatedRows?: number; splitSize?: number }): number {
  const parallelism = Math.max(1, input.parallelism);
  if (input.splitSize !== undefined && input.estimatedRows !== undefined && input.estimatedRows > 0) {
    return Math.max(parallelism, Math.min(100_000, Math.ceil(input.estimatedRows / input.splitSize)));
  }
  return parallelism === 1 ? 1 : parallelism * 4;
}
