import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { AGENDA_TABLE } from '../../migrations/Migration20261124040000_run.js';
import type { RunQueue } from './run.service.js';

export const RUN_JOB = 'sluice-run';

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

  constructor(private readonly options: RunDispatcherOptions) {}

  async start(claim: (runId: string) => Promise<ClaimOutcome>): Promise<void> {
    const backend = this.backend();
    const agenda = new Agenda({
      backend,
      name: this.options.name,
      processEvery: 1000,
      defaultConcurrency: this.options.concurrency ?? 20,
      maxConcurrency: Math.max(50, this.options.concurrency ?? 20),
      defaultLockLifetime: 60_000,
      removeOnComplete: true,
    });
    agenda.on('error', (err: Error) => this.options.logger.warn({ err: err.message }, 'run dispatcher (Agenda) error'));
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

  async stop(): Promise<void> {
    const agenda = this.agenda;
    this.agenda = undefined;
    this.started = false;
    if (agenda) await agenda.stop().catch(() => undefined);
  }

  private backend(): AgendaBackend {
    const backend = this.createBackend();
    // The notification channel reports a lost LISTEN connection (a database restart) as an
    // 'error' event, and reconnects by itself: without a listener that event would end the process.
    const channel = backend.notificationChannel as unknown as
      { on?: (event: 'error', listener: (err: Error) => void) => void } | undefined;
    channel?.on?.('error', (err) =>
      this.options.logger.warn({ err: err.message }, 'run dispatcher lost its notification connection; reconnecting'),
    );
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
