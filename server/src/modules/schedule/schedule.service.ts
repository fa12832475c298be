import type { EntityManager } from '@mikro-orm/postgresql';
import { isUUID } from 'class-validator';
import DataLoader from 'dataloader';
import { AppError, NotFoundError, UserInputError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { Role, type Principal } from '../auth/index.js';
import {
  DuplicateOccurrenceError,
  RunTrigger,
  type OccurrenceSpec,
  type RunService,
  type ScheduleJobSpec,
  type ScheduleJobState,
} from '../run/index.js';
import { ConcurrencyPolicy, Task, TaskVersion, type TaskService } from '../task/index.js';
import { nextFireTimes, normalizeCron, validateCron } from './cron.js';
import { checkOccurrenceParams, dueOccurrences, occurrenceVariables } from './occurrence.js';
import { MisfirePolicy, Schedule } from './schedule.entity.js';

/** What the service needs of Agenda: one repeating job per enabled schedule (RunDispatcher). */
export interface ScheduleJobs {
  saveScheduleJob(spec: ScheduleJobSpec): Promise<void>;
  removeScheduleJob(scheduleId: string): Promise<number>;
  scheduleJobs(): Promise<ScheduleJobState[]>;
  removeJob(jobId: string): Promise<void>;
}

export interface SaveScheduleInput {
  name?: string;
  cron?: string;
  timezone?: string;
  startAt?: Date | null;
  endAt?: Date | null;
  enabled?: boolean;
  params?: Record<string, string>;
  misfirePolicy?: MisfirePolicy;
  misfireCap?: number;
  catchUpWindowSeconds?: number | null;
}

const RECONCILE_LOCK = 'sluice-schedule-reconciler';
/** Fires requested within this long of the first one are handled together... */
const FIRE_BATCH_WINDOW_MS = 20;
/** ...up to this many. */
const FIRE_BATCH_MAX = 250;

/** A schedule's job that came due on this instance, and when Agenda started it. */
export interface DueFire {
  scheduleId: string;
  firedAt: Date;
}
/** With a schedule's id, the advisory lock its Agenda job is written under. */
const JOB_LOCK = 'sluice-schedule-job';

const specOf = (s: Pick<Schedule, 'cron' | 'timezone' | 'startAt' | 'endAt'>) => ({
  cron: s.cron,
  timezone: s.timezone,
  startAt: s.startAt ?? undefined,
  endAt: s.endAt ?? undefined,
});

/**
 * Schedules: their rows and their Agenda jobs kept in step (each operation changes both; the
 * reconciler repairs drift), previews, and firing occurrences into runs, once each.
 */
export class ScheduleService {
  private reconcileTimer: NodeJS.Timeout | undefined;
  private readonly versions = new Map<string, TaskVersion>();
  private fires: DataLoader<DueFire, void, DueFire> | undefined;

  constructor(
    private readonly tasks: TaskService,
    private readonly runs: RunService,
    private readonly jobs: ScheduleJobs,
    private readonly logger: Logger,
    private readonly options: { misfireThresholdMs: number } = { misfireThresholdMs: 60_000 },
  ) {}

  async list(em: EntityManager, principal: Principal, workspaceId: string, taskId?: string): Promise<Schedule[]> {
    principal.require(workspaceId, Role.VIEWER);
    return em.find(Schedule, { workspaceId, ...(taskId ? { taskId } : {}) }, { orderBy: { name: 'asc', id: 'asc' } });
  }

  /** A schedule the caller may read (and has `minimum` in); NOT_FOUND for other workspaces'. */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<Schedule> {
    const schedule = isUUID(id) ? await em.findOne(Schedule, { id }) : null;
    if (!schedule || !principal.roleIn(schedule.workspaceId)) throw new NotFoundError('Schedule', id);
    principal.require(schedule.workspaceId, minimum);
    return schedule;
  }

  /** The schedules of tasks, by task id (for Task.schedules and Task.nextFireAt). */
  async byTask(em: EntityManager, taskIds: string[]): Promise<Map<string, Schedule[]>> {
    const ids = taskIds.filter((id) => isUUID(id));
    const found = ids.length ? await em.find(Schedule, { taskId: { $in: ids } }, { orderBy: { name: 'asc' } }) : [];
    const byTask = new Map<string, Schedule[]>(ids.map((id) => [id, []]));
    for (const s of found) byTask.get(s.taskId)?.push(s);
    return byTask;
  }

  /** The earliest next occurrence of a task's enabled schedules, null when none will fire. */
  nextFireAt(schedules: Schedule[], after = new Date()): Date | null {
    let earliest: Date | null = null;
    for (const s of schedules.filter((x) => x.enabled)) {
      const [next] = nextFireTimes(specOf(s), 1, after);
      if (next && (!earliest || next < earliest)) earliest = next;
    }
    return earliest;
  }

  nextFireTimes(schedule: Schedule, count: number): Date[] {
    checkCount(count);
    return nextFireTimes(specOf(schedule), count);
  }

  /** A preview for a form: validates like a save, names the bad field. */
  preview(input: { cron: string; timezone: string; count: number; startAt?: Date; endAt?: Date }): Date[] {
    checkCount(input.count);
    const spec = { cron: input.cron, timezone: input.timezone, startAt: input.startAt, endAt: input.endAt };
    validateCron(spec);
    return nextFireTimes(spec, input.count);
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: SaveScheduleInput & { taskId: string; cron: string; timezone: string },
  ): Promise<Schedule> {
    const task = await this.tasks.get(em, principal, input.taskId, Role.DEVELOPER);
    const cron = normalizeCron(input.cron);
    const fields = this.checked(task, { ...input, cron, timezone: input.timezone.trim() });
    const schedule = em.create(Schedule, {
      workspaceId: task.workspaceId,
      taskId: task.id,
      name: input.name?.trim() || cron,
      cron,
      timezone: input.timezone.trim(),
      createdById: principal.user.id,
      ...fields,
    });
    await this.commitWithJob(em, schedule);
    return schedule;
  }

  async update(em: EntityManager, principal: Principal, input: SaveScheduleInput & { id: string }): Promise<Schedule> {
    const schedule = await this.get(em, principal, input.id, Role.DEVELOPER);
    const task = await em.findOneOrFail(Task, { id: schedule.taskId });
    const merged = {
      cron: input.cron !== undefined ? normalizeCron(input.cron) : schedule.cron,
      timezone: input.timezone?.trim() ?? schedule.timezone,
      startAt: input.startAt !== undefined ? input.startAt : schedule.startAt,
      endAt: input.endAt !== undefined ? input.endAt : schedule.endAt,
      params: input.params ?? schedule.params,
      misfirePolicy: input.misfirePolicy ?? schedule.misfirePolicy,
      misfireCap: input.misfireCap ?? schedule.misfireCap,
      catchUpWindowSeconds:
        input.catchUpWindowSeconds !== undefined ? input.catchUpWindowSeconds : schedule.catchUpWindowSeconds,
      // Pausing and resuming are their own operations.
      enabled: schedule.enabled,
    };
    const fields = this.checked(task, merged);
    const retimed =
      merged.cron !== schedule.cron ||
      merged.timezone !== schedule.timezone ||
      merged.startAt?.getTime() !== schedule.startAt?.getTime();
    Object.assign(schedule, { ...fields, cron: merged.cron, timezone: merged.timezone });
    // New timing applies from now on: the occurrences it would have had before are not misfires.
    if (retimed) schedule.handledUntil = new Date(Math.max(Date.now(), schedule.handledUntil?.getTime() ?? 0));
    if (input.name?.trim()) schedule.name = input.name.trim();
    await this.commitWithJob(em, schedule);
    return schedule;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<Schedule> {
    const schedule = await this.get(em, principal, id, Role.DEVELOPER);
    await em.remove(schedule).flush();
    await this.syncJob(em, schedule, false);
    return schedule;
  }

  async pause(em: EntityManager, principal: Principal, id: string): Promise<Schedule> {
    const schedule = await this.get(em, principal, id, Role.OPERATOR);
    await this.setEnabled(em, [schedule], false);
    return schedule;
  }

  async resume(em: EntityManager, principal: Principal, id: string): Promise<Schedule> {
    const schedule = await this.get(em, principal, id, Role.OPERATOR);
    await this.setEnabled(em, [schedule], true);
    return schedule;
  }

  /** Pauses (or resumes) every schedule of a workspace; the schedules changed. */
  async setWorkspaceEnabled(
    em: EntityManager,
    principal: Principal,
    workspaceId: string,
    enabled: boolean,
  ): Promise<Schedule[]> {
    principal.require(workspaceId, Role.OPERATOR);
    const schedules = await em.find(Schedule, { workspaceId, enabled: !enabled }, { orderBy: { name: 'asc' } });
    await this.setEnabled(em, schedules, enabled);
    return schedules;
  }

  /**
   * A paused schedule has no Agenda job. Resuming starts from now: occurrences that fell in the
   * pause are not misfires to catch up (handledUntil moves to the resume time).
   */
  private async setEnabled(em: EntityManager, schedules: Schedule[], enabled: boolean): Promise<void> {
    const changed = schedules.filter((s) => s.enabled !== enabled);
    if (changed.length === 0) return;
    for (const s of changed) {
      s.enabled = enabled;
      if (enabled) s.handledUntil = new Date();
    }
    await em.flush();
    for (const s of changed) await this.syncJob(em, s, enabled);
  }

  private async commitWithJob(em: EntityManager, schedule: Schedule): Promise<void> {
    await em.persist(schedule).flush();
    await this.syncJob(em, schedule, schedule.enabled);
  }

  /**
   * The job follows the committed row, never the other way round: a job the reconciler finds is
   * never one whose row is still uncommitted (it would remove it as an orphan). When Agenda
   * fails here, the reconciler's next round repairs the job.
   *
   * Agenda's unique save is a read then a write, not atomic: two writers of one schedule's job
   * (this instance and another's update, or the reconciler creating the job it just missed) could
   * both insert. So a job is written under a per-schedule advisory lock, and under the reconciler's
   * lock in shared mode: a reconciliation round (exclusive) never interleaves with a job write.
   */
  private async syncJob(em: EntityManager, schedule: Schedule, wanted: boolean): Promise<void> {
    try {
      await em.fork().transactional(async (tx) => {
        await tx.execute('SELECT pg_advisory_xact_lock_shared(hashtext(?))', [RECONCILE_LOCK]);
        await tx.execute('SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))', [JOB_LOCK, schedule.id]);
        if (wanted) await this.jobs.saveScheduleJob(jobSpec(schedule));
        else await this.jobs.removeScheduleJob(schedule.id);
      });
    } catch (err) {
      this.logger.warn(
        { scheduleId: schedule.id, err: (err as Error).message },
        'schedule saved, but its Agenda job was not updated: the reconciler will repair it',
      );
    }
  }

  /** Validates the fields a save sets; BAD_USER_INPUT names the field. */
  private checked(
    task: Task,
    input: SaveScheduleInput & { cron: string; timezone: string },
  ): Pick<
    Schedule,
    'startAt' | 'endAt' | 'params' | 'misfirePolicy' | 'misfireCap' | 'catchUpWindowSeconds' | 'enabled'
  > {
    const startAt = input.startAt ?? null;
    const endAt = input.endAt ?? null;
    validateCron({
      cron: input.cron,
      timezone: input.timezone,
      startAt: startAt ?? undefined,
      endAt: endAt ?? undefined,
    });
    if (startAt && endAt && endAt <= startAt) {
      throw new UserInputError('endAt must be after startAt', { field: 'endAt' });
    }
    const params = checkOccurrenceParams(task, input.params ?? {}, 'schedule');
    if (input.misfireCap !== undefined && (input.misfireCap < 1 || input.misfireCap > 1000)) {
      throw new UserInputError('misfireCap must be between 1 and 1000', { field: 'misfireCap' });
    }
    return {
      startAt,
      endAt,
      params,
      misfirePolicy: input.misfirePolicy ?? MisfirePolicy.RUN_ONCE,
      misfireCap: input.misfireCap ?? 10,
      catchUpWindowSeconds: input.catchUpWindowSeconds ?? null,
      enabled: input.enabled ?? true,
    };
  }

  /**
   * A schedule's job came due on this instance at `firedAt`: the occurrences after `handledUntil`
   * and at or before `firedAt` become runs. Those less late than the misfire threshold all run (an
   * instance that died holding the job delays them by its lock's lifetime, and loses none); older
   * ones are misfires, handled per the misfire policy. Each run is inserted under the
   * (schedule_id, scheduled_time) unique index, so an occurrence that another instance (or a re-run
   * of the job) already fired is a no-op: exactly once, whatever the timing.
   *
   * Jobs come due together (a thousand schedules at the top of a minute): the fires requested
   * within a few milliseconds of each other are handled as one batch (`fireMany`), resolved when
   * it is done.
   */
  fire(root: EntityManager, scheduleId: string, firedAt: Date): Promise<void> {
    this.fires ??= new DataLoader<DueFire, void, DueFire>((batch) => this.fireBatch(root, batch), {
      cache: false,
      maxBatchSize: FIRE_BATCH_MAX,
      batchScheduleFn: (run) => setTimeout(run, FIRE_BATCH_WINDOW_MS),
    });
    return this.fires.load({ scheduleId, firedAt });
  }

  /** `fireMany` for DataLoader: one settled value per fire (the batch's error for each, should it fail). */
  private async fireBatch(root: EntityManager, batch: readonly DueFire[]): Promise<(void | Error)[]> {
    try {
      await this.fireMany(root, batch);
      return batch.map(() => undefined);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return batch.map(() => error);
    }
  }

  /**
   * Fires several schedules' due jobs at once: the schedules and their tasks read in two queries,
   * the runs of every occurrence inserted together (`RunService.createOccurrences`), and the
   * schedules' `handledUntil` moved in one statement. A SKIP_IF_RUNNING task's occurrences are
   * fired one by one, under its lock, as a run started by hand would be.
   */
  async fireMany(root: EntityManager, fires: readonly DueFire[]): Promise<void> {
    const em = root.fork();
    // The same job twice in one batch cannot happen through Agenda; keep the later instant if it does.
    const firedAt = new Map<string, Date>();
    for (const f of fires) {
      const seen = firedAt.get(f.scheduleId);
      if (!seen || seen < f.firedAt) firedAt.set(f.scheduleId, f.firedAt);
    }
    const ids = [...firedAt.keys()];
    const schedules = await em.find(Schedule, { id: { $in: ids } });
    const found = new Set(schedules.map((s) => s.id));
    // A row gone (its task was deleted): its job follows at once, not at the next reconciliation.
    for (const id of ids) if (!found.has(id)) await this.syncJob(em, { id } as Schedule, false);

    const plans = schedules
      .filter((s) => s.enabled)
      .map((schedule) => ({
        schedule,
        ...dueOccurrences(
          schedule,
          schedule.handledUntil ?? schedule.createdAt,
          firedAt.get(schedule.id)!,
          this.options.misfireThresholdMs,
        ),
        fired: undefined as Date | undefined,
      }));
    const taskIds = [...new Set(plans.filter((p) => p.times.length > 0).map((p) => p.schedule.taskId))];
    // The tasks with their sealed secrets (a run needs them); versions never change, so the ones in
    // use are kept between fires.
    const tasks = new Map(
      taskIds.length === 0
        ? []
        : (await em.find(Task, { id: { $in: taskIds } }, { populate: ['sealedSecrets'] })).map((t) => [t.id, t]),
    );

    const batched: { plan: (typeof plans)[number]; spec: OccurrenceSpec }[] = [];
    for (const plan of plans) {
      const task = tasks.get(plan.schedule.taskId);
      if (!task || plan.times.length === 0) continue;
      const version = await this.versionOf(em, task);
      const declared = new Set(version.content.variables.map((v) => v.name));
      if (version.content.runPolicy.concurrency === ConcurrencyPolicy.SKIP_IF_RUNNING) {
        for (const time of plan.times) {
          if (await this.fireOne(em, plan.schedule, task, version, declared, time)) plan.fired = time;
        }
        continue;
      }
      for (const time of plan.times) {
        batched.push({ plan, spec: this.occurrenceSpec(plan.schedule, task, version, declared, time) });
      }
    }
    if (batched.length > 0) {
      const results = await this.runs.createOccurrences(
        em,
        batched.map((b) => b.spec),
      );
      results.forEach((result, i) => {
        const { plan, spec } = batched[i]!;
        if ('run' in result) {
          const time = spec.occurrence.scheduledTime;
          if (!plan.fired || plan.fired < time) plan.fired = time;
        } else this.logFailure(spec, result.error);
      });
    }

    // Handled through the last occurrence considered, whatever became of each (a run, a
    // duplicate, a policy skip).
    const handled = plans.filter((p) => p.through);
    if (handled.length === 0) return;
    const array = (values: (Date | string | null)[]) =>
      `{${values.map((v) => (v === null ? 'NULL' : v instanceof Date ? v.toISOString() : v)).join(',')}}`;
    await em.getConnection().execute(
      `UPDATE schedule s SET handled_until = GREATEST(coalesce(s.handled_until, v.through), v.through),
           last_fire_at = CASE WHEN v.fired IS NULL THEN s.last_fire_at
                               ELSE GREATEST(coalesce(s.last_fire_at, v.fired), v.fired) END
         FROM unnest(?::uuid[], ?::timestamptz[], ?::timestamptz[]) AS v(id, through, fired)
        WHERE s.id = v.id`,
      [
        array(handled.map((p) => p.schedule.id)),
        array(handled.map((p) => p.through!)),
        array(handled.map((p) => p.fired ?? null)),
      ],
    );
  }

  /** The task's current version, from memory when a fire already loaded it (versions are immutable). */
  private async versionOf(em: EntityManager, task: Task): Promise<TaskVersion> {
    const key = `${task.id}:${task.version}`;
    let version = this.versions.get(key);
    if (!version) {
      version = await em.findOneOrFail(TaskVersion, { task: task.id, number: task.version });
      if (this.versions.size >= 1000) this.versions.clear();
      this.versions.set(key, version);
    }
    return version;
  }

  /** One occurrence's run through `RunService.create` (its task's concurrency policy applied); true when created. */
  private async fireOne(
    em: EntityManager,
    schedule: Schedule,
    task: Task,
    version: TaskVersion,
    declared: ReadonlySet<string>,
    time: Date,
  ): Promise<boolean> {
    const spec = this.occurrenceSpec(schedule, task, version, declared, time);
    try {
      await this.runs.create(em.fork(), { ...spec, trigger: RunTrigger.SCHEDULE });
      return true;
    } catch (err) {
      this.logFailure(spec, err);
      return false;
    }
  }

  private occurrenceSpec(
    schedule: Schedule,
    task: Task,
    version: TaskVersion,
    declared: ReadonlySet<string>,
    time: Date,
  ): OccurrenceSpec {
    return {
      task,
      version,
      params: {
        ...schedule.params,
        ...occurrenceVariables(time, schedule.timezone, declared, version.content.runPolicy),
      },
      triggeredById: null,
      triggeredByLabel: `schedule ${schedule.name}`,
      occurrence: { scheduleId: schedule.id, scheduledTime: time },
    };
  }

  /** An occurrence that did not become a run: a duplicate (debug), a policy skip (info), else a warning. */
  private logFailure(spec: OccurrenceSpec, err: unknown): void {
    const context = {
      scheduleId: spec.occurrence.scheduleId,
      taskId: spec.task.id,
      scheduledTime: spec.occurrence.scheduledTime.toISOString(),
    };
    if (err instanceof DuplicateOccurrenceError) {
      this.logger.debug(context, 'scheduled occurrence already fired elsewhere');
    } else if (err instanceof AppError && err.code === 'CONFLICT') {
      this.logger.info({ ...context, reason: err.message }, 'scheduled occurrence skipped');
    } else {
      this.logger.warn({ ...context, err: (err as Error).message }, 'scheduled occurrence could not start a run');
    }
  }

  /**
   * Repairs drift between the schedules table and Agenda's jobs: creates missing jobs, removes
   * orphans, duplicates and paused schedules' jobs, fixes changed cron or zone. One instance at a
   * time (an advisory lock); the others skip this round.
   */
  async reconcile(root: EntityManager): Promise<{ created: number; removed: number; fixed: number } | null> {
    const em = root.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside the transaction (getConnection().execute would lock on another connection).
      const [lock] = await tx.execute<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked',
        [RECONCILE_LOCK],
      );
      if (!lock?.locked) return null;
      // Jobs first, rows second: a job always follows its committed row, so a job whose row is
      // missing from the later read is a real orphan.
      const jobs = await this.jobs.scheduleJobs();
      const schedules = await tx.find(Schedule, { enabled: true }, { fields: ['id', 'cron', 'timezone'] });
      const wanted = new Map(schedules.map((s) => [s.id, s]));
      const seen = new Set<string>();
      let created = 0;
      let removed = 0;
      let fixed = 0;
      for (const job of jobs) {
        const schedule = wanted.get(job.scheduleId);
        if (!schedule || seen.has(job.scheduleId)) {
          await this.jobs.removeJob(job.jobId);
          removed++;
          continue;
        }
        seen.add(job.scheduleId);
        if (job.cron !== schedule.cron || job.timezone !== schedule.timezone || job.disabled) {
          await this.jobs.saveScheduleJob(jobSpec(schedule));
          fixed++;
        }
      }
      for (const schedule of schedules) {
        if (seen.has(schedule.id)) continue;
        await this.jobs.saveScheduleJob(jobSpec(schedule));
        created++;
      }
      if (created + removed + fixed > 0) this.logger.info({ created, removed, fixed }, 'schedule jobs reconciled');
      return { created, removed, fixed };
    });
  }

  /** Reconciles now and then every `intervalMs`. */
  async startReconciler(root: EntityManager, intervalMs: number): Promise<void> {
    const round = () =>
      this.reconcile(root).catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'schedule reconciliation failed; retried next round'),
      );
    await round();
    this.reconcileTimer = setInterval(() => void round(), intervalMs);
    this.reconcileTimer.unref();
  }

  stopReconciler(): void {
    clearInterval(this.reconcileTimer);
    this.reconcileTimer = undefined;
  }
}

function jobSpec(s: Pick<Schedule, 'id' | 'cron' | 'timezone'>): ScheduleJobSpec {
  return { scheduleId: s.id, cron: s.cron, timezone: s.timezone };
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    throw new UserInputError('count must be between 1 and 100', { field: 'count' });
  }
}
