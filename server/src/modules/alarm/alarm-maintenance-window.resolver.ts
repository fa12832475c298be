import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { AlarmMaintenanceWindow } from './alarm-maintenance-window.entity.js';
import { AlarmMaintenanceWindowService } from './alarm-maintenance-window.service.js';
import {
  CreateAlarmMaintenanceWindowInput,
  UpdateAlarmMaintenanceWindowInput,
} from './alarm-maintenance-window.types.js';
import { isWindowOpen } from './alarm-suppression.js';

@Resolver(() => AlarmMaintenanceWindow)
export class AlarmMaintenanceWindowResolver {
  constructor(private readonly service: AlarmMaintenanceWindowService) {}

  @Authorized(Role.VIEWER)
  @Query(() => [AlarmMaintenanceWindow], { description: 'By name.' })
  alarmMaintenanceWindows(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmMaintenanceWindow[]> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId);
  }

  @Authorized()
  @Query(() => AlarmMaintenanceWindow)
  alarmMaintenanceWindow(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<AlarmMaintenanceWindow> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @FieldResolver(() => Boolean, {
    description: 'Enabled and open now: an occurrence of cron lies less than durationMinutes back.',
  })
  activeNow(@Root() window: AlarmMaintenanceWindow): boolean {
    return window.enabled && isWindowOpen(window);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => AlarmMaintenanceWindow)
  async createAlarmMaintenanceWindow(
    @Arg('input', () => CreateAlarmMaintenanceWindowInput) input: CreateAlarmMaintenanceWindowInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmMaintenanceWindow> {
    const window = await this.service.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { targetType: 'AlarmMaintenanceWindow', targetId: window.id });
    return window;
  }

  @Authorized()
  @Mutation(() => AlarmMaintenanceWindow, { description: 'Needs OPERATOR in its workspace.' })
  async updateAlarmMaintenanceWindow(
    @Arg('input', () => UpdateAlarmMaintenanceWindowInput) input: UpdateAlarmMaintenanceWindowInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AlarmMaintenanceWindow> {
    const window = await this.service.update(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, {
      workspaceId: window.workspaceId,
      targetType: 'AlarmMaintenanceWindow',
      targetId: window.id,
    });
    return window;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs OPERATOR.' })
  async deleteAlarmMaintenanceWindow(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const window = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: window.workspaceId, targetType: 'AlarmMaintenanceWindow', targetId: id });
    return true;
  }
}
