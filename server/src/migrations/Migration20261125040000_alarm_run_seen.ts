import { Migration } from '@mikro-orm/migrations';

/**
 * The runs each rule has counted: every instance hears every run event, so an event is counted by
 * whichever instance inserts its (rule, run) row first. Failures finishing out of order all count
 * (the order of events used to decide it, and dropped the earlier ones of a storm).
 */
export class Migration20261125040000_alarm_run_seen extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE alarm_run_seen (
        rule_id uuid NOT NULL REFERENCES alarm_rule (id) ON DELETE CASCADE,
        run_id uuid NOT NULL REFERENCES run (id) ON DELETE CASCADE,
        PRIMARY KEY (rule_id, run_id)
      )`);
    this.addSql('CREATE INDEX alarm_run_seen_run_id_idx ON alarm_run_seen (run_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE alarm_run_seen');
  }
}
