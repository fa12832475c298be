import { describe, expect, it } from 'vitest';
import { PluginConfigError, PluginOptions, type PluginContext } from '../../plugin.js';
import { parseDataType, type Field, type RowBatch, type RowKind, type TableSchema, type Value } from '../../row.js';
import { SqlEvaluationError, sqlTransform } from './sql-transform.js';

function context(log: string[] = []): PluginContext {
  return {
    log: (level, message) => log.push(`${level}: ${message}`),
    signal: new AbortController().signal,
    parallelism: 1,
    jobMode: 'BATCH',
    jobName: 'test',
    jobId: 'test',
  };
}

function fieldsOf(spec: Record<string, string>): Field[] {
  return Object.entries(spec).map(([name, type]) => ({ name, type: parseDataType(type), nullable: true }));
}

const PEOPLE = fieldsOf({ id: 'int', name: 'string', age: 'int' });
const PEOPLE_ROWS: Value[][] = [
  [1, 'Joy Ding', 20],
  [2, 'May Ding', 21],
  [3, 'Kin Dom', 24],
  [4, 'Joy Dom', 22],
];

function open(query: string, fields: Field[] = PEOPLE, extra: Record<string, string> = {}, log: string[] = []) {
  const transform = sqlTransform({
    options: new PluginOptions('Sql', { query, ...extra }),
    context: context(log),
  });
  const input: TableSchema = { path: { table: 'fake' }, fields };
  const [schema] = transform.open([input], context(log));
  return { transform, schema: schema! };
}

function run(query: string, rows: Value[][] = PEOPLE_ROWS, fields: Field[] = PEOPLE, kinds?: RowKind[]) {
  const { transform, schema } = open(query, fields);
  const batch: RowBatch = { table: 0, rows, ...(kinds ? { kinds } : {}) };
  const out = transform.apply(batch);
  return { schema, rows: out?.rows ?? [], kinds: out?.kinds, names: schema.fields.map((f) => f.name) };
}

/** The value of a one-column, one-row query over one row of the given columns. */
function value(expression: string, fields: Record<string, string> = {}, row: Value[] = []): Value {
  const f = fieldsOf(Object.keys(fields).length > 0 ? fields : { x: 'int' });
  const r = run(`select ${expression} as v from t`, [row.length > 0 ? row : f.map(() => null)], f);
  return r.rows[0]![0]!;
}

function typeOf(expression: string, fields: Record<string, string> = { x: 'int' }): string {
  const { schema } = open(`select ${expression} as v from t`, fieldsOf(fields));
  const t = schema.fields[0]!.type;
  return t.kind === 'decimal' ? `decimal(${t.precision}, ${t.scale})` : t.kind;
}

function configError(query: string, fields: Field[] = PEOPLE): string {
  try {
    open(query, fields);
  } catch (err) {
    expect(err).toBeInstanceOf(PluginConfigError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${query}`);
}

describe('Sql transform: SeaTunnel examples', () => {
  it('runs the documented example (concat, arithmetic, where)', () => {
    const r = run("select id, concat(name, '_') as name, age+1 as age from fake where id>0");
    expect(r.names).toEqual(['id', 'name', 'age']);
    expect(r.rows).toEqual([
      [1, 'Joy Ding_', 21],
      [2, 'May Ding_', 22],
      [3, 'Kin Dom_', 25],
      [4, 'Joy Dom_', 23],
    ]);
    expect(r.schema.fields.map((f) => f.type.kind)).toEqual(['int', 'string', 'int']);
  });

  it('keeps every field and its metadata for select *', () => {
    const fields: Field[] = [
      { name: 'id', type: { kind: 'bigint' }, nullable: false, sourceType: 'bigint', sourceDialect: 'postgresql' },
      { name: 'note', type: { kind: 'string' }, nullable: true, sourceType: 'varchar(64)', length: 64, comment: 'n' },
    ];
    const { schema } = open('select * from fake', fields);
    expect(schema.fields).toEqual(fields);
    expect(schema.path).toEqual({ table: 'fake' });
  });

  it('filters with the conformance queries (select * where c_string = literal)', () => {
    const fields = fieldsOf({ c_string: 'string', c_smallint: 'smallint', c_date: 'date' });
    const r = run(
      "select * from fake where c_string = 'WArEB'",
      [
        ['x', 1, '2022-01-01'],
        ['WArEB', 15920, '2022-04-27'],
      ],
      fields,
    );
    expect(r.rows).toEqual([['WArEB', 15920, '2022-04-27']]);
  });

  it('names an unaliased expression by its text and a column by its name', () => {
    const r = run('select age + 1, name, fake.id from fake where id = 1');
    expect(r.names).toEqual(['age + 1', 'name', 'id']);
  });

  it('does not fail when the FROM table has another name, and logs it', () => {
    const log: string[] = [];
    const { transform } = open('select id from some_other_name', PEOPLE, { plugin_input: 'fake' }, log);
    expect(transform.apply({ table: 0, rows: [[1, 'a', 2]] })?.rows).toEqual([[1]]);
    expect(log.join('\n')).toMatch(/FROM some_other_name.*not the input table's name/);
  });

  it('does not log when FROM names the input or its plugin_input', () => {
    const log: string[] = [];
    open('select id from fake', PEOPLE, {}, log);
    open('select id from src', PEOPLE, { source_table_name: 'src' }, log);
    open('select id from dual', PEOPLE, {}, log);
    expect(log).toEqual([]);
  });
});

describe('Sql transform: rows and kinds', () => {
  it('filters row kinds along with rows and never mutates the input', () => {
    const rows: Value[][] = [
      [1, 'a', 10],
      [2, 'b', 20],
      [3, 'c', 30],
    ];
    const copy = structuredClone(rows);
    const kinds: RowKind[] = ['INSERT', 'UPDATE_BEFORE', 'DELETE'];
    const r = run('select id, age * 2 as a from fake where age >= 20', rows, PEOPLE, kinds);
    expect(r.rows).toEqual([
      [2, 40],
      [3, 60],
    ]);
    expect(r.kinds).toEqual(['UPDATE_BEFORE', 'DELETE']);
    expect(rows).toEqual(copy);
    expect(kinds).toEqual(['INSERT', 'UPDATE_BEFORE', 'DELETE']);
  });

  it('returns new row arrays even for select *', () => {
    const rows: Value[][] = [[1, 'a', 10]];
    const { transform } = open('select * from fake');
    const out = transform.apply({ table: 0, rows, kinds: ['INSERT'] })!;
    expect(out.rows[0]).toEqual(rows[0]);
    expect(out.rows[0]).not.toBe(rows[0]);
    expect(out.kinds).toEqual(['INSERT']);
  });

  it('drops the whole batch when nothing passes', () => {
    const { transform } = open('select * from fake where 1 = 0');
    expect(transform.apply({ table: 0, rows: PEOPLE_ROWS })).toBeNull();
  });

  it('compiles the query per input table', () => {
    const transform = sqlTransform({
      options: new PluginOptions('Sql', { query: 'select id, upper(name) as n from t' }),
      context: context(),
    });
    const out = transform.open(
      [
        { path: { database: 'db', table: 'a' }, fields: fieldsOf({ id: 'int', name: 'string' }), primaryKey: ['id'] },
        { path: { database: 'db', table: 'b' }, fields: fieldsOf({ name: 'string', extra: 'int', id: 'bigint' }) },
      ],
      context(),
    );
    expect(out.map((s) => s.fields.map((f) => `${f.name}:${f.type.kind}`))).toEqual([
      ['id:int', 'n:string'],
      ['id:bigint', 'n:string'],
    ]);
    expect(out[0]!.primaryKey).toEqual(['id']);
    expect(out[0]!.path).toEqual({ database: 'db', table: 'a' });
    expect(transform.apply({ table: 1, rows: [['x', 5, 7n]] })?.rows).toEqual([[7n, 'X']]);
    expect(transform.apply({ table: 0, rows: [[1, 'y']] })?.rows).toEqual([[1, 'Y']]);
  });

  it('keeps the primary key through a rename and drops it when a key column is computed', () => {
    const input: TableSchema = { path: { table: 't' }, fields: PEOPLE, primaryKey: ['id'] };
    const rename = sqlTransform({
      options: new PluginOptions('Sql', { query: 'select id as pk, name from t' }),
      context: context(),
    });
    expect(rename.open([input], context())[0]!.primaryKey).toEqual(['pk']);
    const computed = sqlTransform({
      options: new PluginOptions('Sql', { query: 'select id + 1 as id, name from t' }),
      context: context(),
    });
    expect(computed.open([input], context())[0]!.primaryKey).toBeUndefined();
  });
});

describe('Sql transform: operators and null semantics', () => {
  const F = { a: 'int', b: 'int', s: 'string', flag: 'boolean' };

  it('gives AND precedence over OR', () => {
    // a = 1 OR (b = 2 AND a = 3): true for a = 1 whatever b is
    const r = run(
      'select a from t where a = 1 or b = 2 and a = 3',
      [
        [1, 9, null, null],
        [3, 9, null, null],
        [3, 2, null, null],
      ],
      fieldsOf(F),
    );
    expect(r.rows).toEqual([[1], [3]]);
  });

  it('uses three-valued logic', () => {
    expect(value('a > 1 and b > 1', F, [null, 0, null, null])).toBe(false);
    expect(value('a > 1 and b > 1', F, [null, 5, null, null])).toBeNull();
    expect(value('a > 1 or b > 1', F, [null, 5, null, null])).toBe(true);
    expect(value('a > 1 or b > 1', F, [null, 0, null, null])).toBeNull();
    expect(value('not (a > 1)', F, [null, 0, null, null])).toBeNull();
    expect(value('a is null', F, [null, 0, null, null])).toBe(true);
    expect(value('a is not null', F, [null, 0, null, null])).toBe(false);
    expect(value('flag is true', F, [0, 0, null, null])).toBe(false);
    expect(value('flag is not false', F, [0, 0, null, null])).toBe(true);
  });

  it('keeps only rows whose WHERE is true (not null)', () => {
    const r = run(
      'select a from t where b <> 1',
      [
        [1, null, null, null],
        [2, 2, null, null],
        [3, 1, null, null],
      ],
      fieldsOf(F),
    );
    expect(r.rows).toEqual([[2]]);
  });

  it('evaluates IN and NOT IN with nulls as SQL does', () => {
    expect(value('a in (1, 2, 3)', F, [2, 0, null, null])).toBe(true);
    expect(value('a in (1, null)', F, [2, 0, null, null])).toBeNull();
    expect(value('a not in (1, null)', F, [2, 0, null, null])).toBeNull();
    expect(value('a not in (1, 3)', F, [2, 0, null, null])).toBe(true);
    expect(value('a in (1, 2)', F, [null, 0, null, null])).toBeNull();
    expect(value("s in ('x', 'y')", F, [0, 0, 'y', null])).toBe(true);
    expect(value('a in (b, 5)', F, [7, 7, null, null])).toBe(true);
  });

  it('evaluates BETWEEN and NOT BETWEEN', () => {
    expect(value('a between 1 and 3', F, [3, 0, null, null])).toBe(true);
    expect(value('a not between 1 and 3', F, [4, 0, null, null])).toBe(true);
    expect(value('a between b and 3', F, [2, null, null, null])).toBeNull();
    expect(value('a between b and 3', F, [5, null, null, null])).toBe(false);
  });

  it('does integer arithmetic as SeaTunnel (int / int truncates, % keeps the dividend sign)', () => {
    expect(value('7 / 2')).toBe(3);
    expect(value('-7 / 2')).toBe(-3);
    expect(value('-7 % 3')).toBe(-1);
    expect(value('7.0 / 2')).toBe(3.5);
    expect(value('2 + 3 * 4')).toBe(14);
    expect(value('(2 + 3) * 4')).toBe(20);
    expect(value('a + 1', F, [null, 0, null, null])).toBeNull();
    expect(typeOf('x + 1')).toBe('int');
    expect(typeOf('x + 1.5')).toBe('double');
  });

  it('fails on int overflow and division by zero with the column and value', () => {
    const { transform } = open('select id, age * 1000000000 as big from fake');
    expect(() => transform.apply({ table: 0, rows: [[1, 'a', 10]] })).toThrow(
      /column "big" \(age \* 1000000000\) failed on row 1 of table "fake": 10000000000 is out of the int range/,
    );
    const div = open('select id / (age - age) as q from fake').transform;
    expect(() =>
      div.apply({
        table: 0,
        rows: [
          [1, 'a', 1],
          [2, 'b', 2],
        ],
      }),
    ).toThrow(SqlEvaluationError);
    expect(() => div.apply({ table: 0, rows: [[1, 'a', 1]] })).toThrow(/division by zero/);
  });

  it('does bigint arithmetic exactly', () => {
    const G = { x: 'bigint', y: 'int' };
    expect(value('x * 3 + y', G, [3074457345618258602n, 1])).toBe(9223372036854775807n);
    expect(typeOf('x + y', G)).toBe('bigint');
    expect(value('x / 2', G, [9007199254740993n, 0])).toBe(4503599627370496n);
    expect(value('12345678901234', G, [0n, 0])).toBe(12345678901234n);
    const { transform } = open('select x + 1 as v from t', fieldsOf(G));
    expect(() => transform.apply({ table: 0, rows: [[9223372036854775807n, 0]] })).toThrow(/out of the bigint range/);
  });

  it('finds a substring with LOCATE (needle first), INSTR (haystack first) and POSITION, from 1, 0 when absent', () => {
    expect(value("LOCATE('b', 'abcb')")).toBe(2);
    expect(value("LOCATE('b', 'abcb', 3)")).toBe(4);
    expect(value("INSTR('abcb', 'b')")).toBe(2);
    expect(value("INSTR('abcb', 'b', 3)")).toBe(4);
    expect(value("POSITION('c', 'abcb')")).toBe(3);
    expect(value("LOCATE('z', 'abcb')")).toBe(0);
    expect(value("INSTR(NULL, 'b')")).toBeNull();
  });

  it('concatenates with || (null makes null) and CONCAT (null ignored)', () => {
    expect(value("s || '-' || a", F, [5, 0, 'x', null])).toBe('x-5');
    expect(value("s || 'x'", F, [5, 0, null, null])).toBeNull();
    expect(value("concat(s, 'x', a)", F, [null, 0, null, null])).toBe('x');
    expect(value("concat_ws('/', s, 'x', a)", F, [1, 0, null, null])).toBe('x/1');
  });

  it('negates numbers', () => {
    expect(value('-a', F, [5, 0, null, null])).toBe(-5);
    expect(value('-d', { d: 'decimal(5,2)' }, ['1.50'])).toBe('-1.50');
  });
});

describe('Sql transform: decimals', () => {
  const D = { p: 'decimal(10,2)', q: 'decimal(10,3)', n: 'int', d: 'double' };
  const row = ['0.10', '0.200', 3, 0.5];

  it('adds, subtracts and multiplies exactly', () => {
    expect(value('p + q', D, row)).toBe('0.300');
    expect(typeOf('p + q', D)).toBe('decimal(12, 3)');
    expect(value('p - q', D, row)).toBe('-0.100');
    expect(value('p * q', D, row)).toBe('0.02000');
    expect(typeOf('p * q', D)).toBe('decimal(21, 5)');
    expect(value('p * n', D, row)).toBe('0.30');
    expect(value('p + 1.05', D, row)).toBe('1.15');
    expect(value('p * 3', D, ['12345678.91', '0', 0, 0])).toBe('37037036.73');
  });

  it('adds 0.1 + 0.2 exactly where doubles do not', () => {
    expect(value('p + p2', { p: 'decimal(3,1)', p2: 'decimal(3,1)' }, ['0.1', '0.2'])).toBe('0.3');
    expect(value('d + d2', { d: 'double', d2: 'double' }, [0.1, 0.2])).toBe(0.30000000000000004);
  });

  it('divides to a sensible scale, rounding half up', () => {
    expect(value('p / 3', D, ['1.00', '0', 0, 0])).toBe('0.3333333333333');
    expect(typeOf('p / 3', D)).toBe('decimal(21, 13)');
    expect(value('p / 8', D, ['1.00', '0', 0, 0])).toBe('0.1250000000000');
    expect(value('p / q', D, ['2.00', '3.000', 0, 0])).toBe('0.6666666666667');
    expect(() => value('p / q', D, ['2.00', '0.000', 0, 0])).toThrow(/division by zero/);
    expect(value('p % 3', D, ['-7.50', '0', 0, 0])).toBe('-1.50');
  });

  it('keeps 38-digit decimals exact', () => {
    const W = { a: 'decimal(38,18)', b: 'decimal(38,18)' };
    expect(value('a + b', W, ['12345678901234567890.123456789012345678', '0.000000000000000001'])).toBe(
      '12345678901234567890.123456789012345679',
    );
    expect(typeOf('a + b', W)).toBe('decimal(38, 18)');
    expect(value('a * b', W, ['2.000000000000000000', '0.500000000000000001'])).toBe('1.000000000000000002');
    const { transform } = open('select a + b as v from t', fieldsOf(W));
    expect(() => transform.apply({ table: 0, rows: [['99999999999999999999.0', '1']] })).toThrow(
      /does not fit decimal\(38, 18\)/,
    );
  });

  it('rounds and truncates decimals', () => {
    expect(value('round(p, 1)', D, ['2.45', '0', 0, 0])).toBe('2.5');
    expect(value('round(p, 1)', D, ['-2.45', '0', 0, 0])).toBe('-2.5');
    expect(value('truncate(p, 1)', D, ['-2.49', '0', 0, 0])).toBe('-2.4');
    expect(value('ceil(p)', D, ['-2.49', '0', 0, 0])).toBe('-2');
    expect(value('floor(p)', D, ['-2.49', '0', 0, 0])).toBe('-3');
    expect(value('round(d, 2)', { d: 'double' }, [2.675])).toBe(2.68);
    expect(value('round(n, -1)', { n: 'int' }, [25])).toBe(30);
    expect(value('sign(p)', D, ['-0.50', '0', 0, 0])).toBe(-1);
    expect(value('abs(p)', D, ['-0.50', '0', 0, 0])).toBe('0.50');
  });

  it('compares decimals by value across scales and types', () => {
    expect(value('p = q', D, ['0.20', '0.200', 0, 0])).toBe(true);
    expect(value("p = '0.2'", D, ['0.20', '0', 0, 0])).toBe(true);
    expect(value("p = '0.201'", D, ['0.20', '0', 0, 0])).toBe(false);
    expect(value('p > n', D, ['3.01', '0', 3, 0])).toBe(true);
    expect(value('p < d', D, ['0.49', '0', 0, 0.5])).toBe(true);
    expect(value('p in (0.2, 1)', D, ['0.20', '0', 0, 0])).toBe(true);
  });
});

describe('Sql transform: CAST', () => {
  it('casts to SeaTunnel type names', () => {
    expect(value("cast('42' as int)")).toBe(42);
    expect(value("cast(' 42 ' as bigint)")).toBe(42n);
    expect(value("cast('4.5' as double)")).toBe(4.5);
    expect(value("cast('4.5' as float)")).toBe(4.5);
    expect(value("cast('12.345' as decimal(10, 2))")).toBe('12.35');
    expect(value('cast(12 as string)')).toBe('12');
    expect(value('cast(1.5 as varchar)')).toBe('1.5');
    expect(value('cast(2.0 as string)')).toBe('2.0');
    expect(value("cast('true' as boolean)")).toBe(true);
    expect(value('cast(0 as boolean)')).toBe(false);
    expect(value("cast('2024-02-29' as date)")).toBe('2024-02-29');
    expect(value("cast('2024-02-29 10:11:12.5' as timestamp)")).toBe('2024-02-29 10:11:12.500');
    expect(value("cast('2024-02-29T10:11:12' as timestamp)")).toBe('2024-02-29 10:11:12');
    expect(value("cast('10:11' as time)")).toBe('10:11:00');
    expect(value("cast('ab' as bytes)")).toEqual(Buffer.from('ab'));
    expect(value('cast(x as long)', { x: 'int' }, [7])).toBe(7n);
    expect(value('cast(x as date)', { x: 'timestamp' }, ['2024-01-02 03:04:05'])).toBe('2024-01-02');
    expect(value('cast(x as int)', { x: 'double' }, [-7.9])).toBe(-7);
    expect(value('cast(x as int)', { x: 'decimal(5,2)' }, ['-7.99'])).toBe(-7);
    expect(value('x::int', { x: 'string' }, ['5'])).toBe(5);
    expect(typeOf('cast(x as decimal(20, 4))')).toBe('decimal(20, 4)');
  });

  it('reports a bad value with the column, the row and the value', () => {
    const { transform } = open('select id, cast(name as int) as n from fake');
    expect(() =>
      transform.apply({
        table: 0,
        rows: [
          [1, '12', 0],
          [2, 'abc', 0],
        ],
      }),
    ).toThrow(
      'Sql: column "n" (cast(name as int)) failed on row 2 of table "fake": cannot cast "abc" (string) to int: not a whole number',
    );
  });

  it('names the column when a source gives a value of the wrong representation', () => {
    const { transform } = open('select upper(name) as u from fake');
    expect(() => transform.apply({ table: 0, rows: [[1, 42, 0]] })).toThrow(
      /Sql: column "u" \(upper\(name\)\) failed on row 1 of table "fake": unexpected/,
    );
  });

  it('counts rows across batches in run-time errors', () => {
    const { transform } = open('select cast(name as int) as n from fake');
    transform.apply({
      table: 0,
      rows: [
        [1, '1', 0],
        [2, '2', 0],
      ],
    });
    expect(() => transform.apply({ table: 0, rows: [[3, 'x', 0]] })).toThrow(/row 3 of table "fake"/);
  });

  it('returns null from TRY_CAST instead of failing', () => {
    expect(value("try_cast('abc' as int)")).toBeNull();
    expect(value("try_cast('5' as int)")).toBe(5);
  });

  it('rejects a constant that cannot be cast when the query is compiled', () => {
    expect(configError("select cast('abc' as int) as v from fake")).toMatch(
      /cannot cast "abc" \(string\) to int.*line 1, column 8/,
    );
  });

  it('rejects overflowing decimals and impossible casts', () => {
    expect(() => value("cast('123.4' as decimal(3, 1))")).toThrow(/does not fit|needs more than 2 integer digits/);
    expect(configError('select cast(age as date) from fake')).toMatch(/cannot CAST int to date/);
    expect(configError('select cast(age as blob_thing) from fake')).toMatch(/unknown type/);
  });
});

describe('Sql transform: CASE', () => {
  const F = { a: 'int', s: 'string' };

  it('evaluates searched CASE in order with ELSE and without', () => {
    const q = "case when a > 10 then 'big' when a > 5 then 'mid' else 'small' end";
    expect(value(q, F, [11, null])).toBe('big');
    expect(value(q, F, [6, null])).toBe('mid');
    expect(value(q, F, [null, null])).toBe('small');
    expect(value("case when a > 10 then 'big' end", F, [1, null])).toBeNull();
  });

  it('evaluates simple CASE (NULL matches nothing)', () => {
    const q = "case a when 1 then 'one' when 2 then 'two' else 'other' end";
    expect(value(q, F, [2, null])).toBe('two');
    expect(value(q, F, [null, null])).toBe('other');
  });

  it('gives the branches a common type', () => {
    expect(typeOf('case when x > 1 then 1 else 2.5 end')).toBe('double');
    expect(typeOf("case when x > 1 then 1 else 'x' end")).toBe('string');
    expect(value("case when x > 1 then 1 else 'x' end", { x: 'int' }, [5])).toBe('1');
    expect(typeOf('case when x > 1 then cast(1 as bigint) else 2 end')).toBe('bigint');
    expect(typeOf('case when x > 1 then cast(1 as decimal(5,2)) else 2 end')).toBe('decimal(12, 2)');
  });
});

describe('Sql transform: LIKE', () => {
  const F = { s: 'string' };
  const like = (s: string, pattern: string) => value(`s like '${pattern}'`, F, [s]);

  it('matches % and _ anywhere', () => {
    expect(like('abc', 'a%')).toBe(true);
    expect(like('abc', '%c')).toBe(true);
    expect(like('abc', '%b%')).toBe(true);
    expect(like('abc', 'a_c')).toBe(true);
    expect(like('abc', 'a_')).toBe(false);
    expect(like('a.c', 'a.c')).toBe(true);
    expect(like('abc', 'a.c')).toBe(false);
    expect(like('line1\nline2', 'line1%')).toBe(true);
    expect(like('(x)', '(%)')).toBe(true);
    expect(value("s not like 'a%'", F, ['abc'])).toBe(false);
    expect(value("s like 'a%'", F, [null])).toBeNull();
  });

  it('honours escapes (backslash by default, or ESCAPE)', () => {
    expect(like('50%', '50\\%')).toBe(true);
    expect(like('501', '50\\%')).toBe(false);
    expect(value("s like '50!%' escape '!'", F, ['50%'])).toBe(true);
    expect(value("s like '50!%' escape '!'", F, ['500'])).toBe(false);
    expect(value("s like 'a!_c' escape '!'", F, ['abc'])).toBe(false);
    expect(value("s like 'a!_c' escape '!'", F, ['a_c'])).toBe(true);
  });

  it('matches case-insensitively with ILIKE and patterns from a column', () => {
    expect(value("s ilike 'AB%'", F, ['abc'])).toBe(true);
    expect(value('s like p', { s: 'string', p: 'string' }, ['abc', 'a%'])).toBe(true);
  });
});

describe('Sql transform: string functions', () => {
  const F = { s: 'string', n: 'int' };
  const cases: [string, Value[], Value][] = [
    ['upper(s)', ['abc', 0], 'ABC'],
    ['lower(s)', ['AbC', 0], 'abc'],
    ['trim(s)', ['  x  ', 0], 'x'],
    ['ltrim(s)', ['  x  ', 0], 'x  '],
    ['rtrim(s)', ['  x  ', 0], '  x'],
    ["trim(both 'x' from s)", ['xxaxx', 0], 'a'],
    ["trim(leading 'x' from s)", ['xxaxx', 0], 'axx'],
    ["trim(s, 'x')", ['xxaxx', 0], 'a'],
    ['length(s)', ['héllo', 0], 5n],
    ['char_length(s)', ['abc', 0], 3n],
    ['substring(s, 2)', ['hello', 0], 'ello'],
    ['substring(s, 2, 3)', ['hello', 0], 'ell'],
    ['substr(s, -3)', ['hello', 0], 'llo'],
    ['substring(s from 2 for 2)', ['hello', 0], 'el'],
    ['left(s, 2)', ['hello', 0], 'he'],
    ['right(s, 2)', ['hello', 0], 'lo'],
    ["replace(s, 'l', 'L')", ['hello', 0], 'heLLo'],
    ["replace(s, 'l')", ['hello', 0], 'heo'],
    ["regexp_replace(s, 'l+', '_')", ['hello', 0], 'he_o'],
    ["regexp_replace(s, '(h)(e)', '$2$1')", ['hello', 0], 'ehllo'],
    ["regexp_replace(s, 'H', 'j', 'i')", ['hello', 0], 'jello'],
    ["regexp_like(s, '^h.*o$')", ['hello', 0], true],
    ["regexp_substr(s, '[0-9]+')", ['ab12cd345', 0], '12'],
    ["regexp_substr(s, '[0-9]+', 1, 2)", ['ab12cd345', 0], '345'],
    ["regexp_substr(s, '\\\\d{4}')", ['2020-10-01', 0], '2020'],
    ["regexp_substr(s, '(\\\\d{4})-(\\\\d{2})-(\\\\d{2})', 1, 1, null, 2)", ['2020-10-01', 0], '10'],
    ["regexp_like(s, '[A-Z ]*', 'i')", ['Joy Ding', 0], true],
    ["hextoraw('0037')", ['', 0], '7'],
    ["rawtohex('7')", ['', 0], '0037'],
    ['bit_length(s)', ['&^^$wef9', 0], 64n],
    ["lpad(s, 5, '*')", ['ab', 0], '***ab'],
    ["rpad(s, 5, '-')", ['ab', 0], 'ab---'],
    ['lpad(s, 1)', ['ab', 0], 'a'],
    ['reverse(s)', ['abc', 0], 'cba'],
    ["instr(s, 'l')", ['hello', 0], 3],
    ["locate('l', s)", ['hello', 0], 3],
    ["locate('l', s, 4)", ['hello', 0], 4],
    ["position('z' in s)", ['hello', 0], 0],
    ['ascii(s)', ['A', 0], 65],
    ['chr(n)', ['', 66], 'B'],
    ['repeat(s, n)', ['ab', 3], 'ababab'],
    ["coalesce(s, 'd')", [null, 0], 'd'],
    ["ifnull(s, 'd')", ['v', 0], 'v'],
    ["nvl(s, 'd')", [null, 0], 'd'],
    ["nullif(s, 'x')", ['x', 0], null],
    ["nullif(s, 'x')", ['y', 0], 'y'],
    ["split(s, ',')", ['a,b,,', 0], ['a', 'b']],
    ["translate(s, 'el', 'ip')", ['hello', 0], 'hippo'],
    ['soundex(s)', ['Robert', 0], 'R163'],
    ["insert(s, 2, 3, 'XY')", ['hello', 0], 'hXYo'],
    ['space(n)', ['', 3], '   '],
    ['concat(s, n)', ['a', 1], 'a1'],
    ['upper(n)', ['', 5], '5'],
    ["if(n > 1, 'y', 'n')", ['', 5], 'y'],
    ["multi_if(n > 10, 'a', n > 1, 'b', 'c')", ['', 5], 'b'],
  ];
  it.each(cases)('%s (row %#)', (expression, row, expected) => {
    expect(value(expression, F, row)).toEqual(expected);
  });
});

describe('Sql transform: numeric functions', () => {
  const F = { i: 'int', d: 'double', b: 'bigint' };
  const cases: [string, Value[], Value][] = [
    ['abs(i)', [-3, 0, 0n], 3],
    ['abs(d)', [0, -1.5, 0n], 1.5],
    ['abs(b)', [0, 0, -5n], 5n],
    ['ceil(d)', [0, 1.2, 0n], 2],
    ['ceiling(d)', [0, -1.2, 0n], -1],
    ['floor(d)', [0, -1.2, 0n], -2],
    ['round(d)', [0, 2.5, 0n], 3],
    ['round(d)', [0, -2.5, 0n], -3],
    ['round(d, 1)', [0, 1.25, 0n], 1.3],
    ['mod(i, 5.4)', [13, 0, 0n], 2.1999999999999993],
    ['log(10, d)', [0, 13.2, 0n], 1.1205739312058498],
    ['tan(d / 4)', [0, 3.1415926, 0n], 0.9999999732051038],
    ['power(d, 2)', [0, 13.2, 0n], 174.23999999999998],
    ['truncate(d, 1)', [0, 1.29, 0n], 1.2],
    ['mod(i, 3)', [10, 0, 0n], 1],
    ['mod(b, 3)', [0, 0, 10n], 1n],
    ['power(i, 2)', [3, 0, 0n], 9],
    ['sqrt(d)', [0, 16, 0n], 4],
    ['exp(i)', [0, 0, 0n], 1],
    ['ln(d)', [0, Math.E, 0n], 1],
    ['log10(d)', [0, 1000, 0n], 3],
    ['log(2, d)', [0, 8, 0n], 3],
    ['sign(i)', [-4, 0, 0n], -1],
    ['sign(d)', [0, 0, 0n], 0],
    ['pi()', [0, 0, 0n], Math.PI],
  ];
  it.each(cases)('%s (row %#)', (expression, row, expected) => {
    const actual = value(expression, F, row);
    if (typeof expected === 'bigint') expect(actual).toBe(expected);
    else expect(actual).toBeCloseTo(expected as number, 12);
  });

  it('keeps the argument type for ABS, CEIL, ROUND', () => {
    expect(typeOf('abs(i)', F)).toBe('int');
    expect(typeOf('ceil(d)', F)).toBe('int');
    expect(typeOf('floor(i)', F)).toBe('int');
    expect(typeOf('ceil(b)', F)).toBe('bigint');
    expect(typeOf('round(b)', F)).toBe('bigint');
    expect(typeOf('round(p, 1)', { p: 'decimal(10, 3)' })).toBe('decimal(9, 1)');
    expect(value('round(p, 1)', { p: 'decimal(10, 3)' }, ['9999999.999'])).toBe('10000000.0');
    expect(typeOf('sqrt(i)', F)).toBe('double');
    expect(typeOf('length(s)', { s: 'string' })).toBe('bigint');
  });

  it('gives RAND() values in [0, 1) and the same sequence for the same seed', () => {
    const r = run('select rand() as r, rand(7) as s from fake');
    for (const row of r.rows) {
      expect(row[0]).toBeGreaterThanOrEqual(0);
      expect(row[0]).toBeLessThan(1);
    }
    const again = run('select rand(7) as s from fake');
    expect(again.rows.map((row) => row[0])).toEqual(r.rows.map((row) => row[1]));
  });
});

describe('Sql transform: dates and times', () => {
  const F = { d: 'date', ts: 'timestamp', t: 'time', s: 'string' };
  const row = ['2024-01-31', '2024-03-10 13:45:30.250', '08:05:09', '2023-12-25 00:00:00'];
  const cases: [string, Value][] = [
    ['year(d)', 2024],
    ['month(ts)', 3],
    ['day(d)', 31],
    ['dayofmonth(ts)', 10],
    ['hour(ts)', 13],
    ['minute(ts)', 45],
    ['second(ts)', 30],
    ['hour(t)', 8],
    ['dayofweek(d)', 3],
    ['day_of_week(ts)', 7],
    ['dayofyear(ts)', 70],
    ['quarter(ts)', 1],
    ['week(d)', 5],
    ['week(s)', 52],
    ["week(cast('2021-04-08' as date))", 15],
    ["week(cast('2021-12-27' as date))", 1],
    ["iso_week(cast('2021-04-08' as date))", 14],
    ["extract(week from cast('2021-04-08' as date))", 14],
    ['extract(millisecond from ts)', 250],
    ['extract(microsecond from ts)', 250000],
    ['dayname(d)', 'Wednesday'],
    ['monthname(ts)', 'March'],
    ['extract(year from ts)', 2024],
    ['extract(dow from ts)', 0],
    ['extract(epoch from d)', 1706659200n],
    ["dateadd(d, 1, 'MONTH')", '2024-02-29'],
    ["dateadd(d, -1, 'YEAR')", '2023-01-31'],
    ["dateadd(ts, 90, 'MINUTE')", '2024-03-10 15:15:30.250'],
    ["dateadd(d, 2, 'HOUR')", '2024-01-31 02:00:00'],
    ['dateadd(DAY, 1, d)', '2024-02-01'],
    ['date_add(d, interval 3 day)', '2024-02-03'],
    ['date_sub(d, interval 1 month)', '2023-12-31'],
    ['d + interval 1 day', '2024-02-01'],
    ["ts - interval '2' hour", '2024-03-10 11:45:30.250'],
    ["datediff(d, ts, 'DAY')", 39n],
    ["datediff(ts, d, 'DAY')", -39n],
    ["datediff(d, ts, 'MONTH')", 1n],
    ["datediff(s, ts, 'YEAR')", 0n],
    ["datediff(ts, cast('2024-03-10 14:45:29' as timestamp), 'HOUR')", 0n],
    ["datediff(ts, cast('2024-03-10 14:45:31' as timestamp), 'HOUR')", 1n],
    ["datediff(MINUTE, ts, cast('2024-03-10 14:00:00' as timestamp))", 14n],
    ["date_trunc(ts, 'MONTH')", '2024-03-01 00:00:00'],
    ["date_trunc('hour', ts)", '2024-03-10 13:00:00'],
    ["formatdatetime(ts, 'yyyy/MM/dd HH:mm:ss.SSS')", '2024/03/10 13:45:30.250'],
    ["formatdatetime(d, 'dd MMM yyyy, EEEE')", '31 Jan 2024, Wednesday'],
    ["date_format(ts, '%Y-%m-%d %H:%i:%s')", '2024-03-10 13:45:30'],
    ["date_format(ts, 'yyyyMMdd')", '20240310'],
    ["parsedatetime('2021-04-08 13:34:45', 'yyyy-MM-dd HH:mm:ss')", '2021-04-08 13:34:45'],
    ["to_date('08/04/2021', 'dd/MM/yyyy')", '2021-04-08'],
    ["to_date('2021-04-08T13:34:45', 'yyyy-MM-dd''T''HH:mm:ss')", '2021-04-08 13:34:45'],
    ["parsedatetime('20210408', 'yyyyMMdd')", '2021-04-08'],
    ["is_date('2021-02-30', 'yyyy-MM-dd')", false],
    ["is_date('2021-02-28', 'yyyy-MM-dd')", true],
    ["from_unixtime(1672502400, 'yyyy-MM-dd HH:mm:ss', 'UTC+8')", '2023-01-01 00:00:00'],
    ["from_unixtime(1672502400, 'yyyy-MM-dd HH:mm', 'Asia/Kolkata')", '2022-12-31 21:30'],
    ["to_char(d, 'yyyy')", '2024'],
    ["ts > '2024-03-10 13:45:30.1'", true],
    ["ts = '2024-03-10 13:45:30.25'", true],
    ['d < ts', true],
    ["d = '2024-01-31'", true],
    ["d between '2024-01-01' and '2024-12-31'", true],
    ['cast(ts as date)', '2024-03-10'],
    ['cast(ts as time)', '13:45:30.250'],
  ];
  it.each(cases)('%s (case %#)', (expression, expected) => {
    expect(value(expression, F, row)).toEqual(expected);
  });

  it('types date functions as SeaTunnel does', () => {
    expect(typeOf("dateadd(d, 1, 'DAY')", F)).toBe('date');
    expect(typeOf("dateadd(d, 1, 'HOUR')", F)).toBe('timestamp');
    expect(typeOf("datediff(d, d, 'DAY')", F)).toBe('bigint');
    expect(typeOf("to_date(s, 'yyyy-MM-dd')", F)).toBe('date');
    expect(typeOf("to_date(s, 'yyyy-MM-dd HH:mm')", F)).toBe('timestamp');
    expect(typeOf("parsedatetime(s, 'HH:mm')", F)).toBe('time');
    expect(typeOf('now()', F)).toBe('timestamp');
    expect(typeOf('current_date', F)).toBe('date');
    expect(typeOf('current_timestamp', F)).toBe('timestamp');
  });

  it('gives the current date and time', () => {
    const [[now, today]] = run('select now() as n, current_date as d from fake where id = 1').rows as [
      [string, string],
    ];
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/);
    expect(today).toBe(now.slice(0, 10));
  });

  it('rejects a bad date literal and a string that is not a date at run time', () => {
    expect(configError("select * from fake where id > 0 and date '2024-02-30' is null")).toMatch(
      /'2024-02-30' is not a valid date/,
    );
    const { transform } = open("select dateadd(s, 1, 'DAY') as v from t", fieldsOf({ s: 'string' }));
    expect(() => transform.apply({ table: 0, rows: [['soon']] })).toThrow(/"soon" is not a date or timestamp/);
  });

  it('compares timestamps of different precisions and with time zones by instant', () => {
    const Z = { a: 'timestamp_tz', b: 'timestamp' };
    expect(value('a = b', Z, ['2024-01-01 10:00:00.500000+00', '2024-01-01 10:00:00.5'])).toBe(true);
  });
});

describe('Sql transform: nested fields, arrays and maps', () => {
  const fields: Field[] = [
    { name: 'id', type: { kind: 'int' }, nullable: false },
    {
      name: 'c_row',
      type: parseDataType('{c_int = int, c_inner = {name = string}, c_array = array<int>}'),
      nullable: true,
    },
    { name: 'c_map', type: parseDataType('map<string, string>'), nullable: true },
    { name: 'c_array', type: parseDataType('array<int>'), nullable: true },
  ];
  const rows: Value[][] = [
    [1, [7, ['deep'], [1, 2]], new Map<Value, Value>([['k', 'v']]), [10, 20, 30]],
    [2, null, null, null],
  ];

  it('reads row fields, array elements and map values', () => {
    const r = run(
      "select c_row.c_int, c_row.c_inner.name as deep, c_map['k'] as mv, c_array[1] as second, fake.c_row.c_int as q from fake",
      rows,
      fields,
    );
    expect(r.names).toEqual(['c_int', 'deep', 'mv', 'second', 'q']);
    expect(r.rows).toEqual([
      [7, 'deep', 'v', 20, 7],
      [null, null, null, null, null],
    ]);
    expect(r.schema.fields.map((f) => f.type.kind)).toEqual(['int', 'string', 'string', 'int', 'int']);
  });

  it('names the field that does not exist', () => {
    expect(configError('select c_row.nope from fake', fields)).toMatch(
      /row c_row has no field "nope" \(fields: c_int, c_inner, c_array\)/,
    );
    expect(configError('select id.x from fake', fields)).toMatch(/id is int, not a row/);
  });
});

describe('Sql transform: unsupported constructs and errors', () => {
  const cases: [string, RegExp][] = [
    [
      'select a.id from fake a join other b on a.id = b.id',
      /uses JOIN \(line 1, column 25\), which the Sql transform does not support \(single-table SELECT only\)/,
    ],
    ['select id from fake, other', /uses JOIN \(a second table in FROM\)/],
    ['select name, count(*) from fake group by name', /uses the aggregate function COUNT \(line 1, column 14\)/],
    ['select id from fake group by id', /uses GROUP BY/],
    ['select id from fake order by id', /uses ORDER BY/],
    ['select id from fake limit 10', /uses LIMIT/],
    ['select distinct id from fake', /uses DISTINCT/],
    ['select id from fake union select id from fake', /uses UNION/],
    ['select id from (select id from fake) t', /uses a subquery in FROM/],
    ['select id from fake where id in (select id from fake)', /uses a subquery in IN/],
    ['select row_number() over (order by id) from fake', /uses the window function ROW_NUMBER/],
    ['select upper(name) over () from fake', /uses a window function \(OVER\)/],
    ['with x as (select 1) select * from x', /uses WITH/],
    ['update fake set id = 1', /must be a SELECT statement, not UPDATE/],
    ['select id from fake; select 1 from fake', /holds more than one statement/],
    [
      'select id,\n  agee from fake',
      /refers to unknown column "agee" \(line 2, column 3\) \(input table "fake"\) \(columns: id, name, age\); did you mean "age"\?/,
    ],
    ['select frobnicate(id) from fake', /calls unknown function frobnicate \(line 1, column 8\)/],
    [
      'select id from fake where',
      /syntax error at line 1, column 26: expected an expression but found the end of the query/,
    ],
    ["select 'abc from fake", /syntax error at line 1, column 8: unterminated string/],
    ['select id from fake where name + 1 > 2', /operator \+ needs numbers, but name is string/],
    ['select id from fake where age', /WHERE must be a condition \(true\/false\), but age is int/],
    ["select id from fake where age = 'x'", /'x' is compared with a number but is not a number/],
    ['select upper(name, 1) from fake', /UPPER takes 1 argument, got 2/],
    ['select id, id from fake', /two output columns named "id"/],
    ['select id from', /expected a table name/],
  ];
  it.each(cases)('%s', (query, message) => {
    expect(configError(query)).toMatch(message);
  });

  it('parses comments, quoted names and escaped quotes', () => {
    const fields = fieldsOf({ 'my col': 'string', id: 'int' });
    const r = run(
      "select `my col` as a, \"my col\" b, 'it''s' as c -- comment\n from fake /* block */ where id = 1",
      [['x', 1]],
      fields,
    );
    expect(r.rows).toEqual([['x', 'x', "it's"]]);
    expect(r.names).toEqual(['a', 'b', 'c']);
  });

  it('expands t.* and filters on a boolean column', () => {
    const fields = fieldsOf({ id: 'int', ok: 'boolean' });
    const r = run(
      'select fake.*, not ok as nok from fake where ok',
      [
        [1, true],
        [2, false],
        [3, null],
      ],
      fields,
    );
    expect(r.names).toEqual(['id', 'ok', 'nok']);
    expect(r.rows).toEqual([[1, true, false]]);
    expect(configError('select other.* from fake', fields)).toMatch(/unknown table "other"/);
  });

  it('accepts keywords and function names in any case', () => {
    const r = run('SELECT Id, UPPER(Name) AS N FROM Fake WHERE Age BETWEEN 21 AND 22');
    expect(r.rows).toEqual([
      [2, 'MAY DING'],
      [4, 'JOY DOM'],
    ]);
  });
});
