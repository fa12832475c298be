import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type PubSub } from 'type-graphql';
import { ClusterResolver } from '../modules/cluster/index.js';

/** Every resolver of the API; a module adds its resolvers here. */
export const resolvers = [ClusterResolver] as const;

export function buildAppSchema(options: { pubSub: PubSub; container?: ContainerType }): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolvers],
    pubSub: options.pubSub,
    container: options.container,
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
