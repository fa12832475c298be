import { describe, expect, it } from 'vitest';
import { containsPattern, formatRunLogLine, normalizeMessage } from './run-log.js';
import { RunLogLevel, RunLogOrigin } from './run.enums.js';

describe('normalizeMessage', () => {
  it('keeps short messages, newlines included', () => {
    expect(normalizeMessage('a\nb\r\nc', 100)).toBe('a\nb\r\nc');
  });

  it('cuts long messages to the limit with a marker saying how much was cut', () => {
    const text = 'x'.repeat(1000);
    const out = normalizeMessage(text, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    const m = /^(x+) …\[(\d+) characters cut\]$/.exec(out);
    expect(m).not.toBeNull();
    expect(m![1]!.length + Number(m![2])).toBe(1000);
  });

  it('never splits a surrogate pair', () => {
    const text = '🚀'.repeat(100);
    const out = normalizeMessage(text, 80);
    const kept = out.slice(0, out.indexOf(' …['));
    expect(kept).toBe('🚀'.repeat(kept.length / 2));
    expect(Number(/(\d+) characters cut/.exec(out)![1])).toBe(200 - kept.length);
  });

  it('replaces NUL characters, which PostgreSQL text cannot hold', () => {
    expect(normalizeMessage('a\u0000b', 100)).toBe('a\uFFFDb');
  });
});

describe('formatRunLogLine', () => {
  const time = new Date('2026-11-24T10:00:00.123Z');

  it('formats time, padded level, origin and message', () => {
    expect(
      formatRunLogLine({ seq: 1, time, level: RunLogLevel.INFO, origin: RunLogOrigin.ENGINE, message: 'hi' }),
    ).toBe('2026-11-24T10:00:00.123Z INFO  [ENGINE] hi\n');
    expect(formatRunLogLine({ seq: 2, time, level: RunLogLevel.ERROR, origin: RunLogOrigin.HOOK, message: 'x' })).toBe(
      '2026-11-24T10:00:00.123Z ERROR [HOOK] x\n',
    );
  });

  it('indents the continuation lines of a multi-line message', () => {
    const message = 'failed:\n  at a\r\n  at b';
    expect(formatRunLogLine({ seq: 3, time, level: RunLogLevel.WARN, origin: RunLogOrigin.SYSTEM, message })).toBe(
      '2026-11-24T10:00:00.123Z WARN  [SYSTEM] failed:\n      at a\n      at b\n',
    );
  });
});

describe('containsPattern', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(containsPattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
