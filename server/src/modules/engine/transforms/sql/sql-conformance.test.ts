/**
 * The SeaTunnel end-to-end configs in shared/conformance that use the Sql transform, run through
 * the engine. Their LocalFile inputs (lzo files on SeaTunnel's test image) are not here, so those
 * configs read the same schema from a FakeSource holding one matching and one other row: the
 * query must keep exactly the row their Assert sink expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJobConfig, type ConfigObject, type ConfigValue } from '../../../job-config/index.js';
import { runJob } from '../../runner.js';

const DIR = join(import.meta.dirname, '../../../../../../../shared/conformance/seatunnel-configs');
const PREFIX = 'seatunnel-connector-v2-e2e__';

function load(name: string) {
  if (!existsSync(DIR)) throw new Error(`the SeaTunnel conformance configs are missing: looked in ${DIR}`);
  const { config, diagnostics } = parseJobConfig(readFileSync(join(DIR, `${PREFIX}${name}.conf`), 'utf8'), 'HOCON');
  expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
  return config;
}

/** A value for each field of the conformance schema (the row type nests the same fields). */
function rowValues(cString: string, smallint: number, date: string): ConfigValue[] {
  const flat: ConfigValue[] = [
    { k: 'v' },
    [1, 2],
    cString,
    true,
    1,
    smallint,
    3,
    4,
    1.5,
    2.5,
    'Ynl0ZXM=',
    date,
    '1.500000000000000000',
    `${date} 10:11:12`,
  ];
  return [...flat, flat];
}

describe('Sql transform on the SeaTunnel conformance configs', () => {
  it('runs fake_to_assert (select * from fake) to a passing Assert', async () => {
    const config = load('connector-fake-e2e__fake_to_assert');
    expect(config.transform.map((t) => [t.plugin, t.options.query])).toEqual([['Sql', 'select * from fake']]);
    const result = await runJob(config);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
  });

  it.each([
    ['connector-file-local-e2e__json__local_file_json_lzo_to_console', 'WArEB', 15920, '2022-04-27'],
    ['connector-file-local-e2e__text__local_file_text_lzo_to_assert', 'MTDna', 13846, '2023-06-07'],
  ])('runs %s (select * where c_string = ...) to a passing Assert', async (name, cString, smallint, date) => {
    const config = load(name);
    const original = config.source[0]!.options;
    const rows = [
      { kind: 'INSERT', fields: rowValues('someone else', 1, '2000-01-01') },
      { kind: 'INSERT', fields: rowValues(cString, smallint, date) },
    ];
    const fake: ConfigObject = { schema: original.schema!, result_table_name: 'fake', rows };
    config.source = [{ plugin: 'FakeSource', options: fake }];
    expect(config.transform[0]!.options.query).toMatch(/^select \* from fake where c_string = '/);
    const result = await runJob(config);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
  });

  it('fails the Assert when the query keeps the wrong row (the check can fail)', async () => {
    const config = load('connector-file-local-e2e__text__local_file_text_lzo_to_assert');
    const original = config.source[0]!.options;
    const rows = [{ kind: 'INSERT', fields: rowValues('MTDna', 1, '2023-06-07') }];
    config.source = [{ plugin: 'FakeSource', options: { schema: original.schema!, result_table_name: 'fake', rows } }];
    const result = await runJob(config);
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toMatch(/c_smallint.*13846/);
  });
});
