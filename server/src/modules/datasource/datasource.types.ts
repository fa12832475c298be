import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Datasource } from './datasource.entity.js';

export enum OptionKind {
  STRING = 'STRING',
  INTEGER = 'INTEGER',
  BOOLEAN = 'BOOLEAN',
  ENUM = 'ENUM',
  PATH = 'PATH',
}
registerEnumType(OptionKind, { name: 'OptionKind', description: 'The form control an option needs.' });

export enum DatasourceTestErrorCode {
  HOST_NOT_FOUND = 'HOST_NOT_FOUND',
  CONNECTION_REFUSED = 'CONNECTION_REFUSED',
  TIMEOUT = 'TIMEOUT',
  AUTHENTICATION_FAILED = 'AUTHENTICATION_FAILED',
  DATABASE_NOT_FOUND = 'DATABASE_NOT_FOUND',
  TLS_FAILURE = 'TLS_FAILURE',
  PERMISSION_DENIED = 'PERMISSION_DENIED',
  NOT_FOUND = 'NOT_FOUND',
  NOT_ALLOWED = 'NOT_ALLOWED',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(DatasourceTestErrorCode, { name: 'DatasourceTestErrorCode' });

@ObjectType({ description: 'One option of a datasource type: what the form shows and validation checks.' })
export class DatasourceOption {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  label!: string;

  @Field(() => OptionKind)
  type!: OptionKind;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => GraphQLJSON, { nullable: true })
  default?: unknown;

  @Field(() => [String], { nullable: true })
  enumValues?: string[];

  @Field(() => Boolean, { description: 'Stored encrypted and never returned.' })
  secret!: boolean;

  @Field(() => String)
  description!: string;

  @Field(() => String, { nullable: true })
  placeholder?: string;

  @Field(() => Int, { nullable: true })
  min?: number;

  @Field(() => Int, { nullable: true })
  max?: number;
}

@ObjectType({ description: 'A kind of datasource and its options.' })
export class DatasourceType {
  @Field(() => String, { description: 'The identifier, e.g. POSTGRESQL.' })
  name!: string;

  @Field(() => String)
  label!: string;

  @Field(() => [DatasourceOption])
  options!: DatasourceOption[];
}

@ObjectType({ description: 'Whether a secret option is set; its value is never returned.' })
export class DatasourceSecretState {
  @Field(() => String)
  name!: string;

  @Field(() => Boolean)
  isSet!: boolean;
}

@ObjectType()
export class DatasourceTestError {
  @Field(() => DatasourceTestErrorCode)
  code!: DatasourceTestErrorCode;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class DatasourceTestResult {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  serverVersion!: string | null;

  @Field(() => DatasourceTestError, { nullable: true })
  error!: DatasourceTestError | null;
}

@ObjectType({ description: "The outcome of the last testDatasource of a datasource's saved options." })
export class DatasourceLastTest {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Date)
  testedAt!: Date;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  serverVersion!: string | null;

  @Field(() => DatasourceTestErrorCode, { nullable: true, description: 'Null when the test succeeded.' })
  errorCode!: DatasourceTestErrorCode | null;

  @Field(() => String, { nullable: true, description: 'What went wrong (never a secret); null when it succeeded.' })
  message!: string | null;
}

@ObjectType()
export class DatasourcePage {
  @Field(() => [Datasource])
  items!: Datasource[];

  @Field(() => Int)
  total!: number;
}

@ObjectType()
export class CatalogColumn {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  type!: string;

  @Field(() => Boolean)
  nullable!: boolean;

  @Field(() => Boolean)
  primaryKey!: boolean;
}

@ObjectType()
export class CatalogTable {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'TABLE, VIEW, MATERIALIZED_VIEW, FOREIGN_TABLE or PARTITIONED_TABLE.' })
  kind!: string;

  @Field(() => Float, { nullable: true, description: "The database's own estimate." })
  estimatedRows!: number | null;

  @Field(() => [CatalogColumn])
  columns!: CatalogColumn[];
}

@ObjectType({ description: 'A schema (for MySQL: a database) of a database datasource.' })
export class CatalogSchema {
  @Field(() => String)
  name!: string;

  /** The datasource it belongs to, for the table resolver. */
  datasource!: Datasource;
}

@ObjectType()
export class CatalogFile {
  @Field(() => String, { description: 'Relative to the datasource directory.' })
  path!: string;

  @Field(() => Float)
  size!: number;

  @Field(() => Date)
  modifiedAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'csv, json, text, parquet, orc, excel or xml; null when unknown.',
  })
  format!: string | null;

  @Field(() => String, { nullable: true })
  compression!: string | null;
}

@ObjectType({ description: "What the datasource holds, read from the source's own catalog." })
export class DatasourceCatalog {
  datasource!: Datasource;
}
