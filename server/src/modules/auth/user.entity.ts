import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum AuthSource {
  LOCAL = 'LOCAL',
  LDAP = 'LDAP',
}
registerEnumType(AuthSource, { name: 'AuthSource', description: 'Where the password is checked.' });

@Entity({ tableName: 'app_user' })
@ObjectType({ description: 'A person who signs in to Sluice.' })
export class User {
  [OptionalProps]?: 'disabled' | 'superuser' | 'authSource' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'string', length: 320 })
  @Field(() => String)
  email!: string;

  @Property({ type: 'string', length: 200 })
  @Field(() => String)
  displayName!: string;

  /** argon2id PHC string; null for directory (LDAP) users. Never exposed. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  @Property({ type: 'string', length: 8 })
  @Field(() => AuthSource)
  authSource: AuthSource = AuthSource.LOCAL;

  @Property({ type: 'text', nullable: true })
  ldapDn: string | null = null;

  @Property({ type: 'boolean' })
  @Field(() => Boolean)
  disabled = false;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Manages every workspace and user.' })
  superuser = false;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  @Field(() => Date, { nullable: true })
  lastLoginAt: Date | null = null;
}
