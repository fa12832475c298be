import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import { formatInZone, occurrencesBetween, type MisfirePolicy } from './cron.js';
import { dataTime, dueOccurrences, occurrenceVariables } from './occurrence.js';

const at = (iso: string) => new Date(iso);

describe('data_time', () => {
  it('is the zone-local date of the occurrence by default', () => {
    // 02:00 in Shanghai is 18:00 UTC the day before: the partition is Shanghai's date.
    expect(
      dataTime(at('2026-11-16T18:00:00Z'), 'Asia/Shanghai', { dataTimeOffset: '0', dataTimeFormat: 'yyyy-MM-dd' }),
    ).toBe('2026-11-17');
  });

  it('moves by the offset in the zone: a day back is the day before, whatever UTC says', () => {
    const policy = { dataTimeOffset: '-1d', dataTimeFormat: 'yyyyMMdd' };
    expect(dataTime(at('2026-11-16T18:00:00Z'), 'Asia/Shanghai', policy)).toBe('20261116');
    expect(dataTime(at('2026-11-16T18:00:00Z'), 'UTC', policy)).toBe('20261115');
  });

  it('moves the calendar for days and the clock for hours across a daylight-saving change', () => {
    // 2024-03-31 03:30 CEST; a day earlier is 03:30 CET (23 hours before), an hour earlier is 01:30 CET.
    const occurrence = at('2024-03-31T01:30:00Z');
    expect(dataTime(occurrence, 'Europe/Berlin', { dataTimeOffset: '-1d', dataTimeFormat: 'yyyy-MM-dd HH:mm' })).toBe(
      '2024-03-30 03:30',
    );
    expect(dataTime(occurrence, 'Europe/Berlin', { dataTimeOffset: '-1h', dataTimeFormat: 'yyyy-MM-dd HH:mm' })).toBe(
      '2024-03-31 01:30',
    );
  });

  it('knows months, weeks, minutes, seconds and years, and quoted text', () => {
    const t = at('2026-03-31T12:00:00Z');
    const f = (dataTimeOffset: string, dataTimeFormat = "yyyy-MM-dd'T'HH:mm:ss") =>
      dataTime(t, 'UTC', { dataTimeOffset, dataTimeFormat });
    expect(f('-1M')).toBe('2026-02-28T12:00:00');
    expect(f('+1w')).toBe('2026-04-07T12:00:00');
    expect(f('-90m')).toBe('2026-03-31T10:30:00');
    expect(f('-30s')).toBe('2026-03-31T11:59:30');
    expect(f('-1y', 'yyyy')).toBe('2025');
    expect(f('0', "'dt='yyyyMMdd")).toBe('dt=20260331');
  });
});

describe('occurrenceVariables', () => {
  it('gives only the variables the task declares', () => {
    const t = at('2026-11-16T18:00:00Z');
    expect(occurrenceVariables(t, 'Asia/Shanghai', new Set(['scheduled_time', 'data_time']), undefined)).toEqual({
      scheduled_time: '2026-11-17T02:00:00+08:00',
      data_time: '2026-11-17',
    });
    expect(occurrenceVariables(t, 'Asia/Shanghai', new Set(['data_time']), { dataTimeOffset: '-1d' })).toEqual({
      data_time: '2026-11-16',
    });
    expect(occurrenceVariables(t, 'Asia/Shanghai', new Set(['other']), undefined)).toEqual({});
  });
});

/**
 * Fires as Agenda does (each next run parsed from the last run's start), each a little late, and
 * hands every fire to dueOccurrences as the schedule service does: the runs started must be the
 * occurrences, each once, across the daylight-saving changes.
 */
function simulate(
  cron: string,
  timezone: string,
  from: string,
  to: string,
  lateness: (nominal: Date) => number,
  policy: MisfirePolicy = 'RUN_ONCE',
): Date[] {
  const schedule = { cron, timezone, misfirePolicy: policy, misfireCap: 10, catchUpWindowSeconds: null };
  const end = new Date(to).getTime();
  let handled = new Date(from);
  let lastRunAt = handled;
  const started: Date[] = [];
  for (;;) {
    const nominal = CronExpressionParser.parse(cron, { currentDate: lastRunAt, tz: timezone }).next().toDate();
    if (nominal.getTime() > end) return started;
    const firedAt = new Date(nominal.getTime() + lateness(nominal));
    const due = dueOccurrences(schedule, handled, firedAt, 60_000);
    started.push(...due.times);
    handled = due.through ?? handled;
    lastRunAt = firedAt;
  }
}

describe('firing across daylight-saving changes', () => {
  const cases: [string, string, string, string][] = [
    ['30 2 * * *', 'Europe/Berlin', '2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '2024-10-25T00:00:00Z', '2024-10-29T00:00:00Z'],
    ['0 * * * *', 'Europe/Berlin', '2024-03-30T20:00:00Z', '2024-03-31T06:00:00Z'],
    ['0 * * * *', 'Europe/Berlin', '2024-10-26T20:00:00Z', '2024-10-27T06:00:00Z'],
    ['*/20 1-3 * * *', 'Europe/Berlin', '2024-10-26T00:00:00Z', '2024-10-28T00:00:00Z'],
    ['30 1 * * *', 'America/New_York', '2024-11-01T00:00:00Z', '2024-11-05T00:00:00Z'],
    ['30 2 * * *', 'America/New_York', '2024-03-08T00:00:00Z', '2024-03-12T00:00:00Z'],
    ['0 * * * *', 'America/New_York', '2024-03-09T20:00:00Z', '2024-03-10T12:00:00Z'],
    ['0 * * * *', 'America/New_York', '2024-11-02T20:00:00Z', '2024-11-03T12:00:00Z'],
  ];

  it.each(cases)('%s in %s from %s: every occurrence once, fired a few seconds late', (cron, zone, from, to) => {
    let i = 0;
    const started = simulate(cron, zone, from, to, () => [5, 900, 2500, 40_000][i++ % 4]!);
    const expected = occurrencesBetween({ cron, timezone: zone }, new Date(from), new Date(to), 10_000).times;
    expect(started.map((t) => t.toISOString())).toEqual(expected.map((t) => t.toISOString()));
  });

  it('a fall-back night whose first fire ran 45 minutes late still fires a fixed-hour job once', () => {
    // 02:30 CEST fired at 02:15 CET: Agenda's next parse finds 02:30 CET, the same wall time again.
    const started = simulate('30 2 * * *', 'Europe/Berlin', '2024-10-26T12:00:00Z', '2024-10-28T12:00:00Z', (t) =>
      t.toISOString() === '2024-10-27T00:30:00.000Z' ? 45 * 60_000 : 10,
    );
    expect(started.map((t) => formatInZone(t, 'Europe/Berlin', 'iso'))).toEqual([
      '2024-10-27T02:30:00+02:00',
      '2024-10-28T02:30:00+01:00',
    ]);
  });

  it('an hourly job keeps both 02:00 of a fall-back night (two distinct instants) and skips the missing one', () => {
    const fall = simulate('0 * * * *', 'America/New_York', '2024-11-03T04:30:00Z', '2024-11-03T07:30:00Z', () => 10);
    expect(fall.map((t) => formatInZone(t, 'America/New_York', 'iso'))).toEqual([
      '2024-11-03T01:00:00-04:00',
      '2024-11-03T01:00:00-05:00',
      '2024-11-03T02:00:00-05:00',
    ]);
    const spring = simulate('0 * * * *', 'America/New_York', '2024-03-10T05:30:00Z', '2024-03-10T08:30:00Z', () => 10);
    expect(spring.map((t) => formatInZone(t, 'America/New_York', 'iso'))).toEqual([
      '2024-03-10T01:00:00-05:00',
      '2024-03-10T03:00:00-04:00',
      '2024-03-10T04:00:00-04:00',
    ]);
  });

  it('late beyond the threshold is a misfire: RUN_ONCE runs the latest missed and the current one, SKIP only the current', () => {
    const handled = new Date('2026-01-01T00:00:30Z');
    const firedAt = new Date('2026-01-01T00:10:00.050Z'); // every instance was down for ten minutes
    const base = { cron: '* * * * *', timezone: 'UTC', misfireCap: 3, catchUpWindowSeconds: null };
    const iso = (policy: MisfirePolicy) =>
      dueOccurrences({ ...base, misfirePolicy: policy }, handled, firedAt, 60_000).times.map((t) => t.toISOString());
    expect(iso('SKIP')).toEqual(['2026-01-01T00:10:00.000Z']);
    expect(iso('RUN_ONCE')).toEqual(['2026-01-01T00:09:00.000Z', '2026-01-01T00:10:00.000Z']);
    expect(iso('RUN_ALL')).toEqual([
      '2026-01-01T00:07:00.000Z',
      '2026-01-01T00:08:00.000Z',
      '2026-01-01T00:09:00.000Z',
      '2026-01-01T00:10:00.000Z',
    ]);
    // Within the threshold nothing is a misfire, whatever the policy: a per-second schedule 30 s behind runs all 30.
    const perSecond = { ...base, cron: '* * * * * *', misfirePolicy: 'SKIP' as const };
    const caughtUp = dueOccurrences(
      perSecond,
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-01-01T00:00:30Z'),
      60_000,
    );
    expect(caughtUp.times).toHaveLength(30);
    expect(caughtUp.through?.toISOString()).toBe('2026-01-01T00:00:30.000Z');
  });
});

describe('dueOccurrences after a long outage', () => {
  it('finds the misfires of a per-second schedule down for a month (a backward search, not a walk through every second)', () => {
    const schedule = {
      cron: '* * * * * *',
      timezone: 'UTC',
      misfirePolicy: 'RUN_ALL' as const,
      misfireCap: 3,
      catchUpWindowSeconds: null,
    };
    const due = dueOccurrences(schedule, new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00.500Z'), 1000);
    expect(due.times.map((t) => t.toISOString())).toEqual([
      '2026-01-31T23:59:57.000Z',
      '2026-01-31T23:59:58.000Z',
      '2026-01-31T23:59:59.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(due.through?.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });
});
