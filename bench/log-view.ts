/**
 * npm run bench:log-view [-- --seconds S] [--rate R] [--postgres URL] [--keep]
 *
 * The dashboard's run log viewer under a flood: a Sluice server (server/src/main.ts on a scratch
 * database) runs FakeSource -> Console printing R lines/s (default 10,000) for S seconds (default 15)
 * while headless Chromium shows the run's detail page from a production build of the dashboard
 * (vite build + vite preview, proxying the API). Measured in the page, over the time lines flow:
 * frames per second, the longest frames, long tasks (PerformanceObserver 'longtask'), the time
 * from a line's append on the server (its stored `time`) to it being on screen, and the JS heap.
 * Figures are printed (and written to bench/results/log-view-<time>.json), not asserted.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { gqlData } from '../test/support/graphql.js';
import { spawnServer } from '../test/support/process.js';
import { benchFlags, log, positiveInt, text } from './lib/cli.js';
import { fixed, percentile, textTable } from './lib/stats.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH_DIR);
const RESULTS = path.join(BENCH_DIR, 'results');
const ADMIN = { email: 'bench@sluice.test', password: 'bench-password-not-secret' };
const CHROMIUM = '/usr/bin/chromium';

interface Options {
  seconds: number;
  rate: number;
  postgres: string;
  keep: boolean;
}

const USAGE = `Usage: npm run bench:log-view -- [options]
  --seconds S      how long the run prints (default 15)
  --rate R         lines per second it prints (default 10000)
  --postgres URL   a role that may create databases (default postgresql://postgres@127.0.0.1:5432/postgres)
  --keep           keep the scratch database afterwards
`;

function parseOptions(argv: string[]): Options {
  const v = benchFlags(
    argv,
    { seconds: { type: 'string' }, rate: { type: 'string' }, postgres: { type: 'string' }, keep: { type: 'boolean' } },
    USAGE,
  );
  return {
    seconds: positiveInt(v, 'seconds', 15),
    rate: positiveInt(v, 'rate', 10_000),
    postgres: text(v, 'postgres', 'postgresql://postgres@127.0.0.1:5432/postgres'),
    keep: v.keep === true,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One printed line per row: `rows` rows at `rate` rows per second (as bench:runs' log part). */
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

/** What the page records (installed before the app loads). */
interface PageProbe {
  /** [performance.now() at the frame, its duration] for every animation frame. */
  frames: [number, number][];
  /** [startTime, duration] of every long task (> 50 ms on the main thread). */
  longTasks: [number, number][];
  /** [highest seq on screen, Date.now()] each time it grew. */
  seen: [number, number][];
  /** [lastSeq of a runLogAppended chunk, Date.now()] when its WebSocket message arrived. */
  received: [number, number][];
  /** [Date.now(), usedJSHeapSize] every 500 ms. */
  heap: [number, number][];
  /** Date.now() - performance.now(): turns frame times into wall-clock times. */
  clockOffset: number;
}

// Runs in the page before the app. A string, not a function: the bundler of this script (tsx)
// may wrap functions in helpers that do not exist in the page.
const PROBE = `(() => {
  const probe = { frames: [], longTasks: [], seen: [], received: [], heap: [], clockOffset: Date.now() - performance.now() };
  window.__probe = probe;
  // When each chunk of log lines reaches the page (the server's part of the delay, with the network).
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const match = typeof event.data === 'string' ? /"lastSeq":(\\d+)/.exec(event.data) : null;
        if (match) probe.received.push([Number(match[1]), Date.now()]);
      });
    }
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
  let last = performance.now();
  let highest = 0;
  const frame = (now) => {
    probe.frames.push([now, now - last]);
    last = now;
    for (const row of document.querySelectorAll('[data-test="run-log"] [data-test="run-log-line"]')) {
      const seq = Number(row.dataset.seq);
      if (seq > highest) highest = seq;
    }
    const top = probe.seen.length ? probe.seen[probe.seen.length - 1][0] : 0;
    if (highest > top) probe.seen.push([highest, Date.now()]);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  setInterval(() => probe.heap.push([Date.now(), performance.memory ? performance.memory.usedJSHeapSize : NaN]), 500);
})();`;

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const name = `sluice_bench_logview_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: o.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(o.postgres);
  url.pathname = `/${name}`;
  const db = new pg.Pool({ connectionString: url.toString(), max: 2 });
  db.on('error', () => undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-logview-'));
  const outDir = path.join(dataDir, 'dashboard');
  const server = spawnServer({
    DATABASE_URL: url.toString(),
    SLUICE_ADMIN_EMAIL: ADMIN.email,
    SLUICE_ADMIN_PASSWORD: ADMIN.password,
    SLUICE_SECRET_KEY: randomBytes(32).toString('hex'),
    SLUICE_DATA_DIR: dataDir,
  });
  let previewServer: Awaited<ReturnType<typeof preview>> | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    log('building the dashboard (vite build) and starting the server');
    const [api] = await Promise.all([
      server.ready,
      build({ root: path.join(REPO, 'dashboard'), logLevel: 'warn', build: { outDir, emptyOutDir: true } }),
    ]);
    // The app's own config proxies every /runs* address; only the log download belongs to the API.
    previewServer = await preview({
      root: path.join(REPO, 'dashboard'),
      configFile: false,
      logLevel: 'warn',
      build: { outDir },
      preview: {
        host: '127.0.0.1',
        port: 0,
        proxy: {
          '/graphql': { target: api, ws: true, changeOrigin: true },
          '^/runs/[^/]+/log$': { target: api, changeOrigin: true },
        },
      },
    });
    const address = previewServer.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('vite preview has no port');
    const base = `http://127.0.0.1:${address.port}`;
    log(`API ${api}, dashboard ${base}`);

    const login = await gqlData<{ login: { token: string; expiresAt: string } }>(
      api,
      'mutation($i: LoginInput!) { login(input: $i) { token expiresAt } }',
      { i: ADMIN },
    );
    const { token } = login.login;
    const workspaceId = (await gqlData<{ workspaces: { id: string }[] }>(api, '{ workspaces { id } }', {}, token))
      .workspaces[0]!.id;
    const taskId = (
      await gqlData<{ createTask: { id: string } }>(
        api,
        'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
        { i: { workspaceId, name: 'bench-log-view', content: LOGS_JOB } },
        token,
      )
    ).createTask.id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--enable-precise-memory-info',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    // Signed in as the dashboard does it (the session in sessionStorage), then the probe.
    await context.addInitScript(
      ({ token, expiresAt }) => sessionStorage.setItem('sluice.session', JSON.stringify({ token, expiresAt })),
      login.login,
    );
    await context.addInitScript(PROBE);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });

    const rows = o.rate * o.seconds;
    const run = (
      await gqlData<{ startRun: { id: string } }>(
        api,
        'mutation($i: StartRunInput!) { startRun(input: $i) { id } }',
        { i: { taskId, params: { rows: String(rows), rate: String(o.rate) } } },
        token,
      )
    ).startRun;
    log(`run ${run.id}: ${rows} lines at ${o.rate}/s; opening its page`);
    await page.goto(`${base}/runs/${run.id}`);
    await page.waitForSelector('[data-test="run-log"]', { timeout: 60_000 });
    const pageReadyAt = Date.now();

    let status = '';
    let finishedAt = 0;
    for (const deadline = Date.now() + o.seconds * 4000 + 60_000; Date.now() < deadline; await sleep(500)) {
      const data = await gqlData<{ run: { status: string; finishedAt: string | null } }>(
        api,
        'query($id: ID!) { run(id: $id) { status finishedAt } }',
        { id: run.id },
        token,
      );
      status = data.run.status;
      if (data.run.finishedAt) {
        finishedAt = Date.parse(data.run.finishedAt);
        break;
      }
    }
    const stored = await db.query<{ n: string; max: string; first: Date; last: Date }>(
      'SELECT count(*) AS n, max(seq) AS max, min(time) AS first, max(time) AS last FROM run_log WHERE run_id = $1',
      [run.id],
    );
    const maxSeq = Number(stored.rows[0]!.max);
    // Let the page show the end, then read what it recorded.
    await page
      .waitForFunction(`(window.__probe.seen.at(-1)?.[0] ?? 0) >= ${maxSeq}`, undefined, { timeout: 30_000 })
      .catch(() => undefined);
    const probe = await page.evaluate<PageProbe>('window.__probe');
    const statusText = await page.locator('[data-test="log-status"]').textContent();

    // The measured window: while lines flowed and the page was up (after a 1 s settle).
    const from = Math.max(pageReadyAt + 1000, stored.rows[0]!.first.getTime());
    const to = finishedAt || Date.now();
    const inWindow = ([t]: [number, number]) => t + probe.clockOffset >= from && t + probe.clockOffset <= to;
    const frames = probe.frames.filter(inWindow).map(([, d]) => d);
    const longTasks = probe.longTasks.filter(inWindow).map(([, d]) => d);
    const windowSeconds = (to - from) / 1000;

    // Append -> visible: for each seq that became the newest on screen, its stored time (stamped by
    // the server when the engine's line reached it) against when the page first showed it.
    const seen = probe.seen.filter(([, at]) => at >= from);
    const times = await db.query<{ seq: number; time: Date }>(
      'SELECT seq, time FROM run_log WHERE run_id = $1 AND seq = ANY($2::int[])',
      [run.id, seen.map(([seq]) => seq)],
    );
    const timeOf = new Map(times.rows.map((r) => [Number(r.seq), r.time.getTime()]));
    const latencies = seen.flatMap(([seq, at]) => {
      const t = timeOf.get(seq);
      return t === undefined ? [] : [at - t];
    });
    const received = probe.received.filter(([, at]) => at >= from);
    const receivedTimes = await db.query<{ seq: number; time: Date }>(
      'SELECT seq, time FROM run_log WHERE run_id = $1 AND seq = ANY($2::int[])',
      [run.id, received.map(([seq]) => seq)],
    );
    const receivedTimeOf = new Map(receivedTimes.rows.map((r) => [Number(r.seq), r.time.getTime()]));
    const toPage = received.flatMap(([seq, at]) => {
      const t = receivedTimeOf.get(seq);
      return t === undefined ? [] : [at - t];
    });
    // The page's own part: from a chunk's arrival to its last line on screen.
    const firstSeen = (seq: number) => seen.find(([s]) => s >= seq)?.[1];
    const render = received.flatMap(([seq, at]) => {
      const shownAt = firstSeen(seq);
      return shownAt === undefined ? [] : [shownAt - at];
    });
    const heap = probe.heap.map(([, bytes]) => bytes / 1e6).filter((v) => Number.isFinite(v));
    const shown = probe.seen[probe.seen.length - 1]?.[0] ?? 0;

    const result = {
      time: new Date().toISOString(),
      host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
      options: o,
      run: { id: run.id, status, storedLines: Number(stored.rows[0]!.n), maxSeq, lastSeqOnScreen: shown },
      window: { seconds: windowSeconds },
      frames: {
        count: frames.length,
        fps: frames.length / windowSeconds,
        p50Ms: percentile(frames, 50),
        p95Ms: percentile(frames, 95),
        p99Ms: percentile(frames, 99),
        maxMs: Math.max(0, ...frames),
        over50Ms: frames.filter((d) => d > 50).length,
      },
      longTasks: {
        count: longTasks.length,
        totalMs: longTasks.reduce((a, b) => a + b, 0),
        maxMs: Math.max(0, ...longTasks),
      },
      appendToVisibleMs: {
        samples: latencies.length,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: Math.max(-Infinity, ...latencies),
      },
      appendToPageMs: {
        chunks: toPage.length,
        p50: percentile(toPage, 50),
        p95: percentile(toPage, 95),
        p99: percentile(toPage, 99),
      },
      pageToVisibleMs: { p50: percentile(render, 50), p95: percentile(render, 95), p99: percentile(render, 99) },
      heapMB: { first: heap[0] ?? NaN, max: Math.max(-Infinity, ...heap), last: heap[heap.length - 1] ?? NaN },
      statusLine: statusText?.trim(),
      pageErrors: pageErrors.slice(0, 10),
    };

    const f = result.frames;
    const l = result.appendToVisibleMs;
    console.log(
      `\nRun log viewer: ${o.rate} lines/s for ${o.seconds} s (run ${status}, ${result.run.storedLines} lines stored), ` +
        `measured over ${fixed(windowSeconds, 1)} s of the flood; ${os.cpus().length} CPUs, load ${os
          .loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')}\n`,
    );
    console.log(
      textTable(
        ['figure', 'value', 'unit'],
        [
          ['frames per second', fixed(f.fps, 1), 'fps'],
          ['frame time p50 / p95 / p99', `${fixed(f.p50Ms, 1)} / ${fixed(f.p95Ms, 1)} / ${fixed(f.p99Ms, 1)}`, 'ms'],
          ['longest frame', fixed(f.maxMs, 1), 'ms'],
          ['frames over 50 ms', String(f.over50Ms), 'frames'],
          [
            'long tasks (count, total, longest)',
            `${result.longTasks.count}, ${fixed(result.longTasks.totalMs, 0)}, ${fixed(result.longTasks.maxMs, 0)}`,
            'ms',
          ],
          ['append -> visible p50 / p95 / p99', `${fixed(l.p50, 0)} / ${fixed(l.p95, 0)} / ${fixed(l.p99, 0)}`, 'ms'],
          ['append -> visible max', fixed(l.max, 0), 'ms'],
          [
            '  of which: append -> chunk in page p50 / p95 / p99',
            `${fixed(result.appendToPageMs.p50, 0)} / ${fixed(result.appendToPageMs.p95, 0)} / ${fixed(result.appendToPageMs.p99, 0)}`,
            'ms',
          ],
          [
            '  and: chunk in page -> on screen p50 / p95 / p99',
            `${fixed(result.pageToVisibleMs.p50, 0)} / ${fixed(result.pageToVisibleMs.p95, 0)} / ${fixed(result.pageToVisibleMs.p99, 0)}`,
            'ms',
          ],
          [
            'JS heap first / max / last',
            `${fixed(result.heapMB.first, 1)} / ${fixed(result.heapMB.max, 1)} / ${fixed(result.heapMB.last, 1)}`,
            'MB',
          ],
          ['last seq on screen / stored', `${shown} / ${maxSeq}`, 'seq'],
        ],
      ),
    );
    console.log(`\nthe page's log status: ${result.statusLine ?? '?'}`);
    if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
    fs.mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `log-view-${result.time.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${path.relative(REPO, file)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await previewServer?.close().catch(() => undefined);
    server.child.kill('SIGTERM');
    await Promise.race([server.exited, sleep(10_000)]);
    await db.end().catch(() => undefined);
    if (!o.keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
