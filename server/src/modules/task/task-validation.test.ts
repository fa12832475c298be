import { describe, expect, it } from 'vitest';
import { parseJobConfig } from '../job-config/index.js';
import { suggestedEngine, validateJobConfig } from './task-validation.js';
import { TaskEngine } from './task.entity.js';

const check = (hocon: string, engine = TaskEngine.EMBEDDED) =>
  validateJobConfig(parseJobConfig(hocon, 'HOCON').config, { engine, variables: [], datasources: [] });
const errors = (hocon: string, engine?: TaskEngine) =>
  check(hocon, engine)
    .filter((d) => d.severity === 'ERROR')
    .map((d) => d.message);

describe('validateJobConfig', () => {
  it('finds a cycle among transforms and a table produced twice', () => {
    const found = errors(`
      source { FakeSource { plugin_output = "a" } }
      transform {
        Sql { plugin_input = "c", plugin_output = "b", query = "select * from c" }
        Sql { plugin_input = "b", plugin_output = "c", query = "select * from b" }
        Filter { plugin_input = "a", plugin_output = "a", include_fields = [x] }
      }
      sink { Console { plugin_input = "b" } }`);
    expect(found).toContainEqual(expect.stringMatching(/read each other in a cycle: Sql → Sql → Sql/));
    expect(found).toContainEqual('Two plugins produce table "a"');
  });

  it('checks option types, enum values, required options and one-of groups', () => {
    const found = errors(`
      source { Jdbc { url = "jdbc:mysql://h/db", driver = "com.mysql.cj.jdbc.Driver", fetch_size = "many" } }
      sink { Jdbc { url = "u", driver = "d", schema_save_mode = SOMETIMES, batch_size = 1.5 } }`);
    expect(found).toEqual(
      expect.arrayContaining([
        'Jdbc option fetch_size must be a whole number',
        'Jdbc needs one of query, table_path, table_list',
        expect.stringMatching(/^Jdbc option schema_save_mode must be one of RECREATE_SCHEMA, .* not "SOMETIMES"$/),
        'Jdbc option batch_size must be a whole number',
      ]),
    );
  });

  it('asks a FakeSource for its schema (or tables_configs), as its run would', () => {
    expect(errors('source { FakeSource { plugin_output = "f" } }\nsink { Console { plugin_input = "f" } }')).toContain(
      'FakeSource needs one of schema, tables_configs',
    );
    expect(
      errors('source { FakeSource { plugin_output = "f", schema = { fields { id = int } } } }\nsink { Console {} }'),
    ).toEqual([]);
  });

  it('says a sink is not a source, and keeps options it does not know as warnings', () => {
    const all = check(`source { Console {} }\nsink { Console { colour = blue } }`);
    expect(all).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', message: 'Console is a sink, not a source', line: 1 }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        severity: 'WARNING',
        message: expect.stringContaining('no documented option "colour"'),
      }),
    );
  });

  it('leaves the placeholders SeaTunnel fills itself out of the variables that need values', () => {
    const all = check(`
      source { FakeSource { plugin_output = "f", row.num = \${rows} } }
      sink { LocalFile { plugin_input = "f", path = "/out", partition_dir_expression = "\${k0}=\${v0}", file_name_expression = "\${transactionId}_\${now}" } }`);
    const variables = all.filter((d) => d.message.startsWith('Variable'));
    expect(variables.map((d) => d.message)).toEqual(['Variable rows has no default: every run must give it a value']);
  });

  it('suggests the embedded engine only when it runs every plugin', () => {
    expect(suggestedEngine(parseJobConfig('source { FakeSource {} }\nsink { Console {} }', 'HOCON').config)).toBe(
      TaskEngine.EMBEDDED,
    );
    expect(suggestedEngine(parseJobConfig('source { MySQL-CDC {} }\nsink { Console {} }', 'HOCON').config)).toBe(
      TaskEngine.SEATUNNEL,
    );
    expect(errors('source { Kafka { topic = t } }\nsink { Console {} }')).toContainEqual(
      expect.stringMatching(/embedded engine has no source plugin "Kafka"/),
    );
    expect(errors('source { Kafka { topic = t } }\nsink { Console {} }', TaskEngine.SEATUNNEL)).toEqual([]);
  });
});
