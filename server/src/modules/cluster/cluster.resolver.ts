import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Topic, type ServerInstanceChangedEvent } from '../../events/topics.js';
import { ClusterService } from './cluster.service.js';
import { InstanceStatus, ServerInstance } from './server-instance.entity.js';
import { FirstLoginHint, ServerInfo, type DatabaseInfo } from './server-info.type.js';
import { VERSION } from '../../version.js';

export class DatabaseInfoProvider {
  constructor(readonly get: () => Promise<DatabaseInfo>) {}
}

/** The first sign-in's hint, from the auth module (wired in the composition root). */
export class FirstLoginHintProvider {
  constructor(readonly get: (em: EntityManager) => Promise<FirstLoginHint | null>) {}
}

@Resolver(() => ServerInfo)
export class ServerInfoResolver {
  constructor(private readonly hint: FirstLoginHintProvider) {}

  @FieldResolver(() => FirstLoginHint, {
    nullable: true,
    description: 'Public, and only while no user has ever signed in (null afterwards).',
  })
  firstLoginHint(@Ctx() ctx: GraphQLContext): Promise<FirstLoginHint | null> {
    return this.hint.get(ctx.em());
  }
}

@Resolver(() => ServerInstance)
export class ClusterResolver {
  constructor(
    private readonly cluster: ClusterService,
    private readonly database: DatabaseInfoProvider,
  ) {}

  /** Public (a sign-in page shows the version); the database details need a signed-in caller. */
  @Query(() => ServerInfo, { description: 'The instance you are talking to. Public, except `database`.' })
  async serverInfo(): Promise<ServerInfo> {
    return {
      version: VERSION,
      instanceId: this.cluster.instanceId,
      startedAt: this.cluster.startedAt,
      database: await this.database.get(),
    };
  }

  @Authorized()
  @Query(() => [ServerInstance], {
    description: 'Every instance of the cluster, oldest first; DOWN ones are kept for 7 days.',
  })
  serverInstances(
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => InstanceStatus, { nullable: true }) status?: InstanceStatus,
  ): Promise<ServerInstance[]> {
    return this.cluster.list(ctx.em(), { status });
  }

  @Authorized()
  @Subscription(() => ServerInstance, {
    topics: Topic.SERVER_INSTANCE_CHANGED,
    description: 'An instance joined, left, went DOWN or came back.',
  })
  serverInstanceChanged(
    @Root() event: ServerInstanceChangedEvent,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ServerInstance> {
    return this.cluster.get(ctx.em(), event.id);
  }

  @FieldResolver(() => InstanceStatus)
  status(@Root() instance: ServerInstance): InstanceStatus {
    return this.cluster.effectiveStatus(instance);
  }

  @FieldResolver(() => Boolean, { description: 'True for the instance answering this request.' })
  isSelf(@Root() instance: ServerInstance): boolean {
    return instance.id === this.cluster.instanceId;
  }
}
