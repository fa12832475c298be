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
