import { describe, expect, it } from 'vitest';
import {
  displayUrl,
  formatRow,
  formatValue,
  HookError,
  isJson,
  planStatements,
  SecretMask,
  snippet,
  splitStatements,
  substituteVariables,
} from './hooks.js';

describe('substituteVariables', () => {
  it('replaces ${name} by the value, through the encoder when given', () => {
    const vars = { day: '2026-01-02', who: 'a b&c', 'x.y-z': 'dotted' };
    expect(substituteVariables('DELETE FROM t WHERE d = ${day} -- ${x.y-z}', vars, 'sql')).toBe(
      'DELETE FROM t WHERE d = 2026-01-02 -- dotted',
    );
    expect(substituteVariables('https://h/p?who=${who}', vars, 'url', encodeURIComponent)).toBe(
      'https://h/p?who=a%20b%26c',
    );
  });

  it('takes the default after ":" and empties ${?name}, as job configs do', () => {
    expect(substituteVariables('a=${a:1} b=${b:x y} c=[${?c}] d=${?d}', { d: 'D' }, 'url', encodeURIComponent)).toBe(
      'a=1 b=x%20y c=[] d=D',
    );
  });

  it('leaves text that is not a reference alone', () => {
    expect(substituteVariables('$x ${ } $$ {a} ${a b}', {}, 'sql')).toBe('$x ${ } $$ {a} ${a b}');
  });

  it('fails naming the field and the unknown variable', () => {
    expect(() => substituteVariables('x ${nope}', { a: '1', b: '2' }, 'body')).toThrow(HookError);
    expect(() => substituteVariables('x ${nope}', { a: '1', b: '2' }, 'body')).toThrow(
      'body uses ${nope}, which is not a variable of this run (it has: a, b)',
    );
    expect(() => substituteVariables('${nope}', {}, 'sql')).toThrow('(it has none)');
  });

  it('does not take inherited properties for variables', () => {
    expect(() => substituteVariables('${constructor}', {}, 'sql')).toThrow('${constructor}');
  });
});

describe('SecretMask', () => {
  it('masks the value and its URL-encoded and JSON-escaped forms, longest first', () => {
    const mask = new SecretMask();
    mask.add('p@ss "w/rd"');
    mask.add('p@ss');
    mask.add('');
    mask.add(undefined);
    expect(mask.mask('a p@ss "w/rd" b')).toBe('a ****** b');
    expect(mask.mask('?t=p%40ss%20%22w%2Frd%22')).toBe('?t=******');
    expect(mask.mask('{"t":"p@ss \\"w/rd\\""}')).toBe('{"t":"******"}');
    expect(mask.mask('just p@ss')).toBe('just ******');
    expect(mask.mask('nothing here')).toBe('nothing here');
  });
});

describe('splitStatements (PostgreSQL)', () => {
  const split = (sql: string) => splitStatements(sql, 'postgresql');

  it('splits at top-level semicolons and drops empty pieces', () => {
    expect(split('SELECT 1; SELECT 2;;\n  ;SELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
  });

  it('keeps semicolons in strings, identifiers, dollar quotes and comments', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s; ok', E'x\\';y')",
      'SELECT 1 AS "semi;colon"',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$',
      'DO $$ BEGIN PERFORM 1; END $$',
      'SELECT 2 /* a; /* nested; */ still; */ + 1',
      'SELECT 3 -- trailing; comment\n + 1',
    ];
    expect(split(sql.join(';\n'))).toEqual(sql);
  });

  it('does not take a positional parameter or an identifier with $ for a dollar quote', () => {
    expect(split('SELECT a$b$ FROM t; SELECT $1; SELECT 2')).toEqual(['SELECT a$b$ FROM t', 'SELECT $1', 'SELECT 2']);
  });

  it('treats a backslash in a standard string literally', () => {
    expect(split("SELECT 'a\\'; SELECT 2")).toEqual(["SELECT 'a\\'", 'SELECT 2']);
  });

  it('drops pieces of only comments', () => {
    expect(split('SELECT 1; -- done\n/* bye */')).toEqual(['SELECT 1']);
    expect(split('-- nothing')).toEqual([]);
  });
});

describe('splitStatements (MySQL)', () => {
  const split = (sql: string) => splitStatements(sql, 'mysql');

  it('knows backslash escapes, backticks, # and "-- " comments', () => {
    const sql = [
      "INSERT INTO t VALUES ('a\\';b', \"c;d\", 'e'';f')",
      'SELECT 1 AS `x;y`',
      'SELECT 2 # hash; comment\n + 1',
      'SELECT 3 -- dash; comment\n + 1',
      'SELECT 4 /* block; */',
    ];
    expect(split(sql.join(';'))).toEqual(sql);
  });

  it('takes --x without a blank for an operator, not a comment', () => {
    expect(split('SELECT 5--1; SELECT 2')).toEqual(['SELECT 5--1', 'SELECT 2']);
  });
});

describe('planStatements', () => {
  it('sends a PostgreSQL BEGIN ATOMIC body whole', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT f()';
    expect(planStatements(sql, 'postgresql')).toEqual([sql]);
  });

  it('sends a MySQL routine with BEGIN ... END whole, and splits the rest', () => {
    const sql = 'CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END; CALL p()';
    expect(planStatements(sql, 'mysql')).toEqual([sql]);
    expect(planStatements('BEGIN; UPDATE t SET a = 1; COMMIT', 'mysql')).toEqual([
      'BEGIN',
      'UPDATE t SET a = 1',
      'COMMIT',
    ]);
  });
});

describe('formatting', () => {
  it('shows values compactly', () => {
    expect(formatValue(null)).toBe('NULL');
    expect(formatValue(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05.000Z');
    expect(formatValue(Buffer.from([0xde, 0xad]))).toBe('\\xdead');
    expect(formatValue({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(formatValue('two\nlines')).toBe('two\\nlines');
    expect(formatValue(12n)).toBe('12');
    expect(formatValue('x'.repeat(300))).toBe(`${'x'.repeat(200)}…`);
    expect(formatRow([1, 'a', null])).toBe('1 | a | NULL');
  });

  it('shortens a statement to one line', () => {
    expect(snippet('  SELECT\n  1\n')).toBe('SELECT 1');
    expect(snippet('-- why\n/* what */ # more\nSELECT 2')).toBe('SELECT 2');
    expect(snippet('-- only a comment')).toBe('-- only a comment');
    expect(snippet(`SELECT '${'y'.repeat(100)}'`)).toHaveLength(81);
  });

  it('masks URL credentials', () => {
    expect(displayUrl(new URL('https://user:pw@host:8443/a/b?c=d#e'))).toBe(
      'https://******:******@host:8443/a/b?c=d#e',
    );
    expect(displayUrl(new URL('https://token@host/'))).toBe('https://******@host/');
    expect(displayUrl(new URL('http://host/x'))).toBe('http://host/x');
  });

  it('tells JSON bodies', () => {
    expect(isJson('{"a":1}')).toBe(true);
    expect(isJson('[1]')).toBe(true);
    expect(isJson('a=1')).toBe(false);
    expect(isJson('')).toBe(false);
  });
});
