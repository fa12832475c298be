import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { migrations } from '../migrations/index.js';
import { entities } from './entities.js';

export type Orm = MikroORM;

/** Arbitrary but fixed: every Sluice instance takes this advisory lock to migrate. */
const MIGRATION_LOCK_KEY = 0x51_75_1c_e0;

export async function createOrm(url: string, options: { poolSize: number; logger: Logger }): Promise<Orm> {
  let orm: Orm;
  try {
    orm = await MikroORM.init({
      clientUrl: url,
      entities,
      extensions: [Migrator],
      migrations: {
        migrationsList: migrations,
        tableName: 'mikro_orm_migrations',
        transactional: true,
        allOrNothing: true,
        snapshot: false,
        silent: true,
      },
      pool: { min: 0, max: options.poolSize },
      debug: false,
      allowGlobalContext: false,
      ensureDatabase: false,
    });
  } catch (cause) {
    throw unavailable((cause as Error).message, cause);
  }
  // init() connects lazily: check now, so a wrong DATABASE_URL fails the start with its reason.
  await orm.connect().catch(() => undefined); // failure surfaces through the check below
  const check = await orm.checkConnection();
  if (!check.ok) {
    await orm.close(true).catch(() => undefined);
    throw unavailable(check.reason ?? 'unknown reason', check.error);
  }
  return orm;
}

function unavailable(reason: string, cause?: unknown): AppError {
  return new AppError('DATABASE_UNAVAILABLE', `Cannot connect to PostgreSQL: ${reason}`, {}, { cause });
}

/**
 * Applies pending migrations. Instances starting together on one database serialise on a
 * PostgreSQL advisory lock, so exactly one applies each migration and the others find them done.
 */
export async function migrate(orm: Orm, url: string, logger: Logger): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await orm.migrator.up();
    const names = applied.map((m) => m.name);
    if (names.length > 0) logger.info({ migrations: names }, 'applied database migrations');
    return names;
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
