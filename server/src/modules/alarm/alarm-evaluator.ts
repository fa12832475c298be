import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type RunUpdatedEvent } from '../../events/topics.js';
import type { Logger } from '../../logger.js';
import { AlarmCondition, type AlarmRule } from './alarm-rule.entity.js';
import type { AlarmWriter, Occurrence, RuleRow, Written } from './alarm-writer.js';

interface RunRow {
  id: string;
  task_id: string;
  workspace_id: string;
  status: string;
  attempt: number;
  finished_at: Date;
  error_message: string | null;
  task_name: string;
  tags: string[];
}

/** Whether the rule's scope takes the task: no ids and no tags is every task. */
export function ruleMatchesTask(rule: Pick<AlarmRule, 'taskIds' | 'tags'>, taskId: string, tags: string[]): boolean {
  if (rule.taskIds.length === 0 && rule.tags.length === 0) return true;
  return rule.taskIds.includes(taskId) || rule.tags.some((t) => tags.includes(t));
}

const FAILED = new Set(['FAILED', 'TIMED_OUT']);

/**
 * Raises, repeats and resolves alarms from run events, on every instance. Every instance hears
 * every event, so each step is idempotent in the database: the partial unique index on FIRING
 * alarms lets one insert win, `last_run_id` tells a repeat from the same event seen twice, and a
 * resolve is an UPDATE … WHERE status = 'FIRING' that only one instance sees return rows.
 * Notifications go to the outbox (alarm_notification) in the same transaction (AlarmWriter, shared
 * with the sweep of time-based conditions).
 */
export class AlarmEvaluator {
  private unsubscribe: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly root: EntityManager,
    private readonly bus: PgPubSub,
    private readonly writer: AlarmWriter,
    private readonly logger: Logger,
    /** Called when notifications were enqueued (wakes this instance's deliverer). */
    private readonly onEnqueued: () => void = () => undefined,
  ) {}

  start(): void {
    const iterator = this.bus.subscribe(Topic.RUN_UPDATED)[Symbol.asyncIterator]();
    this.unsubscribe = () => void iterator.return?.();
    void (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const event = next.value as RunUpdatedEvent;
        if (event.status !== 'SUCCEEDED' && !FAILED.has(event.status)) continue;
        const step = this.evaluate(event.runId)
          .catch((err: unknown) =>
            this.logger.warn({ runId: event.runId, err: (err as Error).message }, 'alarm evaluation failed'),
          )
          .finally(() => this.inFlight.delete(step));
        this.inFlight.add(step);
      }
    })().catch((err: unknown) =>
      this.logger.warn({ err: (err as Error).message }, 'alarm evaluator stopped hearing run events'),
    );
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.inFlight);
  }

  /** Applies the workspace's enabled rules that match the run's task to the run's outcome. */
  async evaluate(runId: string): Promise<void> {
    const em = this.root.fork();
    const [run] = await em.execute<RunRow[]>(
      `SELECT r.id, r.task_id, r.workspace_id, r.status, r.attempt, r.finished_at, r.error_message,
              t.name AS task_name, t.tags
         FROM run r JOIN task t ON t.id = r.task_id WHERE r.id = ?`,
      [runId],
    );
    if (!run || !run.finished_at || (run.status !== 'SUCCEEDED' && !FAILED.has(run.status))) return;
    const rules = (
      await em.execute<RuleRow[]>(
        `SELECT id, name, severity, condition, threshold, duration_seconds, task_ids, tags, channel_ids,
                repeat_interval_seconds
           FROM alarm_rule WHERE workspace_id = ? AND enabled`,
        [run.workspace_id],
      )
    ).filter((r) => ruleMatchesTask({ taskIds: r.task_ids, tags: r.tags }, run.task_id, run.tags ?? []));
    if (rules.length === 0) return;
    const written: Written[] = [];
    if (run.status === 'SUCCEEDED') {
      // A success clears the task's alarms of these rules raised before the run finished, freshness
      // (NO_SUCCESS_WITHIN) included; not RUN_LONGER_THAN, which is about the task's running runs
      // (another may still be running too long): the sweep resolves it once none is.
      const clearing = rules.filter(
        (r) => r.condition !== AlarmCondition.RUN_LONGER_THAN && r.condition !== AlarmCondition.INSTANCE_DOWN,
      );
      const where = 'task_id = ? AND last_seen_at <= ?';
      written.push(await this.writer.resolve(em, clearing, where, [run.task_id, run.finished_at], { runId: run.id }));
    } else {
      for (const rule of rules) {
        if (await this.fires(em, rule, run)) written.push(await this.writer.raise(em, rule, this.occurrenceOf(run)));
      }
    }
    if (await this.writer.publish(written)) this.onEnqueued();
  }

  private async fires(em: EntityManager, rule: RuleRow, run: RunRow): Promise<boolean> {
    switch (rule.condition) {
      case AlarmCondition.RUN_FAILED:
        return run.status === 'FAILED';
      case AlarmCondition.RUN_TIMED_OUT:
        return run.status === 'TIMED_OUT';
      case AlarmCondition.CONSECUTIVE_FAILURES: {
        const n = rule.threshold ?? 2;
        const rows = await em.execute<{ status: string }[]>(
          `SELECT status FROM run WHERE task_id = ? AND status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT')
              AND finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT ?`,
          [run.task_id, run.finished_at, n],
        );
        return rows.length === n && rows.every((r) => FAILED.has(r.status));
      }
      case AlarmCondition.RUN_LONGER_THAN:
      case AlarmCondition.NO_SUCCESS_WITHIN:
      case AlarmCondition.INSTANCE_DOWN:
        return false; // the sweep's (a run event only resolves them, on success)
    }
  }

  /** The sighting of a failed run, as the alarm it raises or repeats shows it. */
  private occurrenceOf(run: RunRow): Occurrence {
    return {
      workspaceId: run.workspace_id,
      taskId: run.task_id,
      tags: run.tags ?? [],
      title: `Task ${run.task_name} ${run.status === 'TIMED_OUT' ? 'timed out' : 'failed'}`,
      summary: run.error_message
        ? `Run ${run.id} (attempt ${run.attempt}) ended ${run.status}: ${run.error_message.slice(0, 1000)}`
        : `Run ${run.id} (attempt ${run.attempt}) ended ${run.status}.`,
      seenAt: run.finished_at,
      runId: run.id,
      oncePerRun: true,
    };
  }
}
