import { Repeater } from '@graphql-yoga/subscription';
import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from 'type-graphql';
import { UserInputError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type BackfillUpdatedEvent, type RunUpdatedEvent } from '../../events/topics.js';
import type { BatchLoad, GraphQLContext } from '../../graphql/context.js';
import { PageInput, Role } from '../auth/index.js';
import { RunPage, type RunService } from '../run/index.js';
import { Task } from '../task/index.js';
import { progressOf } from './backfill-driver.js';
import { Backfill, BackfillProgress, BackfillStatus } from './backfill.entity.js';
import { BackfillService } from './backfill.service.js';
import { BackfillPage, StartBackfillInput } from './backfill.types.js';
import { Schedule } from './schedule.entity.js';

/** Set by the app: the subscription's subscribe function is static and reaches the service through it. */
export const backfillStreams: { service?: BackfillService; bus?: PgPubSub } = {};

@Resolver(() => Backfill)
export class BackfillResolver {
  private readonly progressLoad: BatchLoad<BackfillProgress>;

  constructor(
    private readonly service: BackfillService,
    private readonly runService: RunService,
  ) {
    this.progressLoad = async (em, ids) => {
      const backfills = await em.find(Backfill, { id: { $in: ids } }, { fields: ['id', 'total'] });
      return progressOf(em, backfills);
    };
  }

  @Authorized()
  @Query(() => Backfill)
  backfill(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Backfill> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => BackfillPage, { description: 'Newest first.' })
  backfills(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('taskId', () => ID, { nullable: true }) taskId?: string,
    @Arg('status', () => [BackfillStatus], { nullable: true }) status?: BackfillStatus[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<BackfillPage> {
    return this.service.list(ctx.em(), ctx.auth(), workspaceId, { taskId, status }, page ?? { offset: 0, limit: 50 });
  }

  @Authorized()
  @Mutation(() => Backfill, {
    description:
      "Needs OPERATOR. A PENDING run for every occurrence of the task's schedule in [from, to], run in order, at most " +
      "`parallelism` at a time (the task's SKIP_IF_RUNNING and QUEUE concurrency policies do not apply to them; the " +
      'workspace and instance run limits do).',
  })
  async startBackfill(
    @Arg('input', () => StartBackfillInput) input: StartBackfillInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Backfill> {
    const backfill = await this.service.start(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: backfill.workspaceId, targetType: 'Backfill', targetId: backfill.id });
    return backfill;
  }

  @Authorized()
  @Mutation(() => Backfill, { description: 'Needs OPERATOR. No further run starts; those active finish.' })
  async pauseBackfill(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Backfill> {
    const backfill = await this.service.pause(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: backfill.workspaceId, targetType: 'Backfill', targetId: id });
    return backfill;
  }

  @Authorized()
  @Mutation(() => Backfill, { description: 'Needs OPERATOR. Runs start again from the earliest occurrence left.' })
  async resumeBackfill(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Backfill> {
    const backfill = await this.service.resume(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: backfill.workspaceId, targetType: 'Backfill', targetId: id });
    return backfill;
  }

  @Authorized()
  @Mutation(() => Backfill, {
    description: 'Needs OPERATOR. Its waiting runs are cancelled at once, its active ones as cancelRun does.',
  })
  async cancelBackfill(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Backfill> {
    const backfill = await this.service.cancel(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: backfill.workspaceId, targetType: 'Backfill', targetId: id });
    return backfill;
  }

  // ------------------------------------------------------------------------------------ fields

  @FieldResolver(() => BackfillProgress)
  async progress(@Root() backfill: Backfill, @Ctx() ctx: GraphQLContext): Promise<BackfillProgress> {
    return (await ctx.loader(this.progressLoad).load(backfill.id))!;
  }

  @FieldResolver(() => RunPage, { description: 'Its runs (every attempt), by occurrence, then attempt.' })
  runs(
    @Root() backfill: Backfill,
    @Ctx() ctx: GraphQLContext,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<RunPage> {
    return this.runService.list(
      ctx.em(),
      ctx.auth(),
      { workspaceId: backfill.workspaceId, backfillId: backfill.id },
      page ?? { offset: 0, limit: 50 },
      'occurrence',
    );
  }

  @FieldResolver(() => Task, { nullable: true })
  task(@Root() backfill: Backfill, @Ctx() ctx: GraphQLContext): Promise<Task | null> {
    return ctx.em().findOne(Task, { id: backfill.taskId });
  }

  @FieldResolver(() => Schedule, { nullable: true, description: 'Null once the schedule was deleted.' })
  schedule(@Root() backfill: Backfill, @Ctx() ctx: GraphQLContext): Promise<Schedule | null> {
    return backfill.scheduleId ? ctx.em().findOne(Schedule, { id: backfill.scheduleId }) : Promise.resolve(null);
  }

  // ----------------------------------------------------------------------------- subscriptions

  @Authorized()
  @Subscription(() => Backfill, {
    description:
      'A backfill as it progresses: first its current state, then again whenever it or one of its runs changes ' +
      'state. By backfill (id) or for every backfill of a workspace (workspaceId; no initial state).',
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, { id?: string; workspaceId?: string }, GraphQLContext>) =>
      backfillStream(context, args.id, args.workspaceId),
  })
  backfillUpdated(
    @Root() backfill: Backfill,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('workspaceId', () => ID, { nullable: true }) workspaceId?: string,
  ): Backfill {
    void id;
    void workspaceId;
    return backfill;
  }
}

/**
 * Listens first, then reads: a change committed in between is pushed, never missed. Events that
 * arrive while a backfill is being read are folded into one more read.
 */
function backfillStream(context: GraphQLContext, id?: string, workspaceId?: string): AsyncIterable<Backfill> {
  const { service, bus } = backfillStreams;
  if (!service || !bus) throw new Error('backfill subscriptions are not wired');
  if (!id && !workspaceId) throw new UserInputError('give id or workspaceId', { field: 'id' });
  return new Repeater<Backfill>(async (push, stop) => {
    const principal = context.auth();
    let workspace = workspaceId;
    if (id) {
      const backfill = await service.get(context.em(), principal, id);
      if (workspace && workspace !== backfill.workspaceId)
        throw new UserInputError('id is not a backfill of workspaceId', { field: 'id' });
      workspace = backfill.workspaceId;
    } else {
      principal.require(workspace!, Role.VIEWER);
    }
    const runEvents = bus.subscribe(Topic.RUN_UPDATED)[Symbol.asyncIterator]();
    const backfillEvents = bus.subscribe(Topic.BACKFILL_UPDATED)[Symbol.asyncIterator]();
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      void runEvents.return?.();
      void backfillEvents.return?.();
    });

    const dirty = new Set<string>();
    let reading: Promise<void> | undefined;
    const read = () => {
      reading ??= (async () => {
        while (dirty.size > 0 && !stopped) {
          const ids = [...dirty];
          dirty.clear();
          const found = await context.em().find(Backfill, { id: { $in: ids } });
          for (const backfill of found) if (!stopped) await push(backfill);
        }
      })().finally(() => (reading = undefined));
      return reading;
    };
    const hear = (backfillId: string | undefined, eventWorkspace: string) => {
      if (!backfillId || eventWorkspace !== workspace || (id && backfillId !== id)) return;
      // Membership can change while subscribed.
      if (!principal.can(eventWorkspace, Role.VIEWER)) return;
      dirty.add(backfillId);
      void read();
    };
    const pump = async (events: AsyncIterator<unknown>, of: (event: unknown) => [string | undefined, string]) => {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        hear(...of(next.value));
      }
    };
    if (id) {
      dirty.add(id);
      void read();
    }
    await Promise.all([
      pump(runEvents, (e) => [(e as RunUpdatedEvent).backfillId, (e as RunUpdatedEvent).workspaceId]),
      pump(backfillEvents, (e) => [(e as BackfillUpdatedEvent).backfillId, (e as BackfillUpdatedEvent).workspaceId]),
    ]);
    await reading;
  });
}
