import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGINS } from '../../server/src/modules/engine/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login } from '../support/graphql.js';

interface Option {
  name: string;
  type: string;
  required: boolean;
  default: unknown;
  enumValues: string[] | null;
  description: string | null;
  common: boolean;
}
interface Plugin {
  name: string;
  kind: string;
  modes: string[];
  embedded: boolean;
  datasourceTypes: string[];
  oneOf: string[][];
  options: Option[];
}

const PLUGINS_QUERY = `query($kind: PluginKind, $engine: TaskEngine) {
  connectorPlugins(kind: $kind, engine: $engine) {
    name kind modes embedded datasourceTypes oneOf
    options { name type required default enumValues description common }
  }
}`;

describe('connector plugins', () => {
  let db: TestDatabase;
  let t: TestApp;
  let viewer: string;

  const list = async (variables: { kind?: string; engine?: string } = {}) =>
    (await gqlData<{ connectorPlugins: Plugin[] }>(t.url, PLUGINS_QUERY, variables, viewer)).connectorPlugins;
  const find = (plugins: Plugin[], kind: string, name: string) => {
    const plugin = plugins.find((p) => p.kind === kind && p.name === name);
    if (!plugin) throw new Error(`${kind} ${name} is not listed`);
    return plugin;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ databaseUrl: db.url });
    const ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
    await gqlData(
      t.url,
      'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
      { i: { workspaceId: ws, email: 'viewer@sluice.test', role: 'VIEWER', password: 'viewer-password-1' } },
      t.token,
    );
    viewer = await login(t.url, 'viewer@sluice.test', 'viewer-password-1');
  });

  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('lists every plugin validation knows, with its kind, modes, datasource types and oneOf groups', async () => {
    const plugins = await list();
    expect(plugins.map((p) => `${p.kind} ${p.name}`)).toEqual(PLUGINS.map((p) => `${p.kind.toUpperCase()} ${p.name}`));
    const jdbcSource = find(plugins, 'SOURCE', 'Jdbc');
    expect(jdbcSource).toMatchObject({
      modes: ['BATCH'],
      embedded: true,
      datasourceTypes: ['POSTGRESQL', 'MYSQL'],
      oneOf: [['query', 'table_path', 'table_list']],
    });
    expect(find(plugins, 'SINK', 'Jdbc').modes).toEqual(['BATCH', 'STREAMING']);
    expect(find(plugins, 'SOURCE', 'MySQL-CDC')).toMatchObject({
      modes: ['STREAMING'],
      embedded: false,
      datasourceTypes: ['MYSQL'],
      oneOf: [],
    });
    expect(find(plugins, 'TRANSFORM', 'Sql').datasourceTypes).toEqual([]);
  });

  it("describes each option's type, default, accepted values and whether it is required", async () => {
    const plugins = await list();
    const optionOf = (kind: string, plugin: string, name: string) =>
      find(plugins, kind, plugin).options.find((o) => o.name === name);
    expect(optionOf('SOURCE', 'Jdbc', 'url')).toEqual({
      name: 'url',
      type: 'STRING',
      required: true,
      default: null,
      enumValues: null,
      description: 'jdbc:mysql://… or jdbc:postgresql://…',
      common: false,
    });
    expect(optionOf('SOURCE', 'Jdbc', 'split.size')).toMatchObject({ type: 'INT', required: false, default: 8096 });
    expect(optionOf('SOURCE', 'Jdbc', 'partition_lower_bound')).toMatchObject({ type: 'DOUBLE' });
    expect(optionOf('SOURCE', 'Jdbc', 'table_list')).toMatchObject({ type: 'LIST' });
    expect(optionOf('SOURCE', 'Jdbc', 'properties')).toMatchObject({ type: 'OBJECT' });
    expect(optionOf('SINK', 'Jdbc', 'enable_upsert')).toMatchObject({ type: 'BOOLEAN', default: true });
    expect(optionOf('TRANSFORM', 'RowKindExtractor', 'transform_type')).toMatchObject({
      type: 'ENUM',
      enumValues: ['SHORT', 'FULL'],
      default: 'SHORT',
    });
    // The file source's path may come from tables_configs or a datasource instead.
    expect(optionOf('SOURCE', 'LocalFile', 'path')).toMatchObject({ required: false });
    expect(optionOf('SINK', 'LocalFile', 'path')).toMatchObject({ required: true });
  });

  it('adds the options every plugin of a kind accepts, marked common, after its own', async () => {
    const plugins = await list();
    const console = find(plugins, 'SINK', 'Console');
    expect(console.options.map((o) => [o.name, o.common])).toEqual([
      ['log.print.data', false],
      ['log.print.delay.ms', false],
      ['plugin_input', true],
      ['parallelism', true],
      ['datasource', true],
    ]);
    expect(console.options.find((o) => o.name === 'plugin_input')!.type).toBe('STRING_OR_LIST');
    const sqlCommon = find(plugins, 'TRANSFORM', 'Sql').options.filter((o) => o.common);
    expect(sqlCommon.map((o) => o.name)).toEqual(['plugin_input', 'plugin_output', 'parallelism']);
    const fakeCommon = find(plugins, 'SOURCE', 'FakeSource').options.filter((o) => o.common);
    expect(fakeCommon.map((o) => o.name)).toEqual(['plugin_output', 'parallelism', 'datasource']);
  });

  it('filters by kind, and to what the embedded engine runs', async () => {
    const sinks = await list({ kind: 'SINK' });
    expect(sinks.map((p) => p.name)).toEqual(['Console', 'Assert', 'Jdbc', 'LocalFile']);

    const embeddedSources = await list({ kind: 'SOURCE', engine: 'EMBEDDED' });
    expect(embeddedSources.map((p) => p.name)).toEqual(['FakeSource', 'Jdbc', 'LocalFile']);
    expect((await list({ engine: 'EMBEDDED' })).every((p) => p.embedded)).toBe(true);

    // SeaTunnel runs every plugin, the CDC sources included.
    const seatunnelSources = await list({ kind: 'SOURCE', engine: 'SEATUNNEL' });
    expect(seatunnelSources.map((p) => p.name)).toEqual([
      'FakeSource',
      'Jdbc',
      'LocalFile',
      'MySQL-CDC',
      'Postgres-CDC',
    ]);
  });

  it('needs a signed-in caller', async () => {
    const res = await gql(t.url, PLUGINS_QUERY);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
