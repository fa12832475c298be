import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { AlarmSeverity } from './alarm-rule.entity.js';

/**
 * Mutes the notifications of matching alarms from `startsAt` until `endsAt`. Matchers are AND-ed;
 * an empty list matches anything. The alarms themselves are still raised, counted and resolved.
 */
@Entity({ tableName: 'alarm_silence' })
@ObjectType({
  description:
    'Mutes notifications of matching alarms between startsAt and endsAt (they are recorded as SUPPRESSED). ' +
    'Matchers are AND-ed; an empty list matches anything.',
})
export class AlarmSilence {
  [OptionalProps]?: 'ruleIds' | 'taskIds' | 'tags' | 'severities' | 'createdById' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'uuid[]' })
  @Field(() => [ID], { description: 'Alarms of these rules; empty: any rule.' })
  ruleIds: string[] = [];

  @Property({ type: 'uuid[]' })
  @Field(() => [ID], { description: 'Alarms of these tasks; empty: any task.' })
  taskIds: string[] = [];

  @Property({ type: 'text[]' })
  @Field(() => [String], { description: 'Alarms of tasks with any of these tags; empty: any task.' })
  tags: string[] = [];

  @Property({ type: 'text[]' })
  @Field(() => [AlarmSeverity], { description: 'Alarms of these severities; empty: any severity.' })
  severities: AlarmSeverity[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  startsAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date, { description: 'Set to the moment it was expired, when expired early.' })
  endsAt!: Date;

  @Property({ type: 'text' })
  @Field(() => String)
  comment!: string;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  createdById: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();
}
