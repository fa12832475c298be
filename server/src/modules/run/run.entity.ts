import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { RunStatus, RunTrigger } from './run.enums.js';

@ObjectType({ description: 'Why a run did not succeed: data on the run, never a GraphQL error.' })
export class RunError {
  @Field(() => String, {
    description:
      'CONFIG_INVALID, UNSUPPORTED, SOURCE_FAILED, TRANSFORM_FAILED, SINK_FAILED, ASSERTION_FAILED, ENGINE_CRASHED, ' +
      'HOOK_FAILED, HOOK_TIMEOUT, TIMED_OUT, CANCELLED, INSTANCE_LOST, TASK_INVALID, …',
  })
  code!: string;

  @Field(() => String)
  message!: string;
}

/** One execution (one attempt) of a task version. A retry is a new run linked to the first attempt. */
@Entity({ tableName: 'run' })
@ObjectType({ description: 'One execution of a task: its trigger, parameters, state, error and metrics summary.' })
export class Run {
  [OptionalProps]?:
    | 'attempt'
    | 'params'
    | 'sealedParams'
    | 'firstRunId'
    | 'notBefore'
    | 'queuedAt'
    | 'startedAt'
    | 'finishedAt'
    | 'instanceId'
    | 'leaseExpiresAt'
    | 'cancelRequestedAt'
    | 'errorCode'
    | 'errorMessage'
    | 'metrics'
    | 'triggeredById'
    | 'triggeredByLabel'
    | 'scheduleId'
    | 'scheduledTime'
    | 'backfillId'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'uuid', fieldName: 'task_id' })
  @Field(() => ID)
  taskId!: string;

  @Property({ type: 'uuid', fieldName: 'task_version_id' })
  taskVersionId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'The task version this run executes.' })
  versionNumber!: number;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The first attempt, when this run is a retry.' })
  firstRunId: string | null = null;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: '1 for the first attempt, 2 for the first retry, …' })
  attempt: number = 1;

  @Property({ type: 'string', length: 10 })
  @Field(() => RunTrigger)
  trigger!: RunTrigger;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  triggeredById: string | null = null;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'Who or what started it: a user, a token, a schedule.' })
  triggeredByLabel = '';

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The schedule that fired it (trigger SCHEDULE).' })
  scheduleId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, {
    nullable: true,
    description: 'The nominal time of the occurrence that fired it (not when it was fired); one run each.',
  })
  scheduledTime: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The backfill that created it (trigger BACKFILL, and its retries).' })
  backfillId: string | null = null;

  /** Values given for the task's non-secret variables. */
  @Property({ type: 'json' })
  params: Record<string, string> = {};

  /** Values given for secret variables, sealed; never exposed. */
  @Property({ type: 'blob', nullable: true, hidden: true, lazy: true })
  sealedParams: Buffer | null = null;

  @Property({ type: 'string', length: 12 })
  @Field(() => RunStatus)
  status: RunStatus = RunStatus.QUEUED;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'A retry waits until then (backoff).' })
  notBefore: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  queuedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The Sluice instance executing (or that executed) it.' })
  instanceId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'The executing instance renews this; past it, the run is lost.' })
  leaseExpiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  cancelRequestedAt: Date | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** The final metrics summary (exposed through Run.metrics { summary }). */
  @Property({ type: 'json', nullable: true })
  metrics: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
