import { GraphQLJSON } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { TaskMode } from './task.entity.js';

export enum PluginKindEnum {
  SOURCE = 'SOURCE',
  TRANSFORM = 'TRANSFORM',
  SINK = 'SINK',
}
registerEnumType(PluginKindEnum, { name: 'PluginKind', description: 'The block of a config a plugin goes in.' });

export enum ConnectorOptionType {
  STRING = 'STRING',
  INT = 'INT',
  BOOLEAN = 'BOOLEAN',
  DOUBLE = 'DOUBLE',
  ENUM = 'ENUM',
  LIST = 'LIST',
  OBJECT = 'OBJECT',
  STRING_OR_LIST = 'STRING_OR_LIST',
}
registerEnumType(ConnectorOptionType, {
  name: 'ConnectorOptionType',
  description: 'The value an option takes: OBJECT is a nested block, STRING_OR_LIST one name or a list of them.',
});

@ObjectType({ description: 'One option of a connector plugin, as validation checks it.' })
export class ConnectorOption {
  @Field(() => String)
  name!: string;

  @Field(() => ConnectorOptionType)
  type!: ConnectorOptionType;

  @Field(() => Boolean, { description: 'False for options of a oneOf group: one of the group is required instead.' })
  required!: boolean;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The value used when the option is left out.' })
  default!: unknown;

  @Field(() => [String], { nullable: true, description: 'The accepted values of an ENUM option.' })
  enumValues!: string[] | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean, {
    description: 'True for the options every plugin of its kind accepts (plugin_input, plugin_output, …).',
  })
  common!: boolean;
}

@ObjectType({ description: 'A source, transform or sink plugin a task config may use, with its options.' })
export class ConnectorPlugin {
  @Field(() => String, { description: 'As written in a config (matched case-insensitively).' })
  name!: string;

  @Field(() => PluginKindEnum)
  kind!: PluginKindEnum;

  @Field(() => [TaskMode], { description: 'The job modes it supports.' })
  modes!: TaskMode[];

  @Field(() => Boolean, { description: 'True when the EMBEDDED engine runs it; the SEATUNNEL engine runs them all.' })
  embedded!: boolean;

  @Field(() => [String], {
    description: 'Datasource types a block of this plugin may reference with `datasource = "<name>"`.',
  })
  datasourceTypes!: string[];

  @Field(() => [[String]], { description: 'Groups of options of which at least one must be set.' })
  oneOf!: string[][];

  @Field(() => [ConnectorOption], { description: "The plugin's own options, then the common ones." })
  options!: ConnectorOption[];
}
