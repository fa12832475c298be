import { randomUUID } from 'node:crypto';
import { OptionalProps } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ChannelType, type ChannelSettingValue } from './channels/index.js';

registerEnumType(ChannelType, {
  name: 'AlarmChannelType',
  description: 'Where an alarm notification can be sent; `alarmChannelTypes` lists the settings of each.',
});

/**
 * Where alarm notifications go: a webhook, a chat robot or an SMTP server. Settings the type
 * declares secret (webhook URLs, signing secrets, header values, the SMTP password) are sealed in
 * `sealedSecrets` (AES-256-GCM, bound to this row's id) and never leave the server; `settings`
 * holds the rest.
 */
@Entity({ tableName: 'alarm_channel' })
@ObjectType({ description: 'A destination for alarm notifications, shared in a workspace.' })
export class AlarmChannel {
  [OptionalProps]?:
    | 'settings'
    | 'sealedSecrets'
    | 'secretNames'
    | 'description'
    | 'enabled'
    | 'maxPerMinute'
    | 'createdById'
    | 'updatedById'
    | 'createdAt'
    | 'updatedAt'
    | 'lastTestedAt'
    | 'lastTestOk'
    | 'lastTestStatus'
    | 'lastTestMessage';

  @PrimaryKey({ type: 'uuid' })
  @Field(() => ID)
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  @Field(() => ID)
  workspaceId!: string;

  @Property({ type: 'string', length: 100 })
  @Field(() => String, { description: 'Unique in the workspace (ignoring case); rules refer to channels by id.' })
  name!: string;

  @Property({ type: 'string', length: 20 })
  @Field(() => ChannelType)
  type!: ChannelType;

  @Property({ type: 'json' })
  @Field(() => GraphQLJSONObject, { description: 'The non-secret settings, defaults applied.' })
  settings: Record<string, ChannelSettingValue> = {};

  /** The secret settings as sealed JSON; null when none is set. Never exposed. */
  @Property({ type: 'blob', nullable: true, hidden: true, lazy: true })
  sealedSecrets: Buffer | null = null;

  /** Which secret settings are set (names only), so reads need no decryption. */
  @Property({ type: 'json' })
  @Field(() => [String], { description: 'Which secret settings are set; their values are never returned.' })
  secretNames: string[] = [];

  @Property({ type: 'text' })
  @Field(() => String)
  description = '';

  @Property({ type: 'boolean' })
  @Field(() => Boolean, { description: 'False: notifications for it are not sent (a test still is).' })
  enabled = true;

  @Property({ type: 'integer', nullable: true })
  @Field(() => Int, {
    nullable: true,
    description: 'At most this many notifications a minute through this channel; null: no limit.',
  })
  maxPerMinute: number | null = null;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  updatedById: string | null = null;

  /**
   * The last `testAlarmChannel` of the saved settings (exposed as `lastTest`); all null when never
   * tested, or since the settings changed. The message is the sender's, secrets masked.
   */
  @Property({ type: 'datetime', columnType: 'timestamptz(3)', nullable: true })
  lastTestedAt: Date | null = null;

  @Property({ type: 'boolean', nullable: true })
  lastTestOk: boolean | null = null;

  @Property({ type: 'integer', nullable: true })
  lastTestStatus: number | null = null;

  @Property({ type: 'text', nullable: true })
  lastTestMessage: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz(3)' })
  @Field(() => Date)
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz(3)', onUpdate: () => new Date() })
  @Field(() => Date)
  updatedAt: Date = new Date();
}
