import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.js';
import { AlarmChannel } from './alarm-channel.entity.js';
import type { AlarmChannelService } from './alarm-channel.service.js';
import { sendToChannel, type AlarmMessage, type DeliveryResult, type SendOptions } from './channels/index.js';

/** Attempts before a notification is given up (FAILED). */
export const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 10 * 60_000;
const BATCH = 20;
/** Advisory lock namespace for a channel's rate limit. */
const RATE_LOCK = 'sluice-alarm-channel-rate';

interface Due {
  id: string;
  alarm_id: string;
  channel_id: string | null;
  kind: 'FIRING' | 'REPEAT' | 'RESOLVED';
  attempts: number;
  severity: AlarmMessage['severity'];
  title: string;
  summary: string;
  count: number;
  task_id: string | null;
  task_name: string | null;
  instance_id: string | null;
  instance_name: string | null;
  last_run_id: string | null;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  rule_name: string;
  workspace_name: string;
}

/** How long to wait before attempt `attempts + 1` after `attempts` failed ones. */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/**
 * Sends the alarm notification outbox, on every instance: each round takes due PENDING rows with
 * FOR UPDATE SKIP LOCKED and sends them inside that transaction, so two instances never send the
 * same row and a row whose instance died before committing stays PENDING for any other one. (An
 * instance that dies after the receiver accepted but before the commit makes it send again: at
 * least once, exactly once otherwise.)
 */
export class AlarmDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Cancels attempts in flight at shutdown (a cancelled attempt is retried, by any instance). */
  private abort = new AbortController();

  constructor(
    private readonly root: EntityManager,
    private readonly channels: AlarmChannelService,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; retryBaseMs: number; sendOptions?: SendOptions },
  ) {}

  start(): void {
    this.stopped = false;
    this.abort = new AbortController();
    this.timer = setInterval(() => void this.kick(), this.options.intervalMs);
    this.timer.unref();
    void this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
  }

  /** Delivers what is due now, or once more after the round in progress. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.deliverBatch()) === BATCH);
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'alarm delivery round failed; retried next round');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One batch in one transaction; how many rows it took. */
  async deliverBatch(): Promise<number> {
    const em = this.root.fork();
    return em.transactional(async (tx) => {
      const due = await tx.execute<Due[]>(
        `SELECT n.id, n.alarm_id, n.channel_id, n.kind, n.attempts, a.severity, a.title, a.summary, a.count,
                a.task_id, t.name AS task_name, a.instance_id, si.name AS instance_name, a.last_run_id, a.first_seen_at, a.last_seen_at, a.resolved_at,
                r.name AS rule_name, w.name AS workspace_name
           FROM alarm_notification n
           JOIN alarm a ON a.id = n.alarm_id
           JOIN alarm_rule r ON r.id = a.rule_id
           JOIN workspace w ON w.id = a.workspace_id
           LEFT JOIN task t ON t.id = a.task_id
           LEFT JOIN server_instance si ON si.id = a.instance_id
          WHERE n.status = 'PENDING' AND n.next_attempt_at <= now()
          ORDER BY n.created_at LIMIT ${BATCH}
          FOR UPDATE OF n SKIP LOCKED`,
      );
      for (const row of due) await this.deliver(tx, row);
      return due.length;
    });
  }

  private async deliver(tx: EntityManager, row: Due): Promise<void> {
    const channel = row.channel_id ? await tx.findOne(AlarmChannel, { id: row.channel_id }) : null;
    let result: DeliveryResult;
    if (!channel) {
      result = { ok: false, error: 'The channel was deleted', retryable: false, durationMs: 0 };
    } else if (!channel.enabled) {
      result = { ok: false, error: 'The channel is disabled', retryable: false, durationMs: 0 };
    } else if (channel.maxPerMinute !== null && !(await this.withinRateLimit(tx, row, channel))) {
      return;
    } else {
      try {
        const secrets = await this.channels.secretsOf(tx, channel);
        result = await sendToChannel(channel.type, channel.settings, secrets, messageOf(row), {
          ...this.options.sendOptions,
          signal: this.abort.signal,
        });
      } catch (err) {
        // E.g. the secret key is missing or wrong on this instance: another may have it.
        result = { ok: false, error: (err as Error).message, retryable: true, durationMs: 0 };
      }
    }
    const attempts = row.attempts + 1;
    const status = result.ok ? 'SENT' : !result.retryable || attempts >= MAX_ATTEMPTS ? 'FAILED' : 'PENDING';
    const delayMs = status === 'PENDING' ? backoffMs(attempts, this.options.retryBaseMs) : 0;
    await tx.execute(
      `UPDATE alarm_notification SET status = ?, attempts = ?, last_error = ?, last_status = ?,
              sent_at = ${result.ok ? 'clock_timestamp()' : 'NULL'}, next_attempt_at = now() + make_interval(secs => ?)
        WHERE id = ?`,
      [status, attempts, result.ok ? null : (result.error ?? 'failed'), result.status ?? null, delayMs / 1000, row.id],
    );
    const log = { notificationId: row.id, alarmId: row.alarm_id, kind: row.kind, attempts, status: result.status };
    if (result.ok) this.logger.info(log, 'alarm notification sent');
    else this.logger.warn({ ...log, outcome: status }, 'alarm notification not delivered');
  }

  /**
   * The channel's `maxPerMinute`: counts its notifications SENT in the last 60 s (this
   * transaction's own sends included) under a per-channel transaction lock, so instances delivering
   * at once cannot both take the last slot. Over the limit, the row stays PENDING, its attempts
   * untouched, due again when the oldest counted send leaves the window: a storm is delayed, not
   * dropped nor doubled. When another instance holds the channel's lock, the row is left as it is
   * for a second (a try-lock: waiting could deadlock two batches over two channels). Sends are
   * stamped with the clock (not the transaction's start), so the window is measured in real time.
   */
  private async withinRateLimit(tx: EntityManager, row: Due, channel: AlarmChannel): Promise<boolean> {
    const limit = channel.maxPerMinute ?? 0;
    const [lock] = await tx.execute<{ locked: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock(hashtext(?), hashtext(?)) AS locked',
      [RATE_LOCK, channel.id],
    );
    if (!lock?.locked) {
      // Soon again, not at once: this round would only take the same rows again.
      await tx.execute(
        `UPDATE alarm_notification SET next_attempt_at = clock_timestamp() + interval '1 second' WHERE id = ?`,
        [row.id],
      );
      return false;
    }
    // The limit-th newest send in the window: once it is 60 s old, a slot is free.
    const [blocking] = await tx.execute<{ frees_at: Date }[]>(
      `SELECT sent_at + interval '60 seconds' AS frees_at FROM alarm_notification
        WHERE channel_id = ? AND status = 'SENT' AND sent_at > clock_timestamp() - interval '60 seconds'
        ORDER BY sent_at DESC OFFSET ? LIMIT 1`,
      [channel.id, Math.max(0, limit - 1)],
    );
    if (!blocking && limit > 0) return true;
    const freesAt = blocking ? new Date(blocking.frees_at) : new Date(Date.now() + 60_000);
    await tx.execute('UPDATE alarm_notification SET next_attempt_at = ? WHERE id = ?', [freesAt, row.id]);
    this.logger.info(
      { notificationId: row.id, alarmId: row.alarm_id, channelId: channel.id, until: freesAt.toISOString() },
      'alarm notification delayed by its channel rate limit',
    );
    return false;
  }
}

function messageOf(row: Due): AlarmMessage {
  const fields = [
    row.task_id
      ? { label: 'Task', value: row.task_name ?? row.task_id }
      : { label: 'Instance', value: row.instance_name ?? row.instance_id ?? '' },
    { label: 'Rule', value: row.rule_name },
    { label: 'Count', value: String(row.count) },
  ];
  if (row.last_run_id) fields.push({ label: 'Last run', value: row.last_run_id });
  return {
    kind: row.kind,
    severity: row.severity,
    title: row.kind === 'RESOLVED' ? `Resolved: ${row.title}` : row.title,
    summary: row.summary,
    fields,
    alarmId: row.alarm_id,
    ruleName: row.rule_name,
    workspace: row.workspace_name,
    occurredAt: new Date(row.kind === 'RESOLVED' ? (row.resolved_at ?? row.last_seen_at) : row.last_seen_at),
  };
}
