import { Migration } from '@mikro-orm/migrations';

/** The time-based rule conditions checked by the alarm sweep, and their duration. */
export class Migration20261125010000_alarm_sweep extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE alarm_rule DROP CONSTRAINT alarm_rule_condition_check');
    this.addSql(`ALTER TABLE alarm_rule ADD CONSTRAINT alarm_rule_condition_check
      CHECK (condition IN ('RUN_FAILED', 'RUN_TIMED_OUT', 'CONSECUTIVE_FAILURES', 'RUN_LONGER_THAN', 'NO_SUCCESS_WITHIN'))`);
    this.addSql('ALTER TABLE alarm_rule ADD COLUMN duration_seconds integer NULL CHECK (duration_seconds >= 1)');
  }

  override down(): void {
    this.addSql(`DELETE FROM alarm_rule WHERE condition IN ('RUN_LONGER_THAN', 'NO_SUCCESS_WITHIN')`);
    this.addSql('ALTER TABLE alarm_rule DROP COLUMN duration_seconds');
    this.addSql('ALTER TABLE alarm_rule DROP CONSTRAINT alarm_rule_condition_check');
    this.addSql(`ALTER TABLE alarm_rule ADD CONSTRAINT alarm_rule_condition_check
      CHECK (condition IN ('RUN_FAILED', 'RUN_TIMED_OUT', 'CONSECUTIVE_FAILURES'))`);
  }
}
