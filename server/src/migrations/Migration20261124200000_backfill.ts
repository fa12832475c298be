import { Migration } from '@mikro-orm/migrations';

/**
 * Backfills: runs of a schedule's past occurrences, created up front as PENDING and released in
 * order within the backfill's parallelism. A backfill's runs have no schedule_id (they re-run
 * occurrences that may have fired already, which run_schedule_occurrence_idx would refuse); their
 * own partial unique index gives each occurrence one first attempt per backfill.
 */
export class Migration20261124200000_backfill extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE backfill (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        schedule_id uuid NULL REFERENCES schedule (id) ON DELETE SET NULL,
        cron varchar(200) NOT NULL,
        timezone varchar(64) NOT NULL,
        from_time timestamptz(3) NOT NULL,
        to_time timestamptz(3) NOT NULL,
        parallelism integer NOT NULL CHECK (parallelism BETWEEN 1 AND 32),
        params jsonb NOT NULL DEFAULT '{}',
        status varchar(10) NOT NULL CHECK (status IN ('RUNNING', 'PAUSED', 'CANCELLED', 'SUCCEEDED', 'FAILED')),
        total integer NOT NULL,
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        finished_at timestamptz(3) NULL
      )`);
    this.addSql('CREATE INDEX backfill_workspace_id_created_at_idx ON backfill (workspace_id, created_at DESC)');
    this.addSql('CREATE INDEX backfill_task_id_idx ON backfill (task_id)');
    // The driver's periodic sweep reads the unfinished ones.
    this.addSql("CREATE INDEX backfill_unfinished_idx ON backfill (id) WHERE status IN ('RUNNING', 'PAUSED')");

    this.addSql('ALTER TABLE run ADD COLUMN backfill_id uuid NULL REFERENCES backfill (id) ON DELETE SET NULL');
    this.addSql('ALTER TABLE run DROP CONSTRAINT run_status_check');
    this.addSql(`
      ALTER TABLE run ADD CONSTRAINT run_status_check CHECK (status IN
        ('PENDING', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED', 'TIMED_OUT'))`);
    this.addSql(
      'CREATE UNIQUE INDEX run_backfill_occurrence_idx ON run (backfill_id, scheduled_time) WHERE attempt = 1',
    );
    // Every attempt of a backfill's runs by state: the driver's counts and its release order.
    this.addSql(
      'CREATE INDEX run_backfill_id_status_idx ON run (backfill_id, status, scheduled_time, attempt) WHERE backfill_id IS NOT NULL',
    );
    // The driver's sweep: backfills with runs waiting for their turn.
    this.addSql("CREATE INDEX run_backfill_pending_idx ON run (backfill_id) WHERE status = 'PENDING'");
  }

  override down(): void {
    this.addSql("DELETE FROM run WHERE status = 'PENDING'");
    this.addSql('ALTER TABLE run DROP CONSTRAINT run_status_check');
    this.addSql(`
      ALTER TABLE run ADD CONSTRAINT run_status_check CHECK (status IN
        ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED', 'TIMED_OUT'))`);
    this.addSql('DROP INDEX run_backfill_pending_idx');
    this.addSql('DROP INDEX run_backfill_id_status_idx');
    this.addSql('DROP INDEX run_backfill_occurrence_idx');
    this.addSql('ALTER TABLE run DROP COLUMN backfill_id');
    this.addSql('DROP TABLE backfill');
  }
}
