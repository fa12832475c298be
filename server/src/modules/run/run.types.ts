import { IsOptional, IsUUID, MaxLength } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Run } from './run.entity.js';
import { RunLogLevel, RunLogOrigin, RunStatus, RunTrigger } from './run.enums.js';

@InputType()
export class StartRunInput {
  @Field(() => ID)
  @IsUUID()
  taskId!: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "Values of the task's variables (strings), secret ones included: those are sealed, never shown.",
  })
  @IsOptional()
  params?: Record<string, string>;
}

@InputType()
export class RunFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  workspaceId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  taskId?: string;

  @Field(() => [RunStatus], { nullable: true })
  @IsOptional()
  status?: RunStatus[];

  @Field(() => Boolean, { nullable: true, description: 'Leave out retries (reach them through Run.attempts).' })
  @IsOptional()
  firstAttemptsOnly?: boolean;

  @Field(() => [RunTrigger], { nullable: true })
  @IsOptional()
  trigger?: RunTrigger[];

  @Field(() => Date, { nullable: true, description: 'Runs created (queued) at or after this time.' })
  @IsOptional()
  createdAfter?: Date;

  @Field(() => Date, { nullable: true, description: 'Runs created (queued) before this time.' })
  @IsOptional()
  createdBefore?: Date;

  @Field(() => String, { nullable: true, description: "Case-insensitive text the task's name contains." })
  @IsOptional()
  @MaxLength(200)
  search?: string;
  @Field(() => ID, { nullable: true, description: 'The runs of one backfill (every attempt).' })
  @IsOptional()
  @IsUUID()
  backfillId?: string;
}

@InputType({ description: 'Which runs a runUpdated subscription hears about; at least one field.' })
export class RunUpdatedFilter {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  runId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  taskId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  workspaceId?: string;
}

@ObjectType()
export class RunPage {
  @Field(() => [Run])
  items!: Run[];

  @Field(() => Int)
  total!: number;
}

@ObjectType({ description: 'One stored line of a run log.' })
export class RunLogLine {
  @Field(() => Int, { description: "Position in the run's log, increasing (1, 2, 3, …); resume with afterSeq." })
  seq!: number;

  @Field(() => Date)
  time!: Date;

  @Field(() => RunLogLevel)
  level!: RunLogLevel;

  @Field(() => RunLogOrigin)
  origin!: RunLogOrigin;

  @Field(() => String, { description: 'Secrets of the run and its datasources are replaced by ******.' })
  message!: string;
}

@ObjectType({ description: 'Log lines of a run, in order, as a subscription delivers them.' })
export class RunLogChunk {
  @Field(() => ID)
  runId!: string;

  @Field(() => [RunLogLine])
  lines!: RunLogLine[];

  @Field(() => Int, { description: 'The seq of the last line: pass it as afterSeq to resume.' })
  lastSeq!: number;
}

@ObjectType({
  description: "A sample of a running job's metrics (sent every second; stored at the configured resolution).",
})
export class RunMetricSample {
  @Field(() => ID)
  runId!: string;

  @Field(() => Date)
  time!: Date;

  @Field(() => GraphQLJSONObject, {
    description:
      'rowsRead, bytesRead, rowsWritten, bytesWritten, readRowsPerSecond, writeRowsPerSecond, writeBytesPerSecond, estimatedRows, memoryRss, memoryPeak, tables[]',
  })
  sample!: Record<string, unknown>;
}

@ObjectType({ description: "A run's metrics: the final summary and the stored samples." })
export class RunMetrics {
  runId!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Final figures (null until the run ends).' })
  summary!: Record<string, unknown> | null;
}
