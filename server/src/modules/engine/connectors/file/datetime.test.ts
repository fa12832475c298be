import { describe, expect, it } from 'vitest';
import { TemporalPattern, formatTemporal, parseTemporal } from './datetime.js';

describe('SeaTunnel date patterns', () => {
  it('formats and parses yyyy.MM.dd, yyyyMMdd, quoted literals and fractions', () => {
    const dotted = new TemporalPattern('yyyy.MM.dd');
    expect(formatTemporal('2024-03-09', 'date', dotted)).toBe('2024.03.09');
    expect(parseTemporal('2024.03.09', 'date', dotted)).toBe('2024-03-09');
    expect(parseTemporal('2024-03-09', 'date', dotted)).toBeUndefined();

    const compact = new TemporalPattern('yyyyMMddHHmmss');
    expect(formatTemporal('2024-03-09 07:08:09.5', 'timestamp', compact)).toBe('20240309070809');
    expect(parseTemporal('20240309070809', 'timestamp', compact)).toBe('2024-03-09 07:08:09');

    const iso = new TemporalPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");
    expect(formatTemporal('2024-03-09 07:08:09.5', 'timestamp', iso)).toBe('2024-03-09T07:08:09.500');
    expect(parseTemporal('2024-03-09T07:08:09.120', 'timestamp', iso)).toBe('2024-03-09 07:08:09.12');

    expect(parseTemporal('7:05', 'time', new TemporalPattern('H:mm'))).toBe('07:05:00');
    expect(() => new TemporalPattern('dd MMM yyyy')).toThrow('month names (MMM) are not supported');
    expect(() => new TemporalPattern('hh:mm a')).toThrow('letter "h" is not supported');
  });

  it('reads the common forms without a pattern, and refuses impossible dates', () => {
    expect(parseTemporal('2024-2-9', 'date')).toBe('2024-02-09');
    expect(parseTemporal('2024/02/29', 'date')).toBe('2024-02-29');
    expect(parseTemporal('20240229', 'date')).toBe('2024-02-29');
    expect(parseTemporal('2024-02-29 00:00:00', 'date')).toBe('2024-02-29');
    expect(parseTemporal('2023-02-29', 'date')).toBeUndefined();
    expect(parseTemporal('2024-02-29 00:00:01', 'date')).toBeUndefined();
    expect(parseTemporal('2024-13-01', 'date')).toBeUndefined();

    expect(parseTemporal('2024-02-09T10:11:12.1234567', 'timestamp')).toBe('2024-02-09 10:11:12.123456');
    expect(parseTemporal('2024-02-09 10:11', 'timestamp')).toBe('2024-02-09 10:11:00');
    expect(parseTemporal('2024.02.09 10:11:12', 'timestamp')).toBe('2024-02-09 10:11:12');
    expect(parseTemporal('20240209101112', 'timestamp')).toBe('2024-02-09 10:11:12');
    expect(parseTemporal('2024-02-09 24:00:00', 'timestamp')).toBeUndefined();
    expect(parseTemporal('23:59:59.000000', 'time')).toBe('23:59:59');
    expect(parseTemporal('nonsense', 'time')).toBeUndefined();
  });

  it('converts offsets to UTC for timestamp_tz and keeps the wall clock for timestamp', () => {
    expect(parseTemporal('2024-01-01T00:30:00+01:00', 'timestamp_tz')).toBe('2023-12-31 23:30:00+00');
    expect(parseTemporal('2024-01-01 00:30:00Z', 'timestamp_tz')).toBe('2024-01-01 00:30:00+00');
    expect(parseTemporal('2024-01-01 00:30:00', 'timestamp_tz')).toBe('2024-01-01 00:30:00+00');
    expect(parseTemporal('2024-01-01T00:30:00-0530', 'timestamp')).toBe('2024-01-01 00:30:00');
    expect(formatTemporal('2024-01-01 00:30:00.25+00', 'timestamp_tz')).toBe('2024-01-01T00:30:00.25Z');
    expect(formatTemporal('2024-01-01 00:30:00', 'timestamp', undefined, true)).toBe('2024-01-01T00:30:00');
  });
});
