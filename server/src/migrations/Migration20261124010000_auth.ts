import { Migration } from '@mikro-orm/migrations';

export class Migration20261124010000_auth extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY,
        email varchar(320) NOT NULL,
        display_name varchar(200) NOT NULL,
        password_hash text NULL,
        auth_source varchar(8) NOT NULL DEFAULT 'LOCAL' CHECK (auth_source IN ('LOCAL', 'LDAP')),
        ldap_dn text NULL,
        disabled boolean NOT NULL DEFAULT false,
        superuser boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        last_login_at timestamptz(3) NULL
      )`);
    this.addSql('CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email))');

    this.addSql(`
      CREATE TABLE workspace (
        id uuid PRIMARY KEY,
        name varchar(100) NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE UNIQUE INDEX workspace_name_key ON workspace (lower(name))');

    this.addSql(`
      CREATE TABLE membership (
        id uuid PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('ADMIN', 'DEVELOPER', 'OPERATOR', 'VIEWER')),
        source varchar(8) NOT NULL DEFAULT 'MANUAL' CHECK (source IN ('MANUAL', 'LDAP')),
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT membership_workspace_id_user_id_unique UNIQUE (workspace_id, user_id)
      )`);
    this.addSql('CREATE INDEX membership_user_idx ON membership (user_id)');

    this.addSql(`
      CREATE TABLE access_token (
        id uuid PRIMARY KEY,
        kind varchar(8) NOT NULL CHECK (kind IN ('SESSION', 'API')),
        token_hash varchar(64) NOT NULL UNIQUE,
        prefix varchar(16) NOT NULL,
        name varchar(100) NULL,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        workspace_id uuid NULL REFERENCES workspace (id) ON DELETE CASCADE,
        role varchar(16) NULL CHECK (role IN ('ADMIN', 'DEVELOPER', 'OPERATOR', 'VIEWER')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NULL,
        revoked_at timestamptz(3) NULL,
        last_used_at timestamptz(3) NULL,
        CHECK (kind = 'SESSION' OR (workspace_id IS NOT NULL AND role IS NOT NULL AND name IS NOT NULL))
      )`);
    this.addSql('CREATE INDEX access_token_user_idx ON access_token (user_id)');
    this.addSql("CREATE INDEX access_token_workspace_idx ON access_token (workspace_id) WHERE kind = 'API'");

    // No foreign keys: an audit record outlives the users and workspaces it names.
    this.addSql(`
      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz(3) NOT NULL DEFAULT now(),
        actor_user_id uuid NULL,
        actor_token_id uuid NULL,
        actor_label varchar(320) NULL,
        workspace_id uuid NULL,
        action varchar(100) NOT NULL,
        target_type varchar(64) NULL,
        target_id varchar(64) NULL,
        client_address varchar(64) NULL,
        outcome varchar(8) NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE')),
        error_code varchar(64) NULL,
        summary jsonb NOT NULL DEFAULT '{}'
      )`);
    this.addSql('CREATE INDEX audit_event_workspace_at_idx ON audit_event (workspace_id, at DESC)');
    this.addSql('CREATE INDEX audit_event_at_idx ON audit_event (at DESC)');

    // Failed logins per account and per client address, shared by every instance.
    this.addSql(`
      CREATE TABLE login_throttle (
        key varchar(400) PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz(3) NOT NULL,
        blocked_until timestamptz(3) NULL
      )`);
  }

  override down(): void {
    for (const table of ['login_throttle', 'audit_event', 'access_token', 'membership', 'workspace', 'app_user']) {
      this.addSql(`DROP TABLE ${table}`);
    }
  }
}
