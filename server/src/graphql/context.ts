import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Principal } from '../modules/auth/index.js';
import { BatchLoader } from './batch-loader.js';

/** Loads rows by key in one go (see BatchLoader); its identity names the loader in a request. */
export type BatchLoad<V> = (em: EntityManager, keys: string[]) => Promise<Map<string, V>>;

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
  /**
   * This request's loader for `load`, one per function: field resolvers of a list's items ask it
   * for their rows, and it fetches them together.
   */
  loader<V>(load: BatchLoad<V>): BatchLoader<V>;
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
  const loaders = new Map<unknown, unknown>();
  const em = () => (input.shareEntityManager ? (fork ??= input.root.fork()) : input.root.fork());
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
    em,
    loader<V>(load: BatchLoad<V>): BatchLoader<V> {
      let loader = loaders.get(load) as BatchLoader<V> | undefined;
      if (!loader) {
        loader = new BatchLoader((keys) => load(em(), keys));
        loaders.set(load, loader);
      }
      return loader;
    },
  };
}

/** The token of an `Authorization: Bearer …` value (or of a bare token, as WebSocket clients often send). */
export function bearerOf(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1] : header.trim();
}
