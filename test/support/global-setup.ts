import 'reflect-metadata';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createOrm, migrate } from '../../server/src/database/orm.js';
import { createLogger } from '../../server/src/logger.js';
import { ADMIN_URL, databaseUrl } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    runId: string;
  }
}

/**
 * Migrates one template database per run; each test file clones it (CREATE DATABASE ... TEMPLATE),
 * which takes milliseconds, and so starts from a clean, fully migrated schema.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Random too: each vitest project (vitest.config.ts) runs this setup, possibly in the same millisecond.
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const template = `sluice_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `The tests need PostgreSQL at ${ADMIN_URL} (set SLUICE_TEST_DATABASE_URL): ${(err as Error).message}`,
    );
  }
  await admin.query(`CREATE DATABASE ${template}`);
  const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, process.stderr);
  const orm = await createOrm(databaseUrl(template), { poolSize: 2, logger });
  await migrate(orm, databaseUrl(template), logger);
  await orm.close(true);
  await admin.end();

  project.provide('templateDatabase', template);
  project.provide('runId', runId);

  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`sluice_t_${runId}_%`, template],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await client.end();
  };
}
