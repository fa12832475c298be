import type { EntityManager } from '@mikro-orm/postgresql';
import { occurrencesBetween } from '../schedule/index.js';

/** What silences and maintenance windows match on; each list empty = anything. */
export interface Matchers {
  ruleIds: string[];
  taskIds: string[];
  tags: string[];
  severities: string[];
}

/** The alarm a notification is about, as the matchers see it. */
export interface SuppressionTarget {
  ruleId: string;
  /** Null for an instance's alarm: task matchers never take it. */
  taskId: string | null;
  /** The task's tags. */
  tags: string[];
  severity: string;
}

/** Every non-empty matcher must take the alarm (AND); a task matches a tag list by any of its tags. */
export function matchesAlarm(m: Matchers, target: SuppressionTarget): boolean {
  return (
    (m.ruleIds.length === 0 || m.ruleIds.includes(target.ruleId)) &&
    (m.taskIds.length === 0 || (target.taskId !== null && m.taskIds.includes(target.taskId))) &&
    (m.tags.length === 0 || m.tags.some((t) => target.tags.includes(t))) &&
    (m.severities.length === 0 || m.severities.includes(target.severity))
  );
}

/**
 * Whether a window opening at each occurrence of `cron` and lasting `durationMinutes` is open at
 * `at`: the latest occurrence at or before `at` is less than the duration old, i.e. some occurrence
 * lies in (at − duration, at]. One occurrence is enough to answer, so the search stops there.
 */
export function isWindowOpen(
  window: { cron: string; timezone: string; durationMinutes: number },
  at: Date = new Date(),
): boolean {
  const from = new Date(at.getTime() - window.durationMinutes * 60_000);
  try {
    return occurrencesBetween({ cron: window.cron, timezone: window.timezone }, from, at, 1).times.length > 0;
  } catch {
    return false; // stored windows are validated; an expression that no longer parses opens nothing
  }
}

interface MatcherRow {
  id: string;
  rule_ids: string[];
  task_ids: string[];
  tags: string[];
  severities: string[];
}

const matchersOf = (row: MatcherRow): Matchers => ({
  ruleIds: row.rule_ids ?? [],
  taskIds: row.task_ids ?? [],
  tags: row.tags ?? [],
  severities: row.severities ?? [],
});

/**
 * What suppresses a notification of the alarm now: `silence:<id>` for an active silence,
 * `maintenance:<id>` for an enabled, open maintenance window, or null. Read in the transaction that
 * writes the notification, so a silence committed before the run event was evaluated applies.
 */
export async function suppressorOf(
  tx: EntityManager,
  workspaceId: string,
  target: SuppressionTarget,
): Promise<string | null> {
  const silences = await tx.execute<MatcherRow[]>(
    `SELECT id, rule_ids, task_ids, tags, severities FROM alarm_silence
      WHERE workspace_id = ? AND starts_at <= now() AND ends_at > now() ORDER BY created_at, id`,
    [workspaceId],
  );
  const silence = silences.find((s) => matchesAlarm(matchersOf(s), target));
  if (silence) return `silence:${silence.id}`;
  const windows = await tx.execute<(MatcherRow & { cron: string; timezone: string; duration_minutes: number })[]>(
    `SELECT id, rule_ids, task_ids, tags, severities, cron, timezone, duration_minutes FROM alarm_maintenance_window
      WHERE workspace_id = ? AND enabled ORDER BY created_at, id`,
    [workspaceId],
  );
  const matching = windows.filter((w) => matchesAlarm(matchersOf(w), target));
  if (matching.length === 0) return null;
  // The database's clock, as for silences: instances' clocks may differ a little.
  const [clock] = await tx.execute<{ now: Date }[]>('SELECT now() AS now');
  const at = clock ? new Date(clock.now) : new Date();
  const open = matching.find((w) =>
    isWindowOpen({ cron: w.cron, timezone: w.timezone, durationMinutes: w.duration_minutes }, at),
  );
  return open ? `maintenance:${open.id}` : null;
}
