import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../row.js';
import { PgCopyTextDecoder, scanCopyRows, unescapeCopyText } from './pg-copy-decode.js';

/** COPY text escaping as PostgreSQL writes it. */
function escape(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\n\r\t\b\f\v]/g, (c) => {
    const map: Record<string, string> = {
      '\\': '\\\\',
      '\n': '\\n',
      '\r': '\\r',
      '\t': '\\t',
      '\b': '\\b',
      '\f': '\\f',
      '\v': '\\v',
    };
    return map[c]!;
  });
}

function decodeAll(chunks: Buffer[], columns: number, decoders: ((s: string) => Value)[] = []): Value[][] {
  const decoder = new PgCopyTextDecoder(Array.from({ length: columns }, (_, i) => decoders[i]));
  const out: Value[][] = [];
  for (const chunk of chunks) decoder.push(chunk, out);
  decoder.end();
  return out;
}

describe('PgCopyTextDecoder', () => {
  it('decodes fields, NULLs and escapes', () => {
    const text = '1\tplain\t\\N\n2\ttab\\there\\nnew\\\\slash\t\n';
    expect(decodeAll([Buffer.from(text)], 3, [Number])).toEqual([
      [1, 'plain', null],
      [2, 'tab\there\nnew\\slash', ''],
    ]);
  });

  it('keeps a literal backslash-N inside text apart from NULL', () => {
    expect(decodeAll([Buffer.from('\\\\N\t\\N\n')], 2)).toEqual([['\\N', null]]);
  });

  it('waits for rows and multi-byte characters cut by chunk boundaries', () => {
    const bytes = Buffer.from('a😀é\tx\nb\t山田\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)], 2)).toEqual([
        ['a😀é', 'x'],
        ['b', '山田'],
      ]);
    }
  });

  it('round-trips any text through COPY escaping, in any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.option(fc.string({ unit: 'binary' })), fc.option(fc.string())), { maxLength: 20 }),
        fc.integer({ min: 1, max: 64 }),
        (rows, size) => {
          const text = rows.map(([a, b]) => `${escape(a)}\t${escape(b)}\n`).join('');
          const bytes = Buffer.from(text);
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
          const expected = rows.map(([a, b]) => [a, b].map((v) => (v === null ? null : Buffer.from(v).toString())));
          expect(decodeAll(chunks, 2)).toEqual(expected);
        },
      ),
    );
  });

  it('reports rows with too few fields and data cut inside a row', () => {
    expect(() => decodeAll([Buffer.from('1\t2\n')], 3)).toThrow(/2 fields where 3 were expected/);
    expect(() => decodeAll([Buffer.from('1\t2')], 2)).toThrow(/ends inside a row/);
  });

  it('decodes rows of a query without columns', () => {
    expect(decodeAll([Buffer.from('\n\n')], 0)).toEqual([[], []]);
  });
});

describe('unescapeCopyText', () => {
  it('resolves octal and hex escapes', () => {
    const text = 'a\\101\\x42c\\7';
    expect(unescapeCopyText(text, 0, text.length)).toBe('aABc\u0007');
  });
});

describe('scanCopyRows', () => {
  it('counts complete rows up to a limit and says where the last one ends', () => {
    const text = Buffer.from('1\ta\\nb\n2\tc\n3\td\n');
    expect(scanCopyRows(text, 10)).toEqual({ rows: 3, end: text.length });
    expect(scanCopyRows(text, 2)).toEqual({ rows: 2, end: text.indexOf('3') });
    expect(scanCopyRows(text, 0)).toEqual({ rows: 0, end: 0 });
  });
});
