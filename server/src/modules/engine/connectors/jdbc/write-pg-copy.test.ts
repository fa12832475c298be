import { describe, expect, it } from 'vitest';
import type { DataType } from '../../row.js';
import { escapeCopyText, pgArrayLiteral, pgCopyEncoder } from './write-pg-copy.js';
import { encodeTextRows, RowEncodeError } from './write-values.js';

const enc = (type: DataType) => pgCopyEncoder(type);

describe('PostgreSQL COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText(`"quotes" 'and' 😀 ü`)).toBe(`"quotes" 'and' 😀 ü`);
    expect(escapeCopyText('')).toBe('');
  });

  it('refuses the NUL character, which PostgreSQL text cannot hold', () => {
    expect(() => escapeCopyText('a\0b')).toThrow(/NUL/);
  });

  it('writes NULL as \\N and an empty string as an empty field', () => {
    const encoders = [enc({ kind: 'string' }), enc({ kind: 'string' })];
    expect(
      encodeTextRows(
        [
          [null, ''],
          ['', null],
        ],
        encoders,
      ).toString(),
    ).toBe('\\N\t\n\t\\N\n');
  });

  it('encodes each type in PostgreSQL text form', () => {
    expect(enc({ kind: 'boolean' })(true)).toBe('t');
    expect(enc({ kind: 'boolean' })(false)).toBe('f');
    expect(enc({ kind: 'bigint' })(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(enc({ kind: 'int' })(2147483647)).toBe('2147483647');
    expect(enc({ kind: 'double' })(NaN)).toBe('NaN');
    expect(enc({ kind: 'double' })(-Infinity)).toBe('-Infinity');
    expect(enc({ kind: 'double' })(0.1)).toBe('0.1');
    expect(enc({ kind: 'decimal', precision: 38, scale: 18 })('-12345678901234567890.123456789012345678')).toBe(
      '-12345678901234567890.123456789012345678',
    );
    expect(enc({ kind: 'bytes' })(Buffer.from([0, 9, 10, 92, 255]))).toBe('\\\\x00090a5cff');
    expect(enc({ kind: 'timestamp_tz' })('2024-02-29 23:59:59.999999+00')).toBe('2024-02-29 23:59:59.999999+00');
    expect(enc({ kind: 'map', key: { kind: 'string' }, value: { kind: 'int' } })(new Map([['a\tb', 1]]))).toBe(
      '{"a\\\\tb":1}',
    );
  });

  it('writes arrays as literals with every element quoted, and NULL elements bare', () => {
    const type = { kind: 'array', element: { kind: 'string' } } as const;
    expect(pgArrayLiteral(['a', null, 'NULL', 'x"y\\z', '', 'comma,brace}'], type)).toBe(
      '{"a",NULL,"NULL","x\\"y\\\\z","","comma,brace}"}',
    );
    // Through COPY the literal's backslashes are doubled again.
    expect(enc(type)(['x\\y'])).toBe('{"x\\\\\\\\y"}');
    expect(
      enc({ kind: 'array', element: { kind: 'array', element: { kind: 'int' } } })([
        [1, 2],
        [3, null],
      ]),
    ).toBe('{{"1","2"},{"3",NULL}}');
    expect(enc({ kind: 'array', element: { kind: 'boolean' } })([true, false])).toBe('{"t","f"}');
    // integer[] holds any number of dimensions: nested lists under a flat declared type.
    expect(
      enc({ kind: 'array', element: { kind: 'int' } })([
        [1, 2],
        [3, null],
      ]),
    ).toBe('{{"1","2"},{"3",NULL}}');
    expect(enc({ kind: 'array', element: { kind: 'bytes' } })([Buffer.from([1])])).toBe('{"\\\\\\\\x01"}');
    expect(pgArrayLiteral([], type)).toBe('{}');
  });

  it('writes arrays of rows as JSON', () => {
    const type: DataType = {
      kind: 'array',
      element: { kind: 'row', fields: [{ name: 'a', type: { kind: 'int' }, nullable: true }] },
    };
    expect(enc(type)([[1], [null]])).toBe('[{"a":1},{"a":null}]');
  });

  it('grows its buffer for rows longer than it, multi-byte characters included', () => {
    const long = '😀é\t'.repeat(300_000);
    const escaped = '😀é\\t'.repeat(300_000);
    expect(encodeTextRows([[long], ['x'], [long]], [enc({ kind: 'string' })]).toString()).toBe(
      `${escaped}\nx\n${escaped}\n`,
    );
  });

  it('picks and orders columns, and says which row and field failed', () => {
    const encoders = [enc({ kind: 'int' }), enc({ kind: 'string' })];
    expect(
      encodeTextRows(
        [
          [1, 'a'],
          [2, 'b'],
        ],
        encoders,
        [1],
      ).toString(),
    ).toBe('a\nb\n');
    let failure: unknown;
    try {
      encodeTextRows(
        [
          [1, 'ok'],
          [2, 'bad\0'],
        ],
        encoders,
      );
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(RowEncodeError);
    expect(failure).toMatchObject({ rowIndex: 1, position: 1 });
  });
});
