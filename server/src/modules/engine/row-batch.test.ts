import { describe, expect, it } from 'vitest';
import { batchRowCount, lazyRowBatch, plainBatch, withTable, type Value } from './row.js';

describe('lazy row batches', () => {
  const make = () => {
    let decoded = 0;
    const text = { chunks: [Buffer.from('1\ta\n2\tb\n')], types: ['integer', 'text'] };
    const batch = lazyRowBatch(
      0,
      2,
      8,
      () => {
        decoded++;
        return [
          [1, 'a'],
          [2, 'b'],
        ] as Value[][];
      },
      text,
    );
    return { batch, text, decodedTimes: () => decoded };
  };

  it('counts rows and moves between tables without decoding', () => {
    const { batch, text, decodedTimes } = make();
    expect(batchRowCount(batch)).toBe(2);
    const moved = withTable(batch, 3);
    expect(moved.table).toBe(3);
    expect(moved.pgCopyText).toBe(text);
    expect(batchRowCount(moved)).toBe(2);
    expect(withTable(batch, 0)).toBe(batch);
    expect(decodedTimes()).toBe(0);
  });

  it('decodes once, on first use of rows', () => {
    const { batch, decodedTimes } = make();
    expect(batch.rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(batch.rows).toBe(batch.rows);
    expect(withTable(batch, 1).rows).toBe(batch.rows);
    expect(decodedTimes()).toBe(1);
  });

  it('gives consumers that may change rows a plain batch without the source text', () => {
    const { batch } = make();
    const plain = plainBatch(batch);
    expect(plain).toEqual({ table: 0, rows: batch.rows, bytes: 8 });
    expect(plain.pgCopyText).toBeUndefined();
    expect(plain.rowCount).toBeUndefined();
    const ordinary = { table: 0, rows: [[1]] };
    expect(plainBatch(ordinary)).toBe(ordinary);
  });
});
