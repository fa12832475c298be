import { describe, expect, it } from 'vitest';
import { parseDataType, valuesEqual, type Value } from '../../row.js';
import {
  TEXT_SEPARATORS,
  jsonToValue,
  normalizeDecimal,
  parseJsonText,
  parseScalar,
  parseTextValue,
  renderJsonValue,
  renderTextValue,
  type TextCodec,
} from './values.js';

const codec: TextCodec = { separators: [',', ...TEXT_SEPARATORS.slice(1)], formats: {} };

describe('decimals', () => {
  it('keeps exact text at the declared scale, rounding half up, and refuses what does not fit', () => {
    expect(normalizeDecimal('12.5', 10, 2)).toEqual({ value: '12.50' });
    expect(normalizeDecimal('+0012.345', 10, 2)).toEqual({ value: '12.35' });
    expect(normalizeDecimal('-0.004', 10, 2)).toEqual({ value: '0.00' });
    expect(normalizeDecimal('-0.005', 10, 2)).toEqual({ value: '-0.01' });
    expect(normalizeDecimal('1.5e3', 10, 0)).toEqual({ value: '1500' });
    expect(normalizeDecimal('15E-4', 10, 4)).toEqual({ value: '0.0015' });
    expect(normalizeDecimal('.5', 3, 1)).toEqual({ value: '0.5' });
    expect(normalizeDecimal('99.995', 4, 2)).toEqual({ problem: 'range' });
    expect(normalizeDecimal('12345678901234567890123456789012345678', 38, 0)).toEqual({
      value: '12345678901234567890123456789012345678',
    });
    expect(normalizeDecimal('12x', 10, 2)).toEqual({ problem: 'syntax' });
    expect(normalizeDecimal('.', 10, 2)).toEqual({ problem: 'syntax' });
  });
});

describe('scalars from text', () => {
  it('takes decimals already in their normal form as they are, and checks them all the same', () => {
    const d = parseDataType('decimal(4, 2)');
    expect(parseScalar('12.50', d, {})).toBe('12.50');
    expect(parseScalar('-0.00', d, {})).toBe('0.00');
    expect(parseScalar('007.5', d, {})).toBe('7.50');
    expect(() => parseScalar('123.45', d, {})).toThrow('123.45 is out of range for decimal(4,2)');
    expect(() => parseScalar('5.12', parseDataType('decimal(2, 2)'), {})).toThrow('out of range');
    expect(parseScalar('0.12', parseDataType('decimal(2, 2)'), {})).toBe('0.12');
  });

  it('checks integer ranges and spells out what is wrong', () => {
    expect(parseScalar(' 127 ', parseDataType('tinyint'), {})).toBe(127);
    expect(() => parseScalar('128', parseDataType('tinyint'), {})).toThrow(
      '128 is out of range for tinyint (-128 to 127)',
    );
    expect(parseScalar('-9223372036854775808', parseDataType('bigint'), {})).toBe(-9223372036854775808n);
    expect(() => parseScalar('9223372036854775808', parseDataType('bigint'), {})).toThrow('out of range for bigint');
    expect(() => parseScalar('1.0', parseDataType('int'), {})).toThrow('"1.0" is not an int');
    expect(parseScalar('TRUE', parseDataType('boolean'), {})).toBe(true);
    expect(() => parseScalar('yes', parseDataType('boolean'), {})).toThrow('"yes" is not a boolean');
    expect(parseScalar('-1.5e3', parseDataType('double'), {})).toBe(-1500);
    expect(parseScalar('NaN', parseDataType('float'), {})).toBeNaN();
    expect(() => parseScalar('1,5', parseDataType('double'), {})).toThrow('"1,5" is not a double');
  });
});

describe('text nesting', () => {
  it('round-trips nested arrays, maps and rows with one separator per level', () => {
    const type = parseDataType('map<string, array<int>>');
    const value = new Map<Value, Value>([
      ['a', [1, 2]],
      ['b', [null, 3]],
    ]);
    const text = renderTextValue(value, type, codec);
    expect(text).toBe('a\u00031\u00042\u0002b\u0003\u00043');
    expect(valuesEqual(parseTextValue(text, type, codec), value)).toBe(true);

    const row = parseDataType('{id = int, tags = array<string>, inner = {d = date}}');
    const rowValue: Value[] = [1, ['x', 'y'], ['2024-01-02']];
    const rowText = renderTextValue(rowValue, row, codec);
    expect(rowText).toBe('1\u0002x\u0003y\u00022024-01-02');
    expect(parseTextValue(rowText, row, codec)).toEqual(rowValue);
  });

  it('names the nested field of a bad value', () => {
    const row = parseDataType('{id = int, tags = array<int>}');
    expect(() => parseTextValue('1\u00022\u0003x', row, codec)).toThrow(
      expect.objectContaining({ path: ['tags', '1'], detail: '"x" is not an int' }),
    );
  });
});

describe('json', () => {
  it('keeps the digits of big integers and decimals, both ways', () => {
    const node = parseJsonText('{"id": 9223372036854775807, "amount": 0.1000000000000000055511151231257827}');
    const object = node as Record<string, unknown>;
    expect(jsonToValue(object.id, parseDataType('bigint'), {})).toBe(9223372036854775807n);
    expect(jsonToValue(object.amount, parseDataType('decimal(38, 34)'), {})).toBe(
      '0.1000000000000000055511151231257827',
    );
    expect(jsonToValue(object.amount, parseDataType('string'), {})).toBe('0.1000000000000000055511151231257827');
    expect(renderJsonValue(9223372036854775807n, parseDataType('bigint'), {})).toBe('9223372036854775807');
    expect(renderJsonValue(Number.NaN, parseDataType('double'), {})).toBe('"NaN"');
    expect(jsonToValue('NaN', parseDataType('double'), {})).toBeNaN();
  });

  it('reads strings for numbers, containers as JSON text for strings, and refuses mismatches', () => {
    expect(jsonToValue('42', parseDataType('int'), {})).toBe(42);
    // Numbers in string fields read as JavaScript (and Jackson) print them; long ones keep their digits.
    expect(jsonToValue(parseJsonText('{"a": [1, 2.50]}'), parseDataType('string'), {})).toBe('{"a":[1,2.5]}');
    expect(jsonToValue(parseJsonText('{"a": [12345678901234567890]}'), parseDataType('string'), {})).toBe(
      '{"a":[12345678901234567890]}',
    );
    expect(jsonToValue(12.5, parseDataType('decimal(5, 2)'), {})).toBe('12.50');
    expect(() => jsonToValue(1.5, parseDataType('int'), {})).toThrow('"1.5" is not an int');
    expect(() => jsonToValue(true, parseDataType('int'), {})).toThrow('true is not an int');
    expect(() => jsonToValue('not base64!', parseDataType('bytes'), {})).toThrow('is not base64 text');
    expect(jsonToValue(parseJsonText('{"A": 1}'), parseDataType('{a = int}'), {})).toEqual([1]);
  });
});
