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
  | 'SECRET_UNREADABLE'
  | 'SECRET_KEY_MISSING'
  | 'DATABASE_UNAVAILABLE'
  | 'DATASOURCE_UNAVAILABLE'
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

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Bad input; `field` names the offending input field, `line`/`column` locate it in a document,
 * and `fields` lists every problem when there are several (the first is also `field`).
 */
export class UserInputError extends AppError {
  constructor(
    message: string,
    details: { field?: string; line?: number; column?: number; fields?: FieldProblem[]; diagnostics?: unknown[] } = {},
  ) {
    super('BAD_USER_INPUT', message, details);
  }

  static of(problems: FieldProblem[]): UserInputError {
    const [first] = problems;
    const message =
      problems.length === 1
        ? first!.message
        : `${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`;
    return new UserInputError(message, { field: first!.field, fields: problems });
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
