import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../job-config/index.js';
import { PluginOptions, type PluginContext, type Transform } from '../plugin.js';
import { parseDataType, type RowBatch, type TableSchema, type Value } from '../row.js';
import {
  CopyTransform,
  FieldMapperTransform,
  FilterRowKindTransform,
  FilterTransform,
  ReplaceTransform,
} from './simple.js';

const context: PluginContext = {
  log: () => undefined,
  signal: new AbortController().signal,
  parallelism: 1,
  jobMode: 'BATCH',
  jobName: 'test',
  jobId: 'test-job',
};

const people: TableSchema = {
  path: { database: 'db', table: 'people' },
  fields: [
    { name: 'id', type: parseDataType('bigint'), nullable: false },
    { name: 'name', type: parseDataType('string'), nullable: true, length: 20 },
    { name: 'age', type: parseDataType('int'), nullable: true },
    { name: 'c_row', type: parseDataType('{c_int = int}'), nullable: true },
  ],
  primaryKey: ['id'],
  uniqueKeys: [['name'], ['age', 'name']],
  estimatedRows: 3,
};

const input = (): RowBatch => ({
  table: 0,
  rows: [
    [1n, 'Ann Lee', 30, [1]],
    [2n, null, 41, null],
  ],
});

/** Applies a transform and checks it left the input batch as it was. */
function apply(transform: Transform, batch: RowBatch): RowBatch | null {
  const before = structuredClone(batch);
  const out = transform.apply(batch);
  expect(batch).toEqual(before);
  return out;
}

const names = (schema: TableSchema) => schema.fields.map((f) => f.name);
const options = (plugin: string, raw: ConfigObject) => new PluginOptions(plugin, raw);

describe('FieldMapper', () => {
  it('keeps only the mapped fields, in the mapping’s order, renamed', () => {
    const t = new FieldMapperTransform(options('FieldMapper', { field_mapper: { age: 'years', id: 'key' } }));
    const [out] = t.open([people], context);
    expect(names(out!)).toEqual(['years', 'key']);
    expect(out!.fields[1]).toEqual({ ...people.fields[0], name: 'key' });
    expect(out!.primaryKey).toEqual(['key']);
    expect(out!.uniqueKeys).toBeUndefined();
    expect(out!.path).toEqual(people.path);
    expect(apply(t, input())!.rows).toEqual([
      [30, 1n],
      [41, 2n],
    ]);
  });

  it('names an unknown field and lists the available ones', () => {
    const t = new FieldMapperTransform(options('FieldMapper', { field_mapper: { nope: 'x' } }));
    expect(() => t.open([people], context)).toThrow(
      'FieldMapper: option "field_mapper.nope" names field "nope", which db.people does not have (fields: id, name, age, c_row)',
    );
  });
});

describe('Filter', () => {
  it('keeps include_fields in their listed order, and the old `fields` means the same', () => {
    for (const key of ['include_fields', 'fields']) {
      const t = new FilterTransform(options('Filter', { [key]: ['age', 'name', 'c_row'] }));
      const [out] = t.open([people], context);
      expect(names(out!)).toEqual(['age', 'name', 'c_row']);
      expect(out!.primaryKey).toBeUndefined();
      expect(out!.uniqueKeys).toEqual([['name'], ['age', 'name']]);
      expect(apply(t, input())!.rows).toEqual([
        [30, 'Ann Lee', [1]],
        [41, null, null],
      ]);
    }
  });

  it('drops exclude_fields and keeps the rest in schema order', () => {
    const t = new FilterTransform(options('Filter', { exclude_fields: ['c_row', 'name'] }));
    const [out] = t.open([people], context);
    expect(names(out!)).toEqual(['id', 'age']);
    expect(out!.primaryKey).toEqual(['id']);
    expect(apply(t, input())!.rows).toEqual([
      [1n, 30],
      [2n, 41],
    ]);
  });

  it('rejects both lists, neither, and unknown fields', () => {
    expect(() => new FilterTransform(options('Filter', { include_fields: ['id'], exclude_fields: ['age'] }))).toThrow(
      'Filter: option "include_fields" and exclude_fields cannot both be set',
    );
    expect(() => new FilterTransform(options('Filter', {}))).toThrow(
      'option "include_fields" or exclude_fields is required',
    );
    expect(() => new FilterTransform(options('Filter', { exclude_fields: ['x'] })).open([people], context)).toThrow(
      'option "exclude_fields" names field "x"',
    );
  });
});

describe('Copy', () => {
  it('appends copies named in `fields` at the end, nested rows included', () => {
    const t = new CopyTransform(options('Copy', { fields: { id_1: 'id', name2: 'name', c_row_1: 'c_row' } }));
    const [out] = t.open([people], context);
    expect(names(out!)).toEqual(['id', 'name', 'age', 'c_row', 'id_1', 'name2', 'c_row_1']);
    expect(out!.fields[5]).toEqual({ ...people.fields[1], name: 'name2' });
    expect(out!.primaryKey).toEqual(['id']);
    expect(apply(t, input())!.rows).toEqual([
      [1n, 'Ann Lee', 30, [1], 1n, 'Ann Lee', [1]],
      [2n, null, 41, null, 2n, null, null],
    ]);
  });

  it('accepts the old src_field / dest_field and refuses to overwrite a field', () => {
    const t = new CopyTransform(options('Copy', { src_field: 'name', dest_field: 'name1' }));
    expect(names(t.open([people], context)[0]!)).toEqual(['id', 'name', 'age', 'c_row', 'name1']);
    expect(() =>
      new CopyTransform(options('Copy', { src_field: 'name', dest_field: 'age' })).open([people], context),
    ).toThrow('Copy: option "dest_field" "age" is already a field of the table');
    expect(() => new CopyTransform(options('Copy', { fields: { x: 'missing' } })).open([people], context)).toThrow(
      'option "fields.x" names field "missing"',
    );
    expect(() => new CopyTransform(options('Copy', {}))).toThrow('option "src_field" is required');
  });
});

describe('Replace', () => {
  const replace = (raw: ConfigObject, value: Value) => {
    const t = new ReplaceTransform(options('Replace', { replace_field: 'name', ...raw }));
    t.open([people], context);
    return apply(t, { table: 0, rows: [[1n, value, 1, null]] })!.rows[0]![1];
  };

  it('replaces every plain occurrence, ignoring regex characters and replace_first', () => {
    expect(replace({ pattern: '.', replacement: '$&' }, 'a.b.c')).toBe('a$&b$&c');
    expect(replace({ pattern: 'a', replacement: 'x', replace_first: true }, 'banana')).toBe('bxnxnx');
  });

  it('replaces regex matches, all or the first, with Java-style $n and ${name} group references', () => {
    expect(replace({ pattern: '(\\w+) (\\w+)', replacement: '$2, $1', is_regex: true }, 'Ann Lee')).toBe('Lee, Ann');
    expect(replace({ pattern: 'n', replacement: 'N', is_regex: true, replace_first: true }, 'banana')).toBe('baNana');
    expect(replace({ pattern: '(?<v>[aeiou])', replacement: '<${v}>\\$', is_regex: true }, 'hi')).toBe('h<i>$');
  });

  it('keeps null values, leaves other fields and rows untouched', () => {
    expect(replace({ pattern: 'a', replacement: 'b' }, null)).toBeNull();
    const t = new ReplaceTransform(options('Replace', { replace_field: 'name', pattern: 'A', replacement: 'E' }));
    t.open([people], context);
    const batch = input();
    const out = apply(t, batch)!;
    expect(out.rows).toEqual([
      [1n, 'Enn Lee', 30, [1]],
      [2n, null, 41, null],
    ]);
    expect(out.rows[1]).toBe(batch.rows[1]);
  });

  it('works on string fields only, and names bad options', () => {
    expect(() =>
      new ReplaceTransform(options('Replace', { replace_field: 'age', pattern: '1', replacement: '2' })).open(
        [people],
        context,
      ),
    ).toThrow('Replace: option "replace_field" names "age", a int field: Replace works on string fields');
    expect(
      () =>
        new ReplaceTransform(
          options('Replace', { replace_field: 'name', pattern: '(', replacement: '', is_regex: true }),
        ),
    ).toThrow('Replace: option "pattern" is not a valid regular expression');
    expect(() => new ReplaceTransform(options('Replace', { replace_field: 'name', replacement: '' }))).toThrow(
      'Replace: option "pattern" is required',
    );
  });
});

describe('FilterRowKind', () => {
  const mixed = (): RowBatch => ({
    table: 0,
    rows: [[1], [2], [3], [4]],
    kinds: ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'],
    bytes: 40,
  });

  it('keeps included kinds or drops excluded ones', () => {
    const include = new FilterRowKindTransform(options('FilterRowKind', { include_kinds: ['INSERT', 'UPDATE_AFTER'] }));
    expect(include.open([people], context)).toEqual([people]);
    expect(apply(include, mixed())).toEqual({
      table: 0,
      rows: [[1], [3]],
      kinds: ['INSERT', 'UPDATE_AFTER'],
      bytes: 20,
    });
    const exclude = new FilterRowKindTransform(options('FilterRowKind', { exclude_kinds: ['DELETE'] }));
    expect(apply(exclude, mixed())!.rows).toEqual([[1], [2], [3]]);
  });

  it('treats a batch without kinds as all INSERT', () => {
    const exclude = new FilterRowKindTransform(options('FilterRowKind', { exclude_kinds: ['INSERT'] }));
    expect(apply(exclude, input())).toBeNull();
    const include = new FilterRowKindTransform(options('FilterRowKind', { include_kinds: ['INSERT'] }));
    expect(apply(include, input())!.rows).toHaveLength(2);
  });

  it('rejects both options, neither, and unknown kinds', () => {
    expect(
      () =>
        new FilterRowKindTransform(options('FilterRowKind', { include_kinds: ['INSERT'], exclude_kinds: ['DELETE'] })),
    ).toThrow('FilterRowKind: option "include_kinds" and exclude_kinds cannot both be set');
    expect(() => new FilterRowKindTransform(options('FilterRowKind', {}))).toThrow('or exclude_kinds is required');
    expect(() => new FilterRowKindTransform(options('FilterRowKind', { include_kinds: ['UPSERT'] }))).toThrow(
      'option "include_kinds" must list row kinds (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE), got "UPSERT"',
    );
  });
});

describe('every simple transform', () => {
  it('handles each input table with its own schema', () => {
    const other: TableSchema = {
      path: { table: 'other' },
      fields: [{ name: 'age', type: parseDataType('int'), nullable: true }],
    };
    const t = new CopyTransform(options('Copy', { fields: { age2: 'age' } }));
    const out = t.open([people, other], context);
    expect(out.map(names)).toEqual([
      ['id', 'name', 'age', 'c_row', 'age2'],
      ['age', 'age2'],
    ]);
    expect(apply(t, { table: 1, rows: [[5]] })!.rows).toEqual([[5, 5]]);
  });
});
