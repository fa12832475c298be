import { describe, expect, it } from 'vitest';
import { parseDataType } from '../row.js';
import { convertValue, decimalText } from './fake-schema.js';

const convert = (value: Parameters<typeof convertValue>[0], type: string) =>
  convertValue(value, parseDataType(type), 'v');

describe('config values converted to row values', () => {
  it('writes decimals with the column scale, rounding half up, and refuses too many integer digits', () => {
    expect(decimalText('1.5', 10, 2)).toBe('1.50');
    expect(decimalText('-0.005', 10, 2)).toBe('-0.01');
    expect(decimalText('-0.004', 10, 2)).toBe('0.00');
    expect(decimalText('9.995', 3, 2)).toBeUndefined();
    expect(decimalText('9.994', 3, 2)).toBe('9.99');
    expect(decimalText('1e-7', 10, 8)).toBe('0.00000010');
    expect(decimalText('12E3', 10, 0)).toBe('12000');
    expect(convert({ $number: '12345678901234567890123456789.123456789' }, 'decimal(38, 9)')).toBe(
      '12345678901234567890123456789.123456789',
    );
  });

  it('keeps every digit of a bigint and checks integer ranges', () => {
    expect(convert({ $number: '-9223372036854775808' }, 'bigint')).toBe(-9223372036854775808n);
    expect(() => convert({ $number: '9223372036854775808' }, 'bigint')).toThrow(
      'v: 9223372036854775808 is not within the bigint range',
    );
    expect(convert('-32768', 'smallint')).toBe(-32768);
    expect(() => convert(1.5, 'int')).toThrow('v: 1.5 is not a whole number (int)');
  });

  it('normalises dates, times and timestamps, shifting zoned timestamps to UTC', () => {
    expect(convert('2024-2-9', 'date')).toBe('2024-02-09');
    expect(convert('7:05', 'time')).toBe('07:05:00');
    expect(convert('23:59:59.1234567', 'time')).toBe('23:59:59.123456');
    expect(convert('2024-01-01T10:00:00', 'timestamp')).toBe('2024-01-01 10:00:00');
    expect(convert('2024-01-01 01:30:00+02:00', 'timestamp_tz')).toBe('2023-12-31 23:30:00+00');
    expect(convert('0001-01-01 00:00:00.5Z', 'timestamp_tz')).toBe('0001-01-01 00:00:00.5+00');
    expect(() => convert('2024-01-01 10:00:00+01', 'timestamp')).toThrow('is not a timestamp');
    expect(convert('CURRENT_DATE', 'date')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('reads strings, booleans, bytes, arrays, maps and rows', () => {
    expect(convert(12, 'string')).toBe('12');
    expect(convert({ a: [1, 2] }, 'string')).toBe('{"a":[1,2]}');
    expect(convert('TRUE', 'boolean')).toBe(true);
    expect(convert([104, 105], 'bytes')).toEqual(Buffer.from('hi'));
    expect(convert({ '1': ['a'], '2': [] }, 'map<int, array<string>>')).toEqual(
      new Map([
        [1, ['a']],
        [2, []],
      ]),
    );
    expect(convert({ b: 'x' }, '{a = int, b = string}')).toEqual([null, 'x']);
    expect(() => convert({ c: 1 }, '{a = int}')).toThrow('v: "c" is not a field of {a=int}');
    expect(() => convert([1, 2], '{a = int}')).toThrow('is not a row of 1 fields (a)');
    expect(convert(null, 'int')).toBeNull();
  });
});
