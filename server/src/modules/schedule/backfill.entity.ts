import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum BackfillStatus {
  RUNNING = 'RUNNING',
  PAUSED = 'PAUSED',
  CANCELLED = 'CANCELLED',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(BackfillStatus, {
  name: 'BackfillStatus',
  description:
    'RUNNING: its runs are queued in order as slots free up; PAUSED: none is queued (those active finish); ' +
    'CANCELLED; SUCCEEDED: every occurrence ran and succeeded; FAILED: every occurrence ran, at least one did not ' +
    'succeed (failed, timed out, or its run was cancelled on its own).',
});

/** Statuses a backfill never leaves. */
export const FINISHED_BACKFILL: readonly BackfillStatus[] = [
  BackfillStatus.CANCELLED,
  BackfillStatus.SUCCEEDED,
  BackfillStatus.FAILED,
];

/**
 * Runs of a task for each past occurrence of one of its schedules in [from, to], created up front
 * (PENDING) and released in occurrence order, at most `parallelism` active at a time.
 */
@Entity({ tableName: 'backfill' })
@ObjectType({
  description: "Runs of a schedule's past occurrences in a range, one per occurrence, run in order with a parallelism.",
})
export class Backfill {
  [OptionalProps]?: 'scheduleId' | 'params' | 'status' | 'createdById' | 'createdAt' | 'updatedAt' | 'finishedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'uuid', fieldName: 'task_id' })
  @Field(() => ID)
  taskId!: string;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'The schedule whose occurrences it runs (null once deleted).' })
  scheduleId: string | null = null;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: "The schedule's cron expression when the backfill started." })
  cron!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String, { description: "The schedule's time zone when the backfill started." })
  timezone!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', fieldName: 'from_time' })
  @Field(() => Date, { description: 'The first nominal time of the range (inclusive).' })
  from!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', fieldName: 'to_time' })
  @Field(() => Date, { description: 'The last nominal time of the range (inclusive).' })
  to!: Date;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'At most this many of its runs are queued or running at once.' })
  parallelism!: number;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'Values given to every run (scheduled_time and data_time aside).' })
  params: Record<string, string> = {};

  @Property({ type: 'string', length: 10 })
  @Field(() => BackfillStatus)
  status: BackfillStatus = BackfillStatus.RUNNING;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Occurrences in the range: one run each (and its retries).' })
  total!: number;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When it was cancelled or its last run ended.' })
  finishedAt: Date | null = null;
}

/** Where a backfill stands, by occurrence (a retried occurrence counts once, as its latest attempt). */
@ObjectType({ description: "A backfill's occurrences by the state of their latest attempt." })
export class BackfillProgress {
  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: 'Waiting for their turn (or for a retry).' })
  pending!: number;

  @Field(() => Int)
  queued!: number;

  @Field(() => Int, { description: 'Running or being cancelled.' })
  running!: number;

  @Field(() => Int)
  succeeded!: number;

  @Field(() => Int, { description: 'Failed or timed out, with no retry left.' })
  failed!: number;

  @Field(() => Int)
  cancelled!: number;

  @Field(() => Date, { nullable: true, description: 'The earliest occurrence still waiting for its turn.' })
  nextScheduledTime!: Date | null;

  @Field(() => Float, {
    description: 'Share of the occurrences that are done (succeeded, failed or cancelled), 0–100.',
  })
  percent!: number;
}
