import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { PageInput, Role } from '../auth/index.js';
import { renderHocon, variablesOf, type JobConfig } from '../job-config/index.js';
import { ConnectorPlugin, PluginKindEnum } from './connector-plugin.types.js';
import { listConnectorPlugins } from './connector-plugins.js';
import { Task, TaskEngine, TaskMode, TaskVersion } from './task.entity.js';
import { Hook, RunPolicy, TaskVariable } from './task.model.js';
import { TaskService, type SaveTaskInput } from './task.service.js';
import {
  ConfigFormatEnum,
  CreateTaskInput,
  ImportTasksInput,
  RollbackTaskInput,
  TaskDiff,
  TaskFilter,
  TaskImportReport,
  TaskPage,
  TaskValidation,
  UpdateTaskInput,
  type ConfigDiagnostic,
} from './task.types.js';

/** GraphQL input → service input: secret values as a map, the structured config as a JobConfig. */
function saveInput(input: CreateTaskInput | UpdateTaskInput): SaveTaskInput {
  const { secretValues, config, format, ...rest } = input;
  return {
    ...rest,
    format,
    config: config as JobConfig | undefined,
    secretValues: secretValues ? Object.fromEntries(secretValues.map((s) => [s.name, s.value])) : undefined,
  };
}

@Resolver(() => Task)
export class TaskResolver {
  constructor(private readonly service: TaskService) {}

  @Authorized(Role.VIEWER)
  @Query(() => TaskPage)
  tasks(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => TaskFilter, { nullable: true }) filter?: TaskFilter,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<TaskPage> {
    return this.service.list(ctx.em(), ctx.auth(), { workspaceId, ...filter }, page ?? { offset: 0, limit: 50 });
  }

  @Authorized()
  @Query(() => Task)
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Task> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized()
  @Query(() => [TaskVersion], { description: 'Newest first.' })
  taskVersions(@Arg('taskId', () => ID) taskId: string, @Ctx() ctx: GraphQLContext): Promise<TaskVersion[]> {
    return this.service.versions(ctx.em(), ctx.auth(), taskId);
  }

  @Authorized()
  @Query(() => TaskDiff)
  taskVersionDiff(
    @Arg('taskId', () => ID) taskId: string,
    @Arg('from', () => Int) from: number,
    @Arg('to', () => Int) to: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TaskDiff> {
    return this.service.diff(ctx.em(), ctx.auth(), taskId, from, to);
  }

  @Authorized()
  @Query(() => String, {
    description: 'The task as a SeaTunnel config (datasource references and ${var} placeholders, never secrets).',
  })
  exportTask(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('format', () => ConfigFormatEnum, { defaultValue: ConfigFormatEnum.HOCON })
    format: ConfigFormatEnum = ConfigFormatEnum.HOCON,
  ): Promise<string> {
    return this.service.export(ctx.em(), ctx.auth(), id, format);
  }

  @Authorized(Role.VIEWER)
  @Query(() => TaskValidation, { description: 'Diagnostics for an editor, with line and column; saves nothing.' })
  async validateTaskConfig(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Arg('content', () => String) content: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('format', () => ConfigFormatEnum, { defaultValue: ConfigFormatEnum.HOCON })
    format: ConfigFormatEnum = ConfigFormatEnum.HOCON,
    @Arg('engine', () => TaskEngine, { nullable: true }) engine?: TaskEngine,
  ): Promise<TaskValidation> {
    const result = await this.service.validateContent(ctx.em(), ctx.auth(), {
      workspaceId,
      content,
      format,
      engine,
    });
    return {
      valid: !result.diagnostics.some((d) => d.severity === 'ERROR'),
      diagnostics: result.diagnostics as ConfigDiagnostic[],
      engine: result.engine,
      variables: result.config ? variablesOf(result.config).map((v) => v.name) : [],
    };
  }

  @Authorized()
  @Query(() => [ConnectorPlugin], {
    description: 'The plugins a config may use and their options (the task editor is built from this).',
  })
  connectorPlugins(
    @Arg('kind', () => PluginKindEnum, { nullable: true }) kind?: PluginKindEnum,
    @Arg('engine', () => TaskEngine, { nullable: true, description: 'EMBEDDED: only the plugins it runs.' })
    engine?: TaskEngine,
  ): ConnectorPlugin[] {
    return listConnectorPlugins({ kind, engine });
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => Task, { description: 'Saves version 1. A config with errors is refused with its diagnostics.' })
  createTask(@Arg('input', () => CreateTaskInput) input: CreateTaskInput, @Ctx() ctx: GraphQLContext): Promise<Task> {
    return this.service.create(ctx.em(), ctx.auth(), {
      ...saveInput(input),
      workspaceId: input.workspaceId,
      name: input.name,
    });
  }

  @Authorized()
  @Mutation(() => Task, { description: 'Needs DEVELOPER. Saves a new version when anything changed.' })
  async updateTask(
    @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Task> {
    const task = await this.service.update(ctx.em(), ctx.auth(), { ...saveInput(input), id: input.id });
    ctx.audit.workspaceId = task.workspaceId;
    return task;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs DEVELOPER.' })
  async deleteTask(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const task = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: task.workspaceId, targetType: 'Task', targetId: id });
    return true;
  }

  @Authorized()
  @Mutation(() => Task, { description: 'Makes an older version current again, as a new version. Needs DEVELOPER.' })
  async rollbackTask(
    @Arg('input', () => RollbackTaskInput) input: RollbackTaskInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Task> {
    const task = await this.service.rollback(ctx.em(), ctx.auth(), input);
    Object.assign(ctx.audit, { workspaceId: task.workspaceId, targetId: task.id });
    return task;
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => TaskImportReport, { description: 'One result per file, in order; idempotent by task name.' })
  async importTasks(
    @Arg('input', () => ImportTasksInput) input: ImportTasksInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TaskImportReport> {
    const results = await this.service.importTasks(ctx.em(), ctx.auth(), input);
    return { results: results.map((r) => ({ ...r, diagnostics: r.diagnostics as ConfigDiagnostic[] })) };
  }

  @FieldResolver(() => String, { description: 'The config rendered as HOCON.' })
  hocon(@Root() task: Task): string {
    return renderHocon(task.config);
  }

  @FieldResolver(() => [TaskVariable], { description: 'Secret variables show no default.' })
  variables(@Root() task: Task): TaskVariable[] {
    return task.variables.map((v) => (v.secret ? { ...v, default: null } : v));
  }

  @FieldResolver(() => [Hook])
  preHooks(@Root() task: Task): Hook[] {
    return task.preHooks;
  }

  @FieldResolver(() => [Hook])
  postHooks(@Root() task: Task): Hook[] {
    return task.postHooks;
  }

  @FieldResolver(() => RunPolicy)
  runPolicy(@Root() task: Task): RunPolicy {
    return task.runPolicy;
  }
}

@Resolver(() => TaskVersion)
export class TaskVersionResolver {
  @FieldResolver(() => String)
  hocon(@Root() version: TaskVersion): string {
    return renderHocon(version.content.config);
  }

  @FieldResolver(() => TaskEngine)
  engine(@Root() version: TaskVersion): TaskEngine {
    return version.content.engine;
  }

  @FieldResolver(() => TaskMode)
  mode(@Root() version: TaskVersion): TaskMode {
    return version.content.mode;
  }
}
