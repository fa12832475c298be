import 'reflect-metadata';
import { createApp, type App } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { login } from './graphql.js';
import { captureLogs, type CapturedLogs } from './logs.js';

/** The superuser every test app creates on its first start. */
export const ADMIN = { email: 'admin@sluice.test', password: 'admin-password-for-tests' };

/** Fast heartbeats so that cluster behaviour shows within a test's patience. */
export const FAST_CLUSTER = {
  SLUICE_HEARTBEAT_INTERVAL_MS: '200',
  SLUICE_INSTANCE_TIMEOUT_MS: '1500',
  SLUICE_ADMIN_EMAIL: ADMIN.email,
  SLUICE_ADMIN_PASSWORD: ADMIN.password,
  // No engine workers started ahead for apps that run no job (the run tests ask for them).
  SLUICE_ENGINE_STANDBY_WORKERS: '0',
};

export interface TestApp {
  app: App;
  logs: CapturedLogs;
  /** http://127.0.0.1:port */
  url: string;
  /** A session of the first superuser ('' with `signIn: false`). */
  token: string;
  stop(): Promise<void>;
}

/** Boots the real app in this process, on a random port, against `databaseUrl` (embedded when undefined). */
export async function startTestApp(options: {
  databaseUrl?: string;
  env?: Record<string, string>;
  /** False: nobody signs in (as on a first start, before the first admin has). */
  signIn?: boolean;
}): Promise<TestApp> {
  const config = loadConfig({
    PORT: '0',
    SLUICE_SHUTDOWN_TIMEOUT_MS: '2000',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...FAST_CLUSTER,
    ...options.env,
  });
  const logs = captureLogs();
  const app = createApp(config, logs.logger);
  await app.start();
  const token = options.signIn === false ? '' : await login(app.url, ADMIN.email, ADMIN.password);
  return { app, logs, url: app.url, token, stop: () => app.stop() };
}
