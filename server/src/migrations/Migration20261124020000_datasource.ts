import { Migration } from '@mikro-orm/migrations';

export class Migration20261124020000_datasource extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE datasource (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        type varchar(40) NOT NULL,
        options jsonb NOT NULL DEFAULT '{}',
        sealed_secrets bytea NULL,
        secret_names jsonb NOT NULL DEFAULT '[]',
        description text NOT NULL DEFAULT '',
        tags jsonb NOT NULL DEFAULT '[]',
        created_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        updated_by_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE UNIQUE INDEX datasource_workspace_name_key ON datasource (workspace_id, lower(name))');
    this.addSql('CREATE INDEX datasource_workspace_id_type_index ON datasource (workspace_id, type)');
  }

  override down(): void {
    this.addSql('DROP TABLE datasource');
  }
}
