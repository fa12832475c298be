import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../server/src/logger.js';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** Every captured line as raw JSON text, for "never logged" assertions. */
  text(): string;
}

/** A real pino logger whose JSON lines are kept for assertions (and echoed when SLUICE_TEST_LOG=1). */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'info'): CapturedLogs {
  const raw: string[] = [];
  const echo = process.env.SLUICE_TEST_LOG === '1';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = chunk.toString('utf8');
      raw.push(text);
      if (echo) process.stderr.write(text);
      done();
    },
  });
  return {
    logger: createLogger({ logLevel: level, logFormat: 'json' }, stream),
    get lines() {
      return raw.flatMap((t) => t.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}
