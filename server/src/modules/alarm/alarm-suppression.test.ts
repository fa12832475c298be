import { describe, expect, it } from 'vitest';
import { isWindowOpen, matchesAlarm } from './alarm-suppression.js';

const none = { ruleIds: [], taskIds: [], tags: [], severities: [] };
const alarm = { ruleId: 'r1', taskId: 't1', tags: ['orders', 'eu'], severity: 'CRITICAL' };

describe('matchesAlarm', () => {
  it('takes every alarm when every matcher is empty', () => {
    expect(matchesAlarm(none, alarm)).toBe(true);
  });

  it('needs every non-empty matcher to take the alarm (AND), a tag list by any tag', () => {
    expect(matchesAlarm({ ...none, taskIds: ['t1'], tags: ['eu', 'us'] }, alarm)).toBe(true);
    expect(matchesAlarm({ ...none, taskIds: ['t1'], severities: ['INFO'] }, alarm)).toBe(false);
    expect(matchesAlarm({ ...none, ruleIds: ['r2'] }, alarm)).toBe(false);
    expect(matchesAlarm({ ...none, tags: ['us'] }, alarm)).toBe(false);
  });
});

describe('isWindowOpen', () => {
  const at = (iso: string) => new Date(iso);
  const nightly = { cron: '0 2 * * *', timezone: 'UTC', durationMinutes: 60 };

  it('is open from each occurrence (included) for the duration (excluded)', () => {
    expect(isWindowOpen(nightly, at('2026-03-10T01:59:59Z'))).toBe(false);
    expect(isWindowOpen(nightly, at('2026-03-10T02:00:00Z'))).toBe(true);
    expect(isWindowOpen(nightly, at('2026-03-10T02:59:59Z'))).toBe(true);
    expect(isWindowOpen(nightly, at('2026-03-10T03:00:00Z'))).toBe(false);
  });

  it('reads the expression in its time zone', () => {
    const berlin = { ...nightly, timezone: 'Europe/Berlin' }; // 02:00 CET is 01:00 UTC
    expect(isWindowOpen(berlin, at('2026-01-10T01:30:00Z'))).toBe(true);
    expect(isWindowOpen(berlin, at('2026-01-10T02:30:00Z'))).toBe(false);
  });

  it('is always open for an every-minute expression lasting two minutes', () => {
    expect(isWindowOpen({ cron: '* * * * *', timezone: 'UTC', durationMinutes: 2 })).toBe(true);
  });

  it('opens nothing for an expression that does not parse', () => {
    expect(isWindowOpen({ cron: 'nope', timezone: 'UTC', durationMinutes: 60 })).toBe(false);
  });
});
