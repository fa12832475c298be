import type { EntityManager } from '@mikro-orm/postgresql';
import { createTwoFilesPatch } from 'diff';
import { escapeLike, flushUnique } from '../../database/sql.js';
import { AppError, NotFoundError, UserInputError, type FieldProblem } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SealedColumn } from '../../secrets/reseal.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { Role, type Principal } from '../auth/index.js';
import { Datasource, type DatasourceService } from '../datasource/index.js';
import {
  ConfigSyntaxError,
  isConfigObject,
  parseJobConfig,
  renderHocon,
  renderJson,
  variablesOf,
  type ConfigFormat,
  type ConfigObject,
  type Diagnostic,
  type JobConfig,
} from '../job-config/index.js';
import { resolveDatasources } from './task-execution.js';
import { modeOf, suggestedEngine, validateJobConfig, type DatasourceRef } from './task-validation.js';
import { Task, TaskEngine, TaskVersion, type TaskContent, type TaskMode } from './task.entity.js';
import { DEFAULT_RUN_POLICY, HookKind, type Hook, type RunPolicy, type TaskVariable } from './task.model.js';

export interface SaveTaskInput {
  name?: string;
  description?: string;
  tags?: string[];
  engine?: TaskEngine;
  /** The config as text (HOCON or JSON); or `config`, already structured. */
  content?: string;
  format?: ConfigFormat;
  config?: JobConfig;
  variables?: TaskVariable[];
  /** Values for secret variables (name → value); never returned. */
  secretValues?: Record<string, string>;
  preHooks?: Hook[];
  postHooks?: Hook[];
  runPolicy?: RunPolicy;
  message?: string;
}

export enum ImportStatus {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  SKIPPED = 'SKIPPED',
  FAILED = 'FAILED',
}

export enum ConflictPolicy {
  SKIP = 'SKIP',
  UPDATE = 'UPDATE',
  FAIL = 'FAIL',
}

export interface ImportResult {
  name: string;
  file: string;
  status: ImportStatus;
  error: string | null;
  diagnostics: Diagnostic[];
  task: Task | null;
}

/** Option names whose literal values are secrets: moved into sealed task variables on save. */
const SECRET_OPTION =
  /^(password|passwd|pwd|secret|token|access[_.-]?key|secret[_.-]?key|private[_.-]?key|credential|credentials)$/i;
const secretContext = (taskId: string) => `task:${taskId}`;

/** Where the values of tasks' secret variables are sealed, for `sluice rotate-secret-key`. */
export const TASK_SEALED_SECRETS: SealedColumn = {
  label: 'task secret set',
  table: 'task',
  column: 'sealed_secrets',
  context: secretContext,
};

export class TaskService {
  constructor(
    private readonly secretBox: SecretBox | undefined,
    private readonly datasources: DatasourceService,
    private readonly logger: Logger,
  ) {}

  async list(
    em: EntityManager,
    principal: Principal,
    filter: { workspaceId: string; search?: string; tag?: string; engine?: TaskEngine; mode?: TaskMode },
    page: { offset: number; limit: number },
  ): Promise<{ items: Task[]; total: number }> {
    principal.require(filter.workspaceId, Role.VIEWER);
    const where: Record<string, unknown> = { workspaceId: filter.workspaceId };
    if (filter.search) {
      const like = `%${escapeLike(filter.search)}%`;
      where.$or = [{ name: { $ilike: like } }, { description: { $ilike: like } }];
    }
    if (filter.tag) where.tags = { $contains: [filter.tag] };
    if (filter.engine) where.engine = filter.engine;
    if (filter.mode) where.mode = filter.mode;
    const [items, total] = await em.findAndCount(Task, where, {
      orderBy: { name: 'ASC' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  /** A task the caller may read; NOT_FOUND for tasks of other workspaces. */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<Task> {
    const task = await em.findOne(Task, { id });
    if (!task || !principal.roleIn(task.workspaceId)) throw new NotFoundError('Task', id);
    principal.require(task.workspaceId, minimum);
    return task;
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: SaveTaskInput & { workspaceId: string; name: string },
  ): Promise<Task> {
    return (await this.createWithDiagnostics(em, principal, input)).task;
  }

  async update(em: EntityManager, principal: Principal, input: SaveTaskInput & { id: string }): Promise<Task> {
    return (await this.updateWithDiagnostics(em, principal, input)).task;
  }

  private async createWithDiagnostics(
    em: EntityManager,
    principal: Principal,
    input: SaveTaskInput & { workspaceId: string; name: string },
  ): Promise<{ task: Task; diagnostics: Diagnostic[] }> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const prepared = await this.prepare(em, input.workspaceId, null, input);
    const task = em.create(Task, {
      workspaceId: input.workspaceId,
      name: input.name.trim(),
      description: input.description ?? '',
      tags: normaliseTags(input.tags),
      ownerId: principal.user.id,
      version: 0,
      ...prepared.content,
    });
    await this.commit(em, task, false, prepared.secrets, input.message, principal);
    return { task, diagnostics: prepared.diagnostics };
  }

  private async updateWithDiagnostics(
    em: EntityManager,
    principal: Principal,
    input: SaveTaskInput & { id: string },
  ): Promise<{ task: Task; diagnostics: Diagnostic[] }> {
    const task = await this.get(em, principal, input.id, Role.DEVELOPER);
    if (input.name !== undefined) task.name = input.name.trim();
    if (input.description !== undefined) task.description = input.description;
    if (input.tags !== undefined) task.tags = normaliseTags(input.tags);
    const prepared = await this.prepare(em, task.workspaceId, task, input);
    Object.assign(task, prepared.content);
    await this.commit(em, task, true, prepared.secrets, input.message, principal);
    return { task, diagnostics: prepared.diagnostics };
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<Task> {
    const task = await this.get(em, principal, id, Role.DEVELOPER);
    await em.remove(task).flush();
    return task;
  }

  async versions(em: EntityManager, principal: Principal, taskId: string): Promise<TaskVersion[]> {
    await this.get(em, principal, taskId);
    return em.find(TaskVersion, { task: taskId }, { orderBy: { number: 'DESC' } });
  }

  async version(em: EntityManager, principal: Principal, taskId: string, number: number): Promise<TaskVersion> {
    await this.get(em, principal, taskId);
    const version = await em.findOne(TaskVersion, { task: taskId, number });
    if (!version) throw new NotFoundError('TaskVersion', `${taskId}#${number}`);
    return version;
  }

  /** A unified diff of the rendered HOCON of two versions, and which other settings differ. */
  async diff(
    em: EntityManager,
    principal: Principal,
    taskId: string,
    from: number,
    to: number,
  ): Promise<{ unified: string; settingsChanged: string[] }> {
    const [a, b] = [await this.version(em, principal, taskId, from), await this.version(em, principal, taskId, to)];
    const unified = createTwoFilesPatch(
      `version ${from}`,
      `version ${to}`,
      renderHocon(a.content.config),
      renderHocon(b.content.config),
    );
    const settingsChanged = (['engine', 'variables', 'preHooks', 'postHooks', 'runPolicy'] as const).filter(
      (k) => canonical(a.content[k]) !== canonical(b.content[k]),
    );
    return { unified, settingsChanged };
  }

  /** Makes an older version current again, as a new version (history is never rewritten). */
  async rollback(
    em: EntityManager,
    principal: Principal,
    input: { taskId: string; version: number; message?: string },
  ): Promise<Task> {
    const task = await this.get(em, principal, input.taskId, Role.DEVELOPER);
    const old = await this.version(em, principal, input.taskId, input.version);
    const content = structuredClone(old.content);
    await this.validateOrThrow(em, task.workspaceId, content);
    Object.assign(task, content);
    return this.commit(em, task, true, {}, input.message ?? `Rollback to version ${input.version}`, principal, true);
  }

  /** Each file becomes (or updates) the task named after it; one file's failure does not stop the others. */
  async importTasks(
    em: EntityManager,
    principal: Principal,
    input: {
      workspaceId: string;
      files: { name: string; content: string }[];
      onConflict: ConflictPolicy;
      engine?: TaskEngine;
    },
  ): Promise<ImportResult[]> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const results: ImportResult[] = [];
    for (const file of input.files) {
      const name = taskNameOf(file.name);
      const format: ConfigFormat = /\.json$/i.test(file.name) ? 'JSON' : 'HOCON';
      const fork = em.fork();
      try {
        const existing = await fork.findOne(Task, {
          workspaceId: input.workspaceId,
          name: { $ilike: escapeLike(name) },
        });
        const save: SaveTaskInput = {
          content: file.content,
          format,
          engine: input.engine,
          message: `Imported from ${file.name}`,
        };
        if (!existing) {
          const { task, diagnostics } = await this.createWithDiagnostics(fork, principal, {
            ...save,
            workspaceId: input.workspaceId,
            name,
          });
          results.push({ name, file: file.name, status: ImportStatus.CREATED, error: null, diagnostics, task });
        } else if (input.onConflict === ConflictPolicy.SKIP) {
          results.push({
            name,
            file: file.name,
            status: ImportStatus.SKIPPED,
            error: null,
            diagnostics: [],
            task: existing,
          });
        } else if (input.onConflict === ConflictPolicy.FAIL) {
          results.push({
            name,
            file: file.name,
            status: ImportStatus.FAILED,
            error: `A task named "${existing.name}" exists already`,
            diagnostics: [],
            task: existing,
          });
        } else {
          const before = existing.version;
          const { task, diagnostics } = await this.updateWithDiagnostics(fork, principal, {
            ...save,
            id: existing.id,
            engine: input.engine ?? existing.engine,
          });
          const status = task.version === before ? ImportStatus.UNCHANGED : ImportStatus.UPDATED;
          results.push({ name, file: file.name, status, error: null, diagnostics, task });
        }
      } catch (err) {
        const diagnostics = (err as AppError).extensions?.diagnostics as Diagnostic[] | undefined;
        results.push({
          name,
          file: file.name,
          status: ImportStatus.FAILED,
          error: err instanceof AppError ? err.message : 'Internal error (see the server log)',
          diagnostics: diagnostics ?? [],
          task: null,
        });
        if (!(err instanceof AppError)) this.logger.error({ err, file: file.name }, 'task import failed unexpectedly');
      }
    }
    return results;
  }

  /** The task as a SeaTunnel config: datasource references and ${var} placeholders, never a secret. */
  async export(em: EntityManager, principal: Principal, id: string, format: ConfigFormat): Promise<string> {
    const task = await this.get(em, principal, id);
    return format === 'JSON' ? renderJson(task.config) : renderHocon(task.config);
  }

  /** Diagnostics for an editor: syntax errors and everything validation finds, with line and column. */
  async validateContent(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; content: string; format: ConfigFormat; engine?: TaskEngine },
  ): Promise<{ diagnostics: Diagnostic[]; engine: TaskEngine | null; config: JobConfig | null }> {
    principal.require(input.workspaceId, Role.VIEWER);
    let parsed;
    try {
      parsed = parseJobConfig(input.content, input.format);
    } catch (err) {
      if (err instanceof ConfigSyntaxError) {
        return {
          diagnostics: [{ severity: 'ERROR', message: err.message, line: err.line, column: err.column }],
          engine: null,
          config: null,
        };
      }
      throw err;
    }
    const engine = input.engine ?? suggestedEngine(parsed.config);
    const variables = variablesOf(parsed.config).map((v) => ({
      name: v.name,
      default: v.default ?? null,
      secret: false,
    }));
    const diagnostics = [
      ...parsed.diagnostics,
      ...validateJobConfig(parsed.config, {
        engine,
        variables,
        datasources: await this.datasourceRefs(em, input.workspaceId),
      }),
    ];
    return { diagnostics, engine, config: parsed.config };
  }

  /** The config ready to run: datasource references replaced by their connection options, secrets included. Server-side only. */
  async renderForExecution(em: EntityManager, task: Task): Promise<JobConfig> {
    const datasources = await em.find(Datasource, { workspaceId: task.workspaceId });
    return resolveDatasources(task.config, datasources, (ds) => this.datasources.connectionOptionsOf(em, ds));
  }

  /** Values of the task's secret variables. Server-side only (runs). */
  async secretValues(em: EntityManager, task: Task): Promise<Record<string, string>> {
    if (task.sealedSecrets === undefined || task.sealedSecrets === null) await em.populate(task, ['sealedSecrets']);
    if (!task.sealedSecrets) return {};
    return JSON.parse(this.box().open(task.sealedSecrets, secretContext(task.id))) as Record<string, string>;
  }

  /** Datasources referenced by tasks (for the refusal to delete one that is in use). */
  async referencesTo(em: EntityManager, datasource: Datasource): Promise<{ kind: string; id: string; name: string }[]> {
    const tasks = await em.find(
      Task,
      { workspaceId: datasource.workspaceId },
      { fields: ['id', 'name', 'config', 'preHooks', 'postHooks'] },
    );
    const matches = (ref: unknown) =>
      typeof ref === 'string' && (ref === datasource.id || ref.toLowerCase() === datasource.name.toLowerCase());
    return tasks
      .filter(
        (t) =>
          [...t.config.source, ...t.config.transform, ...t.config.sink].some((b) => matches(b.options.datasource)) ||
          [...t.preHooks, ...t.postHooks].some((h) => matches(h.datasource)),
      )
      .map((t) => ({ kind: 'Task', id: t.id, name: t.name }));
  }

  /** Builds what a save stores: the parsed config with inline secrets moved out, variables, hooks, policy. */
  private async prepare(
    em: EntityManager,
    workspaceId: string,
    existing: Task | null,
    input: SaveTaskInput,
  ): Promise<{ content: TaskContent; secrets: Record<string, string>; diagnostics: Diagnostic[] }> {
    let config = existing?.config;
    const parseDiagnostics: Diagnostic[] = [];
    if (input.content !== undefined) {
      try {
        const parsed = parseJobConfig(input.content, input.format ?? 'HOCON');
        config = parsed.config;
        parseDiagnostics.push(...parsed.diagnostics);
      } catch (err) {
        if (err instanceof ConfigSyntaxError) {
          throw new UserInputError(err.message, {
            field: 'content',
            line: err.line,
            column: err.column,
          });
        }
        throw err;
      }
    } else if (input.config !== undefined) {
      config = input.config;
    }
    if (!config)
      throw new UserInputError('A task needs a config: give content (HOCON or JSON) or config', { field: 'content' });
    config = structuredClone(config);

    const pendingSecrets: Record<string, string> = { ...(input.secretValues ?? {}) };
    const moved = extractInlineSecrets(config, pendingSecrets);
    const declared = input.variables ?? existing?.variables ?? [];
    const variables = mergeVariables(declared, config, moved);
    const content: TaskContent = {
      config,
      mode: modeOf(config),
      engine: input.engine ?? existing?.engine ?? suggestedEngine(config),
      variables,
      preHooks: input.preHooks ?? existing?.preHooks ?? [],
      postHooks: input.postHooks ?? existing?.postHooks ?? [],
      runPolicy: { ...DEFAULT_RUN_POLICY, ...(input.runPolicy ?? existing?.runPolicy ?? {}) },
    };
    const diagnostics = [
      ...(await this.validateOrThrow(em, workspaceId, content, parseDiagnostics)),
      ...moved.map((m) => ({
        severity: 'INFO' as const,
        message: `The ${m.option} of ${m.block} moved to secret variable ${m.variable}: it is stored encrypted and exported as \${${m.variable}}`,
      })),
    ];
    return { content, secrets: pendingSecrets, diagnostics };
  }

  private async validateOrThrow(
    em: EntityManager,
    workspaceId: string,
    content: TaskContent,
    earlier: Diagnostic[] = [],
  ): Promise<Diagnostic[]> {
    const datasources = await this.datasourceRefs(em, workspaceId);
    const diagnostics = [
      ...earlier,
      ...validateJobConfig(content.config, { engine: content.engine, variables: content.variables, datasources }),
    ];
    const hookProblems = [
      ...checkHooks(content.preHooks, 'preHooks', datasources),
      ...checkHooks(content.postHooks, 'postHooks', datasources),
    ];
    const errors = diagnostics.filter((d) => d.severity === 'ERROR');
    if (errors.length > 0) {
      const first = errors[0]!;
      const message =
        errors.length === 1 ? first.message : `${errors.length} errors: ${errors.map((e) => e.message).join('; ')}`;
      throw new UserInputError(message, { field: 'content', line: first.line, column: first.column, diagnostics });
    }
    if (hookProblems.length > 0) throw UserInputError.of(hookProblems);
    return diagnostics;
  }

  /** Seals new secret values, and records a version when anything that decides a run changed. */
  private async commit(
    em: EntityManager,
    task: Task,
    existed: boolean,
    secrets: Record<string, string>,
    message: string | undefined,
    principal: Principal,
    forceVersion = false,
  ): Promise<Task> {
    const content: TaskContent = {
      config: task.config,
      mode: task.mode,
      engine: task.engine,
      variables: task.variables,
      preHooks: task.preHooks,
      postHooks: task.postHooks,
      runPolicy: task.runPolicy,
    };
    if (Object.keys(secrets).length > 0) {
      const current = existed ? await this.secretValues(em, task) : {};
      task.sealedSecrets = this.box().seal(JSON.stringify({ ...current, ...secrets }), secretContext(task.id));
    }
    const last = existed ? await em.findOne(TaskVersion, { task, number: task.version }) : null;
    if (forceVersion || !last || canonical(last.content) !== canonical(content)) {
      task.version += 1;
      em.create(TaskVersion, {
        task,
        number: task.version,
        content,
        authorId: principal.user.id,
        message: message ?? '',
      });
    }
    await flushUnique(em, `A task named "${task.name}" already exists in this workspace`, 'name');
    return task;
  }

  private async datasourceRefs(em: EntityManager, workspaceId: string): Promise<DatasourceRef[]> {
    return (await em.find(Datasource, { workspaceId }, { fields: ['id', 'name', 'type'] })).map((d) => ({
      id: d.id,
      name: d.name,
      type: d.type,
    }));
  }

  private box(): SecretBox {
    if (!this.secretBox) {
      throw new AppError(
        'SECRET_KEY_MISSING',
        'This task holds a secret, which cannot be stored: set SLUICE_SECRET_KEY (the same 32-byte key on every instance)',
      );
    }
    return this.secretBox;
  }
}

/** `orders_sync.conf` → `orders_sync`. */
export function taskNameOf(file: string): string {
  return (file.split(/[\\/]/).pop() ?? file).replace(/\.(conf|hocon|json)$/i, '').slice(0, 200);
}

/**
 * Replaces literal secret options (password = "…") with ${variable} placeholders and collects
 * their values, so secrets never sit in the stored config or an export.
 */
export function extractInlineSecrets(
  config: JobConfig,
  values: Record<string, string>,
): { block: string; option: string; variable: string }[] {
  const moved: { block: string; option: string; variable: string }[] = [];
  for (const key of ['source', 'transform', 'sink'] as const) {
    config[key].forEach((block, index) => {
      const walk = (options: ConfigObject, prefix: string) => {
        for (const [option, value] of Object.entries(options)) {
          if (isConfigObject(value)) walk(value, `${prefix}${option}_`);
          else if (
            SECRET_OPTION.test(option) &&
            (typeof value === 'string' || typeof value === 'number') &&
            String(value) !== ''
          ) {
            const variable = `${key}_${index + 1}_${prefix}${option}`.replace(/[^\w.-]/g, '_').toLowerCase();
            values[variable] = String(value);
            options[option] = { $substitution: variable };
            moved.push({ block: `${key} ${block.plugin}`, option, variable });
          }
        }
      };
      walk(block.options, '');
    });
  }
  return moved;
}

/** Declared variables, plus those the config uses (with their inline defaults), plus the moved secrets. */
function mergeVariables(declared: TaskVariable[], config: JobConfig, moved: { variable: string }[]): TaskVariable[] {
  const byName = new Map(declared.map((v) => [v.name, { ...v, secret: v.secret ?? false }]));
  for (const used of variablesOf(config)) {
    if (!byName.has(used.name))
      byName.set(used.name, { name: used.name, default: used.default ?? null, description: null, secret: false });
  }
  for (const { variable } of moved)
    byName.set(variable, {
      name: variable,
      default: null,
      description: 'Moved from the config on import',
      secret: true,
    });
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function checkHooks(hooks: Hook[], field: string, datasources: DatasourceRef[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  hooks.forEach((hook, i) => {
    const at = `${field}[${i}]`;
    if (hook.kind === HookKind.SQL) {
      if (!hook.sql?.trim()) problems.push({ field: `${at}.sql`, message: `${at}: an SQL hook needs sql` });
      const ds = datasources.find(
        (d) => d.id === hook.datasource || d.name.toLowerCase() === hook.datasource?.toLowerCase(),
      );
      if (!hook.datasource)
        problems.push({ field: `${at}.datasource`, message: `${at}: an SQL hook needs a datasource` });
      else if (!ds)
        problems.push({
          field: `${at}.datasource`,
          message: `${at}: there is no datasource "${hook.datasource}" in this workspace`,
        });
      else if (!['POSTGRESQL', 'MYSQL'].includes(ds.type))
        problems.push({
          field: `${at}.datasource`,
          message: `${at}: ${ds.type} datasource "${ds.name}" cannot run SQL`,
        });
    } else if (!hook.url) {
      problems.push({ field: `${at}.url`, message: `${at}: an HTTP hook needs a url` });
    }
  });
  return problems;
}

function normaliseTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))].sort();
}

/** JSON with object keys sorted: equal for equal content whatever order keys were stored in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
