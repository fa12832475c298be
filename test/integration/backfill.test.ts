/**
 * Backfills end to end on two app instances sharing one database: a PENDING run per occurrence
 * with its scheduled_time and data_time, released in order within the parallelism (sampled from
 * the runs table and checked on the runs' start and end times), progress by query and
 * subscription, pause, resume, cancel, retries, validation and permissions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { connectSocket, gql, gqlData, login, type SocketClient } from '../support/graphql.js';
import { waitFor } from '../support/wait.js';

/** `${rows}` rows at `${rate}` rows a second: about rows / rate seconds, so overlapping runs show. */
const JOB = `
env {
  job.mode = "BATCH"
  read_limit.rows_per_second = \${rate:100000}
}
source { FakeSource { plugin_output = "f", row.num = \${rows:1}, schema = { fields { id = int } } } }
sink { Console { plugin_input = "f" } }
`;

/** Fails every time: its Assert sink wants more rows than the source makes. */
const FAILING_JOB = `
env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "f", row.num = 1, schema = { fields { id = int } } } }
sink { Assert { plugin_input = "f", rules { row_rules = [ { rule_type = MIN_ROW, rule_value = 10 } ] } } }
`;

const VARIABLES = [
  { name: 'scheduled_time', default: '' },
  { name: 'data_time', default: '' },
  { name: 'rows', default: '1' },
  { name: 'rate', default: '100000' },
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Asia/Shanghai is UTC+8 all year (no daylight saving since 1991). */
const SHANGHAI = 8 * HOUR;
const shanghaiIso = (t: number) => `${new Date(t + SHANGHAI).toISOString().slice(0, 19)}+08:00`;
const shanghaiDate = (t: number) => new Date(t + SHANGHAI).toISOString().slice(0, 10);

const BACKFILL_FIELDS = `id status total parallelism from to cron timezone scheduleId taskId finishedAt
  progress { total pending queued running succeeded failed cancelled nextScheduledTime percent }`;

interface Progress {
  total: number;
  pending: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  nextScheduledTime: string | null;
  percent: number;
}

interface BackfillView {
  id: string;
  status: string;
  total: number;
  parallelism: number;
  from: string;
  to: string;
  cron: string;
  timezone: string;
  scheduleId: string | null;
  taskId: string;
  finishedAt: string | null;
  progress: Progress;
}

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  attempt: number;
  schedule_id: string | null;
  scheduled_time: Date;
  params: Record<string, string>;
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  first_run_id: string | null;
}

const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

describe('backfill on two instances', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let ws: string;
  let socket: SocketClient;

  const env = {
    SLUICE_ENGINE_STANDBY_WORKERS: '2',
    SLUICE_WORKSPACE_RUN_LIMIT: '100',
    SLUICE_INSTANCE_RUN_LIMIT: '8',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await startTestApp({ databaseUrl: db.url, env });
    b = await startTestApp({ databaseUrl: db.url, env });
    ws = (await gqlData<{ workspaces: { id: string }[] }>(a.url, '{ workspaces { id } }', undefined, a.token))
      .workspaces[0]!.id;
    socket = await connectSocket(b.url, b.token);
  }, 60_000);

  afterAll(async () => {
    await socket?.dispose();
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  const admin = <T>(query: string, variables?: Record<string, unknown>) => gqlData<T>(a.url, query, variables, a.token);

  async function createTask(name: string, content = JOB, extra: Record<string, unknown> = {}): Promise<string> {
    const data = await admin<{ createTask: { id: string } }>(
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      { i: { workspaceId: ws, name, content, variables: VARIABLES, ...extra } },
    );
    return data.createTask.id;
  }

  /** A paused schedule: only the backfill makes runs of it. */
  async function createSchedule(taskId: string, cron: string, timezone: string, name = cron): Promise<string> {
    const data = await admin<{ createSchedule: { id: string } }>(
      'mutation($i: CreateScheduleInput!) { createSchedule(input: $i) { id } }',
      { i: { taskId, name, cron, timezone, enabled: false } },
    );
    return data.createSchedule.id;
  }

  async function startBackfill(input: Record<string, unknown>, url = a.url, token = a.token): Promise<BackfillView> {
    const data = await gqlData<{ startBackfill: BackfillView }>(
      url,
      `mutation($i: StartBackfillInput!) { startBackfill(input: $i) { ${BACKFILL_FIELDS} } }`,
      { i: input },
      token,
    );
    return data.startBackfill;
  }

  async function getBackfill(id: string, url = a.url): Promise<BackfillView> {
    const token = url === a.url ? a.token : b.token;
    const data = await gqlData<{ backfill: BackfillView }>(
      url,
      `query($id: ID!) { backfill(id: $id) { ${BACKFILL_FIELDS} } }`,
      { id },
      token,
    );
    return data.backfill;
  }

  const mutate = async (name: 'pauseBackfill' | 'resumeBackfill' | 'cancelBackfill', id: string) =>
    (
      await admin<Record<string, BackfillView>>(`mutation($id: ID!) { ${name}(id: $id) { ${BACKFILL_FIELDS} } }`, {
        id,
      })
    )[name]!;

  const runsOf = (backfillId: string) =>
    db.query<RunRow>(
      `SELECT id, status, trigger, attempt, schedule_id, scheduled_time, params, queued_at, started_at, finished_at,
              first_run_id
         FROM run WHERE backfill_id = $1 ORDER BY scheduled_time, attempt`,
      [backfillId],
    );

  const activeCount = async (backfillId: string) =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM run WHERE backfill_id = $1 AND status IN ('QUEUED', 'RUNNING', 'CANCELLING')`,
          [backfillId],
        )
      )[0]!.n,
    );

  /** Samples the backfill's active runs every 25 ms until it ends; the largest count seen. */
  async function watchActive(backfillId: string, timeoutMs: number): Promise<{ max: number; status: string }> {
    let max = 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await db.query<{ status: string; active: string }>(
        `SELECT b.status, (SELECT count(*) FROM run r WHERE r.backfill_id = b.id
                             AND r.status IN ('QUEUED', 'RUNNING', 'CANCELLING')) AS active
           FROM backfill b WHERE b.id = $1`,
        [backfillId],
      );
      max = Math.max(max, Number(row!.active));
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row!.status)) return { max, status: row!.status };
      if (Date.now() > deadline) throw new Error(`backfill ${backfillId} still ${row!.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** The most runs RUNNING at one moment, from their start and end times. */
  function maxOverlap(runs: RunRow[]): number {
    const edges = runs
      .filter((r) => r.started_at && r.finished_at)
      .flatMap((r) => [
        { t: r.started_at!.getTime(), d: 1 },
        { t: r.finished_at!.getTime(), d: -1 },
      ])
      // An end and a start at the same millisecond do not overlap.
      .sort((x, y) => x.t - y.t || x.d - y.d);
    let now = 0;
    let max = 0;
    for (const e of edges) {
      now += e.d;
      max = Math.max(max, now);
    }
    return max;
  }

  it('runs 48 hourly occurrences with parallelism 4: one run each, in order, never more than 4 at once', async () => {
    const taskId = await createTask('hourly');
    const scheduleId = await createSchedule(taskId, '0 * * * *', 'Asia/Shanghai');
    const to = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const from = to - 47 * HOUR;

    const started = await startBackfill({
      taskId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      parallelism: 4,
      // About half a second a run, so that four overlap.
      params: { rows: '5', rate: '10' },
    });
    expect(started).toMatchObject({
      status: 'RUNNING',
      total: 48,
      parallelism: 4,
      scheduleId,
      cron: '0 * * * *',
      timezone: 'Asia/Shanghai',
    });
    expect(started.progress.total).toBe(48);
    expect(started.progress.pending + started.progress.queued + started.progress.running).toBe(48);

    // The subscription, on the other instance: the current state first, then every change.
    const events: BackfillView[] = [];
    const sub = socket.subscribe<{ backfillUpdated: BackfillView }>(
      `subscription($id: ID) { backfillUpdated(id: $id) { ${BACKFILL_FIELDS} } }`,
      { id: started.id },
    );
    const collected = (async () => {
      for (;;) {
        const event = (await sub.next(60_000)).backfillUpdated;
        events.push(event);
        if (event.status !== 'RUNNING') return event;
      }
    })();

    const halfway = waitFor(
      async () => {
        const view = await getBackfill(started.id, b.url);
        return view.progress.succeeded >= 10 && view.progress.succeeded < 48 ? view : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'a backfill partly done' },
    );
    const watched = await watchActive(started.id, 90_000);
    expect(watched).toMatchObject({ status: 'SUCCEEDED' });
    expect(watched.max).toBeLessThanOrEqual(4);

    const mid = await halfway;
    expect(mid.status).toBe('RUNNING');
    expect(mid.progress.pending).toBeGreaterThan(0);
    expect(mid.progress.queued + mid.progress.running).toBeLessThanOrEqual(4);
    expect(mid.progress.percent).toBeCloseTo((mid.progress.succeeded / 48) * 100, 1);
    expect(mid.progress.nextScheduledTime).not.toBeNull();

    const runs = await runsOf(started.id);
    expect(runs).toHaveLength(48);
    expect(runs.map((r) => r.scheduled_time.getTime())).toEqual(Array.from({ length: 48 }, (_, i) => from + i * HOUR));
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'SUCCEEDED', trigger: 'BACKFILL', attempt: 1, schedule_id: null });
      const t = run.scheduled_time.getTime();
      expect(run.params).toEqual({ rows: '5', rate: '10', scheduled_time: shanghaiIso(t), data_time: shanghaiDate(t) });
    }
    // Released in occurrence order; none started ahead of more than 3 earlier occurrences.
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i]!.queued_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.queued_at.getTime());
    }
    for (const [i, run] of runs.entries()) {
      const overtaking = runs.slice(i + 1).filter((later) => later.started_at! < run.started_at!);
      expect(overtaking.length, `runs started before occurrence ${i}`).toBeLessThanOrEqual(3);
    }
    expect(maxOverlap(runs)).toBeLessThanOrEqual(4);
    expect(maxOverlap(runs)).toBe(4);

    const last = await collected;
    sub.close();
    expect(last.status).toBe('SUCCEEDED');
    expect(last.progress).toMatchObject({ succeeded: 48, pending: 0, queued: 0, running: 0, percent: 100 });
    expect(last.finishedAt).not.toBeNull();
    expect(events[0]!.status).toBe('RUNNING');
    const succeeded = events.map((e) => e.progress.succeeded);
    expect(succeeded).toEqual([...succeeded].sort((x, y) => x - y));
    expect(new Set(succeeded).size).toBeGreaterThan(5);

    // Its runs by occurrence through the API, and through the runs filter.
    const page = await admin<{
      backfill: { runs: { total: number; items: { scheduledTime: string; backfillId: string }[] } };
    }>(
      'query($id: ID!) { backfill(id: $id) { runs(page: { offset: 0, limit: 3 }) { total items { scheduledTime backfillId } } } }',
      { id: started.id },
    );
    expect(page.backfill.runs.total).toBe(48);
    expect(page.backfill.runs.items.map((r) => Date.parse(r.scheduledTime))).toEqual([
      from,
      from + HOUR,
      from + 2 * HOUR,
    ]);
    const filtered = await admin<{ runs: { total: number } }>('query($f: RunFilter) { runs(filter: $f) { total } }', {
      f: { backfillId: started.id, status: ['SUCCEEDED'] },
    });
    expect(filtered.runs.total).toBe(48);
    const listed = await admin<{ backfills: { total: number; items: { id: string }[] } }>(
      'query($w: ID!, $t: ID) { backfills(workspaceId: $w, taskId: $t, status: [SUCCEEDED]) { total items { id } } }',
      { w: ws, t: taskId },
    );
    expect(listed.backfills.items.map((x) => x.id)).toEqual([started.id]);
  }, 120_000);

  it('backfills last week of a 02:00 Asia/Shanghai schedule: 7 runs, one a day, dated by data_time', async () => {
    const taskId = await createTask('nightly-shanghai');
    const scheduleId = await createSchedule(taskId, '0 2 * * *', 'Asia/Shanghai', 'nightly');
    const preview = await admin<{ schedule: { nextFireTimes: string[] } }>(
      'query($id: ID!) { schedule(id: $id) { nextFireTimes(count: 3) } }',
      { id: scheduleId },
    );
    expect(preview.schedule.nextFireTimes.map((t) => shanghaiIso(Date.parse(t)).slice(11))).toEqual([
      '02:00:00+08:00',
      '02:00:00+08:00',
      '02:00:00+08:00',
    ]);

    // Today's midnight in Shanghai, and the seven days before it.
    const midnight = Math.floor((Date.now() + SHANGHAI) / DAY) * DAY - SHANGHAI;
    const backfill = await startBackfill({
      taskId,
      from: new Date(midnight - 7 * DAY).toISOString(),
      to: new Date(midnight - 1).toISOString(),
    });
    expect(backfill).toMatchObject({ total: 7, parallelism: 1 });
    const watched = await watchActive(backfill.id, 60_000);
    expect(watched).toEqual({ max: 1, status: 'SUCCEEDED' });
    const runs = await runsOf(backfill.id);
    const days = Array.from({ length: 7 }, (_, i) => midnight - (7 - i) * DAY);
    expect(runs.map((r) => r.params.data_time)).toEqual(days.map(shanghaiDate));
    expect(runs.map((r) => r.params.scheduled_time)).toEqual(days.map((d) => `${shanghaiDate(d)}T02:00:00+08:00`));
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true);
  }, 90_000);

  it('pauses (no run starts while paused, active ones finish) and resumes from the earliest occurrence left', async () => {
    const taskId = await createTask('pausable');
    await createSchedule(taskId, '0 * * * *', 'UTC');
    const to = Math.floor(Date.now() / HOUR) * HOUR;
    const backfill = await startBackfill({
      taskId,
      from: new Date(to - 9 * HOUR).toISOString(),
      to: new Date(to).toISOString(),
      parallelism: 2,
      params: { rows: '8', rate: '10' },
    });
    expect(backfill.total).toBe(10);
    await waitFor(async () => (await runsOf(backfill.id)).some((r) => r.status === 'SUCCEEDED'), {
      timeoutMs: 30_000,
      what: 'a first run done',
    });
    const paused = await mutate('pauseBackfill', backfill.id);
    expect(paused.status).toBe('PAUSED');
    await waitFor(async () => (await activeCount(backfill.id)) === 0, {
      timeoutMs: 30_000,
      what: 'active runs to end',
    });
    const atRest = await runsOf(backfill.id);
    const startedWhilePaused = atRest.filter((r) => r.started_at).length;
    const pending = atRest.filter((r) => r.status === 'PENDING').length;
    expect(pending).toBeGreaterThan(0);
    // Longer than the driver's sweep: nothing is released by it either.
    await new Promise((r) => setTimeout(r, 4500));
    const later = await runsOf(backfill.id);
    expect(later.filter((r) => r.started_at).length).toBe(startedWhilePaused);
    expect(later.filter((r) => r.status === 'PENDING').length).toBe(pending);
    expect((await getBackfill(backfill.id)).status).toBe('PAUSED');
    expect((await mutate('pauseBackfill', backfill.id)).status).toBe('PAUSED');

    const resumed = await mutate('resumeBackfill', backfill.id);
    expect(resumed.status).toBe('RUNNING');
    expect(await watchActive(backfill.id, 60_000)).toMatchObject({ status: 'SUCCEEDED' });
    const runs = await runsOf(backfill.id);
    expect(runs.filter((r) => r.status === 'SUCCEEDED')).toHaveLength(10);
    // The runs started after the resume are the earliest occurrences left, in order.
    const resumedRuns = runs.filter((r) => !atRest.find((x) => x.id === r.id)?.started_at);
    expect(resumedRuns.map((r) => r.scheduled_time.getTime())).toEqual(
      runs.slice(runs.length - resumedRuns.length).map((r) => r.scheduled_time.getTime()),
    );
    const done = await gql(
      a.url,
      'mutation($id: ID!) { resumeBackfill(id: $id) { id } }',
      { id: backfill.id },
      a.token,
    );
    expect(done.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 120_000);

  it('moves on without events: a backfill set RUNNING behind the driver’s back is picked up by its periodic sweep', async () => {
    const taskId = await createTask('swept');
    await createSchedule(taskId, '0 * * * *', 'UTC');
    const to = Math.floor(Date.now() / HOUR) * HOUR;
    const backfill = await startBackfill({
      taskId,
      from: new Date(to - 5 * HOUR).toISOString(),
      to: new Date(to).toISOString(),
      parallelism: 2,
    });
    await mutate('pauseBackfill', backfill.id);
    await waitFor(async () => (await activeCount(backfill.id)) === 0, {
      timeoutMs: 30_000,
      what: 'active runs to end',
    });
    const pending = (await runsOf(backfill.id)).filter((r) => r.status === 'PENDING').length;
    expect(pending).toBeGreaterThan(0);
    // No event, no mutation: only the sweep (every 3 s, on both instances) can notice.
    await db.query("UPDATE backfill SET status = 'RUNNING' WHERE id = $1", [backfill.id]);
    const watched = await watchActive(backfill.id, 30_000);
    expect(watched.status).toBe('SUCCEEDED');
    expect(watched.max).toBeLessThanOrEqual(2);
    expect((await runsOf(backfill.id)).every((r) => r.status === 'SUCCEEDED')).toBe(true);
  }, 60_000);

  it('cancels: its PENDING runs at once, its active ones as cancelRun does, and no run starts after', async () => {
    const taskId = await createTask('cancellable');
    await createSchedule(taskId, '*/10 * * * *', 'Europe/Berlin');
    const to = Math.floor(Date.now() / HOUR) * HOUR;
    const backfill = await startBackfill({
      taskId,
      from: new Date(to - 3 * HOUR).toISOString(),
      to: new Date(to).toISOString(),
      parallelism: 2,
      params: { rows: '100000', rate: '20' },
    });
    expect(backfill.total).toBe(19);
    await waitFor(async () => (await runsOf(backfill.id)).filter((r) => r.status === 'RUNNING').length === 2, {
      timeoutMs: 30_000,
      what: 'two runs running',
    });
    const cancelled = await mutate('cancelBackfill', backfill.id);
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.finishedAt).not.toBeNull();
    const right = await runsOf(backfill.id);
    expect(right.filter((r) => r.status === 'PENDING')).toEqual([]);
    expect(right.filter((r) => r.status === 'CANCELLED').length).toBeGreaterThanOrEqual(17);
    await waitFor(async () => (await runsOf(backfill.id)).every((r) => TERMINAL.includes(r.status)), {
      timeoutMs: 30_000,
      what: 'every run to end',
    });
    const runs = await runsOf(backfill.id);
    expect(runs.every((r) => r.status === 'CANCELLED')).toBe(true);
    expect(runs.filter((r) => r.started_at)).toHaveLength(2);
    const view = await getBackfill(backfill.id);
    expect(view.status).toBe('CANCELLED');
    expect(view.progress).toMatchObject({ cancelled: 19, pending: 0, queued: 0, running: 0, percent: 100 });
    const again = await gql(
      a.url,
      'mutation($id: ID!) { cancelBackfill(id: $id) { id } }',
      { id: backfill.id },
      a.token,
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 90_000);

  it('counts a retried occurrence once: retries keep the backfill and wait for its turn; it ends FAILED', async () => {
    const taskId = await createTask('always-fails', FAILING_JOB, {
      variables: VARIABLES.slice(0, 2),
      runPolicy: { maxRetries: 1, retryBackoffSeconds: 1 },
    });
    await createSchedule(taskId, '0 0 * * *', 'UTC');
    const today = Math.floor(Date.now() / DAY) * DAY;
    const backfill = await startBackfill({
      taskId,
      from: new Date(today - 2 * DAY).toISOString(),
      to: new Date(today).toISOString(),
      parallelism: 2,
    });
    expect(backfill.total).toBe(3);
    const watched = await watchActive(backfill.id, 60_000);
    expect(watched).toEqual({ max: 2, status: 'FAILED' });
    const runs = await runsOf(backfill.id);
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === 'FAILED')).toBe(true);
    const firsts = runs.filter((r) => r.attempt === 1);
    for (const retry of runs.filter((r) => r.attempt === 2)) {
      const first = firsts.find((f) => f.id === retry.first_run_id)!;
      expect(retry.scheduled_time).toEqual(first.scheduled_time);
      expect(retry.trigger).toBe('RETRY');
    }
    const view = await getBackfill(backfill.id);
    expect(view.progress).toMatchObject({ total: 3, failed: 3, succeeded: 0, pending: 0, percent: 100 });
  }, 90_000);

  it('refuses bad input, naming the field, and creates nothing', async () => {
    const taskId = await createTask('refusals', JOB, {
      variables: [...VARIABLES, { name: 'password', secret: true }],
    });
    const noSchedule = await createTask('no-schedule');
    const twoSchedules = await createTask('two-schedules');
    const otherSchedule = await createSchedule(twoSchedules, '0 * * * *', 'UTC', 'one');
    await createSchedule(twoSchedules, '30 * * * *', 'UTC', 'two');
    await createSchedule(taskId, '0 * * * *', 'UTC');
    const perSecond = await createTask('per-second');
    await createSchedule(perSecond, '* * * * * *', 'UTC');

    const now = Date.now();
    const hour = Math.floor(now / HOUR) * HOUR - HOUR;
    const ok = { taskId, from: new Date(now - DAY).toISOString(), to: new Date(now - HOUR).toISOString() };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, to: new Date(now - 2 * DAY).toISOString() }, 'to'],
      [{ ...ok, to: new Date(now + DAY).toISOString() }, 'to'],
      [{ ...ok, parallelism: 0 }, 'parallelism'],
      [{ ...ok, parallelism: 33 }, 'parallelism'],
      [{ ...ok, params: { nope: 'x' } }, 'params'],
      [{ ...ok, params: { password: 'x' } }, 'params'],
      // Between two occurrences: none in the range.
      [{ ...ok, from: new Date(hour + 60_000).toISOString(), to: new Date(hour + 120_000).toISOString() }, 'from'],
      [{ ...ok, taskId: perSecond }, 'from'],
      [{ ...ok, taskId: noSchedule }, 'scheduleId'],
      [{ ...ok, taskId: twoSchedules }, 'scheduleId'],
      [{ ...ok, scheduleId: otherSchedule }, 'scheduleId'],
      [{ ...ok, scheduleId: 'not-an-id' }, 'scheduleId'],
    ];
    for (const [input, field] of cases) {
      const res = await gql(
        a.url,
        'mutation($i: StartBackfillInput!) { startBackfill(input: $i) { id } }',
        { i: input },
        a.token,
      );
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const tooMany = await gql(
      a.url,
      'mutation($i: StartBackfillInput!) { startBackfill(input: $i) { id } }',
      { i: { ...ok, taskId: perSecond } },
      a.token,
    );
    expect(tooMany.errors?.[0]?.message).toMatch(/more than 10000 occurrences/);
    const created = await db.query('SELECT id FROM backfill WHERE task_id = ANY($1)', [
      [taskId, noSchedule, twoSchedules, perSecond],
    ]);
    expect(created).toEqual([]);
    // Naming one of two schedules is enough.
    const named = await startBackfill({ ...ok, taskId: twoSchedules, scheduleId: otherSchedule });
    expect(named).toMatchObject({ scheduleId: otherSchedule, total: 23 });
    await mutate('cancelBackfill', named.id);
  });

  it('lets a VIEWER read a backfill but not start, pause or cancel one; another workspace sees NOT_FOUND', async () => {
    const taskId = await createTask('permissions');
    await createSchedule(taskId, '0 0 * * *', 'UTC');
    const today = Math.floor(Date.now() / DAY) * DAY;
    const input = { taskId, from: new Date(today - DAY).toISOString(), to: new Date(today).toISOString() };
    const backfill = await startBackfill(input);

    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: { workspaceId: ws, email: 'bf-viewer@sluice.test', role: 'VIEWER', password: 'viewer-password-123' },
    });
    const viewer = await login(a.url, 'bf-viewer@sluice.test', 'viewer-password-123');
    const read = await gql(
      a.url,
      'query($id: ID!) { backfill(id: $id) { id progress { total } } }',
      { id: backfill.id },
      viewer,
    );
    expect(read.errors).toBeUndefined();
    const start = await gql(
      a.url,
      'mutation($i: StartBackfillInput!) { startBackfill(input: $i) { id } }',
      { i: input },
      viewer,
    );
    expect(start.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const name of ['pauseBackfill', 'cancelBackfill']) {
      const res = await gql(a.url, `mutation($id: ID!) { ${name}(id: $id) { id } }`, { id: backfill.id }, viewer);
      expect(res.errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
    }

    const { createWorkspace } = await admin<{ createWorkspace: { id: string } }>(
      'mutation { createWorkspace(input: { name: "Elsewhere" }) { id } }',
    );
    await admin('mutation($i: AddMemberInput!) { addMember(input: $i) { membership { id } } }', {
      i: {
        workspaceId: createWorkspace.id,
        email: 'bf-else@sluice.test',
        role: 'ADMIN',
        password: 'else-password-123',
      },
    });
    const stranger = await login(a.url, 'bf-else@sluice.test', 'else-password-123');
    for (const query of [
      'query($id: ID!) { backfill(id: $id) { id } }',
      'mutation($id: ID!) { pauseBackfill(id: $id) { id } }',
      'mutation($id: ID!) { cancelBackfill(id: $id) { id } }',
    ]) {
      const res = await gql(a.url, query, { id: backfill.id }, stranger);
      expect(res.errors?.[0]?.extensions?.code, query).toBe('NOT_FOUND');
    }
    const list = await gql(a.url, 'query($w: ID!) { backfills(workspaceId: $w) { total } }', { w: ws }, stranger);
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const strangerSocket = await connectSocket(a.url, stranger);
    try {
      const sub = strangerSocket.subscribe(`subscription($id: ID) { backfillUpdated(id: $id) { id } }`, {
        id: backfill.id,
      });
      const outcome = await sub.next(5000).then(
        (value) => ({ value }),
        (err: Error) => ({ error: err.message }),
      );
      expect(outcome).toMatchObject({ error: expect.stringMatching(/NOT_FOUND|not found/) });
    } finally {
      await strangerSocket.dispose();
    }
    await watchActive(backfill.id, 30_000);
  }, 60_000);
});
