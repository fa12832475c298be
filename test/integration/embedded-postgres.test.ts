import { execFileSync } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { createApp } from '../../server/src/app.js';
import { startTestApp } from '../support/app.js';
import { gqlData } from '../support/graphql.js';
import { captureLogs } from '../support/logs.js';
import { spawnServer } from '../support/process.js';
import { waitFor } from '../support/wait.js';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const postmasterPid = async (dataDir: string) =>
  Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);

describe('the embedded PostgreSQL (no DATABASE_URL)', () => {
  let dataDir: string;
  const env = () => ({ SLUICE_DATA_DIR: dataDir, SLUICE_EMBEDDED_PG_PORT: '0' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-embedded-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts, serves, stops without leaving PostgreSQL running, and keeps the data for the next start', async () => {
    const first = await startTestApp({ env: env() });
    const { serverInfo } = await gqlData<{ serverInfo: { instanceId: string; database: { kind: string } } }>(
      first.url,
      '{ serverInfo { instanceId database { kind serverVersion } } }',
      undefined,
      first.token,
    );
    expect(serverInfo.database.kind).toBe('EMBEDDED');
    const pgPid = await postmasterPid(dataDir);
    expect(isAlive(pgPid)).toBe(true);
    const firstKey = first.app.secretBox?.fingerprint;
    await first.stop();
    expect(isAlive(pgPid)).toBe(false);

    const second = await startTestApp({ env: env() });
    try {
      const { serverInstances } = await gqlData<{ serverInstances: { id: string; status: string }[] }>(
        second.url,
        '{ serverInstances { id status } }',
        undefined,
        second.token,
      );
      // The first run's instance row survived the restart: the data directory was reused.
      expect(serverInstances).toContainEqual({ id: serverInfo.instanceId, status: 'DOWN' });
      expect(second.logs.lines.some((l) => l.msg === 'initialising the embedded PostgreSQL cluster')).toBe(false);
    } finally {
      await second.stop();
    }
    // The database password and the secret key are generated once, private, and kept across starts.
    const password = await readFile(path.join(dataDir, 'postgres.password'), 'utf8');
    expect(password.length).toBeGreaterThanOrEqual(24);
    for (const file of ['postgres.password', 'secret.key']) {
      expect((await stat(path.join(dataDir, file))).mode & 0o777, file).toBe(0o600);
    }
    expect(second.app.secretBox?.fingerprint).toEqual(firstKey);
    expect(firstKey).toHaveLength(8);
  });

  // SIGHUP: the terminal closed (npm exits at once on Ctrl-C, and a wrapping terminal may close then).
  it.each(['SIGINT', 'SIGHUP'] as const)(
    'leaves no PostgreSQL behind when the server process gets %s',
    async (signal) => {
      const server = spawnServer(env());
      await server.ready;
      const pgPid = await postmasterPid(dataDir);
      expect(isAlive(pgPid)).toBe(true);
      server.child.kill(signal);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(isAlive(pgPid)).toBe(false);
    },
  );

  it('shuts down a PostgreSQL orphaned by a killed server before starting its own', async () => {
    const server = spawnServer(env());
    await server.ready;
    const orphan = await postmasterPid(dataDir);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(isAlive(orphan)).toBe(true);

    const next = await startTestApp({ env: env() });
    try {
      expect(isAlive(orphan)).toBe(false);
      expect(next.logs.lines.some((l) => String(l.msg).startsWith('stopping a PostgreSQL left running'))).toBe(true);
      await gqlData(next.url, '{ serverInfo { version } }');
    } finally {
      await next.stop();
    }
    await waitFor(() => !isAlive(orphan));
  });

  // As root, the cluster runs as the system's "postgres" user; this covers the other path.
  const nobody = { uid: 65534, gid: 65534 };
  const nobodyCanRead = () => {
    try {
      execFileSync('test', ['-r', path.resolve(import.meta.dirname, '../../package.json')], nobody);
      return true;
    } catch {
      return false;
    }
  };
  it.runIf(process.getuid?.() === 0 && nobodyCanRead())(
    'runs as a normal user, with PostgreSQL under that same user and every file private to it',
    async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), 'sluice-user-'));
      await chown(home, nobody.uid, nobody.gid);
      const userDataDir = path.join(home, 'data');
      const server = spawnServer({ SLUICE_DATA_DIR: userDataDir, SLUICE_EMBEDDED_PG_PORT: '0', HOME: home }, nobody);
      try {
        const url = await server.ready;
        await gqlData(url, '{ serverInfo { version } }');
        const pgPid = await postmasterPid(userDataDir);
        expect((await stat(`/proc/${pgPid}`)).uid).toBe(nobody.uid);
        expect((await stat(userDataDir)).mode & 0o777).toBe(0o700);
        server.child.kill('SIGINT');
        expect(await server.exited).toEqual({ code: 0, signal: null });
        expect(isAlive(pgPid)).toBe(false);
      } finally {
        server.child.kill('SIGKILL');
        await rm(home, { recursive: true, force: true });
      }
    },
  );

  it('refuses a second Sluice on the same data directory, leaving the first one running', async () => {
    const server = spawnServer(env());
    try {
      const url = await server.ready;
      const logs = captureLogs();
      const second = createApp(loadConfig({ ...env(), PORT: '0' }), logs.logger);
      const err = await second.start().then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(err?.code).toBe('DATA_DIR_UNUSABLE');
      expect(err?.message).toMatch(new RegExp(`another Sluice \\(pid ${server.child.pid}\\) is running on it`));
      await gqlData(url, '{ serverInfo { version } }');
    } finally {
      server.child.kill('SIGINT');
      await server.exited;
    }
  });

  it('explains an unusable data directory instead of crashing obscurely', async () => {
    const file = path.join(dataDir, 'not-a-directory');
    await writeFile(file, 'x');
    const logs = captureLogs();
    const app = createApp(loadConfig({ SLUICE_DATA_DIR: file, PORT: '0' }), logs.logger);
    const err = await app.start().then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(err?.code).toBe('DATA_DIR_UNUSABLE');
    expect(err?.message).toContain(`Data directory ${file} is unusable`);
  });
});
