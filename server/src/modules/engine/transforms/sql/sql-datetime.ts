/**
 * Date and time arithmetic on the row model's text values, without JavaScript's Date (which has
 * milliseconds only and a time zone). A date is a day number (days since 1970-01-01, proleptic
 * Gregorian), a time is microseconds since midnight, a timestamp is both.
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

export interface DateTime {
  days: number;
  micros: number;
}

/** Days since 1970-01-01 of a civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

function pad(n: number, width: number): string {
  if (width === 2 && n >= 0 && n < 100) return TWO_DIGITS[n]!;
  const s = String(Math.abs(n));
  const padded = s.length >= width ? s : '0'.repeat(width - s.length) + s;
  return n < 0 ? `-${padded}` : padded;
}

// ------------------------------------------------------------------ text ⇄ numbers

const DATE_RE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TIMESTAMP_RE =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function fractionMicros(text: string | undefined): number {
  if (!text) return 0;
  return Number((text + '00000').slice(0, 6));
}

function checkedDate(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return daysFromCivil(y, m, d);
}

function checkedTime(h: number, mi: number, s: number, micros: number): number | undefined {
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return ((h * 60 + mi) * 60 + s) * MICROS_PER_SECOND + micros;
}

/** Digits of text[from, to) as a number; -1 when any is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The row model's own "YYYY-MM-DD" without a regular expression (the common case). */
function fastDate(text: string): number | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 7);
  const d = digitsAt(text, 8, 10);
  if (y < 0 || m < 0 || d < 0) return undefined;
  return checkedDate(y, m, d);
}

/** "YYYY-MM-DD HH:MM:SS[.f]" (or with T) without a regular expression; undefined to take the slow path. */
function fastTimestamp(text: string): DateTime | undefined {
  const n = text.length;
  if (n < 19 || n > 29) return undefined;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const days = fastDate(text);
  if (days === undefined) return undefined;
  const h = digitsAt(text, 11, 13);
  const mi = digitsAt(text, 14, 16);
  const sec = digitsAt(text, 17, 19);
  if (h < 0 || mi < 0 || sec < 0) return undefined;
  let fraction = 0;
  if (n > 19) {
    if (text.charCodeAt(19) !== 46 || n === 20) return undefined;
    const f = digitsAt(text, 20, Math.min(n, 26));
    if (f < 0 || (n > 26 && digitsAt(text, 26, n) < 0)) return undefined;
    fraction = f * 10 ** (6 - Math.min(n - 20, 6));
  }
  const micros = checkedTime(h, mi, sec, fraction);
  return micros === undefined ? undefined : { days, micros };
}

/** "YYYY-MM-DD" → day number; undefined when malformed or not a real date. */
export function parseDate(text: string): number | undefined {
  if (text.length === 10) {
    const fast = fastDate(text);
    if (fast !== undefined) return fast;
  }
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** "HH:MM[:SS[.f]]" → microseconds since midnight. */
export function parseTime(text: string): number | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  return checkedTime(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), fractionMicros(m[4]));
}

/**
 * "YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|±HH[:MM]]" or a date alone → day and time. An offset, when
 * written, converts the value to UTC (timestamp_tz values are "...+00").
 */
export function parseTimestamp(text: string): DateTime | undefined {
  const fast = text.length === 10 ? fastDate(text) : undefined;
  if (fast !== undefined) return { days: fast, micros: 0 };
  const quick = fastTimestamp(text);
  if (quick) return quick;
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return undefined;
  const days = checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (days === undefined) return undefined;
  const micros =
    m[4] === undefined ? 0 : checkedTime(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), fractionMicros(m[7]));
  if (micros === undefined) return undefined;
  const zone = m[8];
  if (!zone || zone === 'Z') return { days, micros };
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return addMicros({ days, micros }, -sign * offsetMinutes * 60 * MICROS_PER_SECOND);
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** "HH:MM:SS", with ".fff" or ".ffffff" when there is a fraction (as Java prints it). */
export function formatTime(micros: number): string {
  const totalSeconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = micros - totalSeconds * MICROS_PER_SECOND;
  const h = Math.floor(totalSeconds / 3600);
  const mi = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  let text = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (fraction !== 0) text += fraction % 1000 === 0 ? `.${pad(fraction / 1000, 3)}` : `.${pad(fraction, 6)}`;
  return text;
}

export function formatTimestamp(dt: DateTime): string {
  return `${formatDate(dt.days)} ${formatTime(dt.micros)}`;
}

export function addMicros(dt: DateTime, micros: number): DateTime {
  let total = dt.micros + micros;
  let days = dt.days;
  if (total < 0 || total >= MICROS_PER_DAY) {
    const carry = Math.floor(total / MICROS_PER_DAY);
    days += carry;
    total -= carry * MICROS_PER_DAY;
  }
  return { days, micros: total };
}

/** Adds months, keeping the day within the target month (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return daysFromCivil(year, month, Math.min(d, daysInMonth(year, month)));
}

/** ISO day of week: Monday 1 ... Sunday 7. */
export function isoDayOfWeek(days: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

export function dayOfYear(days: number): number {
  const [y] = civilFromDays(days);
  return days - daysFromCivil(y, 1, 1) + 1;
}

/** ISO 8601 week number (1-53) and week-based year. */
export function isoWeek(days: number): { week: number; year: number } {
  const thursday = days - isoDayOfWeek(days) + 4;
  const [year] = civilFromDays(thursday);
  return { week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1, year };
}

/** Whole months from a to b (positive when b is later), as java.time.Period counts them. */
export function monthsBetween(a: number, b: number): number {
  const [y1, m1, d1] = civilFromDays(a);
  const [y2, m2, d2] = civilFromDays(b);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (months > 0 && d2 < d1) months--;
  else if (months < 0 && d2 > d1) months++;
  return months;
}

/** The wall-clock now of this process (SeaTunnel uses the JVM's default zone). */
export function localNow(): DateTime {
  const now = new Date();
  const days = daysFromCivil(now.getFullYear(), now.getMonth() + 1, now.getDate());
  const micros =
    ((now.getHours() * 60 + now.getMinutes()) * 60 + now.getSeconds()) * MICROS_PER_SECOND +
    now.getMilliseconds() * 1000;
  return { days, micros };
}

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Indexed by ISO day of week (1 = Monday). */
export const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

// ------------------------------------------------------------------ Java-style patterns

type PatternPart = { literal: string } | { letter: string; count: number };

/** Splits a java.time DateTimeFormatter pattern ("yyyy-MM-dd'T'HH:mm:ss.SSS") into letters and literals. */
export function compileJavaPattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      if (pattern[i + 1] === "'") {
        parts.push({ literal: "'" });
        i += 2;
        continue;
      }
      let j = i + 1;
      let literal = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            literal += "'";
            j += 2;
            continue;
          }
          break;
        }
        literal += pattern[j];
        j++;
      }
      parts.push({ literal });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      if (!'yuMLdHhkKmsSnaEeDQqwWGVXxZz'.includes(ch)) {
        throw new Error(`pattern letter "${ch}" is not supported in "${pattern}"`);
      }
      parts.push({ letter: ch, count: j - i });
      i = j;
      continue;
    }
    parts.push({ literal: ch });
    i++;
  }
  return parts;
}

export interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
}

export function fieldsOf(dt: DateTime): Fields {
  const [year, month, day] = civilFromDays(dt.days);
  const totalSeconds = Math.floor(dt.micros / MICROS_PER_SECOND);
  return {
    year,
    month,
    day,
    hour: Math.floor(totalSeconds / 3600),
    minute: Math.floor((totalSeconds % 3600) / 60),
    second: totalSeconds % 60,
    micros: dt.micros - totalSeconds * MICROS_PER_SECOND,
  };
}

export function formatJava(parts: PatternPart[], dt: DateTime): string {
  const f = fieldsOf(dt);
  let out = '';
  for (const part of parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const n = part.count;
    switch (part.letter) {
      case 'y':
      case 'u':
        out += n === 2 ? pad(f.year % 100, 2) : pad(f.year, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTH_NAMES[f.month - 1]! : n === 3 ? MONTH_NAMES[f.month - 1]!.slice(0, 3) : pad(f.month, n);
        break;
      case 'd':
        out += pad(f.day, n);
        break;
      case 'D':
        out += pad(dayOfYear(dt.days), n);
        break;
      case 'H':
        out += pad(f.hour, n);
        break;
      case 'k':
        out += pad(f.hour === 0 ? 24 : f.hour, n);
        break;
      case 'h':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n);
        break;
      case 'K':
        out += pad(f.hour % 12, n);
        break;
      case 'm':
        out += pad(f.minute, n);
        break;
      case 's':
        out += pad(f.second, n);
        break;
      case 'S':
        out += pad(f.micros, 6).padEnd(9, '0').slice(0, n);
        break;
      case 'n':
        out += String(f.micros * 1000);
        break;
      case 'a':
        out += f.hour < 12 ? 'AM' : 'PM';
        break;
      case 'E':
      case 'e': {
        const name = DAY_NAMES[isoDayOfWeek(dt.days)]!;
        out += n >= 4 ? name : part.letter === 'e' && n <= 2 ? String(isoDayOfWeek(dt.days)) : name.slice(0, 3);
        break;
      }
      case 'Q':
      case 'q':
        out += String(Math.floor((f.month - 1) / 3) + 1);
        break;
      case 'w':
        out += pad(isoWeek(dt.days).week, n);
        break;
      case 'G':
        out += f.year > 0 ? 'AD' : 'BC';
        break;
      case 'X':
      case 'x':
      case 'Z':
        out += part.letter === 'X' ? 'Z' : '+0000';
        break;
      default:
        // V, z, W: zone and week-of-month names have no meaning for zone-less values.
        throw new Error(`pattern letter "${part.letter}" cannot format a date-time value`);
    }
  }
  return out;
}

/** Parses text with a Java pattern; fields not in the pattern default to 1970-01-01 00:00:00. */
export function parseJava(parts: PatternPart[], text: string): DateTime | undefined {
  const f: Fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, micros: 0 };
  let pm: boolean | undefined;
  let twelveHour = false;
  let pos = 0;
  const number = (min: number, max: number): number | undefined => {
    const start = pos;
    if (text[pos] === '-' || text[pos] === '+') pos++;
    while (pos < text.length && pos - start < max && /[0-9]/.test(text[pos]!)) pos++;
    if (pos - start < min) return undefined;
    return Number(text.slice(start, pos));
  };
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    if ('literal' in part) {
      if (!text.startsWith(part.literal, pos)) return undefined;
      pos += part.literal.length;
      continue;
    }
    // An adjacent numeric field means a fixed width (yyyyMMdd); otherwise read as many digits as there are.
    const nextIsNumber = parts[k + 1] !== undefined && 'letter' in parts[k + 1]!;
    const width = (n: number, natural: number) => (nextIsNumber ? Math.max(n, natural) : 9);
    let value: number | undefined;
    switch (part.letter) {
      case 'y':
      case 'u':
        value = number(part.count === 2 ? 2 : 1, part.count === 2 ? 2 : width(part.count, 4));
        if (value !== undefined && part.count === 2) value += 2000;
        if (value !== undefined) f.year = value;
        break;
      case 'M':
      case 'L':
        if (part.count >= 3) {
          const index = MONTH_NAMES.findIndex((name) => {
            const candidate = part.count === 3 ? name.slice(0, 3) : name;
            return text.slice(pos, pos + candidate.length).toLowerCase() === candidate.toLowerCase();
          });
          if (index < 0) return undefined;
          pos += part.count === 3 ? 3 : MONTH_NAMES[index]!.length;
          value = index + 1;
        } else value = number(part.count, width(part.count, 2));
        if (value !== undefined) f.month = value;
        break;
      case 'd':
        value = number(part.count, width(part.count, 2));
        if (value !== undefined) f.day = value;
        break;
      case 'H':
      case 'k':
        value = number(part.count, width(part.count, 2));
        if (value !== undefined) f.hour = part.letter === 'k' && value === 24 ? 0 : value;
        break;
      case 'h':
      case 'K':
        value = number(part.count, width(part.count, 2));
        twelveHour = true;
        if (value !== undefined) f.hour = value % 12;
        break;
      case 'm':
        value = number(part.count, width(part.count, 2));
        if (value !== undefined) f.minute = value;
        break;
      case 's':
        value = number(part.count, width(part.count, 2));
        if (value !== undefined) f.second = value;
        break;
      case 'S': {
        const start = pos;
        while (pos < text.length && pos - start < (nextIsNumber ? part.count : 9) && /[0-9]/.test(text[pos]!)) pos++;
        if (pos === start) return undefined;
        value = fractionMicros(text.slice(start, pos));
        f.micros = value;
        break;
      }
      case 'a': {
        const marker = text.slice(pos, pos + 2).toUpperCase();
        if (marker !== 'AM' && marker !== 'PM') return undefined;
        pm = marker === 'PM';
        pos += 2;
        value = 0;
        break;
      }
      case 'E': {
        const name = DAY_NAMES.slice(1).find((d) => {
          const candidate = part.count >= 4 ? d : d.slice(0, 3);
          return text.slice(pos, pos + candidate.length).toLowerCase() === candidate.toLowerCase();
        });
        if (!name) return undefined;
        pos += part.count >= 4 ? name.length : 3;
        value = 0;
        break;
      }
      default:
        throw new Error(`pattern letter "${part.letter}" cannot be used to parse`);
    }
    if (value === undefined) return undefined;
  }
  if (pos !== text.length) return undefined;
  if (twelveHour && pm) f.hour += 12;
  const days = checkedDate(f.year, f.month, f.day);
  const micros = checkedTime(f.hour, f.minute, f.second, f.micros);
  if (days === undefined || micros === undefined) return undefined;
  return { days, micros };
}

/** What a parsed pattern yields: a timestamp when it has date and time letters, else a date or a time. */
export function patternResult(parts: PatternPart[]): 'date' | 'time' | 'timestamp' {
  const letters = new Set(parts.flatMap((p) => ('letter' in p ? [p.letter] : [])));
  const hasDate = ['y', 'u', 'M', 'L', 'd', 'D'].some((l) => letters.has(l));
  const hasTime = ['H', 'h', 'k', 'K', 'm', 's', 'S'].some((l) => letters.has(l));
  if (hasDate && hasTime) return 'timestamp';
  if (hasTime) return 'time';
  return 'date';
}

// ------------------------------------------------------------------ MySQL-style patterns

/** Formats with MySQL's DATE_FORMAT specifiers (%Y-%m-%d %H:%i:%s). */
export function formatMysql(pattern: string, dt: DateTime): string {
  const f = fieldsOf(dt);
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%' || i === pattern.length - 1) {
      out += ch;
      continue;
    }
    const spec = pattern[++i]!;
    switch (spec) {
      case 'Y':
        out += pad(f.year, 4);
        break;
      case 'y':
        out += pad(f.year % 100, 2);
        break;
      case 'm':
        out += pad(f.month, 2);
        break;
      case 'c':
        out += String(f.month);
        break;
      case 'M':
        out += MONTH_NAMES[f.month - 1]!;
        break;
      case 'b':
        out += MONTH_NAMES[f.month - 1]!.slice(0, 3);
        break;
      case 'd':
        out += pad(f.day, 2);
        break;
      case 'e':
        out += String(f.day);
        break;
      case 'j':
        out += pad(dayOfYear(dt.days), 3);
        break;
      case 'H':
        out += pad(f.hour, 2);
        break;
      case 'k':
        out += String(f.hour);
        break;
      case 'h':
      case 'I':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case 'l':
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case 'i':
        out += pad(f.minute, 2);
        break;
      case 's':
      case 'S':
        out += pad(f.second, 2);
        break;
      case 'f':
        out += pad(f.micros, 6);
        break;
      case 'p':
        out += f.hour < 12 ? 'AM' : 'PM';
        break;
      case 'W':
        out += DAY_NAMES[isoDayOfWeek(dt.days)]!;
        break;
      case 'a':
        out += DAY_NAMES[isoDayOfWeek(dt.days)]!.slice(0, 3);
        break;
      case 'T':
        out += `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}`;
        break;
      case 'r':
        out += `${pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)} ${f.hour < 12 ? 'AM' : 'PM'}`;
        break;
      default:
        out += spec; // %% and unknown specifiers print the character, as MySQL does
    }
  }
  return out;
}
