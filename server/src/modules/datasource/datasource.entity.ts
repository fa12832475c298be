import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * A named connection that tasks reference instead of repeating hosts and passwords. Options the
 * type declares secret are sealed in `sealedSecrets` (AES-256-GCM, bound to this row's id) and
 * never leave the server; `options` holds the rest.
 */
@Entity({ tableName: 'datasource' })
@Index({ properties: ['workspaceId', 'type'] })
@ObjectType({ description: 'A named connection (database, directory, ...) shared in a workspace.' })
export class Datasource {
  [OptionalProps]?:
    | 'description'
    | 'tags'
    | 'sealedSecrets'
    | 'secretNames'
    | 'createdAt'
    | 'updatedAt'
    | 'lastTestedAt'
    | 'lastTestOk'
    | 'lastTestLatencyMs'
    | 'lastTestServerVersion'
    | 'lastTestErrorCode'
    | 'lastTestMessage';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Unique in the workspace; tasks refer to it by this name.' })
  name!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => String, { description: 'A type of `datasourceTypes`, e.g. POSTGRESQL.' })
  type!: string;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The non-secret options.' })
  options: Record<string, unknown> = {};

  /** The secret options as sealed JSON; null when none is set. Never exposed. */
  @Property({ type: 'blob', nullable: true, hidden: true, lazy: true })
  sealedSecrets: Buffer | null = null;

  /** Which secret options are set (names only), so reads need no decryption. */
  @Property({ type: 'json' })
  secretNames: string[] = [];

  @Property({ type: 'text' })
  @Field(() => String)
  description = '';

  @Property({ type: 'json' })
  @Field(() => [String])
  tags: string[] = [];

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  updatedById: string | null = null;

  /**
   * The last `testDatasource` of the saved options (exposed as `lastTest`); all null when never
   * tested, or since the connection options changed. The message is a driver's, free of secrets.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  lastTestedAt: Date | null = null;

  @Property({ type: 'boolean', nullable: true })
  lastTestOk: boolean | null = null;

  @Property({ type: 'integer', nullable: true })
  lastTestLatencyMs: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastTestServerVersion: string | null = null;

  @Property({ type: 'string', length: 40, nullable: true })
  lastTestErrorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastTestMessage: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
