import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AlarmSeverity } from './alarm-rule.entity.js';

export enum AlarmStatus {
  FIRING = 'FIRING',
  RESOLVED = 'RESOLVED',
}
registerEnumType(AlarmStatus, { name: 'AlarmStatus' });

export enum AlarmNotificationKind {
  FIRING = 'FIRING',
  REPEAT = 'REPEAT',
  RESOLVED = 'RESOLVED',
}
registerEnumType(AlarmNotificationKind, { name: 'AlarmNotificationKind' });

export enum AlarmNotificationStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  SUPPRESSED = 'SUPPRESSED',
}
registerEnumType(AlarmNotificationStatus, {
  name: 'AlarmNotificationStatus',
  description:
    'PENDING: waiting for its (next) attempt (or for its channel’s rate limit). FAILED: given up (not retryable, ' +
    'or too many attempts). SUPPRESSED: a silence or maintenance window matched the alarm when it was written; ' +
    'recorded, never sent (see suppressedBy).',
});

/**
 * One alarm of a rule for one task. Rows are written by the evaluator with SQL (alarm-evaluator.ts);
 * at most one FIRING row per rule and fingerprint (a partial unique index).
 */
@Entity({ tableName: 'alarm' })
@ObjectType({ description: 'An alarm raised by a rule for a task (or a server instance): firing until it clears.' })
export class Alarm {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'uuid' })
  @Field(() => ID)
  ruleId!: string;

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'Null for an INSTANCE_DOWN alarm.' })
  taskId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'INSTANCE_DOWN only: the server instance.' })
  instanceId!: string | null;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, {
    description: '`ruleId:taskId` (`ruleId:instanceId` for INSTANCE_DOWN): what makes two alarms the same alarm.',
  })
  fingerprint!: string;

  @Property({ type: 'string', length: 10 })
  @Field(() => AlarmStatus)
  status!: AlarmStatus;

  @Property({ type: 'string', length: 10 })
  @Field(() => AlarmSeverity)
  severity!: AlarmSeverity;

  @Property({ type: 'text' })
  @Field(() => String)
  title!: string;

  @Property({ type: 'text' })
  @Field(() => String)
  summary!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, {
    description: 'How many times it was seen: runs that raised it, or sweep rounds that found it (time-based rules).',
  })
  count!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  firstSeenAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date, { description: 'When the latest run that raised it finished.' })
  lastSeenAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  lastRunId!: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When its last FIRING or REPEAT notification was enqueued.' })
  lastNotifiedAt!: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  acknowledgedAt!: Date | null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  acknowledgedById!: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  ackComment!: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt!: Date;
}

/** One notification of an alarm to one channel: the outbox row the deliverers send from. */
@Entity({ tableName: 'alarm_notification' })
@ObjectType({ description: 'A notification of an alarm to a channel, and the outcome of its delivery attempts.' })
export class AlarmNotification {
  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'uuid' })
  @Field(() => ID)
  alarmId!: string;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'Null once the channel was deleted.' })
  channelId!: string | null;

  @Property({ type: 'string', length: 10 })
  @Field(() => AlarmNotificationKind)
  kind!: AlarmNotificationKind;

  @Property({ type: 'string', length: 10 })
  @Field(() => AlarmNotificationStatus)
  status!: AlarmNotificationStatus;

  @Property({ type: 'integer' })
  @Field(() => Int)
  attempts!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  nextAttemptAt!: Date;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The last attempt's error, secrets masked." })
  lastError!: string | null;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: "The last attempt's HTTP (or SMTP) status." })
  lastStatus!: number | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String, {
    nullable: true,
    description: 'SUPPRESSED only: `silence:<id>` or `maintenance:<id>`, what suppressed it.',
  })
  suppressedBy!: string | null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt!: Date;
}
