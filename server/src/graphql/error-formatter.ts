import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { isAppError } from '../errors.js';
import type { Logger } from '../logger.js';

/** Carries the request id from the HTTP middleware to the formatter, which Apollo calls without context. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Codes Apollo and graphql-js give to errors that are the client's own and safe to show. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The one place errors become GraphQL errors: AppErrors keep their code and extensions,
 * client mistakes pass through, everything else is logged and masked behind a request id.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
  requestId: string | undefined = requestScope.getStore()?.requestId,
): GraphQLFormattedError {
  // Apollo wraps graphql-js's own errors in another GraphQLError: unwrap to the deepest cause.
  let original: unknown = error;
  while (original instanceof GraphQLError && original.originalError) original = original.originalError;
  const base = { locations: formatted.locations, path: formatted.path };

  if (isAppError(original)) {
    return { ...base, message: original.message, extensions: { ...original.extensions, code: original.code } };
  }
  if (original instanceof ArgumentValidationError) {
    const fields = original.extensions.validationErrors.map((v) => ({
      field: v.property,
      problems: Object.values(v.constraints ?? {}),
    }));
    return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT', fields } };
  }
  if (original instanceof GraphQLError) {
    // Raised by graphql-js or Apollo themselves (parse, validation, variable coercion): the client's own mistake.
    const code = formatted.extensions?.code;
    return {
      ...base,
      message: formatted.message,
      extensions: { code: typeof code === 'string' && CLIENT_CODES.has(code) ? code : 'GRAPHQL_VALIDATION_FAILED' },
    };
  }
  const badId = malformedUuid(original);
  if (badId !== undefined) {
    // Every id is a UUID: PostgreSQL refusing to read one means the client sent something that is not an id.
    return { ...base, message: `${badId} is not a valid id`, extensions: { code: 'BAD_USER_INPUT' } };
  }
  logger.error({ err: original ?? error, requestId, path: formatted.path }, 'unexpected error in a GraphQL operation');
  return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } };
}

/** The offending text when PostgreSQL refused a value as a uuid (SQLSTATE 22P02), else undefined. */
function malformedUuid(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== '22P02' || typeof message !== 'string') return undefined;
  return /invalid input syntax for type uuid: ("[^"]{0,80}")/.exec(message)?.[1];
}
