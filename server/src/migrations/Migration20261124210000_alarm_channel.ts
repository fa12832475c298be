import { Migration } from '@mikro-orm/migrations';

/**
 * Alarm notification channels. Secret settings are sealed in `sealed_secrets` like datasource
 * secrets; `settings` holds the rest. Names are unique per workspace, ignoring case.
 */
export class Migration20261124210000_alarm_channel extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE alarm_channel (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        type varchar(20) NOT NULL CHECK (type IN ('WEBHOOK', 'SLACK', 'DINGTALK', 'FEISHU', 'WECOM', 'EMAIL')),
        settings jsonb NOT NULL DEFAULT '{}',
        sealed_secrets bytea NULL,
        secret_names jsonb NOT NULL DEFAULT '[]',
        description text NOT NULL DEFAULT '',
        enabled boolean NOT NULL DEFAULT true,
        max_per_minute integer NULL CHECK (max_per_minute > 0),
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        updated_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        last_tested_at timestamptz(3) NULL,
        last_test_ok boolean NULL,
        last_test_status integer NULL,
        last_test_message text NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE UNIQUE INDEX alarm_channel_workspace_name_key ON alarm_channel (workspace_id, lower(name))');
  }

  override down(): void {
    this.addSql('DROP TABLE alarm_channel');
  }
}
