import { Migration } from '@mikro-orm/migrations';

/**
 * Silences and maintenance windows, the SUPPRESSED notification status (with what suppressed it),
 * and the index the per-channel rate limit counts recent sends with.
 */
export class Migration20261125000000_alarm_suppression extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE alarm_silence (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        rule_ids uuid[] NOT NULL DEFAULT '{}',
        task_ids uuid[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        severities text[] NOT NULL DEFAULT '{}',
        starts_at timestamptz(3) NOT NULL,
        ends_at timestamptz(3) NOT NULL,
        comment text NOT NULL,
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (ends_at >= starts_at)
      )`);
    this.addSql('CREATE INDEX alarm_silence_workspace_ends_idx ON alarm_silence (workspace_id, ends_at)');
    this.addSql(`
      CREATE TABLE alarm_maintenance_window (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        cron varchar(200) NOT NULL,
        timezone varchar(100) NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes >= 1),
        rule_ids uuid[] NOT NULL DEFAULT '{}',
        task_ids uuid[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        severities text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT true,
        comment text NOT NULL DEFAULT '',
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql(
      'CREATE UNIQUE INDEX alarm_maintenance_window_workspace_name_key ON alarm_maintenance_window (workspace_id, lower(name))',
    );
    this.addSql('ALTER TABLE alarm_notification DROP CONSTRAINT alarm_notification_status_check');
    this.addSql(`ALTER TABLE alarm_notification ADD CONSTRAINT alarm_notification_status_check
      CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SUPPRESSED'))`);
    this.addSql('ALTER TABLE alarm_notification ADD COLUMN suppressed_by varchar(100) NULL');
    this.addSql('CREATE INDEX alarm_notification_channel_sent_idx ON alarm_notification (channel_id, sent_at)');
  }

  override down(): void {
    this.addSql('DROP INDEX alarm_notification_channel_sent_idx');
    this.addSql('ALTER TABLE alarm_notification DROP COLUMN suppressed_by');
    this.addSql(`DELETE FROM alarm_notification WHERE status = 'SUPPRESSED'`);
    this.addSql('ALTER TABLE alarm_notification DROP CONSTRAINT alarm_notification_status_check');
    this.addSql(`ALTER TABLE alarm_notification ADD CONSTRAINT alarm_notification_status_check
      CHECK (status IN ('PENDING', 'SENT', 'FAILED'))`);
    this.addSql('DROP TABLE alarm_maintenance_window');
    this.addSql('DROP TABLE alarm_silence');
  }
}
