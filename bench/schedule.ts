/**
 * npm run bench:schedule [-- --schedules N] [--minutes M] [--instances I] [--tasks T]
 *                        [--instance-limit L] [--workspace-limit W] [--no-build] [--postgres URL] [--keep]
 *
 * Schedules firing on several Sluice instances (separate processes, the compiled server) sharing a
 * scratch PostgreSQL database: N schedules `* * * * *` (UTC and other zones) created through
 * GraphQL, then M whole minute boundaries measured from the runs table: for every schedule and
 * boundary exactly one first-attempt run with trigger SCHEDULE and scheduled_time = the boundary
 * (misses and duplicates counted), fire delay (queued_at - scheduled_time) and start delay
 * (started_at - scheduled_time) percentiles, which instance's Agenda worker fired each occurrence,
 * and the CPU and memory of the server processes. Prints a verdict per target and writes
 * bench/results/schedule-<time>.json. See bench/README.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { gqlData, login } from '../test/support/graphql.js';
import {
  childrenOf,
  CLOCK_TICKS,
  cpuSnapshot,
  findServerPids,
  newestTsMtime,
  serverEnv,
  type ServerPids,
} from './lib/proc.js';
import { benchFlags, log, positiveInt, text } from './lib/cli.js';
import { fixed, percentile, textTable } from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH_DIR);
const RESULTS = path.join(BENCH_DIR, 'results');
const ADMIN = { email: 'bench@sluice.test', password: 'bench-password-not-secret' };
const MINUTE = 60_000;

const TARGETS = { fireDelayP99Ms: 1000, duplicates: 0, misses: 0 };

/** Zones the schedules cycle through: whole-hour, half-hour and 45-minute offsets, north and south. */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Shanghai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Adelaide',
  'America/St_Johns',
];

/** The cheapest run: one generated row printed. */
const TINY_JOB = `
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

interface Options {
  schedules: number;
  minutes: number;
  instances: number;
  tasks: number;
  instanceLimit: number;
  workspaceLimit: number;
  build: boolean;
  postgres: string;
  keep: boolean;
}

const USAGE = `Usage: npm run bench:schedule -- [options]
  --schedules N         schedules "* * * * *" to create (default 1000)
  --minutes M           whole minute boundaries to measure once all schedules exist (default 5)
  --instances I         server processes (default 2)
  --tasks T             tasks the schedules are spread over (default 10)
  --instance-limit L    SLUICE_INSTANCE_RUN_LIMIT of every instance (default 8, the product's default)
  --workspace-limit W   SLUICE_WORKSPACE_RUN_LIMIT (default 1000; the product's default of 20 would keep
                        most of a minute's runs QUEUED behind one another)
  --no-build            do not run npm run build when server/dist is older than server/src
  --postgres URL        a role that may create databases (default postgresql://postgres@127.0.0.1:5432/postgres)
  --keep                keep the scratch database afterwards
`;

function parseOptions(argv: string[]): Options {
  const v = benchFlags(
    argv,
    {
      schedules: { type: 'string' },
      minutes: { type: 'string' },
      instances: { type: 'string' },
      tasks: { type: 'string' },
      'instance-limit': { type: 'string' },
      'workspace-limit': { type: 'string' },
      'no-build': { type: 'boolean' },
      postgres: { type: 'string' },
      keep: { type: 'boolean' },
    },
    USAGE,
  );
  const o: Options = {
    schedules: positiveInt(v, 'schedules', 1000),
    minutes: positiveInt(v, 'minutes', 5),
    instances: positiveInt(v, 'instances', 2),
    tasks: positiveInt(v, 'tasks', 10),
    instanceLimit: positiveInt(v, 'instance-limit', 8),
    workspaceLimit: positiveInt(v, 'workspace-limit', 1000),
    build: !v['no-build'],
    postgres: text(v, 'postgres', 'postgresql://postgres@127.0.0.1:5432/postgres'),
    keep: v.keep === true,
  };
  if (o.instances > 26) throw new Error('--instances: at most 26');
  o.tasks = Math.min(o.tasks, o.schedules);
  return o;
}

// ------------------------------------------------------------------------------------ helpers

interface Spread {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function spread(values: number[]): Spread {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? values.reduce((m, v) => Math.max(m, v), -Infinity) : NaN,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = (t: number) => sleep(Math.max(0, t - Date.now()));
const hhmmss = (t: number) => new Date(t).toISOString().slice(11, 19);

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface ServerProcess {
  child: ChildProcess;
  /** Its warnings and errors (JSON log lines at level warn and above) and its stderr. */
  stderr: () => string;
  /** How many warn/error log lines it wrote, by message, with the first one's error. */
  warnings: Map<string, { count: number; example: string }>;
  /** The API's base URL once the server logged that it is ready. */
  ready: Promise<string>;
  exited: Promise<void>;
}

/** One Sluice process, `node server/dist/main.js` as `npm start` runs it: ready when it logs "Sluice is ready". */
function spawnInstance(env: Record<string, string>): ServerProcess {
  // eslint-disable-next-line no-restricted-syntax -- a benchmark script, not server code: the servers need PATH and HOME.
  const { PATH, HOME } = process.env;
  const child = spawn(process.execPath, ['server/dist/main.js'], {
    cwd: REPO,
    env: { PATH, HOME, SLUICE_LOG_FORMAT: 'json', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let buffer = '';
  const warnings = new Map<string, { count: number; example: string }>();
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
      if (!line.includes('"msg"')) continue;
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string; level?: unknown; err?: unknown };
        if (entry.msg === 'Sluice is ready') onReady(String(entry.url).replace(/\/graphql$/, ''));
        else if (typeof entry.level === 'number' ? entry.level >= 40 : /warn|error|fatal/.test(String(entry.level))) {
          const msg = String(entry.msg);
          const seen = warnings.get(msg);
          if (seen) seen.count++;
          else warnings.set(msg, { count: 1, example: JSON.stringify(entry.err ?? null).slice(0, 500) });
          if (stderr.length < 200_000) stderr += `${line}\n`;
        }
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 200_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      onFail(new Error(`server exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`));
      resolve();
    }),
  );
  return { child, stderr: () => stderr, warnings, ready, exited };
}

interface Instance {
  name: string;
  server: ServerProcess;
  url: string;
  token: string;
  instanceId: string;
}

// ---------------------------------------------------------------------- process CPU and memory

/** utime+stime (+ cutime+cstime: the reaped children's) of one process, in clock ticks. */
function ticksOf(pid: number, withReaped: boolean): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + (withReaped ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0;
  }
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const child of childrenOf(pid)) out.push(child, ...descendants(child));
  return out;
}

/** CPU ticks of a server and its engine workers: its own and its reaped children's, plus its live descendants'. */
function treeTicks(pid: number): number {
  return ticksOf(pid, true) + descendants(pid).reduce((sum, d) => sum + ticksOf(d, false), 0);
}

interface MemoryPeaks {
  /** The largest resident set of the server process seen while polling, KiB. */
  serverKb: number;
  /** The largest sum of its engine workers' resident sets, KiB. */
  workersKb: number;
  /** The most engine worker processes alive at once. */
  workers: number;
}

/** Polls the resident sets of the servers and their workers every second until stopped. */
function pollMemory(pids: number[]): { peaks: MemoryPeaks[]; stop: () => void } {
  const peaks = pids.map(() => ({ serverKb: 0, workersKb: 0, workers: 0 }));
  const sample = () =>
    pids.forEach((pid, i) => {
      const p = peaks[i]!;
      const workers = descendants(pid);
      p.serverKb = Math.max(p.serverKb, statusKb(pid, 'VmRSS'));
      p.workersKb = Math.max(
        p.workersKb,
        workers.reduce((sum, w) => sum + statusKb(w, 'VmRSS'), 0),
      );
      p.workers = Math.max(p.workers, workers.length);
    });
  sample();
  const timer = setInterval(sample, 1000);
  return { peaks, stop: () => clearInterval(timer) };
}

// ------------------------------------------------------------------------------------ the API

async function createTask(inst: Instance, workspaceId: string, name: string): Promise<string> {
  const data = await gqlData<{ createTask: { id: string } }>(
    inst.url,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
    { i: { workspaceId, name, content: TINY_JOB } },
    inst.token,
  );
  return data.createTask.id;
}

async function createSchedule(
  inst: Instance,
  input: { taskId: string; name: string; cron: string; timezone: string },
): Promise<string> {
  const data = await gqlData<{ createSchedule: { id: string } }>(
    inst.url,
    'mutation($i: CreateScheduleInput!) { createSchedule(input: $i) { id } }',
    { i: input },
    inst.token,
  );
  return data.createSchedule.id;
}

// ------------------------------------------------------------------------------ the measurement

interface RunRow {
  schedule_id: string;
  scheduled_ms: string;
  queued_ms: string;
  started_ms: string | null;
  status: string;
  instance_id: string | null;
}

interface MinuteFigures {
  boundary: string;
  runs: number;
  misses: number;
  duplicates: number;
  fireDelayMs: Spread;
  /** Whose Agenda worker fired (locked) each schedule's job for this boundary, by instance name. */
  firedBy: Record<string, number>;
  /** When Agenda started the jobs (their lastRunAt) - the boundary. */
  agendaLagMs: Spread;
}

interface AgendaFire {
  scheduleId: string;
  /** The instance whose Agenda worker locked and ran the job (its name, A, B, …). */
  by: string;
  /** lastRunAt (when Agenda started the job, the `firedAt` a fire gets) - the boundary. */
  lagMs: number;
}

/**
 * The schedule jobs Agenda started since the boundary `since`: who locked each (the job's
 * last_modified_by is the worker's name, the instance id) and when it started it (last_run_at).
 */
async function agendaFires(db: pg.Pool, since: number, instances: Instance[]): Promise<AgendaFire[]> {
  const { rows } = await db.query<{ schedule_id: string; by: string | null; run_ms: string }>(
    `SELECT data->>'scheduleId' AS schedule_id, last_modified_by AS by,
            (extract(epoch FROM last_run_at) * 1000)::bigint AS run_ms
       FROM agenda_jobs WHERE name = 'sluice-schedule' AND last_run_at >= $1`,
    [new Date(since)],
  );
  return rows.map((r) => ({
    scheduleId: r.schedule_id,
    by: instances.find((i) => i.instanceId === r.by)?.name ?? String(r.by),
    lagMs: Number(r.run_ms) - since,
  }));
}

async function windowRuns(db: pg.Pool, from: number, to: number): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT schedule_id, (extract(epoch FROM scheduled_time) * 1000)::bigint AS scheduled_ms,
            (extract(epoch FROM queued_at) * 1000)::bigint AS queued_ms,
            (extract(epoch FROM started_at) * 1000)::bigint AS started_ms, status, instance_id
       FROM run
      WHERE trigger = 'SCHEDULE' AND attempt = 1 AND scheduled_time >= $1 AND scheduled_time <= $2`,
    [new Date(from), new Date(to)],
  );
  return rows;
}

/** Misses and duplicates of `boundaries` × `scheduleIds` in `rows`, plus anything that is not such an occurrence. */
function tally(rows: RunRow[], scheduleIds: string[], boundaries: number[]) {
  const counts = new Map<string, number>();
  let foreign = 0;
  const wanted = new Set(scheduleIds);
  const onBoundary = new Set(boundaries);
  for (const r of rows) {
    if (!wanted.has(r.schedule_id) || !onBoundary.has(Number(r.scheduled_ms))) {
      foreign++;
      continue;
    }
    const key = `${r.schedule_id}@${r.scheduled_ms}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let misses = 0;
  let duplicates = 0;
  const missed: string[] = [];
  for (const b of boundaries) {
    for (const id of scheduleIds) {
      const n = counts.get(`${id}@${b}`) ?? 0;
      if (n === 0) {
        misses++;
        if (missed.length < 10) missed.push(`${id} at ${new Date(b).toISOString()}`);
      } else duplicates += n - 1;
    }
  }
  return { misses, duplicates, foreign, missed };
}

// --------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  const mainJs = path.join(REPO, 'server/dist/main.js');
  if (
    o.build &&
    (!fs.existsSync(mainJs) || fs.statSync(mainJs).mtimeMs < newestTsMtime(path.join(REPO, 'server/src')))
  ) {
    console.log('server/dist is older than server/src: npm run build');
    const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  if (!fs.existsSync(mainJs)) throw new Error('server/dist/main.js is missing: npm run build (or drop --no-build)');

  const name = `sluice_bench_schedule_${Date.now().toString(36)}`;
  const adminClient = new pg.Client({ connectionString: o.postgres });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  const url = new URL(o.postgres);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-schedule-'));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  db.on('error', () => undefined);
  const pgPids: ServerPids = findServerPids(
    await adminClient
      .query<{ data_directory: string }>('SHOW data_directory')
      .then((r) => r.rows[0]?.data_directory)
      .catch(() => undefined),
    undefined,
  );

  const env = serverEnv({
    databaseUrl,
    admin: ADMIN,
    dataDir,
    instanceLimit: o.instanceLimit,
    workspaceLimit: o.workspaceLimit,
  });
  const servers: ServerProcess[] = [];
  const instances: Instance[] = [];
  const result: Record<string, unknown> = {
    time: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavgAtStart: os.loadavg() },
    options: o,
    server: 'node server/dist/main.js',
  };
  const verdicts: { target: string; value: string; pass: boolean }[] = [];
  let failed = false;
  let stopping = false;
  const crashes: { instance: string; exit: number | string | null; stderr: string[] }[] = [];
  result.crashes = crashes;
  try {
    // A first (it migrates the fresh database), then the others.
    for (let n = 0; n < o.instances; n++) {
      const label = String.fromCharCode(65 + n);
      const current = spawnInstance(env);
      servers.push(current);
      void current.exited.then(() => {
        if (stopping) return;
        const how = current.child.exitCode ?? current.child.signalCode;
        const tail = current.stderr().trim().split('\n').slice(-30);
        crashes.push({ instance: label, exit: how, stderr: tail });
        log(`instance ${label} exited (${String(how)}) during the bench; its stderr:\n${tail.join('\n')}`);
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
      log(`instance ${label}: ${base} (instance ${info.serverInfo.instanceId}, pid ${current.child.pid})`);
    }
    result.instances = instances.map((i) => ({ name: i.name, url: i.url, instanceId: i.instanceId }));
    const first = instances[0]!;
    const workspaceId = (
      await gqlData<{ workspaces: { id: string }[] }>(first.url, '{ workspaces { id } }', undefined, first.token)
    ).workspaces[0]!.id;
    log(
      `limits: SLUICE_INSTANCE_RUN_LIMIT=${o.instanceLimit} SLUICE_WORKSPACE_RUN_LIMIT=${o.workspaceLimit}, ` +
        `other settings the product's defaults; ${os.cpus().length} CPUs, load ${load()}`,
    );

    const taskIds: string[] = [];
    for (let t = 0; t < o.tasks; t++) taskIds.push(await createTask(first, workspaceId, `bench-schedule-${t + 1}`));

    // The schedules, through every instance in turn, 8 requests in flight.
    const scheduleIds: string[] = new Array<string>(o.schedules);
    const createStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < o.schedules) {
          const i = next++;
          scheduleIds[i] = await createSchedule(instances[i % instances.length]!, {
            taskId: taskIds[i % taskIds.length]!,
            name: `bench-${String(i + 1).padStart(5, '0')}`,
            cron: '* * * * *',
            timezone: ZONES[i % ZONES.length]!,
          });
        }
      }),
    );
    const createEnd = Date.now();
    const jobs = Number(
      (await db.query<{ n: string }>("SELECT count(*) AS n FROM agenda_jobs WHERE name = 'sluice-schedule'")).rows[0]!
        .n,
    );
    log(
      `${o.schedules} schedules on ${o.tasks} tasks (zones ${ZONES.join(', ')}) created in ` +
        `${fixed((createEnd - createStart) / 1000, 1)} s (${fixed((o.schedules * 1000) / (createEnd - createStart), 0)}/s); ` +
        `${jobs} Agenda schedule jobs`,
    );
    if (jobs !== o.schedules) log(`WARNING: ${jobs} Agenda schedule jobs for ${o.schedules} schedules`);

    // The window: the first boundary after the last schedule exists, then one a minute.
    const b0 = Math.floor(createEnd / MINUTE) * MINUTE + MINUTE;
    const skipped = Math.floor(createEnd / MINUTE) - Math.floor(createStart / MINUTE);
    const boundaries = Array.from({ length: o.minutes }, (_, k) => b0 + k * MINUTE);
    const last = boundaries.at(-1)!;
    result.window = {
      createdFrom: new Date(createStart).toISOString(),
      createdUntil: new Date(createEnd).toISOString(),
      skippedBoundaries: skipped,
      boundaries: boundaries.map((b) => new Date(b).toISOString()),
    };
    log(
      `measuring ${o.minutes} minute boundaries ${hhmmss(b0)} .. ${hhmmss(last)} UTC` +
        (skipped > 0 ? ` (${skipped} boundary passed while the schedules were being created: not counted)` : '') +
        `; waiting ${fixed((b0 - Date.now()) / 1000, 0)} s for the first`,
    );

    // CPU over exactly the measured minutes: from the first boundary to a minute after the last.
    await sleepUntil(b0 - 200);
    const pids = instances.map((i) => i.server.child.pid!);
    const memory = pollMemory(pids);
    const cpu0 = { servers: pids.map(treeTicks), machine: cpuSnapshot(pgPids), at: Date.now() };
    const perMinute: MinuteFigures[] = [];
    const agendaLags: number[] = [];
    const delaysByFirer: Record<string, number[]> = {};
    let cpu1: typeof cpu0 | undefined;
    for (const b of boundaries) {
      // Shortly before the next boundary: this one's fires are in (or late).
      await sleepUntil(b + 50_000);
      const rows = await windowRuns(db, b, b);
      const t = tally(rows, scheduleIds, [b]);
      const fires = await agendaFires(db, b, instances);
      const firer = new Map(fires.map((f) => [f.scheduleId, f.by]));
      const counts: Record<string, number> = {};
      for (const f of fires) counts[f.by] = (counts[f.by] ?? 0) + 1;
      agendaLags.push(...fires.map((f) => f.lagMs));
      for (const r of rows) {
        const by = firer.get(r.schedule_id) ?? '?';
        (delaysByFirer[by] ??= []).push(Number(r.queued_ms) - Number(r.scheduled_ms));
      }
      const figures: MinuteFigures = {
        boundary: new Date(b).toISOString(),
        runs: rows.length,
        misses: t.misses,
        duplicates: t.duplicates,
        fireDelayMs: spread(rows.map((r) => Number(r.queued_ms) - Number(r.scheduled_ms))),
        firedBy: counts,
        agendaLagMs: spread(fires.map((f) => f.lagMs)),
      };
      perMinute.push(figures);
      const running = await db.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM run GROUP BY 1 ORDER BY 1',
      );
      log(
        `${hhmmss(b)}: ${figures.runs} runs, ${t.misses} missing, ${t.duplicates} duplicates; fire delay ` +
          `p50 ${fixed(figures.fireDelayMs.p50, 0)} ms, p99 ${fixed(figures.fireDelayMs.p99, 0)} ms, ` +
          `max ${fixed(figures.fireDelayMs.max, 0)} ms; Agenda started the jobs p50 ${fixed(figures.agendaLagMs.p50, 0)} ms, ` +
          `p99 ${fixed(figures.agendaLagMs.p99, 0)} ms after the boundary; fired by ${JSON.stringify(figures.firedBy)}; ` +
          `all runs so far ${running.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; load ${load()}`,
      );
      if (b === last) {
        await sleepUntil(b + MINUTE - 200);
        cpu1 = { servers: pids.map(treeTicks), machine: cpuSnapshot(pgPids), at: Date.now() };
      }
    }
    memory.stop();

    // Final count, after the last boundary's runs have had time to start (they do not affect firing).
    const rows = await windowRuns(db, b0, last);
    const t = tally(rows, scheduleIds, boundaries);
    const expected = o.schedules * o.minutes;
    const fireDelay = spread(rows.map((r) => Number(r.queued_ms) - Number(r.scheduled_ms)));
    const startDelay = spread(
      rows.filter((r) => r.started_ms !== null).map((r) => Number(r.started_ms) - Number(r.scheduled_ms)),
    );
    const statuses: Record<string, number> = {};
    const executedBy: Record<string, number> = {};
    for (const r of rows) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.instance_id) {
        const who = instances.find((i) => i.instanceId === r.instance_id)?.name ?? r.instance_id;
        executedBy[who] = (executedBy[who] ?? 0) + 1;
      }
    }
    const agendaLag = spread(agendaLags);
    const fireDelayByFirer = Object.fromEntries(
      Object.entries(delaysByFirer)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => [k, spread(v)]),
    );
    const firedTotal: Record<string, number> = {};
    for (const m of perMinute) for (const [k, v] of Object.entries(m.firedBy)) firedTotal[k] = (firedTotal[k] ?? 0) + v;

    const seconds = cpu1 ? (cpu1.at - cpu0.at) / 1000 : NaN;
    const processes = instances.map((inst, i) => {
      const cpuSeconds = cpu1 ? (cpu1.servers[i]! - cpu0.servers[i]!) / CLOCK_TICKS : NaN;
      return {
        instance: inst.name,
        cpuSeconds,
        cpuShareOfOneCore: cpuSeconds / seconds,
        peakServerRssMb: memory.peaks[i]!.serverKb / 1024,
        serverHwmMb: statusKb(pids[i]!, 'VmHWM') / 1024,
        peakWorkersRssMb: memory.peaks[i]!.workersKb / 1024,
        maxWorkers: memory.peaks[i]!.workers,
      };
    });
    const postgresCpuSeconds = cpu1 ? (cpu1.machine.postgres - cpu0.machine.postgres) / CLOCK_TICKS : NaN;
    const machineBusySeconds = cpu1 ? (cpu1.machine.busy - cpu0.machine.busy) / CLOCK_TICKS : NaN;

    Object.assign(result, {
      expected,
      runs: rows.length,
      misses: t.misses,
      duplicates: t.duplicates,
      foreign: t.foreign,
      missedExamples: t.missed,
      fireDelayMs: fireDelay,
      startDelayMs: startDelay,
      agendaLagMs: agendaLag,
      fireDelayByFirerMs: fireDelayByFirer,
      statuses,
      firedBy: firedTotal,
      executedBy,
      perMinute,
      cpu: { seconds, processes, postgresCpuSeconds, machineBusySeconds },
      loadavgAtEnd: os.loadavg(),
      warnings: Object.fromEntries(servers.map((s, i) => [instances[i]?.name ?? i, Object.fromEntries(s.warnings)])),
    });

    const ms = (v: number) => fixed(v, 0);
    const secs = (v: number) => fixed(v / 1000, 3);
    process.stdout.write(
      `\n${o.schedules} schedules "* * * * *" on ${instances.length} instances, ${o.minutes} minutes ` +
        `${hhmmss(b0)} .. ${hhmmss(last)} UTC (${new Date(b0).toISOString().slice(0, 10)}): ` +
        `${rows.length} runs for ${expected} occurrences\n\n` +
        textTable(
          ['figure', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
          (
            [
              ['fire delay (run queued_at - scheduled_time)', fireDelay],
              ...Object.entries(fireDelayByFirer).map(([k, v]) => [`  fired by ${k}`, v]),
              ['  of which Agenda: job lastRunAt - scheduled_time', agendaLag],
              ['start delay (run started_at - scheduled_time)', startDelay],
            ] as [string, Spread][]
          ).map(([label, v]) => [label, String(v.n), ms(v.p50), ms(v.p95), ms(v.p99), ms(v.max)]),
        ) +
        '\n\n' +
        textTable(
          ['minute', 'runs', 'missing', 'duplicates', 'p50 ms', 'p99 ms', 'max ms', 'Agenda p99 ms', 'fired by'],
          perMinute.map((m) => [
            m.boundary.slice(11, 16),
            String(m.runs),
            String(m.misses),
            String(m.duplicates),
            ms(m.fireDelayMs.p50),
            ms(m.fireDelayMs.p99),
            ms(m.fireDelayMs.max),
            ms(m.agendaLagMs.p99),
            Object.entries(m.firedBy)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
          ]),
        ) +
        '\n\n' +
        textTable(
          ['instance', 'fired', 'executed', 'CPU s', 'CPU % of a core', 'server RSS MB', 'workers RSS MB', 'workers'],
          processes.map((p) => [
            p.instance,
            String(firedTotal[p.instance] ?? 0),
            String(executedBy[p.instance] ?? 0),
            fixed(p.cpuSeconds, 1),
            fixed(p.cpuShareOfOneCore * 100, 0),
            fixed(p.peakServerRssMb, 0),
            fixed(p.peakWorkersRssMb, 0),
            String(p.maxWorkers),
          ]),
        ) +
        `\n\nover the ${fixed(seconds, 0)} s measured: PostgreSQL ${fixed(postgresCpuSeconds, 1)} CPU s, ` +
        `the whole machine ${fixed(machineBusySeconds, 1)} CPU s of ${fixed(seconds * os.cpus().length, 0)}; ` +
        `load at start ${(result.host as { loadavgAtStart: number[] }).loadavgAtStart.map((l) => l.toFixed(2)).join(' ')}, ` +
        `at end ${load()}\n` +
        `run statuses at the end: ${JSON.stringify(statuses)}` +
        (t.foreign ? `; ${t.foreign} SCHEDULE runs in the window off a schedule's minute (unexpected)` : '') +
        '\n' +
        `fired = whose Agenda worker locked the schedule's job after that minute's boundary (its last_modified_by, read ` +
        `50 s after the boundary); Agenda = when that worker started the job (its last_run_at, the time fire() is given); ` +
        `executed = run.instance_id\n` +
        `limits: SLUICE_INSTANCE_RUN_LIMIT=${o.instanceLimit}, SLUICE_WORKSPACE_RUN_LIMIT=${o.workspaceLimit}; ` +
        `server: node server/dist/main.js\n`,
    );
    for (const [i, s] of servers.entries()) {
      if (s.warnings.size === 0) continue;
      const top = [...s.warnings].sort((x, y) => y[1].count - x[1].count).slice(0, 5);
      for (const [m, w] of top)
        process.stdout.write(`instance ${instances[i]?.name ?? i} warned ${w.count} × "${m}" (first: ${w.example})\n`);
    }
    for (const m of t.missed) process.stdout.write(`missing: ${m}\n`);

    verdicts.push(
      {
        target: `fire delay p99 < ${secs(TARGETS.fireDelayP99Ms)} s`,
        value: `${secs(fireDelay.p99)} s`,
        pass: fireDelay.p99 < TARGETS.fireDelayP99Ms,
      },
      { target: 'duplicates = 0', value: String(t.duplicates), pass: t.duplicates === TARGETS.duplicates },
      { target: 'misses = 0', value: `${t.misses} of ${expected}`, pass: t.misses === TARGETS.misses },
    );
  } catch (err) {
    failed = true;
    result.error = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${String(result.error)}`);
    for (const [i, s] of servers.entries()) {
      const tail = s.stderr().trim().split('\n').slice(-40).join('\n');
      if (tail) log(`instance ${String.fromCharCode(65 + i)} stderr: ${tail}`);
    }
  } finally {
    stopping = true;
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
  result.verdicts = verdicts;
  process.stdout.write('\n');
  for (const v of verdicts) process.stdout.write(`${v.pass ? 'PASS' : 'MISS'}  ${v.target}: ${v.value}\n`);
  for (const c of crashes)
    process.stdout.write(`instance ${c.instance} CRASHED during the bench (exit ${String(c.exit)})\n`);
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `schedule-${String(result.time).replace(/[:.]/g, '-').slice(0, 19)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`result: ${path.relative(REPO, file)}\n`);
  return failed || verdicts.some((v) => !v.pass) ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
});
