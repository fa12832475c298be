/**
 * An instance executing a run is killed with SIGKILL (it runs as a child process here): another
 * instance notices the expired lease, ends the run as INSTANCE_LOST within 30 s, and the killed
 * instance's engine process does not live on.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { gqlData, login } from '../support/graphql.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { waitFor } from '../support/wait.js';

const SLOW_JOB = `
env {
  job.mode = "BATCH"
  read_limit.rows_per_second = 5
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 100000
    schema = { fields { name = string } }
  }
}
sink {
  Console { plugin_input = "fake" }
}
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a killed instance', () => {
  let db: TestDatabase;
  let child: ServerProcess;
  let survivor: TestApp | undefined;
  const env = {
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_RUN_LEASE_MS: '6000',
    SLUICE_ADMIN_EMAIL: ADMIN.email,
    SLUICE_ADMIN_PASSWORD: ADMIN.password,
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    if (child && child.child.exitCode === null) child.child.kill('SIGKILL');
    await survivor?.stop();
    await db?.drop();
  });

  it('has its run ended as INSTANCE_LOST by another instance within 30 s', async () => {
    child = spawnServer({ DATABASE_URL: db.url, ...env });
    const url = await child.ready;
    const token = await login(url, ADMIN.email, ADMIN.password);
    const { serverInfo } = await gqlData<{ serverInfo: { instanceId: string } }>(url, '{ serverInfo { instanceId } }');
    const ws = (await gqlData<{ workspaces: { id: string }[] }>(url, '{ workspaces { id } }', undefined, token))
      .workspaces[0]!.id;
    const { createTask } = await gqlData<{ createTask: { id: string } }>(
      url,
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      { i: { workspaceId: ws, name: 'slow', content: SLOW_JOB } },
      token,
    );
    const { startRun } = await gqlData<{ startRun: { id: string } }>(
      url,
      'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
      { i: { taskId: createTask.id } },
      token,
    );
    await waitFor(
      async () =>
        (
          await db.query<{ status: string; instance_id: string }>('SELECT status, instance_id FROM run WHERE id = $1', [
            startRun.id,
          ])
        )[0]?.status === 'RUNNING',
      { timeoutMs: 20_000, what: 'the run to start on the child instance' },
    );
    const [row] = await db.query<{ instance_id: string }>('SELECT instance_id FROM run WHERE id = $1', [startRun.id]);
    expect(row!.instance_id).toBe(serverInfo.instanceId);
    // The engine's worker process of the run (a child of the instance).
    const workers = await waitFor(
      async () => {
        const { execFile } = await import('node:child_process');
        const out = await new Promise<string>((resolve) =>
          execFile('ps', ['-o', 'pid=', '--ppid', String(child.child.pid)], (_e, stdout) => resolve(stdout)),
        );
        const pids = out
          .split('\n')
          .map((l) => Number(l.trim()))
          .filter((n) => n > 0);
        return pids.length ? pids : undefined;
      },
      { timeoutMs: 10_000, what: 'the engine worker process' },
    );

    survivor = await startTestApp({ databaseUrl: db.url, env });
    const killedAt = Date.now();
    child.child.kill('SIGKILL');
    await child.exited;

    const ended = await waitFor(
      async () => {
        const [r] = await db.query<{ status: string; error_code: string | null; finished_at: Date | null }>(
          'SELECT status, error_code, finished_at FROM run WHERE id = $1',
          [startRun.id],
        );
        return r?.status === 'FAILED' ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the run to be ended as INSTANCE_LOST' },
    );
    expect(ended.error_code).toBe('INSTANCE_LOST');
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    const lines = await db.query<{ message: string; origin: string }>(
      'SELECT message, origin FROM run_log WHERE run_id = $1 ORDER BY seq',
      [startRun.id],
    );
    expect(lines.at(-1)).toMatchObject({ origin: 'SYSTEM' });
    expect(lines.at(-1)!.message).toMatch(/INSTANCE_LOST: instance .* stopped renewing/);
    // No zombie: the engine worker of the killed instance stops once its parent is gone.
    await waitFor(() => workers.every((pid) => !alive(pid)), {
      timeoutMs: 10_000,
      what: 'the orphaned worker to exit',
    });
  }, 90_000);
});
