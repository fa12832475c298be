import { getCreateIndexesSQL, getCreateTableSQL, getUpdateTimestampTriggerSQL } from '@agendajs/postgres-backend';
import { Migration } from '@mikro-orm/migrations';

/** Agenda's job table: created here once, never raced by instances starting together. */
export const AGENDA_TABLE = 'agenda_jobs';

export class Migration20261124040000_run extends Migration {
  override up(): void {
    this.addSql(getCreateTableSQL(AGENDA_TABLE));
    for (const sql of getCreateIndexesSQL(AGENDA_TABLE)) this.addSql(sql);
    this.addSql(getUpdateTimestampTriggerSQL(AGENDA_TABLE));

    this.addSql(`
      CREATE TABLE run (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        task_version_id uuid NOT NULL REFERENCES task_version (id) ON DELETE CASCADE,
        version_number integer NOT NULL,
        first_run_id uuid NULL REFERENCES run (id) ON DELETE CASCADE,
        attempt integer NOT NULL DEFAULT 1,
        trigger varchar(10) NOT NULL CHECK (trigger IN ('MANUAL', 'SCHEDULE', 'RETRY', 'BACKFILL', 'API')),
        triggered_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        triggered_by_label varchar(200) NOT NULL DEFAULT '',
        params jsonb NOT NULL DEFAULT '{}',
        sealed_params bytea NULL,
        status varchar(12) NOT NULL CHECK (status IN
          ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED', 'TIMED_OUT')),
        not_before timestamptz(3) NULL,
        queued_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3) NULL,
        finished_at timestamptz(3) NULL,
        instance_id uuid NULL,
        lease_expires_at timestamptz(3) NULL,
        cancel_requested_at timestamptz(3) NULL,
        error_code varchar(40) NULL,
        error_message text NULL,
        metrics jsonb NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX run_task_id_queued_at_idx ON run (task_id, queued_at DESC)');
    this.addSql('CREATE INDEX run_workspace_id_queued_at_idx ON run (workspace_id, queued_at DESC)');
    this.addSql('CREATE INDEX run_first_run_id_idx ON run (first_run_id) WHERE first_run_id IS NOT NULL');
    this.addSql(
      "CREATE INDEX run_active_idx ON run (workspace_id, task_id) WHERE status IN ('QUEUED', 'RUNNING', 'CANCELLING')",
    );
    this.addSql("CREATE INDEX run_lease_idx ON run (lease_expires_at) WHERE status IN ('RUNNING', 'CANCELLING')");

    // One row a log line; (run_id, seq) orders a run's lines and makes a replay gap-free.
    this.addSql(`
      CREATE TABLE run_log (
        run_id uuid NOT NULL REFERENCES run (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        time timestamptz(3) NOT NULL,
        level varchar(5) NOT NULL CHECK (level IN ('DEBUG', 'INFO', 'WARN', 'ERROR')),
        origin varchar(6) NOT NULL CHECK (origin IN ('ENGINE', 'HOOK', 'SYSTEM')),
        message text NOT NULL,
        PRIMARY KEY (run_id, seq)
      )`);
    this.addSql('CREATE INDEX run_log_time_idx ON run_log (time)');

    this.addSql(`
      CREATE TABLE run_metric (
        run_id uuid NOT NULL REFERENCES run (id) ON DELETE CASCADE,
        time timestamptz(3) NOT NULL,
        sample jsonb NOT NULL,
        PRIMARY KEY (run_id, time)
      )`);
    this.addSql('CREATE INDEX run_metric_time_idx ON run_metric (time)');
  }

  override down(): void {
    this.addSql('DROP TABLE run_metric');
    this.addSql('DROP TABLE run_log');
    this.addSql('DROP TABLE run');
    this.addSql(`DROP TABLE ${AGENDA_TABLE}`);
  }
}
