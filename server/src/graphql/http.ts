import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { EntityManager } from '@mikro-orm/postgresql';
import express from 'express';
import { isAppError, type AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AuthService, Principal } from '../modules/auth/index.js';
import { bearerOf, createContext, type GraphQLContext } from './context.js';
import { requestScope } from './error-formatter.js';

export interface HttpOptions {
  apollo: ApolloServer<GraphQLContext>;
  root: () => EntityManager;
  logger: Logger;
  auth: AuthService;
  trustProxy: string | undefined;
  instanceId: string;
  readiness: () => Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  /** GET /runs/:id/log: a run's log as plain text. */
  runLog?: express.RequestHandler;
  /** The dashboard at `/`: whatever the routes above leave (see dashboard.ts). */
  dashboard?: express.RequestHandler;
}

/** Express's `trust proxy` from SLUICE_TRUST_PROXY: a hop count, true/false, or addresses and names. */
export function trustProxySetting(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Resolves the bearer token once per request; a bad token is kept as the reason for a later UNAUTHENTICATED. */
export async function authenticateBearer(
  auth: AuthService,
  em: EntityManager,
  header: unknown,
): Promise<{ principal: Principal | undefined; authFailure: AppError | undefined }> {
  const bearer = bearerOf(header);
  if (!bearer) return { principal: undefined, authFailure: undefined };
  try {
    return { principal: await auth.authenticate(em, bearer), authFailure: undefined };
  } catch (err) {
    if (isAppError(err)) return { principal: undefined, authFailure: err };
    throw err;
  }
}

export function createHttpApp(options: HttpOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(options.trustProxy));
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    requestScope.run({ requestId }, next);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', instanceId: options.instanceId });
  });
  app.get('/readyz', (_req, res, next) => {
    options
      .readiness()
      .then(({ ok, checks }) => res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready', checks }), next);
  });
  if (options.runLog) app.get('/runs/:id/log', options.runLog);
  app.use(
    '/graphql',
    // Task imports carry whole config files; the CLI keeps each request under a few MB.
    express.json({ limit: '16mb' }),
    expressMiddleware(options.apollo, {
      context: async ({ req, res }) => {
        const root = options.root();
        const em = root.fork();
        const { principal, authFailure } = await authenticateBearer(options.auth, em, req.headers.authorization);
        return createContext({
          root,
          logger: options.logger,
          requestId: String(res.getHeader('x-request-id')),
          clientAddress: req.ip ?? 'unknown',
          principal,
          authFailure,
          shareEntityManager: true,
        });
      },
    }),
  );
  if (options.dashboard) app.use(options.dashboard);
  return app;
}
