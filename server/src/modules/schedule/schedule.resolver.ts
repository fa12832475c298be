import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { BatchLoad, GraphQLContext } from '../../graphql/context.js';
import { Role } from '../auth/index.js';
import { Task } from '../task/index.js';
import { Schedule } from './schedule.entity.js';
import { ScheduleService } from './schedule.service.js';
import { CreateScheduleInput, UpdateScheduleInput } from './schedule.types.js';

@Resolver(() => Schedule)
export class ScheduleResolver {
  constructor(private readonly service: ScheduleService) {}

  @Authorized(Role.VIEWER)
  @Query(() => [Schedule], { description: 'By name.' })
  schedules(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('taskId', () => ID, { nullable: true }) taskId?: string,
  ): Promise<Schedule[]> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId, taskId);
  }

  @Authorized()
  @Query(() => Schedule)
  schedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Schedule> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized()
  @Query(() => [Date], {
    description: 'The next occurrences of a cron expression in a zone (a preview for a form); saves nothing.',
  })
  nextFireTimes(
    @Arg('cron', () => String) cron: string,
    @Arg('timezone', () => String) timezone: string,
    @Arg('count', () => Int, { defaultValue: 5 }) count: number,
    @Arg('startAt', () => Date, { nullable: true }) startAt?: Date,
    @Arg('endAt', () => Date, { nullable: true }) endAt?: Date,
  ): Date[] {
    return this.service.preview({ cron, timezone, count, startAt, endAt });
  }

  @Authorized()
  @Mutation(() => Schedule, { description: 'Needs DEVELOPER on the task. Fires from the next occurrence on.' })
  async createSchedule(
    @Arg('input', () => CreateScheduleInput) input: CreateScheduleInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Schedule> {
    const schedule = await this.service.create(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: schedule.workspaceId, targetType: 'Schedule', targetId: schedule.id });
    return schedule;
  }

  @Authorized()
  @Mutation(() => Schedule, { description: 'Needs DEVELOPER.' })
  async updateSchedule(
    @Arg('input', () => UpdateScheduleInput) input: UpdateScheduleInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Schedule> {
    const schedule = await this.service.update(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: schedule.workspaceId, targetType: 'Schedule', targetId: schedule.id });
    return schedule;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs DEVELOPER. Its runs stay.' })
  async deleteSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const schedule = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: schedule.workspaceId, targetType: 'Schedule', targetId: id });
    return true;
  }

  @Authorized()
  @Mutation(() => Schedule, { description: 'Needs OPERATOR. No occurrence fires until it is resumed.' })
  async pauseSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Schedule> {
    const schedule = await this.service.pause(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: schedule.workspaceId, targetType: 'Schedule', targetId: id });
    return schedule;
  }

  @Authorized()
  @Mutation(() => Schedule, {
    description: 'Needs OPERATOR. Fires from the next occurrence on; those that fell in the pause are not caught up.',
  })
  async resumeSchedule(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Schedule> {
    const schedule = await this.service.resume(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: schedule.workspaceId, targetType: 'Schedule', targetId: id });
    return schedule;
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => [Schedule], { description: 'Pauses every enabled schedule of the workspace; those it paused.' })
  pauseWorkspaceSchedules(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Schedule[]> {
    return this.service.setWorkspaceEnabled(ctx.em(), ctx.auth(), workspaceId, false);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => [Schedule], { description: 'Resumes every paused schedule of the workspace; those it resumed.' })
  resumeWorkspaceSchedules(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Schedule[]> {
    return this.service.setWorkspaceEnabled(ctx.em(), ctx.auth(), workspaceId, true);
  }

  @FieldResolver(() => [Date], {
    name: 'nextFireTimes',
    description: 'The next occurrences (whether or not it is paused).',
  })
  upcomingFireTimes(@Root() schedule: Schedule, @Arg('count', () => Int, { defaultValue: 5 }) count: number): Date[] {
    return this.service.nextFireTimes(schedule, count);
  }
}

@Resolver(() => Task)
export class TaskScheduleResolver {
  /** One function for the request's loader: a page of tasks loads its schedules in one query. */
  private readonly load: BatchLoad<Schedule[]>;

  constructor(private readonly service: ScheduleService) {
    this.load = (em, taskIds) => service.byTask(em, taskIds);
  }

  @FieldResolver(() => [Schedule])
  async schedules(@Root() task: Task, @Ctx() ctx: GraphQLContext): Promise<Schedule[]> {
    return (await ctx.loader(this.load).load(task.id)) ?? [];
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: "The earliest next occurrence of the task's enabled schedules; null when none will fire.",
  })
  async nextFireAt(@Root() task: Task, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return this.service.nextFireAt((await ctx.loader(this.load).load(task.id)) ?? []);
  }
}
