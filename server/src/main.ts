import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { isAppError } from './errors.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config);
  const app = createApp(config, logger);

  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    // npm and tsx forward the terminal's Ctrl-C, so one key press can arrive twice: only a
    // signal well after the first one means "stop now".
    if (firstSignalAt > 0) {
      if (Date.now() - firstSignalAt < 2000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    logger.info({ signal }, 'received signal; stopping (send it again to force)');
    const force = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 30_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A closed terminal sends SIGHUP, whose default would kill us before the database is stopped.
  process.on('SIGHUP', shutdown);
  // ...and writing to that terminal then fails: logging must not crash the shutdown.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  try {
    await app.start();
  } catch (err) {
    if (isAppError(err)) {
      logger.fatal({ code: err.code }, err.message);
    } else {
      logger.fatal({ err }, 'Sluice could not start');
    }
    process.exit(1);
  }
}

void main();
