/**
 * npm run bench:runs [-- --runs N] [--seconds S] [--only dispatch|logs] [--rate R]
 *                    [--instance-limit L] [--workspace-limit W] [--tsx] [--postgres URL] [--keep]
 *
 * Runs on two Sluice instances (separate processes) sharing a scratch PostgreSQL database:
 * 1. logs: one run printing R lines/s for S seconds; zero loss checked in SQL on run_log, achieved
 *    lines/s, and the latency of runLogAppended on a socket connected to the instance that does NOT
 *    execute the run (receive time - the line's stored time);
 * 2. dispatch: N trivial runs (FakeSource 1 row -> Console) started through both instances
 *    alternately, as fast as the API takes them; runs/s until all ended, queue-to-running latency.
 * The log part comes first: the dispatch storm is the likelier to take an instance down.
 * Prints a summary against the targets and writes bench/results/runs-<time>.json. See bench/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectSocket, gqlData, login, type SocketClient } from '../test/support/graphql.js';
import { newestTsMtime, serverEnv } from './lib/proc.js';
import { benchFlags, log, positiveInt, text } from './lib/cli.js';
import { fixed, percentile, textTable } from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH_DIR);
const RESULTS = path.join(BENCH_DIR, 'results');
const ADMIN = { email: 'bench@sluice.test', password: 'bench-password-not-secret' };

const TARGETS = {
  runsPerSecond: 50,
  queueToRunningP99Ms: 1000,
  subscriberP99Ms: 250,
  /** Share of the offered log rate the run must reach. */
  linesRateShare: 0.95,
};

interface Options {
  runs: number;
  seconds: number;
  rate: number;
  only?: 'dispatch' | 'logs';
  instanceLimit: number;
  workspaceLimit: number;
  dist: boolean;
  postgres: string;
  keep: boolean;
}

const USAGE = `Usage: npm run bench:runs -- [options]
  --runs N              dispatch: runs to start (default 300)
  --seconds S           logs: how long the logging run prints (default 60)
  --rate R              logs: lines per second it prints (default 10000)
  --only dispatch|logs  run one part only
  --instance-limit L    SLUICE_INSTANCE_RUN_LIMIT of both instances (default 16; the product's default is 8)
  --workspace-limit W   SLUICE_WORKSPACE_RUN_LIMIT (default 1000)
  --tsx                 run the server from source (node --import tsx server/src/main.ts) instead of the
                        compiled one that npm start runs (node server/dist/main.js, built first when stale)
  --postgres URL        a superuser connection (default postgresql://postgres@127.0.0.1:5432/postgres)
  --keep                keep the scratch database afterwards
`;

function parseOptions(argv: string[]): Options {
  const v = benchFlags(
    argv,
    {
      runs: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      only: { type: 'string' },
      'instance-limit': { type: 'string' },
      'workspace-limit': { type: 'string' },
      dist: { type: 'boolean' },
      tsx: { type: 'boolean' },
      postgres: { type: 'string' },
      keep: { type: 'boolean' },
    },
    USAGE,
  );
  const only = v.only;
  if (only !== undefined && only !== 'dispatch' && only !== 'logs') {
    throw new Error(`--only expects dispatch or logs, not "${String(only)}"`);
  }
  return {
    runs: positiveInt(v, 'runs', 300),
    seconds: positiveInt(v, 'seconds', 60),
    rate: positiveInt(v, 'rate', 10_000),
    only,
    instanceLimit: positiveInt(v, 'instance-limit', 16),
    workspaceLimit: positiveInt(v, 'workspace-limit', 1000),
    dist: v.tsx !== true,
    postgres: text(v, 'postgres', 'postgresql://postgres@127.0.0.1:5432/postgres'),
    keep: v.keep === true,
  };
}

// ------------------------------------------------------------------------------------ helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ServerProcess {
  child: ChildProcess;
  stderr: () => string;
  /** The API's base URL once the server logged that it is ready. */
  ready: Promise<string>;
  exited: Promise<void>;
}

/** One Sluice process (as test/support/process.ts starts them): ready when it logs "Sluice is ready". */
function spawnInstance(env: Record<string, string>, dist: boolean): ServerProcess {
  const args = dist ? ['server/dist/main.js'] : ['--import', 'tsx', 'server/src/main.ts'];
  // eslint-disable-next-line no-restricted-syntax -- a benchmark script, not server code: the servers need PATH and HOME.
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { PATH, HOME, SLUICE_LOG_FORMAT: 'json', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let buffer = '';
  let onReady!: (url: string) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<string>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  ready.catch(() => undefined);
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string; level?: unknown };
        if (entry.msg === 'Sluice is ready') onReady(String(entry.url).replace(/\/graphql$/, ''));
        else if (typeof entry.level === 'number' ? entry.level >= 40 : /warn|error|fatal/.test(String(entry.level)))
          stderr += `${line}\n`; // warnings and errors are shown when something fails
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      onFail(new Error(`server exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`));
      resolve();
    }),
  );
  return { child, stderr: () => stderr, ready, exited };
}

interface Instance {
  name: 'A' | 'B';
  server: ServerProcess;
  url: string;
  token: string;
  instanceId: string;
}

/** An instance still running (polls go there, so that one crash does not end the bench's view). */
function live(instances: Instance[]): Instance {
  return instances.find((i) => i.server.child.exitCode === null && i.server.child.signalCode === null) ?? instances[0]!;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);

interface RunRow {
  id: string;
  status: string;
  instanceId: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
}
const RUN_FIELDS = 'id status instanceId queuedAt startedAt finishedAt error { code message }';

async function startRun(inst: Instance, taskId: string, params: Record<string, string> = {}): Promise<RunRow> {
  const data = await gqlData<{ startRun: RunRow }>(
    inst.url,
    `mutation($i: StartRunInput!) { startRun(input: $i) { ${RUN_FIELDS} } }`,
    { i: { taskId, params } },
    inst.token,
  );
  return data.startRun;
}

async function getRun(inst: Instance, id: string): Promise<RunRow> {
  return (
    await gqlData<{ run: RunRow }>(inst.url, `query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id }, inst.token)
  ).run;
}

/** Every run of a task (pages of 500). */
async function runsOf(inst: Instance, taskId: string): Promise<RunRow[]> {
  const all: RunRow[] = [];
  for (let offset = 0; ; offset += 500) {
    const data = await gqlData<{ runs: { items: RunRow[]; total: number } }>(
      inst.url,
      `query($f: RunFilter, $p: PageInput) { runs(filter: $f, page: $p) { total items { ${RUN_FIELDS} } } }`,
      { f: { taskId }, p: { offset, limit: 500 } },
      inst.token,
    );
    all.push(...data.runs.items);
    if (offset + 500 >= data.runs.total) return all;
  }
}

async function waitForEnd(inst: Instance, id: string, timeoutMs: number): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(inst, id);
    if (TERMINAL.has(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status} after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

async function createTask(inst: Instance, workspaceId: string, name: string, content: string): Promise<string> {
  const data = await gqlData<{ createTask: { id: string } }>(
    inst.url,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
    { i: { workspaceId, name, content } },
    inst.token,
  );
  return data.createTask.id;
}

const DISPATCH_JOB = `
env { job.mode = "BATCH" }
source {
  FakeSource {
    plugin_output = "fake"
    row.num = 1
    schema = { fields { name = string, age = int } }
  }
}
sink {
  Console { plugin_input = "fake" }
}
`;

/** One printed line per row: `rows` rows at `rate` rows per second. */
const LOGS_JOB = `
env {
  job.mode = "BATCH"
  parallelism = 1
  read_limit.rows_per_second = \${rate}
}
source {
  FakeSource {
    plugin_output = "fake"
    row.num = \${rows}
    schema = { fields { name = string, age = int } }
  }
}
sink {
  Console { plugin_input = "fake" }
}
`;

interface Figure {
  figure: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean | undefined;
}

// ----------------------------------------------------------------------------------- dispatch

interface DispatchResult {
  runs: number;
  warmupRuns: number;
  enqueueSeconds: number;
  enqueuePerSecond: number;
  /** From the first startRun request to the last run's finishedAt. */
  totalSeconds: number;
  runsPerSecond: number;
  /** From the first request until the poll saw every run ended. */
  observedSeconds: number;
  statuses: Record<string, number>;
  perInstance: Record<string, number>;
  maxRunningAtOnce: number;
  queueToRunningMs: { p50: number; p90: number; p99: number; max: number };
  queueToEndMs: { p50: number; p99: number };
  failures: { id: string; status: string; error: RunRow['error'] }[];
}

async function dispatchBench(instances: Instance[], workspaceId: string, n: number): Promise<DispatchResult> {
  const taskId = await createTask(instances[0]!, workspaceId, 'bench-dispatch', DISPATCH_JOB);
  // Warm-up, untimed: one run on each instance, so that first-use costs (module loading, JIT) are not counted.
  const warm = await Promise.all(instances.map((inst) => startRun(inst, taskId)));
  for (const w of warm) {
    const ended = await waitForEnd(instances[0]!, w.id, 60_000);
    if (ended.status !== 'SUCCEEDED')
      throw new Error(`warm-up run ended ${ended.status}: ${JSON.stringify(ended.error)}`);
  }
  const warmIds = new Set(warm.map((w) => w.id));
  log(`dispatch: ${warm.length} warm-up runs done; starting ${n} runs through A and B alternately`);

  const t0 = Date.now();
  const started: RunRow[] = [];
  let next = 0;
  // As fast as the API takes them: 8 requests in flight, alternating the instance per run.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        const target = instances[i % 2]!;
        try {
          started.push(await startRun(target, taskId));
        } catch (err) {
          // The instance died under the request (reported as a crash): the run goes through the other one.
          if (target.server.child.exitCode === null && target.server.child.signalCode === null) throw err;
          started.push(await startRun(live(instances), taskId));
        }
      }
    }),
  );
  const enqueueSeconds = (Date.now() - t0) / 1000;
  log(`dispatch: ${n} runs queued in ${fixed(enqueueSeconds)} s (${fixed(n / enqueueSeconds, 1)} requests/s)`);

  const ids = new Set(started.map((r) => r.id));
  let rows: RunRow[] = [];
  let lastReport = 0;
  const deadline = Date.now() + Math.max(120_000, n * 2000);
  for (;;) {
    const polled = await runsOf(live(instances), taskId).catch(async (err: unknown) => {
      // A poll in flight to an instance that just died: ask the other one.
      await sleep(500);
      if (instances.every((i) => i.server.child.exitCode === null && i.server.child.signalCode === null)) throw err;
      return runsOf(live(instances), taskId);
    });
    rows = polled.filter((r) => ids.has(r.id) && !warmIds.has(r.id));
    const ended = rows.filter((r) => TERMINAL.has(r.status)).length;
    if (ended === n) break;
    if (Date.now() - lastReport > 5000) {
      const running = rows.filter((r) => r.status === 'RUNNING').length;
      log(`dispatch: ${ended}/${n} ended, ${running} running`);
      lastReport = Date.now();
    }
    if (Date.now() > deadline) throw new Error(`dispatch: only ${ended} of ${n} runs ended in time`);
    await sleep(200);
  }
  const observedSeconds = (Date.now() - t0) / 1000;
  const lastFinish = Math.max(...rows.map((r) => Date.parse(r.finishedAt!)));
  const totalSeconds = (lastFinish - t0) / 1000;
  const latency = rows.filter((r) => r.startedAt).map((r) => Date.parse(r.startedAt!) - Date.parse(r.queuedAt));
  const toEnd = rows.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.queuedAt));
  const statuses: Record<string, number> = {};
  const perInstance: Record<string, number> = {};
  for (const r of rows) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const name = instances.find((i) => i.instanceId === r.instanceId)?.name ?? String(r.instanceId);
    perInstance[name] = (perInstance[name] ?? 0) + 1;
  }
  // Largest number of runs executing at once (from their start and finish times).
  const events = rows
    .filter((r) => r.startedAt)
    .flatMap((r) => [
      { t: Date.parse(r.startedAt!), d: 1 },
      { t: Date.parse(r.finishedAt!), d: -1 },
    ])
    .sort((x, y) => x.t - y.t || x.d - y.d);
  let now = 0;
  let maxRunningAtOnce = 0;
  for (const e of events) maxRunningAtOnce = Math.max(maxRunningAtOnce, (now += e.d));
  return {
    runs: n,
    warmupRuns: warm.length,
    enqueueSeconds,
    enqueuePerSecond: n / enqueueSeconds,
    totalSeconds,
    runsPerSecond: n / totalSeconds,
    observedSeconds,
    statuses,
    perInstance,
    maxRunningAtOnce,
    queueToRunningMs: {
      p50: percentile(latency, 50),
      p90: percentile(latency, 90),
      p99: percentile(latency, 99),
      max: Math.max(...latency),
    },
    queueToEndMs: { p50: percentile(toEnd, 50), p99: percentile(toEnd, 99) },
    failures: rows
      .filter((r) => r.status !== 'SUCCEEDED')
      .slice(0, 10)
      .map((r) => ({ id: r.id, status: r.status, error: r.error })),
  };
}

// --------------------------------------------------------------------------------------- logs

interface LogCounts {
  count: number;
  maxSeq: number;
  rowLines: number;
  firstRowTime: Date | null;
  lastRowTime: Date | null;
}

async function logCounts(db: pg.Pool, runId: string): Promise<LogCounts> {
  const { rows } = await db.query<{
    count: string;
    max_seq: string | null;
    row_lines: string;
    first_row: Date | null;
    last_row: Date | null;
  }>(
    `SELECT count(*) AS count, max(seq) AS max_seq,
            count(*) FILTER (WHERE origin = 'ENGINE' AND message LIKE '% subtaskIndex=% rowIndex=%') AS row_lines,
            min(time) FILTER (WHERE origin = 'ENGINE' AND message LIKE '% subtaskIndex=% rowIndex=%') AS first_row,
            max(time) FILTER (WHERE origin = 'ENGINE' AND message LIKE '% subtaskIndex=% rowIndex=%') AS last_row
     FROM run_log WHERE run_id = $1`,
    [runId],
  );
  const r = rows[0]!;
  return {
    count: Number(r.count),
    maxSeq: Number(r.max_seq ?? 0),
    rowLines: Number(r.row_lines),
    firstRowTime: r.first_row,
    lastRowTime: r.last_row,
  };
}

interface LogsResult {
  rate: number;
  seconds: number;
  rowsOffered: number;
  runId: string;
  status: string;
  executedBy: string;
  subscriberOn: string;
  fixedLines: number;
  stored: LogCounts;
  expectedLines: number;
  lossless: boolean;
  lossDetail: string[];
  rowLinesPerSecond: number;
  runSeconds: number;
  subscriber: {
    linesReceived: number;
    chunks: number;
    inOrderOnce: boolean;
    excludedEarly: number;
    latencyMs: { p50: number; p90: number; p99: number; max: number };
    errors: string[];
  };
}

interface Collector {
  seqs: number[];
  latencies: number[];
  chunks: number;
  excludedEarly: number;
  errors: string[];
  close: () => void;
}

/** Subscribes to runLogAppended from seq 0 and records, for every line, receive time - line time. */
function collect(socket: SocketClient, runId: string): Collector {
  const since = Date.now();
  const c: Collector = { seqs: [], latencies: [], chunks: 0, excludedEarly: 0, errors: [], close: () => undefined };
  c.close = socket.client.subscribe<{ runLogAppended: { lines: { seq: number; time: string }[] } }>(
    {
      query: 'subscription($id: ID!) { runLogAppended(runId: $id, afterSeq: 0) { lines { seq time } lastSeq } }',
      variables: { id: runId },
    },
    {
      next: (value) => {
        const received = Date.now();
        if (value.errors) c.errors.push(JSON.stringify(value.errors));
        const lines = value.data?.runLogAppended.lines ?? [];
        c.chunks++;
        for (const line of lines) {
          c.seqs.push(line.seq);
          const t = Date.parse(line.time);
          // A line stored before the subscription was asked for is delivered as catch-up: not a live latency.
          if (t < since) c.excludedEarly++;
          else c.latencies.push(received - t);
        }
      },
      error: (err) => c.errors.push(err instanceof Error ? err.message : JSON.stringify(err)),
      complete: () => undefined,
    },
  );
  return c;
}

async function logsBench(
  instances: Instance[],
  sockets: SocketClient[],
  db: pg.Pool,
  workspaceId: string,
  rate: number,
  seconds: number,
): Promise<LogsResult> {
  const taskId = await createTask(instances[0]!, workspaceId, 'bench-logs', LOGS_JOB);

  // Calibration: the lines every run stores besides its printed rows (engine and system lines).
  const small = await startRun(instances[0]!, taskId, { rows: '10', rate: String(rate) });
  const smallEnd = await waitForEnd(instances[0]!, small.id, 60_000);
  if (smallEnd.status !== 'SUCCEEDED')
    throw new Error(`calibration run ${smallEnd.status}: ${JSON.stringify(smallEnd.error)}`);
  const smallCounts = await logCounts(db, small.id);
  if (smallCounts.rowLines !== 10) throw new Error(`calibration run stored ${smallCounts.rowLines} row lines, not 10`);
  const fixedLines = smallCounts.count - smallCounts.rowLines;
  log(
    `logs: a run stores ${fixedLines} lines besides its rows (calibration run of 10 rows: ${smallCounts.count} lines)`,
  );

  const rows = rate * seconds;
  // Subscribe on both instances before the run can start; keep only the one on the other instance.
  const run = await startRun(instances[0]!, taskId, { rows: String(rows), rate: String(rate) });
  const collectors = sockets.map((s) => collect(s, run.id));
  let running: RunRow;
  for (;;) {
    running = await getRun(live(instances), run.id);
    if (running.instanceId || TERMINAL.has(running.status)) break;
    await sleep(20);
  }
  const exec = instances.findIndex((i) => i.instanceId === running.instanceId);
  if (exec < 0) throw new Error(`run ${run.id} is executed by unknown instance ${running.instanceId}`);
  const other = 1 - exec;
  collectors[exec]!.close();
  const collector = collectors[other]!;
  log(
    `logs: run ${run.id} (${rows} rows at ${rate}/s) executes on ${instances[exec]!.name}; ` +
      `subscriber on ${instances[other]!.name}`,
  );

  let lastReport = Date.now();
  const deadline = Date.now() + seconds * 1000 * 3 + 60_000;
  let ended: RunRow;
  for (;;) {
    ended = await getRun(live(instances), run.id);
    if (TERMINAL.has(ended.status)) break;
    if (Date.now() > deadline) throw new Error(`logs: run ${run.id} still ${ended.status}`);
    if (Date.now() - lastReport >= 10_000) {
      const n = collector.seqs.length;
      log(`logs: ${n} lines received, p99 so far ${fixed(percentile(collector.latencies, 99), 0)} ms`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
  const stored = await logCounts(db, run.id);
  // The subscriber gets the last batch shortly after the run ends.
  const waitUntil = Date.now() + 10_000;
  while (collector.seqs.length < stored.count && Date.now() < waitUntil) await sleep(100);
  collector.close();

  const expectedLines = rows + fixedLines;
  const lossDetail: string[] = [];
  if (ended.status !== 'SUCCEEDED') lossDetail.push(`run ended ${ended.status}: ${JSON.stringify(ended.error)}`);
  if (stored.count !== stored.maxSeq) lossDetail.push(`count(*) ${stored.count} != max(seq) ${stored.maxSeq}`);
  if (stored.rowLines !== rows) lossDetail.push(`${stored.rowLines} row lines stored, ${rows} printed`);
  if (stored.count !== expectedLines)
    lossDetail.push(`${stored.count} lines stored, expected ${rows} rows + ${fixedLines} fixed = ${expectedLines}`);
  const inOrderOnce = collector.seqs.length === stored.count && collector.seqs.every((s, i) => s === i + 1);
  const runSeconds = (Date.parse(ended.finishedAt!) - Date.parse(ended.startedAt!)) / 1000;
  const rowSpan =
    stored.firstRowTime && stored.lastRowTime
      ? (stored.lastRowTime.getTime() - stored.firstRowTime.getTime()) / 1000
      : NaN;
  return {
    rate,
    seconds,
    rowsOffered: rows,
    runId: run.id,
    status: ended.status,
    executedBy: instances[exec]!.name,
    subscriberOn: instances[other]!.name,
    fixedLines,
    stored,
    expectedLines,
    lossless: lossDetail.length === 0,
    lossDetail,
    rowLinesPerSecond: rowSpan > 0 ? (stored.rowLines - 1) / rowSpan : NaN,
    runSeconds,
    subscriber: {
      linesReceived: collector.seqs.length,
      chunks: collector.chunks,
      inOrderOnce,
      excludedEarly: collector.excludedEarly,
      latencyMs: {
        p50: percentile(collector.latencies, 50),
        p90: percentile(collector.latencies, 90),
        p99: percentile(collector.latencies, 99),
        max: collector.latencies.reduce((m, v) => Math.max(m, v), -Infinity),
      },
      errors: collector.errors.slice(0, 5),
    },
  };
}

// --------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  if (o.dist) {
    const main = path.join(REPO, 'server/dist/main.js');
    if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < newestTsMtime(path.join(REPO, 'server/src'))) {
      console.log('server/dist is older than server/src: npm run build');
      const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
      if (built.status !== 0) throw new Error('npm run build failed');
    }
  }
  const name = `sluice_bench_runs_${Date.now().toString(36)}`;
  const adminClient = new pg.Client({ connectionString: o.postgres });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  const url = new URL(o.postgres);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-runs-'));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);

  const env = serverEnv({
    databaseUrl,
    admin: ADMIN,
    dataDir,
    instanceLimit: o.instanceLimit,
    workspaceLimit: o.workspaceLimit,
  });
  const servers: ServerProcess[] = [];
  const sockets: SocketClient[] = [];
  const figures: Figure[] = [];
  const result: Record<string, unknown> = {
    time: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
    options: o,
    server: o.dist ? 'node server/dist/main.js' : 'node --import tsx server/src/main.ts',
  };
  let failed = false;
  let stopping = false;
  const crashes: { instance: string; exit: number | string | null; stderr: string[] }[] = [];
  result.crashes = crashes;
  try {
    // A first (it migrates the fresh database), then B.
    const instances: Instance[] = [];
    for (const label of ['A', 'B'] as const) {
      const current = spawnInstance(env, o.dist);
      servers.push(current);
      // An instance that dies during the bench fails it (its runs end INSTANCE_LOST): say so, with its last words.
      void current.exited.then(() => {
        if (stopping) return;
        const how = current.child.exitCode ?? current.child.signalCode;
        const message = `instance ${label} exited (${String(how)}) during the bench`;
        crashes.push({ instance: label, exit: how, stderr: current.stderr().trim().split('\n').slice(-30) });
        log(`${message}; its stderr:\n${current.stderr().trim().split('\n').slice(-30).join('\n')}`);
      });
      const base = await Promise.race([
        current.ready,
        sleep(120_000).then(() => {
          throw new Error(`instance ${label} was not ready in 120 s: ${current.stderr()}`);
        }),
      ]);
      const token = await login(base, ADMIN.email, ADMIN.password);
      const info = await gqlData<{ serverInfo: { instanceId: string } }>(
        base,
        '{ serverInfo { instanceId } }',
        undefined,
        token,
      );
      instances.push({ name: label, server: current, url: base, token, instanceId: info.serverInfo.instanceId });
      log(`instance ${label}: ${base} (instance ${info.serverInfo.instanceId})`);
    }
    result.instances = instances.map((i) => ({ name: i.name, url: i.url, instanceId: i.instanceId }));
    const workspaceId = (
      await gqlData<{ workspaces: { id: string }[] }>(
        instances[0]!.url,
        '{ workspaces { id } }',
        undefined,
        instances[0]!.token,
      )
    ).workspaces[0]!.id;
    log(
      `limits: SLUICE_INSTANCE_RUN_LIMIT=${o.instanceLimit} SLUICE_WORKSPACE_RUN_LIMIT=${o.workspaceLimit} ` +
        `(both instances); ${os.cpus().length} CPUs, load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );

    if (o.only !== 'dispatch') {
      for (const inst of instances) sockets.push(await connectSocket(inst.url, inst.token));
      const l = await logsBench(instances, sockets, db, workspaceId, o.rate, o.seconds);
      result.logs = l;
      if (!l.lossless || !l.subscriber.inOrderOnce) failed = true;
      figures.push(
        {
          figure: `logs: stored lines (${l.rowsOffered} rows + ${l.fixedLines} fixed)`,
          value: l.stored.count,
          unit: 'lines',
          target: `= ${l.expectedLines}, count = max(seq)`,
          pass: l.lossless,
        },
        {
          figure: 'logs: printed lines/s',
          value: l.rowLinesPerSecond,
          unit: 'lines/s',
          target: `>= ${Math.round(l.rate * TARGETS.linesRateShare)} (${l.rate} offered)`,
          pass: l.rowLinesPerSecond >= l.rate * TARGETS.linesRateShare,
        },
        {
          figure: `logs: subscriber (${l.subscriberOn}) got every line once, in order`,
          value: l.subscriber.linesReceived,
          unit: 'lines',
          target: `= ${l.stored.count}`,
          pass: l.subscriber.inOrderOnce,
        },
        {
          figure: `logs: subscriber latency p50 (run on ${l.executedBy}, socket on ${l.subscriberOn})`,
          value: l.subscriber.latencyMs.p50,
          unit: 'ms',
          target: '',
          pass: undefined,
        },
        {
          figure: 'logs: subscriber latency p99',
          value: l.subscriber.latencyMs.p99,
          unit: 'ms',
          target: `< ${TARGETS.subscriberP99Ms}`,
          pass: l.subscriber.latencyMs.p99 < TARGETS.subscriberP99Ms,
        },
      );
      for (const d of l.lossDetail) log(`logs: LOSS: ${d}`);
      for (const e of l.subscriber.errors) log(`logs: subscription error: ${e}`);
      log(
        `logs: run ${l.status} in ${fixed(l.runSeconds)} s; ${l.subscriber.chunks} chunks, ` +
          `latency p90 ${fixed(l.subscriber.latencyMs.p90, 0)} ms, max ${fixed(l.subscriber.latencyMs.max, 0)} ms` +
          (l.subscriber.excludedEarly ? `; ${l.subscriber.excludedEarly} catch-up lines not timed` : ''),
      );
    }
    if (o.only !== 'logs') {
      const d = await dispatchBench(instances, workspaceId, o.runs);
      result.dispatch = d;
      const allOk = d.statuses.SUCCEEDED === d.runs;
      if (!allOk) failed = true;
      figures.push(
        {
          figure: `dispatch: runs/s (${d.runs} runs, both instances)`,
          value: d.runsPerSecond,
          unit: 'runs/s',
          target: `>= ${TARGETS.runsPerSecond}`,
          pass: allOk && d.runsPerSecond >= TARGETS.runsPerSecond,
        },
        {
          figure: 'dispatch: queued -> running p50',
          value: d.queueToRunningMs.p50,
          unit: 'ms',
          target: '',
          pass: undefined,
        },
        {
          figure: 'dispatch: queued -> running p99',
          value: d.queueToRunningMs.p99,
          unit: 'ms',
          target: `< ${TARGETS.queueToRunningP99Ms}`,
          pass: d.queueToRunningMs.p99 < TARGETS.queueToRunningP99Ms,
        },
      );
      log(
        `dispatch: ${JSON.stringify(d.statuses)} in ${fixed(d.totalSeconds)} s (observed ${fixed(d.observedSeconds)} s); ` +
          `executed per instance ${JSON.stringify(d.perInstance)}; at most ${d.maxRunningAtOnce} running at once; ` +
          `queued -> ended p50 ${fixed(d.queueToEndMs.p50, 0)} ms, p99 ${fixed(d.queueToEndMs.p99, 0)} ms`,
      );
      for (const f of d.failures) log(`dispatch: run ${f.id} ${f.status}: ${JSON.stringify(f.error)}`);
    }
  } catch (err) {
    failed = true;
    result.error = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${String(result.error)}`);
    for (const [i, s] of servers.entries()) {
      const tail = s.stderr().trim().split('\n').slice(-40).join('\n');
      if (tail) log(`instance ${i === 0 ? 'A' : 'B'} stderr: ${tail}`);
    }
  } finally {
    stopping = true;
    for (const s of sockets) await s.dispose().catch(() => undefined);
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => Promise.race([s.exited, sleep(20_000)])));
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await db.end();
    if (!o.keep) await adminClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else log(`kept database ${name}`);
    await adminClient.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  if (crashes.length) failed = true;
  result.figures = figures;
  const fmt = (f: Figure) =>
    f.unit === 'ms' ? fixed(f.value, 0) : f.unit === 'runs/s' ? fixed(f.value, 1) : fixed(f.value, 0);
  process.stdout.write(
    `\n${textTable(
      ['figure', 'value', 'unit', 'target', 'result'],
      figures.map((f) => [f.figure, fmt(f), f.unit, f.target, f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS']),
    )}\n`,
  );
  process.stdout.write(
    `limits used: SLUICE_INSTANCE_RUN_LIMIT=${o.instanceLimit}, SLUICE_WORKSPACE_RUN_LIMIT=${o.workspaceLimit}; ` +
      `servers: ${String(result.server)}\n`,
  );
  for (const c of crashes)
    process.stdout.write(`instance ${c.instance} CRASHED during the bench (exit ${String(c.exit)})\n`);
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `runs-${String(result.time).replace(/[:.]/g, '-').slice(0, 19)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`result: ${path.relative(REPO, file)}\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
});
