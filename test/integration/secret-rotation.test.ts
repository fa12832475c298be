import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type Orm } from '../../server/src/database/orm.js';
import { resealColumns, type SealedColumn } from '../../server/src/secrets/reseal.js';
import { SecretBox } from '../../server/src/secrets/secret-box.js';
import { startTestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData } from '../support/graphql.js';
import { captureLogs } from '../support/logs.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs `sluice <args>` (the CLI from source) with `env`; resolves with its exit code and output. */
async function sluice(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const TEST = 'mutation($id: ID!) { testDatasource(id: $id) { ok error { code message } } }';

/** Every sealed column, with the context its owning service seals under (written out: the test's own record). */
const SEALED = [
  { kind: 'datasource secret set', table: 'datasource', column: 'sealed_secrets', context: 'datasource:' },
  { kind: 'task secret set', table: 'task', column: 'sealed_secrets', context: 'task:' },
  { kind: 'run secret parameter set', table: 'run', column: 'sealed_params', context: 'run:' },
  { kind: 'alarm channel secret set', table: 'alarm_channel', column: 'sealed_secrets', context: 'alarm-channel:' },
] as const;

const JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 1, schema = { fields { name = string } }, string.fake.mode = "template", string.template = ["\${token}"] } }
sink { Console { plugin_input = "fake" } }
`;

const keyBox = (hex: string) => new SecretBox([Buffer.from(hex, 'hex')]);

describe('sluice rotate-secret-key', () => {
  const suffix = randomBytes(3).toString('hex');
  const maria = { user: `sluice_rot_${suffix}`, password: `Rot-${randomBytes(9).toString('hex')}` };
  let root: mysql.Connection;

  beforeAll(async () => {
    root = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    await root.query(`CREATE USER '${maria.user}'@'%' IDENTIFIED BY '${maria.password}'`);
  });
  afterAll(async () => {
    await root?.query(`DROP USER IF EXISTS '${maria.user}'@'%'`);
    await root?.end();
  });

  /** A MariaDB datasource whose test succeeds only if its password decrypts correctly. */
  const createDatasource = async (url: string, token: string) => {
    const ws = (await gqlData<{ workspaces: { id: string }[] }>(url, '{ workspaces { id } }', undefined, token))
      .workspaces[0]!.id;
    const { createDatasource } = await gqlData<{ createDatasource: { id: string } }>(
      url,
      'mutation($i: CreateDatasourceInput!) { createDatasource(input: $i) { id } }',
      {
        i: {
          workspaceId: ws,
          name: 'rotating',
          type: 'MYSQL',
          options: { host: '127.0.0.1', user: maria.user, password: maria.password, sslMode: 'DISABLED' },
        },
      },
      token,
    );
    return createDatasource.id;
  };

  describe('on a shared database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db?.drop();
    });

    /** Every sealed value in the database, by kind, with its row id. */
    const sealedValues = async () =>
      Object.fromEntries(
        await Promise.all(
          SEALED.map(async ({ kind, table, column }) => {
            const rows = await db.query<{ id: string; value: Buffer }>(
              `SELECT id, ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL ORDER BY id`,
            );
            return [kind, rows] as const;
          }),
        ),
      );

    it('re-encrypts every secret (datasources, tasks, run parameters, alarm channels) under the new key, after which the old key opens nothing', async () => {
      const oldKey = randomBytes(32).toString('hex');
      const newKey = randomBytes(32).toString('hex');
      // No run executes (limit 0): the run stays queued with its secret parameter sealed.
      const before = await startTestApp({
        databaseUrl: db.url,
        env: { SLUICE_SECRET_KEY: oldKey, SLUICE_INSTANCE_RUN_LIMIT: '0' },
      });
      const id = await createDatasource(before.url, before.token);
      const ws = (
        await gqlData<{ workspaces: { id: string }[] }>(before.url, '{ workspaces { id } }', undefined, before.token)
      ).workspaces[0]!.id;
      const { createTask } = await gqlData<{ createTask: { id: string } }>(
        before.url,
        'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
        {
          i: {
            workspaceId: ws,
            name: 'rotating-task',
            content: JOB,
            variables: [{ name: 'token', secret: true }],
            secretValues: [{ name: 'token', value: 'task-secret' }],
          },
        },
        before.token,
      );
      await gqlData(
        before.url,
        'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
        { i: { taskId: createTask.id, params: { token: 'run-secret' } } },
        before.token,
      );
      await gqlData(
        before.url,
        'mutation($i: CreateAlarmChannelInput!) { createAlarmChannel(input: $i) { id } }',
        {
          i: {
            workspaceId: ws,
            name: 'rotating-hook',
            type: 'WEBHOOK',
            config: { url: 'http://127.0.0.1:9/hook', hmacSecret: 's3cret' },
          },
        },
        before.token,
      );
      await before.stop();

      const oldBox = keyBox(oldKey);
      const newBox = keyBox(newKey);
      const sealedBefore = await sealedValues();
      const plaintexts = new Map<string, string>();
      for (const { kind, context } of SEALED) {
        expect(sealedBefore[kind], kind).toHaveLength(1);
        for (const row of sealedBefore[kind]!) plaintexts.set(row.id, oldBox.open(row.value, context + row.id));
      }
      expect(JSON.parse(plaintexts.get(createTask.id)!)).toEqual({ token: 'task-secret' });
      expect(JSON.parse(plaintexts.get(sealedBefore['run secret parameter set']![0]!.id)!)).toEqual({
        token: 'run-secret',
      });

      const result = await sluice(['rotate-secret-key'], {
        DATABASE_URL: db.url,
        SLUICE_SECRET_KEY: newKey,
        SLUICE_PREVIOUS_SECRET_KEYS: oldKey,
      });
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toBe(
        [
          'Re-encrypted 1 datasource secret set(s); 0 were under the new key already.',
          'Re-encrypted 1 task secret set(s); 0 were under the new key already.',
          'Re-encrypted 1 run secret parameter set(s); 0 were under the new key already.',
          'Re-encrypted 1 alarm channel secret set(s); 0 were under the new key already.',
          'Every secret is under SLUICE_SECRET_KEY now: remove SLUICE_PREVIOUS_SECRET_KEYS from every instance.',
          '',
        ].join('\n'),
      );

      const sealedAfter = await sealedValues();
      for (const { kind, context } of SEALED) {
        expect(
          sealedAfter[kind]!.map((r) => r.id),
          kind,
        ).toEqual(sealedBefore[kind]!.map((r) => r.id));
        sealedAfter[kind]!.forEach((row, i) => {
          expect(row.value.equals(sealedBefore[kind]![i]!.value), kind).toBe(false);
          expect(newBox.open(row.value, context + row.id), kind).toBe(plaintexts.get(row.id));
          expect(() => oldBox.open(row.value, context + row.id), kind).toThrow(/another key/);
        });
      }

      // Running it again finds nothing left to do.
      const again = await sluice(['rotate-secret-key'], { DATABASE_URL: db.url, SLUICE_SECRET_KEY: newKey });
      expect(again).toMatchObject({ code: 0 });
      for (const { kind } of SEALED) {
        expect(again.stdout).toContain(`Re-encrypted 0 ${kind}(s); 1 were under the new key already.`);
      }
      expect(await sealedValues()).toEqual(sealedAfter);

      const withNew = await startTestApp({
        databaseUrl: db.url,
        env: { SLUICE_SECRET_KEY: newKey, SLUICE_INSTANCE_RUN_LIMIT: '0' },
      });
      try {
        expect(
          (await gqlData<{ testDatasource: { ok: boolean } }>(withNew.url, TEST, { id }, withNew.token)).testDatasource
            .ok,
        ).toBe(true);
      } finally {
        await withNew.stop();
      }
      const withOld = await startTestApp({
        databaseUrl: db.url,
        env: { SLUICE_SECRET_KEY: oldKey, SLUICE_INSTANCE_RUN_LIMIT: '0' },
      });
      try {
        const res = await gql(withOld.url, TEST, { id }, withOld.token);
        expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'SECRET_UNREADABLE' } });
        expect(res.errors?.[0]?.message).toMatch(/another key/);
      } finally {
        await withOld.stop();
      }
    });
  });

  describe('on the embedded database', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-rotate-'));
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('generates a new key into the data directory, keeps the old one aside, and refuses while Sluice runs', async () => {
      const env = { SLUICE_DATA_DIR: dataDir, SLUICE_EMBEDDED_PG_PORT: '0' };
      const first = await startTestApp({ env });
      const id = await createDatasource(first.url, first.token);
      const oldKey = await readFile(path.join(dataDir, 'secret.key'), 'utf8');

      // Another process must not rotate (nor start PostgreSQL) under a running Sluice.
      const refused = await sluice(['rotate-secret-key'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/another Sluice \(pid \d+\) is running on it/);
      await first.stop();

      const rotated = await sluice(['rotate-secret-key'], env);
      expect(rotated).toMatchObject({ code: 0 });
      expect(rotated.stdout).toContain('Re-encrypted 1 datasource secret set(s); 0 were under the new key already.');
      const newKey = await readFile(path.join(dataDir, 'secret.key'), 'utf8');
      expect(newKey).not.toBe(oldKey);
      const files = await readdir(dataDir);
      expect(files.filter((f) => f.startsWith('secret.key.retired-'))).toHaveLength(1);
      expect(files).not.toContain('secret.key.new');

      const after = await startTestApp({ env });
      try {
        expect(
          (await gqlData<{ testDatasource: { ok: boolean } }>(after.url, TEST, { id }, after.token)).testDatasource.ok,
        ).toBe(true);
      } finally {
        await after.stop();
      }
    });
  });
});

describe('resealColumns', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const oldBox = new SecretBox([oldKey]);
  const newBox = new SecretBox([newKey]);
  const rotating = new SecretBox([newKey, oldKey]);
  let db: TestDatabase;
  let orm: Orm;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await createOrm(db.url, { poolSize: 2, logger: captureLogs().logger });
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  /** A fresh table of sealed values: `old` under the old key, `current` under the new one, `empty` null. */
  const fixture = async (table: string, counts: { old: number; current: number; empty: number }) => {
    await db.query(`CREATE TABLE ${table} (id uuid PRIMARY KEY, secret bytea)`);
    const column: SealedColumn = {
      label: `${table} value`,
      table,
      column: 'secret',
      context: (id) => `${table}:${id}`,
    };
    const rows: { id: string; box: SecretBox | null }[] = [
      ...Array.from({ length: counts.old }, () => ({ id: randomUUID(), box: oldBox })),
      ...Array.from({ length: counts.current }, () => ({ id: randomUUID(), box: newBox })),
      ...Array.from({ length: counts.empty }, () => ({ id: randomUUID(), box: null })),
    ];
    for (const { id, box } of rows) {
      await db.query(`INSERT INTO ${table} (id, secret) VALUES ($1, $2)`, [
        id,
        box?.seal(`value of ${id}`, column.context(id)) ?? null,
      ]);
    }
    return column;
  };
  const stored = async (table: string) =>
    db.query<{ id: string; secret: Buffer | null }>(`SELECT id, secret FROM ${table} ORDER BY id`);

  it('re-seals, in batches, every value not under the sealing key and counts those that were, per column', async () => {
    const many = await fixture('reseal_many', { old: 11, current: 4, empty: 2 });
    const none = await fixture('reseal_none', { old: 0, current: 0, empty: 1 });
    const before = await stored('reseal_many');

    expect(await resealColumns(orm.em.fork(), rotating, [many, none], { batchSize: 4 })).toEqual([
      { label: 'reseal_many value', resealed: 11, current: 4 },
      { label: 'reseal_none value', resealed: 0, current: 0 },
    ]);
    const after = await stored('reseal_many');
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    for (const [i, row] of after.entries()) {
      const was = before[i]!.secret;
      if (!row.secret || !was) {
        expect([row.secret, was]).toEqual([null, null]);
        continue;
      }
      expect(newBox.open(row.secret, many.context(row.id))).toBe(`value of ${row.id}`);
      // Values under the new key already are left as they were.
      expect(row.secret.equals(was)).toBe(newBox.isCurrent(was));
    }
    expect(await resealColumns(orm.em.fork(), rotating, [many], { batchSize: 4 })).toEqual([
      { label: 'reseal_many value', resealed: 0, current: 15 },
    ]);
  });

  it('aborts on a value no key opens, naming its table and row, and changes nothing (not even the columns done before)', async () => {
    const good = await fixture('reseal_good', { old: 3, current: 0, empty: 0 });
    const bad = await fixture('reseal_bad', { old: 5, current: 0, empty: 0 });
    const stranger = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
    await db.query('INSERT INTO reseal_bad (id, secret) VALUES ($1, $2)', [
      stranger,
      new SecretBox([randomBytes(32)]).seal('lost', bad.context(stranger)),
    ]);
    const before = { good: await stored('reseal_good'), bad: await stored('reseal_bad') };

    const failure = resealColumns(orm.em.fork(), rotating, [good, bad], { batchSize: 2 });
    await expect(failure).rejects.toMatchObject({
      code: 'SECRET_UNREADABLE',
      extensions: { table: 'reseal_bad', id: stranger },
    });
    await expect(failure).rejects.toThrow(`The reseal_bad value of reseal_bad ${stranger} cannot be opened`);
    expect({ good: await stored('reseal_good'), bad: await stored('reseal_bad') }).toEqual(before);
  });
});
