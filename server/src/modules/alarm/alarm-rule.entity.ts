import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum AlarmSeverity {
  CRITICAL = 'CRITICAL',
  WARNING = 'WARNING',
  INFO = 'INFO',
}
registerEnumType(AlarmSeverity, { name: 'AlarmSeverity' });

export enum AlarmCondition {
  RUN_FAILED = 'RUN_FAILED',
  RUN_TIMED_OUT = 'RUN_TIMED_OUT',
  CONSECUTIVE_FAILURES = 'CONSECUTIVE_FAILURES',
  RUN_LONGER_THAN = 'RUN_LONGER_THAN',
  NO_SUCCESS_WITHIN = 'NO_SUCCESS_WITHIN',
  INSTANCE_DOWN = 'INSTANCE_DOWN',
}

/** Conditions on time passing rather than on a run event: checked by the periodic sweep. */
export const SWEPT_CONDITIONS: readonly AlarmCondition[] = [
  AlarmCondition.RUN_LONGER_THAN,
  AlarmCondition.NO_SUCCESS_WITHIN,
];
registerEnumType(AlarmCondition, {
  name: 'AlarmCondition',
  description:
    'RUN_FAILED: a run ends FAILED (a TIMED_OUT run does not count: that is RUN_TIMED_OUT). RUN_TIMED_OUT: a run ' +
    'ends TIMED_OUT. CONSECUTIVE_FAILURES: the last `threshold` finished runs of the task (every attempt, retries ' +
    'included; cancelled runs skipped) all ended FAILED or TIMED_OUT. RUN_LONGER_THAN: a run of the task has been ' +
    'RUNNING for more than `durationSeconds`. NO_SUCCESS_WITHIN: the task has had no run SUCCEEDED for ' +
    '`durationSeconds` (or, never succeeded, was created longer ago). Every condition but RUN_LONGER_THAN clears ' +
    'when a run succeeds; RUN_LONGER_THAN and NO_SUCCESS_WITHIN clear when the periodic sweep no longer finds ' +
    'them true (no run of the task running that long; a success within the duration). INSTANCE_DOWN: a server ' +
    'instance of the cluster is DOWN (one alarm per instance, without a task; the scope is ignored); clears when ' +
    'it is UP again or forgotten.',
});

/** When to raise an alarm for which tasks of a workspace, and where to send its notifications. */
@Entity({ tableName: 'alarm_rule' })
@ObjectType({ description: 'When to raise an alarm, for which tasks, and which channels hear about it.' })
export class AlarmRule {
  [OptionalProps]?:
    | 'enabled'
    | 'threshold'
    | 'durationSeconds'
    | 'pendingSeconds'
    | 'taskIds'
    | 'tags'
    | 'channelIds'
    | 'repeatIntervalSeconds'
    | 'createdAt'
    | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Unique in the workspace (ignoring case).' })
  name!: string;

  @Property({ type: 'boolean' })
  @Field(() => Boolean)
  enabled = true;

  @Property({ type: 'string', length: 10 })
  @Field(() => AlarmSeverity)
  severity!: AlarmSeverity;

  @Property({ type: 'string', length: 30 })
  @Field(() => AlarmCondition)
  condition!: AlarmCondition;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'CONSECUTIVE_FAILURES only: how many (at least 2).' })
  threshold: number | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'RUN_LONGER_THAN and NO_SUCCESS_WITHIN only: how long.' })
  durationSeconds: number | null = null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description:
      'RUN_LONGER_THAN, NO_SUCCESS_WITHIN and INSTANCE_DOWN only: the condition must hold this long, sweep after ' +
      'sweep, before the alarm fires (null: at once).',
  })
  pendingSeconds: number | null = null;

  @Property({ type: 'uuid[]' })
  @Field(() => [ID], { description: 'Tasks in scope by id; with `tags` empty too: every task of the workspace.' })
  taskIds: string[] = [];

  @Property({ type: 'text[]' })
  @Field(() => [String], { description: 'Tasks in scope by tag (any of them).' })
  tags: string[] = [];

  @Property({ type: 'uuid[]' })
  @Field(() => [ID], { description: 'Alarm channels of the same workspace that receive the notifications.' })
  channelIds: string[] = [];

  @Property({ type: 'integer' })
  @Field(() => Int, {
    description: 'A still-firing, unacknowledged alarm is notified again at most once per this many seconds.',
  })
  repeatIntervalSeconds = 3600;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
