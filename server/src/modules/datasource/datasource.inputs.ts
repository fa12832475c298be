import { GraphQLJSONObject } from 'graphql-scalars';
import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

/** What creating and updating a datasource share. */
@InputType()
class DatasourceLabelsInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @Length(1, 50, { each: true })
  tags?: string[];
}

@InputType()
export class CreateDatasourceInput extends DatasourceLabelsInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String)
  @Length(1, 100)
  name!: string;

  @Field(() => String, { description: 'A type of `datasourceTypes`.' })
  type!: string;

  @Field(() => GraphQLJSONObject, { description: "The type's options, secrets included (they are encrypted at rest)." })
  options!: Record<string, unknown>;
}

@InputType()
export class UpdateDatasourceInput extends DatasourceLabelsInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  name?: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'All options; a secret left out keeps its stored value, a secret set to null is cleared.',
  })
  @IsOptional()
  options?: Record<string, unknown>;
}

@InputType()
export class TestDatasourceInput {
  @Field(() => ID)
  workspaceId!: string;

  @Field(() => String)
  type!: string;

  @Field(() => GraphQLJSONObject)
  options!: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: 'Take secrets left out of `options` from this saved datasource.' })
  @IsOptional()
  datasourceId?: string;
}

@InputType()
export class DatasourceFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  type?: string;

  @Field(() => String, { nullable: true, description: 'Part of the name or description.' })
  @IsOptional()
  @MaxLength(200)
  search?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(50)
  tag?: string;
}
