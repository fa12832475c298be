import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type BackfillUpdatedEvent, type RunUpdatedEvent } from '../../events/topics.js';
import type { Logger } from '../../logger.js';
import { ACTIVE_STATUSES, NOT_RETRIED, type RunService } from '../run/index.js';
import { BackfillProgress, BackfillStatus, type Backfill } from './backfill.entity.js';

/**
 * How long after a failed attempt that will be retried its retry may take to appear (the
 * executor creates it right after ending the attempt). Past this, an instance died in between and
 * the occurrence counts as failed, so the backfill can end.
 */
const RETRY_GRACE_SECONDS = 60;

/**
 * Each backfill's occurrences by the state of their latest attempt, in one grouped query. A failed
 * attempt that its task's retry policy retries counts as pending until its retry appears.
 */
export async function progressOf(em: EntityManager, backfills: Pick<Backfill, 'id' | 'total'>[]) {
  const result = new Map<string, BackfillProgress>();
  if (backfills.length === 0) return result;
  const rows = await em.execute<
    {
      backfill_id: string;
      pending: string;
      queued: string;
      running: string;
      succeeded: string;
      failed: string;
      cancelled: string;
      next: Date | null;
    }[]
  >(
    `WITH latest AS (
       SELECT DISTINCT ON (r.backfill_id, r.scheduled_time) r.backfill_id, r.scheduled_time, r.status,
              (r.status IN ('FAILED', 'TIMED_OUT')
                AND coalesce(r.error_code, '') NOT IN (${[...NOT_RETRIED].map(() => '?').join(', ')})
                AND r.attempt <= coalesce((v.content -> 'runPolicy' ->> 'maxRetries')::int, 0)
                AND r.finished_at > now() - make_interval(secs => ?)) AS retrying
         FROM run r JOIN task_version v ON v.id = r.task_version_id
        WHERE r.backfill_id IN (${backfills.map(() => '?').join(', ')})
        ORDER BY r.backfill_id, r.scheduled_time, r.attempt DESC
     )
     SELECT backfill_id,
            count(*) FILTER (WHERE status = 'PENDING' OR retrying) AS pending,
            count(*) FILTER (WHERE status = 'QUEUED') AS queued,
            count(*) FILTER (WHERE status IN ('RUNNING', 'CANCELLING')) AS running,
            count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded,
            count(*) FILTER (WHERE status IN ('FAILED', 'TIMED_OUT') AND NOT retrying) AS failed,
            count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
            min(scheduled_time) FILTER (WHERE status = 'PENDING') AS next
       FROM latest GROUP BY backfill_id`,
    [...NOT_RETRIED, RETRY_GRACE_SECONDS, ...backfills.map((b) => b.id)],
  );
  const byId = new Map(rows.map((r) => [r.backfill_id, r]));
  for (const backfill of backfills) {
    const row = byId.get(backfill.id);
    const progress = Object.assign(new BackfillProgress(), {
      total: backfill.total,
      pending: Number(row?.pending ?? 0),
      queued: Number(row?.queued ?? 0),
      running: Number(row?.running ?? 0),
      succeeded: Number(row?.succeeded ?? 0),
      failed: Number(row?.failed ?? 0),
      cancelled: Number(row?.cancelled ?? 0),
      nextScheduledTime: row?.next ? new Date(row.next) : null,
      percent: 0,
    });
    const done = progress.succeeded + progress.failed + progress.cancelled;
    progress.percent = backfill.total > 0 ? Math.round((done / backfill.total) * 1000) / 10 : 100;
    result.set(backfill.id, progress);
  }
  return result;
}

export async function publishBackfill(
  bus: PgPubSub,
  backfill: Pick<Backfill, 'id' | 'workspaceId' | 'taskId' | 'status'>,
) {
  const event: BackfillUpdatedEvent = {
    backfillId: backfill.id,
    workspaceId: backfill.workspaceId,
    taskId: backfill.taskId,
    status: backfill.status,
  };
  await bus.publish(Topic.BACKFILL_UPDATED, event);
}

interface Locked {
  id: string;
  workspace_id: string;
  task_id: string;
  status: BackfillStatus;
  parallelism: number;
  total: number;
}

/**
 * Moves backfills along, on every instance: releases PENDING runs (earliest occurrence first)
 * while fewer than `parallelism` of a backfill's runs are active, and ends a backfill once all its
 * occurrences are done. Each step holds the backfill's row lock (SELECT … FOR UPDATE), so
 * instances driving the same backfill at once never release more than its parallelism allows.
 * A step runs when one of its runs ends (run events on the bus) and, in case an event was lost
 * or an instance died, for every unfinished backfill every `sweepMs`.
 */
export class BackfillDriver {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly root: EntityManager,
    private readonly runs: RunService,
    private readonly bus: PgPubSub,
    private readonly logger: Logger,
    private readonly options: { sweepMs: number } = { sweepMs: 3000 },
  ) {}

  start(): void {
    this.stopped = false;
    const iterator = this.bus.subscribe(Topic.RUN_UPDATED)[Symbol.asyncIterator]();
    this.unsubscribe = () => void iterator.return?.();
    void (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const event = next.value as RunUpdatedEvent;
        // A run ended (a slot is free, or the backfill may be done) or a retry waits for its turn.
        if (event.backfillId && !ACTIVE.has(event.status)) void this.kick(event.backfillId);
      }
    })().catch((err: unknown) =>
      this.logger.warn({ err: (err as Error).message }, 'backfill driver stopped hearing run events; sweeping only'),
    );
    this.timer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await Promise.all(this.inFlight.values());
  }

  /** Drives every backfill that may need it: unfinished ones, and finished ones with a late PENDING retry. */
  async sweep(): Promise<void> {
    try {
      const rows = await this.root.getConnection().execute<{ id: string }[]>(
        `SELECT id FROM backfill WHERE status IN ('RUNNING', 'PAUSED')
         UNION SELECT DISTINCT backfill_id FROM run WHERE status = 'PENDING' AND backfill_id IS NOT NULL`,
      );
      await Promise.all(rows.map((r) => this.kick(r.id)));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'backfill sweep failed; retried next round');
    }
  }

  /** Drives the backfill now, or once more after the step in progress (whose counts may predate the event). */
  kick(backfillId: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const running = this.inFlight.get(backfillId);
    if (running) {
      this.again.add(backfillId);
      return running;
    }
    const step = (async () => {
      try {
        do {
          this.again.delete(backfillId);
          await this.drive(backfillId);
        } while (this.again.has(backfillId) && !this.stopped);
      } catch (err) {
        this.logger.warn(
          { backfillId, err: (err as Error).message },
          'driving a backfill failed; retried by the sweep',
        );
      } finally {
        this.inFlight.delete(backfillId);
      }
    })();
    this.inFlight.set(backfillId, step);
    return step;
  }

  /** One step under the backfill's row lock; the released runs are queued after it committed. */
  async drive(backfillId: string): Promise<void> {
    const em = this.root.fork();
    const outcome = await em.transactional(async (tx) => {
      const [row] = await tx.execute<Locked[]>(
        'SELECT id, workspace_id, task_id, status, parallelism, total FROM backfill WHERE id = ? FOR UPDATE',
        [backfillId],
      );
      if (!row) return undefined;
      // Cheap counts first (an index range); the full progress only when it may be done.
      const [counts] = await tx.execute<{ active: string; pending: string }[]>(
        `SELECT count(*) FILTER (WHERE status <> 'PENDING') AS active, count(*) FILTER (WHERE status = 'PENDING') AS pending
           FROM run WHERE backfill_id = ? AND status IN ('PENDING', 'QUEUED', 'RUNNING', 'CANCELLING')`,
        [row.id],
      );
      const active = Number(counts?.active ?? 0);
      const pending = Number(counts?.pending ?? 0);
      let status = row.status;
      let released: string[] = [];
      let cancelled = 0;
      if (status === BackfillStatus.CANCELLED) {
        // A retry created after the cancel: it never runs.
        if (pending > 0) cancelled = await this.runs.cancelPending(tx, row.id, 'its backfill was cancelled');
      } else {
        // A retry that appeared after the backfill ended (an instance was slow to create it) reopens it.
        if ((status === BackfillStatus.SUCCEEDED || status === BackfillStatus.FAILED) && pending > 0) {
          status = BackfillStatus.RUNNING;
        }
        if (status === BackfillStatus.RUNNING && pending > 0) {
          released = await this.runs.releasePending(tx, row.id, row.parallelism - active);
        }
        if ((status === BackfillStatus.RUNNING || status === BackfillStatus.PAUSED) && pending === 0 && active === 0) {
          const progress = (await progressOf(tx, [{ id: row.id, total: row.total }])).get(row.id)!;
          // progress.pending > 0: a failed attempt whose retry is about to appear.
          if (progress.pending === 0) {
            status =
              progress.failed + progress.cancelled > 0 || progress.succeeded < row.total
                ? BackfillStatus.FAILED
                : BackfillStatus.SUCCEEDED;
          }
        }
      }
      if (status !== row.status) {
        const finished = status === BackfillStatus.SUCCEEDED || status === BackfillStatus.FAILED;
        await tx.execute(
          `UPDATE backfill SET status = ?, updated_at = now(), finished_at = ${finished ? 'now()' : 'NULL'} WHERE id = ?`,
          [status, row.id],
        );
      }
      return { row, status, released, changed: status !== row.status || cancelled > 0 };
    });
    if (!outcome) return;
    await this.runs.dispatch(this.root, outcome.released);
    if (outcome.changed || outcome.released.length > 0) {
      if (outcome.status !== outcome.row.status) {
        this.logger.info({ backfillId, status: outcome.status }, 'backfill status changed');
      }
      await publishBackfill(this.bus, {
        id: outcome.row.id,
        workspaceId: outcome.row.workspace_id,
        taskId: outcome.row.task_id,
        status: outcome.status,
      });
    }
  }
}

const ACTIVE = new Set<string>(ACTIVE_STATUSES);
