import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { isUUID } from 'class-validator';
import { escapeLike } from '../../database/sql.js';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type RunCancelRequestedEvent, type RunUpdatedEvent } from '../../events/topics.js';
import type { SealedColumn } from '../../secrets/reseal.js';
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
  trigger?: RunTrigger[];
  /** On queuedAt, which is the creation time (indexed with the workspace; `create` sets both alike). */
  createdAfter?: Date;
  createdBefore?: Date;
  /** Text the task's name contains, case-insensitively. */
  search?: string;
  /** The runs of one backfill (every attempt). */
  backfillId?: string;
}

/** A backfill's occurrence: the run waits PENDING until its backfill releases it. */
export interface BackfillOccurrence {
  backfillId: string;
  scheduledTime: Date;
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

/** Where runs' secret parameters are sealed, for `sluice rotate-secret-key`. */
export const RUN_SEALED_PARAMS: SealedColumn = {
  label: 'run secret parameter set',
  table: 'run',
  column: 'sealed_params',
  context: sealContext,
};

/** What subscribers of RUN_UPDATED hear of a run. */
const runEvent = (run: Run): RunUpdatedEvent => ({
  runId: run.id,
  taskId: run.taskId,
  workspaceId: run.workspaceId,
  status: run.status,
  ...(run.backfillId ? { backfillId: run.backfillId } : {}),
});

/** A schedule's occurrence to run (see `RunService.createOccurrences`). */
export interface OccurrenceSpec {
  task: Task;
  version: TaskVersion;
  params: Record<string, string>;
  triggeredById: null;
  triggeredByLabel: string;
  occurrence: { scheduleId: string; scheduledTime: Date };
}

/** A schedule's occurrence already has its run (another instance, or Agenda again, fired it). */
export class DuplicateOccurrenceError extends AppError {
  constructor(scheduleId: string, scheduledTime: Date) {
    super('CONFLICT', `The occurrence ${scheduledTime.toISOString()} of schedule ${scheduleId} already has its run`, {
      scheduleId,
      scheduledTime: scheduledTime.toISOString(),
    });
  }
}

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
    /** Newest first (queuedAt), or a backfill's order: by occurrence, then attempt. */
    order: 'newest' | 'occurrence' = 'newest',
  ): Promise<{ items: Run[]; total: number }> {
    const where: Record<string, unknown> = {};
    let workspaces: string | { $in: string[] } | undefined;
    if (filter.workspaceId) {
      principal.require(filter.workspaceId, Role.VIEWER);
      workspaces = filter.workspaceId;
    } else {
      const visible = principal.visibleWorkspaceIds();
      if (visible !== 'ALL') workspaces = { $in: visible };
    }
    if (workspaces) where.workspaceId = workspaces;
    if (filter.taskId) where.taskId = filter.taskId;
    if (filter.backfillId) where.backfillId = filter.backfillId;
    if (filter.status?.length) where.status = { $in: filter.status };
    if (filter.firstAttemptsOnly) where.firstRunId = null;
    if (filter.trigger?.length) where.trigger = { $in: filter.trigger };
    if (filter.createdAfter || filter.createdBefore) {
      where.queuedAt = {
        ...(filter.createdAfter ? { $gte: filter.createdAfter } : {}),
        ...(filter.createdBefore ? { $lt: filter.createdBefore } : {}),
      };
    }
    if (filter.search) {
      // The tasks of the same workspaces first (a workspace has hundreds, not millions), then their runs.
      const byName: FilterQuery<Task> = { name: { $ilike: `%${escapeLike(filter.search)}%` } };
      if (workspaces) byName.workspaceId = workspaces;
      const tasks = await em.find(Task, byName, { fields: ['id'] });
      const ids = tasks.map((t) => t.id);
      if (filter.taskId && !ids.includes(filter.taskId)) return { items: [], total: 0 };
      where.taskId = filter.taskId ?? { $in: ids };
    }
    const [items, total] = await em.findAndCount(Run, where, {
      orderBy:
        order === 'occurrence' ? { scheduledTime: 'asc', attempt: 'asc', id: 'asc' } : { queuedAt: 'desc', id: 'desc' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  /**
   * The newest run (any attempt, by queuedAt as in `list`) of each task, in one query: an index
   * probe per task on run (task_id, queued_at DESC), however many runs a task has.
   */
  async latestByTask(em: EntityManager, taskIds: string[]): Promise<Map<string, Run>> {
    const ids = taskIds.filter((id) => isUUID(id));
    if (ids.length === 0) return new Map();
    const columns = em
      .getMetadata(Run)
      .props.filter((p) => !p.lazy && p.fieldNames?.length)
      .flatMap((p) => p.fieldNames.map((f) => `r.${f}`));
    const rows = await em.getConnection().execute<Record<string, unknown>[]>(
      `SELECT ${columns.join(', ')}
         FROM unnest(ARRAY[${ids.map(() => '?').join(', ')}]::uuid[]) AS t(id)
         CROSS JOIN LATERAL (
           SELECT * FROM run WHERE run.task_id = t.id ORDER BY run.queued_at DESC, run.id DESC LIMIT 1
         ) r`,
      ids,
    );
    const runs = rows.map((row) => em.map(Run, row));
    return new Map(runs.map((run) => [run.taskId, run]));
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
      // The same occurrence: it waits PENDING for its backfill's turn like the first attempt did.
      backfill:
        failed.backfillId && failed.scheduledTime
          ? { backfillId: failed.backfillId, scheduledTime: failed.scheduledTime }
          : undefined,
    });
  }

  /**
   * Stores a QUEUED run and queues it (a backfill's: PENDING, queued when the backfill releases
   * it). Parameters are checked against the version's variables; SKIP_IF_RUNNING refuses a run
   * while another of the task is active (not a backfill's: its parallelism governs).
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
      /** A schedule's occurrence: at most one first attempt each (a unique index), else DuplicateOccurrenceError. */
      occurrence?: { scheduleId: string; scheduledTime: Date };
      backfill?: BackfillOccurrence;
    },
  ): Promise<Run> {
    const { task, version } = spec;
    const content = version.content;
    await this.checkParams(em, task, version, spec.params);

    // Built, not em.create()d: the policy check below must not see (and flush) this run.
    const run = this.build(task, version, spec);
    const skipPolicy = spec.skipPolicy || !!spec.backfill;
    const insert = em.transactional(async (tx) => {
      if (!skipPolicy && content.runPolicy.concurrency === ConcurrencyPolicy.SKIP_IF_RUNNING) {
        // tx.execute, not tx.getConnection().execute: only the former runs inside the transaction.
        await tx.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`sluice-run-task:${task.id}`]);
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
    try {
      await insert;
    } catch (err) {
      if (spec.occurrence && err instanceof UniqueConstraintViolationException)
        throw new DuplicateOccurrenceError(spec.occurrence.scheduleId, spec.occurrence.scheduledTime);
      throw err;
    }
    await this.publish(run);
    if (run.status === RunStatus.QUEUED) await this.queue.enqueue(run.id, run.notBefore ?? undefined);
    return run;
  }

  /**
   * Schedule occurrences fired together: each checked as `create` checks it, the valid ones
   * inserted in one transaction (in batches), then their events in one statement and their
   * dispatch jobs side by side. No concurrency policy is applied: a SKIP_IF_RUNNING task's
   * occurrences go through `create`. Should one occurrence already have its run (another
   * instance fired it: the unique index refuses the batch), they are created one by one through
   * `create`, which reports each duplicate. One result per spec, in order: its run or its error.
   */
  async createOccurrences(em: EntityManager, specs: OccurrenceSpec[]): Promise<({ run: Run } | { error: unknown })[]> {
    const results: ({ run: Run } | { error: unknown })[] = [];
    const runs: Run[] = [];
    for (const spec of specs) {
      try {
        await this.checkParams(em, spec.task, spec.version, spec.params);
        const run = this.build(spec.task, spec.version, { ...spec, trigger: RunTrigger.SCHEDULE });
        runs.push(run);
        results.push({ run });
      } catch (error) {
        results.push({ error });
      }
    }
    if (runs.length === 0) return results;
    try {
      await em.transactional(async (tx) => {
        for (let i = 0; i < runs.length; i += 500) await tx.insertMany(runs.slice(i, i + 500));
      });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      return Promise.all(
        specs.map(async (spec, i) => {
          const built = results[i]!;
          if ('error' in built) return built;
          try {
            return { run: await this.create(em.fork(), { ...spec, trigger: RunTrigger.SCHEDULE, skipPolicy: true }) };
          } catch (error) {
            return { error };
          }
        }),
      );
    }
    await this.bus.publishMany(Topic.RUN_UPDATED, runs.map(runEvent));
    await Promise.all(runs.map((run) => this.queue.enqueue(run.id, run.notBefore ?? undefined)));
    return results;
  }

  /**
   * A backfill's first attempts, PENDING, one per occurrence, in the caller's transaction (with
   * the backfill's row): parameters are checked once (every occurrence has the same names), rows
   * inserted in batches. No event per run: the backfill announces itself.
   */
  async createPending(
    tx: EntityManager,
    spec: {
      task: Task;
      version: TaskVersion;
      backfillId: string;
      triggeredById: string | null;
      triggeredByLabel: string;
      occurrences: { scheduledTime: Date; params: Record<string, string> }[];
    },
  ): Promise<number> {
    const { task, version } = spec;
    const first = spec.occurrences[0];
    if (!first) return 0;
    await this.checkParams(tx, task, version, first.params);
    const runs = spec.occurrences.map((o) =>
      this.build(task, version, {
        params: o.params,
        trigger: RunTrigger.BACKFILL,
        triggeredById: spec.triggeredById,
        triggeredByLabel: spec.triggeredByLabel,
        backfill: { backfillId: spec.backfillId, scheduledTime: o.scheduledTime },
      }),
    );
    // Batches: PostgreSQL takes at most 65535 parameters a statement (a run has about 30 columns).
    for (let i = 0; i < runs.length; i += 500) await tx.insertMany(runs.slice(i, i + 500));
    return runs.length;
  }

  /**
   * PENDING → QUEUED for up to `limit` of a backfill's runs, earliest occurrence (then attempt)
   * first, in the caller's transaction (which holds the backfill's row lock). Call `dispatch`
   * with the ids once it committed.
   */
  async releasePending(tx: EntityManager, backfillId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await tx.execute<{ id: string }[]>(
      // A CTE, evaluated once: as an IN (subquery) the planner may rescan it per row, and each
      // rescan's FOR UPDATE finds the next PENDING row (the previous one is QUEUED by then).
      `WITH next AS MATERIALIZED (
         SELECT id FROM run WHERE backfill_id = ? AND status = 'PENDING'
          ORDER BY scheduled_time, attempt LIMIT ? FOR UPDATE SKIP LOCKED
       )
       UPDATE run SET status = 'QUEUED', queued_at = clock_timestamp(), updated_at = now()
         FROM next WHERE run.id = next.id
       RETURNING run.id`,
      [backfillId, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Queues released runs through the normal path (a retry after its backoff) and tells
   * subscribers. Should this instance die first, the executor's reaper queues them (QUEUED
   * without a dispatch job).
   */
  async dispatch(em: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const runs = await em.fork().find(Run, { id: { $in: ids } }, { orderBy: { scheduledTime: 'asc', attempt: 'asc' } });
    for (const run of runs) {
      if (run.status !== RunStatus.QUEUED) continue;
      await this.queue.enqueue(run.id, run.notBefore ?? undefined);
      await this.publish(run);
    }
  }

  /** PENDING runs of a backfill → CANCELLED at once (it was cancelled); how many. */
  async cancelPending(tx: EntityManager, backfillId: string, reason: string): Promise<number> {
    const rows = await tx.execute<{ id: string }[]>(
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), cancel_requested_at = now(), error_code = 'CANCELLED',
         error_message = ?, updated_at = now()
       WHERE backfill_id = ? AND status = 'PENDING' RETURNING id`,
      [reason, backfillId],
    );
    return rows.length;
  }

  /** Unknown names, non-strings and missing required values: BAD_USER_INPUT naming `params`. */
  private async checkParams(
    em: EntityManager,
    task: Task,
    version: TaskVersion,
    params: Record<string, string>,
  ): Promise<void> {
    const content = version.content;
    const declared = new Map(content.variables.map((v) => [v.name, v]));
    const unknown = Object.keys(params).filter((name) => !declared.has(name));
    if (unknown.length) {
      throw new UserInputError(
        `params: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a variable' : 'are not variables'} of task "${task.name}" (its variables: ${[...declared.keys()].join(', ') || 'none'})`,
        { field: 'params' },
      );
    }
    for (const [name, value] of Object.entries(params)) {
      if (typeof value !== 'string')
        throw new UserInputError(`params: "${name}" must be a string`, { field: 'params' });
      if (value.length > 100_000) throw new UserInputError(`params: "${name}" is longer than 100000 characters`);
    }
    const taskSecrets = await this.tasks.secretValues(em, task);
    const values = this.valuesOf(content, taskSecrets, params);
    const missing = variablesOf(content.config)
      .filter((v) => !v.optional && values[v.name] === undefined)
      .map((v) => v.name);
    if (missing.length) {
      throw new UserInputError(
        `params: no value for ${missing.map((n) => `\${${n}}`).join(', ')}: give ${missing.length === 1 ? 'it' : 'them'} in params or as the variable's default`,
        { field: 'params' },
      );
    }
  }

  /** A new run (not persisted), its secret parameters sealed. */
  private build(
    task: Task,
    version: TaskVersion,
    spec: {
      params: Record<string, string>;
      trigger: RunTrigger;
      triggeredById: string | null;
      triggeredByLabel: string;
      firstRunId?: string;
      attempt?: number;
      notBefore?: Date;
      occurrence?: { scheduleId: string; scheduledTime: Date };
      backfill?: BackfillOccurrence;
    },
  ): Run {
    const declared = new Map(version.content.variables.map((v) => [v.name, v]));
    const now = new Date();
    const run = Object.assign(new Run(), {
      // One instant: the list filters "created" runs on the indexed queuedAt.
      queuedAt: now,
      createdAt: now,
      updatedAt: now,
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
      scheduleId: spec.occurrence?.scheduleId ?? null,
      scheduledTime: spec.occurrence?.scheduledTime ?? spec.backfill?.scheduledTime ?? null,
      backfillId: spec.backfill?.backfillId ?? null,
      status: spec.backfill ? RunStatus.PENDING : RunStatus.QUEUED,
    });
    const plain: Record<string, string> = {};
    const secret: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.params)) {
      if (declared.get(name)?.secret) secret[name] = value;
      else plain[name] = value;
    }
    run.params = plain;
    if (Object.keys(secret).length) run.sealedParams = this.box().seal(JSON.stringify(secret), sealContext(run.id));
    return run;
  }

  /**
   * QUEUED or PENDING: cancelled at once. RUNNING: CANCELLING, and the executing instance is told to stop
   * (graceful, then forced). Already finished: a CONFLICT.
   */
  async cancel(em: EntityManager, principal: Principal, id: string): Promise<Run> {
    const found = await this.get(em, principal, id);
    principal.require(found.workspaceId, Role.OPERATOR);
    const conn = em.getConnection();
    const queued = await conn.execute<{ id: string }[]>(
      `UPDATE run SET status = 'CANCELLED', finished_at = now(), cancel_requested_at = now(), error_code = 'CANCELLED',
         error_message = ?, updated_at = now() WHERE id = ? AND status IN ('QUEUED', 'PENDING') RETURNING id`,
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
    await this.bus.publish(Topic.RUN_UPDATED, runEvent(run));
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
