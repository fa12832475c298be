import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type RunUpdatedEvent } from '../../events/topics.js';
import type { Logger } from '../../logger.js';
import { AlarmCondition, type AlarmRule } from './alarm-rule.entity.js';
import { publishAlarm } from './alarm.service.js';
import { suppressorOf, type SuppressionTarget } from './alarm-suppression.js';

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

interface RuleRow {
  id: string;
  name: string;
  severity: string;
  condition: AlarmCondition;
  threshold: number | null;
  task_ids: string[];
  tags: string[];
  channel_ids: string[];
  repeat_interval_seconds: number;
}

/** Whether the rule's scope takes the task: no ids and no tags is every task. */
export function ruleMatchesTask(rule: Pick<AlarmRule, 'taskIds' | 'tags'>, taskId: string, tags: string[]): boolean {
  if (rule.taskIds.length === 0 && rule.tags.length === 0) return true;
  return rule.taskIds.includes(taskId) || rule.tags.some((t) => tags.includes(t));
}

const FAILED = new Set(['FAILED', 'TIMED_OUT']);

/** The alarm of this rule and run's task, as silences and maintenance windows match it. */
const targetOf = (rule: RuleRow, run: RunRow): SuppressionTarget => ({
  ruleId: rule.id,
  taskId: run.task_id,
  tags: run.tags ?? [],
  severity: rule.severity,
});

/**
 * Raises, repeats and resolves alarms from run events, on every instance. Every instance hears
 * every event, so each step is idempotent in the database: the partial unique index on FIRING
 * alarms lets one insert win, `last_run_id` tells a repeat from the same event seen twice, and a
 * resolve is an UPDATE … WHERE status = 'FIRING' that only one instance sees return rows.
 * Notifications go to the outbox (alarm_notification) in the same transaction.
 */
export class AlarmEvaluator {
  private unsubscribe: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly root: EntityManager,
    private readonly bus: PgPubSub,
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
        `SELECT id, name, severity, condition, threshold, task_ids, tags, channel_ids, repeat_interval_seconds
           FROM alarm_rule WHERE workspace_id = ? AND enabled`,
        [run.workspace_id],
      )
    ).filter((r) => ruleMatchesTask({ taskIds: r.task_ids, tags: r.tags }, run.task_id, run.tags ?? []));
    if (rules.length === 0) return;
    let enqueued = false;
    if (run.status === 'SUCCEEDED') {
      enqueued = await this.resolve(em, run, rules);
    } else {
      for (const rule of rules) {
        if (await this.fires(em, rule, run)) enqueued = (await this.raise(em, rule, run)) || enqueued;
      }
    }
    if (enqueued) this.onEnqueued();
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
    }
  }

  /** Raises the rule's alarm for the task, or counts a repeat; true when notifications were enqueued. */
  private async raise(em: EntityManager, rule: RuleRow, run: RunRow): Promise<boolean> {
    const fingerprint = `${rule.id}:${run.task_id}`;
    const title = `Task ${run.task_name} ${run.status === 'TIMED_OUT' ? 'timed out' : 'failed'}`;
    const summary = run.error_message
      ? `Run ${run.id} (attempt ${run.attempt}) ended ${run.status}: ${run.error_message.slice(0, 1000)}`
      : `Run ${run.id} (attempt ${run.attempt}) ended ${run.status}.`;
    const outcome = await em.transactional(async (tx) => {
      // Seen already, or older than what an alarm of this rule and task has seen (another instance
      // processed this event, or later ones, first; the alarm may be resolved since): nothing to do.
      const [seen] = await tx.execute<{ id: string }[]>(
        `SELECT id FROM alarm WHERE rule_id = ? AND fingerprint = ? AND (last_run_id = ? OR last_seen_at >= ?) LIMIT 1`,
        [rule.id, fingerprint, run.id, run.finished_at],
      );
      if (seen) return undefined;
      const [inserted] = await tx.execute<{ id: string }[]>(
        `INSERT INTO alarm (id, rule_id, workspace_id, task_id, fingerprint, status, severity, title, summary, count,
                            first_seen_at, last_seen_at, last_run_id, last_notified_at)
         VALUES (?, ?, ?, ?, ?, 'FIRING', ?, ?, ?, 1, ?, ?, ?, now())
         ON CONFLICT (rule_id, fingerprint) WHERE status = 'FIRING' DO NOTHING RETURNING id`,
        [
          randomUUID(),
          rule.id,
          run.workspace_id,
          run.task_id,
          fingerprint,
          rule.severity,
          title,
          summary,
          run.finished_at,
          run.finished_at,
          run.id,
        ],
      );
      if (inserted) {
        const count = await enqueue(tx, inserted.id, 'FIRING', rule.channel_ids, run.workspace_id, targetOf(rule, run));
        return { alarmId: inserted.id, raised: true, enqueued: count > 0 };
      }
      const [open] = await tx.execute<
        { id: string; last_run_id: string | null; acknowledged_at: Date | null; due: boolean; newer: boolean }[]
      >(
        `SELECT id, last_run_id, acknowledged_at,
                (last_notified_at IS NULL OR now() - last_notified_at >= make_interval(secs => ?)) AS due,
                ?::timestamptz > last_seen_at AS newer
           FROM alarm WHERE rule_id = ? AND fingerprint = ? AND status = 'FIRING' FOR UPDATE`,
        [rule.repeat_interval_seconds, run.finished_at, rule.id, fingerprint],
      );
      // Resolved in between (a later success), or this run was counted (or a later one): older news.
      if (!open || open.last_run_id === run.id || !open.newer) return undefined;
      const notify = open.acknowledged_at === null && open.due;
      await tx.execute(
        `UPDATE alarm SET count = count + 1, last_seen_at = ?, last_run_id = ?, title = ?,
                summary = ?${notify ? ', last_notified_at = now()' : ''} WHERE id = ?`,
        [run.finished_at, run.id, title, summary, open.id],
      );
      const count = notify
        ? await enqueue(tx, open.id, 'REPEAT', rule.channel_ids, run.workspace_id, targetOf(rule, run))
        : 0;
      return { alarmId: open.id, raised: false, enqueued: count > 0 };
    });
    if (!outcome) return false;
    this.logger.info(
      { alarmId: outcome.alarmId, rule: rule.name, taskId: run.task_id, runId: run.id },
      outcome.raised ? 'alarm raised' : 'alarm repeated',
    );
    await publishAlarm(this.bus, outcome.raised ? 'ALARM_RAISED' : 'ALARM_UPDATED', {
      alarmId: outcome.alarmId,
      workspaceId: run.workspace_id,
    });
    return outcome.enqueued;
  }

  /** Resolves the task's firing alarms of these rules raised before the run finished. */
  private async resolve(em: EntityManager, run: RunRow, rules: RuleRow[]): Promise<boolean> {
    const byId = new Map(rules.map((r) => [r.id, r]));
    const resolved = await em.transactional(async (tx) => {
      const rows = await tx.execute<{ id: string; rule_id: string }[]>(
        `UPDATE alarm SET status = 'RESOLVED', resolved_at = now()
          WHERE task_id = ? AND status = 'FIRING' AND rule_id IN (${rules.map(() => '?').join(', ')})
            AND last_seen_at <= ?
          RETURNING id, rule_id`,
        [run.task_id, ...rules.map((r) => r.id), run.finished_at],
      );
      let count = 0;
      for (const row of rows) {
        const rule = byId.get(row.rule_id)!;
        count += await enqueue(tx, row.id, 'RESOLVED', rule.channel_ids, run.workspace_id, targetOf(rule, run));
      }
      return { rows, count };
    });
    for (const row of resolved.rows) {
      this.logger.info({ alarmId: row.id, runId: run.id }, 'alarm resolved');
      await publishAlarm(this.bus, 'ALARM_UPDATED', { alarmId: row.id, workspaceId: run.workspace_id });
    }
    return resolved.count > 0;
  }
}

/**
 * One outbox row per channel of the rule that still exists in the workspace; how many rows will be
 * sent. While a silence or maintenance window matching the alarm is active, the rows are written
 * SUPPRESSED (with what suppressed them) instead: recorded, never sent. That holds for every kind,
 * RESOLVED included: a silenced alarm stays silent until the silence ends.
 */
async function enqueue(
  tx: EntityManager,
  alarmId: string,
  kind: 'FIRING' | 'REPEAT' | 'RESOLVED',
  channelIds: string[],
  workspaceId: string,
  target: SuppressionTarget,
): Promise<number> {
  if (channelIds.length === 0) return 0;
  const suppressedBy = await suppressorOf(tx, workspaceId, target);
  const rows = await tx.execute<{ id: string }[]>(
    `INSERT INTO alarm_notification (id, alarm_id, channel_id, kind, status, suppressed_by)
     SELECT gen_random_uuid(), ?, c.id, ?, ?, ? FROM alarm_channel c
      WHERE c.workspace_id = ? AND c.id IN (${channelIds.map(() => '?').join(', ')})
     RETURNING id`,
    [alarmId, kind, suppressedBy ? 'SUPPRESSED' : 'PENDING', suppressedBy, workspaceId, ...channelIds],
  );
  return suppressedBy ? 0 : rows.length;
}
