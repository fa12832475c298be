import type { EntityManager } from '@mikro-orm/postgresql';
import { isUUID } from 'class-validator';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import type { Logger } from '../../logger.js';
import { Role, type Principal } from '../auth/index.js';
import { ACTIVE_STATUSES, Run, type RunService } from '../run/index.js';
import { Task, TaskVersion, type TaskService } from '../task/index.js';
import { publishBackfill, type BackfillDriver } from './backfill-driver.js';
import { Backfill, BackfillStatus, FINISHED_BACKFILL } from './backfill.entity.js';
import { formatInZone, occurrencesBetween } from './cron.js';
import { checkOccurrenceParams, occurrenceVariables } from './occurrence.js';
import { Schedule } from './schedule.entity.js';

/** At most this many occurrences (runs) in one backfill. */
export const MAX_BACKFILL_OCCURRENCES = 10_000;
export const MAX_BACKFILL_PARALLELISM = 32;

export interface StartBackfill {
  taskId: string;
  scheduleId?: string;
  from: Date;
  to: Date;
  parallelism?: number;
  params?: Record<string, string>;
}

export interface BackfillFilter {
  taskId?: string;
  status?: BackfillStatus[];
}

/**
 * Backfills: validated and created with all their runs in one transaction; pausing, resuming
 * and cancelling. Moving them along is the driver's (BackfillDriver).
 */
export class BackfillService {
  constructor(
    private readonly tasks: TaskService,
    private readonly runs: RunService,
    private readonly driver: BackfillDriver,
    private readonly bus: PgPubSub,
    private readonly logger: Logger,
  ) {}

  /** A backfill the caller may read (and has `minimum` in); NOT_FOUND for other workspaces'. */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<Backfill> {
    const backfill = isUUID(id) ? await em.findOne(Backfill, { id }) : null;
    if (!backfill || !principal.roleIn(backfill.workspaceId)) throw new NotFoundError('Backfill', id);
    principal.require(backfill.workspaceId, minimum);
    return backfill;
  }

  async list(
    em: EntityManager,
    principal: Principal,
    workspaceId: string,
    filter: BackfillFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: Backfill[]; total: number }> {
    principal.require(workspaceId, Role.VIEWER);
    const where: Record<string, unknown> = { workspaceId };
    if (filter.taskId) where.taskId = isUUID(filter.taskId) ? filter.taskId : { $in: [] };
    if (filter.status?.length) where.status = { $in: filter.status };
    const [items, total] = await em.findAndCount(Backfill, where, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  /**
   * Creates the backfill and a PENDING run for every occurrence of the schedule in [from, to]
   * (its cron and zone; its start and end dates do not limit a backfill), each with the
   * occurrence's scheduled_time and data_time, then releases the first `parallelism` of them.
   * Running tasks is an OPERATOR's action.
   */
  async start(em: EntityManager, principal: Principal, input: StartBackfill): Promise<Backfill> {
    const task = await this.tasks.get(em, principal, input.taskId, Role.OPERATOR);
    const schedule = await this.scheduleOf(em, task, input.scheduleId);
    const parallelism = input.parallelism ?? 1;
    if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > MAX_BACKFILL_PARALLELISM) {
      throw new UserInputError(`parallelism must be between 1 and ${MAX_BACKFILL_PARALLELISM}`, {
        field: 'parallelism',
      });
    }
    const { from, to } = input;
    if (to.getTime() <= from.getTime()) {
      throw new UserInputError('to must be after from', { field: 'to' });
    }
    const now = new Date();
    if (to.getTime() > now.getTime()) {
      throw new UserInputError(
        `to (${to.toISOString()}) is in the future: a backfill runs past occurrences; end the range at or before now`,
        { field: 'to' },
      );
    }
    const spec = { cron: schedule.cron, timezone: schedule.timezone };
    // (from - 1 ms, to]: the range is inclusive at both ends.
    const found = occurrencesBetween(spec, new Date(from.getTime() - 1), to, MAX_BACKFILL_OCCURRENCES);
    const range = `between ${formatInZone(from, schedule.timezone, 'iso')} and ${formatInZone(to, schedule.timezone, 'iso')}`;
    if (found.truncated) {
      throw new UserInputError(
        `from/to: "${schedule.cron}" in ${schedule.timezone} has more than ${MAX_BACKFILL_OCCURRENCES} occurrences ${range}; backfill a shorter range`,
        { field: 'from' },
      );
    }
    if (found.times.length === 0) {
      throw new UserInputError(`from/to: "${schedule.cron}" in ${schedule.timezone} has no occurrence ${range}`, {
        field: 'from',
      });
    }
    const params = checkOccurrenceParams(task, input.params ?? schedule.params, 'backfill');
    const version = await em.findOneOrFail(TaskVersion, { task: task.id, number: task.version });
    const declared = new Set(version.content.variables.map((v) => v.name));

    const backfill = await em.transactional(async (tx) => {
      const created = tx.create(Backfill, {
        workspaceId: task.workspaceId,
        taskId: task.id,
        scheduleId: schedule.id,
        cron: schedule.cron,
        timezone: schedule.timezone,
        from,
        to,
        parallelism,
        params,
        total: found.times.length,
        createdById: principal.user.id,
      });
      await tx.flush();
      await this.runs.createPending(tx, {
        task,
        version,
        backfillId: created.id,
        triggeredById: principal.user.id,
        triggeredByLabel: `backfill by ${principal.label}`,
        occurrences: found.times.map((time) => ({
          scheduledTime: time,
          params: { ...params, ...occurrenceVariables(time, schedule.timezone, declared, version.content.runPolicy) },
        })),
      });
      return created;
    });
    this.logger.info(
      { backfillId: backfill.id, taskId: task.id, scheduleId: schedule.id, total: backfill.total, parallelism },
      'backfill started',
    );
    await publishBackfill(this.bus, backfill);
    await this.driver.kick(backfill.id);
    return this.reloaded(em, backfill.id);
  }

  /** No further run is queued; those active finish. A paused backfill stays paused. */
  async pause(em: EntityManager, principal: Principal, id: string): Promise<Backfill> {
    await this.get(em, principal, id, Role.OPERATOR);
    await this.transition(em, id, [BackfillStatus.RUNNING], BackfillStatus.PAUSED);
    return this.reloaded(em, id);
  }

  /** Queues runs again, from the earliest occurrence left. */
  async resume(em: EntityManager, principal: Principal, id: string): Promise<Backfill> {
    await this.get(em, principal, id, Role.OPERATOR);
    await this.transition(em, id, [BackfillStatus.PAUSED], BackfillStatus.RUNNING);
    await this.driver.kick(id);
    return this.reloaded(em, id);
  }

  /**
   * Its PENDING runs are cancelled at once, its active ones as any run is (a queued one at once,
   * a running one stopped); the backfill is CANCELLED.
   */
  async cancel(em: EntityManager, principal: Principal, id: string): Promise<Backfill> {
    await this.get(em, principal, id, Role.OPERATOR);
    const active = await em.fork().transactional(async (tx) => {
      const locked = await this.lock(tx, id);
      if (FINISHED_BACKFILL.includes(locked.status)) throw finishedError(locked);
      await tx.execute(
        "UPDATE backfill SET status = 'CANCELLED', finished_at = now(), updated_at = now() WHERE id = ?",
        [id],
      );
      await this.runs.cancelPending(tx, id, `its backfill was cancelled by ${principal.label} before the run started`);
      return tx.find(Run, { backfillId: id, status: { $in: [...ACTIVE_STATUSES] } }, { fields: ['id'] });
    });
    for (const run of active) {
      try {
        await this.runs.cancel(em.fork(), principal, run.id);
      } catch (err) {
        // Finished meanwhile: nothing to cancel.
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      }
    }
    const backfill = await this.reloaded(em, id);
    await publishBackfill(this.bus, backfill);
    return backfill;
  }

  private async transition(em: EntityManager, id: string, from: BackfillStatus[], to: BackfillStatus): Promise<void> {
    const changed = await em.fork().transactional(async (tx) => {
      const locked = await this.lock(tx, id);
      if (locked.status === to) return false;
      if (!from.includes(locked.status)) throw finishedError(locked);
      await tx.execute('UPDATE backfill SET status = ?, updated_at = now() WHERE id = ?', [to, id]);
      return true;
    });
    if (changed) {
      const backfill = await em.fork().findOneOrFail(Backfill, { id });
      await publishBackfill(this.bus, backfill);
    }
  }

  private async lock(tx: EntityManager, id: string): Promise<Pick<Backfill, 'id' | 'status'>> {
    const [row] = await tx.execute<{ id: string; status: BackfillStatus }[]>(
      'SELECT id, status FROM backfill WHERE id = ? FOR UPDATE',
      [id],
    );
    if (!row) throw new NotFoundError('Backfill', id);
    return row;
  }

  private reloaded(em: EntityManager, id: string): Promise<Backfill> {
    return em.fork().findOneOrFail(Backfill, { id });
  }

  /** The given schedule of the task, or its only one; BAD_USER_INPUT naming scheduleId otherwise. */
  private async scheduleOf(em: EntityManager, task: Task, scheduleId: string | undefined): Promise<Schedule> {
    if (scheduleId !== undefined) {
      const schedule = isUUID(scheduleId) ? await em.findOne(Schedule, { id: scheduleId }) : null;
      if (!schedule || schedule.taskId !== task.id) {
        throw new UserInputError(`scheduleId: ${scheduleId} is not a schedule of task "${task.name}"`, {
          field: 'scheduleId',
        });
      }
      return schedule;
    }
    const schedules = await em.find(Schedule, { taskId: task.id }, { orderBy: { name: 'asc' } });
    if (schedules.length === 1) return schedules[0]!;
    throw new UserInputError(
      schedules.length === 0
        ? `scheduleId: task "${task.name}" has no schedule; a backfill runs the past occurrences of one of its schedules`
        : `scheduleId: task "${task.name}" has ${schedules.length} schedules (${schedules.map((s) => s.name).join(', ')}); say which`,
      { field: 'scheduleId' },
    );
  }
}

function finishedError(backfill: Pick<Backfill, 'id' | 'status'>): AppError {
  return new AppError('CONFLICT', `Backfill ${backfill.id} has finished (${backfill.status})`, {
    status: backfill.status,
  });
}
