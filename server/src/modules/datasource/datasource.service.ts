import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError } from '../../errors.js';
import { sameJson } from '../../json.js';
import type { Logger } from '../../logger.js';
import type { SealedColumn } from '../../secrets/reseal.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import { escapeLike, flushUnique } from '../../database/sql.js';
import { Role, type Principal } from '../auth/index.js';
import { connectionOptions, type DatasourceRegistry } from './datasource-types.js';
import { Datasource } from './datasource.entity.js';
import type {
  CatalogFile,
  CatalogPage,
  CatalogTable,
  ConnectionOptions,
  DatasourceDriver,
  DriverContext,
  Page,
  TestResult,
} from './drivers/driver.js';

/** Something that refers to a datasource (a task, later a migration), for the refusal to delete it. */
export interface DatasourceReference {
  kind: string;
  id: string;
  name: string;
}

/** Modules that reference datasources register one of these (the tasks module, for instance). */
export type DatasourceUsage = (em: EntityManager, datasource: Datasource) => Promise<DatasourceReference[]>;

export interface SaveDatasourceInput {
  name?: string;
  options?: Record<string, unknown>;
  description?: string;
  tags?: string[];
}

const context = (id: string) => `datasource:${id}`;

/** Where datasource secrets are sealed, for `sluice rotate-secret-key`. */
export const DATASOURCE_SEALED_SECRETS: SealedColumn = {
  label: 'datasource secret set',
  table: 'datasource',
  column: 'sealed_secrets',
  context,
};

export class DatasourceService {
  private readonly usages: DatasourceUsage[] = [];

  constructor(
    private readonly registry: DatasourceRegistry,
    private readonly secretBox: SecretBox | undefined,
    private readonly driverContext: DriverContext,
    private readonly logger: Logger,
  ) {}

  registerUsage(usage: DatasourceUsage): void {
    this.usages.push(usage);
  }

  types(): DatasourceDriver[] {
    return this.registry.list();
  }

  async list(
    em: EntityManager,
    principal: Principal,
    filter: { workspaceId: string; type?: string; search?: string; tag?: string },
    page: Page,
  ): Promise<{ items: Datasource[]; total: number }> {
    principal.require(filter.workspaceId, Role.VIEWER);
    const where: Record<string, unknown> = { workspaceId: filter.workspaceId };
    if (filter.type) where.type = filter.type;
    if (filter.search) {
      const like = `%${escapeLike(filter.search)}%`;
      where.$or = [{ name: { $ilike: like } }, { description: { $ilike: like } }];
    }
    if (filter.tag) where.tags = { $contains: [filter.tag] };
    const [items, total] = await em.findAndCount(Datasource, where, {
      orderBy: { name: 'ASC' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }

  /** A datasource the caller may read; NOT_FOUND for rows of other workspaces (ids reveal nothing). */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<Datasource> {
    const datasource = await em.findOne(Datasource, { id });
    if (!datasource || !principal.roleIn(datasource.workspaceId)) throw new NotFoundError('Datasource', id);
    principal.require(datasource.workspaceId, minimum);
    return datasource;
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: SaveDatasourceInput & { workspaceId: string; type: string; name: string },
  ): Promise<Datasource> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const driver = this.registry.get(input.type);
    const validated = this.registry.validate(driver, input.options ?? {});
    const datasource = em.create(Datasource, {
      workspaceId: input.workspaceId,
      name: input.name.trim(),
      type: driver.name,
      options: validated.options,
      description: input.description ?? '',
      tags: normaliseTags(input.tags),
      createdById: principal.user.id,
      updatedById: principal.user.id,
    });
    this.storeSecrets(datasource, validated.setSecrets, {});
    await flushUnique(em, `A datasource named "${datasource.name}" already exists in this workspace`, 'name');
    return datasource;
  }

  async update(
    em: EntityManager,
    principal: Principal,
    input: SaveDatasourceInput & { id: string },
  ): Promise<Datasource> {
    const datasource = await this.get(em, principal, input.id, Role.DEVELOPER);
    if (input.name !== undefined) datasource.name = input.name.trim();
    if (input.description !== undefined) datasource.description = input.description;
    if (input.tags !== undefined) datasource.tags = normaliseTags(input.tags);
    if (input.options !== undefined) {
      const driver = this.registry.get(datasource.type);
      const validated = this.registry.validate(driver, input.options, datasource.secretNames);
      const before = await this.secretsOf(em, datasource);
      const kept = { ...before };
      for (const name of validated.clearSecrets) delete kept[name];
      const after = { ...kept, ...validated.setSecrets };
      // The last test was of the old connection: it no longer says anything (a form saving the same values keeps it).
      if (!sameJson(datasource.options, validated.options) || !sameJson(before, after)) {
        clearLastTest(datasource);
      }
      datasource.options = validated.options;
      this.storeSecrets(datasource, validated.setSecrets, kept);
    }
    datasource.updatedById = principal.user.id;
    await flushUnique(em, `A datasource named "${datasource.name}" already exists in this workspace`, 'name');
    return datasource;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<Datasource> {
    const datasource = await this.get(em, principal, id, Role.DEVELOPER);
    const references = (await Promise.all(this.usages.map((usage) => usage(em, datasource)))).flat();
    if (references.length > 0) {
      throw new AppError(
        'CONFLICT',
        `"${datasource.name}" is used by ${references.map((r) => `${r.kind.toLowerCase()} "${r.name}"`).join(', ')}: change them first`,
        { references },
      );
    }
    await em.remove(datasource).flush();
    return datasource;
  }

  /** Tests the saved options and keeps the outcome on the datasource (`lastTest`). */
  async test(em: EntityManager, principal: Principal, id: string): Promise<TestResult> {
    const datasource = await this.get(em, principal, id, Role.OPERATOR);
    const testedAt = new Date();
    const result = await this.runTest(
      this.registry.get(datasource.type),
      await this.connectionOptionsOf(em, datasource),
    );
    // A side effect of the test, not an edit: updatedAt stays. Only if the row is still the one
    // tested: options saved meanwhile cleared the result, and this one is of the old connection.
    await em.nativeUpdate(
      Datasource,
      { id: datasource.id, updatedAt: datasource.updatedAt },
      {
        lastTestedAt: testedAt,
        lastTestOk: result.ok,
        lastTestLatencyMs: result.latencyMs,
        lastTestServerVersion: result.serverVersion,
        lastTestErrorCode: result.error?.code ?? null,
        lastTestMessage: result.error?.message ?? null,
      },
    );
    return result;
  }

  /**
   * Tests options before they are saved. With `datasourceId`, secrets left out are taken from that
   * datasource, so an edit form can test a changed host without retyping the password.
   */
  async testInput(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; type: string; options: Record<string, unknown>; datasourceId?: string },
  ): Promise<TestResult> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const driver = this.registry.get(input.type);
    let stored: Record<string, string> = {};
    if (input.datasourceId) {
      const existing = await this.get(em, principal, input.datasourceId, Role.DEVELOPER);
      if (existing.workspaceId !== input.workspaceId || existing.type !== driver.name) {
        throw new AppError('BAD_USER_INPUT', 'datasourceId names a datasource of another workspace or type', {
          field: 'datasourceId',
        });
      }
      stored = await this.secretsOf(em, existing);
    }
    const validated = this.registry.validate(driver, input.options, Object.keys(stored));
    for (const name of validated.clearSecrets) delete stored[name];
    return this.runTest(driver, connectionOptions(validated.options, { ...stored, ...validated.setSecrets }));
  }

  /** Everything a driver or the engine needs to connect, secrets decrypted. Only for code that connects. */
  async connectionOptionsOf(em: EntityManager, datasource: Datasource): Promise<ConnectionOptions> {
    return connectionOptions(datasource.options, await this.secretsOf(em, datasource));
  }

  async schemas(
    em: EntityManager,
    datasource: Datasource,
    search: string | undefined,
    page: Page,
  ): Promise<CatalogPage<string>> {
    const driver = this.registry.get(datasource.type);
    if (!driver.schemas) return { items: [], total: 0 };
    return driver.schemas(await this.connectionOptionsOf(em, datasource), { search }, page, this.driverContext);
  }

  async tables(
    em: EntityManager,
    datasource: Datasource,
    schema: string,
    search: string | undefined,
    page: Page,
  ): Promise<CatalogPage<CatalogTable>> {
    const driver = this.registry.get(datasource.type);
    if (!driver.tables) return { items: [], total: 0 };
    return driver.tables(await this.connectionOptionsOf(em, datasource), schema, { search }, page, this.driverContext);
  }

  async files(
    em: EntityManager,
    datasource: Datasource,
    search: string | undefined,
    page: Page,
  ): Promise<CatalogPage<CatalogFile>> {
    const driver = this.registry.get(datasource.type);
    if (!driver.files) return { items: [], total: 0 };
    return driver.files(await this.connectionOptionsOf(em, datasource), { search }, page, this.driverContext);
  }

  private async runTest(driver: DatasourceDriver, options: ConnectionOptions): Promise<TestResult> {
    const result = await driver.test(options, this.driverContext);
    if (!result.ok) this.logger.info({ type: driver.name, code: result.error?.code }, 'datasource test failed');
    return result;
  }

  private async secretsOf(em: EntityManager, datasource: Datasource): Promise<Record<string, string>> {
    if (datasource.secretNames.length === 0) return {};
    if (datasource.sealedSecrets === null || datasource.sealedSecrets === undefined) {
      await em.populate(datasource, ['sealedSecrets']);
    }
    if (!datasource.sealedSecrets) return {};
    return JSON.parse(this.box().open(datasource.sealedSecrets, context(datasource.id))) as Record<string, string>;
  }

  private storeSecrets(datasource: Datasource, set: Record<string, string>, kept: Record<string, string>): void {
    const secrets = { ...kept, ...set };
    const names = Object.keys(secrets).sort();
    datasource.secretNames = names;
    datasource.sealedSecrets =
      names.length > 0 ? this.box().seal(JSON.stringify(secrets), context(datasource.id)) : null;
  }

  private box(): SecretBox {
    if (!this.secretBox) {
      throw new AppError(
        'SECRET_KEY_MISSING',
        'Secrets cannot be stored or read: set SLUICE_SECRET_KEY (the same 32-byte key on every instance)',
      );
    }
    return this.secretBox;
  }
}

function clearLastTest(datasource: Datasource): void {
  datasource.lastTestedAt = null;
  datasource.lastTestOk = null;
  datasource.lastTestLatencyMs = null;
  datasource.lastTestServerVersion = null;
  datasource.lastTestErrorCode = null;
  datasource.lastTestMessage = null;
}

function normaliseTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))].sort();
}
