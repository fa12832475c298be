/**
 * The embedded engine's child process: receives one job over IPC, runs it with runJob and reports
 * log lines, metrics and the final state back. One process per run, so a crashing connector (or
 * one that leaks memory) ends only its own run. Secrets the job carries are masked in every
 * log line and error message before they leave this process.
 */
import { runJob, type JobResult, type LogLine } from './runner.js';
import { maskSecrets } from './mask.js';
import type { MetricsSnapshot } from './metrics.js';
import type { JobConfig } from '../job-config/index.js';

export interface WorkerStart {
  type: 'start';
  jobId: string;
  config: JobConfig;
  /** Values to mask in anything reported (passwords, tokens). */
  secrets: string[];
  metricsIntervalMs?: number;
}
export interface WorkerCancel {
  type: 'cancel';
}
/** No further job for this worker: it exits. */
export interface WorkerExit {
  type: 'exit';
}
export type ToWorker = WorkerStart | WorkerCancel | WorkerExit;

export type FromWorker =
  | { type: 'running'; pid: number }
  | { type: 'log'; lines: LogLine[] }
  | { type: 'metrics'; metrics: MetricsSnapshot }
  | { type: 'done'; result: JobResult };

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

// One job at a time. After a job the worker waits: the engine either gives it the next job (it
// reuses workers whose job succeeded) or tells it to exit.
let controller = new AbortController();
let busy = false;
let exitWhenIdle = false;

async function run(start: WorkerStart): Promise<void> {
  const secrets = start.secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  let pending: LogLine[] = [];
  const flush = () => {
    if (pending.length === 0) return Promise.resolve();
    const lines = pending;
    pending = [];
    return send({ type: 'log', lines });
  };
  const flusher = setInterval(() => void flush(), 100);
  const result = await runJob(start.config, {
    jobId: start.jobId,
    signal: controller.signal,
    metricsIntervalMs: start.metricsIntervalMs,
    log: (line) => {
      pending.push({ ...line, message: maskSecrets(line.message, secrets) });
      if (pending.length >= 500) void flush();
    },
    onMetrics: (metrics) => void send({ type: 'metrics', metrics }),
  });
  clearInterval(flusher);
  await flush();
  if (result.error) result.error.message = maskSecrets(result.error.message, secrets);
  await send({ type: 'done', result });
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (message.type === 'exit') {
    if (!busy) process.exit(0);
    exitWhenIdle = true;
    return;
  }
  if (busy) return;
  busy = true;
  controller = new AbortController();
  void run(message).then(
    () => {
      busy = false;
      if (exitWhenIdle) process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(
        `engine worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(70);
    },
  );
});
// The parent went away (server killed): stop the job rather than run on unsupervised.
process.on('disconnect', () => {
  if (!busy) process.exit(0);
  controller.abort();
  setTimeout(() => process.exit(1), 5000).unref();
});
void send({ type: 'running', pid: process.pid });
