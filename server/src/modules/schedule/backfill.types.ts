import { IsOptional, IsUUID } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Backfill } from './backfill.entity.js';

@InputType()
export class StartBackfillInput {
  @Field(() => ID)
  @IsUUID()
  taskId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The schedule whose occurrences to run; may be left out when the task has exactly one.',
  })
  @IsOptional()
  scheduleId?: string;

  @Field(() => Date, { description: 'The first nominal time of the range (inclusive).' })
  from!: Date;

  @Field(() => Date, { description: 'The last nominal time of the range (inclusive); not in the future.' })
  to!: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'How many of its runs may be queued or running at once, 1 to 32 (default 1).',
  })
  @IsOptional()
  parallelism?: number;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      "Values for the task's variables given to every run (default: the schedule's); secret variables are refused. " +
      'scheduled_time and data_time are set per occurrence.',
  })
  @IsOptional()
  params?: Record<string, string>;
}

@ObjectType()
export class BackfillPage {
  @Field(() => [Backfill])
  items!: Backfill[];

  @Field(() => Int)
  total!: number;
}
