/**
 * The hook runner against a real PostgreSQL, a real MariaDB and a real local HTTP server.
 */
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHooks, type HookEnvironment, type HookOutcome } from '../../server/src/modules/run/hooks.js';
import type { Hook } from '../../server/src/modules/task/task.model.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ADMIN_URL } from '../support/env.js';
import { createTestMariaDb, type TestMariaDb } from '../support/mariadb.js';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
interface Line {
  level: Level;
  message: string;
}

const SECRET = 'S3cr3t/Välue&x=1 +%';
const DB_PASSWORD = 'db-pass-Zq9';
const URL_PASSWORD = 'url-pw-Kx7';

/** Every form a secret could leak in. */
const leaks = (value: string) => [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];

function hook(fields: Partial<Record<keyof Hook, unknown>>): Hook {
  return { timeoutSeconds: 60, onFailure: 'FAIL', ...fields } as unknown as Hook;
}
const sqlHook = (datasource: string, sql: string, more: Partial<Record<keyof Hook, unknown>> = {}) =>
  hook({ kind: 'SQL', datasource, sql, ...more });
const httpHook = (url: string, more: Partial<Record<keyof Hook, unknown>> = {}) => hook({ kind: 'HTTP', url, ...more });

let pgDb: TestDatabase;
let maria: TestMariaDb;
let server: http.Server;
let base: string;
/** Requests the HTTP server saw, in order. */
let requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  pgDb = await createTestDatabase({ empty: true });
  maria = await createTestMariaDb();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/ok') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ received: body }));
      } else if (path === '/echo') {
        // Echoes the request (query string and body): a server that repeats a secret must not leak it.
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway for ${req.url} with ${body}`);
      } else if (path === '/big') {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`${'a'.repeat(2040)}BCDEFGHIJKLMNOP${'z'.repeat(5000)}`);
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/ok?from=redirect' }).end();
      } else if (path === '/slow') {
        // Answers only after 30 s: the hook's timeout or a cancel must end the wait.
        const timer = setTimeout(() => res.writeHead(200).end('late'), 30_000);
        res.on('close', () => clearTimeout(timer));
      } else {
        res.writeHead(404).end('no such path');
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await pgDb?.drop();
  await maria?.drop();
});

const admin = new URL(ADMIN_URL);

function datasources(): Record<string, { type: string; name: string; options: Record<string, unknown> }> {
  return {
    dwh: {
      type: 'POSTGRESQL',
      name: 'dwh',
      options: {
        host: admin.hostname,
        port: Number(admin.port || 5432),
        database: pgDb.name,
        user: decodeURIComponent(admin.username || 'postgres'),
        // The local server trusts loopback connections; the password is only there to be masked.
        password: admin.password ? decodeURIComponent(admin.password) : DB_PASSWORD,
        sslMode: 'disable',
        connectTimeoutSeconds: 5,
      },
    },
    maria: {
      type: 'MYSQL',
      name: 'maria',
      options: {
        host: maria.host,
        port: maria.port,
        database: maria.name,
        user: maria.user,
        password: maria.password,
        sslMode: 'DISABLED',
        connectTimeoutSeconds: 5,
      },
    },
    files: { type: 'LOCAL_FILE', name: 'files', options: { path: '/tmp' } },
  };
}

interface Harness {
  env: HookEnvironment;
  lines: Line[];
  controller: AbortController;
  text(): string;
  messages(level?: Level): string[];
}

function harness(variables: Record<string, string> = {}, secret: string[] = []): Harness {
  const lines: Line[] = [];
  const controller = new AbortController();
  const known = datasources();
  return {
    lines,
    controller,
    env: {
      log: (level, message) => lines.push({ level, message }),
      signal: controller.signal,
      resolveDatasource: (ref) => {
        const found = known[ref];
        return found ? Promise.resolve(found) : Promise.reject(new Error(`datasource "${ref}" does not exist`));
      },
      variables,
      secretVariables: new Set(secret),
    },
    text: () => lines.map((l) => `${l.level} ${l.message}`).join('\n'),
    messages: (level) => lines.filter((l) => !level || l.level === level).map((l) => l.message),
  };
}

async function pgQuery<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  return pgDb.query<R>(sql);
}

/** Statements of this database still running on the server (hooks connect as application sluice-hook). */
async function runningPgHookQueries(): Promise<string[]> {
  const rows = await pgQuery<{ query: string }>(
    `SELECT query FROM pg_stat_activity WHERE application_name = 'sluice-hook' AND state = 'active' AND datname = '${pgDb.name}'`,
  );
  return rows.map((r) => r.query);
}

async function runningMariaQueries(): Promise<string[]> {
  const rows = await maria.query<{ INFO: string | null }>(
    `SELECT INFO FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Query' AND ID <> CONNECTION_ID()`,
    [maria.name],
  );
  return rows.map((r) => r.INFO ?? '');
}

async function timed(work: Promise<HookOutcome>): Promise<{ outcome: HookOutcome; ms: number }> {
  const started = performance.now();
  const outcome = await work;
  return { outcome, ms: performance.now() - started };
}

describe('runHooks: order, logging and substitution', () => {
  it('runs SQL and HTTP hooks in order, one at a time, with ${name} substituted', async () => {
    requests = [];
    const h = harness({ day: '2026-03-04', who: 'a b&c' });
    const outcome = await runHooks(
      'pre',
      [
        sqlHook(
          'dwh',
          "CREATE TABLE loads (day date, note text); INSERT INTO loads VALUES ('${day}'::date, ${?none}'one')",
        ),
        httpHook(`${base}/ok?day=\${day}&who=\${who}`, { body: '{"day": "${day}"}' }),
        sqlHook('dwh', "INSERT INTO loads VALUES ('${day}'::date + 1, 'after http')"),
      ],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    // The HTTP request ran after the first SQL hook and before the third.
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.url).toBe('/ok?day=2026-03-04&who=a%20b%26c');
    expect(requests[0]!.headers['content-type']).toBe('application/json');
    expect(requests[0]!.body).toBe('{"day": "2026-03-04"}');
    const rows = await pgQuery<{ day: string; note: string }>(
      "SELECT to_char(day, 'YYYY-MM-DD') AS day, note FROM loads ORDER BY day",
    );
    expect(rows).toEqual([
      { day: '2026-03-04', note: 'one' },
      { day: '2026-03-05', note: 'after http' },
    ]);

    const info = h.messages('INFO');
    const starts = info.filter((m) => /^pre-hook \d\/3: (SQL on|HTTP [A-Z]+ http)/.test(m));
    expect(starts).toEqual([
      'pre-hook 1/3: SQL on datasource "dwh"',
      `pre-hook 2/3: HTTP POST ${base}/ok?day=2026-03-04&who=a%20b%26c`,
      'pre-hook 3/3: SQL on datasource "dwh"',
    ]);
    const ends = info.filter((m) => / succeeded in \d+ ms$/.test(m));
    expect(ends.map((m) => m.slice(0, 12))).toEqual(['pre-hook 1/3', 'pre-hook 2/3', 'pre-hook 3/3']);
    // Each hook's lines come between its start and its end.
    const order = h.lines.map((l) => l.message);
    expect(order.indexOf(starts[1]!)).toBeGreaterThan(order.indexOf(ends[0]!));
    expect(order.indexOf(starts[2]!)).toBeGreaterThan(order.indexOf(ends[1]!));
    expect(info).toContain('pre-hook 2/3: HTTP 200 OK; response: {"received":"{\\"day\\": \\"2026-03-04\\"}"}');
    expect(info.some((m) => /^pre-hook 1\/3: statement 1\/2 \(CREATE TABLE loads .*\): done in \d+ ms$/.test(m))).toBe(
      true,
    );
    expect(info.some((m) => /^pre-hook 1\/3: statement 2\/2 \(INSERT INTO loads .*\): 1 row affected in/.test(m))).toBe(
      true,
    );
  });

  it('fails a hook that uses an unknown variable, naming it, before running anything', async () => {
    requests = [];
    const h = harness({ day: '2026-03-04' });
    const outcome = await runHooks(
      'post',
      [httpHook(`${base}/ok?d=\${dya}`), sqlHook('dwh', 'SELECT ${missing_var}')],
      h.env,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toEqual({
      code: 'HOOK_FAILED',
      message: 'post-hook 1/2 failed: url uses ${dya}, which is not a variable of this run (it has: day)',
    });
    expect(requests).toHaveLength(0);
    expect(h.messages('ERROR')).toEqual([
      expect.stringMatching(/^post-hook 1\/2: failed after \d+ ms: url uses \$\{dya\}/),
    ]);
    // FAIL stops the phase: the second hook never started.
    expect(h.text()).not.toContain('post-hook 2/2');

    const h2 = harness({});
    const sqlOutcome = await runHooks('pre', [sqlHook('dwh', 'SELECT ${missing_var}')], h2.env);
    expect(sqlOutcome.error?.message).toBe(
      'pre-hook 1/1 failed: sql uses ${missing_var}, which is not a variable of this run (it has none)',
    );
  });
});

describe('runHooks: SQL on PostgreSQL', () => {
  it('runs several statements in one session, logging rows affected and up to 20 result rows', async () => {
    const h = harness();
    const outcome = await runHooks(
      'pre',
      [
        sqlHook(
          'dwh',
          `CREATE TEMP TABLE nums AS SELECT g AS n, 'row;' || g AS label FROM generate_series(1, 25) g;
           UPDATE nums SET label = label || '!' WHERE n <= 3;
           DO $$ BEGIN PERFORM 1; END $$; -- a body with its own semicolons
           SELECT n, label, NULL AS nothing FROM nums ORDER BY n;
           DELETE FROM nums WHERE n > 10`,
        ),
      ],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    const info = h.messages('INFO');
    // A TEMP table only lives in its session: every statement ran on the same connection.
    expect(info).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pre-hook 1\/1: statement 1\/5 \(CREATE TEMP TABLE nums .*\): 25 rows affected in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 2\/5 \(UPDATE nums .*\): 3 rows affected in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 3\/5 \(DO \$\$ BEGIN PERFORM 1; END \$\$\): done in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 4\/5 \(SELECT n, label, .*\): 25 rows returned in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 5\/5 \(DELETE FROM nums .*\): 15 rows affected in/),
      ]),
    );
    const rowLines = info.filter((m) => m.startsWith('pre-hook 1/1:   '));
    expect(rowLines[0]).toBe('pre-hook 1/1:   n | label | nothing');
    expect(rowLines.slice(1, 4)).toEqual([
      'pre-hook 1/1:   1 | row;1! | NULL',
      'pre-hook 1/1:   2 | row;2! | NULL',
      'pre-hook 1/1:   3 | row;3! | NULL',
    ]);
    expect(rowLines).toHaveLength(1 + 20 + 1);
    expect(rowLines[20]).toBe('pre-hook 1/1:   20 | row;20 | NULL');
    expect(rowLines[21]).toBe('pre-hook 1/1:   … 5 more rows not shown');
  });

  it('stops at the failing statement and names it with the server message and SQLSTATE', async () => {
    await pgQuery('CREATE TABLE steps (n int)');
    const h = harness();
    const outcome = await runHooks(
      'post',
      [sqlHook('dwh', 'INSERT INTO steps VALUES (1); INSERT INTO nope VALUES (2); INSERT INTO steps VALUES (3)')],
      h.env,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.code).toBe('HOOK_FAILED');
    expect(outcome.error?.message).toBe(
      'post-hook 1/1 failed: statement 2/3 (INSERT INTO nope VALUES (2)) failed: relation "nope" does not exist (42P01)',
    );
    // Statements run as they come (no implicit transaction around them): the first one stays.
    expect(await pgQuery('SELECT n FROM steps')).toEqual([{ n: 1 }]);
  });

  it('runs statements that refuse a transaction block (VACUUM) alongside others', async () => {
    const h = harness();
    const outcome = await runHooks(
      'post',
      [sqlHook('dwh', 'CREATE TABLE vac (n int); INSERT INTO vac VALUES (1); VACUUM ANALYZE vac')],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
  });

  it('cancels a statement that outlives timeoutSeconds (HOOK_TIMEOUT) and leaves nothing running', async () => {
    const h = harness();
    const { outcome, ms } = await timed(
      runHooks('pre', [sqlHook('dwh', 'SELECT pg_sleep(30)', { timeoutSeconds: 1 })], h.env),
    );
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'HOOK_TIMEOUT', message: 'pre-hook 1/1 timed out after 1 s (timeoutSeconds)' },
    });
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(5000);
    expect(await runningPgHookQueries()).toEqual([]);
    expect(h.messages('ERROR')).toEqual([
      expect.stringMatching(/^pre-hook 1\/1: failed after 1\.\d\d s: timed out after 1 s \(timeoutSeconds\)$/),
    ]);
  });

  it('stops at once when the run is cancelled mid-statement, whatever onFailure says', async () => {
    requests = [];
    const h = harness();
    const run = timed(
      runHooks(
        'pre',
        [
          sqlHook('dwh', 'SELECT pg_sleep(30)', { onFailure: 'CONTINUE' }),
          httpHook(`${base}/ok`, { onFailure: 'CONTINUE' }),
        ],
        h.env,
      ),
    );
    // Cancel once the statement is running on the server.
    const deadline = Date.now() + 5000;
    while ((await runningPgHookQueries()).length === 0 && Date.now() < deadline) await sleep(25);
    expect(await runningPgHookQueries()).toEqual(['SELECT pg_sleep(30)']);
    const cancelledAt = performance.now();
    h.controller.abort();
    const { outcome } = await run;
    expect(performance.now() - cancelledAt).toBeLessThan(1500);
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'CANCELLED', message: expect.stringMatching(/^pre-hook 1\/2 cancelled after/) },
    });
    expect(await runningPgHookQueries()).toEqual([]);
    expect(requests).toHaveLength(0);
    expect(h.text()).not.toContain('pre-hook 2/2');
  });

  it('does not start a hook once the run is cancelled', async () => {
    const h = harness();
    h.controller.abort();
    const outcome = await runHooks('post', [sqlHook('dwh', 'CREATE TABLE never_made (n int)')], h.env);
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'CANCELLED', message: 'post-hook 1/1 cancelled before it started' },
    });
    expect(await pgQuery("SELECT to_regclass('never_made') AS t")).toEqual([{ t: null }]);
  });

  it('reports a datasource it cannot reach', async () => {
    const port = await closedPort();
    const h = harness();
    h.env.resolveDatasource = () =>
      Promise.resolve({
        type: 'POSTGRESQL',
        name: 'gone',
        options: { host: '127.0.0.1', port, database: 'x', user: 'u', password: DB_PASSWORD, sslMode: 'disable' },
      });
    const outcome = await runHooks('pre', [sqlHook('gone', 'SELECT 1')], h.env);
    expect(outcome.error?.code).toBe('HOOK_FAILED');
    expect(outcome.error?.message).toBe(
      `pre-hook 1/1 failed: cannot connect to datasource "gone": Nothing accepts connections on 127.0.0.1:${port}: check the host and port, and that the database server is running`,
    );
  });
});

describe('runHooks: SQL on MariaDB', () => {
  it('runs several statements in one session, logging rows affected and result rows', async () => {
    const h = harness({ tag: "it's" });
    const outcome = await runHooks(
      'pre',
      [
        sqlHook(
          'maria',
          `CREATE TEMPORARY TABLE t (n INT, s VARCHAR(20), d DATETIME);
           INSERT INTO t VALUES (1, 'a;b', '2026-01-02 03:04:05'), (2, "\${tag}", NULL), (3, 'c', NULL); # comment; here
           UPDATE t SET s = CONCAT(s, '!') WHERE n >= 2;
           SELECT n, s, d FROM t ORDER BY n`,
        ),
      ],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    const info = h.messages('INFO');
    expect(info).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pre-hook 1\/1: statement 1\/4 \(CREATE TEMPORARY TABLE t .*\): 0 rows affected in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 2\/4 \(INSERT INTO t .*\): 3 rows affected in/),
        expect.stringMatching(/^pre-hook 1\/1: statement 3\/4 \(UPDATE t .*\): 2 rows affected in/),
        expect.stringMatching(
          /^pre-hook 1\/1: statement 4\/4 \(SELECT n, s, d FROM t ORDER BY n\): 3 rows returned in/,
        ),
      ]),
    );
    expect(info.filter((m) => m.startsWith('pre-hook 1/1:   '))).toEqual([
      'pre-hook 1/1:   n | s | d',
      'pre-hook 1/1:   1 | a;b | 2026-01-02 03:04:05',
      "pre-hook 1/1:   2 | it's! | NULL",
      'pre-hook 1/1:   3 | c! | NULL',
    ]);
  });

  it('sends a routine with BEGIN ... END whole (the server splits it), with a result per statement', async () => {
    const h = harness();
    const outcome = await runHooks(
      'pre',
      [
        sqlHook(
          'maria',
          `CREATE PROCEDURE fill() BEGIN CREATE TABLE filled (n INT); INSERT INTO filled VALUES (1), (2); END;
           CALL fill();
           SELECT COUNT(*) AS c FROM filled`,
        ),
      ],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    expect(await maria.query('SELECT n FROM filled ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    const info = h.messages('INFO');
    expect(info).toContain('pre-hook 1/1:   c');
    expect(info).toContain('pre-hook 1/1:   2');
  });

  it('fails naming the statement and the server error', async () => {
    const h = harness();
    const outcome = await runHooks('pre', [sqlHook('maria', 'SELECT 1; SELECT * FROM missing_table')], h.env);
    expect(outcome.error?.code).toBe('HOOK_FAILED');
    expect(outcome.error?.message).toMatch(
      /^pre-hook 1\/1 failed: statement 2\/2 \(SELECT \* FROM missing_table\) failed: Table '.*missing_table' doesn't exist \(ER_NO_SUCH_TABLE\)$/,
    );
  });

  it('kills a statement that outlives timeoutSeconds (HOOK_TIMEOUT)', async () => {
    const h = harness();
    const { outcome, ms } = await timed(
      runHooks('post', [sqlHook('maria', 'SELECT SLEEP(30)', { timeoutSeconds: 1 })], h.env),
    );
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'HOOK_TIMEOUT', message: 'post-hook 1/1 timed out after 1 s (timeoutSeconds)' },
    });
    expect(ms).toBeLessThan(5000);
    expect(await runningMariaQueries()).toEqual([]);
  });

  it('stops at once when the run is cancelled mid-statement', async () => {
    const h = harness();
    const run = timed(
      runHooks('post', [sqlHook('maria', 'SELECT SLEEP(30); CREATE TABLE after_sleep (n INT)')], h.env),
    );
    const deadline = Date.now() + 5000;
    while ((await runningMariaQueries()).length === 0 && Date.now() < deadline) await sleep(25);
    expect(await runningMariaQueries()).toEqual(['SELECT SLEEP(30)']);
    const cancelledAt = performance.now();
    h.controller.abort();
    const { outcome } = await run;
    expect(performance.now() - cancelledAt).toBeLessThan(1500);
    expect(outcome.error?.code).toBe('CANCELLED');
    expect(await runningMariaQueries()).toEqual([]);
    // The statement after the cancelled one never ran.
    expect(
      await maria.query(
        `SELECT COUNT(*) AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'after_sleep'`,
        [maria.name],
      ),
    ).toEqual([{ c: '0' }]);
  });
});

describe('runHooks: HTTP', () => {
  it('sends POST by default, text/plain for a body that is not JSON, and a GET without body', async () => {
    requests = [];
    const h = harness({ n: '7' });
    const outcome = await runHooks(
      'post',
      [httpHook(`${base}/ok`, { body: 'count=${n}' }), httpHook(`${base}/ok?x=1`, { method: 'GET' })],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    expect(requests.map((r) => [r.method, r.url, r.headers['content-type'], r.body])).toEqual([
      ['POST', '/ok', 'text/plain; charset=utf-8', 'count=7'],
      ['GET', '/ok?x=1', undefined, ''],
    ]);
    expect(h.messages('INFO')).toContain(`post-hook 2/2: HTTP GET ${base}/ok?x=1`);
  });

  it('fails on a non-2xx status with the status and the first 2 KB of the body', async () => {
    const h = harness();
    const outcome = await runHooks('pre', [httpHook(`${base}/big`, { method: 'PUT' })], h.env);
    expect(outcome.error?.code).toBe('HOOK_FAILED');
    const expected = `${'a'.repeat(2040)}BCDEFGHI… (first 2048 bytes)`;
    expect(outcome.error?.message).toBe(
      `pre-hook 1/1 failed: PUT ${base}/big answered HTTP 500 Internal Server Error: ${expected}`,
    );
    expect(h.messages('WARN')).toContain(`pre-hook 1/1: HTTP 500 Internal Server Error; response: ${expected}`);
  });

  it('follows redirects and logs the final URL', async () => {
    const h = harness();
    const outcome = await runHooks('pre', [httpHook(`${base}/redirect`, { method: 'GET' })], h.env);
    expect(outcome).toEqual({ ok: true });
    expect(h.messages('INFO')).toContain(
      `pre-hook 1/1: HTTP 200 OK (redirected to ${base}/ok?from=redirect); response: {"received":""}`,
    );
  });

  it('times out a slow server (HOOK_TIMEOUT) and goes on under CONTINUE', async () => {
    requests = [];
    const h = harness();
    const { outcome, ms } = await timed(
      runHooks(
        'pre',
        [httpHook(`${base}/slow`, { timeoutSeconds: 1, onFailure: 'CONTINUE' }), httpHook(`${base}/ok`)],
        h.env,
      ),
    );
    expect(outcome).toEqual({ ok: true });
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(5000);
    expect(requests.map((r) => r.url)).toEqual(['/slow', '/ok']);
    expect(h.messages('WARN')).toEqual([
      expect.stringMatching(
        /^pre-hook 1\/2: failed after 1\.\d\d s: timed out after 1 s \(timeoutSeconds\); onFailure is CONTINUE, going on$/,
      ),
    ]);
  });

  it('reports HOOK_TIMEOUT for a slow server under FAIL', async () => {
    const h = harness();
    const outcome = await runHooks('pre', [httpHook(`${base}/slow`, { timeoutSeconds: 1 })], h.env);
    expect(outcome.error).toEqual({
      code: 'HOOK_TIMEOUT',
      message: 'pre-hook 1/1 timed out after 1 s (timeoutSeconds)',
    });
  });

  it('aborts a request in flight when the run is cancelled', async () => {
    requests = [];
    const h = harness();
    const run = timed(runHooks('post', [httpHook(`${base}/slow`, { onFailure: 'CONTINUE' })], h.env));
    const deadline = Date.now() + 5000;
    while (requests.length === 0 && Date.now() < deadline) await sleep(10);
    const cancelledAt = performance.now();
    h.controller.abort();
    const { outcome } = await run;
    expect(performance.now() - cancelledAt).toBeLessThan(500);
    expect(outcome.error?.code).toBe('CANCELLED');
  });

  it('reports a server that refuses the connection', async () => {
    const port = await closedPort();
    const h = harness();
    const outcome = await runHooks('pre', [httpHook(`http://127.0.0.1:${port}/x`)], h.env);
    expect(outcome.error?.message).toBe(`pre-hook 1/1 failed: request failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});

describe('runHooks: failure policies', () => {
  it('logs a CONTINUE failure as WARN and goes on; a FAIL failure stops the phase', async () => {
    requests = [];
    const h = harness();
    const outcome = await runHooks(
      'post',
      [
        sqlHook('dwh', 'SELECT 1/0', { onFailure: 'CONTINUE' }),
        httpHook(`${base}/ok`),
        httpHook(`${base}/missing`, { onFailure: 'FAIL' }),
        httpHook(`${base}/ok?never`),
      ],
      h.env,
    );
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'HOOK_FAILED',
        message: `post-hook 3/4 failed: POST ${base}/missing answered HTTP 404 Not Found: no such path`,
      },
    });
    expect(requests.map((r) => r.url)).toEqual(['/ok', '/missing']);
    expect(h.messages('WARN')).toEqual([
      expect.stringMatching(
        /^post-hook 1\/4: failed after \d+ ms: statement \(SELECT 1\/0\) failed: division by zero \(22012\); onFailure is CONTINUE, going on$/,
      ),
      'post-hook 3/4: HTTP 404 Not Found; response: no such path',
    ]);
    expect(h.messages('ERROR')).toEqual([expect.stringMatching(/^post-hook 3\/4: failed after \d+ ms: POST /)]);
    expect(h.text()).not.toContain('post-hook 4/4');
  });

  it('is ok when every failure was CONTINUE', async () => {
    const h = harness();
    const outcome = await runHooks(
      'pre',
      [
        sqlHook('files', 'SELECT 1', { onFailure: 'CONTINUE' }),
        sqlHook('nowhere', 'SELECT 1', { onFailure: 'CONTINUE' }),
        sqlHook('dwh', 'SELECT 1'),
      ],
      h.env,
    );
    expect(outcome).toEqual({ ok: true });
    expect(h.messages('WARN')).toEqual([
      expect.stringContaining(
        'datasource "files" is of type LOCAL_FILE; SQL hooks run on POSTGRESQL and MYSQL (MariaDB) datasources only',
      ),
      expect.stringContaining('datasource "nowhere" does not exist'),
    ]);
  });

  it('fails an SQL hook on a datasource type it cannot run, naming the type', async () => {
    const h = harness();
    const outcome = await runHooks('pre', [sqlHook('files', 'SELECT 1')], h.env);
    expect(outcome.error).toEqual({
      code: 'HOOK_FAILED',
      message:
        'pre-hook 1/1 failed: datasource "files" is of type LOCAL_FILE; SQL hooks run on POSTGRESQL and MYSQL (MariaDB) datasources only',
    });
  });
});

describe('runHooks: secrets', () => {
  it('never logs a secret variable, the datasource password or URL credentials', async () => {
    requests = [];
    const h = harness({ token: SECRET, plain: 'visible' }, ['token']);
    const dsPassword = String(datasources().dwh!.options.password);
    const outcome = await runHooks(
      'pre',
      [
        // The value in the URL (encoded), in the body, in SQL, in result rows and in an error message.
        httpHook(`http://user:${URL_PASSWORD}@127.0.0.1:${new URL(base).port}/ok?t=\${token}&p=\${plain}`, {
          body: '{"token": "${token}"}',
        }),
        sqlHook('dwh', `SELECT '\${token}' AS t, '${dsPassword}' AS p, 'visible' AS v`),
        sqlHook('dwh', `SELECT * FROM "\${token}"`, { onFailure: 'CONTINUE' }),
        sqlHook('maria', `SELECT '\${token}' AS t; SELECT * FROM \`\${token}\``, { onFailure: 'CONTINUE' }),
        httpHook(`${base}/echo?t=\${token}`, { body: 'token=${token}', onFailure: 'CONTINUE' }),
        httpHook(`${base}/echo?t=\${token}`, { body: '{"t": "${token}"}' }),
      ],
      h.env,
    );
    // The secret really was used.
    expect(requests[0]!.url).toBe(`/ok?t=${encodeURIComponent(SECRET)}&p=visible`);
    expect(requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`user:${URL_PASSWORD}`).toString('base64')}`);
    expect(requests[0]!.body).toBe(`{"token": "${SECRET}"}`);
    expect(requests.at(-1)!.body).toBe(`{"t": "${SECRET}"}`);

    expect(outcome.ok).toBe(false);
    expect(outcome.error?.code).toBe('HOOK_FAILED');
    const text = `${h.text()}\n${outcome.error?.message}`;
    for (const secret of [SECRET, URL_PASSWORD, dsPassword]) {
      for (const form of leaks(secret)) expect(text).not.toContain(form);
    }
    // What is not secret still shows, and the masks are where the secrets were.
    expect(h.messages('INFO')).toContain(
      `pre-hook 1/6: HTTP POST http://******:******@127.0.0.1:${new URL(base).port}/ok?t=******&p=visible`,
    );
    expect(h.messages('INFO')).toContain('pre-hook 2/6:   ****** | ****** | visible');
    expect(h.messages('WARN')).toEqual(
      expect.arrayContaining([
        expect.stringContaining('relation "******" does not exist'),
        expect.stringMatching(/statement 2\/2 \(SELECT \* FROM `\*{6}`\) failed: .*\*{6}/),
        expect.stringContaining('answered HTTP 502 Bad Gateway: bad gateway for /echo?t=****** with token=******'),
      ]),
    );
    expect(outcome.error?.message).toBe(
      `pre-hook 6/6 failed: POST ${base}/echo?t=****** answered HTTP 502 Bad Gateway: bad gateway for /echo?t=****** with {"t": "******"}`,
    );
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
