import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum MisfirePolicy {
  SKIP = 'SKIP',
  RUN_ONCE = 'RUN_ONCE',
  RUN_ALL = 'RUN_ALL',
}
registerEnumType(MisfirePolicy, {
  name: 'MisfirePolicy',
  description:
    'Occurrences fired later than the misfire threshold (SLUICE_SCHEDULE_MISFIRE_THRESHOLD_SECONDS, 60 s by ' +
    'default), as when every instance was down: SKIP drops them, RUN_ONCE runs the latest, RUN_ALL runs each ' +
    '(the latest misfireCap). Occurrences less late than the threshold all run. Those falling in a pause never run.',
});

/** Fires runs of a task at the occurrences of a cron expression in a time zone. */
@Entity({ tableName: 'schedule' })
@ObjectType({ description: "A cron schedule firing a task's runs, once per occurrence." })
export class Schedule {
  [OptionalProps]?:
    | 'startAt'
    | 'endAt'
    | 'enabled'
    | 'params'
    | 'misfirePolicy'
    | 'misfireCap'
    | 'catchUpWindowSeconds'
    | 'lastFireAt'
    | 'handledUntil'
    | 'createdById'
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

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  name!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: '5 fields (minute first) or 6 (second first).' })
  cron!: string;

  @Property({ type: 'string', length: 64 })
  @Field(() => String, { description: 'IANA time zone the cron expression is read in, e.g. Europe/Berlin.' })
  timezone!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'No occurrence before this.' })
  startAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'No occurrence after this.' })
  endAt: Date | null = null;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'False while paused.' })
  enabled = true;

  /** Values for the task's (non-secret) variables, given to every run it fires. */
  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: "Values for the task's variables, given to every run it fires." })
  params: Record<string, string> = {};

  @Property({ type: 'string', length: 10 })
  @Field(() => MisfirePolicy)
  misfirePolicy: MisfirePolicy = MisfirePolicy.RUN_ONCE;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'RUN_ALL runs at most this many missed occurrences (the latest ones).' })
  misfireCap = 10;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'Missed occurrences older than this are not caught up.' })
  catchUpWindowSeconds: number | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'The nominal time of the last occurrence it started a run for.' })
  lastFireAt: Date | null = null;

  /**
   * The last occurrence handled (fired, or dropped by the misfire policy), or the instant it was
   * resumed or retimed: the next fire walks the occurrences after it (null: from its creation).
   */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  handledUntil: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
