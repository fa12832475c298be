import { Migration } from '@mikro-orm/migrations';

/** The outcome of a saved datasource's last connection test, for the datasource list. */
export class Migration20261124180000_datasource_last_test extends Migration {
  override up(): void {
    this.addSql(`
      ALTER TABLE datasource
        ADD COLUMN last_tested_at timestamptz(3) NULL,
        ADD COLUMN last_test_ok boolean NULL,
        ADD COLUMN last_test_latency_ms integer NULL,
        ADD COLUMN last_test_server_version text NULL,
        ADD COLUMN last_test_error_code varchar(40) NULL,
        ADD COLUMN last_test_message text NULL`);
  }

  override down(): void {
    this.addSql(`
      ALTER TABLE datasource
        DROP COLUMN last_tested_at,
        DROP COLUMN last_test_ok,
        DROP COLUMN last_test_latency_ms,
        DROP COLUMN last_test_server_version,
        DROP COLUMN last_test_error_code,
        DROP COLUMN last_test_message`);
  }
}
