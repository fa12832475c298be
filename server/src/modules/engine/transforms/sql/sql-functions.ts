/**
 * The Sql transform's functions, after SeaTunnel's SQL functions reference: string, numeric,
 * date-time and system functions. Each entry checks its argument types when the query is
 * compiled and returns a closure; NULL arguments give NULL unless the function says otherwise
 * (CONCAT ignores them, COALESCE picks past them).
 */
import { randomUUID } from 'node:crypto';
import type { DataType, Value } from '../../row.js';
import type { ExpressionCompiler } from './sql-compile.js';
import {
  decimalOf,
  decimalOfNumber,
  fits,
  formatDecimal,
  pow10,
  rescale,
  truncateTo,
  type Decimal,
} from './sql-decimal.js';
import {
  DAY_NAMES,
  MICROS_PER_DAY,
  MICROS_PER_SECOND,
  MONTH_NAMES,
  addMicros,
  addMonths,
  civilFromDays,
  compileJavaPattern,
  dayOfYear,
  daysFromCivil,
  fieldsOf,
  formatDate,
  formatJava,
  formatMysql,
  formatTime,
  formatTimestamp,
  isoDayOfWeek,
  isoWeek,
  localNow,
  monthsBetween,
  parseJava,
  parseTime,
  parseTimestamp,
  patternResult,
  type DateTime,
} from './sql-datetime.js';
import type { Expr } from './sql-parser.js';
import {
  SqlEvaluationError,
  T,
  comparator,
  decimalType,
  isApproximate,
  isIntegral,
  isNumeric,
  isSmallInt,
  isTemporal,
  textOf,
  typeName,
  type Compiled,
  type Evaluator,
} from './sql-values.js';

type CallExpr = Extract<Expr, { kind: 'call' }>;

export interface FunctionContext {
  compiler: ExpressionCompiler;
  call: CallExpr;
  fail(detail: string, node?: Expr): never;
}

export interface FunctionResult {
  type: DataType;
  eval: Evaluator;
  /** Defaults to: any argument nullable. */
  nullable?: boolean;
  /** Defaults to: deterministic and every argument constant. */
  constant?: boolean;
}

export interface FunctionDef {
  arity: [number, number];
  /** Gives a different value per call (NOW, RAND, UUID): never folded into a constant. */
  volatile?: boolean;
  /** True when argument `index` is not an expression to compile (a unit name such as DAY). */
  rawArg?: (index: number, node: Expr, fx: FunctionContext) => boolean;
  compile(args: (Compiled | undefined)[], fx: FunctionContext): FunctionResult;
}

export const FUNCTIONS = new Map<string, FunctionDef>();

function define(names: string[], def: FunctionDef): void {
  for (const name of names) FUNCTIONS.set(name, def);
}

// ------------------------------------------------------------------ argument helpers

function get(args: (Compiled | undefined)[], i: number): Compiled {
  const a = args[i];
  if (!a) throw new Error(`argument ${i} was not compiled`);
  return a;
}

function argNode(fx: FunctionContext, i: number): Expr {
  return fx.call.args[i] ?? fx.call;
}

/** Any value as text (numbers, dates, booleans print as CAST(x AS STRING) would). */
function text(c: Compiled): Evaluator {
  if (c.type.kind === 'string' || c.type.kind === 'null') return c.eval;
  const ev = c.eval;
  const type = c.type;
  return (row) => {
    const v = ev(row);
    return v === null ? null : textOf(v, type);
  };
}

/** A number argument as a JavaScript number (for double math). */
function num(c: Compiled, fx: FunctionContext, i: number): Evaluator {
  if (c.type.kind === 'null') return c.eval;
  if (!isNumeric(c.type))
    return fx.fail(
      `argument ${i + 1} must be a number, but ${fx.compiler.snippet(argNode(fx, i))} is ${typeName(c.type)}`,
      argNode(fx, i),
    );
  if (isSmallInt(c.type) || isApproximate(c.type)) return c.eval;
  const ev = c.eval;
  return (row) => {
    const v = ev(row);
    return v === null ? null : Number(v);
  };
}

/** A whole-number argument (a count, a position) as a JavaScript number. */
function whole(c: Compiled, fx: FunctionContext, i: number): Evaluator {
  if (c.type.kind === 'null') return c.eval;
  if (!isIntegral(c.type) && !(c.type.kind === 'decimal' && c.type.scale === 0)) {
    fx.fail(
      `argument ${i + 1} must be a whole number, but ${fx.compiler.snippet(argNode(fx, i))} is ${typeName(c.type)}`,
      argNode(fx, i),
    );
  }
  if (isSmallInt(c.type)) return c.eval;
  const ev = c.eval;
  return (row) => {
    const v = ev(row);
    return v === null ? null : Number(v);
  };
}

function strict(evals: Evaluator[], f: (values: Value[]) => Value): Evaluator {
  const n = evals.length;
  if (n === 1) {
    const [a] = evals as [Evaluator];
    return (row) => {
      const x = a(row);
      return x === null ? null : f([x]);
    };
  }
  return (row) => {
    const values = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const v = evals[i]!(row);
      if (v === null) return null;
      values[i] = v;
    }
    return f(values);
  };
}

function strict1<A extends Value>(a: Evaluator, f: (x: A) => Value): Evaluator {
  return (row) => {
    const x = a(row);
    return x === null ? null : f(x as A);
  };
}

function constantText(c: Compiled | undefined, fx: FunctionContext, i: number, what: string): string {
  if (!c || !c.constant) return fx.fail(`${what} (argument ${i + 1}) must be a constant`, argNode(fx, i));
  const v = c.eval([]);
  if (v === null) return fx.fail(`${what} (argument ${i + 1}) must not be NULL`, argNode(fx, i));
  return textOf(v, c.type);
}

// ------------------------------------------------------------------ string functions

define(['ASCII'], {
  arity: [1, 1],
  compile: ([a]) => ({
    type: T.int,
    nullable: true,
    eval: strict1<string>(text(get([a], 0)), (s) => (s.length === 0 ? null : s.codePointAt(0)!)),
  }),
});

define(['CHAR_LENGTH', 'CHARACTER_LENGTH', 'LENGTH', 'LEN'], {
  arity: [1, 1],
  compile: ([a]) => ({ type: T.bigint, eval: strict1<string>(text(get([a], 0)), (s) => BigInt(s.length)) }),
});

function byteLength(c: Compiled): Evaluator {
  if (c.type.kind === 'bytes') return strict1<Buffer>(c.eval, (b) => b.length);
  return strict1<string>(text(c), (s) => Buffer.byteLength(s, 'utf8'));
}

define(['OCTET_LENGTH'], {
  arity: [1, 1],
  compile: ([a]) => {
    const len = byteLength(get([a], 0));
    return { type: T.bigint, eval: strict1<number>(len, (n) => BigInt(n)) };
  },
});

define(['BIT_LENGTH'], {
  arity: [1, 1],
  compile: ([a]) => {
    const len = byteLength(get([a], 0));
    return { type: T.bigint, eval: strict1<number>(len, (n) => BigInt(n * 8)) };
  },
});

define(['CHAR', 'CHR'], {
  arity: [1, 1],
  compile: ([a], fx) => ({
    type: T.string,
    eval: strict1<number>(whole(get([a], 0), fx, 0), (n) => String.fromCodePoint(n)),
  }),
});

define(['CONCAT'], {
  arity: [1, Infinity],
  compile: (args) => {
    const evals = args.map((a) => text(get([a], 0)));
    return {
      type: T.string,
      nullable: false,
      eval: (row) => {
        let out = '';
        for (const e of evals) {
          const v = e(row);
          if (v !== null) out += v as string;
        }
        return out;
      },
    };
  },
});

define(['CONCAT_WS'], {
  arity: [2, Infinity],
  compile: (args) => {
    const [sep, ...rest] = args.map((a) => text(get([a], 0)));
    return {
      type: T.string,
      nullable: false,
      eval: (row) => {
        const separator = (sep!(row) as string | null) ?? '';
        const parts: string[] = [];
        for (const e of rest) {
          const v = e(row);
          if (v !== null) parts.push(v as string);
        }
        return parts.join(separator);
      },
    };
  },
});

define(['HEXTORAW'], {
  arity: [1, 1],
  compile: ([a]) => ({
    type: T.string,
    eval: strict1<string>(text(get([a], 0)), (s) => {
      if (s.length % 4 !== 0 || !/^[0-9a-fA-F]*$/.test(s))
        throw new SqlEvaluationError(`"${s}" is not hex text (4 hex digits per character)`);
      let out = '';
      for (let i = 0; i < s.length; i += 4) out += String.fromCharCode(parseInt(s.slice(i, i + 4), 16));
      return out;
    }),
  }),
});

define(['RAWTOHEX'], {
  arity: [1, 1],
  compile: ([a]) => {
    const c = get([a], 0);
    if (c.type.kind === 'bytes') return { type: T.string, eval: strict1<Buffer>(c.eval, (b) => b.toString('hex')) };
    return {
      type: T.string,
      eval: strict1<string>(text(c), (s) => {
        let out = '';
        for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(4, '0');
        return out;
      }),
    };
  },
});

define(['INSERT'], {
  arity: [4, 4],
  compile: ([s, start, len, add], fx) => ({
    type: T.string,
    eval: strict(
      [text(get([s], 0)), whole(get([start], 0), fx, 1), whole(get([len], 0), fx, 2), text(get([add], 0))],
      ([str, st, ln, ad]) => {
        const value = str as string;
        const from = Math.max((st as number) - 1, 0);
        if (from > value.length) return value;
        return value.slice(0, from) + (ad as string) + value.slice(from + Math.max(ln as number, 0));
      },
    ),
  }),
});

define(['LOWER', 'LCASE'], {
  arity: [1, 1],
  compile: ([a]) => ({ type: T.string, eval: strict1<string>(text(get([a], 0)), (s) => s.toLowerCase()) }),
});

define(['UPPER', 'UCASE'], {
  arity: [1, 1],
  compile: ([a]) => ({ type: T.string, eval: strict1<string>(text(get([a], 0)), (s) => s.toUpperCase()) }),
});

define(['LEFT'], {
  arity: [2, 2],
  compile: ([s, n], fx) => ({
    type: T.string,
    eval: strict([text(get([s], 0)), whole(get([n], 0), fx, 1)], ([str, count]) =>
      (str as string).slice(0, Math.max(count as number, 0)),
    ),
  }),
});

define(['RIGHT'], {
  arity: [2, 2],
  compile: ([s, n], fx) => ({
    type: T.string,
    eval: strict([text(get([s], 0)), whole(get([n], 0), fx, 1)], ([str, count]) => {
      const value = str as string;
      const k = Math.max(count as number, 0);
      return k === 0 ? '' : value.slice(Math.max(value.length - k, 0));
    }),
  }),
});

/** 1-based position of needle in haystack from start (negative: searching backwards from the end); 0 when absent. */
function locate(needle: string, haystack: string, start: number): number {
  if (start === 0) return 0;
  if (start > 0) return haystack.indexOf(needle, start - 1) + 1;
  return haystack.lastIndexOf(needle, haystack.length + start) + 1;
}

/** LOCATE(needle, haystack[, start]) and INSTR(haystack, needle[, start]): the same search, arguments swapped. */
function defineLocate(name: string, needleFirst: boolean): void {
  define([name], {
    arity: [2, 3],
    compile: (args, fx) => {
      const evals = [text(get(args, 0)), text(get(args, 1))];
      if (args[2]) evals.push(whole(args[2], fx, 2));
      return {
        type: T.int,
        eval: strict(evals, ([a, b, st]) => {
          const [needle, haystack] = needleFirst ? [a, b] : [b, a];
          return locate(needle as string, haystack as string, (st as number | undefined) ?? 1);
        }),
      };
    },
  });
}
defineLocate('LOCATE', true);
defineLocate('INSTR', false);

define(['POSITION'], {
  arity: [2, 2],
  compile: (args) => ({
    type: T.int,
    eval: strict([text(get(args, 0)), text(get(args, 1))], ([n, h]) => locate(n as string, h as string, 1)),
  }),
});

function pad(left: boolean): FunctionDef {
  return {
    arity: [2, 3],
    compile: (args, fx) => {
      const evals = [text(get(args, 0)), whole(get(args, 1), fx, 1)];
      if (args[2]) evals.push(text(args[2]));
      return {
        type: T.string,
        eval: strict(evals, ([s, n, p]) => {
          const value = s as string;
          const length = Math.max(n as number, 0);
          const filler = (p as string | undefined) ?? ' ';
          if (length <= value.length || filler === '') return value.slice(0, length);
          return left ? value.padStart(length, filler) : value.padEnd(length, filler);
        }),
      };
    },
  };
}
define(['LPAD'], pad(true));
define(['RPAD'], pad(false));

function trim(side: 'both' | 'left' | 'right'): FunctionDef {
  return {
    arity: [1, 2],
    compile: (args) => {
      const evals = [text(get(args, 0))];
      if (args[1]) evals.push(text(args[1]));
      return {
        type: T.string,
        eval: strict(evals, ([s, chars]) => {
          const value = s as string;
          const set = (chars as string | undefined) ?? ' ';
          let start = 0;
          let end = value.length;
          if (side !== 'right') while (start < end && set.includes(value[start]!)) start++;
          if (side !== 'left') while (end > start && set.includes(value[end - 1]!)) end--;
          return value.slice(start, end);
        }),
      };
    },
  };
}
define(['TRIM', 'BTRIM'], trim('both'));
define(['LTRIM'], trim('left'));
define(['RTRIM'], trim('right'));

/** Java regex flags of SeaTunnel's REGEXP_* functions (i, c, n, m) as JavaScript flags. */
function regexFlags(flags: string | undefined): string {
  let ignoreCase = false;
  let dotAll = false;
  let multiline = false;
  for (const f of flags ?? '') {
    if (f === 'i') ignoreCase = true;
    else if (f === 'c') ignoreCase = false;
    else if (f === 'n') dotAll = true;
    else if (f === 'm') multiline = true;
    else throw new SqlEvaluationError(`regular expression flag "${f}" is not one of i, c, n, m`);
  }
  return `${ignoreCase ? 'i' : ''}${dotAll ? 's' : ''}${multiline ? 'm' : ''}`;
}

function regex(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new SqlEvaluationError(`"${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** A cache of the last compiled pattern, for patterns that come from a column. */
function regexCache(): (source: string, flags: string) => RegExp {
  let lastKey: string | undefined;
  let last: RegExp | undefined;
  return (source, flags) => {
    const key = `${flags}/${source}`;
    if (key !== lastKey || !last) {
      last = regex(source, flags);
      lastKey = key;
    }
    return last;
  };
}

/** Java's replacement syntax ($1, \$) in JavaScript's ($1, $$). */
function javaReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    if (ch === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i]!;
      out += next === '$' ? '$$' : next;
    } else out += ch;
  }
  return out;
}

define(['REGEXP_REPLACE'], {
  arity: [3, 4],
  compile: (args) => {
    const flagsEval = args[3] ? text(args[3]) : () => '';
    const cache = regexCache();
    const evals = [text(get(args, 0)), text(get(args, 1)), text(get(args, 2))];
    return {
      type: T.string,
      eval: (row) => {
        const values = evals.map((e) => e(row));
        if (values.includes(null)) return null;
        const [s, p, r] = values as string[];
        const flags = (flagsEval(row) as string | null) ?? '';
        return s!.replace(cache(p!, `g${regexFlags(flags)}`), javaReplacement(r!));
      },
    };
  },
});

define(['REGEXP_LIKE'], {
  arity: [2, 3],
  compile: (args) => {
    const flagsEval = args[2] ? text(args[2]) : () => '';
    const cache = regexCache();
    const evals = [text(get(args, 0)), text(get(args, 1))];
    return {
      type: T.boolean,
      eval: (row) => {
        const s = evals[0]!(row);
        const p = evals[1]!(row);
        if (s === null || p === null) return null;
        return cache(p as string, regexFlags((flagsEval(row) as string | null) ?? '')).test(s as string);
      },
    };
  },
});

define(['REGEXP_SUBSTR'], {
  arity: [2, 6],
  compile: (args, fx) => {
    const s = text(get(args, 0));
    const p = text(get(args, 1));
    const position = args[2] ? whole(args[2], fx, 2) : () => 1;
    const occurrence = args[3] ? whole(args[3], fx, 3) : () => 1;
    const flagsEval = args[4] ? text(args[4]) : () => '';
    const group = args[5] ? whole(args[5], fx, 5) : () => 0;
    const cache = regexCache();
    return {
      type: T.string,
      nullable: true,
      eval: (row) => {
        const str = s(row);
        const pat = p(row);
        if (str === null || pat === null) return null;
        const re = cache(pat as string, `g${regexFlags((flagsEval(row) as string | null) ?? '')}`);
        re.lastIndex = Math.max(((position(row) as number | null) ?? 1) - 1, 0);
        let wanted = (occurrence(row) as number | null) ?? 1;
        let m: RegExpExecArray | null;
        while ((m = re.exec(str as string)) !== null) {
          if (m[0] === '') re.lastIndex++;
          if (--wanted <= 0) return m[(group(row) as number | null) ?? 0] ?? null;
        }
        return null;
      },
    };
  },
});

define(['REPEAT'], {
  arity: [2, 2],
  compile: (args, fx) => ({
    type: T.string,
    eval: strict([text(get(args, 0)), whole(get(args, 1), fx, 1)], ([s, n]) =>
      (s as string).repeat(Math.max(n as number, 0)),
    ),
  }),
});

define(['REPLACE'], {
  arity: [2, 3],
  compile: (args) => {
    const evals = [text(get(args, 0)), text(get(args, 1))];
    if (args[2]) evals.push(text(args[2]));
    return {
      type: T.string,
      eval: strict(evals, ([s, search, replacement]) =>
        (search as string) === ''
          ? (s as string)
          : (s as string).split(search as string).join((replacement as string | undefined) ?? ''),
      ),
    };
  },
});

define(['SPACE'], {
  arity: [1, 1],
  compile: (args, fx) => ({
    type: T.string,
    eval: strict1<number>(whole(get(args, 0), fx, 0), (n) => ' '.repeat(Math.max(n, 0))),
  }),
});

const SOUNDEX_CODES: Record<string, string> = {
  B: '1',
  F: '1',
  P: '1',
  V: '1',
  C: '2',
  G: '2',
  J: '2',
  K: '2',
  Q: '2',
  S: '2',
  X: '2',
  Z: '2',
  D: '3',
  T: '3',
  L: '4',
  M: '5',
  N: '5',
  R: '6',
};

function soundex(s: string): string {
  const letters = s.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters === '') return '';
  let out = letters[0]!;
  let last = SOUNDEX_CODES[out] ?? '';
  for (let i = 1; i < letters.length && out.length < 4; i++) {
    const ch = letters[i]!;
    const code = SOUNDEX_CODES[ch] ?? '';
    if (code !== '' && code !== last) out += code;
    if (ch !== 'H' && ch !== 'W') last = code;
  }
  return out.padEnd(4, '0');
}

define(['SOUNDEX'], {
  arity: [1, 1],
  compile: (args) => ({ type: T.string, eval: strict1<string>(text(get(args, 0)), soundex) }),
});

/** SQL SUBSTRING: 1-based start; a start before 1 eats into the length; a negative start counts from the end. */
function substring(s: string, start: number, length: number | undefined): string {
  let from = start;
  if (from < 0) from = s.length + from + 1;
  let end = length === undefined ? s.length + 1 : from + length;
  if (from < 1) from = 1;
  if (end > s.length + 1) end = s.length + 1;
  return end <= from ? '' : s.slice(from - 1, end - 1);
}

define(['SUBSTRING', 'SUBSTR'], {
  arity: [2, 3],
  compile: (args, fx) => {
    const evals = [text(get(args, 0)), whole(get(args, 1), fx, 1)];
    if (args[2]) evals.push(whole(args[2], fx, 2));
    return {
      type: T.string,
      eval: strict(evals, ([s, st, len]) => substring(s as string, st as number, len as number | undefined)),
    };
  },
});

define(['TRANSLATE'], {
  arity: [3, 3],
  compile: (args) => ({
    type: T.string,
    eval: strict([text(get(args, 0)), text(get(args, 1)), text(get(args, 2))], ([s, from, to]) => {
      const f = from as string;
      const t = to as string;
      let out = '';
      for (const ch of s as string) {
        const i = f.indexOf(ch);
        if (i < 0) out += ch;
        else if (i < t.length) out += t[i];
      }
      return out;
    }),
  }),
});

define(['REVERSE'], {
  arity: [1, 1],
  compile: (args) => ({ type: T.string, eval: strict1<string>(text(get(args, 0)), (s) => [...s].reverse().join('')) }),
});

define(['SPLIT'], {
  arity: [2, 2],
  compile: (args) => ({
    type: { kind: 'array', element: T.string },
    eval: strict([text(get(args, 0)), text(get(args, 1))], ([s, d]) => {
      const parts = (d as string) === '' ? [...(s as string)] : (s as string).split(d as string);
      // Java's String.split drops trailing empty strings.
      while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      return parts;
    }),
  }),
});

define(['UUID'], {
  arity: [0, 0],
  volatile: true,
  compile: () => ({ type: T.string, nullable: false, eval: () => randomUUID() }),
});

// ------------------------------------------------------------------ numeric functions

/** The type of a numeric argument (the result type of ABS, ROUND, ...); NULL reads as int. */
function numericArgType(fx: FunctionContext, c: Compiled): DataType {
  if (c.type.kind === 'null') return T.int;
  if (!isNumeric(c.type)) {
    fx.fail(`needs a number, but ${fx.compiler.snippet(argNode(fx, 0))} is ${typeName(c.type)}`, argNode(fx, 0));
  }
  return c.type;
}

define(['ABS'], {
  arity: [1, 1],
  compile: (args, fx) => {
    const c = get(args, 0);
    const type = numericArgType(fx, c);
    let f: (v: Value) => Value;
    if (type.kind === 'decimal') f = (v) => ((v as string).startsWith('-') ? (v as string).slice(1) : v);
    else if (type.kind === 'bigint') {
      f = (v) => {
        const b = v as bigint;
        if (b === -(2n ** 63n)) throw new SqlEvaluationError(`ABS(${b}) is out of the bigint range`);
        return b < 0n ? -b : b;
      };
    } else if (isSmallInt(type)) {
      const limit = type.kind === 'tinyint' ? -128 : type.kind === 'smallint' ? -32768 : -2147483648;
      f = (v) => {
        if (v === limit) throw new SqlEvaluationError(`ABS(${limit}) is out of the ${type.kind} range`);
        return Math.abs(v as number);
      };
    } else f = (v) => Math.abs(v as number);
    return { type, eval: strict1(c.eval, f) };
  },
});

/** CEIL/FLOOR/ROUND/TRUNC on every numeric type, keeping the type (decimals change scale). */
function rounding(mode: 'ceil' | 'floor' | 'round' | 'trunc'): FunctionDef {
  return {
    arity: mode === 'ceil' || mode === 'floor' ? [1, 1] : [1, 2],
    compile: (args, fx) => {
      const c = get(args, 0);
      const type = numericArgType(fx, c);
      const digitsArg = args[1];
      const digitsEval: Evaluator = digitsArg ? whole(digitsArg, fx, 1) : () => 0;
      const constantDigits = !digitsArg || digitsArg.constant ? ((digitsEval([]) as number | null) ?? 0) : undefined;
      const roundDecimal = (d: Decimal, digits: number): Decimal => {
        // To `digits` fraction digits (negative: tens, hundreds), then back to a whole scale.
        if (mode === 'ceil' || mode === 'floor') {
          const t = truncateTo(d, 0);
          const exact = rescale(t, d.scale).unscaled === d.unscaled;
          if (exact) return t;
          const up = mode === 'ceil' ? d.unscaled > 0n : d.unscaled < 0n;
          return up ? { unscaled: t.unscaled + (mode === 'ceil' ? 1n : -1n), scale: 0 } : t;
        }
        if (digits >= 0)
          return mode === 'round' ? rescale(d, Math.min(digits, d.scale)) : truncateTo(d, Math.min(digits, d.scale));
        const factor = pow10(-digits);
        const whole0 = mode === 'round' ? rescale(d, 0) : truncateTo(d, 0);
        const shifted = { unscaled: whole0.unscaled, scale: 0 };
        const q =
          mode === 'round'
            ? rescale({ unscaled: shifted.unscaled, scale: -digits }, 0)
            : truncateTo({ unscaled: shifted.unscaled, scale: -digits }, 0);
        return { unscaled: q.unscaled * factor, scale: 0 };
      };
      if (type.kind === 'decimal') {
        let outType: DataType;
        if (mode === 'ceil' || mode === 'floor') outType = decimalType(Math.max(type.precision - type.scale + 1, 1), 0);
        else if (constantDigits !== undefined) {
          const scale = Math.max(0, Math.min(type.scale, constantDigits));
          outType = decimalType(type.precision - type.scale + scale + 1, scale);
        } else outType = decimalType(type.precision + 1, type.scale);
        const p = (outType as { precision: number }).precision;
        const s = (outType as { scale: number }).scale;
        return {
          type: outType,
          eval: strict([c.eval, digitsEval], ([v, digits]) => {
            const r = rescale(roundDecimal(decimalOf(v as string), digits as number), s);
            if (!fits(r, p)) throw new SqlEvaluationError(`${formatDecimal(r)} does not fit decimal(${p}, ${s})`);
            return formatDecimal(r);
          }),
        };
      }
      if (type.kind === 'bigint') {
        return {
          type,
          eval: strict([c.eval, digitsEval], ([v, digits]) => {
            if (mode === 'ceil' || mode === 'floor' || (digits as number) >= 0) return v!;
            return roundDecimal({ unscaled: v as bigint, scale: 0 }, digits as number).unscaled;
          }),
        };
      }
      if (isSmallInt(type)) {
        return {
          type,
          eval: strict([c.eval, digitsEval], ([v, digits]) => {
            if (mode === 'ceil' || mode === 'floor' || (digits as number) >= 0) return v!;
            return Number(roundDecimal({ unscaled: BigInt(v as number), scale: 0 }, digits as number).unscaled);
          }),
        };
      }
      if (mode === 'ceil' || mode === 'floor') {
        // SeaTunnel types CEIL and FLOOR of a double as int.
        const f = mode === 'ceil' ? Math.ceil : Math.floor;
        return {
          type: T.int,
          eval: strict1<number>(c.eval, (n) => {
            const r = f(n);
            if (!(r >= -2147483648 && r <= 2147483647))
              throw new SqlEvaluationError(`${mode.toUpperCase()}(${n}) = ${r} is out of the int range`);
            return r;
          }),
        };
      }
      // double / float: exact decimal rounding of the shortest text (Java's BigDecimal.valueOf), HALF_UP.
      return {
        type,
        eval: strict([c.eval, digitsEval], ([v, digits]) => {
          const n = v as number;
          if (!Number.isFinite(n)) return n;
          const d = decimalOfNumber(n);
          const r = roundDecimal(d, digits as number);
          const value = Number(formatDecimal(r));
          return type.kind === 'float' ? Math.fround(value) : value;
        }),
      };
    },
  };
}
define(['CEIL', 'CEILING'], rounding('ceil'));
define(['FLOOR'], rounding('floor'));
define(['ROUND'], rounding('round'));
define(['TRUNC', 'TRUNCATE'], rounding('trunc'));

define(['MOD'], {
  arity: [2, 2],
  compile: (args, fx) => {
    const c = fx.compiler.arithmetic('%', get(args, 0), get(args, 1), argNode(fx, 0), argNode(fx, 1), fx.call);
    return { type: c.type, eval: c.eval };
  },
});

function mathFunction(arity: number, f: (...xs: number[]) => number): FunctionDef {
  return {
    arity: [arity, arity],
    compile: (args, fx) => {
      const evals = args.map((a, i) => num(get(args, i), fx, i));
      return { type: T.double, eval: strict(evals, (xs) => f(...(xs as number[]))) };
    },
  };
}

function positive(name: string, f: (x: number) => number): (x: number) => number {
  return (x) => {
    if (!(x > 0)) throw new SqlEvaluationError(`${name}(${x}): the argument must be positive`);
    return f(x);
  };
}

define(['ACOS'], mathFunction(1, Math.acos));
define(['ASIN'], mathFunction(1, Math.asin));
define(['ATAN'], mathFunction(1, Math.atan));
define(['ATAN2'], mathFunction(2, Math.atan2));
define(['COS'], mathFunction(1, Math.cos));
define(['COSH'], mathFunction(1, Math.cosh));
define(['COT'], mathFunction(1, (x) => 1 / Math.tan(x)));
define(['SIN'], mathFunction(1, Math.sin));
define(['SINH'], mathFunction(1, Math.sinh));
define(['TAN'], mathFunction(1, Math.tan));
define(['TANH'], mathFunction(1, Math.tanh));
define(['EXP'], mathFunction(1, Math.exp));
define(['LN'], mathFunction(1, positive('LN', Math.log)));
define(['LOG10'], mathFunction(1, positive('LOG10', Math.log10)));
define(['LOG2'], mathFunction(1, positive('LOG2', Math.log2)));
define(['DEGREES'], mathFunction(1, (x) => (x * 180) / Math.PI));
define(['RADIANS'], mathFunction(1, (x) => (x * Math.PI) / 180));
define(['SQRT'], mathFunction(1, Math.sqrt));
define(['CBRT'], mathFunction(1, Math.cbrt));
define(['POWER', 'POW'], mathFunction(2, Math.pow));
define(['PI'], mathFunction(0, () => Math.PI));
define(['LOG'], {
  arity: [1, 2],
  compile: (args, fx) => {
    const evals = args.map((a, i) => num(get(args, i), fx, i));
    if (evals.length === 1)
      return { type: T.double, eval: strict(evals, ([x]) => positive('LOG', Math.log)(x as number)) };
    return {
      type: T.double,
      eval: strict(evals, ([base, x]) => {
        const b = base as number;
        if (!(b > 0) || b === 1) throw new SqlEvaluationError(`LOG base ${b} must be positive and not 1`);
        return positive('LOG', Math.log)(x as number) / Math.log(b);
      }),
    };
  },
});

define(['SIGN'], {
  arity: [1, 1],
  compile: (args, fx) => {
    const c = get(args, 0);
    numericArgType(fx, c);
    if (c.type.kind === 'decimal') {
      return {
        type: T.int,
        eval: strict1<string>(c.eval, (v) => {
          const u = decimalOf(v).unscaled;
          return u > 0n ? 1 : u < 0n ? -1 : 0;
        }),
      };
    }
    if (c.type.kind === 'bigint')
      return { type: T.int, eval: strict1<bigint>(c.eval, (v) => (v > 0n ? 1 : v < 0n ? -1 : 0)) };
    return { type: T.int, eval: strict1<number>(c.eval, (v) => (Number.isNaN(v) ? 0 : Math.sign(v) || 0)) };
  },
});

/** Seeded generator for RAND(seed): the same seed gives the same sequence (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

define(['RAND', 'RANDOM'], {
  arity: [0, 1],
  volatile: true,
  compile: (args, fx) => {
    if (args[0]) {
      const seed = Number(constantText(args[0], fx, 0, 'the seed'));
      const next = seeded(seed);
      return { type: T.double, nullable: false, eval: () => next() };
    }
    return { type: T.double, nullable: false, eval: () => Math.random() };
  },
});

define(['TRIM_SCALE'], {
  arity: [1, 1],
  compile: (args, fx) => {
    const c = get(args, 0);
    if (c.type.kind !== 'decimal') fx.fail(`needs a decimal, but the argument is ${typeName(c.type)}`);
    return {
      type: c.type,
      eval: strict1<string>(c.eval, (v) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)),
    };
  },
});

// ------------------------------------------------------------------ null handling and conditions

function coalesce(min: number, max: number): FunctionDef {
  return {
    arity: [min, max],
    compile: (args, fx) => {
      const unified = fx.compiler.unify(
        args.map((a, i) => ({ c: get(args, i), node: argNode(fx, i) })),
        fx.call.name,
        fx.call,
      );
      const evals = unified.map((c) => c.eval);
      return {
        type: unified.find((c) => c.type.kind !== 'null')?.type ?? T.string,
        nullable: unified.every((c) => c.nullable),
        eval: (row) => {
          for (const e of evals) {
            const v = e(row);
            if (v !== null) return v;
          }
          return null;
        },
      };
    },
  };
}
define(['COALESCE'], coalesce(1, Infinity));
define(['IFNULL', 'NVL', 'ISNULL'], coalesce(2, 2));

define(['NULLIF'], {
  arity: [2, 2],
  compile: (args, fx) => {
    const a = get(args, 0);
    const equal = fx.compiler.comparison('=', a, get(args, 1), fx.call, argNode(fx, 0), argNode(fx, 1)).eval;
    const ae = a.eval;
    return {
      type: a.type.kind === 'null' ? T.string : a.type,
      nullable: true,
      eval: (row) => (equal(row) === true ? null : ae(row)),
    };
  },
});

define(['NVL2'], {
  arity: [3, 3],
  compile: (args, fx) => {
    const test = get(args, 0).eval;
    const [yes, no] = fx.compiler.unify(
      [
        { c: get(args, 1), node: argNode(fx, 1) },
        { c: get(args, 2), node: argNode(fx, 2) },
      ],
      'NVL2',
      fx.call,
    );
    const ye = yes!.eval;
    const ne = no!.eval;
    return {
      type: yes!.type,
      nullable: yes!.nullable || no!.nullable,
      eval: (row) => (test(row) !== null ? ye(row) : ne(row)),
    };
  },
});

function conditionOf(c: Compiled, fx: FunctionContext, i: number): Evaluator {
  if (c.type.kind !== 'boolean' && c.type.kind !== 'null') {
    fx.fail(
      `argument ${i + 1} must be a condition, but ${fx.compiler.snippet(argNode(fx, i))} is ${typeName(c.type)}`,
      argNode(fx, i),
    );
  }
  return c.eval;
}

define(['IF', 'IIF'], {
  arity: [3, 3],
  compile: (args, fx) => {
    const test = conditionOf(get(args, 0), fx, 0);
    const [yes, no] = fx.compiler.unify(
      [
        { c: get(args, 1), node: argNode(fx, 1) },
        { c: get(args, 2), node: argNode(fx, 2) },
      ],
      'IF',
      fx.call,
    );
    const ye = yes!.eval;
    const ne = no!.eval;
    return {
      type: yes!.type,
      nullable: yes!.nullable || no!.nullable,
      eval: (row) => (test(row) === true ? ye(row) : ne(row)),
    };
  },
});

define(['MULTI_IF'], {
  arity: [3, Infinity],
  compile: (args, fx) => {
    if (args.length % 2 !== 1) fx.fail('takes condition, value pairs and a final value (an odd number of arguments)');
    const conditions: Evaluator[] = [];
    const values: { c: Compiled; node: Expr }[] = [];
    for (let i = 0; i < args.length - 1; i += 2) {
      conditions.push(conditionOf(get(args, i), fx, i));
      values.push({ c: get(args, i + 1), node: argNode(fx, i + 1) });
    }
    values.push({ c: get(args, args.length - 1), node: argNode(fx, args.length - 1) });
    const unified = fx.compiler.unify(values, 'MULTI_IF', fx.call);
    const evals = unified.map((c) => c.eval);
    const n = conditions.length;
    return {
      type: unified[0]!.type,
      nullable: unified.some((c) => c.nullable),
      eval: (row) => {
        for (let i = 0; i < n; i++) if (conditions[i]!(row) === true) return evals[i]!(row);
        return evals[n]!(row);
      },
    };
  },
});

define(['ARRAY'], {
  arity: [0, Infinity],
  compile: (args, fx) => {
    const unified = fx.compiler.unify(
      args.map((a, i) => ({ c: get(args, i), node: argNode(fx, i) })),
      'ARRAY',
      fx.call,
    );
    const evals = unified.map((c) => c.eval);
    return {
      type: { kind: 'array', element: unified[0]?.type ?? T.string },
      nullable: false,
      eval: (row) => evals.map((e) => e(row)),
    };
  },
});

function arrayExtreme(sign: 1 | -1): FunctionDef {
  return {
    arity: [1, 1],
    compile: (args, fx) => {
      const c = get(args, 0);
      if (c.type.kind !== 'array') return fx.fail(`needs an array, but the argument is ${typeName(c.type)}`);
      const element = c.type.element;
      const cmp = comparator(element, element);
      return {
        type: element,
        nullable: true,
        eval: strict1<Value[]>(c.eval, (items) => {
          let best: Value = null;
          for (const v of items) if (v !== null && (best === null || sign * cmp(v, best) > 0)) best = v;
          return best;
        }),
      };
    },
  };
}
define(['ARRAY_MAX'], arrayExtreme(1));
define(['ARRAY_MIN'], arrayExtreme(-1));

// ------------------------------------------------------------------ date and time

type TemporalKind = 'date' | 'time' | 'timestamp' | 'timestamp_tz';

interface Temporal {
  kind: TemporalKind;
  /** The argument as day and time (a date at midnight; a time on day 0). */
  read: (row: Value[]) => DateTime | null;
  reader: (v: Value) => DateTime;
}

/** Applies f to a date-time argument, NULL staying NULL. */
function onTemporal(read: (row: Value[]) => DateTime | null, f: (dt: DateTime) => Value): Evaluator {
  return (row) => {
    const dt = read(row);
    return dt === null ? null : f(dt);
  };
}

/** A date, time or timestamp argument (text is read as a timestamp or a date). */
function temporal(c: Compiled, fx: FunctionContext, i: number): Temporal {
  const kind = c.type.kind;
  let reader: (v: Value) => DateTime;
  let outKind: TemporalKind;
  if (kind === 'date') {
    reader = (v) => ({ days: dateDays(v as string), micros: 0 });
    outKind = 'date';
  } else if (kind === 'time') {
    reader = (v) => ({ days: 0, micros: timeMicros(v as string) });
    outKind = 'time';
  } else if (kind === 'timestamp' || kind === 'timestamp_tz' || kind === 'string' || kind === 'null') {
    reader = (v) => {
      const dt = parseTimestamp(v as string);
      if (!dt) throw new SqlEvaluationError(`"${v as string}" is not a date or timestamp`);
      return dt;
    };
    outKind = kind === 'timestamp_tz' ? 'timestamp_tz' : 'timestamp';
  } else {
    return fx.fail(
      `argument ${i + 1} must be a date, time or timestamp, but ${fx.compiler.snippet(argNode(fx, i))} is ${typeName(c.type)}`,
      argNode(fx, i),
    );
  }
  const ev = c.eval;
  return {
    kind: outKind,
    read: (row) => {
      const v = ev(row);
      return v === null ? null : reader(v);
    },
    reader,
  };
}

function dateDays(text: string): number {
  const dt = parseTimestamp(text);
  if (!dt) throw new SqlEvaluationError(`"${text}" is not a date`);
  return dt.days;
}

function timeMicros(text: string): number {
  const micros = parseTime(text);
  if (micros === undefined) throw new SqlEvaluationError(`"${text}" is not a time`);
  return micros;
}

function writeTemporal(kind: TemporalKind, dt: DateTime): string {
  switch (kind) {
    case 'date':
      return formatDate(dt.days);
    case 'time':
      return formatTime(dt.micros);
    case 'timestamp':
      return formatTimestamp(dt);
    case 'timestamp_tz':
      return `${formatTimestamp(dt)}+00`;
  }
}

define(['CURRENT_DATE', 'CURDATE', 'SYSDATE'], {
  arity: [0, 0],
  volatile: true,
  compile: () => ({ type: T.date, nullable: false, eval: () => formatDate(localNow().days) }),
});

define(['CURRENT_TIME', 'CURTIME', 'LOCALTIME'], {
  arity: [0, 0],
  volatile: true,
  compile: () => ({ type: T.time, nullable: false, eval: () => formatTime(localNow().micros) }),
});

define(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIMESTAMP', 'SYSTIMESTAMP'], {
  arity: [0, 1],
  volatile: true,
  compile: () => ({ type: T.timestamp, nullable: false, eval: () => formatTimestamp(localNow()) }),
});

type Unit =
  'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND';

const UNITS: Record<string, Unit> = {
  YEAR: 'YEAR',
  YEARS: 'YEAR',
  YYYY: 'YEAR',
  YY: 'YEAR',
  Y: 'YEAR',
  QUARTER: 'QUARTER',
  QUARTERS: 'QUARTER',
  QQ: 'QUARTER',
  Q: 'QUARTER',
  MONTH: 'MONTH',
  MONTHS: 'MONTH',
  MM: 'MONTH',
  MON: 'MONTH',
  WEEK: 'WEEK',
  WEEKS: 'WEEK',
  WK: 'WEEK',
  WW: 'WEEK',
  DAY: 'DAY',
  DAYS: 'DAY',
  DD: 'DAY',
  D: 'DAY',
  HOUR: 'HOUR',
  HOURS: 'HOUR',
  HH: 'HOUR',
  MINUTE: 'MINUTE',
  MINUTES: 'MINUTE',
  MI: 'MINUTE',
  N: 'MINUTE',
  SECOND: 'SECOND',
  SECONDS: 'SECOND',
  SS: 'SECOND',
  S: 'SECOND',
  MILLISECOND: 'MILLISECOND',
  MILLISECONDS: 'MILLISECOND',
  MS: 'MILLISECOND',
  MICROSECOND: 'MICROSECOND',
  MICROSECONDS: 'MICROSECOND',
  MCS: 'MICROSECOND',
  US: 'MICROSECOND',
};

const TIME_UNIT_MICROS: Partial<Record<Unit, number>> = {
  HOUR: 3600 * MICROS_PER_SECOND,
  MINUTE: 60 * MICROS_PER_SECOND,
  SECOND: MICROS_PER_SECOND,
  MILLISECOND: 1000,
  MICROSECOND: 1,
};

/** A bare word that names a unit and is not a column: DATEADD(DAY, 1, d). */
function unitWord(node: Expr, fx: FunctionContext): boolean {
  return (
    node.kind === 'column' &&
    node.path.length === 1 &&
    UNITS[node.path[0]!.toUpperCase()] !== undefined &&
    !fx.compiler.hasColumn(node.path[0]!)
  );
}

function isUnitArg(args: (Compiled | undefined)[], i: number, fx: FunctionContext): boolean {
  const a = args[i];
  if (a === undefined) return fx.call.args[i] !== undefined;
  if (!a.constant || a.type.kind !== 'string') return false;
  return UNITS[(a.eval([]) as string).toUpperCase()] !== undefined;
}

function unitOf(args: (Compiled | undefined)[], i: number, fx: FunctionContext): Unit {
  const node = argNode(fx, i);
  const word =
    args[i] === undefined && node.kind === 'column' ? node.path[0]! : constantText(args[i], fx, i, 'the unit');
  const unit = UNITS[word.toUpperCase()];
  if (!unit)
    return fx.fail(
      `unknown unit "${word}" (use YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND)`,
      node,
    );
  return unit;
}

/** Adds `amount` units; a date with a time unit becomes a timestamp. */
function addUnit(kind: TemporalKind, dt: DateTime, amount: number, unit: Unit): DateTime {
  switch (unit) {
    case 'YEAR':
      return { days: addMonths(dt.days, amount * 12), micros: dt.micros };
    case 'QUARTER':
      return { days: addMonths(dt.days, amount * 3), micros: dt.micros };
    case 'MONTH':
      return { days: addMonths(dt.days, amount), micros: dt.micros };
    case 'WEEK':
      return { days: dt.days + amount * 7, micros: dt.micros };
    case 'DAY':
      return { days: dt.days + amount, micros: dt.micros };
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND':
    case 'MILLISECOND':
    case 'MICROSECOND': {
      const r = addMicros(dt, amount * TIME_UNIT_MICROS[unit]!);
      return kind === 'time' ? { days: 0, micros: r.micros } : r;
    }
  }
}

function resultKind(kind: TemporalKind, unit: Unit, fx: FunctionContext): TemporalKind {
  const timeUnit = TIME_UNIT_MICROS[unit] !== undefined;
  if (kind === 'time' && !timeUnit) fx.fail(`cannot add ${unit} to a time`);
  if (kind === 'date' && timeUnit) return 'timestamp';
  return kind;
}

function dateAdd(
  value: Compiled,
  valueIndex: number,
  amount: Evaluator,
  unit: Unit,
  fx: FunctionContext,
  negate = false,
): FunctionResult {
  const t = temporal(value, fx, valueIndex);
  const kind = resultKind(t.kind, unit, fx);
  const reader = t.reader;
  return {
    type: T[kind],
    eval: strict([value.eval, amount], ([v, n]) =>
      writeTemporal(kind, addUnit(t.kind, reader(v!), negate ? -(n as number) : (n as number), unit)),
    ),
  };
}

define(['DATEADD', 'TIMESTAMPADD'], {
  arity: [2, 3],
  rawArg: (i, node, fx) => (i === 0 || i === 2) && unitWord(node, fx),
  compile: (args, fx) => {
    // SeaTunnel: DATEADD(value, amount, unit); H2 and SQL Server: DATEADD(unit, amount, value).
    if (args.length === 3 && isUnitArg(args, 0, fx)) {
      return dateAdd(get(args, 2), 2, whole(get(args, 1), fx, 1), unitOf(args, 0, fx), fx);
    }
    const unit = args.length === 3 ? unitOf(args, 2, fx) : 'DAY';
    return dateAdd(get(args, 0), 0, whole(get(args, 1), fx, 1), unit, fx);
  },
});

/** `d + INTERVAL 3 DAY` and `d - INTERVAL '1' HOUR`. */
export function compileInterval(
  compiler: ExpressionCompiler,
  value: Compiled,
  interval: Extract<Expr, { kind: 'interval' }>,
  negate: boolean,
  at: Expr,
): Compiled {
  const fx: FunctionContext = {
    compiler,
    call: {
      kind: 'call',
      name: 'INTERVAL',
      nameText: 'INTERVAL',
      args: [at, interval.value],
      start: at.start,
      end: at.end,
    },
    fail: (d, n) => compiler.fail(`INTERVAL: ${d}`, n ?? interval),
  };
  const unit = UNITS[interval.unit];
  if (!unit) return fx.fail(`unknown unit ${interval.unit}`);
  let amount = compiler.compile(interval.value);
  if (amount.type.kind === 'string') amount = compiler.convert(amount, T.bigint, interval.value);
  const result = dateAdd(value, 0, whole(amount, fx, 1), unit, fx, negate);
  return { ...result, nullable: value.nullable || amount.nullable, constant: value.constant && amount.constant };
}

function dateAddSub(negate: boolean): FunctionDef {
  return {
    arity: [2, 3],
    rawArg: (i, node, fx) => (i === 1 && node.kind === 'interval') || (i === 2 && unitWord(node, fx)),
    compile: (args, fx) => {
      const node = argNode(fx, 1);
      if (node.kind === 'interval') {
        const c = compileInterval(fx.compiler, get(args, 0), node, negate, fx.call);
        return { type: c.type, eval: c.eval };
      }
      const unit = args.length === 3 ? unitOf(args, 2, fx) : 'DAY';
      return dateAdd(get(args, 0), 0, whole(get(args, 1), fx, 1), unit, fx, negate);
    },
  };
}
define(['DATE_ADD'], dateAddSub(false));
define(['DATE_SUB'], dateAddSub(true));

/** DATEDIFF(a, b, unit) = b - a in whole units, as SeaTunnel counts them (java.time Period / Duration). */
function dateDiff(a: DateTime, b: DateTime, unit: Unit): bigint {
  const micros = (b.days - a.days) * MICROS_PER_DAY + (b.micros - a.micros);
  switch (unit) {
    case 'YEAR':
      return BigInt(Math.trunc(monthsBetween(a.days, b.days) / 12));
    case 'QUARTER':
      return BigInt(Math.trunc(monthsBetween(a.days, b.days) / 3));
    case 'MONTH':
      return BigInt(monthsBetween(a.days, b.days));
    case 'DAY':
      return BigInt(b.days - a.days);
    case 'WEEK':
      return BigInt(Math.trunc(Math.trunc(micros / MICROS_PER_DAY) / 7));
    case 'HOUR':
    case 'MINUTE':
    case 'SECOND':
    case 'MILLISECOND':
    case 'MICROSECOND':
      return BigInt(Math.trunc(micros / TIME_UNIT_MICROS[unit]!));
  }
}

define(['DATEDIFF', 'TIMESTAMPDIFF'], {
  arity: [2, 3],
  rawArg: (i, node, fx) => (i === 0 || i === 2) && unitWord(node, fx),
  compile: (args, fx) => {
    let unit: Unit = 'DAY';
    let ai = 0;
    let bi = 1;
    if (args.length === 3 && isUnitArg(args, 0, fx)) {
      unit = unitOf(args, 0, fx);
      ai = 1;
      bi = 2;
    } else if (args.length === 3) unit = unitOf(args, 2, fx);
    const a = temporal(get(args, ai), fx, ai);
    const b = temporal(get(args, bi), fx, bi);
    return {
      type: T.bigint,
      eval: (row) => {
        const x = a.read(row);
        if (x === null) return null;
        const y = b.read(row);
        return y === null ? null : dateDiff(x, y, unit);
      },
    };
  },
});

define(['DATE_TRUNC'], {
  arity: [2, 2],
  rawArg: (i, node, fx) => unitWord(node, fx),
  compile: (args, fx) => {
    const unitFirst = isUnitArg(args, 0, fx);
    const unit = unitOf(args, unitFirst ? 0 : 1, fx);
    const vi = unitFirst ? 1 : 0;
    const t = temporal(get(args, vi), fx, vi);
    if (t.kind === 'time') fx.fail('needs a date or timestamp');
    return {
      type: t.kind === 'timestamp_tz' ? T.timestamp_tz : T.timestamp,
      eval: onTemporal(t.read, (v) => {
        const dt = v;
        const [y, m] = civilFromDays(dt.days);
        let days = dt.days;
        let micros = dt.micros;
        switch (unit) {
          case 'YEAR':
            days = daysFromCivil(y, 1, 1);
            micros = 0;
            break;
          case 'QUARTER':
            days = daysFromCivil(y, m - ((m - 1) % 3), 1);
            micros = 0;
            break;
          case 'MONTH':
            days = daysFromCivil(y, m, 1);
            micros = 0;
            break;
          case 'WEEK':
            days = dt.days - isoDayOfWeek(dt.days) + 1;
            micros = 0;
            break;
          case 'DAY':
            micros = 0;
            break;
          case 'HOUR':
          case 'MINUTE':
          case 'SECOND':
          case 'MILLISECOND':
          case 'MICROSECOND':
            micros -= micros % TIME_UNIT_MICROS[unit]!;
        }
        return writeTemporal(t.kind === 'timestamp_tz' ? 'timestamp_tz' : 'timestamp', { days, micros });
      }),
    };
  },
});

function datePart(f: (dt: DateTime) => number, needsDate = true): FunctionDef {
  return {
    arity: [1, 1],
    compile: (args, fx) => {
      const t = temporal(get(args, 0), fx, 0);
      if (needsDate && t.kind === 'time') fx.fail('needs a date or timestamp, not a time');
      return { type: T.int, eval: onTemporal(t.read, (v) => f(v)) };
    },
  };
}

define(['YEAR'], datePart((dt) => civilFromDays(dt.days)[0]));
define(['MONTH'], datePart((dt) => civilFromDays(dt.days)[1]));
define(['DAY', 'DAYOFMONTH', 'DAY_OF_MONTH'], datePart((dt) => civilFromDays(dt.days)[2]));
define(['QUARTER'], datePart((dt) => Math.floor((civilFromDays(dt.days)[1] - 1) / 3) + 1));
define(['DAYOFWEEK', 'DAY_OF_WEEK'], datePart((dt) => isoDayOfWeek(dt.days)));
define(['DAYOFYEAR', 'DAY_OF_YEAR'], datePart((dt) => dayOfYear(dt.days)));
/**
 * WEEK follows SeaTunnel, which counts weeks of the JVM locale (en-US: weeks start on Sunday and
 * week 1 holds January 1st); EXTRACT(WEEK ...) and ISO_WEEK give the ISO 8601 week.
 */
function usWeek(days: number): number {
  const sundayOnOrBefore = (d: number) => d - (isoDayOfWeek(d) % 7);
  const [year] = civilFromDays(days);
  if (days >= sundayOnOrBefore(daysFromCivil(year + 1, 1, 1))) return 1;
  return Math.floor((days - sundayOnOrBefore(daysFromCivil(year, 1, 1))) / 7) + 1;
}
define(['WEEK', 'WEEKOFYEAR'], datePart((dt) => usWeek(dt.days)));
define(['ISO_WEEK'], datePart((dt) => isoWeek(dt.days).week));
define(['HOUR'], datePart((dt) => fieldsOf(dt).hour, false));
define(['MINUTE'], datePart((dt) => fieldsOf(dt).minute, false));
define(['SECOND'], datePart((dt) => fieldsOf(dt).second, false));

define(['DAYNAME'], {
  arity: [1, 1],
  compile: (args, fx) => ({
    type: T.string,
    eval: onTemporal(temporal(get(args, 0), fx, 0).read, (v) => DAY_NAMES[isoDayOfWeek(v.days)]!),
  }),
});

define(['MONTHNAME'], {
  arity: [1, 1],
  compile: (args, fx) => ({
    type: T.string,
    eval: onTemporal(temporal(get(args, 0), fx, 0).read, (v) => MONTH_NAMES[civilFromDays(v.days)[1] - 1]!),
  }),
});

const EXTRACT_FIELDS: Record<string, { type: DataType; date: boolean; f: (dt: DateTime) => number | bigint }> = {
  YEAR: { type: T.int, date: true, f: (dt) => civilFromDays(dt.days)[0] },
  MONTH: { type: T.int, date: true, f: (dt) => civilFromDays(dt.days)[1] },
  DAY: { type: T.int, date: true, f: (dt) => civilFromDays(dt.days)[2] },
  HOUR: { type: T.int, date: false, f: (dt) => fieldsOf(dt).hour },
  MINUTE: { type: T.int, date: false, f: (dt) => fieldsOf(dt).minute },
  SECOND: { type: T.int, date: false, f: (dt) => fieldsOf(dt).second },
  // As SeaTunnel (java.time's MILLI_OF_SECOND / MICRO_OF_SECOND): within the second.
  MILLISECOND: { type: T.int, date: false, f: (dt) => Math.floor(fieldsOf(dt).micros / 1000) },
  MILLISECONDS: { type: T.int, date: false, f: (dt) => Math.floor(fieldsOf(dt).micros / 1000) },
  MICROSECOND: { type: T.int, date: false, f: (dt) => fieldsOf(dt).micros },
  MICROSECONDS: { type: T.int, date: false, f: (dt) => fieldsOf(dt).micros },
  QUARTER: { type: T.int, date: true, f: (dt) => Math.floor((civilFromDays(dt.days)[1] - 1) / 3) + 1 },
  WEEK: { type: T.int, date: true, f: (dt) => isoWeek(dt.days).week },
  DOW: { type: T.int, date: true, f: (dt) => isoDayOfWeek(dt.days) % 7 },
  DAYOFWEEK: { type: T.int, date: true, f: (dt) => isoDayOfWeek(dt.days) % 7 },
  ISODOW: { type: T.int, date: true, f: (dt) => isoDayOfWeek(dt.days) },
  DOY: { type: T.int, date: true, f: (dt) => dayOfYear(dt.days) },
  DAYOFYEAR: { type: T.int, date: true, f: (dt) => dayOfYear(dt.days) },
  ISOYEAR: { type: T.int, date: true, f: (dt) => isoWeek(dt.days).year },
  DECADE: { type: T.int, date: true, f: (dt) => Math.floor(civilFromDays(dt.days)[0] / 10) },
  CENTURY: { type: T.int, date: true, f: (dt) => Math.ceil(civilFromDays(dt.days)[0] / 100) },
  MILLENNIUM: { type: T.int, date: true, f: (dt) => Math.ceil(civilFromDays(dt.days)[0] / 1000) },
  EPOCH: {
    type: T.bigint,
    date: false,
    f: (dt) => BigInt(dt.days) * 86400n + BigInt(Math.floor(dt.micros / MICROS_PER_SECOND)),
  },
};

define(['EXTRACT'], {
  arity: [2, 2],
  compile: (args, fx) => {
    const field = constantText(args[0], fx, 0, 'the field').toUpperCase();
    const spec = EXTRACT_FIELDS[field];
    if (!spec) return fx.fail(`unknown field ${field} (use ${Object.keys(EXTRACT_FIELDS).join(', ')})`);
    const t = temporal(get(args, 1), fx, 1);
    if (t.kind === 'time' && spec.date) fx.fail(`cannot extract ${field} from a time`);
    return { type: spec.type, eval: onTemporal(t.read, (v) => spec.f(v)) };
  },
});

/** A pattern argument compiled once when constant, else per distinct value. */
function patternOf<P>(
  c: Compiled,
  compile: (pattern: string) => P,
  fx: FunctionContext,
  i: number,
): (row: Value[]) => P | null {
  const ev = text(c);
  if (c.constant) {
    const value = ev([]);
    if (value === null) return () => null;
    let compiled: P;
    try {
      compiled = compile(value as string);
    } catch (err) {
      return fx.fail((err as Error).message, argNode(fx, i));
    }
    return () => compiled;
  }
  let last: string | undefined;
  let lastCompiled: P | undefined;
  return (row) => {
    const value = ev(row);
    if (value === null) return null;
    if (value !== last || lastCompiled === undefined) {
      try {
        lastCompiled = compile(value as string);
      } catch (err) {
        throw new SqlEvaluationError((err as Error).message);
      }
      last = value as string;
    }
    return lastCompiled;
  };
}

function formatter(mysqlStyle: boolean): FunctionDef {
  return {
    arity: [2, 2],
    compile: (args, fx) => {
      const t = temporal(get(args, 0), fx, 0);
      const pattern = patternOf(
        get(args, 1),
        (p) =>
          mysqlStyle && p.includes('%')
            ? (dt: DateTime) => formatMysql(p, dt)
            : (
                (parts) => (dt: DateTime) =>
                  formatJava(parts, dt)
              )(compileJavaPattern(p)),
        fx,
        1,
      );
      const read = t.read;
      return {
        type: T.string,
        eval: (row) => {
          const v = read(row);
          if (v === null) return null;
          const f = pattern(row);
          if (f === null) return null;
          try {
            return f(v);
          } catch (err) {
            throw new SqlEvaluationError((err as Error).message);
          }
        },
      };
    },
  };
}
define(['FORMATDATETIME'], formatter(false));
define(['DATE_FORMAT'], formatter(true));

function parser(returnsBoolean: boolean): FunctionDef {
  return {
    arity: [2, 2],
    compile: (args, fx) => {
      const s = text(get(args, 0));
      const fmt = get(args, 1);
      const pattern = patternOf(fmt, (p) => ({ parts: compileJavaPattern(p), text: p }), fx, 1);
      let kind: TemporalKind = 'timestamp';
      if (fmt.constant) {
        const compiled = pattern([]);
        if (compiled) kind = patternResult(compiled.parts);
      }
      return {
        type: returnsBoolean ? T.boolean : T[kind],
        nullable: returnsBoolean ? undefined : true,
        eval: (row) => {
          const v = s(row);
          if (v === null) return null;
          const p = pattern(row);
          if (p === null) return null;
          const dt = parseJava(p.parts, v as string);
          if (returnsBoolean) return dt !== undefined;
          if (!dt) throw new SqlEvaluationError(`"${v as string}" does not match the pattern "${p.text}"`);
          return writeTemporal(kind, dt);
        },
      };
    },
  };
}
define(['PARSEDATETIME', 'TO_DATE', 'TO_TIMESTAMP'], parser(false));
define(['IS_DATE'], parser(true));

/** An offset in minutes for 'UTC+8', '+08:00', 'UTC', 'Z' or an IANA zone name at an instant. */
function zoneOffsetMinutes(zone: string, epochMillis: number): number {
  const z = zone.trim();
  const fixed = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0));
  if (/^(UTC|GMT|Z)$/i.test(z)) return 0;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: z,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(new Date(epochMillis));
  } catch {
    throw new SqlEvaluationError(`"${zone}" is not a time zone (use UTC+8, +08:00 or a name such as Asia/Shanghai)`);
  }
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return Math.round((local - Math.floor(epochMillis / 60000) * 60000) / 60000);
}

define(['FROM_UNIXTIME'], {
  arity: [1, 3],
  compile: (args, fx) => {
    const seconds = num(get(args, 0), fx, 0);
    const pattern = args[1]
      ? patternOf(args[1], compileJavaPattern, fx, 1)
      : () => compileJavaPattern('yyyy-MM-dd HH:mm:ss');
    const zone = args[2] ? text(args[2]) : undefined;
    return {
      type: T.string,
      eval: (row) => {
        const s = seconds(row);
        if (s === null) return null;
        const parts = pattern(row);
        if (parts === null) return null;
        const millis = Math.floor((s as number) * 1000);
        const z = zone ? (zone(row) as string | null) : null;
        const offset = z !== null ? zoneOffsetMinutes(z, millis) : -new Date(millis).getTimezoneOffset();
        const localMillis = millis + offset * 60000;
        const days = Math.floor(localMillis / 86_400_000);
        return formatJava(parts, { days, micros: (localMillis - days * 86_400_000) * 1000 });
      },
    };
  },
});

define(['TO_CHAR'], {
  arity: [1, 2],
  compile: (args, fx) => {
    const c = get(args, 0);
    if (!args[1]) return { type: T.string, eval: text(c) };
    if (!isTemporal(c.type) && c.type.kind !== 'string')
      fx.fail('a format is only supported for dates, times and timestamps');
    return formatter(false).compile(args, fx);
  },
});

// DAYOFWEEK above follows SeaTunnel (ISO: Monday = 1 ... Sunday = 7), EXTRACT(DOW) PostgreSQL (Sunday = 0).
