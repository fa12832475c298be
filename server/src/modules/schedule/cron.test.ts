import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../errors.js';
import {
  formatInZone,
  missedToRun,
  nextFireTimes,
  normalizeCron,
  occurrencesBetween,
  validateCron,
  zonedParts,
  type CronSchedule,
} from './cron.js';

const at = (iso: string): Date => new Date(iso);
const isos = (times: Date[]): string[] => times.map((t) => t.toISOString());
const local = (times: Date[], timezone: string): string[] => times.map((t) => formatInZone(t, timezone, 'iso'));

function problem(schedule: CronSchedule): { message: string; field: unknown; column: unknown } {
  try {
    validateCron(schedule);
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    const error = e as UserInputError;
    return { message: error.message, field: error.extensions.field, column: error.extensions.column };
  }
  throw new Error(`${schedule.cron} in ${schedule.timezone} was accepted`);
}

/** The occurrences on one zone-local calendar day. */
function onLocalDay(cron: string, timezone: string, day: string): Date[] {
  const { times } = occurrencesBetween(
    { cron, timezone },
    new Date(Date.parse(`${day}T00:00:00Z`) - 2 * 86_400_000),
    new Date(Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000),
    1000,
  );
  return times.filter((t) => formatInZone(t, timezone, 'date') === day);
}

/** Agenda's way: parse again from each fire (utils/nextRunAt.js), a few milliseconds after it. */
function agendaFires(cron: string, timezone: string, from: Date, count: number): Date[] {
  const fires: Date[] = [];
  let lastRunAt = from;
  for (let i = 0; i < count; i++) {
    let next = CronExpressionParser.parse(cron, { currentDate: lastRunAt, tz: timezone }).next().toDate();
    if (next <= lastRunAt) {
      next = CronExpressionParser.parse(cron, { currentDate: new Date(lastRunAt.getTime() + 1000), tz: timezone })
        .next()
        .toDate();
    }
    fires.push(next);
    lastRunAt = new Date(next.getTime() + 7);
  }
  return fires;
}

describe('validateCron', () => {
  it('accepts 5-field and 6-field expressions', () => {
    expect(() => validateCron({ cron: '*/5 2-4 1,15 * *', timezone: 'UTC' })).not.toThrow();
    expect(() => validateCron({ cron: '*/10 * * * * *', timezone: 'UTC' })).not.toThrow();
    expect(() => validateCron({ cron: '  0   2 * * 1-5 ', timezone: 'Europe/Berlin' })).not.toThrow();
  });

  it('accepts the usual aliases and month and weekday names in any case', () => {
    for (const cron of ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@hourly', '@DAILY', '@weekdays']) {
      expect(() => validateCron({ cron, timezone: 'UTC' }), cron).not.toThrow();
    }
    for (const cron of ['0 9 * * MON-FRI', '0 9 * * mon,wed,fri', '0 0 1 JAN-MAR *', '0 0 ? * SUN', '0 0 L * *']) {
      expect(() => validateCron({ cron, timezone: 'UTC' }), cron).not.toThrow();
    }
  });

  it('reads aliases and names as cron-parser does', () => {
    const after = at('2024-01-01T00:00:00Z');
    expect(isos(nextFireTimes({ cron: '@DAILY', timezone: 'UTC' }, 1, after))).toEqual(['2024-01-02T00:00:00.000Z']);
    expect(isos(nextFireTimes({ cron: '@hourly', timezone: 'UTC' }, 1, after))).toEqual(['2024-01-01T01:00:00.000Z']);
    expect(isos(nextFireTimes({ cron: '0 9 * * SAT', timezone: 'UTC' }, 1, after))).toEqual([
      '2024-01-06T09:00:00.000Z',
    ]);
    expect(isos(nextFireTimes({ cron: '0 9 1 FEB *', timezone: 'UTC' }, 1, after))).toEqual([
      '2024-02-01T09:00:00.000Z',
    ]);
    expect(normalizeCron('  @Weekly ')).toBe('@weekly');
    expect(normalizeCron(' 0  2 *\t* * ')).toBe('0 2 * * *');
  });

  it('names the field, its position and its range when a value is out of range', () => {
    expect(problem({ cron: '0 25 * * *', timezone: 'UTC' })).toEqual({
      message: 'cron: field 2 (hour) "25" is out of range 0-23',
      field: 'cron',
      column: 3,
    });
    expect(problem({ cron: '0 0 25 * * *', timezone: 'UTC' }).message).toBe(
      'cron: field 3 (hour) "25" is out of range 0-23',
    );
    expect(problem({ cron: '60 * * * * *', timezone: 'UTC' }).message).toBe(
      'cron: field 1 (second) "60" is out of range 0-59',
    );
    expect(problem({ cron: '* * 0 * *', timezone: 'UTC' }).message).toBe(
      'cron: field 3 (day of month) "0" is out of range 1-31',
    );
    expect(problem({ cron: '* * * 13 *', timezone: 'UTC' }).message).toBe(
      'cron: field 4 (month) "13" is out of range 1-12',
    );
    expect(problem({ cron: '* * * * 8', timezone: 'UTC' }).message).toBe(
      'cron: field 5 (weekday) "8" is out of range 0-7',
    );
    expect(problem({ cron: '1-70 * * * *', timezone: 'UTC' }).message).toBe(
      'cron: field 1 (minute) "70" is out of range 0-59',
    );
  });

  it('names the field for unknown names, backward ranges, bad steps, empty list items and stray characters', () => {
    const message = (cron: string) => problem({ cron, timezone: 'UTC' }).message;
    expect(message('0 9 * * MONDAY')).toBe(
      'cron: field 5 (weekday) "MONDAY" is not a weekday name (use SUN-SAT or 0-7)',
    );
    expect(message('0 9 * FOO *')).toBe('cron: field 4 (month) "FOO" is not a month name (use JAN-DEC or 1-12)');
    expect(message('0 MON * * *')).toBe('cron: field 2 (hour) "MON" is not a number');
    expect(message('30-10 * * * *')).toBe(
      'cron: field 1 (minute) range "30-10" goes backwards (write it as a list instead)',
    );
    expect(message('*/0 * * * *')).toBe('cron: field 1 (minute) step "0" in "*/0" must be a whole number of 1 or more');
    expect(message('*/x * * * *')).toBe('cron: field 1 (minute) step "x" in "*/x" must be a whole number of 1 or more');
    expect(message('0 */30 * * *')).toBe(
      'cron: field 2 (hour) step "30" in "*/30" is larger than the field\'s range 0-23',
    );
    expect(message('1/2/3 * * * *')).toBe('cron: field 1 (minute) "1/2/3" has more than one step');
    expect(message('1,,2 * * * *')).toBe('cron: field 1 (minute) "1,,2" has an empty list item');
    expect(message('0 ? * * *')).toBe(
      'cron: field 2 (hour) "?" is only allowed in the day-of-month and weekday fields',
    );
    expect(message('1-2-3 * * * *')).toMatch(/^cron: field 1 \(minute\) "1-2-3" is not understood; accepted: 5 fields/);
    expect(message('0 0 * * 5#9')).toBe(
      'cron: field 5 (weekday) "5#9" must be n#k: a weekday n (0-7) and its occurrence k in the month (1-5)',
    );
    expect(message('0 0 * * 1-5#2')).toMatch(/^cron: field 5 \(weekday\) "1-5#2" must be n#k/);
    expect(message('0 0 * * 5#2,1')).toMatch(/^cron: "0 0 \* \* 5#2,1" is not accepted \(.*incompatible\); accepted:/);
  });

  it('refuses hashed H values, which would differ between instances because Agenda passes no hash seed', () => {
    expect(problem({ cron: 'H * * * *', timezone: 'UTC' }).message).toBe(
      'cron: field 1 (minute) "H" uses H (hashed values), which Sluice does not accept: spell the value out',
    );
    expect(problem({ cron: '0 H/2 * * *', timezone: 'UTC' }).message).toMatch(/^cron: field 2 \(hour\) "H\/2" uses H/);
    expect(() => validateCron({ cron: '0 9 * * THU', timezone: 'UTC' })).not.toThrow();
  });

  it('says how many fields it accepts when the count is wrong, and lists the aliases for an unknown one', () => {
    expect(problem({ cron: '* * * *', timezone: 'UTC' }).message).toBe(
      'cron: expected 5 or 6 fields, got 4; accepted: 5 fields (minute hour day-of-month month weekday) or 6 ' +
        '(second first), each *, a number, a range a-b, a step */n or a-b/n, or a comma-separated list of those; ' +
        'JAN-DEC and SUN-SAT names; or one of @yearly, @annually, @monthly, @weekly, @daily, @hourly, @minutely, ' +
        '@secondly, @weekdays, @weekends',
    );
    expect(problem({ cron: '0 0 0 * * * 2024', timezone: 'UTC' }).message).toMatch(
      /^cron: expected 5 or 6 fields, got 7; accepted:/,
    );
    expect(problem({ cron: '   ', timezone: 'UTC' }).message).toMatch(/^cron: the expression is empty; accepted:/);
    expect(problem({ cron: '@fortnightly', timezone: 'UTC' })).toEqual({
      message:
        'cron: unknown alias "@fortnightly"; accepted: @yearly, @annually, @monthly, @weekly, @daily, @hourly, ' +
        '@minutely, @secondly, @weekdays, @weekends',
      field: 'cron',
      column: undefined,
    });
  });

  it('refuses an expression no calendar date matches', () => {
    expect(problem({ cron: '0 0 30 2 *', timezone: 'UTC' }).message).toBe(
      'cron: "0 0 30 2 *" never fires (no calendar date matches it)',
    );
    expect(problem({ cron: '0 0 31 2,4 *', timezone: 'UTC' }).message).toBe(
      'cron: "0 0 31 2,4 *" never fires (no calendar date matches it)',
    );
    expect(() => validateCron({ cron: '0 0 29 2 *', timezone: 'UTC' })).not.toThrow();
  });

  it('names the timezone field for a zone that is not an IANA zone', () => {
    for (const timezone of ['Mars/Base', '', '+02:00', 'Europe/Berlinn', 'GMT+25']) {
      expect(problem({ cron: '0 2 * * *', timezone }), timezone).toEqual({
        message: `timezone: "${timezone}" is not an IANA time zone (for example Europe/Berlin or UTC)`,
        field: 'timezone',
        column: undefined,
      });
    }
    for (const timezone of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Etc/GMT+5']) {
      expect(() => validateCron({ cron: '0 2 * * *', timezone }), timezone).not.toThrow();
    }
  });

  it('checks the zone before the expression, so a schedule with both wrong names the zone', () => {
    expect(problem({ cron: '0 99 * * *', timezone: 'Mars/Base' }).field).toBe('timezone');
  });
});

describe('nextFireTimes', () => {
  it('fires 0 2 * * * in Asia/Shanghai at 18:00 UTC the day before', () => {
    const times = nextFireTimes({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' }, 3, at('2024-05-01T12:00:00Z'));
    expect(isos(times)).toEqual(['2024-05-01T18:00:00.000Z', '2024-05-02T18:00:00.000Z', '2024-05-03T18:00:00.000Z']);
    expect(formatInZone(times[0]!, 'Asia/Shanghai', 'iso')).toBe('2024-05-02T02:00:00+08:00');
  });

  it('returns times strictly after `after`, also when `after` is itself an occurrence', () => {
    const schedule = { cron: '0 * * * *', timezone: 'UTC' };
    expect(isos(nextFireTimes(schedule, 2, at('2024-01-01T00:00:00Z')))).toEqual([
      '2024-01-01T01:00:00.000Z',
      '2024-01-01T02:00:00.000Z',
    ]);
    expect(isos(nextFireTimes(schedule, 1, at('2024-01-01T00:59:59.999Z')))).toEqual(['2024-01-01T01:00:00.000Z']);
  });

  it('fires a 6-field expression on the second', () => {
    expect(isos(nextFireTimes({ cron: '*/20 * * * * *', timezone: 'UTC' }, 4, at('2024-01-01T00:00:05Z')))).toEqual([
      '2024-01-01T00:00:20.000Z',
      '2024-01-01T00:00:40.000Z',
      '2024-01-01T00:01:00.000Z',
      '2024-01-01T00:01:20.000Z',
    ]);
  });

  it('defaults `after` to now', () => {
    const before = Date.now();
    const [first] = nextFireTimes({ cron: '* * * * * *', timezone: 'UTC' }, 1);
    expect(first!.getTime()).toBeGreaterThan(before - 1000);
    expect(first!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('starts at startAt, counting an occurrence exactly at startAt, and stops at endAt inclusive', () => {
    const schedule = {
      cron: '0 * * * *',
      timezone: 'UTC',
      startAt: at('2024-01-01T05:00:00Z'),
      endAt: at('2024-01-01T08:00:00Z'),
    };
    expect(isos(nextFireTimes(schedule, 10, at('2024-01-01T00:00:00Z')))).toEqual([
      '2024-01-01T05:00:00.000Z',
      '2024-01-01T06:00:00.000Z',
      '2024-01-01T07:00:00.000Z',
      '2024-01-01T08:00:00.000Z',
    ]);
    expect(
      isos(nextFireTimes({ ...schedule, startAt: at('2024-01-01T05:00:00.001Z') }, 1, at('2024-01-01T00:00Z'))),
    ).toEqual(['2024-01-01T06:00:00.000Z']);
    expect(nextFireTimes(schedule, 10, at('2024-01-01T08:00:00Z'))).toEqual([]);
    expect(nextFireTimes(schedule, 0, at('2024-01-01T00:00:00Z'))).toEqual([]);
  });

  it('throws the field error for an invalid schedule', () => {
    expect(() => nextFireTimes({ cron: '0 25 * * *', timezone: 'UTC' }, 1)).toThrow(UserInputError);
    expect(() => nextFireTimes({ cron: '0 2 * * *', timezone: 'Mars/Base' }, 1)).toThrow(/timezone:/);
  });
});

describe('daylight-saving changes (cron-parser 5, as Agenda fires)', () => {
  it('Europe/Berlin spring forward: 02:30 does not exist on 2024-03-31, and the daily job fires once at 03:30 CEST', () => {
    const times = onLocalDay('30 2 * * *', 'Europe/Berlin', '2024-03-31');
    expect(local(times, 'Europe/Berlin')).toEqual(['2024-03-31T03:30:00+02:00']);
    expect(local(onLocalDay('30 2 * * *', 'Europe/Berlin', '2024-03-30'), 'Europe/Berlin')).toEqual([
      '2024-03-30T02:30:00+01:00',
    ]);
    expect(local(onLocalDay('30 2 * * *', 'Europe/Berlin', '2024-04-01'), 'Europe/Berlin')).toEqual([
      '2024-04-01T02:30:00+02:00',
    ]);
  });

  it('Europe/Berlin fall back: 02:30 happens twice on 2024-10-27 and the daily job fires once, at the first', () => {
    const times = onLocalDay('30 2 * * *', 'Europe/Berlin', '2024-10-27');
    expect(local(times, 'Europe/Berlin')).toEqual(['2024-10-27T02:30:00+02:00']);
  });

  it('America/New_York spring forward: 02:30 does not exist on 2024-03-10, and the daily job fires once at 03:30 EDT', () => {
    expect(local(onLocalDay('30 2 * * *', 'America/New_York', '2024-03-10'), 'America/New_York')).toEqual([
      '2024-03-10T03:30:00-04:00',
    ]);
  });

  it('America/New_York fall back: 01:30 happens twice on 2024-11-03 and the daily job fires once, at the first', () => {
    expect(local(onLocalDay('30 1 * * *', 'America/New_York', '2024-11-03'), 'America/New_York')).toEqual([
      '2024-11-03T01:30:00-04:00',
    ]);
    // 02:30 is not repeated in New York (the clock goes 01:59 EDT → 01:00 EST): it fires once, in EST.
    expect(local(onLocalDay('30 2 * * *', 'America/New_York', '2024-11-03'), 'America/New_York')).toEqual([
      '2024-11-03T02:30:00-05:00',
    ]);
  });

  it('an hourly job fires 23 times on a spring-forward day and 25 times on a fall-back day', () => {
    expect(onLocalDay('0 * * * *', 'Europe/Berlin', '2024-03-31')).toHaveLength(23);
    expect(onLocalDay('0 * * * *', 'Europe/Berlin', '2024-10-27')).toHaveLength(25);
    expect(onLocalDay('0 * * * *', 'America/New_York', '2024-03-10')).toHaveLength(23);
    expect(onLocalDay('0 * * * *', 'America/New_York', '2024-11-03')).toHaveLength(25);
    expect(onLocalDay('0 * * * *', 'Europe/Berlin', '2024-03-30')).toHaveLength(24);
  });

  it('the hourly job on the fall-back day runs once an hour of elapsed time, through both passes of 02:00', () => {
    const times = onLocalDay('0 * * * *', 'Europe/Berlin', '2024-10-27');
    expect(local(times.slice(1, 5), 'Europe/Berlin')).toEqual([
      '2024-10-27T01:00:00+02:00',
      '2024-10-27T02:00:00+02:00',
      '2024-10-27T02:00:00+01:00',
      '2024-10-27T03:00:00+01:00',
    ]);
    for (let i = 1; i < times.length; i++) expect(times[i]!.getTime() - times[i - 1]!.getTime()).toBe(3_600_000);
  });

  it('a job every 15 minutes of the skipped hour runs once, at the start of the hour the clock jumps to', () => {
    // Agenda parses again from each fire: from 03:00 CEST, the next "hour 2" is the next day's.
    expect(local(onLocalDay('*/15 2 * * *', 'Europe/Berlin', '2024-03-31'), 'Europe/Berlin')).toEqual([
      '2024-03-31T03:00:00+02:00',
    ]);
  });

  it('a job at 02:30 and 03:30 fires once at 03:30 on the spring-forward day, not twice', () => {
    expect(local(onLocalDay('30 2,3 * * *', 'Europe/Berlin', '2024-03-31'), 'Europe/Berlin')).toEqual([
      '2024-03-31T03:30:00+02:00',
    ]);
  });

  it('agrees with Agenda, which parses again from each fire, across all four transitions', () => {
    const cases: [string, string, string][] = [
      ['30 2 * * *', 'Europe/Berlin', '2024-03-29T00:00:00Z'],
      ['30 2 * * *', 'Europe/Berlin', '2024-10-25T00:00:00Z'],
      ['0 * * * *', 'Europe/Berlin', '2024-03-30T20:00:00Z'],
      ['0 * * * *', 'Europe/Berlin', '2024-10-26T20:00:00Z'],
      ['*/20 2 * * *', 'Europe/Berlin', '2024-10-26T00:00:00Z'],
      ['30 1 * * *', 'America/New_York', '2024-11-01T00:00:00Z'],
      ['30 2 * * *', 'America/New_York', '2024-03-08T00:00:00Z'],
      ['0 * * * *', 'America/New_York', '2024-03-09T20:00:00Z'],
      ['0 * * * *', 'America/New_York', '2024-11-02T20:00:00Z'],
    ];
    for (const [cron, timezone, from] of cases) {
      expect(isos(nextFireTimes({ cron, timezone }, 30, at(from))), `${cron} ${timezone}`).toEqual(
        isos(agendaFires(cron, timezone, at(from), 30)),
      );
    }
  });

  it('like Agenda, a search starting inside the second pass of the repeated hour finds the second 02:30', () => {
    // Only reachable when the first 02:30 fired more than half an hour late: Agenda computes the next
    // run from the late fire and finds 02:30 CET. The two are different instants, so the run table's
    // (schedule, scheduled_time) index does not merge them.
    const after = at('2024-10-27T01:10:00Z'); // 02:10 CET, second pass
    const times = nextFireTimes({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, 1, after);
    expect(local(times, 'Europe/Berlin')).toEqual(['2024-10-27T02:30:00+01:00']);
    expect(isos(times)).toEqual(isos(agendaFires('30 2 * * *', 'Europe/Berlin', after, 1)));
  });
});

describe('occurrencesBetween', () => {
  it('lists every occurrence in (from, to], oldest first', () => {
    const result = occurrencesBetween(
      { cron: '0 * * * *', timezone: 'UTC' },
      at('2024-01-01T00:00:00Z'),
      at('2024-01-01T03:00:00Z'),
      10,
    );
    expect(result).toEqual({
      times: [at('2024-01-01T01:00:00Z'), at('2024-01-01T02:00:00Z'), at('2024-01-01T03:00:00Z')],
      truncated: false,
    });
  });

  it('stops at the limit and says it truncated only when another occurrence remains', () => {
    const schedule = { cron: '0 * * * *', timezone: 'UTC' };
    const from = at('2024-01-01T00:00:00Z');
    expect(occurrencesBetween(schedule, from, at('2024-01-03T00:00:00Z'), 48)).toMatchObject({ truncated: false });
    const cut = occurrencesBetween(schedule, from, at('2024-01-03T00:00:01Z'), 48);
    expect(cut.times).toHaveLength(48);
    expect(cut.truncated).toBe(false);
    const more = occurrencesBetween(schedule, from, at('2024-01-03T01:00:00Z'), 48);
    expect(more.times).toHaveLength(48);
    expect(more.times.at(-1)).toEqual(at('2024-01-03T00:00:00Z'));
    expect(more.truncated).toBe(true);
    expect(occurrencesBetween(schedule, from, at('2024-01-01T05:00:00Z'), 0)).toEqual({ times: [], truncated: true });
  });

  it('keeps to startAt and endAt', () => {
    const schedule = {
      cron: '0 0 * * *',
      timezone: 'UTC',
      startAt: at('2024-01-03T00:00:00Z'),
      endAt: at('2024-01-05T12:00:00Z'),
    };
    expect(isos(occurrencesBetween(schedule, at('2024-01-01T00:00Z'), at('2024-02-01T00:00Z'), 100).times)).toEqual([
      '2024-01-03T00:00:00.000Z',
      '2024-01-04T00:00:00.000Z',
      '2024-01-05T00:00:00.000Z',
    ]);
  });

  it('is empty when the window is empty or reversed', () => {
    const schedule = { cron: '* * * * *', timezone: 'UTC' };
    expect(occurrencesBetween(schedule, at('2024-01-01T00:00:30Z'), at('2024-01-01T00:00:50Z'), 10).times).toEqual([]);
    expect(occurrencesBetween(schedule, at('2024-01-02T00:00Z'), at('2024-01-01T00:00Z'), 10).times).toEqual([]);
  });
});

describe('missedToRun', () => {
  const hourly = { cron: '0 * * * *', timezone: 'UTC' };
  const lastFire = at('2024-01-01T00:00:00Z');
  const now = at('2024-01-01T05:30:00Z'); // missed 01:00 … 05:00

  it('runs nothing under SKIP', () => {
    expect(missedToRun(hourly, 'SKIP', lastFire, now, { cap: 10, catchUpWindowSeconds: null })).toEqual([]);
  });

  it('runs only the latest missed occurrence under RUN_ONCE', () => {
    expect(isos(missedToRun(hourly, 'RUN_ONCE', lastFire, now, { cap: 10, catchUpWindowSeconds: null }))).toEqual([
      '2024-01-01T05:00:00.000Z',
    ]);
  });

  it('runs every missed occurrence under RUN_ALL, oldest first', () => {
    expect(isos(missedToRun(hourly, 'RUN_ALL', lastFire, now, { cap: 10, catchUpWindowSeconds: null }))).toEqual([
      '2024-01-01T01:00:00.000Z',
      '2024-01-01T02:00:00.000Z',
      '2024-01-01T03:00:00.000Z',
      '2024-01-01T04:00:00.000Z',
      '2024-01-01T05:00:00.000Z',
    ]);
  });

  it('keeps the newest `cap` under RUN_ALL', () => {
    expect(isos(missedToRun(hourly, 'RUN_ALL', lastFire, now, { cap: 2, catchUpWindowSeconds: null }))).toEqual([
      '2024-01-01T04:00:00.000Z',
      '2024-01-01T05:00:00.000Z',
    ]);
    expect(missedToRun(hourly, 'RUN_ALL', lastFire, now, { cap: 0, catchUpWindowSeconds: null })).toEqual([]);
  });

  it('leaves out occurrences older than the catch-up window, keeping one exactly at its edge', () => {
    const window = { cap: 10, catchUpWindowSeconds: 2.5 * 3600 };
    expect(isos(missedToRun(hourly, 'RUN_ALL', lastFire, now, window))).toEqual([
      '2024-01-01T03:00:00.000Z',
      '2024-01-01T04:00:00.000Z',
      '2024-01-01T05:00:00.000Z',
    ]);
    expect(isos(missedToRun(hourly, 'RUN_ALL', lastFire, now, { cap: 10, catchUpWindowSeconds: 1800 }))).toEqual([
      '2024-01-01T05:00:00.000Z',
    ]);
    expect(missedToRun(hourly, 'RUN_ONCE', lastFire, now, { cap: 10, catchUpWindowSeconds: 1799 })).toEqual([]);
    expect(missedToRun(hourly, 'RUN_ALL', lastFire, now, { cap: 10, catchUpWindowSeconds: 0 })).toEqual([]);
  });

  it('does not count the occurrence exactly at `now` (that one is firing) nor the last fire itself', () => {
    const onTheHour = at('2024-01-01T03:00:00Z');
    expect(isos(missedToRun(hourly, 'RUN_ALL', lastFire, onTheHour, { cap: 10, catchUpWindowSeconds: null }))).toEqual([
      '2024-01-01T01:00:00.000Z',
      '2024-01-01T02:00:00.000Z',
    ]);
    expect(
      missedToRun(hourly, 'RUN_ALL', lastFire, at('2024-01-01T01:00:00Z'), { cap: 10, catchUpWindowSeconds: null }),
    ).toEqual([]);
    expect(missedToRun(hourly, 'RUN_ONCE', now, lastFire, { cap: 10, catchUpWindowSeconds: null })).toEqual([]);
  });

  it('keeps to endAt: nothing after the schedule ended is missed', () => {
    const ended = { ...hourly, endAt: at('2024-01-01T02:00:00Z') };
    expect(isos(missedToRun(ended, 'RUN_ALL', lastFire, now, { cap: 10, catchUpWindowSeconds: null }))).toEqual([
      '2024-01-01T01:00:00.000Z',
      '2024-01-01T02:00:00.000Z',
    ]);
  });

  it('finds the newest occurrences of a per-second schedule missed for a month without walking through all of them', () => {
    const started = Date.now();
    const missed = missedToRun(
      { cron: '* * * * * *', timezone: 'Europe/Berlin' },
      'RUN_ALL',
      at('2024-01-01T00:00:00Z'),
      at('2024-02-01T00:00:00.500Z'),
      { cap: 3, catchUpWindowSeconds: null },
    );
    expect(isos(missed)).toEqual(['2024-01-31T23:59:58.000Z', '2024-01-31T23:59:59.000Z', '2024-02-01T00:00:00.000Z']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts the fall-back day of a daily job once when catching up across it', () => {
    const daily = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };
    const missed = missedToRun(daily, 'RUN_ALL', at('2024-10-25T00:30:00Z'), at('2024-10-29T12:00:00Z'), {
      cap: 10,
      catchUpWindowSeconds: null,
    });
    expect(local(missed, 'Europe/Berlin')).toEqual([
      '2024-10-26T02:30:00+02:00',
      '2024-10-27T02:30:00+02:00',
      '2024-10-28T02:30:00+01:00',
      '2024-10-29T02:30:00+01:00',
    ]);
  });
});

describe('formatInZone', () => {
  it('gives ISO-8601 with the zone offset on both sides of the Berlin spring-forward change', () => {
    expect(formatInZone(at('2024-03-31T00:59:59Z'), 'Europe/Berlin', 'iso')).toBe('2024-03-31T01:59:59+01:00');
    expect(formatInZone(at('2024-03-31T01:00:00Z'), 'Europe/Berlin', 'iso')).toBe('2024-03-31T03:00:00+02:00');
    expect(formatInZone(at('2024-03-31T01:30:00Z'), 'Europe/Berlin', 'iso')).toBe('2024-03-31T03:30:00+02:00');
  });

  it('tells the two 02:30s of the Berlin fall-back night apart by their offsets', () => {
    expect(formatInZone(at('2024-10-27T00:30:00Z'), 'Europe/Berlin', 'iso')).toBe('2024-10-27T02:30:00+02:00');
    expect(formatInZone(at('2024-10-27T01:30:00Z'), 'Europe/Berlin', 'iso')).toBe('2024-10-27T02:30:00+01:00');
  });

  it('gives New York offsets on both sides of both changes', () => {
    expect(formatInZone(at('2024-03-10T06:59:00Z'), 'America/New_York', 'iso')).toBe('2024-03-10T01:59:00-05:00');
    expect(formatInZone(at('2024-03-10T07:00:00Z'), 'America/New_York', 'iso')).toBe('2024-03-10T03:00:00-04:00');
    expect(formatInZone(at('2024-11-03T05:30:00Z'), 'America/New_York', 'iso')).toBe('2024-11-03T01:30:00-04:00');
    expect(formatInZone(at('2024-11-03T06:30:00Z'), 'America/New_York', 'iso')).toBe('2024-11-03T01:30:00-05:00');
  });

  it('writes UTC and half-hour zones as numeric offsets', () => {
    expect(formatInZone(at('2024-01-01T00:00:00Z'), 'UTC', 'iso')).toBe('2024-01-01T00:00:00+00:00');
    expect(formatInZone(at('2024-01-01T00:00:00Z'), 'Asia/Kolkata', 'iso')).toBe('2024-01-01T05:30:00+05:30');
  });

  it('gives the zone-local date and date-time, which may be another day than in UTC', () => {
    const time = at('2024-05-01T18:00:00Z'); // 02:00 on 2 May in Shanghai
    expect(formatInZone(time, 'Asia/Shanghai', 'date')).toBe('2024-05-02');
    expect(formatInZone(time, 'Asia/Shanghai', 'datetime')).toBe('2024-05-02 02:00:00');
    expect(formatInZone(at('2024-01-01T00:00:00Z'), 'America/New_York', 'datetime')).toBe('2023-12-31 19:00:00');
  });

  it('writes midnight as 00, not 24', () => {
    expect(formatInZone(at('2024-01-01T23:00:00Z'), 'Europe/Berlin', 'datetime')).toBe('2024-01-02 00:00:00');
  });
});

// ---- property: what nextFireTimes returns matches the expression in the zone ----

interface Field {
  text: string;
  values: Set<number>;
  star: boolean;
}

/** Values from `min` to `max`; steps and `*` span the field's whole range up to `fieldMax` (31 for days). */
const fieldArb = (min: number, max: number, fieldMax = max): fc.Arbitrary<Field> => {
  const all = (step: number, from = min) => {
    const values = new Set<number>();
    for (let v = from; v <= fieldMax; v += step) values.add(v);
    return values;
  };
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ text: '*', values: all(1), star: true }) },
    {
      weight: 2,
      arbitrary: fc.integer({ min, max }).map((v) => ({ text: `${v}`, values: new Set([v]), star: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
        .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
        .map(([a, b]) => ({ text: `${a}-${b}`, values: new Set([...all(1, a)].filter((v) => v <= b)), star: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 2, max: Math.min(15, max - min + 1) })
        .map((step) => ({ text: `*/${step}`, values: all(step), star: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 })
        .map((vs) => ({ text: vs.join(','), values: new Set(vs), star: false })),
    },
  );
};

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Shanghai', 'Asia/Kolkata', 'Australia/Sydney'];

function offsetMinutes(time: number, timezone: string): number {
  const { offset } = zonedParts(new Date(time), timezone);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
  return sign * (h * 60 + m);
}

/** Wall-clock fields of a UTC instant shifted by `offset` minutes. */
function wall(time: number, offset: number) {
  const d = new Date(time + offset * 60_000);
  return {
    second: d.getUTCSeconds(),
    minute: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    day: d.getUTCDate(),
    month: d.getUTCMonth() + 1,
    weekday: d.getUTCDay(),
  };
}

// Mostly within two days of a daylight-saving change of one of the zones.
const changes = [
  '2024-03-31T01:00:00Z',
  '2024-10-27T01:00:00Z',
  '2024-03-10T07:00:00Z',
  '2024-11-03T06:00:00Z',
  '2024-04-06T16:00:00Z',
  '2024-10-05T16:00:00Z',
].map(Date.parse);
const instantArb = fc.oneof(
  fc.integer({ min: Date.parse('2023-01-01T00:00:00Z'), max: Date.parse('2026-01-01T00:00:00Z') }),
  fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -2 * 86_400_000, max: 86_400_000 }))
    .map(([change, shift]) => change + shift),
);

describe('nextFireTimes (property)', () => {
  it('returns strictly increasing times after `after`, each matching the expression in the zone', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fieldArb(0, 59),
        fieldArb(0, 59),
        fieldArb(0, 23),
        fieldArb(1, 28, 31),
        fieldArb(1, 12),
        fieldArb(0, 6),
        fc.constantFrom(...ZONES),
        instantArb.map((t) => new Date(t)),
        fc.integer({ min: 1, max: 12 }),
        (withSeconds, second, minute, hour, day, month, weekday, timezone, after, count) => {
          const fields = [minute, hour, day, month, weekday].map((f) => f.text);
          const cron = (withSeconds ? [second.text, ...fields] : fields).join(' ');
          const seconds = withSeconds ? second.values : new Set([0]);
          const times = nextFireTimes({ cron, timezone }, count, after);
          expect(times).toHaveLength(count);
          let previous = after.getTime();
          for (const time of times) {
            const t = time.getTime();
            expect(t, cron).toBeGreaterThan(previous);
            previous = t;
            const matches = (w: ReturnType<typeof wall>) => {
              const dayOk =
                !day.star && !weekday.star
                  ? day.values.has(w.day) || weekday.values.has(w.weekday)
                  : day.values.has(w.day) && weekday.values.has(w.weekday);
              return (
                seconds.has(w.second) &&
                minute.values.has(w.minute) &&
                hour.values.has(w.hour) &&
                month.values.has(w.month) &&
                dayOk
              );
            };
            const offset = offsetMinutes(t, timezone);
            const gap = offset - offsetMinutes(t - 3_600_000, timezone);
            // Right after a spring-forward jump a time in the skipped hour fires in the hour it became.
            const ok = matches(wall(t, offset)) || (gap > 0 && matches(wall(t, offset - gap)));
            expect(ok, `${cron} in ${timezone}: ${formatInZone(time, timezone, 'iso')}`).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('missedToRun and Agenda (property)', () => {
  const scheduleArb = fc
    .tuple(fieldArb(0, 59), fieldArb(0, 23), fieldArb(1, 28, 31), fc.constantFrom(...ZONES))
    .map(([minute, hour, day, timezone]) => ({ cron: `${minute.text} ${hour.text} ${day.text} * *`, timezone }));

  it('fires what Agenda fires when it parses again from each fire', () => {
    fc.assert(
      fc.property(scheduleArb, instantArb, ({ cron, timezone }, after) => {
        expect(isos(nextFireTimes({ cron, timezone }, 20, new Date(after)))).toEqual(
          isos(agendaFires(cron, timezone, new Date(after), 20)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('RUN_ALL keeps exactly the newest `cap` of the occurrences in (lastFire, now)', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        instantArb,
        fc.integer({ min: 1, max: 3 * 86_400_000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.integer({ min: 0, max: 2 * 86_400 }), { nil: null }),
        (schedule, lastFire, gap, cap, catchUpWindowSeconds) => {
          const now = lastFire + gap;
          const all = occurrencesBetween(schedule, new Date(lastFire), new Date(now - 1), 100_000).times.filter(
            (t) => catchUpWindowSeconds === null || now - t.getTime() <= catchUpWindowSeconds * 1000,
          );
          const missed = missedToRun(schedule, 'RUN_ALL', new Date(lastFire), new Date(now), {
            cap,
            catchUpWindowSeconds,
          });
          expect(isos(missed)).toEqual(isos(all.slice(-cap)));
          expect(
            isos(missedToRun(schedule, 'RUN_ONCE', new Date(lastFire), new Date(now), { cap, catchUpWindowSeconds })),
          ).toEqual(isos(all.slice(-1)));
        },
      ),
      { numRuns: 150 },
    );
  });
});
