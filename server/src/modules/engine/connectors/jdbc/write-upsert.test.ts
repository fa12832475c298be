import { describe, expect, it } from 'vitest';
import {
  keyOf,
  lastPerKey,
  mysqlDeleteSql,
  mysqlInsertSql,
  pgMergeSql,
  reduceByKey,
  runsInOrder,
  splitPlaceholders,
  statementParameters,
  toPgPlaceholders,
  type PendingOp,
} from './write-upsert.js';

const op = (kind: PendingOp['kind'], id: number, v: string, rowNumber: number): PendingOp => ({
  kind,
  row: [id, v],
  rowNumber,
});

describe('change reduction', () => {
  it('keeps the last operation per key', () => {
    const { deletes, upserts } = reduceByKey(
      [
        op('upsert', 1, 'a', 1),
        op('upsert', 2, 'b', 2),
        op('delete', 1, 'a', 3),
        op('upsert', 2, 'c', 4),
        op('delete', 3, '', 5),
        op('upsert', 3, 'd', 6),
      ],
      [0],
    );
    expect(deletes.rows).toEqual([[1, 'a']]);
    expect(deletes.rowNumbers).toEqual([3]);
    expect(upserts.rows).toEqual([
      [2, 'c'],
      [3, 'd'],
    ]);
    expect(upserts.rowNumbers).toEqual([4, 6]);
  });

  it('tells keys apart by value, bytes by content', () => {
    expect(keyOf([Buffer.from([1])], [0])).toBe(keyOf([Buffer.from([1])], [0]));
    expect(keyOf([Buffer.from([1])], [0])).not.toBe(keyOf([Buffer.from([2])], [0]));
    expect(keyOf([1, 'a'], [0, 1])).not.toBe(keyOf(['1a', ''], [0, 1]));
    expect(keyOf([null], [0])).not.toBe(keyOf(['null'], [0]));
  });

  it('groups consecutive operations in order', () => {
    const runs = runsInOrder([
      op('insert', 1, 'a', 1),
      op('insert', 2, 'b', 2),
      op('delete', 1, 'a', 3),
      op('insert', 1, 'z', 4),
    ]);
    expect(runs.map((r) => [r.kind, r.rowNumbers])).toEqual([
      ['insert', [1, 2]],
      ['delete', [3]],
      ['insert', [4]],
    ]);
    expect(
      lastPerKey(
        {
          kind: 'update',
          rows: [
            [1, 'a'],
            [1, 'b'],
          ],
          rowNumbers: [7, 8],
        },
        [0],
      ),
    ).toEqual({
      kind: 'update',
      rows: [[1, 'b']],
      rowNumbers: [8],
    });
  });
});

describe('generated SQL', () => {
  it('merges on the key, updating every other column', () => {
    expect(pgMergeSql('"t"', '"s"', ['"id"', '"v"'], ['"id"'])).toBe(
      'INSERT INTO "t" ("id", "v") SELECT "id", "v" FROM "s" ON CONFLICT ("id") DO UPDATE SET "v" = EXCLUDED."v"',
    );
    expect(pgMergeSql('"t"', '"s"', ['"id"'], ['"id"'])).toMatch(/DO NOTHING$/);
  });

  it('upserts and deletes in MySQL', () => {
    expect(mysqlInsertSql('`t`', ['`id`', '`v`'], ['(1, 2)'], ['`id`'])).toBe(
      'INSERT INTO `t` (`id`, `v`) VALUES (1, 2) ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)',
    );
    expect(mysqlDeleteSql('`t`', ['`id`'], [['1'], ['NULL'], ['2']])).toBe(
      'DELETE FROM `t` WHERE `id` IN (1, 2) OR `id` IS NULL',
    );
    expect(mysqlDeleteSql('`t`', ['`a`', '`b`'], [['1', "'x'"]])).toBe(
      "DELETE FROM `t` WHERE (`a` <=> 1 AND `b` <=> 'x')",
    );
  });
});

describe('user statements', () => {
  it('finds ? outside strings, quoted names and comments', () => {
    expect(splitPlaceholders('INSERT INTO t VALUES (?, \'?\', "?", `?`, ?) -- ?\n/* ? */')).toEqual([
      'INSERT INTO t VALUES (',
      ', \'?\', "?", `?`, ',
      ') -- ?\n/* ? */',
    ]);
    expect(splitPlaceholders("VALUES ('it''s ?', 'a\\'?', ?)")).toHaveLength(2);
  });

  it('finds :name parameters, but not casts, times in strings or words with a colon inside', () => {
    expect(statementParameters("insert into s (a, b, c) values(:user_id, :name::text, '10:30')")).toEqual({
      pieces: ['insert into s (a, b, c) values(', ', ', "::text, '10:30')"],
      names: ['user_id', 'name'],
    });
    expect(statementParameters('select x::int, a:b from t').names).toEqual([]);
    expect(statementParameters('values (?, ?)').names).toEqual([undefined, undefined]);
  });

  it('numbers placeholders for PostgreSQL', () => {
    expect(toPgPlaceholders('INSERT INTO t (a, b) VALUES (?, ?)')).toEqual({
      text: 'INSERT INTO t (a, b) VALUES ($1, $2)',
      count: 2,
    });
  });
});
