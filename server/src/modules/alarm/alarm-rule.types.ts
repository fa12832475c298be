import { Field, ID, InputType, Int } from 'type-graphql';
import { AlarmCondition, AlarmSeverity } from './alarm-rule.entity.js';

/** Checked by the service (each problem names its field); unset fields keep their value on update. */
@InputType()
class AlarmRuleFieldsInput {
  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean;

  @Field(() => Int, { nullable: true, description: 'CONSECUTIVE_FAILURES: at least 2. Other conditions: none.' })
  threshold?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'RUN_LONGER_THAN and NO_SUCCESS_WITHIN: 1 to 31536000 (a year). Other conditions: none.',
  })
  durationSeconds?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'RUN_LONGER_THAN, NO_SUCCESS_WITHIN and INSTANCE_DOWN: 1 to 86400, or null (fire at once).',
  })
  pendingSeconds?: number | null;

  @Field(() => [ID], { nullable: true, description: 'Tasks of the workspace by id.' })
  taskIds?: string[];

  @Field(() => [String], { nullable: true, description: 'Tasks with any of these tags.' })
  tags?: string[];

  @Field(() => [ID], { nullable: true, description: 'Alarm channels of the workspace.' })
  channelIds?: string[];

  @Field(() => Int, { nullable: true, description: 'Default 3600; at least 60.' })
  repeatIntervalSeconds?: number;
}

@InputType()
export class CreateAlarmRuleInput extends AlarmRuleFieldsInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => AlarmSeverity)
  severity!: AlarmSeverity;

  @Field(() => AlarmCondition)
  condition!: AlarmCondition;
}

@InputType()
export class UpdateAlarmRuleInput extends AlarmRuleFieldsInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => AlarmSeverity, { nullable: true })
  severity?: AlarmSeverity;

  @Field(() => AlarmCondition, { nullable: true })
  condition?: AlarmCondition;
}
