import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { AuthService, Principal } from '../modules/auth/index.js';
import { bearerOf, createContext } from './context.js';
import { formatError } from './error-formatter.js';

/** RFC 6455 "going away": the server shuts down. */
export const CLOSE_GOING_AWAY = 1001;
/** graphql-ws "Unauthorized": no token, or one that is invalid, expired or revoked. */
export const CLOSE_UNAUTHORIZED = 4401;

export interface WebSocketOptions {
  httpServer: http.Server;
  schema: GraphQLSchema;
  root: () => EntityManager;
  logger: Logger;
  auth: AuthService;
  isReady: () => boolean;
  /** How often open sockets re-check their token (revocation and expiry end live streams too). */
  recheckEveryMs?: number;
}

type Extra = {
  requestId?: string;
  principal?: Principal;
  bearer?: string;
};

export interface WebSocketHandle {
  close(): Promise<void>;
}

/** graphql-ws on `/graphql` of the HTTP server; every socket must authenticate in its connectionParams. */
export function attachWebSocket(options: WebSocketOptions): WebSocketHandle {
  const { logger, auth } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql' });
  const bearers = new Map<WebSocket, string>();

  const refuse = (socket: WebSocket, reason: string) => socket.close(CLOSE_UNAUTHORIZED, reason.slice(0, 120));

  const handle = useServer<Record<string, unknown>, Extra>(
    {
      schema: options.schema,
      context: (ctx) =>
        createContext({
          root: options.root(),
          logger,
          requestId: ctx.extra.requestId ?? randomUUID(),
          clientAddress: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          principal: ctx.extra.principal,
          authFailure: undefined,
          shareEntityManager: false,
        }),
      onConnect: async (ctx) => {
        if (!options.isReady()) return false;
        ctx.extra.requestId = randomUUID();
        const bearer = bearerOf(ctx.connectionParams?.authorization);
        try {
          ctx.extra.principal = await auth.authenticate(options.root().fork(), bearer);
        } catch (err) {
          refuse(ctx.extra.socket, (err as Error).message);
          return false;
        }
        ctx.extra.bearer = bearer;
        bearers.set(ctx.extra.socket, bearer!);
        return true;
      },
      onSubscribe: async (ctx) => {
        // The token may have been revoked since the socket opened.
        try {
          ctx.extra.principal = await auth.authenticate(options.root().fork(), ctx.extra.bearer);
        } catch (err) {
          refuse(ctx.extra.socket, (err as Error).message);
          return [new GraphQLError((err as Error).message, { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        return undefined;
      },
      onClose: (ctx) => {
        bearers.delete(ctx.extra.socket);
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        if (!result.errors) return result;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, logger, ctx.extra.requestId)) };
      },
      onError: (ctx, _id, _payload, errors) =>
        errors.map((e) => formatError(e.toJSON(), e, logger, ctx.extra.requestId)),
    },
    wsServer,
  );

  const recheck = setInterval(() => {
    for (const [socket, bearer] of bearers) {
      auth.authenticate(options.root().fork(), bearer).catch((err: Error) => {
        bearers.delete(socket);
        refuse(socket, err.message);
      });
    }
  }, options.recheckEveryMs ?? 30_000);
  recheck.unref();

  return {
    async close() {
      clearInterval(recheck);
      for (const client of wsServer.clients) client.close(CLOSE_GOING_AWAY, 'Server shutting down');
      await handle.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
