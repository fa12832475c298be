/**
 * Options shared by the LocalFile source and sink: format, delimiters, encodings, compression and
 * date/time patterns, read with SeaTunnel's names and defaults.
 */
import iconv from 'iconv-lite';
import type { PluginOptions } from '../../plugin.js';
import { TemporalPattern } from './datetime.js';
import type { TemporalFormats } from './values.js';

export type FileFormat = 'text' | 'csv' | 'json';

const OTHER_FORMATS = ['parquet', 'orc', 'excel', 'xml', 'binary', 'canal_json', 'debezium_json', 'maxwell_json'];

/** file_format_type (old name file_format); parquet, orc, excel, xml and binary are the SeaTunnel engine's. */
export function readFormat(options: PluginOptions, fallback: FileFormat | undefined): FileFormat {
  const name = options.firstOf('file_format_type', 'file_format') ?? 'file_format_type';
  const value = options.string(name)?.trim().toLowerCase();
  if (value === undefined || value === '') {
    if (fallback) return fallback;
    return options.fail('file_format_type', 'is required (text, csv or json)');
  }
  if (value === 'text' || value === 'csv' || value === 'json') return value;
  if (OTHER_FORMATS.includes(value)) {
    return options.fail(
      name,
      `"${value}" is not supported by the embedded engine (it reads and writes text, csv and json): run this job on the SeaTunnel engine`,
    );
  }
  return options.fail(name, `must be text, csv or json, got "${value}"`);
}

/** Decodes the escapes people write in delimiters: \001 (octal), \u0001, \x01, \t, \n, \r. */
export function decodeEscapes(text: string): string {
  return text.replace(/\\(?:([0-7]{1,3})|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([tnr]))/g, (_m, oct, uni, hex, ch) => {
    if (oct !== undefined) return String.fromCharCode(parseInt(oct as string, 8));
    if (uni !== undefined) return String.fromCharCode(parseInt(uni as string, 16));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex as string, 16));
    return ch === 't' ? '\t' : ch === 'n' ? '\n' : '\r';
  });
}

const REGEX_META = /[.\\+*?^$()[\]{}|]/;

/**
 * The field delimiter (`field_delimiter`, old name `delimiter`). SeaTunnel splits text lines with
 * Java's String.split, so a delimiter is a regular expression there: "\\|" means a pipe. Here a
 * single character is always literal, `\X` for a punctuation X is X, and longer text with regex
 * characters is a regular expression (reading only; writing uses it literally).
 */
export function readDelimiter(options: PluginOptions, fallback: string, forWriting: boolean): string | RegExp {
  const name = options.firstOf('field_delimiter', 'delimiter') ?? 'field_delimiter';
  const raw = options.string(name);
  if (raw === undefined || raw === '') return fallback;
  const text = decodeEscapes(raw);
  if (text.length === 1) return text;
  if (/^\\[^A-Za-z0-9]$/.test(text)) return text[1]!;
  if (forWriting || !REGEX_META.test(text)) return text;
  try {
    return new RegExp(text);
  } catch (err) {
    return options.fail(name, `is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** A streaming decoder for an encoding: decode(chunk, { stream: true }) per chunk, then decode() for the rest. */
export interface TextDecoderLike {
  decode(chunk?: Buffer, options?: { stream?: boolean }): string;
}

/** A streaming encoder: one per output file, so that stateful encodings (UTF-16 BOMs, UTF-7) stay consistent. */
export type TextEncoderFn = (text: string) => Buffer;

const UNICODE = /^(?:utf-?(?:8|16|16le|16be|32|32le|32be)|ucs-?2|cesu-?8)$/;

/**
 * `encoding` (default UTF-8): any encoding iconv-lite knows under its Java or WHATWG name (UTF-8,
 * GBK, GB18030, Big5, Shift_JIS, EUC-KR, ISO-8859-1, windows-1252, UTF-16LE, ...). An unknown name
 * is a configuration error naming the option.
 */
export function readEncoding(options: PluginOptions): string {
  const value = options.string('encoding')?.trim();
  if (value === undefined || value === '') return 'utf-8';
  if (!isKnownEncoding(value)) {
    return options.fail(
      'encoding',
      `"${value}" is not an encoding the embedded engine knows (e.g. UTF-8, GBK, GB18030, Big5, Shift_JIS, ISO-8859-1, UTF-16LE)`,
    );
  }
  return value;
}

function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}

/** A streaming decoder for `encoding` (checked by readEncoding); bytes that do not decode become U+FFFD, as in Java. */
export function decoderFor(encoding: string): TextDecoderLike {
  const decoder = iconv.getDecoder(encoding);
  return {
    decode(chunk, options) {
      if (chunk === undefined) return decoder.end() ?? '';
      const text = decoder.write(chunk);
      return options?.stream ? text : text + (decoder.end() ?? '');
    },
  };
}

/**
 * A streaming encoder for `encoding` (checked by readEncoding). A character the encoding cannot
 * hold is an error naming it and the option, not a silent "?" as iconv (and Java) would write.
 */
export function encoderFor(encoding: string): TextEncoderFn {
  const encoder = iconv.getEncoder(encoding);
  const unicode = UNICODE.test(encoding.toLowerCase().replace(/_/g, '-'));
  return (text) => {
    const data = encoder.write(text);
    if (!unicode && countByte(data, 0x3f) > countChar(text, '?')) {
      for (const ch of text) {
        if (ch !== '?' && iconv.encode(ch, encoding).equals(QUESTION)) {
          throw new Error(`the character "${ch}" cannot be written in ${encoding} (option "encoding")`);
        }
      }
    }
    return data;
  };
}

const QUESTION = Buffer.from('?');

function countByte(data: Buffer, byte: number): number {
  let n = 0;
  for (let i = data.indexOf(byte); i >= 0; i = data.indexOf(byte, i + 1)) n++;
  return n;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

export type CompressCodec = 'none' | 'gzip';

/** compress_codec: none or gzip here; SeaTunnel's lzo (and the others) are named as unavailable. */
export function readCompressCodec(options: PluginOptions): CompressCodec {
  const value = options.string('compress_codec')?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'none') return 'none';
  if (value === 'gzip' || value === 'gz') return 'gzip';
  return options.fail(
    'compress_codec',
    `"${value}" is not available in the embedded engine (supported: none, gzip); run this job on the SeaTunnel engine for ${value}`,
  );
}

function pattern(options: PluginOptions, name: string, needs: string): TemporalPattern | undefined {
  const text = options.string(name);
  if (text === undefined || text.trim() === '') return undefined;
  let compiled: TemporalPattern;
  try {
    compiled = new TemporalPattern(text);
  } catch (err) {
    return options.fail(name, (err as Error).message);
  }
  for (const letter of needs) {
    if (!compiled.has(letter as 'y')) options.fail(name, `"${text}" has no "${letter}" field`);
  }
  return compiled;
}

/** date_format, datetime_format, time_format (unset: the common forms are read, ISO-like written). */
export function readTemporalFormats(options: PluginOptions): TemporalFormats {
  return {
    date: pattern(options, 'date_format', 'yMd'),
    datetime: pattern(options, 'datetime_format', 'yMdHm'),
    time: pattern(options, 'time_format', 'Hm'),
  };
}
