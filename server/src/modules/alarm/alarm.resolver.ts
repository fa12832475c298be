import { Repeater } from '@graphql-yoga/subscription';
import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { UserInputError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type AlarmEvent } from '../../events/topics.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { Alarm, AlarmNotification, AlarmStatus } from './alarm.entity.js';
import { AlarmService } from './alarm.service.js';
import { AlarmPage } from './alarm.types.js';

/** Set by the app: the subscriptions' subscribe functions are static and reach the bus through it. */
export const alarmStreams: { bus?: PgPubSub } = {};

@Resolver(() => Alarm)
export class AlarmResolver {
  constructor(private readonly service: AlarmService) {}

  @Authorized(Role.VIEWER)
  @Query(() => AlarmPage, { description: 'Newest first.' })
  async alarms(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => AlarmStatus, { nullable: true }) status?: AlarmStatus,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<AlarmPage> {
    if (limit < 1 || limit > 500) throw new UserInputError('limit must be 1 to 500', { field: 'limit' });
    if (offset < 0) throw new UserInputError('offset must not be negative', { field: 'offset' });
    return this.service.list(ctx.em(), ctx.auth(), { workspaceId, status, limit, offset });
  }

  @Authorized()
  @Query(() => Alarm)
  alarm(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Alarm> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @FieldResolver(() => [AlarmNotification], { description: 'Every notification of it, oldest first.' })
  notifications(@Root() alarm: Alarm, @Ctx() ctx: GraphQLContext): Promise<AlarmNotification[]> {
    return this.service.notifications(ctx.em(), alarm.id);
  }

  @Authorized()
  @Mutation(() => Alarm, {
    description: 'Needs OPERATOR. A firing alarm, seen: no more REPEAT notifications (it still resolves).',
  })
  async acknowledgeAlarm(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('comment', () => String, { nullable: true }) comment?: string,
  ): Promise<Alarm> {
    const alarm = await this.service.acknowledge(ctx.em(), ctx.auth(), id, comment ?? null);
    Object.assign(ctx.audit, { workspaceId: alarm.workspaceId, targetType: 'Alarm', targetId: alarm.id });
    return alarm;
  }

  @Authorized()
  @Subscription(() => Alarm, {
    description: 'Every alarm newly raised in the workspace (VIEWER).',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { workspaceId: string }, GraphQLContext>) =>
      alarmStream(context, Topic.ALARM_RAISED, args.workspaceId),
  })
  alarmRaised(@Root() alarm: Alarm, @Arg('workspaceId', () => ID) workspaceId: string): Alarm {
    void workspaceId;
    return alarm;
  }

  @Authorized()
  @Subscription(() => Alarm, {
    description: 'An alarm of the workspace repeated, was acknowledged or resolved (VIEWER).',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { workspaceId: string }, GraphQLContext>) =>
      alarmStream(context, Topic.ALARM_UPDATED, args.workspaceId),
  })
  alarmUpdated(@Root() alarm: Alarm, @Arg('workspaceId', () => ID) workspaceId: string): Alarm {
    void workspaceId;
    return alarm;
  }
}

/** The alarms named by the topic's events for the workspace, read as they are now. */
function alarmStream(context: GraphQLContext, topic: string, workspaceId: string): AsyncIterable<Alarm> {
  const { bus } = alarmStreams;
  if (!bus) throw new Error('alarm subscriptions are not wired');
  return new Repeater<Alarm>(async (push, stop) => {
    const principal = context.auth();
    principal.require(workspaceId, Role.VIEWER);
    const events = bus.subscribe(topic)[Symbol.asyncIterator]();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      void events.return?.();
    });
    for (;;) {
      const next = await events.next();
      if (next.done || stopped) return;
      const event = next.value as AlarmEvent;
      // Membership can change while subscribed.
      if (event.workspaceId !== workspaceId || !principal.can(workspaceId, Role.VIEWER)) continue;
      const alarm = await context.em().fork().findOne(Alarm, { id: event.alarmId });
      if (alarm && !stopped) await push(alarm);
    }
  });
}
