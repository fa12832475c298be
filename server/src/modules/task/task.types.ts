import { IsOptional, Length, MaxLength, ArrayMaxSize, IsInt, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConflictPolicy, ImportStatus } from './task.service.js';
import { Task, TaskEngine, TaskMode } from './task.entity.js';
import { Hook, RunPolicy, TaskVariable } from './task.model.js';

export enum ConfigFormatEnum {
  HOCON = 'HOCON',
  JSON = 'JSON',
}
registerEnumType(ConfigFormatEnum, {
  name: 'ConfigFormat',
  description: "HOCON (.conf) or JSON (what SeaTunnel's REST API takes).",
});

export enum DiagnosticSeverity {
  ERROR = 'ERROR',
  WARNING = 'WARNING',
  INFO = 'INFO',
}
registerEnumType(DiagnosticSeverity, { name: 'DiagnosticSeverity' });
registerEnumType(ImportStatus, { name: 'ImportStatus' });
registerEnumType(ConflictPolicy, {
  name: 'ConflictPolicy',
  description:
    'When an imported file names an existing task: SKIP it, UPDATE the task (a new version if anything changed), or FAIL that file.',
});

@ObjectType({ description: 'A problem or remark about a config, located where possible.' })
export class ConfigDiagnostic {
  @Field(() => DiagnosticSeverity)
  severity!: DiagnosticSeverity;

  @Field(() => String)
  message!: string;

  @Field(() => Int, { nullable: true })
  line?: number;

  @Field(() => Int, { nullable: true })
  column?: number;

  @Field(() => String, { nullable: true, description: 'e.g. sink[0].Jdbc.url' })
  path?: string;
}

@ObjectType()
export class TaskValidation {
  @Field(() => Boolean, { description: 'No ERROR diagnostics.' })
  valid!: boolean;

  @Field(() => [ConfigDiagnostic])
  diagnostics!: ConfigDiagnostic[];

  @Field(() => TaskEngine, {
    nullable: true,
    description: 'The engine the config would get: EMBEDDED when it runs every plugin.',
  })
  engine!: TaskEngine | null;

  @Field(() => [String], { description: 'The ${variables} the config uses.' })
  variables!: string[];
}

@ObjectType()
export class TaskPage {
  @Field(() => [Task])
  items!: Task[];

  @Field(() => Int)
  total!: number;
}

@ObjectType()
export class TaskDiff {
  @Field(() => String, { description: "A unified diff of the two versions' rendered HOCON." })
  unified!: string;

  @Field(() => [String], {
    description: 'Other settings that differ: engine, variables, preHooks, postHooks, runPolicy.',
  })
  settingsChanged!: string[];
}

@ObjectType()
export class TaskImportResult {
  @Field(() => String, { description: 'The task name (the file name without its extension).' })
  name!: string;

  @Field(() => String)
  file!: string;

  @Field(() => ImportStatus)
  status!: ImportStatus;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => [ConfigDiagnostic])
  diagnostics!: ConfigDiagnostic[];

  @Field(() => Task, { nullable: true })
  task!: Task | null;
}

@ObjectType()
export class TaskImportReport {
  @Field(() => [TaskImportResult])
  results!: TaskImportResult[];
}

@InputType()
export class SecretValueInput {
  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => String)
  @MaxLength(10_000)
  value!: string;
}

/** What creating and updating a task share; every field optional (an update changes what it gives). */
@InputType()
class TaskFieldsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  tags?: string[];

  @Field(() => TaskEngine, {
    nullable: true,
    description: 'Omitted on creation: EMBEDDED when it runs every plugin, else SEATUNNEL.',
  })
  @IsOptional()
  engine?: TaskEngine;

  @Field(() => String, { nullable: true, description: 'The config as HOCON or JSON text (or give `config`).' })
  @IsOptional()
  @MaxLength(5_000_000)
  content?: string;

  @Field(() => ConfigFormatEnum, { defaultValue: ConfigFormatEnum.HOCON })
  format: ConfigFormatEnum = ConfigFormatEnum.HOCON;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The structured config, as `Task.config` returns it.',
  })
  @IsOptional()
  config?: Record<string, unknown>;

  @Field(() => [TaskVariable], { nullable: true })
  @IsOptional()
  variables?: TaskVariable[];

  @Field(() => [SecretValueInput], {
    nullable: true,
    description: 'Values of secret variables; stored encrypted, never returned.',
  })
  @IsOptional()
  secretValues?: SecretValueInput[];

  @Field(() => [Hook], { nullable: true })
  @IsOptional()
  preHooks?: Hook[];

  @Field(() => [Hook], { nullable: true })
  @IsOptional()
  postHooks?: Hook[];

  @Field(() => RunPolicy, { nullable: true })
  @IsOptional()
  runPolicy?: RunPolicy;

  @Field(() => String, { nullable: true, description: 'Why: kept with the version.' })
  @IsOptional()
  @MaxLength(1000)
  message?: string;
}

@InputType()
export class CreateTaskInput extends TaskFieldsInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String)
  @Length(1, 200)
  name!: string;
}

@InputType()
export class UpdateTaskInput extends TaskFieldsInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;
}

@InputType()
export class RollbackTaskInput {
  @Field(() => ID)
  taskId!: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  version!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(1000)
  message?: string;
}

@InputType()
export class ImportFileInput {
  @Field(() => String, { description: 'The file name; the task is named after it.' })
  @Length(1, 255)
  name!: string;

  @Field(() => String)
  @MaxLength(5_000_000)
  content!: string;
}

@InputType()
export class ImportTasksInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => [ImportFileInput])
  @ArrayMaxSize(1000)
  files!: ImportFileInput[];

  @Field(() => ConflictPolicy, { defaultValue: ConflictPolicy.UPDATE })
  onConflict: ConflictPolicy = ConflictPolicy.UPDATE;

  @Field(() => TaskEngine, { nullable: true, description: 'Omitted: chosen per file.' })
  @IsOptional()
  engine?: TaskEngine;
}

@InputType()
export class TaskFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  tag?: string;

  @Field(() => TaskEngine, { nullable: true })
  @IsOptional()
  engine?: TaskEngine;

  @Field(() => TaskMode, { nullable: true })
  @IsOptional()
  mode?: TaskMode;
}
