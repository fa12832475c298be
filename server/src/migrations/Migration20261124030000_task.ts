import { Migration } from '@mikro-orm/migrations';

export class Migration20261124030000_task extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE task (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        tags jsonb NOT NULL DEFAULT '[]',
        owner_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        mode varchar(10) NOT NULL CHECK (mode IN ('BATCH', 'STREAMING')),
        engine varchar(10) NOT NULL CHECK (engine IN ('EMBEDDED', 'SEATUNNEL')),
        config json NOT NULL, -- json keeps the key order users wrote
        variables jsonb NOT NULL DEFAULT '[]',
        pre_hooks jsonb NOT NULL DEFAULT '[]',
        post_hooks jsonb NOT NULL DEFAULT '[]',
        run_policy jsonb NOT NULL,
        sealed_secrets bytea NULL,
        version integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE UNIQUE INDEX task_workspace_name_key ON task (workspace_id, lower(name))');
    this.addSql(`
      CREATE TABLE task_version (
        id uuid PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        number integer NOT NULL,
        content json NOT NULL,
        author_id uuid NULL REFERENCES app_user (id) ON DELETE SET NULL,
        message text NOT NULL DEFAULT '',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT task_version_task_id_number_unique UNIQUE (task_id, number)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE task_version');
    this.addSql('DROP TABLE task');
  }
}
