import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../modules/auth/index.js';

/** What a mutation's resolver may tell the audit record beyond what its arguments say. */
export interface AuditHints {
  workspaceId?: string;
  targetType?: string;
  targetId?: string;
  actorUserId?: string;
  actorLabel?: string;
}

export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  clientAddress: string;
  /** The caller, when a valid token came with the request. */
  principal: Principal | undefined;
  /** The caller, or UNAUTHENTICATED (with why the token was refused, if one was sent). */
  auth(): Principal;
  audit: AuditHints;
  /**
   * The EntityManager for this unit of work: one fork per HTTP request; on a WebSocket, a new
   * fork per call (so each subscription event sees fresh rows and no identity map grows forever).
   */
  em(): EntityManager;
}

export interface ContextInput {
  root: EntityManager;
  logger: Logger;
  requestId: string;
  clientAddress: string;
  principal: Principal | undefined;
  authFailure: AppError | undefined;
  /** true: one EntityManager per context (HTTP); false: a fresh one per call (WebSocket). */
  shareEntityManager: boolean;
}

export function createContext(input: ContextInput): GraphQLContext {
  let fork: EntityManager | undefined;
  const { principal, authFailure } = input;
  return {
    requestId: input.requestId,
    logger: input.logger.child({ requestId: input.requestId }),
    clientAddress: input.clientAddress,
    principal,
    auth: () => {
      if (principal) return principal;
      throw authFailure ?? new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token>"');
    },
    audit: {},
    em: () => (input.shareEntityManager ? (fork ??= input.root.fork()) : input.root.fork()),
  };
}

/** The token of an `Authorization: Bearer …` value (or of a bare token, as WebSocket clients often send). */
export function bearerOf(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : header.trim();
}
