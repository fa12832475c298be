import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from './role.js';
import { User } from './user.entity.js';
import { Workspace } from './workspace.entity.js';

export enum TokenKind {
  SESSION = 'SESSION',
  API = 'API',
}

export enum TokenStatus {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
}
registerEnumType(TokenStatus, { name: 'TokenStatus' });

/**
 * A bearer credential: a login session, or an API token for another tool (scoped to one workspace
 * and role). Only a SHA-256 of the secret is stored; the secret is shown once, when created.
 */
@Entity({ tableName: 'access_token' })
@ObjectType('ApiToken', { description: 'A token another tool uses to call the API, scoped to one workspace and role.' })
export class AccessToken {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'name' | 'workspace' | 'role';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', length: 8 })
  kind!: TokenKind;

  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  @Property({ type: 'string', length: 16 })
  @Field(() => String, { description: 'The first characters of the secret, to recognise it.' })
  prefix!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  @Field(() => String)
  name: string | null = null;

  /** The session's user, or the API token's creator (the token never outranks them). */
  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  @Field(() => User, { description: 'Who created the token.' })
  user!: User;

  @ManyToOne({ entity: () => Workspace, nullable: true, deleteRule: 'cascade' })
  @Field(() => Workspace)
  workspace: Workspace | null = null;

  @Property({ type: 'string', length: 16, nullable: true })
  @Field(() => Role)
  role: Role | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Updated at most once a minute.' })
  lastUsedAt: Date | null = null;

  status(now = new Date()): TokenStatus {
    if (this.revokedAt) return TokenStatus.REVOKED;
    if (this.expiresAt && this.expiresAt <= now) return TokenStatus.EXPIRED;
    return TokenStatus.ACTIVE;
  }
}

/** Ends every session of `userId` (but `keepTokenId`, the caller's own, when given). API tokens stay. */
export async function revokeSessions(em: EntityManager, userId: string, keepTokenId?: string): Promise<void> {
  await em.getConnection().execute(
    `UPDATE access_token SET revoked_at = now()
       WHERE user_id = ? AND kind = 'SESSION' AND revoked_at IS NULL AND id IS DISTINCT FROM ?`,
    [userId, keepTokenId ?? null],
  );
}
