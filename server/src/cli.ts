import 'reflect-metadata';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { EmbeddedPostgres } from './database/embedded-postgres.js';
import { createOrm, migrate } from './database/orm.js';
import { isAppError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { resealDatasourceSecrets } from './modules/datasource/index.js';
import { SecretBox } from './secrets/secret-box.js';
import { KEY_FILE, NEW_KEY_FILE, readKey, writeNewKey } from './secrets/secret-key.js';

const USAGE = `Usage: sluice <command>

Commands:
  rotate-secret-key   Re-encrypt every stored secret under a new key.
                      Embedded database (no DATABASE_URL): stop Sluice, run this; a new key is
                      generated into the data directory. Shared database: set SLUICE_SECRET_KEY to
                      the new key and SLUICE_PREVIOUS_SECRET_KEYS to the old one on every instance,
                      run this once, then remove SLUICE_PREVIOUS_SECRET_KEYS.
  help                This text.
`;

async function rotateSecretKey(config: Config, logger: Logger): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  let box: SecretBox;
  let url = config.databaseUrl;
  if (url) {
    if (!config.secretKey)
      throw new Error(
        'Set SLUICE_SECRET_KEY to the key to rotate to (and SLUICE_PREVIOUS_SECRET_KEYS to the old ones)',
      );
    box = new SecretBox([config.secretKey, ...config.previousSecretKeys]);
  } else {
    // Two files so that a crash at any point leaves every secret readable: the new key is written
    // before any secret is sealed with it, and replaces the old one only after the commit.
    const current = await readKey(path.join(config.dataDir, KEY_FILE));
    if (!current) throw new Error(`No ${KEY_FILE} in ${config.dataDir}: nothing was ever encrypted there`);
    const pendingFile = path.join(config.dataDir, NEW_KEY_FILE);
    const next = (await readKey(pendingFile)) ?? (await writeNewKey(pendingFile));
    box = new SecretBox([next, current]);
    embedded = new EmbeddedPostgres({ dataDir: config.dataDir, port: 0, logger });
    url = await embedded.start();
  }
  const orm = await createOrm(url, { poolSize: 2, logger });
  try {
    await migrate(orm, url, logger);
    const { resealed, current } = await resealDatasourceSecrets(orm.em.fork(), box);
    process.stdout.write(
      `Re-encrypted the secrets of ${resealed} datasource(s); ${current} were under the new key already.\n`,
    );
    if (embedded) {
      const keyFile = path.join(config.dataDir, KEY_FILE);
      const retired = path.join(config.dataDir, `secret.key.retired-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await fs.rename(keyFile, retired);
      await fs.rename(path.join(config.dataDir, NEW_KEY_FILE), keyFile);
      process.stdout.write(
        `The new key is in ${keyFile}. The old one was kept as ${retired}: backups taken before now need it; delete it when they are gone.\n`,
      );
    } else {
      process.stdout.write(
        'Every secret is under SLUICE_SECRET_KEY now: remove SLUICE_PREVIOUS_SECRET_KEYS from every instance.\n',
      );
    }
  } finally {
    await orm.close(true);
    await embedded?.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  try {
    switch (command) {
      case 'rotate-secret-key':
        await rotateSecretKey(config, logger);
        return 0;
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(
      `sluice ${command} failed: ${isAppError(err) || err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
