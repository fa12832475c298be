import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gql, gqlData } from '../support/graphql.js';

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

    it('re-encrypts every secret under the new key, after which the old key opens nothing', async () => {
      const oldKey = randomBytes(32).toString('hex');
      const newKey = randomBytes(32).toString('hex');
      const before = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SECRET_KEY: oldKey } });
      const id = await createDatasource(before.url, before.token);
      await before.stop();
      const [{ sealed_secrets: sealedBefore }] = (await db.query<{ sealed_secrets: Buffer }>(
        'SELECT sealed_secrets FROM datasource',
      )) as [{ sealed_secrets: Buffer }];

      const result = await sluice(['rotate-secret-key'], {
        DATABASE_URL: db.url,
        SLUICE_SECRET_KEY: newKey,
        SLUICE_PREVIOUS_SECRET_KEYS: oldKey,
      });
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('Re-encrypted the secrets of 1 datasource(s); 0 were under the new key already.');
      const [{ sealed_secrets: sealedAfter }] = (await db.query<{ sealed_secrets: Buffer }>(
        'SELECT sealed_secrets FROM datasource',
      )) as [{ sealed_secrets: Buffer }];
      expect(sealedAfter.equals(sealedBefore)).toBe(false);

      // Running it again finds nothing left to do.
      expect(
        (await sluice(['rotate-secret-key'], { DATABASE_URL: db.url, SLUICE_SECRET_KEY: newKey })).stdout,
      ).toContain('of 0 datasource(s); 1 were under');

      const withNew = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SECRET_KEY: newKey } });
      try {
        expect(
          (await gqlData<{ testDatasource: { ok: boolean } }>(withNew.url, TEST, { id }, withNew.token)).testDatasource
            .ok,
        ).toBe(true);
      } finally {
        await withNew.stop();
      }
      const withOld = await startTestApp({ databaseUrl: db.url, env: { SLUICE_SECRET_KEY: oldKey } });
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
      expect(rotated.stdout).toContain('Re-encrypted the secrets of 1 datasource(s)');
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
