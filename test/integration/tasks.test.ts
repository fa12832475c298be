import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configsEqual, parseJobConfig } from '../../server/src/modules/job-config/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData, login, type GraphQLResponse } from '../support/graphql.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CORPUS = path.resolve(ROOT, '../shared/conformance/seatunnel-configs');
const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

const FAKE_TO_CONSOLE = `
env {
  job.mode = "BATCH"
  parallelism = 1
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = \${rows:10}
    schema = { fields { name = string, age = int } }
  }
}
transform {
  Filter {
    plugin_input = "fake"
    plugin_output = "adults"
    include_fields = [name]
  }
}
sink {
  Console { plugin_input = "adults" }
}
`;

const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { id name version mode engine hocon variables { name default secret } } }`;

describe('tasks', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ws: string;
  let dev: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SECRET_KEY: randomBytes(32).toString('hex') } });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(t.url, '{ workspaces { id } }', undefined, t.token))
      .workspaces[0]!.id;
    await gqlData(
      t.url,
      'mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }',
      { i: { workspaceId: ws, email: 'dev@sluice.test', role: 'DEVELOPER', password: 'dev-password-123' } },
      t.token,
    );
    dev = await login(t.url, 'dev@sluice.test', 'dev-password-123');
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('saves a HOCON config as version 1, on the embedded engine, with the variables it uses', async () => {
    const { createTask } = await gqlData<{ createTask: Record<string, unknown> }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'fake-adults', content: FAKE_TO_CONSOLE } },
      dev,
    );
    expect(createTask).toMatchObject({
      name: 'fake-adults',
      version: 1,
      mode: 'BATCH',
      engine: 'EMBEDDED',
      variables: [{ name: 'rows', default: '10', secret: false }],
    });
    expect(createTask.hocon).toContain('FakeSource');
  });

  it('refuses a config with a syntax error, naming line and column, and stores nothing', async () => {
    const res = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'broken', content: 'env {\n  job.mode = "BATCH"\nsource {' } },
      dev,
    );
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'content' } });
    expect(res.errors?.[0]?.extensions?.line).toBeGreaterThan(0);
    expect(res.errors?.[0]?.extensions?.column).toBeGreaterThan(0);
    expect(await db.query("SELECT 1 FROM task WHERE name = 'broken'")).toEqual([]);
  });

  it('names the plugins the embedded engine lacks, and accepts them for the SeaTunnel engine', async () => {
    const kafka = FAKE_TO_CONSOLE.replace(
      'Console { plugin_input = "adults" }',
      'Kafka {\n    plugin_input = "adults"\n    topic = "t"\n  }',
    );
    const res = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'to-kafka', content: kafka, engine: 'EMBEDDED' } },
      dev,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/embedded engine has no sink plugin "Kafka"/);
    expect(res.errors?.[0]?.extensions?.line).toBe(21);
    const ok = await gqlData<{ createTask: { engine: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'to-kafka', content: kafka } },
      dev,
    );
    expect(ok.createTask.engine).toBe('SEATUNNEL');
  });

  it('checks the wiring: a plugin_input nobody produces is an error', async () => {
    const res = await gqlData<{
      validateTaskConfig: { valid: boolean; diagnostics: { severity: string; message: string; line: number }[] };
    }>(
      t.url,
      'query($w: ID!, $c: String!) { validateTaskConfig(workspaceId: $w, content: $c) { valid diagnostics { severity message line column path } } }',
      { w: ws, c: FAKE_TO_CONSOLE.replace('plugin_input = "adults"', 'plugin_input = "nobody"') },
      dev,
    );
    expect(res.validateTaskConfig.valid).toBe(false);
    expect(res.validateTaskConfig.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'ERROR',
        line: 21,
        message: expect.stringContaining('reads table "nobody"'),
      }),
    );
  });

  it('moves an inline password into a sealed secret variable, so neither the database nor an export holds it', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const jdbc = FAKE_TO_CONSOLE.replace(
      'Console { plugin_input = "adults" }',
      `Jdbc {\n    plugin_input = "adults"\n    url = "jdbc:postgresql://127.0.0.1:5432/x"\n    driver = "org.postgresql.Driver"\n    user = "u"\n    password = "${password}"\n    table = "t"\n  }`,
    );
    const { createTask } = await gqlData<{
      createTask: { id: string; variables: { name: string; secret: boolean; default: string | null }[] };
    }>(t.url, CREATE, { i: { workspaceId: ws, name: 'secretive', content: jdbc } }, dev);
    expect(createTask.variables).toContainEqual({ name: 'sink_1_password', secret: true, default: null });
    const exported = await gqlData<{ exportTask: string }>(
      t.url,
      'query($id: ID!) { exportTask(id: $id) }',
      { id: createTask.id },
      dev,
    );
    expect(exported.exportTask).toContain('${sink_1_password}');
    expect(exported.exportTask).not.toContain(password);
    const json = await gqlData<{ exportTask: string }>(
      t.url,
      'query($id: ID!) { exportTask(id: $id, format: JSON) }',
      { id: createTask.id },
      dev,
    );
    expect((JSON.parse(json.exportTask) as { sink: unknown[] }).sink[0]).toMatchObject({
      plugin_name: 'Jdbc',
      password: '${sink_1_password}',
    });
    const rows = await db.query<Record<string, unknown>>('SELECT * FROM task');
    const versions = await db.query<Record<string, unknown>>('SELECT * FROM task_version');
    expect(
      JSON.stringify(
        rows.map((r) => ({ ...r, sealed_secrets: (r.sealed_secrets as Buffer | null)?.toString('latin1') })),
      ),
    ).not.toContain(password);
    expect(JSON.stringify(versions)).not.toContain(password);
    expect(JSON.stringify(await db.query('SELECT * FROM audit_event'))).not.toContain(password);
  });

  it('keeps every save as a version: diff, no version for no change, rollback as a new version', async () => {
    const { createTask } = await gqlData<{ createTask: { id: string } }>(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'versioned', content: FAKE_TO_CONSOLE } },
      dev,
    );
    const id = createTask.id;
    const UPDATE = 'mutation($i: UpdateTaskInput!) { updateTask(input: $i) { version } }';
    const changed = FAKE_TO_CONSOLE.replace('parallelism = 1', 'parallelism = 4');
    expect(
      (
        await gqlData<{ updateTask: { version: number } }>(
          t.url,
          UPDATE,
          { i: { id, content: changed, message: 'more parallel' } },
          dev,
        )
      ).updateTask.version,
    ).toBe(2);
    expect(
      (await gqlData<{ updateTask: { version: number } }>(t.url, UPDATE, { i: { id, content: changed } }, dev))
        .updateTask.version,
    ).toBe(2);

    const { taskVersionDiff } = await gqlData<{ taskVersionDiff: { unified: string; settingsChanged: string[] } }>(
      t.url,
      'query($id: ID!) { taskVersionDiff(taskId: $id, from: 1, to: 2) { unified settingsChanged } }',
      { id },
      dev,
    );
    expect(taskVersionDiff.unified).toMatch(/-\s*parallelism\s*=\s*1/);
    expect(taskVersionDiff.unified).toMatch(/\+\s*parallelism\s*=\s*4/);
    expect(taskVersionDiff.settingsChanged).toEqual([]);

    const { rollbackTask } = await gqlData<{ rollbackTask: { version: number; hocon: string } }>(
      t.url,
      'mutation($id: ID!) { rollbackTask(input: { taskId: $id, version: 1 }) { version hocon } }',
      { id },
      dev,
    );
    expect(rollbackTask.version).toBe(3);
    const { taskVersions } = await gqlData<{ taskVersions: { number: number; message: string; hocon: string }[] }>(
      t.url,
      'query($id: ID!) { taskVersions(taskId: $id) { number message hocon } }',
      { id },
      dev,
    );
    expect(taskVersions.map((v) => v.number)).toEqual([3, 2, 1]);
    expect(taskVersions[0]!.message).toBe('Rollback to version 1');
    expect(taskVersions[0]!.hocon).toBe(taskVersions[2]!.hocon);
  });

  it('refers to datasources by name, and a datasource in use cannot be deleted', async () => {
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      t.url,
      'mutation($w: ID!) { createDatasource(input: { workspaceId: $w, name: "warehouse", type: "POSTGRESQL", options: { host: "127.0.0.1", database: "x", user: "u" } }) { id } }',
      { w: ws },
      dev,
    );
    const usesIt = FAKE_TO_CONSOLE.replace(
      'Console { plugin_input = "adults" }',
      'Jdbc {\n    plugin_input = "adults"\n    datasource = "warehouse"\n    table = "t"\n  }',
    );
    await gqlData(t.url, CREATE, { i: { workspaceId: ws, name: 'into-warehouse', content: usesIt } }, dev);
    const missing = await gql(
      t.url,
      CREATE,
      { i: { workspaceId: ws, name: 'nowhere', content: usesIt.replace('"warehouse"', '"nowhere"') } },
      dev,
    );
    expect(missing.errors?.[0]?.message).toMatch(/no datasource "nowhere"/);
    const wrongType = await gql(
      t.url,
      CREATE,
      {
        i: {
          workspaceId: ws,
          name: 'files',
          content: usesIt.replace(
            /Jdbc \{[\s\S]*?\n {2}\}/,
            'LocalFile {\n    plugin_input = "adults"\n    datasource = "warehouse"\n    file_format_type = "csv"\n  }',
          ),
        },
      },
      dev,
    );
    expect(wrongType.errors?.[0]?.message).toMatch(/LocalFile cannot use POSTGRESQL datasource "warehouse"/);

    const del = await gql(t.url, 'mutation($id: ID!) { deleteDatasource(id: $id) }', { id: createDatasource.id }, dev);
    expect(del.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(del.errors?.[0]?.message).toContain('task "into-warehouse"');
  });

  it('imports files idempotently by name, with a result per file', async () => {
    const IMPORT =
      'mutation($i: ImportTasksInput!) { importTasks(input: $i) { results { name status error task { version } } } }';
    const files = [
      { name: 'a.conf', content: FAKE_TO_CONSOLE },
      {
        name: 'b.json',
        content: JSON.stringify({
          env: { 'job.mode': 'BATCH' },
          source: [{ plugin_name: 'FakeSource', plugin_output: 'f', schema: { fields: { id: 'int' } } }],
          sink: [{ plugin_name: 'Console', plugin_input: ['f'] }],
        }),
      },
      { name: 'c.conf', content: 'source {' },
    ];
    const first = await gqlData<{ importTasks: { results: { name: string; status: string; error: string | null }[] } }>(
      t.url,
      IMPORT,
      { i: { workspaceId: ws, files } },
      dev,
    );
    expect(first.importTasks.results.map((r) => `${r.name}:${r.status}`)).toEqual([
      'a:CREATED',
      'b:CREATED',
      'c:FAILED',
    ]);
    expect(first.importTasks.results[2]!.error).toMatch(/line \d+, column \d+/);
    const again = await gqlData<{ importTasks: { results: { status: string }[] } }>(
      t.url,
      IMPORT,
      { i: { workspaceId: ws, files: files.slice(0, 2) } },
      dev,
    );
    expect(again.importTasks.results.map((r) => r.status)).toEqual(['UNCHANGED', 'UNCHANGED']);
    const changed = [{ name: 'a.conf', content: FAKE_TO_CONSOLE.replace('parallelism = 1', 'parallelism = 2') }];
    expect(
      (
        await gqlData<{ importTasks: { results: { status: string; task: { version: number } }[] } }>(
          t.url,
          IMPORT,
          { i: { workspaceId: ws, files: changed } },
          dev,
        )
      ).importTasks.results[0],
    ).toEqual({ name: 'a', status: 'UPDATED', error: null, task: { version: 2 } });
    expect(
      (
        await gqlData<{ importTasks: { results: { status: string }[] } }>(
          t.url,
          IMPORT,
          { i: { workspaceId: ws, files: changed, onConflict: 'SKIP' } },
          dev,
        )
      ).importTasks.results[0]!.status,
    ).toBe('SKIPPED');
    expect(
      (
        await gqlData<{ importTasks: { results: { status: string }[] } }>(
          t.url,
          IMPORT,
          { i: { workspaceId: ws, files: changed, onConflict: 'FAIL' } },
          dev,
        )
      ).importTasks.results[0]!.status,
    ).toBe('FAILED');
  });

  it('imports the whole conformance corpus with `sluice import`, and every task exports to the same model', async () => {
    const run = promisify(execFile);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SLUICE_URL: t.url, SLUICE_TOKEN: dev };
    const { createWorkspace } = await gqlData<{ createWorkspace: { id: string } }>(
      t.url,
      'mutation { createWorkspace(input: { name: "Corpus" }) { id } }',
      undefined,
      t.token,
    );
    await gqlData(
      t.url,
      'mutation($w: ID!) { addMember(input: { workspaceId: $w, email: "dev@sluice.test", role: DEVELOPER }) { membership { id } } }',
      { w: createWorkspace.id },
      t.token,
    );

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'server/src/cli.ts', 'import', '--workspace', 'Corpus', CORPUS],
      { cwd: ROOT, env, maxBuffer: 10_000_000 },
    );
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.conf'));
    expect(files).toHaveLength(63);
    expect(stdout.match(/^CREATED /gm)).toHaveLength(63);
    expect(stdout).toContain('63 file(s) into workspace Corpus: 63 created');

    const again = await run(
      process.execPath,
      ['--import', 'tsx', 'server/src/cli.ts', 'import', '--workspace', 'Corpus', CORPUS],
      { cwd: ROOT, env, maxBuffer: 10_000_000 },
    );
    expect(again.stdout).toContain('63 unchanged');

    const out = await mkdtemp(path.join(os.tmpdir(), 'sluice-export-'));
    try {
      await run(
        process.execPath,
        ['--import', 'tsx', 'server/src/cli.ts', 'export', '--workspace', 'Corpus', '--out', out],
        { cwd: ROOT, env, maxBuffer: 10_000_000 },
      );
      const { tasks } = await gqlData<{ tasks: { items: { name: string; config: unknown }[] } }>(
        t.url,
        'query($w: ID!) { tasks(workspaceId: $w, page: { limit: 100 }) { items { name config } } }',
        { w: createWorkspace.id },
        dev,
      );
      expect(tasks.items).toHaveLength(63);
      for (const task of tasks.items) {
        const exported = await readFile(path.join(out, `${task.name}.conf`), 'utf8');
        const reparsed = parseJobConfig(exported, 'HOCON').config;
        expect(configsEqual(reparsed, task.config as never), task.name).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
