import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderConfigTable, settings } from './config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('starts with no settings at all, on the embedded database and the documented defaults', () => {
    const config = loadConfig({}, '/srv');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(5480);
    expect(config.dataDir).toBe(path.resolve('/srv/.sluice'));
    expect(config.logLevel).toBe('info');
    expect(config.heartbeatIntervalMs).toBeLessThan(config.instanceTimeoutMs);
  });

  it("serves the dashboard from this installation's dashboard/dist unless SLUICE_DASHBOARD_DIR names another", () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    expect(loadConfig({}, '/srv').dashboardDir).toBe(path.join(repo, 'dashboard', 'dist'));
    expect(loadConfig({ SLUICE_DASHBOARD_DIR: 'ui/build' }, '/srv').dashboardDir).toBe('/srv/ui/build');
    expect(loadConfig({ SLUICE_DASHBOARD_DIR: '/opt/sluice-ui' }, '/srv').dashboardDir).toBe('/opt/sluice-ui');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }, '/srv')).toMatchObject({ port: 5480, databaseUrl: undefined });
  });

  it('lists every bad setting at once, each by name', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      SLUICE_HEARTBEAT_INTERVAL_MS: '5',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^PORT: must be a whole number \(got "eighty"\)$/m);
    expect(problems.join('\n')).toMatch(/^LOG_LEVEL: .*"loud"/m);
    expect(problems.join('\n')).toMatch(/^DATABASE_URL: must be a postgres/m);
    expect(problems.join('\n')).toMatch(/^SLUICE_HEARTBEAT_INTERVAL_MS: must be at least 100/m);
  });

  it('never echoes the value of a secret setting in its error', () => {
    const problems = problemsOf({ SLUICE_SECRET_KEY: 'hunter2-not-a-key', DATABASE_URL: 'http://u:topsecret@h/db' });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/hunter2|topsecret/);
  });

  it('accepts a 32-byte secret key as hex or base64 and decodes it', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ SLUICE_SECRET_KEY: hex }).secretKey).toEqual(Buffer.from(hex, 'hex'));
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SLUICE_SECRET_KEY: b64 }).secretKey).toEqual(Buffer.alloc(32, 7));
    expect(problemsOf({ SLUICE_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toHaveLength(1);
  });

  it('refuses an instance timeout that is not longer than the heartbeat interval', () => {
    expect(problemsOf({ SLUICE_HEARTBEAT_INTERVAL_MS: '5000', SLUICE_INSTANCE_TIMEOUT_MS: '5000' })).toEqual([
      'SLUICE_INSTANCE_TIMEOUT_MS: must be greater than SLUICE_HEARTBEAT_INTERVAL_MS (5000)',
    ]);
  });

  it('documents every setting in the generated table', () => {
    const table = renderConfigTable();
    for (const name of Object.keys(settings)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain('| `PORT` | `5480` |');
  });
});
