import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataType, type Field } from '../../row.js';
import type { Dialect } from './connection.js';
import { applyFieldIde, columnDefinitions, columnType, createTableStatements, DATA_TYPE_KINDS } from './ddl.js';

const DOC = readFileSync(path.resolve(import.meta.dirname, '../../../../../../docs/type-mapping.md'), 'utf8');

/** The rows of the markdown table under a "## heading", as cell arrays. */
function docTable(heading: string): string[][] {
  const start = DOC.indexOf(`## ${heading}\n`);
  if (start < 0) throw new Error(`docs/type-mapping.md has no section "${heading}"`);
  const rest = DOC.slice(start).split('\n').slice(1);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of rest) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows.slice(2); // header and separator
}

const code = (cell: string) => {
  const match = /`([^`]+)`/.exec(cell);
  if (!match) throw new Error(`no code span in "${cell}"`);
  return match[1]!;
};

/** A field from a "row type" cell: `type` with optional "(length n)" and "(key)". */
function fieldOf(cell: string, extra: Partial<Field> = {}): { field: Field; key: boolean } {
  const length = /\(length (\d+)\)/.exec(cell)?.[1];
  const field: Field = { name: 'c', type: parseDataType(code(cell)), nullable: true, ...extra };
  if (length) field.length = Number(length);
  return { field, key: /\(key\)/.test(cell) };
}

describe('docs/type-mapping.md agrees with the code', () => {
  it('has a row for every row-type kind in the first table', () => {
    const kinds = new Set(docTable('Row type → target column').map((r) => parseDataType(code(r[0]!)).kind));
    for (const kind of DATA_TYPE_KINDS) expect(kinds, `kind ${kind}`).toContain(kind);
  });

  it.each(docTable('Row type → target column').map((r) => [r[0]!, r] as const))('maps %s as documented', (_, row) => {
    const { field, key } = fieldOf(row[0]!);
    expect(columnType(field, 'postgresql', { key })).toBe(code(row[1]!));
    expect(columnType(field, 'mysql', { key })).toBe(code(row[2]!));
  });

  const crossRows = (heading: string, source: Dialect, target: Dialect) =>
    docTable(heading).map((r) => [`${r[0]} → ${r[2]}`, r, source, target] as const);

  it.each([
    ...crossRows('MySQL / MariaDB source → PostgreSQL target', 'mysql', 'postgresql'),
    ...crossRows('PostgreSQL source → MySQL / MariaDB target', 'postgresql', 'mysql'),
  ])('maps %s', (_, row, source, target) => {
    const { field, key } = fieldOf(row[1]!, { sourceType: code(row[0]!), sourceDialect: source });
    expect(columnType(field, target, { key })).toBe(code(row[2]!));
  });
});

describe('columnType', () => {
  it('keeps a same-dialect source type verbatim', () => {
    const field: Field = {
      name: 'c',
      type: { kind: 'decimal', precision: 20, scale: 0 },
      nullable: true,
      sourceType: 'bigint unsigned',
      sourceDialect: 'mysql',
    };
    expect(columnType(field, 'mysql')).toBe('bigint unsigned');
    expect(columnType(field, 'postgresql')).toBe('numeric(20,0)');
  });

  it('maps a PostgreSQL type the target does not know by its row type', () => {
    const field: Field = {
      name: 'c',
      type: { kind: 'string' },
      nullable: true,
      sourceType: 'mood',
      sourceDialect: 'postgresql',
    };
    expect(columnType(field, 'postgresql', { verbatim: () => false })).toBe('text');
    expect(columnType(field, 'postgresql', { verbatim: () => true })).toBe('mood');
  });

  it('splits the MySQL key length between the text columns of a key', () => {
    const fields: Field[] = [
      { name: 'a', type: { kind: 'string' }, nullable: false },
      { name: 'b', type: { kind: 'string' }, nullable: false },
      { name: 'n', type: { kind: 'string' }, nullable: true },
    ];
    const defs = columnDefinitions(fields, ['a', 'b', 'n'], 'mysql', ['a', 'b']);
    expect(defs.map((d) => d.type)).toEqual(['varchar(384)', 'varchar(384)', 'longtext']);
  });

  it('widens MySQL varchars to mediumtext when the row would pass InnoDB’s limit', () => {
    const fields: Field[] = Array.from({ length: 40 }, (_, i) => ({
      name: `c${i}`,
      type: { kind: 'string' } as const,
      nullable: true,
      length: 1000,
    }));
    const defs = columnDefinitions(
      fields,
      fields.map((f) => f.name),
      'mysql',
      [],
    );
    const varchars = defs.filter((d) => d.type.startsWith('varchar')).length;
    expect(defs.filter((d) => d.type === 'mediumtext').length).toBeGreaterThan(0);
    expect(varchars * 4002).toBeLessThanOrEqual(65_000);
  });
});

describe('createTableStatements', () => {
  const fields: Field[] = [
    { name: 'id', type: { kind: 'bigint' }, nullable: true },
    { name: 'Name', type: { kind: 'string' }, nullable: true, length: 10, comment: "the customer's name" },
    { name: 'email', type: { kind: 'string' }, nullable: false, length: 100 },
  ];

  it('writes PostgreSQL DDL with the key, unique keys and comments', () => {
    const defs = columnDefinitions(fields, ['id', 'Name', 'email'], 'postgresql', ['id'], [['email']]);
    expect(createTableStatements('postgresql', '"s"."t"', defs, ['id'], [['email']])).toEqual([
      'CREATE TABLE "s"."t" (\n  "id" bigint NOT NULL,\n  "Name" varchar(10) NULL,\n  "email" varchar(100) NOT NULL,\n' +
        '  PRIMARY KEY ("id"),\n  UNIQUE ("email")\n)',
      `COMMENT ON COLUMN "s"."t"."Name" IS 'the customer''s name'`,
    ]);
  });

  it('writes MySQL DDL with inline comments and InnoDB', () => {
    const names = fields.map((f) => applyFieldIde(f.name, 'UPPERCASE'));
    const defs = columnDefinitions(fields, names, 'mysql', ['id']);
    const [sql] = createTableStatements('mysql', '`d`.`T`', defs, ['ID'], [], { mysqlCharset: true });
    expect(sql).toBe(
      'CREATE TABLE `d`.`T` (\n  `ID` bigint NOT NULL,\n' +
        "  `NAME` varchar(10) NULL COMMENT 'the customer''s name',\n  `EMAIL` varchar(100) NOT NULL,\n" +
        '  PRIMARY KEY (`ID`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    );
  });
});
