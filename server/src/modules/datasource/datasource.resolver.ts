import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { PageInput, Role } from '../auth/index.js';
import {
  CreateDatasourceInput,
  DatasourceFilter,
  TestDatasourceInput,
  UpdateDatasourceInput,
} from './datasource.inputs.js';
import { Datasource } from './datasource.entity.js';
import { DatasourceService } from './datasource.service.js';
import {
  CatalogFile,
  CatalogSchema,
  CatalogTable,
  DatasourceCatalog,
  DatasourceLastTest,
  DatasourceOption,
  DatasourcePage,
  DatasourceSecretState,
  DatasourceTestErrorCode,
  DatasourceTestResult,
  DatasourceType,
  OptionKind,
} from './datasource.types.js';

const DEFAULT_PAGE = { offset: 0, limit: 50 };

@Resolver(() => Datasource)
export class DatasourceResolver {
  constructor(private readonly service: DatasourceService) {}

  @Authorized()
  @Query(() => [DatasourceType], {
    description: 'The kinds of datasource and their options (the forms are built from this).',
  })
  datasourceTypes(): DatasourceType[] {
    return this.service.types().map((driver) => ({
      name: driver.name,
      label: driver.label,
      options: driver.options.map((o): DatasourceOption => ({ ...o, type: o.type as OptionKind })),
    }));
  }

  @Authorized(Role.VIEWER)
  @Query(() => DatasourcePage)
  datasources(
    @Arg('workspaceId', () => ID) workspaceId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => DatasourceFilter, { nullable: true }) filter?: DatasourceFilter,
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ): Promise<DatasourcePage> {
    return this.service.list(ctx.em(), ctx.auth(), { workspaceId, ...filter }, page ?? DEFAULT_PAGE);
  }

  @Authorized()
  @Query(() => Datasource)
  datasource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Datasource> {
    return this.service.get(ctx.em(), ctx.auth(), id);
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => Datasource)
  createDatasource(
    @Arg('input', () => CreateDatasourceInput) input: CreateDatasourceInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Datasource> {
    return this.service.create(ctx.em(), ctx.auth(), input);
  }

  @Authorized()
  @Mutation(() => Datasource, { description: 'Needs DEVELOPER in its workspace.' })
  async updateDatasource(
    @Arg('input', () => UpdateDatasourceInput) input: UpdateDatasourceInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Datasource> {
    const datasource = await this.service.update(ctx.em(), ctx.auth(), input);
    ctx.audit.workspaceId = datasource.workspaceId;
    return datasource;
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Needs DEVELOPER; refused while tasks use it.' })
  async deleteDatasource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    const datasource = await this.service.delete(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { workspaceId: datasource.workspaceId, targetType: 'Datasource', targetId: id });
    return true;
  }

  @Authorized()
  @Mutation(() => DatasourceTestResult, { description: 'Connects with the saved options. Needs OPERATOR.' })
  async testDatasource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DatasourceTestResult> {
    const result = await this.service.test(ctx.em(), ctx.auth(), id);
    Object.assign(ctx.audit, { targetType: 'Datasource', targetId: id });
    return result as DatasourceTestResult;
  }

  @Authorized(Role.DEVELOPER)
  @Mutation(() => DatasourceTestResult, { description: 'Connects with options not saved yet.' })
  async testDatasourceInput(
    @Arg('input', () => TestDatasourceInput) input: TestDatasourceInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DatasourceTestResult> {
    return (await this.service.testInput(ctx.em(), ctx.auth(), input)) as DatasourceTestResult;
  }

  @FieldResolver(() => [DatasourceSecretState], { description: 'Which secret options are set (never their values).' })
  secrets(@Root() datasource: Datasource): DatasourceSecretState[] {
    const driver = this.service.types().find((d) => d.name === datasource.type);
    return (driver?.options ?? [])
      .filter((o) => o.secret)
      .map((o) => ({ name: o.name, isSet: datasource.secretNames.includes(o.name) }));
  }

  @FieldResolver(() => DatasourceLastTest, {
    nullable: true,
    description: 'The last testDatasource of the saved options; null when never tested or since they changed.',
  })
  lastTest(@Root() datasource: Datasource): DatasourceLastTest | null {
    if (!datasource.lastTestedAt || datasource.lastTestOk === null) return null;
    return {
      ok: datasource.lastTestOk,
      testedAt: datasource.lastTestedAt,
      latencyMs: datasource.lastTestLatencyMs ?? 0,
      serverVersion: datasource.lastTestServerVersion,
      errorCode: datasource.lastTestErrorCode as DatasourceTestErrorCode | null,
      message: datasource.lastTestMessage,
    };
  }

  @FieldResolver(() => DatasourceCatalog, { description: "Browse the source's schemas, tables, columns or files." })
  catalog(@Root() datasource: Datasource): DatasourceCatalog {
    return { datasource };
  }
}

@Resolver(() => DatasourceCatalog)
export class DatasourceCatalogResolver {
  constructor(private readonly service: DatasourceService) {}

  @FieldResolver(() => [CatalogSchema], { description: 'Schemas (MySQL: databases), sorted; system schemas left out.' })
  async schemas(
    @Root() catalog: DatasourceCatalog,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit = 100,
  ): Promise<CatalogSchema[]> {
    const page = await this.service.schemas(ctx.em(), catalog.datasource, search, bounded(offset, limit));
    return page.items.map((name) => ({ name, datasource: catalog.datasource }));
  }

  @FieldResolver(() => Int)
  async schemaCount(
    @Root() catalog: DatasourceCatalog,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
  ): Promise<number> {
    return (await this.service.schemas(ctx.em(), catalog.datasource, search, { offset: 0, limit: 1 })).total;
  }

  @FieldResolver(() => [CatalogFile], { description: 'For file datasources: the files, recursively, sorted by path.' })
  async files(
    @Root() catalog: DatasourceCatalog,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit = 100,
  ): Promise<CatalogFile[]> {
    return (await this.service.files(ctx.em(), catalog.datasource, search, bounded(offset, limit))).items;
  }

  @FieldResolver(() => Int)
  async fileCount(
    @Root() catalog: DatasourceCatalog,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
  ): Promise<number> {
    return (await this.service.files(ctx.em(), catalog.datasource, search, { offset: 0, limit: 1 })).total;
  }
}

@Resolver(() => CatalogSchema)
export class CatalogSchemaResolver {
  constructor(private readonly service: DatasourceService) {}

  @FieldResolver(() => [CatalogTable], { description: 'Tables and views with their columns, sorted by name.' })
  async tables(
    @Root() schema: CatalogSchema,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit = 100,
  ): Promise<CatalogTable[]> {
    return (await this.service.tables(ctx.em(), schema.datasource, schema.name, search, bounded(offset, limit))).items;
  }

  @FieldResolver(() => Int)
  async tableCount(
    @Root() schema: CatalogSchema,
    @Ctx() ctx: GraphQLContext,
    @Arg('search', () => String, { nullable: true }) search?: string,
  ): Promise<number> {
    return (await this.service.tables(ctx.em(), schema.datasource, schema.name, search, { offset: 0, limit: 1 })).total;
  }
}

/** Catalog pages are bounded: a database with thousands of tables is browsed, not dumped. */
function bounded(offset: number, limit: number): { offset: number; limit: number } {
  return { offset: Math.max(0, offset), limit: Math.min(Math.max(1, limit), 500) };
}
