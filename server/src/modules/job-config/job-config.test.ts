import { describe, expect, it } from 'vitest';
import {
  configsEqual,
  getOption,
  parseJobConfig,
  positionOf,
  renderHocon,
  renderJson,
  variablesOf,
  type Diagnostic,
  type JobConfig,
} from './index.js';

const hocon = (text: string) => parseJobConfig(text, 'HOCON');
const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === 'ERROR');

describe('job structure', () => {
  it('keeps repeated plugin keys as separate blocks in order, each with its key position', () => {
    const { config, diagnostics } = hocon(
      'source { FakeSource { row.num = 1 } }\nsink {\n  Jdbc { table = a }\n  Console {}\n  Jdbc { table = b }\n}',
    );
    expect(config.sink).toEqual([
      { plugin: 'Jdbc', options: { table: 'a' }, line: 3, column: 3 },
      { plugin: 'Console', options: {}, line: 4, column: 3 },
      { plugin: 'Jdbc', options: { table: 'b' }, line: 5, column: 3 },
    ]);
    expect(diagnostics).toEqual([]);
  });

  it('keeps plugin names as written and gathers repeated section blocks', () => {
    const { config } = hocon('source { fakesource {} }\nsource { MySQL-CDC {} }\nsink { console {} }');
    expect(config.source.map((b) => b.plugin)).toEqual(['fakesource', 'MySQL-CDC']);
  });

  it('merges repeated object keys inside a plugin but not the plugins themselves', () => {
    const { config } = hocon(
      'source { A { schema { fields { a = int } }\n schema { fields { b = string } } } }\nsink { B {} }',
    );
    expect(config.source[0]!.options).toEqual({ schema: { fields: { a: 'int', b: 'string' } } });
  });

  it('warns when a scalar is set twice and keeps the later value', () => {
    const { config, diagnostics } = hocon(
      'env {\n  job.mode = BATCH\n  job.mode = STREAMING\n}\nsource { A {} }\nsink { B {} }',
    );
    expect(config.env).toEqual({ job: { mode: 'STREAMING' } });
    expect(diagnostics).toEqual([
      expect.objectContaining({ severity: 'WARNING', path: 'env.job.mode', line: 3, column: 3 }),
    ]);
  });

  it('reports a missing source or sink as an ERROR and still returns the rest', () => {
    const { config, diagnostics } = hocon('env { parallelism = 2 }\nsink {\n}');
    expect(config.env).toEqual({ parallelism: 2 });
    expect(errors(diagnostics)).toEqual([
      { severity: 'ERROR', message: 'the job has no source block', line: 1, column: 1, path: 'source' },
      { severity: 'ERROR', message: 'the sink block has no plugin', line: 2, column: 1, path: 'sink' },
    ]);
  });

  it('reports a plugin block that is not an object where it is written, keeping the other plugins', () => {
    const { config, diagnostics } = hocon('source {\n  A {}\n  Jdbc = "x"\n  B = [1]\n}\nsink { C {} }');
    expect(config.source.map((b) => b.plugin)).toEqual(['A']);
    expect(errors(diagnostics)).toEqual([
      expect.objectContaining({
        message: 'plugin "Jdbc" in source must be an object ({ ... }), found the string "x"',
        line: 3,
        column: 10,
      }),
      expect.objectContaining({
        message: 'plugin "B" in source must be an object ({ ... }), found a list',
        line: 4,
        column: 7,
      }),
    ]);
  });

  it('reports env or a section of the wrong kind', () => {
    const { diagnostics } = hocon('env = 5\nsource = ${src}\nsink { C {} }');
    expect(errors(diagnostics).map((d) => [d.message, d.line, d.column])).toEqual([
      ['env must be an object, found a number', 1, 7],
      ['source must be an object of plugins or a list of plugin objects, found a substitution', 2, 10],
      ['the source block has no plugin', 2, 1],
    ]);
  });

  it('keeps unknown top-level keys in other, with an INFO diagnostic', () => {
    const { config, diagnostics } = hocon('source { A {} }\nsink { B {} }\ncustom.flag = true');
    expect(config.other).toEqual({ custom: { flag: true } });
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'INFO', path: 'custom', line: 3, column: 1 })]);
  });

  it('reads a dotted plugin key as plugin plus option, with a WARNING', () => {
    const { config, diagnostics } = hocon('source { FakeSource.row.num = 5 }\nsink { B {} }');
    expect(config.source).toEqual([expect.objectContaining({ plugin: 'FakeSource', options: { row: { num: 5 } } })]);
    expect(diagnostics[0]).toMatchObject({ severity: 'WARNING', line: 1, column: 10 });
  });
});

describe('old option names', () => {
  it('renames result_table_name and source_table_name in place, with a WARNING each at the key', () => {
    const { config, diagnostics } = hocon(
      'source {\n  FakeSource {\n    result_table_name = "fake"\n    row.num = 1\n  }\n}\nsink {\n  Console {\n    source_table_name = [fake]\n  }\n}',
    );
    expect(Object.keys(config.source[0]!.options)).toEqual(['plugin_output', 'row']);
    expect(config.source[0]!.options.plugin_output).toBe('fake');
    expect(config.sink[0]!.options).toEqual({ plugin_input: ['fake'] });
    expect(diagnostics).toEqual([
      {
        severity: 'WARNING',
        message: 'result_table_name is the old name of plugin_output: renamed',
        line: 3,
        column: 5,
        path: 'source[0].result_table_name',
      },
      {
        severity: 'WARNING',
        message: 'source_table_name is the old name of plugin_input: renamed',
        line: 9,
        column: 5,
        path: 'sink[0].source_table_name',
      },
    ]);
  });

  it('keeps the new name when both are present, and warns', () => {
    const { config, diagnostics } = hocon(
      'source { A {\n  plugin_output = new\n  result_table_name = old\n} }\nsink { B {} }',
    );
    expect(config.source[0]!.options).toEqual({ plugin_output: 'new' });
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        message: 'result_table_name and plugin_output are both set: keeping plugin_output, dropping result_table_name',
        line: 3,
        column: 3,
      }),
    ]);
  });

  it('renames old names in the JSON REST form as well', () => {
    const { config, diagnostics } = parseJobConfig(
      '{"source":[{"plugin_name":"FakeSource","result_table_name":"t"}],"sink":[{"plugin_name":"Console","source_table_name":"t"}]}',
      'JSON',
    );
    expect(config.source[0]!.options).toEqual({ plugin_output: 't' });
    expect(config.sink[0]!.options).toEqual({ plugin_input: 't' });
    expect(diagnostics.map((d) => d.severity)).toEqual(['WARNING', 'WARNING']);
  });
});

describe('JSON input', () => {
  it('reads SeaTunnel REST form: lists of objects with plugin_name', () => {
    const { config, diagnostics } = parseJobConfig(
      '{\n  "env": {"job.mode": "BATCH"},\n  "source": [\n    {"plugin_name": "FakeSource", "plugin_output": "fake"}\n  ],\n  "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}]\n}',
      'JSON',
    );
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      env: { 'job.mode': 'BATCH' },
      source: [{ plugin: 'FakeSource', options: { plugin_output: 'fake' }, line: 4, column: 6 }],
      transform: [],
      sink: [{ plugin: 'Console', options: { plugin_input: ['fake'] }, line: 6, column: 13 }],
      other: {},
    });
  });

  it('reads the HOCON shape rendered as JSON, keeping repeated plugin keys apart', () => {
    const { config } = parseJobConfig(
      '{"source": {"A": {"x": 1}}, "sink": {"Jdbc": {"t": "a"}, "Jdbc": {"t": "b"}}}',
      'JSON',
    );
    expect(config.source).toEqual([expect.objectContaining({ plugin: 'A', options: { x: 1 } })]);
    expect(config.sink.map((b) => b.options)).toEqual([{ t: 'a' }, { t: 'b' }]);
  });

  it('keeps ${var} in JSON strings as text, which variablesOf still finds', () => {
    const { config } = parseJobConfig(
      '{"source":[{"plugin_name":"Jdbc","url":"${url}"}],"sink":[{"plugin_name":"C"}]}',
      'JSON',
    );
    expect(config.source[0]!.options.url).toBe('${url}');
    expect(variablesOf(config)).toEqual([{ name: 'url', optional: false, line: 1, column: 40 }]);
  });

  it('reports a REST entry without plugin_name', () => {
    const { config, diagnostics } = parseJobConfig('{"source":[{"url":"x"}, 5],"sink":[{"plugin_name":"C"}]}', 'JSON');
    expect(config.source).toEqual([]);
    expect(errors(diagnostics).map((d) => [d.message, d.column])).toEqual([
      ['an entry of the source list has no plugin_name (a non-empty string)', 12],
      ['each entry of the source list must be an object with plugin_name, found a number', 25],
      ['the source block has no plugin', 2],
    ]);
  });

  it('accepts the REST form in HOCON too', () => {
    const { config } = hocon(
      'source = [{ plugin_name = FakeSource, row.num = 3 }]\nsink = [{ plugin_name = Console }]',
    );
    expect(config.source).toEqual([expect.objectContaining({ plugin: 'FakeSource', options: { row: { num: 3 } } })]);
  });
});

describe('variablesOf', () => {
  it('lists substitutions and ${...} inside strings once each, without the reserved multi-table placeholders', () => {
    const { config } = hocon(
      [
        'env { job.name = ${jobName} }',
        'source { Jdbc {',
        '  url = "jdbc:mysql://"${host}":3306/"${db:test}',
        '  password = ${?password}',
        '  query = "select * from t where d = \'${day:2024-01-01}\'"',
        '} }',
        'sink { Jdbc {',
        '  table = "${table_name}"',
        '  primary_keys = ["${primary_key}"]',
        '  database = ${database_name}',
        '  url = ${host}',
        '  note = "${day}"',
        '} }',
      ].join('\n'),
    );
    expect(variablesOf(config)).toEqual([
      { name: 'jobName', optional: false, line: 1, column: 18 },
      { name: 'host', optional: false, line: 3, column: 24 },
      { name: 'db', default: 'test', optional: true, line: 3, column: 39 },
      { name: 'password', optional: true, line: 4, column: 14 },
      { name: 'day', default: '2024-01-01', optional: false, line: 5, column: 11 },
    ]);
  });

  it('treats ${var:} as a variable with an empty default', () => {
    const { config } = hocon('env { a = ${var:} }\nsource { A {} }\nsink { B {} }');
    expect(variablesOf(config)).toEqual([{ name: 'var', default: '', optional: true, line: 1, column: 11 }]);
  });

  it('works on configs built in code, without positions', () => {
    const config: JobConfig = {
      env: { x: { $concat: ['a', { $substitution: 'v' }] } },
      source: [{ plugin: 'A', options: { list: ['${w:1}'] } }],
      transform: [],
      sink: [],
      other: {},
    };
    expect(variablesOf(config)).toEqual([
      { name: 'v', optional: false },
      { name: 'w', default: '1', optional: true },
    ]);
  });
});

describe('renderHocon', () => {
  const sample = hocon(
    [
      'env {',
      '  parallelism = 2',
      '  job.mode = "BATCH"',
      '  job.name = "nightly copy"',
      '}',
      'source {',
      '  Jdbc {',
      '    url = "jdbc:mysql://"${host}":3306/db"',
      '    query = """select *',
      'from t"""',
      '    fetch_size = 9223372036854775807',
      '    password = ${password:}',
      '    properties { useSSL = false }',
      '    schema { fields { id = bigint, name = string, "a.b" = "decimal(30, 8)" } }',
      '    result_table_name = t',
      '  }',
      '}',
      'sink {',
      '  Console { rows = [{ kind = INSERT, fields = [1, "A"] }] }',
      '  Console {}',
      '}',
    ].join('\n'),
  ).config;

  it('writes readable HOCON: 2-space indent, dotted small objects, quotes only where needed, triple quotes for lines', () => {
    expect(renderHocon(sample)).toBe(
      [
        'env {',
        '  parallelism = 2',
        '  job.mode = BATCH',
        '  job.name = "nightly copy"',
        '}',
        '',
        'source {',
        '  Jdbc {',
        '    url = "jdbc:mysql://"${host}":3306/db"',
        '    query = """select *',
        'from t"""',
        '    fetch_size = 9223372036854775807',
        '    password = ${password:}',
        '    properties.useSSL = false',
        '    schema {',
        '      fields {',
        '        id = bigint',
        '        name = string',
        '        "a.b" = "decimal(30, 8)"',
        '      }',
        '    }',
        '    plugin_output = t',
        '  }',
        '}',
        '',
        'sink {',
        '  Console {',
        '    rows = [{ kind = INSERT, fields = [1, A] }]',
        '  }',
        '  Console {}',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('is stable: rendering the parsed rendering gives the same text', () => {
    const once = renderHocon(sample);
    expect(renderHocon(hocon(once).config)).toBe(once);
  });

  it('quotes strings that would read differently unquoted', () => {
    const { config } = hocon(
      'env {}\nsource { A {\n  a = "true"\n  b = "42"\n  c = "x y"\n  d = ""\n  e = "include"\n  f = "a//b"\n  g = "${x}"\n} }\nsink { B {} }',
    );
    expect(renderHocon(config)).toContain(
      '    a = "true"\n    b = "42"\n    c = "x y"\n    d = ""\n    e = "include"\n    f = "a//b"\n    g = "${x}"\n',
    );
  });

  it('rejects values it cannot write instead of writing broken text', () => {
    const broken: JobConfig = { env: { n: Number.NaN }, source: [], transform: [], sink: [], other: {} };
    expect(() => renderHocon(broken)).toThrow(RangeError);
    const badName: JobConfig = { ...broken, env: { s: { $substitution: 'a b' } } };
    expect(() => renderHocon(badName)).toThrow('cannot write the substitution name "a b"');
  });
});

describe('renderJson', () => {
  it('writes the REST submit-job form with substitutions as ${var} text and exact numbers as written', () => {
    const { config } = hocon(
      'env { job.mode = BATCH }\nsource { FakeSource {\n  plugin_output = fake\n  id = 9223372036854775807\n  url = "jdbc:mysql://"${host}"/db"\n  user = ${user:root}\n} }\nsink { Console { plugin_input = [fake] } }',
    );
    expect(renderJson(config)).toBe(
      [
        '{',
        '  "env": {',
        '    "job": {',
        '      "mode": "BATCH"',
        '    }',
        '  },',
        '  "source": [',
        '    {',
        '      "plugin_name": "FakeSource",',
        '      "plugin_output": "fake",',
        '      "id": 9223372036854775807,',
        '      "url": "jdbc:mysql://${host}/db",',
        '      "user": "${user:root}"',
        '    }',
        '  ],',
        '  "transform": [],',
        '  "sink": [',
        '    {',
        '      "plugin_name": "Console",',
        '      "plugin_input": ["fake"]',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(renderJson(config))).toMatchObject({ source: [{ plugin_name: 'FakeSource' }] });
  });
});

describe('configsEqual', () => {
  const base = (): JobConfig =>
    hocon('env { a = 1, b { c = [1, x] } }\nsource { A { u = ${h} } }\nsink { B {} }').config;

  it('ignores positions and the order of object keys', () => {
    const reordered = hocon(
      'env {\n\n  b.c = [1, x]\n  a = 1.0\n}\nsource {\n  A { u = ${h} }\n}\nsink { B {} }',
    ).config;
    expect(configsEqual(base(), reordered)).toBe(true);
  });

  it('sees changed values, plugin order and plugin names', () => {
    expect(
      configsEqual(base(), hocon('env { a = 2, b { c = [1, x] } }\nsource { A { u = ${h} } }\nsink { B {} }').config),
    ).toBe(false);
    expect(
      configsEqual(base(), hocon('env { a = 1, b { c = [1, x] } }\nsource { a { u = ${h} } }\nsink { B {} }').config),
    ).toBe(false);
    expect(
      configsEqual(base(), hocon('env { a = "1", b { c = [1, x] } }\nsource { A { u = ${h} } }\nsink { B {} }').config),
    ).toBe(false);
  });

  it('equates a substitution with its ${...} text, as the JSON form writes it', () => {
    expect(
      configsEqual(base(), hocon('env { a = 1, b { c = [1, x] } }\nsource { A { u = "${h}" } }\nsink { B {} }').config),
    ).toBe(true);
  });

  it('compares exact numbers by value', () => {
    const a = hocon('env { n = 9223372036854775807 }').config;
    expect(configsEqual(a, hocon('env { n = 9.223372036854775807e18 }').config)).toBe(true);
    expect(configsEqual(a, hocon('env { n = 9223372036854775806 }').config)).toBe(false);
  });
});

describe('options and positions', () => {
  it('reads an option by its flat or its nested key, as SeaTunnel does', () => {
    expect(getOption(hocon('env { job.mode = BATCH }').config.env, 'job.mode')).toBe('BATCH');
    expect(getOption(parseJobConfig('{"env":{"job.mode":"STREAMING"}}', 'JSON').config.env, 'job.mode')).toBe(
      'STREAMING',
    );
    expect(getOption({}, 'constructor')).toBeUndefined();
  });

  it('gives the position of each option key', () => {
    const { config } = hocon('source {\n  Jdbc {\n    url = x\n    properties {\n      ssl = true\n    }\n  }\n}');
    const options = config.source[0]!.options;
    expect(positionOf(options, 'url')).toEqual({ line: 3, column: 5 });
    expect(positionOf(options.properties as Record<string, never>, 'ssl')).toEqual({ line: 5, column: 7 });
  });
});
