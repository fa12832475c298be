import { describe, expect, it } from 'vitest';
import type { PgTypeInfo } from './read-types.js';
import {
  mysqlColumn,
  mysqlPacketType,
  normalizeMysqlType,
  parsePgArray,
  pgType,
  shortestFloat32,
} from './read-types.js';

const my = (columnType: string) => mysqlColumn({ name: 'c', columnType, nullable: true });

describe('MySQL column types', () => {
  it.each([
    ['tinyint(1)', { kind: 'boolean' }, 'tinyint(1)'],
    ['tinyint(4)', { kind: 'tinyint' }, 'tinyint'],
    ['tinyint(3) unsigned', { kind: 'smallint' }, 'tinyint unsigned'],
    ['smallint(6)', { kind: 'smallint' }, 'smallint'],
    ['smallint(5) unsigned', { kind: 'int' }, 'smallint unsigned'],
    ['mediumint(9)', { kind: 'int' }, 'mediumint'],
    ['mediumint(8) unsigned', { kind: 'int' }, 'mediumint unsigned'],
    ['int(11)', { kind: 'int' }, 'int'],
    ['int(10) unsigned', { kind: 'bigint' }, 'int unsigned'],
    ['bigint(20)', { kind: 'bigint' }, 'bigint'],
    ['bigint(20) unsigned', { kind: 'decimal', precision: 20, scale: 0 }, 'bigint unsigned'],
    ['int(5) unsigned zerofill', { kind: 'bigint' }, 'int(5) unsigned zerofill'],
    ['decimal(12,2)', { kind: 'decimal', precision: 12, scale: 2 }, 'decimal(12,2)'],
    ['decimal(65,30) unsigned', { kind: 'decimal', precision: 65, scale: 30 }, 'decimal(65,30) unsigned'],
    ['float', { kind: 'float' }, 'float'],
    ['float(7,3) unsigned', { kind: 'float' }, 'float(7,3) unsigned'],
    ['double', { kind: 'double' }, 'double'],
    ['bit(1)', { kind: 'boolean' }, 'bit(1)'],
    ['bit(12)', { kind: 'bytes' }, 'bit(12)'],
    ['char(3)', { kind: 'string' }, 'char(3)'],
    ['varchar(64)', { kind: 'string' }, 'varchar(64)'],
    ['mediumtext', { kind: 'string' }, 'mediumtext'],
    ["enum('a','b(c)')", { kind: 'string' }, "enum('a','b(c)')"],
    ["set('x','y')", { kind: 'string' }, "set('x','y')"],
    ['json', { kind: 'string' }, 'json'],
    ['binary(16)', { kind: 'bytes' }, 'binary(16)'],
    ['varbinary(10)', { kind: 'bytes' }, 'varbinary(10)'],
    ['longblob', { kind: 'bytes' }, 'longblob'],
    ['date', { kind: 'date' }, 'date'],
    ['time(3)', { kind: 'time' }, 'time(3)'],
    ['datetime(6)', { kind: 'timestamp' }, 'datetime(6)'],
    ['timestamp', { kind: 'timestamp' }, 'timestamp'],
    ['year(4)', { kind: 'int' }, 'year'],
    ['point', { kind: 'string' }, 'point'],
  ])('maps %s', (columnType, type, sourceType) => {
    const column = my(columnType);
    expect(column.field.type).toEqual(type);
    expect(column.field.sourceType).toBe(sourceType);
    expect(column.field.sourceDialect).toBe('mysql');
  });

  it('keeps the character length of char types', () => {
    expect(my('varchar(64)').field.length).toBe(64);
    expect(my('char(3)').field.length).toBe(3);
    expect(my('text').field.length).toBeUndefined();
  });

  it('declares MariaDB JSON columns as json', () => {
    expect(mysqlColumn({ name: 'j', columnType: 'longtext', nullable: true, json: true }).field.sourceType).toBe(
      'json',
    );
  });

  it('decodes driver values into the row model', () => {
    expect(my('tinyint(1)').decode!(1)).toBe(true);
    expect(my('tinyint(1)').decode!(0)).toBe(false);
    expect(my('bit(1)').decode!(Buffer.from([1]))).toBe(true);
    expect(my('bit(1)').decode!(Buffer.from([0]))).toBe(false);
    expect(my('bigint').decode!('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(my('bigint').decode!(42)).toBe(42n);
    expect(my('int unsigned').decode!(4294967295)).toBe(4294967295n);
    expect(my('bigint unsigned').decode!('18446744073709551615')).toBe('18446744073709551615');
    expect(my('bigint unsigned').decode!(7)).toBe('7');
    expect(my('double').decode!('90454.67368196345')).toBe(90454.67368196345);
    expect(my('float').decode!('3.1415927410125732')).toBe(3.1415927);
    expect(my('date').decode!('0000-00-00')).toBeNull();
    expect(my('date').decode!('2020-00-10')).toBeNull();
    expect(my('date').decode!('2020-02-29')).toBe('2020-02-29');
    expect(my('datetime').decode!('0000-00-00 00:00:00')).toBeNull();
    expect(my('datetime(6)').decode!('1000-01-01 00:00:00.000001')).toBe('1000-01-01 00:00:00.000001');
    expect(my('varchar(10)').decode).toBeUndefined();
    expect(my('decimal(10,2)').decode).toBeUndefined();
  });

  it('drops integer display widths except tinyint(1) and zerofill', () => {
    expect(normalizeMysqlType('bigint(20) unsigned')).toBe('bigint unsigned');
    expect(normalizeMysqlType('tinyint(1)')).toBe('tinyint(1)');
    expect(normalizeMysqlType('tinyint(1) unsigned')).toBe('tinyint unsigned');
    expect(normalizeMysqlType('int(4) zerofill')).toBe('int(4) zerofill');
    expect(normalizeMysqlType('varchar(20)')).toBe('varchar(20)');
  });

  it('rebuilds column types from result column definitions', () => {
    const packet = (columnType: number, over: Record<string, unknown> = {}) =>
      mysqlPacketType({ name: 'c', columnType, flags: 0, decimals: 0, characterSet: 224, columnLength: 0, ...over });
    expect(packet(8, { flags: 32 }).columnType).toBe('bigint unsigned');
    expect(packet(1, { columnLength: 1 }).columnType).toBe('tinyint(1)');
    expect(packet(1, { columnLength: 4 }).columnType).toBe('tinyint');
    expect(packet(246, { columnLength: 14, decimals: 2 }).columnType).toBe('decimal(12,2)');
    expect(packet(253, { columnLength: 256 }).columnType).toBe('varchar(64)');
    expect(packet(253, { columnLength: 16, characterSet: 63 }).columnType).toBe('varbinary(16)');
    expect(packet(252, { columnLength: 262140 }).columnType).toBe('text');
    expect(packet(252, { columnLength: 65535, characterSet: 63 }).columnType).toBe('blob');
    expect(packet(12, { decimals: 3 }).columnType).toBe('datetime(3)');
    expect(packet(3, { flags: 1 }).nullable).toBe(false);
  });
});

describe('PostgreSQL types', () => {
  const types = new Map<number, PgTypeInfo>(
    (
      [
        [16, 'bool', 'b', 'B', 0],
        [20, 'int8', 'b', 'N', 0],
        [23, 'int4', 'b', 'N', 0],
        [700, 'float4', 'b', 'N', 0],
        [1700, 'numeric', 'b', 'N', 0],
        [1043, 'varchar', 'b', 'S', 0],
        [17, 'bytea', 'b', 'U', 0],
        [1184, 'timestamptz', 'b', 'D', 0],
        [1007, '_int4', 'b', 'A', 23],
        [1015, '_varchar', 'b', 'A', 1043],
        [3000, 'mood', 'e', 'E', 0],
      ] as const
    ).map(([oid, name, typtype, category, elem]) => [
      oid,
      { oid, name, typtype, category, elem, baseType: 0, baseTypmod: -1 },
    ]),
  );
  types.set(4000, {
    oid: 4000,
    name: 'positive',
    typtype: 'd',
    category: 'N',
    elem: 0,
    baseType: 23,
    baseTypmod: -1,
  });

  it('maps scalar types', () => {
    expect(pgType(16, -1, types).type).toEqual({ kind: 'boolean' });
    expect(pgType(20, -1, types).type).toEqual({ kind: 'bigint' });
    expect(pgType(1700, ((12 << 16) | 2) + 4, types).type).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(pgType(1700, -1, types).type).toEqual({ kind: 'decimal', precision: 38, scale: 18 });
    expect(pgType(1043, 68, types)).toMatchObject({ type: { kind: 'string' }, length: 64 });
    expect(pgType(1184, -1, types).type).toEqual({ kind: 'timestamp_tz' });
    expect(pgType(3000, -1, types).type).toEqual({ kind: 'string' });
    expect(pgType(4000, -1, types).type).toEqual({ kind: 'int' });
    expect(pgType(9999, -1, types).type).toEqual({ kind: 'string' });
  });

  it('maps and decodes arrays', () => {
    const ints = pgType(1007, -1, types);
    expect(ints.type).toEqual({ kind: 'array', element: { kind: 'int' } });
    expect(ints.decode!('{1,NULL,-3}')).toEqual([1, null, -3]);
    const texts = pgType(1015, -1, types);
    expect(texts.decode!('{a,"b c","NULL",NULL,"x\\"y\\\\z",""}')).toEqual(['a', 'b c', 'NULL', null, 'x"y\\z', '']);
  });

  it('decodes values', () => {
    expect(pgType(16, -1, types).decode!('t')).toBe(true);
    expect(pgType(20, -1, types).decode!('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(pgType(17, -1, types).decode!('\\x00ff')).toEqual(Buffer.from([0, 255]));
    expect(pgType(700, -1, types).decode!('3.1415927')).toBe(3.1415927);
    expect(pgType(700, -1, types).decode!('-Infinity')).toBe(-Infinity);
  });
});

describe('parsePgArray', () => {
  it('parses nested, empty and bounded arrays', () => {
    expect(parsePgArray('{}')).toEqual([]);
    expect(parsePgArray('{{1,2},{3,4}}', Number)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parsePgArray('[0:1]={7,8}', Number)).toEqual([7, 8]);
    expect(parsePgArray('{"{a}","a,b"}')).toEqual(['{a}', 'a,b']);
  });

  it('rejects text that is not an array', () => {
    expect(() => parsePgArray('1,2')).toThrow(/not a PostgreSQL array/);
    expect(() => parsePgArray('{"abc')).toThrow(/unterminated/);
  });
});

describe('shortestFloat32', () => {
  it('gives the shortest decimal of the 32-bit float', () => {
    expect(shortestFloat32(3.1415927410125732)).toBe(3.1415927);
    expect(shortestFloat32(0.10000000149011612)).toBe(0.1);
    expect(shortestFloat32(16777216)).toBe(16777216);
    expect(shortestFloat32(3.4028234663852886e38)).toBe(3.4028235e38);
    expect(shortestFloat32(1.401298464324817e-45)).toBe(1e-45);
    expect(shortestFloat32(Math.fround(1.1))).toBe(1.1);
    for (const x of [Math.fround(Math.PI), Math.fround(1 / 3), Math.fround(-2.5e-20), Math.fround(123456.789)]) {
      const shortest = shortestFloat32(x);
      expect(Math.fround(shortest)).toBe(x);
      expect(
        String(shortest)
          .replace(/^-|e.*$|\./g, '')
          .replace(/^0+/, '').length,
      ).toBeLessThanOrEqual(9);
    }
    expect(shortestFloat32(Infinity)).toBe(Infinity);
    expect(shortestFloat32(NaN)).toBeNaN();
  });
});
