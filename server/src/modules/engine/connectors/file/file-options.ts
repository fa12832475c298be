/**
 * Options shared by the LocalFile source and sink: format, delimiters, encodings, compression and
 * date/time patterns, read with SeaTunnel's names and defaults.
 */
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

/** A streaming decoder for an encoding (`encoding`, default UTF-8; any WHATWG label, e.g. gbk). */
export interface TextDecoderLike {
  decode(chunk?: Buffer, options?: { stream?: boolean }): string;
}

const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'iso_8859-1']);

export function readEncoding(options: PluginOptions): string {
  const value = options.string('encoding')?.trim();
  return value === undefined || value === '' ? 'utf-8' : value;
}

export function decoderFor(encoding: string, options: PluginOptions): TextDecoderLike {
  // WHATWG maps iso-8859-1 to windows-1252; Java's ISO-8859-1 is byte = code point.
  if (LATIN1.has(encoding.toLowerCase())) return { decode: (chunk) => (chunk ? chunk.toString('latin1') : '') };
  try {
    return new TextDecoder(encoding);
  } catch {
    return options.fail(
      'encoding',
      `"${encoding}" is not an encoding this engine can read (e.g. UTF-8, GBK, ISO-8859-1)`,
    );
  }
}

/** Encodes text for writing. Node encodes UTF-8, UTF-16LE and ISO-8859-1 natively. */
export function encoderFor(encoding: string, options: PluginOptions): (text: string) => Buffer {
  const lower = encoding.toLowerCase().replace(/_/g, '-');
  if (lower === 'utf-8' || lower === 'utf8') return (text) => Buffer.from(text, 'utf8');
  if (lower === 'utf-16le' || lower === 'utf16le') return (text) => Buffer.from(text, 'utf16le');
  if (LATIN1.has(lower)) {
    return (text) => {
      for (const ch of text) {
        if (ch.codePointAt(0)! > 0xff)
          throw new Error(`the character "${ch}" cannot be written in ISO-8859-1 (option "encoding")`);
      }
      return Buffer.from(text, 'latin1');
    };
  }
  return options.fail(
    'encoding',
    `"${encoding}" cannot be written by the embedded engine yet (it writes UTF-8, UTF-16LE and ISO-8859-1)`,
  );
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
