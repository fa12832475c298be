/**
 * npm run bench:sync [-- --rows N] [--rounds R] [--only REGEX] [--no-build] [--mariadb URL] [--postgres URL]
 *
 * Measures Sluice's embedded engine (the CLI running a SeaTunnel job config, as a user runs it)
 * against the raw command-line pipe between the two database clients, per direction, in
 * interleaved rounds on the same machine, and prints engine/pipe ratios against the targets
 * (wall <= 1.15 x pipe, peak memory < 200 MB). See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { DataPreparer, type DataSet } from './lib/data.js';
import { Databases, parseEndpoint, sh, type Endpoints } from './lib/db.js';
import { findServerPids, GNU_TIME, measureCommand, type ServerPids } from './lib/proc.js';
import { buildScenarios, DIRECTIONS, type Direction, type Scenario, type Tool } from './lib/scenarios.js';
import { fixed, kilo, median, textTable } from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH_DIR);
const RESULTS = path.join(BENCH_DIR, 'results');
const WALL_TARGET = 1.15;
const PEAK_TARGET_MB = 200;
const ALL_NAMES = ['m2p', 'p2p', 'p2m', 'db5'].flatMap((d) => [`${d}-pipe`, `${d}-engine`]);

interface Options {
  rows: number;
  rounds: number;
  only: RegExp;
  build: boolean;
  endpoints: Endpoints;
  pollMs: number;
}

const USAGE = `Usage: npm run bench:sync -- [options]
  --rows N         rows of the orders table (default 1000000; 10000000 for the memory check).
                   The 5-table database has min(200000, N/5) rows per table.
  --rounds R       interleaved rounds; medians are taken over them (default 3)
  --only REGEX     run only the scenarios whose name matches: ${ALL_NAMES.join(', ')}
  --no-build       do not rebuild server/dist even when it is older than server/src
  --mariadb URL    default mysql://root@127.0.0.1:3306
  --postgres URL   default postgresql://postgres@127.0.0.1:5432
  --poll-ms MS     memory polling interval (default 100)
`;

function parseCount(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.replace(/_/g, ''));
  if (!m) throw new Error(`${flag} expects a number like 20000, 1m or 10000000, not "${text}"`);
  const n = Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number`);
  return n;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    rows: 1_000_000,
    rounds: 3,
    only: /./,
    build: true,
    pollMs: 100,
    endpoints: {
      mariadb: { host: '127.0.0.1', port: 3306, user: 'root', password: '' },
      postgres: { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' },
      myDb: 'sluice_bench',
      my5Db: 'sluice_bench5',
      pgDb: 'sluice_bench',
    },
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rows':
        o.rows = parseCount(value(), flag);
        break;
      case '--rounds':
        o.rounds = parseCount(value(), flag);
        break;
      case '--only':
        o.only = new RegExp(value());
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--mariadb':
        o.endpoints.mariadb = parseEndpoint(value(), o.endpoints.mariadb);
        break;
      case '--postgres':
        o.endpoints.postgres = parseEndpoint(value(), o.endpoints.postgres);
        break;
      case '--poll-ms':
        o.pollMs = parseCount(value(), flag);
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown option ${flag}\n\n${USAGE}`);
    }
  }
  return o;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function newestMtime(dir: string, filter: (f: string) => boolean): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !filter(entry.name)) continue;
    newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds server/dist when it is older than server/src and finds out whether the CLI has `run`.
 * Returns the shell command (without the job file) or why the engine cannot be measured.
 */
function prepareEngine(build: boolean): { command?: string; node: string; problem?: string; note?: string } {
  const localNode = path.join(REPO, 'node_modules', '.bin', 'node');
  const node = fs.existsSync(localNode) ? fs.realpathSync(localNode) : process.execPath;
  const cli = path.join(REPO, 'server', 'dist', 'cli.js');
  let note: string | undefined;
  const distTime = fs.existsSync(cli) ? fs.statSync(cli).mtimeMs : 0;
  const srcTime = newestMtime(path.join(REPO, 'server', 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (build && srcTime > distTime) {
    say('server/dist is older than server/src: npm run build');
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, encoding: 'utf8' });
    if (r.status !== 0) {
      const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-10).join('\n');
      if (!fs.existsSync(cli)) return { node, problem: `npm run build failed:\n${tail}` };
      note = `npm run build failed; measuring the previous build in server/dist:\n${tail}`;
      say(note);
    }
  } else if (srcTime > distTime) {
    note = 'server/dist is older than server/src (--no-build)';
  }
  if (!fs.existsSync(cli)) return { node, problem: 'server/dist/cli.js does not exist (build failed or --no-build)' };
  const help = spawnSync(node, [cli, 'help'], { cwd: REPO, encoding: 'utf8' });
  if (!/^\s+run\b/m.test(`${help.stdout}`)) {
    return { node, problem: 'the CLI has no `run` command yet (node server/dist/cli.js help does not list it)', note };
  }
  return { command: `${sh(node)} ${sh(cli)} run`, node, note };
}

interface RunRecord {
  scenario: string;
  direction: Direction;
  tool: Tool;
  round: number;
  ok: boolean;
  exitCode: number;
  verify: string;
  wallSeconds: number;
  rows: number;
  payloadBytes: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  clientCpuSeconds: number;
  clientUserSeconds: number;
  clientSysSeconds: number;
  mariadbdCpuSeconds: number;
  postgresCpuSeconds: number;
  /** CPU burnt on the machine by anything else (other jobs, kernel): the noise indicator. */
  otherCpuSeconds: number;
  stealSeconds: number;
  /** The job's own duration as the CLI reports it ("SUCCEEDED in 3.2 s"): wall minus start-up and exit. */
  engineJobSeconds: number;
  /** 1-minute load average just before the run. */
  loadBefore: number;
  peakRssMb: number;
  peakProcess: string;
  /** The engine's worker process (server/dist/modules/engine/worker.js), when there is one. */
  workerPeakMb: number;
  processes: { command: string; peakKb: number }[];
  log: string;
  error?: string;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const logDir = path.join(RESULTS, 'logs', stamp);
  fs.mkdirSync(logDir, { recursive: true });
  const load = () => os.loadavg().map((l) => l.toFixed(2));
  const loadAtStart = load();
  say(
    `bench:sync  rows=${options.rows} rounds=${options.rounds} only=${options.only.source}  ` +
      `${os.cpus().length} CPUs, load ${load().join(' ')}${os.loadavg()[0]! >= 1 ? '  (busy machine: figures will be noisy)' : ''}`,
  );
  say(`peak memory: /proc VmHWM polling every ${options.pollMs} ms${GNU_TIME ? ' + GNU time' : ''}`);

  const selected = ALL_NAMES.filter((n) => options.only.test(n));
  if (selected.length === 0) throw new Error(`--only ${options.only.source} matches none of ${ALL_NAMES.join(', ')}`);
  const engine = selected.some((n) => n.endsWith('-engine')) ? prepareEngine(options.build) : undefined;
  const skipped: Record<string, string> = {};
  if (engine?.problem) {
    say(`engine runs skipped: ${engine.problem}`);
    for (const n of selected.filter((s) => s.endsWith('-engine'))) skipped[n] = engine.problem;
  }
  const wanted = selected.filter((n) => !skipped[n]);
  const needs = (d: Direction) => wanted.some((n) => n.startsWith(`${d}-`));

  const db = await Databases.open(options.endpoints);
  try {
    const settings = {
      mariadb: {
        version: await db.myValue('SELECT VERSION()'),
        innodb_buffer_pool_size: await db.myValue('SELECT @@innodb_buffer_pool_size'),
        innodb_flush_log_at_trx_commit: await db.myValue('SELECT @@innodb_flush_log_at_trx_commit'),
        local_infile: await db.myValue('SELECT @@local_infile'),
      },
      postgres: {
        version: await db.pgValue('SHOW server_version'),
        shared_buffers: await db.pgValue('SHOW shared_buffers'),
        max_wal_size: await db.pgValue('SHOW max_wal_size'),
        synchronous_commit: await db.pgValue('SHOW synchronous_commit'),
      },
    };
    const servers: ServerPids = findServerPids(
      await db.pgValue('SHOW data_directory').catch(() => undefined),
      await db.myValue('SELECT @@pid_file'),
    );
    if (servers.mariadbd === undefined || servers.postmaster === undefined) {
      say(`server CPU not measurable (mariadbd pid ${servers.mariadbd}, postmaster pid ${servers.postmaster})`);
    }
    if (needs('p2m') && settings.mariadb.local_infile !== '1') {
      say('MariaDB local_infile is OFF: the PostgreSQL → MariaDB pipe (LOAD DATA LOCAL INFILE) will fail');
    }

    // ---- data (untimed)
    const data = new DataPreparer(db, (l) => say(l));
    let orders: DataSet | undefined;
    let bench5: DataSet | undefined;
    if (needs('m2p') || needs('p2p') || needs('p2m')) orders = await data.orders(options.rows);
    if (orders && (needs('p2p') || needs('p2m'))) await data.pgSource(orders);
    if (needs('db5')) bench5 = await data.bench5(Math.min(200_000, Math.floor(options.rows / 5)));

    const all = buildScenarios({
      db,
      data,
      orders,
      bench5,
      engineCommand: engine?.command ?? 'false',
      jobDir: path.join(RESULTS, 'jobs'),
    });
    const scenarios = all.filter((s) => wanted.includes(s.name));

    // ---- warm-up (untimed): one read of every source, so round 1 starts from the same caches
    say('warming up: one untimed read of each source');
    const myRead = db.mariadbCli('--batch --raw --skip-column-names --quick');
    if (orders)
      await db.runScript(
        `${myRead} -e ${sh(`SELECT * FROM \`${options.endpoints.myDb}\`.orders`)} > /dev/null`,
        'warm-up',
      );
    if (orders && (needs('p2p') || needs('p2m'))) {
      await db.runScript(`${db.psqlCli()} -c ${sh('\\copy public.orders_src to stdout')} > /dev/null`, 'warm-up');
    }
    if (bench5) {
      for (const t of ['customers', 'products', 'orders', 'order_items', 'payments']) {
        await db.runScript(
          `${myRead} -e ${sh(`SELECT * FROM \`${options.endpoints.my5Db}\`.${t}`)} > /dev/null`,
          'warm-up',
        );
      }
    }

    // ---- rounds
    const runs: RunRecord[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate which of each pair goes first, so neither always runs on the other's leftovers.
      const order = [...scenarios].sort((a, b) => {
        const da = ALL_NAMES.indexOf(a.name) >> 1;
        const dbi = ALL_NAMES.indexOf(b.name) >> 1;
        if (da !== dbi) return da - dbi;
        const first: Tool = round % 2 ? 'pipe' : 'engine';
        return (a.tool === first ? 0 : 1) - (b.tool === first ? 0 : 1);
      });
      for (const s of order) {
        const record = await runOnce(s, round, db, servers, logDir, options.pollMs);
        runs.push(record);
        say(
          `[round ${round}/${options.rounds}] ${s.name.padEnd(10)} ${fixed(record.wallSeconds).padStart(7)} s ` +
            `${kilo(record.rowsPerSecond).padStart(6)} rows/s ${fixed(record.mbPerSecond, 1).padStart(6)} MB/s  ` +
            `CPU client ${fixed(record.clientCpuSeconds)} mariadbd ${fixed(record.mariadbdCpuSeconds)} ` +
            `postgres ${fixed(record.postgresCpuSeconds)} other ${fixed(record.otherCpuSeconds)}  ` +
            `peak ${fixed(record.peakRssMb, 0)} MB${s.tool === 'engine' ? ` (worker ${fixed(record.workerPeakMb, 0)})` : ''}  ${record.ok ? 'OK' : `FAILED: ${record.error}`}`,
        );
      }
    }

    // ---- summary
    const summary = summarize(scenarios, runs);
    say('');
    say(
      `Results (${options.rows} rows, ${options.rounds} rounds; medians over verified runs; peak = largest single ` +
        `client process, max over runs)`,
    );
    say(
      textTable(
        [
          'scenario',
          'ok',
          'wall s (min–max)',
          'rows/s',
          'MB/s',
          'client CPU s',
          'mariadbd s',
          'postgres s',
          'other s',
          'peak MB',
          'worker MB',
        ],
        summary.scenarios.map((s) => [
          s.name,
          `${s.ok}/${s.runs}`,
          `${fixed(s.wall)} (${fixed(s.wallMin)}–${fixed(s.wallMax)})`,
          kilo(s.rowsPerSecond),
          fixed(s.mbPerSecond, 1),
          fixed(s.clientCpu),
          fixed(s.mariadbdCpu),
          fixed(s.postgresCpu),
          fixed(s.otherCpu),
          fixed(s.peakRssMb, 0),
          s.tool === 'engine' ? fixed(s.workerPeakMb, 0) : '',
        ]),
      ),
    );
    say('');
    for (const c of summary.comparisons) say(c.text);
    for (const [name, why] of Object.entries(skipped)) say(`${name}: skipped, ${why}`);
    for (const line of memoryAcrossSizes(options.rows, summary.scenarios)) say(line);

    const file = path.join(RESULTS, `sync-${stamp}-${options.rows}rows.json`);
    // Formatted as the repository's Prettier would, so `npm run lint` (prettier --check .) passes
    // with results present.
    const json = JSON.stringify(
      {
        started: started.toISOString(),
        finished: new Date().toISOString(),
        options: { rows: options.rows, rounds: options.rounds, only: options.only.source },
        machine: {
          cpus: os.cpus().length,
          cpuModel: os.cpus()[0]?.model,
          memoryMb: Math.round(os.totalmem() / 2 ** 20),
          loadAtStart,
          loadAtEnd: load(),
        },
        node: engine?.node,
        engineNote: engine?.note,
        gitCommit: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim(),
        settings,
        targets: { wallRatio: WALL_TARGET, peakMb: PEAK_TARGET_MB },
        data: { orders, bench5 },
        skipped,
        summary,
        runs,
      },
      null,
      2,
    );
    const prettierOptions = (await prettier.resolveConfig(file)) ?? {};
    fs.writeFileSync(file, await prettier.format(json, { ...prettierOptions, filepath: file }));
    say(`\nload now ${load().join(' ')}; results: ${path.relative(REPO, file)}; logs: ${path.relative(REPO, logDir)}`);
    return runs.every((r) => r.ok) ? 0 : 1;
  } finally {
    await db.close();
  }
}

async function runOnce(
  s: Scenario,
  round: number,
  db: Databases,
  servers: ServerPids,
  logDir: string,
  pollMs: number,
): Promise<RunRecord> {
  await s.reset();
  // Same start for every run: dirty pages written out, OS buffers flushed.
  await db.pg.query('CHECKPOINT');
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 1000));
  const logFile = path.join(logDir, `${s.name}.${round}.log`);
  const loadBefore = os.loadavg()[0]!;
  const m = await measureCommand(s.script, { logFile, env: db.env(), servers, pollMs });
  let verify = 'not checked';
  let error: string | undefined;
  if (m.exitCode !== 0) {
    error = `exit ${m.exitCode}: ${m.outputTail.split('\n').slice(-3).join(' | ')}`;
  } else {
    const problem = await s.verify();
    verify = problem ? `FAIL ${problem}` : 'OK';
    if (problem) error = `verification: ${problem}`;
  }
  const clientCpu = m.clientUserSeconds + m.clientSysSeconds;
  return {
    scenario: s.name,
    direction: s.direction,
    tool: s.tool,
    round,
    ok: error === undefined,
    exitCode: m.exitCode,
    verify,
    wallSeconds: m.wallSeconds,
    rows: s.rows,
    payloadBytes: s.payloadBytes,
    rowsPerSecond: s.rows / m.wallSeconds,
    mbPerSecond: s.payloadBytes / 1e6 / m.wallSeconds,
    clientCpuSeconds: clientCpu,
    clientUserSeconds: m.clientUserSeconds,
    clientSysSeconds: m.clientSysSeconds,
    mariadbdCpuSeconds: m.serverCpu.mariadbd,
    postgresCpuSeconds: m.serverCpu.postgres,
    otherCpuSeconds: m.serverCpu.busy - clientCpu - m.serverCpu.mariadbd - m.serverCpu.postgres,
    stealSeconds: m.serverCpu.steal,
    engineJobSeconds: s.tool === 'engine' ? await reportedJobSeconds(logFile) : NaN,
    loadBefore,
    peakRssMb: m.peakRssKb / 1024,
    peakProcess: m.peakProcess,
    workerPeakMb: (m.processes.find((p) => /\bworker\.js\b/.test(p.command))?.peakKb ?? NaN) / 1024,
    processes: m.processes,
    log: path.relative(REPO, logFile),
    error,
  };
}

function summarize(scenarios: Scenario[], runs: RunRecord[]) {
  const rows = scenarios.map((s) => {
    const all = runs.filter((r) => r.scenario === s.name);
    const ok = all.filter((r) => r.ok);
    const walls = ok.map((r) => r.wallSeconds);
    const wall = median(walls);
    return {
      name: s.name,
      direction: s.direction,
      tool: s.tool,
      runs: all.length,
      ok: ok.length,
      wall,
      wallMin: walls.length ? Math.min(...walls) : NaN,
      wallMax: walls.length ? Math.max(...walls) : NaN,
      rowsPerSecond: s.rows / wall,
      mbPerSecond: s.payloadBytes / 1e6 / wall,
      clientCpu: median(ok.map((r) => r.clientCpuSeconds)),
      mariadbdCpu: median(ok.map((r) => r.mariadbdCpuSeconds)),
      postgresCpu: median(ok.map((r) => r.postgresCpuSeconds)),
      otherCpu: median(ok.map((r) => r.otherCpuSeconds)),
      peakRssMb: ok.length ? Math.max(...ok.map((r) => r.peakRssMb)) : NaN,
      peakRssMbMedian: median(ok.map((r) => r.peakRssMb)),
      workerPeakMb: ok.length ? Math.max(...ok.map((r) => r.workerPeakMb)) : NaN,
      engineJobSeconds: median(ok.map((r) => r.engineJobSeconds)),
      peakProcess: ok.reduce((best, r) => (r.peakRssMb > best.mb ? { mb: r.peakRssMb, p: r.peakProcess } : best), {
        mb: -1,
        p: '',
      }).p,
    };
  });
  const comparisons = (Object.keys(DIRECTIONS) as Direction[]).flatMap((d) => {
    const e = rows.find((r) => r.direction === d && r.tool === 'engine');
    const p = rows.find((r) => r.direction === d && r.tool === 'pipe');
    if (!e || !p) return [];
    const ratio = e.wall / p.wall;
    // The same ratio within each round: robust against load that changes between rounds.
    const perRound = [...new Set(runs.map((r) => r.round))].map((round) => {
      const re = runs.find((r) => r.scenario === e.name && r.round === round && r.ok);
      const rp = runs.find((r) => r.scenario === p.name && r.round === round && r.ok);
      return re && rp ? re.wallSeconds / rp.wallSeconds : NaN;
    });
    const wallPass = Number.isFinite(ratio) && ratio <= WALL_TARGET;
    const peakPass = Number.isFinite(e.peakRssMb) && e.peakRssMb < PEAK_TARGET_MB;
    const cpuRatio = (e.clientCpu + e.mariadbdCpu + e.postgresCpu) / (p.clientCpu + p.mariadbdCpu + p.postgresCpu);
    const text =
      `${DIRECTIONS[d]}: engine/pipe wall ${fixed(ratio)} (per round ${perRound.map((x) => fixed(x)).join(' ')}) ` +
      `target ≤ ${WALL_TARGET} ${wallPass ? 'PASS' : 'MISS'}; engine peak ${fixed(e.peakRssMb, 0)} MB ` +
      `target < ${PEAK_TARGET_MB} ${peakPass ? 'PASS' : 'MISS'} (worker ${fixed(e.workerPeakMb, 0)} MB); ` +
      `engine job ${fixed(e.engineJobSeconds)} s of ${fixed(e.wall)} s wall (the rest: CLI and worker start and exit); CPU (client+servers) engine/pipe ${fixed(cpuRatio)}`;
    return [{ direction: d, wallRatio: ratio, perRound, wallPass, peakMb: e.peakRssMb, peakPass, cpuRatio, text }];
  });
  return { scenarios: rows, comparisons };
}

async function reportedJobSeconds(logFile: string): Promise<number> {
  const text = await fs.promises.readFile(logFile, 'utf8').catch(() => '');
  const m = /\b(?:SUCCEEDED|FAILED|CANCELLED) in (?:(\d+) min )?([\d.]+) s\b/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
}

/**
 * Peak memory of each engine scenario next to the newest earlier result at another row count
 * (e.g. a 10M-row run against the last 1M-row run): a streaming engine stays flat.
 */
function memoryAcrossSizes(rows: number, current: ReturnType<typeof summarize>['scenarios']): string[] {
  const files = fs
    .readdirSync(RESULTS)
    .filter((f) => /^sync-.*\.json$/.test(f))
    .sort()
    .reverse();
  const lines: string[] = [];
  for (const s of current.filter((c) => c.tool === 'engine' && c.ok > 0)) {
    for (const f of files) {
      let earlier: { options: { rows: number }; summary: ReturnType<typeof summarize> } | undefined;
      try {
        earlier = JSON.parse(fs.readFileSync(path.join(RESULTS, f), 'utf8')) as typeof earlier;
      } catch {
        continue;
      }
      const other = earlier?.summary.scenarios.find((o) => o.name === s.name && o.ok > 0);
      if (!earlier || earlier.options.rows === rows || !other) continue;
      lines.push(
        `${s.name}: peak ${fixed(s.peakRssMb, 0)} MB (worker ${fixed(s.workerPeakMb, 0)}) at ${rows} rows; ` +
          `${fixed(other.peakRssMb, 0)} MB (worker ${fixed(other.workerPeakMb, 0)}) at ${earlier.options.rows} rows (${f})`,
      );
      break;
    }
  }
  return lines.length ? ['', 'Memory across sizes:', ...lines] : [];
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:sync failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
