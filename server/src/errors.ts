/**
 * Typed errors with stable codes. Services throw these; the GraphQL error formatter turns them
 * into `extensions.code` and masks everything else.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'DATABASE_UNAVAILABLE'
  | 'LDAP_UNAVAILABLE'
  | 'DATA_DIR_UNUSABLE'
  | 'PORT_IN_USE'
  | 'INTERNAL_SERVER_ERROR';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${id} was not found`, { entity, id });
  }
}

/** Bad input; `field` names the offending input field, `line`/`column` locate it in a document. */
export class UserInputError extends AppError {
  constructor(message: string, details: { field?: string; line?: number; column?: number } = {}) {
    super('BAD_USER_INPUT', message, details);
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
