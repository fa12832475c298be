import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { AlarmRule } from './alarm-rule.entity.js';
import { AlarmRuleService } from './alarm-rule.service.js';
import { CreateAlarmRuleInput, UpdateAlarmRuleInput } from './alarm-rule.types.js';

@Resolver(() => AlarmRule)
export class AlarmRuleResolver {
  constructor(private readonly service: AlarmRuleService) {}

  @Authorized(Role.VIEWER)
  @Query(() => [AlarmRule], { description: 'By name.' })
  alarmRules(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: GraphQLContext): Promise<AlarmRule[]> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId);
  }

  @Authorized()
  @Query(() => AlarmRule)
  alarmRule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AlarmRule> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => AlarmRule)
  async createAlarmRule(
    @Arg('input', () => CreateAlarmRuleInput) input: CreateAlarmRuleInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmRule> {
    const rule = await this.service.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'AlarmRule', targetId: rule.id });
    return rule;
  }

  @Authorized()
  @Mutation(() => AlarmRule, { description: 'Needs DEVELOPER in its workspace.' })
  async updateAlarmRule(
    @Arg('input', () => UpdateAlarmRuleInput) input: UpdateAlarmRuleInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmRule> {
    const rule = await this.service.update(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: rule.workspaceId, targetType: 'AlarmRule', targetId: rule.id });
    return rule;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs DEVELOPER. Its alarms and their notifications go with it.' })
  async deleteAlarmRule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const rule = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: rule.workspaceId, targetType: 'AlarmRule', targetId: id });
    return true;
  }
}
