import { Migration } from '@mikro-orm/migrations';

export class Migration20261124000000_foundation extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE server_instance (
        id uuid PRIMARY KEY,
        name varchar(255) NOT NULL,
        host varchar(255) NOT NULL,
        pid integer NOT NULL,
        address varchar(512) NOT NULL,
        version varchar(64) NOT NULL,
        node_version varchar(64) NOT NULL,
        started_at timestamptz(3) NOT NULL,
        last_heartbeat_at timestamptz(3) NOT NULL,
        stopped_at timestamptz(3) NULL,
        status varchar(8) NOT NULL DEFAULT 'UP' CHECK (status IN ('UP', 'DOWN')),
        rss_bytes bigint NOT NULL DEFAULT 0,
        load_average double precision NOT NULL DEFAULT 0
      )`);
    this.addSql('CREATE INDEX server_instance_status_heartbeat_idx ON server_instance (status, last_heartbeat_at)');
    // Event payloads too large for NOTIFY (8000 bytes): stored here, announced by id.
    this.addSql(`
      CREATE TABLE event_payload (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic varchar(255) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX event_payload_created_at_idx ON event_payload (created_at)');
  }

  override down(): void {
    this.addSql('DROP TABLE event_payload');
    this.addSql('DROP TABLE server_instance');
  }
}
