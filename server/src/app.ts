import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import pg from 'pg';
import type { Config } from './config.js';
import { createDashboardRoutes } from './dashboard.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { createOrm, migrate, type Orm } from './database/orm.js';
import { AppError } from './errors.js';
import { PgPubSub } from './events/pg-pubsub.js';
import { auditMiddleware } from './graphql/audit-middleware.js';
import type { GraphQLContext } from './graphql/context.js';
import { formatError } from './graphql/error-formatter.js';
import { authenticateBearer, createHttpApp } from './graphql/http.js';
import { buildAppSchema } from './graphql/schema.js';
import { attachWebSocket, type WebSocketHandle } from './graphql/websocket.js';
import { redactUrl, type Logger } from './logger.js';
import {
  AlarmChannelResolver,
  AlarmChannelService,
  AlarmDeliverer,
  AlarmEvaluator,
  AlarmMaintenanceWindowResolver,
  AlarmMaintenanceWindowService,
  AlarmResolver,
  AlarmRuleResolver,
  AlarmRuleService,
  AlarmService,
  AlarmSilenceResolver,
  AlarmSilenceService,
  AlarmSweeper,
  AlarmWriter,
  alarmStreams,
} from './modules/alarm/index.js';
import {
  ApiTokenResolver,
  ApiTokenService,
  AuditResolver,
  AuditService,
  AuthResolver,
  AuthService,
  UserResolver,
  UserService,
  WorkspaceResolver,
  WorkspaceService,
  type Directory,
} from './modules/auth/index.js';
import { LdapDirectory } from './modules/auth/ldap-directory.js';
import {
  ClusterResolver,
  ClusterService,
  DatabaseInfoProvider,
  DatabaseKind,
  FirstLoginHintProvider,
  ServerInfoResolver,
} from './modules/cluster/index.js';
import {
  CatalogSchemaResolver,
  DatasourceCatalogResolver,
  DatasourceRegistry,
  DatasourceResolver,
  DatasourceService,
  DRIVERS,
} from './modules/datasource/index.js';
import { SecretBox } from './secrets/secret-box.js';
import { resolveSecretKeys } from './secrets/secret-key.js';
import { EmbeddedEngine } from './modules/engine/index.js';
import {
  Run,
  RunDispatcher,
  RunExecutor,
  RunMetricsResolver,
  RunReadDeps,
  RunResolver,
  RunService,
  runStreams,
  TaskRunResolver,
} from './modules/run/index.js';
import { createRunLogRoute } from './modules/run/run-log-route.js';
import {
  BackfillDriver,
  BackfillResolver,
  BackfillService,
  backfillStreams,
  ScheduleResolver,
  ScheduleService,
  TaskScheduleResolver,
} from './modules/schedule/index.js';
import { TaskEngine, TaskResolver, TaskService, TaskVersionResolver } from './modules/task/index.js';
import { VERSION } from './version.js';

export { CLOSE_GOING_AWAY, CLOSE_UNAUTHORIZED } from './graphql/websocket.js';

export interface App {
  readonly instanceId: string;
  /** http://host:port of the API, known once started. */
  readonly url: string;
  readonly databaseUrl: string;
  readonly pubSub: PgPubSub;
  readonly cluster: ClusterService;
  /** Seals and opens stored secrets; undefined when no key is configured for a shared database. */
  readonly secretBox: SecretBox | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Where the first start shows a generated admin password (standard error by default). */
  announce?: (text: string) => void;
}

/**
 * The composition root: builds every service and resolver by hand, so every dependency is
 * visible here. `start()` brings the instance up in order; `stop()` takes it down in reverse.
 */
export function createApp(config: Config, logger: Logger, options: AppOptions = {}): App {
  const instanceId = randomUUID();
  let embedded: EmbeddedPostgres | undefined;
  let orm: Orm | undefined;
  let pubSub: PgPubSub | undefined;
  let cluster: ClusterService | undefined;
  let runPool: pg.Pool | undefined;
  let dispatcher: RunDispatcher | undefined;
  let executor: RunExecutor | undefined;
  let schedules: ScheduleService | undefined;
  let backfills: BackfillDriver | undefined;
  let alarmEvaluator: AlarmEvaluator | undefined;
  let alarmDeliverer: AlarmDeliverer | undefined;
  let alarmSweeper: AlarmSweeper | undefined;
  let embeddedEngine: EmbeddedEngine | undefined;
  let apollo: ApolloServer<GraphQLContext> | undefined;
  let sockets: WebSocketHandle | undefined;
  let httpServer: http.Server | undefined;
  let databaseUrl = '';
  let secretBox: SecretBox | undefined;
  let url = '';
  let ready = false;
  let stopping: Promise<void> | undefined;

  async function connectDatabase(): Promise<string> {
    if (config.databaseUrl) {
      logger.info({ database: redactUrl(config.databaseUrl) }, 'using the PostgreSQL at DATABASE_URL');
      return config.databaseUrl;
    }
    embedded = new EmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, logger });
    return embedded.start();
  }

  async function readiness(): Promise<{ ok: boolean; checks: Record<string, boolean> }> {
    const checks = { started: ready, eventBus: pubSub?.isConnected ?? false, database: false };
    if (orm && ready) {
      try {
        await withTimeout(orm.em.getConnection().execute('SELECT 1'), 2000);
        checks.database = true;
      } catch {
        checks.database = false;
      }
    }
    return { ok: Object.values(checks).every(Boolean), checks };
  }

  function directory(): { client: Directory; roleMap: NonNullable<Config['ldap']>['roleMap'] } | undefined {
    if (!config.ldap) return undefined;
    const { roleMap, ...settings } = config.ldap;
    return { client: new LdapDirectory(settings, logger), roleMap };
  }

  return {
    instanceId,
    get url() {
      return url;
    },
    get databaseUrl() {
      return databaseUrl;
    },
    get secretBox() {
      return secretBox;
    },
    get pubSub() {
      if (!pubSub) throw new Error('the app is not started');
      return pubSub;
    },
    get cluster() {
      if (!cluster) throw new Error('the app is not started');
      return cluster;
    },

    async start() {
      try {
        databaseUrl = await connectDatabase();
        const keys = await resolveSecretKeys({
          configured: config.secretKey,
          previous: config.previousSecretKeys,
          dataDir: config.dataDir,
          embedded: !!embedded,
        });
        secretBox = keys.length > 0 ? new SecretBox(keys) : undefined;
        orm = await createOrm(databaseUrl, { poolSize: config.dbPoolSize, logger });
        await migrate(orm, databaseUrl, logger);
        const root = () => orm!.em;

        pubSub = new PgPubSub({ connectionString: databaseUrl, logger });
        await pubSub.start();

        const auth = new AuthService(logger, {
          sessionTtlMinutes: config.sessionTtlMinutes,
          admin: config.admin,
          directory: directory(),
          announce: options.announce,
        });
        await auth.bootstrap(orm.em.fork());
        const audit = new AuditService(logger);
        cluster = new ClusterService(orm.em, pubSub, logger, {
          instanceId,
          version: VERSION,
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          instanceTimeoutMs: config.instanceTimeoutMs,
        });
        const databaseInfo = new DatabaseInfoProvider(async () => {
          const [row] = await orm!.em
            .getConnection()
            .execute<{ version: string; name: string }[]>(
              "SELECT current_setting('server_version') AS version, current_database() AS name",
            );
          return {
            kind: embedded ? DatabaseKind.EMBEDDED : DatabaseKind.EXTERNAL,
            serverVersion: row!.version,
            name: row!.name,
          };
        });

        const datasources = new DatasourceService(
          new DatasourceRegistry(DRIVERS),
          secretBox,
          { fileRoots: config.fileRoots },
          logger,
        );
        const tasks = new TaskService(secretBox, datasources, logger);
        datasources.registerUsage((em, datasource) => tasks.referencesTo(em, datasource));

        // Runs: their own small pool (claims, leases, log lines, samples), Agenda dispatch, the executor.
        runPool = new pg.Pool({ connectionString: databaseUrl, max: 8, idleTimeoutMillis: 10_000 });
        runPool.on('error', (err) => logger.warn({ err: err.message }, 'run pool connection lost'));
        dispatcher = new RunDispatcher({
          pool: runPool,
          mongoUrl: config.agendaMongoUrl,
          logger,
          name: instanceId,
        });
        const runs = new RunService(tasks, secretBox, pubSub, dispatcher);
        // Workers kept loaded: a run starts without waiting for a process to boot.
        embeddedEngine = new EmbeddedEngine({
          cancelGraceMs: config.runs.cancelGraceMs,
          standbyWorkers: config.runs.instanceLimit === 0 ? 0 : config.runs.standbyWorkers,
          maxJobsPerWorker: config.runs.jobsPerWorker,
          // As many as this instance may run at once (up to 8): a steady load reuses them all.
          maxIdleWorkers: Math.min(config.runs.instanceLimit, 8),
        });
        executor = new RunExecutor({
          instanceId,
          pool: runPool,
          em: orm.em,
          runs,
          queue: dispatcher,
          datasources,
          bus: pubSub,
          engines: { [TaskEngine.EMBEDDED]: embeddedEngine },
          limits: config.runs,
          logger,
        });
        // Schedules: one Agenda job each, fired into runs; the reconciler keeps jobs and rows in step.
        const scheduleService = new ScheduleService(tasks, runs, dispatcher, logger, {
          misfireThresholdMs: config.scheduleMisfireThresholdMs,
        });
        schedules = scheduleService;
        dispatcher.onScheduleDue((scheduleId, firedAt) => scheduleService.fire(orm!.em, scheduleId, firedAt));
        // Backfills: their runs are created up front; the driver (on every instance) releases them in order.
        const backfillDriver = new BackfillDriver(orm.em, runs, pubSub, logger);
        backfills = backfillDriver;
        const backfillService = new BackfillService(tasks, runs, backfillDriver, pubSub, logger);
        backfillStreams.service = backfillService;
        backfillStreams.bus = pubSub;
        const runExecutor = executor;
        const runDispatcher = dispatcher;
        const runReads = new RunReadDeps(runPool, pubSub);
        runStreams.service = runs;
        runStreams.reads = runReads;
        const alarmChannels = new AlarmChannelService(secretBox, logger);
        // Alarms: every instance evaluates run events (idempotently) and sends the outbox (row locks).
        const deliverer = new AlarmDeliverer(orm.em, alarmChannels, logger, {
          intervalMs: config.alarms.deliveryIntervalMs,
          retryBaseMs: config.alarms.retryBaseMs,
        });
        alarmDeliverer = deliverer;
        const alarmWriter = new AlarmWriter(pubSub, logger);
        const evaluator = new AlarmEvaluator(orm.em, pubSub, alarmWriter, logger, () => void deliverer.kick());
        alarmEvaluator = evaluator;
        // Time-based conditions: every instance ticks, one at a time sweeps (an advisory lock).
        const sweeper = new AlarmSweeper(
          orm.em,
          alarmWriter,
          logger,
          { intervalMs: config.alarms.sweepIntervalMs },
          () => void deliverer.kick(),
        );
        alarmSweeper = sweeper;
        alarmStreams.bus = pubSub;
        const alarmService = new AlarmService(pubSub);
        const resolvers = new Map<unknown, unknown>([
          [TaskResolver, new TaskResolver(tasks)],
          [TaskVersionResolver, new TaskVersionResolver()],
          [DatasourceResolver, new DatasourceResolver(datasources)],
          [DatasourceCatalogResolver, new DatasourceCatalogResolver(datasources)],
          [CatalogSchemaResolver, new CatalogSchemaResolver(datasources)],
          [ClusterResolver, new ClusterResolver(cluster, databaseInfo)],
          [ServerInfoResolver, new ServerInfoResolver(new FirstLoginHintProvider((em) => auth.firstLoginHint(em)))],
          [AuthResolver, new AuthResolver(auth)],
          [WorkspaceResolver, new WorkspaceResolver(new WorkspaceService())],
          [UserResolver, new UserResolver(new UserService())],
          [ApiTokenResolver, new ApiTokenResolver(new ApiTokenService())],
          [AuditResolver, new AuditResolver(audit)],
          [RunResolver, new RunResolver(runs, runReads)],
          [RunMetricsResolver, new RunMetricsResolver(runReads)],
          [TaskRunResolver, new TaskRunResolver(runs)],
          [ScheduleResolver, new ScheduleResolver(scheduleService)],
          [TaskScheduleResolver, new TaskScheduleResolver(scheduleService)],
          [BackfillResolver, new BackfillResolver(backfillService, runs)],
          [AlarmChannelResolver, new AlarmChannelResolver(alarmChannels)],
          [AlarmRuleResolver, new AlarmRuleResolver(new AlarmRuleService())],
          [AlarmResolver, new AlarmResolver(alarmService)],
          [AlarmSilenceResolver, new AlarmSilenceResolver(new AlarmSilenceService(alarmService))],
          [AlarmMaintenanceWindowResolver, new AlarmMaintenanceWindowResolver(new AlarmMaintenanceWindowService())],
        ]);
        const schema = await buildAppSchema({
          pubSub,
          mutationMiddlewares: [auditMiddleware(audit)],
          container: {
            get: (cls) => {
              const instance = resolvers.get(cls);
              if (!instance)
                throw new Error(`no instance for ${(cls as { name?: string }).name} in the composition root`);
              return instance;
            },
          },
        });

        httpServer = http.createServer();
        apollo = new ApolloServer<GraphQLContext>({
          schema,
          formatError: (formatted, error) => formatError(formatted, error, logger),
          includeStacktraceInErrorResponses: false,
          // main.ts owns the signals and the shutdown order.
          stopOnTerminationSignals: false,
          plugins: [ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownTimeoutMs })],
        });
        await apollo.start();
        httpServer.on(
          'request',
          createHttpApp({
            apollo,
            root,
            logger,
            auth,
            trustProxy: config.trustProxy,
            instanceId,
            readiness,
            dashboard: createDashboardRoutes({ dir: config.dashboardDir, logger }),
            runLog: createRunLogRoute({
              pool: runPool,
              authorize: async (req, runId) => {
                const em = orm!.em.fork();
                const { principal } = await authenticateBearer(auth, em, req.headers.authorization);
                if (!principal) return 'unauthenticated';
                const run = await em.findOne(Run, { id: runId });
                if (!run || !principal.roleIn(run.workspaceId)) return 'not-found';
                return 'ok';
              },
            }),
          }),
        );

        await listen(httpServer, config.port, config.host);
        // Attached after listen() succeeded: attached before, ws would re-emit a bind error as its own.
        sockets = attachWebSocket({ httpServer, schema, root, logger, auth, isReady: () => ready });

        const address = httpServer.address() as AddressInfo;
        const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
        url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;

        await cluster.register({ name: config.instanceName ?? `${shownHost}:${address.port}`, address: url });
        cluster.startHeartbeat();
        // A started Agenda on every instance: NOTIFY wakes its worker at once (STACK.md).
        // An instance with a run limit of 0 takes no run's job (it serves the API and fires schedules).
        await runDispatcher.start(config.runs.instanceLimit > 0 ? (runId) => runExecutor.claim(runId) : undefined);
        runExecutor.start();
        backfillDriver.start();
        evaluator.start();
        deliverer.start();
        sweeper.start();
        await scheduleService.startReconciler(orm.em, config.scheduleReconcileMs);
        ready = true;
        logger.info({ url: `${url}/graphql`, dashboard: `${url}/`, instanceId, version: VERSION }, 'Sluice is ready');
      } catch (err) {
        await this.stop().catch((e: unknown) => logger.error({ err: e }, 'cleanup after a failed start failed'));
        throw err;
      }
    },

    stop() {
      stopping ??= (async () => {
        ready = false;
        logger.info('shutting down');
        const step = async (name: string, fn: () => Promise<unknown>) => {
          logger.debug({ step: name }, 'shutdown step');
          try {
            await fn();
          } catch (err) {
            logger.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
          }
        };
        // Sockets first so subscribers learn at once, then drain HTTP (Apollo's plugin waits for
        // in-flight requests up to the grace period), then leave the cluster and close connections.
        if (sockets) await step('websocket', () => sockets!.close());
        if (apollo) await step('http', () => apollo!.stop());
        else if (httpServer?.listening) await step('http', () => new Promise((r) => httpServer!.close(r)));
        schedules?.stopReconciler();
        if (backfills) await step('backfills', () => backfills!.stop());
        if (alarmSweeper) await step('alarm sweeper', () => alarmSweeper!.stop());
        if (alarmEvaluator) await step('alarm evaluator', () => alarmEvaluator!.stop());
        if (alarmDeliverer) await step('alarm deliverer', () => alarmDeliverer!.stop());
        if (dispatcher) await step('run dispatcher', () => dispatcher!.stop());
        if (executor) await step('runs', () => executor!.stop());
        embeddedEngine?.close();
        if (cluster) await step('cluster', () => cluster!.stop());
        if (pubSub) await step('event bus', () => pubSub!.close());
        if (runPool) await step('run pool', () => runPool!.end());
        if (orm) await step('orm', () => orm!.close(true));
        if (embedded) await step('embedded postgres', () => embedded!.stop());
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new AppError('PORT_IN_USE', `Port ${port} on ${host} is already in use: stop what uses it or set PORT.`, {
              port,
            })
          : err.code === 'EACCES'
            ? new AppError(
                'PORT_IN_USE',
                `Not allowed to listen on port ${port} on ${host}: choose a port above 1023.`,
                { port },
              )
            : err,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
