import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { AGENDA_TABLE } from '../../migrations/Migration20261124040000_run.js';
import type { RunQueue } from './run.service.js';

export const RUN_JOB = 'sluice-run';
/** One repeating job per schedule, `{ scheduleId }`, repeating at the schedule's cron in its zone. */
export const SCHEDULE_JOB = 'sluice-schedule';
const SCHEDULE_LOCK_MS = 15_000;
/**
 * How often Agenda scans for due jobs, and so how far ahead it locks them: a scan locks the jobs
 * due before the next one. Five seconds means the schedules due at a minute's boundary are
 * already locked and waiting on timers in memory when it comes, instead of being locked one query
 * at a time after it (which made the last of a thousand fire seconds late). New jobs do not wait
 * for a scan: Agenda's notification channel announces them at once.
 */
const PROCESS_EVERY_MS = 5_000;
/**
 * Schedule jobs one instance locks and runs at once (each mostly waits on the database, and the
 * fires due together are handled as one batch). The cap shares a large wave among instances: of
 * 1,000 schedules due at once, each of two instances locks 500 ahead of time; beyond 500 per
 * instance, the rest are locked by the scans that follow, a few seconds later.
 */
const SCHEDULE_CONCURRENCY = 500;

/** What a schedule's Agenda job repeats on. */
export interface ScheduleJobSpec {
  scheduleId: string;
  cron: string;
  timezone: string;
}

/** A schedule job as stored by Agenda (for the reconciler). */
export interface ScheduleJobState extends ScheduleJobSpec {
  jobId: string;
  disabled: boolean;
}

/** Called when a schedule's job comes due on this instance; `firedAt` is when Agenda started it. */
export type ScheduleFire = (scheduleId: string, firedAt: Date) => Promise<void>;

/** What the executor answers when an instance's worker locks a run's job. */
export type ClaimOutcome =
  /** This instance executes it now. */
  | { kind: 'started' }
  /** It is no longer QUEUED (cancelled, or claimed through another job): nothing to do. */
  | { kind: 'gone' }
  /** It must wait (backoff, concurrency limits, this instance full): ask again then. */
  | { kind: 'wait'; until: Date };

export interface RunDispatcherOptions {
  /** PostgreSQL for Agenda's jobs (the migration created its table) unless mongoUrl is given. */
  pool: pg.Pool;
  mongoUrl?: string;
  logger: Logger;
  /** Agenda's name for this worker (the instance id). */
  name: string;
  /** How many run jobs this worker handles at once (claiming is quick: execution is not a job). */
  concurrency?: number;
}

/**
 * Dispatch through Agenda (DESIGN.md, key decision 3): a run to execute is an Agenda one-off job
 * `{ runId }`; whichever instance's worker locks it asks the executor to claim the run. The job
 * ends as soon as the run is claimed (the run's own lease, not Agenda's lock, guards execution),
 * so Agenda's lock lifetime never limits how long a run may take.
 */
export class RunDispatcher implements RunQueue {
  private agenda: Agenda | undefined;
  private started = false;
  private scheduleFire: ScheduleFire | undefined;

  constructor(private readonly options: RunDispatcherOptions) {}

  /** Without `claim`, this instance takes no run's job (other instances execute them). */
  async start(claim?: (runId: string) => Promise<ClaimOutcome>): Promise<void> {
    const backend = this.backend();
    const agenda = new Agenda({
      backend,
      name: this.options.name,
      processEvery: PROCESS_EVERY_MS,
      defaultConcurrency: this.options.concurrency ?? 20,
      // Room for the run jobs and for many schedules falling due at the same moment.
      maxConcurrency: (this.options.concurrency ?? 20) + SCHEDULE_CONCURRENCY,
      defaultLockLifetime: 60_000,
      removeOnComplete: true,
    });
    agenda.on('error', (err: Error) => this.options.logger.warn({ err: err.message }, 'run dispatcher (Agenda) error'));
    if (claim) {
      agenda.define<{ runId: string }>(
        RUN_JOB,
        async (job: Job<{ runId: string }>) => {
          const runId = job.attrs.data?.runId;
          if (!runId) return;
          const outcome = await claim(runId);
          if (outcome.kind === 'wait') await this.enqueue(runId, outcome.until);
        },
        { concurrency: this.options.concurrency ?? 20, lockLifetime: 60_000 },
      );
    }
    agenda.define<{ scheduleId: string }>(
      SCHEDULE_JOB,
      async (job: Job<{ scheduleId: string }>) => {
        const scheduleId = job.attrs.data?.scheduleId;
        if (!scheduleId || !this.scheduleFire) return;
        await this.scheduleFire(scheduleId, job.attrs.lastRunAt ?? new Date());
      },
      // A short lock: the jobs an instance held when it died are fired by another within about
      // this long, well inside the misfire threshold (a fire takes milliseconds).
      // Locking no more than it can run leaves the other jobs due at that moment to other instances.
      { concurrency: SCHEDULE_CONCURRENCY, lockLimit: SCHEDULE_CONCURRENCY, lockLifetime: SCHEDULE_LOCK_MS },
    );
    // A scan locks the jobs due before the next one, so a schedule repeating more often than scans
    // (every second) would wait for the next scan after each fire. Announcing its job again as it
    // completes (unlocked, next run saved) makes some instance lock it at once, as for a new job.
    // Without a notification channel (MongoDB), such schedules fire on the scans.
    agenda.on(`complete:${SCHEDULE_JOB}`, (job: Job) => {
      const next = job.attrs.nextRunAt;
      if (next && next.getTime() < Date.now() + PROCESS_EVERY_MS) void agenda.publishJobNotification(job);
    });
    this.agenda = agenda;
    // A backend that cannot connect never settles start(): give up with a clear error instead.
    await withTimeout(agenda.start(), 30_000, 'the run dispatcher (Agenda) did not start within 30 s');
    this.started = true;
  }

  async enqueue(runId: string, at?: Date): Promise<void> {
    const agenda = this.agenda;
    if (!agenda || !this.started) throw new Error('the run dispatcher is not started');
    if (at && at.getTime() > Date.now()) await agenda.schedule(at, RUN_JOB, { runId });
    else await agenda.now(RUN_JOB, { runId });
  }

  /** What fires a schedule's occurrences (set before start: a due job finding none does nothing). */
  onScheduleDue(fire: ScheduleFire): void {
    this.scheduleFire = fire;
  }

  /**
   * Creates the schedule's job, or updates it in place (unique per schedule id), next due at the
   * cron's next occurrence after now: saving never fires an occurrence by itself.
   */
  async saveScheduleJob(spec: ScheduleJobSpec): Promise<void> {
    await this.running()
      .create(SCHEDULE_JOB, { scheduleId: spec.scheduleId })
      .repeatEvery(spec.cron, { timezone: spec.timezone, skipImmediate: true })
      .unique({ 'data.scheduleId': spec.scheduleId })
      .save();
  }

  /** Removes the schedule's job(s); how many there were. */
  removeScheduleJob(scheduleId: string): Promise<number> {
    return this.running().cancel({ name: SCHEDULE_JOB, data: { scheduleId } });
  }

  async scheduleJobs(): Promise<ScheduleJobState[]> {
    const { jobs } = await this.running().queryJobs({ name: SCHEDULE_JOB, includeDisabled: true });
    return jobs.flatMap((job) => {
      const scheduleId = (job.data as { scheduleId?: unknown } | undefined)?.scheduleId;
      if (typeof scheduleId !== 'string') return [];
      return [
        {
          jobId: String(job._id),
          scheduleId,
          cron: typeof job.repeatInterval === 'string' ? job.repeatInterval : String(job.repeatInterval ?? ''),
          timezone: job.repeatTimezone ?? '',
          disabled: job.disabled === true,
        },
      ];
    });
  }

  /** Removes one Agenda job by its id (a duplicate the reconciler found). */
  async removeJob(jobId: string): Promise<void> {
    await this.running().cancel({ id: jobId });
  }

  async stop(): Promise<void> {
    const agenda = this.agenda;
    this.agenda = undefined;
    this.started = false;
    if (agenda) await agenda.stop().catch(() => undefined);
  }

  private running(): Agenda {
    if (!this.agenda || !this.started) throw new Error('the run dispatcher is not started');
    return this.agenda;
  }

  private backend(): AgendaBackend {
    const backend = this.createBackend();
    // The notification channel reports a lost LISTEN connection (a database restart) as an
    // 'error' event, and reconnects by itself: without a listener that event would end the process.
    const channel = backend.notificationChannel as unknown as
      { on?: (event: 'error', listener: (err: Error) => void) => void; publishState?: unknown } | undefined;
    channel?.on?.('error', (err) =>
      this.options.logger.warn({ err: err.message }, 'run dispatcher lost its notification connection; reconnecting'),
    );
    // Agenda announces every job's start and end to all instances (two NOTIFYs per job, parsed by
    // each); nothing here listens to them, and at a minute boundary with many schedules they cost
    // as much as the fires. Without publishState, Agenda skips them (it checks for the method).
    if (channel) channel.publishState = undefined;
    return backend;
  }

  private createBackend(): AgendaBackend {
    if (this.options.mongoUrl) return new MongoBackend({ address: this.options.mongoUrl, collection: 'agenda_jobs' });
    return new PostgresBackend({ pool: this.options.pool, tableName: AGENDA_TABLE, ensureSchema: false });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
