import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import {
  Topic,
  type RunCancelRequestedEvent,
  type RunLogAppendedEvent,
  type RunMetricsSampledEvent,
} from '../../events/topics.js';
import type { Logger } from '../../logger.js';
import { Datasource, type DatasourceService } from '../datasource/index.js';
import type { Engine, EngineHandle, JobResult, LogLine, MetricsSnapshot } from '../engine/index.js';
import { MissingVariablesError, resolveVariables } from '../job-config/index.js';
import { resolveDatasources, TaskEngine, type TaskContent } from '../task/index.js';
import { runHooks, type HookOutcome } from './hooks.js';
import { redactPatterns, Redactor } from './redact.js';
import type { ClaimOutcome } from './run-dispatcher.js';
import { appendSystemLine, nextLogSeq, pruneRunLogs, pruneRunMetrics, RunLogWriter } from './run-log.js';
import { Run } from './run.entity.js';
import { RunLogLevel, RunLogOrigin, RunStatus } from './run.enums.js';
import type { RunQueue, RunService } from './run.service.js';

export interface RunLimits {
  leaseMs: number;
  instanceLimit: number;
  workspaceLimit: number;
  cancelGraceMs: number;
  standbyWorkers: number;
  jobsPerWorker: number;
  logRetentionDays: number;
  metricsResolutionSeconds: number;
}

export interface RunExecutorDeps {
  instanceId: string;
  /** Runs' own connections: claims, leases, logs and metrics (raw SQL, off the ORM's pool). */
  pool: pg.Pool;
  /** The root EntityManager: forked for every operation. */
  em: EntityManager;
  runs: RunService;
  /** Where a QUEUED run left without a dispatch job is queued again. */
  queue: RunQueue;
  datasources: DatasourceService;
  bus: PgPubSub;
  engines: Partial<Record<TaskEngine, Engine>>;
  limits: RunLimits;
  logger: Logger;
}

/** Why an executing run is being stopped. */
type StopReason = 'CANCELLED' | 'TIMED_OUT' | 'LOST' | 'SHUTDOWN';

interface ActiveRun {
  run: Run;
  writer: RunLogWriter;
  /** Appends a line; after the writer closed (late engine events), the line is dropped, never thrown. */
  log(level: RunLogLevel, origin: RunLogOrigin, message: string): void;
  /** Set once the run's secrets are known; every stored line goes through it. */
  redaction: { redactor?: Redactor };
  controller: AbortController;
  handle?: EngineHandle;
  stopReason?: StopReason;
  lastSampleStored: number;
  done: Promise<void>;
}

/** Error codes that another attempt cannot fix. */
export const NOT_RETRIED = new Set(['CONFIG_INVALID', 'UNSUPPORTED', 'TASK_INVALID', 'CANCELLED']);

const ENGINE_LEVEL: Record<string, RunLogLevel> = {
  debug: RunLogLevel.DEBUG,
  info: RunLogLevel.INFO,
  warn: RunLogLevel.WARN,
  error: RunLogLevel.ERROR,
};

/**
 * Executes runs on this instance: claims a QUEUED run (limits checked under a lock), runs its
 * pre-hooks, the engine and its post-hooks, streams logs and metrics to the database, renews the
 * run's lease, ends it (retrying per policy), and reaps runs whose instance died.
 */
export class RunExecutor {
  private readonly active = new Map<string, ActiveRun>();
  private claiming = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private stopping = false;

  constructor(private readonly deps: RunExecutorDeps) {}

  start(): void {
    const { limits } = this.deps;
    const renewEvery = Math.max(200, Math.floor(limits.leaseMs / 3));
    this.timers.push(setInterval(() => void this.renewLeases(), renewEvery));
    this.timers.push(setInterval(() => void this.reap(), Math.min(5000, renewEvery)));
    this.timers.push(setInterval(() => void this.prune(), 3_600_000));
    for (const timer of this.timers) timer.unref();
    const events = this.deps.bus.subscribe(Topic.RUN_CANCEL_REQUESTED) as AsyncIterable<RunCancelRequestedEvent>;
    const iterator = events[Symbol.asyncIterator]();
    this.unsubscribe = () => void iterator.return?.();
    void (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const active = this.active.get(next.value.runId);
        if (active) this.stopRun(active, 'CANCELLED');
      }
    })().catch((err: unknown) =>
      // Lease renewal still sees CANCELLING runs, so a cancel is honoured even without these events.
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'run cancel events stopped'),
    );
    void this.prune();
  }

  /** Stops every run this instance executes (they end FAILED, INSTANCE_STOPPED, retried per policy). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.unsubscribe?.();
    const running = [...this.active.values()];
    for (const active of running) this.stopRun(active, 'SHUTDOWN');
    await Promise.all(running.map((a) => a.done));
  }

  // ------------------------------------------------------------------------------------- claim

  /** Called by the dispatcher when this instance's worker locked the run's job. */
  async claim(runId: string): Promise<ClaimOutcome> {
    if (this.stopping) return { kind: 'wait', until: new Date(Date.now() + 1000) };
    // Claims in progress count against the instance's limit too: Agenda hands over several jobs at
    // once. A full instance waits a moment for one of its runs to end before handing the run back.
    if (this.active.size + this.claiming >= this.deps.limits.instanceLimit) {
      await this.slotFreed(1000);
      if (this.stopping || this.active.size + this.claiming >= this.deps.limits.instanceLimit) {
        return { kind: 'wait', until: new Date(Date.now() + 200) };
      }
    }
    this.claiming++;
    try {
      return await this.claimRow(runId);
    } finally {
      this.claiming--;
    }
  }

  /** Resolves when one of this instance's runs ends (or after `ms`). */
  private slotFreed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = this.slotWaiters.indexOf(done);
        if (i >= 0) this.slotWaiters.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.slotWaiters.push(done);
    });
  }

  private async claimRow(runId: string): Promise<ClaimOutcome> {
    const client = await this.deps.pool.connect();
    let claimed = false;
    try {
      await client.query('BEGIN');
      const found = await client.query<{
        status: RunStatus;
        workspace_id: string;
        task_id: string;
        not_before: Date | null;
        queued_at: Date;
        backfill_id: string | null;
        concurrency: string | null;
      }>(
        `SELECT r.status, r.workspace_id, r.task_id, r.not_before, r.queued_at, r.backfill_id,
                v.content -> 'runPolicy' ->> 'concurrency' AS concurrency
         FROM run r JOIN task_version v ON v.id = r.task_version_id WHERE r.id = $1 FOR UPDATE OF r`,
        [runId],
      );
      const row = found.rows[0];
      if (!row || row.status !== RunStatus.QUEUED) {
        await client.query('COMMIT');
        return { kind: 'gone' };
      }
      if (row.not_before && row.not_before.getTime() > Date.now()) {
        await client.query('COMMIT');
        return { kind: 'wait', until: row.not_before };
      }
      // One claimer at a time per workspace, so the limit holds across instances.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice-run-ws:${row.workspace_id}`]);
      const busy = await client.query<{ workspace: string; task: string; older: string }>(
        `SELECT count(*) FILTER (WHERE status IN ('RUNNING', 'CANCELLING')) AS workspace,
                count(*) FILTER (WHERE status IN ('RUNNING', 'CANCELLING') AND task_id = $2) AS task,
                count(*) FILTER (WHERE status = 'QUEUED' AND task_id = $2 AND (queued_at, id) < ($3, $4::uuid)) AS older
         FROM run WHERE workspace_id = $1 AND status IN ('QUEUED', 'RUNNING', 'CANCELLING')`,
        [row.workspace_id, row.task_id, row.queued_at, runId],
      );
      const counts = busy.rows[0]!;
      // A backfill's runs wait for their backfill's turn instead (its parallelism), not for the task's other runs.
      const waitForTask =
        row.concurrency === 'QUEUE' && !row.backfill_id && (Number(counts.task) > 0 || Number(counts.older) > 0);
      if (Number(counts.workspace) >= this.deps.limits.workspaceLimit || waitForTask) {
        await client.query('COMMIT');
        return { kind: 'wait', until: new Date(Date.now() + 1000) };
      }
      await client.query(
        `UPDATE run SET status = 'RUNNING', instance_id = $2, started_at = clock_timestamp(), updated_at = now(),
           lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         WHERE id = $1`,
        [runId, this.deps.instanceId, this.deps.limits.leaseMs],
      );
      await client.query('COMMIT');
      claimed = true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    if (claimed) await this.begin(runId);
    return { kind: 'started' };
  }

  // --------------------------------------------------------------------------------- execution

  private async begin(runId: string): Promise<void> {
    const em = this.deps.em.fork();
    const run = await em.findOneOrFail(Run, { id: runId });
    const redaction: { redactor?: Redactor } = {};
    const writer = new RunLogWriter(this.deps.pool, {
      runId,
      redact: (text) => (redaction.redactor ? redaction.redactor.redact(text) : redactPatterns(text)),
      nextSeq: await nextLogSeq(this.deps.pool, runId),
      onFlushed: (lastSeq) => {
        const event: RunLogAppendedEvent = { runId, lastSeq };
        void this.deps.bus.publish(Topic.RUN_LOG_APPENDED, runId, event).catch(() => undefined);
      },
      onError: (err) => this.deps.logger.warn({ runId, err: err.message }, 'storing run log lines failed'),
    });
    const active: ActiveRun = {
      run,
      writer,
      log: (level, origin, message) => {
        try {
          writer.append(level, origin, message);
        } catch (err) {
          this.deps.logger.debug(
            { runId, err: err instanceof Error ? err.message : String(err) },
            'a run log line arrived after the run ended',
          );
        }
      },
      redaction,
      controller: new AbortController(),
      lastSampleStored: 0,
      done: Promise.resolve(),
    };
    this.active.set(runId, active);
    await this.deps.runs.publish(run);
    active.done = this.execute(em, active).catch((err: unknown) => {
      this.deps.logger.error({ runId, err: err instanceof Error ? err.message : String(err) }, 'run execution failed');
    });
  }

  private async execute(em: EntityManager, active: ActiveRun): Promise<void> {
    const { run, writer } = active;
    const system = (level: RunLogLevel, message: string) => active.log(level, RunLogOrigin.SYSTEM, message);
    system(
      RunLogLevel.INFO,
      `attempt ${run.attempt} of task version ${run.versionNumber} started on instance ${this.deps.instanceId} (${run.trigger.toLowerCase()}${run.triggeredByLabel ? ` by ${run.triggeredByLabel}` : ''})`,
    );
    let timeout: NodeJS.Timeout | undefined;
    let status: RunStatus = RunStatus.FAILED;
    let error: { code: string; message: string } | undefined;
    let metrics: Record<string, unknown> | null = null;
    let content: TaskContent | undefined;
    try {
      const inputs = await this.deps.runs.inputsOf(em, run);
      content = inputs.content;
      const secrets = [...inputs.secretValues];
      const timeoutSeconds = content.runPolicy.timeoutSeconds;
      if (timeoutSeconds) {
        const left = timeoutSeconds * 1000 - (Date.now() - (run.startedAt?.getTime() ?? Date.now()));
        timeout = setTimeout(() => this.stopRun(active, 'TIMED_OUT'), Math.max(0, left));
      }

      // Variables, then datasources: the engine gets a config with nothing left to look up.
      let config;
      try {
        config = resolveVariables(content.config, inputs.values);
      } catch (err) {
        if (err instanceof MissingVariablesError) throw runError('TASK_INVALID', err.message);
        throw err;
      }
      const datasources = await em.find(Datasource, { workspaceId: run.workspaceId });
      config = await resolveDatasources(config, datasources, async (datasource) => {
        const options = await this.deps.datasources.connectionOptionsOf(em, datasource);
        for (const [key, value] of Object.entries(options)) {
          if (!(key in datasource.options) && typeof value === 'string') secrets.push(value);
        }
        return options;
      }).catch((err: unknown) => {
        throw runError('TASK_INVALID', err instanceof Error ? err.message : String(err));
      });
      active.redaction.redactor = new Redactor(secrets);

      const hookEnv = (phase: 'pre' | 'post') => ({
        log: (level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string) =>
          active.log(RunLogLevel[level], RunLogOrigin.HOOK, message),
        signal: active.controller.signal,
        resolveDatasource: async (ref: string) => {
          const datasource = datasources.find((d) => d.id === ref || d.name.toLowerCase() === ref.toLowerCase());
          if (!datasource) throw new Error(`${phase}-hook: datasource "${ref}" does not exist in this workspace`);
          const options = await this.deps.datasources.connectionOptionsOf(em, datasource);
          return { type: datasource.type, name: datasource.name, options: options as Record<string, unknown> };
        },
        variables: inputs.values,
        secretVariables: new Set(content!.variables.filter((v) => v.secret).map((v) => v.name)),
      });

      const pre = await this.hooks('pre', content, hookEnv('pre'));
      if (!pre.ok) throw this.stoppedError(active) ?? runError(pre.error!.code, pre.error!.message);

      const engine = this.deps.engines[content.engine];
      if (!engine) {
        throw runError(
          'UNSUPPORTED',
          `the ${content.engine} engine is not available on this instance${content.engine === TaskEngine.SEATUNNEL ? ' (no SeaTunnel cluster is configured)' : ''}`,
        );
      }
      if (active.stopReason) throw this.stoppedError(active)!;
      const handle = engine.start({ jobId: run.id, config, secrets });
      active.handle = handle;
      handle.on('log', (line: LogLine) =>
        active.log(
          ENGINE_LEVEL[line.level] ?? RunLogLevel.INFO,
          RunLogOrigin.ENGINE,
          line.plugin ? `[${line.plugin}] ${line.message}` : line.message,
        ),
      );
      handle.on('metrics', (snapshot: MetricsSnapshot) => void this.sample(active, snapshot));
      if (active.stopReason) void handle.cancel();
      const result: JobResult = await handle.result;
      metrics = result.metrics as unknown as Record<string, unknown>;
      if (result.status !== 'SUCCEEDED') {
        throw this.stoppedError(active) ?? runError(result.error?.code ?? 'FAILED', result.error?.message ?? 'failed');
      }
      system(RunLogLevel.INFO, `the job succeeded: ${result.metrics.rowsWritten} rows written`);

      const post = await this.hooks('post', content, hookEnv('post'));
      if (!post.ok) throw this.stoppedError(active) ?? runError(post.error!.code, post.error!.message);
      status = RunStatus.SUCCEEDED;
    } catch (err) {
      error =
        err instanceof RunFailure
          ? { code: err.code, message: err.message }
          : {
              code: 'INTERNAL',
              message: `Sluice could not execute the run: ${err instanceof Error ? err.message : String(err)}`,
            };
      status = statusOf(active.stopReason, error);
      system(status === RunStatus.CANCELLED ? RunLogLevel.WARN : RunLogLevel.ERROR, `${error.code}: ${error.message}`);
    } finally {
      clearTimeout(timeout);
    }
    // Out of the active set first: lease renewal and cancel events no longer reach this run.
    this.active.delete(run.id);
    this.slotWaiters[0]?.();
    await writer.close().catch(() => undefined);
    if (active.stopReason === 'LOST') return; // another instance ended it already
    await this.finish(run, status, error, metrics, content);
  }

  private async hooks(
    phase: 'pre' | 'post',
    content: TaskContent,
    env: Parameters<typeof runHooks>[2],
  ): Promise<HookOutcome> {
    const hooks = phase === 'pre' ? content.preHooks : content.postHooks;
    if (!hooks.length) return { ok: true };
    return runHooks(phase, hooks, env);
  }

  /** Ends the run (if this instance still holds it), publishes, and queues a retry per policy. */
  private async finish(
    run: Run,
    status: RunStatus,
    error: { code: string; message: string } | undefined,
    metrics: Record<string, unknown> | null,
    content: TaskContent | undefined,
  ): Promise<void> {
    const updated = await this.deps.pool.query(
      `UPDATE run SET status = $3, finished_at = now(), error_code = $4, error_message = $5, metrics = $6,
         lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND instance_id = $2 AND status IN ('RUNNING', 'CANCELLING')`,
      [
        run.id,
        this.deps.instanceId,
        status,
        error?.code ?? null,
        error?.message ?? null,
        metrics ? JSON.stringify(metrics) : null,
      ],
    );
    if (updated.rowCount === 0) return;
    const em = this.deps.em.fork();
    const ended = await em.findOneOrFail(Run, { id: run.id });
    await this.deps.runs.publish(ended);
    if (content) await this.maybeRetry(em, ended, content);
  }

  private async maybeRetry(em: EntityManager, ended: Run, content: TaskContent): Promise<void> {
    if (ended.status !== RunStatus.FAILED && ended.status !== RunStatus.TIMED_OUT) return;
    if (ended.errorCode && NOT_RETRIED.has(ended.errorCode)) return;
    const policy = content.runPolicy;
    if (ended.attempt > policy.maxRetries) return;
    const delay = policy.retryBackoffSeconds * 1000 * 2 ** (ended.attempt - 1);
    const next = await this.deps.runs.retry(em, ended, new Date(Date.now() + delay));
    await appendSystemLine(
      this.deps.pool,
      ended.id,
      RunLogLevel.INFO,
      `retrying as attempt ${next.attempt} (run ${next.id}) in ${Math.round(delay / 1000)} s`,
    );
  }

  private stopRun(active: ActiveRun, reason: StopReason): void {
    if (active.stopReason) return;
    active.stopReason = reason;
    active.controller.abort(reason);
    const label: Record<StopReason, string> = {
      CANCELLED: 'cancel requested: stopping the job',
      TIMED_OUT: 'the run reached its timeout: stopping the job',
      LOST: 'this instance lost the run (its lease expired): killing the job',
      SHUTDOWN: 'this instance is shutting down: stopping the job',
    };
    active.log(RunLogLevel.WARN, RunLogOrigin.SYSTEM, label[reason]);
    void active.handle?.cancel();
  }

  private stoppedError(active: ActiveRun): RunFailure | undefined {
    switch (active.stopReason) {
      case 'CANCELLED':
        return runError('CANCELLED', 'the run was cancelled');
      case 'TIMED_OUT':
        return runError('TIMED_OUT', 'the run took longer than its task allows (run policy timeoutSeconds)');
      case 'LOST':
        return runError('INSTANCE_LOST', 'this instance lost its lease on the run');
      case 'SHUTDOWN':
        return runError('INSTANCE_STOPPED', `instance ${this.deps.instanceId} shut down while the run was executing`);
      case undefined:
        return undefined;
    }
  }

  // ----------------------------------------------------------------------------------- metrics

  private async sample(active: ActiveRun, snapshot: MetricsSnapshot): Promise<void> {
    const runId = active.run.id;
    const event: RunMetricsSampledEvent = { runId, time: snapshot.time, sample: { ...snapshot } };
    const now = Date.now();
    try {
      if (now - active.lastSampleStored >= this.deps.limits.metricsResolutionSeconds * 1000 - 50) {
        active.lastSampleStored = now;
        await this.deps.pool.query(
          'INSERT INTO run_metric (run_id, time, sample) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [runId, snapshot.time, JSON.stringify(snapshot)],
        );
      }
      await this.deps.bus.publish(Topic.RUN_METRICS_SAMPLED, runId, event);
    } catch (err) {
      this.deps.logger.warn(
        { runId, err: err instanceof Error ? err.message : String(err) },
        'storing a metrics sample failed',
      );
    }
  }

  // ------------------------------------------------------------------------- leases and reaping

  /** Renews this instance's leases; a run it no longer holds is killed, a cancel request honoured. */
  private async renewLeases(): Promise<void> {
    if (this.active.size === 0) return;
    const ids = [...this.active.keys()];
    try {
      const renewed = await this.deps.pool.query<{ id: string; status: RunStatus }>(
        `UPDATE run SET lease_expires_at = now() + make_interval(secs => $3::double precision / 1000)
         WHERE id = ANY($1::uuid[]) AND instance_id = $2 AND status IN ('RUNNING', 'CANCELLING')
         RETURNING id, status`,
        [ids, this.deps.instanceId, this.deps.limits.leaseMs],
      );
      const held = new Map(renewed.rows.map((r) => [r.id, r.status]));
      for (const id of ids) {
        const active = this.active.get(id);
        if (!active) continue;
        const status = held.get(id);
        if (status === undefined) this.stopRun(active, 'LOST');
        else if (status === RunStatus.CANCELLING) this.stopRun(active, 'CANCELLED');
      }
    } catch (err) {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'renewing run leases failed');
    }
  }

  /**
   * Ends runs whose instance stopped renewing their lease (INSTANCE_LOST, retried per policy), and
   * queues again QUEUED runs that have no dispatch job (their instance died between storing and queueing).
   */
  async reap(): Promise<void> {
    try {
      const lost = await this.deps.pool.query<{ id: string; instance_id: string | null; status: string }>(
        `UPDATE run SET
           status = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE 'FAILED' END,
           error_code = CASE WHEN status = 'CANCELLING' THEN 'CANCELLED' ELSE 'INSTANCE_LOST' END,
           error_message = 'instance ' || coalesce(instance_id::text, '?') || ' executing the run stopped renewing its lease (it died or lost the database)',
           finished_at = now(), lease_expires_at = NULL, updated_at = now()
         WHERE id IN (SELECT id FROM run WHERE status IN ('RUNNING', 'CANCELLING') AND lease_expires_at < now()
                      FOR UPDATE SKIP LOCKED LIMIT 100)
         RETURNING id, instance_id, status`,
      );
      for (const row of lost.rows) {
        await appendSystemLine(
          this.deps.pool,
          row.id,
          RunLogLevel.ERROR,
          `INSTANCE_LOST: instance ${row.instance_id ?? '?'} stopped renewing the run's lease; ended by instance ${this.deps.instanceId}`,
        );
        const em = this.deps.em.fork();
        const run = await em.findOneOrFail(Run, { id: row.id });
        await this.deps.runs.publish(run);
        const inputs = await this.deps.runs.inputsOf(em, run).catch(() => undefined);
        if (inputs) await this.maybeRetry(em, run, inputs.content);
      }
      const orphans = await this.deps.pool.query<{ id: string }>(
        `SELECT r.id FROM run r
         WHERE r.status = 'QUEUED' AND coalesce(r.not_before, r.queued_at) < now() - interval '30 seconds'
           AND to_regclass('agenda_jobs') IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM agenda_jobs j WHERE j.data ->> 'runId' = r.id::text)
         LIMIT 100`,
      );
      for (const row of orphans.rows) await this.deps.queue.enqueue(row.id);
    } catch (err) {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'reaping lost runs failed');
    }
  }

  private async prune(): Promise<void> {
    try {
      const days = this.deps.limits.logRetentionDays;
      const lines = await pruneRunLogs(this.deps.pool, days);
      const samples = await pruneRunMetrics(this.deps.pool, days);
      if (lines || samples) this.deps.logger.info({ lines, samples, days }, 'pruned old run logs and metrics');
    } catch (err) {
      this.deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'pruning run logs failed');
    }
  }
}

/** Why a run did not succeed, thrown inside execute() and stored as the run's error. */
class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunFailure';
  }
}

function runError(code: string, message: string): RunFailure {
  return new RunFailure(code, message);
}

function statusOf(reason: StopReason | undefined, error: { code: string }): RunStatus {
  if (reason === 'CANCELLED' || error.code === 'CANCELLED') return RunStatus.CANCELLED;
  if (reason === 'TIMED_OUT' || error.code === 'TIMED_OUT') return RunStatus.TIMED_OUT;
  return RunStatus.FAILED;
}
