import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import type { Logger } from '../../logger.js';
import type { AlarmCondition } from './alarm-rule.entity.js';
import { publishAlarm } from './alarm.service.js';
import { suppressorOf, type SuppressionTarget } from './alarm-suppression.js';

/** An enabled rule as the evaluator and the sweep read it. */
export interface RuleRow {
  id: string;
  name: string;
  severity: string;
  condition: AlarmCondition;
  threshold: number | null;
  duration_seconds: number | null;
  pending_seconds?: number | null;
  task_ids: string[];
  tags: string[];
  channel_ids: string[];
  repeat_interval_seconds: number;
}

/** One sighting of a rule's condition for one task. */
export interface Occurrence {
  workspaceId: string;
  /** The task, or (INSTANCE_DOWN) null with `instanceId` set: one of them names the alarm. */
  taskId: string | null;
  instanceId?: string | null;
  /** The task's tags, for silences and maintenance windows. */
  tags: string[];
  title: string;
  summary: string;
  /** When the condition was seen: a run's finish for run events, the sweep's time for the sweep. */
  seenAt: Date;
  runId: string | null;
  /**
   * Run events are heard by every instance: a sighting of a run already counted (or older than
   * the alarm's last one) is the same event seen twice. The sweep holds a lock instead, and sees
   * the same run again each round (a run still too long): there, every round is a new sighting.
   */
  oncePerRun: boolean;
}

/** What a write changed: whether notifications were enqueued, and the events to publish once committed. */
export interface Written {
  enqueued: boolean;
  events: { topic: 'ALARM_RAISED' | 'ALARM_UPDATED'; alarmId: string; workspaceId: string }[];
}

export const fingerprintOf = (ruleId: string, taskId: string) => `${ruleId}:${taskId}`;

/**
 * Raises, repeats and resolves alarms, with their notifications enqueued in the same transaction
 * (suppressed by silences and maintenance windows); `publish` sends alarmRaised / alarmUpdated once
 * the caller's transaction committed (a subscriber reads the alarm when it hears of it). Shared by
 * the run-event evaluator and the periodic sweep.
 */
export class AlarmWriter {
  constructor(
    private readonly bus: PgPubSub,
    private readonly logger: Logger,
  ) {}

  /** Raises the rule's alarm for the task, or counts a repeat. */
  async raise(em: EntityManager, rule: RuleRow, at: Occurrence): Promise<Written> {
    const fingerprint = fingerprintOf(rule.id, at.taskId ?? at.instanceId ?? '');
    const target: SuppressionTarget = { ruleId: rule.id, taskId: at.taskId, tags: at.tags, severity: rule.severity };
    const outcome = await em.transactional(async (tx) => {
      // A run counts once per rule, whichever instance heard its event first.
      if (at.oncePerRun && at.runId) {
        const [fresh] = await tx.execute<{ run_id: string }[]>(
          'INSERT INTO alarm_run_seen (rule_id, run_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING run_id',
          [rule.id, at.runId],
        );
        if (!fresh) return undefined;
      }
      // Older than a resolved alarm of this rule and task has seen (a late event of a failure that
      // came before the success that resolved it): nothing to raise.
      const [stale] = await tx.execute<{ id: string }[]>(
        `SELECT id FROM alarm WHERE rule_id = ? AND fingerprint = ? AND status <> 'FIRING' AND last_seen_at >= ?
          LIMIT 1`,
        [rule.id, fingerprint, at.seenAt],
      );
      if (stale) return undefined;
      const [inserted] = await tx.execute<{ id: string }[]>(
        `INSERT INTO alarm (id, rule_id, workspace_id, task_id, instance_id, fingerprint, status, severity, title,
                            summary, count, first_seen_at, last_seen_at, last_run_id, last_notified_at)
         VALUES (?, ?, ?, ?, ?, ?, 'FIRING', ?, ?, ?, 1, ?, ?, ?, now())
         ON CONFLICT (rule_id, fingerprint) WHERE status = 'FIRING' DO NOTHING RETURNING id`,
        [
          randomUUID(),
          rule.id,
          at.workspaceId,
          at.taskId,
          at.instanceId ?? null,
          fingerprint,
          rule.severity,
          at.title,
          at.summary,
          at.seenAt,
          at.seenAt,
          at.runId,
        ],
      );
      if (inserted) {
        const count = await enqueue(tx, inserted.id, 'FIRING', rule.channel_ids, at.workspaceId, target);
        return { alarmId: inserted.id, raised: true, enqueued: count > 0 };
      }
      const [open] = await tx.execute<{ id: string; acknowledged_at: Date | null; due: boolean }[]>(
        `SELECT id, acknowledged_at,
                (last_notified_at IS NULL OR now() - last_notified_at >= make_interval(secs => ?)) AS due
           FROM alarm WHERE rule_id = ? AND fingerprint = ? AND status = 'FIRING' FOR UPDATE`,
        [rule.repeat_interval_seconds, rule.id, fingerprint],
      );
      // Resolved in between (a later success): older news.
      if (!open) return undefined;
      const notify = open.acknowledged_at === null && open.due;
      // Counted whatever the order runs finish in; the newest sighting stays the alarm's latest.
      await tx.execute(
        `UPDATE alarm SET count = count + 1, last_notified_at = CASE WHEN ? THEN now() ELSE last_notified_at END,
                last_run_id = CASE WHEN ?::timestamptz >= last_seen_at THEN ? ELSE last_run_id END,
                title = CASE WHEN ?::timestamptz >= last_seen_at THEN ? ELSE title END,
                summary = CASE WHEN ?::timestamptz >= last_seen_at THEN ? ELSE summary END,
                last_seen_at = GREATEST(last_seen_at, ?) WHERE id = ?`,
        [notify, at.seenAt, at.runId, at.seenAt, at.title, at.seenAt, at.summary, at.seenAt, open.id],
      );
      const count = notify ? await enqueue(tx, open.id, 'REPEAT', rule.channel_ids, at.workspaceId, target) : 0;
      return { alarmId: open.id, raised: false, enqueued: count > 0 };
    });
    if (!outcome) return { enqueued: false, events: [] };
    this.logger.info(
      { alarmId: outcome.alarmId, rule: rule.name, taskId: at.taskId, runId: at.runId },
      outcome.raised ? 'alarm raised' : 'alarm repeated',
    );
    const topic = outcome.raised ? 'ALARM_RAISED' : 'ALARM_UPDATED';
    return { enqueued: outcome.enqueued, events: [{ topic, alarmId: outcome.alarmId, workspaceId: at.workspaceId }] };
  }

  /**
   * Resolves the FIRING alarms of these rules that `where` (a condition on `alarm`, with its
   * `params`) picks, each with a RESOLVED notification. The
   * UPDATE … WHERE status = 'FIRING' returns a row to one caller only: instances never both resolve.
   */
  async resolve(
    em: EntityManager,
    rules: RuleRow[],
    where: string,
    params: unknown[],
    context: Record<string, unknown> = {},
  ): Promise<Written> {
    if (rules.length === 0) return { enqueued: false, events: [] };
    const byId = new Map(rules.map((r) => [r.id, r]));
    const resolved = await em.transactional(async (tx) => {
      const rows = await tx.execute<
        { id: string; rule_id: string; task_id: string | null; workspace_id: string; tags: string[] | null }[]
      >(
        `UPDATE alarm SET status = 'RESOLVED', resolved_at = now()
          WHERE status = 'FIRING' AND rule_id IN (${rules.map(() => '?').join(', ')}) AND (${where})
          RETURNING id, rule_id, task_id, workspace_id, (SELECT t.tags FROM task t WHERE t.id = alarm.task_id) AS tags`,
        [...rules.map((r) => r.id), ...params],
      );
      let count = 0;
      for (const row of rows) {
        const rule = byId.get(row.rule_id)!;
        count += await enqueue(tx, row.id, 'RESOLVED', rule.channel_ids, row.workspace_id, {
          ruleId: rule.id,
          taskId: row.task_id,
          tags: row.tags ?? [],
          severity: rule.severity,
        });
      }
      return { rows, count };
    });
    for (const row of resolved.rows)
      this.logger.info({ ...context, alarmId: row.id, taskId: row.task_id }, 'alarm resolved');
    return {
      enqueued: resolved.count > 0,
      events: resolved.rows.map((row) => ({
        topic: 'ALARM_UPDATED' as const,
        alarmId: row.id,
        workspaceId: row.workspace_id,
      })),
    };
  }

  /** Publishes what writes changed (after their transaction committed); whether any enqueued notifications. */
  async publish(written: Written[]): Promise<boolean> {
    for (const w of written)
      for (const e of w.events)
        await publishAlarm(this.bus, e.topic, { alarmId: e.alarmId, workspaceId: e.workspaceId });
    return written.some((w) => w.enqueued);
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
