import {
  getNamedType,
  getNullableType,
  GraphQLInputObjectType,
  GraphQLList,
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { isAppError } from '../errors.js';
import { AuditOutcome, type AuditService } from '../modules/auth/index.js';
import { workspaceArgument } from './auth-checker.js';
import type { GraphQLContext } from './context.js';

/**
 * Records every top-level mutation, successful or not, so no new mutation can forget to: actor,
 * workspace, action, target, client address and a redacted summary of the arguments.
 */
export function auditMiddleware(audit: AuditService): MiddlewareFn<GraphQLContext> {
  return async ({ context, info, args }, next) => {
    if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return next() as Promise<unknown>;
    let result: unknown;
    let error: unknown;
    try {
      result = await next();
      return result;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      const hints = context.audit;
      const principal = context.principal;
      const input = (args as { input?: Record<string, unknown> }).input;
      const resultId = (result as { id?: unknown } | null | undefined)?.id;
      const targetId = hints.targetId ?? firstString(args.id, input?.userId, input?.workspaceId, resultId);
      await audit.record(context.em().fork(), {
        action: info.fieldName,
        outcome: error === undefined ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
        errorCode:
          error === undefined
            ? undefined
            : isAppError(error)
              ? error.code
              : isValidation(error)
                ? 'BAD_USER_INPUT'
                : 'INTERNAL_SERVER_ERROR',
        actorUserId: hints.actorUserId ?? principal?.user.id,
        actorTokenId: principal?.isApiToken ? principal.token.id : undefined,
        actorLabel: hints.actorLabel ?? principal?.label,
        workspaceId: hints.workspaceId ?? workspaceArgument(args),
        targetType: hints.targetType ?? (targetId ? getNamedType(info.returnType).name : undefined),
        targetId,
        clientAddress: context.clientAddress,
        input: withoutSensitive(info, args),
      });
    }
  };
}

/**
 * The arguments with every input field marked `@Extensions({ sensitive: true })` replaced: such a
 * field holds secrets the key-name redaction cannot recognise (an alarm channel's config, where a
 * webhook URL is a credential).
 */
function withoutSensitive(info: GraphQLResolveInfo, args: Record<string, unknown>): Record<string, unknown> {
  const field = info.parentType.getFields()[info.fieldName];
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => {
      const type = field?.args.find((a) => a.name === name)?.type;
      return [name, type ? maskInput(type, value) : value];
    }),
  );
}

function maskInput(type: GraphQLInputType, value: unknown): unknown {
  const nullable = getNullableType(type);
  if (nullable instanceof GraphQLList) {
    return Array.isArray(value) ? value.map((v) => maskInput(nullable.ofType, v)) : value;
  }
  if (!(nullable instanceof GraphQLInputObjectType) || !value || typeof value !== 'object') return value;
  const fields = nullable.getFields();
  return Object.fromEntries(
    Object.entries(value).map(([name, v]) => {
      const inputField = fields[name];
      if (!inputField) return [name, v];
      return [name, inputField.extensions.sensitive ? '[redacted]' : maskInput(inputField.type, v)];
    }),
  );
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string');
}

function isValidation(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ArgumentValidationError';
}
