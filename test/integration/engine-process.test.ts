import { describe, expect, it } from 'vitest';
import {
  EmbeddedEngine,
  type EngineState,
  type LogLine,
  type MetricsSnapshot,
} from '../../server/src/modules/engine/index.js';
import { parseJobConfig } from '../../server/src/modules/job-config/index.js';
import { waitFor } from '../support/wait.js';

const job = (text: string) => parseJobConfig(text, 'HOCON').config;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const FAKE_TO_CONSOLE = (extra = '', print = false) => `
env { job.mode = BATCH }
source {
  FakeSource {
    plugin_output = fake
    row.num = 5000
    ${extra}
    schema = { fields { id = bigint, name = string, amount = "decimal(12, 2)" } }
  }
}
sink { Console { plugin_input = fake, log.print.data = ${print} } }
`;

describe('the embedded engine runs each job in a child process of its own', () => {
  it('reports states, metrics and the final summary, and the process is gone afterwards', async () => {
    const engine = new EmbeddedEngine({ metricsIntervalMs: 100 });
    const handle = engine.start({ jobId: 'process-1', config: job(FAKE_TO_CONSOLE()) });
    const states: EngineState[] = [];
    const metrics: MetricsSnapshot[] = [];
    handle.on('state', (s) => states.push(s));
    handle.on('metrics', (m) => metrics.push(m));
    const result = await handle.result;
    expect(result.status).toBe('SUCCEEDED');
    expect(states).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(result.metrics.rowsRead).toBe(5000);
    expect(result.metrics.rowsWritten).toBe(5000);
    expect(result.metrics.memoryPeak).toBeGreaterThan(0);
    expect(handle.pid).toBeGreaterThan(0);
    expect(handle.pid).not.toBe(process.pid);
    await waitFor(() => !alive(handle.pid!), { timeoutMs: 5000 });
  });

  it('forwards log lines with secrets masked', async () => {
    const engine = new EmbeddedEngine();
    const handle = engine.start({
      jobId: 'process-2',
      secrets: ['hunter2-password'],
      config: job(`
source { FakeSource { schema = { fields { note = string } }, rows = [{ kind = INSERT, fields = ["my password is hunter2-password"] }] } }
sink { Console {} }`),
    });
    const lines: LogLine[] = [];
    handle.on('log', (l) => lines.push(l));
    expect((await handle.result).status).toBe('SUCCEEDED');
    const text = lines.map((l) => l.message).join('\n');
    expect(text).toContain('my password is ******');
    expect(text).not.toContain('hunter2-password');
  });

  it('cancels a running job: the job rolls back and ends CANCELLED', async () => {
    const engine = new EmbeddedEngine();
    const handle = engine.start({
      jobId: 'process-3',
      config: job(FAKE_TO_CONSOLE('split.num = 5, split.read-interval = 60000')),
    });
    await waitFor(() => handle.state === 'RUNNING');
    const result = await handle.cancel();
    expect(result.status).toBe('CANCELLED');
    expect(result.error?.code).toBe('CANCELLED');
  });

  it('kills a job that does not stop within the grace period', async () => {
    const engine = new EmbeddedEngine({ cancelGraceMs: 300 });
    const handle = engine.start({
      jobId: 'process-4',
      config: job(FAKE_TO_CONSOLE('split.num = 5, split.read-interval = 60000')),
    });
    await waitFor(() => handle.state === 'RUNNING');
    process.kill(handle.pid!, 'SIGSTOP'); // a job stuck so hard it cannot even hear the cancel
    const result = await handle.cancel();
    expect(result.status).toBe('CANCELLED');
    expect(result.error?.message).toMatch(/killed after it did not stop within the grace period/);
    await waitFor(() => !alive(handle.pid!), { timeoutMs: 5000 });
  });

  it('a crashing engine process fails its job only (ENGINE_CRASHED)', async () => {
    const engine = new EmbeddedEngine();
    const handle = engine.start({
      jobId: 'process-5',
      config: job(FAKE_TO_CONSOLE('split.num = 5, split.read-interval = 60000')),
    });
    await waitFor(() => handle.state === 'RUNNING');
    process.kill(handle.pid!, 'SIGKILL');
    const result = await handle.result;
    expect(result.status).toBe('FAILED');
    expect(result.error).toEqual({
      code: 'ENGINE_CRASHED',
      message: 'the engine process was killed by SIGKILL before the job ended',
    });
  });

  it('reports a failing job with its code and plugin', async () => {
    const engine = new EmbeddedEngine();
    const handle = engine.start({
      jobId: 'process-6',
      config: job(`
source { Jdbc { url = "jdbc:oracle:thin:@db:1521/x", driver = "oracle.jdbc.OracleDriver", query = "select 1" } }
sink { Console {} }`),
    });
    const result = await handle.result;
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'CONFIG_INVALID', plugin: 'source[0] Jdbc' });
    expect(result.error!.message).toMatch(/oracle.*embedded engine does not connect to.*SeaTunnel engine/);
  });
});

describe('worker reuse (a server keeps workers loaded and reuses those whose job succeeded)', () => {
  const FAILING = `
env { job.mode = BATCH }
source { FakeSource { plugin_output = fake, row.num = 3, schema = { fields { id = bigint } } } }
sink { Assert { plugin_input = fake, rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 10 } ] } } }
`;

  it('runs the next job in the worker of a job that succeeded, and replaces one whose job failed', async () => {
    const engine = new EmbeddedEngine({ maxJobsPerWorker: 3, standbyWorkers: 1 });
    try {
      const run = async (id: string, text: string) => {
        const handle = engine.start({ jobId: id, config: job(text) });
        const result = await handle.result;
        return { pid: handle.pid!, status: result.status };
      };
      const first = await run('reuse-1', FAKE_TO_CONSOLE());
      const second = await run('reuse-2', FAKE_TO_CONSOLE());
      expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(second.pid).toBe(first.pid);
      const failed = await run('reuse-3', FAILING);
      expect(failed).toEqual({ pid: first.pid, status: 'FAILED' });
      // The failed job's worker is discarded: it exits, and the next job runs elsewhere.
      await waitFor(() => !alive(first.pid), { what: 'the failed job’s worker to exit' });
      const fourth = await run('reuse-4', FAKE_TO_CONSOLE());
      expect(fourth.status).toBe('SUCCEEDED');
      expect(fourth.pid).not.toBe(first.pid);
    } finally {
      engine.close();
    }
  }, 60_000);

  it('reuses one worker for many jobs without gathering listeners on it', async () => {
    const engine = new EmbeddedEngine({ maxJobsPerWorker: 50, standbyWorkers: 1 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const pids = new Set<number>();
      for (let i = 0; i < 15; i++) {
        const handle = engine.start({ jobId: `many-${i}`, config: job(FAKE_TO_CONSOLE()) });
        expect((await handle.result).status).toBe('SUCCEEDED');
        pids.add(handle.pid!);
      }
      expect(pids.size).toBe(1);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      engine.close();
    }
  }, 60_000);

  it('gives every job a fresh process by default, and the process exits after it', async () => {
    const engine = new EmbeddedEngine();
    const a = engine.start({ jobId: 'fresh-1', config: job(FAKE_TO_CONSOLE()) });
    expect((await a.result).status).toBe('SUCCEEDED');
    await waitFor(() => !alive(a.pid!), { what: 'the worker to exit' });
    const b = engine.start({ jobId: 'fresh-2', config: job(FAKE_TO_CONSOLE()) });
    expect((await b.result).status).toBe('SUCCEEDED');
    expect(b.pid).not.toBe(a.pid);
  }, 60_000);
});
