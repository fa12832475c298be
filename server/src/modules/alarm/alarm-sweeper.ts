import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.js';
import { AlarmCondition } from './alarm-rule.entity.js';
import { fingerprintOf, type AlarmWriter, type RuleRow, type Written } from './alarm-writer.js';

/** Advisory lock a sweep round holds for its transaction: one instance sweeps at a time. */
const SWEEP_LOCK = 'sluice-alarm-sweep';

/** A task (or, INSTANCE_DOWN, a server instance) for which a swept rule's condition holds now. */
interface Hit {
  rule_id: string;
  task_id: string | null;
  instance_id: string | null;
  workspace_id: string;
  /** The task's name, or the instance's. */
  task_name: string;
  tags: string[] | null;
  /** RUN_LONGER_THAN: the longest-running run; NO_SUCCESS_WITHIN: null. */
  run_id: string | null;
  /** RUN_LONGER_THAN: when that run started; NO_SUCCESS_WITHIN: the last success (null: never); INSTANCE_DOWN: its last heartbeat. */
  since: Date | null;
  now: Date;
}

/** A task in the rule's scope (`r`, `t`): no ids and no tags is every task (as ruleMatchesTask). */
const IN_SCOPE = `t.workspace_id = r.workspace_id
  AND ((cardinality(r.task_ids) = 0 AND cardinality(r.tags) = 0)
       OR t.id = ANY (r.task_ids) OR jsonb_exists_any(t.tags, r.tags))`;

/**
 * Checks the conditions that hold because time passed, not because a run ended (RUN_LONGER_THAN,
 * NO_SUCCESS_WITHIN, INSTANCE_DOWN), every `intervalMs` on every instance; a round runs under a transaction-level
 * advisory try-lock, so one instance sweeps at a time and the others skip the round. One query per
 * condition finds every (rule, task) for which it holds; each is raised (or repeated, at the rule's
 * repeat interval) and every FIRING alarm of these rules not found any more is resolved, through
 * the evaluator's AlarmWriter (same notifications, suppression and events). The writes commit with
 * the round, and the events are published after it.
 */
export class AlarmSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly root: EntityManager,
    private readonly writer: AlarmWriter,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number },
    /** Called when notifications were enqueued (wakes this instance's deliverer). */
    private readonly onEnqueued: () => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private tick(): Promise<void> {
    if (this.running) return this.running; // a slow round: skip this tick
    this.running = this.sweep()
      .then(() => undefined)
      .catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'alarm sweep failed; retried next round'),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One round; null when another instance holds the sweep lock. */
  async sweep(): Promise<{ hits: number } | null> {
    const written = await this.root.fork().transactional(async (tx) => {
      const [lock] = await tx.execute<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtext(?)) AS locked',
        [SWEEP_LOCK],
      );
      if (!lock?.locked) return null;
      const rules = await tx.execute<RuleRow[]>(
        `SELECT id, name, severity, condition, threshold, duration_seconds, pending_seconds, task_ids, tags,
                channel_ids, repeat_interval_seconds
           FROM alarm_rule
          WHERE enabled AND (condition = ? OR (condition IN (?, ?) AND duration_seconds IS NOT NULL))`,
        [AlarmCondition.INSTANCE_DOWN, AlarmCondition.RUN_LONGER_THAN, AlarmCondition.NO_SUCCESS_WITHIN],
      );
      if (rules.length === 0) return { hits: 0, written: [] as Written[] };
      const byId = new Map(rules.map((r) => [r.id, r]));
      const hits = await tx.execute<Hit[]>(
        `SELECT r.id AS rule_id, t.id AS task_id, NULL::uuid AS instance_id, t.workspace_id, t.name AS task_name,
                t.tags, x.id AS run_id, x.started_at AS since, now() AS now
           FROM alarm_rule r
           JOIN task t ON ${IN_SCOPE}
           JOIN LATERAL (
             SELECT id, started_at FROM run
              WHERE task_id = t.id AND status = 'RUNNING'
                AND started_at < now() - make_interval(secs => r.duration_seconds)
              ORDER BY started_at LIMIT 1) x ON true
          WHERE r.id = ANY (?::uuid[]) AND r.condition = ?
         UNION ALL
         SELECT r.id, t.id, NULL, t.workspace_id, t.name, t.tags, NULL, s.last_success, now()
           FROM alarm_rule r
           JOIN task t ON ${IN_SCOPE}
           LEFT JOIN LATERAL (
             SELECT max(finished_at) AS last_success FROM run WHERE task_id = t.id AND status = 'SUCCEEDED') s ON true
          WHERE r.id = ANY (?::uuid[]) AND r.condition = ?
            AND coalesce(s.last_success, t.created_at) < now() - make_interval(secs => r.duration_seconds)
         UNION ALL
         SELECT r.id, NULL, si.id, r.workspace_id, si.name, NULL, NULL, si.last_heartbeat_at, now()
           FROM alarm_rule r CROSS JOIN server_instance si
          WHERE r.id = ANY (?::uuid[]) AND r.condition = ? AND si.status = 'DOWN'`,
        [
          `{${rules.map((r) => r.id).join(',')}}`,
          AlarmCondition.RUN_LONGER_THAN,
          `{${rules.map((r) => r.id).join(',')}}`,
          AlarmCondition.NO_SUCCESS_WITHIN,
          `{${rules.map((r) => r.id).join(',')}}`,
          AlarmCondition.INSTANCE_DOWN,
        ],
      );
      const fingerprints = hits.map((h) => fingerprintOf(h.rule_id, h.task_id ?? h.instance_id ?? ''));
      const due = await this.pendingOver(tx, rules, hits, fingerprints);
      const out: Written[] = [];
      for (const [i, hit] of hits.entries()) {
        if (!due[i]) continue;
        const rule = byId.get(hit.rule_id)!;
        out.push(
          await this.writer.raise(tx, rule, {
            workspaceId: hit.workspace_id,
            taskId: hit.task_id,
            instanceId: hit.instance_id,
            tags: hit.tags ?? [],
            ...textOf(rule, hit),
            seenAt: new Date(hit.now),
            runId: hit.run_id,
            oncePerRun: false,
          }),
        );
      }
      // Alarms of these rules whose condition no longer holds (the run ended; a success came; the
      // instance is UP again or was forgotten).
      out.push(await this.writer.resolve(tx, rules, 'NOT (fingerprint = ANY (?::text[]))', [toPgArray(fingerprints)]));
      return { hits: hits.length, written: out };
    });
    if (!written) return null;
    if (await this.writer.publish(written.written)) this.onEnqueued();
    return { hits: written.hits };
  }

  /**
   * Which hits may fire: those of rules without a pending duration, and those seen in every round
   * for at least the rule's `pendingSeconds`. alarm_pending keeps when each (rule, fingerprint) was
   * first seen holding, and forgets it in the first round that does not see it (the condition
   * cleared, or the rule lost its pending duration: the wait starts over).
   */
  private async pendingOver(
    tx: EntityManager,
    rules: RuleRow[],
    hits: Hit[],
    fingerprints: string[],
  ): Promise<boolean[]> {
    const pendingRules = rules.filter((r) => r.pending_seconds);
    if (pendingRules.length === 0) return hits.map(() => true);
    const ids = toPgArray(pendingRules.map((r) => r.id));
    const waiting = hits
      .map((h, i) => ({ h, f: fingerprints[i]! }))
      .filter((x) => pendingRules.some((r) => r.id === x.h.rule_id));
    await tx.execute(
      `DELETE FROM alarm_pending p WHERE p.rule_id = ANY (?::uuid[])
          AND NOT EXISTS (SELECT 1 FROM unnest(?::uuid[], ?::text[]) AS w(rule_id, fingerprint)
                           WHERE w.rule_id = p.rule_id AND w.fingerprint = p.fingerprint)`,
      [
        toPgArray(rules.map((r) => r.id)),
        toPgArray(waiting.map((x) => x.h.rule_id)),
        toPgArray(waiting.map((x) => x.f)),
      ],
    );
    if (waiting.length > 0)
      await tx.execute(
        `INSERT INTO alarm_pending (rule_id, fingerprint, since)
         SELECT rule_id, fingerprint, now() FROM unnest(?::uuid[], ?::text[]) AS w(rule_id, fingerprint)
         ON CONFLICT (rule_id, fingerprint) DO NOTHING`,
        [toPgArray(waiting.map((x) => x.h.rule_id)), toPgArray(waiting.map((x) => x.f))],
      );
    const over = await tx.execute<{ rule_id: string; fingerprint: string }[]>(
      `SELECT p.rule_id, p.fingerprint FROM alarm_pending p JOIN alarm_rule r ON r.id = p.rule_id
        WHERE p.rule_id = ANY (?::uuid[]) AND p.since <= now() - make_interval(secs => r.pending_seconds)`,
      [ids],
    );
    const ready = new Set(over.map((o) => `${o.rule_id}|${o.fingerprint}`));
    return hits.map(
      (h, i) => !pendingRules.some((r) => r.id === h.rule_id) || ready.has(`${h.rule_id}|${fingerprints[i]}`),
    );
  }
}

function textOf(rule: RuleRow, hit: Hit): { title: string; summary: string } {
  if (rule.condition === AlarmCondition.INSTANCE_DOWN)
    return {
      title: `Server instance ${hit.task_name} is down`,
      summary: `Its last heartbeat was at ${new Date(hit.since!).toISOString()}.`,
    };
  const duration = formatDuration(rule.duration_seconds ?? 0);
  if (rule.condition === AlarmCondition.RUN_LONGER_THAN)
    return {
      title: `Task ${hit.task_name} has been running longer than ${duration}`,
      summary: `Run ${hit.run_id} has been running since ${new Date(hit.since!).toISOString()}.`,
    };
  return {
    title: `Task ${hit.task_name} has not succeeded within ${duration}`,
    summary: hit.since
      ? `Its last successful run finished at ${new Date(hit.since).toISOString()}.`
      : 'It has never run successfully.',
  };
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A PostgreSQL array literal of fingerprints (uuids and a colon: nothing to quote). */
const toPgArray = (items: string[]) => `{${items.join(',')}}`;
