import { Migration } from '@mikro-orm/migrations';

/**
 * INSTANCE_DOWN rules: their alarms are about a server instance, not a task (task_id null,
 * instance_id set; no foreign key: an instance forgotten by the cluster resolves its alarm).
 */
export class Migration20261125020000_alarm_instance_down extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE alarm_rule DROP CONSTRAINT alarm_rule_condition_check');
    this.addSql(`ALTER TABLE alarm_rule ADD CONSTRAINT alarm_rule_condition_check
      CHECK (condition IN ('RUN_FAILED', 'RUN_TIMED_OUT', 'CONSECUTIVE_FAILURES', 'RUN_LONGER_THAN', 'NO_SUCCESS_WITHIN',
                           'INSTANCE_DOWN'))`);
    this.addSql('ALTER TABLE alarm ALTER COLUMN task_id DROP NOT NULL');
    this.addSql('ALTER TABLE alarm ADD COLUMN instance_id uuid NULL');
    this.addSql(
      'ALTER TABLE alarm ADD CONSTRAINT alarm_target_check CHECK ((task_id IS NULL) <> (instance_id IS NULL))',
    );
  }

  override down(): void {
    this.addSql('DELETE FROM alarm WHERE task_id IS NULL');
    this.addSql('ALTER TABLE alarm DROP CONSTRAINT alarm_target_check');
    this.addSql('ALTER TABLE alarm DROP COLUMN instance_id');
    this.addSql('ALTER TABLE alarm ALTER COLUMN task_id SET NOT NULL');
    this.addSql(`DELETE FROM alarm_rule WHERE condition = 'INSTANCE_DOWN'`);
    this.addSql('ALTER TABLE alarm_rule DROP CONSTRAINT alarm_rule_condition_check');
    this.addSql(`ALTER TABLE alarm_rule ADD CONSTRAINT alarm_rule_condition_check
      CHECK (condition IN ('RUN_FAILED', 'RUN_TIMED_OUT', 'CONSECUTIVE_FAILURES', 'RUN_LONGER_THAN', 'NO_SUCCESS_WITHIN'))`);
  }
}
