/** Unit tests of the Sql transform's parts: parser, decimal arithmetic, date-time helpers. */
import { describe, expect, it } from 'vitest';
import {
  compareDecimals,
  decimalOf,
  divide,
  divideHalfUp,
  formatDecimal,
  formatSmall,
  multiply,
  parseDecimal,
  rescale,
  smallOf,
  smallRescale,
} from './sql-decimal.js';
import {
  addMonths,
  civilFromDays,
  compileJavaPattern,
  daysFromCivil,
  formatJava,
  formatTimestamp,
  isoDayOfWeek,
  isoWeek,
  monthsBetween,
  parseDate,
  parseJava,
  parseTime,
  parseTimestamp,
} from './sql-datetime.js';
import { SqlSyntaxError, lineColumn, parseSelect, tokenize, type Expr } from './sql-parser.js';

/** A seeded generator, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function show(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary':
      return `(${e.op} ${show(e.arg)})`;
    case 'column':
      return e.path.join('.');
    case 'number':
      return e.text;
    case 'string':
      return `'${e.value}'`;
    case 'is':
      return `(${show(e.arg)} IS ${e.not ? 'NOT ' : ''}${e.what})`;
    case 'between':
      return `(${show(e.arg)} ${e.not ? 'NOT ' : ''}BETWEEN ${show(e.low)} AND ${show(e.high)})`;
    case 'in':
      return `(${show(e.arg)} ${e.not ? 'NOT ' : ''}IN ${e.list.map(show).join(', ')})`;
    case 'like':
      return `(${show(e.arg)} ${e.not ? 'NOT ' : ''}LIKE ${show(e.pattern)})`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(', ')})`;
    case 'cast':
      return `CAST(${show(e.arg)} AS ${e.typeText})`;
    case 'boolean':
    case 'case':
    case 'extract':
    case 'index':
    case 'interval':
    case 'null':
    case 'typed':
      return e.kind;
  }
}

function where(condition: string): string {
  return show(parseSelect(`select * from t where ${condition}`).where!);
}

describe('parser', () => {
  it('binds NOT over AND over OR, comparison over NOT', () => {
    expect(where('a or b and c')).toBe('(a OR (b AND c))');
    expect(where('a and b or c and d')).toBe('((a AND b) OR (c AND d))');
    expect(where('not a = 1 and b = 2')).toBe('((NOT (a = 1)) AND (b = 2))');
    expect(where('(a or b) and c')).toBe('((a OR b) AND c)');
    expect(where('a = 1 or b = 2 and c = 3')).toBe('((a = 1) OR ((b = 2) AND (c = 3)))');
  });

  it('binds * / % over + - over || over comparison', () => {
    expect(where('a + b * c - d / e % f > 0')).toBe('(((a + (b * c)) - ((d / e) % f)) > 0)');
    expect(where("a || b + 1 = 'x'")).toBe("((a || (b + 1)) = 'x')");
    expect(where('a - -1 > 0')).toBe('((a - -1) > 0)');
  });

  it('parses predicates', () => {
    expect(where('a is not null and b is null')).toBe('((a IS NOT NULL) AND (b IS NULL))');
    expect(where('a not between 1 and 2 and b in (1, 2)')).toBe('((a NOT BETWEEN 1 AND 2) AND (b IN 1, 2))');
    expect(where("a not like 'x%' or a not in ('y')")).toBe("((a NOT LIKE 'x%') OR (a NOT IN 'y'))");
    expect(where('a <> b and a != c')).toBe('((a <> b) AND (a <> c))');
  });

  it('parses calls, casts and special forms', () => {
    const items = parseSelect(
      "select cast(a as decimal(10, 2)), a::bigint, trim(both 'x' from b), position('a' in b), extract(year from d), c.d.e, m['k'], left(s, 2) from t",
    ).items.map((i) => (i.kind === 'expr' ? show(i.expr) : '*'));
    expect(items).toEqual([
      'CAST(a AS decimal(10, 2))',
      'CAST(a AS bigint)',
      "TRIM(b, 'x')",
      "POSITION('a', b)",
      'extract',
      'c.d.e',
      'index',
      'LEFT(s, 2)',
    ]);
  });

  it('reads aliases with and without AS, quoted with " or `, and table aliases', () => {
    const q = parseSelect('select a as x, b y, c "z z", d `w`, e from db.t as tt');
    expect(q.items.map((i) => (i.kind === 'expr' ? (i.alias ?? null) : '*'))).toEqual(['x', 'y', 'z z', 'w', null]);
    expect(q.table).toMatchObject({ parts: ['db', 't'], alias: 'tt' });
  });

  it('tokenizes strings with doubled quotes, numbers and comments', () => {
    const tokens = tokenize('\'it\'\'s\' 1.5e3 .5 7 -- note\n/* x */ "a""b"');
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['string', "it's"],
      ['number', '1.5e3'],
      ['number', '.5'],
      ['number', '7'],
      ['quoted', 'a"b'],
      ['eof', ''],
    ]);
  });

  it('points syntax errors at the offending token', () => {
    const query = 'select a,\n  b +\nfrom t';
    try {
      parseSelect(query);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SqlSyntaxError);
      expect(lineColumn(query, (err as SqlSyntaxError).offset)).toEqual({ line: 3, column: 1 });
      expect((err as SqlSyntaxError).detail).toBe('expected an expression but found "from"');
    }
  });
});

describe('decimal arithmetic', () => {
  it('parses and formats decimal text', () => {
    expect(parseDecimal('-12.50')).toEqual({ unscaled: -1250n, scale: 2 });
    expect(parseDecimal('1e3')).toEqual({ unscaled: 1000n, scale: 0 });
    expect(parseDecimal('1.5E-3')).toEqual({ unscaled: 15n, scale: 4 });
    expect(parseDecimal('.5')).toEqual({ unscaled: 5n, scale: 1 });
    expect(parseDecimal('abc')).toBeUndefined();
    expect(parseDecimal('.')).toBeUndefined();
    expect(formatDecimal({ unscaled: -5n, scale: 3 })).toBe('-0.005');
    expect(formatDecimal({ unscaled: 0n, scale: 2 })).toBe('0.00');
  });

  it('rounds half away from zero', () => {
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(5n, -2n)).toBe(-3n);
    expect(divideHalfUp(7n, 3n)).toBe(2n);
    expect(formatDecimal(rescale(decimalOf('-0.125'), 2))).toBe('-0.13');
    expect(formatDecimal(rescale(decimalOf('0.124'), 2))).toBe('0.12');
  });

  it('divides and multiplies exactly', () => {
    expect(formatDecimal(divide(decimalOf('1'), decimalOf('3'), 5))).toBe('0.33333');
    expect(formatDecimal(divide(decimalOf('-2'), decimalOf('3'), 5))).toBe('-0.66667');
    expect(formatDecimal(multiply(decimalOf('1.1'), decimalOf('1.1')))).toBe('1.21');
    expect(() => divide(decimalOf('1'), decimalOf('0.00'), 2)).toThrow(/division by zero/);
    expect(compareDecimals(decimalOf('1.10'), decimalOf('1.1'))).toBe(0);
    expect(compareDecimals(decimalOf('-1.2'), decimalOf('-1.1'))).toBe(-1);
  });

  it('agrees with the BigInt path on the small-decimal fast path', () => {
    const next = random(42);
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(next() * 15);
      const scale = Math.floor(next() * Math.min(digits, 8));
      let text = String(Math.floor(next() * 10 ** digits)).padStart(scale + 1, '0');
      if (scale > 0) text = `${text.slice(0, text.length - scale)}.${text.slice(text.length - scale)}`;
      if (next() < 0.5) text = `-${text}`;
      const small = smallOf(text)!;
      expect(formatSmall(small.u, small.s)).toBe(formatDecimal(decimalOf(text)));
      const to = Math.floor(next() * 6);
      const fast = smallRescale(small.u, small.s, to);
      const slow = rescale(decimalOf(text), to);
      if (fast !== undefined) expect(formatSmall(fast, to)).toBe(formatDecimal(slow));
    }
    expect(smallOf('1234567890123456')).toBeUndefined();
    expect(smallOf('12a')).toBeUndefined();
    expect(smallOf('-')).toBeUndefined();
  });
});

describe('date-time helpers', () => {
  it('converts civil dates to day numbers and back', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    for (let d = -800_000; d <= 800_000; d += 997) {
      const [y, m, day] = civilFromDays(d);
      expect(daysFromCivil(y, m, day)).toBe(d);
    }
  });

  it('parses the row model text and rejects impossible dates', () => {
    expect(parseDate('2024-02-29')).toBe(daysFromCivil(2024, 2, 29));
    expect(parseDate('2023-02-29')).toBeUndefined();
    expect(parseTime('23:59:59.999999')).toBe(86_399_999_999);
    expect(parseTime('24:00:00')).toBeUndefined();
    expect(parseTimestamp('2024-01-02 03:04:05.5')).toEqual({
      days: daysFromCivil(2024, 1, 2),
      micros: 11_045_500_000,
    });
    expect(parseTimestamp('2024-01-02T03:04:05.123456789')).toEqual({
      days: daysFromCivil(2024, 1, 2),
      micros: 11_045_123_456,
    });
    expect(parseTimestamp('2024-01-02 03:04:05+02:00')).toEqual({
      days: daysFromCivil(2024, 1, 2),
      micros: 3_845_000_000,
    });
    expect(parseTimestamp('2024-01-02 03:04')).toEqual({ days: daysFromCivil(2024, 1, 2), micros: 11_040_000_000 });
    expect(parseTimestamp('2024-13-02 03:04:05')).toBeUndefined();
    expect(formatTimestamp({ days: 0, micros: 1_500 })).toBe('1970-01-01 00:00:00.001500');
  });

  it('adds months keeping the day in the month, and counts whole months', () => {
    expect(civilFromDays(addMonths(daysFromCivil(2024, 1, 31), 1))).toEqual([2024, 2, 29]);
    expect(civilFromDays(addMonths(daysFromCivil(2024, 3, 31), -13))).toEqual([2023, 2, 28]);
    expect(monthsBetween(daysFromCivil(2024, 1, 31), daysFromCivil(2024, 2, 29))).toBe(0);
    expect(monthsBetween(daysFromCivil(2024, 1, 15), daysFromCivil(2024, 3, 15))).toBe(2);
    expect(monthsBetween(daysFromCivil(2024, 3, 15), daysFromCivil(2024, 1, 16))).toBe(-1);
  });

  it('knows ISO weeks and weekdays', () => {
    expect(isoDayOfWeek(daysFromCivil(2024, 3, 10))).toBe(7);
    expect(isoWeek(daysFromCivil(2021, 1, 3))).toEqual({ week: 53, year: 2020 });
    expect(isoWeek(daysFromCivil(2024, 12, 30))).toEqual({ week: 1, year: 2025 });
  });

  it('formats and parses Java patterns', () => {
    const dt = parseTimestamp('2024-03-05 14:07:09.042')!;
    expect(formatJava(compileJavaPattern("yyyy-MM-dd'T'HH:mm:ss.SSS"), dt)).toBe('2024-03-05T14:07:09.042');
    expect(formatJava(compileJavaPattern('d/M/yy h:mm a, EEE MMMM'), dt)).toBe('5/3/24 2:07 PM, Tue March');
    expect(formatJava(compileJavaPattern("'quote''s' yyyy"), dt)).toBe("quote's 2024");
    expect(parseJava(compileJavaPattern('dd.MM.yyyy HH:mm'), '05.03.2024 14:07')).toEqual(
      parseTimestamp('2024-03-05 14:07'),
    );
    expect(parseJava(compileJavaPattern('yyyyMMddHHmmss'), '20240305140709')).toEqual(
      parseTimestamp('2024-03-05 14:07:09'),
    );
    expect(parseJava(compileJavaPattern('dd MMM yyyy'), '05 mar 2024')).toEqual(parseTimestamp('2024-03-05'));
    expect(parseJava(compileJavaPattern('yyyy-MM-dd'), '2024-02-30')).toBeUndefined();
    expect(parseJava(compileJavaPattern('yyyy-MM-dd'), '2024-02-03 extra')).toBeUndefined();
    expect(() => compileJavaPattern('yyyy-MM-dd ffff')).toThrow(/pattern letter "f"/);
  });
});
