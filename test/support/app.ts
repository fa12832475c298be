import 'reflect-metadata';
import { createApp, type App } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { captureLogs, type CapturedLogs } from './logs.js';

/** Fast heartbeats so that cluster behaviour shows within a test's patience. */
export const FAST_CLUSTER = {
  SLUICE_HEARTBEAT_INTERVAL_MS: '200',
  SLUICE_INSTANCE_TIMEOUT_MS: '1500',
};

export interface TestApp {
  app: App;
  logs: CapturedLogs;
  /** http://127.0.0.1:port */
  url: string;
  stop(): Promise<void>;
}

/** Boots the real app in this process, on a random port, against `databaseUrl` (embedded when undefined). */
export async function startTestApp(options: { databaseUrl?: string; env?: Record<string, string> }): Promise<TestApp> {
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
  return { app, logs, url: app.url, stop: () => app.stop() };
}
