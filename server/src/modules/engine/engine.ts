/**
 * The Engine interface (DESIGN.md, key decision 2) and the embedded engine: each job runs in a
 * child process of its own (worker.ts), driven over IPC. `cancel()` asks the job to stop
 * (sinks roll back, sources close); a job that has not ended after the grace period is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobConfig } from '../job-config/index.js';
import type { MetricsSnapshot } from './metrics.js';
import type { JobResult, LogLine } from './runner.js';
import { maskSecrets } from './mask.js';
import type { FromWorker, ToWorker } from './worker.js';

export type EngineState = 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface EngineJob {
  /** Unique per execution: the run id. */
  jobId: string;
  /** Variables substituted, datasources resolved (secrets included). */
  config: JobConfig;
  /** Values never to let out of the engine in logs or errors. */
  secrets?: string[];
}

export interface EngineEvents {
  log: [LogLine];
  metrics: [MetricsSnapshot];
  state: [EngineState];
}

export interface EngineHandle extends EventEmitter<EngineEvents> {
  readonly jobId: string;
  readonly state: EngineState;
  /** The process running the job, when it runs in one of its own. */
  readonly pid?: number;
  /** Settles once, with the final state: it never rejects. */
  readonly result: Promise<JobResult>;
  /** Asks the job to stop; forced after the grace period. Resolves with the final result. */
  cancel(): Promise<JobResult>;
}

export interface Engine {
  readonly kind: 'EMBEDDED' | 'SEATUNNEL';
  start(job: EngineJob): EngineHandle;
}

export interface EmbeddedEngineOptions {
  /** How long a cancelled job may take to roll back before it is killed (default 10 s). */
  cancelGraceMs?: number;
  /** V8 heap limit of each worker, MB (default 1024): a runaway job fails alone. */
  maxHeapMb?: number;
  metricsIntervalMs?: number;
  /** Working directory of the worker (relative file paths in jobs resolve against it). */
  cwd?: string;
  /** Workers kept forked and loaded ahead of need (a server: 2; the CLI: none). */
  standbyWorkers?: number;
  /**
   * How many jobs one worker may run, one after another (default 1: a fresh process per job). A
   * worker is reused only after a job that SUCCEEDED (a failed or cancelled job's process is
   * discarded), and while its memory stays under 512 MB.
   */
  maxJobsPerWorker?: number;
  /** Reusable workers kept waiting between jobs at most (default 2). */
  maxIdleWorkers?: number;
}

const REUSE_MEMORY_LIMIT = 512 * 1024 * 1024;

/** The worker's entry: the compiled .js next to this file, or the .ts source under tsx (dev and tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const file = path.join(path.dirname(here), `worker${ext}`);
  if (ext === '.ts') {
    const tsx = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs');
    return { file, execArgv: ['--import', tsx] };
  }
  return { file, execArgv: [] };
}

class EmbeddedHandle extends EventEmitter<EngineEvents> implements EngineHandle {
  state: EngineState = 'STARTING';
  readonly result: Promise<JobResult>;
  private settle!: (result: JobResult) => void;
  private final?: JobResult;
  private killTimer?: NodeJS.Timeout;
  private cancelRequested = false;

  constructor(
    readonly jobId: string,
    private readonly child: ChildProcess,
    private readonly graceMs: number,
  ) {
    super();
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  setState(state: EngineState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  finish(result: JobResult): void {
    if (this.final) return;
    this.final = result;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.setState(result.status);
    this.settle(result);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get finished(): JobResult | undefined {
    return this.final;
  }

  get cancelling(): boolean {
    return this.cancelRequested;
  }

  cancel(): Promise<JobResult> {
    if (this.final || this.cancelRequested) return this.result;
    this.cancelRequested = true;
    if (this.child.connected) this.child.send({ type: 'cancel' } satisfies ToWorker);
    this.killTimer = setTimeout(() => {
      if (!this.final) this.child.kill('SIGKILL');
    }, this.graceMs);
    this.killTimer.unref();
    return this.result;
  }
}

const EMPTY_METRICS = (): MetricsSnapshot => ({
  time: new Date().toISOString(),
  elapsedMs: 0,
  rowsRead: 0,
  bytesRead: 0,
  rowsWritten: 0,
  bytesWritten: 0,
  readRowsPerSecond: 0,
  writeRowsPerSecond: 0,
  writeBytesPerSecond: 0,
  memoryRss: 0,
  memoryPeak: 0,
  tables: [],
});

/** A worker forked ahead of need: loaded, waiting for its job. */
interface Standby {
  child: ChildProcess;
  ready: boolean;
  /** Drops it from the standby list if it dies there; removed when it is taken for a job. */
  onExit?: () => void;
}

export class EmbeddedEngine implements Engine {
  readonly kind = 'EMBEDDED' as const;
  private readonly standby: Standby[] = [];
  private readonly jobsRun = new WeakMap<ChildProcess, number>();
  private closed = false;

  constructor(private readonly options: EmbeddedEngineOptions = {}) {
    this.refill();
  }

  /** Kills the standby workers (jobs that are running are not touched). */
  close(): void {
    this.closed = true;
    for (const spare of this.standby.splice(0)) spare.child.kill('SIGKILL');
  }

  private fork(): ChildProcess {
    const entry = workerEntry();
    return fork(entry.file, [], {
      execArgv: [
        ...entry.execArgv,
        `--max-old-space-size=${this.options.maxHeapMb ?? 1024}`,
        '--max-semi-space-size=16',
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: this.options.cwd,
    });
  }

  /**
   * Keeps `standbyWorkers` workers forked and loaded, so a job starts without waiting for a
   * process to boot. Each job still gets a process of its own, used once.
   */
  /** A worker whose job succeeded: kept for the next job, or told to exit. */
  private release(child: ChildProcess, reusable: boolean): void {
    const jobs = (this.jobsRun.get(child) ?? 0) + 1;
    this.jobsRun.set(child, jobs);
    const idle = this.standby.length;
    const keep =
      reusable &&
      !this.closed &&
      child.connected &&
      jobs < (this.options.maxJobsPerWorker ?? 1) &&
      idle < Math.max(this.options.maxIdleWorkers ?? 2, this.options.standbyWorkers ?? 0);
    if (!keep) {
      if (child.connected) child.send({ type: 'exit' } satisfies ToWorker);
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      return;
    }
    const spare: Standby = { child, ready: true };
    this.watchExit(spare);
    this.standby.unshift(spare);
  }

  private refill(): void {
    const wanted = this.options.standbyWorkers ?? 0;
    while (!this.closed && this.standby.length < wanted) this.spawnStandby();
  }

  /**
   * Forks one worker now, for a job about to be started (the CLI calls it first thing, so the
   * worker boots while the config is read and checked).
   */
  warmUp(): void {
    if (!this.closed && this.standby.length === 0) this.spawnStandby();
  }

  private spawnStandby(): void {
    const child = this.fork();
    const spare: Standby = { child, ready: false };
    child.once('message', (message: FromWorker) => {
      if (message.type === 'running') spare.ready = true;
    });
    this.watchExit(spare);
    child.on('error', () => undefined);
    this.standby.push(spare);
  }

  /** One listener per stay in the standby list (a reused worker comes back many times). */
  private watchExit(spare: Standby): void {
    spare.onExit = () => {
      const i = this.standby.indexOf(spare);
      if (i >= 0) this.standby.splice(i, 1);
    };
    spare.child.once('exit', spare.onExit);
  }

  private takeStandby(): Standby | undefined {
    const usable = (s: Standby) => s.child.connected && s.child.exitCode === null;
    // A ready one first; else one still booting (it has a head start on a fresh fork).
    let i = this.standby.findIndex((s) => s.ready && usable(s));
    if (i < 0) i = this.standby.findIndex(usable);
    if (i < 0) return undefined;
    const [spare] = this.standby.splice(i, 1);
    if (spare?.onExit) spare.child.off('exit', spare.onExit);
    setImmediate(() => this.refill());
    return spare;
  }

  start(job: EngineJob): EngineHandle {
    const spare = this.takeStandby();
    const child = spare?.child ?? this.fork();
    // A ready worker gets its job at once; a booting one when it says it is running.
    const warm = spare?.ready === true;
    if (!warm) setImmediate(() => this.refill());
    const handle = new EmbeddedHandle(job.jobId, child, this.options.cancelGraceMs ?? 10_000);
    let lastMetrics = EMPTY_METRICS();
    const secrets = (job.secrets ?? []).filter((s) => s.length >= 3);
    const masked = (text: string) => maskSecrets(text, secrets);

    // Anything a connector library prints goes to the run's log, masked like the rest.
    const forward = (level: 'info' | 'warn') => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') handle.emit('log', { time: new Date().toISOString(), level, message: masked(line) });
      }
    };
    const onStdout = forward('info');
    const onStderr = forward('warn');
    child.stdout?.on('data', onStdout);
    child.stderr?.on('data', onStderr);
    const detach = () => {
      child.stdout?.off('data', onStdout);
      child.stderr?.off('data', onStderr);
      child.off('message', onMessage);
      child.off('error', onError);
      child.off('close', onClose);
    };

    const begin = () => {
      handle.setState('RUNNING');
      child.send({
        type: 'start',
        jobId: job.jobId,
        config: job.config,
        secrets,
        metricsIntervalMs: this.options.metricsIntervalMs,
      } satisfies ToWorker);
    };
    if (warm) setImmediate(begin);
    const onMessage = (message: FromWorker) => {
      switch (message.type) {
        case 'running':
          begin();
          break;
        case 'log':
          for (const line of message.lines) handle.emit('log', line);
          break;
        case 'metrics':
          lastMetrics = message.metrics;
          handle.emit('metrics', message.metrics);
          break;
        case 'done': {
          handle.finish(message.result);
          detach();
          const reusable =
            message.result.status === 'SUCCEEDED' &&
            !handle.cancelling &&
            (lastMetrics.memoryRss === 0 || lastMetrics.memoryRss < REUSE_MEMORY_LIMIT);
          this.release(child, reusable);
          break;
        }
      }
    };
    child.on('message', onMessage);
    const onError = (err: Error) => {
      handle.finish({
        status: 'FAILED',
        error: { code: 'ENGINE_CRASHED', message: `the engine process could not start: ${err.message}` },
        metrics: lastMetrics,
      });
    };
    child.on('error', onError);
    // 'close', not 'exit': it comes after the IPC channel has delivered every message, so a
    // worker that sent its result and exited is never mistaken for a crash.
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      if (handle.finished) return;
      if (handle.cancelling) {
        handle.finish({
          status: 'CANCELLED',
          error: {
            code: 'CANCELLED',
            message: 'the job was cancelled and killed after it did not stop within the grace period',
          },
          metrics: lastMetrics,
        });
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      handle.finish({
        status: 'FAILED',
        error: { code: 'ENGINE_CRASHED', message: `the engine process ${how} before the job ended` },
        metrics: lastMetrics,
      });
    };
    child.on('close', onClose);
    return handle;
  }
}
