import { Migration } from '@mikro-orm/migrations';

/**
 * Schedules, and the link from a run to the occurrence that fired it. The partial unique index is
 * what makes an occurrence fire once: whichever instance (or Agenda re-run) inserts second fails.
 */
export class Migration20261124190000_schedule extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE schedule (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        cron varchar(200) NOT NULL,
        timezone varchar(64) NOT NULL,
        start_at timestamptz(3) NULL,
        end_at timestamptz(3) NULL,
        enabled boolean NOT NULL DEFAULT true,
        params jsonb NOT NULL DEFAULT '{}',
        misfire_policy varchar(10) NOT NULL CHECK (misfire_policy IN ('SKIP', 'RUN_ONCE', 'RUN_ALL')),
        misfire_cap integer NOT NULL DEFAULT 10,
        catch_up_window_seconds integer NULL,
        last_fire_at timestamptz(3) NULL,
        handled_until timestamptz(3) NULL,
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX schedule_workspace_id_idx ON schedule (workspace_id)');
    this.addSql('CREATE INDEX schedule_task_id_idx ON schedule (task_id)');

    this.addSql(`
      ALTER TABLE run
        ADD COLUMN schedule_id uuid NULL REFERENCES schedule (id) ON DELETE SET NULL,
        ADD COLUMN scheduled_time timestamptz(3) NULL`);
    this.addSql(
      'CREATE UNIQUE INDEX run_schedule_occurrence_idx ON run (schedule_id, scheduled_time) WHERE attempt = 1',
    );
  }

  override down(): void {
    this.addSql('DROP INDEX run_schedule_occurrence_idx');
    this.addSql('ALTER TABLE run DROP COLUMN schedule_id, DROP COLUMN scheduled_time');
    this.addSql('DROP TABLE schedule');
  }
}
