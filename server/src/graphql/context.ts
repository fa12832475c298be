import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger.js';

export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  /**
   * The EntityManager for this unit of work: one fork per HTTP request; on a WebSocket, a new
   * fork per call (so each subscription event sees fresh rows and no identity map grows forever).
   */
  em(): EntityManager;
}

export function httpContext(root: EntityManager, logger: Logger, requestId: string): GraphQLContext {
  let fork: EntityManager | undefined;
  return {
    requestId,
    logger: logger.child({ requestId }),
    em: () => (fork ??= root.fork()),
  };
}

export function socketContext(root: EntityManager, logger: Logger, requestId: string): GraphQLContext {
  return { requestId, logger: logger.child({ requestId }), em: () => root.fork() };
}
