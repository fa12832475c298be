import { describe, expect, it } from 'vitest';
import { MissingVariablesError, parseJobConfig, resolveVariables } from './index.js';

const parse = (text: string) => parseJobConfig(text, 'HOCON').config;

describe('resolveVariables', () => {
  it('fills substitutions, text placeholders and defaults; drops unset optional keys; keeps reserved placeholders', () => {
    const config = parse(`
env { job.name = \${name} }
source {
  Jdbc {
    url = "jdbc:mysql://"\${host}":3306/shop"
    query = "select * from t where day = '\${day:2024-01-01}'"
    fetch_size = \${?fetch}
    user = \${user:root}
  }
}
sink { Jdbc { table = "\${table_name}", database = \${db} } }
`);
    const resolved = resolveVariables(config, { name: 'nightly', host: 'db.local', db: 'dw' });
    expect(resolved.env).toEqual({ job: { name: 'nightly' } });
    expect(resolved.source[0]!.options).toEqual({
      url: 'jdbc:mysql://db.local:3306/shop',
      query: "select * from t where day = '2024-01-01'",
      user: 'root',
    });
    expect(resolved.sink[0]!.options).toEqual({ table: '${table_name}', database: 'dw' });
  });

  it('names every missing required variable with its position', () => {
    const config = parse('env { a = ${first} }\nsource { FakeSource { b = "x${second}y" } }\nsink { Console {} }');
    let error: unknown;
    try {
      resolveVariables(config, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingVariablesError);
    expect((error as Error).message).toMatch(/"first" \(line 1, column \d+\), "second" \(line 2, column \d+\)/);
  });
});
