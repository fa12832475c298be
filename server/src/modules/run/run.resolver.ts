import { Repeater } from '@graphql-yoga/subscription';
import type pg from 'pg';
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
import { Topic, type RunMetricsSampledEvent, type RunUpdatedEvent } from '../../events/topics.js';
import type { BatchLoad, GraphQLContext } from '../../graphql/context.js';
import { PageInput, Role } from '../auth/index.js';
import { Task } from '../task/index.js';
import { readRunLogs, tailRunLogs } from './run-log.js';
import { Run, RunError } from './run.entity.js';
import { RunLogLevel, RunLogOrigin } from './run.enums.js';
import { RunService } from './run.service.js';
import {
  RunFilter,
  RunLogChunk,
  RunLogLine,
  RunMetricSample,
  RunMetrics,
  RunPage,
  RunUpdatedFilter,
  StartRunInput,
} from './run.types.js';

/** What the run resolvers read outside the ORM: log lines and metric samples, and the event bus. */
export class RunReadDeps {
  constructor(
    readonly pool: pg.Pool,
    readonly bus: PgPubSub,
  ) {}
}

const CATCH_UP_PAGE = 5000;

@Resolver(() => Run)
export class RunResolver {
  constructor(
    private readonly service: RunService,
    private readonly reads: RunReadDeps,
  ) {}

  @Authorized()
  @Query(() => Run)
  run(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Run> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized()
  @Query(() => RunPage, { description: 'Newest first.' })
  runs(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => RunFilter, { nullable: true }) filter?: RunFilter,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<RunPage> {
    return this.service.list(ctx.em(), ctx.auth(), filter ?? {}, page ?? { offset: 0, limit: 50 });
  }

  @Authorized()
  @Mutation(() => Run, { description: 'Queues a run of the task’s current version (OPERATOR).' })
  async startRun(@Arg('input', () => StartRunInput) input: StartRunInput, @Ctx() ctx: GraphQLContext): Promise<Run> {
    const run = await this.service.start(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: run.workspaceId, targetType: 'Run', targetId: run.id });
    return run;
  }

  @Authorized()
  @Mutation(() => Run, {
    description: 'A queued run is cancelled at once; a running one becomes CANCELLING, then CANCELLED (OPERATOR).',
  })
  async cancelRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Run> {
    const run = await this.service.cancel(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: run.workspaceId, targetType: 'Run', targetId: run.id });
    return run;
  }

  @Authorized()
  @Mutation(() => Run, { description: 'A new run of the same task version with the same parameters (OPERATOR).' })
  async rerunRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Run> {
    const run = await this.service.rerun(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: run.workspaceId, targetType: 'Run', targetId: run.id });
    return run;
  }

  // ------------------------------------------------------------------------------------ fields

  @FieldResolver(() => Task, { nullable: true, description: 'Null when the caller may no longer see it.' })
  task(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<Task | null> {
    return ctx.em().findOne(Task, { id: run.taskId });
  }

  @FieldResolver(() => RunError, { nullable: true })
  error(@Root() run: Run): RunError | null {
    if (!run.errorCode) return null;
    return Object.assign(new RunError(), { code: run.errorCode, message: run.errorMessage ?? '' });
  }

  @FieldResolver(() => RunMetrics)
  metrics(@Root() run: Run): RunMetrics {
    return Object.assign(new RunMetrics(), { runId: run.id, summary: run.metrics });
  }

  @FieldResolver(() => [Run], {
    description: 'Every attempt of this run’s chain (the first and its retries), in order.',
  })
  attempts(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<Run[]> {
    return this.service.attempts(ctx.em(), run);
  }

  @FieldResolver(() => [String], {
    description: 'Names of the parameters given; values of secret ones are never shown.',
  })
  paramNames(@Root() run: Run): string[] {
    return Object.keys(run.params);
  }

  @FieldResolver(() => [RunLogLine], { description: 'Stored lines in order: after afterSeq (or before beforeSeq).' })
  async logs(
    @Root() run: Run,
    @Arg('afterSeq', () => Int, { nullable: true }) afterSeq?: number,
    @Arg('beforeSeq', () => Int, { nullable: true }) beforeSeq?: number,
    @Arg('limit', () => Int, { defaultValue: 500 }) limit = 500,
    @Arg('search', () => String, { nullable: true, description: 'Case-insensitive text the line contains.' })
    search?: string,
    @Arg('level', () => RunLogLevel, { nullable: true, description: 'Minimum level.' }) level?: RunLogLevel,
    @Arg('origin', () => RunLogOrigin, { nullable: true }) origin?: RunLogOrigin,
  ): Promise<RunLogLine[]> {
    if (limit < 1 || limit > 10_000) throw new UserInputError('limit must be between 1 and 10000', { field: 'limit' });
    return readRunLogs(this.reads.pool, run.id, { afterSeq, beforeSeq, limit, search, minLevel: level, origin });
  }

  @FieldResolver(() => [RunLogLine], { description: 'The last lines, in order.' })
  logTail(@Root() run: Run, @Arg('lines', () => Int, { defaultValue: 100 }) lines = 100): Promise<RunLogLine[]> {
    if (lines < 1 || lines > 10_000) throw new UserInputError('lines must be between 1 and 10000', { field: 'lines' });
    return tailRunLogs(this.reads.pool, run.id, lines);
  }

  // ----------------------------------------------------------------------------- subscriptions

  @Authorized()
  @Subscription(() => Run, {
    topics: Topic.RUN_UPDATED,
    description: 'A run was created or changed state. Filter by run, task or workspace (runs you may read).',
    filter: ({
      payload,
      args,
      context,
    }: {
      payload: RunUpdatedEvent;
      args: { filter: RunUpdatedFilter };
      context: GraphQLContext;
    }) => {
      const { filter } = args;
      if (filter.runId && filter.runId !== payload.runId) return false;
      if (filter.taskId && filter.taskId !== payload.taskId) return false;
      if (filter.workspaceId && filter.workspaceId !== payload.workspaceId) return false;
      return context.auth().can(payload.workspaceId, Role.VIEWER);
    },
  })
  async runUpdated(
    @Root() event: RunUpdatedEvent,
    @Arg('filter', () => RunUpdatedFilter) filter: RunUpdatedFilter,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Run> {
    void filter;
    return ctx.em().findOneOrFail(Run, { id: event.runId });
  }

  @Authorized()
  @Subscription(() => RunLogChunk, {
    description:
      'The run’s log lines after afterSeq (0: from the start): first those stored, then live ones, in order, none missing or doubled.',
    subscribe: ({
      args,
      context,
    }: SubscribeResolverData<unknown, { runId: string; afterSeq?: number }, GraphQLContext>) =>
      logStream(context, args.runId, args.afterSeq ?? 0),
  })
  runLogAppended(
    @Root() chunk: RunLogChunk,
    @Arg('runId', () => ID) runId: string,
    @Arg('afterSeq', () => Int, { nullable: true }) afterSeq?: number,
  ): RunLogChunk {
    void runId;
    void afterSeq;
    return chunk;
  }

  @Authorized()
  @Subscription(() => RunMetricSample, {
    description: 'Metrics of a running run, every second.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { runId: string }, GraphQLContext>) =>
      metricsStream(context, args.runId),
  })
  runMetricsSampled(@Root() sample: RunMetricSample, @Arg('runId', () => ID) runId: string): RunMetricSample {
    void runId;
    return sample;
  }
}

/** Set by the app (subscriptions' subscribe functions are static: they reach the services through it). */
export const runStreams: { service?: RunService; reads?: RunReadDeps } = {};

function readsOrFail(): { service: RunService; reads: RunReadDeps } {
  if (!runStreams.service || !runStreams.reads) throw new Error('run subscriptions are not wired');
  return { service: runStreams.service, reads: runStreams.reads };
}

function logStream(context: GraphQLContext, runId: string, afterSeq: number): AsyncIterable<RunLogChunk> {
  const { service, reads } = readsOrFail();
  return new Repeater<RunLogChunk>(async (push, stop) => {
    // The caller must be allowed to read the run (throws NOT_FOUND otherwise).
    await service.get(context.em(), context.auth(), runId);
    // Listen first, then read what is stored: a batch committed in between is read, never missed.
    const events = reads.bus.subscribe(Topic.RUN_LOG_APPENDED, runId)[Symbol.asyncIterator]();
    let last = afterSeq;
    let stopped = false;
    void stop.then(() => {
      stopped = true;
      void events.return?.();
    });
    const catchUp = async () => {
      for (;;) {
        const lines = await readRunLogs(reads.pool, runId, { afterSeq: last, limit: CATCH_UP_PAGE });
        if (lines.length === 0 || stopped) return;
        last = lines[lines.length - 1]!.seq;
        await push(Object.assign(new RunLogChunk(), { runId, lines, lastSeq: last }));
        if (lines.length < CATCH_UP_PAGE) return;
      }
    };
    await catchUp();
    while (!stopped) {
      const next = await events.next();
      if (next.done) break;
      const { lastSeq } = next.value as { lastSeq: number };
      if (lastSeq > last) await catchUp();
    }
  });
}

function metricsStream(context: GraphQLContext, runId: string): AsyncIterable<RunMetricSample> {
  const { service, reads } = readsOrFail();
  return new Repeater<RunMetricSample>(async (push, stop) => {
    await service.get(context.em(), context.auth(), runId);
    const events = reads.bus.subscribe(Topic.RUN_METRICS_SAMPLED, runId)[Symbol.asyncIterator]();
    void stop.then(() => void events.return?.());
    for (;;) {
      const next = await events.next();
      if (next.done) return;
      const event = next.value as RunMetricsSampledEvent;
      await push(Object.assign(new RunMetricSample(), { runId, time: new Date(event.time), sample: event.sample }));
    }
  });
}

/** Run fields of a task (the task module cannot import runs: runs import tasks). */
@Resolver(() => Task)
export class TaskRunResolver {
  /** One function for the request's loader: a page of tasks loads its last runs in one query. */
  private readonly latest: BatchLoad<Run>;

  constructor(service: RunService) {
    this.latest = (em, taskIds) => service.latestByTask(em, taskIds);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The newest run of the task (any attempt); null if none.' })
  async lastRun(@Root() task: Task, @Ctx() ctx: GraphQLContext): Promise<Run | null> {
    return (await ctx.loader(this.latest).load(task.id)) ?? null;
  }
}

@Resolver(() => RunMetrics)
export class RunMetricsResolver {
  constructor(private readonly reads: RunReadDeps) {}

  @FieldResolver(() => [RunMetricSample], {
    description: 'Stored samples in time order, thinned to at most maxPoints (evenly spaced).',
  })
  async series(
    @Root() metrics: RunMetrics,
    @Arg('from', () => Date, { nullable: true }) from?: Date,
    @Arg('to', () => Date, { nullable: true }) to?: Date,
    @Arg('maxPoints', () => Int, { defaultValue: 600 }) maxPoints = 600,
  ): Promise<RunMetricSample[]> {
    if (maxPoints < 1 || maxPoints > 10_000) {
      throw new UserInputError('maxPoints must be between 1 and 10000', { field: 'maxPoints' });
    }
    const result = await this.reads.pool.query<{ time: Date; sample: Record<string, unknown> }>(
      `SELECT time, sample FROM (
         SELECT time, sample, row_number() OVER (ORDER BY time) AS n, count(*) OVER () AS total
         FROM run_metric WHERE run_id = $1 AND ($2::timestamptz IS NULL OR time >= $2) AND ($3::timestamptz IS NULL OR time <= $3)
       ) s WHERE total <= $4 OR (n - 1) % ceil(total::numeric / $4)::int = 0 OR n = total
       ORDER BY time`,
      [metrics.runId, from ?? null, to ?? null, maxPoints],
    );
    return result.rows.map((r) => Object.assign(new RunMetricSample(), { runId: metrics.runId, ...r }));
  }
}
