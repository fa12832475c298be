import { IsInt, IsOptional, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Extensions, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ChannelType } from './channels/index.js';

/** What creating and updating a channel share. */
@InputType()
class AlarmChannelFieldsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  @IsOptional()
  enabled?: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'At most this many notifications a minute through the channel; null: no limit.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxPerMinute?: number | null;
}

@InputType()
export class CreateAlarmChannelInput extends AlarmChannelFieldsInput {
  @Field(() => ID)
  @IsUUID()
  workspaceId!: string;

  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => ChannelType)
  type!: ChannelType;

  @Field(() => GraphQLJSONObject, {
    description: "The type's settings (see `alarmChannelTypes`), secrets included: they are encrypted at rest.",
  })
  @Extensions({ sensitive: true })
  config!: Record<string, unknown>;
}

@InputType()
export class UpdateAlarmChannelInput extends AlarmChannelFieldsInput {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  name?: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'All settings; a secret left out keeps its stored value, a secret set to null is cleared.',
  })
  @IsOptional()
  @Extensions({ sensitive: true })
  config?: Record<string, unknown>;
}

@InputType()
export class TestAlarmChannelConfigInput {
  @Field(() => ID)
  @IsUUID()
  workspaceId!: string;

  @Field(() => ChannelType)
  type!: ChannelType;

  @Field(() => GraphQLJSONObject)
  @Extensions({ sensitive: true })
  config!: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: 'Take secrets left out of `config` from this saved channel.' })
  @IsOptional()
  @IsUUID()
  channelId?: string;
}

export enum AlarmChannelFieldKind {
  URL = 'URL',
  STRING = 'STRING',
  INTEGER = 'INTEGER',
  BOOLEAN = 'BOOLEAN',
  ENUM = 'ENUM',
  EMAIL = 'EMAIL',
  EMAIL_LIST = 'EMAIL_LIST',
  HEADERS = 'HEADERS',
}
registerEnumType(AlarmChannelFieldKind, {
  name: 'AlarmChannelFieldKind',
  description:
    'The form control a setting needs. EMAIL is one address (`ops@x.io` or `Ops <ops@x.io>`), EMAIL_LIST a list ' +
    'of them, HEADERS an object of HTTP header names to values.',
});

@ObjectType({ description: 'One setting of a channel type: what the form shows and validation checks.' })
export class AlarmChannelField {
  @Field(() => String, { description: 'The key in `config`.' })
  name!: string;

  @Field(() => String)
  label!: string;

  @Field(() => AlarmChannelFieldKind)
  kind!: AlarmChannelFieldKind;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => Boolean, { description: 'Stored encrypted and never returned; `secretNames` says whether it is set.' })
  secret!: boolean;

  @Field(() => GraphQLJSON, { nullable: true })
  default?: unknown;

  @Field(() => [String], { nullable: true })
  enumValues?: string[];

  @Field(() => Int, { nullable: true })
  min?: number;

  @Field(() => Int, { nullable: true })
  max?: number;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true })
  placeholder?: string;
}

@ObjectType({ description: 'A kind of alarm channel and its settings.' })
export class AlarmChannelTypeDefinition {
  @Field(() => ChannelType)
  type!: ChannelType;

  @Field(() => String)
  label!: string;

  @Field(() => [AlarmChannelField])
  fields!: AlarmChannelField[];
}

@ObjectType({ description: 'The outcome of sending a test notification.' })
export class AlarmChannelTestResult {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: 'The HTTP status, or for e-mail the SMTP reply code.' })
  status!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'What went wrong, or what the platform answered (cut, secrets masked).',
  })
  message!: string | null;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => Boolean, { description: 'Whether a later attempt may succeed (timeouts, 5xx, rate limits).' })
  retryable!: boolean;
}

@ObjectType({ description: 'The outcome of the last testAlarmChannel of the saved settings.' })
export class AlarmChannelLastTest {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Date)
  testedAt!: Date;

  @Field(() => Int, { nullable: true })
  status!: number | null;

  @Field(() => String, { nullable: true, description: 'Secrets masked.' })
  message!: string | null;
}
