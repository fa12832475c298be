import type { EntityManager } from '@mikro-orm/postgresql';
import { isUUID } from 'class-validator';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type RunCancelRequestedEvent, type RunUpdatedEvent } from '../../events/topics.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { Role, type Principal } from '../auth/index.js';
import { variablesOf } from '../job-config/index.js';
import { ConcurrencyPolicy, Task, TaskVersion, type TaskContent, type TaskService } from '../task/index.js';
import { Run } from './run.entity.js';
import { ACTIVE_STATUSES, RunStatus, RunTrigger, TERMINAL_STATUSES } from './run.enums.js';

/** What the service needs of the dispatcher (Agenda): queue a run to be claimed by some instance. */
export interface RunQueue {
  enqueue(runId: string, at?: Date): Promise<void>;
}

export interface StartRunInput {
  taskId: string;
  /** Values for the task's variables (secret ones included; they are sealed). */
  params?: Record<string, string>;
}

export interface RunFilter {
  workspaceId?: string;
  taskId?: string;
  status?: RunStatus[];
  /** Only first attempts (retries are reached through `attempts`). */
  firstAttemptsOnly?: boolean;
}

/** Everything a run needs to execute, secrets included: only for the executing process. */
export interface RunInputs {
  content: TaskContent;
  /** Every variable's value: defaults, the task's secret values, the run's parameters. */
  values: Record<string, string>;
  /** Values that must never be shown (secret variables). */
  secretValues: string[];
}

const sealContext = (runId: string) => `run:${runId}`;

/** Runs: starting (validated, sealed, queued), cancelling, rerunning, reading. Execution is RunExecutor's. */
export class RunService {
  constructor(
    private readonly tasks: TaskService,
    private readonly secretBox: SecretBox | undefined,
    private readonly bus: PgPubSub,
    private readonly queue: RunQueue,
  ) {}

  async get(em: EntityManager, principal: Principal, id: string): Promise<Run> {
    const run = isUUID(id) ? await em.findOne(Run, { id }) : null;
    if (!run || !principal.roleIn(run.workspaceId)) throw new NotFoundError('Run', id);
    return run;
  }

  async list(
    em: EntityManager,
    principal: Principal,
    filter: RunFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: Run[]; total: number }> {
    const where: Record<string, unknown> = {};
    if (filter.workspaceId) {
      principal.require(filter.workspaceId, Role.VIEWER);
      where.workspaceId = filter.workspaceId;
    } else {
      const visible = principal.visibleWorkspaceIds();
      if (visible !== 'ALL') where.workspaceId = { $in: visible };
    }
    if (filter.taskId) where.taskId = filter.taskId;
    if (filter.status?.length) where.status = { $in: filter.status };
    if (filter.firstAttemptsOnly) where.firstRunId = null;
    const [items, total] = await em.findAndCount(Run, where, {
      orderBy: { queuedAt: 'desc', id: 'desc' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  /** Every attempt of the run's chain (the first and its retries), in order. */
  attempts(em: EntityManager, run: Run): Promise<Run[]> {
    const first = run.firstRunId ?? run.id;
    return em.find(Run, { $or: [{ id: first }, { firstRunId: first }] }, { orderBy: { attempt: 'asc' } });
  }

  async start(em: EntityManager, principal: Principal, input: StartRunInput): Promise<Run> {
    const task = await this.tasks.get(em, principal, input.taskId, Role.OPERATOR);
    const version = await em.findOneOrFail(TaskVersion, { task: task.id, number: task.version });
    return this.create(em, {
      task,
      version,
      params: input.params ?? {},
      trigger: principal.isApiToken ? RunTrigger.API : RunTrigger.MANUAL,
      triggeredById: principal.user.id,
      triggeredByLabel: principal.label,
    });
  }

  async rerun(em: EntityManager, principal: Principal, id: string): Promise<Run> {
    const previous = await this.get(em, principal, id);
    principal.require(previous.workspaceId, Role.OPERATOR);
    const task = await em.findOneOrFail(Task, { id: previous.taskId });
    const version = await em.findOneOrFail(TaskVersion, { id: previous.taskVersionId });
    return this.create(em, {
      task,
      version,
      params: { ...previous.params, ...(await this.sealedParamsOf(em, previous)) },
      trigger: principal.isApiToken ? RunTrigger.API : RunTrigger.MANUAL,
      triggeredById: principal.user.id,
      triggeredByLabel: principal.label,
    });
  }

  /** The next attempt of a failed run, due after the backoff. */
  async retry(em: EntityManager, failed: Run, notBefore: Date): Promise<Run> {
    const task = await em.findOneOrFail(Task, { id: failed.taskId });
    const version = await em.findOneOrFail(TaskVersion, { id: failed.taskVersionId });
    return this.create(em, {
      task,
      version,
      params: { ...failed.params, ...(await this.sealedParamsOf(em, failed)) },
      trigger: RunTrigger.RETRY,
      triggeredById: null,
      triggeredByLabel: `retry of attempt ${failed.attempt}`,
      firstRunId: failed.firstRunId ?? failed.id,
      attempt: failed.attempt + 1,
      notBefore,
      skipPolicy: true,
    });
  }

  /**
   * Stores a QUEUED run and queues it. Parameters are checked against the version's variables;
   * SKIP_IF_RUNNING refuses a run while another of the task is active.
   */
  async create(
    em: EntityManager,
    spec: {
      task: Task;
      version: TaskVersion;
      params: Record<string, string>;
      trigger: RunTrigger;
      triggeredById: string | null;
      triggeredByLabel: string;
      firstRunId?: string;
      attempt?: number;
      notBefore?: Date;
      skipPolicy?: boolean;
    },
  ): Promise<Run> {
    const { task, version } = spec;
    const content = version.content;
    const declared = new Map(content.variables.map((v) => [v.name, v]));
    const unknown = Object.keys(spec.params).filter((name) => !declared.has(name));
    if (unknown.length) {
      throw new UserInputError(
        `params: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a variable' : 'are not variables'} of task "${task.name}" (its variables: ${[...declared.keys()].join(', ') || 'none'})`,
        { field: 'params' },
      );
    }
    for (const [name, value] of Object.entries(spec.params)) {
      if (typeof value !== 'string')
        throw new UserInputError(`params: "${name}" must be a string`, { field: 'params' });
      if (value.length > 100_000) throw new UserInputError(`params: "${name}" is longer than 100000 characters`);
    }
    const taskSecrets = await this.tasks.secretValues(em, task);
    const values = this.valuesOf(content, taskSecrets, spec.params);
    const missing = variablesOf(content.config)
      .filter((v) => !v.optional && values[v.name] === undefined)
      .map((v) => v.name);
    if (missing.length) {
      throw new UserInputError(
        `params: no value for ${missing.map((n) => `\${${n}}`).join(', ')}: give ${missing.length === 1 ? 'it' : 'them'} in params or as the variable's default`,
        { field: 'params' },
      );
    }

    // Built, not em.create()d: the policy check below must not see (and flush) this run.
    const run = Object.assign(new Run(), {
      workspaceId: task.workspaceId,
      taskId: task.id,
      taskVersionId: version.id,
      versionNumber: version.number,
      trigger: spec.trigger,
      triggeredById: spec.triggeredById,
      triggeredByLabel: spec.triggeredByLabel.slice(0, 200),
      firstRunId: spec.firstRunId ?? null,
      attempt: spec.attempt ?? 1,
      notBefore: spec.notBefore ?? null,
      status: RunStatus.QUEUED,
    });
    const plain: Record<string, string> = {};
    const secret: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.params)) {
      if (declared.get(name)?.secret) secret[name] = value;
      else plain[name] = value;
    }
    run.params = plain;
    if (Object.keys(secret).length) run.sealedParams = this.box().seal(JSON.stringify(secret), sealContext(run.id));

    await em.transactional(async (tx) => {
      if (!spec.skipPolicy && content.runPolicy.concurrency === ConcurrencyPolicy.SKIP_IF_RUNNING) {
        await tx.getConnection().execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`sluice-run-task:${task.id}`]);
        const active = await tx.findOne(Run, { taskId: task.id, status: { $in: [...ACTIVE_STATUSES] } });
        if (active) {
          throw new AppError(
            'CONFLICT',
            `Task "${task.name}" skips a run while another is active (run ${active.id} is ${active.status}); its concurrency policy is SKIP_IF_RUNNING`,
            { runId: active.id },
          );
        }
      }
      tx.persist(run);
    });
    await this.publish(run);
    await this.queue.enqueue(run.id, run.notBefore ?? undefined);
    return run;
  }

  /**
   * QUEUED: cancelled at once. RUNNING: CANCELLING, and the executing instance is told to stop
   * (graceful, then forced). Already finished: a CONFLICT.
   */
  async cancel(em: EntityManager, principal: Principal, id: string): Promise<Run> {
    const found = await this.get(em, principal, id);
    principal.require(found.workspaceId, Role.OPERATOR);
    const conn = em.getConnection();
    const queued = await conn.execute<{ id: string }[]>(
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), cancel_requested_at = now(), error_code = 'CANCELLED',
         error_message = ?, updated_at = now() WHERE id = ? AND status = 'QUEUED' RETURNING id`,
      [`cancelled by ${principal.label} before it started`, id],
    );
    if (queued.length === 0) {
      const running = await conn.execute<{ id: string; instance_id: string | null }[]>(
        `UPDATE run SET status = 'CANCELLING', cancel_requested_at = now(), updated_at = now()
         WHERE id = ? AND status IN ('RUNNING', 'CANCELLING') RETURNING id, instance_id`,
        [id],
      );
      if (running.length === 0) {
        await em.refresh(found);
        if ((TERMINAL_STATUSES as string[]).includes(found.status)) {
          throw new AppError('CONFLICT', `Run ${id} has already finished (${found.status})`, { status: found.status });
        }
      } else {
        const event: RunCancelRequestedEvent = { runId: id, instanceId: running[0]!.instance_id };
        await this.bus.publish(Topic.RUN_CANCEL_REQUESTED, event);
      }
    }
    const run = await em.fork().findOneOrFail(Run, { id });
    await this.publish(run);
    return run;
  }

  /** The inputs a run executes with (secrets included): for the executing instance only. */
  async inputsOf(em: EntityManager, run: Run): Promise<RunInputs> {
    const version = await em.findOneOrFail(TaskVersion, { id: run.taskVersionId });
    const task = await em.findOneOrFail(Task, { id: run.taskId });
    const taskSecrets = await this.tasks.secretValues(em, task);
    const sealed = await this.sealedParamsOf(em, run);
    const values = this.valuesOf(version.content, taskSecrets, { ...run.params, ...sealed });
    const secretNames = new Set(version.content.variables.filter((v) => v.secret).map((v) => v.name));
    const secretValues = Object.entries(values)
      .filter(([name]) => secretNames.has(name))
      .map(([, value]) => value);
    return { content: version.content, values, secretValues };
  }

  async publish(run: Run): Promise<void> {
    const event: RunUpdatedEvent = {
      runId: run.id,
      taskId: run.taskId,
      workspaceId: run.workspaceId,
      status: run.status,
    };
    await this.bus.publish(Topic.RUN_UPDATED, event);
  }

  private valuesOf(
    content: TaskContent,
    taskSecrets: Record<string, string>,
    params: Record<string, string>,
  ): Record<string, string> {
    const values: Record<string, string> = {};
    for (const variable of content.variables) {
      const value = variable.secret ? taskSecrets[variable.name] : variable.default;
      if (value !== undefined && value !== null) values[variable.name] = value;
    }
    return { ...values, ...params };
  }

  private async sealedParamsOf(em: EntityManager, run: Run): Promise<Record<string, string>> {
    if (run.sealedParams === undefined) await em.populate(run, ['sealedParams']);
    if (!run.sealedParams) return {};
    return JSON.parse(this.box().open(run.sealedParams, sealContext(run.id))) as Record<string, string>;
  }

  private box(): SecretBox {
    if (!this.secretBox) {
      throw new AppError('SECRET_KEY_MISSING', 'Secret parameters need SLUICE_SECRET_KEY on this instance');
    }
    return this.secretBox;
  }
}
