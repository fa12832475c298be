import { IsInt, IsOptional, IsUUID, Length, Max, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { MisfirePolicy } from './schedule.entity.js';

@InputType()
class ScheduleFieldsInput {
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "Values for the task's variables (strings) given to every run; secret variables are refused.",
  })
  @IsOptional()
  params?: Record<string, string>;

  @Field(() => Date, { nullable: true, description: 'No occurrence before this.' })
  @IsOptional()
  startAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'No occurrence after this.' })
  @IsOptional()
  endAt?: Date | null;

  @Field(() => MisfirePolicy, { nullable: true })
  @IsOptional()
  misfirePolicy?: MisfirePolicy;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  misfireCap?: number;

  @Field(() => Int, { nullable: true, description: 'Null: missed occurrences of any age are caught up.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  catchUpWindowSeconds?: number | null;
}

@InputType()
export class CreateScheduleInput extends ScheduleFieldsInput {
  @Field(() => ID)
  @IsUUID()
  taskId!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the cron expression.' })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { description: '5 fields (minute first) or 6 (second first).' })
  cron!: string;

  @Field(() => String, { description: 'An IANA time zone, e.g. Europe/Berlin.' })
  timezone!: string;

  @Field(() => Boolean, { nullable: true, description: 'Default true; false creates it paused.' })
  @IsOptional()
  enabled?: boolean;
}

@InputType()
export class UpdateScheduleInput extends ScheduleFieldsInput {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  cron?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  timezone?: string;
}
