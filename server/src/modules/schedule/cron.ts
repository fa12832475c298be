import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { UserInputError } from '../../errors.js';

/**
 * Cron expressions and time zones, with no database and no GraphQL.
 *
 * Fire times come from cron-parser called exactly as Agenda 6 calls it for
 * `repeatEvery(cron, { timezone })` (`CronExpressionParser.parse(cron, { currentDate, tz })`), so a
 * preview shows the moments Agenda will fire. Behaviour at daylight-saving changes (cron-parser
 * 5.10.6, measured in cron.test.ts):
 * - Spring forward: a time inside the skipped hour fires once, the same minutes into the hour the
 *   clock jumps to (`30 2 * * *` in Europe/Berlin on 2024-03-31 fires at 03:30 CEST). A job whose
 *   hour field is `*` simply has no run at the missing hour (23 hourly runs that day). Several times
 *   inside the skipped hour fire once, at the first of them (`*\/15 2 * * *` fires at 03:00 CEST only).
 *   Every search starts again from the last occurrence, as Agenda's does: one cron-parser iterator
 *   walked across a transition can differ.
 * - Fall back: a job with fixed hours fires once in the repeated hour, at its first pass (02:30 CEST,
 *   not again at 02:30 CET); a job whose hour field is `*` fires in both passes (25 hourly runs).
 *   The "once" depends on where the search starts: searching from inside the second pass (between
 *   02:00 and 02:30 CET) finds 02:30 CET, as Agenda would after a fire that ran more than half an hour
 *   late on that night.
 */

export type MisfirePolicy = 'SKIP' | 'RUN_ONCE' | 'RUN_ALL';

export interface CronSchedule {
  cron: string;
  timezone: string;
  startAt?: Date | null;
  endAt?: Date | null;
}

/** The aliases cron-parser expands, in the order the error message lists them. */
const ALIASES = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@hourly',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
] as const;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Special forms cron-parser supports in this field, checked by cron-parser itself. */
  special?: RegExp;
  question?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIVE_FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, special: /^L$/i, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'weekday', min: 0, max: 7, names: WEEKDAYS, special: /^[0-7]L$|^[0-7]#[1-5]$/i, question: true },
];

const ACCEPTS =
  '5 fields (minute hour day-of-month month weekday) or 6 (second first), each *, a number, a range a-b, ' +
  'a step */n or a-b/n, or a comma-separated list of those; JAN-DEC and SUN-SAT names; ' +
  `or one of ${ALIASES.join(', ')}`;

const cronError = (message: string, column?: number): UserInputError =>
  new UserInputError(`cron: ${message}`, column === undefined ? { field: 'cron' } : { field: 'cron', column });

const neverFires = (cron: string): UserInputError =>
  cronError(`"${cron.trim()}" never fires (no calendar date matches it)`);

/**
 * The expression as Agenda should be given it: trimmed, single-spaced, aliases lower-cased
 * (cron-parser only knows `@daily`, not `@DAILY`). Store or pass this, not the raw input.
 */
export function normalizeCron(cron: string): string {
  const trimmed = cron.trim().replace(/\s+/g, ' ');
  return trimmed.startsWith('@') ? trimmed.toLowerCase() : trimmed;
}

const knownZones = new Map<string, boolean>();

/** True when Intl knows the zone by that name (offsets such as "+05:00" are not zones). */
export function isTimeZone(timezone: string): boolean {
  if (!timezone.trim() || /^[+-]/.test(timezone)) return false;
  // Every fire validates its schedule: building an Intl formatter each time is most of that cost.
  let known = knownZones.get(timezone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 1000) knownZones.set(timezone, known);
  }
  return known;
}

function checkValue(raw: string, spec: FieldSpec, where: string, column: number): number {
  if (/^\d+$/.test(raw)) {
    const value = Number(raw);
    if (value < spec.min || value > spec.max) {
      throw cronError(`${where} "${raw}" is out of range ${spec.min}-${spec.max}`, column);
    }
    return value;
  }
  if (spec.names && /^[a-z]+$/i.test(raw)) {
    const index = spec.names.indexOf(raw.toUpperCase());
    if (index < 0) {
      const range = `${spec.names[0]}-${spec.names[spec.names.length - 1]}`;
      throw cronError(`${where} "${raw}" is not a ${spec.name} name (use ${range} or ${spec.min}-${spec.max})`, column);
    }
    return index + (spec.name === 'month' ? 1 : 0);
  }
  throw cronError(`${where} "${raw}" is not a number${spec.names ? ' or a name' : ''}`, column);
}

function checkItem(item: string, spec: FieldSpec, where: string, column: number): void {
  if (/(?:^|[^a-z])h(?:[^a-z]|$)/i.test(item)) {
    throw cronError(
      `${where} "${item}" uses H (hashed values), which Sluice does not accept: spell the value out`,
      column,
    );
  }
  if (spec.name === 'weekday' && item.includes('#') && !spec.special?.test(item)) {
    throw cronError(
      `${where} "${item}" must be n#k: a weekday n (0-7) and its occurrence k in the month (1-5)`,
      column,
    );
  }
  if (spec.special?.test(item)) return;
  const parts = item.split('/');
  if (parts.length > 2) throw cronError(`${where} "${item}" has more than one step`, column);
  const [base = '', step] = parts;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) === 0) {
      throw cronError(`${where} step "${step}" in "${item}" must be a whole number of 1 or more`, column);
    }
    if (Number(step) > spec.max - spec.min + 1) {
      throw cronError(
        `${where} step "${step}" in "${item}" is larger than the field's range ${spec.min}-${spec.max}`,
        column,
      );
    }
  }
  if (base === '*' || (base === '?' && spec.question)) return;
  if (base === '?') throw cronError(`${where} "?" is only allowed in the day-of-month and weekday fields`, column);
  const bounds = base.split('-');
  if (bounds.length > 2 || bounds.some((b) => b === '')) {
    throw cronError(`${where} "${item}" is not understood; accepted: ${ACCEPTS}`, column);
  }
  const [from, to] = bounds.map((b) => checkValue(b, spec, where, column)) as [number, number | undefined];
  if (to !== undefined && to < from) {
    throw cronError(`${where} range "${base}" goes backwards (write it as a list instead)`, column);
  }
}

/** Parsed expressions by zone and expression: a wave of fires parses each distinct one once. */
const parsed = new Map<string, CronExpression>();

/**
 * The expression positioned at `currentDate`. It is parsed once per (cron, zone) and then reset to
 * the date, which is what parsing with that `currentDate` does (cron-parser's `reset` builds the
 * same CronDate its constructor does); callers use it synchronously, so sharing it is safe.
 */
function parseAt(cron: string, timezone: string, currentDate: Date): CronExpression {
  const key = `${timezone} ${cron}`;
  let expression = parsed.get(key);
  if (!expression) {
    // The same options Agenda 6 passes (utils/nextRunAt.js): no strict mode, no hash seed.
    expression = CronExpressionParser.parse(cron, { currentDate, tz: timezone });
    if (parsed.size >= 2000) parsed.clear();
    parsed.set(key, expression);
  }
  expression.reset(currentDate);
  return expression;
}

/**
 * Throws UserInputError naming the field (`cron` or `timezone`), with the position and name of the
 * cron field at fault and, when the shape is wrong, what is accepted. `column` (when a single cron
 * field is at fault) counts characters in the normalized expression.
 */
export function validateCron(schedule: CronSchedule): void {
  const { timezone } = schedule;
  if (!isTimeZone(timezone)) {
    throw new UserInputError(`timezone: "${timezone}" is not an IANA time zone (for example Europe/Berlin or UTC)`, {
      field: 'timezone',
    });
  }
  const cron = normalizeCron(schedule.cron);
  if (!cron) throw cronError(`the expression is empty; accepted: ${ACCEPTS}`);
  if (cron.startsWith('@')) {
    if (!(ALIASES as readonly string[]).includes(cron)) {
      throw cronError(`unknown alias "${schedule.cron.trim()}"; accepted: ${ALIASES.join(', ')}`);
    }
  } else {
    const fields = cron.split(' ');
    if (fields.length !== 5 && fields.length !== 6) {
      throw cronError(`expected 5 or 6 fields, got ${fields.length}; accepted: ${ACCEPTS}`);
    }
    const specs = fields.length === 6 ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
    let column = 1;
    fields.forEach((field, index) => {
      const spec = specs[index]!;
      const where = `field ${index + 1} (${spec.name})`;
      for (const item of field.split(',')) {
        if (!item) throw cronError(`${where} "${field}" has an empty list item`, column);
        checkItem(item, spec, where, column);
      }
      column += field.length + 1;
    });
  }
  let expression: CronExpression;
  try {
    expression = parseAt(cron, timezone, new Date());
  } catch (e) {
    // cron-parser refuses a day of month that its only month never has (31 in April) when parsing.
    if (/explicit day of month/i.test((e as Error).message)) throw neverFires(schedule.cron);
    throw cronError(`"${schedule.cron.trim()}" is not accepted (${(e as Error).message}); accepted: ${ACCEPTS}`);
  }
  try {
    expression.next();
  } catch {
    throw neverFires(schedule.cron);
  }
}

/**
 * Walks the occurrences strictly after `after` and no later than `until`, in order, within
 * startAt/endAt; stops when `visit` returns false.
 */
export function eachOccurrence(
  schedule: CronSchedule,
  after: Date,
  until: Date | null,
  visit: (time: Date) => boolean,
): void {
  const cron = normalizeCron(schedule.cron);
  const startAt = schedule.startAt ?? null;
  const endAt = schedule.endAt ?? null;
  const last = endAt && until ? Math.min(endAt.getTime(), until.getTime()) : (endAt ?? until)?.getTime();
  // Start the search just before startAt so an occurrence exactly at startAt counts.
  let from = after.getTime();
  if (startAt && startAt.getTime() - 1000 > from) from = startAt.getTime() - 1000;
  let previous = after.getTime();
  for (;;) {
    let time: Date;
    try {
      // Parsed again from each occurrence, as Agenda computes each next run from the last one: one
      // iterator walked across a fall-back night can skip an occurrence that Agenda fires.
      time = parseAt(cron, schedule.timezone, new Date(from)).next().toDate();
    } catch {
      return; // cron-parser found nothing within its search limit
    }
    const t = time.getTime();
    if (last !== undefined && t > last) return;
    from = Math.max(from + 1, t);
    if (t <= previous || (startAt && t < startAt.getTime())) continue;
    previous = t;
    if (!visit(time)) return;
  }
}

/** The next `count` fire times strictly after `after` (default now), within startAt/endAt. */
export function nextFireTimes(schedule: CronSchedule, count: number, after: Date = new Date()): Date[] {
  validateCron(schedule);
  const times: Date[] = [];
  if (count <= 0) return times;
  eachOccurrence(schedule, after, null, (time) => times.push(time) < count);
  return times;
}

/** Every occurrence in (from, to], oldest first, at most `limit`; `truncated` when more remain. */
export function occurrencesBetween(
  schedule: CronSchedule,
  from: Date,
  to: Date,
  limit: number,
): { times: Date[]; truncated: boolean } {
  validateCron(schedule);
  const times: Date[] = [];
  let truncated = false;
  eachOccurrence(schedule, from, to, (time) => {
    if (times.length >= limit) {
      truncated = true;
      return false;
    }
    times.push(time);
    return true;
  });
  return { times, truncated };
}

/**
 * The occurrences missed between `lastFire` and `now` that should run now: those strictly after
 * `lastFire` and strictly before `now` (an occurrence exactly at `now` is the one firing, not a
 * missed one), oldest first. SKIP → none; RUN_ONCE → the latest; RUN_ALL → the newest `cap`. With a
 * `catchUpWindowSeconds`, only occurrences at most that many seconds before `now` are considered.
 */
export function missedToRun(
  schedule: CronSchedule,
  policy: MisfirePolicy,
  lastFire: Date,
  now: Date,
  options: { cap: number; catchUpWindowSeconds: number | null },
): Date[] {
  validateCron(schedule);
  const keep = policy === 'SKIP' ? 0 : policy === 'RUN_ONCE' ? 1 : Math.max(0, options.cap);
  if (keep === 0 || now.getTime() <= lastFire.getTime()) return [];
  let lower = lastFire.getTime();
  if (options.catchUpWindowSeconds !== null) {
    // Inclusive: an occurrence exactly catchUpWindowSeconds old still runs.
    lower = Math.max(lower, now.getTime() - options.catchUpWindowSeconds * 1000 - 1);
  }
  lower = Math.max(lower, searchStart(schedule, keep, now, lower));
  const newest: Date[] = [];
  eachOccurrence(schedule, new Date(lower), new Date(now.getTime() - 1), (time) => {
    newest.push(time);
    if (newest.length > keep) newest.shift();
    return true;
  });
  return newest;
}

/**
 * A point from which walking forward to `now` passes at least the newest `keep` occurrences, found
 * by stepping back from `now`, so that a per-second schedule missed for a month is not walked
 * through second by second. Falls back to `floor` when stepping back fails.
 */
function searchStart(schedule: CronSchedule, keep: number, now: Date, floor: number): number {
  try {
    const expression = parseAt(normalizeCron(schedule.cron), schedule.timezone, now);
    let time = now.getTime();
    for (let i = 0; i <= keep && time > floor; i++) time = expression.prev().toDate().getTime();
    // Two hours before the (keep+1)th previous occurrence, so the forward walk starts before any
    // repeated hour that the backward step may have landed in.
    return time > floor ? time - 7_200_000 : floor;
  } catch {
    return floor;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall-clock pieces of `time` in `timezone`, and its UTC offset there as "+02:00". */
export function zonedParts(
  time: Date,
  timezone: string,
): { year: string; month: string; day: string; hour: string; minute: string; second: string; offset: string } {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(time)) parts[part.type] = part.value;
  // longOffset is "GMT+02:00", or plain "GMT" at offset zero.
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return {
    year: parts.year!.padStart(4, '0'),
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    offset,
  };
}

/**
 * A fire time as the run variables show it: `iso` is ISO-8601 with the zone's offset
 * ('2024-03-31T03:30:00+02:00'), `date` the zone-local 'YYYY-MM-DD', `datetime` the zone-local
 * 'YYYY-MM-DD HH:mm:ss'.
 */
export function formatInZone(time: Date, timezone: string, pattern: 'iso' | 'date' | 'datetime'): string {
  const p = zonedParts(time, timezone);
  const date = `${p.year}-${p.month}-${p.day}`;
  const clock = `${p.hour}:${p.minute}:${p.second}`;
  if (pattern === 'date') return date;
  if (pattern === 'datetime') return `${date} ${clock}`;
  return `${date}T${clock}${p.offset}`;
}
