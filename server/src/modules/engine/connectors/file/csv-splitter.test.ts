import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, type CsvRecord } from './csv-splitter.js';

function splitAll(text: string, chunks: number[], delimiter = ',', emptyLineIsRecord = false): CsvRecord[] {
  const splitter = new CsvSplitter(delimiter, emptyLineIsRecord);
  const records: CsvRecord[] = [];
  let from = 0;
  for (const at of [...chunks, text.length]) {
    records.push(...splitter.push(text.slice(from, at)));
    from = at;
  }
  records.push(...splitter.end());
  return records;
}

/** RFC 4180 as the sink writes it: null as nothing, '' as "", quotes around specials. */
function render(records: (string | null)[][], delimiter: string): string {
  return records
    .map(
      (r) =>
        r
          .map((f) =>
            f === null
              ? ''
              : f === '' || f.includes('"') || [...delimiter].some((c) => f.includes(c)) || /[\r\n]/.test(f)
                ? `"${f.replace(/"/g, '""')}"`
                : f,
          )
          .join(delimiter) + '\n',
    )
    .join('');
}

describe('CsvSplitter', () => {
  const text = 'id,name,note\n1,"a, ""b""",\n2,"multi\r\nline",""\r\n3,plain,x"y\n4,,"last"';

  it('splits quoted fields, doubled quotes, line breaks inside quotes and CRLF, with start lines', () => {
    expect(splitAll(text, [])).toEqual([
      { fields: ['id', 'name', 'note'], line: 1 },
      { fields: ['1', 'a, "b"', null], line: 2 },
      { fields: ['2', 'multi\r\nline', ''], line: 3 },
      { fields: ['3', 'plain', 'x"y'], line: 5 },
      { fields: ['4', null, 'last'], line: 6 },
    ]);
  });

  it('gives the same records wherever the text is cut into chunks', () => {
    const whole = splitAll(text, []);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 7) expect(splitAll(text, [a, b])).toEqual(whole);
    }
  });

  it('reads back any records written the RFC 4180 way, in any chunks and with any delimiter', () => {
    const field = fc.option(fc.string({ unit: fc.constantFrom('a', 'é', '"', ',', ';', '\n', '\r', ' ', '|', 'x') }), {
      nil: null,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(',', ';', '||', '\t'),
        fc
          .integer({ min: 2, max: 4 })
          .chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { maxLength: 6 })),
        fc.array(fc.nat(), { maxLength: 4 }),
        (delimiter, records, cuts) => {
          const text = render(records, delimiter);
          const positions = cuts.map((c) => c % (text.length + 1)).sort((x, y) => x - y);
          const got = splitAll(text, positions, delimiter).map((r) => r.fields);
          // Two columns or more: even a record of NULLs is a line (","), never an empty one.
          expect(got).toEqual(records);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps an empty line as a NULL record for one-column files', () => {
    expect(splitAll('a\n\nb\n', [], ',', true).map((r) => r.fields)).toEqual([['a'], [null], ['b']]);
    expect(splitAll('a\n\nb\n', [], ',', false).map((r) => r.fields)).toEqual([['a'], ['b']]);
  });

  it('reports an unclosed quote at its line', () => {
    expect(() => splitAll('a,b\n1,"open\n2,3\n', [])).toThrow(
      expect.objectContaining({ line: 2, message: 'a quoted field is not closed' }),
    );
    expect(() => splitAll('"a"b\n', [])).toThrow('unexpected "b" after a closing quote');
  });
});
