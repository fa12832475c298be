import { Migration } from '@mikro-orm/migrations';

/**
 * Alarm rules, alarm records and the notification outbox. At most one FIRING alarm per rule and
 * fingerprint (a partial unique index): instances that evaluate the same run event race on it.
 */
export class Migration20261124220000_alarm extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE alarm_rule (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        severity varchar(10) NOT NULL CHECK (severity IN ('CRITICAL', 'WARNING', 'INFO')),
        condition varchar(30) NOT NULL CHECK (condition IN ('RUN_FAILED', 'RUN_TIMED_OUT', 'CONSECUTIVE_FAILURES')),
        threshold integer NULL CHECK (threshold >= 2),
        task_ids uuid[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        channel_ids uuid[] NOT NULL DEFAULT '{}',
        repeat_interval_seconds integer NOT NULL DEFAULT 3600 CHECK (repeat_interval_seconds >= 60),
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE UNIQUE INDEX alarm_rule_workspace_name_key ON alarm_rule (workspace_id, lower(name))');
    this.addSql(`
      CREATE TABLE alarm (
        id uuid PRIMARY KEY,
        rule_id uuid NOT NULL REFERENCES alarm_rule (id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        fingerprint varchar(100) NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('FIRING', 'RESOLVED')),
        severity varchar(10) NOT NULL,
        title text NOT NULL,
        summary text NOT NULL,
        count integer NOT NULL DEFAULT 1,
        first_seen_at timestamptz(3) NOT NULL,
        last_seen_at timestamptz(3) NOT NULL,
        last_run_id uuid NULL,
        last_notified_at timestamptz(3) NULL,
        acknowledged_at timestamptz(3) NULL,
        acknowledged_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        ack_comment text NULL,
        resolved_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE UNIQUE INDEX alarm_firing_key ON alarm (rule_id, fingerprint) WHERE status = 'FIRING'`);
    this.addSql('CREATE INDEX alarm_rule_fingerprint_idx ON alarm (rule_id, fingerprint, last_run_id)');
    this.addSql('CREATE INDEX alarm_workspace_created_idx ON alarm (workspace_id, created_at DESC)');
    this.addSql(`
      CREATE TABLE alarm_notification (
        id uuid PRIMARY KEY,
        alarm_id uuid NOT NULL REFERENCES alarm (id) ON DELETE CASCADE,
        channel_id uuid NULL REFERENCES alarm_channel (id) ON DELETE SET NULL,
        kind varchar(10) NOT NULL CHECK (kind IN ('FIRING', 'REPEAT', 'RESOLVED')),
        status varchar(10) NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3) NOT NULL DEFAULT now(),
        last_error text NULL,
        last_status integer NULL,
        sent_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT clock_timestamp()
      )`);
    this.addSql('CREATE INDEX alarm_notification_alarm_idx ON alarm_notification (alarm_id)');
    this.addSql(
      `CREATE INDEX alarm_notification_pending_idx ON alarm_notification (next_attempt_at) WHERE status = 'PENDING'`,
    );
  }

  override down(): void {
    this.addSql('DROP TABLE alarm_notification');
    this.addSql('DROP TABLE alarm');
    this.addSql('DROP TABLE alarm_rule');
  }
}
