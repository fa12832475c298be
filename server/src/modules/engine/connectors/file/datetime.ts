/**
 * Dates and times in files: SeaTunnel's Java-style patterns (`yyyy-MM-dd`, `yyyy.MM.dd`,
 * `yyyy-MM-dd'T'HH:mm:ss`, `HH:mm:ss.SSS`) to read and write the row model's text values
 * (date "YYYY-MM-DD", time "HH:MM:SS[.ffffff]", timestamp "YYYY-MM-DD HH:MM:SS[.ffffff]",
 * timestamp_tz "... +00").
 *
 * Without a configured pattern, reading accepts the common forms (separators `-`, `/`, `.` or
 * none, `T` or a space between date and time, optional seconds, up to 9 fraction digits,
 * an optional offset); fractions beyond microseconds are cut, as the row model holds microseconds.
 */

export type TemporalKind = 'date' | 'time' | 'timestamp' | 'timestamp_tz';

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction digits as written (up to 9), '' for none. */
  fraction: string;
  /** Offset from UTC in minutes, when the text had one. */
  offsetMinutes?: number;
}

type Token =
  { kind: 'literal'; text: string } | { kind: 'field'; letter: 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S'; width: number };

/** A compiled SeaTunnel (java.time) pattern; supports y M d H m s S and quoted literals. */
export class TemporalPattern {
  private readonly tokens: Token[];
  private readonly regex: RegExp;
  private readonly groups: Token[];

  constructor(readonly source: string) {
    this.tokens = tokenize(source);
    this.groups = [];
    let regex = '^';
    for (const token of this.tokens) {
      if (token.kind === 'literal') {
        regex += token.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        continue;
      }
      this.groups.push(token);
      if (token.letter === 'S') regex += `(\\d{${token.width}})`;
      else if (token.letter === 'y')
        regex += token.width === 2 ? '(\\d{2})' : token.width >= 4 ? `(\\d{${token.width}})` : '(\\d{1,9})';
      else regex += token.width >= 2 ? `(\\d{${token.width}})` : '(\\d{1,2})';
    }
    this.regex = new RegExp(`${regex}$`);
  }

  /** True when the pattern has a field of this letter (e.g. whether it carries a time). */
  has(letter: 'y' | 'M' | 'd' | 'H' | 'm' | 's' | 'S'): boolean {
    return this.groups.some((g) => g.kind === 'field' && g.letter === letter);
  }

  format(parts: Parts): string {
    let out = '';
    for (const token of this.tokens) {
      if (token.kind === 'literal') {
        out += token.text;
        continue;
      }
      switch (token.letter) {
        case 'y':
          out += token.width === 2 ? pad(parts.year % 100, 2) : pad(parts.year, token.width);
          break;
        case 'M':
          out += pad(parts.month, token.width);
          break;
        case 'd':
          out += pad(parts.day, token.width);
          break;
        case 'H':
          out += pad(parts.hour, token.width);
          break;
        case 'm':
          out += pad(parts.minute, token.width);
          break;
        case 's':
          out += pad(parts.second, token.width);
          break;
        case 'S':
          out += parts.fraction.padEnd(token.width, '0').slice(0, token.width);
          break;
      }
    }
    return out;
  }

  parse(text: string): Parts | undefined {
    const match = this.regex.exec(text);
    if (!match) return undefined;
    const parts: Parts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: '' };
    this.groups.forEach((token, i) => {
      const digits = match[i + 1]!;
      if (token.kind !== 'field') return;
      const n = Number(digits);
      switch (token.letter) {
        case 'y':
          parts.year = token.width === 2 ? 2000 + n : n;
          break;
        case 'M':
          parts.month = n;
          break;
        case 'd':
          parts.day = n;
          break;
        case 'H':
          parts.hour = n;
          break;
        case 'm':
          parts.minute = n;
          break;
        case 's':
          parts.second = n;
          break;
        case 'S':
          parts.fraction = digits;
          break;
      }
    });
    return parts;
  }
}

const SUPPORTED_LETTERS = new Set(['y', 'M', 'd', 'H', 'm', 's', 'S']);

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const literal = (text: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += text;
    else tokens.push({ kind: 'literal', text });
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`pattern "${pattern}" has an unclosed quote`);
      literal(pattern.slice(i + 1, end));
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      if (!SUPPORTED_LETTERS.has(ch)) {
        throw new Error(
          `pattern "${pattern}": letter "${ch}" is not supported (use y, M, d, H, m, s, S and quoted 'literals')`,
        );
      }
      if (ch === 'M' && j - i > 2) throw new Error(`pattern "${pattern}": month names (MMM) are not supported`);
      tokens.push({ kind: 'field', letter: ch as 'y', width: j - i });
      i = j;
      continue;
    }
    literal(ch);
    i++;
  }
  return tokens;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// ------------------------------------------------------------------ row-model text

const ROW_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ROW_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const ROW_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parts of a row-model value (what connectors hand over); throws when the text is not one. */
export function partsOfValue(value: string, kind: TemporalKind): Parts {
  if (kind === 'date') {
    const m = ROW_DATE.exec(value);
    if (m) return { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: 0, minute: 0, second: 0, fraction: '' };
  } else if (kind === 'time') {
    const m = ROW_TIME.exec(value);
    if (m) return { year: 1970, month: 1, day: 1, hour: +m[1]!, minute: +m[2]!, second: +m[3]!, fraction: m[4] ?? '' };
  } else {
    const m = ROW_TIMESTAMP.exec(value);
    if (m) {
      const parts: Parts = {
        year: +m[1]!,
        month: +m[2]!,
        day: +m[3]!,
        hour: +m[4]!,
        minute: +m[5]!,
        second: +m[6]!,
        fraction: m[7] ?? '',
      };
      if (m[8] !== undefined) parts.offsetMinutes = offsetMinutes(m[8]);
      return kind === 'timestamp_tz' ? toUtc(parts) : parts;
    }
  }
  throw new Error(`"${value}" is not a ${kind} value`);
}

/** The row model's text for parts of a kind. */
export function valueOfParts(parts: Parts, kind: TemporalKind): string {
  const date = `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}`;
  const fraction = parts.fraction.slice(0, 6).replace(/0+$/, '');
  const time = `${pad(parts.hour, 2)}:${pad(parts.minute, 2)}:${pad(parts.second, 2)}${fraction ? `.${fraction}` : ''}`;
  switch (kind) {
    case 'date':
      return date;
    case 'time':
      return time;
    case 'timestamp':
      return `${date} ${time}`;
    case 'timestamp_tz':
      return `${date} ${time}+00`;
  }
}

// ------------------------------------------------------------------ reading

const DATE_FORMS: RegExp[] = [/^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/, /^(\d{4})()(\d{2})(\d{2})$/];
const TIME_FORM = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;
const OFFSET_FORM = /(Z|[+-]\d{2}(?::?\d{2})?)$/i;

function autoDate(text: string): Parts | undefined {
  for (const form of DATE_FORMS) {
    const m = form.exec(text);
    if (m) return { year: +m[1]!, month: +m[3]!, day: +m[4]!, hour: 0, minute: 0, second: 0, fraction: '' };
  }
  if (/^\d{4}年\d{1,2}月\d{1,2}日$/.test(text)) {
    const [y, mo, d] = text.match(/\d+/g)!;
    return { year: Number(y), month: Number(mo), day: Number(d), hour: 0, minute: 0, second: 0, fraction: '' };
  }
  return undefined;
}

const EPOCH: Parts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: '' };

function autoTime(text: string, into: Parts): Parts | undefined {
  const m = TIME_FORM.exec(text);
  if (!m) return undefined;
  return { ...into, hour: +m[1]!, minute: +m[2]!, second: m[3] ? +m[3] : 0, fraction: m[4] ?? '' };
}

function autoTimestamp(text: string): Parts | undefined {
  let rest = text;
  let offset: number | undefined;
  const off = OFFSET_FORM.exec(rest);
  // Only an offset after a time (a date's "-22" is not one).
  if (off && /\d{1,2}:\d{2}/.test(rest.slice(0, off.index))) {
    offset = offsetMinutes(off[1]!);
    rest = rest.slice(0, off.index).trimEnd();
  }
  let parts: Parts | undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(rest);
  if (compact) {
    const [, y, mo, d, h, mi, s] = compact;
    parts = { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: +s!, fraction: '' };
  } else {
    const split = /^(\S+?)(?:T|\s+)(\S+)$/.exec(rest);
    if (split) {
      const date = autoDate(split[1]!);
      parts = date && autoTime(split[2]!, date);
    } else parts = autoDate(rest);
  }
  if (parts && offset !== undefined) parts.offsetMinutes = offset;
  return parts;
}

function offsetMinutes(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

function toUtc(parts: Parts): Parts {
  if (!parts.offsetMinutes) return { ...parts, offsetMinutes: 0 };
  const ms =
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) -
    parts.offsetMinutes * 60_000;
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    fraction: parts.fraction,
    offsetMinutes: 0,
  };
}

function valid(parts: Parts): boolean {
  const { year, month, day, hour, minute, second } = parts;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/**
 * Reads date/time text into the row model's text, with a configured pattern or, without one,
 * the common forms. Undefined when the text is not a valid value of the kind.
 */
export function parseTemporal(text: string, kind: TemporalKind, pattern?: TemporalPattern): string | undefined {
  if (!pattern && kind !== 'timestamp_tz') {
    const fast = FAST_FORMS[kind].exec(text);
    // The row model's own form (what this sink and most tools write): checked, not re-assembled.
    if (fast && plausible(+fast[1]!, +fast[2]!, +fast[3]!) && (fast[4] === undefined || !fast[4].endsWith('0'))) {
      return text;
    }
  }
  const trimmed = text.trim();
  let parts: Parts | undefined;
  if (pattern) parts = pattern.parse(trimmed);
  else if (kind === 'date') parts = autoDate(trimmed) ?? dateOfTimestamp(trimmed);
  else if (kind === 'time') parts = autoTime(trimmed, EPOCH);
  else parts = autoTimestamp(trimmed);
  if (!parts || !valid(parts)) return undefined;
  if (kind === 'timestamp_tz') parts = toUtc(parts);
  return valueOfParts(parts, kind);
}

const FAST_FORMS: Record<'date' | 'time' | 'timestamp', RegExp> = {
  date: /^(\d{4})-(\d{2})-(\d{2})$/,
  time: /^()([01]\d|2[0-3]):([0-5]\d):[0-5]\d(?:\.(\d{1,6}))?$/,
  timestamp: /^(\d{4})-(\d{2})-(\d{2}) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.(\d{1,6}))?$/,
};

/** Month and day in range (for times: hour and minute); days up to 28 need no calendar. */
function plausible(a: number, b: number, c: number): boolean {
  if (Number.isNaN(a) || a === 0) return b <= 23 && c <= 59; // time: ("", hour, minute)
  if (b < 1 || b > 12 || c < 1) return false;
  return c <= 28 || c <= new Date(Date.UTC(a, b, 0)).getUTCDate();
}

/** A date column holding "2023-04-22 00:00:00": the date part, when the time is midnight. */
function dateOfTimestamp(text: string): Parts | undefined {
  const parts = autoTimestamp(text);
  if (!parts || parts.hour || parts.minute || parts.second || /[1-9]/.test(parts.fraction)) return undefined;
  return parts;
}

// ------------------------------------------------------------------ writing

/**
 * Formats a row-model value for a file: with the pattern when one is configured, otherwise in
 * the row model's own form (`T` between date and time when `isoT`, as SeaTunnel's JSON writes it).
 * timestamp_tz is always ISO 8601 with `Z` (SeaTunnel writes ISO_OFFSET_DATE_TIME).
 */
export function formatTemporal(value: string, kind: TemporalKind, pattern?: TemporalPattern, isoT = false): string {
  if (kind === 'timestamp_tz') return valueOfParts(partsOfValue(value, kind), 'timestamp').replace(' ', 'T') + 'Z';
  if (!pattern) {
    if (kind === 'timestamp' && (isoT || value.length < 19 || value[10] !== ' ')) {
      const text = valueOfParts(partsOfValue(value, kind), 'timestamp');
      return isoT ? text.replace(' ', 'T') : text;
    }
    return value;
  }
  return pattern.format(partsOfValue(value, kind));
}
