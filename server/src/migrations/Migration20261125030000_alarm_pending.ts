import { Migration } from '@mikro-orm/migrations';

/**
 * A rule's pending duration (swept conditions only), and when the sweep first saw each condition
 * that holds and has not fired yet (or is firing): a row per rule and fingerprint.
 */
export class Migration20261125030000_alarm_pending extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE alarm_rule ADD COLUMN pending_seconds integer NULL CHECK (pending_seconds >= 1)');
    this.addSql(`
      CREATE TABLE alarm_pending (
        rule_id uuid NOT NULL REFERENCES alarm_rule (id) ON DELETE CASCADE,
        fingerprint varchar(100) NOT NULL,
        since timestamptz(3) NOT NULL,
        PRIMARY KEY (rule_id, fingerprint)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE alarm_pending');
    this.addSql('ALTER TABLE alarm_rule DROP COLUMN pending_seconds');
  }
}
