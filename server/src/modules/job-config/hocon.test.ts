import { describe, expect, it } from 'vitest';
import { ConfigSyntaxError, parseJobConfig, type ConfigObject } from './index.js';

const JOB_TAIL = '\nsource { S {} }\nsink { K {} }\n';

/** The env object of a job whose env block is `body`. */
const env = (body: string): ConfigObject => parseJobConfig(`env {\n${body}\n}${JOB_TAIL}`, 'HOCON').config.env;

/** The ConfigSyntaxError that parsing `text` throws. */
function syntaxError(text: string, format: 'HOCON' | 'JSON' = 'HOCON'): ConfigSyntaxError {
  try {
    parseJobConfig(text, format);
  } catch (error) {
    if (error instanceof ConfigSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

describe('HOCON syntax', () => {
  it('ignores # and // comments, but not inside quoted strings', () => {
    expect(env('# a comment\n  a = 1 # after a value\n  // another\n  b = "x // y # z" // trailing')).toEqual({
      a: 1,
      b: 'x // y # z',
    });
  });

  it('reads unquoted keys with dots as paths and keeps dashes in keys', () => {
    expect(env('base-url = x\n  job.mode = BATCH\n  a.b-c.d = 1')).toEqual({
      'base-url': 'x',
      job: { mode: 'BATCH' },
      a: { 'b-c': { d: 1 } },
    });
  });

  it('stores a path key nested, exactly as the equivalent nested object', () => {
    expect(env('job.mode = "BATCH"')).toEqual(env('job { mode = "BATCH" }'));
  });

  it('reads a path key at the top level into its block', () => {
    const { config } = parseJobConfig(`env.parallelism = 2\nenv.job.mode = STREAMING${JOB_TAIL}`, 'HOCON');
    expect(config.env).toEqual({ parallelism: 2, job: { mode: 'STREAMING' } });
  });

  it('keeps a quoted key with a dot as one key, also inside a path', () => {
    expect(env('"a.b" = 1\n  x."y.z".w = 2')).toEqual({ 'a.b': 1, x: { 'y.z': { w: 2 } } });
  });

  it('accepts =, : and no separator before {', () => {
    expect(env('a = 1\n  b : 2\n  c=3\n  d:4\n  e { f = 5 }\n  g = { h = 6 }')).toEqual({
      a: 1,
      b: 2,
      c: 3,
      d: 4,
      e: { f: 5 },
      g: { h: 6 },
    });
  });

  it('accepts braces on their own line and a braced root object', () => {
    const allman = parseJobConfig(
      'source\n{\n  FakeSource\n  {\n    row.num = 1\n  }\n}\nsink\n{\n  Console {}\n}',
      'HOCON',
    );
    expect(allman.config.source[0]).toMatchObject({ plugin: 'FakeSource', options: { row: { num: 1 } } });
    const braced = parseJobConfig('{\n  source { A {} }\n  sink { B {} }\n}', 'HOCON');
    expect(braced.config.sink.map((b) => b.plugin)).toEqual(['B']);
  });

  it('reads triple-quoted strings raw, across lines, with quotes before the closing ones kept', () => {
    expect(env('q = """select "id"\n  from t where a = \'\\n\'"""\n  r = """say "hi""""')).toEqual({
      q: 'select "id"\n  from t where a = \'\\n\'',
      r: 'say "hi"',
    });
  });

  it('decodes JSON escapes in quoted strings', () => {
    expect(env(String.raw`s = "tab\tquote\"slash\/back\\nl\nu\u00e9"`)).toEqual({ s: 'tab\tquote"slash/back\\nl\nué' });
  });

  it('reads arrays with newlines as separators, trailing commas and nesting', () => {
    expect(env('a = [\n    1\n    2,\n    [x, "y"],\n    { k = v }\n  ]\n  b = [1, 2, ]\n  c = []')).toEqual({
      a: [1, 2, ['x', 'y'], { k: 'v' }],
      b: [1, 2],
      c: [],
    });
  });

  it('merges objects when a key repeats, and lets a later non-object win', () => {
    expect(
      env('a { x = 1 }\n  a { y = 2 }\n  b = 1\n  b { z = 3 }\n  c { x = 1 }\n  c = 5\n  d.x = 1\n  d.y = 2'),
    ).toEqual({
      a: { x: 1, y: 2 },
      b: { z: 3 },
      c: 5,
      d: { x: 1, y: 2 },
    });
  });

  it('concatenates objects with objects and arrays with arrays', () => {
    expect(env('o = { x = 1 } { y = 2 }\n  l = [1, 2] [3]')).toEqual({ o: { x: 1, y: 2 }, l: [1, 2, 3] });
  });

  it('concatenates unquoted and quoted text, keeping the spaces between them', () => {
    expect(env('a = foo bar  baz\n  b = "x" y\n  c = 1 2\n  d = true story\n  e = 10.0.0.1')).toEqual({
      a: 'foo bar  baz',
      b: 'x y',
      c: '1 2',
      d: 'true story',
      e: '10.0.0.1',
    });
  });

  it('keeps substitutions unresolved: ${var}, ${?var}, ${var:default}, ${var:}', () => {
    expect(env('a = ${host}\n  b = ${?port}\n  c = ${user:root}\n  d = ${password:}\n  e = ${a.b-c}')).toEqual({
      a: { $substitution: 'host' },
      b: { $substitution: 'port', optional: true },
      c: { $substitution: 'user', default: 'root' },
      d: { $substitution: 'password', default: '' },
      e: { $substitution: 'a.b-c' },
    });
  });

  it('keeps a default with colons and slashes whole', () => {
    expect(env('url = ${url:jdbc:mysql://localhost:3306/db}')).toEqual({
      url: { $substitution: 'url', default: 'jdbc:mysql://localhost:3306/db' },
    });
  });

  it('reads text next to substitutions as a concatenation', () => {
    expect(env('url = "jdbc:mysql://"${host}":3306/db"\n  two = ${a} ${b}\n  path = /data/${dir}')).toEqual({
      url: { $concat: ['jdbc:mysql://', { $substitution: 'host' }, ':3306/db'] },
      two: { $concat: [{ $substitution: 'a' }, ' ', { $substitution: 'b' }] },
      path: { $concat: ['/data/', { $substitution: 'dir' }] },
    });
  });

  it('keeps ${...} inside quoted strings as text', () => {
    expect(env('table = "${table_name}"\n  expr = "${k0}=${v0}"')).toEqual({
      table: '${table_name}',
      expr: '${k0}=${v0}',
    });
  });

  it('appends to a list with +=', () => {
    const { config, diagnostics } = parseJobConfig(
      `env {\n  a = [1]\n  a += 2\n  b += x\n  c = 1\n  c += 2\n}${JOB_TAIL}`,
      'HOCON',
    );
    expect(config.env).toEqual({ a: [1, 2], b: ['x'], c: 1 });
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', path: 'env.c', line: 6, column: 3 }),
    );
  });

  it('accepts a byte order mark and CRLF line ends', () => {
    const { config } = parseJobConfig(
      '\uFEFFenv {\r\n  a = 1\r\n  b = x\r\n  q = """l1\r\nl2"""\r\n}\r\nsource { S {} }\r\nsink { K {} }\r\n',
      'HOCON',
    );
    expect(config.env).toEqual({ a: 1, b: 'x', q: 'l1\r\nl2' });
  });

  it('keeps whitespace inside an unquoted key', () => {
    expect(env('a b = 1')).toEqual({ 'a b': 1 });
  });

  it('takes "include" as a key when quoted, and keys that only start with include', () => {
    expect(env('"include" = 1\n  include_fields = [a]')).toEqual({ include: 1, include_fields: ['a'] });
  });

  it('reads true, false and null, and keeps quoted ones as strings', () => {
    expect(env('a = true\n  b = false\n  c = null\n  d = "true"\n  e = yes')).toEqual({
      a: true,
      b: false,
      c: null,
      d: 'true',
      e: 'yes',
    });
  });

  it('keeps keys such as __proto__ and constructor as plain own keys', () => {
    const result = env('__proto__ { polluted = 1 }\n  constructor = 2\n  toString.x = 3');
    expect(Object.keys(result)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('numbers', () => {
  it('keeps integers and exactly representable numbers as JS numbers', () => {
    expect(env('a = 1\n  b = -42\n  c = 3.25\n  d = 1e+21\n  e = 2E-3\n  f = 9007199254740991\n  g = 40.0')).toEqual({
      a: 1,
      b: -42,
      c: 3.25,
      d: 1e21,
      e: 0.002,
      f: 9007199254740991,
      g: 40,
    });
  });

  it('keeps numbers a JS number cannot hold exactly as their exact text', () => {
    expect(
      env('a = 9223372036854775807\n  b = 0.1000000000000000055511151231257827\n  c = 1e400\n  d = -9007199254740993'),
    ).toEqual({
      a: { $number: '9223372036854775807' },
      b: { $number: '0.1000000000000000055511151231257827' },
      c: { $number: '1e400' },
      d: { $number: '-9007199254740993' },
    });
  });

  it('keeps text that only looks like a number as a string', () => {
    expect(env('a = 0123\n  b = 1.\n  c = NaN\n  d = "42"')).toEqual({ a: '0123', b: '1.', c: 'NaN', d: '42' });
  });

  it('keeps big numbers exact in JSON input too', () => {
    const { config } = parseJobConfig('{"env":{"id":12345678901234567890,"x":1.5},"source":[],"sink":[]}', 'JSON');
    expect(config.env).toEqual({ id: { $number: '12345678901234567890' }, x: 1.5 });
  });
});

describe('HOCON syntax errors name what was expected and found, with the exact position', () => {
  const cases: [string, string, number, number, string][] = [
    [
      'an unclosed brace',
      'env {\n  a = 1\n',
      3,
      1,
      "expected '}' to close the '{' at line 1, column 5, found end of input",
    ],
    ['an unclosed string', 'env {\n  a = "abc\n}', 2, 7, "unclosed string: no closing '\"' before the end of the line"],
    [
      'an unclosed triple-quoted string',
      'env {\n  q = """abc\n}\n',
      2,
      7,
      'unclosed string: no closing """ before the end of input',
    ],
    ['a missing value', 'env {\n  a =\n}', 3, 1, "expected a value after '=' for key \"a\", found '}'"],
    ['a missing separator', 'env {\n  url\n}', 3, 1, "expected '=' or ':' after key \"url\", found '}'"],
    ['an empty substitution', 'a = ${}', 1, 7, "expected a variable name after '${', found '}'"],
    [
      'an unclosed substitution',
      'a = ${host',
      1,
      11,
      "expected '}' to close substitution '${host', found end of input",
    ],
    [
      'a substitution with an empty path part',
      'a = ${a..b}',
      1,
      7,
      "bad substitution '${a..b': a name cannot have an empty part",
    ],
    [
      'an unclosed substitution default',
      'env {\n  a = ${x:abc\n}',
      2,
      7,
      "unclosed substitution '${x:': expected '}' before the end of the line",
    ],
    ['a substitution in a key', 'env {\n  ${a} = 1\n}', 2, 3, 'substitutions are not allowed in keys'],
    [
      'an unexpected token after a value',
      'a = 1 ]',
      1,
      7,
      "expected ',' or a new line after the value of key \"a\", found ']'",
    ],
    ['a stray closing brace', 'a = 1\n}', 2, 1, "unexpected '}' with no '{' to close"],
    ['include', 'env {\n  include "other.conf"\n}', 2, 3, "'include' is not supported"],
    ['include with file()', 'include file("/etc/passwd")', 1, 1, "'include' is not supported"],
    ['an invalid escape', 'a = "x\\q"', 1, 7, "invalid escape '\\q'"],
    [
      'a colon in an unquoted value',
      'url = jdbc:mysql://h',
      1,
      11,
      'unexpected \':\' in the value of key "url" (put text containing it in quotes)',
    ],
    ['a double comma in an array', 'a = [1,,2]', 1, 8, "expected a value in the array at line 1, column 5, found ','"],
    ['an unclosed array', 'a = [1, 2', 1, 10, "expected ']' to close the '[' at line 1, column 5, found end of input"],
    ['an empty key part', 'a..b = 1', 1, 3, 'a key cannot have an empty part'],
    ['a key ending with a dot', 'a. = 1', 1, 2, "a key cannot end with '.'"],
    ['an object joined with text', 'a = x { y = 1 }', 1, 7, 'the value of key "a" joins an object with text'],
    ['a lone dollar sign', 'a = $x', 1, 5, "'$' must start a substitution"],
    ['a root array', '[1, 2]', 1, 1, "a job config must be an object of keys, found '['"],
    [
      'text after the root object',
      '{ a = 1 }\nb = 2',
      2,
      1,
      "unexpected 'b' after the '}' that closes the root object",
    ],
    ['a comma where a key belongs', 'env { , a = 1 }', 1, 7, "expected a key, found ','"],
  ];

  it.each(cases)('reports %s', (_name, text, line, column, message) => {
    const error = syntaxError(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(message);
    expect(error.message.startsWith(`line ${line}, column ${column}: `)).toBe(true);
  });

  it('counts columns after CRLF line ends from the start of the line', () => {
    const error = syntaxError('env {\r\n  a = "x\r\n}');
    expect([error.line, error.column]).toEqual([2, 7]);
  });

  it('refuses nesting deeper than 200 levels instead of exhausting the stack', () => {
    const error = syntaxError(`a = ${'['.repeat(100_000)}`);
    expect(error.message).toContain('nest deeper than 200 levels');
    expect(() => parseJobConfig(`a = ${'{ b = '.repeat(150)}1${' }'.repeat(150)}`, 'HOCON')).not.toThrow();
  });

  it('gives the brief example message verbatim', () => {
    expect(syntaxError('source {\n  Jdbc {\n    url\n    }\n}').message).toBe(
      "line 4, column 5: expected '=' or ':' after key \"url\", found '}'",
    );
  });
});

describe('JSON syntax errors', () => {
  const cases: [string, string, number, number, string][] = [
    ['a missing value', '{"env": }', 1, 9, 'expected a value for key "env", found \'}\''],
    ['a trailing comma', '{"env": {"a": 1,}}', 1, 16, "a trailing ',' before '}' is not allowed in JSON"],
    ['a comment', '{\n  // note\n  "env": {}\n}', 2, 3, 'comments are not allowed in JSON'],
    ['a missing colon', '{"env" {}}', 1, 8, "expected ':' after key \"env\", found '{'"],
    ['an unquoted key', '{env: {}}', 1, 2, 'expected a key in double quotes'],
    ['single quotes', '{"a": \'x\'}', 1, 7, 'JSON strings use double quotes'],
    [
      'an unclosed object',
      '{"env": {"a": 1}',
      1,
      17,
      "expected ',' or '}' after the value of key \"env\" (the '{' at line 1, column 1 is never closed) found end of input",
    ],
    ['a raw line break in a string', '{"a": "x\ny"}', 1, 7, 'unclosed string'],
    ['a bad number', '{"a": 01}', 1, 7, "invalid number '01'"],
    ['text after the object', '{}\n{}', 2, 1, "unexpected '{' after the end of the JSON object"],
    ['a root array', '[]', 1, 1, "expected '{' to start the job config object, found '['"],
  ];

  it.each(cases)('reports %s', (_name, text, line, column, message) => {
    const error = syntaxError(text, 'JSON');
    expect({ line: error.line, column: error.column, message: error.message }).toEqual({
      line,
      column,
      message: expect.stringContaining(message) as string,
    });
  });
});
