/**
 * Compiles a parsed expression once, against one input schema, into closures over column indexes:
 * the per-row work is the closures' own, with no tree walking, no name lookups and no type
 * dispatch left. Constant sub-expressions (literals, CAST('1' AS INT), a LIKE pattern) are
 * evaluated at compile time. Null semantics are SQL's: operators on NULL give NULL, AND/OR/NOT use
 * three-valued logic, and a WHERE keeps only rows whose condition is TRUE.
 */
import { DataTypeSyntaxError, parseDataType, type DataType, type Field, type Value } from '../../row.js';
import {
  add,
  decimalOf,
  decimalOfNumber,
  divide,
  fits,
  formatDecimal,
  literalType,
  multiply,
  parseDecimal,
  remainder,
  rescale,
  subtract,
  formatSmall,
  smallAlign,
  smallFits,
  smallOf,
  smallRescale,
  type Decimal,
  type SmallDecimal,
} from './sql-decimal.js';
import { parseDate, parseTime, parseTimestamp, formatDate, formatTime, formatTimestamp } from './sql-datetime.js';
import { FUNCTIONS, compileInterval, type FunctionContext } from './sql-functions.js';
import type { BinaryOp, Expr } from './sql-parser.js';
import {
  SqlCompileError,
  SqlEvaluationError,
  T,
  asDecimalType,
  canCast,
  comparator,
  comparisonType,
  converter,
  decimalType,
  isApproximate,
  isIntegral,
  isNumeric,
  isSmallInt,
  isTemporal,
  orderable,
  textOf,
  typeName,
  type Compiled,
  type Comparator,
  type Evaluator,
} from './sql-values.js';

export interface Scope {
  fields: Field[];
  /** Lower-case dotted names that may qualify a column: the FROM table as written, its alias. */
  qualifiers: string[][];
  /** The query text (for quoting sub-expressions in messages). */
  text: string;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** Index of a field by name: exact first, then case-insensitive when that is unambiguous. */
export function findField(fields: Field[], name: string): number {
  const exact = fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = fields.flatMap((f, i) => (f.name.toLowerCase() === lower ? [i] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

function listNames(fields: Field[]): string {
  const names = fields.map((f) => f.name);
  return names.length > 40 ? `${names.slice(0, 40).join(', ')}, ... (${names.length} in all)` : names.join(', ');
}

function strict2(le: Evaluator, re: Evaluator, f: (a: Value, b: Value) => Value): Evaluator {
  return (row) => {
    const a = le(row);
    if (a === null) return null;
    const b = re(row);
    if (b === null) return null;
    return f(a, b);
  };
}

function constant(value: Value, type: DataType): Compiled {
  return { type, nullable: value === null, eval: () => value, constant: true };
}

function likeRegex(pattern: string, escape: string | undefined, ignoreCase: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escape !== undefined && ch === escape) {
      const next = pattern[i + 1];
      if (next === undefined) throw new SqlEvaluationError(`LIKE pattern "${pattern}" ends with its escape character`);
      source += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'isu' : 'su');
}

/** A matcher for a LIKE pattern; plain prefix/suffix/contains patterns avoid regular expressions. */
export function likeMatcher(pattern: string, escape: string | undefined, ignoreCase: boolean): (s: string) => boolean {
  const hasEscape = escape !== undefined && pattern.includes(escape);
  if (!ignoreCase && !hasEscape && !pattern.includes('_')) {
    const inner = pattern.replace(/^%+/, '').replace(/%+$/, '');
    if (!inner.includes('%')) {
      const leading = pattern.startsWith('%');
      const trailing = pattern.endsWith('%') && pattern.length > 0;
      if (pattern === '%' || (leading && trailing && inner === '')) return () => true;
      if (leading && trailing) return (s) => s.includes(inner);
      if (leading) return (s) => s.endsWith(inner);
      if (trailing) return (s) => s.startsWith(inner);
      return (s) => s === pattern;
    }
  }
  const regex = likeRegex(pattern, escape, ignoreCase);
  return (s) => regex.test(s);
}

export class ExpressionCompiler {
  constructor(private readonly scope: Scope) {}

  /** Whether the input has a top-level column of this name (DATEADD(DAY, ...) reads DAY as a unit otherwise). */
  hasColumn(name: string): boolean {
    return findField(this.scope.fields, name) >= 0;
  }

  fail(detail: string, node: { start: number }, suffix = ''): never {
    throw new SqlCompileError(detail, node.start, suffix);
  }

  /** The query text of a node, whitespace collapsed (for messages and unnamed columns). */
  snippet(node: { start: number; end: number }): string {
    return this.scope.text.slice(node.start, node.end).replace(/\s+/g, ' ').trim();
  }

  compile(e: Expr): Compiled {
    const c = this.compileNode(e);
    return c.constant ? this.fold(c, e) : c;
  }

  /** Evaluates a constant expression now; a failure is a query error pointing at it. */
  private fold(c: Compiled, e: Expr): Compiled {
    let value: Value;
    try {
      value = c.eval([]);
    } catch (err) {
      if (err instanceof SqlEvaluationError) this.fail(`${err.message} (in ${this.snippet(e)})`, e);
      throw err;
    }
    return { ...c, eval: () => value, nullable: value === null };
  }

  /** A condition: boolean or NULL typed. */
  condition(e: Expr, what: string): Compiled {
    const c = this.compile(e);
    if (c.type.kind !== 'boolean' && c.type.kind !== 'null') {
      this.fail(`${what} must be a condition (true/false), but ${this.snippet(e)} is ${typeName(c.type)}`, e);
    }
    return c;
  }

  /** Converts a compiled value to another type (implicit conversion or CAST), folding constants. */
  convert(c: Compiled, to: DataType, node: Expr, tryOnly = false): Compiled {
    const convert = converter(c.type, to);
    const inner = c.eval;
    const evaluate: Evaluator = tryOnly
      ? (row) => {
          const v = inner(row);
          if (v === null) return null;
          try {
            return convert(v);
          } catch (err) {
            if (err instanceof SqlEvaluationError) return null;
            throw err;
          }
        }
      : (row) => {
          const v = inner(row);
          return v === null ? null : convert(v);
        };
    const result: Compiled = { type: to, nullable: c.nullable || tryOnly, eval: evaluate, constant: c.constant };
    return result.constant ? this.fold(result, node) : result;
  }

  private compileNode(e: Expr): Compiled {
    switch (e.kind) {
      case 'null':
        return constant(null, T.null);
      case 'boolean':
        return constant(e.value, T.boolean);
      case 'string':
        return constant(e.value, T.string);
      case 'number':
        return this.number(e.text, e);
      case 'typed': {
        const text =
          e.type === 'date'
            ? mapDefined(parseDate(e.value), formatDate)
            : e.type === 'time'
              ? mapDefined(parseTime(e.value), formatTime)
              : mapDefined(parseTimestamp(e.value), formatTimestamp);
        if (text === undefined) this.fail(`${e.type.toUpperCase()} '${e.value}' is not a valid ${e.type}`, e);
        return constant(text, T[e.type]);
      }
      case 'column':
        return this.column(e.path, e);
      case 'index':
        return this.index(e.target, e.index, e);
      case 'unary':
        return this.unary(e.op, e.arg, e);
      case 'binary':
        return this.binary(e.op, e.left, e.right, e);
      case 'is': {
        const arg = this.compile(e.arg);
        if (e.what !== 'NULL' && arg.type.kind !== 'boolean' && arg.type.kind !== 'null') {
          this.fail(`IS ${e.what} needs a condition, but ${this.snippet(e.arg)} is ${typeName(arg.type)}`, e);
        }
        const ev = arg.eval;
        const wanted = e.what === 'TRUE';
        let test: Evaluator;
        if (e.what === 'NULL') test = e.not ? (row) => ev(row) !== null : (row) => ev(row) === null;
        else test = e.not ? (row) => ev(row) !== wanted : (row) => ev(row) === wanted;
        return { type: T.boolean, nullable: false, eval: test, constant: arg.constant };
      }
      case 'in':
        return this.inList(e);
      case 'between': {
        const arg = this.compile(e.arg);
        const low = this.comparison('>=', arg, this.compile(e.low), e, e.arg, e.low);
        const high = this.comparison('<=', arg, this.compile(e.high), e, e.arg, e.high);
        const both = and3(low.eval, high.eval);
        return {
          type: T.boolean,
          nullable: low.nullable || high.nullable,
          eval: e.not ? not3(both) : both,
          constant: low.constant && high.constant,
        };
      }
      case 'like':
        return this.like(e);
      case 'case':
        return this.caseWhen(e);
      case 'cast':
        return this.cast(e);
      case 'call':
        return this.call(e);
      case 'extract':
        return this.call({
          kind: 'call',
          name: 'EXTRACT',
          nameText: 'EXTRACT',
          args: [{ kind: 'string', value: e.field, start: e.start, end: e.start }, e.arg],
          start: e.start,
          end: e.end,
        });
      case 'interval':
        return this.fail(
          'an INTERVAL can only be added to or subtracted from a date or timestamp (or given to DATE_ADD)',
          e,
        );
    }
  }

  private number(text: string, e: Expr): Compiled {
    if (/^-?\d+$/.test(text)) {
      const big = BigInt(text);
      if (big >= BigInt(INT_MIN) && big <= BigInt(INT_MAX)) return constant(Number(text), T.int);
      if (big >= BIGINT_MIN && big <= BIGINT_MAX) return constant(big, T.bigint);
      const d = parseDecimal(text)!;
      const t = literalType(d);
      if (t.precision > 38) this.fail(`the number ${text} has more than 38 digits`, e);
      return constant(formatDecimal(d), decimalType(t.precision, 0));
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(`the number ${text} is out of the double range`, e);
    return { ...constant(value, T.double), exactText: text };
  }

  // ---------------------------------------------------------------- columns

  private column(path: string[], e: Expr): Compiled {
    const fields = this.scope.fields;
    let rest = path;
    let index = findField(fields, path[0]!);
    if (index < 0) {
      for (const qualifier of this.scope.qualifiers) {
        if (path.length > qualifier.length && qualifier.every((part, i) => part === path[i]!.toLowerCase())) {
          const candidate = findField(fields, path[qualifier.length]!);
          if (candidate >= 0) {
            rest = path.slice(qualifier.length);
            index = candidate;
            break;
          }
        }
      }
    }
    if (index < 0) {
      const name =
        path.length > 1 && this.scope.qualifiers.some((q) => q.length === 1 && q[0] === path[0]!.toLowerCase())
          ? path[1]!
          : path[0]!;
      const close = fields.filter((f) => levenshtein(f.name.toLowerCase(), name.toLowerCase()) <= 2).map((f) => f.name);
      const hint = close.length > 0 ? `; did you mean "${close[0]}"?` : '';
      this.fail(`refers to unknown column "${path.join('.')}"`, e, ` (columns: ${listNames(fields)})${hint}`);
    }
    const field = fields[index]!;
    const i = index;
    let evaluate: Evaluator = (row) => row[i] as Value;
    let type = field.type;
    let nullable = field.nullable;
    for (let k = 1; k < rest.length; k++) {
      const part = rest[k]!;
      if (type.kind !== 'row') {
        this.fail(`${rest.slice(0, k).join('.')} is ${typeName(type)}, not a row, so it has no field "${part}"`, e);
      }
      const sub = findField(type.fields, part);
      if (sub < 0) {
        this.fail(`row ${rest.slice(0, k).join('.')} has no field "${part}" (fields: ${listNames(type.fields)})`, e);
      }
      const outer = evaluate;
      const j = sub;
      evaluate = (row) => {
        const v = outer(row);
        return v === null ? null : ((v as Value[])[j] ?? null);
      };
      nullable = nullable || type.fields[sub]!.nullable;
      type = type.fields[sub]!.type;
    }
    return { type, nullable, eval: evaluate, constant: false, field: rest.length === 1 ? field : undefined };
  }

  private index(targetNode: Expr, indexNode: Expr, e: Expr): Compiled {
    const target = this.compile(targetNode);
    const index = this.compile(indexNode);
    const te = target.eval;
    if (target.type.kind === 'array') {
      if (!isIntegral(index.type))
        this.fail(
          `an array index must be a whole number, but ${this.snippet(indexNode)} is ${typeName(index.type)}`,
          indexNode,
        );
      const ie = index.eval;
      return {
        type: target.type.element,
        nullable: true,
        eval: (row) => {
          const a = te(row);
          const i = ie(row);
          if (a === null || i === null) return null;
          return (a as Value[])[Number(i)] ?? null;
        },
        constant: target.constant && index.constant,
      };
    }
    if (target.type.kind === 'map') {
      const keyType = target.type.key;
      const key = index.type.kind === keyType.kind ? index : this.convert(index, keyType, indexNode);
      const ke = key.eval;
      return {
        type: target.type.value,
        nullable: true,
        eval: (row) => {
          const m = te(row);
          const k = ke(row);
          if (m === null || k === null) return null;
          const map = m as Map<Value, Value>;
          const direct = map.get(k);
          if (direct !== undefined) return direct;
          if (Buffer.isBuffer(k)) {
            for (const [mk, mv] of map) if (Buffer.isBuffer(mk) && mk.equals(k)) return mv;
          }
          return null;
        },
        constant: target.constant && key.constant,
      };
    }
    return this.fail(`${this.snippet(targetNode)} is ${typeName(target.type)}; only arrays and maps take [index]`, e);
  }

  // ---------------------------------------------------------------- operators

  private unary(op: '-' | '+' | 'NOT', argNode: Expr, e: Expr): Compiled {
    const arg = this.compile(argNode);
    const ev = arg.eval;
    if (op === 'NOT') {
      if (arg.type.kind !== 'boolean' && arg.type.kind !== 'null') {
        this.fail(`NOT needs a condition, but ${this.snippet(argNode)} is ${typeName(arg.type)}`, e);
      }
      return { type: T.boolean, nullable: arg.nullable, eval: not3(ev), constant: arg.constant };
    }
    if (!isNumeric(arg.type) && arg.type.kind !== 'null') {
      this.fail(`${op} needs a number, but ${this.snippet(argNode)} is ${typeName(arg.type)}`, e);
    }
    if (op === '+') return arg;
    let negate: (v: Value) => Value;
    if (arg.type.kind === 'decimal')
      negate = (v) => formatDecimal({ ...decimalOf(v as string), unscaled: -decimalOf(v as string).unscaled });
    else if (arg.type.kind === 'bigint') negate = (v) => checkBig(-(v as bigint));
    else if (isSmallInt(arg.type)) negate = (v) => checkSmall(-(v as number));
    else negate = (v) => -(v as number);
    const type = isSmallInt(arg.type) ? T.int : arg.type;
    return {
      type,
      nullable: arg.nullable,
      eval: (row) => {
        const v = ev(row);
        return v === null ? null : negate(v);
      },
      constant: arg.constant,
    };
  }

  private binary(op: BinaryOp, leftNode: Expr, rightNode: Expr, e: Expr): Compiled {
    if (op === 'AND' || op === 'OR') {
      const l = this.condition(leftNode, op);
      const r = this.condition(rightNode, op);
      return {
        type: T.boolean,
        nullable: l.nullable || r.nullable,
        eval: op === 'AND' ? and3(l.eval, r.eval) : or3(l.eval, r.eval),
        constant: l.constant && r.constant,
      };
    }
    if ((op === '+' || op === '-') && (rightNode.kind === 'interval' || leftNode.kind === 'interval')) {
      const intervalNode = rightNode.kind === 'interval' ? rightNode : leftNode;
      const valueNode = rightNode.kind === 'interval' ? leftNode : rightNode;
      if (op === '-' && leftNode.kind === 'interval')
        this.fail('an INTERVAL cannot be subtracted from; write date - INTERVAL ...', e);
      if (intervalNode.kind !== 'interval') throw new Error('unreachable');
      return compileInterval(this, this.compile(valueNode), intervalNode, op === '-', e);
    }
    const l = this.compile(leftNode);
    const r = this.compile(rightNode);
    if (op === '||') {
      const lt = l.type;
      const rt = r.type;
      return {
        type: T.string,
        nullable: l.nullable || r.nullable,
        eval: strict2(l.eval, r.eval, (a, b) => textOf(a, lt) + textOf(b, rt)),
        constant: l.constant && r.constant,
      };
    }
    if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%')
      return this.arithmetic(op, l, r, leftNode, rightNode, e);
    return this.comparison(op, l, r, e);
  }

  arithmetic(
    op: '+' | '-' | '*' | '/' | '%',
    l: Compiled,
    r: Compiled,
    leftNode: Expr,
    rightNode: Expr,
    e: Expr,
  ): Compiled {
    for (const [c, node] of [
      [l, leftNode],
      [r, rightNode],
    ] as const) {
      if (!isNumeric(c.type) && c.type.kind !== 'null') {
        const hint = isTemporal(c.type)
          ? ' (use DATEADD/DATEDIFF or + INTERVAL for dates)'
          : c.type.kind === 'string'
            ? ' (CAST it to a number, or use || to join text)'
            : '';
        this.fail(`operator ${op} needs numbers, but ${this.snippet(node)} is ${typeName(c.type)}${hint}`, e);
      }
    }
    const nullable = l.nullable || r.nullable;
    const constantBoth = l.constant && r.constant;
    if (l.type.kind === 'null' || r.type.kind === 'null') {
      const other = l.type.kind === 'null' ? r.type : l.type;
      return constant(null, other.kind === 'null' ? T.int : isSmallInt(other) ? T.int : other);
    }
    const le = l.eval;
    const re = r.eval;
    if (l.type.kind === 'decimal' || r.type.kind === 'decimal')
      return this.decimalArithmetic(op, l, r, nullable, constantBoth);
    if (isApproximate(l.type) || isApproximate(r.type)) {
      const ln = l.type.kind === 'bigint' ? (row: Value[]) => nullableNumber(le(row)) : le;
      const rn = r.type.kind === 'bigint' ? (row: Value[]) => nullableNumber(re(row)) : re;
      const f: Record<typeof op, (a: number, b: number) => number> = {
        '+': (a, b) => a + b,
        '-': (a, b) => a - b,
        '*': (a, b) => a * b,
        '/': (a, b) => a / b,
        '%': (a, b) => a % b,
      };
      const fn = f[op];
      return {
        type: T.double,
        nullable,
        eval: strict2(ln, rn, (a, b) => fn(a as number, b as number)),
        constant: constantBoth,
      };
    }
    if (l.type.kind === 'bigint' || r.type.kind === 'bigint') {
      const lb = l.type.kind === 'bigint' ? le : (row: Value[]) => nullableBig(le(row));
      const rb = r.type.kind === 'bigint' ? re : (row: Value[]) => nullableBig(re(row));
      const f: Record<typeof op, (a: bigint, b: bigint) => bigint> = {
        '+': (a, b) => checkBig(a + b),
        '-': (a, b) => checkBig(a - b),
        '*': (a, b) => checkBig(a * b),
        '/': (a, b) => {
          if (b === 0n) throw new SqlEvaluationError('division by zero');
          return checkBig(a / b);
        },
        '%': (a, b) => {
          if (b === 0n) throw new SqlEvaluationError('division by zero');
          return a % b;
        },
      };
      const fn = f[op];
      return {
        type: T.bigint,
        nullable,
        eval: strict2(lb, rb, (a, b) => fn(a as bigint, b as bigint)),
        constant: constantBoth,
      };
    }
    const f: Record<typeof op, (a: number, b: number) => number> = {
      '+': (a, b) => checkSmall(a + b),
      '-': (a, b) => checkSmall(a - b),
      '*': (a, b) => checkSmall(a * b),
      '/': (a, b) => {
        if (b === 0) throw new SqlEvaluationError('division by zero');
        return checkSmall(Math.trunc(a / b));
      },
      '%': (a, b) => {
        if (b === 0) throw new SqlEvaluationError('division by zero');
        return a % b;
      },
    };
    const fn = f[op];
    let evaluate: Evaluator;
    if (op === '+') {
      // The most common projection (age + 1) without the generic wrapper.
      evaluate = (row) => {
        const a = le(row);
        if (a === null) return null;
        const b = re(row);
        if (b === null) return null;
        const v = (a as number) + (b as number);
        if (v > INT_MAX || v < INT_MIN) throw new SqlEvaluationError(`${v} is out of the int range`);
        return v;
      };
    } else evaluate = strict2(le, re, (a, b) => fn(a as number, b as number));
    return { type: T.int, nullable, eval: evaluate, constant: constantBoth };
  }

  private decimalArithmetic(
    op: '+' | '-' | '*' | '/' | '%',
    l: Compiled,
    r: Compiled,
    nullable: boolean,
    constantBoth: boolean,
  ): Compiled {
    type Side = { p: number; s: number; read: (v: Value) => Decimal; small: (v: Value) => SmallDecimal | undefined };
    const side = (c: Compiled): Side => {
      if (c.type.kind === 'decimal') {
        return {
          p: c.type.precision,
          s: c.type.scale,
          read: (v) => decimalOf(v as string),
          small: (v) => smallOf(v as string),
        };
      }
      if (c.exactText !== undefined) {
        // A literal such as 1.10: exact, with the digits as written.
        const d = parseDecimal(c.exactText)!;
        const t = literalType(d);
        const small = smallOf(formatDecimal(d));
        return { p: t.precision, s: t.scale, read: () => d, small: () => small };
      }
      const t = asDecimalType(c.type);
      if (isIntegral(c.type)) {
        return {
          p: t.precision,
          s: t.scale,
          read: (v) => ({ unscaled: BigInt(v as number | bigint), scale: 0 }),
          small: (v) =>
            typeof v === 'number'
              ? { u: v, s: 0 }
              : (v as bigint) >= -SAFE && (v as bigint) <= SAFE
                ? { u: Number(v), s: 0 }
                : undefined,
        };
      }
      return {
        p: t.precision,
        s: t.scale,
        read: (v) => {
          if (!Number.isFinite(v)) throw new SqlEvaluationError(`${v as number} cannot be used in decimal arithmetic`);
          return decimalOfNumber(v as number);
        },
        small: (v) => smallOf((v as number).toString()),
      };
    };
    const a = side(l);
    const b = side(r);
    let precision: number;
    let scale: number;
    switch (op) {
      case '+':
      case '-':
        scale = Math.max(a.s, b.s);
        precision = Math.max(a.p - a.s, b.p - b.s) + scale + 1;
        break;
      case '*':
        scale = a.s + b.s;
        precision = a.p + b.p + 1;
        break;
      case '/':
        scale = Math.max(6, a.s + b.p + 1);
        precision = a.p - a.s + b.s + scale;
        break;
      case '%':
        scale = Math.max(a.s, b.s);
        precision = Math.min(a.p - a.s, b.p - b.s) + scale;
        break;
    }
    // Beyond 38 digits, keep SeaTunnel's type (the wider scale; precision 38) and check each value.
    const p = Math.min(precision, 38);
    const s = precision <= 38 ? scale : Math.min(Math.max(a.s, b.s, op === '/' ? 6 : 0), 38);
    const compute: (x: Decimal, y: Decimal) => Decimal =
      op === '+'
        ? add
        : op === '-'
          ? subtract
          : op === '*'
            ? multiply
            : op === '/'
              ? (x, y) => {
                  if (y.unscaled === 0n) throw new SqlEvaluationError('division by zero');
                  return divide(x, y, s);
                }
              : (x, y) => {
                  if (y.unscaled === 0n) throw new SqlEvaluationError('division by zero');
                  return remainder(x, y);
                };
    const readA = a.read;
    const readB = b.read;
    const smallA = a.small;
    const smallB = b.small;
    // Safe-integer arithmetic for small values (+, -, *); anything else, or any doubt, goes to BigInt.
    const fast =
      op === '+' || op === '-' || op === '*'
        ? (x: Value, y: Value): string | undefined => {
            const da = smallA(x);
            if (da === undefined) return undefined;
            const db = smallB(y);
            if (db === undefined) return undefined;
            let u: number;
            let scale: number;
            if (op === '*') {
              u = da.u * db.u;
              scale = da.s + db.s;
            } else {
              scale = da.s > db.s ? da.s : db.s;
              const ua = smallAlign(da, scale);
              const ub = smallAlign(db, scale);
              if (ua === undefined || ub === undefined) return undefined;
              u = op === '+' ? ua + ub : ua - ub;
            }
            if (!Number.isSafeInteger(u)) return undefined;
            const r = smallRescale(u, scale, s);
            if (r === undefined || !smallFits(r, p)) return undefined;
            return formatSmall(r, s);
          }
        : () => undefined;
    return {
      type: { kind: 'decimal', precision: p, scale: s },
      nullable,
      eval: strict2(l.eval, r.eval, (x, y) => {
        const quick = fast(x, y);
        if (quick !== undefined) return quick;
        const result = rescale(compute(readA(x), readB(y)), s);
        if (!fits(result, p)) throw new SqlEvaluationError(`${formatDecimal(result)} does not fit decimal(${p}, ${s})`);
        return formatDecimal(result);
      }),
      constant: constantBoth,
    };
  }

  /** Brings both sides of a comparison to comparable types; returns their evaluators and a comparator. */
  comparable(
    l: Compiled,
    r: Compiled,
    lNode: Expr,
    rNode: Expr,
    e: Expr,
  ): { left: Compiled; right: Compiled; cmp: Comparator } {
    const target = comparisonType(l.type, r.type);
    if (!target)
      this.fail(
        `cannot compare ${this.snippet(lNode)} (${typeName(l.type)}) with ${this.snippet(rNode)} (${typeName(r.type)})`,
        e,
      );
    const bring = (c: Compiled, node: Expr, other: Compiled): Compiled => {
      if (c.type.kind === 'null') return c;
      if (c.type.kind === 'string' && other.type.kind !== 'string' && other.type.kind !== 'null') {
        if (isNumeric(other.type)) return this.numericFromText(c, other.type, node);
        return this.convert(c, target, node);
      }
      if (target.kind === 'boolean' && c.type.kind !== 'boolean') return this.convert(c, T.boolean, node);
      return c;
    };
    const left = bring(l, lNode, r);
    const right = bring(r, rNode, l);
    return { left, right, cmp: comparator(left.type, right.type) };
  }

  /**
   * Text compared with a number: read as an exact decimal, so '10.005' is not rounded to the
   * number's scale; a constant that fits the number's own representation is converted once.
   */
  private numericFromText(c: Compiled, numberType: DataType, node: Expr): Compiled {
    if (c.constant) {
      const text = c.eval([]) as string;
      const d = parseDecimal(text);
      if (!d) this.fail(`'${text}' is compared with a number but is not a number`, node);
      if (d.scale === 0 && isSmallInt(numberType) && d.unscaled >= BigInt(INT_MIN) && d.unscaled <= BigInt(INT_MAX)) {
        return constant(Number(d.unscaled), T.int);
      }
      if (d.scale === 0 && numberType.kind === 'bigint') return constant(d.unscaled, T.bigint);
      if (isApproximate(numberType)) return constant(Number(text), T.double);
      const t = literalType(d);
      return constant(formatDecimal(d), decimalType(t.precision, t.scale));
    }
    const ev = c.eval;
    return {
      type: { kind: 'decimal', precision: 38, scale: 18 },
      nullable: c.nullable,
      eval: (row) => {
        const v = ev(row);
        if (v === null) return null;
        const d = parseDecimal(v as string);
        if (!d) throw new SqlEvaluationError(`"${v as string}" is compared with a number but is not a number`);
        return formatDecimal(d);
      },
      constant: false,
    };
  }

  comparison(op: ComparisonOp, l: Compiled, r: Compiled, e: Expr, lNode?: Expr, rNode?: Expr): Compiled {
    const leftNode = lNode ?? (e.kind === 'binary' ? e.left : e);
    const rightNode = rNode ?? (e.kind === 'binary' ? e.right : e);
    const { left, right, cmp } = this.comparable(l, r, leftNode, rightNode, e);
    if ((!orderable(left.type) || !orderable(right.type)) && op !== '=' && op !== '<>') {
      this.fail(`${typeName(left.type)} values can only be compared with = and <>`, e);
    }
    const le = left.eval;
    const re = right.eval;
    const simple =
      (left.type.kind === 'string' && right.type.kind === 'string') ||
      ((isSmallInt(left.type) || isApproximate(left.type)) && (isSmallInt(right.type) || isApproximate(right.type))) ||
      (left.type.kind === 'bigint' && right.type.kind === 'bigint') ||
      (left.type.kind === 'boolean' && right.type.kind === 'boolean') ||
      (left.type.kind === 'date' && right.type.kind === 'date');
    let test: (a: Value, b: Value) => boolean;
    if (simple) test = SIMPLE_TESTS[op];
    else {
      const accept = ORDER_TESTS[op];
      test = (a, b) => accept(cmp(a, b));
    }
    let evaluate: Evaluator;
    if (right.constant) {
      const b = right.eval([]);
      evaluate =
        b === null
          ? () => null
          : (row) => {
              const a = le(row);
              return a === null ? null : test(a, b);
            };
    } else evaluate = strict2(le, re, test);
    return {
      type: T.boolean,
      nullable: left.nullable || right.nullable,
      eval: evaluate,
      constant: left.constant && right.constant,
    };
  }

  private inList(e: Extract<Expr, { kind: 'in' }>): Compiled {
    const arg = this.compile(e.arg);
    const items = e.list.map((node) => ({ node, c: this.compile(node) }));
    const tests = items.map(({ node, c }) => this.comparison('=', arg, c, e, e.arg, node));
    const nullable = tests.some((t) => t.nullable);
    // Constant items of a simple type: one Set lookup per row.
    const simpleArg =
      arg.type.kind === 'string' ||
      isSmallInt(arg.type) ||
      arg.type.kind === 'bigint' ||
      arg.type.kind === 'boolean' ||
      arg.type.kind === 'date';
    const sameKind = items.every(
      ({ c }) =>
        c.type.kind === arg.type.kind || c.type.kind === 'null' || (isSmallInt(c.type) && isSmallInt(arg.type)),
    );
    let evaluate: Evaluator;
    if (simpleArg && sameKind && items.every(({ c }) => c.constant)) {
      const values = items.map(({ c }) => c.eval([]));
      const hasNull = values.includes(null);
      const set = new Set(values.filter((v) => v !== null));
      const ae = arg.eval;
      evaluate = (row) => {
        const v = ae(row);
        if (v === null) return null;
        if (set.has(v)) return true;
        return hasNull ? null : false;
      };
    } else {
      const evals = tests.map((t) => t.eval);
      evaluate = (row) => {
        let sawNull = false;
        for (const test of evals) {
          const r = test(row);
          if (r === true) return true;
          if (r === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    return {
      type: T.boolean,
      nullable,
      eval: e.not ? not3(evaluate) : evaluate,
      constant: arg.constant && items.every(({ c }) => c.constant),
    };
  }

  private like(e: Extract<Expr, { kind: 'like' }>): Compiled {
    const arg = this.compile(e.arg);
    const pattern = this.compile(e.pattern);
    let escape: string | undefined = '\\';
    if (e.escape) {
      const esc = this.compile(e.escape);
      if (!esc.constant || (esc.type.kind !== 'string' && esc.type.kind !== 'null')) {
        this.fail('ESCAPE must be a constant text of one character', e.escape);
      }
      const value = esc.eval([]);
      if (value !== null && (value as string).length > 1)
        this.fail(`ESCAPE '${value as string}' must be one character`, e.escape);
      escape = value === null || value === '' ? undefined : (value as string);
    }
    const at = arg.type;
    const text: Evaluator =
      at.kind === 'string'
        ? arg.eval
        : (row) => {
            const v = arg.eval(row);
            return v === null ? null : textOf(v, at);
          };
    const ignoreCase = e.ignoreCase;
    let evaluate: Evaluator;
    if (pattern.constant) {
      const p = pattern.eval([]);
      if (p === null) evaluate = () => null;
      else {
        let match: (s: string) => boolean;
        try {
          match = likeMatcher(textOf(p, pattern.type), escape, ignoreCase);
        } catch (err) {
          if (err instanceof SqlEvaluationError) this.fail(err.message, e.pattern);
          throw err;
        }
        evaluate = (row) => {
          const s = text(row);
          return s === null ? null : match(s as string);
        };
      }
    } else {
      let lastPattern: string | undefined;
      let lastMatch: (s: string) => boolean = () => false;
      const pe = pattern.eval;
      const pt = pattern.type;
      evaluate = (row) => {
        const s = text(row);
        if (s === null) return null;
        const p = pe(row);
        if (p === null) return null;
        const ps = textOf(p, pt);
        if (ps !== lastPattern) {
          lastMatch = likeMatcher(ps, escape, ignoreCase);
          lastPattern = ps;
        }
        return lastMatch(s as string);
      };
    }
    return {
      type: T.boolean,
      nullable: arg.nullable || pattern.nullable,
      eval: e.not ? not3(evaluate) : evaluate,
      constant: arg.constant && pattern.constant,
    };
  }

  /** The type several values share (CASE branches, COALESCE arguments), converting where needed. */
  unify(parts: { c: Compiled; node: Expr }[], what: string, at: Expr): Compiled[] {
    const typed = parts.filter((p) => p.c.type.kind !== 'null');
    if (typed.length === 0) return parts.map((p) => p.c);
    const types = typed.map((p) => p.c.type);
    let target: DataType;
    if (types.every((t) => typeName(t) === typeName(types[0]!))) target = types[0]!;
    else if (types.every(isNumeric)) {
      if (types.some((t) => t.kind === 'decimal')) {
        const digits = typed.map(({ c }) =>
          c.exactText !== undefined ? literalType(parseDecimal(c.exactText)!) : asDecimalType(c.type),
        );
        const scale = Math.max(...digits.map((d) => d.scale));
        const intDigits = Math.max(...digits.map((d) => d.precision - d.scale));
        target = decimalType(intDigits + scale, scale);
      } else if (types.some(isApproximate)) target = T.double;
      else if (types.some((t) => t.kind === 'bigint')) target = T.bigint;
      else target = T.int;
    } else if (types.every((t) => t.kind === 'date' || t.kind === 'timestamp')) target = T.timestamp;
    else if (types.every((t) => t.kind !== 'array' && t.kind !== 'map' && t.kind !== 'row')) target = T.string;
    else {
      return this.fail(
        `${what} mixes ${[...new Set(types.map(typeName))].join(' and ')}, which have no common type`,
        at,
      );
    }
    return parts.map(({ c, node }) => {
      if (c.type.kind === 'null') return { ...c, type: target };
      if (typeName(c.type) === typeName(target)) return c;
      if (target.kind === 'decimal' && c.exactText !== undefined) {
        const value = formatDecimal(rescale(parseDecimal(c.exactText)!, target.scale));
        return constant(value, target);
      }
      return this.convert(c, target, node);
    });
  }

  private caseWhen(e: Extract<Expr, { kind: 'case' }>): Compiled {
    const results = this.unify(
      [
        ...e.whens.map((w) => ({ c: this.compile(w.then), node: w.then })),
        ...(e.otherwise ? [{ c: this.compile(e.otherwise), node: e.otherwise }] : []),
      ],
      'CASE',
      e,
    );
    const thens = results.slice(0, e.whens.length).map((c) => c.eval);
    const otherwise = e.otherwise ? results[results.length - 1]!.eval : () => null;
    let conditions: Evaluator[];
    if (e.operand) {
      const operand = this.compile(e.operand);
      conditions = e.whens.map(
        (w) => this.comparison('=', operand, this.compile(w.when), w.when, e.operand, w.when).eval,
      );
    } else conditions = e.whens.map((w) => this.condition(w.when, 'WHEN').eval);
    const n = conditions.length;
    const type = results[0]?.type ?? T.null;
    return {
      type: type.kind === 'null' ? T.string : type,
      nullable: !e.otherwise || results.some((c) => c.nullable),
      eval: (row) => {
        for (let i = 0; i < n; i++) if (conditions[i]!(row) === true) return thens[i]!(row);
        return otherwise(row);
      },
      constant: false,
    };
  }

  private cast(e: Extract<Expr, { kind: 'cast' }>): Compiled {
    const target = parseCastType(e.typeText);
    if (typeof target === 'string') return this.fail(target, { start: e.typeStart });
    const arg = this.compile(e.arg);
    if (!canCast(arg.type, target))
      this.fail(`cannot CAST ${typeName(arg.type)} to ${typeName(target)} (${this.snippet(e)})`, e);
    if (arg.type.kind === 'null') return constant(null, target);
    return this.convert(arg, target, e, e.try);
  }

  private call(e: Extract<Expr, { kind: 'call' }>): Compiled {
    const def = FUNCTIONS.get(e.name);
    if (!def) {
      this.fail(
        `calls unknown function ${e.nameText}`,
        e,
        " (see SeaTunnel's SQL functions: CONCAT, UPPER, SUBSTRING, COALESCE, DATEADD, ...)",
      );
    }
    const [min, max] = def.arity;
    if (e.args.length < min || e.args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`${e.name} takes ${expected} argument${expected === '1' ? '' : 's'}, got ${e.args.length}`, e);
    }
    const context: FunctionContext = {
      compiler: this,
      call: e,
      fail: (detail, node) => this.fail(`${e.name}: ${detail}`, node ?? e),
    };
    const args = e.args.map((a, i) => (def.rawArg?.(i, a, context) ? undefined : this.compile(a)));
    const result = def.compile(args, context);
    const deterministic = !def.volatile;
    const allConstant = args.every((a) => a === undefined || a.constant);
    return {
      ...result,
      nullable: result.nullable ?? args.some((a) => a !== undefined && a.nullable),
      constant: result.constant ?? (deterministic && allConstant),
    };
  }
}

// ------------------------------------------------------------------ helpers

type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** Direct tests for values of one JavaScript representation (strings, numbers, bigints, booleans, dates). */
const SIMPLE_TESTS: Record<ComparisonOp, (a: Value, b: Value) => boolean> = {
  '=': (a, b) => a === b,
  '<>': (a, b) => a !== b,
  '<': (a, b) => (a as number) < (b as number),
  '<=': (a, b) => (a as number) <= (b as number),
  '>': (a, b) => (a as number) > (b as number),
  '>=': (a, b) => (a as number) >= (b as number),
};

/** Tests on a comparator's result (NaN, for unordered values, passes none but <>). */
const ORDER_TESTS: Record<ComparisonOp, (c: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

function mapDefined<A, B>(value: A | undefined, f: (a: A) => B): B | undefined {
  return value === undefined ? undefined : f(value);
}

function checkSmall(v: number): number {
  if (v > INT_MAX || v < INT_MIN) throw new SqlEvaluationError(`${v} is out of the int range`);
  return v;
}

function checkBig(v: bigint): bigint {
  if (v > BIGINT_MAX || v < BIGINT_MIN) throw new SqlEvaluationError(`${v} is out of the bigint range`);
  return v;
}

function nullableNumber(v: Value): Value {
  return v === null ? null : Number(v);
}

function nullableBig(v: Value): Value {
  return v === null ? null : BigInt(v as number);
}

export function and3(a: Evaluator, b: Evaluator): Evaluator {
  return (row) => {
    const x = a(row);
    if (x === false) return false;
    const y = b(row);
    if (y === false) return false;
    return x === null || y === null ? null : true;
  };
}

export function or3(a: Evaluator, b: Evaluator): Evaluator {
  return (row) => {
    const x = a(row);
    if (x === true) return true;
    const y = b(row);
    if (y === true) return true;
    return x === null || y === null ? null : false;
  };
}

export function not3(a: Evaluator): Evaluator {
  return (row) => {
    const x = a(row);
    return x === null ? null : !x;
  };
}

const CAST_ALIASES: Record<string, string> = {
  VARCHAR: 'string',
  CHAR: 'string',
  CHARACTER: 'string',
  'CHARACTER VARYING': 'string',
  NVARCHAR: 'string',
  TEXT: 'string',
  STRING: 'string',
  CLOB: 'string',
  INTEGER: 'int',
  INT: 'int',
  INT4: 'int',
  SIGNED: 'bigint',
  LONG: 'bigint',
  INT8: 'bigint',
  BYTE: 'tinyint',
  SHORT: 'smallint',
  INT2: 'smallint',
  REAL: 'float',
  FLOAT4: 'float',
  FLOAT8: 'double',
  'DOUBLE PRECISION': 'double',
  DATETIME: 'timestamp',
  'TIMESTAMP WITHOUT TIME ZONE': 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp_tz',
  TIMESTAMPTZ: 'timestamp_tz',
  BINARY: 'bytes',
  VARBINARY: 'bytes',
  BYTEA: 'bytes',
  BLOB: 'bytes',
  BOOL: 'boolean',
};

/** A CAST target in SeaTunnel's spelling (string, int, bigint, decimal(10, 2), timestamp, bytes, ...); a message when unknown. */
export function parseCastType(text: string): DataType | string {
  const trimmed = text.trim();
  const base = trimmed
    .replace(/\s*\(.*$/s, '')
    .replace(/\s+/g, ' ')
    .toUpperCase();
  const alias = CAST_ALIASES[base];
  if (alias) return parseDataType(alias);
  try {
    return parseDataType(trimmed);
  } catch (err) {
    if (err instanceof DataTypeSyntaxError) {
      return `CAST to "${trimmed}": unknown type (use string, int, bigint, double, float, decimal(p, s), boolean, date, time, timestamp, bytes)`;
    }
    throw err;
  }
}
