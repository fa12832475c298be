import { defaultFieldResolver, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type MiddlewareFn, type PubSub } from 'type-graphql';
import {
  AlarmChannelResolver,
  AlarmMaintenanceWindowResolver,
  AlarmResolver,
  AlarmRuleResolver,
  AlarmSilenceResolver,
} from '../modules/alarm/index.js';
import {
  ApiTokenResolver,
  AuditResolver,
  AuthResolver,
  UserResolver,
  WorkspaceResolver,
} from '../modules/auth/index.js';
import { ClusterResolver, ServerInfoResolver } from '../modules/cluster/index.js';
import { CatalogSchemaResolver, DatasourceCatalogResolver, DatasourceResolver } from '../modules/datasource/index.js';
import { RunMetricsResolver, RunResolver, TaskRunResolver } from '../modules/run/index.js';
import { BackfillResolver, ScheduleResolver, TaskScheduleResolver } from '../modules/schedule/index.js';
import { TaskResolver, TaskVersionResolver } from '../modules/task/index.js';
import { authChecker } from './auth-checker.js';
import type { GraphQLContext } from './context.js';

/** Every resolver of the API; a module adds its resolvers here. */
export const resolvers = [
  AuthResolver,
  WorkspaceResolver,
  UserResolver,
  ApiTokenResolver,
  AuditResolver,
  ClusterResolver,
  ServerInfoResolver,
  DatasourceResolver,
  DatasourceCatalogResolver,
  CatalogSchemaResolver,
  TaskResolver,
  TaskVersionResolver,
  RunResolver,
  RunMetricsResolver,
  TaskRunResolver,
  ScheduleResolver,
  TaskScheduleResolver,
  BackfillResolver,
  AlarmChannelResolver,
  AlarmRuleResolver,
  AlarmResolver,
  AlarmSilenceResolver,
  AlarmMaintenanceWindowResolver,
] as const;

export async function buildAppSchema(options: {
  pubSub: PubSub;
  container?: ContainerType;
  /** Wrapped around every top-level mutation (the audit trail), and nothing else. */
  mutationMiddlewares?: MiddlewareFn<GraphQLContext>[];
}): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...resolvers],
    pubSub: options.pubSub,
    container: options.container,
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false },
  });
  wrapMutations(schema, options.mutationMiddlewares ?? []);
  return schema;
}

/**
 * type-graphql's global middlewares run for every field of every object, each through async
 * calls: a page of 10,000 log lines became 50,000 promises. Auditing needs only the mutations, so
 * their resolvers are wrapped here, once, and every other field resolves synchronously.
 */
function wrapMutations(schema: GraphQLSchema, middlewares: MiddlewareFn<GraphQLContext>[]): void {
  if (middlewares.length === 0) return;
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (root: unknown, args: Record<string, unknown>, context: GraphQLContext, info) => {
      const run = (index: number): Promise<unknown> => {
        const middleware = middlewares[index];
        if (!middleware) return Promise.resolve(resolve(root, args, context, info));
        return Promise.resolve(middleware({ root, args, context, info }, () => run(index + 1)));
      };
      return run(0);
    };
  }
}

/** The committed contract: the schema as sorted SDL. */
export async function renderSchemaSdl(): Promise<string> {
  const schema = await buildAppSchema({
    pubSub: { publish: () => undefined, subscribe: () => ({ async *[Symbol.asyncIterator]() {} }) },
  });
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
