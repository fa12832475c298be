import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type MiddlewareFn, type PubSub } from 'type-graphql';
import {
  ApiTokenResolver,
  AuditResolver,
  AuthResolver,
  UserResolver,
  WorkspaceResolver,
} from '../modules/auth/index.js';
import { ClusterResolver } from '../modules/cluster/index.js';
import { CatalogSchemaResolver, DatasourceCatalogResolver, DatasourceResolver } from '../modules/datasource/index.js';
import { RunMetricsResolver, RunResolver } from '../modules/run/index.js';
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
  DatasourceResolver,
  DatasourceCatalogResolver,
  CatalogSchemaResolver,
  TaskResolver,
  TaskVersionResolver,
  RunResolver,
  RunMetricsResolver,
] as const;

export function buildAppSchema(options: {
  pubSub: PubSub;
  container?: ContainerType;
  globalMiddlewares?: MiddlewareFn<GraphQLContext>[];
}): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolvers],
    pubSub: options.pubSub,
    container: options.container,
    authChecker,
    authMode: 'error',
    globalMiddlewares: options.globalMiddlewares,
    validate: { forbidUnknownValues: false },
  });
}

/** The committed contract: the schema as sorted SDL. */
export async function renderSchemaSdl(): Promise<string> {
  const schema = await buildAppSchema({
    pubSub: { publish: () => undefined, subscribe: () => ({ async *[Symbol.asyncIterator]() {} }) },
  });
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
