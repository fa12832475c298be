import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from './role.js';
import { User } from './user.entity.js';
import { Workspace } from './workspace.entity.js';

export enum MembershipSource {
  MANUAL = 'MANUAL',
  LDAP = 'LDAP',
}
registerEnumType(MembershipSource, {
  name: 'MembershipSource',
  description: 'LDAP memberships follow the directory groups at every login; MANUAL ones are managed in Sluice.',
});

@Entity({ tableName: 'membership' })
@Unique({ properties: ['workspace', 'user'] })
@ObjectType({ description: "A user's role in a workspace." })
export class Membership {
  [OptionalProps]?: 'source' | 'disabled' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @ManyToOne({ entity: () => Workspace, deleteRule: 'cascade' })
  @Field(() => Workspace)
  workspace!: Workspace;

  @ManyToOne({ entity: () => User, deleteRule: 'cascade' })
  @Field(() => User)
  user!: User;

  @Property({ type: 'string', length: 16 })
  @Field(() => Role)
  role!: Role;

  @Property({ type: 'string', length: 8 })
  @Field(() => MembershipSource)
  source: MembershipSource = MembershipSource.MANUAL;

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'A disabled member keeps the membership but can do nothing in the workspace.' })
  disabled = false;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
