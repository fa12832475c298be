import { Field, ID, InputType } from 'type-graphql';
import { AlarmSeverity } from './alarm-rule.entity.js';

/** Matchers shared by silences and maintenance windows: AND-ed, each list empty (or left out) = any. */
@InputType()
export class AlarmMatchersInput {
  @Field(() => [ID], { nullable: true, description: 'Alarm rules of the workspace.' })
  ruleIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Tasks of the workspace.' })
  taskIds?: string[];

  @Field(() => [String], { nullable: true, description: 'Tasks with any of these tags.' })
  tags?: string[];

  @Field(() => [AlarmSeverity], { nullable: true })
  severities?: AlarmSeverity[];
}

@InputType()
export class CreateAlarmSilenceInput extends AlarmMatchersInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => Date, { nullable: true, description: 'Default now.' })
  startsAt?: Date | null;

  @Field(() => Date, { description: 'After startsAt and in the future.' })
  endsAt!: Date;

  @Field(() => String, { description: 'Why: required.' })
  comment!: string;
}
