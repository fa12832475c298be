import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { AlarmSilence } from './alarm-silence.entity.js';
import { AlarmSilenceService } from './alarm-silence.service.js';
import { CreateAlarmSilenceInput } from './alarm-silence.types.js';

@Resolver(() => AlarmSilence)
export class AlarmSilenceResolver {
  constructor(private readonly service: AlarmSilenceService) {}

  @Authorized(Role.VIEWER)
  @Query(() => [AlarmSilence], {
    description: 'Newest first. active: true → in force now; false → ended or yet to start; omitted → all.',
  })
  alarmSilences(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('active', () => Boolean, { nullable: true }) active?: boolean,
  ): Promise<AlarmSilence[]> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId, active);
  }

  @FieldResolver(() => Boolean, { description: 'In force now (startsAt ≤ now < endsAt).' })
  active(@Root() silence: AlarmSilence): boolean {
    const now = Date.now();
    return silence.startsAt.getTime() <= now && now < silence.endsAt.getTime();
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AlarmSilence)
  async createAlarmSilence(
    @Arg('input', () => CreateAlarmSilenceInput) input: CreateAlarmSilenceInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmSilence> {
    const silence = await this.service.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'AlarmSilence', targetId: silence.id });
    return silence;
  }

  @Authorized()
  @Mutation(() => AlarmSilence, {
    description: "Needs OPERATOR. Silences that alarm's rule and task from now for durationMinutes (1 to 43200).",
  })
  async createAlarmSilenceFromAlarm(
    @Arg('alarmId', () => ID) alarmId: string,
    @Arg('durationMinutes', () => Int) durationMinutes: number,
    @Arg('comment', () => String) comment: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmSilence> {
    const silence = await this.service.createFromAlarm(ctx.em(), ctx.auth(), alarmId, durationMinutes, comment);
    Object.assign(ctx.audit, { workspaceId: silence.workspaceId, targetType: 'AlarmSilence', targetId: silence.id });
    return silence;
  }

  @Authorized()
  @Mutation(() => AlarmSilence, { description: 'Needs OPERATOR. Ends it now; one already over is returned as is.' })
  async expireAlarmSilence(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AlarmSilence> {
    const silence = await this.service.expire(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: silence.workspaceId, targetType: 'AlarmSilence', targetId: id });
    return silence;
  }
}
