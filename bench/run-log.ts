/**
 * npx tsx bench/run-log.ts [--seconds S] [--rate R] [--postgres URL]
 *
 * The run log writer against a scratch database (migrated, dropped at the end):
 * 1. batch statements: 100,000 lines in batches of 5000 through INSERT ... SELECT FROM unnest (what
 *    RunLogWriter uses) and through COPY FROM STDIN (pg-copy-streams), raw, no writer;
 * 2. sustained: R lines/s offered (default 10,000) for S seconds (default 60), appended every 10 ms;
 *    prints what was committed each 10 s, the largest backlog and the process CPU used;
 * 3. maximum: one run appending as fast as it can (pausing when 50,000 lines are waiting) for 10 s.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createOrm, migrate } from '../server/src/database/orm.js';
import { createLogger } from '../server/src/logger.js';
import { RunLogWriter } from '../server/src/modules/run/run-log.js';
import { RunLogLevel, RunLogOrigin } from '../server/src/modules/run/run.enums.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const SECONDS = Number(option('seconds', '60'));
const RATE = Number(option('rate', '10000'));
const ADMIN = option('postgres', 'postgresql://postgres@127.0.0.1:5432/postgres');

function lineText(i: number): string {
  return `reader-${i % 4} split ${i % 97}: read ${i * 13} rows from public.orders (${(i * 7) % 1000} ms), next offset ${i * 5000}`;
}

async function createRun(pool: pg.Pool): Promise<string> {
  const [ws, task, version, run] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await pool.query('INSERT INTO workspace (id, name) VALUES ($1, $2)', [ws, `bench-${ws}`]);
  await pool.query(
    `INSERT INTO task (id, workspace_id, name, mode, engine, config, run_policy, version)
     VALUES ($1, $2, 'bench', 'BATCH', 'EMBEDDED', '{}', '{}', 1)`,
    [task, ws],
  );
  await pool.query(`INSERT INTO task_version (id, task_id, number, content) VALUES ($1, $2, 1, '{}')`, [version, task]);
  await pool.query(
    `INSERT INTO run (id, workspace_id, task_id, task_version_id, version_number, trigger, status)
     VALUES ($1, $2, $3, $4, 1, 'MANUAL', 'RUNNING')`,
    [run, ws, task, version],
  );
  return run;
}

const copyEscape = (s: string) =>
  s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

async function statements(pool: pg.Pool): Promise<void> {
  const total = 100_000;
  const batch = 5000;
  for (const method of ['unnest', 'copy', 'unnest', 'copy'] as const) {
    const runId = await createRun(pool);
    const started = performance.now();
    for (let from = 1; from <= total; from += batch) {
      const seqs = Array.from({ length: batch }, (_, i) => from + i);
      const now = Date.now();
      if (method === 'unnest') {
        await pool.query(
          `INSERT INTO run_log (run_id, seq, time, level, origin, message)
           SELECT $1::uuid, u.seq, timestamptz 'epoch' + u.ms * interval '1 millisecond', u.level, u.origin, u.message
           FROM unnest($2::bigint[], $3::float8[], $4::text[], $5::text[], $6::text[]) AS u (seq, ms, level, origin, message)
           ON CONFLICT (run_id, seq) DO NOTHING`,
          [
            runId,
            seqs,
            seqs.map(() => now),
            seqs.map(() => 'INFO'),
            seqs.map(() => 'ENGINE'),
            seqs.map((s) => lineText(s)),
          ],
        );
      } else {
        const client = await pool.connect();
        try {
          const iso = new Date(now).toISOString();
          const text = seqs.map((s) => `${runId}\t${s}\t${iso}\tINFO\tENGINE\t${copyEscape(lineText(s))}\n`).join('');
          await pipeline(
            Readable.from([text]),
            client.query(copyFrom('COPY run_log (run_id, seq, time, level, origin, message) FROM STDIN')),
          );
        } finally {
          client.release();
        }
      }
    }
    const s = (performance.now() - started) / 1000;
    console.log(`  ${method.padEnd(6)} ${total} lines in ${s.toFixed(2)} s: ${Math.round(total / s)} lines/s`);
  }
}

async function sustained(pool: pg.Pool): Promise<void> {
  const runId = await createRun(pool);
  let flushedAt = 0;
  const w = new RunLogWriter(pool, {
    runId,
    nextSeq: 1,
    onFlushed: (seq) => (flushedAt = seq),
    onError: (e) => console.error(`  error: ${e.message}`),
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let appended = 0;
  let maxBacklog = 0;
  let nextReport = 10;
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= SECONDS) break;
    const due = Math.floor(elapsed * RATE);
    while (appended < due) w.append(RunLogLevel.INFO, RunLogOrigin.ENGINE, lineText(++appended));
    maxBacklog = Math.max(maxBacklog, appended - flushedAt);
    if (elapsed >= nextReport) {
      console.log(`  ${nextReport} s: ${flushedAt} committed, ${appended - flushedAt} waiting`);
      nextReport += 10;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await w.close();
  const s = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM run_log WHERE run_id = $1', [runId]);
  console.log(
    `  offered ${RATE} lines/s for ${SECONDS} s: ${appended} appended, ${rows[0]!.n} stored ` +
      `(${Math.round(Number(rows[0]!.n) / s)} lines/s sustained), ${w.stats.batches} INSERTs, ` +
      `largest backlog ${maxBacklog} lines, process CPU ${(((used.user + used.system) / 1e6 / s) * 100).toFixed(0)}% of a core`,
  );
}

async function maximum(pool: pg.Pool): Promise<void> {
  const runId = await createRun(pool);
  const w = new RunLogWriter(pool, { runId, nextSeq: 1, onError: (e) => console.error(`  error: ${e.message}`) });
  const started = performance.now();
  let appended = 0;
  while (performance.now() - started < 10_000) {
    for (let i = 0; i < 1000; i++) w.append(RunLogLevel.INFO, RunLogOrigin.ENGINE, lineText(++appended));
    if (w.pendingLines > 50_000) await w.flush();
    else await new Promise((r) => setImmediate(r));
  }
  await w.close();
  const s = (performance.now() - started) / 1000;
  console.log(
    `  ${appended} lines in ${s.toFixed(2)} s: ${Math.round(appended / s)} lines/s (${w.stats.batches} INSERTs, ` +
      `${w.stats.dropped} dropped)`,
  );
}

async function main(): Promise<void> {
  const name = `sluice_bench_runlog_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => undefined);
  try {
    const logger = createLogger({ logLevel: 'warn', logFormat: 'json' }, process.stderr);
    const orm = await createOrm(url.toString(), { poolSize: 2, logger });
    await migrate(orm, url.toString(), logger);
    await orm.close(true);

    console.log('1. batch statements (5000 lines each, 100-char lines)');
    await statements(pool);
    console.log(`2. sustained load (${RATE} lines/s offered, ${SECONDS} s)`);
    await sustained(pool);
    console.log('3. maximum rate (one run, 10 s)');
    await maximum(pool);
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
