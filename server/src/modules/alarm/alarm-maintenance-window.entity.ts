import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AlarmSeverity } from './alarm-rule.entity.js';

/**
 * A recurring silence: open for `durationMinutes` from each occurrence of `cron` in `timezone`.
 * Same matchers as a silence.
 */
@Entity({ tableName: 'alarm_maintenance_window' })
@ObjectType({
  description:
    'A recurring silence: open for durationMinutes from each occurrence of cron (in timezone); notifications of ' +
    'matching alarms meanwhile are recorded as SUPPRESSED. Matchers are AND-ed; an empty list matches anything.',
})
export class AlarmMaintenanceWindow {
  [OptionalProps]?:
    'ruleIds' | 'taskIds' | 'tags' | 'severities' | 'enabled' | 'comment' | 'createdById' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Unique in the workspace (ignoring case).' })
  name!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String, { description: 'When it opens: 5 fields, or 6 with seconds first (as schedules).' })
  cron!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The IANA time zone the cron expression is read in.' })
  timezone!: string;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'How long it stays open after each occurrence.' })
  durationMinutes!: number;

  @Property({ type: 'uuid[]' })
  @Field(() => [ID])
  ruleIds: string[] = [];

  @Property({ type: 'uuid[]' })
  @Field(() => [ID])
  taskIds: string[] = [];

  @Property({ type: 'text[]' })
  @Field(() => [String])
  tags: string[] = [];

  @Property({ type: 'text[]' })
  @Field(() => [AlarmSeverity])
  severities: AlarmSeverity[] = [];

  @Property({ type: 'boolean' })
  @Field(() => Boolean)
  enabled = true;

  @Property({ type: 'text' })
  @Field(() => String)
  comment = '';

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
