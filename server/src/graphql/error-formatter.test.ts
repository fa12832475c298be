import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../logger.js';
import { AppError, NotFoundError } from '../errors.js';
import { formatError } from './error-formatter.js';

const formatted = (e: GraphQLError) => e.toJSON();

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info', logFormat: 'json' }, stream), lines };
}

describe('formatError', () => {
  it('keeps the code, message and extensions of an AppError', () => {
    const { logger } = captureLogs();
    const err = new GraphQLError('wrapped', { originalError: new NotFoundError('Task', 't1'), path: ['task'] });
    expect(formatError(formatted(err), err, logger, 'r1')).toEqual({
      message: 'Task t1 was not found',
      path: ['task'],
      locations: undefined,
      extensions: { code: 'NOT_FOUND', entity: 'Task', id: 't1' },
    });
  });

  it('masks an unknown error behind a request id and logs it with that id', () => {
    const logs = captureLogs();
    const err = new GraphQLError('boom', { originalError: new Error('password=hunter2 at db.internal') });
    const out = formatError(formatted(err), err, logs.logger, 'req-42');
    expect(out.message).toBe('Internal server error');
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
    expect(JSON.stringify(out)).not.toContain('hunter2');
    expect(logs.lines.find((l) => l.requestId === 'req-42')).toBeDefined();
  });

  it('passes through graphql-js validation errors, also when Apollo wraps them', () => {
    const { logger } = captureLogs();
    const inner = new GraphQLError('Cannot query field "nope" on type "Query".');
    const wrapped = new GraphQLError(inner.message, {
      originalError: inner,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(formatError(formatted(wrapped), wrapped, logger).extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('never lets a thrown non-AppError choose its own code', () => {
    const { logger } = captureLogs();
    const err = new GraphQLError('x', {
      originalError: Object.assign(new Error('x'), { extensions: { code: 'FORBIDDEN' } }),
    });
    expect(formatError(formatted(err), err, logger, 'r').extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const app = new GraphQLError('y', { originalError: new AppError('CONFLICT', 'already exists') });
    expect(formatError(formatted(app), app, logger).extensions?.code).toBe('CONFLICT');
  });
});
