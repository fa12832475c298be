import { describe, expect, it } from 'vitest';
import type { DataType } from '../../row.js';
import {
  escapeLoadText,
  loadDataSql,
  mysqlLiteralEncoder,
  mysqlLoadEncoder,
  mysqlString,
  type MysqlColumnWrite,
} from './write-mysql.js';
import { utcTimestampText } from './write-values.js';

const column = (type: DataType, extra: Partial<MysqlColumnWrite> = {}): MysqlColumnWrite => ({
  name: 'c',
  type,
  hex: type.kind === 'bytes',
  bit: false,
  ...extra,
});

describe('MySQL LOAD DATA encoding', () => {
  it('escapes backslash, tab, newline, carriage return and NUL', () => {
    expect(escapeLoadText('a\\b\tc\nd\re\0f')).toBe('a\\\\b\\tc\\nd\\re\\0f');
    expect(escapeLoadText('\\N')).toBe('\\\\N');
    expect(escapeLoadText('NULL')).toBe('NULL');
    expect(escapeLoadText(`"q" 'q' 😀`)).toBe(`"q" 'q' 😀`);
  });

  it('encodes values as MySQL reads them', () => {
    expect(mysqlLoadEncoder(column({ kind: 'boolean' }))(true)).toBe('1');
    expect(mysqlLoadEncoder(column({ kind: 'bigint' }))(18446744073709551615n)).toBe('18446744073709551615');
    expect(mysqlLoadEncoder(column({ kind: 'bytes' }))(Buffer.from([0, 9, 255]))).toBe('0009ff');
    expect(mysqlLoadEncoder(column({ kind: 'string' }, { hex: true }))('é')).toBe('c3a9');
    expect(mysqlLoadEncoder(column({ kind: 'boolean' }, { bit: true }))(true)).toBe('1');
    expect(mysqlLoadEncoder(column({ kind: 'timestamp_tz' }))('2024-01-01 00:00:00.5+00')).toBe(
      '2024-01-01 00:00:00.5',
    );
    expect(mysqlLoadEncoder(column({ kind: 'array', element: { kind: 'string' } }))(['a\tb'])).toBe('["a\\\\tb"]');
  });

  it('writes a 32-bit float with the digits of its exact value (MySQL range-checks the text as a double)', () => {
    expect(mysqlLoadEncoder(column({ kind: 'float' }))(3.4028235e38)).toBe('3.4028234663852886e+38');
    expect(Math.fround(Number(mysqlLiteralEncoder(column({ kind: 'float' }))(0.1)))).toBe(Math.fround(0.1));
    expect(mysqlLoadEncoder(column({ kind: 'double' }))(0.1)).toBe('0.1');
  });

  it('refuses NaN and infinity, which MySQL cannot store', () => {
    expect(() => mysqlLoadEncoder(column({ kind: 'double' }))(NaN)).toThrow(/NaN/);
    expect(() => mysqlLiteralEncoder(column({ kind: 'float' }))(Infinity)).toThrow(/Infinity/);
  });

  it('loads binary columns through UNHEX and BIT columns through CAST', () => {
    const sql = loadDataSql('`d`.`t`', [
      column({ kind: 'int' }, { name: 'id' }),
      column({ kind: 'bytes' }, { name: 'b' }),
      column({ kind: 'boolean' }, { name: 'f', bit: true }),
    ]);
    expect(sql).toBe(
      "LOAD DATA LOCAL INFILE 'sluice-rows.tsv' INTO TABLE `d`.`t` CHARACTER SET utf8mb4 " +
        "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`, @v1, @v2) " +
        'SET `b` = UNHEX(@v1), `f` = CAST(@v2 AS UNSIGNED)',
    );
  });
});

describe('MySQL literals', () => {
  it('quotes strings with backslash escapes', () => {
    expect(mysqlString(`it's a "q" \\ \n\r\t\0`)).toBe(`'it\\'s a \\"q\\" \\\\ \\n\\r\\t\\0'`);
    expect(mysqlString('plain')).toBe(`'plain'`);
  });

  it('writes numbers bare, decimals and dates quoted, bytes as hex', () => {
    expect(mysqlLiteralEncoder(column({ kind: 'int' }))(-5)).toBe('-5');
    expect(mysqlLiteralEncoder(column({ kind: 'decimal', precision: 5, scale: 2 }))('1.50')).toBe(`'1.50'`);
    expect(mysqlLiteralEncoder(column({ kind: 'date' }))('2024-02-29')).toBe(`'2024-02-29'`);
    expect(mysqlLiteralEncoder(column({ kind: 'bytes' }))(Buffer.alloc(0))).toBe(`X''`);
    expect(mysqlLiteralEncoder(column({ kind: 'bytes' }))(Buffer.from('hi'))).toBe(`X'6869'`);
  });
});

describe('utcTimestampText', () => {
  it('drops a zero offset and applies others', () => {
    expect(utcTimestampText('2024-01-01 10:00:00+00')).toBe('2024-01-01 10:00:00');
    expect(utcTimestampText('2024-01-01 10:00:00.123456+00:00')).toBe('2024-01-01 10:00:00.123456');
    expect(utcTimestampText('2024-01-01 01:30:00.25+02')).toBe('2023-12-31 23:30:00.25');
    expect(utcTimestampText('2024-01-01 23:00:00-05:30')).toBe('2024-01-02 04:30:00');
    expect(utcTimestampText('2024-01-01 10:00:00')).toBe('2024-01-01 10:00:00');
  });
});
