import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TableSchema } from '../../row.js';
import { chooseSplitKey, defaultSplitCount, rangeConditions, type RangeRequest } from './source-splits.js';

/** Evaluates a condition made of `k >= n`, `k < n`, `k <= n`, `k IS NULL` joined by AND. */
function matches(condition: string, value: number | bigint | null): boolean {
  if (condition === '') return true;
  return condition.split(' AND ').every((part) => {
    const m = /^k (>=|<=|<|IS NULL)\s*(.*)$/.exec(part);
    if (!m) throw new Error(`unexpected condition ${part}`);
    if (m[1] === 'IS NULL') return value === null;
    if (value === null) return false;
    const bound = m[2]!;
    const v = typeof value === 'bigint' ? value : value;
    const b = typeof value === 'bigint' ? BigInt(bound) : Number(bound);
    if (m[1] === '>=') return v >= b;
    if (m[1] === '<=') return v <= b;
    return v < b;
  });
}

const request = (over: Partial<RangeRequest>): RangeRequest => ({
  column: 'k',
  min: '0',
  max: '99',
  count: 4,
  lowerGiven: false,
  upperGiven: false,
  nullable: false,
  ...over,
});

describe('rangeConditions', () => {
  it('cuts an integer range into equal half-open ranges with open ends', () => {
    expect(rangeConditions(request({}))).toEqual(['k < 25', 'k >= 25 AND k < 50', 'k >= 50 AND k < 75', 'k >= 75']);
  });

  it('adds a split for NULL keys', () => {
    expect(rangeConditions(request({ count: 2, nullable: true }))).toEqual(['k < 50', 'k >= 50', 'k IS NULL']);
  });

  it('limits the rows to given bounds', () => {
    expect(rangeConditions(request({ count: 2, lowerGiven: true, upperGiven: true, nullable: true }))).toEqual([
      'k >= 0 AND k < 50',
      'k >= 50 AND k <= 99',
    ]);
  });

  it('never cuts more ranges than there are values', () => {
    expect(rangeConditions(request({ min: '5', max: '7', count: 10 }))).toEqual([
      'k < 6',
      'k >= 6 AND k < 7',
      'k >= 7',
    ]);
    expect(rangeConditions(request({ min: '5', max: '5', count: 10 }))).toEqual(['']);
  });

  it('uses exact arithmetic beyond 2^53', () => {
    const conditions = rangeConditions(request({ min: '18446744073709551600', max: '18446744073709551615', count: 2 }));
    expect(conditions).toEqual(['k < 18446744073709551608', 'k >= 18446744073709551608']);
  });

  it('selects every integer exactly once', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.array(fc.option(fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n })), { maxLength: 30 }),
        (lo, width, count, nullable, extra) => {
          const hi = lo + width;
          const conditions = rangeConditions(request({ min: String(lo), max: String(hi), count, nullable }));
          const probes: (bigint | null)[] = [lo, hi, lo + width / 2n, lo - 1n, hi + 1n, ...extra];
          for (const v of probes) {
            if (v === null && !nullable) continue;
            expect(conditions.filter((c) => matches(c, v)).length).toBe(1);
          }
        },
      ),
    );
  });

  it('selects every double exactly once', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.double({ min: -2e6, max: 2e6, noNaN: true }), { maxLength: 30 }),
        (lo, width, count, probes) => {
          const conditions = rangeConditions(request({ min: String(lo), max: String(lo + width), count }));
          for (const v of [lo, lo + width, ...probes]) {
            expect(conditions.filter((c) => matches(c, v)).length).toBe(1);
          }
        },
      ),
    );
  });
});

describe('chooseSplitKey', () => {
  const schema = (over: Partial<TableSchema>): TableSchema => ({
    path: { table: 't' },
    fields: [
      { name: 'id', type: { kind: 'bigint' }, nullable: false },
      { name: 'code', type: { kind: 'string' }, nullable: false },
      { name: 'n', type: { kind: 'decimal', precision: 20, scale: 0 }, nullable: true },
    ],
    ...over,
  });

  it('takes a single-column integer primary key, else unique key', () => {
    expect(chooseSplitKey(schema({ primaryKey: ['id'] }))).toBe('id');
    expect(chooseSplitKey(schema({ primaryKey: ['code'], uniqueKeys: [['id', 'code'], ['n']] }))).toBe('n');
    expect(chooseSplitKey(schema({ primaryKey: ['id', 'code'] }))).toBeUndefined();
    expect(chooseSplitKey(schema({}))).toBeUndefined();
  });
});

describe('defaultSplitCount', () => {
  it('reads in one go with one reader, a few splits per reader otherwise, split.size when set', () => {
    expect(defaultSplitCount({ parallelism: 1, estimatedRows: 1_000_000 })).toBe(1);
    expect(defaultSplitCount({ parallelism: 3 })).toBe(12);
    expect(defaultSplitCount({ parallelism: 1, estimatedRows: 1_000_000, splitSize: 8096 })).toBe(124);
    expect(defaultSplitCount({ parallelism: 4, estimatedRows: 10, splitSize: 8096 })).toBe(4);
  });
});
