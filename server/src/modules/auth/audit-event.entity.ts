import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum AuditOutcome {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
}
registerEnumType(AuditOutcome, { name: 'AuditOutcome' });

/**
 * One mutation: who, where, what, on which target, from which address, and a summary of the input
 * with every secret-looking field redacted. No foreign keys: the record outlives what it names.
 */
@Entity({ tableName: 'audit_event' })
@ObjectType({ description: 'A recorded change (every mutation is recorded, successful or not).' })
export class AuditEvent {
  [OptionalProps]?: 'at';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  @Field(() => ID)
  id!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', defaultRaw: 'now()' })
  @Field(() => Date)
  at: Date = new Date();

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  actorUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true, description: 'Set when the actor used an API token.' })
  actorTokenId: string | null = null;

  @Property({ type: 'string', length: 320, nullable: true })
  @Field(() => String, { nullable: true, description: "The actor's email (or the login tried) at the time." })
  actorLabel: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  @Field(() => ID, { nullable: true })
  workspaceId: string | null = null;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'The mutation, e.g. createApiToken.' })
  action!: string;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  targetType: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  targetId: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  clientAddress: string | null = null;

  @Property({ type: 'string', length: 8 })
  @Field(() => AuditOutcome)
  outcome!: AuditOutcome;

  @Property({ type: 'string', length: 64, nullable: true })
  @Field(() => String, { nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The input, with secrets replaced by "[redacted]".' })
  summary: Record<string, unknown> = {};
}
