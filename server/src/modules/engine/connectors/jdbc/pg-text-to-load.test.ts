import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../row.js';
import { PgCopyTextDecoder } from './pg-copy-decode.js';
import { fieldOp, pgLoadTranscoder, transcodeChunk, type LoadColumn } from './pg-text-to-load.js';
import { pgType, type PgTypeInfo } from './read-types.js';
import { mysqlLoadEncoder, type MysqlColumnWrite } from './write-mysql.js';
import { encodeTextRows } from './write-values.js';

// ------------------------------------------------------------------ the row path, as the engine runs it

const PG_TYPES: [number, string, string][] = [
  [16, 'bool', 'B'],
  [17, 'bytea', 'U'],
  [20, 'int8', 'N'],
  [21, 'int2', 'N'],
  [23, 'int4', 'N'],
  [25, 'text', 'S'],
  [114, 'json', 'U'],
  [700, 'float4', 'N'],
  [701, 'float8', 'N'],
  [1042, 'bpchar', 'S'],
  [1043, 'varchar', 'S'],
  [1082, 'date', 'D'],
  [1083, 'time', 'D'],
  [1114, 'timestamp', 'D'],
  [1184, 'timestamptz', 'D'],
  [1186, 'interval', 'T'],
  [1700, 'numeric', 'N'],
  [2950, 'uuid', 'U'],
  [3802, 'jsonb', 'U'],
];
const TYPES = new Map<number, PgTypeInfo>(
  PG_TYPES.map(([oid, name, category]) => [
    oid,
    { oid, name, typtype: 'b', category, elem: 0, baseType: 0, baseTypmod: -1 },
  ]),
);
TYPES.set(1007, { oid: 1007, name: '_int4', typtype: 'b', category: 'A', elem: 23, baseType: 0, baseTypmod: -1 });
TYPES.set(1560, { oid: 1560, name: 'bit', typtype: 'b', category: 'V', elem: 0, baseType: 0, baseTypmod: -1 });

interface Column {
  /** format_type's text, as the source reports it. */
  declared: string;
  oid: number;
  typmod?: number;
  /** The target column is binary / BIT. */
  hex?: boolean;
  bit?: boolean;
}

function setup(columns: Column[]) {
  const read = columns.map((c) => pgType(c.oid, c.typmod ?? -1, TYPES));
  const writes: MysqlColumnWrite[] = columns.map((c, i) => {
    const type = read[i]!.type;
    const hex = type.kind === 'bytes' || (c.hex ?? false);
    return { name: `c${i}`, type, hex, bit: !hex && (c.bit ?? false) };
  });
  const loads: LoadColumn[] = writes;
  return {
    transcoder: pgLoadTranscoder(
      columns.map((c) => c.declared),
      loads,
    ),
    /** decode (as read-postgres does) then encode (as the MySQL writer does); throws what they throw. */
    rowPath: (chunks: Buffer[]): Buffer => {
      const decoder = new PgCopyTextDecoder(
        read.map((r) => r.decode),
        read.map((r) => ['string', 'array', 'map', 'row'].includes(r.type.kind)),
      );
      const rows: Value[][] = [];
      for (const chunk of chunks) decoder.push(chunk, rows);
      decoder.end();
      return encodeTextRows(rows, writes.map(mysqlLoadEncoder));
    },
  };
}

/** COPY TO's text escaping: backslash, the delimiter and six control characters. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  const map: Record<string, string> = {
    '\\': '\\\\',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\b': '\\b',
    '\f': '\\f',
    '\v': '\\v',
  };
  return value.replace(/[\\\n\r\t\b\f\v]/g, (c) => map[c]!);
}

function copyText(rows: (string | null)[][]): Buffer {
  return Buffer.from(rows.map((r) => r.map(copyField).join('\t') + '\n').join(''), 'utf8');
}

/**
 * Asserts the transcoded text is byte for byte the row path's (a batch the row path fails on must
 * not be transcoded); 'fallback' when the transcoder leaves the batch to the row path.
 */
function expectSame(columns: Column[], chunks: Buffer[]): 'transcoded' | 'fallback' {
  const { transcoder, rowPath } = setup(columns);
  expect(transcoder).toBeDefined();
  const transcoded = transcoder!.transcode(chunks);
  let expected: Buffer | Error;
  try {
    expected = rowPath(chunks);
  } catch (err) {
    expected = err as Error;
  }
  if (transcoded === undefined) return 'fallback';
  if (expected instanceof Error)
    throw new Error(`the row path fails (${expected.message}) but the text was transcoded`);
  expect(transcoded.toString('latin1')).toBe(expected.toString('latin1'));
  return 'transcoded';
}

// ------------------------------------------------------------------ columns and their values

const INT2: Column = { declared: 'smallint', oid: 21 };
const INT4: Column = { declared: 'integer', oid: 23 };
const INT8: Column = { declared: 'bigint', oid: 20 };
const NUMERIC: Column = { declared: 'numeric(12,2)', oid: 1700, typmod: ((12 << 16) | 2) + 4 };
const NUMERIC_FREE: Column = { declared: 'numeric', oid: 1700 };
const REAL: Column = { declared: 'real', oid: 700 };
const DOUBLE: Column = { declared: 'double precision', oid: 701 };
const BOOL: Column = { declared: 'boolean', oid: 16 };
const TEXT: Column = { declared: 'text', oid: 25 };
const VARCHAR: Column = { declared: 'character varying(64)', oid: 1043, typmod: 68 };
const CHAR: Column = { declared: 'character(5)', oid: 1042, typmod: 9 };
const JSONB: Column = { declared: 'jsonb', oid: 3802 };
const UUID: Column = { declared: 'uuid', oid: 2950 };
const INTERVAL: Column = { declared: 'interval', oid: 1186 };
const BYTEA: Column = { declared: 'bytea', oid: 17 };
const DATE: Column = { declared: 'date', oid: 1082 };
const TIME: Column = { declared: 'time(6) without time zone', oid: 1083, typmod: 6 };
const TIMESTAMP: Column = { declared: 'timestamp without time zone', oid: 1114 };
const TIMESTAMPTZ: Column = { declared: 'timestamp(3) with time zone', oid: 1184, typmod: 3 };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const fraction = fc.option(
  fc.integer({ min: 0, max: 999999 }).map((f) => `.${String(f).padStart(6, '0')}`),
  {
    nil: '',
  },
);
const dateText = fc
  .tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`);
const timeText = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fraction)
  .map(([h, m, s, f]) => `${pad(h)}:${pad(m)}:${pad(s)}${f}`);
const stamp = fc.tuple(dateText, timeText).map(([d, t]) => `${d} ${t}`);
/** Text with what matters: escapes, control characters, \N look-alikes, accents, CJK, emoji. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({
    unit: fc.constantFrom('a', '\\', 'N', '\t', '\n', '\r', '\b', '\f', '\v', '\x01', 'é', '山', '😀', ' '),
  }),
  fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
);
const floatText = (double: boolean) =>
  fc
    .oneof(
      { arbitrary: double ? fc.double() : fc.float(), weight: 10 },
      fc.constantFrom(0.1, 1.1, -0, 1e-5, 1e-7, 1e21, 3.4028234663852886e38, 1.7976931348623157e308, 5e-324),
    )
    .chain((v) =>
      fc.constantFrom(
        Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v),
        Number.isFinite(v) ? v.toExponential() : 'NaN',
        Object.is(v, -0) ? '-0' : String(v).replace(/e([+-])(\d)$/, 'e$10$2'),
      ),
    );

const VALUES = new Map<Column, fc.Arbitrary<string>>([
  [INT2, fc.integer({ min: -32768, max: 32767 }).map(String)],
  [INT4, fc.integer().map(String)],
  [INT8, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)],
  [
    NUMERIC,
    fc.oneof(
      fc
        .tuple(fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }), fc.integer({ min: 0, max: 99 }))
        .map(([i, f]) => `${i}.${pad(f)}`),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '0.00'),
    ),
  ],
  [NUMERIC_FREE, fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toFixed(10)))],
  [REAL, floatText(false)],
  [DOUBLE, floatText(true)],
  [BOOL, fc.constantFrom('t', 'f')],
  [TEXT, anyText],
  [VARCHAR, anyText],
  [CHAR, anyText.map((s) => s.padEnd(5, ' '))],
  [JSONB, fc.json()],
  [UUID, fc.uuid()],
  [INTERVAL, fc.constantFrom('P1DT2H3M4.5S', 'PT0S', 'P-1Y-2M3DT-4H-5M-6S')],
  [BYTEA, fc.uint8Array({ maxLength: 40 }).map((b) => `\\x${Buffer.from(b).toString('hex')}`)],
  [DATE, fc.oneof(dateText, fc.constantFrom('infinity', '-infinity', '0044-03-15 BC'))],
  [TIME, timeText],
  [TIMESTAMP, stamp],
  [
    TIMESTAMPTZ,
    fc.oneof(
      { arbitrary: stamp.map((s) => `${s}+00`), weight: 10 },
      fc.constantFrom(
        'infinity',
        '-infinity',
        '2000-01-01 00:00:00+00 BC',
        '2024-03-31 01:30:00+02',
        '1900-01-01 00:00:00+00:01:15',
      ),
    ),
  ],
]);

/** Rows of COPY text for these columns, cut into chunks at row ends. */
function table(columns: Column[]) {
  const row = fc.tuple(...columns.map((c) => fc.option(VALUES.get(c)!, { freq: 5 })));
  return fc.array(row, { minLength: 1, maxLength: 20 }).chain((rows) =>
    fc.integer({ min: 1, max: Math.max(1, rows.length) }).map((per) => {
      const chunks: Buffer[] = [];
      for (let i = 0; i < rows.length; i += per) chunks.push(copyText(rows.slice(i, i + per)));
      return chunks;
    }),
  );
}

// ------------------------------------------------------------------ tests

describe('transcoding PostgreSQL COPY text into LOAD DATA text', () => {
  it.each([
    ['integers', [INT2, INT4, INT8]],
    ['numeric', [NUMERIC, NUMERIC_FREE]],
    ['floats', [REAL, DOUBLE]],
    ['booleans and bytea', [BOOL, BYTEA]],
    ['text types', [TEXT, VARCHAR, CHAR, JSONB, UUID, INTERVAL]],
    ['dates and times', [DATE, TIME, TIMESTAMP, TIMESTAMPTZ]],
    ['everything', [INT8, TEXT, BOOL, REAL, TIMESTAMPTZ, BYTEA, NUMERIC, DOUBLE, CHAR, DATE]],
  ])('gives exactly the row path’s bytes: %s', (_name, columns) => {
    const taken = { transcoded: 0, fallback: 0 };
    fc.assert(
      fc.property(table(columns), (chunks) => {
        taken[expectSame(columns, chunks)]++;
      }),
      { numRuns: 300 },
    );
    // Most generated batches are transcoded (the rest hold a NaN or an infinity somewhere).
    expect(taken.transcoded).toBeGreaterThan(taken.fallback);
  });

  it('passes text through, turning \\b \\f \\v into raw bytes and keeping \\\\ \\t \\n \\r and \\N', () => {
    const chunk = copyText([
      ['a\\b', 'tab\there\nnl\r', null, '\\N'],
      ['\b\f\v', '', 'x', 'ünï 😀'],
    ]);
    const out = transcodeChunk(chunk, ['pass', 'pass', 'pass', 'pass']);
    expect(out?.toString('utf8')).toBe('a\\\\b\ttab\\there\\nnl\\r\t\\N\t\\\\N\n\b\f\v\t\tx\tünï 😀\n');
    expect(expectSame([TEXT, TEXT, TEXT, TEXT], [chunk])).toBe('transcoded');
  });

  it('hands a chunk without escapes over as it is when every column passes', () => {
    const chunk = Buffer.from('1\tAlice\t12.50\t2024-01-02 03:04:05\n2\t\\N\t-1.00\t\\N\n');
    const out = transcodeChunk(chunk, ['pass', 'pass', 'pass', 'pass']);
    expect(out).toBe(chunk);
  });

  it('rewrites booleans, bytea, timestamptz and floats', () => {
    const columns = [BOOL, BYTEA, TIMESTAMPTZ, REAL, DOUBLE];
    const chunk = Buffer.from('t\t\\\\x0aff\t2024-03-31 01:30:00.5+00\t1.1\t1e-05\nf\t\\\\x\t\\N\t-0\t1e+300\n');
    const { transcoder } = setup(columns);
    expect(transcoder!.transcode([chunk])?.toString()).toBe(
      `1\t0aff\t2024-03-31 01:30:00.5\t${String(Math.fround(1.1))}\t0.00001\n0\t\t\\N\t0\t1e+300\n`,
    );
    expect(expectSame(columns, [chunk])).toBe('transcoded');
  });

  it('leaves a batch to the row path when a float is NaN or infinite (the row path fails it)', () => {
    for (const value of ['NaN', 'Infinity', '-Infinity', '3.5e38']) {
      const chunk = Buffer.from(`1\t${value}\n`);
      expect(setup([INT4, REAL]).transcoder!.transcode([chunk])).toBeUndefined();
      expect(() => setup([INT4, REAL]).rowPath([chunk])).toThrow(/MySQL cannot store/);
    }
    expect(setup([INT4, DOUBLE]).transcoder!.transcode([Buffer.from('1\tNaN\n')])).toBeUndefined();
  });

  it('passes numeric NaN on as the row path does (MySQL then refuses it for a DECIMAL column)', () => {
    const chunk = Buffer.from('NaN\n');
    expect(setup([NUMERIC]).transcoder!.transcode([chunk])).toBe(chunk);
    expect(setup([NUMERIC]).rowPath([chunk]).toString()).toBe('NaN\n');
  });

  it('leaves batches PostgreSQL would not send to the row path', () => {
    const ops = ['pass', 'bool'] as const;
    expect(transcodeChunk(Buffer.from('a\tx\n'), ops)).toBeUndefined(); // not t/f
    expect(transcodeChunk(Buffer.from('a\n'), ops)).toBeUndefined(); // short row
    expect(transcodeChunk(Buffer.from('a\tt\tz\n'), ops)).toBeUndefined(); // long row
    expect(transcodeChunk(Buffer.from('a\\x41\tt\n'), ops)).toBeUndefined(); // an escape COPY TO never writes
    expect(transcodeChunk(Buffer.from([0xff, 9, 0x74, 10]), ops)).toBeUndefined(); // not UTF-8
    expect(transcodeChunk(Buffer.from('a\tt'), ops)).toBeUndefined(); // cut row
    expect(transcodeChunk(Buffer.from('\\\\x\n'), ['bytea'])?.toString()).toBe('\n'); // empty bytea: fine
    expect(transcodeChunk(Buffer.from('\\\\000\n'), ['bytea'])).toBeUndefined(); // bytea_output = escape
  });

  it('transcodes a plan only when every column can be', () => {
    const plain = (kind: 'string' | 'int' | 'bytes' | 'boolean' | 'float'): LoadColumn => ({
      type: { kind },
      hex: kind === 'bytes',
      bit: false,
    });
    expect(fieldOp('integer', plain('int'))).toBe('pass');
    expect(fieldOp('integer[]', { type: { kind: 'array', element: { kind: 'int' } }, hex: false, bit: false })).toBe(
      undefined,
    );
    expect(fieldOp('text[]', plain('string'))).toBeUndefined();
    expect(fieldOp('bit(1)', plain('boolean'))).toBeUndefined();
    expect(fieldOp('bytea', plain('bytes'))).toBe('bytea');
    // Text into a binary column, a float into BIT: the row path.
    expect(fieldOp('text', { ...plain('string'), hex: true })).toBeUndefined();
    expect(fieldOp('real', { ...plain('float'), bit: true })).toBeUndefined();
    expect(fieldOp('integer', { ...plain('int'), bit: true })).toBe('pass');
    expect(fieldOp('boolean', { ...plain('boolean'), bit: true })).toBe('bool');
    // A source type that does not match the row-model type.
    expect(fieldOp('bigint', plain('int'))).toBeUndefined();
    expect(pgLoadTranscoder(['integer', 'integer[]'], [plain('int'), plain('string')])).toBeUndefined();
    expect(pgLoadTranscoder(['integer'], [plain('int'), plain('int')])).toBeUndefined();
    expect(pgLoadTranscoder(['integer', 'text'], [plain('int'), plain('string')])).toBeDefined();
  });

  it('writes integers and booleans into BIT columns as the row path does', () => {
    const columns: Column[] = [
      { ...INT4, bit: true },
      { ...BOOL, bit: true },
    ];
    fc.assert(
      fc.property(table([INT4, BOOL]), (chunks) => {
        expect(expectSame(columns, chunks)).toBe('transcoded');
      }),
    );
  });
});
