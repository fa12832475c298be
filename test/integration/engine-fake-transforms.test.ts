/**
 * SeaTunnel's own end-to-end configs for FakeSource, Assert, Console and the transforms, run by
 * the embedded engine as they are: each checks itself with the Assert sink.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runJob, type LogLine } from '../../server/src/modules/engine/index.js';
import { parseJobConfig } from '../../server/src/modules/job-config/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CORPUS = path.resolve(ROOT, '../shared/conformance/seatunnel-configs');

const FAKE = 'seatunnel-connector-v2-e2e__connector-fake-e2e__';
const TRANSFORMS = 'seatunnel-transforms-v2-e2e__seatunnel-transforms-v2-e2e-part-1__';

/** Configs that must succeed. */
const PASSING = [
  `${FAKE}fake_generic_row_type_to_assert.conf`,
  `${FAKE}fake_to_assert.conf`,
  `${FAKE}fake_to_assert_verify_flink_metrics.conf`,
  `${FAKE}fake_to_assert_with_catalogtable.conf`,
  `${FAKE}fake_to_assert_with_range.conf`,
  `${FAKE}fake_to_assert_with_tablenames.conf`,
  `${FAKE}fake_to_assert_with_template.conf`,
  `${FAKE}fake_to_console_with_multitable_mode.conf`,
  `${TRANSFORMS}copy_transform.conf`,
  `${TRANSFORMS}filter_row_kind_exclude_delete.conf`,
  `${TRANSFORMS}filter_row_kind_exclude_insert.conf`,
  `${TRANSFORMS}filter_row_kind_include_insert.conf`,
  `${TRANSFORMS}filter_transform.conf`,
  `${TRANSFORMS}rowkind_extractor_transform_case1.conf`,
  `${TRANSFORMS}rowkind_extractor_transform_case2.conf`,
  `${TRANSFORMS}split_transform.conf`,
  'seatunnel-engine-e2e__connector-console-seatunnel-e2e__fakesource_to_console.conf',
];

async function run(text: string) {
  const { config, diagnostics } = parseJobConfig(text, 'HOCON');
  expect(diagnostics.filter((d) => d.severity === 'ERROR')).toEqual([]);
  const logs: LogLine[] = [];
  const result = await runJob(config, { log: (line) => logs.push(line) });
  return { result, logs };
}

describe('the embedded engine runs SeaTunnel e2e configs for FakeSource, Assert, Console and the transforms', () => {
  it('finds the conformance configs', () => {
    expect(existsSync(CORPUS), `the conformance configs are missing: looked in ${CORPUS}`).toBe(true);
  });

  for (const file of PASSING) {
    const text = existsSync(path.join(CORPUS, file)) ? readFileSync(path.join(CORPUS, file), 'utf8') : '';
    it(`${file.replace(/^.*__/, '')} succeeds`, async () => {
      const { result, logs } = await run(text);
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      expect(result.status).toBe('SUCCEEDED');
      expect(result.metrics.rowsRead).toBeGreaterThan(0);
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    });
  }

  it('fails fake_to_assert_with_multitable_exception with ASSERTION_FAILED, as SeaTunnel expects', async () => {
    const text = readFileSync(path.join(CORPUS, `${FAKE}fake_to_assert_with_multitable_exception.conf`), 'utf8');
    const { result } = await run(text);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('ASSERTION_FAILED');
    // The sixth row is the one with score 200.
    expect(result.error?.message).toContain('field "score" rule MAX 100 failed: row 6 has 200');
  });

  it('fails a broken copy of fake_to_assert_with_range with ASSERTION_FAILED naming the rule', async () => {
    const text = readFileSync(path.join(CORPUS, `${FAKE}fake_to_assert_with_range.conf`), 'utf8');
    // Generated ints now reach 39, the Assert still says at most 29.
    const broken = text.replace('int.max = 29', 'int.max = 40').replace('int.min = 20', 'int.min = 30');
    expect(broken).not.toBe(text);
    const { result } = await run(broken);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('ASSERTION_FAILED');
    expect(result.error?.message).toMatch(/field "c_int" rule MAX 29 failed: row 1 has 3\d/);
  });

  it('prints every row on the console with its table and kind', async () => {
    const text = readFileSync(path.join(CORPUS, `${FAKE}fake_to_console_with_multitable_mode.conf`), 'utf8');
    const { result, logs } = await run(text);
    expect(result.status).toBe('SUCCEEDED');
    const rows = logs.filter((l) => l.message.includes('SeaTunnelRow#kind=INSERT'));
    expect(rows).toHaveLength(200);
    expect(rows.filter((l) => l.message.includes('SeaTunnelRow#tableId=test.table1 '))).toHaveLength(100);
    expect(rows.filter((l) => l.message.includes('SeaTunnelRow#tableId=test.table2 '))).toHaveLength(100);
    expect(logs.some((l) => l.message === 'output rowType of test.table1: id<bigint>, name<string>, age<int>')).toBe(
      true,
    );
  });

  it('runs two FakeSource readers with parallelism 2, each producing row.num rows', async () => {
    const text = readFileSync(
      path.join(CORPUS, 'seatunnel-engine-e2e__connector-console-seatunnel-e2e__fakesource_to_console.conf'),
      'utf8',
    );
    const { result } = await run(text);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.metrics.rowsRead).toBe(10);
    expect(result.metrics.rowsWritten).toBe(10);
  });
});
