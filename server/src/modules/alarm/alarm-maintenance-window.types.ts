import { Field, ID, InputType, Int } from 'type-graphql';
import { AlarmMatchersInput } from './alarm-silence.types.js';

/** Checked by the service; unset fields keep their value on update. */
@InputType()
class AlarmMaintenanceWindowFieldsInput extends AlarmMatchersInput {
  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  enabled?: boolean;

  @Field(() => String, { nullable: true })
  comment?: string;
}

@InputType()
export class CreateAlarmMaintenanceWindowInput extends AlarmMaintenanceWindowFieldsInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: '5 fields, or 6 with seconds first (as schedules).' })
  cron!: string;

  @Field(() => String, { description: 'Default UTC.', nullable: true })
  timezone?: string;

  @Field(() => Int, { description: 'How long it stays open after each occurrence: 1 to 43200 (30 days).' })
  durationMinutes!: number;
}

@InputType()
export class UpdateAlarmMaintenanceWindowInput extends AlarmMaintenanceWindowFieldsInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  cron?: string;

  @Field(() => String, { nullable: true })
  timezone?: string;

  @Field(() => Int, { nullable: true })
  durationMinutes?: number;
}
