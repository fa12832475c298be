import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../server/src/modules/run/redact.js';
import { createRunLogRoute } from '../../server/src/modules/run/run-log-route.js';
import {
  appendSystemLine,
  nextLogSeq,
  pruneRunLogs,
  pruneRunMetrics,
  readRunLogs,
  RunLogWriter,
  tailRunLogs,
} from '../../server/src/modules/run/run-log.js';
import { RunLogLevel, RunLogOrigin } from '../../server/src/modules/run/run.enums.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';

const { DEBUG, INFO, WARN, ERROR } = RunLogLevel;
const { ENGINE, HOOK, SYSTEM } = RunLogOrigin;

let db: TestDatabase;
let pool: pg.Pool;
const pools: pg.Pool[] = [];

/** A pool whose INSERTs into run_log are counted (the statements really run). */
function newPool(config: pg.PoolConfig = {}): { pool: pg.Pool; inserts: () => number } {
  const p = new pg.Pool({ connectionString: db.url, max: 4, ...config });
  p.on('error', () => undefined); // an idle client whose backend was terminated
  pools.push(p);
  let inserts = 0;
  const query = p.query.bind(p) as (...args: unknown[]) => unknown;
  p.query = ((...args: unknown[]) => {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first.text ?? '');
    if (/^\s*INSERT INTO run_log\b/.test(text)) inserts++;
    return query(...args);
  }) as typeof p.query;
  return { pool: p, inserts: () => inserts };
}

/** A run (with its workspace, task and version), as the foreign keys need. */
async function createRun(): Promise<string> {
  const [workspace, task, version, run] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await pool.query('INSERT INTO workspace (id, name) VALUES ($1, $2)', [workspace, `ws-${workspace}`]);
  await pool.query(
    `INSERT INTO task (id, workspace_id, name, mode, engine, config, run_policy, version)
     VALUES ($1, $2, 'task', 'BATCH', 'EMBEDDED', '{}', '{}', 1)`,
    [task, workspace],
  );
  await pool.query(`INSERT INTO task_version (id, task_id, number, content) VALUES ($1, $2, 1, '{}')`, [version, task]);
  await pool.query(
    `INSERT INTO run (id, workspace_id, task_id, task_version_id, version_number, trigger, status)
     VALUES ($1, $2, $3, $4, 1, 'MANUAL', 'RUNNING')`,
    [run, workspace, task, version],
  );
  return run;
}

async function storedLines(runId: string): Promise<{ seq: number; level: string; origin: string; message: string }[]> {
  const { rows } = await pool.query<{ seq: string; level: string; origin: string; message: string }>(
    'SELECT seq, level, origin, message FROM run_log WHERE run_id = $1 ORDER BY seq',
    [runId],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = newPool().pool;
});

afterAll(async () => {
  for (const p of pools) await p.end().catch(() => undefined);
  await db?.drop();
});

describe('RunLogWriter', () => {
  it('stores 50,000 lines appended as fast as possible, in order, none lost, in few INSERTs', async () => {
    const runId = await createRun();
    const { pool: p, inserts } = newPool();
    const flushed: number[] = [];
    const w = new RunLogWriter(p, { runId, nextSeq: await nextLogSeq(p, runId), onFlushed: (s) => flushed.push(s) });
    const started = performance.now();
    for (let i = 1; i <= 50_000; i++) expect(w.append(INFO, ENGINE, `line ${i}`)).toBe(i);
    await w.close();
    const ms = performance.now() - started;
    console.log(`50,000 lines appended and committed in ${ms.toFixed(0)} ms (${inserts()} INSERTs)`);

    const rows = await storedLines(runId);
    expect(rows.length).toBe(50_000);
    rows.forEach((r, i) => {
      if (r.seq !== i + 1 || r.message !== `line ${i + 1}`) expect(r).toEqual({ seq: i + 1, message: `line ${i + 1}` });
    });
    expect(inserts()).toBeGreaterThanOrEqual(10); // 5000 lines a batch at most
    expect(inserts()).toBeLessThanOrEqual(12);
    expect(flushed).toEqual([...flushed].sort((a, b) => a - b));
    expect(flushed.at(-1)).toBe(50_000);
    expect(w.lastSeq).toBe(50_000);
    expect(w.flushedSeq).toBe(50_000);
    expect(() => w.append(INFO, ENGINE, 'late')).toThrow(/closed/);
  });

  it('batches a steady 10,000 lines/s into about one INSERT per flush interval', async () => {
    const runId = await createRun();
    const { pool: p, inserts } = newPool();
    const w = new RunLogWriter(p, { runId, nextSeq: 1, flushIntervalMs: 50 });
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 1000) {
      const due = Math.floor((Date.now() - started) * 10); // 10 lines a millisecond
      while (n < due) w.append(DEBUG, ENGINE, `tick ${++n}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await w.flush();
    const rows = await storedLines(runId);
    expect(rows.length).toBe(n);
    expect(rows.at(-1)!.seq).toBe(n);
    // 1 s at one batch per 50 ms: about 20 statements, not one per line or per tick.
    expect(inserts()).toBeGreaterThanOrEqual(5);
    expect(inserts()).toBeLessThanOrEqual(40);
    await w.close();
  });

  it('retries a batch whose connection was terminated mid-INSERT, losing nothing', async () => {
    const runId = await createRun();
    const app = `run-log-writer-${randomUUID().slice(0, 8)}`;
    const { pool: p } = newPool({ application_name: app, max: 1 });
    const errors: Error[] = [];
    const w = new RunLogWriter(p, { runId, nextSeq: 1, retryDelayMs: 50, onError: (e) => errors.push(e) });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      // Hold the INSERT on a lock, then kill its backend while it waits.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE run_log IN EXCLUSIVE MODE');
      for (let i = 1; i <= 100; i++) w.append(INFO, ENGINE, `line ${i}`);
      const flushed = w.flush();
      const { pid } = await waitFor(
        async () =>
          // Not on the locker: inside its transaction, pg_stat_activity stays a snapshot.
          (
            await pool.query<{ pid: number }>(
              "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
              [app],
            )
          ).rows[0],
        { what: 'the INSERT waiting on the lock' },
      );
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 101; i <= 200; i++) w.append(INFO, ENGINE, `line ${i}`);
      await locker.query('COMMIT');
      await flushed;
      await w.flush();
    } finally {
      await locker.end();
    }
    const rows = await storedLines(runId);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(w.stats.retries).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
    await w.close();
  });

  it('keeps lines through an outage, reports it, drops the oldest beyond the cap and records how many', async () => {
    const runId = await createRun();
    // Every statement gives up after 150 ms: a locked table is an outage.
    const { pool: p } = newPool({ statement_timeout: 150, max: 1 });
    const errors: Error[] = [];
    const w = new RunLogWriter(p, {
      runId,
      nextSeq: 1,
      retries: 2,
      retryDelayMs: 20,
      maxPendingLines: 1000,
      onError: (e) => errors.push(e),
    });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE run_log IN EXCLUSIVE MODE');
      for (let i = 1; i <= 300; i++) w.append(INFO, ENGINE, `line ${i}`);
      await expect(w.flush()).rejects.toThrow(/seq 1–300 failed 3 times .*statement timeout/);
      expect(errors.length).toBe(1);
      // 300 in flight + 3000 more, 1000 kept: seq 301–2600 are dropped.
      for (let i = 301; i <= 3300; i++) w.append(INFO, ENGINE, `line ${i}`);
      expect(w.pendingLines).toBe(1000);
      expect(w.stats.dropped).toBe(2300);
      await locker.query('COMMIT');
    } finally {
      await locker.end();
    }
    await w.flush();
    const rows = await storedLines(runId);
    expect(rows.length).toBe(300 + 1 + 700);
    expect(rows.slice(0, 300).map((r) => r.message)).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    expect(rows[300]).toEqual({
      seq: 2600,
      level: 'WARN',
      origin: 'SYSTEM',
      message: expect.stringMatching(/^2300 log line\(s\) dropped \(seq 301–2600\)/),
    });
    expect(rows.slice(301).map((r) => r.seq)).toEqual(Array.from({ length: 700 }, (_, i) => 2601 + i));
    expect(rows.at(-1)!.message).toBe('line 3300');
    await w.close();
  });

  it('reports and drops lines that can never be stored (the run was deleted)', async () => {
    const runId = await createRun();
    const errors: Error[] = [];
    const w = new RunLogWriter(pool, { runId, nextSeq: 1, onError: (e) => errors.push(e) });
    w.append(INFO, ENGINE, 'kept');
    await w.flush();
    await pool.query('DELETE FROM run WHERE id = $1', [runId]);
    w.append(INFO, ENGINE, 'orphan');
    await expect(w.flush()).rejects.toThrow(/1 log line\(s\) \(seq 2–2\) cannot be stored and were dropped/);
    expect(errors.length).toBe(1);
    await w.close(); // nothing left to write
  });

  it('redacts, cuts long messages with a marker, keeps multi-line messages whole, replaces NUL', async () => {
    const runId = await createRun();
    const redactor = new Redactor(['topsecret']);
    const w = new RunLogWriter(pool, {
      runId,
      nextSeq: 1,
      maxLineLength: 200,
      redact: (t) => redactor.redact(t),
    });
    w.append(INFO, ENGINE, 'connecting with topsecret to postgres://u:pw@h/db');
    w.append(ERROR, ENGINE, `failed:\n  at one\n  at two password=topsecret`);
    w.append(INFO, ENGINE, 'y'.repeat(1000));
    w.append(WARN, HOOK, 'a\u0000b');
    await w.close();
    const rows = await storedLines(runId);
    expect(rows[0]!.message).toBe('connecting with ****** to postgres://u:******@h/db');
    expect(rows[1]!.message).toBe('failed:\n  at one\n  at two password=******');
    expect(rows[2]!.message.length).toBeLessThanOrEqual(200);
    const cut = /^(y+) …\[(\d+) characters cut\]$/.exec(rows[2]!.message)!;
    expect(cut[1]!.length + Number(cut[2])).toBe(1000);
    expect(rows[3]).toMatchObject({ level: 'WARN', origin: 'HOOK', message: 'a\uFFFDb' });
  });

  it('stores the given time; skips and reports a line whose seq another writer took', async () => {
    const runId = await createRun();
    const errors: Error[] = [];
    const w = new RunLogWriter(pool, { runId, nextSeq: 1, onError: (e) => errors.push(e) });
    const time = new Date(Date.now() - 3_600_000);
    w.append(INFO, ENGINE, 'timed', time);
    w.append(INFO, ENGINE, 'taken'); // seq 2, not stored yet
    await w.flush();
    w.append(INFO, ENGINE, 'conflict'); // seq 3
    expect(await appendSystemLine(pool, runId, ERROR, 'another instance')).toBe(3);
    await w.flush();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/1 of 1 log line.*seq 3–3.*already taken/)]);
    const [first] = await readRunLogs(pool, runId, { limit: 1 });
    expect(first!.time.toISOString()).toBe(time.toISOString());
    expect((await storedLines(runId)).map((r) => r.message)).toEqual(['timed', 'taken', 'another instance']);
    await w.close();
  });
});

describe('nextLogSeq and appendSystemLine', () => {
  it('number lines after the stored ones, serialised on the run row', async () => {
    const runId = await createRun();
    expect(await nextLogSeq(pool, runId)).toBe(1);
    const w = new RunLogWriter(pool, { runId, nextSeq: 1 });
    for (let i = 0; i < 5; i++) w.append(INFO, ENGINE, `l${i}`);
    await w.close();
    expect(await nextLogSeq(pool, runId)).toBe(6);
    const seqs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendSystemLine(pool, runId, WARN, `system ${i}`)),
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 6 + i));
    const rows = await storedLines(runId);
    expect(rows.length).toBe(25);
    expect(rows.slice(5).every((r) => r.origin === 'SYSTEM' && r.level === 'WARN')).toBe(true);
    expect(await nextLogSeq(pool, runId)).toBe(26);
  });

  it("runs in the caller's transaction when asked, and fails for a missing run", async () => {
    const runId = await createRun();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      expect(await appendSystemLine(client, runId, INFO, 'rolled back', { inTransaction: true })).toBe(1);
      await client.query('ROLLBACK');
      expect(await appendSystemLine(client, runId, INFO, 'own transaction')).toBe(1);
    } finally {
      client.release();
    }
    expect((await storedLines(runId)).map((r) => r.message)).toEqual(['own transaction']);
    await expect(appendSystemLine(pool, randomUUID(), INFO, 'x')).rejects.toThrow(/run .* does not exist/);
  });
});

describe('reading', () => {
  let runId: string;
  const levels = [DEBUG, INFO, WARN, ERROR];

  beforeAll(async () => {
    runId = await createRun();
    const w = new RunLogWriter(pool, { runId, nextSeq: 1 });
    for (let i = 1; i <= 100; i++) w.append(levels[i % 4]!, i % 10 === 0 ? HOOK : ENGINE, `row ${i}`);
    w.append(INFO, ENGINE, '100% done_ok'); // 101
    w.append(INFO, ENGINE, '100x doneXok'); // 102
    w.append(ERROR, SYSTEM, 'Mixed CASE Needle\nsecond line'); // 103
    await w.close();
  });

  const seqs = (lines: { seq: number }[]) => lines.map((l) => l.seq);

  it('pages by seq both ways', async () => {
    expect(seqs(await readRunLogs(pool, runId, { afterSeq: 10, limit: 5 }))).toEqual([11, 12, 13, 14, 15]);
    expect(seqs(await readRunLogs(pool, runId, { beforeSeq: 50, limit: 3 }))).toEqual([47, 48, 49]);
    expect(seqs(await readRunLogs(pool, runId, { afterSeq: 10, beforeSeq: 14, limit: 100 }))).toEqual([11, 12, 13]);
    expect(seqs(await readRunLogs(pool, runId, { afterSeq: 101, limit: 100 }))).toEqual([102, 103]);
    const [line] = await readRunLogs(pool, runId, { afterSeq: 102, limit: 1 });
    expect(line).toEqual({
      seq: 103,
      time: expect.any(Date),
      level: 'ERROR',
      origin: 'SYSTEM',
      message: 'Mixed CASE Needle\nsecond line',
    });
  });

  it('searches case-insensitively and literally', async () => {
    expect(seqs(await readRunLogs(pool, runId, { search: 'mixed case needle', limit: 10 }))).toEqual([103]);
    expect(seqs(await readRunLogs(pool, runId, { search: 'done_ok', limit: 10 }))).toEqual([101]);
    expect(seqs(await readRunLogs(pool, runId, { search: '100%', limit: 10 }))).toEqual([101]);
    expect(seqs(await readRunLogs(pool, runId, { search: 'ROW 10', limit: 10 }))).toEqual([10, 100]);
  });

  it('filters by minimum level and origin', async () => {
    const warn = await readRunLogs(pool, runId, { minLevel: WARN, afterSeq: 0, beforeSeq: 101, limit: 1000 });
    expect(seqs(warn)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1).filter((i) => i % 4 >= 2));
    const hooks = await readRunLogs(pool, runId, { origin: HOOK, limit: 1000 });
    expect(seqs(hooks)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const errorHooks = await readRunLogs(pool, runId, { origin: HOOK, minLevel: ERROR, limit: 1000 });
    expect(seqs(errorHooks)).toEqual([]);
    const debug = await readRunLogs(pool, runId, { minLevel: DEBUG, limit: 1000 });
    expect(debug.length).toBe(103);
  });

  it('tails, and checks limits', async () => {
    expect(seqs(await tailRunLogs(pool, runId, 3))).toEqual([101, 102, 103]);
    expect((await tailRunLogs(pool, runId, 1000)).length).toBe(103);
    await expect(readRunLogs(pool, runId, { limit: 0 })).rejects.toThrow(/limit must be a whole number/);
    await expect(tailRunLogs(pool, runId, 1.5)).rejects.toThrow(/lines must be a whole number/);
    expect((await readRunLogs(pool, runId, { limit: 50_000 })).length).toBe(103); // capped at 10,000
  });
});

describe('pruning', () => {
  it('deletes old log lines and metric samples in chunks, keeping recent ones', async () => {
    const runId = await createRun();
    const other = await createRun();
    const old = new Date(Date.now() - 40 * 86_400_000);
    const w = new RunLogWriter(pool, { runId, nextSeq: 1 });
    for (let i = 0; i < 25; i++) w.append(INFO, ENGINE, `old ${i}`, old);
    for (let i = 0; i < 5; i++) w.append(INFO, ENGINE, `new ${i}`);
    await w.close();
    await appendSystemLine(pool, other, INFO, 'old too', { time: old });
    await pool.query(
      `INSERT INTO run_metric (run_id, time, sample)
       SELECT $1, now() - (i || ' days')::interval, '{}' FROM generate_series(0, 59) AS i`,
      [runId],
    );

    const { pool: p } = newPool();
    let deletes = 0;
    const query = p.query.bind(p) as (...args: unknown[]) => unknown;
    p.query = ((...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('DELETE')) deletes++;
      return query(...args);
    }) as typeof p.query;

    expect(await pruneRunLogs(p, 30, { chunkSize: 7 })).toBe(26);
    expect(deletes).toBe(4); // 7 + 7 + 7 + 5
    expect((await storedLines(runId)).map((r) => r.message)).toEqual(['new 0', 'new 1', 'new 2', 'new 3', 'new 4']);
    expect(await storedLines(other)).toEqual([]);
    expect(await pruneRunLogs(p, 30)).toBe(0);

    expect(await pruneRunMetrics(p, 30)).toBe(30); // 30..59 days before the insert, a moment before the prune
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM run_metric WHERE run_id = $1', [runId]);
    expect(Number(rows[0]!.n)).toBe(30);
    await expect(pruneRunLogs(p, -1)).rejects.toThrow(/olderThanDays/);
  });
});

describe('GET /runs/:id/log', () => {
  let base: string;
  let server: import('node:http').Server;
  let runId: string;
  const authorized: string[] = [];

  beforeAll(async () => {
    runId = await createRun();
    const w = new RunLogWriter(pool, { runId, nextSeq: 1 });
    const time = new Date('2026-11-24T10:00:00.123Z');
    for (let i = 1; i <= 12_345; i++) w.append(i % 1000 === 0 ? WARN : INFO, ENGINE, `line ${i}`, time);
    w.append(ERROR, SYSTEM, 'failed:\n  at one\n  at two', time);
    await w.close();

    const app = express();
    app.get(
      '/runs/:id/log',
      createRunLogRoute({
        pool,
        authorize: (req, id) => {
          authorized.push(id);
          const who = req.get('x-test-auth');
          if (!who) return Promise.resolve('unauthenticated');
          if (who === 'outsider') return Promise.resolve('forbidden');
          return Promise.resolve(id === runId ? 'ok' : 'not-found');
        },
      }),
    );
    server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const get = (path: string, who?: string) => fetch(`${base}${path}`, { headers: who ? { 'x-test-auth': who } : {} });

  it('streams every line in order as plain text', async () => {
    const res = await get(`/runs/${runId}/log`, 'member');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="run-${runId}.log"`);
    const text = await res.text();
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe(''); // ends with a newline
    expect(lines.length).toBe(12_345 + 3 + 1);
    expect(lines[0]).toBe('2026-11-24T10:00:00.123Z INFO  [ENGINE] line 1');
    expect(lines[999]).toBe('2026-11-24T10:00:00.123Z WARN  [ENGINE] line 1000');
    for (let i = 0; i < 12_345; i++) {
      if (!lines[i]!.endsWith(` line ${i + 1}`)) expect(lines[i]).toMatch(new RegExp(` line ${i + 1}$`));
    }
    expect(lines.slice(12_345, 12_348)).toEqual([
      '2026-11-24T10:00:00.123Z ERROR [SYSTEM] failed:',
      '      at one',
      '      at two',
    ]);
  });

  it('filters by level and search', async () => {
    const warn = await (await get(`/runs/${runId}/log?level=warn`, 'member')).text();
    expect(warn.split('\n').filter((l) => l.startsWith('2026')).length).toBe(12 + 1);
    const search = await (await get(`/runs/${runId}/log?search=LINE%201234`, 'member')).text();
    expect(search.trimEnd().split('\n')).toEqual([
      '2026-11-24T10:00:00.123Z INFO  [ENGINE] line 1234',
      ...Array.from({ length: 6 }, (_, i) => `2026-11-24T10:00:00.123Z INFO  [ENGINE] line ${12340 + i}`),
    ]);
    const bad = await get(`/runs/${runId}/log?level=LOUD`, 'member');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/level must be one of DEBUG, INFO, WARN, ERROR/);
  });

  it('refuses with 401, 403 and 404; a malformed id is 404 without asking', async () => {
    const unauthenticated = await get(`/runs/${runId}/log`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Bearer');
    expect(await unauthenticated.text()).toBe('Authentication required\n');
    expect((await get(`/runs/${runId}/log`, 'outsider')).status).toBe(403);
    const missing = await get(`/runs/${randomUUID()}/log`, 'member');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Run not found\n');
    authorized.length = 0;
    const malformed = await get('/runs/not-a-uuid/log', 'member');
    expect(malformed.status).toBe(404);
    expect(authorized).toEqual([]);
  });
});
